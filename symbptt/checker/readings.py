"""A formula has one meaning: the one its notation gives it. What else its text could
mean is told, never used to change a verdict.

* :func:`read_formula`: the names, in the notation asked for, else in note000's; a name
  that only a built-in profile knows is refused, naming that profile as a hint;
* :func:`other_readings`: where the text itself allows two meanings (factors after a
  \\prod that do not depend on its index, a sum written downward), both are decided: the
  same verdict stands with a note, different verdicts are an ambiguity, refused; the
  built-in profiles that would give the names other meanings are notes on a failure;
* :func:`links_in_layouts`: a chain A = B = C is read in one layout; that each '='
  would hold in a layout of its own is said, never passed.

Each takes ``decide``, the checker's verdict on a parsed formula in a layout
(:func:`symbptt.checker.decide.check_vector` passes its own), so that the readings stay
apart from how one reading is decided.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from symbptt.core.formula import Transposed
from symbptt.core.spec import Spec
from symbptt.errors import FormulaSyntaxError
from symbptt.formulas.comparisons import ORDINALS, Reading
from symbptt.formulas.compile import LAYOUTS
from symbptt.results import FormulaCheckResult

if TYPE_CHECKING:
    from symbptt.read.parse import Parsed
    from symbptt.read.profiles import Profile

#: The checker's verdict on a parsed formula read in a layout ("auto" tries each).
Decide = Callable[["Parsed", str], FormulaCheckResult]


def other_readings(
    text: str,
    spec: Spec,
    parsed: Parsed,
    result: FormulaCheckResult,
    decide: Decide,
    layout: str,
    notation_given: bool,
) -> FormulaCheckResult:
    """The verdict on the formula as first read, checked against what else its text may
    mean:

    * the factors written after a \\prod that do not depend on its index (and are not
      set off by a parenthesized operand, as note 000's prod_{j-1=i}^{t} (...) dh_i/dw_h
      is), read inside it (Huang's prod_{i=k+1}^{t} (ds_i/dz_i) W);
    * a sum written from a larger limit to a smaller one (\\sum_{k=t}^{3}) read as
      written (empty past its upper limit) rather than downward (d2l's \\sum_{i=t}^{1}).

    Where such a reading gives the same verdict, the verdict stands and a note says so;
    where it gives another, the formula is ambiguous and refused, naming both. Without a
    notation given, a failure notes the built-in profiles in which the names have other
    meanings and it would hold (a hint: the verdict is the one of the notation read).

    Raises:
        FormulaSyntaxError: the readings disagree (naming how to write it unambiguously).
    """
    from symbptt.read.profiles import BUILT_IN, built_in

    if parsed.missing:
        return result
    readings: list[tuple[dict, str, str]] = []
    if parsed.scoped:
        readings.append(
            (
                {"profile": parsed.profile, "product_scope": "inside"},
                "with the factors after the \\prod that do not depend on its index outside it",
                "with them inside it",
            )
        )
    if parsed.reversed:
        readings.append(
            (
                {"profile": parsed.profile, "sum_direction": "as-written"},
                "with a sum whose upper limit is below its lower read downward",
                "read as written (empty where the upper limit is below the lower)",
            )
        )
    notes = list(result.notes)
    for options, first, how in readings:
        other = _decided(text, spec, parsed, options, decide, layout)
        if other is None:
            continue
        verdict = "holds" if result.holds else "does not hold"
        if other.holds == result.holds:
            notes.append(f"it {verdict} {how} too")
            continue
        raise FormulaSyntaxError(
            f"ambiguous: {first}, it {verdict}; {how}, it "
            f"{'holds' if other.holds else 'does not hold'}; write it so that one reading "
            "remains (parentheses around what the \\prod or \\sum takes, or the limits "
            "in increasing order)"
        )
    if not result.holds and not notation_given and not spec.model.scalar:
        for name in BUILT_IN[1:]:
            other = _decided(text, spec, parsed, {"profile": built_in(name)}, decide, layout)
            if other is not None and other.holds:
                notes.append(
                    f"in the {name} notation, which gives these names other meanings, it "
                    f"would hold (--notation {name}); it was read in note000's"
                )
    return dataclasses.replace(result, notes=tuple(notes))


def _decided(
    text: str, spec: Spec, parsed: Parsed, options: dict, decide: Decide, layout: str
) -> FormulaCheckResult | None:
    """The verdict on ``text`` read with ``options``; None if that reading is the same
    as ``parsed``, is not read whole, or has no verdict."""
    from symbptt.read.formula import parse_vector

    try:
        other = parse_vector(text, model=spec.model, **options)
    except FormulaSyntaxError:
        return None
    if other.sides == parsed.sides or other.missing:
        return None  # the same meaning, or not read whole
    try:
        return decide(other, layout)
    except FormulaSyntaxError:
        return None


def links_in_layouts(
    text: str,
    spec: Spec,
    parsed: Parsed,
    result: FormulaCheckResult | None,
    decide: Decide,
    layout: str,
) -> FormulaCheckResult | None:
    """A chain A = B = C is one claim in one layout: that its every '=' holds in some
    layout of its own does not make it hold (its ends may differ: dL/dW = G = (dL/dW)^T).
    Tutorials do write such chains (dE/dz = dE/dyhat dyhat/dz, a row, = yhat - y, a
    column), so the failure (``result``) says which layout each '=' holds in, and which
    holds only up to transposition (a gradient equated to its transpose, as Britz's
    dE_3/dV = ... = (yhat_3 - y_3) (x) s_3 is when its chain rule is a row's).

    Returns None where ``result`` is None (no one layout gives the chain a value) and the
    links do not show a contradiction of shapes: the chain is then refused by the caller.
    """
    if parsed.missing or spec.model.scalar or layout != "auto" or len(parsed.sides) < 3:
        return result
    said: list[str] = []
    links: list[FormulaCheckResult] = []
    transposed = False
    for n, (a, b) in enumerate(zip(parsed.sides, parsed.sides[1:])):
        ordinal = f"the {ORDINALS[min(n, 3)]} '='"
        for sides in ([a, b], [Transposed(a), b], [a, Transposed(b)]):
            try:
                link = decide(dataclasses.replace(parsed, sides=sides), "auto")
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
    if result is not None:
        return dataclasses.replace(
            result,
            explanation=f"{result.explanation}; each '=' holds in a layout of its own ({each}), "
            "but no one layout makes every '=' hold",
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
    raise FormulaSyntaxError(
        f"no one layout gives every side of the chain a value; each '=' would hold in a "
        f"layout of its own ({each}), but a chain is one claim: write its equations apart"
    )


def read_formula(text: str, spec: Spec, notation: str | Profile | None) -> Parsed:
    """The formula read in ``notation``, else in note000's names: one notation, so that
    its names have one meaning.

    Raises:
        FormulaSyntaxError: it cannot be read in that notation; where a name is unknown
            there but a built-in profile reads the whole formula, the error names that
            profile as a hint (without deciding the formula in it).
    """
    from symbptt.read.formula import parse_vector  # the grammar, loaded only to read a formula
    from symbptt.read.profiles import BUILT_IN, built_in, load_profile

    if notation is not None:
        return parse_vector(text, model=spec.model, profile=load_profile(notation))

    def unknown(err: FormulaSyntaxError) -> bool:
        return err.reason.startswith("unknown symbol")

    def readers() -> list[str]:
        """The built-in profiles that read the whole formula."""
        names = []
        for name in BUILT_IN[1:]:
            try:
                other = parse_vector(text, model=spec.model, profile=built_in(name))
            except FormulaSyntaxError:
                continue
            if not other.missing:
                names.append(name)
        return names

    def hinted(err: FormulaSyntaxError, names: list[str]) -> FormulaSyntaxError:
        given = " or ".join(f"--notation {n}" for n in names)
        return FormulaSyntaxError(
            f"{err.reason}; the formula is read in note000's notation unless another is "
            f"given, and would be read with {given}",
            text=err.text,
            line=err.line,
            column=err.column,
        )

    try:
        parsed = parse_vector(text, model=spec.model)
    except FormulaSyntaxError as err:
        if not unknown(err) or spec.model.scalar:
            raise
        names = readers()
        if names:
            raise hinted(err, names) from None
        raise
    unknowns = [err for _, err in parsed.missing if unknown(err)]
    if spec.model.scalar or not unknowns:
        return parsed
    names = readers()  # a side with a name note000 does not know: a source's name?
    if names:
        raise hinted(unknowns[0], names)
    return parsed


#: The one order of a \prod of matrices (the other is told of in a note).
ONE = "latest-left"
READINGS = {
    "latest-left": "with the latest factor on the left (j decreasing: J_t ... J_(i+1))",
    "earliest-left": "with the earliest factor on the left (j increasing: J_(i+1) ... J_t)",
}


def layout_note(verdicts: dict, chosen: Reading) -> str:
    """Which layout the verdict is in, and what the others gave."""
    lay = chosen[1]
    others = [
        f"in the {other} layout "
        + ("its shapes do not fit" if isinstance(v, str) else "it does not hold")
        for (order, other), v in verdicts.items()
        if other != lay and order == chosen[0]
    ]
    return f"read in {LAYOUTS[lay]}" + (f" ({'; '.join(others)})" if others else "")


def reading_note(holds: bool, other_holds: bool) -> str:
    """What the other order of a \\prod of matrices would give: a note, never the verdict."""
    read = f"the \\prod of matrices is read {READINGS[ONE]}, as Jacobian chains multiply"
    if holds == other_holds:
        return f"{read}; the other order gives the same verdict"
    would = "hold" if other_holds else "fail"
    return f"{read}; {READINGS['earliest-left']} it would {would}"
