"""Generated NumPy code computes the verified recursion's gradients."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import ElmanSpec, SpecError
from symbptt.codegen.crosscheck import atoms, gradients_at
from symbptt.codegen.source import numpy_source
from symbptt.core.primitives import NUMPY_PRIMITIVES
from tests.conftest import load_module

#: The Elman model's parameters and its view w_h.
GRADIENTS = ("W_hh", "W_xh", "b_h", "W_hy", "b_y", "h_0", "w_h")


def random_model(spec: ElmanSpec, seed: int) -> tuple[dict, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = {name: rng.normal(size=spec.shape(name)) * 0.7 for name in GRADIENTS[:-1]}
    X = rng.normal(size=(spec.T, spec.inputs))
    D = rng.normal(size=(spec.T, spec.outputs))
    return params, X, D


@pytest.mark.parametrize("activation", sorted(NUMPY_PRIMITIVES))
@pytest.mark.parametrize("output", ["identity", "sigmoid"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_generated_code_matches_the_engine_at_the_same_weights(
    tmp_path: Path, activation: str, output: str, reduction: str
) -> None:
    spec = ElmanSpec(
        hidden=3,
        T=5,
        inputs=2,
        outputs=2,
        activation=activation,
        output_activation=output,
        reduction=reduction,
    )
    module = load_module(numpy_source(spec), tmp_path / "grads.py")
    params, X, D = random_model(spec, seed=1)
    loss, grads = module.gradients(params, X, D)
    exact = gradients_at(spec, atoms(spec, params, X, D))
    assert set(grads) == set(GRADIENTS)
    for name in GRADIENTS:
        assert grads[name].shape == spec.shape(name)
        assert np.max(np.abs(grads[name] - np.array(exact[name]))) < 1e-12, name
    assert np.isfinite(loss) and loss > 0


def test_one_module_serves_every_size(tmp_path: Path) -> None:
    module = load_module(numpy_source(ElmanSpec(hidden=2, T=2)), tmp_path / "grads.py")
    for n, m, k, T in [(1, 1, 1, 1), (4, 3, 2, 7)]:
        spec = ElmanSpec(hidden=n, T=T, inputs=m, outputs=k)
        params, X, D = random_model(spec, seed=n)
        _, grads = module.gradients(params, X, D)
        exact = gradients_at(spec, atoms(spec, params, X, D))
        for name in GRADIENTS:
            assert np.allclose(grads[name], exact[name], rtol=0, atol=1e-12)


def test_the_header_shows_the_verified_program() -> None:
    source = numpy_source(ElmanSpec(hidden=2, T=2, reduction="sum"))
    assert "delta_t = dphi_t * (W_hy^T g_t + W_hh^T delta_(t+1))" in source
    assert "c = 1.0\n" in source
    assert "for t in range(T, 0, -1):" in source  # only the recursion loops


def test_generic_activations_have_no_numpy_code() -> None:
    with pytest.raises(SpecError, match="concrete activation"):
        numpy_source(ElmanSpec(hidden=2, T=2, activation="generic"))


def test_cli_writes_an_importable_module(tmp_path: Path) -> None:
    out = tmp_path / "rnn_grads.py"
    result = CliRunner().invoke(
        cli.main, ["codegen", "--activation", "sigmoid", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    module = load_module(out.read_text(), tmp_path / "again.py")
    spec = ElmanSpec(hidden=2, T=3, activation="sigmoid")
    params, X, D = random_model(spec, seed=4)
    _, grads = module.gradients(params, X, D)
    exact = gradients_at(spec, atoms(spec, params, X, D))
    assert np.allclose(grads["W_hh"], exact["W_hh"], rtol=0, atol=1e-12)


def test_cli_prints_to_stdout_and_rejects_generic(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.main, ["codegen"])
    assert result.exit_code == 0 and "def gradients(params, X, D):" in result.output
    result = CliRunner().invoke(
        cli.main, ["codegen", "--activation", "generic", "-o", str(tmp_path / "g.py")]
    )
    assert result.exit_code == 2
    assert "not one of" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "g.py").exists()
