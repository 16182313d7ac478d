r"""The GRU in its two published forms, as declarations.

``torch`` (torch.nn.GRU; the reset gate applied after the recurrent matrix):

    r_t = sigma(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)        reset gate
    z_t = sigma(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)        update gate
    n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn)) new gate
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}

``cho`` (Cho et al. 2014, as in d2l.ai; the reset gate applied to h_{t-1} before the
matrix):

    r_t = sigma(W_xr x_t + W_hr h_{t-1} + b_r)
    z_t = sigma(W_xz x_t + W_hz h_{t-1} + b_z)
    \tilde h_t = tanh(W_xh x_t + W_hh (r_t * h_{t-1}) + b_h)
    h_t = z_t * h_{t-1} + (1 - z_t) * \tilde h_t

Both with the head y_t = theta(W_hy h_t + b_y) and the squared or softmax cross-entropy
loss; h_0 is a parameter or zero. The two are different functions of their parameters
(users mix them up): a gradient written for one is wrong for the other.
"""

from __future__ import annotations

from ..core.model import Adjoint, Equation, Model, Variable
from ..core.tensor import Add, Apply, Expr, Had, MatVec, OneMinus, Param, Var
from .heads import gated_functions, gated_head, target_variables

#: The variants, as ``--gru-variant`` names them.
VARIANTS = ("torch", "cho")


def _torch_cell(n: int, m: int) -> tuple[list[Variable], list[Equation]]:
    """torch.nn.GRU's gates and parameters (its names, its two biases per gate)."""
    variables: list[Variable] = []
    equations: list[Equation] = []
    for letter, prose in (("r", "reset gate"), ("z", "update gate"), ("n", "new gate")):
        variables += [
            Variable(f"a_{letter}", "intermediate", (n, 1), rf"\mathbf{{a}}^{{{letter}}}_{{@}}"),
            Variable(letter, "intermediate", (n, 1), rf"\mathbf{{{letter}}}_{{@}}", prose),
        ]
        recurrent: Expr = Add(MatVec(Param(f"W_h{letter}"), Var("h", -1)), Param(f"b_h{letter}"))
        if letter == "n":
            recurrent = Had(Var("r"), recurrent)
        pre = Add(Add(MatVec(Param(f"W_i{letter}"), Var("x")), Param(f"b_i{letter}")), recurrent)
        role = "tanh" if letter == "n" else "sigma"
        equations += [
            Equation(f"a_{letter}", pre),
            Equation(letter, Apply(role, Var(f"a_{letter}")), slope=f"d{letter}"),
        ]
    update = Add(Had(OneMinus(Var("z")), Var("n")), Had(Var("z"), Var("h", -1)))
    return variables, [*equations, Equation("h", update)]


def _torch_parameters(n: int, m: int) -> list[Variable]:
    out = []
    for letter in "rzn":
        out += [
            Variable(f"W_i{letter}", "parameter", (n, m), f"W_{{i{letter}}}", "input weights"),
            Variable(f"b_i{letter}", "parameter", (n, 1), rf"\mathbf{{b}}_{{i{letter}}}", "bias"),
            Variable(f"W_h{letter}", "parameter", (n, n), f"W_{{h{letter}}}", "recurrent weights"),
            Variable(f"b_h{letter}", "parameter", (n, 1), rf"\mathbf{{b}}_{{h{letter}}}", "bias"),
        ]
    return out


def _cho_cell(n: int, m: int) -> tuple[list[Variable], list[Equation]]:
    """The gates of Cho et al. (d2l.ai's names: W_xr, W_hr, b_r, ...)."""
    variables: list[Variable] = []
    equations: list[Equation] = []
    for letter, prose in (("r", "reset gate"), ("z", "update gate")):
        variables += [
            Variable(f"a_{letter}", "intermediate", (n, 1), rf"\mathbf{{a}}^{{{letter}}}_{{@}}"),
            Variable(letter, "intermediate", (n, 1), rf"\mathbf{{{letter}}}_{{@}}", prose),
        ]
        pre = Add(
            Add(
                MatVec(Param(f"W_x{letter}"), Var("x")), MatVec(Param(f"W_h{letter}"), Var("h", -1))
            ),
            Param(f"b_{letter}"),
        )
        equations += [
            Equation(f"a_{letter}", pre),
            Equation(letter, Apply("sigma", Var(f"a_{letter}")), slope=f"d{letter}"),
        ]
    variables += [
        Variable("a_h_tilde", "intermediate", (n, 1), r"\mathbf{a}^{\tilde{h}}_{@}"),
        Variable("h_tilde", "intermediate", (n, 1), r"\tilde{\mathbf{h}}_{@}", "candidate state"),
    ]
    candidate = Add(
        Add(MatVec(Param("W_xh"), Var("x")), MatVec(Param("W_hh"), Had(Var("r"), Var("h", -1)))),
        Param("b_h"),
    )
    update = Add(Had(Var("z"), Var("h", -1)), Had(OneMinus(Var("z")), Var("h_tilde")))
    equations += [
        Equation("a_h_tilde", candidate),
        Equation("h_tilde", Apply("tanh", Var("a_h_tilde")), slope="dh_tilde"),
        Equation("h", update),
    ]
    return variables, equations


def _cho_parameters(n: int, m: int) -> list[Variable]:
    out = []
    for letter in ("r", "z", "h"):
        out += [
            Variable(f"W_x{letter}", "parameter", (n, m), f"W_{{x{letter}}}", "input weights"),
            Variable(f"W_h{letter}", "parameter", (n, n), f"W_{{h{letter}}}", "recurrent weights"),
            Variable(f"b_{letter}", "parameter", (n, 1), rf"\mathbf{{b}}_{{{letter}}}", "bias"),
        ]
    return out


def declare(
    *,
    hidden: int,
    inputs: int = 1,
    outputs: int = 1,
    variant: str = "torch",
    output_activation: str = "identity",
    loss: str = "squared",
    reduction: str = "mean",
    initial: str = "parameter",
) -> Model:
    """The GRU of the given variant (``torch`` or ``cho``), sizes, head and loss;
    ``initial`` is ``"parameter"`` (h_0 a parameter) or ``"zero"``."""
    n, m = hidden, inputs
    cell, parameters = (
        (_torch_cell, _torch_parameters) if variant == "torch" else (_cho_cell, _cho_parameters)
    )
    gate_variables, cell_equations = cell(n, m)
    target, probabilities = target_variables(outputs, loss)
    head_variables, head_equations, head, g = gated_head(hidden, outputs, loss)
    initials = (
        (Variable("h_0", "parameter", (n, 1), r"\mathbf{h}_{0}", "initial state"),)
        if initial == "parameter"
        else ()
    )
    return Model(
        name="GRU (torch.nn.GRU)" if variant == "torch" else "GRU (Cho et al.)",
        slug=f"gru-{variant}-n{n}",
        # measured (torch variant; Cho et al.'s is faster): n = 2, T = 4 in 7.3 s,
        # n = 3, T = 3 in 3.3 s, n = 9, T = 1 in 2.1 s
        exact_work=9,
        variables=(
            Variable("x", "input", (m, 1), r"\mathbf{x}_{@}", "input"),
            target,
            *gate_variables,
            Variable("h", "state", (n, 1), r"\mathbf{h}_{@}", "hidden state"),
            *parameters(n, m),
            *head_variables,
            *initials,
            *probabilities,
        ),
        equations=(*cell_equations, *head_equations),
        initial=(("h", "h_0" if initial == "parameter" else None),),
        functions=gated_functions(output_activation),
        head=head,
        reduction=reduction,
        adjoints=(
            g,
            Adjoint("h", "delta_h", r"\boldsymbol{\delta}_{@}"),
        ),
    )
