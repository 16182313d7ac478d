"""Column vectors and matrices as lists over any ring: an expression's value at a step
(:func:`column`, the forward rule of every structural op) and the few matrix operations
the engines share (:func:`dot`, :func:`matmul`, :func:`identity`, :func:`transposed`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from symbptt.core.tensor import (
    Add,
    Concat,
    Expr,
    Had,
    LossScale,
    MatVec,
    Neg,
    OneMinus,
    Param,
    Sub,
    Transpose,
    Var,
    matrix_name,
    text,
)


def column(
    expr: Expr,
    t: int,
    series: Mapping[str, Sequence[Any]],
    params: Mapping[str, Sequence[Sequence[Any]]],
    zero: Any,
    one: Any,
    scale: Any = None,
) -> list[Any]:
    """The value of ``expr`` at step t as a list of ring elements: ``series[name][t]`` is
    a time-indexed vector, ``params[name]`` a matrix (rows), ``scale`` the loss scale c,
    ``zero`` and ``one`` the ring's (plain values multiply and add onto dual numbers, never
    the other way round: mpmath's intervals raise instead of deferring).
    Primitives are applied by the forward pass, which records their slopes; here
    they are refused."""

    at = _At(t, series, params, zero, one, zero - one, scale)

    def vec(e: Expr) -> list[Any]:
        rule = FORWARD.get(type(e))
        if rule is None or (type(e) is LossScale and scale is None):
            raise TypeError(f"cannot evaluate {text(e)} here")
        return rule(e, vec, at)

    return vec(expr)


@dataclass(frozen=True)
class _At:
    """Where an expression is evaluated: step t, the series and parameters, the ring's
    constants and the loss scale."""

    t: int
    series: Mapping[str, Sequence[Any]]
    params: Mapping[str, Any]
    zero: Any
    one: Any
    minus_one: Any
    scale: Any


def _param_value(e: Param, vec: Callable[[Expr], list[Any]], at: _At) -> list[Any]:
    value = at.params[e.name]
    if isinstance(value, UnitMatrix):
        return value.column(at.zero)
    return [row[0] for row in value]


def _matvec_value(e: MatVec, vec: Callable[[Expr], list[Any]], at: _At) -> list[Any]:
    v, m = vec(e.vector), e.matrix
    value = at.params[matrix_name(m)]
    if isinstance(value, UnitMatrix):
        return value.times(v, at.zero, transpose=isinstance(m, Transpose))
    rows = transposed(value) if isinstance(m, Transpose) else value
    return [dot(row, v, at.zero) for row in rows]


#: The forward (value) rule of each op of the model IR at one step, over lists of ring
#: elements: (expression, the value of a child, where) -> the column. Primitives are
#: applied by the forward pass, which records their slopes: Apply has no rule here.
FORWARD: dict[type, Callable[[Any, Callable[[Expr], list[Any]], _At], list[Any]]] = {
    Var: lambda e, vec, at: at.series[e.name][at.t + e.shift],
    Param: _param_value,
    MatVec: _matvec_value,
    Had: lambda e, vec, at: [a * b for a, b in zip(vec(e.left), vec(e.right))],
    Add: lambda e, vec, at: [a + b for a, b in zip(vec(e.left), vec(e.right))],
    Sub: lambda e, vec, at: [a - b for a, b in zip(vec(e.left), vec(e.right))],
    LossScale: lambda e, vec, at: [at.scale * a for a in vec(e.arg)],
    Concat: lambda e, vec, at: [*vec(e.top), *vec(e.bottom)],
    Neg: lambda e, vec, at: [a * at.minus_one for a in vec(e.arg)],
    OneMinus: lambda e, vec, at: [a * at.minus_one + at.one for a in vec(e.arg)],
}


@dataclass(frozen=True)
class UnitMatrix:
    """The matrix E_ab (1 at row a, column b, else 0) of a shape: the direction of one
    parameter entry, multiplied without the zeros."""

    rows: int
    cols: int
    a: int
    b: int
    one: Any

    def times(self, v: Sequence[Any], zero: Any, *, transpose: bool = False) -> list[Any]:
        """E_ab v (or E_ab^T v): v[b] at row a (v[a] at row b)."""
        a, b, size = (self.b, self.a, self.cols) if transpose else (self.a, self.b, self.rows)
        return [v[b] if r == a else zero for r in range(size)]

    def column(self, zero: Any) -> list[Any]:
        """The matrix as a column vector (a bias direction, cols = 1)."""
        return [self.one if r == self.a else zero for r in range(self.rows)]


def dot(row: Sequence[Any], vector: Sequence[Any], zero: Any) -> Any:
    """sum_i row[i] vector[i]; starts from the first product, not from ``zero``, because
    some rings' plain values cannot add a dual number (mpmath intervals raise)."""
    products = [a * b for a, b in zip(row, vector)]
    if not products:
        return zero
    out = products[0]
    for p in products[1:]:
        out = out + p
    return out


def matmul(a: Sequence[Sequence[Any]], b: Sequence[Sequence[Any]], zero: Any) -> list[list[Any]]:
    """The matrix product a b of two matrices given as rows (the shapes must fit)."""
    columns = list(zip(*b))
    return [[dot(row, col, zero) for col in columns] for row in a]


def identity(n: int, ring: Any) -> list[list[Any]]:
    """The n x n identity matrix of a ring."""
    return [[ring.one if r == c else ring.zero for c in range(n)] for r in range(n)]


def transposed(m: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """The transpose of a matrix given as rows."""
    return [list(col) for col in zip(*m)]
