"""One step of a model differentiated by forward-mode rules, as expressions.

The state of a model is the tuple of its states stacked into one column (h_t for the
Elman model; (h_t, c_t) for an LSTM). :func:`state_tangents` applies the JVP rule of each
operation of the one-step equations (a matrix product, an elementwise product, a
primitive through its recorded slope) and returns, for each state, its tangent at t as an
expression in *directions*: the tangent ``Var("dir:h", -1)`` of each state at t - 1, and
for a parameter P the matrix ``Param("dir:P")``. For the Elman model the tangent of h_t
along h_{t-1} is ``Had(dphi, MatVec(W_hh, dir:h))``: the Jacobian
J_t = diag(phi'(s_t)) W_hh, which documents print by leaving the direction out.

From these expressions, evaluated in a ring at a forward pass:

* :func:`jacobian` is J_t = dstate_t / dstate_{t-1} (numerator layout), column by column;
* :func:`immediate` is d+state_t / dP[a, b], the previous state held fixed.

They are the factors of the sum of products dstate_t/dP = sum_i (J_t ... J_{i+1})
d+state_i/dP. The verifier compares the Jacobians with forward mode seeded at the
previous state, and their chains with forward mode on the whole unrolled model.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from symbptt.core.linear import UnitMatrix, column
from symbptt.core.model import Model
from symbptt.core.tensor import (
    Add,
    Apply,
    Concat,
    Expr,
    Had,
    MatVec,
    Neg,
    OneMinus,
    Param,
    Sub,
    Transpose,
    Var,
    matrix_name,
    parameters,
    variables,
)
from symbptt.derive.forward import Matrix, Trajectory
from symbptt.errors import SpecError

#: The prefix of direction names (never a model's variable: names are identifiers).
DIRECTION = "dir:"

Seed = tuple[str, int, int]  # (parameter, row, column)


def state_label(model: Model) -> str:
    """How labels name the stacked state: ``h``, or ``(h,c)`` for several states."""
    states = model.states
    return states[0] if len(states) == 1 else "(" + ",".join(states) + ")"


def stacked(traj: Trajectory, model: Model) -> list[list[Any]]:
    """The stacked state of a forward pass at every step t = 0..T."""
    series = [traj.series[s] for s in model.states]
    return [[v for part in parts for v in part] for parts in zip(*series)]


def state_parameters(model: Model) -> tuple[str, ...]:
    """The parameters a state's own equations read (through intermediates of its step),
    in declaration order, then the views made of them: those whose d+state_t/dP is not
    zero. The initial states enter only at t = 1 and are not among them."""
    needed: set[str] = set(model.states)
    used: set[str] = set()
    for eq in reversed(model.equations):
        if eq.target in needed:
            used.update(parameters(eq.expr))
            needed.update(v.name for v in variables(eq.expr) if v.shift == 0)
    direct = tuple(p for p in model.parameters if p in used)
    views = tuple(v.name for v in model.views if set(v.parts) <= used)
    return direct + views


def _sum(left: Expr | None, right: Expr | None) -> Expr | None:
    if left is None:
        return right
    return left if right is None else Add(left, right)


@dataclass
class _Tangents:
    """The tangents of one step being derived: along the previous states' directions
    (``parameter`` None) or along one parameter's, and those found so far."""

    parameter: str | None
    found: dict[str, Expr | None] = field(default_factory=dict)

    def of(self, expr: Expr) -> Expr | None:
        """The tangent of ``expr`` (None: zero), by the JVP rule of its op (:data:`JVP`)."""
        rule = JVP.get(type(expr))
        if rule is None:
            raise SpecError(f"no tangent rule for {expr!r}")
        return rule(expr, self)


@functools.lru_cache(maxsize=64)
def state_tangents(model: Model, parameter: str | None = None) -> tuple[Expr | None, ...]:
    """The tangent of each state at t (None: zero): along the previous states' directions
    when ``parameter`` is None, else along ``Param("dir:" + parameter)`` alone."""
    tangents = _Tangents(parameter)
    for eq in model.equations:
        if isinstance(eq.expr, Apply):
            inner = tangents.of(eq.expr.arg)
            tangents.found[eq.target] = None if inner is None else Had(Var(eq.slope), inner)
        else:
            tangents.found[eq.target] = tangents.of(eq.expr)
    return tuple(tangents.found.get(s) for s in model.states)


def _var_tangent(e: Var, tan: _Tangents) -> Expr | None:
    if e.shift == -1:  # the previous state: its direction, when differentiating by states
        return Var(DIRECTION + e.name, -1) if tan.parameter is None else None
    return tan.found.get(e.name)


def _matvec_tangent(e: MatVec, tan: _Tangents) -> Expr | None:
    """d(W v) = W dv (+ dW v when W is the parameter differentiated by)."""
    m, name = e.matrix, matrix_name(e.matrix)
    inner = tan.of(e.vector)
    out = None if inner is None else MatVec(m, inner)
    if name == tan.parameter:
        direction = Param(DIRECTION + name)
        d = Transpose(direction) if isinstance(m, Transpose) else direction
        out = _sum(out, MatVec(d, e.vector))
    return out


def _sub_tangent(e: Sub, tan: _Tangents) -> Expr | None:
    left, right = tan.of(e.left), tan.of(e.right)
    if right is None:
        return left
    return Neg(right) if left is None else Sub(left, right)


def _had_tangent(e: Had, tan: _Tangents) -> Expr | None:
    """d(a * b) = b * da + a * db."""
    left, right = tan.of(e.left), tan.of(e.right)
    a = None if left is None else Had(e.right, left)
    b = None if right is None else Had(e.left, right)
    return _sum(a, b)


def _concat_tangent(e: Concat, tan: _Tangents) -> Expr | None:
    if tan.of(e.top) is None and tan.of(e.bottom) is None:
        return None
    raise SpecError("a stacked vector in a state's equation has no tangent rule yet")


def _negated(e: Neg | OneMinus, tan: _Tangents) -> Expr | None:
    inner = tan.of(e.arg)
    return None if inner is None else Neg(inner)


#: The forward-mode (JVP) rule of each op of the model IR: (expression, the tangents of
#: the step) -> its tangent (None: zero). Apply's rule is its equation's slope series
#: (:func:`state_tangents`).
JVP: dict[type, Callable[[Any, _Tangents], Expr | None]] = {
    Var: _var_tangent,
    Param: lambda e, tan: Param(DIRECTION + e.name) if e.name == tan.parameter else None,
    MatVec: _matvec_tangent,
    Add: lambda e, tan: _sum(tan.of(e.left), tan.of(e.right)),
    Sub: _sub_tangent,
    Neg: _negated,
    OneMinus: _negated,
    Had: _had_tangent,
    Concat: _concat_tangent,
}


def _evaluate(
    model: Model,
    ring: Any,
    params: dict[str, Matrix],
    traj: Trajectory,
    t: int,
    exprs: tuple[Expr | None, ...],
    directions: dict[str, Any],
    direction_params: dict[str, Matrix],
) -> list[Any]:
    """The stacked state tangent: each state's expression evaluated at step t."""
    series = {**traj.series, **directions}
    values = {**params, **direction_params}
    out: list[Any] = []
    for state, expr in zip(model.states, exprs):
        rows = model.shape(state)[0]
        if expr is None:
            out += [ring.zero] * rows
        else:
            out += column(expr, t, series, values, ring.zero, ring.one)
    return out


def jacobian(
    model: Model,
    ring: Any,
    params: dict[str, Matrix],
    traj: Trajectory,
    t: int,
    tangents: tuple[Expr | None, ...] | None = None,
) -> Matrix:
    """J_t = dstate_t / dstate_{t-1} (numerator layout: rows follow state_t), from the
    derived tangents or from ``tangents`` (a claim about them)."""
    exprs = tangents if tangents is not None else state_tangents(model)
    size = model.state_size
    columns = []
    for c in range(size):
        directions, offset = {}, 0
        for state in model.states:
            rows = model.shape(state)[0]
            unit = [ring.one if offset + r == c else ring.zero for r in range(rows)]
            directions[DIRECTION + state] = {t - 1: unit}
            offset += rows
        columns.append(_evaluate(model, ring, params, traj, t, exprs, directions, {}))
    return [[columns[c][r] for c in range(size)] for r in range(size)]


def immediate(
    model: Model, ring: Any, params: dict[str, Matrix], traj: Trajectory, t: int, seed: Seed
) -> list[Any]:
    """d+state_t / dP[a, b] for the parameter entry ``seed``, state_{t-1} held fixed."""
    name, a, b = seed
    unit = UnitMatrix(*model.shape(name), a, b, ring.one)
    exprs = state_tangents(model, name)
    return _evaluate(model, ring, params, traj, t, exprs, {}, {DIRECTION + name: unit})
