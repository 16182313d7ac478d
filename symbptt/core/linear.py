"""Column vectors and matrices as lists over any ring: an expression's value at a step
(:func:`column`, the forward rule of every structural op) and the few matrix operations
the engines share (:func:`dot`, :func:`matmul`, :func:`identity`, :func:`transposed`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

    minus_one = zero - one

    def vec(e: Expr) -> list[Any]:
        if isinstance(e, Var):
            return series[e.name][t + e.shift]
        if isinstance(e, Param):
            value = params[e.name]
            if isinstance(value, UnitMatrix):
                return value.column(zero)
            return [row[0] for row in value]
        if isinstance(e, MatVec):
            v = vec(e.vector)
            m = e.matrix
            value = params[matrix_name(m)]
            if isinstance(value, UnitMatrix):
                return value.times(v, zero, transpose=isinstance(m, Transpose))
            rows = transposed(value) if isinstance(m, Transpose) else value
            return [dot(row, v, zero) for row in rows]
        if isinstance(e, Had):
            return [a * b for a, b in zip(vec(e.left), vec(e.right))]
        if isinstance(e, Add):
            return [a + b for a, b in zip(vec(e.left), vec(e.right))]
        if isinstance(e, Sub):
            return [a - b for a, b in zip(vec(e.left), vec(e.right))]
        if isinstance(e, LossScale) and scale is not None:
            return [scale * a for a in vec(e.arg)]
        if isinstance(e, Concat):
            return [*vec(e.top), *vec(e.bottom)]
        if isinstance(e, Neg):
            return [a * minus_one for a in vec(e.arg)]
        if isinstance(e, OneMinus):
            return [a * minus_one + one for a in vec(e.arg)]
        raise TypeError(f"cannot evaluate {text(e)} here")

    return vec(expr)


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
