"""`symbptt check`: one equation or a .tex file; exit 0 holds, 1 fails, 2 not understood."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import symbptt.cli as cli
from tests.checker.test_checker import NOTE_BOXED_AS_MEANT, QUESTION_DL_DH

NOTES = r"""\section{BPTT}
% symbptt: check
\begin{equation}
  \frac{\partial h_t}{\partial h_{t-1}} = \phi'(s_t) w \label{eq:jac}
\end{equation}
Text in between.
% symbptt: check
\begin{align}
  \dfrac{\partial L}{\partial s_t} &= \dfrac{\partial L}{\partial h_t} \phi'(s_t) \nonumber \\
  &= \left(\dfrac{\partial L}{\partial \hat{y}_t} \theta'(h_t)
     + \dfrac{\partial L}{\partial s_{t+1}} w\right) \phi'(s_t)
\end{align}
\[ \text{not marked, not checked} \]
"""


def run(*args: str):
    return CliRunner().invoke(cli.main, ["check", *args])


def test_an_equation_that_holds_exits_0() -> None:
    result = run("-T", "3", NOTE_BOXED_AS_MEANT)
    assert result.exit_code == 0 and "holds for t = 1..3" in result.output
    assert "note: the factors after the product" in result.output


def test_an_equation_that_fails_exits_1_with_a_counterexample() -> None:
    result = run("-T", "3", QUESTION_DL_DH)
    assert result.exit_code == 1
    assert "does NOT hold" in result.output and "counterexample at t=1" in result.output


def test_an_equation_not_understood_exits_2_with_a_caret() -> None:
    result = run(r"\frac{\partial h_t}{\partial w} = q_t")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("1:35: error: unknown symbol q_{t}")
    assert lines[2].index("^") - 2 == 34  # the caret sits under the column


def test_file_mode_checks_the_marked_displays_with_their_line_numbers(tmp_path: Path) -> None:
    notes = tmp_path / "notes.tex"
    notes.write_text(NOTES)
    result = run("--file", str(notes))
    assert result.exit_code == 0, result.output
    assert f"{notes}:3: holds" in result.output and f"{notes}:8: holds" in result.output
    assert result.output.count("holds") == 2


def test_file_mode_reports_a_failure_and_an_error_by_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.tex"
    notes.write_text(
        NOTES + "% symbptt: check\n\\[ h_t = \\phi(s_t) + \\]\n"
        "% symbptt: check\n$$" + QUESTION_DL_DH + "$$\n"
    )
    result = run("-T", "2", "--file", str(notes))
    # every display gets an answer; a formula that does not hold is the file's answer (1),
    # a refusal only when none fails (2)
    assert result.exit_code == 1
    assert f"{notes}:15:21: refused: the formula ends too early" in result.stdout
    assert f"{notes}:17: does NOT hold" in result.stdout


def test_a_refusal_alone_exits_2_and_json_has_one_object_per_display(tmp_path: Path) -> None:
    import json

    notes = tmp_path / "notes.tex"
    notes.write_text(NOTES + "% symbptt: check\n\\[ h_t = \\phi(s_t) + \\]\n")
    result = run("--file", str(notes))
    assert result.exit_code == 2 and "refused: the formula ends too early" in result.stdout
    notes.write_text(
        NOTES + "% symbptt: check\n\\[ h_t = \\phi(s_t) + \\]\n"
        "% symbptt: check\n$$" + QUESTION_DL_DH + "$$\n"
    )
    answers = json.loads(run("-T", "2", "--file", str(notes), "--json").stdout)
    assert [(a["line"], a["verdict"]) for a in answers] == [
        (3, "holds"),
        (8, "holds"),
        (15, "refused"),
        (17, "does not hold"),
    ]
    assert answers[2]["column"] == 21 and answers[3]["counterexample"]["values"]


def test_equation_and_file_are_exclusive(tmp_path: Path) -> None:
    assert run().exit_code == 2
    notes = tmp_path / "n.tex"
    notes.write_text("no marks\n")
    result = run("--file", str(notes))
    assert result.exit_code == 2 and "no display marked" in result.stderr


def test_markdown_math_fences_and_a_formula_on_its_own_line_are_displays(tmp_path: Path) -> None:
    # GitHub's and GitLab's ```math fence, and a notebook's numbered $ ... \tag{7} $ line
    notes = tmp_path / "notes.md"
    formula = r"\frac{\partial h_t}{\partial h_{t-1}} = \phi'(s_t) w"
    notes.write_text(
        f"<!-- symbptt: check -->\n```math\n{formula}\n```\n\n"
        f"<!-- symbptt: check -->\n$ {formula} \\tag{{7}} $\n"
    )
    result = run("--file", str(notes))
    assert result.exit_code == 0, result.output
    assert f"{notes}:3: holds" in result.stdout and f"{notes}:7: holds" in result.stdout
    notes.write_text("<!-- symbptt: check -->\n$a$ and $b$\n")  # two formulas, no display
    result = run("--file", str(notes))
    assert result.exit_code == 2  # answered on its line, as every marked display is
    assert f"{notes}:1: refused: '<!-- symbptt: check -->' is not followed by a display" in (
        result.stdout
    )
