"""A second reference for the vector model: SymPy matrices of explicit entries.

The unrolled model is built as SymPy expressions: every parameter entry, input and
target is a symbol, s_t = W_xh x_t + W_hh h_{t-1} + b_h is a ``sympy.Matrix``, and
h_t = phi(s_t) applies an undefined function ``phi`` entry by entry (likewise theta).
SymPy's ``diff`` then gives the derivatives of L and of h_t with respect to every entry:
the Jacobians of the unrolled model, by the chain rule as SymPy knows it.

The result is brought into a ring by reading each ``phi(arg)`` as the model's value at
that node and each ``phi'(arg)`` as its derivative there (the node is recognised by its
argument, the nested s_t[r]), exactly as the scalar reference does. It knows nothing of
forward mode or of the formulas under test, so agreement with
:func:`symbptt.vector.engine.reference_gradients` is an independent check. The nested
forms grow fast: it is used for n <= 2, T <= 3.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..algebra import Ring
from ..core.forward import Trajectory
from ..derive.reference import SympyToRing
from ..errors import EvaluationError
from .model import GRADIENTS, PARAMETERS, ElmanSpec

#: Largest sizes for the SymPy reference.
SYMPY_MAX_HIDDEN = 2
SYMPY_MAX_T = 3

_PHI, _THETA = sp.Function("phi"), sp.Function("theta")


class SympyModel:
    """The unrolled vector model as SymPy matrices of explicit entries."""

    def __init__(self, spec: ElmanSpec) -> None:
        self.spec = spec
        self.symbols: dict[sp.Symbol, tuple] = {}
        self.P = {name: self._matrix(name, *spec.shape(name)) for name in PARAMETERS}
        h = self.P["h_0"]
        self.h: list[sp.Matrix] = [h]
        self.s_node: dict[sp.Basic, tuple[int, int]] = {}
        self.z_node: dict[sp.Basic, tuple[int, int]] = {}
        loss = sp.Integer(0)
        for t in range(1, spec.T + 1):
            x = self._vector("x", t, spec.inputs)
            d = self._vector("d", t, spec.outputs)
            s = self.P["W_xh"] * x + self.P["W_hh"] * h + self.P["b_h"]
            self.s_node.update({s[r]: (t, r) for r in range(spec.hidden)})
            h = s.applyfunc(_PHI)
            z = self.P["W_hy"] * h + self.P["b_y"]
            self.z_node.update({z[q]: (t, q) for q in range(spec.outputs)})
            o = z.applyfunc(_THETA)
            loss += sum(((o[q] - d[q]) ** 2 for q in range(spec.outputs)), sp.Integer(0)) / 2
            self.h.append(h)
        self.L = loss / spec.T if spec.reduction == "mean" else loss

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
        for name in GRADIENTS:
            rows, cols = self.spec.shape(name)
            out[name] = [
                [sp.diff(self.L, self.symbol(name, r, c)) for c in range(cols)] for r in range(rows)
            ]
        return out

    def state_derivative(self, t: int, name: str, a: int, b: int) -> list[sp.Expr]:
        """dh_t/dP[a, b] as a list of entries."""
        sym = self.symbol(name, a, b)
        return [sp.diff(self.h[t][r], sym) for r in range(self.spec.hidden)]


class Converter(SympyToRing):
    """Brings SymPy expressions over the unrolled model into a ring, at the values of a
    forward pass in that ring."""

    def __init__(
        self, model: SympyModel, ring: Ring, params: dict[str, list[list[Any]]], fwd: Trajectory
    ) -> None:
        super().__init__(ring)
        self.model, self.params, self.fwd = model, params, fwd

    def leaf(self, e: sp.Basic) -> Any:
        if e.is_Symbol:
            kind, *where = self.model.symbols[e]
            if kind == "param":
                name, r, c = where
                return self.params[name][r][c]
            t, r = where
            return self.fwd[kind][t][r]
        if isinstance(e, sp.Subs):
            (point,) = e.point
            return self._at(e.expr.expr.func, point, 1)
        if isinstance(e, sp.Derivative):
            return self._at(e.expr.func, e.expr.args[0], 1)
        if e.func in (_PHI, _THETA):
            return self._at(e.func, e.args[0], 0)
        raise EvaluationError(f"the SymPy reference cannot convert {e}")

    def _at(self, func: Any, arg: sp.Basic, order: int) -> Any:
        """phi or theta (order 0) or their derivatives (order 1) at a recognised node."""
        table = self.model.s_node if func == _PHI else self.model.z_node
        if arg not in table:
            raise EvaluationError(f"unrecognised node argument {arg}")
        t, r = table[arg]
        fwd = self.fwd
        values = {
            (_PHI, 0): fwd["h"],
            (_PHI, 1): fwd["dphi"],
            (_THETA, 0): fwd["o"],
            (_THETA, 1): fwd["dtheta"],
        }[(func, order)]
        return values[t][r]


def within_limits(spec: ElmanSpec) -> bool:
    """Whether the SymPy reference is used for this model."""
    return spec.hidden <= SYMPY_MAX_HIDDEN and spec.T <= SYMPY_MAX_T
