"""Values of vector formulas in a ring, by the layout convention of :mod:`symbptt.vector`.

dL/dP has the shape of P (denominator layout); dv/du for vectors is the Jacobian with
rows following v (numerator layout); dv/dP for a vector v and a matrix parameter P is a
:class:`Family`, one vector per entry of P (the entrywise layout of the document).
Every derivative comes from forward mode on the unrolled model
(:func:`symbptt.core.forward.forward`, seeded at parameters or at nodes), never from
the formula under test.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy as sp

from .. import expr as E
from ..algebra import Ring
from ..core.forward import Trajectory, forward, parameter_values
from ..derive.jvp import state_parameters
from ..errors import EvaluationError
from ..limits import tick
from .engine import immediate, jacobian
from .formula import (
    Activation,
    Block,
    Diag,
    Hadamard,
    Node,
    Transposed,
    VImmediate,
    VTotal,
    param,
)
from .matrices import ONE, ZERO, Family, Mat, MatrixAlgebra
from .model import ElmanSpec
from .vocabulary import vocabulary


class Evaluator(MatrixAlgebra):
    """Compiles vector formulas and evaluates them in one ring.

    Args:
        spec: the vector model.
        ring: where values live.
        order: how a \\prod of matrices is read: ``"latest-left"`` (the factor with the
            largest index on the left, as Jacobian chains are written) or
            ``"earliest-left"``.
    """

    def __init__(self, spec: ElmanSpec, ring: Ring, order: str = "latest-left") -> None:
        self.spec, self.ring, self.order = spec, ring, order
        self.vocab = vocabulary(spec.model)
        #: initial-state parameters -> their states (h_0 -> h)
        self.initial = {init: state for state, init in spec.model.initial}
        self.params = parameter_values(spec.model, ring)
        self.fwd = forward(spec.model, spec.T, ring, self.params)
        self.runs: dict[tuple, Trajectory] = {}

    # -- truth, by forward mode --------------------------------------------------------------
    def run(self, seed: tuple) -> Trajectory:
        if seed not in self.runs:
            self.runs[seed] = forward(
                self.spec.model, self.spec.T, self.ring, self.params, seed=seed
            )
        return self.runs[seed]

    def size(self, kind: str) -> int:
        """The length of a time-indexed vector (an adjoint has its variable's)."""
        return self.spec.model.shape(self.vocab.adjoints.get(kind, kind))[0]

    def column(self, values: list[Any]) -> Mat:
        return Mat(tuple((v,) for v in values))

    def node(self, kind: str, t: int) -> Mat:
        T, zero = self.spec.T, self.ring.zero
        if kind in self.vocab.adjoints:  # dL/dz_t, dL/ds_t; nothing after T depends on L
            if t == T + 1:
                return self.column([zero] * self.size(kind))
            self._in_model(t, 1, T, kind)
            at = self.vocab.adjoints[kind]
            return self.column([self.run(("node", at, t, r)).L.tan for r in range(self.size(kind))])
        self._in_model(t, 0 if kind in self.vocab.states else 1, T, kind)
        return self.column(list(self.fwd[kind][t]))

    def _in_model(self, t: int, low: int, high: int, kind: str) -> None:
        if not low <= t <= high:
            raise EvaluationError(f"{kind}_{t} is outside the model (t = {low}..{high})")

    def param(self, name: str) -> Mat:
        if name == "w_h":
            rows, cols = self.spec.shape(name)
            return Mat(
                tuple(
                    tuple(
                        self.params[p][r][c]
                        for p, r, c in (self.spec.source(name, i, j) for j in range(cols))
                    )
                    for i in range(rows)
                )
            )
        return Mat(tuple(tuple(row) for row in self.params[name]))

    def tangent(self, run: Trajectory, num: Any) -> list[Any]:
        """The derivative carried by ``run`` of a numerator (L, l_t or a node vector)."""
        if num == E.L:
            return [run.L.tan]
        if isinstance(num, E.StepLoss):
            t = int(num.args[0])
            self._in_model(t, 1, self.spec.T, "l")
            return [run.losses[t].tan]
        if str(num) in self.initial:  # h_0 as a numerator: it depends only on itself
            return [v.tan for v in run[self.initial[str(num)]][0]]
        if isinstance(num, Node) and num.kind in self.vocab.computed:
            t = int(num.args[0])
            self._in_model(t, 1, self.spec.T, num.kind)
            return [v.tan for v in run[num.kind][t]]
        names = ", ".join(f"{k}_t" for k in self.vocab.computed)
        raise EvaluationError(f"cannot differentiate {num}: use L, l_t, {names}")

    def total(self, num: Any, den: Any) -> Any:
        scalar = num == E.L or isinstance(num, E.StepLoss)
        if isinstance(den, sp.Symbol) and str(den) in self.spec.gradients:
            name = str(den)
            rows, cols = self.spec.shape(name)
            per = {
                (a, b): self.tangent(self.run(self.spec.source(name, a, b)), num)
                for a in range(rows)
                for b in range(cols)
            }
            if scalar:  # denominator layout: the shape of the parameter
                return Mat(tuple(tuple(per[(a, b)][0] for b in range(cols)) for a in range(rows)))
            return self._by_entry(name, per)
        if isinstance(den, Node) and den.kind in self.vocab.computed:
            k = int(den.args[0])
            width = self.size(den.kind)
            if k > self.spec.T:  # nothing depends on a node past T
                cols = [[self.ring.zero] * len(self._shape_of(num)) for _ in range(width)]
            else:
                self._in_model(k, 1, self.spec.T, den.kind)
                cols = [self.tangent(self.run(("node", den.kind, k, r)), num) for r in range(width)]
            # numerator layout: rows follow the numerator (a column for scalar L)
            if scalar:
                return self.column([c[0] for c in cols])
            return Mat.from_columns(cols)
        names = ", ".join(f"{k}_k" for k in self.vocab.computed)
        raise EvaluationError(
            f"cannot differentiate with respect to {den}: use a parameter or {names}"
        )

    def _by_entry(self, name: str, per: dict[tuple[int, int], list[Any]]) -> Mat | Family:
        """A vector's derivatives by each entry of a parameter: for a vector parameter
        (b_h, h_0) the Jacobian, rows following the numerator; for a matrix, a Family."""
        if self.spec.shape(name)[1] == 1:
            return Mat.from_columns([per[(a, 0)] for a in range(self.spec.shape(name)[0])])
        return Family(name, {key: self.column(v) for key, v in per.items()})

    def _shape_of(self, num: Any) -> list[None]:
        if num == E.L or isinstance(num, E.StepLoss):
            return [None]
        if str(num) in self.initial:
            return [None] * self.spec.model.shape(str(num))[0]
        return [None] * self.size(num.kind)

    def immediate(self, num: Any, den: Any) -> Any:
        (state,) = self.vocab.states[:1] or ("h",)
        if not (
            isinstance(num, E.HiddenState | Node)
            and len(self.vocab.states) == 1
            and getattr(num, "kind", state) == state
        ):
            raise EvaluationError(f"immediate partials are of {state}_t (or f(...)) here")
        t = int(num.args[0])
        self._in_model(t, 1, self.spec.T, state)
        if isinstance(den, sp.Symbol) and str(den) in state_parameters(self.spec.model):
            name = str(den)
            rows, cols = self.spec.shape(name)
            per = {
                (a, b): immediate(self.spec, self.ring, self.params, self.fwd, t, name, a, b)
                for a in range(rows)
                for b in range(cols)
            }
            return self._by_entry(name, per)
        if (isinstance(den, Node) and den.kind == state and int(den.args[0]) == t - 1) or (
            t == 1 and self.initial.get(str(den)) == state
        ):
            return Mat(
                tuple(
                    tuple(row) for row in jacobian(self.spec, self.ring, self.params, self.fwd, t)
                )
            )
        raise EvaluationError(
            f"the immediate partial of {state}_t is defined with respect to "
            f"{', '.join(state_parameters(self.spec.model))} and {state}_{{t-1}}"
        )

    # -- compiling ---------------------------------------------------------------------------
    def compile(self, e: sp.Basic) -> Callable[[dict], Any]:
        """A closure computing ``e`` in an environment of index values."""
        ring = self.ring
        if isinstance(e, sp.Add | sp.Mul):  # a sum, or a product in the written order
            parts = [self.compile(a) for a in e.args]
            op, start = (self.add, ZERO) if isinstance(e, sp.Add) else (self.mul, ONE)

            def fold(env: dict) -> Any:
                out: Any = start
                for p in parts:
                    out = op(out, p(env))
                return out

            return fold
        if e == 0:  # zero takes the shape of what it meets
            return lambda env: ZERO
        if isinstance(e, sp.Rational):
            value = Fraction(int(e.p), int(e.q))
            return lambda env: Mat(((ring.const(value),),))
        if e == E.T:
            return lambda env: Mat(((ring.const(self.spec.T),),))
        if isinstance(e, sp.Pow):
            base, exponent = self.compile(e.base), int(e.exp)
            if e.base == E.T and exponent == -1:
                return lambda env: Mat(((ring.const(Fraction(1, self.spec.T)),),))
            if exponent < 0:
                raise EvaluationError("only 1/T and numbers may divide")

            def power(env: dict) -> Any:
                out: Any = ONE
                value = base(env)
                for _ in range(exponent):
                    out = self.mul(out, value)
                return out

            return power
        if isinstance(e, (sp.Sum, sp.Product)):
            return self._big(e)
        if isinstance(e, Node):
            return lambda env: self.node(e.kind, self._index(e.args[0], env))
        if isinstance(e, sp.Symbol) and not e.is_commutative and str(e) in self.spec.gradients:
            value = self.param(str(e))
            return lambda env: value
        if isinstance(e, Transposed):
            inner = self.compile(e.args[0])
            return lambda env: self.transpose(inner(env))
        if isinstance(e, Diag):
            inner = self.compile(e.args[0])
            return lambda env: self.diag(inner(env))
        if isinstance(e, Hadamard):  # a \\odot b \\odot c ..., left to right
            operands = [self.compile(a) for a in e.args]

            def elementwise(env: dict) -> Any:
                out = operands[0](env)
                for operand in operands[1:]:
                    out = self.hadamard(out, operand(env))
                return out

            return elementwise
        if isinstance(e, Block):
            rows, cols = int(e.args[0]), int(e.args[1])
            cells = [self.compile(c) for c in e.args[2:]]
            return lambda env: self.block(rows, cols, [c(env) for c in cells])
        if isinstance(e, Activation):
            node = e.args[0]
            return lambda env: self._activation(e, self._index(node.args[0], env))
        if isinstance(e, VTotal | VImmediate):
            num, den = e.args
            fn = self.total if isinstance(e, VTotal) else self.immediate

            def derivative(env: dict) -> Any:
                return fn(self._subs(num, env), self._subs(den, env))

            return derivative
        if e == E.L:
            return lambda env: Mat(((self.fwd.L,),))
        if isinstance(e, E.StepLoss):
            return lambda env: Mat(((self.fwd.losses[self._index(e.args[0], env)],),))
        raise EvaluationError(f"{e} has no value in the vector model")

    def _activation(self, e: Activation, t: int) -> Mat:
        kind = e.args[0].kind
        self._in_model(t, 1, self.spec.T, kind)
        value, slope = self.vocab.applied[(e.role, kind)]
        return self.column(list(self.fwd[slope if e.order else value][t]))

    def _index(self, index: sp.Expr, env: dict) -> int:
        value = sp.sympify(index).xreplace(
            {k: sp.Integer(v) for k, v in {**env, E.T: self.spec.T}.items()}
        )
        if not value.is_Integer:
            raise EvaluationError(f"the index {index} has no value here")
        return int(value)

    def _subs(self, e: Any, env: dict) -> Any:
        """A derivative's numerator or denominator with its index evaluated."""
        if isinstance(e, Node | E.StepLoss | E.HiddenState):
            t = self._index(e.args[0], env)
            if isinstance(e, Node) and e.kind in self.vocab.states and t == 0:
                return param(dict(self.spec.model.initial)[e.kind])
            return type(e)(sp.Integer(t))
        return e

    def _big(self, e: sp.Sum | sp.Product) -> Callable[[dict], Any]:
        body = self.compile(e.function)
        (var, low, high) = e.limits[0]
        is_sum = isinstance(e, sp.Sum)

        def big(env: dict) -> Any:
            lo, hi = self._index(low, env), self._index(high, env)
            steps = list(range(lo, hi + 1))
            if not is_sum and self.order == "latest-left":
                steps.reverse()
            out: Any = ZERO if is_sum else ONE
            for j in steps:
                tick()
                value = body({**env, var: sp.Integer(j)})
                out = self.add(out, value) if is_sum else self.mul(out, value)
            return out

        return big
