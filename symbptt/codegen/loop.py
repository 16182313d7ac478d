"""The backward loop of the generated code, planned so that each step makes few NumPy calls.

A backward program whose steps read each other at t + 1 (the LSTM's delta_h_t and
delta_c_t, the GRU's delta_h_t) runs in one loop over t = T..1. At n = 64 a step costs
what its NumPy calls cost to start, not their arithmetic, so the plan rewrites the
program's expressions into equal ones that make fewer calls in the loop:

* a **carrier** is a vector the loop reads at t + 1 through a transposed matrix, such as
  the LSTM's di_(t+1) * c_tilde_(t+1) * delta_c_(t+1) in W_hi^T (...): it is computed
  once, at step t + 1, into an array of its own; the gradients whose left factor it is
  (dL/dW_hi, dL/db_hi) read that array;
* the carriers that one sum multiplies by transposed matrices share one array, so that
  sum_k W_k^T e_k = [W_1; W_2; ...]^T [e_1; e_2; ...] is one product per step;
* every factor of a product and every term of a sum that does not involve the loop's
  steps is computed for all t before the loop (tanh'(c_t) * o_t, W_hy^T g_t).

A carrier is read first at t = T + 1, where its array is zero: it is made only of
products that vanish with the loop's steps (:func:`vanishes`), which are zero there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from symbptt.core.tensor import (
    Add,
    Expr,
    Had,
    LossScale,
    MatVec,
    Neg,
    Param,
    Sub,
    Transpose,
    Var,
    rebuild,
    shifted,
    sum_of,
    summands,
    variables,
)


def vanishes(expr: Expr, names: set[str]) -> bool:
    """Whether ``expr`` is zero whenever the vectors ``names`` are (at any shift)."""
    if isinstance(expr, Var):
        return expr.name in names
    if isinstance(expr, Had):
        return vanishes(expr.left, names) or vanishes(expr.right, names)
    if isinstance(expr, (Add, Sub)):
        return vanishes(expr.left, names) and vanishes(expr.right, names)
    if isinstance(expr, MatVec):
        return vanishes(expr.vector, names)
    if isinstance(expr, (Neg, LossScale)):
        return vanishes(expr.arg, names)
    return False


def reads(expr: Expr, names: set[str]) -> bool:
    """Whether ``expr`` reads one of ``names`` (at any shift)."""
    return any(v.name in names for v in variables(expr))


@dataclass
class Stack:
    """Carriers side by side in one array ``array``; ``matrix`` is [W_1; W_2; ...]."""

    array: str
    matrix: str
    #: (carrier, W_k), in the order of the array's columns
    members: list[tuple[str, str]]

    def product(self, shift: int) -> Expr:
        """sum_k W_k^T e_k at t + shift, as one product."""
        return MatVec(Transpose(Param(self.matrix)), Var(self.array, shift))


@dataclass
class LoopPlan:
    """A backward loop, rewritten: what is computed before it, and its body."""

    #: (name, expression) computed for all t before the loop, in order
    before: list[tuple[str, Expr]] = field(default_factory=list)
    #: (name, expression at step t) in the loop, in order: the steps, then the carriers
    body: list[tuple[str, Expr]] = field(default_factory=list)
    #: carrier name -> its expression at step t (as the program spells it)
    carriers: dict[str, Expr] = field(default_factory=dict)
    stacks: list[Stack] = field(default_factory=list)

    def substitute(self, expr: Expr) -> Expr:
        """``expr`` (a gradient's factor, dL/dh_0 at t = 1) reading the carriers' arrays
        wherever it spells a carrier out, and a stack's product where it is the whole
        sum of a stack."""
        by_expr = {e: name for name, e in self.carriers.items()}

        def walk(e: Expr) -> Expr:
            return Var(by_expr[e]) if e in by_expr else rebuild(e, walk)

        return self._stacked(walk(expr))

    def _stacked(self, expr: Expr) -> Expr:
        terms = summands(expr)
        for stack in self.stacks:
            wanted = [MatVec(Transpose(Param(w)), Var(c)) for c, w in stack.members]
            if all(term in terms for term in wanted):
                rest = [term for term in terms if term not in wanted]
                return sum_of([*rest, stack.product(0)])
        return expr


def plan_loop(steps: list[tuple[str, Expr]], fresh: Callable[[str], str]) -> LoopPlan:
    """The plan of one backward loop over ``steps`` (name, expression at t), which read
    each other at t + 1. ``fresh(kind)`` names a new array (kind: "carrier", "part",
    "stack" or "matrix")."""
    names = {name for name, _ in steps}
    plan = LoopPlan()

    def carrier(vector: Expr, shift: int = 1) -> str:
        """The carrier of ``vector`` (read at t + shift), made on first use; the
        products inside it that are carriers of their own are made first."""
        at_t = rebuild(shifted(vector, -shift), inner)
        for name, known in plan.carriers.items():
            if known == at_t:
                return name
        name = fresh("carrier")
        plan.carriers[name] = at_t
        names.add(name)  # a quantity of the loop, which vanishes with its steps
        return name

    def inner(expr: Expr) -> Expr:
        """``expr`` with each product W^T v that it reads at one shift (v vanishing with
        the loop's steps) read from a carrier: computed once per step however often it is
        read (Cho et al.'s GRU reads W_hh^T (...) twice)."""
        if isinstance(expr, MatVec) and _carries(expr, names, None):
            shift = _shift(expr.vector, names)
            return Var(carrier(expr, shift), shift)
        return rebuild(expr, inner)

    def before(expr: Expr) -> Expr:
        if isinstance(expr, Var):
            return expr
        name = fresh("part")
        plan.before.append((name, expr))
        return Var(name)

    def hoisted(expr: Expr) -> Expr:
        """``expr`` with its parts that do not read the loop's steps computed before."""
        if not reads(expr, names):
            return before(expr)
        if isinstance(expr, (Add, Sub)):
            common = _common_factor(expr, names)
            if common is not None:  # a x + b x = (a + b) x, a and b before the loop
                coefficient, factor = common
                return Had(before(coefficient), hoisted(factor))
        if isinstance(expr, Add):
            terms = summands(expr)
            free = [term for term in terms if not reads(term, names)]
            bound = [hoisted(term) for term in terms if reads(term, names)]
            return sum_of([before(sum_of(free)), *bound] if free else bound)
        scaled = isinstance(expr, LossScale)
        core = expr.arg if scaled else expr
        if not isinstance(core, Had):
            return LossScale(hoisted(core)) if scaled else rebuild(expr, hoisted)
        factors = []
        for f in _factors(core):  # a x + b x inside a product: (a + b) is one more factor
            common = _common_factor(f, names) if isinstance(f, (Add, Sub)) else None
            factors += list(common) if common is not None else [f]
        free = [f for f in factors if not reads(f, names)]
        bound = [hoisted(f) for f in factors if reads(f, names)]
        if free:
            part = _product(free)
            free = [before(LossScale(part) if scaled else part)]
            scaled = False
        out = _product([*free, *bound])
        return LossScale(out) if scaled else out

    for name, expr in steps:
        terms, carried = [], []
        for term in summands(expr):
            if _carries(term, names):
                carried.append((carrier(term.vector), term.matrix.arg.name))
            else:
                terms.append(term)
        if len(carried) >= 2:
            stack = Stack(fresh("stack"), fresh("matrix"), carried)
            plan.stacks.append(stack)
            extra = [stack.product(1)]
        else:
            extra = [MatVec(Transpose(Param(w)), Var(c, 1)) for c, w in carried]
        body = [hoisted(inner(sum_of(terms)))] if terms else []
        plan.body.append((name, sum_of([*body, *extra])))
    for name, expr in plan.carriers.items():
        plan.body.append((name, hoisted(expr)))
    return plan


def _carries(term: Expr, names: set[str], shift: int | None = 1) -> bool:
    """Whether ``term`` is W^T v with v a product (not a lone vector) that reads the
    loop's steps at t + ``shift`` only (None: at any one shift) and vanishes with them."""
    return (
        isinstance(term, MatVec)
        and isinstance(term.matrix, Transpose)
        and not isinstance(term.vector, Var)
        and vanishes(term.vector, names)
        and _shift(term.vector, names) is not None
        and (shift is None or _shift(term.vector, names) == shift)
    )


def _shift(expr: Expr, names: set[str]) -> int | None:
    """The one shift at which ``expr`` reads the loop's steps (None: several)."""
    shifts = {v.shift for v in variables(expr) if v.name in names}
    return shifts.pop() if len(shifts) == 1 else None


def _signed(expr: Expr, sign: int = 1) -> list[tuple[int, Expr]]:
    """The terms of a sum or difference with their signs."""
    if isinstance(expr, Add):
        return _signed(expr.left, sign) + _signed(expr.right, sign)
    if isinstance(expr, Sub):
        return _signed(expr.left, sign) + _signed(expr.right, -sign)
    if isinstance(expr, Neg):
        return _signed(expr.arg, -sign)
    return [(sign, expr)]


def _common_factor(expr: Expr, names: set[str]) -> tuple[Expr, Expr] | None:
    """(a + b - ..., x) for a sum a x + b x - ... whose terms are products of factors
    free of the loop's steps and one and the same factor x that reads them."""
    coefficients, common = [], None
    for sign, term in _signed(expr):
        factors = _factors(term)
        bound = [f for f in factors if reads(f, names)]
        free = [f for f in factors if not reads(f, names)]
        if len(bound) != 1 or not free or (common is not None and bound[0] != common):
            return None
        common = bound[0]
        part = _product(free)
        coefficients.append(part if sign > 0 else Neg(part))
    if len(coefficients) < 2:
        return None
    total = coefficients[0]
    for c in coefficients[1:]:
        total = Sub(total, c.arg) if isinstance(c, Neg) else Add(total, c)
    return total, common


def _factors(expr: Expr) -> list[Expr]:
    """The factors of an elementwise product, left to right."""
    if isinstance(expr, Had):
        return _factors(expr.left) + _factors(expr.right)
    return [expr]


def _product(factors: list[Expr]) -> Expr:
    """The elementwise product of one or more factors, right-nested (a * (b * c))."""
    out = factors[-1]
    for factor in reversed(factors[:-1]):
        out = Had(factor, out)
    return out
