"""Verdicts of formula checks, shared by the scalar and the vector checker: the result of
one check, its per-t steps, and the tally that decides a run of comparisons in a ring."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .algebra import PolynomialRing, Ring
from .equivalence import Counterexample
from .errors import FormulaSyntaxError
from .modular import ModularRing


@dataclass(frozen=True)
class StepResult:
    """The verdict at one t (and one component of w_h, if the formula uses it)."""

    t: int | None
    component: str | None
    holds: bool


@dataclass(frozen=True)
class FormulaCheckResult:
    """The outcome of checking one equation.

    Attributes:
        holds: every side equals the next at every t checked.
        method: what decided it.
        results: per-t (and per-component) verdicts.
        counterexample: concrete inputs where it fails (None if it holds).
        explanation: a sentence for people.
        warnings, notes: how the formula was read.
        layout: the layout of derivatives in which it was read (and holds, if it does):
            "mixed", "numerator" or "denominator"; "per '='" for a chain whose every '='
            holds in a layout of its own (the notes name each one's).
        parts: for a display of several equations (an ``aligned`` block), the result of
            each; the result itself holds when every part holds.
        repairs: for a formula that does not hold, the single edits under which it holds
            ("phi'(h_t) is replaced by theta'(h_t)"), each decided by the modular method.
        partial: the verdict is between some sides of a chain only, the others having
            no value (a failure: two sides that have a value differ).
    """

    equation: str
    holds: bool
    method: str
    results: tuple[StepResult, ...]
    counterexample: Counterexample | None = None
    explanation: str = ""
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    layout: str = "mixed"
    parts: tuple[FormulaCheckResult, ...] = ()
    repairs: tuple[str, ...] = ()
    partial: bool = False

    @property
    def failing(self) -> StepResult | None:
        """The first failing step, if any."""
        return next((r for r in self.results if not r.holds), None)

    @property
    def steps(self) -> str:
        """The steps at which the formula was checked, for people: "t = 1..4", "t = 1..2"
        (dh_(t+2)/dh_(t+1) exists only there), "t = 1, 3", or "" for a formula without t.

        >>> FormulaCheckResult("", True, "exact", (StepResult(1, None, True),
        ...                    StepResult(2, None, True))).steps
        't = 1..2'
        """
        ts = sorted({r.t for r in self.results if r.t is not None})
        if not ts:
            return ""
        if ts == list(range(ts[0], ts[-1] + 1)):
            return f"t = {ts[0]}..{ts[-1]}" if len(ts) > 1 else f"t = {ts[0]}"
        return "t = " + ", ".join(map(str, ts))


@dataclass(frozen=True)
class Tally:
    """The verdicts of one run of comparisons in one ring.

    Attributes:
        results: a verdict per comparison.
        failure: the label of the first comparison that failed (None if all hold).
        relevant: for exact canonical forms, the atoms the failing sides involve.
        degree: for the modular method, the largest degree bound met.
    """

    ring: Ring
    results: tuple[StepResult, ...]
    failure: str | None
    relevant: set | None
    degree: int

    @property
    def holds(self) -> bool:
        return self.failure is None

    def explanation(self) -> str:
        """ "holds for every t checked" (with the modular error bound), or where it fails."""
        if not self.holds:
            return f"does not hold at {self.failure}"
        text = "holds for every t checked"
        if isinstance(self.ring, ModularRing):
            bound = self.ring.error_bound(self.degree, len(self.results))
            text += f" (the probability that this is wrong is below {bound:.1e})"
        return text


def tally(ring: Ring, comparisons: Iterable[tuple[str, Any, Any, Any, Any]], T: int) -> Tally:
    """Decide each (label, t, component, lhs, rhs) in ``ring``, keeping the first failure.

    Raises:
        FormulaSyntaxError: nothing was compared (no t has every index in range).
    """
    results, failure, degree, relevant = [], None, 0, None
    for label, t, component, a, b in comparisons:
        if isinstance(ring, ModularRing):
            degree = max(degree, a.deg, b.deg)
        ok = ring.equal(a, b)
        results.append(StepResult(t, component, ok))
        if not ok and failure is None:
            failure = label
            relevant = ring.atoms_of(a, b) if isinstance(ring, PolynomialRing) else None
    if not results:
        raise FormulaSyntaxError(f"no t in 1..{T} has every index of the formula in range")
    return Tally(ring, tuple(results), failure, relevant, degree)
