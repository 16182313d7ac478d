"""Vector formulas compiled into closures over index values, generic over their meaning.

A formula with ``Sum`` and ``Product`` over symbolic bounds is compiled once
(:meth:`Compiler.compile`) into nested closures, then evaluated for many t without
SymPy in the loop. Sums, products, powers, transposes, diag, Hadamard products and
blocks are the matrix algebra's (:class:`symbptt.engine.matrices.MatrixAlgebra`); what a
model's quantities are (its nodes, parameters, primitives at nodes and derivatives) is
the subclass's: :class:`symbptt.engine.evaluate.Evaluator` takes them from forward
passes of the model.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy as sp

from .. import expr as E
from ..errors import EvaluationError
from ..limits import tick
from .matrices import ONE, ZERO, Family, Mat, MatrixAlgebra, Number
from .nodes import (
    COMPONENTS,
    Activation,
    Block,
    Component,
    Diag,
    Hadamard,
    Node,
    ParamAt,
    Prod,
    Reciprocal,
    Transposed,
    VGradient,
    VImmediate,
    VTotal,
)

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


class Compiler(MatrixAlgebra):
    """Compiles formulas for one model and ring; the subclass gives the values of the
    model's quantities (:meth:`node`, :meth:`param`, :meth:`total`, :meth:`immediate`,
    :meth:`_activation`, :meth:`_subs`, the forward pass ``fwd``, the derivatives
    ``known`` from a recursion being solved, and :meth:`_require_solved`)."""

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
                if isinstance(value, Mat) and value.shape[1] == 1 and value.shape[0] > 1:
                    out = value  # a column vector's power is elementwise: (h_t)^2
                    for _ in range(k - 1):
                        out = self.hadamard(out, value)
                    return out if k else self.add(Number(((ring.one,),)), ZERO)
                out: Any = ONE
                for _ in range(k):
                    tick()
                    out = self.mul(out, value)
                return out

            return power
        if isinstance(e, (sp.Sum, sp.Product)):
            return self._big(e)
        if isinstance(e, Node):
            at = self._index_of(e.args[0])
            return lambda env: self.node(e.kind, at(env))
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
            at = [self._index_of(a.args[0]) for a in e.args if is_indexed(a)]
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
                        self._require_solved(n, d)
                        hit = fn(n, d) if gradient else self.laid_out(fn(n, d), n)
                    memo[key] = hit
                return hit

            return derivative
        if e == E.L:
            return lambda env: Mat(((self.fwd.L,),))
        if isinstance(e, E.StepLoss):

            def step_loss(env: dict) -> Mat:
                k = self._index(e.args[0], env)
                if not 1 <= k <= self.spec.T:  # l_0 of a sum from t = 0: not in the model
                    raise EvaluationError(f"l_{k} is outside the model (t = 1..{self.spec.T})")
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
                if col is None and self.layout == "mixed":  # a gradient: a column
                    value = self.transpose(value)
            if col is not None:
                value = Mat(tuple((r[col(env) - 1],) for r in value.rows))
            return value

        return pick

    def _big(self, e: sp.Sum | sp.Product) -> Callable[[dict], Any]:
        """A sum (added in pairs: long sums of growing polynomials stay cheap) or a
        product. Products over a contiguous range are memoised as running products
        from their upper end, so prod_{j=i+1}^{t} for i = 1..t-1 costs O(t) in all, not
        O(t^2); the factor with the largest index is on the left (latest-left) or on
        the right (earliest-left)."""
        if len(e.limits) > 1 and isinstance(e, sp.Sum):
            # SymPy merges nested sums, the first limit innermost: the last is the outer
            # loop, whose index the inner limits may read (sum_t sum_{k=1}^{t})
            inner = sp.Sum(e.function, *e.limits[:-1])
            (var, low, high) = e.limits[-1]
            lo_of, hi_of = self._index_of(low), self._index_of(high)
            if high == COMPONENTS:
                hi_of = self._component_count(inner, var)
            return self._sum(var, lo_of, hi_of, self._big(inner))
        if len(e.limits) > 1:
            e = type(e)(type(e)(e.function, *e.limits[:-1]), e.limits[-1])
        body = self.compile(e.function)
        (var, low, high) = e.limits[0]
        lo_of, hi_of = self._index_of(low), self._index_of(high)
        if high == COMPONENTS:  # \sum_i over a vector's components: its size
            hi_of = self._component_count(e.function, var)
        if isinstance(e, sp.Sum):
            direct = self._sum(var, lo_of, hi_of, body)
            return self._running_sum(e, lo_of, hi_of, body, direct) or direct
        return self._product(e, var, lo_of, hi_of, body)

    def _sum(
        self, var: sp.Symbol, lo_of: Callable, hi_of: Callable, body: Callable
    ) -> Callable[[dict], Any]:
        """A sum term by term, added in pairs."""

        def total(env: dict) -> Any:
            inner = dict(env)
            values = []
            for j in range(lo_of(env), hi_of(env) + 1):
                tick()
                inner[var] = j
                values.append(body(inner))
            while len(values) > 1:  # in pairs
                pairs = [self.add(a, b) for a, b in zip(values[::2], values[1::2])]
                values = pairs + ([values[-1]] if len(values) % 2 else [])
            return values[0] if values else ZERO

        return total

    def _product(
        self, e: sp.Product, var: sp.Symbol, lo_of: Callable, hi_of: Callable, body: Callable
    ) -> Callable[[dict], Any]:
        """A product, memoised as running products from its upper end."""
        # the indices its factors depend on besides its own (none, in a Jacobian chain)
        free = sorted(
            (f for f in e.function.free_symbols - {var, E.T} if f.is_commutative), key=str
        )
        memo: dict[Any, list[Any]] = {}
        latest_left = self.order == "latest-left"

        def product(env: dict) -> Any:
            a, b = lo_of(env), hi_of(env)
            if a > b:
                return ONE
            key = (tuple([env.get(f) for f in free]), b) if free else b
            running = memo.get(key)
            if running is None:
                running = memo[key] = [ONE]
            if len(running) <= b - a + 1:
                inner = dict(env)
                out = running[-1]
                for j in range(b - len(running) + 1, a - 1, -1):
                    tick()
                    inner[var] = j
                    value = body(inner)
                    out = self.mul(out, value) if latest_left else self.mul(value, out)
                    running.append(out)
            return running[b - a + 1]

        return product

    def _running_sum(
        self,
        e: sp.Sum,
        lo_of: Callable,
        hi_of: Callable,
        body: Callable,
        direct: Callable[[dict], Any],
    ) -> Callable[[dict], Any] | None:
        """sum_i A(i) prod_{j=a(i)}^{u(t)} f(j) for t = 1, 2, ... in turn, each from the
        last: the product's upper end moves by one, so every old term takes the new
        factor f(u) (on the left in latest-left order: the product's side, or either
        side when the values are numbers) and only the new terms are computed:
        S(t) = f(u(t)) S(t - 1) + new terms, by distributivity, which is exact in every
        ring. O(T) ring operations for all t where the sum term by term takes O(T^2).

        None unless the sum has exactly this shape: one factor is a product whose lower
        end depends only on i and whose upper end on one outer index t, on which the
        sum's upper end alone depends; the other factors and f depend only on i and j.
        Any other call (t not one more than the last) is computed term by term."""
        (var, low, high) = e.limits[0]
        factors = list(e.function.args) if isinstance(e.function, sp.Mul) else [e.function]
        at = [n for n, f in enumerate(factors) if isinstance(f, sp.Product)]
        if len(at) != 1 or len(factors[at[0]].limits) != 1:
            return None
        prod = factors[at[0]]
        (pvar, plow, phigh) = prod.limits[0]

        def indices(x: Any) -> set:
            return {f for f in sp.sympify(x).free_symbols if f.is_commutative} - {E.T}

        outer = indices(phigh)
        if len(outer) != 1 or indices(e) != outer or indices(low) or indices(high) - outer:
            return None
        others = factors[: at[0]] + factors[at[0] + 1 :]
        if any(indices(f) - {var} for f in others) or indices(prod.function) - {pvar}:
            return None
        if indices(plow) - {var}:
            return None
        # the side of the product on which each old term takes the new factor
        side = "left" if self.order == "latest-left" else "right"
        on_its_side = at[0] == (0 if side == "left" else len(factors) - 1)
        factor, start_of, end_of = (
            self.compile(prod.function),
            self._index_of(plow),
            self._index_of(phigh),
        )
        last: dict[str, Any] = {}

        def numbers(*values: Any) -> bool:
            return all(v is ZERO or (isinstance(v, Mat) and v.shape == (1, 1)) for v in values)

        def running(env: dict) -> Any:
            lo, hi, u = lo_of(env), hi_of(env), end_of(env)
            follows = bool(last) and last["lo"] == lo and last["u"] + 1 == u and hi >= last["hi"]
            if follows and last["hi"] >= lo:  # every old term's product reaches u - 1
                starts = [start_of({**env, var: i}) for i in (lo, last["hi"])]
                follows = max(starts) <= u
            value = None
            if follows:
                new = factor({**env, pvar: u})
                old = last["value"]
                if on_its_side or numbers(new, old):
                    value = self.mul(new, old) if side == "left" else self.mul(old, new)
                    inner = dict(env)
                    for i in range(last["hi"] + 1, hi + 1):
                        tick()
                        inner[var] = i
                        value = self.add(value, body(inner))
            if value is None:
                value = direct(env)
            last.update(lo=lo, hi=hi, u=u, value=value)
            return value

        return running


def _components_of(body: sp.Expr, var: sp.Symbol) -> list[sp.Expr]:
    """The vectors whose component ``var`` counts in ``body``."""
    return [c.args[0] for c in body.atoms(Component) if var in c.args[1].free_symbols]


def is_indexed(e: Any) -> bool:
    """Whether ``e`` is a quantity at a time step (h_t, l_t), whose index has a value."""
    return isinstance(e, Node | E.StepLoss | E.HiddenState)
