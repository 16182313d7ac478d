"""Readings of a notes display that the notes do not settle (issue 27): each function
returns why a display is refused, naming the verdict in each reading and the declaration
that settles it, or None when the readings agree. A formula is never passed (or failed)
because one reading suits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from symbptt.core.spec import Spec
from symbptt.errors import FormulaSyntaxError, SpecError
from symbptt.read.parse import Parsed
from symbptt.read.profiles import Profile
from symbptt.results import FormulaCheckResult


def last_step_only(result: FormulaCheckResult, T: int) -> str | None:
    """Why a display of notes that holds at the last step only is refused, else None.

    Notes write the case t = T with t (a section "the case t = T" gives the scope in
    prose): read for every step, the display does not hold; read for the last step, it
    does. The display does not settle which, so it is refused, naming both verdicts and
    how to settle it (write T for t), never passed nor failed by the reading that suits.
    """
    if result.holds or not result.results:
        return None
    steps = [r.t for r in result.results if r.t is not None]
    if not steps:
        return None
    last = max(steps)
    failing = {r.t for r in result.results if not r.holds}
    if last != T or last in failing or not failing:
        return None
    first = min(t for t in failing if t is not None)
    said = result.counterexample.describe() if result.counterexample else ""
    return (
        f"ambiguous: it holds at the last step t = {last} but not at every step (not at "
        f"t = {first}{': ' + said.splitlines()[0] if said else ''}). If the display is about "
        "the last step, write T for t; if about every step, it does not hold"
    )


def other_partial(
    result: FormulaCheckResult, immediate: Callable[[], FormulaCheckResult]
) -> str | None:
    """Why a display whose ∂ the notes do not settle is refused, else None: read with
    ``partial = immediate`` (``immediate()``: a state's derivative by a parameter or an
    earlier state is its own equation's, the others held fixed), the verdict differs
    from the total derivative's (every path), or that reading has no value here."""
    said = "holds" if result.holds else "does not hold"
    try:
        other = immediate()
    except (FormulaSyntaxError, SpecError) as err:
        why = getattr(err, "reason", str(err))
        return (
            f"ambiguous: read with each derivative of a state the total one (every path), it "
            f"{said}; read as the immediate partial (the state's own equation, the others "
            f"held fixed), it has no value here ({why}); declare partial = total (symbptt: "
            "conventions) if the notes mean every path"
        )
    if other.holds == result.holds:
        return None
    return (
        f"ambiguous: read with each derivative of a state by a parameter or an earlier state "
        f"the total one (every path), it {said}; read as the immediate partial (the state's "
        f"own equation, the others held fixed), it {'holds' if other.holds else 'does not hold'}"
        "; declare partial = total or partial = immediate (symbptt: conventions)"
    )


def other_layout(
    result: FormulaCheckResult, decide: Callable[[str], FormulaCheckResult]
) -> str | None:
    """Why a display of notes that do not declare their layout is refused, else None:
    read in another layout (``decide(layout)``), its verdict differs. ``W^T
    \\operatorname{diag}(f'(s_t))`` is ∂s_t/∂s_{t-1} in the denominator layout and its
    transpose in the numerator layout; notes that do not say which are read in neither.
    A layout in which the display has no value (its shapes do not fit) is not a reading."""
    from symbptt.errors import SymbpttError
    from symbptt.formulas.compile import LAYOUTS

    verdicts: dict[str, bool | None] = (
        {result.layout: result.holds} if result.layout in LAYOUTS else {}
    )
    for layout in LAYOUTS:
        if layout in verdicts:
            continue
        try:
            verdicts[layout] = decide(layout).holds
        except FormulaSyntaxError as err:  # no value there: not a reading; else undecided
            if not re.search(r"has no value|no meaning|cannot be", str(err)):
                verdicts[layout] = None
        except SpecError:
            continue
        except SymbpttError:  # a reading symbptt could not decide (a work limit)
            verdicts[layout] = None
    if len(set(verdicts.values())) < 2:
        return None
    said = "; ".join(
        f"in the {layout} layout it "
        + {True: "holds", False: "does not hold", None: "has no verdict"}[holds]
        for layout, holds in verdicts.items()
    )
    return f"ambiguous: {said}; declare the layout (symbptt: conventions layout = ...)"


def by_shared_parameter(
    text: str, spec: Spec, profile: Profile, layouts: Sequence[str] = ("mixed",)
) -> str | None:
    """Why a display of notes that equates the gradient by a parameter with a quantity of
    step t is refused when it does not hold, else None.

    ``\\frac{\\partial J}{\\partial b_o} = \\frac{\\partial J}{\\partial a^{<t>}} * \\tanh(c^{<t>})
    * ...`` is written for "the cell at time t": read as the gradient by b_o (every step's
    use of it) it does not hold; read as the part from step t's cell (the gradient by the
    copy of b_o used at t, b_o^{(t)}) it may. The display does not say which: where the
    second reading holds, it is refused naming both; where it fails too, the display
    does not hold in either reading, and None lets that verdict stand. The second
    reading is tried in each of ``layouts`` (every layout where the notes declare none:
    a copy's gradient may hold in W^T's shape only)."""
    import dataclasses

    import sympy as sp

    from symbptt.core import derivatives as E
    from symbptt.core.formula import Node, ParamAt, VTotal
    from symbptt.read.formula import parse_vector

    try:
        parsed = parse_vector(text, model=spec.model, profile=profile)
    except (FormulaSyntaxError, SpecError):
        return None
    sides = parsed.sides
    shared = [
        s
        for s in sides
        if isinstance(s, VTotal) and s.args[0] == E.L and not isinstance(s.args[1], Node | ParamAt)
    ]

    def steps(side: sp.Expr) -> set[sp.Symbol]:
        found = set()
        for e in sp.preorder_traversal(side):
            if isinstance(e, Node):
                found |= e.args[0].free_symbols
        return found & side.free_symbols

    letters = set().union(*(steps(s) for s in sides))
    if not shared or not letters:
        return None
    name = shared[0].args[1]
    unread = (
        f"ambiguous: the gradient by {name} (every step's use of it) is equated with a "
        f"quantity of one step: so read, it does not hold; the notes may mean the part from "
        f"one step's cell (the gradient by the copy of {name} used at that step)"
    )
    if len(letters) != 1 or not all(str(g.args[1]) in spec.model.parameters for g in shared):
        return unread + ", which is not read here"
    (step,) = letters
    copies = {g: VTotal(E.L, ParamAt(g.args[1], step)) for g in shared}
    copied = dataclasses.replace(parsed, sides=[s.xreplace(copies) for s in sides])
    holding, readable = _first_holding(copied, spec, profile, layouts)
    if not readable:
        return unread + ", which cannot be read here"
    if holding is None:
        return None  # false in both readings
    where = f" in the {holding} layout" if len(layouts) > 1 else ""
    return (
        unread + f" ({name}^({step})): so read, it holds{where}; write which (the copy's "
        "derivative), or declare gradients = total where the notes mean the total"
    )


def by_step_part(
    text: str, spec: Spec, profile: Profile, layouts: Sequence[str] = ("mixed",)
) -> str | None:
    """Why a display of notes that does not hold, with a derivative of the loss by a state
    on its left (``\\frac{\\partial E}{\\partial c^{t-1}} = \\delta c^t \\odot f^t``), is
    refused: read as the part of it that the next step passes back (the state as that
    step reads it, what a cell's backward pass computes and code-like notes write so), it
    holds. None where
    it fails so too (in each of ``layouts``): then it does not hold in either reading."""
    import dataclasses

    from symbptt.core import derivatives as E
    from symbptt.core.formula import Node, StateAt, VTotal
    from symbptt.read.formula import parse_vector

    try:
        parsed = parse_vector(text, model=spec.model, profile=profile)
    except (FormulaSyntaxError, SpecError):
        return None
    states = spec.model.states
    by_state = {  # on the left: what the step computes (its inputs stay total)
        d
        for d in parsed.sides[0].atoms(VTotal)
        if d.args[0] == E.L and isinstance(d.args[1], Node) and d.args[1].kind in states
    }
    if not by_state:
        return None
    parts = {d: VTotal(E.L, StateAt(d.args[1])) for d in by_state}
    read = dataclasses.replace(parsed, sides=[parsed.sides[0].xreplace(parts), *parsed.sides[1:]])
    if _first_holding(read, spec, profile, layouts)[0] is None:
        return None
    (state,) = {d.args[1].kind for d in by_state} if len(by_state) == 1 else ("a state",)
    return (
        f"ambiguous: read with the derivative of the loss by {state} the total one, it "
        f"does not hold; read as the part of it that the next step passes back ({state} "
        "as that step reads it, what a cell's backward pass computes), it holds; the notes "
        "do not say which (declare gradients = total where they mean the total)"
    )


def _first_holding(
    parsed: Parsed, spec: Spec, profile: Profile, layouts: Sequence[str]
) -> tuple[str | None, bool]:
    """The first of ``layouts`` in which a reading of a display (already parsed) holds,
    or None; and whether it has a verdict in any of them."""
    from symbptt.checker.decide import check_vector
    from symbptt.errors import EvaluationError

    readable = False
    for layout in layouts:
        try:
            if check_vector(parsed, spec, layout=layout, notation=profile).holds:
                return layout, True
            readable = True
        except (FormulaSyntaxError, SpecError, EvaluationError):
            continue
    return None, readable
