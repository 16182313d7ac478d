"""The reference engine: the true derivatives of the unrolled model.

Two independent ways, neither of which knows the formulas under test:

* ``"sympy"``: SymPy's ``diff`` of the nested closed forms of :mod:`symbptt.unroll`,
  brought into a ring by replacing each activation node and each activation-derivative
  node by its atom, innermost first (the node is recognised by its argument, which is
  the nested s_k or h_k).
* ``"forward"``: forward-mode differentiation (dual numbers) of the recurrence,
  :class:`symbptt.values.Trace`; used where nested forms are too deep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..core.primitives import derivative_classes
from ..errors import EvaluationError
from ..expr import HiddenState, Input, Target, v, w
from ..model import RNNSpec
from ..unroll import NESTED_MAX_T, Unrolled, unroll
from ..values import Trace

METHODS = {
    "sympy": "SymPy diff of the nested closed forms",
    "forward": "forward-mode differentiation (dual numbers) of the recurrence",
}


@dataclass(frozen=True)
class Reference:
    """Reference derivatives in a ring.

    Attributes:
        method: a key of :data:`METHODS`.
        dh: ``{"w": [dh_0/dw, ..., dh_T/dw], "v": [...]}``.
        dL: ``{"w": dL/dw, "v": dL/dv}``.
    """

    method: str
    dh: dict[str, tuple[Any, ...]]
    dL: dict[str, Any]


def default_method(spec: RNNSpec) -> str:
    """``"sympy"`` up to :data:`NESTED_MAX_T`, ``"forward"`` beyond."""
    return "sympy" if spec.T <= NESTED_MAX_T else "forward"


def reference(trace: Trace, *, method: str | None = None) -> Reference:
    """The reference derivatives of h_1..h_T and L with respect to w and v.

    Args:
        trace: the model's values in the ring (with tangents for ``"forward"``).
        method: ``"sympy"``, ``"forward"`` or None for :func:`default_method`.
    """
    method = method or default_method(trace.spec)
    if method == "forward":
        return Reference(method, {p: tuple(trace.dh[p]) for p in trace.dh}, dict(trace.dL))
    if method != "sympy":
        raise ValueError(f"unknown reference method {method!r}")
    unrolled = unroll(trace.spec)
    convert = _Converter(unrolled, trace)
    dh: dict[str, tuple[Any, ...]] = {}
    dL: dict[str, Any] = {}
    for name, p in (("w", w), ("v", v)):
        dh[name] = tuple(convert(sp.diff(hk, p)) for hk in unrolled.h)
        dL[name] = convert(sp.diff(unrolled.loss, p))
    return Reference(method, dh, dL)


#: The SymPy form of each primitive whose derivative is a node of its own, with the class
#: of that node (softplus -> softplus_prime).
DERIVATIVES = derivative_classes()


class SympyToRing:
    """Brings a SymPy expression into a ring: numbers, sums, products and non-negative
    integer powers here, memoised by subexpression; the leaves (symbols, activations and
    their derivatives at recognised nodes) by the subclass's :meth:`leaf`."""

    def __init__(self, ring: Any) -> None:
        self.ring = ring
        self.memo: dict[sp.Basic, Any] = {}

    def __call__(self, expr: sp.Basic) -> Any:
        hit = self.memo.get(expr)
        if hit is None:
            hit = self.memo[expr] = self._convert(expr)
        return hit

    def _convert(self, e: sp.Basic) -> Any:
        ring = self.ring
        if e.is_Rational:
            return ring.const(_fraction(e))
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
        raise NotImplementedError


class _Converter(SympyToRing):
    """Maps a SymPy expression over the nested forms into the trace's ring."""

    def __init__(self, unrolled: Unrolled, trace: Trace) -> None:
        super().__init__(trace.ring)
        self.trace = trace
        self.s_node = {e: k for k, e in enumerate(unrolled.s) if e is not None}
        self.h_node = {e: k for k, e in enumerate(unrolled.h) if k > 0}
        self.yhat_node = {e: k for k, e in enumerate(unrolled.yhat) if e is not None}
        self.phi_fn, self.theta_fn, self.ell = unrolled.phi, unrolled.theta, unrolled.ell

    def _node(self, role: str, arg: sp.Basic) -> int:
        table = self.s_node if role == "phi" else self.h_node
        try:
            return table[arg]
        except KeyError:
            raise EvaluationError(f"unrecognised {role} node argument {arg}") from None

    def _apply(self, role: str, order: int, arg: sp.Basic) -> Any:
        k = self._node(role, arg)
        tr = self.trace
        if role == "phi":
            return tr.h[k] if order == 0 else tr.dphi[k]
        return tr.yhat[k] if order == 0 else tr.dtheta[k]

    def _role_for(self, func, arg: sp.Basic, order: int) -> str:
        """Which activation (phi or theta) an application of ``func`` at ``arg`` is:
        the one denoted by ``func`` whose node table holds ``arg``."""
        for role, fn, table in (
            ("phi", self.phi_fn, self.s_node),
            ("theta", self.theta_fn, self.h_node),
        ):
            denotes = func == fn or (order == 1 and func is DERIVATIVES.get(fn))
            if denotes and arg in table:
                return role
        raise EvaluationError(f"unrecognised activation node {func}({arg})")

    def leaf(self, e: sp.Basic) -> Any:
        tr = self.trace
        leaves = {w: tr.w, v: tr.v}
        if e in leaves:
            return leaves[e]
        for cls, values in ((HiddenState, tr.h), (Input, tr.x), (Target, tr.d)):
            if isinstance(e, cls):
                return values[int(e.index)]
        if isinstance(e, sp.Subs):
            return self._derivative_at(e.expr, dict(zip(e.variables, e.point)))
        if isinstance(e, sp.Derivative):
            return self._derivative_at(e, {})
        if isinstance(e, sp.Function) and len(e.args) == 1:
            order = 1 if e.func in DERIVATIVES.values() else 0
            return self._apply(self._role_for(e.func, e.args[0], order), order, e.args[0])
        raise EvaluationError(f"the reference cannot convert {e}")

    def _derivative_at(self, deriv: sp.Derivative, point: dict) -> Any:
        f = deriv.expr
        ((var, order),) = deriv.variable_count
        if order != 1:
            raise EvaluationError(f"unexpected higher derivative {deriv}")
        pos = list(f.args).index(var)
        arg = point.get(var, var)
        if f.func == self.ell and pos == 0:
            return self.trace.lgrad[self.yhat_node[arg]]
        return self._apply(self._role_for(f.func, arg, 0), 1, arg)


def _fraction(e: sp.Rational):
    from fractions import Fraction

    return Fraction(int(e.p), int(e.q))


__all__ = ["Reference", "reference", "default_method", "METHODS", "NESTED_MAX_T"]
