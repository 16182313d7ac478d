"""Commutative rings in which model quantities and formulas are evaluated.

Every engine writes its arithmetic with ``+``, ``-`` and ``*`` on ring elements, so one
computation serves several purposes:

* :class:`PolynomialRing`: the exact canonical form. Each activation node (phi(s_k),
  theta(h_k), their derivatives where they are independent of the value, l' at step k)
  is an opaque generator, so both sides of an identity become polynomials with rational
  coefficients in sparse canonical form (python-flint's ``fmpq_mpoly``); two
  expressions are equal iff their polynomials are equal.
* :class:`symbptt.rings.modular.ModularRing`: the same polynomials evaluated at one random
  point modulo a random prime (Schwartz-Zippel); elements also carry a bound on the
  degree, so the probability of a wrong "equal" verdict can be stated.
* :class:`symbptt.rings.points.PointRing`: exact values at concrete inputs, used for
  counterexamples: rationals (``Fraction``) when every activation is generic or the
  identity, and rigorous intervals (``mpmath.iv``) when tanh, sigmoid or softplus are
  involved.

An atom is named by a hashable key: ``("w",)``, ``("x", k)``, ``("d", k)``,
``("h0",)``, ``("lgrad", k)`` (l'(yhat_k, d_k)) or ``(fn, order, node)`` with node
``("s", k)`` or ``("h", k)``, e.g. ``("phi", 1, ("s", 3))`` for phi'(s_3). The reciprocal
of an atom that is never zero (a softmax probability) is the atom ``("inv", key)``
(:meth:`Ring.reciprocal`), tied to it by key * inv = 1.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from fractions import Fraction
from typing import Any

import flint

from symbptt.core.losses import probability_position
from symbptt.core.primitives import VECTOR_FUNCTIONS

AtomKey = tuple[Hashable, ...]


def atom_name(key: AtomKey) -> str:
    """A readable name of an atom key, e.g. ``phi'(s_3)`` or ``x_2``; for the vector
    model ``W_hh[0,1]``, ``x_2[0]`` and ``tanh(s_1[1])``; a state node
    (:meth:`Ring.node`, key ``("node", "h", 3, 1)``) ``h_3[1]``."""
    if len(key) == 4 and key[0] == "node":
        return f"{key[1]}_{key[2]}[{key[3]}]"
    if len(key) == 2 and key[0] == "inv":
        return f"1/{atom_name(key[1])}"
    if len(key) == 3:
        fn, order, (kind, k) = key
        if fn in VECTOR_FUNCTIONS:
            return f"{fn}({kind}_{k[0]})[{k[1]}]" if isinstance(k, tuple) else f"{fn}({kind}_{k})"
        if kind == "step" and isinstance(k, tuple):  # an entry of a generic loss's gradient
            return f"{fn}{chr(39) * order}(o_{k[0]}, d_{k[0]})[{k[1]}]"
        node = f"yhat_{k}, d_{k}" if kind == "step" else _indexed(kind, k)
        return f"{fn}{chr(39) * order}({node})"
    if len(key) == 2:
        name, k = key
        if isinstance(k, tuple):
            if name in ("x", "d"):
                return _indexed(name, k)
            return f"{name}[{k[0]},{k[1]}]"
        return f"{name}_{k}" if name != "lgrad" else f"l'(yhat_{k}, d_{k})"
    return str(key[0])


def _indexed(kind: str, k: Any) -> str:
    """s_3, or entry r of a vector node at step t: s_3[1]."""
    return f"{kind}_{k[0]}[{k[1]}]" if isinstance(k, tuple) else f"{kind}_{k}"


class PairwiseSum:
    """A sum of many elements built as a balanced tree, streaming: a running total of
    growing sparse polynomials copies the whole total at every step (quadratic in their
    number), a balanced tree copies each term O(log n) times; only O(log n) partial sums
    are held, as in a binary counter. Works for any values with ``+`` (ring elements,
    dual numbers).
    """

    def __init__(self, zero: Any) -> None:
        self.zero = zero
        self._stack: list[tuple[int, Any]] = []

    def add(self, term: Any) -> None:
        """Add one term."""
        size, value = 1, term
        while self._stack and self._stack[-1][0] == size:
            done, left = self._stack.pop()
            size, value = size + done, left + value
        self._stack.append((size, value))

    def value(self) -> Any:
        """The sum of the terms added so far."""
        if not self._stack:
            return self.zero
        out = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            out = left + out
        return out


class Ring:
    """Interface shared by the rings: constants, atoms, equality and a method name."""

    #: How a verdict reached in this ring is described in reports.
    method: str = "?"
    zero: Any
    one: Any
    #: Whether the derivative of tanh/sigmoid is kept as an atom of its own (related to
    #: the value by a rewrite rule) rather than written as a polynomial in the value.
    derivative_atoms: bool = False

    def const(self, q: Fraction | int) -> Any:
        """The constant q."""
        raise NotImplementedError

    def atom(self, key: AtomKey, argument: Any = None) -> Any:
        """The value of an atom. ``argument`` is the value of the node an activation is
        applied to (used only by :class:`symbptt.rings.points.PointRing`)."""
        raise NotImplementedError

    def reciprocal(self, key: AtomKey, argument: Any = None) -> Any:
        """1 / the atom ``key``, for an atom that is never zero (a softmax probability):
        what a derivative of -log yhat needs. ``argument`` as for :meth:`atom`."""
        raise NotImplementedError

    def equal(self, a: Any, b: Any) -> bool:
        """Whether two elements are equal in this ring."""
        return a == b

    def node(self, key: AtomKey, definition: Any) -> Any:
        """The value of an entry that no function computes (a pre-activation, the GRU's
        h_t, the LSTM's c_t), given its definition: the definition itself, except in the
        exact ring (:meth:`PolynomialRing.node`)."""
        return definition

    def normal(self, a: Any) -> Any:
        """The canonical representative of an element (identity except for
        :class:`PolynomialRing`)."""
        return a

    #: Whether :meth:`normal` does anything (lets hot loops skip the call).
    has_normal_form: bool = False

    def sum(self, terms: Iterable[Any]) -> Any:
        """The sum of many elements, added in pairs (see :class:`PairwiseSum`)."""
        total = PairwiseSum(self.zero)
        for term in terms:
            total.add(term)
        return total.value()


class PolynomialRing(Ring):
    """Exact canonical forms: sparse polynomials over Q in named atoms.

    For tanh and sigmoid the value y = phi(s_k) and the derivative dy = phi'(s_k) are
    both generators, tied by the relation of the activation (tanh: y^2 = 1 - dy); a
    softmax probability p and its reciprocal r = 1/p (:meth:`reciprocal`) are tied by
    p r = 1; a softmax's probabilities sum to 1, so one of them, p_j, is 1 minus the
    others (the last whose reciprocal is not in use). The rules {p_j -> 1 - sum of the
    others, y_k^2 -> 1 - dy_k, p_q r_q -> 1} have pairwise coprime leading terms, so
    they form a Groebner basis and the remainder on division by them (:meth:`normal`:
    no p_j, every y_k of degree <= 1, no p_q r_q) is a canonical form of the quotient
    ring, which is the ring of functions of the model (a softmax with every reciprocal
    in use keeps its sum unsaid: see :func:`symbptt.checker.decide.check_vector`).

    Args:
        keys: every atom the computation may ask for (see
            :func:`symbptt.rings.values.recorded_ring`).
        square_rules: ``{value_key: (derivative_key, rule)}`` with ``rule(y, dy, one)``
            the value of y^2.
    """

    method = "exact (canonical polynomial form)"
    derivative_atoms = True

    def __init__(
        self,
        keys: Iterable[AtomKey],
        square_rules: dict[AtomKey, tuple[AtomKey, Any]] | None = None,
    ) -> None:
        self.keys: tuple[AtomKey, ...] = tuple(dict.fromkeys(keys))
        self._index = {key: n for n, key in enumerate(self.keys)}
        names = [f"a{n}" for n in range(len(self.keys))] or ["a0"]
        self.ctx = flint.fmpq_mpoly_ctx.get(names)
        self._gens = self.ctx.gens()
        self.zero = self.ctx.from_dict({})
        self.one = self.ctx.constant(1)
        #: (the exponents of the leading monomial, the monomial, its replacement)
        self._rules: list[tuple[dict[int, int], Any, Any]] = []
        #: node generators (:meth:`node`): index -> definition, in the order first met
        self._definitions: dict[int, Any] = {}
        self._substitution: list[Any] | None = None
        for key, (dkey, rule) in (square_rules or {}).items():
            if key in self._index and dkey in self._index:
                y, dy = self.atom(key), self.atom(dkey)
                self._rules.append(({self._index[key]: 2}, y * y, rule(y, dy, self.one)))
        self._rules += self._probability_rules()
        for key in self.keys:
            if len(key) == 2 and key[0] == "inv" and key[1] in self._index:
                lead = {self._index[key[1]]: 1, self._index[key]: 1}
                self._rules.append((lead, self.atom(key[1]) * self.atom(key), self.one))
        self.has_normal_form = bool(self._rules)

    def _probability_rules(self) -> list[tuple[dict[int, int], Any, Any]]:
        """p -> 1 - (the other entries), for one probability of each softmax (its
        entries sum to 1): the last entry whose reciprocal is not in use, so that the
        rule's leading term p is coprime with every other rule's. A softmax all of whose
        reciprocals are in use keeps the relation unsaid (a formula that needs it is
        then not decided: no counterexample is found, and check says so)."""
        rules = []
        keys = set(self.keys)
        groups: dict[Any, list[AtomKey]] = {}
        for key in self.keys:
            at = probability_position(key)
            if at is not None:
                groups.setdefault(at[0], []).append(key)
        for group in groups.values():
            group.sort(key=probability_position)
            if len(group) < 2:
                continue
            free = [k for k in group if ("inv", k) not in keys]
            if not free:
                continue
            dependent = free[-1]
            rest = self.zero
            for k in group:
                if k != dependent:
                    rest = rest + self.atom(k)
            lead = {self._index[dependent]: 1}
            rules.append((lead, self.atom(dependent), self.one - rest))
        return rules

    def normal(self, a: Any) -> Any:
        """Reduce by the rules: one probability of each softmax written by the others,
        every rewritten value atom to degree <= 1, no product of a probability and its
        reciprocal (see the class notes)."""
        if not self._rules or a.is_constant():
            return a
        degrees = a.degrees()
        for lead, monomial, replacement in self._rules:
            if all(degrees[n] >= e for n, e in lead.items()):
                changed = False
                while True:
                    q, r = divmod(a, monomial)
                    if q.is_zero():
                        break
                    a, changed = r + q * replacement, True
                if changed:  # the replacement may bring a later rule's atoms
                    degrees = a.degrees()
        return a

    def equal(self, a: Any, b: Any) -> bool:
        difference = a - b
        if difference.is_zero():
            return True
        if self._definitions:  # zero in the free ring is zero; otherwise eliminate the nodes
            difference = self.expand(difference)
        return self.normal(difference).is_zero()

    def node(self, key: AtomKey, definition: Any) -> Any:
        """A generator of its own for an entry that no function computes, tied to its
        definition by the relation node = definition.

        Why: a gated cell's state is a polynomial in its gates that grows with every step
        (the GRU's h_t = (1 - z_t) n_t + z_t h_(t-1) enters the next gates), and its
        tangents multiply these polynomials step after step: at n = 2, T = 4 the
        expanded forms need tens of gigabytes (the head's output is a node too: its
        value multiplies the tangents of the loss). Forward mode and the chain rule
        compute sums of products of the same local partial derivatives, so a true identity
        between them holds with the node left as a generator; :meth:`equal` eliminates
        the nodes (substitutes the definitions) only when the free forms differ, so the
        verdict is still that of the canonical form of the quotient ring."""
        n = self._index.get(key)
        if n is None:
            return definition
        known = self._definitions.get(n)
        if known is None:
            self._definitions[n] = definition
            self._substitution = None  # the substitution table is made again when asked
        elif known is not definition and known != definition:
            raise ValueError(f"node {atom_name(key)} defined twice differently")
        return self._gens[n]

    def expand(self, a: Any) -> Any:
        """``a`` with every node generator replaced by its definition, recursively (a
        polynomial in the other generators)."""
        if not self._definitions:
            return a
        if self._substitution is None:
            table = list(self._gens)
            for n in sorted(self._definitions):  # a node is defined by earlier ones only
                table[n] = self._definitions[n].compose(*table)
            self._substitution = table
        return a.compose(*self._substitution)

    def const(self, q: Fraction | int) -> Any:
        q = Fraction(q)
        return self.ctx.constant(flint.fmpq(q.numerator, q.denominator))

    def atom(self, key: AtomKey, argument: Any = None) -> Any:
        try:
            return self._gens[self._index[key]]
        except KeyError:
            raise KeyError(f"no generator for atom {atom_name(key)}") from None

    def reciprocal(self, key: AtomKey, argument: Any = None) -> Any:
        return self.atom(("inv", key))

    def atoms_of(self, *polys: Any) -> set[AtomKey]:
        """The atoms that occur in any of the polynomials."""
        used: set[AtomKey] = set()
        for poly in polys:
            for exps in self.expand(poly).to_dict():
                used.update(self.keys[n] for n, e in enumerate(exps) if e)
        return used
