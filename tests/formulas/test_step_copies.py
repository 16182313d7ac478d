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
