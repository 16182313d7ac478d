"""How a formula may be read, besides as first read: a source's meaning is often one of
several readings of its text, and a formula is called false only if every reading
fails.

* :func:`read_formula`: the names, in the notation asked for or, for a name note000 does
  not know, in the first built-in profile that reads the whole formula;
* :func:`other_readings`: a \\prod's trailing factors inside it, a sum written downward
  read as written, the built-in profiles that give the names other meanings;
* :func:`links_in_layouts`: a chain A = B = C whose every '=' holds in a layout of its
  own (or only up to transposition, which the failure then says).

Each takes ``decide``, the checker's verdict on a parsed formula in a layout
(:func:`symbptt.engine.check.check_vector` passes its own), so that the readings stay
apart from how one reading is decided.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import FormulaSyntaxError
from ..verdict import FormulaCheckResult
from .comparisons import ORDINALS
from .model import ElmanSpec
from .nodes import Transposed

if TYPE_CHECKING:
    from ..notation.parse import Parsed
    from ..notation.profiles import Profile

#: The checker's verdict on a parsed formula read in a layout ("auto" tries each).
Decide = Callable[["Parsed", str], FormulaCheckResult]


def other_readings(
    text: str,
    spec: ElmanSpec,
    parsed: Parsed,
    result: FormulaCheckResult,
    decide: Decide,
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
    * a sum written from a larger limit to a smaller one (\\sum_{k=t}^{3}) read as
      written (empty past its upper limit) rather than downward (d2l's \\sum_{i=t}^{1});
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
            again = decide(other, layout)
        except FormulaSyntaxError:
            continue
        if again.holds:
            said = f"as first read it does not hold ({result.explanation}); it holds {how}"
            return dataclasses.replace(again, notes=(*again.notes, said))
    if parsed.scoped:
        said = f"it does not hold {inside} either"
        return dataclasses.replace(result, notes=(*result.notes, said))
    return result


def links_in_layouts(
    text: str,
    spec: ElmanSpec,
    parsed: Parsed,
    result: FormulaCheckResult | None,
    decide: Decide,
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
