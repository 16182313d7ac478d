r"""The model's identities that a report checked as claims, as displays of the document.

A model may claim formulas of its own (:class:`symbptt.core.model.Identity`, LaTeX in
its names): the seeds' scalar model claims note 000's definitions, boxed formula and loss
decomposition and question 002's recursion. :func:`symbptt.verifier.run.verify` reads
each with the one formula reader and checks it; this module prints the claims the report
holds, from their LaTeX, so that a wrong claim put under test is the one the document
shows next to its failing check. The document's notation (how the immediate partial,
the total derivative and the loss are written) applies to them as to every other
display. Each display says which checks of the certificate it is.
"""

from __future__ import annotations

import re
from typing import Any

from symbptt.core.model import IDENTITY_SECTIONS
from symbptt.render import IMMEDIATE_STYLES
from symbptt.render.blocks import Claimed, Display, parts

#: The sections that show claims, in the document's order.
SECTIONS = IDENTITY_SECTIONS

#: A TeX token: a control word or symbol, a brace, or one character.
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}]|[^\\{}]")


def split_equation(latex: str) -> tuple[str, str]:
    r"""``A = B`` as (A, B), at the first '=' outside braces and ``\left ... \right``
    (a chain A = B = C keeps ``B = C`` on the right).

    Example:
        >>> split_equation(r"\frac{a}{b} = \left(x = y\right) = z")
        ('\\frac{a}{b}', '\\left(x = y\\right) = z')
    """
    depth = 0
    position = 0
    for token in _TOKEN.findall(latex):
        if token in ("{", r"\left"):
            depth += 1
        elif token in ("}", r"\right"):
            depth -= 1
        elif token == "=" and depth == 0:
            return latex[:position].strip(), latex[position + 1 :].strip()
        position += len(token)
    return latex.strip(), ""


def restyle(latex: str, notation: Any) -> str:
    r"""A model identity's LaTeX in the document's notation: ``\partial^{+}`` is the
    immediate partial's style, ``\partial`` the total derivative's symbol and the
    ``L`` it differentiates the loss's letter."""
    immediate = IMMEDIATE_STYLES[notation.immediate]
    marked = re.sub(r"\\partial\s*\^\s*(?:\{\s*\+\s*\}|\+)", "\0", latex)
    marked = re.sub(r"\\partial L(?![A-Za-z_^'])", "\1", marked)
    marked = marked.replace(r"\partial", notation.total)
    return marked.replace("\1", f"{notation.total} {notation.loss}").replace("\0", immediate)


def _rows(claim: Any, notation: Any) -> list[str]:
    """The aligned rows of one claim: ``lhs &= rhs``; a recursion's step, its base case
    and the gradients it gives."""
    texts = [claim.latex]  # the text that was read and checked
    if claim.identity.gradients:
        texts += [claim.identity.base] if claim.identity.base else []
        texts += [latex for _, latex in claim.identity.gradients]
    rows = []
    for text in texts:
        lhs, rhs = split_equation(restyle(text, notation))
        rows.append(f"{lhs} &= {rhs}")
    return rows


def claim_displays(claims: tuple[Any, ...], notation: Any) -> dict[str, list[Claimed]]:
    """The claims of the model's identities, by the document section that shows them
    (:data:`SECTIONS`): identities of one display are shown together, and each names
    the certificate's rows that checked it."""
    groups: dict[str, list[Any]] = {}
    for claim in claims:
        identity = getattr(claim, "identity", None)
        if identity is not None and identity.display:
            groups.setdefault(identity.display, []).append(claim)
    out: dict[str, list[Claimed]] = {section: [] for section in SECTIONS}
    for label, group in groups.items():
        first = group[0].identity
        rows = [row for claim in group for row in _rows(claim, notation)]
        checks = _checks([claim.name for claim in group])
        display = Display(tuple(rows), label)
        lead = parts(f"Checked as claims ({checks} in the certificate), {first.prose}:")
        out.setdefault(first.section, []).append(Claimed(lead, display))
    return out


def _checks(names: list[str]) -> str:
    """Check names as the certificate lists them, shared heads said once:
    "boxed formula dh_t/dw, dh_t/dv"."""
    out: list[str] = []
    head = ""
    for name in names:
        this, _, rest = name.rpartition(" ")
        if this and this == head:
            out.append(rest)
        else:
            out.append(name)
            head = this
    return ", ".join(out)
