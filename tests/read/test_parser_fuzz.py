"""Any string gives a FormulaCheckResult or a FormulaSyntaxError: never another exception,
never a hang (hypothesis, with a deadline)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from symbptt import FormulaSyntaxError, check
from symbptt.results import FormulaCheckResult

TOKENS = [
    r"\frac",
    r"\dfrac",
    r"\partial",
    "^+",
    "^{+}",
    r"\sum",
    r"\prod",
    "_{i=1}",
    "^{t-1}",
    "_{j-1=i}",
    "^{t}",
    "h_t",
    "h_{t-1}",
    "s_t",
    "s_{t+1}",
    "x_t",
    r"\hat y_t",
    "{\\hat y}_t",
    "w",
    "v",
    "w_h",
    "L",
    r"\ell_t",
    "l_t",
    "T",
    r"\phi",
    r"\theta",
    "'",
    r"^\prime",
    "(",
    ")",
    r"\left(",
    r"\right)",
    "{",
    "}",
    "=",
    "+",
    "-",
    r"\cdot",
    r"\times",
    "1",
    "2",
    "0",
    "/",
    r"\,",
    "f(x_t, h_{t-1}, w_h)",
    r"\phi_h",
    r"\phi_o",
    "o_t",
    "_",
    "^",
    "h_0",
    "h_{T+1}",
    "s_{T+1}",
    "h_{t+5}",
    "x_0",
    "d_t",
    r"\frac{1}{T}",
    "\\",
    "$",
    "%",
    "z",
]


def outcome(text: str) -> None:
    try:
        result = check(text, T=2)
    except FormulaSyntaxError as err:
        assert str(err)
        return
    assert isinstance(result, FormulaCheckResult)


@settings(max_examples=300, deadline=2000)
@given(st.text(max_size=80))
def test_arbitrary_text(text: str) -> None:
    outcome(text)


@settings(max_examples=600, deadline=2000)
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_latex_token_soup(tokens: list[str]) -> None:
    outcome(" ".join(tokens))


@settings(max_examples=200, deadline=2000)
@given(
    st.lists(st.sampled_from(TOKENS), max_size=12), st.lists(st.sampled_from(TOKENS), max_size=12)
)
@example(["h_t"], ["f(x_t, h_{t-1}, w_h)", "^{t-1}"])  # a power of the one-step map: exit 2
def test_equations_of_token_soup(lhs: list[str], rhs: list[str]) -> None:
    outcome(" ".join(lhs) + " = " + " ".join(rhs))


def test_long_and_deep_input_is_refused_quickly() -> None:
    for text in ("(" * 5000 + ")" * 5000, "h_t + " * 2000 + "h_t = 0", "{" * 100):
        try:
            check(text)
        except FormulaSyntaxError:
            continue
        raise AssertionError("expected a FormulaSyntaxError")


VECTOR_TOKENS = TOKENS + [
    r"\mathbf{h}_t",
    r"\mathbf{h}_{t-1}",
    r"\mathbf{s}_t",
    r"\mathbf{g}_t",
    r"\boldsymbol{\delta}_{t+1}",
    r"\mathbf{z}_t",
    r"\mathbf{b}_h",
    "W_{hh}",
    "W_{xh}",
    "W_{hy}",
    r"^\top",
    "^T",
    r"\operatorname{diag}",
    r"\odot",
    r"\mathbf{0}",
    r"\begin{bmatrix}",
    r"\end{bmatrix}",
    "\\\\",
    "&",
    # deeplearning.ai's notation and what came with it
    r"^{\langle t \rangle}",
    r"^{<t-1>}",
    "^{<",
    "<",
    ">",
    r"\langle",
    r"\rangle",
    "softmax(",
    r"\operatorname{softmax}",
    ")",
    r"\quad",
    r"\tag {1.2}",
    "τ",
    "−",
    "T_x",
    "n_y",
    "(a^{<t>})^T",
    "W_{aa}",
    "a^{<t>}",
    r"\log",
    r"\hat{y_i}^{<t>}",
]


def vector_outcome(text: str) -> None:
    from symbptt import ElmanSpec

    try:
        result = check(text, model=ElmanSpec(hidden=2, T=2), method="modular")
    except FormulaSyntaxError as err:
        assert str(err)
        return
    assert isinstance(result, FormulaCheckResult)


@settings(max_examples=400, deadline=3000)
@given(
    st.lists(st.sampled_from(VECTOR_TOKENS), max_size=12),
    st.lists(st.sampled_from(VECTOR_TOKENS), max_size=12),
)
def test_vector_equations_of_token_soup(lhs: list[str], rhs: list[str]) -> None:
    vector_outcome(" ".join(lhs) + " = " + " ".join(rhs))


@settings(max_examples=150, deadline=3000)
@given(st.text(max_size=60))
def test_vector_arbitrary_text(text: str) -> None:
    vector_outcome(text)


_VECTOR_LEAVES = st.sampled_from(
    [
        r"\mathbf{h}_t",
        r"\mathbf{h}_{t-1}",
        r"\mathbf{s}_t",
        r"\mathbf{g}_t",
        r"\boldsymbol{\delta}_{t+1}",
        r"\mathbf{h}_{T+1}",
        "W_{hh}",
        r"W_{hy}^\top",
        "w_h",
        r"\frac{1}{T}",
        r"\frac{\partial L}{\partial W_{hh}}",
        r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}}",
        r"\frac{\partial^+ \mathbf{h}_t}{\partial W_{xh}}",
        r"\frac{\partial \mathbf{h}_t}{\partial w_h}",
        r"\frac{\partial L}{\partial \mathbf{h}_0}",
    ]
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda p: f"{p[0]} + {p[1]}"),
        pair.map(lambda p: f"{p[0]} {p[1]}"),
        pair.map(lambda p: f"{p[0]} \\odot {p[1]}"),
        children.map(lambda c: f"\\operatorname{{diag}}({c})"),
        children.map(lambda c: f"\\left({c}\\right)^\\top"),
        children.map(lambda c: f"\\prod_{{j=2}}^{{t}} \\left({c.replace('_t', '_j')}\\right)"),
        children.map(lambda c: f"\\sum_{{i=1}}^{{t}} {c.replace('_t', '_i')}"),
    )


@pytest.mark.slow
@settings(max_examples=300, deadline=5000)
@given(
    st.recursive(_VECTOR_LEAVES, _combine, max_leaves=6),
    st.recursive(_VECTOR_LEAVES, _combine, max_leaves=6),
)
def test_structured_vector_formulas(lhs: str, rhs: str) -> None:
    """Well-formed and ill-shaped matrix formulas: a verdict or a syntax error, never a
    crash (this found the empty product on both sides and inside a family)."""
    vector_outcome(f"{lhs} = {rhs}")


@settings(max_examples=300, deadline=3000)
@given(
    st.lists(st.sampled_from(VECTOR_TOKENS), max_size=12),
    st.lists(st.sampled_from(VECTOR_TOKENS), max_size=12),
)
def test_equations_of_token_soup_in_a_profile_with_a_softmax_head(lhs, rhs) -> None:
    """The same soup read in deeplearning-ai's notation, in the model with the softmax
    head (angle brackets, softmax, the probabilities' reciprocals and sum)."""
    from symbptt import ElmanSpec

    spec = ElmanSpec(hidden=2, outputs=2, T=2, loss="cross-entropy", reduction="sum")
    text = " ".join(lhs) + " = " + " ".join(rhs)
    try:
        result = check(text, model=spec, method="modular", notation="deeplearning-ai")
    except FormulaSyntaxError as err:
        assert str(err)
        return
    assert isinstance(result, FormulaCheckResult)
