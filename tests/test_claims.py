"""Formula claims are the verifier's seam for the formulas under test: each is checked
for every t as a check of the report, against the true derivatives, and a wrong one is
reported with a counterexample that separates its sides."""

from __future__ import annotations

import pytest

from symbptt import ElmanSpec, Formulas, RNNSpec, SpecError, verify, verify_vector
from symbptt.claims import FormulaClaim, formula_claim
from symbptt.errors import FormulaSyntaxError

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
    assert report.formulas.claims == (JACOBIAN, RECURSION)  # what a document prints


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


def test_verify_passes_claims_through_formulas() -> None:
    report = verify(SPEC, formulas=Formulas(claims=(JACOBIAN,)))
    assert any(c.name == "Jacobian J_t" and c.holds for c in report.checks)


def test_a_claim_that_means_nothing_is_refused() -> None:
    with pytest.raises(FormulaSyntaxError, match="unknown symbol"):
        formula_claim("typo", r"\mathbf{h}_t = W_{qq} \mathbf{h}_{t-1}", SPEC.model)
    shapes = formula_claim("shapes", r"\mathbf{h}_t = W_{hh}", SPEC.model)
    with pytest.raises(SpecError, match="'shapes' has no meaning"):
        verify_vector(SPEC, claims=(shapes,))
    with pytest.raises(SpecError, match="two or more"):
        FormulaClaim("one side", JACOBIAN.sides[:1])


def test_the_scalar_model_takes_its_claims_as_formulas_fields() -> None:
    with pytest.raises(SpecError, match="Formulas fields"):
        verify(RNNSpec(T=2), formulas=Formulas(claims=(JACOBIAN,)))
