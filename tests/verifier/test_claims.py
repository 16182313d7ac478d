"""Formula claims are the verifier's seam for the formulas under test: each is checked
for every t as a check of the report, against the true derivatives, and a wrong one is
reported with a counterexample that separates its sides."""

from __future__ import annotations

import pytest

from symbptt import ElmanSpec, RNNSpec, SpecError, model_claims, verify, verify_vector
from symbptt.errors import FormulaSyntaxError
from symbptt.verifier.claims import FormulaClaim, formula_claim

SPEC = ElmanSpec(hidden=2, T=3, activation="tanh")
J = r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}}"
JACOBIAN = formula_claim(
    "Jacobian J_t", J + r" = \operatorname{diag}(\phi'(\mathbf{s}_t)) W_{hh}", SPEC.model
)
TRANSPOSED = formula_claim(
    "Jacobian J_t, transposed",
    J + r" = W_{hh}^\top \operatorname{diag}(\phi'(\mathbf{s}_t))",
    SPEC.model,
)
RECURSION = formula_claim(
    "delta_t",
    r"\boldsymbol{\delta}_t = \operatorname{diag}(\phi'(\mathbf{s}_t)) "
    r"\left(W_{hy}^\top \mathbf{g}_t + W_{hh}^\top \boldsymbol{\delta}_{t+1}\right)",
    SPEC.model,
)


@pytest.mark.parametrize("method", ["exact", "modular"])
def test_a_true_claim_is_a_check_that_holds(method: str) -> None:
    report = verify_vector(SPEC, method=method, claims=(JACOBIAN, RECURSION))
    assert report.holds
    checks = {c.name: c for c in report.checks}
    assert checks["Jacobian J_t"].comparisons == SPEC.T * SPEC.hidden**2
    assert checks["delta_t"].comparisons == SPEC.T * SPEC.hidden
    assert "for every t" in checks["delta_t"].description
    assert report.claims == (JACOBIAN, RECURSION)  # what a document prints


def test_a_wrong_claim_fails_with_a_counterexample_of_its_own() -> None:
    report = verify_vector(SPEC, claims=(JACOBIAN, TRANSPOSED))
    failed = [c.name for c in report.failures]
    assert failed == ["Jacobian J_t, transposed"]
    check = report.failures[0]
    assert check.failure.startswith("t=1, entry")
    cx = check.counterexample
    assert cx is not None and cx.label == check.failure and cx.lhs != cx.rhs


def test_a_wrong_claim_fails_under_the_modular_method_with_no_error_bound() -> None:
    report = verify_vector(SPEC, method="modular", claims=(TRANSPOSED,))
    (check,) = report.failures
    assert check.name == TRANSPOSED.name and check.error_bound == 0.0


def test_verify_is_the_verifier_of_every_model() -> None:
    report = verify(SPEC, claims=(JACOBIAN,))
    assert any(c.name == "Jacobian J_t" and c.holds for c in report.checks)
    assert verify_vector is verify


def test_a_claim_that_means_nothing_is_refused() -> None:
    with pytest.raises(FormulaSyntaxError, match="unknown symbol"):
        formula_claim("typo", r"\mathbf{h}_t = W_{qq} \mathbf{h}_{t-1}", SPEC.model)
    shapes = formula_claim("shapes", r"\mathbf{h}_t = W_{hh}", SPEC.model)
    with pytest.raises(SpecError, match="'shapes' has no meaning"):
        verify_vector(SPEC, claims=(shapes,))
    with pytest.raises(SpecError, match="two or more"):
        FormulaClaim("one side", JACOBIAN.sides[:1])


def test_the_scalar_model_takes_formula_claims_beside_the_seeds_formulas() -> None:
    spec = RNNSpec(T=3)
    claim = formula_claim(
        "J_t", r"\frac{\partial h_t}{\partial h_{t-1}} = \phi'(s_t) w", spec.model
    )
    report = verify(spec, claims=(*model_claims(spec.model), claim))
    assert report.holds and {"J_t", "boxed formula dh_t/dw"} <= {c.name for c in report.checks}
    assert report.claims[-1] == claim
    alone = verify(spec, claims=(claim,))  # exactly the claims given
    assert "boxed formula dh_t/dw" not in {c.name for c in alone.checks}


# -- the seeds' formulas as claims about the scalar model ------------------------------------
SEED_NAMES = {
    "immediate partial d+h_t/dw",
    "immediate partial d+h_t/dv",
    "Jacobian dh_t/dh_(t-1)",
    "boxed formula dh_t/dw",
    "boxed formula dh_t/dv",
    "loss decomposition dL/dw",
    "loss decomposition dL/dv",
    "recursion dL/ds_t",
}


def seeds_report(spec: RNNSpec, wrong: dict[str, str] | None = None, method: str = "exact"):
    return verify_vector(spec, method=method, claims=model_claims(spec.model, replace=wrong))


@pytest.mark.parametrize("T", [1, 3, 5])
@pytest.mark.parametrize("activation", ["generic", "tanh", "sigmoid", "identity"])
def test_the_seeds_formulas_hold_as_claims_about_the_scalar_model(T: int, activation: str) -> None:
    spec = RNNSpec(T=T, activation=activation, output_activation=activation)
    report = seeds_report(spec)
    assert report.holds, [c.name for c in report.failures]
    assert SEED_NAMES <= {c.name for c in report.checks}


@pytest.mark.parametrize("options", [{}, {"loss": "squared", "reduction": "sum", "h0": "zero"}])
def test_the_seeds_formulas_hold_modulo_a_prime_at_larger_t(options: dict) -> None:
    report = seeds_report(RNNSpec(T=30, activation="tanh", **options), method="modular")
    assert report.holds and all(0 < c.error_bound < 2.0**-60 for c in report.checks)


def test_a_wrong_seed_formula_fails_its_claim_and_only_it() -> None:
    """Question 002's slip (phi' where theta' belongs), injected as a claim: the claim
    fails with a counterexample, through verify() as through the core's verifier."""
    slip = {
        "recursion dL/ds_t": r"\frac{\partial L}{\partial s_t} = \left(\frac{\partial L}"
        r"{\partial \hat{y}_t} \phi'(h_t) + \frac{\partial L}{\partial s_{t+1}} w\right) "
        r"\phi'(s_t)"
    }
    spec = RNNSpec(T=3)
    failed = {c.name: c for c in seeds_report(spec, slip).failures}
    assert set(failed) == {"recursion dL/ds_t"}
    cx = failed["recursion dL/ds_t"].counterexample
    assert cx is not None and cx.lhs != cx.rhs and "phi'(h_1)" in cx.values
    claims = model_claims(spec.model, replace=slip)
    assert {c.name for c in verify(spec, claims=claims).failures} == {"recursion dL/ds_t"}


def test_a_claim_the_model_does_not_make_cannot_be_replaced() -> None:
    with pytest.raises(SpecError, match="claims no 'boxed formula dh_t/dq'"):
        model_claims(RNNSpec(T=2).model, replace={"boxed formula dh_t/dq": "w = w"})


def test_a_recursion_that_reads_an_adjoint_not_yet_solved_is_refused() -> None:
    from symbptt.read.formula import parse_vector
    from symbptt.verifier.claims import RecursionClaim

    spec = RNNSpec(T=3)
    adjoint, step = parse_vector(
        r"\frac{\partial L}{\partial s_t} = \frac{\partial L}{\partial s_{t-1}} w",
        model=spec.model,
    ).sides
    forwards = RecursionClaim("forwards", adjoint, step, ())
    with pytest.raises(SpecError, match="not known yet"):
        verify_vector(spec, claims=(forwards,))


def _cell() -> object:
    import tomllib
    from pathlib import Path

    from symbptt import Spec
    from symbptt.read.cell import read_cell

    path = Path(__file__).resolve().parents[2] / "derivations" / "minimal-gated-unit.toml"
    return Spec(read_cell(tomllib.loads(path.read_text())["cell"], where="mgu"), T=3)


@pytest.mark.parametrize(
    "spec",
    [
        RNNSpec(T=4, activation="tanh"),
        RNNSpec(T=3, activation="generic", h0="zero", reduction="mean"),
        ElmanSpec(hidden=2, T=3, activation="sigmoid"),
        ElmanSpec(hidden=2, outputs=2, T=3, loss="cross-entropy"),
        _cell(),
    ],
    ids=repr,
)
def test_the_exact_ring_has_a_generator_for_every_atom_any_check_asks_for(spec) -> None:  # noqa: ANN001
    """The exact ring's generators come from a pass over the checks that ask for atoms
    (verify_vector's atom_pass); the others must ask for no atom it did not record."""
    from symbptt.rings.values import RecordingRing
    from symbptt.verifier.run import _comparisons, atom_pass

    if spec.model.family == "scalar":
        claims = model_claims(spec.model)
    elif spec.model.family == "elman":
        claims = (formula_claim("J_t", JACOBIAN.latex, spec.model),)
    else:
        claims = ()
    every, recorded = RecordingRing(), RecordingRing()
    for _ in _comparisons(spec, every, claims=claims):
        pass
    for _ in atom_pass(spec, recorded, claims=claims):
        pass
    assert set(every.keys) == set(recorded.keys)


def test_a_recursion_must_solve_for_the_loss_s_derivative_by_a_node_at_t() -> None:
    """A 'recursion' for dL/dw would write its own value where the true dL/dw is read
    (and hold whatever it says): it is refused, never solved."""
    import dataclasses

    from symbptt.verifier.claims import identity_claim

    spec = RNNSpec(T=3)
    (recursion,) = [i for i in spec.model.identities if i.gradients]
    wrong = dataclasses.replace(
        recursion,
        latex=r"\frac{\partial L}{\partial w} = \sum_{i=t}^{T} \frac{\partial L}{\partial s_{i}}"
        r" h_{i-1}",
        base="",
    )
    with pytest.raises(SpecError, match="dL/dv_t"):
        verify(spec, claims=(identity_claim(wrong, spec.model),), method="exact")
    with pytest.raises(SpecError, match="base case"):  # printed, so it must be the one solved
        model_claims(spec.model, replace={recursion.name: wrong.latex})
