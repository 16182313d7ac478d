"""Default output names (issue 25, item 9): two runs whose options change the document
never write the same file, and a run with every option at its default keeps the name it
always had (derivation-T4.pdf, derivation-elman-n3-T4.pdf)."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import symbptt.build
import symbptt.cli as cli
from symbptt.render.names import document_stem, option_parts


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch):
    """``pdf`` with the work left out: the name it would write, per command line."""

    def fake_make_pdf(spec, output, **kwargs):
        return SimpleNamespace(pdf=Path(output)), SimpleNamespace(holds=True)

    monkeypatch.setattr(symbptt.build, "make_pdf", fake_make_pdf)

    def name(*args: str) -> str:
        result = CliRunner().invoke(cli.main, ["pdf", *args])
        assert result.exit_code == 0, result.stderr
        return result.stdout.split()[1]

    return name


def test_defaults_keep_their_names(written) -> None:
    assert written() == "derivation-T4.pdf"
    assert written("--model", "elman") == "derivation-elman-n3-T4.pdf"
    assert written("--model", "lstm", "-T", "3") == "derivation-lstm-n3-T3.pdf"
    # an option given with its default value changes nothing in the document
    assert written("--activation", "generic", "--loss", "mean") == "derivation-T4.pdf"


def test_the_notations_and_the_elman_model_get_five_plus_one_names(written) -> None:
    names = [written("--notation", n) for n in ("d2l", "goodfellow", "wildml", "pascanu")]
    names += [written("--notation", "note000"), written("--model", "elman")]
    assert len(set(names)) == len(names), names
    assert names[1] == "derivation-elman-n3-T4-goodfellow.pdf"


DOCUMENT_OPTIONS = [
    ["--activation", "tanh"],
    ["--output-activation", "sigmoid"],
    ["--loss", "sum"],
    ["--step-loss", "squared"],
    ["--h0", "zero"],
    ["--immediate-style", "bar"],
    ["--method", "modular"],
    ["--title", "Week 7"],
    ["--author", "A. Lecturer"],
    ["-T", "3"],
]


def test_every_option_that_changes_the_document_changes_the_name(written) -> None:
    names = {written(*args) for args in DOCUMENT_OPTIONS}
    names.add(written())
    assert len(names) == len(DOCUMENT_OPTIONS) + 1, names
    pairs = {written(*a, *b) for a, b in itertools.combinations(DOCUMENT_OPTIONS[:7], 2)}
    assert len(pairs) == 21 and not pairs & names


def test_the_name_does_not_depend_on_the_order_of_the_options(written) -> None:
    one = written("--loss", "sum", "--activation", "tanh", "--notation", "d2l")
    other = written("--notation", "d2l", "--activation", "tanh", "--loss", "sum")
    assert one == other == "derivation-elman-n3-T4-phi-tanh-sum-d2l.pdf"


def test_templates_in_different_directories_get_different_names(written, tmp_path: Path) -> None:
    names = set()
    for where in ("a", "b"):
        (tmp_path / where).mkdir()
        template = tmp_path / where / "mine.tex.j2"
        template.write_text('\\BLOCK{extends "base.tex.j2"}\n')
        names.add(written("--template", str(template)))
    assert len(names) == 2


def test_option_parts_and_stems() -> None:
    assert option_parts({}) == []
    assert option_parts({"notation": "profiles/My_Source.toml"}) == ["my-source"]
    spec = SimpleNamespace(file_stem="derivation-gru-cho-n3-T4")
    assert document_stem(spec, {"outputs": 2, "method": "modular"}) == (
        "derivation-gru-cho-n3-T4-k2-modular"
    )


@pytest.mark.tex
def test_a_real_run_writes_the_named_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["pdf", "-T", "1", "--activation", "tanh"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "derivation-T1-phi-tanh.pdf").is_file()
    assert not (tmp_path / "derivation-T1.pdf").exists()
