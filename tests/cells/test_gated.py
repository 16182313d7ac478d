"""The gated cells (issue 11): the LSTM of torch.nn.LSTM and the GRU in torch's and in
Cho et al.'s form, each one declaration that the generic verifier checks whole."""

from __future__ import annotations

import re

import numpy as np
import pytest

from symbptt import Spec, cells, verify
from symbptt.cells.gated import VARIANTS, gated_spec
from tests.cli.test_cli import run

CELLS = {
    "lstm": lambda **kw: cells.declare("lstm", **kw),
    "gru-torch": lambda **kw: cells.declare("gru-torch", **kw),
    "gru-cho": lambda **kw: cells.declare("gru-cho", **kw),
}


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("initial", ["parameter", "zero"])
def test_every_check_of_a_gated_cell_holds(cell: str, initial: str) -> None:
    """The derived backward program, the Jacobian chain of the (stacked) state, the
    expansion and the sums of products, for every parameter: with the initial states
    as parameters and as zero (the chain is checked column by column of the stacked
    state, where only the states that start at a parameter have columns)."""
    model = CELLS[cell](hidden=2, inputs=2, outputs=2, initial=initial)
    report = verify(Spec(model, T=3), method="modular")
    assert report.holds, [c.name for c in report.failures]
    names = {c.name for c in report.checks}
    assert all(f"backward recursion dL/d{p}" in names for p in model.parameters)
    if initial == "parameter":
        assert any(n.startswith("Jacobian chain") for n in names)


def test_the_lstm_state_is_the_pair_of_hidden_and_cell_state() -> None:
    model = cells.declare("lstm", hidden=3)
    assert model.states == ("c", "h") and model.state_size == 6
    assert dict(model.initial) == {"h": "h_0", "c": "c_0"}
    # torch's parameter names, both biases of every gate
    for gate in "ifgo":
        for name in (f"W_i{gate}", f"W_h{gate}", f"b_i{gate}", f"b_h{gate}"):
            assert name in model.parameters


def test_the_lstm_is_verified_exactly_at_n_2_t_4() -> None:
    """Issue 11's exact size for the LSTM, within its measured limit (exact_work)."""
    report = verify(gated_spec("lstm", T=4, hidden=2), method="exact")
    assert report.holds and "exact" in report.method
    assert gated_spec("lstm", T=5, hidden=2).exact_refusal() is not None


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_the_gru_is_verified_exactly_at_n_2_t_4(variant: str) -> None:
    """Issue 11's exact size for the GRU: its state h_t = (1 - z_t) n_t + z_t h_(t-1) is
    a generator of the exact ring tied to its definition (PolynomialRing.node), not a
    polynomial that grows through every later gate."""
    report = verify(gated_spec("gru", T=4, hidden=2, variant=variant), method="exact")
    assert report.holds and "exact" in report.method
    assert gated_spec("gru", T=4, hidden=3, variant=variant).exact_refusal() is not None


def test_the_gru_variants_are_different_functions() -> None:
    """torch applies the reset gate after the recurrent matrix, Cho et al. before it:
    their parameters differ by name, and their new/candidate states by position."""
    torch_gru, cho_gru = cells.declare("gru-torch", hidden=2), cells.declare("gru-cho", hidden=2)
    assert "W_hn" in torch_gru.parameters and "W_hh" in cho_gru.parameters
    assert "n" in torch_gru.of_kind("intermediate")
    assert "h_tilde" in cho_gru.of_kind("intermediate")


def test_a_cross_entropy_head_on_a_gated_cell_holds() -> None:
    model = cells.declare("lstm", hidden=2, outputs=3, loss="cross-entropy")
    assert verify(Spec(model, T=3), method="modular").holds


@pytest.mark.parametrize(
    "args,check",
    [
        (("--model", "lstm"), "backward recursion dL/dW_hf"),
        (("--model", "gru"), "backward recursion dL/dW_hn"),
        (("--model", "gru", "--gru-variant", "cho"), "backward recursion dL/dW_hh"),
    ],
)
def test_verify_takes_the_gated_cells_by_name(args: tuple[str, ...], check: str) -> None:
    result = run("verify", *args, "--hidden", "2", "-T", "3", "--method", "modular")
    assert result.exit_code == 0, result.output
    assert check in result.output and "all checks hold" in result.output
    assert "Jacobian chain" in result.output


@pytest.mark.parametrize(
    "args,message",
    [
        (("--model", "lstm", "--gru-variant", "cho"), "--gru-variant applies to --model gru"),
        (("--model", "lstm", "--activation", "tanh"), "gates are sigma and tanh"),
        (("--model", "gru", "--hidden", "3", "-T", "5", "--method", "exact"), "--method modular"),
    ],
)
def test_gated_cells_refuse_what_does_not_apply(args: tuple[str, ...], message: str) -> None:
    result = run("verify", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_the_gated_document_names_the_gates_and_writes_tanh_c_once(tmp_path) -> None:
    """The LSTM's document prints its gates as the literature names them, and the
    intermediate tanh(c_t) is not given an equation tanh(c_t) = tanh(c_t)."""
    out = tmp_path / "lstm.tex"
    result = run(
        "tex", "--model", "lstm", "--hidden", "2", "-T", "2", "--method", "modular", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    tex = out.read_text()
    for gate in (
        r"\mathbf{i}_{t}",
        r"\mathbf{f}_{t}",
        r"\mathbf{o}_{t}",
        r"\tilde{\mathbf{c}}_{t}",
    ):
        assert gate in tex
    assert r"\tanh(\mathbf{c}_{t}) &=" not in tex
    assert (
        r"\mathbf{h}_{t} &= \operatorname{diag}\!\left(\mathbf{o}_{t}\right) \tanh(\mathbf{c}_{t})"
        in tex
    )


def test_default_file_names_say_which_cell() -> None:
    from symbptt.cells.gated import gated_spec

    assert gated_spec("lstm", T=4, hidden=3).file_stem == "derivation-lstm-n3-T4"
    spec = gated_spec("gru", T=4, hidden=3, variant="cho")
    assert spec.file_stem == "derivation-gru-cho-n3-T4"


@pytest.mark.torch
@pytest.mark.parametrize("cell", ["lstm", "gru-torch", "gru-cho"])
@pytest.mark.parametrize("seed", [0, 1])
def test_generated_code_agrees_with_torch_nn_lstm_and_gru(tmp_path, cell: str, seed: int) -> None:
    """The NumPy code compiled from the verified program against PyTorch's own cells
    (torch.nn.LSTM, torch.nn.GRU; Cho et al.'s GRU in torch operations) with autograd, in
    float64, at n = 8, T = 20: the weights, data and gradients of the cross-check's
    witness (symbptt.codegen.torch_cells)."""
    from symbptt.codegen.crosscheck import torch_run
    from symbptt.codegen.source import numpy_source
    from tests.conftest import load_module

    spec = Spec(CELLS[cell](hidden=8, inputs=3, outputs=2), T=20)
    module = load_module(numpy_source(spec), tmp_path / "grads.py")
    witness = torch_run(spec, seed=seed)
    loss, grads = module.gradients(witness.params, witness.X, witness.D)
    assert abs(loss - witness.loss) < 1e-12
    assert set(grads) == set(witness.grads) == set(spec.model.parameters)
    for name, grad in witness.grads.items():
        assert np.abs(grads[name] - grad).max() < 1e-10, name


@pytest.mark.parametrize("args", [("--model", "lstm"), ("--model", "gru", "--gru-variant", "cho")])
def test_codegen_takes_the_gated_cells_by_name(tmp_path, args: tuple[str, ...]) -> None:
    target = tmp_path / "grads.py"
    result = run("codegen", *args, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "backward recursion verified" in result.output
    assert "def gradients(params, X, D):" in target.read_text()


def test_codegen_refuses_a_variant_without_the_gru(tmp_path) -> None:
    result = run("codegen", "--model", "lstm", "--gru-variant", "cho", "-o", str(tmp_path / "g.py"))
    assert result.exit_code == 2 and "--gru-variant applies to --model gru" in result.stderr
    assert not (tmp_path / "g.py").exists()


def check_lstm(formula: str):
    from symbptt import check

    return check(formula, model=gated_spec("lstm", T=3, hidden=2), method="modular")


def check_gru(formula: str, variant: str = "torch"):
    from symbptt import check

    return check(formula, model=gated_spec("gru", T=3, hidden=2, variant=variant), method="modular")


DL = r"\frac{\partial L}{\partial "
#: The LSTM's backward equations as the literature writes them (the cell state's adjoint
#: with its carry term through the next forget gate).
LSTM_CELL_ADJOINT = (
    DL
    + r"\mathbf{c}_t} = \operatorname{diag}(\mathbf{o}_t \odot \tanh'(\mathbf{c}_t)) "
    + DL
    + r"\mathbf{h}_t} + \operatorname{diag}(\mathbf{f}_{t+1}) "
    + DL
    + r"\mathbf{c}_{t+1}}"
)


@pytest.mark.parametrize(
    "formula",
    [
        LSTM_CELL_ADJOINT,
        DL + r"\mathbf{o}_t} = \operatorname{diag}(\tanh(\mathbf{c}_t)) " + DL + r"\mathbf{h}_t}",
        DL + r"\tilde{\mathbf{c}}_t} = \operatorname{diag}(\mathbf{i}_t) " + DL + r"\mathbf{c}_t}",
        DL + r"\mathbf{f}_t} = \operatorname{diag}(\mathbf{c}_{t-1}) " + DL + r"\mathbf{c}_t}",
        r"\frac{\partial \mathbf{c}_t}{\partial \mathbf{c}_{t-1}} = "
        r"\operatorname{diag}(\mathbf{f}_t)",
        r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{c}_{t-1}} = "
        r"\operatorname{diag}(\mathbf{o}_t \odot \tanh'(\mathbf{c}_t) \odot \mathbf{f}_t)",
    ],
)
def test_the_lstm_backward_equations_of_the_literature_hold(formula: str) -> None:
    """Derivatives of a state by the previous state are read as the literature reads
    them, blocks of the Jacobian of (h_t, c_t) by (h_(t-1), c_(t-1)): dc_t/dc_(t-1) is
    diag(f_t), the constant error carousel."""
    result = check_lstm(formula)
    assert result.holds, result.explanation


@pytest.mark.parametrize(
    "formula",
    [
        # the cell state's adjoint without the carry term dL/dc_(t+1) f_(t+1)
        LSTM_CELL_ADJOINT.split(r" + \operatorname{diag}(\mathbf{f}_{t+1})")[0],
        # tanh(c_t) where tanh'(c_t) belongs
        LSTM_CELL_ADJOINT.replace(r"\tanh'(\mathbf{c}_t)", r"\tanh(\mathbf{c}_t)"),
        # the output gate's derivative without tanh(c_t)
        DL + r"\mathbf{o}_t} = " + DL + r"\mathbf{h}_t}",
    ],
)
def test_typical_wrong_lstm_equations_get_a_counterexample(formula: str) -> None:
    result = check_lstm(formula)
    assert not result.holds and result.counterexample is not None, result.explanation
    assert result.counterexample.lhs != result.counterexample.rhs


@pytest.mark.parametrize(
    "formula",
    [
        DL + r"\mathbf{a}^{f}_t} = \mathbf{f}_t \odot (1 - \mathbf{f}_t) \odot \mathbf{c}_{t-1}"
        r" \odot " + DL + r"\mathbf{c}_t}",
        DL + r"\mathbf{a}_t^{o}} = \sigma'(\mathbf{a}_t^{o}) \odot \tanh(\mathbf{c}_t) \odot"
        r" \boldsymbol\delta^h_t",
        r"\boldsymbol{\delta}^{c}_t = \mathbf{o}_t \odot \tanh'(\mathbf{c}_t) \odot "
        r"\boldsymbol{\delta}^{h}_t + \mathbf{f}_{t+1} \odot \boldsymbol{\delta}^{c}_{t+1}",
    ],
)
def test_pre_activations_and_adjoints_are_read_as_the_document_writes_them(formula: str) -> None:
    """a^f_t (or a_t^f) is the forget gate's pre-activation and delta^c_t = dL/dc_t, as
    the LSTM document prints them."""
    result = check_lstm(formula)
    assert result.holds, result.explanation


def test_an_unknown_superscripted_name_is_refused_by_name() -> None:
    result = run("check", "--model", "lstm", "--hidden", "2", "-T", "3", r"\mathbf{a}^{q}_t = 0")
    assert result.exit_code == 2 and r"unknown symbol \mathbf a^{q}_{t}" in result.stderr


#: dn_t/dh_(t-1) of torch.nn.GRU (the reset gate multiplies W_hn h_(t-1) + b_hn), and the
#: same derivative as Cho et al.'s GRU has it (the reset gate multiplies h_(t-1) first).
GRU_TORCH = (
    r"\frac{\partial \mathbf{n}_t}{\partial \mathbf{h}_{t-1}} = \operatorname{diag}(1 - "
    r"\mathbf{n}_t \odot \mathbf{n}_t) \left(\operatorname{diag}(\mathbf{r}_t) W_{hn} + "
    r"\operatorname{diag}(W_{hn} \mathbf{h}_{t-1} + \mathbf{b}_{hn}) \operatorname{diag}("
    r"\mathbf{r}_t \odot (1 - \mathbf{r}_t)) W_{hr}\right)"
)
GRU_CHO_FORM = (
    r"\frac{\partial \mathbf{n}_t}{\partial \mathbf{h}_{t-1}} = \operatorname{diag}(1 - "
    r"\mathbf{n}_t \odot \mathbf{n}_t) \left(W_{hn} \operatorname{diag}(\mathbf{r}_t) + "
    r"W_{hn} \operatorname{diag}(\mathbf{h}_{t-1}) \operatorname{diag}(\mathbf{r}_t \odot "
    r"(1 - \mathbf{r}_t)) W_{hr}\right)"
)


def test_a_gru_gradient_written_for_the_other_variant_gets_a_counterexample() -> None:
    """The 1 of 1 - z_t is the all-ones vector, as in every textbook."""
    assert check_gru(GRU_TORCH).holds
    wrong = check_gru(GRU_CHO_FORM)
    assert not wrong.holds and wrong.counterexample is not None
    cho = GRU_CHO_FORM.replace(r"\mathbf{n}_t", r"\tilde{\mathbf{h}}_t").replace("W_{hn}", "W_{hh}")
    assert check_gru(cho, variant="cho").holds
    assert check_gru(
        r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{n}_t} = "
        r"\operatorname{diag}(1 - \mathbf{z}_t)"
    ).holds


@pytest.mark.torch
@pytest.mark.parametrize("cell,variant", [("lstm", "torch"), ("gru", "torch"), ("gru", "cho")])
@pytest.mark.parametrize("loss,outputs", [("squared", 2), ("cross-entropy", 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_crosscheck_agrees_with_pytorch_for_the_gated_cells(
    cell: str, variant: str, loss: str, outputs: int, seed: int
) -> None:
    """torch.nn.LSTM and torch.nn.GRU (and Cho et al.'s GRU written in torch operations),
    autograd in float64, against symbptt's verified backward program at n = 8, T = 20."""
    from symbptt.codegen.crosscheck import crosscheck

    spec = gated_spec(cell, T=20, hidden=8, inputs=3, outputs=outputs, loss=loss, variant=variant)
    result = crosscheck(spec, seed=seed)
    assert result.agrees, result.differences
    assert set(result.differences) == set(spec.model.parameters)
    assert max(result.differences.values()) < 1e-10


@pytest.mark.torch
def test_crosscheck_on_the_command_line_takes_the_gated_cells() -> None:
    result = run("crosscheck", "--model", "gru", "--gru-variant", "cho", "--hidden", "3", "-T", "4")
    assert result.exit_code == 0, result.output
    assert "dL/dW_xr" in result.output and "agree within tolerance" in result.output
    wrong = run("crosscheck", "--model", "lstm", "--gru-variant", "cho")
    assert wrong.exit_code == 2 and "--gru-variant applies to --model gru" in wrong.stderr


def test_the_lstm_figure_draws_the_cell_state_path(tmp_path) -> None:
    """One row per state; the cell state's path c_(t-1) -> c_t is thick, and the caption
    prints its block of the Jacobian, diag(f_t)."""
    out = tmp_path / "lstm.tex"
    result = run(
        "tex", "--model", "lstm", "--hidden", "2", "-T", "3", "--method", "modular", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    tex = out.read_text()
    assert r"\node[state] (r1c0) at (0,0.0) {$\mathbf{c}_{0}$};" in tex
    assert r"\draw[->, very thick] (r1c0) -- (r1c1);" in tex  # the cell-state path
    assert r"\draw[->] (r2c0) -- (r1c1);" in tex  # h_0 feeds c_1 through the gates
    assert r"= \operatorname{diag}\!\left(\mathbf{f}_{t}\right)$, the other state held" in tex


@pytest.mark.parametrize("cell", ["lstm", "gru-torch"])
def test_each_loop_of_the_generated_code_makes_one_matrix_product_per_step(cell: str) -> None:
    """At n = 64 a step costs what its NumPy calls cost to start: the forward loop stacks
    the gates' products of h_(t-1) into one, the backward loop the products W^T (...)
    that it reads at t + 1."""
    from symbptt.codegen.source import numpy_source

    source = numpy_source(Spec(CELLS[cell](hidden=2), T=3))
    loops = [
        re.match(r".*(\n {8}.*)*", part).group() for part in source.split("    for t in range(")[1:]
    ]
    assert len(loops) == 2  # forward, backward
    for loop in loops:
        assert loop.count("@") == 1, loop


def test_a_carried_vector_must_vanish_with_the_loop() -> None:
    """A carrier's array is read first at t = T + 1, where it is zero: W^T (f_(t+1) *
    delta_(t+1)) may be carried (it is zero when delta is), W^T (f_(t+1) + delta_(t+1))
    may not."""
    from symbptt.codegen.loop import plan_loop
    from symbptt.core.tensor import Add, Had, MatVec, Param, Transpose, Var

    def plan(vector):
        step = MatVec(Transpose(Param("W")), vector)
        counter = iter(range(100))
        return plan_loop([("delta", step)], lambda kind: f"_{kind}{next(counter)}")

    carried = plan(Had(Var("f", 1), Var("delta", 1)))
    assert list(carried.carriers.values()) == [Had(Var("f"), Var("delta"))]
    assert not plan(Add(Var("f", 1), Var("delta", 1))).carriers
