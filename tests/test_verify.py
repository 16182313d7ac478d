"""Every engine agrees with the reference for T = 1..8 and every activation."""

from __future__ import annotations

import json

import pytest

from symbptt import RNNSpec, SpecError, verify
from symbptt.derive.expansion import LeafValues, evaluate_steps, follows_by_rules, plan
from symbptt.values import canonical_ring
from symbptt.verify import DEFAULT_FORMULAS, EXACT_MAX_T, make_context

from .conftest import SMALL_T

EXPECTED_CHECKS = {
    "expansion dh_t/dw",
    "sum of products dh_t/dw",
    "loss decomposition dL/dw",
    "backward recursion dL/dw",
    "expansion dh_t/dv",
    "sum of products dh_t/dv",
    "loss decomposition dL/dv",
    "backward recursion dL/dv",
}


@pytest.mark.parametrize("T", SMALL_T)
def test_every_check_holds_exactly(activation: str, T: int) -> None:
    report = verify(
        RNNSpec(T=T, activation=activation, output_activation=activation, loss="squared")
    )
    assert report.holds, [c.name for c in report.failures]
    assert EXPECTED_CHECKS <= {c.name for c in report.checks}
    assert all(c.method.startswith("exact") for c in report.checks)


@pytest.mark.parametrize("T", [1, 4, 8])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("h0", ["symbol", "zero"])
def test_every_check_holds_with_the_modular_method(
    activation: str, T: int, reduction: str, h0: str
) -> None:
    report = verify(
        RNNSpec(T=T, activation=activation, reduction=reduction, h0=h0), method="modular", seed=T
    )
    assert report.holds
    assert all("Schwartz-Zippel" in c.method for c in report.checks)
    assert all(0 < c.error_bound < 2.0**-60 for c in report.checks)


@pytest.mark.parametrize("T", [3, 8])
def test_expansion_check_covers_every_form_of_every_t(T: int) -> None:
    """The first form of each dh_t/dw is compared, and dh_0/dw = 0; every later form
    equals the one before by its rule (follows_by_rules checks their shapes)."""
    report = verify(RNNSpec(T=T))
    expansion = next(c for c in report.checks if c.name == "expansion dh_t/dw")
    assert expansion.comparisons == T + 1
    assert all(follows_by_rules(t) for t in range(1, T + 1))


@pytest.mark.parametrize("activation", ["generic", "tanh"])
def test_every_form_evaluated_whole_equals_the_true_derivative(activation: str) -> None:
    """What the rules conclude, checked the long way: each form of every dh_t/dp,
    evaluated in the exact ring, equals the reference."""
    spec = RNNSpec(T=5, activation=activation)
    ring = canonical_ring(spec)
    ctx = make_context(spec, ring, DEFAULT_FORMULAS)
    for param in ("w", "v"):
        leaves = LeafValues(ctx.evaluator, param)
        for t in range(1, spec.T + 1):
            forms = evaluate_steps(t, param, leaves)
            assert len(forms) == 2 * t
            assert ring.first_mismatch(forms, ctx.reference.dh[param][t]) is None


def test_forms_of_another_shape_are_compared_one_by_one() -> None:
    forms = [(settled, tail) for _r, _e, settled, tail in plan(3)]
    assert follows_by_rules(3, forms=forms)
    assert not follows_by_rules(3, forms=forms[:2] + forms[3:])  # a distribute skipped
    assert not follows_by_rules(3, forms=[*forms[:-1], (2, None)])  # a settled term lost


def test_small_T_uses_sympy_reference_and_checks_it_against_forward_mode() -> None:
    report = verify(RNNSpec(T=3))
    assert "SymPy" in report.reference_method
    assert any(c.name == "reference agreement" and c.holds for c in report.checks)


def test_large_T_uses_forward_mode_reference() -> None:
    report = verify(RNNSpec(T=30), method="modular")
    assert "forward-mode" in report.reference_method and report.holds


def test_report_is_json_serialisable_and_names_versions() -> None:
    data = json.loads(json.dumps(verify(RNNSpec(T=2)).to_dict()))
    assert data["holds"] is True and data["symbptt"] and data["sympy"]
    assert {c["name"] for c in data["checks"]} >= EXPECTED_CHECKS


def test_exact_method_refuses_T_beyond_its_limit() -> None:
    with pytest.raises(SpecError, match="modular"):
        verify(RNNSpec(T=EXACT_MAX_T + 1))


def test_unknown_method_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="exact, modular"):
        verify(RNNSpec(T=2), method="simplify")
