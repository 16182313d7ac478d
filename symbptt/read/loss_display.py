r"""The notes' loss displays, marked with their model (issue 27): which displays state
the loss, and what a total loss says (``L = \sum_{t=1}^{T} L_t``: the steps' losses
summed; ``J = \frac{1}{T_x} \sum_t J^{\langle t \rangle}``: averaged).

A display whose left-hand side is a loss letter (L, J, E, \mathcal{L}, \ell) states the
loss: without a step it is the total loss, read here; with a step it is the loss of one
step, which the checker reads against the model's (:mod:`symbptt.checker.notes`). The
letter may carry a label and arguments (``\mathcal{L}_{\text{seq}}(g, y)``,
``J^{(t)}(\theta)``), and the steps' losses in the sum too
(``\sum_{t=1}^{n} \mathcal{L}_\text{elt}(g_t, y_t)``); a per-example superscript on the
sum's upper limit (``n^{(i)}``, the i-th sequence's length) is the horizon's letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A loss letter, as a left-hand side (its script, if any, follows).
_LETTER = (
    r"(?:L|J|E|\\ell|\\mathcal\{?[LJE]\}?|\\mathscr\{?[LJE]\}?"
    r"|loss|\\(?:text|mathrm|operatorname)\{loss\})"
)
_LOSS = re.compile(rf"^{_LETTER}(?P<script>.*)$")
#: A step's script: _t, _{t}, ^{(t)}, ^{<t>}, ^{\langle t \rangle}, ^t.
_STEP = r"(?:_\{?t\}?|\^\{?(?:\(t\)|<t>|\\langlet\\rangle|t)\}?)"
#: A label on a loss letter: L_{\text{seq}}, \mathcal{L}_\text{elt}, L_{seq}.
_LABEL = r"(?:_\\text\{[A-Za-z]+\}|_\{\\text\{[A-Za-z]+\}\}|_\{?[A-Za-su-z][A-Za-z]+\}?)"
#: A loss's arguments, last: (g_t, y_t), (\theta).
_ARGUMENTS = re.compile(r"\((?:[^()]|\([^()]*\))*\)$")
#: Σ over t, with optional limits, of a loss letter at t; optionally divided by N.
_TOTAL = re.compile(
    rf"^(?P<mean>\\[dt]?frac\{{1\}}\{{(?P<n>[^{{}}]+)\}})?"
    # \sum_t, \sum_{t=1}^{T}, or a bare \sum of the steps' losses L_t (over t)
    rf"\\sum(?:\\limits)?(?:_\{{?t(?:=(?P<first>[01]))?\}}?)?"
    rf"(?:\^(?:\{{(?P<last>[^{{}}]+?)(?:\^\{{\([a-z]\)\}})?\}}|(?P<last1>[A-Za-z])))?"
    rf"{_LETTER}{_LABEL}?(?P<step>{_STEP})?(?P<args>\(.*\))?$"
)
#: A step t inside a loss's arguments: (g_t, y_t), (\hat y^{(t)}, y^{(t)}).
_STEP_INSIDE = re.compile(r"_\{?t\}?|\^\{?\(t\)\}?|\^\{?<t>\}?|\\langlet\\rangle")


@dataclass(frozen=True)
class TotalLoss:
    """What a total loss display says: ``sum`` or ``mean``, and the names its limits
    give the first step and the horizon (None: not written)."""

    reduction: str
    first: int | None = None
    horizon: str | None = None
    #: the arguments the steps' losses are written with (``(g_t, y_t)`` of
    #: ``\\mathcal{L}_\\text{elt}(g_t, y_t)``), without their parentheses, or None
    arguments: str | None = None


def compact(text: str) -> str:
    """The text without spaces, spacing, ``\\left``/``\\right`` and ``\\displaystyle``."""
    text = re.sub(r"\\(?:left|right|displaystyle|limits|q?quad)(?![A-Za-z])|\\[,;:!]", "", text)
    return re.sub(r"\s+", "", text).rstrip(".,;")


def loss_side(lhs: str) -> str | None:
    """``"total"`` if a left-hand side is the loss, ``"step"`` if a step's loss, else None:
    a loss letter with a label only (``\\mathcal{L}_{\\text{seq}}(g, y)``) is the total."""
    found = _LOSS.match(compact(lhs))
    if found is None:
        return None
    script = _ARGUMENTS.sub("", found.group("script"))
    return "step" if script and not re.fullmatch(_LABEL, script) else "total"


def total_loss(rhs: str, horizons: tuple[str, ...] = ("T",)) -> TotalLoss | None:
    """What the right-hand side of a total loss display says, or None when it is not a
    sum (or mean) over the steps of their losses. A mean's divisor must be the sum's upper
    limit, or without one a name of the horizon (``horizons``): \\frac{1}{N} may divide by
    a batch's size."""
    found = _TOTAL.match(compact(rhs))
    if found is None:
        return None
    if not found.group("step") and not _STEP_INSIDE.search(found.group("args") or ""):
        return None  # \sum_t L: no step's loss
    last = found.group("last") or found.group("last1")
    n = found.group("n")
    # a letter, or a number: notes about one sequence of 5 steps (\frac{1}{5}\sum_{t=1}^{5})
    letter = re.compile(r"[A-Za-z](_\{?\w+\}?)?|\\[A-Za-z]+|[1-9][0-9]?")
    if last is not None and not letter.fullmatch(last):
        return None  # \sum_{t=1}^{T-1}, \sum_{t=1}^{3}: not every step
    if n is not None and last is None and n not in horizons:
        return None
    if n is not None and (not letter.fullmatch(n) or (last is not None and n != last)):
        return None  # \frac{1}{2} \sum_t, \frac{1}{N} \sum_{t=1}^{T}: not the mean over the steps
    first = found.group("first")
    args = found.group("args")
    return TotalLoss(
        "mean" if found.group("mean") else "sum",
        int(first) if first is not None else None,
        last or n,
        # J^{(t)}(\\theta): the parameters; \\ell(\\hat y_t, y_t): what the loss is of
        args[1:-1] if args and not found.group("step") else None,
    )


def loss_letter(lhs: str) -> tuple[str, str] | None:
    """The loss letter of a loss display's left-hand side, as written (``J`` of
    ``J^{(t)}(\\theta)``, ``\\mathcal{L}`` of ``\\mathcal{L}_{\\text{seq}}``) and as a
    formula's reader keys it (``\\mathcal L``), or None."""
    found = _LOSS.match(compact(lhs))
    if found is None:
        return None
    letter = compact(lhs)[: found.start("script")]
    if "loss" in letter:
        return letter, "loss"
    return letter, re.sub(r"\\(mathcal|mathscr)\{?([A-Z])\}?", r"\\\1 \2", letter)


def loss_name(lhs: str) -> str | None:
    """The name a total loss display gives the loss when it is more than a loss letter
    (``\\mathcal{L}_{\\text{seq}}`` of ``\\mathcal{L}_{\\text{seq}}(g, y)``), else None."""
    found = _LOSS.match(compact(lhs))
    if found is None:
        return None
    script = _ARGUMENTS.sub("", found.group("script"))
    if not script:
        return None
    name = compact(lhs)[: found.start("script")] + script
    return re.sub(r"\\text\{([A-Za-z]+)\}", r"{\1}", name)  # as formulas read \text{seq}


#: A step's squared error, with or without the half: (y_t - \hat y_t)^2,
#: \frac{1}{2}\|\hat y_t - y_t\|^2, \tfrac12 \lVert o_t - y_t \rVert_2^2.
_SQUARED = re.compile(
    r"^(?P<half>\\[dt]?frac\s*\{?1\}?\s*\{?2\}?)?\s*"
    r"(?:\((?P<a>[^()]+?)-(?P<b>[^()]+)\)"
    r"|(?:\\\||\\lVert)(?P<c>.+?)-(?P<d>.+?)(?:\\\||\\rVert)(?:_\{?2\}?)?)"
    r"\s*\^\s*\{?2\}?$"
)


def squared_error(rhs: str) -> tuple[str, str, str] | None:
    """The loss a step-loss display's right side states when it is a squared error
    (``"squared"`` with the half, ``"sum-squared"`` without), and the two quantities it
    compares, as written; else None. A vector's ``(y_t - \\hat y_t)^2`` on the right of a
    scalar loss is its squared norm, the one meaning that makes it a loss.

    Example:
        >>> squared_error(r"\\frac{1}{2}(y_t - \\hat{y}_t)^2")
        ('squared', 'y_t', '\\\\hat{y}_t')
        >>> squared_error(r"\\| h_t - y_t \\|^2")
        ('sum-squared', 'h_t', 'y_t')
    """
    light = re.sub(r"\\(?:left|right|displaystyle|[Bb]ig{1,2}[lr]?)(?![A-Za-z])|\\[,;:!]", "", rhs)
    found = _SQUARED.match(" ".join(light.split()).rstrip(".,; "))
    if found is None:
        return None
    a, b = (found.group("a"), found.group("b")) if found.group("a") else found.group("c", "d")
    return ("squared" if found.group("half") else "sum-squared"), a.strip(), b.strip()
