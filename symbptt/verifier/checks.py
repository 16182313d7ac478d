"""The comparisons of each check of the core's verifier, as streams.

Each function yields ``(check, label, formula's value, reference value)`` tuples (or the
values they are made of) for one kind of check of :func:`symbptt.verifier.run.
verify_vector`: the sums of products and the expansion of dh_t/dP, the Jacobian chain
dh_t/dh_0, the output layer, SymPy's reference against forward mode, and the claims.
Labels are unique within a check: a counterexample search finds its comparison by label.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from symbptt.core.linear import identity, matmul
from symbptt.core.spec import Spec
from symbptt.derive.chains import (
    chain_value,
    expansion_totals,
    immediate,
    seeded_run,
    sum_of_products,
    sum_of_products_all,
)
from symbptt.derive.jvp import stacked, state_label, state_parameters
from symbptt.derive.reference import Converter, SympyModel
from symbptt.errors import EvaluationError, SpecError
from symbptt.formulas.comparisons import formula_comparisons
from symbptt.formulas.evaluate import Evaluator
from symbptt.formulas.matrices import ShapeError
from symbptt.formulas.recursion import solve
from symbptt.rings.algebra import Ring
from symbptt.verifier.claims import FormulaClaim, RecursionClaim


def sums_of_products(
    spec: Spec,
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


def claim_comparisons(
    spec: Spec,
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
                yield from recursion_comparisons(spec, ring, claim, shared)
                continue
            for label, _t, _c, lhs, rhs in formula_comparisons(spec, claim.sides, ring, ev=ev):
                yield claim.name, label, lhs, rhs
        except (ShapeError, EvaluationError) as err:
            raise SpecError(
                f"the claim {claim.name!r} has no meaning in the model: {err}"
            ) from None


def initial_state(
    spec: Spec, ring: Ring, params: dict, jacobians: list, runs: dict, order: str
) -> Iterator[tuple[str, str, Any, Any]]:
    """dh_t/dh_0 = J_t J_{t-1} ... J_1 for every t (the chain with no immediate term:
    h_0 enters only the first step), each new Jacobian on the left."""
    n, S, model = spec.hidden, state_label(spec.model), spec.model
    columns = []  # (column of the stacked state, the initial parameter's entry seeding it)
    offset = 0
    for state in model.states:  # in the stacked state's order; a zero start has no column
        init = model.initial_of(state)
        size = model.shape(state)[0]
        if init is not None:
            columns += [(offset + b, (init, b, 0)) for b in range(size)]
        offset += size
    chain = identity(n, ring)
    for t in range(1, spec.T + 1):
        left, right = (jacobians[t], chain) if order == "latest-left" else (chain, jacobians[t])
        chain = matmul(left, right, ring.zero)
        for b, seed in columns:
            tangents = stacked(seeded_run(spec, ring, params, runs, seed), model)[t]
            for r in range(n):
                yield (
                    f"Jacobian chain d{S}_t/d{S}_0",
                    f"t={t}, d{S}_t[{r}]/d{S}_0[{b}]",
                    chain[r][b],
                    tangents[r].tan,
                )


def recursion_comparisons(
    spec: Spec, ring: Ring, claim: RecursionClaim, shared: tuple[dict, Any, dict]
) -> Iterator[tuple[str, str, Any, Any]]:
    """A recursion claim: solved backwards in an evaluator of its own (sharing the
    verifier's forward passes), then each gradient it gives against the true one."""
    ev = Evaluator(spec, ring, shared=shared)
    solve(ev, claim.adjoint, claim.step)
    for label, lhs, rhs in claim.gradients:
        for where, _t, _c, a, b in formula_comparisons(spec, (lhs, rhs), ring, ev=ev):
            yield claim.name, label + where.removeprefix("the formula"), a, b


def output_parameters(spec: Spec) -> tuple[str, ...]:
    """The parameters that do not feed the state (the output layer: W_hy, b_y)."""
    feeding = {*state_parameters(spec.model), *spec.model.initial_parameters}
    return tuple(p for p in spec.model.parameters if p not in feeding)


def output_layer(spec: Spec, ring: Ring, runs: dict) -> Iterator[tuple[str, str, Any, Any]]:
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


def _sympy_model(spec: Spec) -> tuple[SympyModel, dict, dict]:
    """The SymPy model with its derivatives (ring- and activation-independent, so
    computed once per size and loss)."""
    return _sympy_model_of_size(spec.with_generic_functions())


@functools.lru_cache(maxsize=8)
def _sympy_model_of_size(spec: Spec) -> tuple[SympyModel, dict, dict]:
    model = SympyModel(spec)
    states = {
        (name, a, b, t): model.state_derivative(t, name, a, b)
        for name in state_parameters(spec.model)
        for a in range(spec.shape(name)[0])
        for b in range(spec.shape(name)[1])
        for t in range(1, spec.T + 1)
    }
    return model, model.gradients(), states


def sympy_reference(
    spec: Spec, ring: Ring, params: dict, fwd: Any, ref: dict, runs: dict
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


def expansion_forms(
    spec: Spec,
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
    """Every form of the expansion of dh_T/dP[a, b] beside forward mode, as (form number,
    rule, row, form's value, forward mode's) (:func:`expansion_totals`)."""
    values = [[tangent.tan for tangent in state] for state in tangents]

    def immediate_at(i: int) -> list:
        return immediate(spec, ring, params, fwd, i, name, a, b)

    def value(term: Any) -> list:
        return chain_value(term, jacobians, products, values, immediate_at, ring.zero)

    for k, rule, total in expansion_totals(spec.T, ring.zero, spec.hidden, value):
        for r in range(spec.hidden):
            yield k, rule, r, total[r], values[spec.T][r]
