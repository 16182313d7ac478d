"""``symbptt tex --fragment``: bodies that users \\input into their own notes (issue 25,
item 10). Two fragments (the scalar RNN and the LSTM) go into one plain ``article`` with
the packages their header comment names; pdflatex sets every equation, on the page,
with no overfull box and no label defined twice.

These tests need TeX Live and poppler-utils (pdftotext), as tests/render/test_documents.py does.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import RNNSpec, verify
from symbptt.errors import SpecError
from symbptt.render.document import DocumentOptions
from symbptt.render.formats.latex import render_tex

#: The text block of a 10pt article on US letter paper (the class's default): 345 pt
#: wide, centred on the 612 pt page.
ARTICLE_LEFT, ARTICLE_RIGHT = (612 - 345) / 2, (612 + 345) / 2


def tex(*args: str) -> str:
    """``symbptt tex`` in-process; its standard output."""
    result = CliRunner().invoke(cli.main, ["tex", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def preamble(fragment: str) -> list[str]:
    """The preamble lines a fragment's header comment asks for (indented comment lines
    with one command each)."""
    return [m.group(1) for m in re.finditer(r"^%   (\\\S+)$", fragment, re.MULTILINE)]


def compile_article(
    work: Path, lines: list[str], names: list[str], documentclass: str = "article"
) -> tuple[str, str]:
    """Compile a plain article (or another standard class) that inputs ``names``, twice
    (for the labels); returns its log and the number of the last equation it set."""
    body = "".join(f"\\input{{{name}}}\n" for name in names)
    (work / "notes.tex").write_text(
        f"\\documentclass{{{documentclass}}}\n"
        + "\n".join(lines)
        + "\n\\begin{document}\n"
        + body
        + "\\typeout{LAST EQUATION \\theequation}\n\\end{document}\n"
    )
    for _ in range(2):
        proc = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "notes.tex"],
            cwd=work,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        log = (work / "notes.log").read_text(errors="replace")
        assert proc.returncode == 0, log[-3000:]
    last = re.search(r"LAST EQUATION (\d+)", log)
    assert last, log[-2000:]
    return log, last.group(1)


def words_off_the_text_block(pdf: Path) -> list[str]:
    """Words that pdftotext finds left or right of the article's text block."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.finditer(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" [^>]*>([^<]*)<', out)
    return [
        m.group(3)
        for m in words
        if float(m.group(1)) < ARTICLE_LEFT - 1 or float(m.group(2)) > ARTICLE_RIGHT + 1
    ]


@pytest.mark.tex
def test_two_fragments_in_a_plain_article_set_every_equation(tmp_path: Path) -> None:
    scalar = tex("--fragment")
    lstm = tex("--fragment", "--model", "lstm")
    (tmp_path / "scalar.tex").write_text(scalar)
    (tmp_path / "lstm.tex").write_text(lstm)
    # the header names everything the fragment needs, \allowdisplaybreaks included
    lines = preamble(scalar)
    assert lines == preamble(lstm)
    assert "\\allowdisplaybreaks" in lines
    assert any(line.startswith("\\usepackage{amsmath") for line in lines)
    log, last = compile_article(tmp_path, lines, ["scalar", "lstm"])
    assert "Overfull" not in log and "Underfull \\vbox" not in log
    assert "multiply defined" not in log and "undefined" not in log
    # every numbered display was set: the equation counter went through all of them,
    # and the end of each fragment (its certificate's last sentence) is on a page
    displays = sum(f.count("\\begin{align}") + f.count("\\begin{equation}") for f in (scalar, lstm))
    assert int(last) == displays
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "notes.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert f"({last})" in text
    assert text.count("All checks hold.") == 2
    assert words_off_the_text_block(tmp_path / "notes.pdf") == []


@pytest.mark.tex
def test_without_allowdisplaybreaks_in_the_preamble_nothing_is_lost(tmp_path: Path) -> None:
    lstm = tex("--fragment", "--model", "lstm", "-T", "3")
    (tmp_path / "lstm.tex").write_text(lstm)
    lines = [line for line in preamble(lstm) if line != "\\allowdisplaybreaks"]
    log, last = compile_article(tmp_path, lines, ["lstm"])
    assert "Overfull" not in log
    assert int(last) == lstm.count("\\begin{align}") + lstm.count("\\begin{equation}")


def test_default_label_prefixes_differ_and_every_label_has_one() -> None:
    scalar = tex("--fragment", "-T", "2")
    tanh = tex("--fragment", "-T", "2", "--activation", "tanh")
    prefixes = []
    for fragment in (scalar, tanh):
        labels = re.findall(r"\\label\{([^}]*)\}", fragment)
        refs = re.findall(r"\\(?:eq)?ref\{([^}]*)\}", fragment)
        prefix = labels[0].split("sec:")[0]
        assert prefix and all(name.startswith(prefix) for name in labels + refs)
        prefixes.append(prefix)
    assert prefixes == ["derivation-T2:", "derivation-T2-phi-tanh:"]


def test_label_prefix_and_top_level_options() -> None:
    fragment = tex("--fragment", "-T", "2", "--label-prefix", "bptt:", "--top-level", "subsection")
    assert "\\subsection{The model}\\label{bptt:sec:model}" in fragment
    assert "\\section{" not in fragment
    assert "\\eqref{bptt:eq:expansion}" in fragment
    chapter = tex("--fragment", "-T", "2", "--top-level", "chapter")
    assert "\\chapter{The backward recursion}" in chapter
    assert "Chapter~\\ref{" in chapter


@pytest.mark.parametrize(
    "args, message",
    [
        (["--top-level", "chapter"], "--top-level applies to --fragment"),
        (["--fragment", "--label-prefix", "a b"], "--label-prefix"),
        (["--fragment", "--label-prefix", "x}\\input{/etc/passwd"], "--label-prefix"),
        (["--fragment", "--top-level", "part"], "--top-level"),
    ],
)
def test_bad_fragment_options_are_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli.main, ["tex", "-T", "2", *args])
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.tex
def test_a_chapter_fragment_compiles_in_a_report(tmp_path: Path) -> None:
    fragment = tex("--fragment", "-T", "2", "--top-level", "chapter")
    (tmp_path / "body.tex").write_text(fragment)
    compile_article(tmp_path, preamble(fragment), ["body"], documentclass="report")


def test_a_whole_document_keeps_its_labels_and_width() -> None:
    spec = RNNSpec(T=2)
    report = verify(spec)
    whole = render_tex(spec, report)
    assert "\\label{sec:model}" in whole and "\\begingroup" not in whole
    prefixed = render_tex(spec, report, DocumentOptions(label_prefix="n:"), fragment=True)
    assert "\\label{n:sec:model}" in prefixed and "\\label{sec:" not in prefixed


@pytest.mark.parametrize(
    "field, value",
    [("label_prefix", "a{b}"), ("top_level", "part"), ("line_width", 3), ("line_width", "wide")],
)
def test_document_options_refuse_bad_fragment_settings(field: str, value: object) -> None:
    with pytest.raises(SpecError):
        DocumentOptions(**{field: value})


def test_the_latex_article_is_a_registered_format_with_its_own_template_folder() -> None:
    from symbptt.render.env import templates_dir
    from symbptt.render.formats import EXPORTERS, exporter
    from symbptt.render.formats.latex import LATEX

    assert exporter("latex") is LATEX and EXPORTERS["latex"].extension == ".tex"
    assert (templates_dir(LATEX.folder) / LATEX.template).is_file()
    with pytest.raises(SpecError, match="unknown output format 'odt'"):
        exporter("odt")
