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
from dataclasses import dataclass, field

from symbptt.core.model import Model
from symbptt.core.primitives import NUMPY_PRIMITIVES
from symbptt.core.tensor import (
    Apply,
    Expr,
    MatVec,
    Param,
    Var,
    rebuild,
    subexpressions,
    sum_of,
    summands,
    variables,
)
from symbptt.errors import SpecError


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
    parts: dict[str, tuple[Expr | None, Expr]] = {}  # loop equation -> (for all t, at t)
    for eq in model.equations:
        if eq.target not in loop:
            continue
        free_part, expr = None, eq.expr
        if not isinstance(expr, Apply):
            terms = summands(expr)
            free = [t for t in terms if not any(_in_loop(v, loop) for v in variables(t))]
            if free and len(free) < len(terms):  # the input projection, for all t at once
                free_part, expr = sum_of(free), sum_of([t for t in terms if t not in free])
        parts[eq.target] = (free_part, expr)
    stacks = _stacks(model, parts, {role for role, _ in functions.items()})
    bodies: list[str] = []
    for stack in stacks:  # one product per step for the state's every matrix
        lines += stack.allocation(declare)
        bodies.append(
            f"    {stack.array}[t] += {row(Var(stack.vector.name, -1), 't')} @ {stack.matrix}"
        )
        for target, expr in stack.rewritten.items():
            parts[target] = (parts[target][0], expr)
    grouped = {out: stack for stack in stacks for run in stack.runs for out in run.outputs}
    done: set[str] = set()
    for eq in model.equations:  # arrays, and the parts of each sum computed for all t first
        if eq.target not in loop:
            continue
        if not any(eq.target in st.owned or eq.target in grouped for st in stacks):
            allocate(eq.target, eq.expr)
        free_part, expr = parts[eq.target]
        array = array_name(eq.target)
        if free_part is not None:
            lines.append(f"{array}[1:T + 1] = {stacked(free_part)}")
        if any(eq.target in st.owned for st in stacks):
            continue  # its product is the stack's
        if eq.target in grouped:
            run = grouped[eq.target].run_of(eq.target)
            if run.outputs[0] not in done:
                done.add(run.outputs[0])
                text = NUMPY_PRIMITIVES[functions[run.role]][0]
                stack = grouped[eq.target]
                bodies.append(f"    {run.array}[t] = {text.format(s=stack.slice(run))}")
            continue
        assign = "+=" if free_part is not None else "="
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


@dataclass
class _Run:
    """Members of a stack side by side that one function reads: their values are one
    call of the function on a slice of the stack, into one array of views."""

    role: str
    members: list[str]
    outputs: list[str]
    array: str = ""


@dataclass
class _Stack:
    """The products W_k s_(t-1) of one state s by several matrices, as one product per
    step [W_1; W_2; ...] s_(t-1) into one array whose column blocks are the members'
    arrays (an equation's own pre-activation, or a part of a larger expression)."""

    index: int
    vector: Var
    #: (member, matrix), the members read by one function side by side
    members: list[tuple[str, str]]
    #: members that are an equation's whole step part (its array is the block)
    owned: set[str]
    #: loop equations rewritten to read a member instead of its product
    rewritten: dict[str, Expr]
    runs: list[_Run] = field(default_factory=list)

    @property
    def array(self) -> str:
        return f"_PRODUCTS{self.index}"

    @property
    def matrix(self) -> str:
        return f"_W{self.index}_T"

    def allocation(self, declare: Callable[[str, str], None]) -> list[str]:
        """The statements that make the stack, its members' views, the stacked matrix
        (transposed, for ``s @ W^T``) and each run's array of views."""
        widths = {m: f"{w}.shape[0]" for m, w in self.members}
        lines = [f"{self.array} = np.zeros((T + 2, {' + '.join(widths.values())}))", "_at = 0"]
        for n, run in enumerate(self.runs):
            run.array = f"_VALUES{self.index}_{n}"
        for member, _ in self.members:
            for n, run in enumerate(self.runs):
                if member == run.members[0]:
                    lines.append(f"_from{self.index}_{n} = _at")
            declare(member, widths[member])
            lines.append(f"{array_name(member)} = {self.array}[:, _at:_at + {widths[member]}]")
            lines.append(f"_at += {widths[member]}")
            for n, run in enumerate(self.runs):
                if member == run.members[-1]:
                    lines.append(f"_to{self.index}_{n} = _at")
        matrices = ", ".join(w for _, w in self.members)
        lines.append(f"{self.matrix} = np.ascontiguousarray(np.vstack([{matrices}]).T)")
        for n, run in enumerate(self.runs):
            span = f"_to{self.index}_{n} - _from{self.index}_{n}"
            lines += [f"{run.array} = np.zeros((T + 2, {span}))", "_at = 0"]
            for member, out in zip(run.members, run.outputs, strict=True):
                declare(out, widths[member])
                lines.append(f"{array_name(out)} = {run.array}[:, _at:_at + {widths[member]}]")
                lines.append(f"_at += {widths[member]}")
        return lines

    def run_of(self, output: str) -> _Run:
        return next(run for run in self.runs if output in run.outputs)

    def slice(self, run: _Run) -> str:
        """The run's members at step t, one slice of the stack."""
        n = self.runs.index(run)
        return f"{self.array}[t, _from{self.index}_{n}:_to{self.index}_{n}]"


def _stacks(
    model: Model, parts: dict[str, tuple[Expr | None, Expr]], roles: set[str]
) -> list[_Stack]:
    """The stacks of the loop's products W s_(t-1) (two or more matrices for one state),
    their members ordered so that the members one function reads are side by side."""
    readers = {}  # member -> (role, output) of the loop equation applying a function to it
    for eq in model.equations:
        if eq.target in parts and isinstance(eq.expr, Apply) and isinstance(eq.expr.arg, Var):
            readers[eq.expr.arg.name] = (eq.expr.role, eq.target)
    found: dict[Var, list[tuple[MatVec, str]]] = {}
    for target, (_, expr) in parts.items():
        for sub in subexpressions(expr):
            if (
                isinstance(sub, MatVec)
                and isinstance(sub.matrix, Param)
                and isinstance(sub.vector, Var)
                and sub.vector.shift == -1
                and all(sub != seen for seen, _ in found.get(sub.vector, []))
            ):
                found.setdefault(sub.vector, []).append((sub, target))
    stacks = []
    for vector, products in found.items():
        if len(products) < 2:
            continue
        members, owned, rewritten = [], set(), {}
        for k, (product, target) in enumerate(products):
            if parts[target][1] == product:
                members.append((target, product.matrix.name))
                owned.add(target)
            else:
                name = f"_part{len(stacks) + 1}_{k}"
                members.append((name, product.matrix.name))
                expr = rewritten.get(target, parts[target][1])
                rewritten[target] = _replace(expr, product, Var(name))
        order = {m: n for n, (m, _) in enumerate(members)}
        members.sort(
            key=lambda mw: (mw[0] not in readers, readers.get(mw[0], ("",))[0], order[mw[0]])
        )
        stack = _Stack(len(stacks) + 1, vector, members, owned, rewritten)
        run: list[str] = []
        for member, _ in [*members, ("", "")]:
            role = readers.get(member, (None,))[0]
            if run and (role is None or role != readers[run[0]][0]):
                if len(run) >= 2:
                    outputs = [readers[m][1] for m in run]
                    stack.runs.append(_Run(readers[run[0]][0], list(run), outputs))
                run = []
            if role is not None and member in owned:
                run.append(member)
        stacks.append(stack)
    return stacks


def _replace(expr: Expr, old: Expr, new: Expr) -> Expr:
    return new if expr == old else rebuild(expr, lambda e: _replace(e, old, new))
