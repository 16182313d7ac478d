"""The meaning of expressions: every node of :mod:`symbptt.expr` given its value in a ring.

:class:`Evaluator` compiles a SymPy expression once into nested closures (so a formula
with ``Sum``/``Product`` over symbolic bounds is evaluated for many t without SymPy in
the loop) and evaluates it for concrete index values. The definitions of the immediate
partials and of the one-step Jacobian are data (:class:`Definitions`), written in model
quantities, so a test can replace them with a wrong one and watch the verifier object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from .algebra import PolynomialRing
from .derive.reference import Reference
from .errors import EvaluationError
from .expr import (
    PARAMETERS,
    Application,
    HiddenState,
    ImmediatePartial,
    IndexedQuantity,
    Input,
    L,
    PhiPrime,
    PreActivation,
    Prediction,
    StepLoss,
    Target,
    TotalDerivative,
    h,
    k,
    s,
    v,
    w,
    x,
)
from .expr import T as T_SYMBOL
from .limits import check_product, tick
from .values import Trace, activation_value, function_name

Env = dict[sp.Symbol, int]
Compiled = Callable[[Env], Any]


@dataclass(frozen=True)
class Definitions:
    """What the immediate partials and the Jacobian are, in model quantities at step k.

    Attributes:
        immediate: ``{param: expr in k}``: d+h_k/dparam (h_{k-1} held fixed).
        jacobian: dh_k/dh_{k-1} as an expression in k.
    """

    immediate: dict[sp.Symbol, sp.Expr] = field(
        default_factory=lambda: {
            w: PhiPrime(s(k)) * h(k - 1),
            v: PhiPrime(s(k)) * x(k),
        }
    )
    jacobian: sp.Expr = PhiPrime(s(k)) * w

    def immediate_at(self, param: sp.Symbol, index) -> sp.Expr:
        """d+h_index/dparam in model quantities."""
        return self.immediate[param].subs(k, index)

    def jacobian_at(self, index) -> sp.Expr:
        """dh_index/dh_{index-1} in model quantities."""
        return self.jacobian.subs(k, index)


DEFAULT_DEFINITIONS = Definitions()

_PARAM_NAMES = {w: "w", v: "v"}


class Evaluator:
    """Evaluates expressions of :mod:`symbptt.expr` in the ring of a trace.

    Args:
        trace: model quantities in a ring.
        reference: the true total derivatives in the same ring.
        definitions: the immediate partials and the Jacobian.
        adjoint: optional override giving dL/ds_k (the backward engine binds it to its
            own recursion).
    """

    def __init__(
        self,
        trace: Trace,
        reference: Reference,
        definitions: Definitions = DEFAULT_DEFINITIONS,
        adjoint: Callable[[int], Any] | None = None,
    ) -> None:
        self.trace = trace
        self.ring = trace.ring
        self.T = trace.spec.T
        self.reference = reference
        self.definitions = definitions
        self.adjoint = adjoint
        self._cache: dict[sp.Basic, Compiled] = {}
        #: whether values are canonical forms that can grow (their products are bounded,
        #: see symbptt.limits); in the other rings only loops check the deadline
        self._grows = isinstance(self.ring, PolynomialRing)
        # Immediate partials and Jacobians are pure functions of their index: tabulate.
        steps = range(1, self.T + 1)
        self._immediate_table = {
            p: [None] + [self.compile(e)({k: n}) for n in steps]
            for p, e in definitions.immediate.items()
        }
        self._jacobian_table = [None] + [self.compile(definitions.jacobian)({k: n}) for n in steps]

    # -- public -------------------------------------------------------------------
    def value(self, expr: sp.Expr, **indices: int) -> Any:
        """The value of ``expr`` with the index symbols bound, e.g. ``value(e, t=3)``."""
        env = {sp.Symbol(name, integer=True): n for name, n in indices.items()}
        return self.compile(expr)(env)

    def immediate(self, param: str, index: int) -> Any:
        """d+h_index/dparam."""
        return self._immediate_table[{"w": w, "v": v}[param]][index]

    def jacobian(self, index: int) -> Any:
        """dh_index/dh_{index-1}."""
        return self._jacobian_table[index]

    def compile(self, expr: sp.Expr) -> Compiled:
        """Compile an expression into a closure over index bindings (memoised)."""
        expr = sp.sympify(expr).subs(T_SYMBOL, self.T)
        hit = self._cache.get(expr)
        if hit is None:
            hit = self._cache[expr] = self._compile(expr)
        return hit

    # -- compilation ---------------------------------------------------------------
    def _compile(self, e: sp.Basic) -> Compiled:
        ring, tr = self.ring, self.trace
        if e.is_Rational:
            c = ring.const(Fraction(int(e.p), int(e.q)))
            return lambda env: c
        if e in _PARAM_NAMES:
            value = tr.w if e == w else tr.v
            return lambda env: value
        if e.is_Symbol:
            raise EvaluationError(
                f"the symbol {e} has no value in the model "
                f"(an index can only appear as a subscript)"
            )
        if e.is_Add:
            parts = [self.compile(a) for a in e.args]

            def add(env: Env) -> Any:
                out = ring.zero
                for part in parts:
                    out = out + part(env)
                return out

            return add
        if e.is_Mul:
            parts = [self.compile(a) for a in e.args]

            # Products are not brought to normal form here (it costs more than the
            # product): only explicit powers create the squares the rules rewrite,
            # and Ring.equal normalises every difference it decides.
            if len(parts) == 2 and not self._grows:  # the hot path of the other rings
                first, second = parts
                return lambda env: first(env) * second(env)

            def mul(env: Env) -> Any:
                out = parts[0](env)
                for part in parts[1:]:
                    value = part(env)
                    check_product(out, value)
                    out = out * value
                return out

            return mul
        if e.is_Pow:
            return self._compile_pow(e)
        if isinstance(e, (sp.Sum, sp.Product)):
            return self._compile_range(e)
        if isinstance(e, HiddenState | PreActivation | Input | Target | Prediction):
            return self._compile_quantity(e)
        if isinstance(e, Application):
            return self._compile_application(e)
        if isinstance(e, ImmediatePartial):
            return self._compile_immediate(e)
        if isinstance(e, TotalDerivative):
            return self._compile_total(e)
        raise EvaluationError(f"no meaning is defined for {e}")

    def _compile_pow(self, e: sp.Pow) -> Compiled:
        if not (e.exp.is_Integer and e.exp >= 0):
            raise EvaluationError(f"only non-negative integer powers have a meaning here, got {e}")
        base, n, ring = self.compile(e.base), int(e.exp), self.ring

        def power(env: Env) -> Any:
            b, out = base(env), ring.one
            for _ in range(n):
                check_product(out, b)
                out = ring.normal(out * b)
            return out

        return power

    def _index(self, expr: sp.Expr) -> Callable[[Env], int]:
        """Compile an index expression (integer-linear in index symbols)."""
        expr = sp.sympify(expr)
        if expr.is_Integer:
            n = int(expr)
            return lambda env: n
        if expr.is_Symbol:

            def lookup(env: Env) -> int:
                try:
                    return env[expr]
                except KeyError:
                    raise EvaluationError(f"the index {expr} is not bound") from None

            return lookup
        if (
            expr.is_Add
            and len(expr.args) == 2
            and expr.args[0].is_Integer
            and expr.args[1].is_Symbol
        ):
            offset, var = int(expr.args[0]), expr.args[1]

            def shifted(env: Env) -> int:
                try:
                    return env[var] + offset
                except KeyError:
                    raise EvaluationError(f"the index {var} is not bound") from None

            return shifted
        if expr.is_Add or expr.is_Mul:
            parts = [self._index(a) for a in expr.args]
            if expr.is_Add:
                return lambda env: sum(p(env) for p in parts)
            a, b = parts[0], parts[1:]

            def product(env: Env) -> int:
                out = a(env)
                for p in b:
                    out *= p(env)
                return out

            return product
        raise EvaluationError(f"unsupported index expression {expr}")

    def _checked(self, index: Compiled, low: int, what: str) -> Callable[[Env], int]:
        T = self.T

        def get(env: Env) -> int:
            n = index(env)
            if not low <= n <= T:
                raise EvaluationError(f"{what}_{n} is outside the model (steps {low}..{T})")
            return n

        return get

    def _compile_quantity(self, e: sp.Basic) -> Compiled:
        table = {
            HiddenState: ("h", 0),
            PreActivation: ("s", 1),
            Input: ("x", 1),
            Target: ("d", 1),
            Prediction: ("yhat", 1),
        }
        name, low = table[type(e)]
        values = getattr(self.trace, name)
        index = self._checked(self._index(e.index), low, e.symbol_name)
        return lambda env: values[index(env)]

    def _compile_application(self, e: Application) -> Compiled:
        arg = e.args[0]
        if not isinstance(arg, HiddenState | PreActivation):
            raise EvaluationError(
                f"{type(e).__name__} is only defined at a node h_k or s_k, got {arg}"
            )
        kind = "h" if isinstance(arg, HiddenState) else "s"
        spec, ring = self.trace.spec, self.ring
        act = spec.phi if e.role == "phi" else spec.theta
        fn = function_name(act, e.role)
        argument = self.compile(arg)
        index = self._index(arg.index)
        order = e.order

        def apply(env: Env) -> Any:
            n = index(env)
            return activation_value(ring, act, fn, order, (kind, n), argument(env))

        return apply

    def _compile_immediate(self, e: ImmediatePartial) -> Compiled:
        """d+A/dB: the derivative of A's own one-step equation, other states held fixed."""
        num, den, ring, tr = e.num, e.den, self.ring, self.trace
        if isinstance(num, HiddenState) and den in _PARAM_NAMES:
            index = self._checked(self._index(num.index), 1, "h")
            table = self._immediate_table[den]
            return lambda env: table[index(env)]
        top = self._index(num.index) if isinstance(num, IndexedQuantity) else None
        bottom = self._index(den.index) if isinstance(den, IndexedQuantity) else None
        # (A, B, offset of B's index from A's) -> value at A's step k
        rules: dict[tuple, Callable[[int], Any]] = {
            (HiddenState, HiddenState, -1): lambda n: self._jacobian_table[n],
            (HiddenState, PreActivation, 0): lambda n: tr.dphi[n],
            (HiddenState, Input, 0): lambda n: tr.dphi[n] * tr.v,
            (PreActivation, HiddenState, -1): lambda n: tr.w,
            (PreActivation, Input, 0): lambda n: tr.v,
            (Prediction, HiddenState, 0): lambda n: tr.dtheta[n],
            (StepLoss, Prediction, 0): lambda n: tr.lgrad[n],
        }
        params = {(PreActivation, w): lambda n: tr.h[n - 1], (PreActivation, v): lambda n: tr.x[n]}
        if top is None:
            raise EvaluationError(f"no immediate partial d+{num}/d{den} is defined")
        checked = self._checked(top, 1, num.symbol_name)
        if den in _PARAM_NAMES:
            rule = params.get((type(num), den))
            if rule is None:
                raise EvaluationError(f"no immediate partial d+{num}/d{den} is defined")
            return lambda env: rule(checked(env))
        if bottom is None:
            raise EvaluationError(f"no immediate partial d+{num}/d{den} is defined")

        def immediate(env: Env) -> Any:
            n, m = checked(env), bottom(env)
            rule = rules.get((type(num), type(den), m - n))
            return rule(n) if rule is not None else ring.zero

        return immediate

    def _compile_total(self, e: TotalDerivative) -> Compiled:
        num, den, ring = e.num, e.den, self.ring
        if isinstance(num, HiddenState) and den in _PARAM_NAMES:
            values = self.reference.dh[_PARAM_NAMES[den]]
            index = self._checked(self._index(num.index), 0, "h")
            return lambda env: values[index(env)]
        if num == L and den in _PARAM_NAMES:
            value = self.reference.dL[_PARAM_NAMES[den]]
            return lambda env: value
        if isinstance(num, HiddenState) and isinstance(den, HiddenState):
            top = self._checked(self._index(num.index), 0, "h")
            bottom = self._checked(self._index(den.index), 0, "h")
            jac = self._jacobian_table

            def chain(env: Env) -> Any:
                a, b = top(env), bottom(env)
                if a < b:
                    return ring.zero
                out = ring.one
                for n in range(a, b, -1):
                    out = out * jac[n]
                return out

            return chain
        if isinstance(num, StepLoss) and isinstance(den, Prediction):
            a = self._checked(self._index(num.index), 1, "l")
            b = self._checked(self._index(den.index), 1, "yhat")
            lgrad = self.trace.lgrad
            return lambda env: lgrad[a(env)] if a(env) == b(env) else ring.zero
        if num == L and isinstance(den, Prediction):
            b = self._checked(self._index(den.index), 1, "yhat")
            lgrad, scale = self.trace.lgrad, self.trace.scale
            return lambda env: scale * lgrad[b(env)]
        if num == L and isinstance(den, PreActivation) and self.adjoint is not None:
            index, adjoint = self._index(den.index), self.adjoint
            return lambda env: adjoint(index(env))
        return self._compile_total_by_forward_mode(num, den)

    def _compile_total_by_forward_mode(self, num: sp.Basic, den: sp.Basic) -> Compiled:
        """dA/dB along every path: forward mode seeded at B, read off at A. A node B past
        the last step (s_{T+1}, h_{T+1}) does not exist, so everything's derivative with
        respect to it is 0 (the answer's base case)."""
        kinds = {HiddenState: "h", PreActivation: "s", Prediction: "yhat", StepLoss: "l"}
        ring, tr, T = self.ring, self.trace, self.T
        if num == L:
            read = lambda tangents, env: tangents["L"]  # noqa: E731
        elif type(num) in kinds:
            kind = kinds[type(num)]
            low = 0 if kind == "h" else 1
            top = self._checked(self._index(num.index), low, num.symbol_name)
            read = lambda tangents, env: tangents[kind][top(env)]  # noqa: E731
        else:
            raise EvaluationError(f"no meaning is defined for d{num}/d{den}")
        if den in _PARAM_NAMES:
            seed = _PARAM_NAMES[den]
            return lambda env: read(tr.tangents(seed), env)
        if type(den) not in kinds or isinstance(den, StepLoss):
            raise EvaluationError(f"no meaning is defined for d{num}/d{den}")
        kind_b, bottom = kinds[type(den)], self._index(den.index)

        def derivative(env: Env) -> Any:
            m = bottom(env)
            if m > T:
                read(tr.tangents("w"), env)  # A must still be a node of the model
                return ring.zero
            if m < (0 if kind_b == "h" else 1):
                raise EvaluationError(f"{den.symbol_name}_{m} is outside the model")
            return read(tr.tangents((kind_b, m)), env)

        return derivative

    def _compile_range(self, e: sp.Sum | sp.Product) -> Compiled:
        if len(e.limits) > 1:  # SymPy merges nested sums: the first limit is innermost
            inner = type(e)(e.function, *e.limits[:-1])
            return self._compile_limit(type(e), self.compile(inner), e.limits[-1], inner)
        return self._compile_limit(type(e), self.compile(e.function), e.limits[0], e.function)

    def _compile_limit(
        self, cls: type, body: Compiled, limit: tuple, function: sp.Expr
    ) -> Compiled:
        var, lo, hi = limit
        e = cls(function, limit)
        low, high = self._index(lo), self._index(hi)
        ring = self.ring
        if isinstance(e, sp.Sum):

            def total(env: Env) -> Any:
                inner = dict(env)

                def terms() -> Iterator[Any]:
                    for n in range(low(env), high(env) + 1):
                        if not n & 63:
                            tick()
                        inner[var] = n
                        yield body(inner)

                return ring.sum(terms())

            return total
        # Products over a contiguous range are memoised as running products from their
        # upper end, so prod_{j=i+1}^{t} for i = 1..t-1 costs O(t) in all, not O(t^2).
        free = sorted(e.function.free_symbols - {var} - set(PARAMETERS) - {L}, key=str)
        memo: dict[tuple, list[Any]] = {}
        grows = self._grows

        def product(env: Env) -> Any:
            a, b = low(env), high(env)
            if a > b:
                return ring.one
            key = (tuple([env.get(f) for f in free]), b) if free else b
            running = memo.get(key)
            if running is None:
                running = memo[key] = [ring.one]
            if len(running) <= b - a + 1:
                inner = dict(env)
                out = running[-1]
                for n in range(b - len(running) + 1, a - 1, -1):
                    inner[var] = n
                    value = body(inner)
                    if grows:
                        check_product(out, value)
                    elif not n & 63:
                        tick()
                    out = out * value
                    running.append(out)
            return running[b - a + 1]

        return product


def in_model_quantities(expr: sp.Expr, definitions: Definitions = DEFAULT_DEFINITIONS) -> sp.Expr:
    """Rewrite immediate partials and one-step Jacobians into model quantities.

    d+h_i/dw becomes phi'(s_i) h_{i-1}, dh_j/dh_{j-1} becomes phi'(s_j) w; total
    derivatives of h stay as they are. The order of unevaluated products is kept.

    Example:
        >>> from symbptt import expr as E
        >>> print(in_model_quantities(E.jacobian(3) * E.immediate(2, E.w)))
        (w*PhiPrime(s_{3}))*(h_{1}*PhiPrime(s_{2}))
    """

    def rewrite(node: sp.Basic) -> sp.Basic:
        if isinstance(node, ImmediatePartial) and node.den in _PARAM_NAMES:
            return definitions.immediate_at(node.den, node.num.index)
        if (
            isinstance(node, TotalDerivative)
            and isinstance(node.num, HiddenState)
            and isinstance(node.den, HiddenState)
            and sp.expand(node.num.index - node.den.index - 1) == 0
        ):
            return definitions.jacobian_at(node.num.index)
        if not node.args:
            return node
        args = [rewrite(a) for a in node.args]
        if isinstance(node, sp.Add | sp.Mul):
            return node.func(*args, evaluate=False)  # keep the printed order
        return node.func(*args)

    return rewrite(sp.sympify(expr))
