"""symbptt's vector-model gradients against PyTorch autograd (skipped without torch)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import ElmanSpec
from tests.conftest import TORCH_MISSING

torch = pytest.importorskip("torch", reason=TORCH_MISSING)

from symbptt.codegen.crosscheck import crosscheck  # noqa: E402

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("hidden,T", [(1, 1), (3, 5), (8, 20)])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradients_agree_with_autograd(seed: int, hidden: int, T: int, reduction: str) -> None:
    result = crosscheck(
        ElmanSpec(hidden=hidden, T=T, inputs=3, outputs=2, reduction=reduction), seed=seed
    )
    assert result.agrees, result.differences
    assert set(result.differences) == {"W_hh", "W_xh", "b_h", "W_hy", "b_y", "h_0", "w_h"}
    assert max(result.differences.values()) < 1e-10


def test_cli_prints_each_parameter_and_exits_0() -> None:
    result = CliRunner().invoke(
        cli.main, ["crosscheck", "--hidden", "3", "-T", "4"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.output.count("largest difference") == 7
    assert "agree within tolerance" in result.output


def test_cli_exits_1_when_a_difference_exceeds_the_tolerance() -> None:
    result = CliRunner().invoke(
        cli.main, ["crosscheck", "--hidden", "2", "-T", "3", "--tolerance", "0"]
    )
    assert result.exit_code == 1 and "EXCEEDS" in result.output


def test_crosscheck_refuses_models_torch_does_not_compute() -> None:
    from symbptt import SymbpttError

    with pytest.raises(SymbpttError, match="tanh"):
        crosscheck(ElmanSpec(hidden=2, T=2, activation="sigmoid"))


@pytest.mark.parametrize("hidden,T", [(8, 20), (64, 100)])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_generated_numpy_code_agrees_with_autograd(
    tmp_path, hidden: int, T: int, reduction: str
) -> None:
    from symbptt.codegen.crosscheck import torch_run
    from symbptt.codegen.source import numpy_source
    from tests.conftest import load_module

    spec = ElmanSpec(hidden=hidden, T=T, inputs=4, outputs=3, reduction=reduction)
    module = load_module(numpy_source(spec), tmp_path / "grads.py")
    run = torch_run(spec, seed=5)
    loss, grads = module.gradients(run.params, run.X, run.D)
    assert abs(loss - run.loss) < 1e-12
    assert set(grads) == set(run.grads)
    for name, grad in run.grads.items():
        assert abs(grads[name] - grad).max() < 1e-10, name


def test_a_cell_s_own_equations_in_torch_are_a_witness_of_its_backward_program() -> None:
    """witness = { torch = "equations" }: the cell's equations run in torch operations
    (sharing symbptt's reading of them, so a witness of the derived backward program
    only); a cell that names no witness is refused, naming what to write."""
    import tomllib
    from pathlib import Path

    from symbptt import Spec, SymbpttError
    from symbptt.read.cell import read_cell

    path = Path(__file__).resolve().parents[2] / "derivations" / "minimal-gated-unit.toml"
    mgu = tomllib.loads(path.read_text())["cell"]
    model = read_cell({**mgu, "witness": {"torch": "equations"}}, where="mgu")
    result = crosscheck(Spec(model, T=4))
    assert result.agrees and set(result.differences) >= {"U_f", "W_h", "b_y"}
    with pytest.raises(SymbpttError, match="names none"):
        crosscheck(Spec(read_cell(mgu, where="mgu"), T=2))
