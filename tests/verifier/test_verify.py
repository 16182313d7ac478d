"""verify() on the scalar model of the seeds: the model core's checks and the seeds'
formulas as claims hold for T = 1..8 and every activation."""

from __future__ import annotations

import json

import pytest

from symbptt import RNNSpec, SpecError, verify
from symbptt.limits import EXACT_MAX_T
from tests.conftest import SMALL_T

EXPECTED_CHECKS = {
    *(
        name
        for p in ("w", "v")
        for name in (
            f"backward recursion dL/d{p}",
            f"expansion dh_T/d{p}",
            f"sum of products dh_t/d{p}",
            f"immediate partial d+h_t/d{p}",
            f"boxed formula dh_t/d{p}",
            f"loss decomposition dL/d{p}",
        )
    ),
    "Jacobian dh_t/dh_(t-1)",
    "Jacobian chain dh_t/dh_0",
    "recursion dL/ds_t",
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
def test_the_expansion_check_compares_every_form_whole(T: int) -> None:
    """Each of the 2T forms of dh_T/dw (chain rule, substitute, distribute, ..., h_0 does
    not depend on w) is evaluated whole and compared with forward mode."""
    report = verify(RNNSpec(T=T))
    expansion = next(c for c in report.checks if c.name == "expansion dh_T/dw")
    assert expansion.comparisons == 2 * T


def test_small_T_uses_sympy_reference_and_checks_it_against_forward_mode() -> None:
    report = verify(RNNSpec(T=3))
    assert "forward-mode" in report.reference_method
    assert any(c.name.startswith("reference: SymPy") and c.holds for c in report.checks)


def test_large_T_has_no_sympy_reference() -> None:
    report = verify(RNNSpec(T=30), method="modular")
    assert report.holds and not any("SymPy" in c.name for c in report.checks)


def test_report_is_json_serialisable_and_names_versions() -> None:
    data = json.loads(json.dumps(verify(RNNSpec(T=2)).to_dict()))
    assert data["holds"] is True and data["symbptt"] and data["sympy"]
    assert {c["name"] for c in data["checks"]} >= EXPECTED_CHECKS


def test_exact_method_refuses_T_beyond_its_limit() -> None:
    with pytest.raises(SpecError, match="--method modular"):
        verify(RNNSpec(T=EXACT_MAX_T + 1), method="exact")


def test_unknown_method_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="exact, modular"):
        verify(RNNSpec(T=2), method="simplify")
