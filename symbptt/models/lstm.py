r"""The LSTM cell of torch.nn.LSTM (no peepholes) as a declaration.

    i_t = sigma(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)        input gate
    f_t = sigma(W_if x_t + b_if + W_hf h_{t-1} + b_hf)        forget gate
    \tilde c_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)   candidate (torch's g_t)
    o_t = sigma(W_io x_t + b_io + W_ho h_{t-1} + b_ho)        output gate
    c_t = f_t * c_{t-1} + i_t * \tilde c_t                     cell state
    h_t = o_t * tanh(c_t)                                      hidden state

with the Elman model's head, y_t = theta(W_hy h_t + b_y), and its squared or softmax
cross-entropy loss. The state is the pair (h_t, c_t); h_0 and c_0 are parameters or
zero. The parameter names are torch's (its two biases per gate included: their gradients
are equal, and torch has both), so a gradient reads the same here and in PyTorch.
"""

from __future__ import annotations

from ..core.model import Adjoint, Equation, Model, Variable
from ..core.tensor import Add, Apply, Expr, Had, MatVec, Param, Var
from .heads import gated_functions, gated_head, target_variables

#: The gates: (torch's letter, our variable, its LaTeX, prose, function role).
GATES = (
    ("i", "i", r"\mathbf{i}_{@}", "input gate", "sigma"),
    ("f", "f", r"\mathbf{f}_{@}", "forget gate", "sigma"),
    ("g", "c_tilde", r"\tilde{\mathbf{c}}_{@}", "candidate cell state", "tanh"),
    ("o", "o", r"\mathbf{o}_{@}", "output gate", "sigma"),
)


def _affine(letter: str) -> Expr:
    """W_i? x_t + b_i? + W_h? h_{t-1} + b_h?, in torch's order."""
    return Add(
        Add(
            Add(MatVec(Param(f"W_i{letter}"), Var("x")), Param(f"b_i{letter}")),
            MatVec(Param(f"W_h{letter}"), Var("h", -1)),
        ),
        Param(f"b_h{letter}"),
    )


def declare(
    *,
    hidden: int,
    inputs: int = 1,
    outputs: int = 1,
    output_activation: str = "identity",
    loss: str = "squared",
    reduction: str = "mean",
    initial: str = "parameter",
) -> Model:
    """The LSTM of the given sizes, head and loss; ``initial`` is ``"parameter"`` (h_0
    and c_0 are parameters) or ``"zero"``."""
    n, m = hidden, inputs
    target, probabilities = target_variables(outputs, loss)
    head_variables, head_equations, head, g = gated_head(hidden, outputs, loss)
    gate_variables, gate_parameters, gate_equations = [], [], []
    for letter, name, tex, prose, role in GATES:
        sub = "g" if letter == "g" else letter
        gate_variables += [
            Variable(f"a_{name}", "intermediate", (n, 1), rf"\mathbf{{a}}^{{{sub}}}_{{@}}"),
            Variable(name, "intermediate", (n, 1), tex, prose),
        ]
        gate_parameters += [
            Variable(f"W_i{letter}", "parameter", (n, m), f"W_{{i{letter}}}", "input weights"),
            Variable(f"b_i{letter}", "parameter", (n, 1), rf"\mathbf{{b}}_{{i{letter}}}", "bias"),
            Variable(f"W_h{letter}", "parameter", (n, n), f"W_{{h{letter}}}", "recurrent weights"),
            Variable(f"b_h{letter}", "parameter", (n, 1), rf"\mathbf{{b}}_{{h{letter}}}", "bias"),
        ]
        gate_equations += [
            Equation(f"a_{name}", _affine(letter)),
            Equation(name, Apply(role, Var(f"a_{name}")), slope=f"d{name}"),
        ]
    initials = (
        (
            Variable("h_0", "parameter", (n, 1), r"\mathbf{h}_{0}", "initial hidden state"),
            Variable("c_0", "parameter", (n, 1), r"\mathbf{c}_{0}", "initial cell state"),
        )
        if initial == "parameter"
        else ()
    )
    return Model(
        name="LSTM",
        slug=f"lstm-n{n}",
        # measured: n = 2, T = 4 in 0.7 s, n = 3, T = 4 in 2.3 s, n = 12, T = 1 in 9.3 s
        exact_work=24,
        variables=(
            Variable("x", "input", (m, 1), r"\mathbf{x}_{@}", "input"),
            target,
            *gate_variables,
            Variable("c", "state", (n, 1), r"\mathbf{c}_{@}", "cell state"),
            Variable("tanh_c", "intermediate", (n, 1), r"\tanh(\mathbf{c}_{@})", "squashed cell"),
            Variable("h", "state", (n, 1), r"\mathbf{h}_{@}", "hidden state"),
            *gate_parameters,
            *head_variables,
            *initials,
            *probabilities,
        ),
        equations=(
            *gate_equations,
            Equation("c", Add(Had(Var("f"), Var("c", -1)), Had(Var("i"), Var("c_tilde")))),
            Equation("tanh_c", Apply("tanh", Var("c")), slope="dtanh_c"),
            Equation("h", Had(Var("o"), Var("tanh_c"))),
            *head_equations,
        ),
        initial=(
            ("h", "h_0" if initial == "parameter" else None),
            ("c", "c_0" if initial == "parameter" else None),
        ),
        functions=gated_functions(output_activation),
        head=head,
        reduction=reduction,
        adjoints=(
            g,
            Adjoint("h", "delta_h", r"\boldsymbol{\delta}^{h}_{@}"),
            Adjoint("c", "delta_c", r"\boldsymbol{\delta}^{c}_{@}"),
        ),
    )
