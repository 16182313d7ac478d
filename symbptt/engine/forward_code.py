"""The forward pass of any model as NumPy statements, compiled from its equations.

Arrays are stacked over time (row t is step t; rows 0 and T + 1 hold a state's initial
value and zeros). The equations on the recurrence (those that read a state at t - 1,
directly or through their step, and feed a state) run in a loop over t; every other
equation, and every part of a loop equation's sum that does not depend on the recurrence
(the input projections W x_t + b), is computed for all t at once. A function's slope
series (phi'(s_t)) is computed from the primitive table's NumPy text after the loop.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.model import Model
from ..core.primitives import NUMPY_PRIMITIVES
from ..core.tensor import Apply, Expr, Var, sum_of, summands, variables
from ..errors import SpecError


def array_name(name: str) -> str:
    """The generated code's array of a time-indexed series: h -> H, h_tilde -> H_TILDE."""
    return name.upper()


def recurrent(model: Model) -> set[str]:
    """The equations that must run step by step: they read a state at t - 1 (directly or
    through their step) and feed a state's update."""
    reads_previous: set[str] = set()
    for eq in model.equations:
        if any(v.shift == -1 or v.name in reads_previous for v in variables(eq.expr)):
            reads_previous.add(eq.target)
    feeds: set[str] = set(model.states)
    for eq in reversed(model.equations):
        if eq.target in feeds:
            feeds.update(v.name for v in variables(eq.expr) if v.shift == 0)
    return reads_previous & feeds


def forward_lines(
    model: Model,
    width: Callable[[Expr], str],
    stacked: Callable[[Expr], str],
    row: Callable[[Expr, str], str],
    declare: Callable[[str, str], None],
) -> list[str]:
    """The forward pass's statements. ``width``, ``stacked`` and ``row`` print an
    expression's row length, its value for all t and at one t (the code emitter's);
    ``declare(name, width)`` tells the emitter a new array exists."""
    lines: list[str] = []
    loop = recurrent(model)
    functions = {role: primitive for role, primitive, _ in model.functions}
    for role, primitive in functions.items():
        if primitive not in NUMPY_PRIMITIVES:
            raise SpecError(
                f"NumPy code needs a concrete activation for {role}: one of "
                f"{', '.join(NUMPY_PRIMITIVES)} (got {primitive})"
            )
    for state, init in model.initial:
        size = str(model.shape(state)[0]) if init is None else f"{init}.shape[0]"
        declare(state, size)
        lines.append(f"{array_name(state)} = np.zeros((T + 2, {size}))")
        if init is not None:
            lines.append(f"{array_name(state)}[0] = {init}[:, 0]")

    def value(expr: Expr, at: str | None) -> str:
        if isinstance(expr, Apply):
            text = NUMPY_PRIMITIVES[functions[expr.role]][0]
            return text.format(s=stacked(expr.arg) if at is None else row(expr.arg, at))
        return stacked(expr) if at is None else row(expr, at)

    def allocate(name: str, expr: Expr) -> None:
        if name not in model.states:
            w = width(expr.arg if isinstance(expr, Apply) else expr)
            declare(name, w)
            lines.append(f"{array_name(name)} = np.zeros((T + 2, {w}))")

    late: set[str] = set()  # after the loop: they read what the loop computes
    for eq in model.equations:
        if eq.target not in loop and any(v.name in loop | late for v in variables(eq.expr)):
            late.add(eq.target)
    for eq in model.equations:
        if eq.target not in loop | late:
            allocate(eq.target, eq.expr)
            lines.append(f"{array_name(eq.target)}[1:T + 1] = {value(eq.expr, None)}")
    bodies: list[str] = []
    for eq in model.equations:  # arrays, and the parts of each sum computed for all t first
        if eq.target not in loop:
            continue
        allocate(eq.target, eq.expr)
        array, expr, assign = array_name(eq.target), eq.expr, "="
        if not isinstance(expr, Apply):
            terms = summands(expr)
            free = [t for t in terms if not any(_in_loop(v, loop) for v in variables(t))]
            if free and len(free) < len(terms):  # the input projection, for all t at once
                lines.append(f"{array}[1:T + 1] = {stacked(sum_of(free))}")
                expr, assign = sum_of([t for t in terms if t not in free]), "+="
        bodies.append(f"    {array}[t] {assign} {value(expr, 't')}")
    if bodies:
        lines += ["for t in range(1, T + 1):", *bodies]
    for eq in model.equations:
        if eq.target in late:
            allocate(eq.target, eq.expr)
            lines.append(f"{array_name(eq.target)}[1:T + 1] = {value(eq.expr, None)}")
    for eq in model.equations:  # the slopes, from each function's value and argument
        if eq.slope is None or not isinstance(eq.expr, Apply):
            continue
        derivative = NUMPY_PRIMITIVES[functions[eq.expr.role]][1]
        declare(eq.slope, width(eq.expr.arg))
        lines.append(f"{array_name(eq.slope)} = np.zeros((T + 2, {width(eq.expr.arg)}))")
        text = derivative.format(y=stacked(Var(eq.target)), s=stacked(eq.expr.arg))
        lines.append(f"{array_name(eq.slope)}[1:T + 1] = {text}")
    return lines


def _in_loop(v: Var, loop: set[str]) -> bool:
    return v.shift == -1 or v.name in loop
