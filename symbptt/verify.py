"""The verifier's public face: the formulas under test, the report, :func:`verify`.

:func:`verify` returns an immutable :class:`Report` of named checks for any model: the
model core's verifier (:func:`symbptt.engine.verify.verify_vector`) checks the backward
program derived from the model's equations, the expansion and the sums of products
against forward mode, and each claim; for the scalar model of the seeds its
:class:`Formulas` (note 000's definitions and boxed formula, eqns 4-5, question 002's
recursion) are such claims (:func:`symbptt.claims.seed_claims`). Each check is a stream
of comparisons evaluated in one ring; the ring decides equality and names the method. A
failing check carries the first failing comparison and a counterexample at concrete
inputs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from . import expr as E
from .claims import FormulaClaim
from .derive.adjoint import Program
from .derive.backward import DEFAULT_RECURSION, BackwardRecursion
from .equivalence import Counterexample
from .errors import SpecError
from .model import RNNSpec, require_spec
from .semantics import DEFAULT_DEFINITIONS, Definitions


@dataclass(frozen=True)
class Formulas:
    """The formulas under test (defaults: the correct ones of the seeds).

    Attributes:
        definitions: immediate partials and Jacobian in model quantities.
        sum_of_products: right-hand side of the boxed formula for dh_t/dp, a function
            of the parameter symbol.
        recursion: the backward recursion.
        decomposition: right-hand side of eqns (4)-(5) for dL/dp, a function of the
            parameter symbol.
        program: the backward program under test for a vector model (None: the program
            derived from the model's equations, :func:`symbptt.derive.adjoint.derive`).
        claims: formulas claimed for every t (:class:`symbptt.claims.FormulaClaim`),
            each checked as a check of the report (the models of the core).
    """

    definitions: Definitions = DEFAULT_DEFINITIONS
    sum_of_products: Callable[[sp.Symbol], sp.Expr] = E.boxed_formula
    recursion: BackwardRecursion = DEFAULT_RECURSION
    decomposition: Callable[[sp.Symbol], sp.Expr] = field(
        default=lambda p: sp.Sum(
            E.TotalDerivative(E.StepLoss(E.t), E.yhat(E.t))
            * E.ThetaPrime(E.h(E.t))
            * E.total(E.t, p),
            (E.t, 1, E.T),
        )
    )
    program: Program | None = None
    claims: tuple[FormulaClaim, ...] = ()


DEFAULT_FORMULAS = Formulas()


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


#: What a report's JSON says of its model, where the model has it.
_SUMMARY = (
    "T",
    "hidden",
    "inputs",
    "outputs",
    "activation",
    "output_activation",
    "loss",
    "reduction",
    "h0",
)


def spec_summary(spec: Any) -> dict[str, Any]:
    """The model of a report as JSON-ready data: its name and description (a cell's
    equations live in its file, not here), T, sizes, activations and losses.

    Example:
        >>> spec_summary(RNNSpec(T=2))["T"]
        2
    """
    from .engine.model import CellSpec

    cell = isinstance(spec, CellSpec)  # its functions are named in its equations
    out: dict[str, Any] = {"name": spec.model.name, "description": spec.describe()}
    for key in _SUMMARY:
        value = getattr(spec, key, None)
        if cell and key in ("activation", "output_activation"):
            continue
        if isinstance(value, str | int) and not isinstance(value, bool):
            out["state_size" if cell and key == "hidden" else key] = value
    return out


@dataclass(frozen=True)
class Report:
    """The verifier's immutable report."""

    spec: RNNSpec
    method: str
    reference_method: str
    checks: tuple[CheckResult, ...]
    #: the claims that were verified (documents print exactly these)
    formulas: Formulas = DEFAULT_FORMULAS
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
        from . import __version__

        return {
            "symbptt": __version__,
            "sympy": sp.__version__,
            "model": spec_summary(self.spec),
            "method": self.method,
            "method_reason": self.method_reason,
            "reference": self.reference_method,
            "holds": self.holds,
            "checks": [c.to_dict() for c in self.checks],
        }


def verify(
    spec: RNNSpec,
    *,
    method: str = "auto",
    formulas: Formulas = DEFAULT_FORMULAS,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Check every claim of the BPTT derivation for ``spec`` against the reference.

    Args:
        spec: the model and T (:class:`RNNSpec`, :class:`ElmanSpec`, a cell's spec).
        method: ``"auto"`` (exact within the model's exact limits, else modular; the
            report says which and why), ``"exact"`` (canonical polynomial forms,
            deterministic, within the model's exact limits) or ``"modular"`` (random
            evaluation modulo a random 127-bit prime, with an error bound).
        formulas: the formulas under test (replace one to see the verifier object);
            for the models of the core only ``program`` and ``claims``.
        seed: seeds the modular method and the counterexample search.
        progress: called as ``progress(check_name, n, 0)`` when the n-th check starts.

    Returns:
        A :class:`Report`; ``report.holds`` is True iff every check holds.

    Raises:
        SpecError: unknown method, T too large for the exact method, or a claim
            without a meaning in the model.
        WorkLimitError: the modular method beyond the work limit.

    Example:
        >>> verify(RNNSpec(T=3)).holds
        True
    """
    require_spec(spec)
    from .claims import seed_claims
    from .engine.verify import verify_vector

    if spec.model.scalar:  # the seeds' model: their formulas are claims about it
        claims = seed_claims(formulas, spec.model) + formulas.claims
    elif dataclasses.replace(formulas, program=None, claims=()) != DEFAULT_FORMULAS:
        raise SpecError(
            "the vector model's claims are its backward program (program=) and formula "
            "claims (claims=)"
        )
    else:
        claims = formulas.claims
    report = verify_vector(
        spec,
        method=method,
        seed=seed,
        progress=progress,
        program=formulas.program,
        claims=claims,
    )
    program = report.formulas.program
    return dataclasses.replace(report, formulas=dataclasses.replace(formulas, program=program))
