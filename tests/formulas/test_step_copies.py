"""Derivatives by a step's copy of a parameter (dL/dW^{(t)}: the part of dL/dW that step t's
use of W contributes), checked against what they must be: summed over the steps they are the
gradient, and of a step before the copy's they are zero."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from symbptt.cli import main

MODEL = r"""<!-- symbptt: conventions time = subscript, layout = mixed -->
<!-- symbptt: model -->
$$ h_t = \tanh(W h_{t-1} + U x_t + b) $$

"""


def _answer(tmp_path: Path, formula: str) -> str:
    notes = tmp_path / "notes.md"
    notes.write_text(MODEL + f"<!-- symbptt: check -->\n$$ {formula} $$\n")
    return CliRunner().invoke(main, ["check", "--file", str(notes)]).output


@pytest.mark.parametrize(
    ("formula", "verdict"),
    [
        (
            r"\frac{\partial L}{\partial W} = \sum_{t=1}^{T} \frac{\partial L}{\partial W^{(t)}}",
            "holds",
        ),
        (
            r"\frac{\partial L}{\partial W^{(t)}} = "
            r"(\frac{\partial L}{\partial h_t} \odot (1 - h_t^2)) h_{t-1}^\top",
            "holds",
        ),
        (
            r"\frac{\partial L}{\partial b^{(t)}} = "
            r"\frac{\partial L}{\partial h_t} \odot (1 - h_t^2)",
            "holds",
        ),
        (r"\frac{\partial l_t}{\partial b^{(t+1)}} = 0", "holds"),
        # h_0 too (found in review: refused at t = 1)
        (r"\frac{\partial h_{t-1}}{\partial b^{(t)}} = 0", "holds"),
        (
            r"\frac{\partial h_{t+1}}{\partial W^{(t)}} = "
            r"\frac{\partial h_{t+1}}{\partial h_t} \frac{\partial h_t}{\partial W^{(t)}}",
            "holds",
        ),
        # one step's part is not the whole gradient
        (r"\frac{\partial L}{\partial W} = \frac{\partial L}{\partial W^{(T)}}", "does NOT hold"),
        (r"\frac{\partial L}{\partial b^{(t)}} = \frac{\partial L}{\partial h_t}", "does NOT hold"),
    ],
)
def test_a_derivative_by_a_steps_copy_is_that_steps_part(
    tmp_path: Path, formula: str, verdict: str
) -> None:
    out = _answer(tmp_path, formula)
    assert f": {verdict}" in out, out


@pytest.mark.parametrize(
    ("formula", "verdict"),
    [
        # step t's part: the display does not say whether it means it or the whole gradient
        (
            r"\frac{\partial L}{\partial b} = \frac{\partial L}{\partial h_t} \odot (1 - h_t^2)",
            "refused: ambiguous",
        ),
        # false as the whole gradient and as step t's part
        (r"\frac{\partial L}{\partial b} = \frac{\partial L}{\partial h_t}", "does NOT hold"),
    ],
)
def test_a_parameters_gradient_equated_with_one_step_is_read_both_ways(
    tmp_path: Path, formula: str, verdict: str
) -> None:
    """dL/db = (a quantity of step t): the notes may mean the gradient (every step's use of
    b) or step t's part (b^{(t)}); refused where the readings' verdicts differ, and not
    holding where both fail."""
    out = _answer(tmp_path, formula)
    assert f": {verdict}" in out, out
    if "ambiguous" in verdict:
        assert "so read, it holds" in out


def test_a_copys_gradient_is_tried_in_every_layout_the_notes_leave_open(tmp_path: Path) -> None:
    """Found in review: with W square and no layout declared, dL/dW = (step t's quantity)^T
    h_{t-1} was answered "does NOT hold", read as W's copy in the mixed layout only; as
    the copy's gradient in W^T's shape (the numerator layout) it holds, so it is refused."""
    notes = tmp_path / "rows.md"
    notes.write_text(
        "<!-- symbptt: conventions time = subscript, elementwise = \\odot -->\n"
        "<!-- symbptt: model -->\n$$ h_t = \\tanh(h_{t-1} W + x_t U + b) $$\n"
        "<!-- symbptt: model -->\n$$ \\hat y_t = \\operatorname{softmax}(h_t V + c) $$\n"
        "<!-- symbptt: define \\delta_t := \\frac{\\partial L}{\\partial h_t} -->\n"
        "<!-- symbptt: check -->\n"
        "$$ \\frac{\\partial L}{\\partial W} = (\\delta_t \\odot (1 - h_t^2))^\\top h_{t-1} $$\n"
    )
    out = CliRunner().invoke(main, ["check", "--file", str(notes)]).output
    assert ":8: refused: ambiguous" in out and "numerator layout" in out, out


def test_a_labelled_parameters_copy(tmp_path: Path) -> None:
    """W_h^{(t)}: the copy of W_h at step t (was read as entry h of a W_t)."""
    notes = tmp_path / "labelled.md"
    notes.write_text(
        "<!-- symbptt: conventions time = subscript, layout = mixed -->\n"
        "<!-- symbptt: model -->\n$$ h_t = \\tanh(W_h h_{t-1} + U_h x_t + b_h) $$\n"
        "<!-- symbptt: check -->\n"
        "$$ \\frac{\\partial L}{\\partial W_h} = \\sum_{t=1}^{T} "
        "\\frac{\\partial L}{\\partial W_h^{(t)}} $$\n"
        "<!-- symbptt: check -->\n"
        "$$ \\frac{\\partial L}{\\partial b_h^{(t)}} = \\frac{\\partial L}{\\partial h_t} $$\n"
    )
    out = CliRunner().invoke(main, ["check", "--file", str(notes)]).output
    assert ":5: holds" in out and ":7: does NOT hold" in out, out


@pytest.mark.parametrize(
    ("formula", "verdict"),
    [
        # step t's part of dL/dh_{t-1}: what the cell passes back, not the total
        (
            r"\frac{\partial L}{\partial h_{t-1}} = "
            r"W^\top (\frac{\partial L}{\partial h_t} \odot (1 - h_t^2))",
            "refused: ambiguous",
        ),
        # false as the total and as the part
        (
            r"\frac{\partial L}{\partial h_{t-1}} = "
            r"W (\frac{\partial L}{\partial h_t} \odot (1 - h_t^2))",
            "does NOT hold",
        ),
        # the total, with the state's own loss: holds
        (
            r"\frac{\partial L}{\partial h_{t-1}} = "
            r"W^\top (\frac{\partial L}{\partial h_t} \odot (1 - h_t^2)) + "
            r"\frac{\partial l_{t-1}}{\partial h_{t-1}}",
            "holds",
        ),
    ],
)
def test_a_states_gradient_that_is_one_steps_part_is_read_both_ways(
    tmp_path: Path, formula: str, verdict: str
) -> None:
    """dL/dh_{t-1} = (what step t passes back): code-like notes and a cell's backward pass
    write the part for the whole; refused where only that reading holds."""
    out = _answer(tmp_path, formula)
    assert f": {verdict}" in out, out
    if "ambiguous" in verdict:
        assert "the next step passes back" in out


def test_notes_that_write_delta_for_nabla_and_as_a_prefix(tmp_path: Path) -> None:
    """nabla = \\Delta: \\Delta_{h_t} L is the gradient; delta-prefix = total: \\delta h_t is
    dL/dh_t (undeclared, both are unknown names)."""
    notes = tmp_path / "deltas.md"
    head = (
        "<!-- symbptt: model -->\n$$ h_t = \\tanh(W h_{t-1} + U x_t + b) $$\n"
        "<!-- symbptt: check -->\n"
        "$$ \\Delta_{b}L = \\sum_{t=1}^{T} \\Delta_{h_t}L \\odot (1 - h_t^2) $$\n"
        "<!-- symbptt: check -->\n"
        "$$ \\frac{\\partial L}{\\partial b} = \\sum_{t=1}^{T} \\delta h_t $$\n"
    )
    declared = "<!-- symbptt: conventions nabla = \\Delta, delta-prefix = total -->\n"
    notes.write_text(declared + head)
    out = CliRunner().invoke(main, ["check", "--file", str(notes)]).output
    assert ":5: holds" in out and ":7: does NOT hold" in out, out
    notes.write_text(head)
    out = CliRunner().invoke(main, ["check", "--file", str(notes)]).output
    assert out.count("refused: unknown symbol") == 2, out
