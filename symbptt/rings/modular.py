"""The modular ring: the polynomials of :class:`symbptt.rings.algebra.PolynomialRing`
evaluated at one uniformly random point modulo a random prime (Schwartz-Zippel), each
element carrying a bound on its degree so that the probability of a wrong "equal"
verdict can be stated; tangents may be rows over a batch of seeds (:class:`ModRow`).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import flint

from symbptt.core.losses import probability_key, probability_position
from symbptt.errors import EvaluationError
from symbptt.rings.algebra import AtomKey, Ring


class ModInt:
    """An element of Z/p together with an upper bound on the degree of the polynomial
    it is the value of (constants have degree 0)."""

    __slots__ = ("r", "deg")
    p: int = 0

    def __init__(self, r: int, deg: int) -> None:
        self.r = r
        self.deg = deg

    def _lift(self, other: Any) -> ModInt | None:
        """A ModInt, an int as a constant, or None for anything else (so the operator
        returns NotImplemented and, e.g., a dual number's reflected operator runs)."""
        if isinstance(other, ModInt):
            return other
        if isinstance(other, int):
            return type(self)(other % self.p, 0)
        return None

    def __add__(self, other: Any) -> ModInt:
        o = other if isinstance(other, ModInt) else self._lift(other)
        if o is None:
            return NotImplemented
        a, b = self.deg, o.deg
        return self.__class__((self.r + o.r) % self.p, a if a > b else b)

    __radd__ = __add__

    def __sub__(self, other: Any) -> ModInt:
        o = other if isinstance(other, ModInt) else self._lift(other)
        if o is None:
            return NotImplemented
        a, b = self.deg, o.deg
        return self.__class__((self.r - o.r) % self.p, a if a > b else b)

    def __rsub__(self, other: Any) -> ModInt:
        o = self._lift(other)
        return NotImplemented if o is None else o - self

    def __neg__(self) -> ModInt:
        return self.__class__(-self.r % self.p, self.deg)

    def __mul__(self, other: Any) -> ModInt:
        o = other if isinstance(other, ModInt) else self._lift(other)
        if o is None:
            return NotImplemented
        return self.__class__(self.r * o.r % self.p, self.deg + o.deg)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModInt) and self.r == other.r

    def __hash__(self) -> int:
        return hash(self.r)

    def __repr__(self) -> str:
        return f"ModInt({self.r} mod {self.p}, deg<={self.deg})"


class ModRow:
    """The tangents of a batch of forward-mode seeds at one value: one element of Z/p per
    seed, held as a 1 x S matrix of python-flint (its arithmetic runs in C), with a
    degree bound like :class:`ModInt`'s. A dual number whose tangent is a row carries the
    derivatives along every seed of the batch at once; a plain zero (a ModInt) stands for
    the zero row, so values no seed reaches cost nothing."""

    __slots__ = ("m", "deg", "_ints")

    def __init__(self, m: Any, deg: int) -> None:
        self.m = m
        self.deg = deg
        self._ints: list[int] | None = None  # the entries as ints, once one is read

    @staticmethod
    def _is_zero(other: Any) -> bool:
        return (isinstance(other, ModInt) and other.r == 0) or (
            isinstance(other, int) and other == 0
        )

    def __add__(self, other: Any) -> ModRow:
        if isinstance(other, ModRow):
            return ModRow(self.m + other.m, max(self.deg, other.deg))
        if self._is_zero(other):
            return self
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: Any) -> ModRow:
        if isinstance(other, ModRow):
            return ModRow(self.m - other.m, max(self.deg, other.deg))
        if self._is_zero(other):
            return self
        return NotImplemented

    def __rsub__(self, other: Any) -> ModRow:
        return -self if self._is_zero(other) else NotImplemented

    def __neg__(self) -> ModRow:
        return ModRow(-self.m, self.deg)

    def __mul__(self, other: Any) -> ModRow:
        if isinstance(other, ModInt):
            return ModRow(self.m * other.r, self.deg + other.deg)
        if isinstance(other, int):
            return ModRow(self.m * other, self.deg)
        return NotImplemented

    __rmul__ = __mul__

    def entry(self, s: int, element: type[ModInt]) -> ModInt:
        """The tangent along seed ``s`` of the batch (a row is read for every seed: its
        entries are converted once)."""
        ints = self._ints
        if ints is None:
            ints = self._ints = [int(x) for x in self.m.entries()]
        return element(ints[s], self.deg)


def random_prime(bits: int, rng: random.Random) -> int:
    """A uniformly chosen prime with exactly ``bits`` bits (BPSW test of python-flint)."""
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if flint.fmpz(n).is_prime():
            return n


class ModularRing(Ring):
    """Polynomials evaluated at one uniformly random point modulo a random prime.

    If two polynomials differ, their values differ except with probability at most
    deg / p (Schwartz-Zippel), so "differ" is certain and "equal" has a stated bound.

    Args:
        rng: the source of randomness (seeded by the caller for reproducibility).
        bits: size of the prime; 127 bits makes the bound below 2^-100 for every
            computation this package does.
    """

    def __init__(self, rng: random.Random, bits: int = 127) -> None:
        self.p = random_prime(bits, rng)
        self.rng = rng
        self.element = type("ModIntP", (ModInt,), {"p": self.p, "__slots__": ()})
        self.zero = self.element(0, 0)
        self.one = self.element(1, 0)
        self._atoms: dict[AtomKey, ModInt] = {}
        #: how many reciprocals of atoms were asked for (:meth:`reciprocal`)
        self.reciprocals = 0
        self.method = f"modular (Schwartz-Zippel: a random point modulo a random {bits}-bit prime)"

    def const(self, q: Fraction | int) -> ModInt:
        q = Fraction(q)
        return self.element(q.numerator * pow(q.denominator, -1, self.p) % self.p, 0)

    #: tangents may be rows over a batch of seeds (:class:`ModRow`)
    batches_tangents = True

    def unit_row(self, index: int, size: int) -> ModRow:
        """The tangent row of seed ``index`` in a batch of ``size``: 1 there, 0 elsewhere."""
        ctx = self.__dict__.get("_row_context")
        if ctx is None:
            ctx = self._row_context = flint.fmpz_mod_ctx(self.p)
        entries = [0] * size
        entries[index] = 1
        return ModRow(flint.fmpz_mod_mat(1, size, entries, ctx), 0)

    def atom(self, key: AtomKey, argument: Any = None) -> ModInt:
        value = self._atoms.get(key)
        if value is None:
            at = probability_position(key)
            if at is not None and argument is not None and at[1] == len(argument) - 1:
                value = self.one  # the last of a softmax's entries: 1 minus the others
                for q in range(at[1]):
                    value = value - self.atom(probability_key(at[0], q), argument)
                if value.r == 0:  # probability < 2^-100 at 127 bits
                    raise EvaluationError("the modular point made a probability 0; run again")
                self._atoms[key] = value
            else:  # nonzero, so that every atom has a reciprocal
                value = self._atoms[key] = self.element(self.rng.randrange(1, self.p), 1)
        return value

    def reciprocal(self, key: AtomKey, argument: Any = None) -> ModInt:
        """The inverse of the atom's value modulo p, counted as degree 1 (see
        :meth:`error_bound` for what clearing the denominators costs)."""
        inverse = self._atoms.get(("inv", key))
        if inverse is None:
            value = self.atom(key, argument)
            inverse = self._atoms[("inv", key)] = self.element(pow(value.r, -1, self.p), 1)
            self.reciprocals += 1
        return inverse

    def error_bound(self, degree: int, comparisons: int = 1) -> float:
        """Upper bound on P(some nonzero difference of degree <= ``degree`` vanished),
        union-bounded over ``comparisons`` comparisons.

        The atoms are drawn from the nonzero residues (Schwartz-Zippel over a set of
        p - 1 values). With m reciprocals 1/a in use (each counted as degree 1), a
        difference f of degree <= d becomes a polynomial when multiplied by the product
        of the m atoms, each to a power <= d: degree <= d (1 + m), and f vanishes at the
        point iff that polynomial does (the atoms are nonzero)."""
        cleared = max(degree, 1) * (1 + self.reciprocals)
        return comparisons * cleared / (self.p - 1)
