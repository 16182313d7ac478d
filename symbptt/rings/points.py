"""Exact evaluation at concrete points: the ring of counterexamples and cross-checks.

:class:`PointRing` gives every atom a value (small random rationals, or values given);
tanh, sigmoid and softplus are evaluated in rigorous interval arithmetic. The formatting
helpers print such values for people (huge integers shortened).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

from symbptt.core.primitives import REAL_FUNCTIONS, VECTOR_FUNCTIONS
from symbptt.rings.algebra import AtomKey, Ring


class PointRing(Ring):
    """Exact evaluation at concrete inputs (for counterexamples and cross-checks).

    Atoms that are model inputs (w, v, h0, x_k, d_k) and the values of generic functions
    at nodes (phi(s_k), phi'(s_k), ..., l'(yhat_k, d_k)) are taken from ``values`` or
    drawn as small random rationals; tanh, sigmoid and softplus are evaluated for real,
    in rigorous interval arithmetic (``mpmath.iv``), so all results are then intervals
    guaranteed to contain the true value.

    Args:
        rng: source of random rationals.
        interval: use intervals (needed when a concrete transcendental activation occurs).
        values: fixed values for some atoms.
        spread: how far apart values are drawn: numerators up to 9 * spread,
            denominators up to 5 * spread. Wider points are less readable but make it
            unlikely that two nodes' arguments coincide at a large T (a point where they
            do cannot be a counterexample: no function takes two values there).
    """

    method = "exact evaluation at a point"

    def __init__(
        self,
        rng: random.Random,
        *,
        interval: bool = False,
        values: dict[AtomKey, Fraction] | None = None,
        prec: int = 200,
        spread: int = 1,
    ) -> None:
        self.rng = rng
        self.spread = spread
        self.interval = interval
        self.values: dict[AtomKey, Any] = dict(values or {})
        self.arguments: dict[AtomKey, Any] = {}
        if interval:
            from mpmath import iv

            self.iv = iv
            iv.prec = max(iv.prec, prec)
        self.zero = self.const(0)
        self.one = self.const(1)

    def const(self, q: Fraction | int) -> Any:
        q = Fraction(q)
        if self.interval:
            return self.iv.mpf(q.numerator) / q.denominator
        return q

    def random_rational(self) -> Fraction:
        """A small nonzero random rational, e.g. -7/4."""
        top = 9 * self.spread
        # the k-th of -top..-1, 1..top, drawn as rng.choice of that list would (without
        # building a list of 18000 numbers for each atom of a wide point)
        k = self.rng.randrange(2 * top)
        num = k - top if k < top else k - top + 1
        return Fraction(num, self.rng.randint(1, 5 * self.spread))

    def atom(self, key: AtomKey, argument: Any = None) -> Any:
        if len(key) == 3 and key[0] in REAL_FUNCTIONS:
            return REAL_FUNCTIONS[key[0]](self.iv, argument, key[1])
        if len(key) == 3 and key[0] in VECTOR_FUNCTIONS:
            (_, where) = key[2]
            q = where[1] if isinstance(where, tuple) else 0
            return VECTOR_FUNCTIONS[key[0]](self.iv, tuple(argument), q)
        if key not in self.values:
            self.values[key] = self.random_rational()
        if argument is not None:
            self.arguments[key] = argument
        return self.const(self.values[key])

    def reciprocal(self, key: AtomKey, argument: Any = None) -> Any:
        return self.one / self.atom(key, argument)

    def is_consistent(self) -> bool:
        """True when no generic function (or derivative) was given values at two nodes
        whose arguments coincide, so some smooth function takes every chosen value and
        derivative (Hermite interpolation)."""
        by_function: dict[tuple, list] = {}
        for (fn, order, node), arg in self.arguments.items():
            by_function.setdefault((fn, order, _partial(fn, order, node)), []).append(arg)
        for args in by_function.values():
            for a_n, a in enumerate(args):
                for b in args[a_n + 1 :]:
                    if not self.certainly_differ(a, b):
                        return False
        return True

    def certainly_differ(self, a: Any, b: Any) -> bool:
        """Whether two values are certainly different (disjoint intervals, or unequal);
        two tuples (the arguments of a function of several variables) when some entry
        certainly differs."""
        if isinstance(a, tuple):
            return any(self.certainly_differ(x, y) for x, y in zip(a, b))
        if not self.interval:
            return a != b
        return 0 not in (self.const(0) + a - b)


def _partial(fn: Any, order: Any, node: Any) -> Any:
    """Which function an atom is a value of, besides its name and order: the generic
    loss's gradient by output entry q (``("l", 1, ("step", (t, q)))``) is the partial
    derivative dl/dy_q, a function of its own for each q (at one step all share the
    argument (y_t, d_t), and their values are independent); None for the others."""
    if fn == "l" and order != 0 and isinstance(node, tuple) and len(node) == 2:
        where = node[1]
        return where[1] if isinstance(where, tuple) else None
    return None


#: Longest numerator or denominator printed in full (in digits).
MAX_SHOWN_DIGITS = 40


def short_integer(n: int) -> str:
    """An integer in full, or, beyond :data:`MAX_SHOWN_DIGITS` digits, its leading digits
    and its length (Python refuses to print integers past 4300 digits, and nobody reads
    them).

    Example:
        >>> short_integer(3**200)
        '26561398887587476...(96 digits)'
    """
    if n.bit_length() < MAX_SHOWN_DIGITS * 3:  # surely fewer digits than the limit
        return str(n)
    digits = int(n.bit_length() * math.log10(2)) + 1
    exact = len(str(abs(n))) if digits <= 4000 else None
    if exact is not None and exact <= MAX_SHOWN_DIGITS:
        return str(n)
    lead = abs(n) // 10 ** max((exact or digits) - 17, 0)
    sign = "-" if n < 0 else ""
    return f"{sign}{str(lead)[:17]}...({exact or f'about {digits}'} digits)"


def to_fraction_or_interval(x: Any) -> str:
    """Format a point value: a rational exactly (huge numerators and denominators
    shortened), an interval by its midpoint to 15 significant digits with its certified
    radius."""
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return short_integer(x.numerator)
        return f"{short_integer(x.numerator)}/{short_integer(x.denominator)}"
    mid = float(x.mid.a)
    rad = float(x.delta.b) / 2
    return f"{mid:.15g} (+/- {rad:.1e})" if not math.isnan(mid) else str(x)
