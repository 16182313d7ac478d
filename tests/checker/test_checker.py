"""symbptt.check and assert_equivalent on the formulas of the seeds (the issue's list)."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from symbptt import FormulaSyntaxError, NotEquivalentError, RNNSpec, assert_equivalent, check
from symbptt.core import derivatives as E

NOTE_BOXED_AS_MEANT = (
    r"\frac{\partial h_t}{\partial w_h} = \frac{\partial^+ h_t}{\partial w_h} + "
    r"\sum_{i=1}^{t-1} \prod_{j-1=i}^{t} (\frac{\partial h_j}{\partial h_{j-1}}) "
    r"\frac{\partial^+ h_i}{\partial w_h}"
)
NOTE_BOXED_LITERAL = NOTE_BOXED_AS_MEANT.replace(r"\partial^+", r"\partial")
D2L_9_7_7 = (
    r"\frac{\partial h_t}{\partial w_h}=\frac{\partial f(x_{t},h_{t-1},w_h)}{\partial w_h}"
    r"+\sum_{i=1}^{t-1}\left(\prod_{j=i+1}^{t} \frac{\partial f(x_{j},h_{j-1},w_h)}"
    r"{\partial h_{j-1}} \right) \frac{\partial f(x_{i},h_{i-1},w_h)}{\partial w_h}"
)
QUESTION_DL_DH = (
    r"\dfrac{\partial L}{\partial h_t} = \dfrac{\partial L}{\partial {\hat y}_t}"
    r" \phi^\prime(h_t) + \dfrac{\partial L}{\partial s_{t+1}}w"
)
QUESTION_RECURSION = (
    r"\dfrac{\partial L}{\partial s_t} = \dfrac{\partial L}{\partial h_t}\dfrac{ \partial h_t}"
    r"{\partial s_t} = \dfrac{\partial L}{\partial h_t} \phi^\prime(s_t) = "
    r"(\dfrac{\partial L}{\partial {\hat y}_t} \theta^\prime(h_t) + "
    r"\dfrac{\partial L}{\partial s_{t+1}}w) \phi^\prime(s_t)"
)
ANSWER_DL_DS_T = (
    r"\frac{\partial L}{\partial s_{T}}=\frac{\partial L}{\partial h_{T}} "
    r"\frac{\partial h_{T}}{\partial s_{T}}=\dfrac{\partial L}{\partial {\hat y}_T}"
    r" \theta^{'}(h_{T}) \phi'(s_{T})"
)


@pytest.mark.parametrize("T", [1, 3, 5])
@pytest.mark.parametrize("method", ["exact", "modular"])
def test_note_boxed_formula_read_as_meant_holds(T: int, method: str) -> None:
    result = check(NOTE_BOXED_AS_MEANT, T=T, method=method)
    assert result.holds and len(result.results) == 2 * T  # every t, both parts of w_h
    if T > 1:
        assert any("outside" in note for note in result.notes)


@pytest.mark.parametrize("activation", ["generic", "tanh", "sigmoid"])
def test_d2l_9_7_7_holds(activation: str) -> None:
    assert check(D2L_9_7_7, model=RNNSpec(T=4, activation=activation)).holds


def test_note_boxed_formula_as_literally_written_does_not_hold() -> None:
    result = check(NOTE_BOXED_LITERAL, T=4)
    assert not result.holds
    assert result.failing.t == 2  # at t = 1 it reads dh_1/dw = dh_1/dw
    assert "immediate partial" in result.explanation
    assert result.counterexample is not None


def test_question_dl_dh_with_phi_prime_does_not_hold_with_a_real_counterexample() -> None:
    result = check(QUESTION_DL_DH, T=3, model=RNNSpec(T=3, reduction="sum"))
    assert not result.holds and result.failing.t == 1
    cx = result.counterexample
    assert cx.t == 1
    # at t = 1 (T = 3, summed loss) re-evaluate the counterexample by hand
    v = cx.values
    assert Fraction(cx.lhs) != Fraction(cx.rhs)
    assert "phi'(h_1)" in v and "theta'(h_1)" in v


def test_question_dl_dh_with_theta_prime_holds() -> None:
    fixed = QUESTION_DL_DH.replace(r"\phi^\prime(h_t)", r"\theta^\prime(h_t)")
    assert check(fixed, T=4).holds


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_question_recursion_and_answer_base_case_hold(reduction: str) -> None:
    model = RNNSpec(T=4, reduction=reduction)
    assert check(QUESTION_RECURSION, model=model).holds
    assert check(ANSWER_DL_DS_T, model=model).holds


def test_a_factor_inside_a_product_not_depending_on_its_index_warns() -> None:
    result = check(
        r"\frac{\partial h_t}{\partial h_{t-2}} = \prod_{j=t-1}^{t} w "
        r"\phi'(s_j)",
        T=4,
    )
    assert result.holds and any("parentheses" in w for w in result.warnings)


def test_assert_equivalent_accepts_latex_and_formula_objects() -> None:
    from symbptt import RNNSpec
    from symbptt.read.formula import parse_vector

    jacobian = parse_vector(r"\phi'(s_t) w", expression=True, model=RNNSpec(T=4).model)
    assert_equivalent(r"\frac{\partial h_t}{\partial h_{t-1}}", jacobian.sides[0])
    with pytest.raises(NotEquivalentError) as info:
        assert_equivalent(
            r"\frac{\partial h_t}{\partial w}",
            r"\frac{\partial^+ h_t}{\partial w} + \sum_{i=1}^{t-1} \prod_{j=i}"
            r"^{t} \frac{\partial h_j}{\partial h_{j-1}} \frac{\partial^+ h_i}"
            r"{\partial w}",
            T=3,
        )
    err = info.value
    assert isinstance(err, AssertionError) and "t=2" in str(err)
    assert err.counterexample is not None and "counterexample" in str(err)


def test_not_understood_is_an_error_naming_the_symbol_and_its_column() -> None:
    with pytest.raises(FormulaSyntaxError) as info:
        check(r"\frac{\partial h_t}{\partial w} = q_t")
    assert "unknown symbol q_{t}" in str(info.value) and "known names" in str(info.value)
    assert info.value.column == 35


@pytest.mark.parametrize(
    "text",
    [
        "h_t =",
        r"\frac{\partial h_t}{\partial w",
        "h_t = = 3",
        r"\phi = 2",
        "h_t = t",
        "h_{i} h_{k} = 1",
        "",
    ],
)
def test_malformed_formulas_are_syntax_errors(text: str) -> None:
    with pytest.raises(FormulaSyntaxError):
        check(text)


def test_out_of_range_t_are_not_claimed_and_adjoints_past_T_are_zero() -> None:
    result = check(r"\frac{\partial L}{\partial s_{t+1}} = 0", T=3)
    assert result.holds is False  # only t = T makes it 0; at t < T it is a real adjoint
    assert check(r"\frac{\partial L}{\partial s_{T+1}} = 0", T=3).holds
    partial = check(r"\frac{\partial h_t}{\partial h_{t-2}} = \phi'(s_t) w \phi'(s_{t-1}) w", T=4)
    assert partial.holds and {r.t for r in partial.results} == {2, 3, 4}


def test_sympy_objects_never_see_the_input_text() -> None:
    # the parser builds expressions itself: no sympify/eval of user text
    text = r"\frac{\partial h_t}{\partial w} = __import__"
    with pytest.raises(FormulaSyntaxError):
        check(text)
    assert sp.Symbol("__import__") not in E.__dict__.values()


def test_modular_check_states_its_error_bound_and_exact_has_a_limit() -> None:
    result = check(r"\frac{\partial h_t}{\partial h_{t-1}} = \phi'(s_t) w", T=50, method="modular")
    assert result.holds and "probability that this is wrong is below" in result.explanation
    from symbptt import SpecError

    with pytest.raises(SpecError, match="modular"):
        check("h_t = h_t", T=301, method="exact")
