"""Backward recursions claimed for every t (a recursion claim of the verifier), solved
from the true zero after T in an evaluator: the solved values are what the gradient sums
of the claim read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from symbptt.core import derivatives as E
from symbptt.core.formula import Node, VTotal, free_index
from symbptt.errors import EvaluationError

if TYPE_CHECKING:
    from symbptt.formulas.evaluate import Evaluator


def solve(ev: Evaluator, adjoint: sp.Expr, step: sp.Expr) -> None:
    """Solve a backward recursion in ``ev``: ``adjoint`` (a derivative at t, such as
    dL/ds_t) is ``step`` (in terms of the adjoint at t + 1) for t = T..1, from the true
    zero after T; the values become known to every formula the evaluator compiles
    afterwards (a gradient's sum over the adjoints).

    Raises:
        EvaluationError: the step uses the adjoint at t or before, not solved yet.
    """
    index = free_index([adjoint, step])
    if not isinstance(adjoint, VTotal) or index is None:
        raise EvaluationError(f"{adjoint} is not a derivative at t")
    num, den = adjoint.args
    # the adjoint solved for must be dL/d(a node at exactly t): a value written into the
    # evaluator's known derivatives for anything else (dL/dw) would stand in for the
    # true one that the claim's gradients are compared with
    if num != E.L or not isinstance(den, Node) or den.args[0] != index:
        raise EvaluationError(
            f"a recursion solves for dL/dv_t, the loss's derivative by a node at t; "
            f"{adjoint} is not one"
        )
    compiled = ev.compile(step)
    at = ev._subs_of(den)
    for t in range(ev.spec.T, 0, -1):
        ev.solving = (num, den.func.kind, t)
        try:
            ev.known[(num, at({index: t}))] = compiled({index: t})
        finally:
            ev.solving = None


def require_solved(solving: tuple | None, num: Any, den: Any) -> None:
    """Refuse a value of the adjoint being solved that is not known yet."""
    if solving is None:
        return
    top, kind, t = solving
    if num == top and isinstance(den, Node) and den.kind == kind and int(den.args[0]) <= t:
        raise EvaluationError(
            f"the recursion for its value at t = {t} uses the value at "
            f"t = {den.args[0]}, which is not known yet (it is solved from t = T down)"
        )
