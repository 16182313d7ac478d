"""The unrolled recurrence as nested SymPy closed forms.

h_t is written out as an explicit expression in w, v, h_0, x_1..x_t (e.g.
h_2 = phi(w phi(w h_0 + v x_1) + v x_2)); the reference engine differentiates these
with SymPy, and the document prints them. Their depth grows with T, so they are only
built up to :data:`NESTED_MAX_T` (beyond it SymPy's recursion and expansion give out).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .core.primitives import sympy_form
from .core.spec import Spec
from .errors import SpecError
from .expr import Input, Target, v, w
from .expr import h as h_node

#: Deepest nesting the SymPy reference builds (SymPy's diff takes ~2 s at T = 50 and
#: exceeds Python's recursion limit near T = 150).
NESTED_MAX_T = 24


@dataclass(frozen=True)
class Unrolled:
    """Nested closed forms for steps 0..T (lists indexed by step; s[0] is None)."""

    spec: Spec
    s: tuple[sp.Expr | None, ...]
    h: tuple[sp.Expr, ...]
    yhat: tuple[sp.Expr | None, ...]
    loss: sp.Expr
    phi: object
    theta: object
    ell: object


def unroll(spec: Spec) -> Unrolled:
    """Unroll the recurrence of ``spec`` into nested expressions.

    Raises:
        SpecError: if ``spec.T`` exceeds :data:`NESTED_MAX_T`.

    Example:
        >>> from symbptt import RNNSpec
        >>> u = unroll(RNNSpec(T=2, activation="tanh"))
        >>> u.h[1]
        tanh(v*x_{1} + w*h_{0})
    """
    if spec.T > NESTED_MAX_T:
        raise SpecError(
            f"nested closed forms are built up to T={NESTED_MAX_T}, "
            f"got T={spec.T}; larger T uses forward-mode differentiation"
        )
    phi = sympy_form(spec.activation, "phi")
    theta = sympy_form(spec.output_activation, "theta")
    ell = sp.Function("l")
    h = [sp.S.Zero if spec.h0 == "zero" else h_node(0)]
    s: list[sp.Expr | None] = [None]
    yhat: list[sp.Expr | None] = [None]
    losses = []
    for k in range(1, spec.T + 1):
        s.append(w * h[k - 1] + v * Input(k))
        h.append(phi(s[k]))
        yhat.append(theta(h[k]))
        if spec.loss == "squared":
            losses.append((yhat[k] - Target(k)) ** 2 / 2)
        else:
            losses.append(ell(yhat[k], Target(k)))
    scale = sp.Rational(1, spec.T) if spec.reduction == "mean" else sp.S.One
    return Unrolled(spec, tuple(s), tuple(h), tuple(yhat), scale * sp.Add(*losses), phi, theta, ell)
