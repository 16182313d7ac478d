"""The static estimate of a formula's work, before anything is computed: the bounds of
its index expressions, the length of its sums and products, its exponents, and the
evaluations that nested sums, products and powers ask for over every t, each against
the limits of :mod:`symbptt.limits`.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from symbptt.errors import WorkLimitError
from symbptt.limits import MAX_EVALUATIONS, MAX_EXPONENT, MAX_RANGE

Interval = tuple[int, int]


def index_interval(expr: sp.Expr, ranges: dict[sp.Symbol, Interval]) -> Interval | None:
    """Bounds of an integer-linear index expression over the given symbol ranges."""
    expr = sp.sympify(expr)
    if expr.is_Integer:
        return int(expr), int(expr)
    if expr.is_Symbol:
        return ranges.get(expr)
    if expr.is_Add:
        lo = hi = 0
        for arg in expr.args:
            part = index_interval(arg, ranges)
            if part is None:
                return None
            lo, hi = lo + part[0], hi + part[1]
        return lo, hi
    if isinstance(expr, sp.Min | sp.Max):  # a sum written downward: its limits sorted
        parts = [index_interval(arg, ranges) for arg in expr.args]
        if any(part is None for part in parts):
            return None
        pick = min if isinstance(expr, sp.Min) else max
        return pick(p[0] for p in parts), pick(p[1] for p in parts)  # type: ignore[index]
    if expr.is_Mul and len(expr.args) == 2 and expr.args[0].is_Integer:
        part = index_interval(expr.args[1], ranges)
        if part is None:
            return None
        c = int(expr.args[0])
        return min(c * part[0], c * part[1]), max(c * part[0], c * part[1])
    return None


def estimate(
    sides: list[sp.Expr],
    T: int,
    *,
    steps: int | None = None,
    T_symbol: Any = None,
    memoized_products: bool = False,
) -> int:
    """The number of evaluations a formula asks for, refusing what is beyond the limits.

    Every node is one evaluation, a sum or product multiplies its body's by its length, a
    power by its exponent, and the whole formula is evaluated once per step. A product
    whose body depends on nothing but its own index is, with ``memoized_products``, a
    running product shared by every evaluation (the scalar evaluator keeps them), so it
    costs its length once per upper limit, not once per evaluation.

    Args:
        sides: the parsed sides.
        T: the horizon; a free index ranges over 1..T.
        steps: how many times the whole formula is evaluated (default T).
        T_symbol: the symbol standing for the horizon in index expressions.
        memoized_products: whether the evaluator memoises running products.

    Raises:
        WorkLimitError: an exponent above :data:`MAX_EXPONENT`, a sum or product longer
            than :data:`MAX_RANGE`, or more than :data:`MAX_EVALUATIONS` evaluations.

    Example:
        >>> t = sp.Symbol("t", integer=True)
        >>> estimate([sp.Pow(t, 10**9, evaluate=False)], 4)
        Traceback (most recent call last):
        ...
        symbptt.errors.WorkLimitError: the exponent 1000000000 is above the limit 1000
    """
    base: dict[sp.Symbol, Interval] = {}
    for side in sides:
        for symbol in side.free_symbols:
            if getattr(symbol, "is_integer", False):
                base[symbol] = (1, T)
    fixed = {T_symbol} if T_symbol is not None else set()
    if T_symbol is not None:
        base[T_symbol] = (T, T)
    each, once = 0, 0
    for side in sides:
        side_each, side_once = _work(side, base, fixed if memoized_products else None)
        each, once = each + side_each, once + side_once
    total = each * (steps if steps is not None else T) + once
    if total > MAX_EVALUATIONS:
        raise WorkLimitError(
            f"the formula asks for about {total} evaluations (nested sums, products and "
            f"powers over every t), above the limit of {MAX_EVALUATIONS}"
        )
    return total


def _limits(
    node: sp.Sum | sp.Product, env: dict[sp.Symbol, Interval]
) -> tuple[dict[sp.Symbol, Interval], int, int]:
    """The index ranges inside a sum or product, its number of steps, and how many
    distinct values its (outermost) upper limit takes."""
    inner_env, length, uppers = dict(env), 1, 1
    for var, low, high in reversed(node.limits):  # the first limit is innermost
        lo, hi = index_interval(low, inner_env), index_interval(high, inner_env)
        if lo is None or hi is None:
            steps, inner, distinct = MAX_RANGE, (-MAX_RANGE, MAX_RANGE), MAX_RANGE
        else:
            steps, inner, distinct = max(hi[1] - lo[0] + 1, 0), (lo[0], hi[1]), hi[1] - hi[0] + 1
        if steps > MAX_RANGE:
            kind = "sum" if isinstance(node, sp.Sum) else "product"
            raise WorkLimitError(
                f"the {kind} over {var} = {low}..{high} has {steps} steps, above the "
                f"limit {MAX_RANGE}"
            )
        inner_env[var] = inner
        length *= max(steps, 1)
        uppers *= max(distinct, 1)
    return inner_env, length, uppers


def _work(e: sp.Basic, ranges: dict[sp.Symbol, Interval], fixed: set | None) -> tuple[int, int]:
    """Evaluations under ``e`` per evaluation of the formula, and once in all (memoised
    products); iteratively, so long flat formulas need no recursion."""
    each = once = 0
    stack: list[tuple[sp.Basic, dict[sp.Symbol, Interval], int, bool]] = [(e, ranges, 1, False)]
    while stack:
        node, env, k, is_once = stack.pop()
        if isinstance(node, sp.Symbol | sp.Number):
            continue  # an index or a constant: nothing to evaluate
        if is_once:
            once += k
        else:
            each += k
        if each + once > MAX_EVALUATIONS * 10:
            break
        if isinstance(node, sp.Pow) and node.exp.is_Integer:
            n = int(node.exp)
            if n > MAX_EXPONENT:
                raise WorkLimitError(f"the exponent {n} is above the limit {MAX_EXPONENT}")
            if is_once:
                once += k * n
            else:
                each += k * n
            stack.append((node.base, env, k * max(n, 1), is_once))
            continue
        if isinstance(node, (sp.Sum, sp.Product)):
            inner_env, length, uppers = _limits(node, env)
            own = {var for var, *_ in node.limits}
            if (
                fixed is not None
                and isinstance(node, sp.Product)
                and node.function.free_symbols <= own | fixed
            ):
                once += uppers * length  # the running product's steps
                stack.append((node.function, inner_env, uppers * length, True))
            else:
                if is_once:
                    once += k * length
                else:
                    each += k * length
                stack.append((node.function, inner_env, k * length, is_once))
            continue
        if isinstance(node, sp.Basic):
            stack.extend((arg, env, k, is_once) for arg in node.args if isinstance(arg, sp.Basic))
    return each, once
