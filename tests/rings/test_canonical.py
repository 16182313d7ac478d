"""The exact canonical form knows each activation's identities, and nothing more."""

from __future__ import annotations

import pytest

from symbptt import RNNSpec, model_claims
from symbptt import verify as verify_claims

JACOBIAN = "Jacobian dh_t/dh_(t-1)"
DH = r"\frac{\partial h_{t}}{\partial h_{t-1}} = "
TANH_JACOBIAN = {JACOBIAN: DH + r"(1 - h_{t}^{2}) w"}
SIGMOID_JACOBIAN = {JACOBIAN: DH + r"h_{t} (1 - h_{t}) w"}


def verify(spec: RNNSpec, formulas: dict[str, str], **options):
    """verify() with the seeds' Jacobian claimed as ``formulas`` says."""
    return verify_claims(spec, claims=model_claims(spec.model, replace=formulas), **options)


@pytest.mark.parametrize("method", ["exact", "modular"])
@pytest.mark.parametrize("T", [1, 3, 6])
def test_tanh_prime_written_as_one_minus_h_squared_holds_for_tanh_only(method: str, T: int) -> None:
    assert verify(RNNSpec(T=T, activation="tanh"), formulas=TANH_JACOBIAN, method=method).holds
    for other in ("generic", "sigmoid", "softplus", "identity"):
        report = verify(RNNSpec(T=T, activation=other), formulas=TANH_JACOBIAN, method=method)
        assert not report.holds or T == 1, other  # T = 1 has no Jacobian in any form


@pytest.mark.parametrize("method", ["exact", "modular"])
def test_sigmoid_prime_written_as_h_one_minus_h_holds_for_sigmoid_only(method: str) -> None:
    assert verify(
        RNNSpec(T=4, activation="sigmoid"), formulas=SIGMOID_JACOBIAN, method=method
    ).holds
    assert not verify(
        RNNSpec(T=4, activation="tanh"), formulas=SIGMOID_JACOBIAN, method=method
    ).holds


def test_identity_jacobian_is_w() -> None:
    w_only = {JACOBIAN: DH + "w"}
    assert verify(RNNSpec(T=5, activation="identity"), formulas=w_only).holds
    assert not verify(RNNSpec(T=5, activation="softplus"), formulas=w_only).holds


def test_a_node_is_equal_to_its_definition_and_to_nothing_else() -> None:
    """An entry that no function computes (a state such as the GRU's h_t) is a
    generator of the exact ring tied to its definition: forms that use the node and
    forms that spell the definition out are equal exactly when the definition says so,
    and the atoms a counterexample must vary are those of the definition."""
    from symbptt.rings.algebra import PolynomialRing

    ring = PolynomialRing([("z",), ("n",), ("h0",), ("node", "h", 1, 0), ("node", "h", 2, 0)])
    z, n, h0 = ring.atom(("z",)), ring.atom(("n",)), ring.atom(("h0",))
    h1 = ring.node(("node", "h", 1, 0), (1 - z) * n + z * h0)
    h2 = ring.node(("node", "h", 2, 0), z * h1 + n)
    assert h1 != (1 - z) * n + z * h0  # a generator of its own ...
    assert ring.equal(h1, (1 - z) * n + z * h0)  # ... equal to its definition
    assert ring.equal(h2, z * ((1 - z) * n + z * h0) + n)  # through an earlier node
    assert not ring.equal(h2, z * n + n)
    assert not ring.equal(h1, n)
    assert ring.atoms_of(h2 - n) == {("z",), ("n",), ("h0",)}


def test_an_atom_times_its_reciprocal_is_one_in_the_canonical_form() -> None:
    """A softmax probability p and the atom 1/p: p (1/p) x reduces to x, and the normal
    form is unique (p^2 (1/p) is p, never 1/p times p^2)."""
    import random

    from symbptt.rings.algebra import PolynomialRing
    from symbptt.rings.modular import ModularRing

    p_key, x_key = ("softmax", 0, ("o", (1, 0))), ("x", (1, 0))
    ring = PolynomialRing([p_key, ("inv", p_key), x_key])
    p, inverse, x = ring.atom(p_key), ring.reciprocal(p_key), ring.atom(x_key)
    assert ring.equal(p * inverse * x, x)
    assert ring.equal(p * p * inverse, p)
    assert not ring.equal(inverse, p)
    assert ring.normal(p * p * inverse * inverse + x) == ring.one + x

    modular = ModularRing(random.Random(1))
    assert modular.atom(p_key) * modular.reciprocal(p_key) == modular.one
    assert modular.reciprocals == 1
    assert modular.error_bound(10) == 2 * 10 / (modular.p - 1)  # d (1 + m) / (p - 1)


def test_a_softmaxs_probabilities_sum_to_one_in_both_rings() -> None:
    """The entries of softmax(o_t) sum to 1: in the exact ring one of them (the last
    whose reciprocal is not in use) is written by the others, so p1 + p2 + p3 is 1; in
    the modular ring the last is drawn as 1 minus the others."""
    import random

    from symbptt.rings.algebra import PolynomialRing
    from symbptt.rings.modular import ModularRing

    keys = [("softmax", 0, ("o", (1, q))) for q in range(3)]
    values = (None, None, None)  # the values of o_t: only their number matters here
    ring = PolynomialRing([*keys, ("inv", keys[2])])
    p = [ring.atom(k, values) for k in keys]
    assert ring.equal(p[0] + p[1] + p[2], ring.one)
    assert ring.equal(p[2] * ring.reciprocal(keys[2]), ring.one)  # p3 keeps its reciprocal
    assert not ring.equal(p[0] + p[1], ring.one)

    modular = ModularRing(random.Random(2))
    q = [modular.atom(k, values) for k in keys]
    assert q[0] + q[1] + q[2] == modular.one
    assert q[2] * modular.reciprocal(keys[2], values) == modular.one


def test_a_true_formula_the_exact_forms_cannot_decide_is_refused_not_failed() -> None:
    """-d_k/yhat_k yhat_k + yhat_k summed over k is -1 + 1 = 0: it needs every
    probability's reciprocal and their sum together, which the exact form does not use.
    Without a counterexample there is no "does not hold": the exact method refuses,
    saying why, and the modular method (a point where every relation holds) decides."""
    from symbptt import ElmanSpec, FormulaSyntaxError, check

    spec = ElmanSpec(hidden=2, outputs=2, T=2, loss="cross-entropy", reduction="sum")
    formula = (
        r"\sum_{k=1}^{2} \left(\frac{\partial \ell_t}{\partial \hat{y}_{t,k}} \hat{y}_{t,k} "
        r"+ \hat{y}_{t,k}\right) = 0"
    )
    with pytest.raises(FormulaSyntaxError, match="no verdict.*--method modular"):
        check(formula, model=spec)
    assert check(formula, model=spec, method="modular").holds
    assert not check(formula.replace("= 0", "= 1"), model=spec, method="modular").holds
