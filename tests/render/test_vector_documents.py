"""The vector model's document: matrix notation, every section, every check certified."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import ElmanSpec
from symbptt.build import make_pdf, make_tex
from symbptt.derive.adjoint import derive
from symbptt.errors import SpecError, UnverifiedError
from symbptt.specfile import load
from tests.conftest import untransposed
from tests.render.test_documents import ROOT, SECTION_TITLES, pdf_text


@pytest.mark.parametrize(
    "hidden,T,activation",
    [(1, 1, "generic"), (2, 3, "tanh"), (3, 4, "tanh"), (3, 6, "sigmoid"), (2, 5, "softplus")],
)
@pytest.mark.tex
def test_pdf_has_every_section_and_every_certificate_row(
    tmp_path: Path, hidden: int, T: int, activation: str
) -> None:
    spec = ElmanSpec(hidden=hidden, T=T, inputs=2, outputs=2, activation=activation)
    result, report = make_pdf(spec, tmp_path / "d.pdf")
    text = pdf_text(result.pdf)
    for title in SECTION_TITLES:
        assert title in text
    assert len(report.checks) == 17 + spec.uses_sympy_reference()  # + SymPy's reference for small
    for check in report.checks:
        assert re.search(re.escape(check.name) + r".*holds", text), check.name
    assert f"the sum has {T} terms" in text
    assert not result.overfull_boxes


@pytest.mark.parametrize("T", [6, 12, 20])
@pytest.mark.tex
def test_long_documents_break_lines_and_elide(tmp_path: Path, T: int) -> None:
    spec = ElmanSpec(hidden=2, T=T)
    result, _ = make_pdf(spec, tmp_path / "d.pdf", method="modular")
    assert not result.overfull_boxes
    if T > 6:
        assert "the middle ones are elided here, not in the checks" in pdf_text(result.pdf).replace(
            "\n", " "
        )


def test_matrix_notation_is_used_consistently() -> None:
    tex, _ = make_tex(ElmanSpec(hidden=2, T=3))
    body = tex.split(r"\section{The model}")[1]
    assert r"\mathbf{h}_{t-1}" in body and r"W_{hh}^\top" in body
    assert r"\operatorname{diag}" in body
    assert r"\odot" not in body  # diag(a) b throughout, as the conventions paragraph says
    assert "\\prod_" not in body  # ordered products are written out, never as a \prod
    # the instance: latest Jacobian first, one immediate partial per term
    instance = body.split(r"\label{eq:immediate}")[1].split(r"\label{eq:instance}")[0]
    assert instance.count(r"\partial^{+}") == 3
    first = instance.index(r"\partial \mathbf{h}_{3}}{\partial \mathbf{h}_{2}}")
    second = instance.index(r"\partial \mathbf{h}_{2}}{\partial \mathbf{h}_{1}}")
    assert first < second


def test_the_base_case_is_shown_at_work() -> None:
    tex, _ = make_tex(ElmanSpec(hidden=2, T=3))
    deltas = tex.split(r"\label{eq:backward}")[1].split(r"\label{eq:deltas}")[0]
    assert r"\boldsymbol{\delta}_{4} &= \mathbf{0}" in deltas
    assert (
        r"= \operatorname{diag}\!\left(\phi'(\mathbf{s}_{3})\right) W_{hy}^\top \mathbf{g}_{3}"
        in deltas
    )


def test_an_unverified_vector_document_is_not_written(tmp_path: Path) -> None:
    spec = ElmanSpec(hidden=2, T=3, activation="generic")
    wrong = untransposed(derive(spec.model))
    target = tmp_path / "d.pdf"
    with pytest.raises(UnverifiedError, match="backward recursion dL/dW_hh"):
        make_pdf(spec, target, program=wrong)
    assert not target.exists()


def test_the_document_prints_the_program_that_was_verified() -> None:
    spec = ElmanSpec(hidden=2, T=3, activation="generic")
    wrong = untransposed(derive(spec.model))
    tex, report = make_tex(spec, program=wrong, allow_unverified=True)
    backward = tex.split(r"\label{eq:backward}")[0].rsplit(r"\begin", 1)[1]
    assert r"W_{hh} \boldsymbol{\delta}_{t+1}" in backward
    assert r"W_{hh}^\top \boldsymbol{\delta}_{t+1}" not in backward
    assert report.program == wrong and not report.holds


@pytest.mark.tex
def test_cli_pdf_tex_and_limits(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "e.pdf"
    result = runner.invoke(
        cli.main, ["pdf", "--model", "elman", "--hidden", "3", "-T", "4", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "all checks hold" in result.output and out.exists()
    result = runner.invoke(cli.main, ["tex", "--model", "elman", "--hidden", "2", "-T", "2"])
    assert result.exit_code == 0 and r"\mathbf{h}_{" in result.output
    result = runner.invoke(
        cli.main, ["pdf", "--model", "elman", "--hidden", "4", "-T", "4", "--method", "exact"]
    )
    assert result.exit_code == 2
    assert "n <= 3, T <= 6" in result.stderr and "modular" in result.stderr


@pytest.mark.tex
def test_default_file_name_names_the_model(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["pdf", "--model", "elman", "--hidden", "2", "-T", "2"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "derivation-elman-n2-T2.pdf").exists()


@pytest.mark.tex
def test_shipped_vector_derivation_builds(tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    spec_file = ROOT / "derivations" / "elman-note-000.toml"
    result = CliRunner().invoke(cli.main, ["build", str(spec_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    loaded = load(spec_file)
    assert loaded.spec.model.family == "elman" and loaded.spec.inputs == 2
    assert "w_h" in pdf_text(out)


def test_spec_file_keys_of_the_other_model_are_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[model]\nmodel = "elman"\nh0 = "zero"\n')
    with pytest.raises(SpecError, match="h0 applies to --model scalar, lstm, gru, not elman"):
        load(bad)
    bad.write_text('[model]\nmodel = "lstm"\nactivation = "tanh"\n')
    with pytest.raises(SpecError, match="the LSTM's gates are sigma and tanh"):
        load(bad)


def test_a_template_can_extend_the_vector_document(tmp_path: Path) -> None:
    mine = tmp_path / "mine.tex.j2"
    mine.write_text(
        '\\BLOCK{extends "base.tex.j2"}\n\\BLOCK{block intro}My own intro.\\BLOCK{endblock}\n'
    )
    tex, _ = make_tex(ElmanSpec(hidden=2, T=2), template=mine)
    assert "My own intro." in tex and r"\section{The backward recursion}" in tex


def test_notation_options_apply_to_the_vector_document() -> None:
    from symbptt.render.document import DocumentOptions
    from symbptt.render.notation import Notation

    options = DocumentOptions(notation=Notation(immediate="bar", total="d", loss=r"\mathcal{L}"))
    tex, _ = make_tex(ElmanSpec(hidden=2, T=2), options=options)
    body = tex.split(r"\section{The model}")[1]
    assert r"\partial^{+}" not in body and r"\bar{\partial} \mathbf{h}" in body
    assert r"\frac{d \mathbf{h}_{2}}{d W_{hh}}" in body
    assert r"\frac{\partial \mathcal{L}}{\partial W_{hh}}" in body


def test_golden_vector_document_is_unchanged() -> None:
    """If this fails after an intended change: python -m tests.golden_doc, review the diff."""
    from tests.golden_doc import VECTOR_GOLDEN, render_vector

    assert render_vector() == VECTOR_GOLDEN.read_text(encoding="utf-8")
