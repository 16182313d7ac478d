"""Verdicts of formula checks: the result of one check, its per-t steps, and the tally
that decides a run of comparisons in a ring."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from symbptt.errors import FormulaSyntaxError
from symbptt.results import StepResult
from symbptt.rings.algebra import PolynomialRing, Ring
from symbptt.rings.modular import ModularRing


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
