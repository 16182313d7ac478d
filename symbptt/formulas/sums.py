"""Sums and products of a compiled formula: a sum added in pairs (long sums of growing
polynomials stay cheap), a sum of sums loop in loop, running sums and products memoised
from their upper end (prod_{j=i+1}^{t} for i = 1..t-1 costs O(t) in all, not O(t^2)),
and the order of a product of matrices (latest-left or earliest-left).

A part of :class:`symbptt.formulas.compile.Compiler` (a mixin: it uses the compiler's
``compile``, ``_index_of``, ``_component_count``, ``add``, ``mul`` and ``order``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from symbptt.core import derivatives as E
from symbptt.core.formula import COMPONENTS
from symbptt.formulas.matrices import ONE, ZERO, Mat
from symbptt.limits import tick


class SumsAndProducts:
    """The compiler's methods for \\sum and \\prod."""

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
            # a balanced tree of additions, streaming (as a binary counter): only
            # O(log n) partial sums are held, never every term at once
            stack: list[tuple[int, Any]] = []
            for j in range(lo_of(env), hi_of(env) + 1):
                tick()
                inner[var] = j
                count, value = 1, body(inner)
                while stack and stack[-1][0] == count:
                    done, left = stack.pop()
                    count, value = count + done, self.add(left, value)
                stack.append((count, value))
            if not stack:
                return ZERO
            out = stack[-1][1]
            for _, left in reversed(stack[:-1]):
                out = self.add(left, out)
            return out

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
                    # the terms not in the last sum: above its upper limit, and never
                    # below this one's lower limit (the last sum may have been empty)
                    for i in range(max(last["hi"] + 1, lo), hi + 1):
                        tick()
                        inner[var] = i
                        value = self.add(value, body(inner))
            if value is None:
                value = direct(env)
            last.update(lo=lo, hi=hi, u=u, value=value)
            return value

        return running
