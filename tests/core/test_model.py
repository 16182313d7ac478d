"""RNNSpec is frozen and refuses anything outside the documented choices."""

from __future__ import annotations

import dataclasses

import pytest

from symbptt import MAX_T, RNNSpec, SpecError


def test_defaults_are_the_generic_model_with_the_mean_loss() -> None:
    spec = RNNSpec(T=3)
    assert (spec.activation, spec.output_activation, spec.loss, spec.reduction, spec.h0) == (
        "generic",
        "generic",
        "generic",
        "mean",
        "symbol",
    )


def test_spec_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        RNNSpec(T=3).T = 4  # type: ignore[misc]


@pytest.mark.parametrize("T", [0, -1, MAX_T + 1, 2.5, "3", True])
def test_bad_T_is_a_spec_error(T: object) -> None:
    with pytest.raises(SpecError, match="T must"):
        RNNSpec(T=T)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field,value",
    [
        ("activation", "relu"),
        ("output_activation", "gelu"),
        ("loss", "hinge"),
        ("reduction", "max"),
        ("h0", "one"),
    ],
)
def test_unknown_choice_names_the_alternatives(field: str, value: str) -> None:
    with pytest.raises(SpecError, match="expected one of"):
        RNNSpec(T=2, **{field: value})


def test_spec_error_is_a_value_error() -> None:
    assert issubclass(SpecError, ValueError)


def test_a_spec_replaced_keeps_every_change_made_before() -> None:
    spec = RNNSpec(T=3).replace(T=5).replace(activation="tanh")
    assert (spec.T, spec.activation) == (5, "tanh") and spec.record()["T"] == 5
