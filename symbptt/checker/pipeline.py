"""Checking gradient formulas: ``check(equation)`` and ``assert_equivalent(lhs, rhs)``.

A formula is parsed (:mod:`symbptt.read`), given its meaning in the model, and
compared with the truth for every t = 1..T at which every index it mentions lies in the
model, exactly (canonical polynomial forms) or by the modular method. When it does not
hold, the result carries the first t where it fails, a counterexample at concrete
inputs, and an explanation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import sympy as sp

from symbptt.cells.choose import RNNSpec
from symbptt.checker.decide import check_vector
from symbptt.core.method import choose_method
from symbptt.core.spec import Spec, require_spec
from symbptt.errors import FormulaSyntaxError, NotEquivalentError, SpecError
from symbptt.formulas.compile import LAYOUTS
from symbptt.read.display import equations, stated_condition, unread_condition
from symbptt.read.formula import parse_vector
from symbptt.read.macros import expand, read_macros
from symbptt.read.parse import Parsed
from symbptt.results import FormulaCheckResult

if TYPE_CHECKING:
    from symbptt.read.profiles import Profile


def check(
    equation: str,
    *,
    model: Spec | None = None,
    T: int | None = None,
    method: str = "auto",
    seed: int = 0,
    layout: str = "auto",
    notation: str | Profile | None = None,
    macros: str = "",
) -> FormulaCheckResult:
    """Check a gradient formula written in LaTeX against the model.

    Args:
        equation: e.g. ``r"\\frac{\\partial L}{\\partial s_t} = \\frac{\\partial L}
            {\\partial h_t} \\phi'(s_t)"``; chains ``A = B = C`` check each ``=``.
        model: the model (default: the ``notation`` profile's source's model, else
            generic phi, theta and l, mean loss); an
            :func:`~symbptt.cells.choose.ElmanSpec` checks vector formulas
            (``\\mathbf{h}_t``, ``W_{hh}^\\top``, ``\\operatorname{diag}``, ``\\odot``).
        T: the horizon (default: the model's, or 4).
        method: ``"auto"`` (exact within the model's exact limits for checks, else
            modular: a note says so), ``"exact"`` or ``"modular"``.
        layout: how its derivatives are laid out: ``"mixed"`` (dv/du with rows following
            v, dL/dP in the shape of P), ``"numerator"``, ``"denominator"``, or
            ``"auto"``: mixed, then the others if it does not hold so; the result says
            which layout it holds in.
        notation: a notation profile for the names (``"note000"``, ``"d2l"``,
            ``"goodfellow"`` or a profile's TOML file); None: note000's, and the
            built-in profiles for a name it does not know (the notes say which).
        macros: LaTeX that defines macros the formula uses (``\\newcommand``, ``\\def``,
            ``\\DeclareMathOperator``: a notes file's preamble); they are expanded first.

    Raises:
        FormulaSyntaxError: the formula cannot be parsed or understood (with its column),
            or its shapes do not fit in any layout.
        SpecError: bad model options.

    Example:
        >>> check(r"\\frac{\\partial h_t}{\\partial h_{t-1}} = \\phi'(s_t) w").holds
        True
    """
    spec = _resolve_spec(model, T, notation)
    choose_method(spec, method, checking=True)  # an unknown method or exact beyond limits
    if not isinstance(equation, str):
        raise SpecError(f"the equation must be a LaTeX string, got {type(equation).__name__}")
    if macros:
        equation = expand(equation, read_macros(macros))
    pieces = equations(equation)
    condition = stated_condition(equation, pieces)
    if condition:
        raise FormulaSyntaxError(unread_condition(condition))

    def decide(texts: list[str]) -> FormulaCheckResult:
        return _in_one_layout(
            equation,
            texts,
            lambda text, lay: check_vector(
                text, spec, method=method, seed=seed, layout=lay, notation=notation
            ),
            layout if layout != "auto" or spec.model.scalar else None,
        )

    result = decide(pieces)
    joined = equations(equation, spaces=False)
    if joined == pieces:
        return result
    # split at a space (A = B \quad C = D): the space may also be spacing in one chain
    try:
        whole = decide(joined)
    except FormulaSyntaxError:
        return result  # read as one chain it has no value: the split is the reading
    if whole.partial or whole.holds == result.holds:
        return result  # (a chain with a side without value has no verdict of its own)
    raise FormulaSyntaxError(
        f"ambiguous: read as equations side by side, the display "
        f"{'holds' if result.holds else 'does not hold'}; read as one chain (the space "
        f"as spacing), it {'holds' if whole.holds else 'does not hold'}; separate the "
        "equations with a comma or \\\\, or remove the space"
    )


def in_layouts(
    decide: Callable[[str], FormulaCheckResult], layouts: Sequence[str], *, all_: bool = False
) -> tuple[FormulaCheckResult, list[str]]:
    """A verdict read in one of ``layouts``, and the layouts in which it holds: the first
    in which it holds (``all_``: every layout is tried, so that a file can keep those in
    which all its displays hold; else the search stops there); if it holds in none, its
    verdict in the first layout that gives one (a failure, with its counterexample there).

    Raises:
        FormulaSyntaxError: no layout gives a verdict (the first layout's error).
    """
    verdicts: dict[str, FormulaCheckResult | FormulaSyntaxError] = {}
    for lay in layouts:
        try:
            verdicts[lay] = decide(lay)
        except FormulaSyntaxError as err:
            verdicts[lay] = err
        if not all_ and isinstance(verdicts[lay], FormulaCheckResult) and verdicts[lay].holds:
            break
    holding = [lay for lay, r in verdicts.items() if isinstance(r, FormulaCheckResult) and r.holds]
    if holding:
        return verdicts[holding[0]], holding  # type: ignore[return-value]
    decided = [r for r in verdicts.values() if isinstance(r, FormulaCheckResult)]
    if not decided:
        raise next(iter(verdicts.values()))  # type: ignore[misc]
    return decided[0], []


def _in_one_layout(
    equation: str,
    pieces: list[str],
    decide: Callable[[str, str], FormulaCheckResult],
    layout: str | None,
) -> FormulaCheckResult:
    """The verdict on a display's equations, all read in one layout: ``layout``, or
    (None) the first of the layouts in which every equation holds; if there is none,
    the first in which each has a verdict (the failures' counterexamples in it), with a
    note. Equations side by side are claims of one text: one may not be read with dL/dW
    in W's shape and the other with it transposed (together they would say G = G^T).

    Raises:
        FormulaSyntaxError: some equation has no verdict in every layout.
    """
    if len(pieces) == 1:
        result = decide(pieces[0], layout or "auto")
        return dataclasses.replace(result, equation=equation)
    if layout is not None:
        return _combined(equation, [decide(piece, layout) for piece in pieces])
    result, holding = in_layouts(
        lambda lay: _combined(equation, [decide(piece, lay) for piece in pieces]), LAYOUTS
    )
    if holding:
        return result
    note = f"no one layout makes every equation hold; read in the {result.layout} layout"
    return dataclasses.replace(result, notes=(*result.notes, note))


def _combined(equation: str, results: list[FormulaCheckResult]) -> FormulaCheckResult:
    """One result for a display of several equations: it holds when each does; the
    first that fails gives the explanation and the counterexample."""
    failing = [(n, r) for n, r in enumerate(results, 1) if not r.holds]
    first = failing[0][1] if failing else results[0]
    said = (
        f"equation {failing[0][0]} of {len(results)}: {first.explanation}"
        if failing
        else f"all {len(results)} equations hold"
    )
    return FormulaCheckResult(
        equation,
        not failing,
        first.method,
        tuple(step for r in results for step in r.results),
        first.counterexample,
        said,
        tuple(w for r in results for w in r.warnings),
        tuple(dict.fromkeys(note for r in results for note in r.notes)),
        first.layout,
        tuple(results),
        first.repairs,
    )


def _resolve_spec(model: Spec | None, T: int | None, notation: str | Profile | None = None) -> Spec:
    """The model (default: the notation profile's source's model, else the generic
    scalar one; T = 4), with T replaced when one is given.

    Raises:
        SpecError: ``model`` is not a Spec, or T is invalid.
    """
    if model is not None:
        require_spec(model, "model")
    if T is not None and (isinstance(T, bool) or not isinstance(T, int)):
        raise SpecError(f"T must be an integer, got {T!r}")
    if model is None and notation is not None:
        from symbptt.cells.choose import build_spec, with_profile
        from symbptt.read.profiles import load_profile

        options, _ = with_profile({}, load_profile(notation).model, set())
        model = build_spec(**options)
    spec = model or RNNSpec(T=T or 4)
    if T is not None and T != spec.T:
        spec = spec.with_T(T)
    return spec


def assert_equivalent(
    lhs: str | sp.Expr,
    rhs: str | sp.Expr,
    *,
    model: Spec | None = None,
    T: int | None = None,
    method: str = "auto",
    layout: str = "mixed",
) -> None:
    """Assert that two gradient formulas mean the same for every t.

    Each side is a LaTeX string or a formula object (what the formula reader makes of
    one, :func:`symbptt.read.formula.parse_vector`); their derivatives are read in
    ``layout`` (the mixed layout:
    dv/du with rows following v, dL/dP in P's shape; or ``"numerator"``,
    ``"denominator"``, or ``"auto"``: equal in any one of them).

    Raises:
        NotEquivalentError: (an AssertionError) with the t and a counterexample.
    """
    spec = _resolve_spec(model, T)
    choose_method(spec, method, checking=True)  # an unknown method or exact beyond limits
    for side in (lhs, rhs):
        if not isinstance(side, str | sp.Basic):
            raise SpecError(
                f"each side must be a LaTeX string or a SymPy expression, got {type(side).__name__}"
            )
    sides = [
        s
        if isinstance(s, sp.Basic)
        else parse_vector(s, expression=True, model=spec.model).sides[0]
        for s in (lhs, rhs)
    ]
    result = check_vector(Parsed(sides), spec, method=method, layout=layout)
    if result.holds:
        return
    message = f"not equivalent: {result.explanation}"
    if result.counterexample:
        message += "\n  counterexample " + result.counterexample.describe()
    raise NotEquivalentError(message, lhs=lhs, rhs=rhs, counterexample=result.counterexample)
