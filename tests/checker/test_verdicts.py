"""Never a wrong verdict: each case here once got one (issue 24). A formula holds only if
it holds as written, at every step at which everything it mentions exists; it fails only
with a counterexample; what has no meaning is refused (FormulaSyntaxError, exit 2)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import symbptt.cli as cli
from symbptt import ElmanSpec, FormulaSyntaxError, RNNSpec, check

BY_W = r"\frac{\partial^+ h_t}{\partial w}"
CHAIN = r"\left(\prod_{j=i+1}^{t} \frac{\partial h_j}{\partial h_{j-1}}\right)"


def run(*args: str):
    return CliRunner().invoke(cli.main, ["check", *args])


def test_the_boxed_formula_without_its_first_term_does_not_hold() -> None:
    dropped = (
        r"\frac{\partial h_t}{\partial w} = "
        + BY_W
        + r" + \sum_{i=2}^{t-1} "
        + CHAIN
        + r" \frac{\partial^+ h_i}{\partial w}"
    )
    result = check(dropped, model=RNNSpec(T=4))
    assert not result.holds and result.counterexample is not None


def test_a_sum_from_2_equals_the_same_sum_written_with_dh_t_dh_i() -> None:
    identity = (
        r"\sum_{i=2}^{t-1} " + CHAIN + r" \frac{\partial^+ h_i}{\partial w} = "
        r"\sum_{i=2}^{t-1} \frac{\partial h_t}{\partial h_i} \frac{\partial^+ h_i}{\partial w}"
    )
    assert check(identity, model=RNNSpec(T=4)).holds


def test_a_step_whose_nodes_lie_past_the_horizon_is_not_checked() -> None:
    """h_5 and h_6 do not exist at T = 4: dh_(t+2)/dh_(t+1) = w is claimed at t = 1, 2."""
    spec = RNNSpec(T=4, activation="identity")
    result = check(r"\frac{\partial h_{t+2}}{\partial h_{t+1}} = w", model=spec)
    assert result.holds and {r.t for r in result.results} == {1, 2}
    assert not check(r"\frac{\partial h_{t+2}}{\partial h_{t+1}} = 2 w", model=spec).holds
    out = run("--activation", "identity", "-T", "4", r"\frac{\partial h_{t+2}}{\partial h_{t+1}}=w")
    assert out.exit_code == 0 and "holds for t = 1..2 " in out.output


def test_a_vector_step_past_the_horizon_is_not_checked() -> None:
    spec = ElmanSpec(hidden=2, T=3, activation="identity")
    J2 = r"\frac{\partial \mathbf{h}_{t+2}}{\partial \mathbf{h}_{t}} = W_{hh}^2"
    result = check(J2, model=spec)
    assert result.holds and {r.t for r in result.results} == {1}


def test_the_loss_by_a_state_past_the_horizon_is_zero() -> None:
    """dL/dh_(T+1) = 0 is the convention of the backward recursion's start, not a node."""
    spec = ElmanSpec(hidden=2, T=3)
    result = check(r"\frac{\partial L}{\partial \mathbf{h}_{t+1}} = 0", model=spec)
    assert not result.holds and result.failing.t == 1


@pytest.mark.parametrize("T", [18, 20, 60])
def test_a_plainly_false_formula_gets_a_counterexample_at_a_moderate_horizon(T: int) -> None:
    """At small random rationals two of many nodes' arguments often coincide, and no
    function takes two values at one argument; wider points separate them."""
    slip = r"\frac{\partial h_t}{\partial h_{t-1}} = \phi'(s_t) w + w"
    result = check(slip, model=RNNSpec(T=T))
    assert not result.holds and result.counterexample is not None
    assert result.counterexample.t == 1


def test_question_002s_slip_gets_a_counterexample_at_t_20() -> None:
    slip = (
        r"\frac{\partial L}{\partial h_t} = \frac{\partial L}{\partial \hat{y}_t} \phi'(h_t)"
        r" + \frac{\partial L}{\partial s_{t+1}} w"
    )
    out = run("-T", "20", slip)
    assert out.exit_code == 1 and "counterexample at t=1" in out.output


def test_theta_prime_of_the_initial_state_is_a_value_not_an_internal_error() -> None:
    """The model never applies theta at step 0, but theta'(h_0) is still a number."""
    text = r"\frac{\partial L}{\partial h_t} = \theta'(h_{t-1})"
    result = check(text, model=RNNSpec(T=3))
    assert not result.holds and result.counterexample is not None
    assert check(r"\theta'(h_{t-1}) = \theta'(h_{t-1})", model=RNNSpec(T=3)).holds


def test_a_function_the_model_does_not_apply_is_refused_by_name() -> None:
    out = run("--model", "lstm", "--hidden", "2", "-T", "3", r"\sigma(\mathbf{o}_t) = 0")
    assert out.exit_code == 1  # sigma is the LSTM's gate function: sigma(o_t) != 0
    out = run("--model", "lstm", "--hidden", "2", "-T", "3", r"\phi(\mathbf{o}_t) = 0")
    assert out.exit_code == 2 and "\\phi" in out.output


def test_a_cell_that_declares_a_parameter_no_equation_uses_is_refused(tmp_path) -> None:
    cell = tmp_path / "unused.toml"
    cell.write_text(
        '[model]\nT = 3\n[cell]\nname = "Jordan"\nsizes = { n = 2, m = 1, k = 2 }\n'
        'states = { y = "k" }\ninputs = { x = "m" }\n'
        'parameters = { W = "n x m", U = "n x k", b = "n", V = "k x n", b_y = "k", Z = "n x n" }\n'
        "output = \"y\"\nequations = '''\n"
        "\\mathbf{h}_t = \\tanh(W \\mathbf{x}_t + U \\mathbf{y}_{t-1} + \\mathbf{b})\n"
        "\\mathbf{y}_t = V \\mathbf{h}_t + \\mathbf{b}_y\n'''\n"
    )
    for command in (["verify", "--cell", str(cell)], ["check", "--cell", str(cell), "L = L"]):
        out = CliRunner().invoke(cli.main, command)
        assert out.exit_code == 2 and "'Z' is declared but no equation uses it" in out.output


@pytest.mark.parametrize("command", ["crosscheck", "verify", "codegen"])
def test_a_seed_beyond_64_bits_is_refused_as_an_option(command: str) -> None:
    out = CliRunner().invoke(cli.main, [command, "--seed", str(2**64)])
    assert out.exit_code == 2 and "--seed" in out.output


def test_a_chain_whose_ends_differ_does_not_hold_though_each_link_holds_in_a_layout() -> None:
    chain = (
        r"\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} \mathbf{h}_{t-1} "
        r"\boldsymbol{\delta}_t^\top = \left(\frac{\partial L}{\partial W_{hh}}\right)^\top"
    )
    result = check(chain, model=ElmanSpec(hidden=2, T=3))
    assert not result.holds and result.counterexample is not None
    assert "no one layout makes every '=' hold" in result.explanation


@pytest.mark.parametrize(
    "slip, hint",
    [
        (
            r"\frac{\partial L}{\partial \mathbf{s}_t} = \frac{\partial L}{\partial \mathbf{h}_t}",
            "wildml",
        ),
        (
            r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}} = "
            r"\operatorname{diag}(\phi'(\mathbf{z}_t)) W_{hh}",
            "deeplearning-ai",
        ),
    ],
)
def test_a_slip_is_false_in_its_notation_whatever_another_notation_would_say(
    slip: str, hint: str
) -> None:
    result = check(slip, model=ElmanSpec(hidden=2, T=3))
    assert not result.holds and result.counterexample is not None
    assert any(f"--notation {hint}" in note for note in result.notes)


@pytest.mark.parametrize(
    "formula",
    [
        r"\frac{\partial L}{\partial \mathbf{z}_t} = \boldsymbol{\delta}_t",
        r"\frac{\partial L}{\partial W_{hh}} = \sum_{t=0}^{T-1} \boldsymbol{\delta}_t "
        r"\mathbf{h}_{t-1}^\top",
    ],
)
def test_a_formula_with_no_meaning_in_its_notation_is_refused(formula: str) -> None:
    with pytest.raises(FormulaSyntaxError):
        check(formula, model=ElmanSpec(hidden=2, T=3))


def test_a_parenthesized_product_operand_ends_the_product() -> None:
    """prod_{i=k+1}^{t} (diag(phi'(s_i))) W_hh: W_hh is outside, as the parentheses say
    (without them, inside and outside are both readings: see test_notation)."""
    spec = ElmanSpec(hidden=2, T=3)
    jacobian = r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_k} = "
    outside = jacobian + r"\prod_{i=k+1}^{t} (\operatorname{diag}(\phi'(\mathbf{s}_i))) W_{hh}"
    result = check(outside, model=spec)
    assert not result.holds and result.counterexample is not None
    assert not any("inside it" in note for note in result.notes)


@pytest.mark.parametrize("h0", ["symbol", "zero"])
def test_the_forward_recursion_holds_whatever_the_initial_state(h0: str) -> None:
    """dh_0/dw is 0 when h_0 is the zero vector (a constant), so the recursion's first
    step is defined under --h0 zero too."""
    recursion = (
        r"\frac{\partial h_t}{\partial w} = \phi'(s_t) (h_{t-1} + w "
        r"\frac{\partial h_{t-1}}{\partial w})"
    )
    result = check(recursion, model=RNNSpec(T=3, h0=h0))
    assert result.holds and result.steps == "t = 1..3"


def test_a_product_of_a_factor_without_its_index_is_that_factor_to_a_power() -> None:
    spec = RNNSpec(T=3)
    once = r"\frac{\partial h_t}{\partial h_{t-1}} = \prod_{j=1}^{1} (\phi'(s_t) w)"
    assert check(once, model=spec).holds
    twice = once.replace("^{1}", "^{2}")
    assert not check(twice, model=spec).holds
    # without parentheses nothing says which of the factors the product takes
    with pytest.raises(FormulaSyntaxError, match="put them in parentheses"):
        check(once.replace(r"(\phi'(s_t) w)", r"\phi'(s_t) w"), model=spec)
    # (w) v: the product takes w, v is outside
    by = r"\frac{\partial h_t}{\partial h_{t-1}}"
    assert check(by + r"\prod_{j=1}^{2} (w) v = " + by + " w w v", model=spec).holds


@pytest.mark.parametrize("h0", ["symbol", "zero"])
def test_an_immediate_partial_of_the_previous_state_is_claimed_from_t_2(h0: str) -> None:
    text = r"\frac{\partial^+ h_{t-1}}{\partial w} = \phi'(s_{t-1}) h_{t-2}"
    result = check(text, model=RNNSpec(T=3, h0=h0))
    assert result.holds and result.steps == "t = 2..3"  # h_(t-2) is h_(-1) at t = 1
    zero_at_1 = r"\frac{\partial^+ h_{t-1}}{\partial w} = \phi'(s_{t-1}) h_{t-2}"
    assert not check(zero_at_1.replace("h_{t-2}", "1"), model=RNNSpec(T=3, h0=h0)).holds
    # d+h_0/dw = 0: the t = 1 step is checked, not skipped
    hidden = (
        r"\frac{\partial h_t}{\partial w} = \frac{\partial^+ h_t}{\partial w} + w \phi'(s_t)"
        r" \frac{\partial h_{t-1}}{\partial w} + \frac{\partial h_1}{\partial h_t}"
        r" + 0 \cdot \frac{\partial^+ h_{t-1}}{\partial w}"
    )
    assert not check(hidden, model=RNNSpec(T=3, h0=h0)).holds
    wrong = text.replace("h_{t-2}", "h_{t-1}")
    assert not check(wrong, model=RNNSpec(T=3, h0=h0)).holds


SIDE = r"\frac{\partial L}{\partial \mathbf{s}_t} = \boldsymbol{\delta}_t"
BY = r"\frac{\partial L}{\partial \mathbf{z}_t} = \mathbf{g}_t"


@pytest.mark.parametrize(
    "display",
    [
        SIDE + r" \quad " + BY,
        SIDE + r", \qquad " + BY,
        SIDE + r" \implies " + BY,
        SIDE + r" \Rightarrow " + BY,
        SIDE + r" \text{and} " + BY,
        SIDE.replace("=", "&=") + " & " + BY.replace("=", "&="),
        r"\begin{align}" + SIDE.replace("=", "&=") + " & " + BY.replace("=", "&=") + r"\end{align}",
    ],
)
def test_two_equations_side_by_side_are_two_claims_not_one_chain(display: str) -> None:
    spec = ElmanSpec(hidden=2, T=3, activation="tanh")
    result = check(display, model=spec)
    assert result.holds and len(result.parts) == 2
    wrong = check(display.replace(r"\mathbf{g}_t", r"2 \mathbf{g}_t"), model=spec)
    assert not wrong.holds and wrong.explanation.startswith("equation 2 of 2")
    assert wrong.counterexample is not None


def test_therefore_before_an_equation_is_not_part_of_it() -> None:
    result = check(r"\therefore " + BY, model=ElmanSpec(hidden=2, T=3, activation="tanh"))
    assert result.holds


def test_a_connective_after_an_expression_alone_is_refused_not_chained() -> None:
    with pytest.raises(FormulaSyntaxError):
        check(r"\boldsymbol{\delta}_t \implies " + BY, model=ElmanSpec(hidden=2, T=3))


def test_a_space_inside_one_equation_does_not_split_it() -> None:
    spec = ElmanSpec(hidden=2, T=3, activation="tanh")
    result = check(SIDE + r" \quad", model=spec)
    assert result.holds and not result.parts


def test_a_file_is_read_in_one_layout_and_a_display_in_another_is_reported(tmp_path) -> None:
    """The first display that holds sets the file's layout (numerator, here); a later
    display that holds only in another layout does not hold in the file's, and says
    where it would."""
    notes = tmp_path / "notes.tex"
    gradient = r"\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} "
    notes.write_text(
        "% symbptt: check\n\\[ " + gradient + r"\mathbf{h}_{t-1} \boldsymbol{\delta}_t^\top \]"
        "\n% symbptt: check\n\\[ " + gradient + r"\boldsymbol{\delta}_t \mathbf{h}_{t-1}^\top \]"
        "\n"
    )
    model = ["--model", "elman", "--hidden", "2", "-T", "3"]
    out = run(*model, "--file", str(notes))
    assert out.exit_code == 1
    assert f"{notes}:2: holds at T = 3 in numerator layout" in out.output
    assert f"{notes}:4: does NOT hold" in out.output
    assert "it holds in the mixed layout, not in this file's (numerator:" in out.output
    out = run(*model, "--layout", "mixed", "--file", str(notes))
    assert f"{notes}:2: does NOT hold" in out.output and f"{notes}:4: holds" in out.output


def test_a_display_that_holds_in_every_layout_does_not_fix_the_file_s_layout(tmp_path) -> None:
    """dL/dh_T = W_hy^T dL/dz_T holds in the mixed and denominator layouts; the next
    display holds in the denominator layout only: the file holds, in that layout."""
    notes = tmp_path / "notes.tex"
    notes.write_text(
        "% symbptt: check\n\\[ \\frac{\\partial L}{\\partial \\mathbf{h}_T} = W_{hy}^\\top "
        "\\frac{\\partial L}{\\partial \\mathbf{z}_T} \\]\n"
        "% symbptt: check\n\\[ \\frac{\\partial \\mathbf{h}_t}{\\partial \\mathbf{h}_{t-1}} = "
        "W_{hh}^\\top \\operatorname{diag}(\\phi'(\\mathbf{s}_t)) \\]\n"
    )
    out = run("--model", "elman", "--hidden", "2", "-T", "3", "--file", str(notes))
    assert out.exit_code == 0, out.output
    assert f"{notes}:4: holds for t = 1..3 in denominator layout" in out.output


def test_equations_side_by_side_are_read_in_one_layout() -> None:
    """Each of dL/dW_hh = sum delta h^T and dL/dW_hh = sum h delta^T holds in a layout of
    its own; side by side they say G = G^T, which does not hold."""
    display = (
        r"\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} \boldsymbol{\delta}_t "
        r"\mathbf{h}_{t-1}^\top \quad \frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} "
        r"\mathbf{h}_{t-1} \boldsymbol{\delta}_t^\top"
    )
    result = check(display, model=ElmanSpec(hidden=2, T=3))
    assert not result.holds and result.counterexample is not None


def test_a_space_that_may_separate_two_equations_or_space_one_chain_is_ambiguous() -> None:
    display = (
        r"\frac{\partial L}{\partial w} = \frac{1}{T} \quad \sum_{t=1}^{T} "
        r"\frac{\partial \ell_t}{\partial w} = \frac{1}{T}\sum_{t=1}^{T}"
        r"\frac{\partial \ell_t}{\partial w}"
    )
    with pytest.raises(FormulaSyntaxError, match="ambiguous: read as equations side by side"):
        check(display, model=RNNSpec(T=3))


def test_iff_inside_iffalse_does_not_hide_the_rest_of_the_file(tmp_path) -> None:
    notes = tmp_path / "notes.tex"
    notes.write_text(
        "\\iffalse\nOld: $a = b \\iff b = a$, \\ifthenelse{x}{y}{z}.\n\\fi\n"
        "% symbptt: check\n\\[ \\frac{\\partial h_t}{\\partial h_{t-1}} = \\theta'(s_t) w \\]\n"
    )
    out = run("-T", "3", "--file", str(notes))
    assert out.exit_code == 1 and f"{notes}:5: does NOT hold" in out.output


def test_a_continued_row_of_a_two_column_align_continues_its_own_column() -> None:
    """Column 1 is dL/dh_t = (...) = dL/dh_t phi'(s_t), false; column 2 is true."""
    dl = r"\frac{\partial L}{\partial h_t}"
    display = (
        dl + r" &= \frac{\partial L}{\partial \hat y_t}\theta'(h_t) + \frac{\partial L}"
        r"{\partial s_{t+1}} w & \frac{\partial L}{\partial s_t} &= " + dl + r"\phi'(s_t) \\"
        r" &= " + dl + r"\phi'(s_t) & &= " + dl + r"\phi'(s_t)"
    )
    result = check(display, model=RNNSpec(T=3))
    assert not result.holds and result.explanation.startswith("equation 1 of 2")


def test_a_chain_with_a_side_without_value_fails_only_with_a_counterexample() -> None:
    chain = (
        r"\frac{\partial L}{\partial \mathbf{s}_t} = 2\boldsymbol{\delta}_t = "
        r"\frac{\partial L}{\partial \mathbf{z}_t}"
    )
    result = check(chain, model=ElmanSpec(hidden=2, T=3, activation="tanh"))
    assert not result.holds and result.partial and result.counterexample is not None


def test_a_transposed_derivative_by_a_matrix_is_not_equal_to_the_untransposed_one() -> None:
    """(dh_t/dW_hh)^T is a row per entry of W_hh; dh_t/dW_hh a column per entry: their
    shapes differ (the soundness fuzzer's first find: it held)."""
    text = (
        r"\left(\frac{\partial \mathbf{h}_{t}}{\partial W_{hh}}\right)^\top = "
        r"\frac{\partial \mathbf{h}_{t}}{\partial W_{hh}}"
    )
    result = check(text, model=ElmanSpec(hidden=2, T=3, activation="tanh"), layout="mixed")
    assert not result.holds and "contradiction of shapes" in result.explanation


def test_derivatives_by_a_zero_initial_state_are_taken() -> None:
    """h_0 = 0 is still step 1's input: dL/dh_0 and dh_2/dh_0 have values (the fuzzer
    found them refused, 255 true formulas)."""
    spec = RNNSpec(T=3, h0="zero", activation="identity")
    assert check(r"\frac{\partial h_t}{\partial h_{t-2}} = w^2", model=spec).holds
    assert not check(r"\frac{\partial h_t}{\partial h_{t-2}} = w", model=spec).holds
    generic = RNNSpec(T=3, h0="zero")
    by_h0 = r"\frac{\partial L}{\partial h_0} = \frac{\partial L}{\partial h_1} "
    assert check(by_h0 + r"\phi'(s_1) w", model=generic).holds
    assert not check(by_h0 + "w", model=generic).holds


def test_a_transposed_group_after_a_transposed_factor_is_read() -> None:
    """W^T (z_t)^T: the last transpose binds to the group before it (it was 'unexpected
    ^'); W_hh^T (h_t)^T has shapes that do not fit, so it is refused, never read as
    (W_hh^T h_t)^T."""
    spec = ElmanSpec(hidden=2, outputs=1, T=3)
    assert check(
        r"W_{hy}^\top \left(\mathbf{z}_{t}\right)^\top = W_{hy}^\top \mathbf{z}_{t}", model=spec
    ).holds
    with pytest.raises(FormulaSyntaxError, match="shapes do not fit"):
        check(r"W_{hh}^\top (\mathbf{h}_{t})^\top = (\mathbf{h}_t^\top W_{hh})^\top", model=spec)
    assert check(r"\phi^{\prime}(s_t)^2 = \phi'(s_t) \phi'(s_t)", model=RNNSpec(T=3)).holds


@pytest.mark.parametrize(
    "options", [["--model", "elman", "--h0", "zero"], ["--model", "scalar", "--hidden", "2"]]
)
def test_an_option_the_model_would_ignore_is_refused(options: list[str]) -> None:
    """--h0 zero with the Elman model (whose h_0 is a parameter) checked another model
    than the one asked for: h_0 = 0 was called false."""
    out = run(*options, "-T", "3", r"\mathbf{h}_0 = 0")
    assert out.exit_code == 2 and "applies to --model" in out.output


@pytest.mark.parametrize("symbol", ["*", r"\circ"])
@pytest.mark.parametrize("model", [RNNSpec(T=2), ElmanSpec(hidden=2, T=2)])
def test_a_star_or_circ_product_is_refused_not_guessed(symbol: str, model) -> None:
    # notes write * and \circ for the elementwise, the matrix and the scalar product
    lhs, rhs = r"\frac{\partial L}{\partial s_t}", r"\frac{\partial L}{\partial h_t}"
    formula = f"{lhs} = {rhs} {symbol} \\phi'(s_t)"
    with pytest.raises(FormulaSyntaxError, match="does not guess which"):
        check(formula, model=model)
