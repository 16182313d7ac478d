r"""The scalar RNN of the seeds (note 000, question 002) as a declaration.

    s_t = w h_{t-1} + v x_t,   h_t = phi(s_t),   yhat_t = theta(h_t),
    l_t = l(yhat_t, d_t),      L = (1/T) sum_t l_t   (or the sum)

Every variable is 1x1. The per-step loss is an unknown differentiable function
(``generic``, its derivative l'(yhat_t, d_t) an atom of its own) or the squared loss;
h_0 is a parameter or zero. Note 000's w_h = (v, w) is a view of the two weights.
"""

from __future__ import annotations

from ..core.model import Adjoint, Equation, Head, Model, Variable, View
from ..core.tensor import Add, Apply, MatVec, Param, Var

SCALAR = (1, 1)


def declare(
    *,
    activation: str = "generic",
    output_activation: str = "generic",
    loss: str = "generic",
    reduction: str = "mean",
    h0: str = "symbol",
) -> Model:
    """The scalar model with these functions and loss; ``h0`` is ``"symbol"`` (h_0 a
    parameter) or ``"zero"``."""
    lgrad = (
        (Variable("lgrad", "intermediate", SCALAR, r"l'\left(\hat{y}_{@}, d_{@}\right)", "slope"),)
        if loss == "generic"
        else ()
    )
    initial = (Variable("h_0", "parameter", SCALAR, "h_{0}", "initial state"),)
    return Model(
        name="scalar RNN",
        variables=(
            Variable("x", "input", SCALAR, "x_{@}", "input"),
            Variable("d", "target", SCALAR, "d_{@}", "target"),
            Variable("s", "intermediate", SCALAR, "s_{@}", "pre-activation"),
            Variable("h", "state", SCALAR, "h_{@}", "hidden state"),
            Variable(
                "yhat", "intermediate", SCALAR, r"\hat{y}_{@}", "prediction", ("o", "\\hat o")
            ),
            Variable("w", "parameter", SCALAR, "w", "recurrent weight"),
            Variable("v", "parameter", SCALAR, "v", "input weight"),
            *(initial if h0 == "symbol" else ()),
            *lgrad,
        ),
        equations=(
            Equation("s", Add(MatVec(Param("w"), Var("h", -1)), MatVec(Param("v"), Var("x")))),
            Equation("h", Apply("phi", Var("s")), slope="dphi"),
            Equation("yhat", Apply("theta", Var("h")), slope="dtheta"),
        ),
        initial=(("h", "h_0" if h0 == "symbol" else None),),
        functions=(("phi", activation, r"\phi"), ("theta", output_activation, r"\theta")),
        head=Head(output="yhat", target="d", loss=loss),
        reduction=reduction,
        adjoints=(Adjoint("s", "delta", r"\delta_{@}"),),
        views=(View("w_h", ("v", "w"), "w_{h}"),),
        scalar=True,
        family="scalar",
    )
