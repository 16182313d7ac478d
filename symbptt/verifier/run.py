"""The verifier of the model core: every check of any model's derivation, entry by entry.

:func:`verify` runs the comparisons of every check (:func:`_comparisons`; the streams
of each kind are in :mod:`symbptt.verifier.checks`) in one ring (exact canonical forms, or
modular with an error bound), keeps each comparison's verdict, and searches a
counterexample for the first failure of each failing check. It serves every model; the
scalar model's seed formulas come in as claims (the model's identities, in LaTeX).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from symbptt.core.method import choose_method
from symbptt.core.spec import Spec, require_spec
from symbptt.derive.adjoint import Program, derive
from symbptt.derive.chains import (
    BATCH,
    Tangents,
    backward,
    jacobian,
    reference_gradients,
    suffix_products,
)
from symbptt.derive.forward import forward, parameter_values
from symbptt.derive.jvp import stacked, state_label, state_parameters
from symbptt.errors import WorkLimitError
from symbptt.limits import MODULAR_MAX_WORK
from symbptt.results import CheckResult, Report
from symbptt.rings.algebra import Ring
from symbptt.rings.modular import ModularRing
from symbptt.rings.separate import find_counterexample, singles
from symbptt.rings.values import recorded_ring
from symbptt.verifier.batched import BatchedChains
from symbptt.verifier.checks import (
    claim_comparisons,
    expansion_forms,
    initial_state,
    output_layer,
    sums_of_products,
    sympy_reference,
)
from symbptt.verifier.claims import FormulaClaim, RecursionClaim, model_claims


def verification_work(spec: Spec) -> int:
    """The work units of verifying ``spec`` (see :data:`symbptt.limits.MODULAR_MAX_WORK`)."""
    n, m, k = spec.hidden, spec.inputs, spec.outputs
    return spec.model.parameter_entries * n * (n + m + k) * spec.T**2


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

REFERENCE = "forward-mode differentiation (dual numbers) of the unrolled model"


def _truth(spec: Spec, ring: Ring, program: Program | None) -> tuple:
    """What every check starts from: the parameters' atoms, the forward pass, the
    backward program's gradients, the forward-mode passes by seed (shared by every
    check) and the reference gradients they give."""
    params = parameter_values(spec.model, ring)
    fwd = forward(spec.model, spec.T, ring, params)
    ours = backward(spec, ring, params, fwd, program)
    runs: dict = {}
    return params, fwd, ours, runs, reference_gradients(spec, ring, params, runs)


def _comparisons(
    spec: Spec,
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
    params, fwd, ours, runs, ref = _truth(spec, ring, program)
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
        yield from sympy_reference(spec, ring, params, fwd, ref, runs)
    jacobians = [None] + [
        jacobian(spec, ring, params, fwd, j, jacobian_claim) for j in range(1, spec.T + 1)
    ]
    products = suffix_products(ring, jacobians, spec.T)
    yield from initial_state(spec, ring, params, jacobians, runs, order)
    yield from output_layer(spec, ring, runs)
    batched = None
    if BATCH in runs and order == "latest-left":  # the modular ring: every entry at once
        batched = BatchedChains(spec, ring, params, fwd, jacobians, products, *runs[BATCH])
    for name in state_parameters(spec.model):
        rows, cols = spec.shape(name)
        for a in range(rows):
            for b in range(cols):
                forms, sums, reference = _entry_values(
                    spec, ring, params, fwd, jacobians, products, runs, batched, name, a, b, order
                )
                for k, rule, r, total, truth in forms:
                    yield (
                        f"expansion d{S}_T/d{name}",
                        f"t={spec.T}, form {k} ({rule}), d{S}_T[{r}]/d{name}[{a},{b}]",
                        total,
                        truth,
                    )
                for t, formula in enumerate(sums, start=1):
                    for r in range(spec.hidden):
                        yield (
                            f"sum of products d{S}_t/d{name}",
                            f"t={t}, d{S}_t[{r}]/d{name}[{a},{b}]",
                            formula[r],
                            reference(t, r),
                        )
    yield from claim_comparisons(spec, ring, claims, (params, fwd, runs))


def _entry_values(
    spec: Spec,
    ring: Ring,
    params: dict,
    fwd: Any,
    jacobians: list,
    products: list,
    runs: dict,
    batched: BatchedChains | None,
    name: str,
    a: int,
    b: int,
    order: str,
) -> tuple[Iterator, Iterator, Callable[[int, int], Any]]:
    """For entry (a, b) of ``name``: the expansion's forms (form, rule, row, value,
    forward mode's), the sums of products for t = 1..T, and forward mode's dh_t[r]/dP,
    read from the batched values where there are any, else computed for the entry."""
    if batched is not None:

        def at(value: Any) -> Any:
            return batched.entry(value, name, a, b)

        last = batched.tangents[spec.T]
        forms = (
            (k, rule, r, at(total[r]), at(last[r]))
            for k, rule, total in batched.forms
            for r in range(spec.hidden)
        )
        sums = ([at(x) for x in total] for total in batched.sums)
        return forms, sums, lambda t, r: at(batched.tangents[t][r])
    tangents = stacked(runs[spec.source(name, a, b)], spec.model)
    forms = expansion_forms(spec, ring, params, jacobians, products, fwd, name, a, b, tangents)
    sums = sums_of_products(spec, ring, params, fwd, jacobians, name, a, b, order)
    return forms, sums, lambda t, r: tangents[t][r].tan


def atom_pass(
    spec: Spec,
    ring: Ring,
    program: Program | None = None,
    claims: tuple[FormulaClaim | RecursionClaim, ...] = (),
) -> Iterator[Any]:
    """The part of the checks that asks a ring for atoms, run in a recording ring to
    make the exact ring's generators: the forward pass, the backward program, the
    forward-mode passes, SymPy's reference and the claims. The Jacobian chains, the
    expansion and the sums of products read only values these computed (the tests
    compare the atoms with those of every check), and cost most of the time."""
    params, fwd, _, runs, ref = _truth(spec, ring, program)
    if spec.uses_sympy_reference():
        yield from sympy_reference(spec, ring, params, fwd, ref, runs)
    yield from claim_comparisons(spec, ring, claims, (params, fwd, runs))


def verify(
    spec: Spec,
    *,
    method: str = "auto",
    seed: int = 0,
    order: str = "latest-left",
    program: Program | None = None,
    jacobian: Tangents | None = None,
    claims: tuple[FormulaClaim | RecursionClaim, ...] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Check every claim of the BPTT derivation for ``spec``: the backward program
    derived from the model's equations against forward mode for every entry of every
    parameter gradient (and of views such as w_h = [W_xh W_hh]^T), the sum of products
    of Jacobians and each level of the expansion of dh_t/dP, SymPy's derivatives of the
    unrolled model where small, and each claim (the model's identities: for the seeds'
    scalar model, note 000's and question 002's formulas). Each check is a stream of
    comparisons evaluated in one ring, which decides equality and names the method; a
    failing check carries its first failing comparison and a counterexample.

    Args:
        spec: the model and T (a :class:`~symbptt.core.spec.Spec`: ``RNNSpec(...)``,
            ``ElmanSpec(...)``, a cell's spec).
        method: ``"auto"`` (exact within the model's exact limits, else modular; the
            report says which and why), ``"exact"`` (canonical polynomial forms,
            deterministic) or ``"modular"`` (random evaluation modulo a random 127-bit
            prime, with an error bound; work up to MODULAR_MAX_WORK).
        seed: seeds the modular method and the counterexample search.
        order: how a product of Jacobians is ordered (latest-left is the truth).
        program: the backward program under test (default: the one derived from the
            model's equations, :func:`symbptt.derive.adjoint.derive`); a textbook's
            recursion written as a program is checked the same way.
        jacobian: the tangent of the state along the previous state, whose columns are
            the Jacobians J_t (default: derived from the equations by forward-mode rules,
            :func:`symbptt.derive.jvp.state_tangents`; diag(phi'(s_t)) W_hh here).
        claims: formulas claimed for every t (:class:`symbptt.verifier.claims.FormulaClaim`,
            :class:`~symbptt.verifier.claims.RecursionClaim`), each checked as a check of its own
            against the true derivatives (default: the model's identities,
            :func:`symbptt.verifier.claims.model_claims`; ``()`` for none).
        progress: called as ``progress(check_name, n, 0)`` when the n-th check starts.

    Raises:
        SpecError: not a Spec, the exact method beyond n <= 3, T <= 6, or an
            unknown method.
        WorkLimitError: the modular method beyond :data:`MODULAR_MAX_WORK`.

    Example:
        >>> from symbptt import ElmanSpec, RNNSpec
        >>> verify(ElmanSpec(hidden=2, T=3)).holds and verify(RNNSpec(T=3)).holds
        True
    """
    require_spec(spec)
    if claims is None:
        claims = model_claims(spec.model)
    choice = choose_method(spec, method)
    method = choice.name
    if method == "modular" and verification_work(spec) > MODULAR_MAX_WORK:
        raise WorkLimitError(
            f"verifying n={spec.hidden}, m={spec.inputs}, k={spec.outputs}, T={spec.T} "
            f"takes {verification_work(spec):.2e} work units, above the limit "
            f"{MODULAR_MAX_WORK:.1e} (at most about 10 s); use a smaller n or T "
            f"(e.g. n=8, T=100 or n=16, T=30)"
        )
    if method == "exact":
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
    return Report(
        spec,
        ring.method,
        REFERENCE,
        tuple(results),
        program or derive(spec.model),
        tuple(claims),
        method_reason=choice.reason,
    )


#: The name the verifier had when the scalar model had a verifier of its own.
verify_vector = verify
