"""`symbptt verify`: the table, JSON, and the exit-code contract (0 / 1 / 2)."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import __version__
from tests.verifier.test_faults import OFF_BY_ONE, verify_with


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def test_bad_input_error_is_exactly_one_line_on_stderr() -> None:
    result = run("verify", "-T", "0")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")


def test_no_arguments_prints_help() -> None:
    result = run()
    assert result.exit_code == 0 and "verify" in result.output


def test_verify_prints_a_table_and_exits_0() -> None:
    result = CliRunner().invoke(cli.main, ["verify", "-T", "3"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "expansion dh_T/dw" in result.output and "holds" in result.output
    assert "all checks hold" in result.output
    assert "method: exact (canonical polynomial form)" in result.output


def test_verify_json_names_every_check_and_its_method() -> None:
    result = CliRunner().invoke(
        cli.main, ["verify", "-T", "2", "--activation", "tanh", "--json"], catch_exceptions=False
    )
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["holds"]
    assert all(c["method"].startswith("exact") for c in data["checks"])
    assert data["model"]["activation"] == "tanh"


def test_modular_method_states_its_error_bound() -> None:
    result = run("verify", "-T", "30", "--method", "modular")
    assert result.exit_code == 0
    assert "Schwartz-Zippel" in result.output and "error bound" in result.output


def test_a_failing_check_exits_1_and_shows_a_counterexample(monkeypatch) -> None:
    engine = sys.modules["symbptt.verifier.run"]
    monkeypatch.setattr(engine, "verify", lambda spec, **kw: verify_with(spec, OFF_BY_ONE, **kw))
    result = run("verify", "-T", "3")
    assert result.exit_code == 1
    assert "FAILED boxed formula dh_t/dw: first failure at t=2" in result.output
    assert "counterexample at t=2" in result.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["-T", "0"], "0 is not in the range"),
        (["-T", "x"], "'x' is not a valid integer"),
        (["-T", "99999"], "not in the range"),
        (["--activation", "relu"], "'relu' is not one of"),
        (["--loss", "median"], "'median' is not one of"),
        (["-T", "1000", "--method", "exact"], "--method modular"),
    ],
)
def test_bad_input_is_a_usage_error_with_exit_2(args: list[str], message: str) -> None:
    result = run("verify", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_version_and_help() -> None:
    assert __version__ in run("--version").output
    for flag in ("-h", "--help"):
        out = run("verify", flag).output
        assert "--method" in out and "--output-activation" in out


def test_verify_the_elman_model() -> None:
    result = CliRunner().invoke(
        cli.main,
        ["verify", "--model", "elman", "--hidden", "3", "-T", "4", "--activation", "tanh"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert "backward recursion dL/dW_hh" in result.output
    assert "sum of products dh_t/dW_hh" in result.output


def test_elman_beyond_the_exact_limits_is_a_usage_error() -> None:
    result = run("verify", "--model", "elman", "--hidden", "4", "-T", "3", "--method", "exact")
    assert result.exit_code == 2 and "use the modular method" in result.stderr
    modular = run("verify", "--model", "elman", "--hidden", "6", "-T", "10", "--method", "modular")
    assert modular.exit_code == 0 and "error bound" in modular.output


def test_an_internal_error_is_never_a_verdict(monkeypatch) -> None:
    """check exits 1 only for a formula that does not hold; a bug in symbptt exits 3,
    with one line that asks for a report."""
    import symbptt.checker.pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(symbptt.checker.pipeline, "check", broken)
    result = run("check", "-T", "2", r"\frac{\partial L}{\partial w} = 0")
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1 and "internal error (RuntimeError: boom)" in result.stderr
