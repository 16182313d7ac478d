"""The softmax cross-entropy head of the vector model: yhat_t = softmax(o_t),
l_t = -log yhat_t[y_t], dL/do_t = c (yhat_t - e_{y_t}) (Goodfellow et al., section 10.2.2),
verified exactly, printed, cross-checked against torch.nn.functional.cross_entropy."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import ElmanSpec, RNNSpec, SpecError
from symbptt.build import make_tex
from symbptt.codegen.source import numpy_source
from symbptt.core.tensor import Had, LossScale, Sub, Var
from symbptt.derive.adjoint import derive, describe
from symbptt.specfile import load
from symbptt.verifier.run import verify_vector
from tests.conftest import load_module

CE = dict(loss="cross-entropy")


def test_the_derived_output_adjoint_is_yhat_minus_the_one_hot_target() -> None:
    program = derive(ElmanSpec(hidden=2, T=3, outputs=3, **CE).model)
    assert describe(program)[0] == "g_t = c dtheta_t * (yhat_t - d_t)"


@pytest.mark.parametrize("hidden,T,outputs", [(2, 3, 2), (3, 4, 3)])
@pytest.mark.parametrize("output", ["identity", "sigmoid"])
def test_every_gradient_holds_exactly(hidden: int, T: int, outputs: int, output: str) -> None:
    spec = ElmanSpec(hidden=hidden, T=T, inputs=2, outputs=outputs, output_activation=output, **CE)
    report = verify_vector(spec)
    assert report.holds and report.method.startswith("exact")
    names = {c.name for c in report.checks}
    assert "backward recursion dL/dW_hy" in names
    if hidden <= 2 and T <= 3:  # the SymPy reference, with an undefined LSE, agrees
        assert "reference: SymPy Jacobians = forward mode" in names


def test_the_squared_loss_gradient_under_a_softmax_head_fails_at_a_one_hot_target() -> None:
    spec = ElmanSpec(hidden=2, T=3, outputs=3, **CE)
    right = derive(spec.model)
    wrong_g = LossScale(Had(Var("dtheta"), Sub(Var("o"), Var("d"))))  # o_t - d_t, not yhat_t
    wrong = dataclasses.replace(
        right, steps=(dataclasses.replace(right.steps[0], expr=wrong_g), *right.steps[1:])
    )
    report = verify_vector(spec, program=wrong)
    bad = next(c for c in report.failures if c.name == "backward recursion dL/dW_hy")
    example = bad.counterexample
    assert example is not None and not example.exact  # softmax needs intervals
    for t in range(1, spec.T + 1):  # the target of each step is a one-hot vector
        target = [Fraction(example.values[f"d_{t}[{q}]"]) for q in range(3)]
        assert sorted(target) == [0, 0, 1]


def test_modular_verification_of_a_larger_model() -> None:
    report = verify_vector(ElmanSpec(hidden=6, T=10, inputs=3, outputs=4, **CE), method="modular")
    assert report.holds and all(0 < c.error_bound < 2.0**-60 for c in report.checks)


def test_the_scalar_model_refuses_the_cross_entropy_loss() -> None:
    with pytest.raises(SpecError, match="vector model"):
        RNNSpec(T=3, loss="cross-entropy")
    result = CliRunner().invoke(cli.main, ["verify", "-T", "3", "--step-loss", "cross-entropy"])
    assert result.exit_code == 2 and "--model elman" in result.output


def test_verify_and_the_document_on_the_command_line(tmp_path: Path) -> None:
    args = ["--model", "elman", "--hidden", "2", "--outputs", "3", "-T", "3"]
    result = CliRunner().invoke(cli.main, ["verify", *args, "--step-loss", "cross-entropy"])
    assert result.exit_code == 0, result.output
    assert "cross-entropy" in result.output and "all checks hold" in result.output
    tex, report = make_tex(ElmanSpec(hidden=2, T=3, outputs=3, **CE))
    assert report.holds
    assert r"\hat{\mathbf{y}}_{t} &= \operatorname{softmax}" in tex
    assert r"\left(\hat{\mathbf{y}}_{t} - \mathbf{e}_{y_{t}}\right)" in tex
    assert "per-step cross-entropy losses" in tex


def test_a_spec_file_chooses_the_loss(tmp_path: Path) -> None:
    path = tmp_path / "ce.toml"
    path.write_text(
        '[model]\nmodel = "elman"\nhidden = 2\noutputs = 3\nstep_loss = "cross-entropy"\n'
    )
    spec = load(path).spec
    assert spec.model.family == "elman" and spec.loss == "cross-entropy"


@pytest.mark.torch
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("hidden,T", [(3, 5), (8, 20)])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradients_agree_with_torch_cross_entropy(
    seed: int, hidden: int, T: int, reduction: str
) -> None:
    from symbptt.codegen.crosscheck import crosscheck

    spec = ElmanSpec(hidden=hidden, T=T, inputs=3, outputs=4, reduction=reduction, **CE)
    result = crosscheck(spec, seed=seed)
    assert result.agrees, result.differences


@pytest.mark.torch
def test_generated_code_agrees_with_torch_cross_entropy(tmp_path: Path) -> None:
    from symbptt.codegen.crosscheck import torch_run

    spec = ElmanSpec(hidden=8, T=20, inputs=4, outputs=5, **CE)
    module = load_module(numpy_source(spec), tmp_path / "grads.py")
    run = torch_run(spec, seed=7)
    loss, grads = module.gradients(run.params, run.X, run.D)
    assert abs(loss - run.loss) < 1e-12
    for name, grad in run.grads.items():
        assert abs(grads[name] - grad).max() < 1e-10, name


@pytest.mark.torch
def test_crosscheck_and_codegen_take_the_step_loss(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli.main, ["crosscheck", "--step-loss", "cross-entropy"])
    assert result.exit_code == 0 and "cross-entropy" in result.output, result.output
    target = tmp_path / "g.py"
    result = runner.invoke(cli.main, ["codegen", "--step-loss", "cross-entropy", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "softmax" in target.read_text() or "YHAT" in target.read_text()


@pytest.mark.parametrize(
    "formula,holds",
    [
        (r"\mathbf{g}_t = \frac{1}{T} (\hat{y}_t - \mathbf{d}_t)", True),
        (
            r"\frac{\partial L}{\partial \mathbf{o}_t} = \frac{1}{T} (\hat{y}_t - \mathbf{d}_t)",
            True,
        ),
        (r"\frac{\partial \ell_t}{\partial \mathbf{o}_t} = \hat{y}_t - \mathbf{d}_t", True),
        # the squared loss's gradient, written for a softmax head
        (r"\mathbf{g}_t = \frac{1}{T} (\mathbf{o}_t - \mathbf{d}_t)", False),
    ],
)
def test_check_reads_yhat_as_the_softmax_under_this_head(formula: str, holds: bool) -> None:
    from symbptt import check

    spec = ElmanSpec(hidden=2, T=3, outputs=3, **CE)
    result = check(formula, model=spec)
    assert result.holds is holds
    if not holds:
        assert result.counterexample is not None


# -- derivatives by the probabilities yhat_t ----------------------------------------------------

DL_DYHAT = r"\frac{\partial L_t}{\partial \hat{\mathbf{y}}_t}"


@pytest.mark.parametrize(
    "formula,holds",
    [
        # the chain rule of the tutorials, through the probabilities (rows: numerator layout)
        (
            rf"\frac{{\partial L_t}}{{\partial \mathbf{{o}}_t}} = {DL_DYHAT} "
            r"\frac{\partial \hat{\mathbf{y}}_t}{\partial \mathbf{o}_t}",
            True,
        ),
        (
            r"\frac{\partial L}{\partial \mathbf{b}_y} = \frac{1}{T} \sum_{t=1}^{T} "
            rf"{DL_DYHAT} \frac{{\partial \hat{{\mathbf{{y}}}}_t}}{{\partial \mathbf{{o}}_t}} "
            r"\frac{\partial \mathbf{o}_t}{\partial \mathbf{b}_y}",
            True,
        ),
        # the mean L carries 1/T, the step's loss does not
        (r"\frac{\partial L}{\partial \hat{\mathbf{y}}_t} = \frac{1}{T} " + DL_DYHAT, True),
        (r"\frac{\partial L}{\partial \hat{\mathbf{y}}_t} = " + DL_DYHAT, False),
        # another step's loss does not depend on yhat_t
        (
            r"\frac{\partial L_{t+1}}{\partial \hat{\mathbf{y}}_t} "
            r"\frac{\partial \hat{\mathbf{y}}_t}{\partial \mathbf{o}_t} "
            r"= 0 \frac{\partial L_t}{\partial \mathbf{o}_t}",
            True,
        ),
    ],
)
def test_a_derivative_by_the_probabilities_is_that_of_minus_the_log_likelihood(
    formula: str, holds: bool
) -> None:
    """dl_t/dyhat_t = -d_t / yhat_t (l_t = -d_t . log yhat_t at a one-hot target), so the
    chain rule through the softmax's Jacobian gives yhat_t - d_t: decided exactly, with
    1/yhat_t[q] an atom tied to yhat_t[q] by their product 1."""
    from symbptt import check

    spec = ElmanSpec(hidden=2, T=3, outputs=3, output_activation="identity", **CE)
    result = check(formula, model=spec)
    assert result.holds is holds, result.explanation
    assert result.method.startswith("exact")
    if not holds:
        assert result.counterexample is not None


def test_the_modular_method_decides_the_same_through_the_probabilities() -> None:
    from symbptt import check

    spec = ElmanSpec(hidden=2, T=3, outputs=3, output_activation="identity", **CE)
    formula = (
        rf"\frac{{\partial L_t}}{{\partial \mathbf{{o}}_t}} = {DL_DYHAT} "
        r"\frac{\partial \hat{\mathbf{y}}_t}{\partial \mathbf{o}_t}"
    )
    result = check(formula, model=spec, method="modular")
    assert result.holds and result.method.startswith("modular")


def test_nothing_but_the_loss_is_differentiated_by_the_probabilities() -> None:
    from symbptt import FormulaSyntaxError, check

    spec = ElmanSpec(hidden=2, T=3, outputs=3, **CE)
    with pytest.raises(FormulaSyntaxError, match="computes nothing from yhat_t but the loss"):
        check(r"\frac{\partial \mathbf{h}_t}{\partial \hat{\mathbf{y}}_t} = 0", model=spec)
