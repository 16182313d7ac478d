"""Checking gradient formulas: ``check(equation)`` and ``assert_equivalent(lhs, rhs)``.

A formula is parsed (:mod:`symbptt.notation`), given its meaning in the model, and
compared with the truth for every t = 1..T at which every index it mentions lies in the
model, exactly (canonical polynomial forms) or by the modular method. When it does not
hold, the result carries the first t where it fails, a counterexample at concrete
inputs, and an explanation.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from typing import Any

import sympy as sp

from . import expr as E
from . import limits
from .algebra import ModularRing, Ring
from .equivalence import find_counterexample, singles
from .errors import EvaluationError, FormulaSyntaxError, NotEquivalentError, SpecError
from .limits import require_exact_size
from .model import RNNSpec, choose_from, require_spec
from .notation.meaning import W_PAIR, parse
from .notation.parse import Parsed
from .render.printer import latex
from .values import RecordingRing, canonical_ring
from .vector.model import ElmanSpec
from .verdict import FormulaCheckResult, tally
from .verify import DEFAULT_FORMULAS, METHOD_NAMES, make_context


def _components(sides: list[sp.Expr]) -> list[tuple[str | None, list[sp.Expr]]]:
    """w_h is the pair (v, w): a formula in it must hold for each component."""
    if not any(W_PAIR in side.free_symbols for side in sides):
        return [(None, sides)]
    return [
        (name, [side.xreplace({W_PAIR: p}) for side in sides])
        for name, p in (("w", E.w), ("v", E.v))
    ]


def _free_index(sides: list[sp.Expr]) -> sp.Symbol | None:
    free = set().union(*(side.free_symbols for side in sides)) - {E.w, E.v, E.L, E.T, W_PAIR}
    if len(free) > 1:
        raise FormulaSyntaxError(
            f"more than one free index ({', '.join(sorted(map(str, free)))}); "
            f"a formula may have one, meaning every t"
        )
    return next(iter(free), None)


def _comparisons(spec: RNNSpec, sides: list[sp.Expr], ring: Ring) -> Iterator[tuple]:
    """(label, t, component, lhs, rhs) for every t where the formula is defined."""
    ctx = make_context(spec, ring, DEFAULT_FORMULAS, "forward")
    ev = ctx.evaluator
    for component, parts in _components(sides):
        index = _free_index(parts)
        steps = range(1, spec.T + 1) if index is not None else [None]
        compiled = [ev.compile(part) for part in parts]
        for t in steps:
            env = {index: t} if index is not None else {}
            try:
                values = [c(env) for c in compiled]
            except EvaluationError as err:
                if "outside the model" in str(err):
                    continue  # an index out of range: this t is not claimed
                raise
            for a, b in zip(values, values[1:]):
                label = (f"t={t}" if t is not None else "the formula") + (
                    f", component {component} of w_h" if component else ""
                )
                yield label, t, component, a, b


def check(
    equation: str,
    *,
    model: RNNSpec | ElmanSpec | None = None,
    T: int | None = None,
    method: str = "exact",
    seed: int = 0,
) -> FormulaCheckResult:
    """Check a gradient formula written in LaTeX against the model.

    Args:
        equation: e.g. ``r"\\frac{\\partial L}{\\partial s_t} = \\frac{\\partial L}
            {\\partial h_t} \\phi'(s_t)"``; chains ``A = B = C`` check each ``=``.
        model: the model (default: generic phi, theta and l, mean loss); an
            :class:`~symbptt.vector.model.ElmanSpec` checks vector formulas
            (``\\mathbf{h}_t``, ``W_{hh}^\\top``, ``\\operatorname{diag}``, ``\\odot``).
        T: the horizon (default: the model's, or 4).
        method: ``"exact"`` or ``"modular"``.

    Raises:
        FormulaSyntaxError: the formula cannot be parsed or understood (with its column).
        SpecError: bad model options.

    Example:
        >>> check(r"\\frac{\\partial h_t}{\\partial h_{t-1}} = \\phi'(s_t) w").holds
        True
    """
    choose_from("method", method, METHOD_NAMES)
    spec = _resolve_spec(model, T)
    if not isinstance(spec, RNNSpec):  # a vector model: the Elman RNN or a cell
        from .vector.check import check_vector

        return check_vector(equation, spec, method=method, seed=seed)
    require_exact_size(spec, method)
    parsed = parse(equation)
    return _decide_bounded(equation, spec, parsed, method, seed)


def _decide_bounded(
    equation: str, spec: RNNSpec, parsed: Parsed, method: str, seed: int
) -> FormulaCheckResult:
    """Decide within the work limits (:mod:`symbptt.limits`): estimated first, then
    under a budget."""
    limits.estimate(
        parsed.sides,
        spec.T,
        steps=spec.T * len(_components(parsed.sides)),
        T_symbol=E.T,
        memoized_products=True,
    )
    try:
        with limits.budget():
            return _decide(equation, spec, parsed, method, seed)
    except EvaluationError as err:
        raise FormulaSyntaxError(f"the formula has no meaning in the model: {err}") from None


def _resolve_spec(model: RNNSpec | ElmanSpec | None, T: int | None) -> RNNSpec | ElmanSpec:
    """The model (default: generic, T = 4), with T replaced when one is given.

    Raises:
        SpecError: ``model`` is not an RNNSpec or ElmanSpec instance, or T is invalid.
    """
    if model is not None:
        require_spec(model, "model")
    if T is not None and (isinstance(T, bool) or not isinstance(T, int)):
        raise SpecError(f"T must be an integer, got {T!r}")
    spec = model or RNNSpec(T=T or 4)
    if T is not None and T != spec.T:
        spec = dataclasses.replace(spec, T=T)
    return spec


def _decide(
    equation: str, spec: RNNSpec, parsed: Any, method: str, seed: int
) -> FormulaCheckResult:
    sides = parsed.sides
    if method == "exact":
        recorder = RecordingRing()
        for _ in _comparisons(spec, sides, recorder):
            pass
        ring: Ring = canonical_ring(spec, tuple(dict.fromkeys(recorder.keys)))
    else:
        ring = ModularRing(random.Random(seed))
    verdict = tally(ring, _comparisons(spec, sides, ring), spec.T)
    counterexample = None
    explanation = verdict.explanation()
    if not verdict.holds:
        counterexample = find_counterexample(
            spec,
            lambda point: singles(
                (lab, a, b) for lab, _, _, a, b in _comparisons(spec, sides, point)
            ),
            verdict.failure,
            seed=seed,
            relevant=verdict.relevant,
        )
        explanation += _why(spec, sides, method, seed)
    return FormulaCheckResult(
        equation,
        verdict.holds,
        ring.method,
        tuple(verdict.results),
        counterexample,
        explanation,
        tuple(parsed.warnings),
        tuple(parsed.notes),
    )


def _why(spec: RNNSpec, sides: list[sp.Expr], method: str, seed: int) -> str:
    """Point at the usual slip: total derivatives where immediate partials are meant."""
    totals = [
        d
        for side in sides[1:]
        for d in side.atoms(E.TotalDerivative)
        if isinstance(d.num, E.HiddenState) and (d.den in (E.w, E.v, W_PAIR))
    ]
    if not totals:
        return ""
    fixed = [sides[0]] + [
        side.xreplace({d: E.ImmediatePartial(d.num, d.den) for d in totals}) for side in sides[1:]
    ]
    ring = canonical_ring(spec) if method == "exact" else ModularRing(random.Random(seed))
    try:
        if all(ring.equal(a, b) for *_, a, b in _comparisons(spec, fixed, ring)):
            names = ", ".join(sorted({latex(d) for d in totals}))
            return (
                f"; on the right-hand side {names} must be the immediate partial "
                f"(\\partial^+, h_(t-1) held fixed), not the total derivative: with "
                f"immediate partials there it holds"
            )
    except (EvaluationError, KeyError):
        return ""
    return ""


def assert_equivalent(
    lhs: str | sp.Expr,
    rhs: str | sp.Expr,
    *,
    model: RNNSpec | ElmanSpec | None = None,
    T: int | None = None,
    method: str = "exact",
) -> None:
    """Assert that two gradient formulas mean the same for every t.

    Each side is a LaTeX string or a SymPy expression in the model's symbols
    (:mod:`symbptt.expr`).

    Raises:
        NotEquivalentError: (an AssertionError) with the t, a counterexample and, for
            sums of products, the first term that differs.
    """
    choose_from("method", method, METHOD_NAMES)
    spec = _resolve_spec(model, T)
    require_exact_size(spec, method)
    for side in (lhs, rhs):
        if not isinstance(side, str | sp.Basic):
            raise SpecError(
                f"each side must be a LaTeX string or a SymPy expression, got {type(side).__name__}"
            )
    if not isinstance(spec, RNNSpec):  # a vector model: the Elman RNN or a cell
        from .vector.check import check_vector
        from .vector.formula import parse_vector

        sides = [
            s
            if isinstance(s, sp.Basic)
            else parse_vector(s, expression=True, model=spec.model).sides[0]
            for s in (lhs, rhs)
        ]
        result = check_vector(Parsed(sides), spec, method=method)
        if not result.holds:
            message = f"not equivalent: {result.explanation}"
            if result.counterexample:
                message += "\n  counterexample " + result.counterexample.describe()
            raise NotEquivalentError(
                message, lhs=lhs, rhs=rhs, counterexample=result.counterexample
            )
        return
    sides = [
        s if isinstance(s, sp.Basic) else parse(s, expression=True).sides[0] for s in (lhs, rhs)
    ]
    result = _decide_bounded(f"{lhs} = {rhs}", spec, Parsed(sides), method, 0)
    if result.holds:
        return
    message = f"not equivalent: {result.explanation}"
    term = _first_differing_term(spec, sides, result)
    if term:
        message += f"; first term that differs: {term}"
    if result.counterexample:
        message += "\n  counterexample " + result.counterexample.describe()
    raise NotEquivalentError(message, lhs=lhs, rhs=rhs, counterexample=result.counterexample)


def _first_differing_term(spec: RNNSpec, sides: list[sp.Expr], result: FormulaCheckResult) -> str:
    """For sums of products at the failing t: the first term of one side with no equal
    term on the other."""
    failing = result.failing
    if failing is None or failing.t is None:
        return ""
    ring = canonical_ring(spec)
    ctx = make_context(spec, ring, DEFAULT_FORMULAS, "forward")
    expanded = []
    for side in sides:
        side = side.xreplace({W_PAIR: E.w if failing.component != "v" else E.v})
        free = [s for s in side.free_symbols if s not in (E.w, E.v, E.L, E.T)]
        side = E.instantiate(side, free[0], failing.t) if free else side
        terms = []
        for part in sp.Add.make_args(side):  # a concrete sum stands for its terms
            terms.extend(sp.Add.make_args(part.doit()) if isinstance(part, sp.Sum) else [part])
        try:
            expanded.append([(t, ring.normal(ctx.evaluator.value(t))) for t in terms])
        except (EvaluationError, KeyError):
            return ""
    if len(expanded[0]) < 2 or len(expanded[1]) < 2:  # only for two sums of products
        return ""
    left, right = expanded
    for term, value in left + right:
        others = right if (term, value) in left else left
        if not any(ring.equal(value, v) for _, v in others):
            return latex(term)
    return ""
