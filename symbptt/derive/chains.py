"""Jacobian chains and gradients of any model in a ring.

The forward pass and the forward-mode reference are the model core's
(:func:`symbptt.derive.forward.forward` over any model); the backward
recursion is the program derived from the model's equations
(:func:`symbptt.derive.adjoint.derive`). What stays here is the sum of products of
Jacobians J_j = dh_j/dh_{j-1} and immediate partials d+h_i/dP, both from one step of the
equations differentiated by forward-mode rules (:mod:`symbptt.derive.jvp`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from symbptt.core.linear import dot, identity, matmul
from symbptt.core.spec import Spec
from symbptt.core.tensor import Expr
from symbptt.derive import jvp
from symbptt.derive.adjoint import Program, derive, evaluate
from symbptt.derive.expansion import ChainTerm, expand
from symbptt.derive.forward import Batch, Trajectory, forward, split
from symbptt.rings.algebra import Ring

Matrix = list[list[Any]]


def seeded_run(
    spec: Spec, ring: Ring, params: dict[str, Matrix], runs: dict, seed: tuple
) -> Trajectory:
    """The forward-mode pass seeded at a parameter entry, from ``runs`` (the passes by
    seed, shared by every check) or made and kept there. It keeps the series of the
    states only, all the verifier reads besides L (an evaluator asks for more when a
    claim needs it)."""
    if seed not in runs:
        keep = frozenset(spec.model.states)
        runs[seed] = forward(spec.model, spec.T, ring, params, seed=seed, keep=keep)
    return runs[seed]


#: The key under which :func:`prefill` keeps the batched pass in ``runs``.
BATCH = ("batch",)


def prefill(
    spec: Spec, ring: Ring, params: dict[str, Matrix], runs: dict, seeds: list[tuple]
) -> None:
    """Make the forward-mode passes of these parameter-entry seeds in one batched pass
    where the ring carries tangent rows (the modular ring: the per-seed arithmetic runs
    in C), and keep each seed's pass in ``runs`` as :func:`seeded_run` would have made it
    (the states' series and L). Other rings make their passes one by one, when asked."""
    todo = tuple(s for s in dict.fromkeys(seeds) if s not in runs)
    if not getattr(ring, "batches_tangents", False) or len(todo) < 2:
        return
    batch = Batch(todo)
    keep = frozenset(spec.model.states)
    run = forward(spec.model, spec.T, ring, params, seed=batch, keep=keep)
    runs.update(split(run, batch, ring))
    runs[BATCH] = (batch, run)  # the rows themselves, for the batched chains


def reference_gradients(
    spec: Spec,
    ring: Ring,
    params: dict[str, Matrix],
    runs: dict[tuple[str, int, int], Trajectory] | None = None,
) -> dict[str, Matrix]:
    """dL/dP for every entry of every parameter and of w_h, by forward mode seeded at
    the parameter entry it is (:func:`seeded_run`; w_h's entries are W_xh's and W_hh's).
    ``runs`` caches the seeded passes by seed."""
    runs = {} if runs is None else runs
    prefill(
        spec,
        ring,
        params,
        runs,
        [
            spec.source(name, r, c)
            for name in spec.gradients
            for r in range(spec.shape(name)[0])
            for c in range(spec.shape(name)[1])
        ],
    )
    out = {}
    for name in spec.gradients:
        rows, cols = spec.shape(name)
        out[name] = [
            [
                seeded_run(spec, ring, params, runs, spec.source(name, r, c)).L.tan
                for c in range(cols)
            ]
            for r in range(rows)
        ]
    return out


def backward(
    spec: Spec,
    ring: Ring,
    params: dict[str, Matrix],
    fwd: Trajectory,
    program: Program | None = None,
) -> dict[str, Matrix]:
    """The matrix BPTT recursion (see the module docstring), in denominator layout: the
    backward program derived from the model (:func:`symbptt.derive.adjoint.derive`), or
    ``program``, run in ``ring``."""
    c = Fraction(1, spec.T) if spec.reduction == "mean" else Fraction(1)
    return evaluate(program or derive(spec.model), ring, params, fwd.series, spec.T, c)


#: What the state's tangent along the previous state is taken to be: the expressions
#: derived from the equations (:func:`symbptt.derive.jvp.state_tangents`), or a claim.
Tangents = tuple[Expr | None, ...]


def jacobian(
    spec: Spec,
    ring: Ring,
    params: dict[str, Matrix],
    fwd: Trajectory,
    t: int,
    tangents: Tangents | None = None,
) -> Matrix:
    """J_t = dh_t/dh_{t-1} (numerator layout: rows follow h_t); for the Elman model the
    derived tangent is diag(phi'(s_t)) W_hh."""
    return jvp.jacobian(spec.model, ring, params, fwd, t, tangents)


def immediate(
    spec: Spec,
    ring: Ring,
    params: dict[str, Matrix],
    fwd: Trajectory,
    t: int,
    name: str,
    a: int,
    b: int,
) -> list[Any]:
    """d+h_t/dP[a, b] (h_{t-1} held fixed), entrywise layout; for w_h, the entry of
    W_xh or W_hh it is (:meth:`Spec.source`)."""
    return jvp.immediate(spec.model, ring, params, fwd, t, spec.source(name, a, b))


def sum_of_products(
    spec: Spec,
    ring: Ring,
    params: dict[str, Matrix],
    fwd: Trajectory,
    t: int,
    name: str,
    a: int,
    b: int,
    *,
    order: str = "latest-left",
) -> list[Any]:
    """dh_t/dP[a, b] = sum_{i=1}^{t} (J_t J_{t-1} ... J_{i+1}) d+h_i/dP[a, b].

    ``order="earliest-left"`` multiplies the Jacobians the other way round
    (J_{i+1} ... J_t), the usual slip; it is here so the verifier can show it fails.
    """
    total = [ring.zero] * spec.hidden
    jac = {j: jacobian(spec, ring, params, fwd, j) for j in range(1, t + 1)}
    for i in range(1, t + 1):
        v = immediate(spec, ring, params, fwd, i, name, a, b)
        steps = range(i + 1, t + 1) if order == "latest-left" else range(t, i, -1)
        for j in steps:  # apply J_j to the vector: later Jacobians end up on the left
            v = [dot(jac[j][r], v, ring.zero) for r in range(spec.hidden)]
        total = [x + y for x, y in zip(total, v)]
    return total


def sum_of_products_all(
    spec: Spec,
    ring: Ring,
    params: dict[str, Matrix],
    fwd: Trajectory,
    jacobians: list[Matrix],
    name: str,
    a: int,
    b: int,
) -> Iterator[list[Any]]:
    """dh_t/dP[a, b] by the sum of products for t = 1..T in turn, each made when asked
    for (all T at large T are hundreds of MB of exact polynomials).

    The sum for t is the one for t - 1 with each term's chain taking J_t on the left,
    plus the new term: S_t = J_t S_(t-1) + d+h_t/dP, by distributivity, which is exact
    in every ring, so its value is that of the sum term by term, in O(T n^2) for all t
    instead of O(T^2 n^2). ``jacobians[t]`` is J_t.
    """
    return running_sums(
        jacobians, spec.T, ring.zero, lambda t: immediate(spec, ring, params, fwd, t, name, a, b)
    )


def running_sums(
    jacobians: list[Matrix], T: int, zero: Any, immediate_at: Callable[[int], list[Any]]
) -> Iterator[list[Any]]:
    """S_t = J_t S_(t-1) + d+h_t/dP for t = 1..T (``immediate_at(t)``: d+h_t/dP, of one
    parameter entry or, as rows, of many)."""
    total = [zero] * len(jacobians[1])
    for t in range(1, T + 1):
        jac = jacobians[t]
        chained = [dot(row, total, zero) for row in jac]
        total = [x + y for x, y in zip(chained, immediate_at(t))]
        yield total


def suffix_products(ring: Ring, jacobians: list[Matrix], target: int) -> list[Matrix | None]:
    """products[f] = J_target J_{target-1} ... J_f (the identity for f = target + 1), the
    ordered products of every chain term of dh_target/dP, shared by all entries of P."""
    products: list[Matrix | None] = [None] * (target + 2)
    products[target + 1] = identity(len(jacobians[1]), ring)
    for f in range(target, 0, -1):  # P_f = P_{f+1} J_f: the new factor goes on the right
        products[f] = matmul(products[f + 1], jacobians[f], ring.zero)
    return products


def chain_value(
    term: ChainTerm,
    jacobians: list[Matrix],
    products: list[Matrix | None],
    tangents: list[list[Any]],
    immediate_at: Callable[[int], list[Any]],
    zero: Any,
) -> list[Any]:
    """One term of a form of the expansion (the scalar engine's :class:`ChainTerm`, read
    as matrices): (J_target ... J_first) leaf, with the leaf d+h_i/dP (immediate,
    ``immediate_at(i)``), dh_i/dP (total, the forward-mode ``tangents``) or the one-step
    rule d+h_i/dP + J_i dh_{i-1}/dP; of one parameter entry or, as rows, of many.
    ``jacobians[j]`` is J_j and ``products[f]`` the ordered product J_target ... J_f (see
    :func:`suffix_products`)."""
    i = term.leaf_index
    if term.leaf == "total":
        v = tangents[i]
    else:
        v = immediate_at(i)
        if term.leaf == "one_step":
            v = [x + dot(row, tangents[i - 1], zero) for x, row in zip(v, jacobians[i])]
    return [dot(row, v, zero) for row in products[term.first]]


def expansion_totals(
    T: int, zero: Any, size: int, value: Callable[[ChainTerm], list[Any]]
) -> Iterator[tuple[int, str, list[Any]]]:
    """(form number, rule, the form's value) for every form of the level-by-level
    expansion of dh_T/dP (the same :class:`Expansion` the document prints), ``value``
    giving a term's. Forms share their settled terms, so each term is computed once and
    the settled part is a running sum; each form is made when it is asked for (at large T
    all forms together are hundreds of MB)."""
    expansion = expand(T, "w")
    settled, prefix = 0, [zero] * size  # the sum of the settled terms so far
    for k, step in enumerate(expansion.steps, start=1):
        for term in expansion.settled[settled : step.settled]:  # forms settle in order
            prefix = [x + y for x, y in zip(prefix, value(term))]
        settled = max(settled, step.settled)
        total = prefix
        if step.tail is not None:
            total = [x + y for x, y in zip(total, value(step.tail))]
        yield k, step.rule, total
