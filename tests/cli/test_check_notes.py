# ruff: noqa: E501  (notes are quoted as their authors write them)
r"""check --file reads the model that notes state (``% symbptt: model``), in their own
names and declared conventions, and checks their formulas against it (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbptt.cli import main

NOTES = r"""\documentclass{article}
\begin{document}
% symbptt: conventions time = angle, elementwise = *, layout = numerator
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
    code, out = _check(tmp_path, NOTES.replace("elementwise = *", "elementwise = *, entry = [i]"))
    assert code == 2 and "entry = [i]" in out and "holds" not in out


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
            "elementwise = \\circ, layout = numerator",
            formula,
        ],
    )
    assert done.exit_code == 0, done.output
    assert "holds" in done.output and "every loss" in done.output


def test_markdown_notes_use_html_comment_markers(tmp_path: Path) -> None:
    text = (
        "<!-- symbptt: conventions time = superscript, layout = numerator -->\n"
        "<!-- symbptt: model -->\n"
        "$$ h^{(t)} = \\tanh(W h^{(t-1)} + U x^{(t)}) $$\n\n"
        "<!-- symbptt: check -->\n"
        "$$ \\frac{\\partial h^{(t)}}{\\partial h^{(t-1)}} = \\operatorname{diag}(1 - h^{(t)} \\odot h^{(t)}) U $$\n"
    )
    code, out = _check(tmp_path, text, name="notes.md")
    assert code == 2 and "refused" in out  # U is 3x2: the shapes say it is W
    code, out = _check(tmp_path, text.replace(") U $$", ") W $$"), name="notes.md")
    assert code == 0 and ".md:6: holds" in out


CODE_LIKE = r"""% symbptt: conventions time = angle, elementwise = *, d-prefix = total, next = t
% symbptt: model
\[ a^{\langle t \rangle} = \tanh(W_{aa} a^{\langle t-1 \rangle} + W_{ax} x^{\langle t \rangle} + b_a) \]
% symbptt: define
\[ \delta^{\langle t \rangle} := \frac{\partial J}{\partial a^{\langle t \rangle}} \]
% symbptt: check
\[ \delta^{\langle t-1 \rangle} = \frac{\partial \ell_{t-1}}{\partial a^{\langle t-1 \rangle}} + W_{aa}^T (\delta^{\langle t \rangle} * (1 - a^{\langle t \rangle} * a^{\langle t \rangle})) \]
% symbptt: check
\[ da_{prev} = W_{aa}^T (da_{next} * (1 - a_{next} * a_{next})) \]
% symbptt: check
\[ dW_{aa} = \sum_t (da_{next} * (1 - a_{next} * a_{next})) a_{prev}^T \]
"""


def test_defined_and_d_prefixed_names_read_as_the_notes_declare(tmp_path: Path) -> None:
    code, out = _check(tmp_path, CODE_LIKE, "--json")
    answers = {a["line"]: a for a in json.loads(out)}
    assert answers[5]["kind"] == "define" and answers[5]["verdict"] == "defined"
    assert answers[7]["verdict"] == "holds"  # the recursion, with the step's own loss term
    # drops the step's own loss term: the total does not hold, what step t+1 passes back
    # does; the notes do not say which dL/da they mean
    assert answers[9]["verdict"] == "refused" and "gradients = total" in answers[9]["explanation"]
    assert answers[11]["verdict"] == "holds"
    declared = CODE_LIKE.replace("next = t", "next = t, gradients = total")
    code, out = _check(tmp_path, declared, "--json")
    answers = {a["line"]: a for a in json.loads(out)}
    assert answers[9]["verdict"] == "does not hold"
    assert answers[9]["counterexample"] is not None  # found, whatever the loss is
    assert code == 1


def test_a_d_prefix_or_next_not_declared_is_refused_naming_the_readings(tmp_path: Path) -> None:
    code, out = _check(tmp_path, CODE_LIKE.replace("d-prefix = total, ", ""))
    assert "declare d-prefix = total or d-prefix = step" in out and code == 2
    code, out = _check(tmp_path, CODE_LIKE.replace(", next = t", ""))
    assert "declare next = t or next = t+1" in out


def test_a_definition_is_read_with_its_index_letters_bound(tmp_path: Path) -> None:
    claim = (
        r"\[ \delta^{\langle k+1 \rangle} = \frac{\partial J}{\partial a^{\langle k+1 \rangle}} \]"
    )
    wrong = (
        r"\[ \delta^{\langle k \rangle} = \frac{\partial J}{\partial a^{\langle k+1 \rangle}} \]"
    )
    head = "\n".join(CODE_LIKE.splitlines()[:5])
    code, out = _check(tmp_path, f"{head}\n% symbptt: check\n{claim}\n% symbptt: check\n{wrong}\n")
    assert ":7: holds" in out and ":9: does NOT hold" in out


def test_a_marker_before_a_list_marks_its_inline_equations(tmp_path: Path) -> None:
    text = (
        "<!-- symbptt: model -->\n"
        "1. Forget gate: $f_t = \\sigma(W_f h_{t-1} + U_f x_t)$\n"
        "2. State: $h_t = f_t \\odot h_{t-1} + (1 - f_t) \\odot \\tanh(W h_{t-1} + U x_t) $\n\n"
        "<!-- symbptt: check -->\n"
        "$$ \\frac{\\partial h_t}{\\partial W} = 0 $$\n"
    )
    code, out = _check(tmp_path, text, name="notes.md")
    assert "undefined per-step loss" in out and ".md:6: " in out


PATHS = r"""% symbptt: model
\[ h_t = \tanh(W h_{t-1} + U x_t) \]
% symbptt: check
\[ \frac{\partial \ell_2}{\partial W} = \frac{\partial \ell_2}{\partial h_2} \frac{\partial h_2}{\partial W} + \frac{\partial \ell_2}{\partial h_2} \frac{\partial h_2}{\partial h_1} \frac{\partial h_1}{\partial W} \]
"""


def test_a_derivative_the_notes_do_not_settle_is_refused_with_both_verdicts(tmp_path: Path) -> None:
    code, out = _check(tmp_path, PATHS)
    assert code == 2 and "ambiguous" in out and "it does not hold" in out and "it holds" in out
    assert "declare partial = total or partial = immediate" in out
    code, out = _check(tmp_path, "% symbptt: conventions partial = immediate\n" + PATHS)
    assert code == 0 and ":5: holds" in out
    code, out = _check(tmp_path, "% symbptt: conventions partial = total\n" + PATHS)
    assert code == 1 and ":5: does NOT hold" in out


def test_a_display_that_holds_at_the_last_step_only_is_refused(tmp_path: Path) -> None:
    text = (
        "% symbptt: model\n"
        "\\[ h_t = \\tanh(W h_{t-1} + U x_t) \\]\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\partial L}{\\partial h_t} = \\frac{\\partial \\ell_t}{\\partial h_t} \\]\n"
    )
    code, out = _check(tmp_path, text)
    assert code == 2 and "holds at the last step t = 4 but not at every step" in out
    assert "write T for t" in out
    code, out = _check(
        tmp_path,
        text.replace(
            "h_t} = \\frac{\\partial \\ell_t}{\\partial h_t}",
            "h_T} = \\frac{\\partial \\ell_T}{\\partial h_T}",
        ),
    )
    assert code == 0, out


def test_a_marker_with_nothing_to_read_is_refused_and_the_rest_is_read(tmp_path: Path) -> None:
    text = (
        "<!-- symbptt: define -->\n"
        "Let $x$ be the input.\n\n"
        "<!-- symbptt: check -->\n"
        "$$ \\frac{\\partial h_t}{\\partial h_{t-1}} = \\phi'(s_t) w $$\n"
    )
    code, out = _check(tmp_path, text, name="notes.md")
    assert ".md:1: refused:" in out and "define -->' is not followed by a display" in out
    assert ".md:5: holds" in out and code == 2


def test_leibniz_upright_d_is_the_derivative_not_two_d_prefixed_names(tmp_path: Path) -> None:
    text = (
        "% symbptt: conventions layout = numerator\n"
        "% symbptt: model\n"
        "\\[ h_t = \\tanh(W h_{t-1} + U x_t) \\]\n"
        "% symbptt: check\n"
        "\\[ \\frac{dL}{dh_t} = \\frac{\\partial L}{\\partial h_t} \\]\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\mathrm{d} h_t}{\\mathrm{d} h_{t-1}} = \\operatorname{diag}(1 - h_t \\odot h_t) W \\]\n"
    )
    code, out = _check(tmp_path, text)
    assert code == 0 and ":5: holds" in out and ":7: holds" in out, out


def test_a_latex_marker_before_prose_is_refused_on_its_line_and_the_rest_read(
    tmp_path: Path,
) -> None:
    text = (
        "% symbptt: define\n"
        "the weighted inputs are defined below.\n"
        "% symbptt: check\n"
        "\\begin{alignat*}{2}\n"
        "\\frac{\\partial h_t}{\\partial h_{t-1}} &= \\phi'(s_t) w\n"
        "\\end{alignat*}\n"
    )
    code, out = _check(tmp_path, text)
    assert ".tex:1: refused: '% symbptt: define' is not followed by a display" in out
    assert ".tex:4: holds" in out and code == 2


MODEL_M = r"""% symbptt: conventions elementwise = \odot, layout = numerator
% symbptt: model
\begin{align}
  h_t &= \tanh(W h_{t-1} + U x_t + b) \\
  \hat y_t &= \operatorname{softmax}(V h_t + c)
\end{align}
"""


def _one(tmp_path: Path, head: str, formula: str) -> tuple[int, str]:
    return _check(tmp_path, f"{head}% symbptt: check\n\\[ {formula} \\]\n")


def test_review_an_entry_is_no_step_and_a_square_is_no_entry(tmp_path: Path) -> None:
    """Found in review: h_{t,2} was read as h_t (so h_{t,1} = h_{t,2} held), and h_t^2 as
    entry 2 of h_t (so the tanh Jacobian failed)."""
    code, out = _one(tmp_path, MODEL_M, "h_{t,1} = h_{t,2}")
    assert "holds" not in out.replace("does NOT hold", "")
    code, out = _one(
        tmp_path,
        MODEL_M,
        r"\frac{\partial h_t}{\partial h_{t-1}} = \operatorname{diag}(1 - h_t^2) W",
    )
    assert code == 0 and ":8: holds" in out


def test_review_a_loss_display_that_is_not_every_steps_sum_is_refused(tmp_path: Path) -> None:
    """Found in review: \\frac{1}{2} was taken for a mean over the steps, and a sum to T-1
    for a sum over every step; both gave wrong verdicts."""
    for loss in (r"\frac{1}{2} \sum_{t} L_t", r"\sum_{t=1}^{T-1} L_t", r"\frac{1}{N} \sum_t L_t"):
        head = MODEL_M + f"% symbptt: model\n\\[ L = {loss} \\]\n"
        code, out = _one(
            tmp_path, head, r"\frac{\partial L}{\partial c} = \sum_{t=1}^{T} (\hat y_t - y_t)"
        )
        assert code == 2 and "loss display" in out and "not read yet" in out


ROWS = (
    MODEL_M.replace("W h_{t-1} + U x_t", "h_{t-1} W + x_t U")
    .replace("V h_t + c", "h_t V + c")
    .replace("layout = numerator", "layout = mixed")
)


@pytest.mark.parametrize(
    ("formula", "verdict"),
    [
        (r"\frac{\partial L}{\partial h_T} = (\hat y_T - y_T) V^\top", ": holds"),
        (r"\frac{\partial L}{\partial c} = \sum_{t=1}^{T} (\hat y_t - y_t)", ": holds"),
        (r"\frac{\partial L}{\partial V} = \sum_{t=1}^{T} h_t^\top (\hat y_t - y_t)", ": holds"),
        (
            r"\frac{\partial h_t}{\partial h_{t-1}} = \operatorname{diag}(1 - h_t^2) W^\top",
            ": holds",
        ),
        (
            r"\frac{\partial h_t}{\partial h_{t-1}} = W^\top \operatorname{diag}(1 - h_t^2)",
            "NOT hold",
        ),
        # the column notes' formulas: their shapes do not fit rows
        (r"\frac{\partial L}{\partial h_T} = V (\hat y_T - y_T)", "shapes do not fit"),
        (r"\frac{\partial L}{\partial V} = \sum_{t=1}^{T} (\hat y_t - y_t) h_t^\top", "refused"),
    ],
)
def test_notes_that_write_vectors_as_rows_are_read_as_rows(
    tmp_path: Path, formula: str, verdict: str
) -> None:
    """h_{t-1} W: every vector of a formula is a row, and so is a gradient by a vector; a
    gradient by a matrix has its shape, and dh_t/dh_(t-1) is the Jacobian (rows follow h_t),
    so that the chain rule is a row times Jacobians."""
    code, out = _one(tmp_path, ROWS, formula)
    assert verdict in out, out


def test_notes_that_multiply_both_ways_are_refused(tmp_path: Path) -> None:
    """W h_{t-1} in one equation and x_t U in another: which vectors are rows is not one
    thing, so no formula is read."""
    both = MODEL_M.replace("U x_t", "x_t U")
    code, out = _one(
        tmp_path, both, r"\frac{\partial L}{\partial c} = \sum_{t=1}^{T} (\hat y_t - y_t)"
    )
    assert code == 2 and "both a matrix by a column" in out


def test_review_state_by_state_derivatives_are_refused(tmp_path: Path) -> None:
    """Found in review: dc_t/dc_(t-1) in a cell of two states was the derivative with
    h_(t-1) held, though h_(t-1) = tanh(c_(t-1))."""
    cell = (
        "% symbptt: conventions elementwise = \\odot, partial = total\n% symbptt: model\n"
        "\\begin{align}\n f_t &= \\sigma(W_f h_{t-1} + U_f x_t) \\\\\n"
        " c_t &= f_t \\odot c_{t-1} + \\tanh(W_g h_{t-1}) \\\\\n h_t &= \\tanh(c_t)\n\\end{align}\n"
    )
    for d in ("\\partial", "d"):
        code, out = _one(
            tmp_path, cell, f"\\frac{{{d} c_3}}{{{d} c_2}} = \\operatorname{{diag}}(f_3)"
        )
        assert code == 2 and "a derivative of a state by an earlier state" in out


def test_a_defined_name_with_a_step_and_an_entry_is_not_the_name_at_the_step(
    tmp_path: Path,
) -> None:
    """The twin of the review's h_{t,2}: \\delta_{t,2} bound t to the definition of \\delta_t
    and dropped the entry, so \\delta_{t,1} = \\delta_{t,2} held."""
    head = MODEL_M + "% symbptt: define\n\\[ \\delta_t := \\frac{\\partial L}{\\partial h_t} \\]\n"
    code, out = _one(tmp_path, head, r"\delta_{t,1} = \delta_{t,2}")
    assert code == 2 and ":10:" in out and "refused" in out and "holds" not in out


def test_every_inline_equation_of_a_marked_line_is_read_when_it_starts_with_one() -> None:
    """A marked line that starts with an inline formula: each of its equations is a
    display (only the first was read when the line began with a dollar)."""
    from symbptt.read.markdown import markdown_displays

    src = "<!-- symbptt: model -->\n$f_t = \\sigma(W x_t)$ and $h_t = f_t \\odot h_{t-1}$\n"
    assert [d.text.strip() for d in markdown_displays(src)] == [
        "f_t = \\sigma(W x_t)",
        "h_t = f_t \\odot h_{t-1}",
    ]


def test_a_jacobian_whose_verdict_depends_on_the_undeclared_layout_is_refused(
    tmp_path: Path,
) -> None:
    """W^T diag(f') is ds_t/ds_{t-1} in the denominator layout and its transpose in the
    numerator layout: notes that do not declare theirs get neither verdict, but both
    readings and the declaration that settles it; declared, the display is decided."""
    forward = (
        "% symbptt: conventions functions = f@@\n"
        "% symbptt: model\n"
        "\\[ s_t = f(U \\mathrm{~x}_t + W \\mathrm{~s}_{t-1}) \\]\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\partial s_t}{\\partial s_{t-1}} = "
        "W^\\top \\operatorname{diag}(f'(U x_t + W s_{t-1})) \\]\n"
    )
    code, out = _check(tmp_path, forward.replace("@@", ""))
    assert code == 2 and ":5: refused: ambiguous: in the denominator layout it holds" in out
    assert "in the numerator layout it does not hold" in out and "layout = ..." in out
    code, out = _check(tmp_path, forward.replace("@@", ", layout = denominator"))
    assert code == 0 and ":5: holds" in out, out
    code, out = _check(tmp_path, forward.replace("@@", ", layout = numerator"))
    assert code == 1 and ":5: does NOT hold" in out, out


def test_a_letter_applied_to_parentheses_is_a_declared_function_or_refused(
    tmp_path: Path,
) -> None:
    """s_t = f(U x_t + W s_{t-1}): f is the notes' activation, not a matrix times the
    sum; undeclared it is refused, declared (functions = f) it is any differentiable
    function applied entry by entry, so a formula holds only if it holds for every f."""
    text = (
        "% symbptt: conventions layout = numerator@@\n"
        "% symbptt: model\n"
        "\\[ s_t = f(U x_t + W s_{t-1}) \\]\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\partial s_t}{\\partial s_{t-1}} = "
        "\\operatorname{diag}(f'(U x_t + W s_{t-1})) W \\]\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\partial s_t}{\\partial s_{t-1}} = "
        "\\operatorname{diag}(1 - s_t \\odot s_t) W \\]\n"
    )
    code, out = _check(tmp_path, text.replace("@@", ""))
    assert code == 2 and "f(...) may be a function or a product" in out
    assert "functions = f" in out
    code, out = _check(tmp_path, text.replace("@@", ", functions = f"))
    assert code == 1 and ":5: holds" in out and ":7: does NOT hold" in out, out


def test_a_loss_display_s_other_sides_are_checked_against_the_model(tmp_path: Path) -> None:
    """J = \\sum_t J^{(t)} = \\frac1T \\sum_t J^{(t)}: the sum gives the reduction, and the
    other side is a claim about the model's loss, checked: here it contradicts the sum,
    so the model is refused rather than read from one side; a labelled loss
    (\\mathcal{L}_{\\text{seq}}) is the notes' name of the total loss."""
    formula = r"\frac{\partial L}{\partial c} = \sum_{t=1}^{T} (\hat y_t - y_t)"
    loss = r"J = \sum_{t=1}^{T} J^{(t)} = \frac{1}{T} \sum_{t=1}^{T} J^{(t)}"
    code, out = _one(tmp_path, MODEL_M + f"% symbptt: model\n\\[ {loss} \\]\n", formula)
    assert code == 2 and "does not hold in the model read" in out, out
    # the step loss written with its arguments is any function of them, and of the first:
    # of o_t or h_t it is read so; beside a softmax head (whose cross-entropy is one such
    # function) it is refused
    plain = MODEL_M.replace(r"\hat y_t &= \operatorname{softmax}(V h_t + c)", r"o_t &= V h_t + c")
    loss = r"\mathcal{L}_{\text{seq}}(o, y) = \sum_{t=1}^{T} \ell(o_t, y_t)"
    labelled = (
        r"\frac{\partial \mathcal{L}_{\text{seq}}}{\partial c} = "
        r"\sum_{t=1}^{T} \frac{\partial \mathcal{L}_{\text{seq}}}{\partial o_t}"
    )
    code, out = _one(tmp_path, plain + f"% symbptt: model\n\\[ {loss} \\]\n", labelled)
    assert code == 0 and "holds" in out, out
    # of h_t, the loss is of h_t (o_t is then computed for nothing): c does not reach it
    loss = r"\mathcal{L}_{\text{seq}} = \sum_{t=1}^{T} \ell(h_t, y_t)"
    code, out = _one(tmp_path, plain + f"% symbptt: model\n\\[ {loss} \\]\n", labelled)
    assert code == 0 and "l(h_{t}, d_t)" in out, out
    loss = r"\mathcal{L}_{\text{seq}} = \sum_{t=1}^{T} \ell(\hat y_t, y_t)"
    code, out = _one(tmp_path, MODEL_M + f"% symbptt: model\n\\[ {loss} \\]\n", labelled)
    assert code == 2 and "the notes' step loss is" in out, out


TWO_MODELS = r"""% symbptt: conventions time = superscript, elementwise = \odot, layout = numerator, partial = total
% symbptt: model
\[ h^{(t)} = \tanh(W h^{(t-1)} + U x^{(t)}) \]
% symbptt: check
\[ \frac{\partial h^{(t)}}{\partial h^{(t-1)}} = \operatorname{diag}(1 - h^{(t)} \odot h^{(t)}) W \]
% symbptt: model
\begin{align*}
f^{(t)} &= \sigma(W_f h^{(t-1)} + U_f x^{(t)}) \\
c^{(t)} &= f^{(t)} \odot c^{(t-1)} + \tanh(W h^{(t-1)} + U x^{(t)}) \\
h^{(t)} &= \tanh(c^{(t)})
\end{align*}
% symbptt: check
\[ \frac{\partial h^{(t)}}{\partial c^{(t)}} = \operatorname{diag}(1 - h^{(t)} \odot h^{(t)}) \]
% symbptt: check
\[ \frac{\partial h^{(t)}}{\partial c^{(t)}} = \operatorname{diag}(h^{(t)}) \]
"""


def test_notes_that_state_a_second_model_check_what_follows_against_it(
    tmp_path: Path,
) -> None:
    """An RNN, its formula, then an LSTM-like cell that computes h again: the second run
    of model displays states a new model, from its place on; the first formula is the
    RNN's (it holds there), the last two the cell's (the last does not hold in it)."""
    code, out = _check(tmp_path, TWO_MODELS)
    assert ":5: holds" in out and ":13: holds" in out, out
    assert ":15: does NOT hold" in out and code == 1, out
    # without a checked display between them, both runs are one model: h computed twice
    joined = TWO_MODELS.replace(
        "% symbptt: check\n\\[ \\frac{\\partial h^{(t)}}{\\partial h^{(t-1)}} = "
        "\\operatorname{diag}(1 - h^{(t)} \\odot h^{(t)}) W \\]\n% symbptt: model",
        "% symbptt: model",
        1,
    )
    code, out = _check(tmp_path, joined)
    assert code == 2 and "computes h twice" in out, out


def test_a_sum_whose_summand_does_not_depend_on_its_index_is_a_batch_s_or_refused(
    tmp_path: Path,
) -> None:
    """\\sum_m X with X free of m (m samples): with batch = 1 the one example's X; else
    refused (it was read as T X, a sum over every step)."""
    text = (
        "% symbptt: conventions elementwise = \\odot, layout = numerator, partial = immediate@@\n"
        "% symbptt: model\n"
        "\\[ h_t = \\tanh(W h_{t-1} + U x_t + b) \\]\n% symbptt: check\n"
        "\\[ \\frac{\\partial h_t}{\\partial b} = \\sum_m \\operatorname{diag}(1 - h_t \\odot h_t) \\]\n"
    )
    code, out = _check(tmp_path, text.replace("@@", ""))
    assert code == 2 and "does not depend on m" in out and "batch = 1" in out, out
    code, out = _check(tmp_path, text.replace("@@", ", batch = 1"))
    assert code == 0 and ":5: holds" in out, out


def test_a_parameter_s_gradient_equated_with_one_step_s_part_is_refused(tmp_path: Path) -> None:
    """dJ/db = (the part from step t's cell): as the gradient by b (every step) it does not
    hold, as the gradient by step t's copy of b it does; refused, not failed."""
    text = MODEL_M + (
        "% symbptt: check\n"
        "\\[ \\frac{\\partial L}{\\partial b} = \\frac{\\partial L}{\\partial h_t} "
        "\\operatorname{diag}(1 - h_t \\odot h_t) \\]\n"
    )
    code, out = _check(tmp_path, text)
    assert code == 2 and "the gradient by the copy of b" in out, out


def test_a_loss_summed_to_a_number_fixes_the_horizon(tmp_path: Path) -> None:
    """Notes worked on one sequence of 3 steps (\\frac{1}{3}\\sum_{t=1}^{3} L_t) are
    checked at T = 3, and said so; a comment spaced after an equation
    (\\quad \\text{(forget gate)}) is no part of it."""
    text = MODEL_M.replace(
        r"(W h_{t-1} + U x_t + b) \\", r"(W h_{t-1} + U x_t + b) \quad \text{(the state)} \\"
    )
    text += "% symbptt: model\n\\[ L = \\frac{1}{3} \\sum_{t=1}^{3} L_t \\]\n"
    code, out = _one(
        tmp_path,
        text,
        r"\frac{\partial L}{\partial c} = \frac{1}{3} \sum_{t=1}^{3} (\hat y_t - y_t)^\top",
    )
    assert "T = 3" in out and "holds at T = 3" in out and code == 0, out


RNN_D = r"""% symbptt: conventions layout = denominator@@
% symbptt: model
\begin{align}
  h_t &= \tanh(W h_{t-1} + U x_t) \\
  \hat y_t &= \operatorname{softmax}(V h_t)
\end{align}
"""


def test_review_a_second_network_with_names_of_its_own_is_a_model_of_its_own(
    tmp_path: Path,
) -> None:
    """Found in review: a second run of model displays that recomputes no name was
    merged into the first model, whose loss does not depend on it, so a false formula
    about it held (both sides 0)."""
    text = RNN_D.replace("@@", "") + (
        "% symbptt: check\n"
        "\\[ \\frac{\\partial L}{\\partial V} = \\sum_t (\\hat y_t - y_t) h_t^\\top \\]\n"
        "% symbptt: model\n"
        "\\begin{align}\n  s_t &= \\tanh(A s_{t-1} + B x_t) \\\\\n  o_t &= C s_t\n\\end{align}\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\partial L}{\\partial s_{t-1}} = A^\\top "
        "\\operatorname{diag}(1 - s_t \\odot s_t) \\frac{\\partial L}{\\partial s_t} \\]\n"
    )
    code, out = _check(tmp_path, text.replace("@@", ""))
    assert ":8: holds" in out and ":15: refused: ambiguous" in out, out  # or s_{t-1}'s part
    code, out = _check(tmp_path, "% symbptt: conventions gradients = total\n" + text)
    assert ":9: holds" in out and ":16: does NOT hold" in out and code == 1, out


def test_review_a_second_model_keeps_the_notes_loss_display(tmp_path: Path) -> None:
    """Found in review: the second model dropped the notes' J = (1/T) sum_t J_t and summed
    the steps' losses, so the formula without 1/T held and the one with it failed."""
    text = RNN_D.replace("@@", "") + (
        "% symbptt: model\n\\[ J = \\frac{1}{T} \\sum_{t=1}^{T} J_t \\]\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\partial J}{\\partial V} = \\frac{1}{T} \\sum_t (\\hat y_t - y_t) h_t^\\top \\]\n"
        "% symbptt: model\n\\begin{align}\n"
        "  z_t &= \\sigma(W_z h_{t-1} + U_z x_t) \\\\\n"
        "  h_t &= z_t \\odot h_{t-1} + (1 - z_t) \\odot \\tanh(W h_{t-1} + U x_t) \\\\\n"
        "  \\hat y_t &= \\operatorname{softmax}(V h_t)\n\\end{align}\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\partial J}{\\partial V} = \\sum_t (\\hat y_t - y_t) h_t^\\top \\]\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\partial J}{\\partial V} = \\frac{1}{T} \\sum_t (\\hat y_t - y_t) h_t^\\top \\]\n"
    )
    code, out = _check(tmp_path, text)
    assert ":18: does NOT hold" in out and ":20: holds" in out, out


def test_review_a_sum_over_a_step_s_letter_is_no_batch_s(tmp_path: Path) -> None:
    """Found in review: with batch = 1, \\sum_t X (X free of t) was read as X, though t
    is the step's letter (the sum of T copies, or a slip): refused now."""
    text = RNN_D.replace("@@", ", batch = 1") + (
        "% symbptt: check\n"
        "\\[ \\frac{\\partial L_T}{\\partial V} = \\sum_t (\\hat y_T - y_T) h_T^\\top \\]\n"
    )
    code, out = _check(tmp_path, text)
    assert code == 2 and "a step's letter" in out, out


def test_review_a_subscripted_sigma_is_not_the_sigmoid_unless_declared(tmp_path: Path) -> None:
    """Found in review: Wikipedia's LSTM writes \\sigma_g, \\sigma_c, \\sigma_h, and
    \\sigma_c is tanh there; it was read as the sigmoid."""
    text = (
        "% symbptt: conventions layout = denominator, elementwise = \\circ\n"
        "% symbptt: model\n"
        "\\[ c_t = \\sigma_c(W_c x_t + U_c h_{t-1}) \\]\n"
        "% symbptt: model\n\\[ h_t = \\sigma_h(c_t) \\]\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\partial c_t}{\\partial x_t} = W_c^\\top \\operatorname{diag}(c_t \\circ (1 - c_t)) \\]\n"
    )
    code, out = _check(tmp_path, text)
    assert code == 2 and "may be another function than \\sigma" in out, out


def test_code_like_notes_name_the_loss_loss(tmp_path: Path) -> None:
    """loss, loss_t, \\text{loss}: the loss and a step's, as code-like notes write them."""
    text = (
        "% symbptt: conventions layout = mixed, elementwise = \\odot\n% symbptt: model\n"
        "\\[ h_t = \\tanh(W h_{t-1} + U x_t) \\]\n% symbptt: model\n"
        "\\[ \\hat y_t = \\operatorname{softmax}(V h_t) \\]\n% symbptt: model\n"
        "\\[ loss = \\sum_{t=1}^{T} loss_t \\]\n% symbptt: check\n"
        "\\[ \\frac{\\partial{loss}}{\\partial{V}} = \\sum_{t=1}^{T} (\\hat y_t - y_t) h_t^\\top \\]\n"
        "% symbptt: check\n"
        "\\[ \\frac{\\partial \\text{loss}}{\\partial V} = \\sum_{t=1}^{T} (\\hat y_t - y_t) h_t^\\top "
        "+ V \\]\n"
    )
    code, out = _check(tmp_path, text)
    assert ":9: holds" in out and ":11: does NOT hold" in out and code == 1, out


@pytest.mark.parametrize(
    ("loss", "holds", "fails"),
    [
        (r"(y_t - \hat{y}_t)^2", r"2 (\hat y_t - y_t)^\top", r"(\hat y_t - y_t)^\top"),
        (
            r"\frac{1}{2} \| \hat y_t - y_t \|^2",
            r"(\hat y_t - y_t)^\top",
            r"2 (\hat y_t - y_t)^\top",
        ),
    ],
)
def test_a_squared_error_step_loss_is_read_with_or_without_its_half(
    tmp_path: Path, loss: str, holds: str, fails: str
) -> None:
    """L_t = (y_t - \\hat y_t)^2 (a vector's squared norm: the one meaning that makes it a
    loss) and \\frac12 \\|\\hat y_t - y_t\\|^2 are the squared error without and with the
    half; the output and the target must be the ones it compares."""
    head = (
        "% symbptt: conventions layout = numerator, elementwise = \\odot\n% symbptt: model\n"
        "\\[ h_t = \\tanh(W h_{t-1} + U x_t) \\]\n% symbptt: model\n\\[ \\hat y_t = V h_t \\]\n"
        f"% symbptt: model\n\\[ L_t = {loss} \\]\n% symbptt: model\n\\[ L = \\sum L_t \\]\n"
    )
    code, out = _check(
        tmp_path,
        head
        + f"% symbptt: check\n\\[ \\frac{{\\partial L_t}}{{\\partial \\hat y_t}} = {holds} \\]\n"
        + f"% symbptt: check\n\\[ \\frac{{\\partial L_t}}{{\\partial \\hat y_t}} = {fails} \\]\n",
    )
    assert ":11: holds" in out and ":13: does NOT hold" in out and code == 1, out
    other = head.replace(loss, loss.replace("y_t", "h_t").replace(r"\hat h_t", r"\hat y_t"))
    code, out = _check(tmp_path, other + "% symbptt: check\n\\[ L = L \\]\n")
    assert code == 2 and "not read yet, or does not hold" in out, out


def test_review_labels_in_parts_stay_apart(tmp_path: Path) -> None:
    """Found in the second review: W_{a,b} and W_{ab} were one parameter, so a formula
    that wrote one for the other held."""
    text = (
        "% symbptt: conventions elementwise = \\odot, layout = numerator, partial = total\n"
        "% symbptt: model\n\\begin{align}\n  g_t &= \\tanh(U h_{t-1}) \\\\\n"
        "  h_t &= \\tanh(W_{a,b} h_{t-1} + W_{ab} g_t + P x_t) \\\\\n"
        "  \\hat y_t &= \\operatorname{softmax}(V h_t + c)\n\\end{align}\n% symbptt: check\n"
        "\\[ \\frac{\\partial h_t}{\\partial h_{t-1}} = \\operatorname{diag}(1 - h_t \\odot h_t)"
        " (W_{a,b} + W_{@@} \\operatorname{diag}(1 - g_t \\odot g_t) U) \\]\n"
    )
    code, out = _check(tmp_path, text.replace("@@", "a,b"))  # here: no value (sizes)
    assert code != 0 and ":9: holds" not in out, out
    code, out = _check(tmp_path, text.replace("@@", "ab"))
    assert code == 0 and ":9: holds" in out, out


def test_review_a_condition_beside_a_claim_refuses_it(tmp_path: Path) -> None:
    """Found in the second review: \\quad \\text{(initial timestep)} was dropped as a
    comment, and \\text{for } t = 1 or ", t = 1" left a claim about t = 1 judged at every
    t (does NOT hold at t = 2)."""
    for condition in (
        r"\quad \text{(initial timestep)}",
        r"\quad \text{for } t = 1",
        r", \quad t = 1",
    ):
        text = (
            "% symbptt: conventions elementwise = \\odot, layout = numerator, partial = total\n"
            "% symbptt: model\n\\[ h_t = \\tanh(W h_{t-1} + U x_t + b) \\]\n% symbptt: check\n"
            "\\[ \\frac{\\partial h_t}{\\partial b} = \\operatorname{diag}(1 - h_t \\odot h_t) "
            f"{condition} \\]\n"
        )
        code, out = _check(tmp_path, text)
        assert code == 2 and "states a condition" in out and "does NOT" not in out, out


def test_review_a_loss_sum_that_counts_the_steps_otherwise_is_refused(tmp_path: Path) -> None:
    """Found in the second review: with first = 0, a loss summed from t = 1 (or to the
    horizon's letter) was read over steps 0..3 (or T steps), passing a false formula."""
    for first, loss in (
        ("0", r"\sum_{t=1}^{3} L_t"),
        ("1", r"\sum_{t=0}^{3} L_t"),
        ("0", r"\sum_{t=0}^{T} L_t"),
    ):
        head = MODEL_M.replace("layout = numerator", f"layout = numerator, first = {first}")
        code, out = _one(
            tmp_path,
            head + f"% symbptt: model\n\\[ L = {loss} \\]\n",
            r"\frac{\partial L}{\partial c} = \sum_{t=0}^{3} (\hat y_t - y_t)^\top",
        )
        assert code == 2 and "not read" in out and "holds" not in out, out


def test_markdown_list_items_each_marked_and_two_elementwise_symbols(tmp_path: Path) -> None:
    """A marker before each list item marks that item's inline formula (the next marker
    was once "inside the display" of the first); notes that write the elementwise product
    two ways declare both."""
    text = (
        "<!-- symbptt: conventions elementwise = \\circ, layout = numerator -->\n"
        "<!-- symbptt: conventions elementwise = \\cdot -->\n"
        "<!-- symbptt: model -->\n$$ h_t = \\tanh(W h_{t-1} + U x_t) $$\n\n"
        "- first\n\t<!-- symbptt: check -->\n"
        "\t- $\\frac{\\partial h_t}{\\partial h_{t-1}} = \\operatorname{diag}(1 - h_t \\circ h_t) W$\n"
        "\t<!-- symbptt: check -->\n"
        "\t- $\\frac{\\partial h_t}{\\partial h_{t-1}} = \\operatorname{diag}(1 - h_t \\cdot h_t) W$\n"
    )
    code, out = _check(tmp_path, text, name="notes.md")
    assert code == 0 and ":8: holds" in out and ":10: holds" in out, out


INLINE_DEFINE = {
    "notes.tex": (
        "% symbptt: conventions elementwise = \\odot\n% symbptt: model\n"
        "\\[ h_t = \\tanh(W h_{t-1} + U x_t) \\]\n"
        "% symbptt: define \\delta_t := \\frac{\\partial L}{\\partial h_t}\n"
        "% symbptt: check\n\\[ {formula} \\]\n"
    ),
    "notes.md": (
        "<!-- symbptt: conventions elementwise = \\odot -->\n<!-- symbptt: model -->\n"
        "$$ h_t = \\tanh(W h_{t-1} + U x_t) $$\n"
        "<!-- symbptt: define \\delta_t := \\frac{\\partial L}{\\partial h_t} -->\n"
        "<!-- symbptt: check -->\n$$ {formula} $$\n"
    ),
}


@pytest.mark.parametrize("name", [*INLINE_DEFINE, "notes.ipynb"])
@pytest.mark.parametrize(
    ("formula", "verdict"),
    [
        (
            r"\frac{\partial L}{\partial W} = \sum_{t=1}^{T} (\delta_t \odot (1 - h_t^2)) h_{t-1}^\top",
            ":6: holds",
        ),
        (
            r"\frac{\partial L}{\partial W} = \sum_{t=1}^{T} \delta_t h_{t-1}^\top",
            ":6: does NOT hold",
        ),
    ],
)
def test_a_name_the_notes_define_in_prose_is_defined_in_its_marker(
    tmp_path: Path, name: str, formula: str, verdict: str
) -> None:
    """``% symbptt: define \\delta_t := ...``: the definition the prose states, written in the
    marker (the notes unchanged); it applies from its line on, as a define display does."""
    text = INLINE_DEFINE.get(name, INLINE_DEFINE["notes.md"]).replace("{formula}", formula)
    if name.endswith(".ipynb"):
        cell = {"cell_type": "markdown", "metadata": {}, "source": text.splitlines(True)}
        text = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})
        verdict = verdict.replace(":6:", ":cell 1:6:")
    code, out = _check(tmp_path, text, name=name)
    assert verdict in out, out
    assert ":4: defines \\delta_t" in out.replace("cell 1:", "")
