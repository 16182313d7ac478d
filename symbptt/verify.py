"""The verifier: every claim of the derivation, checked against the reference.

:func:`verify` returns an immutable :class:`Report` of named checks. Each check is a
stream of comparisons (one per t, or per form) evaluated in one ring; the ring decides
equality and names the method. A failing check carries the first failing comparison and
a counterexample at concrete inputs.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import sympy as sp

from . import expr as E
from .algebra import ModularRing, PolynomialRing, Ring
from .claims import FormulaClaim
from .derive.adjoint import Program
from .derive.backward import DEFAULT_RECURSION, BackwardRecursion, run_backward
from .derive.expansion import LeafValues, evaluate_steps, follows_by_rules, plan
from .derive.reference import METHODS as REFERENCE_METHODS
from .derive.reference import Reference, default_method, reference
from .equivalence import Comparison, Counterexample, find_counterexample
from .errors import SpecError
from .model import EXACT_MAX_T, METHOD_NAMES, RNNSpec, choose_from, require_spec
from .semantics import DEFAULT_DEFINITIONS, Definitions, Evaluator
from .values import RecordingRing, Trace, canonical_ring

#: Largest T for the exact method (its canonical forms hold O(T^3) terms in all);
#: beyond it use ``method="modular"``.


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
class Context:
    """Everything a check needs, bound to one ring."""

    spec: RNNSpec
    ring: Ring
    trace: Trace
    reference: Reference
    evaluator: Evaluator
    formulas: Formulas

    @functools.cached_property
    def backward_gradients(self) -> dict[str, Any]:
        """The gradients of the claimed backward recursion, solved once in this ring for
        every parameter (the adjoints themselves are not kept: at large T they are
        hundreds of megabytes)."""
        return run_backward(
            self.trace, self.reference, self.formulas.recursion, self.formulas.definitions
        ).gradient


def make_context(
    spec: RNNSpec, ring: Ring, formulas: Formulas, reference_method: str | None = None
) -> Context:
    """Trace the model in ``ring`` and compute the reference there."""
    trace = Trace(spec, ring)
    ref = reference(trace, method=reference_method)
    return Context(spec, ring, trace, ref, Evaluator(trace, ref, formulas.definitions), formulas)


@dataclass(frozen=True)
class Check:
    """A named claim and the comparisons that decide it."""

    name: str
    description: str
    comparisons: Callable[[Context], Iterator[Comparison]]


def _single(label: str) -> Callable[[int], str]:
    return lambda n: label


def _expansion(param: str) -> Callable[[Context], Iterator[Comparison]]:
    def comparisons(ctx: Context) -> Iterator[Comparison]:
        leaves = LeafValues(ctx.evaluator, param)
        total = ctx.reference.dh[param]
        for t in range(1, ctx.spec.T + 1):

            def label(n: int, t: int = t) -> str:
                rule, eq, _, _ = list(plan(t, param))[n]
                return f"t={t}, form {n + 1} ({rule}, eqn {eq})"

            if follows_by_rules(t, param):  # the later forms follow from earlier checks
                yield label, [leaves.leaf["one_step"][t]], total[t]
            else:
                yield label, evaluate_steps(t, param, leaves), total[t]
        yield _single(f"dh_0/d{param} = 0"), [total[0]], ctx.evaluator.ring.zero

    return comparisons


def _sum_of_products(param: str) -> Callable[[Context], Iterator[Comparison]]:
    def comparisons(ctx: Context) -> Iterator[Comparison]:
        p = E.w if param == "w" else E.v
        formula = ctx.evaluator.compile(ctx.formulas.sum_of_products(p).subs(E.t, E.k))
        for t in range(1, ctx.spec.T + 1):
            yield _single(f"t={t}"), [formula({E.k: t})], ctx.reference.dh[param][t]

    return comparisons


def _decomposition(param: str) -> Callable[[Context], Iterator[Comparison]]:
    def comparisons(ctx: Context) -> Iterator[Comparison]:
        p = E.w if param == "w" else E.v
        scale = sp.S.One / E.T if ctx.spec.reduction == "mean" else sp.S.One
        rhs = ctx.evaluator.compile(scale * ctx.formulas.decomposition(p))({})
        yield _single(f"dL/d{param}"), [rhs], ctx.reference.dL[param]

    return comparisons


def _backward(param: str) -> Callable[[Context], Iterator[Comparison]]:
    def comparisons(ctx: Context) -> Iterator[Comparison]:
        yield _single(f"dL/d{param}"), [ctx.backward_gradients[param]], ctx.reference.dL[param]

    return comparisons


def _reference_agreement(ctx: Context) -> Iterator[Comparison]:
    forward = reference(ctx.trace, method="forward")
    for p in ("w", "v"):
        for t in range(1, ctx.spec.T + 1):
            yield _single(f"dh_{t}/d{p}"), [ctx.reference.dh[p][t]], forward.dh[p][t]
        yield _single(f"dL/d{p}"), [ctx.reference.dL[p]], forward.dL[p]


CHECKS: tuple[Check, ...] = tuple(
    c
    for p in ("w", "v")
    for c in (
        Check(
            f"expansion dh_t/d{p}",
            f"every intermediate form of dh_t/d{p} (eqns 6-10) equals the reference, t = 1..T: "
            f"the first form of each t compared, each later form equal to the one before by "
            f"its rule (an earlier first form, distributivity, dh_0/d{p} = 0)",
            _expansion(p),
        ),
        Check(
            f"sum of products dh_t/d{p}",
            f"the boxed formula d+h_t/d{p} + sum_i (prod_j dh_j/dh_(j-1)) d+h_i/d{p} "
            f"equals the reference, t = 1..T",
            _sum_of_products(p),
        ),
        Check(
            f"loss decomposition dL/d{p}",
            f"dL/d{p} = c sum_t dl_t/dyhat_t theta'(h_t) dh_t/d{p} (eqns 4-5)",
            _decomposition(p),
        ),
        Check(
            f"backward recursion dL/d{p}",
            f"delta_t = (dL/dyhat_t theta'(h_t) + delta_(t+1) w) phi'(s_t), "
            f"delta_(T+1) = 0, gives the reference dL/d{p}",
            _backward(p),
        ),
    )
)

AGREEMENT = Check(
    "reference agreement",
    "SymPy diff of the nested closed forms equals forward-mode "
    "differentiation, for every dh_t/dp and dL/dp",
    _reference_agreement,
)


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

    spec: RNNSpec
    method: str
    reference_method: str
    checks: tuple[CheckResult, ...]
    #: the claims that were verified (documents print exactly these)
    formulas: Formulas = DEFAULT_FORMULAS

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
            "model": {f.name: getattr(self.spec, f.name) for f in fields(self.spec)},
            "method": self.method,
            "reference": self.reference_method,
            "holds": self.holds,
            "checks": [c.to_dict() for c in self.checks],
        }


def verify(
    spec: RNNSpec,
    *,
    method: str = "exact",
    formulas: Formulas = DEFAULT_FORMULAS,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Check every claim of the BPTT derivation for ``spec`` against the reference.

    Args:
        spec: the model and T.
        method: ``"exact"`` (canonical polynomial forms, deterministic; T <= EXACT_MAX_T)
            or ``"modular"`` (random evaluation modulo a random 127-bit prime).
        formulas: the formulas under test (replace one to see the verifier object).
        seed: seeds the modular method and the counterexample search.
        progress: called as ``progress(check_name, done, total)`` between checks.

    Returns:
        A :class:`Report`; ``report.holds`` is True iff every check holds.

    Raises:
        SpecError: unknown method, or T too large for the exact method.

    Example:
        >>> verify(RNNSpec(T=3)).holds
        True
    """
    require_spec(spec)
    choose_from("method", method, METHOD_NAMES)
    if not isinstance(spec, RNNSpec):  # the vector model has its own verifier
        from .vector.verify import verify_vector

        if dataclasses.replace(formulas, program=None, claims=()) != DEFAULT_FORMULAS:
            raise SpecError(
                "the vector model's claims are its backward program (program=) and formula "
                "claims (claims=)"
            )
        return verify_vector(
            spec,
            method=method,
            seed=seed,
            progress=progress,
            program=formulas.program,
            claims=formulas.claims,
        )
    if formulas.claims:
        raise SpecError(
            "formula claims (claims=) are checked for the models of the core (ElmanSpec, "
            "CellSpec); the scalar model's claims are its Formulas fields"
        )
    if method == "exact" and spec.T > EXACT_MAX_T:
        raise SpecError(
            f"the exact method handles T <= {EXACT_MAX_T}; for T={spec.T} use the modular method "
            "(--method modular)"
        )
    ref_method = default_method(spec)
    if method == "exact":
        extra = () if formulas is DEFAULT_FORMULAS else _extra_atoms(spec, formulas)
        ring: Ring = canonical_ring(spec, extra)
    else:
        ring = ModularRing(random.Random(seed))
    ctx = make_context(spec, ring, formulas, ref_method)
    checks = CHECKS + ((AGREEMENT,) if ref_method == "sympy" else ())
    results = []
    for n, check in enumerate(checks):
        if progress:
            progress(check.name, n, len(checks))
        results.append(_run(check, ctx, ring, seed))
    if progress:
        progress("done", len(checks), len(checks))
    return Report(spec, ring.method, REFERENCE_METHODS[ref_method], tuple(results), formulas)


def _run(check: Check, ctx: Context, ring: Ring, seed: int) -> CheckResult:
    start = time.perf_counter()
    count, failure, degree = 0, None, 0
    modular = isinstance(ring, ModularRing)
    for label, values, target in check.comparisons(ctx):
        bad = ring.first_mismatch(values, target)
        count += len(values) if bad is None else bad + 1
        if modular:
            degree = max(degree, target.deg, max(value.deg for value in values))
        if bad is not None:
            failure = label(bad)
            relevant = (
                ring.atoms_of(values[bad], target) if isinstance(ring, PolynomialRing) else None
            )
            break
    seconds = time.perf_counter() - start
    bound = ring.error_bound(degree, count) if isinstance(ring, ModularRing) else 0.0
    counterexample = None
    if failure is not None:
        bound = 0.0
        counterexample = find_counterexample(
            ctx.spec,
            lambda point: check.comparisons(make_context(ctx.spec, point, ctx.formulas, "forward")),
            failure,
            seed=seed,
            relevant=relevant,
        )
    return CheckResult(
        check.name,
        check.description,
        failure is None,
        ring.method,
        seconds,
        count,
        failure,
        counterexample,
        bound,
    )


def _extra_atoms(spec: RNNSpec, formulas: Formulas) -> tuple:
    """Atoms that non-default formulas use beyond the model's own (e.g. phi'(h_t))."""
    ring = RecordingRing()
    ctx = make_context(spec, ring, formulas, "forward")
    for check in CHECKS:
        for _ in check.comparisons(ctx):
            pass
    return tuple(dict.fromkeys(ring.keys))
