"""What symbptt's jobs answer, as plain data: the verifier's :class:`Report` of
:class:`CheckResult` s, the checker's :class:`FormulaCheckResult` of :class:`StepResult` s,
and the :class:`Counterexample` either gives where two sides differ.

A leaf: every job imports these types and none defines them, so the engines that build
them and the renderers and command line that read them import no one another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

if TYPE_CHECKING:
    from symbptt.core.spec import Spec
    from symbptt.derive.adjoint import Program
    from symbptt.verifier.claims import FormulaClaim, RecursionClaim


@dataclass(frozen=True)
class Counterexample:
    """Concrete inputs at which two sides of an identity take different values.

    Attributes:
        label: which comparison (e.g. ``"t=3, form 4 (distribute, eqn (10))"``).
        values: exact values of every atom the comparison used: inputs, and for generic
            functions their values at each node (``phi'(s_2)``).
        lhs, rhs: the two sides' values (exact rationals, or certified enclosures).
        exact: both values are exact rationals.
        t: the time step of the failing comparison, when it has one.
    """

    label: str
    values: dict[str, Fraction]
    lhs: str
    rhs: str
    exact: bool
    t: int | None = None

    def describe(self) -> str:
        """A few lines for people."""
        assignment = ", ".join(f"{k} = {v}" for k, v in self.values.items())
        kind = "exactly" if self.exact else "certified enclosures"
        return f"at {self.label}: lhs = {self.lhs}, rhs = {self.rhs} ({kind})\n  with {assignment}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (values as strings of exact rationals)."""
        return {
            "label": self.label,
            "t": self.t,
            "values": {k: str(v) for k, v in self.values.items()},
            "lhs": self.lhs,
            "rhs": self.rhs,
            "exact": self.exact,
        }


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
class CheckResult:
    """The outcome of one check.

    Attributes:
        holds: every comparison was equal.
        method: what decided it.
        comparisons: how many comparisons were made.
        failure: label of the first failing comparison, if any.
        counterexample: concrete inputs separating the sides of that comparison.
        error_bound: for the modular method, an upper bound on the probability that
            "holds" is wrong (0 for the exact method).
    """

    name: str
    description: str
    holds: bool
    method: str
    seconds: float
    comparisons: int
    failure: str | None = None
    counterexample: Counterexample | None = None
    error_bound: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "description": self.description,
            "holds": self.holds,
            "method": self.method,
            "seconds": round(self.seconds, 6),
            "comparisons": self.comparisons,
            "failure": self.failure,
            "error_bound": self.error_bound,
            "counterexample": self.counterexample.to_dict() if self.counterexample else None,
        }


@dataclass(frozen=True)
class Report:
    """The verifier's immutable report."""

    spec: Spec
    method: str
    reference_method: str
    checks: tuple[CheckResult, ...]
    #: the backward program that was verified (documents print exactly this)
    program: Program
    #: the claims that were verified (documents print exactly these)
    claims: tuple[FormulaClaim | RecursionClaim, ...] = ()
    #: why the method was used, when ``--method auto`` chose it (else empty)
    method_reason: str = ""

    @property
    def holds(self) -> bool:
        """Whether every check holds."""
        return all(c.holds for c in self.checks)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """The checks that do not hold."""
        return tuple(c for c in self.checks if not c.holds)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        from symbptt import __version__

        return {
            "symbptt": __version__,
            "sympy": sp.__version__,
            "model": self.spec.summary(),
            "method": self.method,
            "method_reason": self.method_reason,
            "reference": self.reference_method,
            "holds": self.holds,
            "checks": [c.to_dict() for c in self.checks],
        }
