"""The seeds' scalar RNN as a declaration of the core (symbptt/models/scalar.py): its
forward pass is the seeds' recurrence, and every check of the core verifier holds on it."""

from __future__ import annotations

import random

import pytest

from symbptt.algebra import ModularRing, atom_name
from symbptt.core.forward import forward, parameter_values
from symbptt.model import RNNSpec
from symbptt.models import scalar
from symbptt.values import Trace
from symbptt.vector.model import CellSpec
from symbptt.vector.verify import verify_vector

CONFIGS = [
    {},
    {"activation": "tanh"},
    {"activation": "sigmoid", "output_activation": "tanh", "loss": "squared"},
    {"loss": "squared", "reduction": "sum", "h0": "zero"},
]


class SeedNames(ModularRing):
    """A modular ring that gives the core's atoms the values of the seeds' atoms of the
    same meaning (W entry (0, 0) of w is w, x at (t, 0) is x_t, phi at s_(t, 0) is phi(s_t))."""

    def atom(self, key, argument=None):
        if len(key) == 2 and key[1] == (0, 0):
            key = ("h0",) if key[0] == "h_0" else (key[0],)
        elif len(key) == 2 and isinstance(key[1], tuple):
            key = (key[0], key[1][0])
        elif len(key) == 3 and isinstance(key[2][1], tuple):
            key = (key[0], key[1], (key[2][0], key[2][1][0]))
        return super().atom(key, argument)


@pytest.mark.parametrize("options", CONFIGS)
def test_the_declaration_runs_the_seeds_recurrence(options):
    T = 5
    model = scalar.declare(**options)
    ring = SeedNames(random.Random(3))
    seeds = Trace(RNNSpec(T=T, **options), ring)
    params = parameter_values(model, ring)
    plain = forward(model, T, ring, params)
    assert [h[0] for h in plain["h"][1:]] == seeds.h[1:]
    assert [y[0] for y in plain["yhat"][1:]] == seeds.yhat[1:]
    for p in ("w", "v"):
        run = forward(model, T, ring, params, seed=(p, 0, 0))
        assert run.L.tan == seeds.dL[p]
        assert [h[0].tan for h in run["h"][1:]] == seeds.dh[p][1:]


@pytest.mark.parametrize("options", CONFIGS)
def test_every_check_of_the_core_holds_exactly(options):
    report = verify_vector(CellSpec(scalar.declare(**options), T=3), method="exact")
    assert report.holds, [c.name for c in report.failures]
    names = {c.name for c in report.checks}
    assert "reference: SymPy Jacobians = forward mode" in names
    assert "backward recursion dL/dw_h" in names
    assert ("backward recursion dL/dh_0" in names) == (options.get("h0") != "zero")


def test_every_check_holds_modulo_a_prime_at_larger_t():
    report = verify_vector(CellSpec(scalar.declare(activation="tanh"), T=40), method="modular")
    assert report.holds
    assert all(0 < c.error_bound < 1e-30 for c in report.checks)


def test_a_generic_loss_is_an_unknown_function_of_the_output_and_the_target():
    model = scalar.declare()
    assert model.head.loss == "generic"
    assert atom_name(("l", 1, ("step", 2))) == "l'(yhat_2, d_2)"
    assert atom_name(("l", 1, ("step", (2, 1)))) == "l'(o_2, d_2)[1]"


def test_a_zero_initial_state_is_no_parameter():
    model = scalar.declare(h0="zero")
    assert "h_0" not in model.parameters
    assert model.initial_of("h") is None
    assert model.initial_parameters == {}
    assert scalar.declare().initial_parameters == {"h_0": "h"}
