r"""One formula decided against a model (any model: the scalar RNN, Elman, a cell).

``check_vector(r"\boldsymbol\delta_t = \operatorname{diag}(\phi'(\mathbf s_t)) (...)", spec)``
reads the formula with :func:`symbptt.read.formula.parse_vector`, evaluates both sides
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

The comparisons a formula makes are :mod:`symbptt.formulas.comparisons`'s; the other
readings tried before a formula is called false (a \\prod's scope, a sum's direction,
other profiles' names, a layout per '=') are :mod:`symbptt.checker.readings`'s.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sympy as sp

from symbptt import limits
from symbptt.checker.readings import (
    ONE,
    layout_note,
    links_in_layouts,
    other_readings,
    read_formula,
    reading_note,
)
from symbptt.checker.repairs import in_source_names, repairs
from symbptt.core import derivatives as E
from symbptt.core.formula import Node, Transposed, VImmediate, VTotal, free_indices, has_product
from symbptt.core.method import MethodChoice, choose_method
from symbptt.core.spec import Spec, require_spec
from symbptt.errors import EvaluationError, FormulaSyntaxError, WorkLimitError, choose_from
from symbptt.formulas.comparisons import Reading, formula_comparisons
from symbptt.formulas.compile import LAYOUTS
from symbptt.formulas.estimate import estimate
from symbptt.formulas.matrices import ShapeError
from symbptt.formulas.work import auto_method, require_bounded
from symbptt.read.vocabulary import vocabulary
from symbptt.results import FormulaCheckResult
from symbptt.rings.algebra import Ring
from symbptt.rings.decide import Tally, tally
from symbptt.rings.modular import ModularRing
from symbptt.rings.separate import find_counterexample, singles
from symbptt.rings.values import recorded_ring

if TYPE_CHECKING:
    from symbptt.read.parse import Parsed
    from symbptt.read.profiles import Profile


def _ring(spec: Spec, sides: list[sp.Expr], method: str, seed: int, reading: Reading) -> Ring:
    if method == "modular":
        return ModularRing(random.Random(seed))
    order, layout = reading
    return recorded_ring(
        spec, lambda recorder: formula_comparisons(spec, sides, recorder, order, layout=layout)
    )


def _decide_one(
    spec: Spec, sides: list[sp.Expr], method: str, seed: int, reading: Reading
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
    spec: Spec,
    *,
    method: str = "auto",
    seed: int = 0,
    layout: str = "auto",
    notation: str | Profile | None = None,
) -> FormulaCheckResult:
    """Check a vector gradient formula (LaTeX) for every t <= T of the vector model.

    Args:
        equation: LaTeX (``A = B = ...``), or an already parsed formula.
        spec: the vector model, its sizes and T.
        method: ``"auto"`` (exact within the spec's limits for checks, else modular),
            ``"exact"`` (n <= 3, T <= 6) or ``"modular"``.
        seed: seeds the modular method and the counterexample search.
        layout: the layout of the formula's derivatives (``"mixed"``, ``"numerator"``,
            ``"denominator"``; :data:`symbptt.formulas.compile.LAYOUTS`), or ``"auto"``:
            the mixed layout, and if the formula does not hold so, the others, saying
            in which one it holds.
        notation: the names' notation profile (``"d2l"``, ``"goodfellow"``, a profile
            file's path, or a :class:`~symbptt.read.profiles.Profile`); None reads
            note000's names (a name only a built-in profile knows is refused, naming
            the profile: a formula is read in one notation).

    Example:
        >>> from symbptt import ElmanSpec
        >>> J = r"\\frac{\\partial \\mathbf{h}_t}{\\partial \\mathbf{h}_{t-1}}"
        >>> check_vector(J + r" = W_{hh} \\operatorname{diag}(\\phi'(\\mathbf{s}_t))",
        ...              ElmanSpec(hidden=2, T=2)).holds
        False

    Raises:
        FormulaSyntaxError: the formula cannot be parsed, has no meaning in the model, or
            its shapes do not fit in any layout (no verdict).
        SpecError: the exact method beyond n <= 3, T <= 6, or an unknown method or layout.
    """
    choose_from("layout", layout, ("auto", *LAYOUTS))
    require_spec(spec)
    choice = choose_method(spec, method, checking=True)
    parsed = read_formula(equation, spec, notation) if isinstance(equation, str) else equation
    text = equation if isinstance(equation, str) else " = ".join(map(str, parsed.sides))
    sides = parsed.sides
    estimate(sides, spec.T, T_symbol=E.T, memoized_products=True)
    if method == "auto":  # its forward-mode passes and exact forms, estimated once
        choice = auto_method(spec, sides, choice)
    else:
        require_bounded(spec, sides, choice.name)

    def verdict(method: str) -> tuple[FormulaCheckResult, bool]:
        """The verdict by ``method`` in every reading, and whether it is final (a chain
        read link by link, whose sides are all read)."""

        def decide(reading: Parsed, lay: str) -> FormulaCheckResult:
            return _check(text, spec, reading, method, seed, lay)

        try:
            result = _check(text, spec, parsed, method, seed, layout)
        except FormulaSyntaxError:  # a chain with a side without value in every layout
            linked = links_in_layouts(text, spec, parsed, None, decide, layout)
            if linked is None:
                raise
            return linked, True
        if isinstance(equation, str):
            result = other_readings(
                equation, spec, parsed, result, decide, layout, notation is not None
            )
        if not result.holds:
            result = links_in_layouts(text, spec, parsed, result, decide, layout) or result
        return result, False

    with limits.budget():
        try:
            result, final = verdict(choice.name)
        except WorkLimitError as err:
            if method != "auto" or choice.name != "exact":
                raise
            # auto: the exact forms outgrew the limits the estimate could not foresee;
            # the modular method answers within the same budget
            choice = MethodChoice.by_auto("modular", f"the exact method stopped: {err.reason}")
            result, final = verdict("modular")
    if final:
        return result
    if choice.name == "modular" and choice.reason:  # auto chose it: say why
        result = dataclasses.replace(result, notes=(choice.reason, *result.notes))
    if not parsed.missing:
        return result
    # a chain with sides that are not read: the others decide only a failure
    said = "; ".join(f"side {place} is not read ({err.reason})" for place, err in parsed.missing)
    if result.holds:
        raise FormulaSyntaxError(
            f"{said}: no verdict, though the sides that are read are equal ({result.method})"
        )
    return dataclasses.replace(
        result,
        explanation=f"{result.explanation}, between the sides that are read ({said})",
        partial=True,
    )


def _check(
    text: str, spec: Spec, parsed: Parsed, method: str, seed: int, layout: str
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
            if any(isinstance(v, Tally) and v.holds for r, v in verdicts.items() if r[0] == ONE):
                break  # the first layout in which it holds
    except EvaluationError as err:  # said in the source's names (Wolf's z_0, not s_0)
        said = in_source_names(str(err), list(parsed.renamings))
        raise FormulaSyntaxError(f"the formula has no meaning in the model: {said}") from None
    notes = list(parsed.notes)
    _index, earlier = free_indices(list(sides))
    if earlier is not None:
        notes.append(f"{earlier} was read as every earlier step, {earlier} = 0..t-1")
    # a \prod of matrices means one order, the latest factor on the left: the other is
    # only told of (a formula that holds only so does not hold)
    meant = {r: v for r, v in verdicts.items() if r[0] == ONE}
    holding = [r for r, v in meant.items() if isinstance(v, Tally) and v.holds]
    decided = [r for r, v in meant.items() if isinstance(v, Tally)]
    if not decided:  # the shapes do not fit in any reading
        return _shapes_do_not_fit(text, spec, parsed, method, seed, meant, layouts)
    chosen = holding[0] if holding else decided[0]
    verdict = verdicts[chosen]
    assert isinstance(verdict, Tally)
    order, lay = chosen
    if len(orders) == 2:
        other = verdicts.get(("earliest-left", lay))
        notes.append(reading_note(verdict.holds, isinstance(other, Tally) and other.holds))
    if (
        len(layouts) > 1
        and (lay != "mixed" or not verdict.holds)
        or layout not in ("auto", "mixed")
    ):
        notes.append(layout_note(verdicts, chosen))
    explanation = verdict.explanation()
    if lay != "mixed":
        explanation += f" in {lay} layout"
    counterexample = None
    if not verdict.holds:
        explanation += _why(spec, sides, method, seed, [chosen])
        fixes = _repairs(spec, sides, seed, [chosen], parsed.renamings)
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
        if counterexample is None:  # "does not hold" only with a counterexample
            raise FormulaSyntaxError(
                f"no verdict: the two sides' forms differ ({verdict.ring.method}) at "
                f"{verdict.failure}, but no point where their values differ was found; the "
                "formula may rest on a relation among the model's quantities that symbptt "
                "does not use (such as every probability's reciprocal with their sum, 1); "
                "--method modular evaluates where every such relation holds"
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
    spec: Spec,
    sides: list[sp.Expr],
    seed: int,
    readings: list,
    renamings: Sequence[tuple[str, str]] = (),
) -> list[str]:
    """The single edits under which the formula holds (see :mod:`.repairs`), each
    decided by the modular method in the readings the verdict was given in, named as the
    formula's source names things."""
    vocab = vocabulary(spec.model)
    roles = sorted(set(vocab.roles.values()))
    arguments = {role: vocab.arguments(role) for role in roles}

    def holds(edited: list[sp.Expr]) -> bool:
        for reading in readings:
            verdict = _decide_one(spec, edited, "modular", seed, reading)
            if isinstance(verdict, Tally) and verdict.holds:
                return True
        return False

    order = tuple(eq.target for eq in spec.model.equations)
    found = repairs(sides, holds, roles, arguments, order)
    return [in_source_names(r, list(renamings)) for r in found]


def _shapes_do_not_fit(
    text: str,
    spec: Spec,
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
            try:
                verdict = _decide_one(spec, flipped, method, seed, (order, lay))
            except EvaluationError:
                continue
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
                try:
                    verdict = _decide_one(spec, rest, method, seed, reading)
                except EvaluationError:  # these sides share no step in the model
                    continue
                if not isinstance(verdict, Tally):
                    continue
                said = f"side {drop + 1} has no value ({first})"
                if verdict.holds:
                    raise FormulaSyntaxError(
                        f"{said}: no verdict, though the other sides are equal "
                        f"({verdict.ring.method})"
                    )
                # decided again between those sides, for its counterexample
                failed = _check(
                    text, spec, dataclasses.replace(parsed, sides=rest), method, seed, reading[1]
                )
                return dataclasses.replace(
                    failed,
                    explanation=f"{failed.explanation}, between the sides that have a value "
                    f"({said})",
                    partial=True,
                )
    tried = "" if len(layouts) == 1 else f" in any layout ({', '.join(layouts)})"
    raise FormulaSyntaxError(
        f"the formula has no value: its shapes do not fit{tried}: {first}; no verdict "
        f"(is a transpose missing, or a product the wrong way round?)"
    )


def _why(spec: Spec, sides: list[sp.Expr], method: str, seed: int, readings: list) -> str:
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
