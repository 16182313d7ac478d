r"""The work a formula's check asks for, estimated before anything is computed.

:func:`symbptt.formulas.estimate.estimate` counts the evaluations of a formula's nested sums,
products and powers; what it cannot see is what one evaluation costs. Two things grow
with the model and with T, and are estimated here from the formula's derivatives alone:

* **forward-mode passes.** Every derivative is read from a forward-mode pass of the
  unrolled model seeded at its denominator (:meth:`symbptt.formulas.evaluate.Evaluator.run`):
  one pass of T steps per entry of a parameter, one pass from step k per entry of a
  node at step k (so a derivative by s_t at every t costs n T (T + 1) / 2 steps). A step
  costs :func:`symbptt.limits.step_units` work units; the passes are shared by every t
  and every derivative with the same denominator.
* **exact canonical forms.** In the exact method the derivative of a state at t by a
  parameter is a polynomial of about T terms, of L by a parameter about T^2; a product
  of two of them, summed over t, has about T^3 (a 161-character formula at T = 300
  asks for 9 million terms of kilobytes each). :func:`estimate_terms` bounds the
  terms from these sizes (products multiply, sums add, a sum over a range multiplies by
  its length), and a formula far above :data:`symbptt.limits.MAX_TERMS` is refused at
  once rather than after gigabytes.
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp

from symbptt import limits
from symbptt.core import derivatives as E
from symbptt.core.formula import Component, Node, ParamAt, StateAt, VImmediate, VTotal
from symbptt.core.method import MethodChoice
from symbptt.errors import WorkLimitError
from symbptt.formulas.estimate import index_interval
from symbptt.read.vocabulary import vocabulary

#: A formula whose estimated terms are this many times :data:`symbptt.limits.MAX_TERMS`
#: is refused before it is evaluated (the estimate is rough: terms of a sum of products
#: often coincide; below this the limits met while evaluating decide).
TERMS_MARGIN = 4


def require_bounded(spec: Any, sides: list[sp.Expr], method: str) -> None:
    """Refuse a formula whose forward-mode passes or (exact method) canonical forms are
    estimated beyond the limits, before anything is computed.

    Raises:
        WorkLimitError: naming the estimate and the limit.
    """
    units, what = estimate_passes(spec, sides)
    rings = 2 if method == "exact" else 1  # exact: a recording run, then the exact one
    limits.require_work(units * rings, what)
    if method == "exact":
        terms = estimate_terms(spec, sides)
        if terms > TERMS_MARGIN * limits.MAX_TERMS:
            raise WorkLimitError(
                f"the formula's exact canonical forms would have about {terms} terms "
                f"(products and sums of derivatives by parameters at T = {spec.T}), above "
                f"the limit of {limits.MAX_TERMS}; use the modular method "
                f"(--method modular) or a smaller T"
            )


def auto_method(spec: Any, sides: list[sp.Expr], choice: MethodChoice) -> MethodChoice:
    """``--method auto`` for one formula, its estimates checked once
    (:func:`require_bounded`): the model's exact limits chose ``choice``; an exact check
    whose estimated canonical forms or passes are beyond the limits is modular instead
    (the modular method answers it within them).

    Raises:
        WorkLimitError: the modular method's passes beyond the limit too.
    """
    if choice.name == "exact":
        try:
            require_bounded(spec, sides, "exact")
            return choice
        except WorkLimitError as err:
            choice = MethodChoice.by_auto("modular", err.reason)
    require_bounded(spec, sides, "modular")
    return choice


def _ranges(sides: list[sp.Expr], T: int) -> dict:
    """Every integer symbol ranges over 0..T + 1 (a bound on what any index reaches);
    the horizon is T."""
    out: dict = {E.T: (T, T)}
    for side in sides:
        for symbol in side.free_symbols:
            if getattr(symbol, "is_integer", False) and symbol != E.T:
                out[symbol] = (0, T + 1)
    for side in sides:  # indices bound by sums and products
        for big in side.atoms(sp.Sum, sp.Product):
            for var, *_ in big.limits:
                out.setdefault(var, (0, T + 1))
    return out


def estimate_passes(spec: Any, sides: list[sp.Expr]) -> tuple[float, str]:
    """The work units of the forward-mode passes the formula's derivatives ask for, and
    a description ("264 forward-mode passes of ..."). A pass seeded at a parameter entry
    runs T steps; one seeded at an entry of a node at step k runs from k to T."""
    T = spec.T
    vocab = vocabulary(spec.model)
    ranges = _ranges(sides, T)
    parameters: set[str] = set()
    nodes: dict[str, tuple[int, int]] = {}  # kind -> the steps it is seeded at
    copies: dict[str, tuple[int, int]] = {}  # parameter -> the steps of its copies (W^{(t)})

    def seeded_at(den: Any) -> None:
        if isinstance(den, Component | StateAt):
            den = den.args[0]
        if isinstance(den, ParamAt):
            steps = index_interval(den.args[1], ranges) or (1, T)
            low, high = max(steps[0], 1), min(steps[1], T)
            if low <= high:
                old = copies.get(str(den.args[0]), (low, high))
                copies[str(den.args[0])] = (min(old[0], low), max(old[1], high))
        elif isinstance(den, sp.Symbol) and str(den) in spec.gradients:
            parameters.add(str(den))
        elif isinstance(den, Node | E.HiddenState):
            kind = getattr(den, "kind", None) or (vocab.states[:1] or ("h",))[0]
            steps = index_interval(den.args[0], ranges) or (0, T)
            low, high = max(steps[0], 0), min(steps[1], T)
            if low <= high:
                old = nodes.get(kind, (low, high))
                nodes[kind] = (min(old[0], low), max(old[1], high))

    for side in sides:
        for d in side.atoms(VTotal, VImmediate):
            seeded_at(d.args[1])
            if isinstance(d, VImmediate):  # h_(t-1) held fixed: passes from every state
                for state in vocab.states:
                    nodes[state] = (0, T)
        for node in side.atoms(Node):
            if node.kind in vocab.adjoints:  # dL/ds_t written as delta_t
                steps = index_interval(node.args[0], ranges) or (1, T)
                kind = vocab.adjoints[node.kind]
                low, high = max(steps[0], 1), min(steps[1], T)
                if low <= high:
                    old = nodes.get(kind, (low, high))
                    nodes[kind] = (min(old[0], low), max(old[1], high))
    passes, steps = 1, T  # the unseeded forward pass
    for name in parameters:
        rows, cols = spec.shape(name)
        passes += rows * cols
        steps += rows * cols * T
    for name, (low, high) in copies.items():  # a pass per entry and step, from that step
        rows, cols = spec.shape(name)
        passes += rows * cols * (high - low + 1)
        steps += rows * cols * sum(T - k + 1 for k in range(low, high + 1))
    for kind, (low, high) in nodes.items():
        width = spec.model.shape(kind)[0] if kind in _variables(spec) else 1
        passes += width * (high - low + 1)
        # a pass from step k runs T - k + 1 steps
        steps += width * sum(T - k + 1 for k in range(low, high + 1))
    units = steps * limits.step_units(spec.model.parameter_entries)
    return units, f"{passes} forward-mode passes of {steps} steps in all"


def _variables(spec: Any) -> set[str]:
    return {v.name for v in spec.model.variables}


def estimate_terms(spec: Any, sides: list[sp.Expr]) -> int:
    """A rough bound on the terms of the largest exact canonical form the formula makes:
    a derivative by a parameter has about T terms (of L: T^2), one of L by a node T,
    anything else one; a product multiplies, a sum adds, a sum over a range multiplies
    by its length, a power by its exponent (of the base's terms)."""
    T = spec.T
    ranges = _ranges(sides, T)
    cap = 10**12

    def terms(e: Any) -> int:
        if isinstance(e, VTotal | VImmediate):
            if isinstance(e, VImmediate):
                return 1
            num, den = e.args
            if isinstance(den, Component):
                den = den.args[0]
            scalar = num == E.L or isinstance(num, E.StepLoss)
            if isinstance(den, sp.Symbol) and str(den) in spec.gradients:
                return T * T if scalar else T
            return T if scalar else 1
        if isinstance(e, sp.Add):
            return min(sum(terms(a) for a in e.args), cap)
        if isinstance(e, sp.Mul):
            out = 1
            for a in e.args:
                out = min(out * terms(a), cap)
            return out
        if isinstance(e, sp.Pow) and e.exp.is_Integer and int(e.exp) >= 0:
            base, k = terms(e.base), int(e.exp)
            # the monomials of p^k are multisets of k of p's terms
            return 1 if base == 1 else min(math.comb(k + base - 1, base - 1), cap)
        if isinstance(e, sp.Sum):
            length = 1
            for _var, low, high in e.limits:
                lo = index_interval(low, ranges)
                hi = index_interval(high, ranges)
                if lo is not None and hi is not None:
                    length *= max(hi[1] - lo[0] + 1, 1)
                else:
                    length *= T
            return min(length * terms(e.function), cap)
        if isinstance(e, sp.Product):  # a chain of Jacobians: monomials
            body = terms(e.function)
            return 1 if body == 1 else min(math.comb(T + body - 1, body - 1), cap)
        if isinstance(e, sp.Basic) and e.args:
            return max((terms(a) for a in e.args if isinstance(a, sp.Basic)), default=1)
        return 1

    return max((terms(side) for side in sides), default=1)
