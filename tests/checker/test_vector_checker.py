"""Vector formulas: matrix notation read, checked entry by entry, slips caught."""

from __future__ import annotations

from fractions import Fraction

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import ElmanSpec, FormulaSyntaxError, NotEquivalentError, assert_equivalent, check

GENERIC = ElmanSpec(hidden=2, T=4, activation="generic", output_activation="generic")
TANH = ElmanSpec(hidden=3, T=4, inputs=2, outputs=2)

SUM_OF_PRODUCTS = (
    r"\frac{\partial \mathbf{h}_t}{\partial W_{hh}} = \sum_{i=1}^{t} \left(\prod_{j=i+1}^{t}"
    r" \frac{\partial \mathbf{h}_j}{\partial \mathbf{h}_{j-1}}\right)"
    r" \frac{\partial^+ \mathbf{h}_i}{\partial W_{hh}}"
)
BACKWARD = (
    r"\boldsymbol{\delta}_t = \operatorname{diag}(\phi'(\mathbf{s}_t)) \left(W_{hy}^\top"
    r" \mathbf{g}_t + W_{hh}^\top \boldsymbol{\delta}_{t+1}\right)"
)


@pytest.mark.parametrize("spec", [GENERIC, TANH], ids=["generic", "tanh"])
@pytest.mark.parametrize(
    "formula",
    [
        BACKWARD,
        # the same with the elementwise product, and with ^T for the transpose
        r"\boldsymbol\delta_t = \phi'(\mathbf s_t) \odot (W_{hy}^T \mathbf g_t"
        r" + W_{hh}^T \boldsymbol\delta_{t+1})",
        r"\mathbf{g}_t = \frac{1}{T} \operatorname{diag}(\theta'(\mathbf{z}_t))"
        r" (\mathbf{o}_t - \mathbf{d}_t)",
        r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}}"
        r" = \operatorname{diag}(\phi'(\mathbf{s}_t)) W_{hh}",
        r"\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} \boldsymbol{\delta}_t"
        r" \mathbf{h}_{t-1}^\top",
        r"\frac{\partial L}{\partial W_{hy}} = \sum_{t=1}^{T} \mathbf{g}_t \mathbf{h}_t^\top",
        r"\frac{\partial L}{\partial \mathbf{b}_h} = \sum_{t=1}^{T} \boldsymbol{\delta}_t",
        r"\frac{\partial L}{\partial \mathbf{h}_0} = W_{hh}^\top \boldsymbol{\delta}_1",
        r"\frac{\partial L}{\partial \mathbf{s}_t} = \operatorname{diag}(\phi'(\mathbf{s}_t))"
        r" \frac{\partial L}{\partial \mathbf{h}_t}",
        r"\frac{\partial \mathbf{h}_t}{\partial w_h} = \frac{\partial^+ \mathbf{h}_t}{\partial w_h}"
        r" + \frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}}"
        r" \frac{\partial \mathbf{h}_{t-1}}{\partial w_h}",
    ],
)
def test_correct_matrix_formulas_hold(spec: ElmanSpec, formula: str) -> None:
    result = check(formula, model=spec)
    assert result.holds, result.explanation
    assert result.method.startswith("exact")


def test_the_sum_of_products_holds_read_latest_left_and_says_so() -> None:
    result = check(SUM_OF_PRODUCTS, model=GENERIC)
    assert result.holds
    note = next(n for n in result.notes if "is read with the latest factor" in n)
    assert "earliest factor on the left" in note and "it would fail" in note


def test_a_product_of_matrices_has_one_order_the_other_is_only_a_note() -> None:
    """A \\prod of matrices is read latest-left (J_t ... J_(i+1)), as Jacobian chains
    multiply: (dh_t/dh_1)^T = prod_j J_j^T holds in the mixed layout only earliest-left,
    so it does not hold there (a note says so); in the denominator layout, where every
    Jacobian is transposed, it holds latest-left, and --layout auto says so."""
    formula = (
        r"\left(\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{1}}\right)^\top"
        r" = \prod_{j=2}^{t}"
        r" \left(\frac{\partial \mathbf{h}_j}{\partial \mathbf{h}_{j-1}}\right)^\top"
    )
    mixed = check(formula, model=GENERIC, layout="mixed")
    assert not mixed.holds and mixed.counterexample is not None
    assert any(
        "earliest factor on the left (j increasing" in n and "it would hold" in n
        for n in mixed.notes
    )
    result = check(formula, model=GENERIC)
    assert result.holds and result.layout == "denominator"


def test_jacobians_in_the_wrong_order_fail_with_an_exact_counterexample() -> None:
    wrong = (
        r"\frac{\partial \mathbf{h}_3}{\partial \mathbf{h}_1} = \frac{\partial \mathbf{h}_2}"
        r"{\partial \mathbf{h}_1} \frac{\partial \mathbf{h}_3}{\partial \mathbf{h}_2}"
    )
    result = check(wrong, model=GENERIC, layout="mixed")
    assert not result.holds
    cx = result.counterexample
    assert cx is not None and cx.exact and cx.lhs != cx.rhs
    assert "W_hh[0,1]" in cx.values and isinstance(cx.values["W_hh[0,1]"], Fraction)
    latest_left = (
        r"\frac{\partial \mathbf{h}_3}{\partial \mathbf{h}_1} = \frac{\partial \mathbf{h}_3}"
        r"{\partial \mathbf{h}_2} \frac{\partial \mathbf{h}_2}{\partial \mathbf{h}_1}"
    )
    assert check(latest_left, model=GENERIC).holds


def test_jacobians_in_the_other_order_hold_in_denominator_layout_and_the_result_says_so() -> None:
    """In the denominator layout a Jacobian is transposed and the chain rule multiplies
    left to right: dh_3/dh_1 = dh_2/dh_1 dh_3/dh_2 holds there, and only there."""
    result = check(
        r"\frac{\partial \mathbf{h}_3}{\partial \mathbf{h}_1} = \frac{\partial \mathbf{h}_2}"
        r"{\partial \mathbf{h}_1} \frac{\partial \mathbf{h}_3}{\partial \mathbf{h}_2}",
        model=GENERIC,
    )
    assert result.holds and result.layout == "denominator"
    assert "in denominator layout" in result.explanation


def test_diag_on_the_wrong_side_fails() -> None:
    result = check(
        r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}}"
        r" = W_{hh} \operatorname{diag}(\phi'(\mathbf{s}_t))",
        model=GENERIC,
    )
    assert not result.holds and result.failing.t == 1
    assert result.counterexample is not None


def test_a_missing_transpose_of_a_square_matrix_gives_a_counterexample() -> None:
    result = check(BACKWARD.replace(r"W_{hh}^\top", "W_{hh}"), model=TANH)
    assert not result.holds
    assert result.failing.t == 1  # at t = T, delta_{T+1} = 0 hides the slip
    assert result.counterexample is not None
    assert result.counterexample.lhs != result.counterexample.rhs


def test_a_formula_whose_shapes_fit_in_no_layout_is_refused_never_called_false() -> None:
    """A missing transpose of a non-square matrix leaves the formula without a value:
    no verdict (exit 2), since a formula symbptt cannot evaluate is not shown false."""
    spec = ElmanSpec(hidden=2, T=3, outputs=3)
    with pytest.raises(FormulaSyntaxError, match="cannot multiply a 3x2 matrix by a 3x1 matrix"):
        check(BACKWARD.replace(r"W_{hy}^\top", "W_{hy}"), model=spec)


TRANSPOSED_OUTER = (
    r"\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} \mathbf{h}_{t-1}"
    r" \boldsymbol{\delta}_t^\top"
)


def test_the_transposed_outer_product_holds_in_numerator_layout_only() -> None:
    """sum_t h_(t-1) delta_t^T is dL/dW_hh^T: the numerator layout's dL/dW_hh, which the
    result names; read in the mixed layout it fails with a counterexample."""
    result = check(TRANSPOSED_OUTER, model=GENERIC)
    assert result.holds and result.layout == "numerator"
    assert any("numerator layout" in note for note in result.notes)
    mixed = check(TRANSPOSED_OUTER, model=GENERIC, layout="mixed")
    assert not mixed.holds and mixed.counterexample is not None


def test_a_chain_rule_of_row_vectors_holds_in_numerator_layout() -> None:
    """dL/dh_t = dL/dh_(t+1) dh_(t+1)/dh_t + dL/do_t do_t/dh_t: gradients as rows."""
    spec = ElmanSpec(hidden=2, T=3, outputs=3)
    rows = (
        r"\frac{\partial L}{\partial \mathbf{h}_{t}} = \frac{\partial L}{\partial "
        r"\mathbf{h}_{t+1}} \frac{\partial \mathbf{h}_{t+1}}{\partial \mathbf{h}_{t}} + "
        r"\frac{\partial L}{\partial \mathbf{o}_{t}} \frac{\partial \mathbf{o}_{t}}{\partial "
        r"\mathbf{h}_{t}}"
    )
    result = check(rows, model=spec)
    assert result.holds and result.layout == "numerator"
    with pytest.raises(FormulaSyntaxError, match="shapes do not fit"):
        check(rows, model=spec, layout="mixed")


def test_sides_that_are_transposes_are_a_contradiction_stated_as_such() -> None:
    result = check(r"\mathbf{h}_t^\top = \mathbf{h}_t", model=GENERIC)
    assert not result.holds and result.counterexample is None
    assert "contradiction of shapes" in result.explanation
    assert "holds up to transposition" in result.explanation


def test_sides_of_different_shapes_are_refused() -> None:
    with pytest.raises(FormulaSyntaxError, match=r"different shapes \(2x1 and 2x2\)"):
        check(r"\mathbf{h}_t = W_{hh}", model=GENERIC)


def test_the_chain_rule_through_a_vector_by_matrix_derivative_is_the_gradient() -> None:
    """(do_t/dW_hy)^T dL/do_t, one number per entry of W_hy, is dL/dW_hy's entry: the
    Goodfellow et al. form of the chain rule (eq. 10.22-10.24)."""
    spec = ElmanSpec(hidden=2, T=3, outputs=2)
    formula = (
        r"\frac{\partial L}{\partial W_{hy}} = \sum_{t=1}^{T} \left(\frac{\partial "
        r"\mathbf{o}_t}{\partial W_{hy}}\right)^\top \frac{\partial L}{\partial \mathbf{o}_t}"
    )
    assert check(formula, model=spec).holds
    assert check(formula, model=ElmanSpec(hidden=2, T=3, outputs=1)).holds


def test_note_000s_literal_boxed_formula_fails_and_the_hint_names_immediate_partials() -> None:
    literal = (
        r"\frac{\partial \mathbf{h}_t}{\partial W_{hh}} = \frac{\partial \mathbf{h}_t}"
        r"{\partial W_{hh}} + \sum_{i=1}^{t-1} \prod_{j-1=i}^{t} \frac{\partial \mathbf{h}_j}"
        r"{\partial \mathbf{h}_{j-1}} \frac{\partial \mathbf{h}_i}{\partial W_{hh}}"
    )
    result = check(literal, model=GENERIC)
    assert not result.holds and result.failing.t == 2
    assert "must be immediate partials" in result.explanation


def test_modular_method_for_larger_models() -> None:
    spec = ElmanSpec(hidden=5, T=10, inputs=2, outputs=3)
    result = check(BACKWARD, model=spec, method="modular")
    assert result.holds and "probability" in result.explanation
    with pytest.raises(Exception, match="n <= 3, T <= 6"):
        check(BACKWARD, model=spec, method="exact")


def test_unknown_names_and_functions_are_syntax_errors() -> None:
    with pytest.raises(FormulaSyntaxError, match="unknown symbol W_{zx}"):
        check(r"\mathbf{h}_t = W_{zx} \mathbf{x}_t", model=GENERIC)
    with pytest.raises(FormulaSyntaxError, match="unknown operator trace"):
        check(r"\mathbf{h}_t = \operatorname{trace}(W_{hh})", model=GENERIC)
    with pytest.raises(FormulaSyntaxError, match="known at a variable of the model"):
        check(r"\mathbf{h}_t = \phi(\boldsymbol{\delta}_t)", model=GENERIC)


def test_a_function_applied_elsewhere_than_in_the_model_is_read_and_decided() -> None:
    result = check(r"\mathbf{h}_t = \phi(\mathbf{h}_t)", model=GENERIC)
    assert not result.holds
    values = result.counterexample.values
    assert "phi(h_1[0])" in values and values["phi(h_1[0])"] != values["phi(s_1[0])"]


def test_assert_equivalent_with_the_vector_model() -> None:
    assert_equivalent(
        r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}}",
        r"\operatorname{diag}(\phi'(\mathbf{s}_t)) W_{hh}",
        model=GENERIC,
    )
    with pytest.raises(NotEquivalentError, match="counterexample"):
        assert_equivalent(
            r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}}",
            r"W_{hh}^\top \operatorname{diag}(\phi'(\mathbf{s}_t))",
            model=GENERIC,
        )


def test_scalar_check_points_vector_notation_to_the_vector_model() -> None:
    with pytest.raises(FormulaSyntaxError, match="--model elman"):
        check(r"\mathbf{h}_t = \phi(s_t)")
    with pytest.raises(FormulaSyntaxError, match="--model elman"):
        check(r"h_t = w^\top h_{t-1}")


def test_cli_check_with_the_vector_model() -> None:
    runner = CliRunner()
    ok = runner.invoke(cli.main, ["check", "--model", "elman", "--hidden", "2", SUM_OF_PRODUCTS])
    assert ok.exit_code == 0 and "holds for t = 1..4" in ok.output
    assert "latest factor on the left" in ok.output
    bad = runner.invoke(
        cli.main,
        ["check", "--model", "elman", "--hidden", "2", BACKWARD.replace(r"W_{hh}^\top", "W_{hh}")],
    )
    assert bad.exit_code == 1 and "counterexample" in bad.output
    unknown = runner.invoke(cli.main, ["check", "--model", "elman", r"\mathbf{q}_t = 0"])
    assert unknown.exit_code == 2 and "unknown symbol" in unknown.stderr
    big = runner.invoke(
        cli.main, ["check", "--model", "elman", "--hidden", "4", "--method", "exact", BACKWARD]
    )
    assert big.exit_code == 2 and "--method modular" in big.stderr
    scalar = runner.invoke(cli.main, ["check", r"\mathbf{h}_t = \phi(s_t)"])
    assert scalar.exit_code == 2 and "--model elman" in scalar.stderr


def test_block_matrices_state_note_000s_stacked_weights() -> None:
    spec = ElmanSpec(hidden=2, T=3, inputs=2, activation="generic", output_activation="generic")
    stacked = r"\begin{bmatrix} \mathbf{x}_t \\ \mathbf{h}_{t-1} \end{bmatrix}"
    for formula in (
        r"w_h = \begin{bmatrix} W_{xh} & W_{hh} \end{bmatrix}^\top",
        rf"\mathbf{{s}}_t = w_h^\top {stacked} + \mathbf{{b}}_h",
        rf"\frac{{\partial L}}{{\partial w_h}} = \sum_{{t=1}}^{{T}} {stacked}"
        r" \boldsymbol{\delta}_t^\top",
        r"\frac{\partial L}{\partial w_h} = \begin{bmatrix} \frac{\partial L}{\partial W_{xh}}"
        r" & \frac{\partial L}{\partial W_{hh}} \end{bmatrix}^\top",
    ):
        assert check(formula, model=spec).holds, formula
    swapped = check(
        r"\frac{\partial L}{\partial w_h} = \sum_{t=1}^{T} \begin{bmatrix} \mathbf{h}_{t-1}"
        r" \\ \mathbf{x}_t \end{bmatrix} \boldsymbol{\delta}_t^\top",
        model=spec,
    )
    assert not swapped.holds and swapped.counterexample is not None
    with pytest.raises(FormulaSyntaxError, match="different shapes"):
        check(r"\mathbf{s}_t = \begin{bmatrix} W_{hh} & \mathbf{x}_t \end{bmatrix}", model=spec)
    with pytest.raises(FormulaSyntaxError, match="same number of entries"):
        check(r"w_h = \begin{bmatrix} W_{xh} & W_{hh} \\ W_{xh} \end{bmatrix}", model=spec)


def test_marked_displays_in_a_tex_file_keep_their_matrices(tmp_path) -> None:
    notes = tmp_path / "notes.tex"
    untransposed = BACKWARD.replace(r"W_{hh}^\top", "W_{hh}")
    notes.write_text(
        "% symbptt: check\n"
        "\\begin{align}\n"
        "\\frac{\\partial L}{\\partial w_h} &= \\sum_{t=1}^{T} \\begin{bmatrix} \\mathbf{x}_t"
        " \\\\ \\mathbf{h}_{t-1} \\end{bmatrix} \\boldsymbol{\\delta}_t^\\top \\label{eq:wh}\n"
        "\\end{align}\n"
        "% symbptt: check\n"
        "\\[ " + untransposed + " \\]\n"
    )
    result = CliRunner().invoke(
        cli.main, ["check", "--model", "elman", "--hidden", "2", "--file", str(notes)]
    )
    assert result.exit_code == 1
    assert f"{notes}:2: holds at T = 4 (" in result.output  # a formula without t
    assert f"{notes}:6: does NOT hold" in result.output


def test_zero_takes_the_shape_it_meets() -> None:
    for formula in (
        r"\frac{\partial \mathbf{h}_t}{\partial W_{hy}} = 0",
        r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{b}_y} = \mathbf{0}",
        r"\boldsymbol{\delta}_{T+1} = \mathbf{0}",
    ):
        assert check(formula, model=GENERIC).holds, formula
    assert not check(r"\frac{\partial \mathbf{h}_t}{\partial W_{hh}} = 0", model=GENERIC).holds


def test_a_chain_whose_other_sides_share_no_step_is_refused_not_an_internal_error() -> None:
    """Found by the token-soup fuzzer: with the first side dropped, h_t and h_(T+1) have no
    step in common; the display is refused (it was an uncaught EvaluationError)."""
    from symbptt import ElmanSpec
    from symbptt.checker.pipeline import check
    from symbptt.errors import FormulaSyntaxError

    spec = ElmanSpec(hidden=2, outputs=2, T=2, loss="cross-entropy", reduction="sum")
    with pytest.raises(FormulaSyntaxError):
        check(
            r"h_t h_t = \mathbf{h}_t = h_{T+1}",
            model=spec,
            method="modular",
            notation="deeplearning-ai",
        )
