"""The comparisons a formula makes: both sides of every '=' evaluated entry by entry at
every t (and every earlier step k, every entry i, j) where the formula is claimed, in
one ring and one reading (the order of a \\prod, the layout of derivatives). The
checker (:mod:`symbptt.checker.decide`) and the verifier's claims
(:mod:`symbptt.verifier.checks`) decide formulas from these.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import sympy as sp

from symbptt.core.formula import component_indices, free_indices
from symbptt.core.linear import identity
from symbptt.core.spec import Spec
from symbptt.errors import EvaluationError, OutsideModelError
from symbptt.formulas.evaluate import Evaluator
from symbptt.formulas.matrices import ONE, ZERO, Family, Mat, ShapeError, shape_of
from symbptt.rings.algebra import Ring


def formula_comparisons(
    spec: Spec,
    sides: list[sp.Expr] | tuple[sp.Expr, ...],
    ring: Ring,
    order: str = "latest-left",
    ev: Evaluator | None = None,
    layout: str = "mixed",
) -> Iterator[tuple[str, int | None, str | None, Any, Any]]:
    """(label, t, component, lhs entry, rhs entry) for every t where the formula is
    defined (the shape :func:`symbptt.rings.decide.tally` takes), evaluated by ``ev`` (a new
    evaluator in ``ring`` if not given; the verifier shares one between its claims).

    Raises:
        ShapeError: the sides' shapes do not fit (naming them).
        EvaluationError: the formula has no meaning in the model.
    """
    ev = ev or Evaluator(spec, ring, order, layout=layout)
    index, earlier = free_indices(list(sides))
    compiled = [ev.compile(side) for side in sides]
    components = sorted(component_indices(list(sides)), key=str)
    if len(components) > 2:
        raise EvaluationError(
            f"more than two free component indices ({', '.join(map(str, components))}); "
            f"a formula may have one (every entry of a vector) or two (every entry of a matrix)"
        )
    counts = [ev._component_count(sp.Tuple(*sides), c) for c in components]
    compared, skipped = False, ""
    for t, k, entry in _points(spec, index, earlier, counts):
        env = {index: t} if index is not None else {}
        where = f"t={t}" if t is not None else "the formula"
        if k is not None:  # dh_t/dh_k = ...: every earlier step k
            env[earlier] = k
            where += f", {earlier}={k}"
        for var, i in zip(components, entry):  # (nabla_o L)_i = ...: every component i
            env[var] = i
            where += f", {var}={i}"
        try:
            values = [c(env) for c in compiled]
        except ShapeError as err:
            raise ShapeError(f"at {where}: {err}") from None
        except OutsideModelError as err:  # an index out of range: this t is not claimed
            skipped = skipped or f"{err} at {where}"
            continue
        compared = True
        for link, (a, b) in enumerate(zip(values, values[1:])):
            if len(values) > 2:  # a chain A = B = C: say which equals sign
                at = where.split(", ")[: 1 + len(entry) + (k is not None)]
                where = f"{', '.join(at)}, {ORDINALS[min(link, 3)]} '='"
            a, b = _concrete(ev, a, b), _concrete(ev, b, a)
            if not isinstance(a, Mat | Family) and not isinstance(b, Mat | Family):
                # two empty sums or products, whose shape nothing fixes: compare as numbers
                one, zero = ring.one, ring.zero
                yield (
                    where + ("" if spec.model.scalar else ", entry [0,0]"),
                    t,
                    None,
                    one if a is ONE else zero,
                    one if b is ONE else zero,
                )
                continue
            if isinstance(a, Family) != isinstance(b, Family):  # a gradient and a matrix
                a, b = ev.as_gradient(a), ev.as_gradient(b)
            _same_shape(a, b, where)
            for (label, component, x), (_, y) in zip(_entries(spec, a), b.entries()):
                yield where + label, t, component, x, y
    if skipped and not compared:  # no point in range: say what is out of it
        raise EvaluationError(f"no step has every index of the formula in range ({skipped})")


ORDINALS = ("first", "second", "third", "fourth or later")


def _points(
    spec: Spec, index: sp.Symbol | None, earlier: sp.Symbol | None, counts: list[Any]
) -> Iterator[tuple[int | None, int | None, tuple[int, ...]]]:
    """(t, k, components) at which a formula is claimed: every t if it has a free index;
    with a second one, every earlier step k = 0..t-1 (the claim no source means less
    than: dh_t/dh_k for k < t); and every component i (and j) of the vectors each free
    component index counts."""
    for t in range(1, spec.T + 1) if index is not None else [None]:
        for k in range(0, t) if earlier is not None and t is not None else [None]:
            env = {index: t} if index is not None else {}
            if k is not None:
                env[earlier] = k
            try:
                sizes = [count(env) for count in counts]
            except OutsideModelError:
                continue
            for entry in itertools.product(*(range(1, n + 1) for n in sizes)):
                yield t, k, entry


def _entries(spec: Spec, value: Mat | Family) -> list[tuple[str, str | None, Any]]:
    """The value's entries with the end of their labels (", entry [r,c]") and, in the
    scalar model, the component of w_h = (v, w) they belong to: there a number has no
    entry label, and the entries of a derivative by w_h are its components v and w."""
    if not spec.model.scalar:
        return [(f", entry {label}", None, x) for label, x in value.entries()]
    entries = [x for _, x in value.entries()]
    if len(entries) == 1:
        return [("", None, entries[0])]
    views = [view for view in spec.model.views if len(view.parts) == len(entries)]
    if len(views) != 1:
        return [(f", entry {label}", None, x) for label, x in value.entries()]
    view = views[0]
    return [(f", component {part} of {view.name}", part, x) for part, x in zip(view.parts, entries)]


def _concrete(ev: Evaluator, value: Any, other: Any) -> Any:
    """An empty sum (0) or empty product (the identity) in the shape of the other side."""
    if isinstance(value, Mat | Family):
        return value
    if isinstance(other, Family):
        members = {k: _concrete(ev, value, m) for k, m in other.members.items()}
        if all(isinstance(m, Mat) for m in members.values()):
            return Family(other.param, members)
        return value
    if not isinstance(other, Mat):
        return value
    rows, cols = other.shape
    if value is ZERO:
        return Mat(tuple(tuple(ev.ring.zero for _ in range(cols)) for _ in range(rows)))
    if value is ONE and rows == cols:
        return Mat(tuple(map(tuple, identity(rows, ev.ring))))
    return value


def _same_shape(a: Any, b: Any, where: str) -> None:
    if shape_of(a) != shape_of(b):
        raise ShapeError(
            f"at {where}: the sides have different shapes ({shape_of(a)} and {shape_of(b)})"
        )


#: How a formula may be read: the order of a \prod of matrices and the layout of its
#: derivatives.
Reading = tuple[str, str]
