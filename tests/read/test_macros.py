r"""Macros as TeX applies them, and TeX comments in formulas (issue 24, parts 9 and 6).

A definition applies to a display only if TeX reads it before the display: not in a ``%``
comment, verbatim text or code, not after the display, not in a group closed before it.
Each file below holds a formula that is true as TeX reads it (``\J`` is phi'(s_t) w) or
false (``\J`` is 2 w), and a definition in the wrong place that would turn the verdict
around if it were applied.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import assert_equivalent, check
from symbptt.errors import FormulaSyntaxError
from symbptt.read.display import blank_comments, visible
from symbptt.read.macros import Macro, expand, read_macros
from symbptt.read.markdown import markdown_displays
from symbptt.read.texfile import marked_displays

TRUE = r"\phi'(s_t) w"
FALSE = "2 w"
JACOBIAN = r"\frac{\partial h_t}{\partial h_{t-1}} = \J"


def check_file(tmp_path: Path, name: str, text: str) -> tuple[int, str]:
    path = tmp_path / name
    path.write_text(text)
    result = CliRunner().invoke(cli.main, ["check", "-T", "2", "--file", str(path)])
    return result.exit_code, result.output


def tex(before: str, after: str = "") -> str:
    """A LaTeX file with one marked display of JACOBIAN between ``before`` and ``after``."""
    return f"{before}\n% symbptt: check\n\\[ {JACOBIAN} \\]\n{after}"


def md(before: str, after: str = "") -> str:
    return f"{before}\n\n<!-- symbptt: check -->\n$$ {JACOBIAN} $$\n\n{after}"


# -- where a definition is read ---------------------------------------------------------
def test_a_definition_inside_a_comment_is_not_applied(tmp_path: Path) -> None:
    source = tex(f"\\newcommand{{\\J}}{{{FALSE}}}\n% \\renewcommand{{\\J}}{{{TRUE}}}")
    assert check_file(tmp_path, "notes.tex", source)[0] == 1
    source = tex(f"\\newcommand{{\\J}}{{{TRUE}}} % \\renewcommand{{\\J}}{{{FALSE}}}")
    assert check_file(tmp_path, "notes.tex", source)[0] == 0


@pytest.mark.parametrize(
    "wrapper",
    [
        "\\begin{{verbatim}}\n{}\n\\end{{verbatim}}",
        "\\begin{{lstlisting}}[language=TeX]\n{}\n\\end{{lstlisting}}",
        "\\begin{{minted}}{{latex}}\n{}\n\\end{{minted}}",
        "\\begin{{comment}}\n{}\n\\end{{comment}}",
        "\\verb|{}|",
        "\\iffalse\n{}\n\\fi",
    ],
)
def test_a_definition_inside_verbatim_text_is_not_applied(tmp_path: Path, wrapper: str) -> None:
    hidden = wrapper.format(f"\\renewcommand{{\\J}}{{{TRUE}}}")
    source = tex(f"\\newcommand{{\\J}}{{{FALSE}}}\n{hidden}")
    assert check_file(tmp_path, "notes.tex", source)[0] == 1


def test_a_definition_after_the_display_is_not_applied(tmp_path: Path) -> None:
    code, output = check_file(tmp_path, "notes.tex", tex("", f"\\newcommand{{\\J}}{{{TRUE}}}"))
    assert code == 2 and "unknown symbol \\J" in output
    source = tex(f"\\newcommand{{\\J}}{{{FALSE}}}", f"\\renewcommand{{\\J}}{{{TRUE}}}")
    assert check_file(tmp_path, "notes.tex", source)[0] == 1


def test_each_display_gets_the_definitions_made_before_it(tmp_path: Path) -> None:
    source = tex(f"\\newcommand{{\\J}}{{{TRUE}}}", tex(f"\\renewcommand{{\\J}}{{{FALSE}}}"))
    code, output = check_file(tmp_path, "notes.tex", source)
    assert code == 1
    assert "notes.tex:3: holds" in output and "notes.tex:6: does NOT hold" in output


def test_a_definition_in_a_group_that_has_closed_is_not_applied(tmp_path: Path) -> None:
    for group in ("{{{}}}", "\\begin{{proof}}{}\\end{{proof}}", "\\begingroup{}\\endgroup"):
        inner = group.format(f"\\renewcommand{{\\J}}{{{TRUE}}}")
        source = tex(f"\\newcommand{{\\J}}{{{FALSE}}}\n{inner}")
        assert check_file(tmp_path, "notes.tex", source)[0] == 1, group
    source = tex(f"\\newcommand{{\\J}}{{{FALSE}}}\n{{\\gdef\\J{{{TRUE}}}}}")
    assert check_file(tmp_path, "notes.tex", source)[0] == 0  # \gdef is global


def test_the_definitions_in_an_open_environment_apply(tmp_path: Path) -> None:
    source = tex(f"\\begin{{document}}\n\\newcommand{{\\J}}{{{TRUE}}}", "\\end{document}")
    assert check_file(tmp_path, "notes.tex", source)[0] == 0


def test_nothing_after_end_document_is_read(tmp_path: Path) -> None:
    source = tex(f"\\newcommand{{\\J}}{{{FALSE}}}", "\\end{document}\n" + tex(""))
    code, output = check_file(tmp_path, "notes.tex", source)
    assert code == 1 and output.count("notes.tex:") == 1


def test_a_marker_or_display_inside_verbatim_is_not_checked() -> None:
    source = "\\begin{verbatim}\n% symbptt: check\n\\[ w = 2 \\]\n\\end{verbatim}\n"
    source += "% symbptt: check\n\\[ w = w \\]\n"
    assert [d.text.strip() for d in marked_displays(source)] == ["w = w"]


def test_a_display_closer_inside_a_comment_does_not_close_it() -> None:
    source = "% symbptt: check\n\\[ w % not \\] here\n = w \\]\n"
    (display,) = marked_displays(source)
    assert display.text.split() == ["w", "=", "w"]


def test_a_definition_inside_a_display_is_not_part_of_the_formula(tmp_path: Path) -> None:
    source = f"% symbptt: check\n\\[ \\newcommand{{\\J}}{{{TRUE}}} {JACOBIAN} \\]\n"
    assert check_file(tmp_path, "notes.tex", source)[0] == 0


# -- TeX's definition commands ----------------------------------------------------------
def test_let_copies_the_meaning_the_command_has_when_let_is_read() -> None:
    macros = read_macros(f"\\newcommand{{\\A}}{{{TRUE}}} \\let\\J=\\A \\renewcommand{{\\A}}{{2}}")
    assert macros["\\J"].body == TRUE
    # a primitive keeps its meaning: \oldphi is LaTeX's \phi, not the new one
    macros = read_macros(r"\let\oldphi\phi \renewcommand{\phi}{2\oldphi}")
    assert expand(r"\phi", macros) == r"2\phi"


def test_providecommand_leaves_a_defined_command_alone() -> None:
    macros = read_macros(f"\\newcommand{{\\J}}{{{TRUE}}} \\providecommand{{\\J}}{{2}}")
    assert macros["\\J"].body == TRUE
    assert "\\phi" not in read_macros(r"\providecommand{\phi}{\varphi}")
    assert read_macros(r"\providecommand{\K}{k}")["\\K"].body == "k"


def test_gdef_edef_and_xdef_are_read_with_their_scope_and_expansion() -> None:
    macros = read_macros(r"\def\a{1} {\gdef\b{x} \def\c{y} \xdef\d{\a}} \edef\e{\a} \def\a{2}")
    assert {name: m.body for name, m in macros.items()} == {
        "\\a": "2",
        "\\b": "x",
        "\\d": "1",
        "\\e": "1",
    }
    assert read_macros(r"{\global\long\def\f#1#2{#2#1}}")["\\f"] == Macro(2, "#2#1")


def test_declaremathoperator_starred_or_not_is_an_operator_name() -> None:
    macros = read_macros(r"\DeclareMathOperator*{\argmax}{arg\,max} \DeclareMathOperator\tr{tr}")
    assert macros["\\argmax"].body == r"\operatorname{arg\,max}"
    assert macros["\\tr"].body == r"\operatorname{tr}"


def test_a_newcommand_with_an_optional_argument_takes_its_default() -> None:
    macros = read_macros(r"\newcommand{\J}[2][w]{#2 #1}")
    assert expand(r"\J{a} + \J[v]{b}", macros) == "a w + b v"


@pytest.mark.parametrize(
    ("preamble", "construct"),
    [
        (r"\def\J#1.{#1}", "delimited parameters"),
        (r"\NewDocumentCommand{\J}{m}{#1}", "\\NewDocumentCommand"),
        (r"\DeclarePairedDelimiter\J{\lvert}{\rvert}", "\\DeclarePairedDelimiter"),
        (r"\newcommand{\J}{1} \newcommand{\J}{2}", "already defined"),
        (r"\newcommand{\phi}{\theta}", "already defined"),
    ],
)
def test_a_definition_symbptt_cannot_follow_refuses_the_formula_that_uses_it(
    preamble: str, construct: str
) -> None:
    with pytest.raises(FormulaSyntaxError, match="cannot be read") as caught:
        check(
            JACOBIAN.replace("\\J", r"\J{w}" if "J" in preamble else r"\phi'(s_t) w"),
            macros=preamble,
        )
    assert construct in str(caught.value)


def test_a_definition_symbptt_cannot_follow_is_harmless_where_unused() -> None:
    assert check(JACOBIAN.replace("\\J", TRUE), macros=r"\NewDocumentCommand{\K}{m}{#1}").holds


def test_the_same_newcommand_twice_is_one_definition() -> None:
    macros = read_macros(f"\\newcommand{{\\J}}{{{TRUE}}}\n\\newcommand{{\\J}}{{{TRUE}}}")
    assert macros["\\J"].body == TRUE


def test_a_macro_argument_is_read_as_tex_reads_it() -> None:
    macros = read_macros(r"\newcommand{\K}[1]{\hat#1} \newcommand{\M}[2]{#1 #2}")
    assert expand(r"\K y", macros) == r"\hat y"  # not the unknown \haty
    assert expand("\\M % first\n {a}\\alpha", macros) == "a \\alpha"


# -- Markdown, MyST and notebooks -------------------------------------------------------
@pytest.mark.parametrize(
    "hidden",
    [
        "```latex\n{}\n```",
        "~~~\n{}\n~~~",
        "```{{code-block}} latex\n{}\n```",
        "Write `{}` to change it.",
        "<!-- {} -->",
        "In prose, {} is not math.",
        "$$ % {}\n $$",
    ],
)
def test_a_markdown_definition_outside_math_is_not_applied(tmp_path: Path, hidden: str) -> None:
    text = hidden.format(f"\\renewcommand{{\\J}}{{{TRUE}}}")
    source = md(f"$$\\newcommand{{\\J}}{{{FALSE}}}$$\n\n{text}")
    assert check_file(tmp_path, "notes.md", source)[0] == 1, hidden


@pytest.mark.parametrize(
    "math",
    [
        "$$\\newcommand{{\\J}}{{{}}}$$",
        "$\\def\\J{{{}}}$",
        "```{{math}}\n\\newcommand{{\\J}}{{{}}}\n```",
    ],
)
def test_a_markdown_definition_in_math_before_the_display_is_applied(
    tmp_path: Path, math: str
) -> None:
    assert check_file(tmp_path, "notes.md", md(math.format(TRUE)))[0] == 0


def test_a_markdown_definition_after_the_display_is_not_applied(tmp_path: Path) -> None:
    source = md(f"$$\\newcommand{{\\J}}{{{FALSE}}}$$", f"$$\\renewcommand{{\\J}}{{{TRUE}}}$$")
    assert check_file(tmp_path, "notes.md", source)[0] == 1


def test_a_markdown_definition_inside_the_display_is_applied_and_not_read_as_formula() -> None:
    source = f"<!-- symbptt: check -->\n$$ \\newcommand{{\\J}}{{{TRUE}}} {JACOBIAN} $$\n"
    (display,) = markdown_displays(source)
    assert "newcommand" not in display.text and TRUE in display.macros


def test_a_marker_inside_a_markdown_code_block_is_not_a_marker() -> None:
    source = (
        "```\n<!-- symbptt: check -->\n$$ w = 2 $$\n```\n<!-- symbptt: check -->\n$$ w = w $$\n"
    )
    assert [d.text.strip() for d in markdown_displays(source)] == ["w = w"]


def test_a_notebook_cell_s_definitions_hold_in_later_cells_only(tmp_path: Path) -> None:
    def notebook(*sources: str) -> str:
        cells = [{"cell_type": "markdown", "metadata": {}, "source": s} for s in sources]
        return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})

    display = f"<!-- symbptt: check -->\n$$ {JACOBIAN} $$\n"
    earlier = notebook(f"$\\newcommand{{\\J}}{{{TRUE}}}$", display)
    assert check_file(tmp_path, "notes.ipynb", earlier)[0] == 0
    later = notebook(
        f"$\\newcommand{{\\J}}{{{FALSE}}}$", display, f"$\\renewcommand{{\\J}}{{{TRUE}}}$"
    )
    assert check_file(tmp_path, "notes.ipynb", later)[0] == 1


# -- TeX comments in formulas -----------------------------------------------------------
def test_a_comment_inside_a_command_line_formula_is_dropped() -> None:
    formula = "\\frac{\\partial h_t}{\\partial h_{t-1}} = w \\phi'(s_t) % comment\n"
    result = CliRunner().invoke(cli.main, ["check", "-T", "2", formula])
    assert result.exit_code == 0, result.output
    formula = "\\frac{\\partial h_t}{\\partial h_{t-1}} % = 2 w\n  = w \\phi'(s_t)"
    assert check(formula).holds


def test_a_comment_does_not_hide_or_add_a_row_of_a_display() -> None:
    formula = "\\frac{\\partial h_t}{\\partial h_{t-1}} &= w \\phi'(s_t) % \\\\ & = 2 w\n"
    assert check(formula).holds and len(check(formula).parts) <= 1


def test_an_escaped_percent_sign_is_not_a_comment_and_is_refused() -> None:
    formula = "\\frac{\\partial h_t}{\\partial h_{t-1}} = w \\phi'(s_t) \\% 2"
    with pytest.raises(FormulaSyntaxError):
        check(formula)
    assert blank_comments("a \\\\% b") == "a \\\\   "  # after a row break, % is a comment


def test_a_comment_in_a_file_display_is_dropped(tmp_path: Path) -> None:
    display = "\\frac{\\partial h_t}{\\partial h_{t-1}} % dh/dh\n = w \\phi'(s_t)"
    source = f"% symbptt: check\n\\[ {display} \\]\n"
    assert check_file(tmp_path, "notes.tex", source)[0] == 0
    source = f"<!-- symbptt: check -->\n$$ {display} $$\n"
    assert check_file(tmp_path, "notes.md", source)[0] == 0


def test_a_comment_is_dropped_where_formulas_are_parsed_directly() -> None:
    assert_equivalent("\\frac{\\partial h_t}{\\partial h_{t-1}} % c", "w % d\n \\phi'(s_t)")


def test_visible_keeps_lines_and_columns() -> None:
    source = "a % b\n\\begin{verbatim}\nx % y\n\\end{verbatim}\nc \\verb|%| d\n"
    seen = visible(source)
    assert len(seen.text) == len(source) and seen.text.count("\n") == source.count("\n")
    assert seen.text.split() == ["a", "c", "d"] and len(seen.comments) == 1


def test_maths_in_a_box_is_read_as_maths() -> None:
    """Old notes' bold macro, \\newcommand{\\MB}[1]{\\mbox{\\boldmath{$#1$}}}: \\MB{h_t^{l-1}}
    is the bold name with its scripts (it was refused at the dollar)."""
    from symbptt.read.expansion import unboxed

    assert unboxed(r"\mbox{\boldmath{$h_t^{l-1}$}}") == r"\boldsymbol{h}_t^{l-1}"
    assert unboxed(r"\mbox{\boldmath{$\hat{h}^l_t$}}") == r"\boldsymbol{\hat{h}}^l_t"
    assert unboxed(r"\mbox{$x$} + \mathbf{W^{hh}}") == r"{x} + \mathbf{W^{hh}}"
