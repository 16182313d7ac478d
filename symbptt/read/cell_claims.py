r"""What a ``[cell]`` table claims, and how its reports are named and limited. Keys:

``claims``
    ``{ "backward recursion" = "..." }``: what a kind of check claims, in the cell's words.
``identities``
    ``[cell.identities."boxed formula dh_t/dw"]``: formulas the cell's documents claim
    and its verification checks, in LaTeX in the cell's own names, one table each (in
    the order of the checks), keyed by the check's name: ``latex`` (``A = B`` for every
    t; for a recursion, the adjoint's step), and optionally ``description`` (what the
    certificate says), ``section`` (``model``, ``sum_of_products``, ``backward``: where
    documents show it), ``display`` (the label of its display), ``prose`` (what the
    display is, in words), ``gradients`` (for a recursion, ``{ "dL/dw" = '...' }``: the
    gradients it gives) and ``base`` (for a recursion, its base case as printed).
``slug``
    the short name of its documents' files; ``{n}`` is the size n (``"lstm-n{n}"``).
``exact_work``
    the largest (state size) x T of exact verification, where it was measured.
``family``
    ``"cell"`` (the default), ``"elman"`` or ``"scalar"``: the row of limits, description
    and file names that the model takes (:data:`symbptt.core.spec.FAMILIES`).
"""

from __future__ import annotations

import re
from typing import Any

from symbptt.core.model import IDENTITY_SECTIONS, Identity
from symbptt.errors import SpecError

#: The kinds of checks whose claim a cell may word (those of the verifier's report).
CLAIM_KINDS = (
    "backward recursion",
    "expansion",
    "sum of products",
    "Jacobian chain",
    "output layer",
    "reference",
)
_IDENTITY_KEYS = ("latex", "description", "section", "display", "prose", "gradients", "base")
_SECTION = re.compile(r"[a-z][a-z_]*")


def table_of(table: dict, key: str, where: str, what: str) -> dict:
    """``table[key]`` (empty if missing), which must be a table."""
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise SpecError(f"{where}: [cell] {key} must be a table of {what}")
    return value


def entry_of(spec: Any, here: str, keys: tuple[str, ...], example: str) -> dict:
    """One entry of a keyed table (``variables.h``, ``identities."..."``): a table whose
    keys are among ``keys``.

    Raises:
        SpecError: not a table (``example`` shows one), or an unknown key.
    """
    if not isinstance(spec, dict):
        raise SpecError(f"{here} must be a table such as {example}")
    unknown = sorted(set(spec) - set(keys))
    if unknown:
        raise SpecError(f"{here} has unknown key {unknown[0]!r}; expected: {', '.join(keys)}")
    return spec


def text_of(value: Any, here: str, what: str) -> str:
    """``value``, which must be a string with something in it."""
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{here} must be {what}")
    return value


#: What a name's LaTeX in a cell file may not hold: it is printed into every document's
#: maths, so no comment, no alignment or parameter character, no math shift, and no
#: command that reads or writes files, defines commands, labels or leaves the maths.
_UNSAFE_LATEX = re.compile(
    r"[%#$&]|\\\\|\^\^|\\(input|include|write|immediate|openout|openin|read|verb|catcode"
    r"|[egx]?def|let|(re)?newcommand|providecommand|usepackage|special|csname|directlua"
    r"|typeout|message|label|ref|eqref|begin|end|par|expandafter|scantokens|pdf[a-z]*)"
    r"(?![A-Za-z])"
)

#: What a display's label may hold (it is a \label of every document showing it).
_LABEL = re.compile(r"[A-Za-z0-9:._-]{1,100}")


def latex_of(value: Any, here: str) -> str:
    r"""A name's LaTeX from a cell file: a string with something in it, safe to print.

    Example:
        >>> latex_of(r"\mathbf{h}_{@} % x", "h.latex")
        Traceback (most recent call last):
        ...
        symbptt.errors.SpecError: h.latex must be LaTeX of a name: '%' is not allowed in it
    """
    text = text_of(value, here, "LaTeX")
    bad = _UNSAFE_LATEX.search(text)
    if bad:
        raise SpecError(f"{here} must be LaTeX of a name: {bad.group(0)!r} is not allowed in it")
    return text


def claims(table: dict, where: str) -> tuple[tuple[str, str], ...]:
    out = []
    for kind, text in table_of(table, "claims", where, "check kind = text").items():
        if kind not in CLAIM_KINDS:
            raise SpecError(
                f"{where}: [cell] claims: unknown kind {kind!r}; expected: {', '.join(CLAIM_KINDS)}"
            )
        out.append((kind, text_of(text, f"{where}: [cell] claims.{kind}", "a string")))
    return tuple(out)


def identities(table: dict, where: str) -> tuple[Identity, ...]:
    """The formulas the cell claims, checked for their keys and types."""
    out = []
    for name, spec in table_of(table, "identities", where, "name = { latex, ... }").items():
        here = f"{where}: [cell] identities.{name!r}"
        entry_of(spec, here, _IDENTITY_KEYS, "{ latex = '...' }")
        texts = {}
        for key in ("description", "display", "prose", "base"):
            if not isinstance(spec.get(key, ""), str):
                raise SpecError(f"{here}.{key} must be a string")
            texts[key] = spec.get(key, "")
        if texts["display"] and not _LABEL.fullmatch(texts["display"]):
            raise SpecError(f"{here}.display must be a label of letters, digits and ':._-'")
        section = spec.get("section", "model")
        if section not in IDENTITY_SECTIONS:
            raise SpecError(f"{here}.section must be one of: {', '.join(IDENTITY_SECTIONS)}")
        gradients = table_of(spec, "gradients", here, "label = LaTeX")
        out.append(
            Identity(
                name,
                text_of(spec.get("latex"), f"{here}.latex", "LaTeX, A = B"),
                section=section,
                gradients=tuple(
                    (label, text_of(g, f"{here}.gradients.{label}", "LaTeX"))
                    for label, g in gradients.items()
                ),
                **texts,
            )
        )
    return tuple(out)


def slug(table: dict, sizes: dict[str, int], where: str) -> str:
    slug = table.get("slug", "")
    if not isinstance(slug, str):
        raise SpecError(f"{where}: [cell] slug must be a string such as lstm-n{{n}}")

    def size(match: re.Match) -> str:
        if match.group(1) not in sizes:
            raise SpecError(f"{where}: [cell] slug uses {{{match.group(1)}}}, which sizes lacks")
        return str(sizes[match.group(1)])

    out = re.sub(r"\{([A-Za-z0-9_]*)\}", size, slug)
    if out and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", out):
        raise SpecError(f"{where}: [cell] slug must be letters, digits, '.', '_' and '-'")
    return out


def exact_work(table: dict, where: str) -> int:
    work = table.get("exact_work", 0)
    if not isinstance(work, int) or isinstance(work, bool) or work < 0:
        raise SpecError(f"{where}: [cell] exact_work must be a whole number >= 0")
    return work


#: What a cell's ``witness`` may name: torch's own module (its gates' stacking order in
#: ``gates``, for LSTM and GRU), ``cho-gru`` (Cho et al.'s GRU written out by hand in
#: torch operations), or ``equations``, the cell's own equations in torch operations (a
#: witness of the derived backward program only: it shares the reading of the equations).
WITNESSES = ("RNN", "LSTM", "GRU", "cho-gru", "equations")


def witness(table: dict, where: str) -> tuple[tuple[str, str], ...]:
    """``witness = { torch = "LSTM", gates = "ifgo" }``: how the cross-check's PyTorch
    computes the cell (none if the table does not say)."""
    given = entry_of(
        table.get("witness", {}),
        f"{where}: [cell] witness",
        ("torch", "gates"),
        '{ torch = "LSTM", gates = "ifgo" }',
    )
    if given and given.get("torch") not in WITNESSES:
        raise SpecError(f"{where}: [cell] witness.torch must be one of: {', '.join(WITNESSES)}")
    gated = given.get("torch") in ("LSTM", "GRU")
    if gated != ("gates" in given) or (
        gated and not (isinstance(given["gates"], str) and given["gates"].isalpha())
    ):
        raise SpecError(
            f"{where}: [cell] witness.gates (LSTM and GRU only) is torch's gate order, "
            'such as "ifgo"'
        )
    return tuple(sorted(given.items()))


def family(table: dict, where: str) -> str:
    from symbptt.core.spec import FAMILIES

    family = table.get("family", "cell")
    if family not in FAMILIES:
        raise SpecError(f"{where}: [cell] family must be one of: {', '.join(FAMILIES)}")
    return family
