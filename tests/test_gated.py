"""The gated cells (issue 11): the LSTM of torch.nn.LSTM and the GRU in torch's and in
Cho et al.'s form, each one declaration that the generic verifier checks whole."""

from __future__ import annotations

import pytest

from symbptt import verify
from symbptt.engine.model import CellSpec
from symbptt.models import gru, lstm

CELLS = {
    "lstm": lambda **kw: lstm.declare(**kw),
    "gru-torch": lambda **kw: gru.declare(variant="torch", **kw),
    "gru-cho": lambda **kw: gru.declare(variant="cho", **kw),
}


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("initial", ["parameter", "zero"])
def test_every_check_of_a_gated_cell_holds(cell: str, initial: str) -> None:
    """The derived backward program, the Jacobian chain of the (stacked) state, the
    expansion and the sums of products, for every parameter: with the initial states
    as parameters and as zero (the chain is checked column by column of the stacked
    state, where only the states that start at a parameter have columns)."""
    model = CELLS[cell](hidden=2, inputs=2, outputs=2, initial=initial)
    report = verify(CellSpec(model, T=3), method="modular")
    assert report.holds, [c.name for c in report.failures]
    names = {c.name for c in report.checks}
    assert all(f"backward recursion dL/d{p}" in names for p in model.parameters)
    if initial == "parameter":
        assert any(n.startswith("Jacobian chain") for n in names)


def test_the_lstm_state_is_the_pair_of_hidden_and_cell_state() -> None:
    model = lstm.declare(hidden=3)
    assert model.states == ("c", "h") and model.state_size == 6
    assert dict(model.initial) == {"h": "h_0", "c": "c_0"}
    # torch's parameter names, both biases of every gate
    for gate in "ifgo":
        for name in (f"W_i{gate}", f"W_h{gate}", f"b_i{gate}", f"b_h{gate}"):
            assert name in model.parameters


def test_the_lstm_is_verified_exactly_at_small_sizes() -> None:
    report = verify(CellSpec(lstm.declare(hidden=1), T=3), method="exact")
    assert report.holds and "exact" in report.method


def test_the_gru_variants_are_different_functions() -> None:
    """torch applies the reset gate after the recurrent matrix, Cho et al. before it:
    their parameters differ by name, and their new/candidate states by position."""
    torch_gru, cho_gru = gru.declare(hidden=2), gru.declare(hidden=2, variant="cho")
    assert "W_hn" in torch_gru.parameters and "W_hh" in cho_gru.parameters
    assert "n" in torch_gru.of_kind("intermediate")
    assert "h_tilde" in cho_gru.of_kind("intermediate")


def test_a_cross_entropy_head_on_a_gated_cell_holds() -> None:
    model = lstm.declare(hidden=2, outputs=3, loss="cross-entropy")
    assert verify(CellSpec(model, T=3), method="modular").holds
