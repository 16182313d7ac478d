"""The backward recursion of question 002 / answer 001 as a claim about the scalar model.

    delta_t = dL/ds_t = (dL/dyhat_t theta'(h_t) + delta_{t+1} w) phi'(s_t),  t = T..1,
    delta_{T+1} = 0,   dL/dw = sum_t delta_t h_{t-1},   dL/dv = sum_t delta_t x_t.

The recursion and the gradient sums are expressions, so the document prints them and a
test can inject a wrong one; the verifier solves them backwards as a
:class:`symbptt.claims.RecursionClaim` (:func:`symbptt.claims.seed_claims`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .. import expr as E


#: delta_t, written as the adjoint dL/ds_t.
def delta(index) -> E.TotalDerivative:
    """dL/ds_index."""
    return E.TotalDerivative(E.L, E.s(index))


@dataclass(frozen=True)
class BackwardRecursion:
    """The recursion for delta_t (in terms of delta_{t+1}) and the gradient summands.

    Attributes:
        step: delta_t as an expression in t that may mention delta_{t+1}.
        gradient: ``{param: summand in t}``; dL/dparam = sum_{t=1}^{T} summand.
    """

    step: sp.Expr = sp.Mul(
        sp.Add(
            sp.Mul(E.TotalDerivative(E.L, E.yhat(E.t)), E.ThetaPrime(E.h(E.t)), evaluate=False),
            sp.Mul(delta(E.t + 1), E.w, evaluate=False),
            evaluate=False,
        ),
        E.PhiPrime(E.s(E.t)),
        evaluate=False,
    )
    gradient: dict[sp.Symbol, sp.Expr] = field(
        default_factory=lambda: {
            E.w: sp.Mul(delta(E.t), E.h(E.t - 1), evaluate=False),
            E.v: sp.Mul(delta(E.t), E.x(E.t), evaluate=False),
        }
    )


DEFAULT_RECURSION = BackwardRecursion()
