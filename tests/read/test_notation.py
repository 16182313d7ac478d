r"""The notation of real textbooks: what `check` reads as the sources write it.

Each formula here is read and decided; the corpus (tests/checker/test_corpus.py) holds the
formulas copied verbatim from their sources, with citations.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from symbptt import ElmanSpec, FormulaSyntaxError, check
from symbptt.errors import SpecError
from symbptt.read.profiles import load_profile
from tests.cli.test_cli import run

ELMAN = ElmanSpec(hidden=2, outputs=2, T=3, activation="tanh", output_activation="identity")
LINEAR = ElmanSpec(hidden=2, outputs=2, T=3, activation="identity", output_activation="identity")
#: Goodfellow et al.'s model: tanh, a softmax output, the summed negative log-likelihood
GOODFELLOW = ElmanSpec(
    hidden=2,
    outputs=2,
    T=3,
    activation="tanh",
    output_activation="identity",
    loss="cross-entropy",
    reduction="sum",
)
DL_DH = r"\frac{\partial L}{\partial \mathbf{h}_t}"
RECURSION = (
    DL_DH
    + r" = W_{hh}^\top \frac{\partial L}{\partial \mathbf{h}_{t+1}}"
    + r" + W_{hy}^\top \frac{\partial L}{\partial \mathbf{o}_t}"
)


@pytest.mark.parametrize(
    "formula",
    [
        RECURSION + ".",  # a display's full stop
        RECURSION + ",",
        RECURSION + r" \in \mathbb{R}^{h}.",  # where it lives: read, not checked
        RECURSION.replace(" = ", r" \equiv ", 1),
        RECURSION.replace("W_{hh}", r"\mathbf{W}_\textrm{hh}").replace(
            "W_{hy}", "W_{\\mathrm{hy}}"
        ),
        RECURSION.replace(
            r"\frac{\partial L}{\partial \mathbf{h}_{t+1}}",
            r"\Big(\frac{\partial L}{\partial \mathbf{h}_{t+1}}\Big)",
        ),
        RECURSION.replace(
            r"\frac{\partial L}{\partial \mathbf{h}_{t+1}}",
            r"\left[\frac{\partial L}{\partial \mathbf{h}_{t+1}}\right]",
        ),
    ],
)
def test_punctuation_text_subscripts_and_delimiters_are_read(formula: str) -> None:
    assert check(formula, model=LINEAR).holds


@pytest.mark.parametrize(
    "sum_",
    [r"\sum_{t=1}^{T}", r"\sum\limits_{t=1}^T", r"\sum_t", r"\sum_{t}", r"\sum_{1 \le t \le T}"],
)
def test_a_sum_over_every_step_is_written_in_many_ways(sum_: str) -> None:
    formula = (
        r"\frac{\partial L}{\partial W_{hy}} = "
        + sum_
        + r" \frac{\partial L}{\partial \mathbf{o}_t} \mathbf{h}_t^\top"
    )
    assert check(formula, model=LINEAR).holds


def test_a_product_over_a_range_with_strict_bounds() -> None:
    r"""prod_{t \ge i > k} J_i: i from k + 1 to t, as prod_{i=k+1}^{t}."""
    formula = (
        r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_k} = \prod_{t \ge i > k} "
        r"\frac{\partial \mathbf{h}_i}{\partial \mathbf{h}_{i-1}}"
    )
    result = check(formula.replace("_k", "_1").replace("> k", "> 1"), model=ELMAN)
    assert result.holds


def test_nabla_is_the_gradient_in_every_layout() -> None:
    formula = (
        r"\nabla_{\mathbf{h}_t} L = W_{hh}^\top \nabla_{\mathbf{h}_{t+1}} L"
        r" + W_{hy}^\top \nabla_{\mathbf{o}_t} L"
    )
    for layout in ("mixed", "numerator", "auto"):
        assert check(formula, model=LINEAR, layout=layout).holds, layout


def test_a_symbolic_matrix_power_and_an_elementwise_square() -> None:
    """d2l's (W_hh^T)^(T-i) and Goodfellow's (h^(t))^2, the square of each entry."""
    power = (
        DL_DH + r" = \sum_{i=t}^T {\left(W_{hh}^\top\right)}^{T-i} W_{hy}^\top "
        r"\frac{\partial L}{\partial \mathbf{o}_{T+t-i}}"
    )
    assert check(power, model=LINEAR).holds
    square = r"\boldsymbol{\delta}_t = \operatorname{diag}(1 - (\mathbf{h}_t)^2) " + DL_DH
    assert check(square, model=ELMAN).holds


def test_time_as_a_parenthesized_superscript_in_any_notation() -> None:
    formula = (
        r"\frac{\partial L}{\partial W_{hy}} = \sum_t \frac{\partial L}{\partial "
        r"\mathbf{o}^{(t)}} \mathbf{h}^{(t)^\top}"
    )
    assert check(formula, model=LINEAR).holds


def test_d2l_names_are_read_in_the_d2l_notation_only_when_it_is_given() -> None:
    """A formula is read in one notation: without --notation it is note000's, and a name
    only d2l knows is refused with the hint, not read in d2l's names behind the user's
    back."""
    formula = (
        r"\frac{\partial L}{\partial \mathbf{h}_T} = \textrm{prod}\left(\frac{\partial L}"
        r"{\partial \mathbf{o}_T}, \frac{\partial \mathbf{o}_T}{\partial \mathbf{h}_T} \right) "
        r"= \mathbf{W}_\textrm{qh}^\top \frac{\partial L}{\partial \mathbf{o}_T}."
    )
    with pytest.raises(FormulaSyntaxError, match="would be read with --notation d2l"):
        check(formula, model=LINEAR)
    result = check(formula, model=LINEAR, notation="d2l")
    assert result.holds
    assert any("d2l notation" in note and "W_qh = W_hy" in note for note in result.notes)


def test_goodfellow_names_time_superscripts_and_tau() -> None:
    formula = (
        r"\nabla_{\boldsymbol{W}} L = \sum_t \text{diag} \Big( 1 - \big( \boldsymbol{h}^{(t)} "
        r"\big)^2 \Big) ( \nabla_{\boldsymbol{h}^{(t)}} L) \boldsymbol{h}^{(t-1)^\top} ,"
    )
    result = check(formula, model=GOODFELLOW, notation="goodfellow")
    assert result.holds
    last = (
        r"\nabla_{\boldsymbol{h}^{(\tau)}} L = \boldsymbol{V}^\top "
        r"\nabla_{\boldsymbol{o}^{(\tau)}} L."
    )
    assert check(last, model=GOODFELLOW, notation="goodfellow").holds


def test_the_profile_decides_what_a_name_means() -> None:
    """W alone is W_hh for Goodfellow et al.; without the profile it is unknown."""
    formula = r"\nabla_{\boldsymbol{W}} L = \sum_t \boldsymbol{\delta}_t \mathbf{h}_{t-1}^\top"
    assert check(formula, model=ELMAN, notation="goodfellow").holds
    with pytest.raises(FormulaSyntaxError, match="unknown symbol"):
        check(formula, model=ELMAN, notation="note000")


def test_a_users_profile_in_a_toml_file(tmp_path) -> None:
    profile = tmp_path / "course.toml"
    profile.write_text(
        '[profile]\nname = "course"\ntitle = "my course"\n'
        '[profile.names]\n"W_{rec}" = "W_{hh}"\n"W_{out}" = "W_{hy}"\n'
        '[profile.vectors]\nz = "s"\n',
        encoding="utf-8",
    )
    formula = (
        r"\boldsymbol{\delta}_t = \operatorname{diag}(\phi'(\mathbf{z}_t)) (W_{out}^\top "
        r"\mathbf{g}_t + W_{rec}^\top \boldsymbol{\delta}_{t+1})"
    )
    result = check(formula, model=ELMAN, notation=str(profile))
    assert result.holds
    assert any("course notation" in note and "z_t = s_t" in note for note in result.notes)
    cli = run(
        "check", "--model", "elman", "--hidden", "2", "-T", "3", "--notation", str(profile), formula
    )
    assert cli.exit_code == 0, cli.output


@pytest.mark.parametrize(
    "content, message",
    [
        ('[profile]\nname = "x"\ncolour = "red"\n', "unknown key"),
        ('[profile]\nname = "x"\n[profile.names]\n"W_{rec}" = "\\\\frac{a}{b}"\n', "is not a name"),
        ('[profile]\nname = "x"\ntime = "diagonal"\n', "time must be"),
        ("[other]\n", r"one table, \[profile\]"),
        ('[profile]\nname = "x"\n[profile.sizes]\nC = "classes"\n', "maps a letter to"),
        ('[profile]\nname = "x"\n[profile.model]\nmodel = "transformer"\n', "model is one of"),
        ('[profile]\nname = "x"\n[profile.model]\noutputs = 0\n', "outputs is a size"),
        ('[profile]\nname = "x"\n[profile.model]\nlayers = 2\n', "unknown key 'layers'"),
    ],
)
def test_a_bad_profile_is_refused_naming_the_fault(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SpecError, match=message):
        load_profile(str(path))
    assert run("check", "--model", "elman", "--notation", str(path), "L = L").exit_code == 2


def test_an_unknown_notation_name_is_refused() -> None:
    result = run("check", "--model", "elman", "--notation", "knuth", "L = L")
    assert result.exit_code == 2 and "unknown notation 'knuth'" in result.stderr


def test_the_step_loss_with_its_arguments_and_d2ls_scaled_derivative() -> None:
    formula = (
        r"\frac{\partial L}{\partial \mathbf{o}_t} = \frac{\partial \ell (\mathbf{o}_t, "
        r"y_t)}{T \cdot \partial \mathbf{o}_t}"
    )
    assert check(formula.replace("y_t", r"\mathbf{d}_t"), model=LINEAR).holds


def test_a_chain_that_breaks_says_at_which_equals_sign() -> None:
    formula = (
        r"\frac{\partial L}{\partial W_{hy}} = \sum_{t=1}^T \frac{\partial L}{\partial "
        r"\mathbf{o}_t} \mathbf{h}_t^\top = \sum_{t=1}^T \frac{\partial L}{\partial "
        r"\mathbf{o}_t} \mathbf{h}_{t-1}^\top"
    )
    result = check(formula, model=LINEAR, layout="mixed")
    assert not result.holds and "second '='" in result.explanation


ALIGNED = r"""\begin{aligned}
\frac{\partial L}{\partial \mathbf{W}_\textrm{hx}}
&= \sum_{t=1}^T \frac{\partial L}{\partial \mathbf{h}_t} \mathbf{x}_t^\top,\\
\frac{\partial L}{\partial \mathbf{W}_\textrm{hh}}
&= \sum_{t=1}^T \frac{\partial L}{\partial \mathbf{h}_t} \mathbf{h}_{t-1}^\top.
\end{aligned}"""


def test_an_aligned_display_is_its_equations_and_a_continued_row_its_chain() -> None:
    """Two rows with left sides of their own are two equations; '&= C' continues one."""
    result = check(ALIGNED, model=LINEAR, notation="d2l")
    assert result.holds and len(result.parts) == 2
    wrong_row = ALIGNED.replace(r"\mathbf{h}_{t-1}^\top", r"\mathbf{h}_{t}^\top")
    wrong = check(wrong_row, model=LINEAR, notation="d2l")
    assert not wrong.holds and wrong.explanation.startswith("equation 2 of 2")
    chain = r"\begin{aligned} L &= L \\ &= \frac{1}{T} \sum_{t=1}^T \ell_t \end{aligned}"
    assert check(chain, model=LINEAR).holds and not check(chain, model=LINEAR).parts


def test_a_marked_align_in_a_file_gives_a_verdict_per_equation(tmp_path) -> None:
    notes = tmp_path / "bptt.tex"
    notes.write_text("Text.\n% symbptt: check\n\\begin{align}\n" + ALIGNED + "\n\\end{align}\n")
    result = run(
        "check",
        "--model",
        "elman",
        "--hidden",
        "2",
        "-T",
        "3",
        "--activation",
        "identity",
        "--output-activation",
        "identity",
        "--notation",
        "d2l",
        "--file",
        str(notes),
    )
    assert result.exit_code == 0, result.output
    assert f"{notes}:5: holds" in result.output and f"{notes}:7: holds" in result.output


GOODFELLOW_MACROS = (
    r"\newcommand{\Vh}{\boldsymbol{\mathit{h}}}"
    "\n"
    r"\newcommand{\Vo}{\boldsymbol{\mathit{o}}}"
    "\n"
    r"\newcommand{\Vc}{\boldsymbol{\mathit{c}}}"
    "\n"
    r"\newcommand{\MV}{\boldsymbol{\mathit{V}}}"
    "\n"
)


def test_the_macros_a_preamble_defines_are_expanded() -> None:
    formula = r"\nabla_{\Vh^{(\tau)}} L = \MV^\top \nabla_{\Vo^{(\tau)}} L."
    assert check(formula, model=GOODFELLOW, notation="goodfellow", macros=GOODFELLOW_MACROS).holds
    with pytest.raises(FormulaSyntaxError, match="unknown symbol"):
        check(formula, model=GOODFELLOW, notation="goodfellow")


def test_a_macro_that_never_stops_expanding_is_an_error() -> None:
    with pytest.raises(FormulaSyntaxError, match="nest deeper|expand the formula beyond"):
        check(r"\a = 1", model=ELMAN, macros=r"\newcommand{\a}{\a\a}")
    with pytest.raises(FormulaSyntaxError, match="nest deeper"):
        check(r"\a = 1", model=ELMAN, macros=r"\newcommand{\a}{\b}\newcommand{\b}{\a}")


def test_check_file_reads_the_files_own_macros_and_a_preamble(tmp_path) -> None:
    notes = tmp_path / "notes.tex"
    notes.write_text(
        r"\newcommand{\Vo}{\boldsymbol{\mathit{o}}}"
        "\n% symbptt: check\n"
        r"\[ \nabla_{\Vh^{(\tau)}} L = \MV^\top \nabla_{\Vo^{(\tau)}} L. \]"
        "\n"
    )
    macros = tmp_path / "math_symbol.tex"
    macros.write_text(GOODFELLOW_MACROS)
    args = [
        "check",
        "--model",
        "elman",
        "--hidden",
        "2",
        "--outputs",
        "2",
        "-T",
        "3",
        "--activation",
        "tanh",
        "--output-activation",
        "identity",
        "--step-loss",
        "cross-entropy",
        "--loss",
        "sum",
        "--notation",
        "goodfellow",
        "--file",
        str(notes),
    ]
    result = run(*args, "--preamble", str(macros))
    assert result.exit_code == 0, result.output + result.stderr
    assert run(*args).exit_code == 2  # \Vh and \MV are defined only in the preamble


def test_unicode_partials_greek_letters_and_primes() -> None:
    """Cross Validated answer 464774's d L / d s_T, typed with ∂, ϕ and ′."""
    assert check(
        r"\frac{∂L}{∂s_{T}}=\frac{∂L}{∂h_{T}} \frac{∂h_{T}}{∂s_{T}}=\frac{∂L}{∂h_{T}}ϕ′(s_{T})", T=3
    ).holds


MD_NOTES = r"""# BPTT notes

<!-- symbptt: check -->
$$
\frac{\partial L}{\partial W_{hy}} = \sum_{t=1}^T
\frac{\partial L}{\partial \mathbf{z}_t} \mathbf{h}_t^\top
$$

Unmarked, unread: $$ \frac{\partial L}{\partial W_{hy}} = 0 $$

<!-- symbptt: check -->
```{math}
:label: eq-delta
\boldsymbol{\delta}_t = \operatorname{diag}(\phi'(\mathbf{s}_t))
W_{hh}^\top \boldsymbol{\delta}_{t+1}
```
"""


def test_check_file_reads_markdown_and_myst_math_blocks(tmp_path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(MD_NOTES, encoding="utf-8")
    result = run("check", "--model", "elman", "--hidden", "2", "-T", "3", "--file", str(notes))
    assert result.exit_code == 1  # the second display drops W_hy^T g_t
    assert f"{notes}:4: holds" in result.output
    assert f"{notes}:13: does NOT hold" in result.output
    verdicts = [line for line in result.output.splitlines() if line.startswith(str(notes))]
    assert len(verdicts) == 2  # the unmarked display is not read


def test_check_file_reads_a_notebooks_markdown_cells_by_cell_number(tmp_path) -> None:
    import json

    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "source": ["x = 1"],
            "outputs": [],
            "execution_count": None,
        },
        {"cell_type": "markdown", "metadata": {}, "source": MD_NOTES.splitlines(keepends=True)},
    ]
    notebook = tmp_path / "bptt.ipynb"
    notebook.write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
    )
    result = run("check", "--model", "elman", "--hidden", "2", "-T", "3", "--file", str(notebook))
    assert f"{notebook}:cell 2:4: holds" in result.output
    assert f"{notebook}:cell 2:13: does NOT hold" in result.output


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("n.md", "<!-- symbptt: check -->\nplain text\n", "not followed by a display"),
        ("n.md", "<!-- symbptt: check -->\n$$ x = x\n", "not closed"),
        ("n.ipynb", "{not json", "not a Jupyter notebook"),
        ("n.ipynb", '{"nbformat": 3, "worksheets": []}', "nbformat 4"),
        ("n.md", "no marks\n", "no display marked '<!-- symbptt: check -->'"),
    ],
)
def test_bad_markdown_and_notebooks_are_refused(tmp_path, name, content, message) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run("check", "--model", "elman", "--file", str(path))
    # an error of the file on stderr, or a marker answered as refused on its line
    assert result.exit_code == 2 and message in result.stderr + result.stdout


@pytest.mark.parametrize(
    "formula, model, repair",
    [
        (  # question 002's slip
            r"\dfrac{\partial L}{\partial h_t} = \dfrac{\partial L}{\partial {\hat y}_t} "
            r"\phi^\prime(h_t) + \dfrac{\partial L}{\partial s_{t+1}}w",
            None,
            "phi'(h_t) is replaced by theta'(h_t)",
        ),
        (
            r"\boldsymbol{\delta}_t = \operatorname{diag}(\phi'(\mathbf{s}_t)) (W_{hy}^\top "
            r"\mathbf{g}_t + W_{hh} \boldsymbol{\delta}_{t+1})",
            ELMAN,
            "W_hh is replaced by W_hh^T",
        ),
        (
            r"\boldsymbol{\delta}_t = \operatorname{diag}(\phi'(\mathbf{s}_{t+1})) (W_{hy}^\top "
            r"\mathbf{g}_t + W_{hh}^\top \boldsymbol{\delta}_{t+1})",
            ELMAN,
            "s_(t+1) is replaced by s_t",
        ),
        (
            r"\frac{\partial L}{\partial W_{hy}} = \frac{1}{T} \sum_{t=1}^{T} \mathbf{g}_t "
            r"\mathbf{h}_t^\top",
            ELMAN,
            "a factor 1/T is dropped",
        ),
        (
            r"\frac{\partial \mathbf{h}_3}{\partial \mathbf{h}_1} = \frac{\partial \mathbf{h}_2}"
            r"{\partial \mathbf{h}_1} \frac{\partial \mathbf{h}_3}{\partial \mathbf{h}_2}",
            ELMAN,
            "written the other way round",
        ),
    ],
)
def test_a_formula_that_fails_names_the_single_edit_that_repairs_it(formula, model, repair) -> None:
    result = check(formula, model=model, T=3, layout="mixed")
    assert not result.holds and result.counterexample is not None
    assert any(repair in r for r in result.repairs), result.repairs


def test_repairs_are_not_degenerate_and_absent_when_nothing_single_helps() -> None:
    """An edit that empties a chain (dh_2/dh_1 into dh_1/dh_1) repairs nothing."""
    result = check(
        r"\frac{\partial \mathbf{h}_3}{\partial \mathbf{h}_1} = \frac{\partial \mathbf{h}_2}"
        r"{\partial \mathbf{h}_1} \frac{\partial \mathbf{h}_3}{\partial \mathbf{h}_2}",
        model=ELMAN,
        layout="mixed",
    )
    assert not any("is replaced by h_" in r for r in result.repairs)
    assert check(r"\mathbf{h}_t = 2 \mathbf{h}_t", model=ELMAN).repairs == ()


def test_the_command_line_prints_the_repairs() -> None:
    result = run(
        "check",
        "-T",
        "3",
        r"\frac{\partial L}{\partial s_t} = \frac{\partial L}"
        r"{\partial h_t} \phi'(h_t)",
    )
    assert result.exit_code == 1
    assert "repair: it holds if phi'(h_t) is replaced by phi'(s_t) (modular)" in result.output


def test_components_and_sums_over_them() -> None:
    """Goodfellow et al.'s o_i^{(t)}: entry i of o_t; sum_i runs over a vector's entries;
    a free component index means every component."""
    every = (
        r"(\nabla_{\boldsymbol{o}^{(t)}} L)_i = \frac{\partial L}{\partial o_i^{(t)}} = "
        r"\hat y_i^{(t)} - \mathbf{1}_{i,y^{(t)}}"
    )
    result = check(every, model=GOODFELLOW, notation="goodfellow")
    assert result.holds and any(r.t == 3 for r in result.results)
    wrong = check(every.replace(r"\mathbf{1}_{i,y^{(t)}}", "1"), model=GOODFELLOW)
    assert not wrong.holds and "i=" in wrong.explanation
    summed = (
        r"\nabla_{\boldsymbol{V}} L = \sum_t \sum_i \Big( \frac{\partial L}{\partial "
        r"o_i^{(t)}}\Big) \nabla_{\boldsymbol{V}} o_i^{(t)}"
    )
    assert check(summed, model=GOODFELLOW, notation="goodfellow").holds


def test_a_parameters_copy_at_one_step_is_its_immediate_partial() -> None:
    """Goodfellow et al.'s b^{(t)}: dh^{(t)}/db^{(t)} through step t's use of b only."""
    formula = (
        r"\nabla_{\boldsymbol{b}} L = \sum_t \Big( \frac{\partial \boldsymbol{h}^{(t)}}"
        r"{\partial \boldsymbol{b}^{(t)}} \Big)^\top \nabla_{\boldsymbol{h}^{(t)}} L"
    )
    assert check(formula, model=GOODFELLOW, notation="goodfellow").holds
    total = formula.replace(r"\boldsymbol{b}^{(t)}", r"\boldsymbol{b}")
    assert not check(total, model=GOODFELLOW, notation="goodfellow").holds
    # a later state depends on step t's copy through h^{(t)}: not 0
    later = check(
        r"\frac{\partial \boldsymbol{h}^{(t+1)}}{\partial \boldsymbol{b}^{(t)}} = 0",
        model=GOODFELLOW,
        notation="goodfellow",
    )
    assert not later.holds and later.counterexample is not None


def test_the_loss_by_the_loss_at_one_step() -> None:
    assert check(r"\frac{\partial L}{\partial L^{(t)}} = 1", model=GOODFELLOW).holds
    assert check(r"\frac{\partial L}{\partial L_t} = \frac{1}{T}", model=ELMAN).holds


def test_sums_in_sums_run_loop_in_loop() -> None:
    """sum_t sum_{k=1}^{t}: the inner limit reads the outer index."""
    formula = (
        r"\sum_{t=1}^{T} \sum_{k=1}^{t} \mathbf{x}_k = \sum_{k=1}^{T} \sum_{t=k}^{T} "
        r"\mathbf{x}_k"
    )
    assert check(formula, model=ELMAN).holds
    assert not check(formula.replace(r"\sum_{t=k}^{T}", r"\sum_{t=1}^{k}"), model=ELMAN).holds


def test_the_document_prints_the_derivation_in_a_textbooks_names() -> None:
    """pdf/tex --notation goodfellow: U, W, V, b, c, a^{(t)}, h^{(t)} for W_xh, W_hh,
    W_hy, b_h, b_y, s_t, h_t; the verified objects, and so the certificate, unchanged."""
    args = ["tex", "--model", "elman", "--hidden", "2", "-T", "2", "--activation", "tanh"]
    args += ["--step-loss", "cross-entropy", "--loss", "sum", "--output-activation", "identity"]
    args += ["--outputs", "3"]  # the options of the profile's model: nothing left to it
    own, textbook = run(*args), run(*args, "--notation", "goodfellow")
    assert "its source's model" not in textbook.stderr
    assert own.exit_code == textbook.exit_code == 0, textbook.output
    tex = textbook.output
    assert r"{\mathbf{a}^{(1)}} = U {\mathbf{x}^{(1)}} + W {\mathbf{h}^{(0)}} + \mathbf{b}" in tex
    assert r"V^\top" in tex and "W_{hh}" not in tex and r"\mathbf{s}_" not in tex

    def certificate(text: str) -> list[list[str]]:  # its rows, without the time column
        rows = [line.split("&") for line in text.splitlines() if "holds" in line and "&" in line]
        return [row[:3] + row[4:] for row in rows]

    assert certificate(tex) == certificate(own.output)
    assert run(*args, "--notation", "knuth").exit_code == 2


def test_a_profile_brings_the_model_its_source_describes() -> None:
    """pdf/tex --notation goodfellow without model options prints Goodfellow et al.'s
    network (the Elman RNN, tanh, a softmax head, the summed cross-entropy), not the
    seeds' scalar one, and says on stderr which options the profile set; an option
    given on the command line wins."""
    textbook = run("tex", "-T", "2", "--hidden", "2", "--notation", "goodfellow")
    assert textbook.exit_code == 0, textbook.output
    assert "--model elman --activation tanh" in textbook.stderr
    assert "--hidden" not in textbook.stderr  # given: not the profile's
    tex = textbook.stdout
    assert r"\operatorname{softmax}\!\left({\mathbf{o}^{(t)}}\right)_{y^{(t)}}" in tex
    assert r"class" in tex and r"index $y^{(t)}$" in tex
    assert r"\frac{1}{T}" not in tex  # summed
    mean = run("tex", "-T", "2", "--hidden", "2", "--notation", "goodfellow", "--loss", "mean")
    assert mean.exit_code == 0 and r"\frac{1}{T}" in mean.stdout
    assert "--loss" not in mean.stderr
    lstm = run("tex", "-T", "2", "--hidden", "1", "--notation", "goodfellow", "--model", "lstm")
    assert lstm.exit_code == 0, lstm.output  # tanh is phi, which the LSTM has not: skipped
    assert "--activation" not in lstm.stderr


def test_a_document_in_a_source_counting_from_zero_numbers_its_steps_so() -> None:
    """pdf/tex --notation wildml: Britz's steps count from 0 and his s_t is the state,
    so the document unrolls s_0 .. s_(T-1) from the given s_(-1), sums from t = 0 to
    T - 1, and prints the model's pre-activation s_t as a_t (the letter s is the
    state's); the verified objects, and so the certificate, are the same."""
    args = ["tex", "-T", "3", "--hidden", "2", "--model", "elman", "--activation", "tanh"]
    args += ["--step-loss", "cross-entropy", "--loss", "sum", "--output-activation", "identity"]
    args += ["--outputs", "3"]
    own, britz = run(*args), run(*args, "--notation", "wildml")
    assert britz.exit_code == own.exit_code == 0, britz.output
    tex = britz.stdout
    assert r"Unrolled for $t = 0, \dots, 2$, starting from the given $\mathbf{s}_{-1}$" in tex
    assert r"\mathbf{a}_{0} = U \mathbf{x}_{0} + W \mathbf{s}_{-1} + \mathbf{b}_{h}" in tex
    assert r"\sum_{t=0}^{T-1}" in tex and r"\sum_{t=1}^{T}" not in tex
    assert r"\sum_{i=0}^{t-1}" in tex
    assert r"\boldsymbol{\delta}_{3} &= \mathbf{0}" in tex  # nothing after step T - 1 = 2
    assert "nothing after step $T-1$" in tex
    assert r"\mathbf{s}_{3}" not in tex and r"\mathbf{h}_" not in tex
    assert r"\ell_{0}" in tex  # the figure's first loss

    def certificate(text: str) -> list[list[str]]:  # its rows, without the time column
        rows = [line.split("&") for line in text.splitlines() if "holds" in line and "&" in line]
        return [row[:3] + row[4:] for row in rows]

    assert certificate(tex) == certificate(own.stdout)


def test_check_reads_a_formula_in_the_model_of_its_notation() -> None:
    """check(..., notation="goodfellow") with no model: Goodfellow et al.'s network, in
    which their eq. (10.18) holds (the seeds' scalar model has no softmax)."""
    formula = r"(\nabla_{\mathbf{o}^{(t)}} L)_i = \hat y_i^{(t)} - \mathbf{1}_{i,y^{(t)}}"
    assert check(formula, notation="goodfellow", T=2).holds
    assert check(formula, model=GOODFELLOW, notation="goodfellow").holds
    cli = run("check", "-T", "2", "--notation", "goodfellow", formula)
    assert cli.exit_code == 0, cli.output


def test_a_second_free_index_is_every_earlier_step() -> None:
    """dh_t/dh_k = prod_{i=k+1}^{t} dh_i/dh_(i-1), for every t and every k < t."""
    formula = (
        r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_k} = \prod_{i=k+1}^{t} "
        r"\frac{\partial \mathbf{h}_i}{\partial \mathbf{h}_{i-1}}"
    )
    result = check(formula, model=ELMAN)
    assert result.holds and any("k = 0..t-1" in note for note in result.notes)
    wrong = check(formula.replace("i=k+1", "i=k"), model=ELMAN)
    assert not wrong.holds and "k=" in wrong.explanation
    with pytest.raises(FormulaSyntaxError, match="more than one free index"):
        check(r"\mathbf{h}_i = \mathbf{h}_j", model=ELMAN)


def test_function_names_of_the_models_own_functions_and_bold_subscripts() -> None:
    r"""\tanh where phi is tanh (never for an unknown phi); \mathbf{h_t} as \mathbf{h}_t."""
    formula = (
        r"\boldsymbol{\delta}_t = \operatorname{diag}(\tanh'(\mathbf{s_t})) (W_{hy}^\top "
        r"\mathbf{g_t} + W_{hh}^\top \boldsymbol{\delta}_{t+1})"
    )
    assert check(formula, model=ELMAN).holds
    with pytest.raises(FormulaSyntaxError, match=r"unknown symbol \\tanh"):
        check(formula, model=ElmanSpec(hidden=2, T=3, activation="generic"))


def test_d2ls_operator_notation_and_a_sum_written_downwards() -> None:
    assert check(
        r"\partial_w h_t = \partial_w f(x_t, h_{t-1}, w) + \partial_h f(x_t, h_{t-1}, w) "
        r"\partial_w h_{t-1}",
        T=3,
    ).holds
    # d2l's sum from t down to 1 is also an empty sum as written: ambiguous, refused
    with pytest.raises(FormulaSyntaxError, match="ambiguous: with a sum whose upper limit"):
        check(r"\sum_{i=t}^{1} h_i = \sum_{i=1}^{t} h_i", T=3)


def test_a_chain_with_a_side_that_is_not_read_is_decided_by_the_others_only_if_false() -> None:
    """A = B = C with B not read: if A and C differ, the chain cannot hold (with a
    counterexample); if they are equal, no verdict (exit 2), saying so."""
    unread = r"\frac{\partial L}{\partial W_{hy}} = \sum_t q_t = "
    right = r"\sum_{t=1}^T \mathbf{g}_t \mathbf{h}_t^\top"
    with pytest.raises(FormulaSyntaxError, match="side 2 is not read.*are equal"):
        check(unread + right, model=ELMAN)
    wrong = check(
        unread + right.replace(r"\mathbf{h}_t^\top", r"\mathbf{h}_{t-1}^\top"), model=ELMAN
    )
    assert not wrong.holds and wrong.counterexample is not None
    assert "side 2 is not read" in wrong.explanation


def test_a_chain_with_a_side_without_value_is_decided_by_the_others_only_if_false() -> None:
    """Goodfellow et al.'s eq. (10.21) as printed: its last side multiplies a column by a
    matrix; the first two sides are equal: no verdict."""
    formula = (
        r"\nabla_{\mathbf{h}_t} L = W_{hh}^\top \operatorname{diag}(1 - \mathbf{h}_{t+1}^2) "
        r"\nabla_{\mathbf{h}_{t+1}} L + W_{hy}^\top \nabla_{\mathbf{o}_t} L = W_{hh}^\top "
        r"(\nabla_{\mathbf{h}_{t+1}} L) \operatorname{diag}(1 - \mathbf{h}_{t+1}^2) + W_{hy}^\top "
        r"\nabla_{\mathbf{o}_t} L"
    )
    with pytest.raises(FormulaSyntaxError, match="side 3 has no value.*other sides are equal"):
        check(formula, model=GOODFELLOW)


def test_outer_products_superscript_labels_and_a_sum_over_elementwise_products() -> None:
    """W^{hy} is W_{hy}; a \\otimes b is a b^T; a sum takes the elementwise or outer
    product after it whole."""
    assert check(
        r"\frac{\partial L}{\partial W^{hy}} = \sum_t \mathbf{g}_t \otimes \mathbf{h}_t",
        model=ELMAN,
    ).holds
    assert check(
        r"\frac{\partial L}{\partial \mathbf{b}_h} = \sum_t \phi'(\mathbf{s}_t) \odot "
        r"\frac{\partial L}{\partial \mathbf{h}_t}",
        model=ELMAN,
    ).holds


def test_a_sum_from_step_zero_is_refused_not_crashed() -> None:
    """The refusal names what is out of range (l_0), in the source's names (Wolf's z_0)."""
    with pytest.raises(FormulaSyntaxError, match=r"in range \(l_0 is outside the model"):
        check(r"L = \frac{1}{T}\sum_{t=0}^{T} \ell_t", model=ELMAN)
    wolf = Path(__file__).parents[1] / "profiles" / "wolf.toml"
    with pytest.raises(FormulaSyntaxError, match=r"z_0 is outside the model"):
        check(
            r"\frac{\partial \mathbf{J_t}}{\partial \mathbf{W^{hh}}} = \sum\limits_{k=0}^{t} "
            r"\frac{\partial \mathbf{J_t}}{\partial \mathbf{h_t}} \frac{\partial \mathbf{h_t}}"
            r"{\partial \mathbf{h_k}} \frac{\partial \mathbf{h_k}}{\partial \mathbf{z_k}} "
            r"\frac{\partial \mathbf{z_k}}{\partial \mathbf{W^{hh}}}",
            model=GOODFELLOW,
            notation=str(wolf),
        )


def test_diag_and_tanh_typed_without_a_backslash() -> None:
    assert check(
        r"\boldsymbol{\delta}_t = diag[tanh'(\mathbf{s}_t)] (W_{hy}^\top \mathbf{g}_t + "
        r"W_{hh}^\top \boldsymbol{\delta}_{t+1})",
        model=ELMAN,
    ).holds


def test_an_ellipsis_between_factors_of_one_pattern_is_their_product() -> None:
    """dh_{t+1}/dh_t dh_t/dh_{t-1} ... dh_{k+1}/dh_k (M. M. Arat's notes)."""
    formula = (
        r"\frac{\partial h_{t+1}}{\partial h_k} = \frac{\partial h_{t+1}}{\partial h_{t}}"
        r"\frac{\partial h_{t}}{\partial h_{t-1}} \cdots \frac{\partial h_{k+1}}{\partial h_k}"
    )
    result = check(formula, model=ELMAN)
    assert result.holds and any("'...'" in note for note in result.notes)
    with pytest.raises(FormulaSyntaxError, match="one pattern"):
        check(formula.replace(r"{\partial h_{t-1}}", r"{\partial h_{t-2}}"), model=ELMAN)


def test_f_for_the_hidden_activation_and_c_for_the_loss() -> None:
    """f(s_t), f'(s_t) as the hidden activation (with one argument; f(x_t, h_{t-1}, w_h)
    stays the one-step map), and C, as many notes name the cost."""
    assert check(
        r"\frac{\partial C}{\partial \mathbf{s}_t} = f'(\mathbf{s}_t) \odot "
        r"\frac{\partial C}{\partial \mathbf{h}_t}",
        model=ELMAN,
    ).holds
    assert check(
        r"\frac{\partial L}{\partial s_t} = \frac{\partial L}{\partial h_t} f'(s_t)", T=3
    ).holds


def test_a_formula_is_read_in_the_one_notation_given_never_in_another_that_makes_it_hold() -> None:
    """WildML's s_t is the hidden state, note000's and Goodfellow's the pre-activation:
    in Goodfellow's notation the formula fails, in WildML's it holds; each verdict is
    that of the notation given, and without one, a name only profiles know is refused
    naming them."""
    formula = r"\frac{\partial E}{\partial V} = \sum_t (\hat{y}_t - \mathbf{e}_{y_t}) \otimes s_t"
    with pytest.raises(FormulaSyntaxError, match="--notation goodfellow or --notation wildml"):
        check(formula, model=GOODFELLOW)
    assert not check(formula, model=GOODFELLOW, notation="goodfellow").holds
    assert check(formula, model=GOODFELLOW, notation="wildml").holds


def test_a_classic_slip_does_not_hold_because_another_notation_would_make_it_true() -> None:
    """dL/ds_t = dL/dh_t holds in WildML's names (s = h), not in note000's: it fails,
    and a note tells that --notation wildml would read it otherwise."""
    slip = r"\frac{\partial L}{\partial \mathbf{s}_t} = \frac{\partial L}{\partial \mathbf{h}_t}"
    result = check(slip, model=ELMAN)
    assert not result.holds and result.counterexample is not None
    assert any("--notation wildml" in note for note in result.notes)


def test_underbraces_are_comments_and_epsilon_is_a_loss() -> None:
    """nadavb.com's \\underbrace{...}_{\\text{d,d}} shape notes; its loss epsilon."""
    summed = ElmanSpec(hidden=2, T=3, output_activation="identity", reduction="sum")
    assert check(
        r"\underbrace{ \frac{\partial \varepsilon }{\partial W_{hh}} }_{\text{d,d}} = "
        r"\sum_{1 \leq t \leq T} \frac{\partial \varepsilon_t }{\partial W_{hh}}",
        model=summed,
    ).holds


def test_pascanus_notation_its_state_the_pre_activation_and_sigma_its_phi() -> None:
    """x_t = W_rec sigma(x_(t-1)) + W_in u_t + b: W_rec diag(sigma'(x_(i-1))) holds; the
    paper's eq. (5) with W_rec^T (the erratum several notes discuss) holds in no layout,
    and the repair drops the transpose."""
    mixed = r"\frac{\partial x_i}{\partial x_{i-1}} = W_{rec} diag(\sigma'(x_{i-1}))"
    result = check(mixed, model=ELMAN, notation="pascanu")
    assert result.holds and result.layout == "mixed"
    paper = r"\frac{\partial x_i}{\partial x_{i-1}} = W_{rec}^T diag(\sigma'(x_{i-1}))"
    wrong = check(paper, model=ELMAN, notation="pascanu")
    assert not wrong.holds and wrong.repairs == ("W_rec^T is replaced by W_rec",)


def test_a_spec_file_prints_its_derivation_in_a_profiles_names(tmp_path) -> None:
    from symbptt.build import make_tex
    from symbptt.specfile import load

    spec_file = tmp_path / "course.toml"
    spec_file.write_text(
        'title = "BPTT in the textbook\'s notation"\n[model]\nmodel = "elman"\nhidden = 2\n'
        'T = 2\nactivation = "tanh"\n[notation]\nprofile = "goodfellow"\n',
        encoding="utf-8",
    )
    loaded = load(spec_file)
    tex, _ = make_tex(loaded.spec, options=loaded.options, method=loaded.method)
    assert r"{\mathbf{a}^{(1)}} = U {\mathbf{x}^{(1)}}" in tex
    spec_file.write_text(spec_file.read_text().replace('"goodfellow"', '"missing.toml"'))
    with pytest.raises(SpecError, match=r"\[notation\] profile"):
        load(spec_file)


def test_repairs_are_named_as_the_source_names_things() -> None:
    """d2l's W_hx, not the model's W_xh."""
    result = check(
        r"\frac{\partial L}{\partial \mathbf{W}_\textrm{hx}} = \sum_{t=1}^T \textrm{prod}\left("
        r"\frac{\partial L}{\partial \mathbf{h}_t}, \frac{\partial \mathbf{h}_t}{\partial "
        r"\mathbf{W}_\textrm{hx}}\right)",
        model=LINEAR,
        notation="d2l",
    )
    assert result.repairs == ("dh_t/dW_hx is the immediate partial d+h_t/dW_hx",)


def test_factors_after_a_product_that_may_be_inside_it_or_not_are_an_ambiguity() -> None:
    """Whether W in prod_{i=k+1}^{t} diag(phi'(s_i)) W is in the product is a reading
    (Y. Huang's notes mean it inside): true in one reading and false in the other, it is
    refused as ambiguous; parentheses decide it; false in both, it fails, and says so."""
    jacobian = r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_k} = "
    inside = jacobian + r"\prod_{i=k+1}^{t} \operatorname{diag}(\phi'(\mathbf{s}_i)) W_{hh}"
    with pytest.raises(FormulaSyntaxError, match="ambiguous: with the factors after the"):
        check(inside, model=ELMAN)
    bracketed = jacobian + r"\prod_{i=k+1}^{t} (\operatorname{diag}(\phi'(\mathbf{s}_i)) W_{hh})"
    assert check(bracketed, model=ELMAN).holds
    wrong = inside.replace(r"\phi'(\mathbf{s}_i)", r"\phi'(\mathbf{s}_{i-1})")
    result = check(wrong, model=ELMAN)
    assert not result.holds and result.counterexample is not None
    assert any("does not hold with them inside it too" in note for note in result.notes)


HUANG = Path(__file__).parents[1] / "profiles" / "huang.toml"
CE3 = GOODFELLOW.replace(outputs=3)


@pytest.mark.parametrize(
    "formula, holds",
    [
        # entry i of a vector at step t, as g_{t, i}; every i
        (r"\frac{\partial L_t}{\partial g_{t, i}} = \hat{y}_{t, i} - y_{t, i}", True),
        (r"\frac{\partial L_t}{\partial g_{t, i}} = \hat{y}_{t, 1} - y_{t, i}", False),
        # the profile's size letter C: the number of classes
        (
            r"\frac{\partial L_t}{\partial g_{t, i}} = \sum_{k=1}^C \frac{\partial L_t}"
            r"{\partial \hat{y}_{t, k}}\frac{\partial \hat{y}_{t, k}}{\partial g_{t, i}}",
            True,
        ),
        # D is the hidden size: the sum misses the last class
        (
            r"\frac{\partial L_t}{\partial g_{t, i}} = \sum_{k=1}^D \frac{\partial L_t}"
            r"{\partial \hat{y}_{t, k}}\frac{\partial \hat{y}_{t, k}}{\partial g_{t, i}}",
            False,
        ),
        # two free entry indices (every entry of the Jacobian) and the indicator 1(i=j)
        (
            r"\frac{\partial \hat{y}_{t, i}}{\partial g_{t, j}} = "
            r"\hat{y}_{t, i}(\mathbf{1}(i=j) - \hat{y}_{t, j})",
            True,
        ),
        (
            r"\frac{\partial \hat{y}_{t, i}}{\partial g_{t, j}} = "
            r"\hat{y}_{t, i}(\mathbf{1}_{i,j} - \hat{y}_{t, i})",
            False,
        ),
        # division by a probability, which is never 0
        (r"\frac{\partial L_t}{\partial \hat{y}_{t,i}} = -\frac{y_{t, i}}{\hat{y}_{t, i}}", True),
    ],
)
def test_entries_sizes_and_indicators_of_a_users_notes(formula: str, holds: bool) -> None:
    """Y. Huang's notes (tests/profiles/huang.toml): entries as g_{t, i}, C the number of
    classes, 1(i=j), y_{t,k} / yhat_{t,k}."""
    result = check(formula, model=CE3, notation=str(HUANG))
    assert result.holds is holds, result.explanation
    if not holds:
        assert result.counterexample is not None


def test_two_indices_in_a_subscript_belong_to_a_vector_only() -> None:
    with pytest.raises(FormulaSyntaxError, match="step and entry"):
        check(r"\frac{\partial L}{\partial W_{t, i}} = 0", model=CE3, notation=str(HUANG))
    with pytest.raises(FormulaSyntaxError, match="only division"):
        check(r"\frac{\partial L_t}{\partial g_{t,i}} = \frac{1}{g_{t, i}}", model=CE3)


WILDML4 = GOODFELLOW.replace(T=4)


def test_a_source_that_counts_steps_from_zero() -> None:
    """Britz (WildML) counts from 0: s_0 is the first state computed, s_{-1} the initial
    one, E_3 the loss at the fourth step; \\sum_t runs over 0..T-1."""
    formula = (
        r"\frac{\partial E_{3}}{\partial W}=\sum_{k=0}^{3}\frac{\partial E_{3}}{\partial "
        r"\hat{y_{3}}} \frac{\partial \hat{y_{3}}}{\partial s_{3}} \frac{\partial s_{3}}"
        r"{\partial s_{k}} \frac{\partial^+ s_{k}}{\partial W}"
    )
    result = check(formula, model=WILDML4, notation="wildml")
    assert result.holds and any("counts steps from 0" in n for n in result.notes)
    assert check(r"\mathbf{h}_0 = s_{-1}", model=WILDML4, notation="wildml").holds
    every = r"\frac{\partial E}{\partial V} = \sum_t (\hat{y}_t - y_t) \otimes s_t"
    assert check(every, model=WILDML4, notation="wildml").holds
    with pytest.raises(SpecError, match="0 or 1"):
        load_profile_text('[profile]\nname = "x"\nfirst = 2\n')


def load_profile_text(text: str) -> object:
    from symbptt.files import parse_toml
    from symbptt.read.profiles import parse_profile

    return parse_profile(parse_toml(text, where="x.toml"), "x.toml")


def test_a_sum_up_to_a_number_below_its_lower_limit_is_also_read_as_written() -> None:
    """sum_{k=t}^{3}: downward (d2l's sum_{i=t}^{1}) at first, then as written (empty
    past 3), which is what holds here."""
    formula = (
        r"\frac{\partial E}{\partial s_{t}} = \sum_{k=t}^{3} \frac{\partial E_k}{\partial s_{t}}"
    )
    result = check(formula, model=WILDML4, notation="wildml")
    assert result.holds and any("holds read as written" in n for n in result.notes)


def test_a_chain_is_one_claim_in_one_layout() -> None:
    """A chain whose first '=' is a gradient (a column) and whose second is the chain
    rule of rows transposed has no value in any one layout: refused, saying each '='
    would hold in its own; one that equates a row chain rule with a column holds only up
    to transposition, and fails saying so; and a chain whose ends differ never holds."""
    dl_do = r"\frac{\partial L_t}{\partial \mathbf{o}_t}"
    chain = (
        r"\frac{\partial L_t}{\partial \hat{\mathbf{y}}_t} "
        r"\frac{\partial \hat{\mathbf{y}}_t}{\partial \mathbf{o}_t}"
    )
    target = r"\hat{\mathbf{y}}_t - \mathbf{e}_{y_t}"
    with pytest.raises(FormulaSyntaxError, match="the second '=' in numerator layout"):
        check(rf"{dl_do} = {target} = \left({chain}\right)^\top", model=GOODFELLOW)
    result = check(rf"{dl_do} = {chain} = {target}", model=GOODFELLOW)
    assert not result.holds and "up to transposition" in result.explanation


def test_bold_superscripts_and_no_repair_that_empties_a_chain_within_a_step() -> None:
    """W. Wolf's dJ_2/dW^{hh} (tests/profiles/wolf.toml): \\mathbf{W^{hh}} is W_hh; the
    total dz_2/dW^{hh} makes it fail, and "h_1 replaced by h_2" is no repair (dz_2/dh_2
    is 0: a step computes z before h)."""
    chain = (
        r"\frac{\partial \mathbf{J_2}}{\partial \mathbf{p_2}} \frac{\partial \mathbf{p_2}}"
        r"{\partial \mathbf{y_2}} \frac{\partial \mathbf{y_2}}{\partial \mathbf{h_2}} "
        r"\frac{\partial \mathbf{h_2}}{\partial \mathbf{z_2}}"
    )
    formula = (
        rf"\frac{{\partial \mathbf{{J_2}}}}{{\partial \mathbf{{W^{{hh}}}}}} = {chain} "
        r"\frac{\partial \mathbf{z_2}}{\partial \mathbf{W^{hh}}} + "
        rf"{chain} \frac{{\partial \mathbf{{z_2}}}}{{\partial \mathbf{{h_1}}}} "
        r"\frac{\partial \mathbf{h_1}}{\partial \mathbf{z_1}} "
        r"\frac{\partial \mathbf{z_1}}{\partial \mathbf{W^{hh}}}"
    )
    wolf = Path(__file__).parents[1] / "profiles" / "wolf.toml"
    result = check(formula, model=GOODFELLOW, notation=str(wolf))
    assert not result.holds and result.counterexample is not None
    assert not any("h_2" in r for r in result.repairs)


def test_the_immediate_partial_of_the_pre_activation_holds_the_previous_state_fixed() -> None:
    """d+s_t/dW_hh: s_t's own equation with h_(t-1) fixed, so dL/dW_hh is the sum of its
    transposes times delta_t; the total ds_t/dW_hh there counts the earlier steps again."""
    immediate = (
        r"\frac{\partial L}{\partial W_{hh}} = \sum_t \left(\frac{\partial^+ \mathbf{s}_t}"
        r"{\partial W_{hh}}\right)^\top \boldsymbol{\delta}_t"
    )
    assert check(immediate, model=ELMAN).holds
    total = check(immediate.replace(r"\partial^+", r"\partial"), model=ELMAN)
    assert not total.holds and any("immediate partial" in r for r in total.repairs)


def test_a_vector_written_by_its_entries_around_an_ellipsis() -> None:
    """Huang's diag((1-s_{i,1}^2), (1-s_{i,2}^2), \\cdots, (1-s_{i,D}^2)) and the row
    [-y_{t,1}/yhat_{t,1}, ..., -y_{t,C}/yhat_{t,C}]: the pattern of the first two entries
    up to the last one's index (D, C: sizes the profile names)."""
    diag = (
        r"\frac{\partial s_i}{\partial z_i} = \text{diag}((1-s_{i, 1}^2), (1-s_{i, 2}^2), "
        r"\cdots, (1-s_{i, D}^2))"
    )
    assert check(diag, model=CE3, notation=str(HUANG)).holds
    row = (
        r"\frac{\partial L_t}{\partial \hat{y}_t} = [-\frac{y_{t, 1}}{\hat{y}_{t, 1}}, "
        r"-\frac{y_{t, 2}}{\hat{y}_{t, 2}}, \cdots, -\frac{y_{t, C}}{\hat{y}_{t, C}}]"
    )
    result = check(row, model=CE3, notation=str(HUANG))
    assert result.holds and result.layout == "numerator"
    with pytest.raises(FormulaSyntaxError, match="one pattern"):
        check(diag.replace("s_{i, 2}", "s_{i, 1}"), model=CE3, notation=str(HUANG))


def test_a_list_around_an_ellipsis_is_bounded() -> None:
    with pytest.raises(FormulaSyntaxError, match="2 to 256"):
        check(r"\mathbf{o}_t = [o_{t,1}, o_{t,2}, \cdots, o_{t,100000000}]", model=CE3)


@pytest.mark.parametrize("net", [r"net_t", r"\mathbf{net}_t", r"\text{net}_t", r"\mathrm{net}_t"])
def test_net_t_is_the_net_input_of_older_notes(net: str) -> None:
    """net_t, however typed, is the argument of the hidden activation (s_t here)."""
    formula = (
        rf"\frac{{\partial \mathbf{{h}}_t}}{{\partial {net}}} = \operatorname{{diag}}(\phi'({net}))"
    )
    result = check(formula, model=ELMAN)
    assert result.holds and any("net_t = s_t" in n for n in result.notes)


#: Goodfellow et al.'s model with three classes: the deeplearning-ai profile's.
THREE_CLASSES = GOODFELLOW.replace(outputs=3)


@pytest.mark.parametrize(
    "formula",
    [
        # time in angle brackets, as deeplearning.ai's course writes it
        r"a^{\langle t \rangle} = \tanh(W_{aa} a^{\langle t-1 \rangle} + W_{ax} "
        r"x^{\langle t \rangle} + b_a)",
        r"a^{<t>} = \tanh(W_{aa} a^{<t-1>} + W_{ax} x^{<t>} + b_a)",
        r"a^{\left\langle t \right\rangle} = \tanh(W_{aa} a^{\langle t-1 \rangle} + W_{ax} "
        r"x^{\langle t \rangle} + b_a) \tag {1.1}",
        # softmax of the head's output, or of it written out
        r"\hat{y}^{\langle t \rangle} = softmax(W_{ya} a^{\langle t \rangle} + b_y)",
        r"\hat{y}^{<t>} = \operatorname{softmax}(o^{<t>})",
        # \quad, a Unicode tau and minus, T_x as the last step
        r"\frac{\partial J}{\partial b_y}=\quad \sum_{t=1}^{τ}(\hat{y}^{\langle t \rangle}- "
        r"y^{\langle t \rangle})",
        r"\frac{\partial J}{\partial b_y} = \sum_{t=1}^{T_x} (\hat{y}^{<t>} − y^{<t>})",
        # a value, then a parenthesized factor's transpose: A (b)^T is A ((b)^T)
        r"\frac{\partial J}{\partial W_{ya}} = \sum_{t=1}^{T_x} \frac{\partial J}"
        r"{\partial o^{<t>}} (a^{<t>})^T",
        # a size a profile names with a subscript: n_y, the number of classes
        r"\sum_{i=1}^{n_y} \frac{\partial J^{<t>}}{\partial o_i^{<t>}} = 0",
    ],
)
def test_deeplearning_ai_notation_is_read_as_written(formula: str) -> None:
    result = check(formula, model=THREE_CLASSES, notation="deeplearning-ai")
    assert result.holds, result.explanation


@pytest.mark.parametrize(
    "formula, wrong",
    [
        (r"\hat{y}^{<t>} = softmax(W_{ya} a^{<t>} + b_y)", ("a^{<t>} + b_y", "a^{<t-1>} + b_y")),
        (
            r"a^{<t>} = \tanh(W_{aa} a^{<t-1>} + W_{ax} x^{<t>} + b_a)",
            ("W_{ax} x^{<t>}", "W_{ax} x^{<t-1>}"),
        ),
    ],
)
def test_a_written_out_argument_that_is_another_steps_fails(formula, wrong) -> None:
    """softmax(W_ya a^<t-1> + b_y) is read as yhat^<t-1> and tanh(W_aa a^<t-1> + W_ax
    x^<t-1> + b_a) is not the pre-activation of any step: the first is false (with its
    counterexample), the second cannot be given a meaning (refused), never true."""
    assert check(formula, model=THREE_CLASSES, notation="deeplearning-ai").holds
    slipped = formula.replace(*wrong)
    try:
        result = check(slipped, model=THREE_CLASSES, notation="deeplearning-ai")
    except FormulaSyntaxError as err:
        assert "known at a variable of the model" in str(err)
    else:
        assert not result.holds and result.counterexample is not None


def test_softmax_is_the_cross_entropy_heads_only() -> None:
    with pytest.raises(FormulaSyntaxError, match="cross-entropy head"):
        check(r"\hat{\mathbf{y}}_t = \operatorname{softmax}(\mathbf{o}_t)", model=ELMAN)
    with pytest.raises(FormulaSyntaxError, match="head's output"):
        check(r"\hat{\mathbf{y}}_t = \operatorname{softmax}(\mathbf{h}_t)", model=GOODFELLOW)


def test_angle_brackets_are_a_step_and_nothing_else() -> None:
    with pytest.raises(FormulaSyntaxError, match="angle brackets"):
        check(r"L = \langle \mathbf{h}_t \rangle", model=ELMAN)
    # < and > stay relations in a sum's limits
    assert check(r"\sum_{1 < t < 3} \mathbf{x}_t = \mathbf{x}_2", model=ELMAN).holds


def test_a_document_in_deeplearning_ais_notation_writes_steps_in_angle_brackets() -> None:
    """tex --notation deeplearning-ai: a^{<t>} the state, W_aa, W_ax, W_ya, b_a, b_y, and
    every step in angle brackets, the initial state a^{<0>} included; the profile's own
    model (three classes, the summed cross-entropy)."""
    result = run("tex", "-T", "2", "--hidden", "2", "--notation", "deeplearning-ai")
    assert result.exit_code == 0, result.output
    tex = result.stdout
    assert r"{\mathbf{a}^{\langle 1 \rangle}} &= \phi" in tex
    assert r"W_{aa} {\mathbf{a}^{\langle 0 \rangle}}" in tex and r"{\mathbf{a}^{(" not in tex
    assert r"\frac{\partial L}{\partial W_{ya}}" in tex
    assert "--outputs 3" in result.stderr


@pytest.mark.parametrize(
    "formula, holds",
    [
        # the cross-entropy as notes write it: log yhat is o - logsumexp(o), exactly
        (r"J^{<t>} = -\sum_{i=1}^{n_y} y_i^{<t>} \log \hat{y_i}^{<t>}", True),
        (r"J^{<t>} = -\sum_{i=1}^{n_y} y_i^{<t>} \log(\hat{y}_i^{<t>})", True),
        (r"J^{<t>} = -\sum_{i=1}^{n_y} y_i^{<t>} \ln \hat{y}_i^{<t>}", True),
        (r"J^{<t>} = \sum_{i=1}^{n_y} y_i^{<t>} \log \hat{y}_i^{<t>}", False),  # the sign
        (r"J^{<t>} = -\sum_{i=1}^{n_y} y_i^{<t>} \log \hat{y}_i^{<t-1>}", False),
    ],
)
def test_the_log_of_the_probabilities_is_read_exactly(formula: str, holds: bool) -> None:
    result = check(formula, model=THREE_CLASSES, notation="deeplearning-ai")
    assert result.holds is holds, result.explanation
    if not holds:
        assert result.counterexample is not None


def test_the_log_of_anything_but_a_probability_is_refused() -> None:
    with pytest.raises(FormulaSyntaxError, match="softmax's probabilities only"):
        check(
            r"J^{<t>} = -\sum_{i=1}^{n_y} \hat{y}_i^{<t>} \log y_i^{<t>}",
            model=THREE_CLASSES,
            notation="deeplearning-ai",
        )
