"""The expansion engine: dh_t/dp by the chain rule, one level at a time (note 000, eqns 6-10).

Three kinds of derivative object stay distinct: the total derivative dh_k/dp, the
immediate partial d+h_k/dp and the Jacobian dh_j/dh_{j-1}. Starting from

    dh_t/dp = d+h_t/dp + dh_t/dh_{t-1} dh_{t-1}/dp                       (6)

each level substitutes the one-step rule for the remaining total derivative (7-9) and
distributes the product over it (10), until dh_0/dp = 0 (h_0 does not depend on p)
leaves the sum-of-products form

    dh_t/dp = d+h_t/dp + sum_{i=1}^{t-1} (prod_{j=i+1}^{t} dh_j/dh_{j-1}) d+h_i/dp.

Every form is a sum of :class:`ChainTerm` (a product of consecutive Jacobians times one
leaf). Forms share their leading, already settled terms, so an :class:`Expansion` of
dh_t/dp holds O(t) objects although its 2t forms hold O(t^2) terms in all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Leaf = Literal["immediate", "total", "one_step"]


@dataclass(frozen=True)
class ChainTerm:
    """(prod_{j=first}^{target} dh_j/dh_{j-1}) * leaf(leaf_index).

    The product is empty (1) when ``first > target``. Leaves: ``"immediate"``
    (d+h_i/dp), ``"total"`` (dh_i/dp) or ``"one_step"`` (the parenthesised
    d+h_i/dp + dh_i/dh_{i-1} dh_{i-1}/dp of eqn 9).
    """

    target: int
    first: int
    leaf: Leaf
    leaf_index: int
    param: str

    @property
    def jacobian_indices(self) -> range:
        """The j of the Jacobian factors, latest first (left to right)."""
        return range(self.target, self.first - 1, -1)


@dataclass(frozen=True)
class ExpansionStep:
    """One displayed form: the first ``settled`` settled terms, then ``tail`` (if any).

    Attributes:
        rule: what was done to reach this form.
        equation: the equation of note 000 it corresponds to.
    """

    rule: str
    equation: str
    settled: int
    tail: ChainTerm | None


@dataclass(frozen=True)
class Expansion:
    """All forms of dh_target/dparam, from eqn (6) to the sum of products.

    Attributes:
        settled: the terms of the final form, i = target, target-1, ..., 1
            (term for i is (prod_{j=i+1}^{target} J_j) d+h_i/dp).
        steps: the forms in order; the last one is the sum-of-products instance.
    """

    param: str
    target: int
    settled: tuple[ChainTerm, ...]
    steps: tuple[ExpansionStep, ...]

    def terms(self, step: ExpansionStep) -> tuple[ChainTerm, ...]:
        """The terms of one form."""
        head = self.settled[: step.settled]
        return head + ((step.tail,) if step.tail is not None else ())

    @property
    def sum_of_products(self) -> tuple[ChainTerm, ...]:
        """The final (boxed) form's terms."""
        return self.settled


def plan(target: int, param: str = "w") -> Iterator[tuple[str, str, int, tuple | None]]:
    """The forms of dh_target/dparam as plain tuples
    ``(rule, equation, settled, (first, leaf, leaf_index) or None)``: the step
    sequence of :func:`expand`."""
    t = target
    yield "chain rule", "(6)", 1, (t, "total", t - 1)
    for m in range(1, t):
        r = t - m  # the total derivative being expanded at this level
        yield "substitute the one-step rule", "(7)-(9)", m, (r + 1, "one_step", r)
        yield "distribute", "(10)", m + 1, (r, "total", r - 1)
    yield f"h_0 does not depend on {param}", "(10)", t, None


def expand(target: int, param: str = "w") -> Expansion:
    """Expand dh_target/dparam level by level.

    Args:
        target: t >= 1.
        param: ``"w"`` or ``"v"``.

    Example:
        >>> [s.rule for s in expand(2).steps]
        ['chain rule', 'substitute the one-step rule', 'distribute', 'h_0 does not depend on w']
    """
    if target < 1:
        raise ValueError("the target step must be >= 1")
    t, p = target, param
    settled = tuple(ChainTerm(t, i + 1, "immediate", i, p) for i in range(t, 0, -1))
    steps = tuple(
        ExpansionStep(rule, eq, m, ChainTerm(t, *tail, p) if tail else None)
        for rule, eq, m, tail in plan(t, p)
    )
    return Expansion(p, t, settled, steps)
