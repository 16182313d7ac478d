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
from typing import Any, Literal

import sympy as sp

from .. import expr as E

Leaf = Literal["immediate", "total", "one_step"]
PARAMS = {"w": E.w, "v": E.v}


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

    def leaf_expr(self) -> sp.Expr:
        """The leaf as an expression of :mod:`symbptt.expr`."""
        p, n = PARAMS[self.param], self.leaf_index
        if self.leaf == "immediate":
            return E.immediate(n, p)
        if self.leaf == "total":
            return E.total(n, p)
        return sp.Add(
            E.immediate(n, p),
            sp.Mul(E.jacobian(n), E.total(n - 1, p), evaluate=False),
            evaluate=False,
        )

    def to_expr(self) -> sp.Expr:
        """The term as an (order-preserving, unevaluated) SymPy product."""
        factors = [E.jacobian(j) for j in self.jacobian_indices] + [self.leaf_expr()]
        return sp.Mul(*factors, evaluate=False) if len(factors) > 1 else factors[0]


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

    def to_expr(self, step: ExpansionStep) -> sp.Expr:
        """One form as an unevaluated SymPy sum (terms in the displayed order)."""
        terms = [term.to_expr() for term in self.terms(step)]
        return sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]

    @property
    def sum_of_products(self) -> tuple[ChainTerm, ...]:
        """The final (boxed) form's terms."""
        return self.settled


def plan(target: int, param: str = "w") -> Iterator[tuple[str, str, int, tuple | None]]:
    """The forms of dh_target/dparam as plain tuples
    ``(rule, equation, settled, (first, leaf, leaf_index) or None)``; the single source
    of the step sequence, used by :func:`expand` and by :func:`evaluate_steps`."""
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


def follows_by_rules(
    target: int, param: str = "w", forms: list[tuple[int, tuple | None]] | None = None
) -> bool:
    """Whether each form of dh_target/dp after the first equals the one before it by the
    rule that produced it, so that only the first form needs comparing with the true
    derivative. The forms of :func:`plan` are checked for the shapes of these rules:

    * chain rule (6): the first form, d+h_t/dp + J_t dh_(t-1)/dp, is the one-step rule
      at t (compared exactly);
    * substitute (7)-(9): C dh_r/dp becomes C (d+h_r/dp + J_r dh_(r-1)/dp), equal
      because the one-step rule at r < t holds (it is the first form of dh_r/dp,
      compared before);
    * distribute (10): C (a + b) = C a + C b, with C a the next settled term;
    * h_0 (10): C dh_0/dp is dropped, equal because dh_0/dp = 0 (compared once).

    Forms of any other shape return False: they are then compared one by one.
    ``forms`` (``(settled, tail)`` pairs) stands in for :func:`plan`'s.

    Example:
        >>> follows_by_rules(3)
        True
    """
    t = target
    steps = forms or [(settled, tail) for _rule, _eq, settled, tail in plan(t, param)]
    if steps[0] != (1, (t, "total", t - 1)) or steps[-1] != (t, None):
        return False
    for (m, tail), (m_next, tail_next) in zip(steps, steps[1:]):
        if tail is None:
            return False
        first, leaf, r = tail
        substitute = leaf == "total" and m_next == m and tail_next == (first, "one_step", r)
        distribute = (
            leaf == "one_step"
            and m_next == m + 1
            and t - m == r  # the next settled term is C d+h_r/dp
            and tail_next == (r, "total", r - 1)
        )
        initial = leaf == "total" and r == 0 and m_next == m and tail_next is None
        if first != r + 1 or not (substitute or distribute or initial):
            return False
    return True


class LeafValues:
    """The values of leaves and Jacobians in a ring, tabulated per index."""

    def __init__(self, evaluator: Any, param: str) -> None:
        T = evaluator.T
        self.ring = evaluator.ring
        self.imm = [None] + [evaluator.immediate(param, n) for n in range(1, T + 1)]
        self.jac = [None] + [evaluator.jacobian(n) for n in range(1, T + 1)]
        total = evaluator.reference.dh[param]
        self.leaf = {
            "immediate": self.imm,
            "total": total,
            "one_step": [None]
            + [self.ring.normal(self.imm[n] + self.jac[n] * total[n - 1]) for n in range(1, T + 1)],
        }


def evaluate_steps(target: int, param: str, leaves: LeafValues) -> list[Any]:
    """The value of every form of dh_target/dparam (in :func:`plan` order), with
    O(target) ring operations for all of them together (batched for speed)."""
    ring, t = leaves.ring, target
    # running[n] = prod of the last n Jacobians J_t ... J_{t-n+1} = chain from t+1-n
    running = ring.running_products(leaves.jac[1 : t + 1])
    # prefix[m] = sum of the first m settled terms, i = t, t-1, ..., t-m+1
    prefix = ring.running_dot(running[:t], leaves.imm[t:0:-1])
    steps = list(plan(t, param))
    with_tail = [(settled, tail) for _r, _e, settled, tail in steps if tail is not None]
    tail_values = iter(
        ring.affine(
            [prefix[settled] for settled, _ in with_tail],
            [running[t + 1 - first] for _, (first, _, _) in with_tail],
            [leaves.leaf[leaf][n] for _, (_, leaf, n) in with_tail],
        )
    )
    # a form is its settled prefix, plus (prod of Jacobians) * leaf when it has a tail
    return [
        next(tail_values) if tail is not None else prefix[settled]
        for _r, _e, settled, tail in steps
    ]
