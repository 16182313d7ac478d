r"""The notes' loss displays, marked with their model (issue 27): which displays state
the loss, and what a total loss says (``L = \sum_{t=1}^{T} L_t``: the steps' losses
summed; ``J = \frac{1}{T_x} \sum_t J^{\langle t \rangle}``: averaged).

A display whose left-hand side is a loss letter (L, J, E, \mathcal{L}, \ell) states the
loss: without a step it is the total loss, read here; with a step it is the loss of one
step, which the checker reads against the model's (:mod:`symbptt.checker.notes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A loss letter, as a left-hand side (its script, if any, follows).
_LETTER = r"(?:L|J|E|\\ell|\\mathcal\{?[LJE]\}?|\\mathscr\{?[LJE]\}?)"
_LOSS = re.compile(rf"^{_LETTER}(?P<script>.*)$")
#: A step's script: _t, _{t}, ^{(t)}, ^{<t>}, ^{\langle t \rangle}, ^t.
_STEP = r"(?:_\{?t\}?|\^\{?(?:\(t\)|<t>|\\langlet\\rangle|t)\}?)"
#: Σ over t, with optional limits, of a loss letter at t; optionally divided by N.
_TOTAL = re.compile(
    rf"^(?P<mean>\\frac\{{1\}}\{{(?P<n>[^{{}}]+)\}})?"
    rf"\\sum(?:\\limits)?_\{{?t(?:=(?P<first>[01]))?\}}?(?:\^\{{?(?P<last>[^{{}}]+?)\}}?)?"
    rf"{_LETTER}{_STEP}$"
)


@dataclass(frozen=True)
class TotalLoss:
    """What a total loss display says: ``sum`` or ``mean``, and the names its limits
    give the first step and the horizon (None: not written)."""

    reduction: str
    first: int | None = None
    horizon: str | None = None


def compact(text: str) -> str:
    """The text without spaces, ``\\left``/``\\right`` and ``\\displaystyle``."""
    text = re.sub(r"\\(?:left|right|displaystyle|limits)(?![A-Za-z])", "", text)
    return re.sub(r"\s+", "", text).rstrip(".,;")


def loss_side(lhs: str) -> str | None:
    """``"total"`` if a left-hand side is the loss, ``"step"`` if a step's loss, else None."""
    found = _LOSS.match(compact(lhs))
    if found is None:
        return None
    return "step" if found.group("script") else "total"


def total_loss(rhs: str, horizons: tuple[str, ...] = ("T",)) -> TotalLoss | None:
    """What the right-hand side of a total loss display says, or None when it is not a
    sum (or mean) over the steps of their losses. A mean's divisor must be the sum's upper
    limit, or without one a name of the horizon (``horizons``): \\frac{1}{N} may divide by
    a batch's size."""
    found = _TOTAL.match(compact(rhs))
    if found is None:
        return None
    last = found.group("last")
    n = found.group("n")
    letter = re.compile(r"[A-Za-z](_\{?\w+\}?)?|\\[A-Za-z]+")
    if last is not None and not letter.fullmatch(last):
        return None  # \sum_{t=1}^{T-1}, \sum_{t=1}^{3}: not every step
    if n is not None and last is None and n not in horizons:
        return None
    if n is not None and (not letter.fullmatch(n) or (last is not None and n != last)):
        return None  # \frac{1}{2} \sum_t, \frac{1}{N} \sum_{t=1}^{T}: not the mean over the steps
    first = found.group("first")
    return TotalLoss(
        "mean" if found.group("mean") else "sum",
        int(first) if first is not None else None,
        last or n,
    )
