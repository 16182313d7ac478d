"""Work limits: a formula of a few thousand characters must not ask for unbounded work.

Two layers, both raising :class:`~symbptt.errors.WorkLimitError` with a message that
names the limit:

* :func:`estimate` (before anything is computed, in well under a second): every
  exponent is at most :data:`MAX_EXPONENT`, every sum or product runs over at most
  :data:`MAX_RANGE` steps, and the number of evaluations that nested sums, products and
  powers ask for, over every t, is at most :data:`MAX_EVALUATIONS`.
* a :func:`budget` while a formula is evaluated: an exact product of two polynomials
  may cost at most :data:`MAX_PRODUCT_TERMS` term multiplications (so no single
  canonical form explodes, e.g. ``(w+v+h_0+x_1+x_2+x_3+x_4)^{30}``), and the whole
  check at most :data:`MAX_SECONDS` seconds (a last resort; the static estimate refuses
  what would come near it).
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator
from typing import Any

import sympy as sp

from .errors import WorkLimitError

#: Largest exponent of a power in a formula.
MAX_EXPONENT = 1000
#: Most steps of one sum or product.
MAX_RANGE = 10_000
#: Most evaluations (the innermost bodies of nested sums, products and powers, over
#: every t and component) one formula may ask for.
MAX_EVALUATIONS = 2_000_000
#: Most term-by-term multiplications of one exact product (len(a) * len(b)).
MAX_PRODUCT_TERMS = 4_000_000
#: Most terms of one exact canonical form met while evaluating a formula.
MAX_TERMS = 100_000
#: Longest time one check may take before it is stopped.
MAX_SECONDS = 10.0


class Budget:
    """The deadline of one check (see :func:`budget`)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise WorkLimitError(
                f"the check took longer than the limit of {self.seconds:.0f} s and was stopped; "
                f"try a smaller T or the modular method"
            )


_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("budget", default=None)


@contextlib.contextmanager
def budget(seconds: float = MAX_SECONDS) -> Iterator[Budget]:
    """Run the enclosed check under a deadline (nested budgets keep the outer one)."""
    outer = _CURRENT.get()
    if outer is not None:
        yield outer
        return
    token = _CURRENT.set(Budget(seconds))
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


def tick() -> None:
    """Raise WorkLimitError if the current check is past its deadline."""
    current = _CURRENT.get()
    if current is not None:
        current.tick()


def size(value: Any) -> int:
    """How many terms a value has: a polynomial's term count, a matrix's largest entry's,
    1 for anything else (numbers, residues, intervals)."""
    rows = getattr(value, "rows", None)
    if rows is not None and isinstance(rows, tuple):
        return max((size(x) for row in rows for x in row), default=1)
    if type(value).__name__ == "fmpq_mpoly":
        return max(len(value), 1)
    return 1


def check_product(a: Any, b: Any) -> None:
    """Refuse a product whose term-by-term cost is above :data:`MAX_PRODUCT_TERMS`
    (and check the deadline)."""
    tick()
    if _CURRENT.get() is None:
        return
    sa, sb = size(a), size(b)
    if max(sa, sb) > MAX_TERMS:
        raise WorkLimitError(
            f"an exact canonical form in this formula has {max(sa, sb)} terms, above the "
            f"limit of {MAX_TERMS}; use the modular method (--method modular) or a smaller T"
        )
    cost = sa * sb
    if cost > MAX_PRODUCT_TERMS:
        raise WorkLimitError(
            f"an exact product in this formula would multiply {sa} by {sb} terms, "
            f"above the limit of {MAX_PRODUCT_TERMS} term products; use the modular method "
            f"(--method modular) or a smaller T"
        )


# -- the static estimate -------------------------------------------------------------------
Interval = tuple[int, int]


def _interval(expr: sp.Expr, ranges: dict[sp.Symbol, Interval]) -> Interval | None:
    """Bounds of an integer-linear index expression over the given symbol ranges."""
    expr = sp.sympify(expr)
    if expr.is_Integer:
        return int(expr), int(expr)
    if expr.is_Symbol:
        return ranges.get(expr)
    if expr.is_Add:
        lo = hi = 0
        for arg in expr.args:
            part = _interval(arg, ranges)
            if part is None:
                return None
            lo, hi = lo + part[0], hi + part[1]
        return lo, hi
    if expr.is_Mul and len(expr.args) == 2 and expr.args[0].is_Integer:
        part = _interval(expr.args[1], ranges)
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
    derivatives: tuple[type, ...] = (),
) -> int:
    """The number of evaluations a formula asks for, refusing what is beyond the limits.

    Args:
        sides: the parsed sides.
        T: the horizon; a free index ranges over 1..T.
        steps: how many times the whole formula is evaluated (default T).
        T_symbol: the symbol standing for the horizon in index expressions.
        derivatives: expression types whose evaluation is a forward-mode pass through the
            model (counted as T evaluations each).

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
    if T_symbol is not None:
        base[T_symbol] = (T, T)
    total = 0
    for side in sides:
        total += _work(side, base, 1, T, derivatives)
    total *= steps if steps is not None else T
    if total > MAX_EVALUATIONS:
        raise WorkLimitError(
            f"the formula asks for about {total} evaluations (nested sums, products and "
            f"powers over every t), above the limit of {MAX_EVALUATIONS}"
        )
    return total


def _work(
    e: sp.Basic,
    ranges: dict[sp.Symbol, Interval],
    factor: int,
    T: int,
    derivatives: tuple[type, ...],
) -> int:
    """Evaluations under ``e`` (iteratively, so long flat formulas need no recursion)."""
    total = 0
    stack: list[tuple[sp.Basic, dict[sp.Symbol, Interval], int]] = [(e, ranges, factor)]
    while stack:
        node, env, k = stack.pop()
        total += k
        if total > MAX_EVALUATIONS * 10:
            return total
        if isinstance(node, sp.Pow) and node.exp.is_Integer:
            n = int(node.exp)
            if n > MAX_EXPONENT:
                raise WorkLimitError(f"the exponent {n} is above the limit {MAX_EXPONENT}")
            stack.append((node.base, env, k))
            total += k * max(n, 0)
            continue
        if isinstance(node, (sp.Sum, sp.Product)):
            inner_env, inner_k = dict(env), k
            for var, low, high in reversed(node.limits):  # the first limit is innermost
                lo, hi = _interval(low, inner_env), _interval(high, inner_env)
                if lo is None or hi is None:
                    length = MAX_RANGE  # bounds we cannot estimate: assume the worst allowed
                    inner = (-MAX_RANGE, MAX_RANGE)
                else:
                    length = max(hi[1] - lo[0] + 1, 0)
                    inner = (lo[0], hi[1])
                if length > MAX_RANGE:
                    kind = "sum" if isinstance(node, sp.Sum) else "product"
                    raise WorkLimitError(
                        f"the {kind} over {var} = {low}..{high} has {length} steps, above the "
                        f"limit {MAX_RANGE}"
                    )
                inner_env[var] = inner
                inner_k *= max(length, 1)
            stack.append((node.function, inner_env, inner_k))
            continue
        if derivatives and isinstance(node, derivatives):
            total += k * T
        if isinstance(node, sp.Basic):
            stack.extend((arg, env, k) for arg in node.args if isinstance(arg, sp.Basic))
    return total
