"""The first hour (issue 25): the defaults work, a spec file means what the command line
means, every report can be printed as JSON, and long work says what it is doing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symbptt import RNNSpec, verify
from symbptt.cells.choose import build_spec
from symbptt.core.method import choose_method
from symbptt.errors import SpecError
from symbptt.specfile import load
from tests.cli.test_cli import run

CELLS = Path(__file__).resolve().parents[2] / "derivations"


# -- --method auto: exact where the estimate allows it, else modular, saying why --------
def test_auto_takes_the_exact_method_within_its_limits_and_says_so() -> None:
    result = run("verify", "-T", "3")
    assert result.exit_code == 0
    assert "method: exact" in result.output
    assert "(--method auto chose exact: the model is within its limits)" in result.output
    assert "auto chose" not in run("verify", "-T", "3", "--method", "exact").output


@pytest.mark.parametrize(
    "args",
    [
        ["--model", "gru", "-T", "5", "--hidden", "1"],
        ["--model", "gru", "--gru-variant", "cho", "-T", "5", "--hidden", "1"],
        ["--cell", str(CELLS / "minimal-gated-unit.toml"), "-T", "4"],
        ["--cell", str(CELLS / "jordan-network.toml"), "-T", "5"],
    ],
)
def test_auto_chooses_the_modular_method_beyond_the_exact_limits_and_says_why(
    args: list[str],
) -> None:
    result = run("verify", *args)
    assert result.exit_code == 0, result.output
    assert "method: modular" in result.output
    assert "(--method auto chose modular: exact verification of" in result.output


def test_exact_stays_an_explicit_choice_and_its_refusal_names_the_option() -> None:
    result = run("verify", "--model", "gru", "-T", "5", "--method", "exact")
    assert result.exit_code == 2
    assert "--method modular" in result.stderr


def test_the_api_defaults_to_auto_too() -> None:
    report = verify(RNNSpec(T=301))
    assert "modular" in report.method
    assert report.method_reason == "--method auto chose modular: the exact method handles T <= 300"
    assert choose_method(RNNSpec(T=3), "auto").name == "exact"
    with pytest.raises(SpecError, match="unknown method"):
        choose_method(RNNSpec(T=3), "fast")


def test_the_document_names_the_method_chosen_and_why() -> None:
    gru = run("tex", "--model", "gru", "-T", "5", "--hidden", "1", "--quiet")
    assert gru.exit_code == 0
    # the prose is wrapped in the source: read it as TeX does, a newline as a space
    said = " ".join(gru.stdout.split())
    assert "(chosen automatically, since exact verification of the GRU" in said
    scalar = " ".join(run("tex", "-T", "2", "--quiet").stdout.split())
    assert "exact (canonical polynomial form) (chosen automatically, since the model" in scalar


def test_check_says_when_auto_chose_the_modular_method() -> None:
    formula = r"\frac{\partial h_t}{\partial h_{t-1}} = \phi'(s_t) w"
    result = run("check", "-T", "301", formula)
    assert result.exit_code == 0
    assert "holds for t = 1..301 (modular" in result.output
    assert "note: --method auto chose modular: the exact method handles T <= 300" in result.output


# -- spec files and --cell FILE: one way of building a model ---------------------------
def test_verify_cell_takes_the_file_s_own_T_unless_the_command_line_gives_one() -> None:
    cell = str(CELLS / "jordan-network.toml")  # [model] T = 3
    assert "T=3" in run("verify", "--cell", cell).output.splitlines()[0]
    assert "T=2" in run("verify", "--cell", cell, "-T", "2").output.splitlines()[0]


def test_a_cell_file_refuses_options_that_name_another_model() -> None:
    result = run("verify", "--cell", str(CELLS / "jordan-network.toml"), "--model", "elman")
    assert result.exit_code == 2 and "--cell declares the model" in result.stderr
    result = run("verify", "--cell", str(CELLS / "jordan-network.toml"), "--hidden", "4")
    assert result.exit_code == 2 and "--hidden does not apply" in result.stderr


def test_a_spec_file_can_choose_a_built_in_gated_model(tmp_path: Path) -> None:
    path = tmp_path / "lstm.toml"
    path.write_text('[model]\nmodel = "lstm"\nT = 2\nhidden = 2\nloss = "sum"\n')
    loaded = load(path)
    assert loaded.spec == build_spec(model="lstm", T=2, hidden=2, reduction="sum")
    assert loaded.method == "auto"


def test_a_spec_file_key_the_model_does_not_take_is_refused_even_at_its_default(
    tmp_path: Path,
) -> None:
    path = tmp_path / "scalar.toml"
    path.write_text("[model]\nhidden = 3\n")  # the scalar model has no hidden size
    with pytest.raises(SpecError, match=r"\[model\] hidden applies to --model elman"):
        load(path)


def test_a_spec_file_s_keys_are_the_command_line_s_options(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[model]\nwidth = 3\n")
    with pytest.raises(SpecError) as err:
        load(path)
    for key in ("hidden", "inputs", "outputs", "step_loss", "loss", "gru_variant"):
        assert key in str(err.value)


def test_loss_means_the_reduction_in_a_spec_file_as_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text('[model]\nloss = "squared"\n')
    with pytest.raises(SpecError, match='the per-step loss is step_loss = "squared"'):
        load(path)
    path.write_text('[model]\nstep_loss = "squared"\nloss = "sum"\n')
    assert load(path).spec == RNNSpec(T=4, loss="squared", reduction="sum")
    path.write_text('[model]\nreduction = "sum"\n')  # another name for it
    assert load(path).spec.reduction == "sum"


# -- JSON for every model --------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["--model", "lstm", "-T", "2", "--hidden", "1"],
        ["--model", "gru", "-T", "2", "--hidden", "1"],
        ["--cell", str(CELLS / "jordan-network.toml"), "-T", "2"],
    ],
)
def test_verify_json_works_for_the_gated_models_and_cells(args: list[str]) -> None:
    result = run("verify", *args, "--json", "--quiet")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["holds"] is True and data["model"]["T"] == 2
    assert data["model"]["name"] in ("LSTM", "GRU (torch.nn.GRU)", "Jordan network")


# -- options offered are options taken --------------------------------------------------
def test_codegen_offers_only_the_step_losses_it_takes() -> None:
    help_text = run("codegen", "--help").output
    assert "generic" not in help_text.split("--step-loss")[1].split("--")[0]
    assert run("codegen", "--step-loss", "generic").exit_code == 2


# -- progress --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args,says",
    [
        (["verify", "-T", "2"], "[1] backward recursion dL/dw ..."),
        (["codegen", "-o", "-"], "[1] backward recursion dL/dW_hh ..."),
        (["check", "--file", "notes.tex"], "[2/2] notes.tex:6 ..."),
        (["tex", "-T", "2", "-o", "d.tex"], "  rendering the document ..."),
        pytest.param(["pdf", "-T", "1", "-o", "d.pdf"], "  pdflatex ...", marks=pytest.mark.tex),
        pytest.param(["crosscheck", "-T", "2"], "  PyTorch autograd ...", marks=pytest.mark.torch),
    ],
)
def test_long_work_prints_progress_on_stderr_and_quiet_silences_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], says: str
) -> None:
    from symbptt.cli.options import _Progress

    monkeypatch.chdir(tmp_path)
    display = "% symbptt: check\n\\[ \\frac{\\partial h_t}{\\partial h_{t-1}} = \\phi'(s_t) w \\]\n"
    (tmp_path / "notes.tex").write_text("\n" + display + "\n" + display)
    monkeypatch.setattr(_Progress, "delay", -1.0)  # as if every step came after a second
    loud, quiet = run(*args), run(*args, "--quiet")
    assert loud.exit_code == quiet.exit_code
    assert says in loud.stderr
    assert quiet.stderr == ""


def test_auto_turns_modular_when_exact_forms_outgrow_what_the_estimate_foresaw() -> None:
    result = run("check", "--model", "elman", "--hidden", "2", "(W_{hh})^{1000} = (W_{hh})^{1000}")
    assert result.exit_code == 0 and "holds at T = 4 (modular" in result.output
    assert "note: --method auto chose modular: the exact method stopped: an exact product" in (
        result.output
    )
    exact = run(
        "check", "--model", "elman", "--hidden", "2", "--method", "exact", "W_{hh}^{1000} = 0"
    )
    assert exact.exit_code == 2 and "--method modular" in exact.stderr


def test_assert_equivalent_takes_auto_formula_by_formula_too() -> None:
    from symbptt import assert_equivalent

    big = "(w+v+h_0+x_1+x_2+x_3+x_4)^{30}"
    assert_equivalent(big, big)  # exact would refuse its canonical forms
