r"""Checking vector gradient formulas against the Elman model.

``check_vector(r"\boldsymbol\delta_t = \operatorname{diag}(\phi'(\mathbf s_t)) (...)", spec)``
reads the formula with :func:`symbptt.engine.formula.parse_vector`, evaluates both sides
entry by entry for every t = 1..T at which every index lies in the model, and decides
equality exactly (canonical forms, n <= 3, T <= 6) or by the modular method. One that
does not hold gets a counterexample: values at which both sides are defined and differ.

Derivatives are read in the mixed layout (the Jacobian dv/du with rows following v, the
gradient dL/dP in P's shape); a formula that does not hold so is read in the numerator
and the denominator layout too (``layout="auto"``), and the result says in which it
holds. A formula whose shapes fit in no layout has no value: it is refused
(FormulaSyntaxError, exit 2), never called false, except when its left side transposed
equals its right side, a contradiction of shapes that the result states as such ("holds
up to transposition").

A ``\prod`` of matrices does not say in which order its factors are multiplied. It is
read both ways: latest-left (the factor with the largest index first, J_t ... J_{i+1},
as Jacobian chains multiply) and earliest-left (J_{i+1} ... J_t). If only one reading
holds, the result says which.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import sympy as sp

from .. import expr as E
from .. import limits
from ..algebra import ModularRing, Ring
from ..core.tensor import identity
from ..equivalence import find_counterexample, singles
from ..errors import EvaluationError, FormulaSyntaxError
from ..limits import require_exact_size
from ..model import METHOD_NAMES, choose_from, require_spec
from ..values import recorded_ring
from ..verdict import FormulaCheckResult, Tally, tally
from .compile import LAYOUTS
from .evaluate import Evaluator
from .matrices import ONE, ZERO, Family, Mat, ShapeError, shape_of
from .model import ElmanSpec
from .nodes import (
    Node,
    Transposed,
    VImmediate,
    VTotal,
    component_indices,
    free_indices,
    has_product,
)
from .vocabulary import vocabulary

if TYPE_CHECKING:
    from ..notation.parse import Parsed
    from ..notation.profiles import Profile

READINGS = {
    "latest-left": "with the latest factor on the left (j decreasing: J_t ... J_(i+1))",
    "earliest-left": "with the earliest factor on the left (j increasing: J_(i+1) ... J_t)",
}


def formula_comparisons(
    spec: ElmanSpec,
    sides: list[sp.Expr] | tuple[sp.Expr, ...],
    ring: Ring,
    order: str = "latest-left",
    ev: Evaluator | None = None,
    layout: str = "mixed",
) -> Iterator[tuple[str, int | None, str | None, Any, Any]]:
    """(label, t, component, lhs entry, rhs entry) for every t where the formula is
    defined (the shape :func:`symbptt.verdict.tally` takes), evaluated by ``ev`` (a new
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
        except EvaluationError as err:
            if "outside the model" in str(err):
                continue  # an index out of range: this t is not claimed
            raise
        for link, (a, b) in enumerate(zip(values, values[1:])):
            if len(values) > 2:  # a chain A = B = C: say which equals sign
                at = where.split(", ")[: 1 + len(entry) + (k is not None)]
                where = f"{', '.join(at)}, {_ORDINALS[min(link, 3)]} '='"
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


_ORDINALS = ("first", "second", "third", "fourth or later")


def _points(
    spec: ElmanSpec, index: sp.Symbol | None, earlier: sp.Symbol | None, counts: list[Any]
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
            except EvaluationError as err:
                if "outside the model" in str(err):
                    continue
                raise
            for entry in itertools.product(*(range(1, n + 1) for n in sizes)):
                yield t, k, entry


def _entries(spec: ElmanSpec, value: Mat | Family) -> list[tuple[str, str | None, Any]]:
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


def _ring(spec: ElmanSpec, sides: list[sp.Expr], method: str, seed: int, reading: Reading) -> Ring:
    if method == "modular":
        return ModularRing(random.Random(seed))
    order, layout = reading
    return recorded_ring(
        spec, lambda recorder: formula_comparisons(spec, sides, recorder, order, layout=layout)
    )


def _decide_one(
    spec: ElmanSpec, sides: list[sp.Expr], method: str, seed: int, reading: Reading
) -> Tally | str:
    """The verdict under one reading, or why the sides' shapes do not fit."""
    order, layout = reading
    try:
        ring = _ring(spec, sides, method, seed, reading)
        return tally(ring, formula_comparisons(spec, sides, ring, order, layout=layout), spec.T)
    except ShapeError as err:
        return str(err)


def check_vector(
    equation: str | Parsed,
    spec: ElmanSpec,
    *,
    method: str = "exact",
    seed: int = 0,
    layout: str = "auto",
    notation: str | Profile | None = None,
) -> FormulaCheckResult:
    """Check a vector gradient formula (LaTeX) for every t <= T of the vector model.

    Args:
        equation: LaTeX (``A = B = ...``), or an already parsed formula.
        spec: the vector model, its sizes and T.
        method: ``"exact"`` (n <= 3, T <= 6) or ``"modular"``.
        seed: seeds the modular method and the counterexample search.
        layout: the layout of the formula's derivatives (``"mixed"``, ``"numerator"``,
            ``"denominator"``; :data:`symbptt.engine.compile.LAYOUTS`), or ``"auto"``:
            the mixed layout, and if the formula does not hold so, the others, saying
            in which one it holds.
        notation: the names' notation profile (``"d2l"``, ``"goodfellow"``, a profile
            file's path, or a :class:`~symbptt.notation.profiles.Profile`); None reads
            note000's names and, for a name it does not know, tries the built-in
            profiles in turn (the result's notes say which one read it).

    Example:
        >>> J = r"\\frac{\\partial \\mathbf{h}_t}{\\partial \\mathbf{h}_{t-1}}"
        >>> check_vector(J + r" = W_{hh} \\operatorname{diag}(\\phi'(\\mathbf{s}_t))",
        ...              ElmanSpec(hidden=2, T=2)).holds
        False

    Raises:
        FormulaSyntaxError: the formula cannot be parsed, has no meaning in the model, or
            its shapes do not fit in any layout (no verdict).
        SpecError: the exact method beyond n <= 3, T <= 6, or an unknown method or layout.
    """
    choose_from("method", method, METHOD_NAMES)
    choose_from("layout", layout, ("auto", *LAYOUTS))
    require_spec(spec, vector=True)
    require_exact_size(spec, method)
    parsed = read_formula(equation, spec, notation) if isinstance(equation, str) else equation
    text = equation if isinstance(equation, str) else " = ".join(map(str, parsed.sides))
    sides = parsed.sides
    limits.estimate(sides, spec.T, T_symbol=E.T, memoized_products=True)
    with limits.budget():
        try:
            result = _check(text, spec, parsed, method, seed, layout)
        except FormulaSyntaxError:  # a chain with a side without value in every layout
            linked = _links_in_layouts(text, spec, parsed, None, method, seed, layout)
            if linked is None:
                raise
            return linked
        if not result.holds and isinstance(equation, str):
            result = _other_readings(
                equation, spec, parsed, result, method, seed, layout, notation is not None
            )
        if not result.holds:
            result = _links_in_layouts(text, spec, parsed, result, method, seed, layout) or result
    if not parsed.missing:
        return result
    # a chain with sides that are not read: the others decide only a failure
    said = "; ".join(f"side {place} is not read ({err.reason})" for place, err in parsed.missing)
    if result.holds:
        raise FormulaSyntaxError(
            f"{said}: no verdict, though the sides that are read are equal ({result.method})"
        )
    return dataclasses.replace(
        result, explanation=f"{result.explanation}, between the sides that are read ({said})"
    )


def _other_readings(
    text: str,
    spec: ElmanSpec,
    parsed: Parsed,
    result: FormulaCheckResult,
    method: str,
    seed: int,
    layout: str,
    notation_given: bool,
) -> FormulaCheckResult:
    """A formula that fails as first read may be true as its source means it: it holds if
    it holds in another reading, and the result says which (otherwise the failure
    stands). The readings:

    * the factors written after a \\prod that do not depend on its index, inside it:
      whether they are is a reading, not a fact (note 000's prod_{j-1=i}^{t} (...)
      dh_i/dw_h keeps them outside, Huang's prod_{i=k+1}^{t} (ds_i/dz_i) W means them
      inside);
    * without a notation given, the built-in profiles that give note000's names other
      meanings (s_t the hidden state, not the pre-activation).
    """
    from ..notation.profiles import BUILT_IN, built_in
    from .formula import parse_vector

    if parsed.missing:
        return result
    inside = "with the factors after the \\prod that do not depend on its index inside it"
    readings: list[tuple[dict, str]] = []
    if parsed.scoped:
        readings.append(({"profile": parsed.profile, "product_scope": "inside"}, inside))
    if parsed.reversed:
        readings.append(
            (
                {"profile": parsed.profile, "sum_direction": "as-written"},
                "with a sum whose upper limit is below its lower read as written (empty "
                "where it is below), not downward",
            )
        )
    if not notation_given and not spec.model.scalar:
        readings += [
            (
                {"profile": built_in(name)},
                f"in the {name} notation, which gives its names other meanings",
            )
            for name in BUILT_IN[1:]
        ]
    for options, how in readings:
        try:
            other = parse_vector(text, model=spec.model, **options)
        except FormulaSyntaxError:
            continue
        if other.sides == parsed.sides or other.missing:
            continue  # the same meaning, or not read whole
        try:
            again = _check(text, spec, other, method, seed, layout)
        except FormulaSyntaxError:
            continue
        if again.holds:
            said = f"as first read it does not hold ({result.explanation}); it holds {how}"
            return dataclasses.replace(again, notes=(*again.notes, said))
    if parsed.scoped:
        said = f"it does not hold {inside} either"
        return dataclasses.replace(result, notes=(*result.notes, said))
    return result


def _links_in_layouts(
    text: str,
    spec: ElmanSpec,
    parsed: Parsed,
    result: FormulaCheckResult | None,
    method: str,
    seed: int,
    layout: str,
) -> FormulaCheckResult | None:
    """A chain A = B = C that holds in no one layout may still be true link by link:
    tutorials write dE/dz = dE/dyhat dyhat/dz (rows: numerator layout) = yhat - y (a
    column) in one line. It holds if every '=' holds in some layout, the notes naming
    each one's. If every '=' holds in some layout or with its left side transposed,
    the failure stands and says which '=' holds only up to transposition (a gradient
    equated to its transpose, as Britz's dE_3/dV = ... = (yhat_3 - y_3) (x) s_3 is when
    its chain rule is a row's); otherwise the failure (``result``, or None where the
    chain had no value in any one layout) stands as it is."""
    if parsed.missing or spec.model.scalar or layout != "auto" or len(parsed.sides) < 3:
        return result
    said: list[str] = []
    links: list[FormulaCheckResult] = []
    transposed = False
    for n, (a, b) in enumerate(zip(parsed.sides, parsed.sides[1:])):
        ordinal = f"the {_ORDINALS[min(n, 3)]} '='"
        for sides in ([a, b], [Transposed(a), b], [a, Transposed(b)]):
            try:
                link = _check(
                    text, spec, dataclasses.replace(parsed, sides=sides), method, seed, "auto"
                )
            except FormulaSyntaxError:
                continue
            if link.holds:
                break
        else:
            return result
        links.append(link)
        if sides == [a, b]:
            said.append(f"{ordinal} in {link.layout} layout")
        else:
            transposed = True
            said.append(f"{ordinal} up to transposition (in {link.layout} layout)")
    each = ", ".join(said)
    if transposed and result is not None:
        return dataclasses.replace(
            result, explanation=f"{result.explanation}; each '=' holds in its own layout: {each}"
        )
    if transposed:  # no layout gives the chain a value: a contradiction of shapes
        return FormulaCheckResult(
            text,
            False,
            links[0].method,
            (),
            None,
            f"does not hold as written: no one layout gives every side a value, and some "
            f"'=' equates a derivative with its transpose (a contradiction of shapes); each "
            f"'=' holds in its own layout: {each}",
            tuple(parsed.warnings),
            tuple(parsed.notes),
            "per '='",
        )
    return dataclasses.replace(
        links[0],
        explanation=f"holds, each '=' in its own layout ({each}) ({links[0].method})",
        results=tuple(r for link in links for r in link.results),
        notes=(
            *parsed.notes,
            "no one layout makes every '=' hold"
            + (f" ({result.explanation})" if result is not None else "")
            + f"; each holds in its own: {each}",
        ),
        layout="per '='",
    )


def read_formula(text: str, spec: ElmanSpec, notation: str | Profile | None) -> Parsed:
    """The formula read in ``notation``; with None, in note000's names, and where those
    do not know a name, in the first built-in profile that reads the whole formula.

    Raises:
        FormulaSyntaxError: no notation reads it (the error of the default reading).
    """
    from ..notation.profiles import BUILT_IN, built_in, load_profile
    from .formula import parse_vector  # the grammar, loaded only to read a formula

    if notation is not None:
        return parse_vector(text, model=spec.model, profile=load_profile(notation))

    def unknown(err: FormulaSyntaxError) -> bool:
        return err.reason.startswith("unknown symbol")

    try:
        parsed = parse_vector(text, model=spec.model)
    except FormulaSyntaxError as err:
        if not unknown(err) or spec.model.scalar:
            raise
        for name in BUILT_IN[1:]:
            try:
                return parse_vector(text, model=spec.model, profile=built_in(name))
            except FormulaSyntaxError:
                continue
        raise
    if spec.model.scalar or not any(unknown(err) for _, err in parsed.missing):
        return parsed
    for name in BUILT_IN[1:]:  # a side with a name note000 does not know: a source's name?
        try:
            other = parse_vector(text, model=spec.model, profile=built_in(name))
        except FormulaSyntaxError:
            continue
        if len(other.missing) < len(parsed.missing):
            return other
    return parsed


def _check(
    text: str, spec: ElmanSpec, parsed: Parsed, method: str, seed: int, layout: str
) -> FormulaCheckResult:
    sides = parsed.sides
    # numbers commute: only a \prod of matrices is read both ways
    both = has_product(sides) and not spec.model.scalar
    orders = ["latest-left", "earliest-left"] if both else ["latest-left"]
    # a number has one layout; the seeds' scalar model is written as its note writes it
    layouts = [layout] if layout != "auto" else ["mixed"]
    if layout == "auto" and not spec.model.scalar:
        layouts = list(LAYOUTS)
    verdicts: dict[Reading, Tally | str] = {}
    try:
        for lay in layouts:
            for order in orders:
                verdicts[(order, lay)] = _decide_one(spec, sides, method, seed, (order, lay))
            if any(isinstance(v, Tally) and v.holds for v in verdicts.values()):
                break  # the first layout in which it holds
    except EvaluationError as err:
        raise FormulaSyntaxError(f"the formula has no meaning in the model: {err}") from None
    notes = list(parsed.notes)
    _index, earlier = free_indices(list(sides))
    if earlier is not None:
        notes.append(f"{earlier} was read as every earlier step, {earlier} = 0..t-1")
    holding = [r for r, v in verdicts.items() if isinstance(v, Tally) and v.holds]
    decided = [r for r, v in verdicts.items() if isinstance(v, Tally)]
    if not decided:  # the shapes do not fit in any reading
        return _shapes_do_not_fit(text, spec, parsed, method, seed, verdicts, layouts)
    chosen = holding[0] if holding else decided[0]
    verdict = verdicts[chosen]
    assert isinstance(verdict, Tally)
    order, lay = chosen
    if len(orders) == 2:
        notes.append(
            _reading_note(
                {o: verdicts[(o, lay)] for o in orders}, [o for o, la in holding if la == lay]
            )
        )
    if (
        len(layouts) > 1
        and (lay != "mixed" or not verdict.holds)
        or layout not in ("auto", "mixed")
    ):
        notes.append(_layout_note(verdicts, chosen))
    explanation = verdict.explanation()
    if lay != "mixed":
        explanation += f" in {lay} layout"
    counterexample = None
    if verdict.holds:
        if len(orders) == 2 and sum(1 for r in holding if r[1] == lay) == 1:
            explanation += f", reading the \\prod {READINGS[order]} only"
    else:
        if len(orders) == 2:
            explanation += " in either reading of the \\prod"
        explanation += _why(spec, sides, method, seed, [(o, lay) for o in orders])
        fixes = _repairs(spec, sides, seed, [(o, lay) for o in orders], parsed.renamings)
        counterexample = find_counterexample(
            spec,
            lambda point: singles(
                (lab, a, b)
                for lab, _, _, a, b in formula_comparisons(spec, sides, point, order, layout=lay)
            ),
            verdict.failure,
            seed=seed,
            relevant=verdict.relevant,
        )
    return FormulaCheckResult(
        text,
        verdict.holds,
        verdict.ring.method,
        verdict.results,
        counterexample,
        explanation,
        tuple(parsed.warnings),
        tuple(notes),
        lay,
        repairs=tuple(fixes) if not verdict.holds else (),
    )


def _repairs(
    spec: ElmanSpec,
    sides: list[sp.Expr],
    seed: int,
    readings: list,
    renamings: list[tuple[str, str]] = (),
) -> list[str]:
    """The single edits under which the formula holds (see :mod:`.repairs`), each
    decided by the modular method in the readings the verdict was given in, named as the
    formula's source names things."""
    from .repairs import in_source_names, repairs

    vocab = vocabulary(spec.model)
    roles = sorted(set(vocab.roles.values()))
    arguments = {role: vocab.arguments(role) for role in roles}

    def holds(edited: list[sp.Expr]) -> bool:
        for reading in readings:
            verdict = _decide_one(spec, edited, "modular", seed, reading)
            if isinstance(verdict, Tally) and verdict.holds:
                return True
        return False

    return [in_source_names(r, list(renamings)) for r in repairs(sides, holds, roles, arguments)]


def _layout_note(verdicts: dict, chosen: Reading) -> str:
    """Which layout the verdict is in, and what the others gave."""
    lay = chosen[1]
    others = [
        f"in the {other} layout "
        + ("its shapes do not fit" if isinstance(v, str) else "it does not hold")
        for (order, other), v in verdicts.items()
        if other != lay and order == chosen[0]
    ]
    return f"read in {LAYOUTS[lay]}" + (f" ({'; '.join(others)})" if others else "")


def _shapes_do_not_fit(
    text: str,
    spec: ElmanSpec,
    parsed: Parsed,
    method: str,
    seed: int,
    verdicts: dict[Reading, Tally | str],
    layouts: list[str],
) -> FormulaCheckResult:
    """No reading gives both sides a value of one shape. If the left side transposed
    equals the right side, that is a contradiction of shapes, stated as such (does not
    hold, and holds up to transposition); otherwise symbptt gives the formula no meaning
    and refuses it (FormulaSyntaxError: exit 2), never calling it false."""
    first = next(iter(verdicts.values()))
    sides = parsed.sides
    if len(sides) == 2:
        flipped = [Transposed(sides[0]), sides[1]]
        for order, lay in verdicts:
            verdict = _decide_one(spec, flipped, method, seed, (order, lay))
            if isinstance(verdict, Tally) and verdict.holds:
                where = "" if lay == "mixed" else f" in {lay} layout"
                return FormulaCheckResult(
                    text,
                    False,
                    verdict.ring.method,
                    (),
                    None,
                    f"does not hold as written: {first}, a contradiction of shapes; it "
                    f"holds up to transposition (the left side transposed equals the "
                    f"right side{where})",
                    tuple(parsed.warnings),
                    tuple(parsed.notes),
                    lay,
                )
    if len(sides) > 2:  # a chain: the sides that have a value may still decide a failure
        for drop in range(len(sides)):
            rest = sides[:drop] + sides[drop + 1 :]
            for reading in verdicts:
                verdict = _decide_one(spec, rest, method, seed, reading)
                if not isinstance(verdict, Tally):
                    continue
                said = f"side {drop + 1} has no value ({first})"
                if verdict.holds:
                    raise FormulaSyntaxError(
                        f"{said}: no verdict, though the other sides are equal "
                        f"({verdict.ring.method})"
                    )
                return FormulaCheckResult(
                    text,
                    False,
                    verdict.ring.method,
                    verdict.results,
                    None,
                    f"{verdict.explanation()}, between the sides that have a value ({said})",
                    tuple(parsed.warnings),
                    tuple(parsed.notes),
                    reading[1],
                )
    tried = "" if len(layouts) == 1 else f" in any layout ({', '.join(layouts)})"
    raise FormulaSyntaxError(
        f"the formula has no value: its shapes do not fit{tried}: {first}; no verdict "
        f"(is a transpose missing, or a product the wrong way round?)"
    )


def _why(spec: ElmanSpec, sides: list[sp.Expr], method: str, seed: int, readings: list) -> str:
    """Point at the usual slip: total derivatives dh_i/dP where immediate partials are
    meant (note 000's boxed formula writes the same symbol on both sides)."""
    totals = [
        d
        for side in sides[1:]
        for d in side.atoms(VTotal)
        if (
            isinstance(d.args[0], Node)
            and d.args[0].kind in spec.model.states
            and str(d.args[1]) in spec.gradients
        )
    ]
    if not totals:
        return ""
    fixed = [sides[0]] + [
        side.xreplace({d: VImmediate(*d.args) for d in totals}) for side in sides[1:]
    ]
    try:
        verdicts = [_decide_one(spec, fixed, method, seed, reading) for reading in readings]
        if any(isinstance(v, Tally) and v.holds for v in verdicts):
            return (
                "; on the right-hand side the derivatives of h_i by a parameter must be "
                "immediate partials (\\partial^+, h_(i-1) held fixed), not total "
                "derivatives: with immediate partials there it holds"
            )
    except (EvaluationError, FormulaSyntaxError):
        return ""
    return ""


def _reading_note(verdicts: dict, holding: list[str]) -> str:
    if len(holding) == 2:
        return "the \\prod of matrices gives the same value in either order here"
    if len(holding) == 1:
        other = next(o for o in verdicts if o != holding[0])
        verdict = verdicts[other]
        fails = verdict.failure if isinstance(verdict, Tally) else verdict
        return (
            f"a \\prod of matrices does not fix its order: it holds read "
            f"{READINGS[holding[0]]}; read {READINGS[other]} it fails ({fails})"
        )
    return "a \\prod of matrices does not fix its order: neither reading holds"
