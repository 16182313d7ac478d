"""The output head the built-in vector models share: y_t = theta(W_hy h_t + b_y), the
target d_t (or, for the softmax cross-entropy, the one-hot e_{y_t} of a class index),
and the softmax probabilities the cross-entropy head computes."""

from __future__ import annotations

from ..core.model import Adjoint, Equation, Head, Variable
from ..core.tensor import Add, Apply, MatVec, Param, Var


def target_variables(outputs: int, loss: str) -> tuple[Variable, tuple[Variable, ...]]:
    """The target d_t (e_{y_t} for cross-entropy), and the probabilities yhat_t =
    softmax(o_t) when the loss is the cross-entropy (else nothing)."""
    k = outputs
    latex = r"\mathbf{e}_{y_{@}}" if loss == "cross-entropy" else r"\mathbf{d}_{@}"
    target = Variable("d", "target", (k, 1), latex, "target", ("d",))
    probabilities = (
        (Variable("yhat", "intermediate", (k, 1), r"\hat{\mathbf{y}}_{@}", "probabilities"),)
        if loss == "cross-entropy"
        else ()
    )
    return target, probabilities


def gated_functions(output_activation: str) -> tuple[tuple[str, str, str], ...]:
    """The function roles of the gated cells: the gates' sigma, tanh, the head's theta."""
    return (
        ("sigma", "sigmoid", r"\sigma"),
        ("tanh", "tanh", r"\tanh"),
        ("theta", output_activation, r"\theta"),
    )


def gated_head(
    hidden: int, outputs: int, loss: str
) -> tuple[tuple[Variable, ...], tuple[Equation, ...], Head, Adjoint]:
    """a^y_t = W_hy h_t + b_y and y_t = theta(a^y_t), the head of the gated cells (whose
    letters z and o are gates): its variables (parameters included), equations, loss and
    the adjoint g_t = dL/da^y_t that the backward program keeps."""
    n, k = hidden, outputs
    variables = (
        Variable("a_y", "intermediate", (k, 1), r"\mathbf{a}^{y}_{@}", "output pre-activation"),
        Variable("y", "intermediate", (k, 1), r"\mathbf{y}_{@}", "output", ("\\hat y",)),
        Variable("W_hy", "parameter", (k, n), "W_{hy}", "output weights"),
        Variable("b_y", "parameter", (k, 1), r"\mathbf{b}_{y}", "output bias"),
    )
    equations = (
        Equation("a_y", Add(MatVec(Param("W_hy"), Var("h")), Param("b_y"))),
        Equation("y", Apply("theta", Var("a_y")), slope="dtheta"),
    )
    head = Head(output="y", target="d", loss=loss)
    return variables, equations, head, Adjoint("a_y", "g_y", r"\mathbf{g}_{@}")
