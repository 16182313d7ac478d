"""Checking gradient formulas: ``check(equation)`` and ``assert_equivalent(lhs, rhs)``.

A formula is parsed (:mod:`symbptt.notation`), given its meaning in the model, and
compared with the truth for every t = 1..T at which every index it mentions lies in the
model, exactly (canonical polynomial forms) or by the modular method. When it does not
hold, the result carries the first t where it fails, a counterexample at concrete
inputs, and an explanation.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import sympy as sp

from .engine.check import check_vector
from .engine.formula import parse_vector
from .engine.model import ElmanSpec
from .engine.nodes import from_seed_notation
from .errors import NotEquivalentError, SpecError
from .model import METHOD_NAMES, RNNSpec, choose_from, require_spec
from .notation.display import equations
from .notation.macros import expand, read_macros
from .notation.parse import Parsed
from .verdict import FormulaCheckResult

if TYPE_CHECKING:
    from .notation.profiles import Profile


def check(
    equation: str,
    *,
    model: RNNSpec | ElmanSpec | None = None,
    T: int | None = None,
    method: str = "exact",
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
            :class:`~symbptt.engine.model.ElmanSpec` checks vector formulas
            (``\\mathbf{h}_t``, ``W_{hh}^\\top``, ``\\operatorname{diag}``, ``\\odot``).
        T: the horizon (default: the model's, or 4).
        method: ``"exact"`` or ``"modular"``.
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
    choose_from("method", method, METHOD_NAMES)
    spec = _resolve_spec(model, T, notation)
    if not isinstance(equation, str):
        raise SpecError(f"the equation must be a LaTeX string, got {type(equation).__name__}")
    if macros:
        equation = expand(equation, read_macros(macros))
    pieces = equations(equation)
    results = [
        check_vector(piece, spec, method=method, seed=seed, layout=layout, notation=notation)
        for piece in pieces
    ]
    if len(results) == 1:
        return dataclasses.replace(results[0], equation=equation)
    return _combined(equation, results)


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


def _resolve_spec(
    model: RNNSpec | ElmanSpec | None, T: int | None, notation: str | Profile | None = None
) -> RNNSpec | ElmanSpec:
    """The model (default: the notation profile's source's model, else the generic
    scalar one; T = 4), with T replaced when one is given.

    Raises:
        SpecError: ``model`` is not an RNNSpec or ElmanSpec instance, or T is invalid.
    """
    if model is not None:
        require_spec(model, "model")
    if T is not None and (isinstance(T, bool) or not isinstance(T, int)):
        raise SpecError(f"T must be an integer, got {T!r}")
    if model is None and notation is not None:
        from .models.choose import build_spec, with_profile
        from .notation.profiles import load_profile

        options, _ = with_profile({}, load_profile(notation).model, set())
        model = build_spec(**options)
    spec = model or RNNSpec(T=T or 4)
    if T is not None and T != spec.T:
        spec = dataclasses.replace(spec, T=T)
    return spec


def assert_equivalent(
    lhs: str | sp.Expr,
    rhs: str | sp.Expr,
    *,
    model: RNNSpec | ElmanSpec | None = None,
    T: int | None = None,
    method: str = "exact",
    layout: str = "mixed",
) -> None:
    """Assert that two gradient formulas mean the same for every t.

    Each side is a LaTeX string or a SymPy expression in the model's symbols
    (:mod:`symbptt.expr`); their derivatives are read in ``layout`` (the mixed layout:
    dv/du with rows following v, dL/dP in P's shape; or ``"numerator"``,
    ``"denominator"``, or ``"auto"``: equal in any one of them).

    Raises:
        NotEquivalentError: (an AssertionError) with the t and a counterexample.
    """
    choose_from("method", method, METHOD_NAMES)
    spec = _resolve_spec(model, T)
    for side in (lhs, rhs):
        if not isinstance(side, str | sp.Basic):
            raise SpecError(
                f"each side must be a LaTeX string or a SymPy expression, got {type(side).__name__}"
            )
    sides = [
        from_seed_notation(s, spec.model)
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
