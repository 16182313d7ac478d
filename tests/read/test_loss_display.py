"""The notes' loss displays: which left sides state the total loss and which a step's,
and which right sides sum (or average) every step's loss."""

from __future__ import annotations

import pytest

from symbptt.read.loss_display import TotalLoss, loss_name, loss_side, total_loss


@pytest.mark.parametrize(
    ("lhs", "side"),
    [
        ("L", "total"),
        ("J", "total"),
        (r"\mathcal{L}_{\text{seq}}\left(g^{(i)}, y^{(i)}\right)", "total"),  # a label
        (r"L_{seq}", "total"),
        ("L_t", "step"),
        (r"J^{(t)}(\theta)", "step"),  # a step, then arguments
        ("E_3", "step"),
        (r"\ell_t", "step"),
        ("h_t", None),
    ],
)
def test_a_loss_letter_with_a_label_is_the_total_and_with_a_step_a_step_s(
    lhs: str, side: str | None
) -> None:
    assert loss_side(lhs) == side


@pytest.mark.parametrize(
    ("rhs", "total"),
    [
        (r"\sum_t L_t", TotalLoss("sum")),
        (r"\frac{1}{T}\sum_{t=1}^{T} L_t", TotalLoss("mean", 1, "T")),
        (r"\dfrac{1}{T} \sum_{t=1}^{T} J^{(t)}(\theta)", TotalLoss("mean", 1, "T")),
        (r"\sum_{t=1}^T \ell(\hat y_t, y_t)", TotalLoss("sum", 1, "T", r"\haty_t,y_t")),
        # the i-th sequence's length n^{(i)}: the horizon is n
        (
            r"\sum_{t = 1}^{n^{(i)}}\mathcal{L}_\text{elt}\left(g_t^{(i)}, y_t^{(i)}\right) \;\;.",
            TotalLoss("sum", 1, "n", "g_t^{(i)},y_t^{(i)}"),
        ),
        (r"\sum_{t=1}^{T-1} L_t", None),  # not every step
        (r"\frac12\sum_t L_t", None),  # not the mean over the steps
        (r"\sum_t L", None),  # no step's loss
        (r"\sum_t \ell(\hat y, y)", None),
    ],
)
def test_a_total_loss_sums_or_averages_every_step_s_loss(rhs: str, total: TotalLoss | None) -> None:
    assert total_loss(rhs, ("T", "n")) == total


def test_the_notes_name_of_the_total_loss_is_its_left_side_without_arguments() -> None:
    assert loss_name(r"\mathcal{L}_{\text{seq}}\left(g, y\right)") == r"\mathcal{L}_{{seq}}"
    assert loss_name("J") is None and loss_name(r"J(\theta)") is None
