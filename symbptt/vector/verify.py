"""Exact verification of the vector model's backward recursion, entry by entry."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from ..algebra import ModularRing, Ring
from ..claims import FormulaClaim, RecursionClaim
from ..core.forward import forward, parameter_values
from ..core.tensor import identity, matmul
from ..derive.adjoint import Program, derive
from ..derive.expansion import expand
from ..derive.jvp import stacked, state_label, state_parameters
from ..equivalence import find_counterexample, singles
from ..errors import EvaluationError, SpecError, WorkLimitError
from ..model import METHOD_NAMES, choose_from, require_spec
from ..values import recorded_ring
from ..verify import CheckResult, Formulas, Report
from .check import formula_comparisons
from .engine import (
    Tangents,
    backward,
    chain_term_value,
    jacobian,
    reference_gradients,
    suffix_products,
    sum_of_products,
    sum_of_products_all,
)
from .evaluate import Evaluator
from .matrices import ShapeError
from .model import (
    MODULAR_MAX_WORK,
    ElmanSpec,
    verification_work,
)
from .reference import Converter, SympyModel

#: What each kind of check claims (keyed by the start of its name), where the model's
#: declaration does not say it in its own words (:attr:`Model.claims`).
DESCRIPTIONS = {
    "backward recursion": "the backward program derived from the equations gives every entry",
    "expansion": "every form of the level-by-level expansion of dh_T/dP (chain rule, "
    "substitute, distribute), Jacobians latest on the left",
    "sum of products": "sum_i (J_t ... J_(i+1)) d+h_i/dP with J_j and d+h_i/dP from one step "
    "of the equations, for every t and entry",
    "Jacobian chain": "dh_t/dh_0 = J_t J_(t-1) ... J_1, for every t and entry",
    "output layer": "the state does not depend on the output layer's parameters",
    "reference": "SymPy's diff of the unrolled model (explicit entries) equals forward "
    "mode for every gradient and dh_t/dP entry",
}

#: Up to this T the exact values of a parameter entry's checks are held for the views
#: made of it (w_h); beyond it they are computed again (memory over time).
HOLD_MAX_T = 100

REFERENCE = "forward-mode differentiation (dual numbers) of the unrolled model"


def _comparisons(
    spec: ElmanSpec,
    ring: Ring,
    order: str = "latest-left",
    program: Program | None = None,
    jacobian_claim: Tangents | None = None,
    claims: tuple[FormulaClaim | RecursionClaim, ...] = (),
) -> Iterator[tuple[str, str, Any, Any]]:
    """(check, label, formula value, reference value) for every check of
    :data:`DESCRIPTIONS`: every entry of every gradient by the backward recursion (and by
    SymPy's reference, for small models), dh_t/dh_0, the output layer, and every entry of
    dh_t/dP by each form of the expansion and by the sum of products. Labels are unique:
    a counterexample search finds its comparison by label. (h stands for the model's
    stacked state.)"""
    S = state_label(spec.model)
    params = parameter_values(spec.model, ring)
    fwd = forward(spec.model, spec.T, ring, params)
    ours = backward(spec, ring, params, fwd, program)
    runs: dict = {}  # forward-mode passes by seed, shared by every check
    ref = reference_gradients(spec, ring, params, runs)
    for name in spec.gradients:
        for r, row in enumerate(ours[name]):
            for c, value in enumerate(row):
                yield (
                    f"backward recursion dL/d{name}",
                    f"dL/d{name}[{r},{c}]",
                    value,
                    ref[name][r][c],
                )
    del ours  # the gradients are large exact polynomials at large T; the passes keep L
    if spec.uses_sympy_reference():
        yield from _sympy_reference(spec, ring, params, fwd, ref, runs)
    jacobians = [None] + [
        jacobian(spec, ring, params, fwd, j, jacobian_claim) for j in range(1, spec.T + 1)
    ]
    products = suffix_products(ring, jacobians, spec.T)
    yield from _initial_state(spec, ring, params, jacobians, runs, order)
    yield from _output_layer(spec, ring, runs)
    # a view's entries are entries of the parameters it is made of (w_h's are W_xh's and
    # W_hh's): their values are computed once, by the entry they are, and held until the
    # view has used them, unless they are large (exact polynomials at large T, where an
    # entry's sums of products for every t take hundreds of MB: computed again then)
    viewed = {
        spec.source(view.name, a, b)
        for view in spec.model.views
        for a in range(spec.shape(view.name)[0])
        for b in range(spec.shape(view.name)[1])
        if isinstance(ring, ModularRing) or spec.T <= HOLD_MAX_T
    }
    held: dict[tuple, tuple[list, list]] = {}
    for name in state_parameters(spec.model):
        rows, cols = spec.shape(name)
        for a in range(rows):
            for b in range(cols):
                source = spec.source(name, a, b)
                tangents = stacked(runs[source], spec.model)
                if source in held and source != (name, a, b):
                    forms, sums = held.pop(source)
                else:
                    forms = _expansion_forms(
                        spec, ring, params, jacobians, products, fwd, name, a, b, tangents
                    )
                    sums = _sums_of_products(spec, ring, params, fwd, jacobians, name, a, b, order)
                    if source in viewed:
                        forms, sums = list(forms), list(sums)
                        held[source] = (forms, sums)
                for k, rule, r, total, reference in forms:
                    yield (
                        f"expansion d{S}_T/d{name}",
                        f"t={spec.T}, form {k} ({rule}), d{S}_T[{r}]/d{name}[{a},{b}]",
                        total,
                        reference,
                    )
                for t, formula in enumerate(sums, start=1):
                    for r in range(spec.hidden):
                        yield (
                            f"sum of products d{S}_t/d{name}",
                            f"t={t}, d{S}_t[{r}]/d{name}[{a},{b}]",
                            formula[r],
                            tangents[t][r].tan,
                        )
                del forms, sums  # before the next entry's are made
    yield from _claims(spec, ring, claims, (params, fwd, runs))


def _sums_of_products(
    spec: ElmanSpec,
    ring: Ring,
    params: dict,
    fwd: Any,
    jacobians: list,
    name: str,
    a: int,
    b: int,
    order: str,
) -> Iterator[list]:
    """dh_t/dP[a, b] by the sum of products for t = 1..T, each made when asked for."""
    if order == "latest-left":
        return sum_of_products_all(spec, ring, params, fwd, jacobians, name, a, b)
    return (  # the slip under test: no reuse, each t from scratch
        sum_of_products(spec, ring, params, fwd, t, name, a, b, order=order)
        for t in range(1, spec.T + 1)
    )


def atom_pass(
    spec: ElmanSpec,
    ring: Ring,
    program: Program | None = None,
    claims: tuple[FormulaClaim | RecursionClaim, ...] = (),
) -> Iterator[Any]:
    """The part of the checks that asks a ring for atoms, run in a recording ring to
    make the exact ring's generators: the forward pass, the backward program, the
    forward-mode passes, SymPy's reference and the claims. The Jacobian chains, the
    expansion and the sums of products read only values these computed (the tests
    compare the atoms with those of every check), and cost most of the time."""
    params = parameter_values(spec.model, ring)
    fwd = forward(spec.model, spec.T, ring, params)
    yield backward(spec, ring, params, fwd, program)
    runs: dict = {}
    ref = reference_gradients(spec, ring, params, runs)
    if spec.uses_sympy_reference():
        yield from _sympy_reference(spec, ring, params, fwd, ref, runs)
    yield from _claims(spec, ring, claims, (params, fwd, runs))


def _claims(
    spec: ElmanSpec,
    ring: Ring,
    claims: tuple[FormulaClaim | RecursionClaim, ...],
    shared: tuple[dict, Any, dict],
) -> Iterator[tuple[str, str, Any, Any]]:
    """Each formula claim for every t where it is defined, as a check of its own (one
    evaluator for all: they share its forward-mode passes)."""
    if not claims:
        return
    ev = Evaluator(spec, ring, shared=shared)
    for claim in claims:
        try:
            if isinstance(claim, RecursionClaim):
                yield from _recursion(spec, ring, claim, shared)
                continue
            for label, _t, _c, lhs, rhs in formula_comparisons(spec, claim.sides, ring, ev=ev):
                yield claim.name, label, lhs, rhs
        except (ShapeError, EvaluationError) as err:
            raise SpecError(
                f"the claim {claim.name!r} has no meaning in the model: {err}"
            ) from None


def _initial_state(
    spec: ElmanSpec, ring: Ring, params: dict, jacobians: list, runs: dict, order: str
) -> Iterator[tuple[str, str, Any, Any]]:
    """dh_t/dh_0 = J_t J_{t-1} ... J_1 for every t (the chain with no immediate term:
    h_0 enters only the first step), each new Jacobian on the left."""
    n, S = spec.hidden, state_label(spec.model)
    seeds = [
        (init, b, 0) for init in spec.model.initial_parameters for b in range(spec.shape(init)[0])
    ]
    chain = identity(n, ring)
    for t in range(1, spec.T + 1):
        left, right = (jacobians[t], chain) if order == "latest-left" else (chain, jacobians[t])
        chain = matmul(left, right, ring.zero)
        for b, seed in enumerate(seeds):
            if seed not in runs:
                runs[seed] = forward(
                    spec.model, spec.T, ring, params, seed=seed, keep=frozenset(spec.model.states)
                )
            tangents = stacked(runs[seed], spec.model)[t]
            for r in range(n):
                yield (
                    f"Jacobian chain d{S}_t/d{S}_0",
                    f"t={t}, d{S}_t[{r}]/d{S}_0[{b}]",
                    chain[r][b],
                    tangents[r].tan,
                )


def _recursion(
    spec: ElmanSpec, ring: Ring, claim: RecursionClaim, shared: tuple[dict, Any, dict]
) -> Iterator[tuple[str, str, Any, Any]]:
    """A recursion claim: solved backwards in an evaluator of its own (sharing the
    verifier's forward passes), then each gradient it gives against the true one."""
    ev = Evaluator(spec, ring, shared=shared)
    ev.solve(claim.adjoint, claim.step)
    for label, lhs, rhs in claim.gradients:
        for where, _t, _c, a, b in formula_comparisons(spec, (lhs, rhs), ring, ev=ev):
            yield claim.name, label + where.removeprefix("the formula"), a, b


def output_parameters(spec: ElmanSpec) -> tuple[str, ...]:
    """The parameters that do not feed the state (the output layer: W_hy, b_y)."""
    feeding = {*state_parameters(spec.model), *spec.model.initial_parameters}
    return tuple(p for p in spec.model.parameters if p not in feeding)


def _output_layer(spec: ElmanSpec, ring: Ring, runs: dict) -> Iterator[tuple[str, str, Any, Any]]:
    """dh_t/dW_hy = 0 and dh_t/db_y = 0: the output layer does not feed the state."""
    S = state_label(spec.model)
    names = output_parameters(spec)
    check = "output layer: " + " = ".join(f"d{S}_t/d{p}" for p in names) + " = 0"
    for name in names:
        rows, cols = spec.shape(name)
        for a in range(rows):
            for b in range(cols):
                states = stacked(runs[(name, a, b)], spec.model)  # a reference gradient's pass
                for t in range(1, spec.T + 1):
                    for r in range(spec.hidden):
                        yield (
                            check,
                            f"t={t}, d{S}_t[{r}]/d{name}[{a},{b}]",
                            ring.zero,
                            states[t][r].tan,
                        )


def _sympy_model(spec: ElmanSpec) -> tuple[SympyModel, dict, dict]:
    """The SymPy model with its derivatives (ring- and activation-independent, so
    computed once per size and loss)."""
    return _sympy_model_of_size(spec.with_generic_functions())


@functools.lru_cache(maxsize=8)
def _sympy_model_of_size(spec: ElmanSpec) -> tuple[SympyModel, dict, dict]:
    model = SympyModel(spec)
    states = {
        (name, a, b, t): model.state_derivative(t, name, a, b)
        for name in state_parameters(spec.model)
        for a in range(spec.shape(name)[0])
        for b in range(spec.shape(name)[1])
        for t in range(1, spec.T + 1)
    }
    return model, model.gradients(), states


def _sympy_reference(
    spec: ElmanSpec, ring: Ring, params: dict, fwd: Any, ref: dict, runs: dict
) -> Iterator[tuple[str, str, Any, Any]]:
    """The two references against each other: SymPy's Jacobians of the unrolled model
    (explicit entries) and forward mode, for every gradient and every dh_t/dP entry."""
    model, grads, states = _sympy_model(spec)
    convert = Converter(model, ring, params, fwd)
    name = "reference: SymPy Jacobians = forward mode"
    S = state_label(spec.model)
    for p in spec.gradients:
        for r, row in enumerate(grads[p]):
            for c, expr in enumerate(row):
                yield name, f"dL/d{p}[{r},{c}] by SymPy", convert(expr), ref[p][r][c]
    for (p, a, b, t), entries in states.items():
        tangents = stacked(runs[spec.source(p, a, b)], spec.model)[t]
        for r, expr in enumerate(entries):
            label = f"t={t}, d{S}_t[{r}]/d{p}[{a},{b}] by SymPy"
            yield name, label, convert(expr), tangents[r].tan


def _expansion_forms(
    spec: ElmanSpec,
    ring: Ring,
    params: dict,
    jacobians: list,
    products: list,
    fwd: Any,
    name: str,
    a: int,
    b: int,
    tangents: list,
) -> Iterator[tuple[int, str, int, Any, Any]]:
    """Every form of the level-by-level expansion of dh_T/dP[a, b] (the same
    :class:`Expansion` the document prints) beside forward mode, as (form number, rule,
    row, form's value, forward mode's). Forms share their settled terms, so each term is
    computed once and the settled part is a running sum; each form is made when it is
    asked for (at large T all forms together are hundreds of MB)."""
    T = spec.T
    expansion = expand(T, "w")
    values = [[tangent.tan for tangent in state] for state in tangents]

    def value(term: Any) -> list:
        return chain_term_value(
            spec, ring, params, jacobians, products, fwd, term, values, name, a, b
        )

    settled, prefix = 0, [ring.zero] * spec.hidden  # the sum of the settled terms so far
    for k, step in enumerate(expansion.steps, start=1):
        for term in expansion.settled[settled : step.settled]:  # forms settle in order
            prefix = [x + y for x, y in zip(prefix, value(term))]
        settled = max(settled, step.settled)
        total = prefix
        if step.tail is not None:
            total = [x + y for x, y in zip(total, value(step.tail))]
        for r in range(spec.hidden):
            yield k, step.rule, r, total[r], values[T][r]


def verify_vector(
    spec: ElmanSpec,
    *,
    method: str = "exact",
    seed: int = 0,
    order: str = "latest-left",
    program: Program | None = None,
    jacobian: Tangents | None = None,
    claims: tuple[FormulaClaim | RecursionClaim, ...] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Check the matrix backward recursion against forward mode for every entry of every
    parameter gradient (W_hh, W_xh, b_h, W_hy, b_y, h_0, and w_h = [W_xh W_hh]^T), and
    the sum of products of Jacobians for dh_t/dP against forward mode.

    Args:
        spec: the vector model.
        method: "exact" (n <= 3, T <= 6) or "modular" (work up to MODULAR_MAX_WORK).
        seed: seeds the modular method and the counterexample search.
        order: how a product of Jacobians is ordered (latest-left is the truth).
        program: the backward program under test (default: the one derived from the
            model's equations, :func:`symbptt.derive.adjoint.derive`); a textbook's
            recursion written as a program is checked the same way.
        jacobian: the tangent of the state along the previous state, whose columns are
            the Jacobians J_t (default: derived from the equations by forward-mode rules,
            :func:`symbptt.derive.jvp.state_tangents`; diag(phi'(s_t)) W_hh here).
        claims: formulas claimed for every t (:class:`symbptt.claims.FormulaClaim`), each
            checked as a check of its own against the true derivatives.
        progress: called as ``progress(check_name, n, 0)`` when the n-th check starts.

    Raises:
        SpecError: not an ElmanSpec, the exact method beyond n <= 3, T <= 6, or an
            unknown method.
        WorkLimitError: the modular method beyond :data:`MODULAR_MAX_WORK`.

    Example:
        >>> verify_vector(ElmanSpec(hidden=2, T=3)).holds
        True
    """
    require_spec(spec, vector=True)
    choose_from("method", method, METHOD_NAMES)
    if method == "modular" and verification_work(spec) > MODULAR_MAX_WORK:
        raise WorkLimitError(
            f"verifying n={spec.hidden}, m={spec.inputs}, k={spec.outputs}, T={spec.T} "
            f"takes {verification_work(spec):.2e} work units, above the limit "
            f"{MODULAR_MAX_WORK:.1e} (about a minute); use a smaller n or T "
            f"(e.g. n=8, T=40 or n=16, T=12)"
        )
    if method == "exact":
        refusal = spec.exact_refusal()
        if refusal is not None:
            raise SpecError(refusal)
        ring: Ring = recorded_ring(
            spec, lambda recorder: atom_pass(spec, recorder, program, claims)
        )
    else:
        ring = ModularRing(random.Random(seed))
    found: dict[str, list] = {}
    modular = isinstance(ring, ModularRing)
    seconds: dict[str, float] = {}  # the time spent computing and comparing, per check
    last = time.perf_counter()
    for name, label, ours, ref in _comparisons(spec, ring, order, program, jacobian, claims):
        if name not in found and progress is not None:
            progress(name, len(found) + 1, 0)
        # keep the verdict and (for the error bound) the degree, not the values: at large
        # T every dh_t/dP of every check would stay in memory
        degree = max(ours.deg, ref.deg) if modular else 0
        found.setdefault(name, []).append((label, ring.equal(ours, ref), degree))
        now = time.perf_counter()
        seconds[name] = seconds.get(name, 0.0) + now - last
        last = now
    results = []
    for name, entries in found.items():
        failure = next((label for label, ok, _ in entries if not ok), None)
        degree = max((d for *_, d in entries), default=0)
        bound = (
            ring.error_bound(degree, len(entries))
            if isinstance(ring, ModularRing) and failure is None
            else 0.0
        )
        counterexample = None
        if failure is not None:
            counterexample = find_counterexample(
                spec,
                lambda point, name=name: singles(
                    (lab, a, b)
                    for check, lab, a, b in _comparisons(
                        spec, point, order, program, jacobian, claims
                    )
                    if check == name
                ),
                failure,
                seed=seed,
            )
        kind = name.split(" d")[0].split(":")[0]
        described = {claim.name: claim.description for claim in claims}
        description = described.get(name) or dict(spec.model.claims).get(kind, DESCRIPTIONS[kind])
        results.append(
            CheckResult(
                name,
                description,
                failure is None,
                ring.method,
                seconds[name],
                len(entries),
                failure,
                counterexample,
                bound,
            )
        )
    verified = Formulas(program=program or derive(spec.model), claims=claims)
    return Report(spec, ring.method, REFERENCE, tuple(results), verified)  # type: ignore[arg-type]
