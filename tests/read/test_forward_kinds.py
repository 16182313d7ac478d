"""The notes' forward pass says what its quantities are: kinds from how the equations read
them, shapes by unification, free sizes chosen by symbptt and distinct."""

from __future__ import annotations

import pytest

from symbptt.core.tensor import Add, Apply, Concat, Had, MatVec, OneMinus, Param, Transpose, Var
from symbptt.errors import SpecError
from symbptt.read.forward_kinds import HIDDEN, INPUT, infer


def _gate(label: str, f: str = "sigmoid") -> tuple[str, object]:
    # g_t = f(W_g [h_{t-1}; x_t] + b_g), the notes' stacked form
    stacked = Concat(Var("h", -1), Var("x"))
    return (f"a_{label}", Add(MatVec(Param(f"W_{label}"), stacked), Param(f"b_{label}")))


LSTM = [
    _gate("f"),
    ("f", Apply("sigmoid", Var("a_f"))),
    _gate("i"),
    ("i", Apply("sigmoid", Var("a_i"))),
    _gate("g"),
    ("g", Apply("tanh", Var("a_g"))),
    _gate("o"),
    ("o", Apply("sigmoid", Var("a_o"))),
    ("c", Add(Had(Var("f"), Var("c", -1)), Had(Var("i"), Var("g")))),
    ("tc", Apply("tanh", Var("c"))),
    ("h", Had(Var("o"), Var("tc"))),
    ("y", Add(MatVec(Param("V"), Var("h")), Param("b_y"))),
]


def test_an_lstm_written_with_stacked_inputs() -> None:
    inferred = infer(LSTM)
    kinds = inferred.kinds
    assert kinds["c"] == kinds["h"] == "state"
    assert kinds["x"] == "input" and kinds["f"] == kinds["y"] == "intermediate"
    assert kinds["W_f"] == kinds["b_f"] == kinds["V"] == "parameter"
    assert inferred.shapes["W_f"] == (HIDDEN, HIDDEN + INPUT)  # W_f [h_{t-1}; x_t]
    assert inferred.shapes["b_f"] == (HIDDEN, 1)
    v_rows = inferred.shapes["V"][0]
    assert inferred.shapes["V"] == (v_rows, HIDDEN) and v_rows not in (HIDDEN, INPUT)


def test_a_transposed_matrix_and_one_minus() -> None:
    eqs = [
        ("z", Apply("sigmoid", Var("x"))),
        ("h", Add(Had(OneMinus(Var("z")), Var("h", -1)), MatVec(Transpose(Param("U")), Var("x")))),
    ]
    inferred = infer(eqs)
    # x is tied to the state h through z: it takes the state's size, and U^T maps x to h
    assert inferred.shapes["h"] == inferred.shapes["z"] == inferred.shapes["x"] == (HIDDEN, 1)
    assert inferred.shapes["U"] == (HIDDEN, HIDDEN)


def test_sizes_that_contradict_are_refused() -> None:
    eqs = [("h", Add(Var("h", -1), Concat(Var("h", -1), Var("x"))))]
    with pytest.raises(SpecError, match="do not fit"):
        infer(eqs)


@pytest.mark.parametrize(
    "eqs,message",
    [
        ([("h", Var("c", -1))], "c is read at the previous step but no equation computes it"),
        ([("h", Var("x")), ("h", Var("x"))], "computes h twice"),
        ([("h", Add(MatVec(Param("W"), Var("x")), Param("W")))], "both as a matrix and"),
        ([("h", Var("x", -2))], "previous step only"),
    ],
)
def test_what_a_forward_pass_cannot_mean_is_refused(eqs, message) -> None:
    with pytest.raises(SpecError, match=message):
        infer(eqs)
