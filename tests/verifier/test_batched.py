"""Forward mode over a batch of seeds (tangent rows, the modular ring) gives, seed by
seed, exactly the values of one pass per seed: the passes, the expansion's forms and the
sums of products."""

from __future__ import annotations

import random

import pytest

from symbptt import ElmanSpec
from symbptt.cells.gated import gated_spec
from symbptt.derive.chains import (
    BATCH,
    jacobian,
    prefill,
    suffix_products,
    sum_of_products_all,
)
from symbptt.derive.forward import forward, parameter_values
from symbptt.derive.jvp import stacked, state_parameters
from symbptt.rings.modular import ModularRing
from symbptt.verifier.batched import BatchedChains
from symbptt.verifier.checks import expansion_forms

SPECS = {
    "elman": ElmanSpec(hidden=2, T=3, inputs=2, outputs=2),
    "lstm": gated_spec("lstm", T=3, hidden=2, inputs=2),
    "gru-cho": gated_spec("gru", T=3, hidden=2, variant="cho"),
}


def seeds_of(spec) -> list[tuple[str, int, int]]:
    return [
        spec.source(name, a, b)
        for name in spec.gradients
        for a in range(spec.shape(name)[0])
        for b in range(spec.shape(name)[1])
    ]


@pytest.mark.parametrize("name", SPECS)
def test_a_batched_pass_is_every_seeds_pass(name: str) -> None:
    spec = SPECS[name]
    ring = ModularRing(random.Random(3))
    params = parameter_values(spec.model, ring)
    runs: dict = {}
    prefill(spec, ring, params, runs, seeds_of(spec))
    keep = frozenset(spec.model.states)
    for seed in seeds_of(spec):
        alone = forward(spec.model, spec.T, ring, params, seed=seed, keep=keep)
        assert runs[seed].L.tan == alone.L.tan, seed
        for ours, theirs in zip(stacked(runs[seed], spec.model), stacked(alone, spec.model)):
            assert [v.tan for v in ours] == [v.tan for v in theirs], seed


@pytest.mark.parametrize("name", SPECS)
def test_batched_chains_are_the_entry_by_entry_values(name: str) -> None:
    spec = SPECS[name]
    ring = ModularRing(random.Random(4))
    params = parameter_values(spec.model, ring)
    fwd = forward(spec.model, spec.T, ring, params)
    runs: dict = {}
    prefill(spec, ring, params, runs, seeds_of(spec))
    jacobians = [None] + [jacobian(spec, ring, params, fwd, j) for j in range(1, spec.T + 1)]
    products = suffix_products(ring, jacobians, spec.T)
    batched = BatchedChains(spec, ring, params, fwd, jacobians, products, *runs[BATCH])
    for p in state_parameters(spec.model):
        rows, cols = spec.shape(p)
        for a in range(rows):
            for b in range(cols):
                tangents = stacked(runs[spec.source(p, a, b)], spec.model)
                forms = list(
                    expansion_forms(spec, ring, params, jacobians, products, fwd, p, a, b, tangents)
                )
                expected = [total for _, _, _, total, _ in forms]
                got = [
                    batched.entry(t[r], p, a, b)
                    for _, _, t in batched.forms
                    for r in range(spec.hidden)
                ]
                assert got == expected, (p, a, b)
                sums = list(sum_of_products_all(spec, ring, params, fwd, jacobians, p, a, b))
                assert [[batched.entry(x, p, a, b) for x in s] for s in batched.sums] == sums
