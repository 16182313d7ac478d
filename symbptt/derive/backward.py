"""The backward engine: the dynamic-programming recursion of question 002 / answer 001.

    delta_t = dL/ds_t = (dL/dyhat_t theta'(h_t) + delta_{t+1} w) phi'(s_t),  t = T..1,
    delta_{T+1} = 0,   dL/dw = sum_t delta_t h_{t-1},   dL/dv = sum_t delta_t x_t.

The recursion and the gradient sums are expressions (so the document prints them and a
test can inject a wrong one); :func:`run_backward` evaluates them in a ring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .. import expr as E
from ..errors import EvaluationError


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


@dataclass(frozen=True)
class BackwardResult:
    """delta_1..delta_{T+1} (index 0 unused) and the gradients, in a ring."""

    deltas: tuple[Any, ...]
    gradient: dict[str, Any]


def run_backward(
    trace: Any,
    reference: Any,
    recursion: BackwardRecursion = DEFAULT_RECURSION,
    definitions: Any = None,
) -> BackwardResult:
    """Solve the recursion backwards from delta_{T+1} = 0.

    Raises:
        EvaluationError: if the recursion refers to an adjoint not yet computed.
    """
    from ..semantics import DEFAULT_DEFINITIONS, Evaluator

    T, ring = trace.spec.T, trace.ring
    deltas: list[Any] = [None] * (T + 2)
    deltas[T + 1] = ring.zero
    current = [T + 1]

    def adjoint(n: int) -> Any:
        if n == T + 1:
            return ring.zero
        if not current[0] < n <= T + 1:
            raise EvaluationError(
                f"the recursion for dL/ds_{current[0]} uses dL/ds_{n}, "
                f"which is not known yet (solve from t = T down)"
            )
        return deltas[n]

    ev = Evaluator(trace, reference, definitions or DEFAULT_DEFINITIONS, adjoint=adjoint)
    step = ev.compile(recursion.step)
    for n in range(T, 0, -1):
        current[0] = n
        deltas[n] = step({E.t: n})
    current[0] = 0
    gradient = {}
    for p, summand in recursion.gradient.items():
        compiled = ev.compile(summand)
        gradient[str(p)] = ring.sum(compiled({E.t: n}) for n in range(1, T + 1))
    return BackwardResult(tuple(deltas), gradient)
