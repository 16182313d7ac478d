"""The seeds' scalar RNN as a declaration of the core (symbptt/models/scalar.py): its
forward pass is the seeds' recurrence, and every check of the core verifier holds on it."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from symbptt import RNNSpec, Spec, cells
from symbptt.derive.forward import forward, parameter_values
from symbptt.rings.algebra import atom_name
from symbptt.rings.modular import ModularRing
from symbptt.rings.values import activation_value, function_name
from symbptt.verifier.run import verify_vector

CONFIGS = [
    {},
    {"activation": "tanh"},
    {"activation": "sigmoid", "output_activation": "tanh", "loss": "squared"},
    {"loss": "squared", "reduction": "sum", "h0": "zero"},
]


def seeds_recurrence(spec: RNNSpec, ring: ModularRing) -> dict:
    """The seeds' recurrence written out by hand in the core's atoms: s_k = w h_(k-1) +
    v x_k, h_k = phi(s_k), yhat_k = theta(h_k), L = c sum_k l(yhat_k, d_k), with forward
    mode for w and v: dh_k/dp = phi'(s_k) (d+ s_k/dp + w dh_(k-1)/dp) and
    dL/dp = c sum_k l'(yhat_k, d_k) theta'(h_k) dh_k/dp."""
    phi, theta = spec.phi, spec.theta
    fphi, ftheta = function_name(phi, "phi"), function_name(theta, "theta")

    def at(act, fn, order, name, k, arg):
        return activation_value(ring, act, fn, order, (name, (k, 0)), arg)

    w, v = ring.atom(("w", (0, 0))), ring.atom(("v", (0, 0)))
    h = [ring.zero if spec.h0 == "zero" else ring.atom(("h_0", (0, 0)))]
    yhat, dh, dL = [None], {"w": [ring.zero], "v": [ring.zero]}, {"w": [], "v": []}
    for k in range(1, spec.T + 1):
        x, d = ring.atom(("x", (k, 0))), ring.atom(("d", (k, 0)))
        s_k = w * h[k - 1] + v * x
        h.append(at(phi, fphi, 0, "s", k, s_k))
        yhat.append(at(theta, ftheta, 0, "h", k, h[k]))
        slope = yhat[k] - d if spec.loss == "squared" else ring.atom(("l", 1, ("step", k)))
        for p, immediate in (("w", h[k - 1]), ("v", x)):
            dh[p].append(at(phi, fphi, 1, "s", k, s_k) * (immediate + w * dh[p][k - 1]))
            dL[p].append(slope * at(theta, ftheta, 1, "h", k, h[k]) * dh[p][k])
    c = ring.const(Fraction(1, spec.T) if spec.reduction == "mean" else 1)
    return {
        "h": h,
        "yhat": yhat,
        "dh": dh,
        "dL": {p: c * sum(terms[1:], terms[0]) for p, terms in dL.items()},
    }


@pytest.mark.parametrize("options", CONFIGS)
def test_the_declaration_runs_the_seeds_recurrence(options):
    T = 5
    spec = RNNSpec(T=T, **options)
    ring = ModularRing(random.Random(3))
    seeds = seeds_recurrence(spec, ring)
    params = parameter_values(spec.model, ring)
    plain = forward(spec.model, T, ring, params)
    assert [h[0] for h in plain["h"][1:]] == seeds["h"][1:]
    assert [y[0] for y in plain["yhat"][1:]] == seeds["yhat"][1:]
    for p in ("w", "v"):
        run = forward(spec.model, T, ring, params, seed=(p, 0, 0))
        assert run.L.tan == seeds["dL"][p]
        assert [h[0].tan for h in run["h"][1:]] == seeds["dh"][p][1:]


@pytest.mark.parametrize("options", CONFIGS)
def test_every_check_of_the_core_holds_exactly(options):
    report = verify_vector(Spec(cells.declare("scalar", **options), T=3), method="exact")
    assert report.holds, [c.name for c in report.failures]
    names = {c.name for c in report.checks}
    assert "reference: SymPy Jacobians = forward mode" in names
    assert "backward recursion dL/dw_h" in names
    assert ("backward recursion dL/dh_0" in names) == (options.get("h0") != "zero")


def test_every_check_holds_modulo_a_prime_at_larger_t():
    report = verify_vector(Spec(cells.declare("scalar", activation="tanh"), T=40), method="modular")
    assert report.holds
    assert all(0 < c.error_bound < 1e-30 for c in report.checks)


def test_a_generic_loss_is_an_unknown_function_of_the_output_and_the_target():
    model = cells.declare("scalar")
    assert model.head.loss == "generic"
    assert atom_name(("l", 1, ("step", 2))) == "l'(yhat_2, d_2)"
    assert atom_name(("l", 1, ("step", (2, 1)))) == "l'(o_2, d_2)[1]"


def test_a_zero_initial_state_is_no_parameter():
    model = cells.declare("scalar", h0="zero")
    assert "h_0" not in model.parameters
    assert model.initial_of("h") is None
    assert model.initial_parameters == {}
    assert cells.declare("scalar").initial_parameters == {"h_0": "h"}
