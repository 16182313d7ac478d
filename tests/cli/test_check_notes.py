# ruff: noqa: E501  (notes are quoted as their authors write them)
r"""check --file reads the model that notes state (``% symbptt: model``), in their own
names and declared conventions, and checks their formulas against it (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from symbptt.cli import main

NOTES = r"""\documentclass{article}
\begin{document}
% symbptt: conventions time = angle, elementwise = *
% symbptt: model
\begin{align}
a^{\langle t \rangle} &= \tanh(W_{aa} a^{\langle t-1 \rangle} + W_{ax} x^{\langle t \rangle} + b_a) \\
\hat y^{\langle t \rangle} &= \operatorname{softmax}(W_{ya} a^{\langle t \rangle} + b_y)
\end{align}
% symbptt: check
\[ \frac{\partial a^{\langle t \rangle}}{\partial a^{\langle t-1 \rangle}} = \operatorname{diag}(1 - a^{\langle t \rangle} * a^{\langle t \rangle}) W_{aa} \]
% symbptt: check
\[ \frac{\partial a^{\langle t \rangle}}{\partial a^{\langle t-1 \rangle}} = \operatorname{diag}(1 - a^{\langle t \rangle}) W_{aa} \]
\end{document}
"""


def _check(tmp_path: Path, text: str, *args: str, name: str = "notes.tex") -> tuple[int, str]:
    notes = tmp_path / name
    notes.write_text(text)
    done = CliRunner().invoke(main, ["check", "--quiet", "--file", str(notes), *args])
    return done.exit_code, done.output


def test_formulas_are_checked_against_the_notes_own_forward_pass(tmp_path: Path) -> None:
    code, out = _check(tmp_path, NOTES)
    lines = out.splitlines()
    assert code == 1
    assert "note: the loss is the softmax cross-entropy" in lines[0]
    assert any(
        line.endswith(".tex:10: holds for t = 1..4 (modular") or ":10: holds" in line
        for line in lines
    )
    assert any(":12: does NOT hold" in line for line in lines)
    assert "counterexample" in out


def test_the_json_answers_say_what_each_display_is(tmp_path: Path) -> None:
    code, out = _check(tmp_path, NOTES, "--json")
    answers = json.loads(out)
    assert [(a["line"], a["kind"], a["verdict"]) for a in answers] == [
        (10, "check", "holds"),
        (12, "check", "does not hold"),
    ]
    assert "softmax cross-entropy" in answers[0]["notes"][0]


def test_a_model_that_cannot_be_read_is_refused_where_it_breaks(tmp_path: Path) -> None:
    broken = NOTES.replace(r"W_{aa} a^{\langle t-1 \rangle}", r"W_{aa} * a^{\langle t-1 \rangle}")
    broken = broken.replace("elementwise = *", "elementwise = \\odot")
    code, out = _check(tmp_path, broken)
    assert code == 2
    assert ":6:" in out and "may be the matrix product" in out
    assert out.count("refused: the notes' model cannot be read") == 2


def test_a_convention_symbptt_does_not_read_yet_is_refused_not_ignored(tmp_path: Path) -> None:
    code, out = _check(
        tmp_path, NOTES.replace("elementwise = *", "elementwise = *, partial = immediate")
    )
    assert code == 2 and "partial = immediate" in out and "holds" not in out


def test_an_unknown_convention_is_an_error_naming_the_keys(tmp_path: Path) -> None:
    code, out = _check(tmp_path, NOTES.replace("elementwise = *", "colour = red"))
    assert code == 2 and "unknown convention 'colour'" in out and "d-prefix" in out


def test_the_forward_pass_and_conventions_on_the_command_line(tmp_path: Path) -> None:
    formula = r"\frac{\partial h_t}{\partial h_{t-1}} = \operatorname{diag}(1 - h_t \circ h_t) W"
    done = CliRunner().invoke(
        main,
        [
            "check",
            "--forward",
            r"h_t = \tanh(W h_{t-1} + U x_t)",
            "--conventions",
            "elementwise = \\circ",
            formula,
        ],
    )
    assert done.exit_code == 0, done.output
    assert "holds" in done.output and "every loss" in done.output


def test_markdown_notes_use_html_comment_markers(tmp_path: Path) -> None:
    text = (
        "<!-- symbptt: conventions time = superscript -->\n"
        "<!-- symbptt: model -->\n"
        "$$ h^{(t)} = \\tanh(W h^{(t-1)} + U x^{(t)}) $$\n\n"
        "<!-- symbptt: check -->\n"
        "$$ \\frac{\\partial h^{(t)}}{\\partial h^{(t-1)}} = \\operatorname{diag}(1 - h^{(t)} \\odot h^{(t)}) U $$\n"
    )
    code, out = _check(tmp_path, text, name="notes.md")
    assert code == 2 and "refused" in out  # U is 3x2: the shapes say it is W
    code, out = _check(tmp_path, text.replace(") U $$", ") W $$"), name="notes.md")
    assert code == 0 and ".md:6: holds" in out
