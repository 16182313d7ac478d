"""The vector Elman model: the matrix backward recursion against forward mode, exactly."""

from __future__ import annotations

import dataclasses

import pytest

from symbptt import ElmanSpec, SpecError
from symbptt.core.tensor import Concat, Had, MatVec, Param, Transpose, Var
from symbptt.derive.adjoint import OuterSum, derive
from symbptt.verifier.run import verify_vector
from tests.conftest import ALL_ACTIVATIONS, untransposed

GRADIENTS = {"W_hh", "W_xh", "b_h", "W_hy", "b_y", "h_0", "w_h"}


@pytest.mark.parametrize("hidden,T", [(1, 1), (2, 3), (3, 4), (3, 6)])
@pytest.mark.parametrize("output", ["identity", "tanh"])
def test_backward_recursion_gives_every_gradient_exactly(
    activation: str, hidden: int, T: int, output: str
) -> None:
    spec = ElmanSpec(
        hidden=hidden, T=T, inputs=2, outputs=2, activation=activation, output_activation=output
    )
    if activation == output == "identity" and T > 4:
        with pytest.raises(SpecError, match="linear model"):
            verify_vector(spec, method="exact")
        spec = ElmanSpec(
            hidden=hidden, T=4, inputs=2, outputs=2, activation=activation, output_activation=output
        )
    report = verify_vector(spec)
    assert report.holds
    backward_checks = [c for c in report.checks if c.name.startswith("backward")]
    assert {c.name.split("dL/d")[1] for c in backward_checks} == GRADIENTS
    sop = next(c for c in report.checks if c.name == "sum of products dh_t/dW_hh")
    assert sop.comparisons == spec.T * hidden * hidden * hidden  # every t, entry, row
    w_hh = next(c for c in report.checks if c.name.endswith("W_hh"))
    assert w_hh.comparisons == hidden * hidden


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_modular_method_for_larger_models(reduction: str) -> None:
    report = verify_vector(
        ElmanSpec(hidden=8, T=12, inputs=3, outputs=2, reduction=reduction),
        method="modular",
        seed=3,
    )
    assert report.holds and all(0 < c.error_bound < 2.0**-60 for c in report.checks)


def test_the_derived_program_is_the_recursion_of_note_000() -> None:
    from symbptt.derive.adjoint import describe

    assert describe(derive(ElmanSpec(hidden=2, T=3).model))[:2] == [
        "g_t = c dtheta_t * (o_t - d_t)",
        "delta_t = dphi_t * (W_hy^T g_t + W_hh^T delta_(t+1)),  delta_(T+1) = 0",
    ]


def test_a_missing_transpose_is_caught_with_a_counterexample() -> None:
    spec = ElmanSpec(hidden=2, T=3, activation="generic", output_activation="identity")
    report = verify_vector(spec, program=untransposed(derive(spec.model)))
    failed = {c.name for c in report.failures}
    assert "backward recursion dL/dW_hh" in failed
    bad = next(c for c in report.failures if c.name.endswith("W_hh"))
    assert bad.counterexample is not None and bad.counterexample.lhs != bad.counterexample.rhs


def test_exact_limits_and_bad_sizes_are_spec_errors() -> None:
    with pytest.raises(SpecError, match="--method modular"):
        verify_vector(ElmanSpec(hidden=4, T=3), method="exact")
    with pytest.raises(SpecError, match="hidden must be"):
        ElmanSpec(hidden=0, T=3)
    with pytest.raises(SpecError, match="squared"):
        ElmanSpec(hidden=2, T=3, loss="generic")


def test_activations_cover_the_table() -> None:
    assert set(ALL_ACTIVATIONS) == {"generic", "tanh", "sigmoid", "identity", "softplus"}


def test_jacobians_multiplied_in_the_wrong_order_are_caught() -> None:
    spec = ElmanSpec(hidden=2, T=3, activation="generic", output_activation="identity")
    assert verify_vector(spec).holds
    report = verify_vector(spec, order="earliest-left")
    failed = {c.name: c for c in report.failures}
    assert set(failed) == {
        "Jacobian chain dh_t/dh_0",  # J_1 J_2 instead of J_2 J_1: wrong from t = 2
        "sum of products dh_t/dW_hh",
        "sum of products dh_t/dW_xh",
        "sum of products dh_t/db_h",
        "sum of products dh_t/dw_h",
    }
    assert failed["Jacobian chain dh_t/dh_0"].failure.startswith("t=2")
    bad = failed["sum of products dh_t/dW_hh"]
    assert bad.failure.startswith("t=3")  # up to t = 2 there is at most one Jacobian
    cx = bad.counterexample
    assert cx.exact and cx.lhs != cx.rhs


def test_one_unit_model_with_generic_activations_holds() -> None:
    # n = m = k = 1: the scalar model's shape (with biases and an output layer added)
    assert verify_vector(
        ElmanSpec(hidden=1, T=5, activation="generic", output_activation="generic")
    ).holds


def test_w_h_is_the_transposed_concatenation_of_W_xh_and_W_hh() -> None:
    spec = ElmanSpec(hidden=2, T=1, inputs=3)
    assert spec.shape("w_h") == (5, 2)  # [W_xh W_hh] is n x (m + n)
    assert [spec.source("w_h", i, 1) for i in range(5)] == [
        ("W_xh", 1, 0),
        ("W_xh", 1, 1),
        ("W_xh", 1, 2),
        ("W_hh", 1, 0),
        ("W_hh", 1, 1),
    ]


def test_concatenating_in_the_wrong_order_is_caught() -> None:
    spec = ElmanSpec(hidden=2, T=3, inputs=1)
    right = derive(spec.model)
    swapped = OuterSum("w_h", Concat(Var("h", -1), Var("x")), Var("delta"))  # [h_{t-1}; x_t]
    program = dataclasses.replace(
        right, results=tuple(swapped if r.name == "w_h" else r for r in right.results)
    )
    report = verify_vector(spec, program=program)
    assert {c.name for c in report.failures} == {"backward recursion dL/dw_h"}


def test_every_form_of_the_expansion_is_checked_for_every_entry() -> None:
    spec = ElmanSpec(hidden=2, T=4, inputs=1)
    report = verify_vector(spec)
    forms = 2 * spec.T  # chain rule, then substitute / distribute per level, then h_0
    expansion = {c.name: c for c in report.checks if c.name.startswith("expansion")}
    assert set(expansion) == {f"expansion dh_T/d{p}" for p in ("W_hh", "W_xh", "b_h", "w_h")}
    assert expansion["expansion dh_T/dW_hh"].comparisons == forms * 2 * 4  # rows x entries
    assert all(c.holds for c in expansion.values())


def test_the_jacobian_is_derived_from_the_equations() -> None:
    from symbptt.core.tensor import text
    from symbptt.derive.jvp import state_tangents

    (tangent,) = state_tangents(ElmanSpec(hidden=2, T=3).model)
    assert text(tangent) == "dphi_t * W_hh dir:h_(t-1)"  # J_t = diag(phi'(s_t)) W_hh


def test_a_transposed_jacobian_breaks_the_expansion_but_not_the_backward_pass() -> None:
    wrong = Had(Var("dphi"), MatVec(Transpose(Param("W_hh")), Var("dir:h", -1)))
    report = verify_vector(ElmanSpec(hidden=2, T=3, activation="generic"), jacobian=(wrong,))
    failed = {c.name for c in report.failures}
    assert "expansion dh_T/dW_hh" in failed and "sum of products dh_t/dW_hh" in failed
    assert not any(name.startswith("backward") for name in failed)


def test_sympy_matrices_of_explicit_entries_agree_with_forward_mode() -> None:
    report = verify_vector(ElmanSpec(hidden=2, T=3, inputs=2, outputs=2, activation="sigmoid"))
    check = next(c for c in report.checks if c.name.startswith("reference: SymPy"))
    # every gradient entry (4 + 4 + 2 + 4 + 2 + 2 + 8) and dh_t/dP entry for 3 steps
    assert check.holds and check.comparisons == 26 + 3 * 2 * (4 + 4 + 2 + 8)
    assert not any(c.name.startswith("reference") for c in verify_vector(ElmanSpec(3, 4)).checks)


def test_a_broken_forward_mode_is_caught_by_the_sympy_reference(monkeypatch) -> None:
    from symbptt.rings.values import Dual

    def no_product_rule(self, other):  # d(ab) = a' b, the second term dropped
        o = self._lift(other)
        return Dual(self.val * o.val, self.tan * o.val)

    monkeypatch.setattr(Dual, "__mul__", no_product_rule)
    monkeypatch.setattr(Dual, "__rmul__", no_product_rule)
    report = verify_vector(ElmanSpec(hidden=2, T=2, activation="generic"))
    assert "reference: SymPy Jacobians = forward mode" in {c.name for c in report.failures}
