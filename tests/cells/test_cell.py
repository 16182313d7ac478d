"""A user's own cell from a spec file's [cell] table: read, verified, and refused with a
located message when it means nothing. The example is the minimal gated unit (Zhou et al.,
"Minimal gated unit for recurrent neural networks", 2016), derivations/minimal-gated-unit.toml."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import Spec
from symbptt.core.tensor import OneMinus, text
from symbptt.derive.adjoint import derive, describe
from symbptt.derive.jvp import state_tangents
from symbptt.errors import FormulaSyntaxError, SpecError
from symbptt.read.cell import read_cell
from symbptt.verifier.run import verify_vector

MGU = Path(__file__).resolve().parents[2] / "derivations" / "minimal-gated-unit.toml"


def mgu(**changes: object) -> dict:
    table = tomllib.loads(MGU.read_text())["cell"]
    return {**table, **changes}


def test_the_equations_become_a_model_declaration() -> None:
    model = read_cell(mgu(), where="mgu")
    assert model.states == ("h",)
    targets = [eq.target for eq in model.equations]
    # each function's argument is an intermediate of its own (its node in the rings)
    assert targets == ["f_pre", "f", "h_tilde_pre", "h_tilde", "h", "o"]
    assert model.latex()["h_tilde"] == r"\tilde{\mathbf{h}}_{@}"
    h = model.equation("h").expr
    assert isinstance(h.left.left, OneMinus)  # (1 - f_t) * h_(t-1) + f_t * h_tilde_t


def test_the_backward_program_and_the_jacobian_are_derived() -> None:
    model = read_cell(mgu(), where="mgu")
    lines = describe(derive(model))
    assert lines[0].startswith("delta_h_t = W_y^T c (o_t - d_t) + ")
    assert lines[0].endswith("delta_h_(T+1) = 0")
    (tangent,) = state_tangents(model)
    assert "(1 - f_t) * dir:h_(t-1)" in text(tangent)  # the direct path through the gate


@pytest.mark.parametrize("T", [1, 2, 3])
def test_every_check_holds_exactly(T: int) -> None:
    report = verify_vector(Spec(read_cell(mgu(), where="mgu"), T=T))
    assert report.holds and report.method.startswith("exact")
    names = {c.name for c in report.checks}
    assert {"backward recursion dL/dU_h", "sum of products dh_t/dU_f"} <= names
    assert "output layer: dh_t/dW_y = dh_t/db_y = 0" in names
    assert ("reference: SymPy Jacobians = forward mode" in names) is (2 * T <= 3)


def test_a_small_cell_is_checked_against_sympy_too() -> None:
    report = verify_vector(Spec(read_cell(mgu(sizes={"n": 1, "m": 1, "k": 1}), where="m"), T=3))
    assert report.holds
    assert any(c.name.startswith("reference: SymPy") for c in report.checks)


def test_modular_verification_of_a_longer_sequence() -> None:
    spec = Spec(read_cell(mgu(sizes={"n": 4, "m": 2, "k": 2}), where="mgu"), T=12)
    report = verify_vector(spec, method="modular")
    assert report.holds and all(c.error_bound < 2.0**-60 for c in report.checks)
    with pytest.raises(SpecError, match="--method modular"):
        verify_vector(spec, method="exact")
    chosen = verify_vector(spec)  # auto: modular, saying why
    assert "modular" in chosen.method and chosen.method_reason.startswith("--method auto")


def test_a_recursion_without_the_gate_s_carry_term_fails_with_a_counterexample() -> None:
    spec = Spec(read_cell(mgu(), where="mgu"), T=2)
    right = derive(spec.model)
    step = next(s for s in right.steps if s.name == "delta_h")
    carry = step.expr.right  # (1 - f_(t+1)) * delta_h_(t+1), the last term of the sum
    assert text(carry) == "(1 - f_(t+1)) * delta_h_(t+1)"
    steps = tuple(dataclasses.replace(s, expr=s.expr.left) if s is step else s for s in right.steps)
    report = verify_vector(spec, program=dataclasses.replace(right, steps=steps))
    bad = next(c for c in report.failures if c.name == "backward recursion dL/dU_f")
    assert bad.counterexample is not None


def test_the_backward_program_has_a_step_per_quantity() -> None:
    lines = describe(derive(read_cell(mgu(), where="mgu")))
    assert lines[1:5] == [
        "delta_h_tilde_t = f_t * delta_h_t",
        "delta_h_tilde_pre_t = dh_tilde_t * delta_h_tilde_t",
        "delta_f_t = h_(t-1) * U_h^T delta_h_tilde_pre_t - h_(t-1) * delta_h_t "
        "+ h_tilde_t * delta_h_t",
        "delta_f_pre_t = df_t * delta_f_t",
    ]
    assert "dL/dU_h = sum_t delta_h_tilde_pre_t (f_t * h_(t-1))^T" in lines


def test_verify_on_the_command_line() -> None:
    runner = CliRunner()
    result = runner.invoke(cli.main, ["verify", "--cell", str(MGU), "-T", "3"])
    assert result.exit_code == 0, result.output
    assert "minimal gated unit" in result.output and "all checks hold" in result.output
    result = runner.invoke(
        cli.main, ["verify", "--cell", str(MGU), "-T", "20", "--method", "modular"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli.main, ["verify", "--cell", str(MGU), "--model", "elman"])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    "old,new,message,line",
    [
        (r"U_f \mathbf{h}_{t-1}", r"U_q \mathbf{h}_{t-1}", "U_q is not declared", 14),
        ('W_y = "k x n"', 'W_y = "k x m"', "cannot multiply a 1x1 matrix by a 2x1", 17),
        (r"\mathbf{o}_t = W_y", r"\mathbf{o}_t = = W_y", "unexpected =", 17),
        (r"\tanh(W_h", r"\cosh(W_h", "unknown function \\cosh", 15),
        (r"\mathbf{h}_t = (1", r"\mathbf{h}_{t-1} = (1", "must be at t", 16),
    ],
)
def test_a_bad_equation_is_refused_with_its_line_and_column(
    tmp_path: Path, old: str, new: str, message: str, line: int
) -> None:
    source = MGU.read_text()
    assert old in source
    bad = tmp_path / "bad.toml"
    bad.write_text(source.replace(old, new, 1))
    data = tomllib.loads(bad.read_text())
    with pytest.raises(FormulaSyntaxError) as caught:
        read_cell(data["cell"], where=str(bad), source=bad.read_text())
    assert message in str(caught.value) and caught.value.line == line
    result = CliRunner().invoke(cli.main, ["verify", "--cell", str(bad), "-T", "2"])
    assert result.exit_code == 2 and message in result.output
    assert f"line {line}" in result.output


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"states": {"h": "n", "c": "n"}}, "'c' has no update equation"),
        ({"parameters": {"W_f": "n x q"}}, "lacks"),
        ({"output": "y"}, "output must name"),
        ({"sizes": {"n": 0, "m": 1, "k": 1}}, "sizes must map"),
        ({"colour": "blue"}, "unknown key 'colour'"),
        ({"inputs": {"x": "m x n"}}, "must be a vector"),
        # names' LaTeX is printed into every document: nothing that leaves the maths
        ({"variables": {"h": {"latex": r"\mathbf{h}_{@} % x"}}}, "'%' is not allowed"),
        ({"variables": {"h": {"latex": r"\input{/etc/passwd}h_{@}"}}}, "input' is not allowed"),
        ({"identities": {"x": {"latex": "h_t = h_t", "display": "eq:x}\\typeout{y"}}}, "label"),
    ],
)
def test_a_bad_table_is_a_spec_error(changes: dict, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        read_cell(mgu(**changes), where="mgu")


def _torch_mgu(params: dict, X, D):  # noqa: ANN001, ANN202 - the MGU as PyTorch code, by hand
    import torch

    P = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    h = P["h_0"][:, 0]
    loss = torch.zeros((), dtype=torch.float64)
    for t in range(X.shape[0]):
        x = torch.tensor(X[t])
        f = torch.sigmoid(P["W_f"] @ x + P["U_f"] @ h + P["b_f"][:, 0])
        h_tilde = torch.tanh(P["W_h"] @ x + P["U_h"] @ (f * h) + P["b_h"][:, 0])
        h = (1 - f) * h + f * h_tilde
        o = P["W_y"] @ h + P["b_y"][:, 0]
        loss = loss + 0.5 * ((o - torch.tensor(D[t])) ** 2).sum()
    loss = loss / X.shape[0]
    loss.backward()
    return float(loss.detach()), {name: p.grad.numpy() for name, p in P.items()}


@pytest.mark.torch
@pytest.mark.parametrize("seed", [0, 1])
def test_generated_code_agrees_with_pytorch_autograd(tmp_path: Path, seed: int) -> None:
    import numpy as np

    from symbptt.codegen.source import numpy_source
    from tests.conftest import load_module

    spec = Spec(read_cell(mgu(sizes={"n": 8, "m": 3, "k": 2}), where="mgu"), T=20)
    module = load_module(numpy_source(spec), tmp_path / "mgu_grads.py")
    rng = np.random.default_rng(seed)
    params = {p: rng.normal(size=spec.shape(p)) * 0.5 for p in spec.model.parameters}
    X, D = rng.normal(size=(20, 3)), rng.normal(size=(20, 2))
    loss, grads = module.gradients(params, X, D)
    torch_loss, torch_grads = _torch_mgu(params, X, D)
    assert abs(loss - torch_loss) < 1e-12
    assert set(grads) == set(torch_grads)
    for name, grad in torch_grads.items():
        assert np.abs(grads[name] - grad).max() < 1e-10, name


def test_codegen_on_the_command_line(tmp_path: Path) -> None:
    target = tmp_path / "mgu.py"
    result = CliRunner().invoke(cli.main, ["codegen", "--cell", str(MGU), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "verified, exact" in result.output and "def gradients" in target.read_text()


@pytest.mark.parametrize(
    "formula,holds",
    [
        (
            r"\frac{\partial L}{\partial \mathbf{o}_t} = \frac{1}{T} (\mathbf{o}_t - \mathbf{d}_t)",
            True,
        ),
        (
            r"\frac{\partial L}{\partial W_y} = \sum_{t=1}^{T} "
            r"\frac{\partial L}{\partial \mathbf{o}_t} \mathbf{h}_t^\top",
            True,
        ),
        (
            r"\frac{\partial \mathbf{h}_t}{\partial \tilde{\mathbf{h}}_t} = "
            r"\operatorname{diag}(\mathbf{f}_t)",
            True,
        ),
        # the gate on the wrong vector
        (
            r"\frac{\partial \mathbf{h}_t}{\partial \tilde{\mathbf{h}}_t} = "
            r"\operatorname{diag}(\mathbf{h}_{t-1})",
            False,
        ),
    ],
)
def test_check_reads_the_cell_s_own_names(formula: str, holds: bool) -> None:
    from symbptt import check

    result = check(formula, model=Spec(read_cell(mgu(), where="mgu"), T=3))
    assert result.holds is holds
    assert holds or result.counterexample is not None


def test_check_on_the_command_line_names_what_it_cannot_read() -> None:
    runner = CliRunner()
    formula = r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{q}_t} = 0"
    result = runner.invoke(cli.main, ["check", "--cell", str(MGU), "-T", "3", formula])
    assert result.exit_code == 2
    assert "unknown symbol" in result.output and "\\tilde h_t" in result.output


JORDAN = MGU.parent / "jordan-network.toml"


@pytest.mark.torch
def test_a_jordan_network_whose_output_feeds_back(tmp_path: Path) -> None:
    """Jordan (1986): the output y_t, not the hidden layer, is the state; the loss's
    adjoint and the recurrence meet in delta_y."""
    import numpy as np
    import torch

    from symbptt.codegen.source import numpy_source
    from tests.conftest import load_module

    table = tomllib.loads(JORDAN.read_text())["cell"]
    model = read_cell(table, where=str(JORDAN))
    assert describe(derive(model))[0] == "delta_y_t = c (y_t - d_t) + U^T delta_h_pre_(t+1)"
    assert verify_vector(Spec(model, T=3)).holds
    assert verify_vector(Spec(model, T=20), method="modular").holds
    big = read_cell({**table, "sizes": {"n": 6, "m": 3, "k": 2}}, where=str(JORDAN))
    module = load_module(numpy_source(Spec(big, T=15)), tmp_path / "jordan.py")
    rng = np.random.default_rng(3)
    params = {p: rng.normal(size=big.shape(p)) * 0.5 for p in big.parameters}
    X, D = rng.normal(size=(15, 3)), rng.normal(size=(15, 2))
    loss, grads = module.gradients(params, X, D)
    P = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    y, total = P["y_0"][:, 0], torch.zeros((), dtype=torch.float64)
    for t in range(15):  # the Jordan network by hand, for autograd
        h = torch.tanh(P["W"] @ torch.tensor(X[t]) + P["U"] @ y + P["b"][:, 0])
        y = P["V"] @ h + P["b_y"][:, 0]
        total = total + 0.5 * ((y - torch.tensor(D[t])) ** 2).sum()
    (total / 15).backward()
    assert abs(loss - float(total.detach()) / 15) < 1e-12
    for name, p in P.items():
        assert np.abs(grads[name] - p.grad.numpy()).max() < 1e-10, name
