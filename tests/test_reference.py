"""The two reference engines (SymPy diff of nested forms, forward mode) agree exactly."""

from __future__ import annotations

import pytest

from symbptt import RNNSpec
from symbptt.derive.reference import reference
from symbptt.unroll import NESTED_MAX_T, unroll
from symbptt.values import Trace, canonical_ring

from .conftest import ALL_ACTIVATIONS


@pytest.mark.parametrize("T", [1, 2, 3, 5])
@pytest.mark.parametrize("output", ALL_ACTIVATIONS)
@pytest.mark.parametrize("loss", ["generic", "squared"])
def test_sympy_and_forward_references_agree(
    activation: str, output: str, loss: str, T: int
) -> None:
    spec = RNNSpec(T=T, activation=activation, output_activation=output, loss=loss)
    ring = canonical_ring(spec)
    trace = Trace(spec, ring)
    nested, forward = reference(trace, method="sympy"), reference(trace, method="forward")
    for p in ("w", "v"):
        assert all(ring.equal(a, b) for a, b in zip(nested.dh[p], forward.dh[p]))
        assert ring.equal(nested.dL[p], forward.dL[p])


def test_reference_of_dh1_dw_is_phi_prime_times_h0() -> None:
    spec = RNNSpec(T=1)
    ring = canonical_ring(spec)
    ref = reference(Trace(spec, ring), method="sympy")
    expected = ring.atom(("phi", 1, ("s", 1))) * ring.atom(("h0",))
    assert ring.equal(ref.dh["w"][1], expected)


def test_h0_zero_makes_dh1_dw_vanish() -> None:
    spec = RNNSpec(T=2, h0="zero")
    ring = canonical_ring(spec)
    assert ring.equal(reference(Trace(spec, ring)).dh["w"][1], ring.zero)


def test_tanh_canonical_form_does_not_blow_up() -> None:
    # expanding prod (1 - tanh^2) would give 2^T terms; the rewrite rule keeps T terms
    spec = RNNSpec(T=40, activation="tanh")
    ring = canonical_ring(spec)
    dh = reference(Trace(spec, ring)).dh["w"][40]
    assert len(dh.to_dict()) == 40


def test_nested_forms_refuse_deep_T() -> None:
    from symbptt import SpecError

    with pytest.raises(SpecError, match="forward-mode"):
        unroll(RNNSpec(T=NESTED_MAX_T + 1))
