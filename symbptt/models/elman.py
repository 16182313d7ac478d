r"""The vector Elman RNN of note 000 (eqns 2-3) as a declaration.

    s_t = W_xh x_t + W_hh h_{t-1} + b_h,   h_t = phi(s_t)   (elementwise)
    z_t = W_hy h_t + b_y,                   o_t = theta(z_t)
    l_t = (1/2) ||o_t - d_t||^2,            L = (1/T) sum_t l_t  (or the sum)

or the softmax cross-entropy head: yhat_t = softmax(o_t), l_t = -log yhat_t[y_t].

with hidden size n, input size m, output size k; h_0 is a parameter. Note 000's
w_h = [W_xh W_hh]^T is a view of two parameters. The backward program keeps
g_t = dL/dz_t and delta_t = dL/ds_t.
"""

from __future__ import annotations

from ..core.model import Adjoint, Equation, Head, Model, Variable, View
from ..core.tensor import Add, Apply, MatVec, Param, Var


def declare(
    *,
    hidden: int,
    inputs: int = 1,
    outputs: int = 1,
    activation: str = "tanh",
    output_activation: str = "identity",
    loss: str = "squared",
    reduction: str = "mean",
) -> Model:
    """The Elman model of the given sizes, activations and loss (``squared`` or
    ``cross-entropy``: yhat_t = softmax(o_t), the target a class index y_t whose one-hot
    vector e_{y_t} takes the place of d_t)."""
    n, m, k = hidden, inputs, outputs
    target = r"\mathbf{e}_{y_{@}}" if loss == "cross-entropy" else r"\mathbf{d}_{@}"
    probabilities = (
        (Variable("yhat", "intermediate", (k, 1), r"\hat{\mathbf{y}}_{@}", "probabilities"),)
        if loss == "cross-entropy"
        else ()
    )
    return Model(
        name="Elman RNN",
        variables=(
            Variable("x", "input", (m, 1), r"\mathbf{x}_{@}", "input"),
            Variable("d", "target", (k, 1), target, "target", ("d",)),
            Variable("s", "intermediate", (n, 1), r"\mathbf{s}_{@}", "pre-activation"),
            Variable("h", "state", (n, 1), r"\mathbf{h}_{@}", "hidden state"),
            Variable("z", "intermediate", (k, 1), r"\mathbf{z}_{@}", "output pre-activation"),
            Variable(
                "o",
                "intermediate",
                (k, 1),
                r"\mathbf{o}_{@}",
                "output",
                ("\\hat o",) if loss == "cross-entropy" else ("\\hat y", "\\hat o"),
            ),
            Variable("W_hh", "parameter", (n, n), "W_{hh}", "recurrent weights"),
            Variable("W_xh", "parameter", (n, m), "W_{xh}", "input weights"),
            Variable("b_h", "parameter", (n, 1), r"\mathbf{b}_{h}", "hidden bias"),
            Variable("W_hy", "parameter", (k, n), "W_{hy}", "output weights"),
            Variable("b_y", "parameter", (k, 1), r"\mathbf{b}_{y}", "output bias"),
            Variable("h_0", "parameter", (n, 1), r"\mathbf{h}_{0}", "initial state"),
            *probabilities,
        ),
        equations=(
            Equation(
                "s",
                Add(
                    Add(MatVec(Param("W_xh"), Var("x")), MatVec(Param("W_hh"), Var("h", -1))),
                    Param("b_h"),
                ),
            ),
            Equation("h", Apply("phi", Var("s")), slope="dphi"),
            Equation("z", Add(MatVec(Param("W_hy"), Var("h")), Param("b_y"))),
            Equation("o", Apply("theta", Var("z")), slope="dtheta"),
        ),
        initial=(("h", "h_0"),),
        functions=(("phi", activation, r"\phi"), ("theta", output_activation, r"\theta")),
        head=Head(output="o", target="d", loss=loss),
        reduction=reduction,
        adjoints=(
            Adjoint("z", "g", r"\mathbf{g}_{@}"),
            Adjoint("s", "delta", r"\boldsymbol{\delta}_{@}"),
        ),
        views=(View("w_h", ("W_xh", "W_hh"), "w_{h}"),),
        claims=(
            (
                "backward recursion",
                "delta_t = phi'(s_t) * (W_hy^T g_t + W_hh^T delta_(t+1)) gives every entry",
            ),
            (
                "sum of products",
                "sum_i (J_t ... J_(i+1)) d+h_i/dP with J_j = diag(phi'(s_j)) W_hh, "
                "for every t and entry",
            ),
            (
                "Jacobian chain",
                "dh_t/dh_0 = J_t J_(t-1) ... J_1 with J_j = diag(phi'(s_j)) W_hh, "
                "for every t and entry",
            ),
        ),
        family="elman",
    )
