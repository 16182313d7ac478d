"""A second reference for any declared model: SymPy matrices of explicit entries.

The unrolled model is built as SymPy expressions from the model's equations: every
parameter entry, input and target is a symbol, a matrix product is a ``sympy.Matrix``
product, and each primitive role applies an undefined function (``phi``, ``theta``)
entry by entry; the cross-entropy head is ``LSE(o_1, ..., o_k) - sum_q d_q o_q`` with an
undefined ``LSE``. SymPy's ``diff`` then gives the derivatives of L and of each state
with respect to every entry: the Jacobians of the unrolled model, by the chain rule as
SymPy knows it.

The result is brought into a ring by reading each ``phi(arg)`` as the model's value at
that node and each ``phi'(arg)`` as its slope there (the node is recognised by its
argument), and each partial derivative of ``LSE`` by its q-th argument as softmax(o_t)[q].
It knows nothing of forward mode or of the formulas under test, so agreement with
:func:`symbptt.derive.chains.reference_gradients` is an independent check. The nested
forms grow fast: it is used for n <= 2, T <= 3.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from symbptt.core.losses import target_entries
from symbptt.core.model import Model
from symbptt.core.spec import Spec
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
)
from symbptt.derive.forward import Trajectory
from symbptt.errors import EvaluationError
from symbptt.rings.algebra import Ring

_LSE = sp.Function("LSE")
#: A generic per-step loss l(o_1, ..., o_k, d_1, ..., d_k) (its slopes: the series lgrad).
_LOSS = sp.Function("l")
#: The head's functions whose derivatives by the output are series of the forward pass.
_HEAD_SLOPES = {_LSE: "yhat", _LOSS: "lgrad"}


class SympyModel:
    """The unrolled model as SymPy matrices of explicit entries."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        model: Model = spec.model
        self.model = model
        self.symbols: dict[sp.Symbol, tuple] = {}
        self.P = {name: self._matrix(name, *model.shape(name)) for name in model.parameters}
        self.functions = {role: sp.Function(role) for role, _, _ in model.functions}
        #: (function, argument) -> (slope series or target, t, r)
        self.nodes: dict[tuple[Any, sp.Basic], tuple[str, str, int, int]] = {}
        #: the arguments of the head's function (softmax's LSE, a generic loss) -> t
        self.head_nodes: dict[tuple[sp.Basic, ...], int] = {}
        series: dict[str, list[sp.Matrix]] = {
            s: [sp.zeros(*model.shape(s)) if p is None else self.P[p]] for s, p in model.initial
        }
        loss = sp.Integer(0)
        for t in range(1, spec.T + 1):
            for name in model.of_kind("input"):
                series.setdefault(name, [None]).append(self._vector(name, t, model.shape(name)[0]))
            for name in model.of_kind("target"):
                entries = self._vector(name, t, model.shape(name)[0])
                read = target_entries(model.head.loss, sp.Integer(1), list(entries))
                series.setdefault(name, [None]).append(sp.Matrix(read))
            for eq in model.equations:
                value = self._value(eq.expr, series, t, eq)
                series.setdefault(eq.target, [None]).append(value)
            out, target = series[model.head.output][t], series[model.head.target][t]
            if model.head.loss in ("squared", "sum-squared"):
                squares = sum(((out[q] - target[q]) ** 2 for q in range(out.rows)), sp.Integer(0))
                loss += squares / 2 if model.head.loss == "squared" else squares
            elif model.head.loss == "generic":
                args = (*out, *target)
                self.head_nodes[args] = t
                loss += _LOSS(*args)
            else:
                args = tuple(out)
                self.head_nodes[args] = t
                loss += _LSE(*args) - sum((target[q] * out[q] for q in range(out.rows)), 0)
        self.series = series
        self.L = loss / spec.T if spec.reduction == "mean" else loss

    def _value(self, expr: Expr, series: dict, t: int, eq: Any) -> sp.Matrix:
        if isinstance(expr, Var):
            return series[expr.name][t + expr.shift]
        if isinstance(expr, Param):
            return self.P[expr.name]
        if isinstance(expr, MatVec):
            m = expr.matrix
            matrix = self.P[m.arg.name].T if isinstance(m, Transpose) else self.P[m.name]
            return matrix * self._value(expr.vector, series, t, eq)
        if isinstance(expr, (Add, Sub, Had)):
            a, b = self._value(expr.left, series, t, eq), self._value(expr.right, series, t, eq)
            if isinstance(expr, Had):
                return a.multiply_elementwise(b)
            return a + b if isinstance(expr, Add) else a - b
        if isinstance(expr, Neg):
            return -self._value(expr.arg, series, t, eq)
        if isinstance(expr, OneMinus):
            inner = self._value(expr.arg, series, t, eq)
            return sp.ones(inner.rows, 1) - inner
        if isinstance(expr, Concat):
            top, bottom = (self._value(e, series, t, eq) for e in (expr.top, expr.bottom))
            return sp.Matrix.vstack(top, bottom)
        if isinstance(expr, Apply):
            fn = self.functions[expr.role]
            arg = self._value(expr.arg, series, t, eq)
            for r in range(arg.rows):
                self.nodes[(fn, arg[r])] = (eq.target, eq.slope, t, r)
            return arg.applyfunc(fn)
        raise EvaluationError(f"the SymPy reference cannot build {expr!r}")

    def _matrix(self, name: str, rows: int, cols: int) -> sp.Matrix:
        out = sp.zeros(rows, cols)
        for r in range(rows):
            for c in range(cols):
                sym = sp.Symbol(f"{name}_{r}{c}")
                self.symbols[sym] = ("param", name, r, c)
                out[r, c] = sym
        return out

    def _vector(self, name: str, t: int, size: int) -> sp.Matrix:
        out = sp.zeros(size, 1)
        for r in range(size):
            sym = sp.Symbol(f"{name}_{t}_{r}")
            self.symbols[sym] = (name, t, r)
            out[r, 0] = sym
        return out

    def symbol(self, name: str, r: int, c: int) -> sp.Symbol:
        """The symbol of an entry of a parameter or of w_h."""
        base, r, c = self.spec.source(name, r, c)
        return self.P[base][r, c]

    def gradients(self) -> dict[str, list[list[sp.Expr]]]:
        """dL/dP for every parameter and w_h, entry by entry (denominator layout)."""
        out = {}
        for name in self.spec.gradients:
            rows, cols = self.spec.shape(name)
            out[name] = [
                [sp.diff(self.L, self.symbol(name, r, c)) for c in range(cols)] for r in range(rows)
            ]
        return out

    def state_derivative(self, t: int, name: str, a: int, b: int) -> list[sp.Expr]:
        """dh_t/dP[a, b] as a list of entries."""
        sym = self.symbol(name, a, b)
        state = [v for s in self.model.states for v in self.series[s][t]]
        return [sp.diff(v, sym) for v in state]


class Converter:
    """Brings SymPy expressions over the unrolled model into a ring, at the values of a
    forward pass in that ring: numbers, sums, products and non-negative integer powers
    here, memoised by subexpression; the leaves (symbols, primitives and their slopes at
    recognised nodes) by :meth:`leaf`."""

    def __init__(
        self, model: SympyModel, ring: Ring, params: dict[str, list[list[Any]]], fwd: Trajectory
    ) -> None:
        self.ring, self.memo = ring, {}
        self.model, self.params, self.fwd = model, params, fwd

    def __call__(self, expr: sp.Basic) -> Any:
        hit = self.memo.get(expr)
        if hit is None:
            hit = self.memo[expr] = self._convert(expr)
        return hit

    def _convert(self, e: sp.Basic) -> Any:
        ring = self.ring
        if e.is_Rational:
            return ring.const(Fraction(int(e.p), int(e.q)))
        if e.is_Add or e.is_Mul:
            out = ring.zero if e.is_Add else ring.one
            for a in e.args:
                out = out + self(a) if e.is_Add else ring.normal(out * self(a))
            return out
        if e.is_Pow and e.exp.is_Integer and e.exp >= 0:
            base, out = self(e.base), ring.one
            for _ in range(int(e.exp)):
                out = ring.normal(out * base)
            return out
        return self.leaf(e)

    def leaf(self, e: sp.Basic) -> Any:
        """The value of anything but a number, sum, product or power."""
        if e.is_Symbol:
            kind, *where = self.model.symbols[e]
            if kind == "param":
                name, r, c = where
                return self.params[name][r][c]
            t, r = where
            return self.fwd[kind][t][r]
        if isinstance(e, sp.Subs):
            inner = e.expr
            if isinstance(inner, sp.Derivative) and inner.expr.func in _HEAD_SLOPES:
                return self._head_slope(inner, dict(zip(e.variables, e.point)))
            (point,) = e.point
            return self._at(inner.expr.func, point, 1)
        if isinstance(e, sp.Derivative):
            if e.expr.func in _HEAD_SLOPES:
                return self._head_slope(e, {})
            return self._at(e.expr.func, e.expr.args[0], 1)
        if len(e.args) == 1 and (e.func, e.args[0]) in self.model.nodes:
            return self._at(e.func, e.args[0], 0)
        raise EvaluationError(f"the SymPy reference cannot convert {e}")

    def _head_slope(self, derivative: sp.Derivative, point: dict) -> Any:
        """d LSE / d arg_q at o_t: softmax(o_t)[q]; d l / d arg_q at (o_t, d_t):
        l'(o_t, d_t)[q]."""
        ((variable, count),) = derivative.variable_count
        if count != 1:
            raise EvaluationError(f"unexpected derivative {derivative}")
        args = derivative.expr.args
        q = args.index(variable)
        t = self.model.head_nodes.get(tuple(point.get(a, a) for a in args))
        series = _HEAD_SLOPES[derivative.expr.func]
        if t is None or q >= len(self.fwd[series][t]):
            raise EvaluationError(f"unrecognised node of the loss {derivative}")
        return self.fwd[series][t][q]

    def _at(self, func: Any, arg: sp.Basic, order: int) -> Any:
        """A primitive (order 0) or its slope (order 1) at a recognised node."""
        node = self.model.nodes.get((func, arg))
        if node is None:
            raise EvaluationError(f"unrecognised node argument {arg}")
        target, slope, t, r = node
        return self.fwd[target if order == 0 else slope][t][r]
