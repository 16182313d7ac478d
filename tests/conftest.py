"""Shared fixtures: the activations and small horizons every engine is tested over."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

from symbptt.core.primitives import ACTIVATIONS
from symbptt.core.tensor import MatVec, Param, Transpose, Var

ALL_ACTIVATIONS = list(ACTIVATIONS)
SMALL_T = list(range(1, 9))

#: PyTorch is optional (the cross-check's extra): without it, the module that builds the
#: corpus's truth with autograd is not collected (its tests skip, saying why).
HAS_TORCH = importlib.util.find_spec("torch") is not None
collect_ignore = [] if HAS_TORCH else ["corpus_torch.py"]
#: Why a test that needs PyTorch skips without it.
TORCH_MISSING = (
    "PyTorch is not installed (optional: the cross-check's extra; CPU-only: "
    "pip install torch --index-url https://download.pytorch.org/whl/cpu)"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "torch: needs PyTorch (skipped, saying why, without it)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without PyTorch, the tests marked ``torch`` skip with :data:`TORCH_MISSING`."""
    if HAS_TORCH:
        return
    skip = pytest.mark.skip(reason=TORCH_MISSING)
    for item in items:
        if item.get_closest_marker("torch") is not None:
            item.add_marker(skip)


@pytest.fixture(params=ALL_ACTIVATIONS)
def activation(request: pytest.FixtureRequest) -> str:
    """Each activation in turn."""
    return request.param


def _install_recorder(log: str) -> None:
    """Log the inputs of every check/assert_equivalent call the suite makes (one JSON line
    each), for tests/pinned/record.py. Only active with SYMBPTT_RECORD_CHECKS=FILE."""
    import functools
    import json

    import symbptt.checker.pipeline as checker
    from tests.pinned.record import spec_to_dict

    def model_of(model: object) -> object:
        return None if model is None else spec_to_dict(model)

    def write(entry: dict) -> None:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")

    original_check, original_assert = checker.check, checker.assert_equivalent

    @functools.wraps(original_check)
    def check(equation, *, model=None, T=None, method="auto", seed=0, **options):
        try:  # the calls with the options the pinned records know (not notation, layout...)
            if isinstance(equation, str) and isinstance(method, str) and not options:
                entry = {"kind": "check", "equation": equation, "model": model_of(model)}
                write({**entry, "T": T, "method": method, "seed": seed})
        except TypeError:
            pass  # an invalid argument: the call itself will say so
        return original_check(equation, model=model, T=T, method=method, seed=seed, **options)

    @functools.wraps(original_assert)
    def assert_equivalent(lhs, rhs, *, model=None, T=None, method="auto"):
        try:
            if isinstance(lhs, str) and isinstance(rhs, str) and isinstance(method, str):
                entry = {"kind": "assert_equivalent", "lhs": lhs, "rhs": rhs}
                write({**entry, "model": model_of(model), "T": T, "method": method})
        except TypeError:
            pass
        return original_assert(lhs, rhs, model=model, T=T, method=method)

    checker.check, checker.assert_equivalent = check, assert_equivalent


if os.environ.get("SYMBPTT_RECORD_CHECKS"):
    _install_recorder(os.environ["SYMBPTT_RECORD_CHECKS"])


def untransposed(program, matrix="W_hh", adjoint="delta"):
    """The recursion with W_hh where W_hh^T belongs (the usual slip), as a claim (or
    with another square ``matrix`` applied to ``adjoint`` at t + 1)."""

    def replace(expr):
        if expr == MatVec(Transpose(Param(matrix)), Var(adjoint, 1)):
            return MatVec(Param(matrix), Var(adjoint, 1))
        if dataclasses.is_dataclass(expr) and not isinstance(expr, (Var, Param, Transpose)):
            return type(expr)(*(replace(getattr(expr, f.name)) for f in dataclasses.fields(expr)))
        return expr

    return dataclasses.replace(
        program, steps=tuple(dataclasses.replace(s, expr=replace(s.expr)) for s in program.steps)
    )


def load_module(source: str, path: Path) -> ModuleType:
    """Import generated source the way a user would: from a file."""
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
