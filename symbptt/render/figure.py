"""The figure of the unfolded network, drawn from the model's graph.

One row of state nodes for a model with one state (the scalar and the Elman RNN: the
edges labelled with the matrices that carry the input, the previous state and the
output); one row per state for a cell with several (the LSTM's c_t below h_t), with an
arrow for every state a step reads, at t - 1 or within the step, and thick arrows for a
state that each step changes only elementwise (the LSTM's cell-state path, whose block
of the Jacobian the caption prints). The matrices go into the caption there: four gates'
names do not fit on an edge.
"""

from __future__ import annotations

from typing import Any

from symbptt.core.model import Model
from symbptt.core.tensor import Apply, Expr, MatVec, matrix_name, subexpressions, variables
from symbptt.derive.jvp import state_tangents
from symbptt.render.blocks import Column, Figure, Link, Math, parts
from symbptt.render.document import figure_columns
from symbptt.render.matrix import MatrixNotation
from symbptt.render.model_derivatives import along


def figure_block(model: Model, mn: MatrixNotation, T: int, elide_above: int) -> Figure:
    """The figure of the unfolded network: its columns (steps) with their nodes' labels,
    the edges' labels, and for several states their rows, links and elementwise path
    (named in the caption)."""
    edges = labels(model, mn)
    names = {"state": model.states[0], "input": model.of_kind("input")[0]}
    columns = tuple(
        Column(None, c["x"])
        if c["index"] is None
        else Column(
            c["index"],
            c["x"],
            label=mn.numbered(c["index"]),
            state=_at(mn, names["state"], c["index"]),
            input=_at(mn, names["input"], c["index"]),
            output=_at(mn, model.head.output, c["index"]),
            states=tuple(_at(mn, s, c["index"]) for s in model.states),
        )
        for c in figure_columns(T, elide_above)
    )
    caption = parts("The network unfolded over ", Math(f"T = {T}"), " steps.")
    rows: tuple[float, ...] = ()
    links: tuple[Link, ...] = ()
    if len(model.states) > 1:
        rows, links, path = _rows(model)
        caption = parts(
            "The network unfolded over ",
            Math(f"T = {T}"),
            " steps, one row per state. Each step reads ",
            Math(f"{edges['input']}_t"),
            " through ",
            Math(edges["input_edge"]),
            " and the previous states through ",
            Math(edges["recurrent_edge"]),
            "; the output is read through ",
            Math(edges["output_edge"]),
            ".",
        )
        if path is not None:
            state, block = path
            caption += parts(
                " The thick arrows are the path of ",
                Math(_base(mn, state)),
                ", which each step changes only elementwise: ",
                Math(f"{mn.block(state, state, 't')} = {mn.linear(block, 't')}"),
                ", the other state held fixed.",
            )
    return Figure(
        initial=tuple(
            _at(mn, model.states[0], 0) if len(model.states) == 1 else mn.vector(s, 0)
            for s in model.states
        ),
        columns=columns,
        loss=edges["loss"],
        input_edge=edges["input_edge"],
        output_edge=edges["output_edge"],
        recurrent_edge=edges["recurrent_edge"],
        rows=rows,
        links=links,
        caption=caption,
    )


def cell_and_head(model: Model) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The equations up to the last state's (the cell), and those after it (the head)."""
    last = max(i for i, eq in enumerate(model.equations) if eq.target in model.states)
    return model.equations[: last + 1], model.equations[last + 1 :]


def labels(model: Model, mn: MatrixNotation) -> dict[str, Any]:
    """The figure's labels, read from the model's graph: which parameters carry the
    input into the state, the previous state into the state, the state into the output."""
    cell, head = cell_and_head(model)
    inputs = set(model.of_kind("input"))
    states = set(model.states)

    def carriers(equations: tuple[Any, ...], sources: set[str], shift: int | None) -> str:
        names: list[str] = []
        for eq in equations:
            for m in (e for e in subexpressions(eq.expr) if isinstance(e, MatVec)):
                read = variables(m.vector)
                if any(v.name in sources and shift in (None, v.shift) for v in read):
                    name = matrix_name(m.matrix)
                    if name not in names:
                        names.append(name)
        return ", ".join(mn.parameter(n) for n in names)

    def functions(equations: tuple[Any, ...]) -> str:
        roles = [
            e.role for eq in equations for e in subexpressions(eq.expr) if isinstance(e, Apply)
        ]
        return ", ".join(dict.fromkeys(mn.functions.get(r, r) for r in roles))

    return {
        "input": ", ".join(_base(mn, x) for x in model.of_kind("input")),
        "loss": r"\ell",
        "input_edge": carriers(cell, inputs, 0),
        "output_edge": carriers(head, states, None) or functions(head),
        "recurrent_edge": carriers(cell, states, -1),
    }


def _base(mn: MatrixNotation, name: str) -> str:
    return mn.table[name].replace("_{@}", "").replace("@", "t")


def _at(mn: MatrixNotation, name: str, k: int | str) -> str:
    """A variable's label at step k in the figure: h_k, or h^{(k)} in a notation that
    writes time as a superscript."""
    latex, k = mn.table[name], mn.numbered(k)
    if "_{@}" in latex:  # h_0, then h_{1}, h_{2}, ... (h_{-1} before a step 0)
        return latex.replace("_{@}", "") + (f"_{k}" if k == "0" else f"_{{{k}}}")
    return latex.replace("@", k)


def _reads(model: Model, state: str) -> tuple[set[str], set[str], bool]:
    """The states a state's update reads at t - 1 and within its step (through the
    intermediates of the step), and whether it reads its own previous value only
    elementwise (never through a matrix)."""
    equations = {eq.target: eq.expr for eq in model.equations}
    previous, same, through_matrix = set(), set(), False
    todo, seen = [state], {state}
    while todo:
        expr = equations[todo.pop()]
        for m in (e for e in subexpressions(expr) if isinstance(e, MatVec)):
            if any(v.name == state and v.shift == -1 for v in variables(m.vector)):
                through_matrix = True
        for v in variables(expr):
            if v.name in model.states:
                (previous if v.shift == -1 else same).add(v.name)
            elif v.shift == 0 and v.name in equations and v.name not in seen:
                seen.add(v.name)
                todo.append(v.name)
    return previous, same - {state}, state in previous and not through_matrix


def _rows(model: Model) -> tuple[tuple[float, ...], tuple[Link, ...], tuple[str, Expr] | None]:
    """One row per state (declaration order, bottom up: their heights), the links between
    them, and the elementwise path: the state and its block of the Jacobian."""
    number = {s: k + 1 for k, s in enumerate(model.states)}
    links: list[Link] = []
    path = None
    tangents = dict(zip(model.states, state_tangents(model)))
    for state in model.states:
        previous, same, elementwise = _reads(model, state)
        for source in sorted(previous, key=number.__getitem__):
            thick = elementwise and source == state
            links.append(Link(number[source], number[state], -1, thick))
        for source in sorted(same, key=number.__getitem__):
            links.append(Link(number[source], number[state], 0))
        if elementwise and path is None:
            block = along(model, tangents[state], state)
            if block is not None:
                path = (state, block)
    return tuple(1.6 * k for k in range(len(model.states))), tuple(links), path
