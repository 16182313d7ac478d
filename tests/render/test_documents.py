"""Real PDFs: compiled with TeX, read back with pdftotext, their logs inspected.

These tests need TeX Live and poppler-utils, which ./scripts/run-tests (and so CI)
installs; they fail rather than skip when TeX is missing.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import RNNSpec, verify
from symbptt.build import make_pdf, make_tex
from symbptt.errors import TexBuildError, UnverifiedError
from symbptt.render.document import DocumentOptions
from symbptt.render.formats.latex import render_tex
from symbptt.render.texbuild import compile_pdf
from tests.verifier.test_faults import OFF_BY_ONE, claims_with

ROOT = Path(__file__).resolve().parents[2]
SECTION_TITLES = [
    "The model",
    "The unrolled recurrence",
    "Expanding the total derivative",
    "The sum of products",
    "The backward recursion",
    "Verification certificate",
]


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(
    "T,activation", [(1, "generic"), (2, "tanh"), (4, "sigmoid"), (5, "softplus"), (8, "identity")]
)
@pytest.mark.tex
def test_pdf_has_every_section_and_every_certificate_row(
    tmp_path: Path, T: int, activation: str
) -> None:
    spec = RNNSpec(T=T, activation=activation, output_activation=activation)
    result, report = make_pdf(spec, tmp_path / "d.pdf")
    text = pdf_text(result.pdf)
    for title in SECTION_TITLES:
        assert title in text
    for check in report.checks:
        assert re.search(re.escape(check.name) + r".*holds", text), check.name
    assert f"For t = {T} the sum has {T} terms" in text
    assert "Figure 1: The network unfolded over T = " in text
    assert "Overfull" not in result.log and not result.overfull_boxes


@pytest.mark.parametrize("T", range(1, 13))
@pytest.mark.tex
def test_no_equation_runs_off_the_page(tmp_path: Path, T: int) -> None:
    spec = RNNSpec(T=T, activation="tanh", loss="squared")
    result, _ = make_pdf(spec, tmp_path / "d.pdf")
    assert result.overfull_boxes == []


@pytest.mark.tex
def test_large_T_elides_the_middle_but_certifies_everything(tmp_path: Path) -> None:
    spec = RNNSpec(T=40)
    result, report = make_pdf(spec, tmp_path / "d.pdf", method="modular")
    text = pdf_text(result.pdf)
    assert "the middle ones are elided here, not in the checks" in text.replace("\n", " ")
    expansion = next(c for c in report.checks if c.name == "expansion dh_T/dw")
    assert expansion.comparisons == 2 * 40  # every form of dh_T/dw, the elided ones too
    assert "Zippel" in text and not result.overfull_boxes
    assert len(text.split("\f")) <= 7  # pages: elided forms keep the document short


@pytest.mark.tex
def test_a_failing_check_writes_no_pdf_unless_allowed(tmp_path: Path) -> None:
    target = tmp_path / "d.pdf"
    with pytest.raises(UnverifiedError, match="boxed formula dh_t/dw"):
        make_pdf(RNNSpec(T=3), target, claims=claims_with(OFF_BY_ONE))
    assert not target.exists()
    result, report = make_pdf(
        RNNSpec(T=3), target, allow_unverified=True, claims=claims_with(OFF_BY_ONE)
    )
    text = pdf_text(result.pdf)
    assert not report.holds and "fails at t=2" in text
    assert "this document is unverified" in text


def test_the_document_prints_the_claims_that_were_verified() -> None:
    """A wrong boxed formula passed as the claim is the one the document prints (its
    product starts at j = i, not j = i + 1), next to a certificate that says it fails."""
    right, _ = make_tex(RNNSpec(T=3))
    wrong, report = make_tex(RNNSpec(T=3), claims=claims_with(OFF_BY_ONE), allow_unverified=True)
    assert not report.holds
    boxed = next(c for c in report.claims if c.name == "boxed formula dh_t/dw")
    assert boxed.latex == OFF_BY_ONE["boxed formula dh_t/dw"]
    assert "\\prod_{j=i+1}^{t}" in right and "\\prod_{j=i+1}^{t}" not in wrong
    assert "\\prod_{j=i}^{t}" in wrong


@pytest.mark.tex
def test_user_text_is_printed_literally(tmp_path: Path) -> None:
    title = r"\input{/etc/passwd} $x_1$ 100% #1 & {}"
    result, _ = make_pdf(
        RNNSpec(T=1), tmp_path / "d.pdf", options=DocumentOptions(title=title, author="A & B_c")
    )
    text = pdf_text(result.pdf)
    assert title in text and "A & B_c" in text
    assert "root:" not in text


@pytest.mark.tex
def test_tex_cannot_read_files_outside_its_directory(tmp_path: Path) -> None:
    doc = r"\documentclass{article}\begin{document}\input{/etc/passwd}\end{document}"
    target = tmp_path / "x.pdf"
    with pytest.raises(TexBuildError) as info:
        compile_pdf(doc, target)
    assert "not found" in info.value.first_error
    assert Path(info.value.log_path).exists() and not target.exists()


@pytest.mark.tex
def test_failed_build_leaves_an_existing_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "d.pdf"
    target.write_bytes(b"old")
    with pytest.raises(TexBuildError, match="Undefined control sequence"):
        compile_pdf(r"\documentclass{article}\begin{document}\nosuch\end{document}", target)
    assert target.read_bytes() == b"old"
    # nothing but the old PDF and the failed build's log beside it (no partial file)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.log", "d.pdf"]


def test_missing_tex_names_the_debian_packages(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TexBuildError, match="texlive-latex-recommended.*symbptt tex"):
        compile_pdf("x", tmp_path / "d.pdf")


def test_template_can_override_one_block(tmp_path: Path) -> None:
    own = tmp_path / "mine.tex.j2"
    own.write_text(
        '\\BLOCK{extends "base.tex.j2"}\n'
        "\\BLOCK{block intro}My own introduction.\\BLOCK{endblock}\n"
    )
    spec = RNNSpec(T=2)
    tex = render_tex(spec, verify(spec), template=own)
    assert "My own introduction." in tex and "This derivation" not in tex
    assert "\\section{The sum of products}" in tex


def test_fragment_has_no_preamble() -> None:
    tex, _ = make_tex(RNNSpec(T=2), fragment=True)
    assert "\\documentclass" not in tex and "\\begin{document}" not in tex
    assert "\\section{The model}" in tex


@pytest.mark.tex
def test_cli_pdf_and_tex(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "x.pdf"
    result = runner.invoke(
        cli.main,
        ["pdf", "-T", "2", "-o", str(out), "--keep-tex", "--immediate-style", "bar"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0 and out.exists()
    assert "\\bar{\\partial}" in (tmp_path / "x.tex").read_text()
    result = runner.invoke(cli.main, ["tex", "-T", "2", "-o", str(tmp_path / "y.tex")])
    written = (tmp_path / "y.tex").read_text()
    assert result.exit_code == 0 and written.startswith("% Generated by symbptt")


@pytest.mark.parametrize(
    "name,expected",
    [
        ("note-000.toml", "Expanding the total derivative"),
        ("question-002.toml", "The backward recursion"),
    ],
)
@pytest.mark.tex
def test_shipped_derivations_build(tmp_path: Path, name: str, expected: str) -> None:
    out = tmp_path / "d.pdf"
    result = CliRunner().invoke(
        cli.main,
        ["build", str(ROOT / "derivations" / name), "-o", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert expected in pdf_text(out)


def test_bad_spec_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[model]\nT = 3\nactivaton = 'tanh'\n")
    result = CliRunner().invoke(cli.main, ["build", str(bad)])
    assert result.exit_code == 2
    assert "unknown key 'activaton'" in result.stderr


def test_golden_document_is_unchanged() -> None:
    """If this fails after an intended change: python -m tests.golden_doc, review the diff."""
    from tests.golden_doc import GOLDEN, render

    assert render() == GOLDEN.read_text(encoding="utf-8")


@pytest.mark.parametrize("T", [1, 3, 6])
def test_instance_writes_out_one_term_per_immediate_partial(T: int) -> None:
    tex, _ = make_tex(RNNSpec(T=T))
    instance = tex.split("\\label{eq:immediate}")[1].split("\\label{eq:instance}")[0]
    assert instance.count("\\partial^{+}") == T
    assert f"the sum has {T} terms" in tex


def test_cli_writes_no_pdf_and_exits_1_when_a_check_fails(tmp_path: Path, monkeypatch) -> None:
    import symbptt.build as build

    monkeypatch.setattr(
        build,
        "verify",
        lambda spec, **kw: verify(spec, **{**kw, "claims": claims_with(OFF_BY_ONE)}),
    )
    out = tmp_path / "d.pdf"
    result = CliRunner().invoke(cli.main, ["pdf", "-T", "3", "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "boxed formula dh_t/dw (at t=2)" in result.stderr


@pytest.mark.tex
def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    import os

    result, _ = make_pdf(RNNSpec(T=1), tmp_path / "d.pdf", keep_tex=True)
    umask = os.umask(0)
    os.umask(umask)
    for path in (result.pdf, tmp_path / "d.tex"):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask
