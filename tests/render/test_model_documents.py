"""The document of any model of the core: one template and one context for the Elman
RNN and for a user's cell, every equation printed from the declaration and the
verified objects, long equations broken, the figure drawn from the model's graph."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import Spec
from symbptt.build import make_pdf, make_tex
from symbptt.derive.adjoint import derive
from symbptt.read.cell import read_cell
from symbptt.render.matrix import MatrixNotation
from symbptt.render.model_derivatives import recursion
from symbptt.render.model_document import shown_parameter
from symbptt.specfile import load
from tests.conftest import untransposed
from tests.render.test_documents import ROOT, SECTION_TITLES, pdf_text

MGU = ROOT / "derivations" / "minimal-gated-unit.toml"
JORDAN = ROOT / "derivations" / "jordan-network.toml"

#: A cell with two states (a cell state c_t carried through a gate, as in an LSTM):
#: the document differentiates through the stacked state xi_t = [h_t; c_t].
TWO_STATES = r"""
name = "two-state cell"
sizes = { n = 1, m = 1, k = 1 }
states = { h = "n", c = "n" }
inputs = { x = "m" }
parameters = { W_f = "n x m", U_f = "n x n", W_g = "n x m", U_g = "n x n", W_y = "k x n" }
output = "o"
equations = '''
\mathbf{f}_t = \sigma(W_f \mathbf{x}_t + U_f \mathbf{h}_{t-1})
\mathbf{g}_t = \tanh(W_g \mathbf{x}_t + U_g \mathbf{h}_{t-1})
\mathbf{c}_t = \mathbf{f}_t \odot \mathbf{c}_{t-1} + (1 - \mathbf{f}_t) \odot \mathbf{g}_t
\mathbf{h}_t = \tanh(\mathbf{c}_t)
\mathbf{o}_t = W_y \mathbf{h}_t
'''
"""


def cell(path: Path | None = None, T: int = 3) -> Spec:
    table = tomllib.loads(path.read_text())["cell"] if path else tomllib.loads(TWO_STATES)
    return Spec(read_cell(table, where="test"), T=T)


@pytest.mark.parametrize("path", [MGU, JORDAN, None], ids=["mgu", "jordan", "two-states"])
@pytest.mark.tex
def test_a_cell_s_pdf_has_every_section_and_certifies_every_check(
    tmp_path: Path, path: Path | None
) -> None:
    spec = cell(path)
    result, report = make_pdf(spec, tmp_path / "d.pdf")
    text = pdf_text(result.pdf)
    for title in SECTION_TITLES:
        assert title in text
    assert report.holds
    for check in report.checks:
        assert re.search(re.escape(check.name) + r".*holds", text), check.name
    assert not result.overfull_boxes


@pytest.mark.parametrize("T", [6, 10])
@pytest.mark.tex
def test_long_cell_documents_break_lines_and_elide(tmp_path: Path, T: int) -> None:
    result, _ = make_pdf(cell(MGU, T=T), tmp_path / "d.pdf", method="modular")
    assert not result.overfull_boxes


def test_the_equations_printed_are_the_declaration_s() -> None:
    tex, _ = make_tex(cell(MGU))
    model = tex.split(r"\section{The model}")[1].split(r"\section")[0]
    assert (
        r"\tilde{\mathbf{h}}_{t} &= \tanh(\mathbf{a}^{\tilde{\mathbf{h}}}_{t})" in model
    )  # the function's argument is an intermediate of its own
    assert r"\mathbf{f}_{t} &= \sigma(\mathbf{a}^{\mathbf{f}}_{t})" in model
    assert r"\odot" not in tex.split(r"\section{The model}")[1]


def test_jacobians_and_immediate_partials_come_from_the_derived_tangents() -> None:
    tex, _ = make_tex(cell(MGU))
    rows = tex.split(r"\label{eq:boxed}")[1].split(r"\label{eq:immediate}")[0]
    # the direct path through the gate: diag(1 - f_j), no parameter in it
    assert r"\operatorname{diag}\!\left(\mathbf{1} - \mathbf{f}_{j}\right)" in rows
    assert r"\partial (U_{f})_{ab}" in rows and r"\partial (b_{f})_{a}" in rows
    assert r"\mathbf{E}_{ab}" in rows and r"\mathbf{e}_{a}" in rows


def test_several_states_are_stacked_and_their_jacobian_given_block_by_block() -> None:
    tex, _ = make_tex(cell())
    assert r"\boldsymbol{\xi}_{t} = \begin{bmatrix} \mathbf{h}_{t} \\ \mathbf{c}_{t}" in tex
    rows = tex.split(r"\label{eq:boxed}")[1].split(r"\label{eq:immediate}")[0]
    # the cell-state path: dc_j/dc_(j-1) = diag(f_j), the carousel
    carousel = r"\frac{\partial \mathbf{c}_{j}}{\partial \mathbf{c}_{j-1}} &= "
    assert carousel + r"\operatorname{diag}\!\left(\mathbf{f}_{j}\right)" in rows
    assert r"\frac{\partial \mathbf{h}_{j}}{\partial \mathbf{c}_{j-1}}" in rows
    assert r"\frac{\partial \boldsymbol{\xi}_{3}}{\partial U_{f}}" in tex


def test_the_shown_parameter_is_the_one_on_the_recurrent_path() -> None:
    assert shown_parameter(cell(MGU).model) == "U_f"
    assert shown_parameter(cell(JORDAN).model) == "U"


def test_the_recursion_written_out_is_the_cycle_of_adjoints() -> None:
    """Jordan: delta_y reads delta_a at t + 1, which needs delta_h and delta_y at t."""
    model = cell(JORDAN).model
    assert [s.name for s in recursion(derive(model))] == ["delta_y", "delta_h", "delta_h_pre"]
    tex, _ = make_tex(cell(JORDAN))
    deltas = tex.split(r"\label{eq:backward}")[1].split(r"\label{eq:deltas}")[0]
    notation = MatrixNotation(model)
    assert f"{notation.vector('delta_h_pre', 4)} &= \\mathbf{{0}}" in deltas
    assert deltas.count(notation.vector("delta_h", 2)) >= 1


def test_a_cell_document_prints_the_program_that_was_verified() -> None:
    spec = cell(JORDAN)
    wrong = untransposed(derive(spec.model), "U", "delta_h_pre")
    tex, report = make_tex(spec, program=wrong, allow_unverified=True)
    backward = tex.split(r"\label{eq:backward}")[0].rsplit(r"\begin", 1)[1]
    assert r"U \boldsymbol{\delta}" in backward and r"U^\top \boldsymbol{\delta}" not in backward
    assert not report.holds


def test_the_figure_is_drawn_from_the_model_s_graph() -> None:
    tex, _ = make_tex(cell(MGU))
    figure = tex.split(r"\begin{tikzpicture}")[1].split(r"\end{tikzpicture}")[0]
    assert "{$U_{f}, U_{h}$}" in figure  # the recurrent edge: what multiplies h_(t-1)
    assert "{$W_{f}, W_{h}$}" in figure and "{$W_{y}$}" in figure


@pytest.mark.tex
def test_pdf_tex_and_build_on_the_command_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli.main, ["pdf", "--cell", str(MGU), "-T", "2"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "derivation-minimal-gated-unit-T2.pdf").exists()
    result = runner.invoke(cli.main, ["tex", "--cell", str(JORDAN), "-T", "2"])
    assert result.exit_code == 0 and r"\mathbf{y}_{t-1}" in result.output
    result = runner.invoke(cli.main, ["build", str(MGU), "-o", "mgu.pdf"])
    assert result.exit_code == 0, result.output
    assert "all checks hold" in result.output and (tmp_path / "mgu.pdf").exists()


def test_a_spec_file_with_a_cell_is_loaded(tmp_path: Path) -> None:
    loaded = load(JORDAN)
    assert loaded.spec.model.family == "cell" and loaded.spec.model.name == "Jordan network"
    bad = tmp_path / "bad.toml"
    bad.write_text(JORDAN.read_text().replace("T = 3", "T = 3\nhidden = 2"))
    with pytest.raises(Exception, match=r"\[model\] hidden does not apply to it"):
        load(bad)
