"""The two references of the verifier agree exactly: forward mode on the unrolled model
(symbptt/derive/forward.py) and SymPy's derivatives of the unrolled model
(symbptt/derive/reference.py), and forward mode gives the derivatives known by hand."""

from __future__ import annotations

import pytest

from symbptt import RNNSpec, verify
from symbptt.derive.forward import forward, parameter_values
from symbptt.rings.values import recorded_ring
from tests.conftest import ALL_ACTIVATIONS

SYMPY = "reference: SymPy Jacobians = forward mode"


@pytest.mark.parametrize("T", [1, 2, 3])
@pytest.mark.parametrize("output", ALL_ACTIVATIONS)
@pytest.mark.parametrize("loss", ["generic", "squared"])
def test_sympy_and_forward_references_agree(
    activation: str, output: str, loss: str, T: int
) -> None:
    spec = RNNSpec(T=T, activation=activation, output_activation=output, loss=loss)
    check = next(c for c in verify(spec).checks if c.name == SYMPY)
    assert check.holds and check.comparisons >= 2 * T + 2  # every dh_t/dp and dL/dp


def dh_dw(spec: RNNSpec) -> tuple:
    """(ring, params, dh_t/dw for t = 0..T) by forward mode in the exact ring."""

    def run(ring):
        params = parameter_values(spec.model, ring)
        yield forward(spec.model, spec.T, ring, params, seed=("w", 0, 0))

    ring = recorded_ring(spec, run)
    (traj,) = run(ring)
    return ring, [h[0].tan for h in traj["h"]]


def test_dh1_dw_is_phi_prime_times_h0() -> None:
    ring, dh = dh_dw(RNNSpec(T=1))
    expected = ring.atom(("phi", 1, ("s", (1, 0)))) * ring.atom(("h_0", (0, 0)))
    assert ring.equal(dh[1], expected)


def test_h0_zero_makes_dh1_dw_vanish() -> None:
    ring, dh = dh_dw(RNNSpec(T=2, h0="zero"))
    assert ring.equal(dh[1], ring.zero) and not ring.equal(dh[2], ring.zero)


def test_tanh_canonical_form_does_not_blow_up() -> None:
    # expanding prod (1 - tanh^2) would give 2^T terms; the rewrite rule keeps T terms
    ring, dh = dh_dw(RNNSpec(T=40, activation="tanh"))
    assert len(dh[40].to_dict()) == 40
