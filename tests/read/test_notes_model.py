# ruff: noqa: E501  (notes are quoted as their authors write them)
r"""The model that notes state: their forward pass, read in their own names, becomes a
model every engine works on (issue 27)."""

from __future__ import annotations

import pytest

from symbptt.errors import FormulaSyntaxError, SpecError
from symbptt.read.conventions import read_conventions
from symbptt.read.notes_model import notes_model

ANGLE_RNN = [
    r"a^{\langle t \rangle} = \tanh(W_{aa} a^{\langle t-1 \rangle} + W_{ax} x^{\langle t \rangle} + b_a)",
    r"\hat y^{\langle t \rangle} = \operatorname{softmax}(W_{ya} a^{\langle t \rangle} + b_y)",
]


def test_a_forward_pass_is_a_model_with_the_notes_names_and_a_softmax_head() -> None:
    read = notes_model(ANGLE_RNN)
    model = read.model
    kinds = {v.name: v.kind for v in model.variables}
    assert kinds["a"] == "state" and kinds["x"] == "input" and kinds["W_aa"] == "parameter"
    assert model.shape("W_ax") == (3, 2) and model.shape("W_ya")[1] == 3
    assert model.head.loss == "cross-entropy" and model.reduction == "sum"
    assert model.notes
    latex = {v.name: v.latex for v in model.variables}
    assert latex["a"] == r"a^{\langle {@} \rangle}" or latex["a"] == r"a^{\langle @ \rangle}"
    assert latex["yhat"] == r"\hat y^{\langle @ \rangle}"
    assert "softmax cross-entropy" in read.said[0]


def test_without_a_head_the_loss_is_any_loss_of_the_one_quantity_left_unread() -> None:
    read = notes_model(
        [
            r"f_t = \sigma(W_f h_{t-1} + U_f x_t)",
            r"c_t = f_t \odot c_{t-1} + (1 - f_t) \odot \tanh(W_c h_{t-1})",
            r"h_t = \tanh(c_t)",
        ]
    )
    assert read.model.head.output == "h" and read.model.head.loss == "generic"
    assert "every loss" in read.said[0]


def test_two_quantities_left_unread_leave_the_output_unknown() -> None:
    with pytest.raises(SpecError, match="found 2"):
        notes_model([r"h_t = \tanh(W h_{t-1})", r"y_t = V h_t", r"z_t = U h_t"])


@pytest.mark.parametrize(
    "equation",
    [
        r"h_t = \operatorname{tanh}(W h_{t-1} + U x_t)",
        r"h_t = \text{tanh}(W h_{t-1} + U x_t)",
        r"h_t = tanh(W^{(hh)} h_{t-1} + W^{(hx)} x_t)",
        r"h_t = sigmoid(W h_{t-1} + U x_t)",
        r"h_t = y_t = \tanh(W h_{t-1} + U x_t)",
    ],
)
def test_functions_labels_and_chains_as_notes_write_them(equation: str) -> None:
    assert notes_model([equation]).model.states == ("h",)


def test_star_is_the_product_the_notes_declare_and_refused_otherwise() -> None:
    row = [r"h_t = \tanh(h_{t-1} * W + x_t * U)"]
    with pytest.raises(FormulaSyntaxError, match="may be the matrix product"):
        notes_model(row)
    model = notes_model(row, matrix_product=("*",)).model
    assert model.shape("W") == (3, 3) and model.shape("U") == (2, 3)  # a row times W
    gated = [r"f_t = \sigma(W h_{t-1})", r"h_t = f_t \cdot h_{t-1}"]
    with pytest.raises(FormulaSyntaxError):
        notes_model(gated)  # f_t \cdot h_{t-1}: undeclared, no matrix on the left
    assert notes_model(gated, elementwise=("\\cdot",)).model.states == ("h",)


def test_conventions_are_read_and_checked() -> None:
    said = read_conventions([(3, "time = angle, elementwise = *, horizon = T_x, first = 0")])
    profile = said.profile()
    assert profile.time == "angle" and profile.elementwise == ("*",)
    assert profile.first == 0 and "T_x" in profile.horizon
    with pytest.raises(ValueError, match="line 4: unknown convention 'colour'"):
        read_conventions([(4, "colour = red")])
    with pytest.raises(ValueError, match="time is one of"):
        read_conventions([(1, "time = diagonal")])
    with pytest.raises(ValueError, match="declared angle before"):
        read_conventions([(1, "time = angle"), (2, "time = subscript")])
    assert "does not read yet" in (read_conventions([(1, "entry = [i]")]).unsupported() or "")
    assert read_conventions([(1, "partial = immediate")]).profile().partial == "immediate"


def test_the_docs_list_every_convention_key() -> None:
    """docs/checking.md's table of convention keys names each key symbptt reads."""
    from pathlib import Path

    from symbptt.read.conventions import KEYS

    docs = (Path(__file__).parents[2] / "docs" / "checking.md").read_text()
    table = docs[docs.index("**Every convention key**") :]
    table = table[: table.index("\n\n", table.index("| key |"))]
    assert all(f"`{key}`" in table for key in KEYS), [k for k in KEYS if f"`{k}`" not in table]
