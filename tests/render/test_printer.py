"""The LaTeX printer: exact snippets where they matter."""

from __future__ import annotations

import pytest

from symbptt import SpecError, cells, expand
from symbptt.derive.jvp import state_tangents
from symbptt.render.claims import restyle, split_equation
from symbptt.render.env import escape
from symbptt.render.layout import LINE_WIDTH, Term, break_sum, width
from symbptt.render.matrix import MatrixNotation
from symbptt.render.notation import Notation

#: The scalar model in the document's notation (the 1x1 case of matrix notation).
SCALAR = MatrixNotation(cells.declare("scalar"))


def chain_term_latex(term) -> str:
    return " ".join(SCALAR.chain_term_factors(term, "w"))


def test_derivative_objects_print_as_the_note_writes_them() -> None:
    assert SCALAR.total("t", "w") == r"\frac{\partial h_{t}}{\partial w}"
    assert SCALAR.immediate("t", "w") == r"\frac{\partial^{+} h_{t}}{\partial w}"
    assert SCALAR.jacobian("j") == r"\frac{\partial h_{j}}{\partial h_{j-1}}"


@pytest.mark.parametrize(
    "style,mark",
    [
        ("plus", r"\partial^{+}"),
        ("bar", r"\bar{\partial}"),
        ("subscript", r"\partial_{\mathrm{imm}}"),
    ],
)
def test_immediate_partial_notation_is_configurable(style: str, mark: str) -> None:
    text = MatrixNotation(cells.declare("scalar"), Notation(immediate=style)).immediate(2, "v")
    assert text == rf"\frac{{{mark} h_{{2}}}}{{\partial v}}"
    claimed = restyle(r"\frac{\partial^{+} h_{2}}{\partial v}", Notation(immediate=style))
    assert claimed == text  # a model's claims are printed in the document's notation


def test_a_claim_is_restyled_in_the_documents_notation_and_split_at_its_equals_sign() -> None:
    d = Notation(total="d", loss=r"\mathcal{L}")
    assert restyle(r"\frac{\partial L}{\partial s_{t}} = \frac{\partial h}{\partial w}", d) == (
        r"\frac{d \mathcal{L}}{d s_{t}} = \frac{d h}{d w}"
    )
    assert split_equation(r"\frac{a}{b} = \left(x = y\right) = z") == (
        r"\frac{a}{b}",
        r"\left(x = y\right) = z",
    )


def test_unknown_notation_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="expected one of"):
        Notation(immediate="hat")


def test_chain_terms_put_the_latest_jacobian_on_the_left() -> None:
    term = expand(3).settled[2]
    assert chain_term_latex(term) == (
        r"\frac{\partial h_{3}}{\partial h_{2}} \frac{\partial h_{2}}{\partial h_{1}} "
        r"\frac{\partial^{+} h_{1}}{\partial w}"
    )
    (jacobian,) = state_tangents(SCALAR.model)
    assert " ".join(SCALAR.model_term_factors(term, "w", jacobian)) == (
        r"\phi'(s_{3}) w \phi'(s_{2}) w \frac{\partial^{+} h_{1}}{\partial w}"
    )


def test_the_scalar_model_is_the_1x1_case_of_matrix_notation() -> None:
    """No diag, no transposes, no bold zero: numbers are written as numbers."""
    (jacobian,) = state_tangents(SCALAR.model)
    assert SCALAR.linear(jacobian, "t") == r"\phi'(s_{t}) w"
    assert SCALAR.zero == "0" and SCALAR.top == ""


def test_escape_makes_every_special_character_literal() -> None:
    assert escape(r"\input{/etc/passwd}") == r"\textbackslash{}input\{/etc/passwd\}"
    assert escape("50% & $x_1$ #2 ~ ^") == (
        r"50\% \& \$x\_1\$ \#2 \textasciitilde{} \textasciicircum{}"
    )


def test_width_of_a_fraction_is_its_wider_part() -> None:
    assert width(r"\frac{a}{bbbb}") == pytest.approx(width("bbbb") + 0.4)


def test_long_sums_break_at_term_boundaries_and_fit() -> None:
    terms = [Term((chain_term_latex(t),)) for t in expand(10).settled]
    rows = break_sum(SCALAR.total(10, "w"), terms)
    assert len(rows) > 1
    assert rows[0].startswith(r"\frac{\partial h_{10}}{\partial w} &= ")
    assert all(r.startswith(r"&\quad + ") for r in rows[1:])
    assert all(width(r.split("&", 2)[-1]) <= LINE_WIDTH + 1 for r in rows)


def test_a_term_wider_than_a_line_breaks_at_factor_boundaries() -> None:
    factors = tuple(SCALAR.jacobian(j) for j in range(30, 0, -1))
    rows = break_sum("x", [Term(factors)])
    assert len(rows) > 1 and rows[1].startswith(r"&\qquad ")


def test_restyling_a_claim_never_changes_what_it_names() -> None:
    """The loss letter replaces L only where L is the loss (not L_t, the step loss, nor
    L'), and the immediate partial is restyled however its + is written."""
    d = Notation(total="d", loss=r"\mathcal{L}", immediate="bar")
    assert restyle(r"\frac{\partial L_t}{\partial w}", d) == r"\frac{d L_t}{d w}"
    assert restyle(r"\frac{\partial L'}{\partial w}", d) == r"\frac{d L'}{d w}"
    assert restyle(r"\frac{\partial^+ h_t}{\partial w}", d) == r"\frac{\bar{\partial} h_t}{d w}"
