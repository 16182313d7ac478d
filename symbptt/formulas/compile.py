"""Vector formulas compiled into closures over index values, generic over their meaning.

A formula with ``Sum`` and ``Product`` over symbolic bounds is compiled once
(:meth:`Compiler.compile`) into nested closures, then evaluated for many t without
SymPy in the loop. Sums, products, powers, transposes, diag, Hadamard products and
blocks are the matrix algebra's (:class:`symbptt.formulas.matrices.MatrixAlgebra`); what a
model's quantities are (its nodes, parameters, primitives at nodes and derivatives) is
the subclass's: :class:`symbptt.formulas.evaluate.Evaluator` takes them from forward
passes of the model. How sums and products are evaluated is
:mod:`symbptt.formulas.sums`'s (a part of the compiler).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy as sp

from symbptt.core import derivatives as E
from symbptt.core.formula import (
    Activation,
    Block,
    Component,
    Diag,
    Hadamard,
    LogProbability,
    Node,
    ParamAt,
    Prod,
    Reciprocal,
    StateAt,
    Transposed,
    VGradient,
    VImmediate,
    VTotal,
)
from symbptt.errors import EvaluationError, OutsideModelError
from symbptt.formulas.matrices import ONE, ZERO, Family, Mat, MatrixAlgebra, Number
from symbptt.formulas.recursion import require_solved
from symbptt.formulas.sums import SumsAndProducts
from symbptt.limits import tick

#: The layout conventions of derivatives a formula may be written in: "mixed" (the
#: engine's and most ML texts': the Jacobian dv/du has rows following v, the gradient
#: dL/dP has P's shape), "numerator" (dL/dh is a row vector, dL/dW has the shape of W^T)
#: and "denominator" (dv/du is the transpose of the Jacobian).
LAYOUTS = {
    "mixed": "the mixed layout (Jacobians with rows following the numerator, gradients in "
    "the shape of the denominator)",
    "numerator": "the numerator layout (rows follow the numerator: the derivative of a "
    "scalar by a column vector is a row)",
    "denominator": "the denominator layout (rows follow the denominator: a Jacobian dv/du "
    "is transposed)",
}


class Compiler(SumsAndProducts, MatrixAlgebra):
    """Compiles formulas for one model and ring; the subclass gives the values of the
    model's quantities (:meth:`node`, :meth:`param`, :meth:`total`, :meth:`immediate`,
    :meth:`_activation`, :meth:`_subs`, the forward pass ``fwd``, the derivatives
    ``known`` from a recursion being solved, and
    :func:`symbptt.formulas.recursion.require_solved`)."""

    spec: Any
    ring: Any
    order: str
    fwd: Any
    known: dict
    #: how a derivative written in the formula is laid out (:data:`LAYOUTS`)
    layout: str = "mixed"

    def laid_out(self, value: Any, num: Any) -> Any:
        """A derivative (in the mixed layout the engine computes) in :attr:`layout`:
        in the numerator layout the derivative of a scalar is the transpose of the
        gradient (a row for a column vector); in the denominator layout the derivative
        of a vector is the transpose of the Jacobian."""
        scalar = num == E.L or isinstance(num, E.StepLoss)
        if self.layout == "numerator" and scalar or self.layout == "denominator" and not scalar:
            return self.transpose(value)
        return value

    @property
    def rows(self) -> bool:  # noqa: D102 - see Model.rows
        """Whether the formula's vectors are rows (:attr:`symbptt.core.model.Model.rows`)."""
        return bool(self.spec.model.rows)

    def as_row(self, value: Any) -> Any:
        """A column vector as the row that notes writing rows mean by it."""
        return self.transpose(value) if isinstance(value, Mat) and value.shape[1] == 1 else value

    def in_rows(self, value: Any, num: Any, den: Any) -> Any:
        """A derivative (laid out) as notes writing rows mean it: by a vector, that of a
        scalar is a row (the vector's shape) and that of a vector is the Jacobian as
        before (a row gradient times it is the chain rule); by a matrix, that of a scalar
        keeps the matrix's shape and that of a vector is one row per entry."""
        if not self.rows:
            return value
        if isinstance(value, Family):
            return Family(value.param, {k: self.as_row(m) for k, m in value.members.items()})
        scalar = num == E.L or isinstance(num, E.StepLoss)
        named = den.args[0] if isinstance(den, ParamAt) else den
        by_vector = isinstance(den, Node | StateAt) or str(named) in self.spec.model.row_vectors
        return self.as_row(value) if scalar and by_vector else value

    def compile(self, e: sp.Basic) -> Callable[[dict], Any]:
        """A closure computing ``e`` in an environment of index values."""
        ring = self.ring
        if isinstance(e, sp.Add | sp.Mul):  # a sum, or a product in the written order
            first, *rest = [self.compile(a) for a in e.args]
            op = self.add if isinstance(e, sp.Add) else self.mul

            def fold(env: dict) -> Any:
                out = first(env)
                for p in rest:
                    out = op(out, p(env))
                return out

            return fold
        if e == 0:  # zero takes the shape of what it meets
            return lambda env: ZERO
        if isinstance(e, sp.KroneckerDelta):  # 1(i=j): 1 where two component indices agree
            i, j = (self._index_of(a) for a in e.args)
            return lambda env: Number(((ring.one if i(env) == j(env) else ring.zero,),))
        if isinstance(e, sp.Rational):  # a number written in the formula
            value = Fraction(int(e.p), int(e.q))
            return lambda env: Number(((ring.const(value),),))
        if e == E.T:
            return lambda env: Mat(((ring.const(self.spec.T),),))
        if isinstance(e, sp.Pow):
            base = self.compile(e.base)
            if e.base == E.T and e.exp == -1:
                return lambda env: Mat(((ring.const(Fraction(1, self.spec.T)),),))
            if not e.exp.free_symbols and int(e.exp) < 0:
                raise EvaluationError("only 1/T and numbers may divide")
            exponent = self._index_of(e.exp)  # a number, or an index expression (T - i)

            def power(env: dict) -> Any:
                k = exponent(env)
                if k < 0:
                    raise EvaluationError(f"the power {e.exp} is negative ({k}) here")
                value = base(env)
                if isinstance(value, Mat) and 1 in value.shape and max(value.shape) > 1:
                    out = value  # a vector's power is elementwise: (h_t)^2
                    for _ in range(k - 1):
                        out = self.hadamard(out, value)
                    return out if k else self.add(Number(((ring.one,),)), ZERO)
                # by repeated squaring: 2 log2(k) products, not k, so that a power whose
                # canonical form would be too large meets the size limits of a product
                # (limits.check_product) after a few small ones, not after minutes
                out: Any = ONE
                square = value
                while k:
                    tick()
                    if k & 1:
                        out = self.mul(out, square)
                    k >>= 1
                    if k:
                        square = self.mul(square, square)
                return out

            return power
        if isinstance(e, (sp.Sum, sp.Product)):
            return self._big(e)
        if isinstance(e, Node):
            at = self._index_of(e.args[0])
            node = self.node  # type: ignore[attr-defined]
            if self.rows:
                return lambda env: self.as_row(node(e.kind, at(env)))
            return lambda env: node(e.kind, at(env))
        if isinstance(e, sp.Symbol) and not e.is_commutative and str(e) in self.spec.gradients:
            value = self.param(str(e))
            if str(e) in self.spec.model.row_vectors:
                value = self.as_row(value)
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
        if isinstance(e, Prod):
            a, b = self.compile(e.args[0]), self.compile(e.args[1])
            return lambda env: self.prod(a(env), b(env))
        if isinstance(e, Block):
            rows, cols = int(e.args[0]), int(e.args[1])
            cells = [self.compile(c) for c in e.args[2:]]
            return lambda env: self.block(rows, cols, [c(env) for c in cells])
        if isinstance(e, Activation):
            at = self._index_of(e.args[0].args[0])
            return lambda env: self._activation(e, at(env))
        if isinstance(e, VTotal | VImmediate) and any(isinstance(a, Component) for a in e.args):
            return self._component_derivative(e)
        if isinstance(e, Reciprocal):  # 1 / yhat_{t,k}
            step, entry = (
                self._index_of(e.args[0].args[0].args[0]),
                self._index_of(e.args[0].args[1]),
            )
            return lambda env: Mat(((self.reciprocal_probability(step(env), entry(env)),),))
        if isinstance(e, LogProbability):  # log yhat_t, log yhat_{t,k}
            of = e.args[0]
            entry = self._index_of(of.args[1]) if isinstance(of, Component) else None
            node = of.args[0] if isinstance(of, Component) else of
            step = self._index_of(node.args[0])
            return lambda env: self.log_probability(step(env), entry(env) if entry else None)
        if isinstance(e, Component):
            vector, at = self.compile(e.args[0]), self._index_of(e.args[1])
            return lambda env: self.component(vector(env), at(env))
        if isinstance(e, ParamAt):
            raise EvaluationError(
                f"{e.args[0]}^({e.args[1]}), the copy of {e.args[0]} at one step, is read in "
                f"derivatives of that step's state only"
            )
        if isinstance(e, VTotal | VImmediate):
            num, den = (self._subs_of(a) for a in e.args)
            at = [
                self._index_of(a.args[1] if isinstance(a, ParamAt) else _step_of(a))
                for a in e.args
                if is_indexed(a) or isinstance(a, ParamAt | StateAt)
            ]
            fn = self.total if isinstance(e, VTotal) else self.immediate
            gradient = isinstance(e, VGradient)  # nabla: the gradient in every layout
            memo: dict[tuple, Any] = {}  # by the indices of its numerator and denominator

            def derivative(env: dict) -> Any:
                key = tuple([index(env) for index in at])
                hit = memo.get(key)
                if hit is None:
                    n, d = num(env), den(env)
                    hit = self.known.get((n, d))
                    if hit is None:
                        require_solved(self.solving, n, d)
                        hit = fn(n, d) if gradient else self.laid_out(fn(n, d), n)
                        hit = self.in_rows(hit, n, d)
                    memo[key] = hit
                return hit

            return derivative
        if e == E.L:
            return lambda env: Mat(((self.fwd.L,),))
        if isinstance(e, E.StepLoss):

            def step_loss(env: dict) -> Mat:
                k = self._index(e.args[0], env)
                if not 1 <= k <= self.spec.T:  # l_0 of a sum from t = 0: not in the model
                    raise OutsideModelError(f"l_{k} is outside the model (t = 1..{self.spec.T})")
                return Mat(((self.fwd.losses[k],),))

            return step_loss
        raise EvaluationError(f"{e} has no value in the vector model")

    def _index(self, index: sp.Expr, env: dict) -> int:
        value = sp.sympify(index).xreplace(
            {k: sp.Integer(v) for k, v in {**env, E.T: self.spec.T}.items()}
        )
        if not value.is_Integer:
            raise EvaluationError(f"the index {index} has no value here")
        return int(value)

    def _subs_of(self, e: Any) -> Callable[[dict], Any]:
        """A closure giving a derivative's numerator or denominator with its index
        evaluated (see :meth:`_subs`)."""
        if isinstance(e, ParamAt):  # W^{(t)}: the copy at the step's value
            step = self._index_of(e.args[1])
            return lambda env: ParamAt(e.args[0], sp.Integer(step(env)))
        if isinstance(e, StateAt):  # s_k as step k + 1 reads it (no initial parameter)
            node, step = e.args[0], self._index_of(e.args[0].args[0])
            return lambda env: StateAt(type(node)(sp.Integer(step(env))))
        if not is_indexed(e):
            return lambda env: e
        at = self._index_of(e.args[0])
        return lambda env: self._subs(e, {}, at(env))

    def _index_of(self, index: sp.Expr) -> Callable[[dict], int]:
        """A closure giving an index expression's value in an environment: integer
        linear expressions (t - 1, j, T + 1 - i) are compiled, others substituted."""
        expr = sp.sympify(index)
        terms = expr.as_coefficients_dict()
        if not all(c.is_Integer for c in terms.values()) or not all(
            k == 1 or isinstance(k, sp.Symbol) for k in terms
        ):
            return lambda env: self._index(expr, env)
        const = int(terms.get(sp.S.One, 0)) + int(terms.get(E.T, 0)) * self.spec.T
        linear = [(k, int(c)) for k, c in terms.items() if k != 1 and k != E.T]
        if not linear:
            return lambda env: const
        if len(linear) == 1 and linear[0][1] == 1:  # t, j, t - 1: the usual case
            ((symbol, _),) = linear

            def shifted(env: dict) -> int:
                try:
                    return const + int(env[symbol])
                except KeyError:
                    raise EvaluationError(f"the index {index} has no value here") from None

            return shifted

        def value(env: dict) -> int:
            out = const
            for symbol, c in linear:
                if symbol not in env:
                    raise EvaluationError(f"the index {index} has no value here")
                out += c * int(env[symbol])
            return out

        return value

    def _component_count(self, body: sp.Expr, var: sp.Symbol) -> Callable[[dict], int]:
        """The number of components ``var`` runs over in ``body``: the size of the
        vectors it counts (which must agree)."""
        vectors = [self.compile(v) for v in _components_of(body, var)]
        if not vectors:
            raise EvaluationError(f"the sum over {var} counts no vector's components")

        def count(env: dict) -> int:
            inner = {**env, var: 1}
            sizes = {max(v(inner).shape) for v in vectors}
            if len(sizes) != 1:
                raise EvaluationError(f"{var} counts the components of vectors of sizes {sizes}")
            return sizes.pop()

        return count

    def component(self, value: Any, i: int) -> Mat:
        """Entry i (from 1) of a vector (a column or a row) as a number."""
        if not (isinstance(value, Mat) and 1 in value.shape):
            raise EvaluationError("only a vector has components")
        entries = [x for row in value.rows for x in row]
        if not 1 <= i <= len(entries):
            raise EvaluationError(f"component {i} is outside the vector's {len(entries)} entries")
        return Mat(((entries[i - 1],),))

    def _component_derivative(self, e: Any) -> Callable[[dict], Any]:
        """A derivative of or by a component: the derivative of (or by) the vector, and
        of it the component's row (or column); of a number by a component, that entry."""
        num, den = e.args
        inner = type(e)(*(a.args[0] if isinstance(a, Component) else a for a in e.args))
        whole = self.compile(inner)
        row = self._index_of(num.args[1]) if isinstance(num, Component) else None
        col = self._index_of(den.args[1]) if isinstance(den, Component) else None
        scalar = num == E.L or isinstance(num, E.StepLoss)

        def pick(env: dict) -> Any:
            value = whole(env)
            if isinstance(value, Family):
                return Family(
                    value.param,
                    {k: self.component(m, row(env)) for k, m in value.members.items()},
                )
            if scalar:  # dL/do_i: that entry of the gradient, in any layout
                return self.component(value, col(env))
            if not isinstance(value, Mat):
                raise EvaluationError("a component's derivative needs a vector")
            if row is not None:
                value = Mat((value.rows[row(env) - 1],))
                if col is None and self.layout == "mixed" and not self.rows:  # a column
                    value = self.transpose(value)
            if col is not None:
                value = Mat(tuple((r[col(env) - 1],) for r in value.rows))
            return value

        return pick


def _components_of(body: sp.Expr, var: sp.Symbol) -> list[sp.Expr]:
    """The vectors whose component ``var`` counts in ``body``."""
    return [c.args[0] for c in body.atoms(Component) if var in c.args[1].free_symbols]


def _step_of(e: Any) -> Any:
    """The step of an indexed quantity, or of the state a :class:`StateAt` names."""
    return e.args[0].args[0] if isinstance(e, StateAt) else e.args[0]


def is_indexed(e: Any) -> bool:
    """Whether ``e`` is a quantity at a time step (h_t, l_t), whose index has a value."""
    return isinstance(e, Node | E.StepLoss | E.HiddenState)
