"""The notes' own forward pass, read as the notes write it: steps as subscripts or
superscripts, labels, stacked inputs, products as notes write them; then its quantities'
kinds and shapes (tests/read/test_forward_kinds.py) follow from the equations."""

from __future__ import annotations

import pytest

from symbptt.core.tensor import Add, Apply, Concat, Had, MatVec, OneMinus, Param, Var
from symbptt.errors import FormulaSyntaxError
from symbptt.read.forward import read_forward, step_of
from symbptt.read.forward_kinds import HIDDEN, INPUT, infer

# deeplearning.ai's LSTM (the Coursera notebook's equations (1)-(6), verbatim)
STACKED = r"[a^{\langle t-1 \rangle}, x^{\langle t \rangle}]"
COURSERA = [
    r"\Gamma_f^{\langle t \rangle} = \sigma(W_f" + STACKED + " + b_f)",
    r"\Gamma_u^{\langle t \rangle} = \sigma(W_u" + STACKED + " + b_u)",
    r"\tilde{c}^{\langle t \rangle} = \tanh(W_c" + STACKED + " + b_c)",
    r"c^{\langle t \rangle} = \Gamma_u^{\langle t \rangle}*\tilde{c}^{\langle t \rangle} + "
    r"\Gamma_f^{\langle t \rangle}*c^{\langle t-1 \rangle}",
    r"\Gamma_o^{\langle t \rangle} = \sigma(W_o" + STACKED + " + b_o)",
    r"a^{\langle t \rangle} = \Gamma_o^{\langle t \rangle}*\tanh(c^{\langle t \rangle})",
]


def test_a_course_s_lstm_in_its_own_notation() -> None:
    equations, written = read_forward(COURSERA)
    assert [target for target, _ in equations] == [
        "Gamma_f",
        "Gamma_u",
        "c_tilde",
        "c",
        "Gamma_o",
        "a",
    ]
    stacked = Concat(Var("a", -1), Var("x"))
    assert equations[0][1] == Apply("sigmoid", Add(MatVec(Param("W_f"), stacked), Param("b_f")))
    assert equations[3][1] == Add(
        Had(Var("Gamma_u"), Var("c_tilde")), Had(Var("Gamma_f"), Var("c", -1))
    )
    assert written["a"] == r"a^{\langle @ \rangle}" and written["W_f"] == "W_f"
    inferred = infer(equations)
    assert {n for n, k in inferred.kinds.items() if k == "state"} == {"a", "c"}
    assert inferred.shapes["W_f"] == (HIDDEN, HIDDEN + INPUT)


@pytest.mark.parametrize(
    "equation,target,rhs",
    [
        (r"h^{(t)} = \tanh(W h^{(t-1)} + U x^{(t)} + b)", "h", None),
        (r"f_t = \sigma(W_f \cdot [h_{t-1}, x_t] + b_f)", "f", None),
        (r"h_t = o_t \circ \tanh(c_t)", "h", Had(Var("o"), Apply("tanh", Var("c")))),
        (r"h_t = (1 - z_t) \odot h_{t-1}", "h", Had(OneMinus(Var("z")), Var("h", -1))),
        (r"\mathbf{a}^{f}_t = W^{f} \mathbf{x}_t", "a_f", MatVec(Param("W_f"), Var("x"))),
    ],
)
def test_steps_labels_and_products_as_notes_write_them(equation, target, rhs) -> None:
    (read,), _ = read_forward([equation])
    assert read[0] == target
    if rhs is not None:
        assert read[1] == rhs


@pytest.mark.parametrize(
    "equation,message",
    [
        (r"h_t = W * h_{t-1}", "does not guess"),  # * by a parameter: the matrix product?
        # written at t-1, it is the same equation at t: h_t = x_(t+1), a step ahead
        (r"h_{t-1} = x_t", "reads t and t-1 only"),
        (r"h = W", "has no step and reads none"),
        (r"h_t = x_{t+1}", "reads t and t-1 only"),
        (r"h_t = \operatorname{swish}(x_t)", "unknown function"),
    ],
)
def test_what_a_forward_pass_does_not_say_is_refused(equation, message) -> None:
    with pytest.raises(FormulaSyntaxError, match=message):
        read_forward([equation])


def test_a_step_is_told_from_a_label() -> None:
    assert [step_of(s) for s in ("t", "{t-1}", r"\langle t+1 \rangle", "<t>", "f", "xh")] == [
        0,
        -1,
        1,
        0,
        None,
        None,
    ]


def test_a_subscript_that_is_neither_step_nor_label_is_refused_with_its_place() -> None:
    with pytest.raises(FormulaSyntaxError, match="neither a step") as err:
        read_forward([r"h_t = W_{h+x} x_t"])
    assert err.value.column == 8  # at the subscript
    # a label in parts (W_{f,h}) is a label; a step and an entry (h_{t,2}) is not read
    assert read_forward([r"h_t = W_{h,x} x_t"])[0] == [("h", MatVec(Param("W_h_x"), Var("x")))]
    with pytest.raises(FormulaSyntaxError, match="an entry of a quantity of a step"):
        read_forward([r"h_t = W x_{t,2}"])


def test_what_typesetting_adds_is_read_through() -> None:
    """A tie (\\mathrm{~s}_t, from a PDF converter), colour (\\color, \\textcolor), an
    upright single letter (\\mathrm{s}: the letter s), a bold tilde, and a comment column
    beside an aligned equation (&& \\text{...}) change nothing in the equations."""
    from symbptt.read.display import equations as split

    plain, _ = read_forward([r"s_t = \tanh(U x_t + W s_{t-1})", r"o_t = V s_t"])
    typeset, _ = read_forward(
        [
            r"\mathrm{s}_{t} = \tanh(U \mathrm{x}_t + {\color{red} W} \mathrm{~s}_{t-1})",
            r"\mathrm{o}_{t} = \textcolor{blue}{V \mathrm{~s}_{t}}",
        ]
    )
    assert typeset == plain
    aligned = r"a_t &= W x_t && \text{tổng nhập: x} \\ h_t &= \tanh(a_t) && \text{đầu ra}"
    assert [e.strip() for e in split(aligned)] == ["a_t  = W x_t", r"h_t  = \tanh(a_t)"]
    tilde, _ = read_forward([r"\mathbf{\tilde{c}}_t = \tanh(W x_t)", r"c_t = \tilde{c}_t"])
    assert tilde[0][0] == "c_tilde"


def test_a_letter_applied_to_parentheses_is_a_function_only_when_declared() -> None:
    with pytest.raises(FormulaSyntaxError, match="may be a function or a product"):
        read_forward([r"s_t = f(U x_t + W s_{t-1})"])
    pairs, _ = read_forward([r"s_t = f(U x_t + W s_{t-1})"], functions=("f",))
    inner = Add(MatVec(Param("U"), Var("x")), MatVec(Param("W"), Var("s", -1)))
    assert pairs[0][1] == Apply("fn_f", inner)
    # a capital letter before parentheses stays a matrix times its argument
    pairs, _ = read_forward([r"s_t = \tanh(W(x_t + s_{t-1}))"])
    assert pairs[0][1] == Apply("tanh", MatVec(Param("W"), Add(Var("x"), Var("s", -1))))


def test_a_restatement_that_names_a_part_defines_that_name() -> None:
    """a^t = tanh(W_c x^t + U_c h^{t-1}) = tanh(\\hat{a}^t): the second side names the
    pre-activation; the model computes it, and a^t from it."""
    pairs, _ = read_forward(
        [r"a^t = \tanh(W_c x^t + U_c h^{t-1}) = \tanh(\hat{a}^t)", r"h^t = a^t"]
    )
    pre = Add(MatVec(Param("W_c"), Var("x")), MatVec(Param("U_c"), Var("h", -1)))
    assert ("a_hat", pre) in pairs and ("a", Apply("tanh", Var("a_hat"))) in pairs
    # the named side first: a^t = tanh(\hat a^t) = tanh(W_c x^t + U_c h^{t-1})
    pairs, _ = read_forward(
        [r"a^t = \tanh(\hat{a}^t) = \tanh(W_c x^t + U_c h^{t-1})", r"h^t = a^t"]
    )
    assert ("a_hat", pre) in pairs and ("a", Apply("tanh", Var("a_hat"))) in pairs


@pytest.mark.parametrize(
    "restated",
    [
        r"\sigma(\hat{a}^t)",  # another function: the quantity stated twice
        r"\tanh(W_c x^t) + \hat{b}^t",  # another formula
        r"\tanh(\hat{a}^{t-1})",  # a part named at another step
    ],
)
def test_a_restatement_that_is_another_formula_is_refused(restated: str) -> None:
    with pytest.raises(FormulaSyntaxError, match="restates the quantity otherwise"):
        read_forward([rf"a^t = \tanh(W_c x^t + U_c h^{{t-1}}) = {restated}", r"h^t = a^t"])


def test_labels_may_be_greek_or_accented_and_follow_a_superscript_label() -> None:
    pairs, _ = read_forward(
        [
            r"a_{\iota}^{t} = \sigma(W_{\iota} x^t + U_{\tilde{h}} h^{t-1} + W^{ss}_0)",
            r"h^t = a_\iota^t",
        ]
    )
    assert pairs[0][0] == "a_iota"
    assert {p for p in ("W_iota", "U_htilde", "W_ss_0") if p in repr(pairs[0][1])} == {
        "W_iota",
        "U_htilde",
        "W_ss_0",
    }


def test_a_stack_may_be_written_with_semicolons() -> None:
    pairs, _ = read_forward([r"h_t = \tanh(W [h_{t-1}; x_t])"])
    assert pairs[0][1] == Apply("tanh", MatVec(Param("W"), Concat(Var("h", -1), Var("x"))))


def test_a_function_s_name_is_never_a_matrix() -> None:
    """\\tanh {(W x_t)} (braces around the argument, as a converter writes) is tanh applied:
    it was read as a matrix named tanh times the sum, another model."""
    pairs, _ = read_forward([r"\tilde{{h}_{t}} = \tanh {(W{ x }_{ t } + U{ h }_{ t-1 })}"])
    inner = Add(MatVec(Param("W"), Var("x")), MatVec(Param("U"), Var("h", -1)))
    assert pairs == [("h_tilde", Apply("tanh", inner))]
    assert read_forward([r"h_t = \sigma z_t"])[0] == [("h", Apply("sigmoid", Var("z")))]
    with pytest.raises(FormulaSyntaxError, match="write its argument in parentheses"):
        read_forward([r"h_t = \tanh W h_{t-1}"])


def test_mathjax_relations_and_prose_labels_are_read_through() -> None:
    """a^{\\lt t-1 \\gt} (MathJax's < and > in Markdown) is a step; 'update gate :' before
    an equation is its label, not a product of letters."""
    from symbptt.read.display import equations, plain_relations

    pairs, _ = read_forward([plain_relations(r"a^{\lt t \gt} = \tanh(W a^{\lt t-1 \gt})")])
    assert pairs == [("a", Apply("tanh", MatVec(Param("W"), Var("a", -1))))]
    split = equations(r"update\quad gate\quad :\quad z_t = \sigma(x_t) \\ \text{reset}: r_t = x_t")
    assert [e.strip() for e in split] == [r"\quad z_t = \sigma(x_t)", "r_t = x_t"]
    assert [e.strip() for e in equations("a : b = c")] == ["a : b = c"]  # no label: letters


def test_a_comment_that_states_a_condition_stays_part_of_the_equation() -> None:
    """\\quad \\text{(forget gate)} is a comment; \\quad \\text{for t = 1} and
    \\text{at the last step} restrict the claim, so they are kept (and refused where
    they cannot be read), never dropped."""
    from symbptt.read.display import equations

    def pieces(text: str) -> list[str]:
        return [e.strip() for e in equations(text)]

    assert pieces(r"f_t = \sigma(x_t) \quad \text{(forget gate)}") == [r"f_t = \sigma(x_t)"]
    for condition in (r"\text{for t = 1}", r"\text{at the last step}", r"\text{if } t > 1"):
        assert condition in pieces(rf"h_t = 0 \quad {condition}")[0]
    assert r"\text{for all t}" in pieces(r"h_t &= x && \text{for all t}")[-1]


def test_review_braces_around_an_argument_print_nothing_so_are_refused() -> None:
    """Found in the second review: \\tanh {W h + U x} and \\tanh {W h} + U x print alike
    (tanh W h + U x) and were read as two models; a braced argument counts only around
    parentheses or a single name. {\\sigma}(x) raised an internal error."""
    for text in (r"h_t = \tanh {W h_{t-1} + U x_t}", r"h_t = \tanh {W h_{t-1}} + U x_t"):
        with pytest.raises(FormulaSyntaxError, match="in braces only prints without them"):
            read_forward([text])
    assert read_forward([r"h_t = \sigma {z_t}"])[0] == [("h", Apply("sigmoid", Var("z")))]
    with pytest.raises(FormulaSyntaxError, match="a name is expected|only a name may be"):
        read_forward([r"h_t = {\sigma}(W h_{t-1})"])


def test_review_notes_that_define_gt_keep_their_own() -> None:
    from symbptt.read.display import plain_relations

    assert plain_relations(r"W \gt", r"\newcommand{\gt}{g_t}") == r"W \gt"
    assert plain_relations(r"a^{\gt}") == "a^{>  }"


def test_bold_names_with_their_scripts_inside_the_braces() -> None:
    """\\mathbf{z_t}, \\mathbf{W^{hh}}: the bold name and its step or label."""
    pairs, written = read_forward(
        [r"\mathbf{z_t} = \mathbf{W^{xh}}\mathbf{x_t} + \mathbf{W^{hh}}\mathbf{h_{t-1}}"]
    )
    inner = Add(MatVec(Param("W_xh"), Var("x")), MatVec(Param("W_hh"), Var("h", -1)))
    assert pairs == [("z", inner)] and written["z"] == r"\mathbf{z_{@}}"


def test_a_side_that_names_the_step_map_is_read_through() -> None:
    """h_t = f_h(X_t, h_{t-1}) = \\tanh(...): the middle side names the map the step
    applies; the equation is the last side's (alone, f_h(...) is still refused)."""
    pairs, _ = read_forward([r"h_t = f_h(x_t, h_{t-1}) = \tanh(W h_{t-1} + U x_t)"])
    inner = Add(MatVec(Param("W"), Var("h", -1)), MatVec(Param("U"), Var("x")))
    assert pairs == [("h", Apply("tanh", inner))]
    with pytest.raises(FormulaSyntaxError, match="may be a function or a product"):
        read_forward([r"h_t = f_h(x_t, h_{t-1})"])
