r"""A user's own recurrent cell, declared in a derivation spec file's ``[cell]`` table.

The one-step equations are written in LaTeX, one per line, in the notation the checker
reads; the variables are declared with their sizes::

    [cell]
    name = "minimal gated unit"
    sizes = { n = 2, m = 1, k = 1 }
    states = { h = "n" }
    inputs = { x = "m" }
    parameters = { W_f = "n x m", U_f = "n x n", b_f = "n", W_y = "k x n", b_y = "k" }
    output = "o"
    equations = '''
    \mathbf{f}_t = \sigma(W_f \mathbf{x}_t + U_f \mathbf{h}_{t-1} + \mathbf{b}_f)
    ...
    '''

A variable is written as its name (``W_f`` also as ``W_{f}``), bold or not; states,
inputs and intermediates carry the time index (``_t``, a state also ``_{t-1}``).
Intermediates are the left-hand sides that are not states; their sizes follow from their
equations. Functions: ``\tanh``, ``\sigma``, ``\operatorname{softplus}`` (the primitive
table's LaTeX names), and ``\phi``, ``\theta`` (the ``activation`` and
``output_activation`` of the model). Operations: matrix times vector (juxtaposition),
``^\top``, ``+``, ``-``, ``\odot``, ``1 - v``, ``\begin{bmatrix} a \\ b \end{bmatrix}``.
Each state h has the initial value ``h_0``, a parameter; the loss reads ``output``
against the target ``d_t`` (or a class index, for the cross-entropy loss).

Everything wrong in a declaration is a :class:`~symbptt.errors.FormulaSyntaxError` (an
equation, with its line and column in the ``equations`` text) or a
:class:`~symbptt.errors.SpecError` (the tables), never a guess.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lark import Tree
from lark.exceptions import UnexpectedInput

from ..core.model import Adjoint, Equation, Head, Model, Variable, shape_of
from ..core.tensor import (
    Apply,
    Expr,
    Var,
    rebuild,
)
from ..errors import FormulaSyntaxError, SpecError
from ..notation.cell_equations import IDENTIFIER, CellNames, EquationReader, Locator, identifier
from ..notation.parse import parser, syntax_error

#: Largest size a cell may declare (as for the vector model).
MAX_SIZE = 64
#: Most equations a cell may have.
MAX_EQUATIONS = 40
_KEYS = ("name", "sizes", "states", "inputs", "parameters", "output", "equations")


def _size(text: Any, sizes: dict[str, int], what: str, where: str) -> tuple[int, int]:
    """``"n"`` (a column) or ``"n x m"`` (a matrix) in the declared sizes."""
    if not isinstance(text, str):
        raise SpecError(f'{where}: the size of {what} must be a string such as "n" or "n x m"')
    parts = [p.strip() for p in text.split("x")]
    if len(parts) > 2 or not all(parts):
        raise SpecError(f'{where}: the size of {what} must be "n" or "n x m", got {text!r}')
    values = []
    for p in parts:
        if p.isdigit():
            values.append(int(p))
        elif p in sizes:
            values.append(sizes[p])
        else:
            raise SpecError(f"{where}: the size of {what} uses {p!r}, which [cell] sizes lacks")
    if not all(1 <= v <= MAX_SIZE for v in values):
        raise SpecError(f"{where}: the size of {what} must be between 1 and {MAX_SIZE}")
    return (values[0], values[1] if len(values) == 2 else 1)


def _names(table: Any, what: str, where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise SpecError(f"{where}: [cell] {what} must be a table of name = size")
    for name in table:
        if not IDENTIFIER.fullmatch(name):
            raise SpecError(
                f"{where}: [cell] {what}: {name!r} is not a name (a letter, letters or digits, "
                f"and one optional _subscript, such as W_f or h)"
            )
    return table


def _latex(name: str, timed: bool) -> str:
    """The LaTeX of a declared name: W_f -> W_{f}; a time-indexed h -> \\mathbf{h}_{@}."""
    base, _, sub = name.partition("_")
    if timed:
        return rf"\mathbf{{{base}}}_{{@}}" if not sub else rf"\mathbf{{{base}}}^{{{sub}}}_{{@}}"
    if len(base) == 1 and base.islower() and not sub:
        return rf"\mathbf{{{base}}}"
    return f"{base}_{{{sub}}}" if sub else base


def read_cell(
    table: Any,
    *,
    where: str,
    source: str = "",
    activation: str = "generic",
    output_activation: str = "identity",
    loss: str = "squared",
    reduction: str = "mean",
) -> Model:
    """The model a ``[cell]`` table declares (see the module docstring).

    ``source`` is the spec file's text: errors in an equation then give the line and
    column in the file (else in the ``equations`` text).

    Raises:
        SpecError: a table that is missing, malformed or inconsistent.
        FormulaSyntaxError: an equation that cannot be read, with its line and column.
    """

    if not isinstance(table, dict):
        raise SpecError(f"{where}: [cell] must be a table")
    unknown = set(table) - set(_KEYS)
    if unknown:
        raise SpecError(
            f"{where}: [cell] has unknown key {sorted(unknown)[0]!r}; expected: {', '.join(_KEYS)}"
        )
    for key in ("sizes", "states", "parameters", "output", "equations"):
        if key not in table:
            raise SpecError(f"{where}: [cell] needs {key!r}")
    sizes = table["sizes"]
    if not isinstance(sizes, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_SIZE
        for v in sizes.values()
    ):
        raise SpecError(f"{where}: [cell] sizes must map names to integers 1..{MAX_SIZE}")
    cell = CellNames()
    variables: list[Variable] = []
    for kind, key in (("state", "states"), ("input", "inputs"), ("parameter", "parameters")):
        for name, size in _names(table.get(key, {}), key, where).items():
            if name in cell.kinds:
                raise SpecError(f"{where}: [cell] declares {name!r} twice")
            shape = _size(size, sizes, name, where)
            if kind != "parameter" and shape[1] != 1:
                raise SpecError(f'{where}: the {kind} {name!r} must be a vector (a size like "n")')
            cell.kinds[name], cell.shapes[name] = kind, shape
            variables.append(Variable(name, kind, shape, _latex(name, kind != "parameter"), kind))
    if not cell.kinds.keys() & {n for n, k in cell.kinds.items() if k == "state"}:
        raise SpecError(f"{where}: [cell] states must declare at least one state")
    for state in [n for n, k in cell.kinds.items() if k == "state"]:
        init = f"{state.partition('_')[0]}_0"
        if init in cell.kinds:
            raise SpecError(f"{where}: {init!r} is the initial value of {state!r}; rename it")
        cell.kinds[init], cell.shapes[init] = "parameter", cell.shapes[state]
        variables.append(
            Variable(
                init,
                "parameter",
                cell.shapes[state],
                rf"\mathbf{{{init[:-2]}}}_{{0}}",
                f"initial {state}",
            )
        )
    text = table["equations"]
    if not isinstance(text, str):
        raise SpecError(f"{where}: [cell] equations must be a string, one equation per line")
    lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not lines or len(lines) > MAX_EQUATIONS:
        raise SpecError(f"{where}: [cell] equations must hold 1 to {MAX_EQUATIONS} equations")
    loc = Locator(where, text, source)
    pending: list[tuple[int, str, Tree, Tree]] = []
    for number, line in lines:
        try:
            tree = parser().parse(line, start="start")
        except UnexpectedInput as err:
            bad = syntax_error(err, line)
            raise loc.error(bad.reason, number, bad.column) from None
        sides = [c for c in tree.children if isinstance(c, Tree)]
        if len(sides) != 2:
            raise loc.error("an equation has one = sign", number, 1)
        lhs = sides[0]
        reader = EquationReader(line, cell)
        inner = lhs.children[0] if lhs.data == "term" and len(lhs.children) == 1 else lhs
        if not (isinstance(inner, Tree) and inner.data == "name" and len(inner.children) == 2):
            raise loc.error("the left-hand side must be one vector at t, such as h_t", number, 1)
        key = reader.key(inner.children[0]).removeprefix("\\mathbf ")
        sub = reader.subscript_text(inner.children[1]).replace(" ", "")
        name = cell.by_key.get(key, identifier(key))
        if sub != "t":
            raise loc.error(f"the left-hand side must be at t (got _{sub})", number, 1)
        if name not in cell.kinds:
            cell.kinds[name] = "intermediate"
            cell.by_key[key] = name
            pending.append((number, name, inner, sides[1]))
        elif cell.kinds[name] in ("state",):
            pending.append((number, name, inner, sides[1]))
        else:
            raise loc.error(f"{name} is a {cell.kinds[name]}; it cannot be computed", number, 1)
    equations = _normalized(pending, text, loc, cell)
    output = table["output"]
    if not isinstance(output, str) or cell.kinds.get(output) not in ("intermediate", "state"):
        raise SpecError(f"{where}: [cell] output must name a vector the equations compute")
    for eq in equations:
        if eq.target not in {v.name for v in variables}:
            kind = "state" if cell.kinds.get(eq.target) == "state" else "intermediate"
            shape = cell.shapes.get(eq.target, (0, 0))
            variables.append(Variable(eq.target, kind, shape, cell.latex[eq.target], ""))
    return _model(
        table,
        variables,
        equations,
        cell,
        output,
        where,
        **{
            "activation": activation,
            "output_activation": output_activation,
            "loss": loss,
            "reduction": reduction,
        },
    )


def _normalized(
    pending: list[tuple[int, str, Tree, Tree]], text: str, loc: Locator, cell: CellNames
) -> list[Equation]:
    """Read every right-hand side, give each application of a function an equation of its
    own (its argument too, unless it is a vector at t), and infer the intermediates'
    shapes, in the order of the equations."""
    equations: list[Equation] = []

    def fresh(base: str) -> str:
        name, k = base, 1
        while name in cell.kinds:
            k += 1
            name = f"{base}{k}"
        cell.kinds[name] = "intermediate"
        return name

    def define(name: str, expr: Expr, number: int, latex: str) -> None:
        try:
            shape = shape_of(cell.shape, expr, f"the equation for {name}")
        except SpecError as err:
            raise loc.error(str(err), number, 1) from None
        if cell.kinds[name] == "state" and shape != cell.shapes[name]:
            declared = f"{cell.shapes[name][0]}x{cell.shapes[name][1]}"
            raise loc.error(
                f"{name} is declared {declared}, its right-hand side is {shape[0]}x{shape[1]}",
                number,
                1,
            )
        cell.shapes[name] = shape
        cell.latex.setdefault(name, latex)
        slope = None
        if isinstance(expr, Apply):
            slope = fresh(f"d{name}")
            cell.kinds[slope] = "slope"
        equations.append(Equation(name, expr, slope))

    def lift(expr: Expr, name: str, number: int, top: bool) -> Expr:
        """Applications below the top, and arguments that are not a vector at t, become
        intermediates of their own."""
        if isinstance(expr, Apply):
            arg = lift(expr.arg, name, number, False)
            if not (isinstance(arg, Var) and arg.shift == 0):
                pre = fresh(f"{name}_pre")
                define(pre, arg, number, rf"\mathbf{{a}}^{{{_base(cell.latex[name])}}}_{{@}}")
                arg = Var(pre)
            applied = Apply(expr.role, arg)
            if top:
                return applied
            aux = fresh(f"{name}_{expr.role}")
            define(aux, applied, number, rf"\mathbf{{u}}^{{{_base(cell.latex[name])}}}_{{@}}")
            return Var(aux)
        return rebuild(expr, lambda e: lift(e, name, number, False))

    for number, name, lhs, rhs in pending:
        line = text.split("\n")[number - 1]
        reader = EquationReader(line, cell)
        sub = lhs.children[1]
        cell.latex[name] = line[lhs.meta.start_pos : sub.meta.start_pos].strip() + "_{@}"
        try:
            expr = reader.expr(rhs)
        except FormulaSyntaxError as err:
            raise loc.error(err.reason, number, err.column) from None
        define(name, lift(expr, name, number, True), number, cell.latex[name])
    for state in (n for n, k in list(cell.kinds.items()) if k == "state"):
        if state not in {eq.target for eq in equations}:
            raise SpecError(f"{loc.where}: the state {state!r} has no update equation in [cell]")
    return equations


def _base(latex: str) -> str:
    return latex.removesuffix("_{@}")


def _model(
    table: dict,
    variables: list[Variable],
    equations: list[Equation],
    cell: CellNames,
    output: str,
    where: str,
    *,
    activation: str,
    output_activation: str,
    loss: str,
    reduction: str,
) -> Model:
    """The declaration, with the head's target (and probabilities), the initial states,
    the functions, and a named adjoint per state (the recursion of the backward program)."""
    name = table.get("name", "cell")
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise SpecError(f"{where}: [cell] name must be a short string")
    for reserved in ("d", "yhat"):
        if reserved in cell.kinds:
            raise SpecError(f"{where}: {reserved!r} is the head's; rename the variable")
    k = cell.shapes[output][0]
    variables.append(Variable("d", "target", (k, 1), r"\mathbf{d}_{@}", "target"))
    if loss == "cross-entropy":
        variables.append(
            Variable("yhat", "intermediate", (k, 1), r"\hat{\mathbf{y}}_{@}", "probabilities")
        )
    functions = []
    for role, latex in cell.roles.items():
        primitive = {"phi": activation, "theta": output_activation}.get(role, role)
        functions.append((role, primitive, latex))
    states = [v.name for v in variables if v.kind == "state"]
    for v in variables:
        if v.kind == "state":
            cell.latex.setdefault(v.name, v.latex)
    # an adjoint per state and per intermediate (the head's output is written inline):
    # the backward program then reads as textbooks write it, one step per quantity
    named = [eq.target for eq in equations if eq.target != output or eq.target in states]
    adjoints = tuple(
        Adjoint(v, f"delta_{v}", rf"\boldsymbol{{\delta}}^{{{_base(cell.latex[v])}}}_{{@}}")
        for v in reversed(named)
    )
    variables = [dataclasses.replace(v, latex=cell.latex.get(v.name, v.latex)) for v in variables]
    try:
        return Model(
            name=name,
            variables=tuple(variables),
            equations=tuple(equations),
            initial=tuple((s, f"{s.partition('_')[0]}_0") for s in states),
            functions=tuple(functions),
            head=Head(output=output, target="d", loss=loss),
            reduction=reduction,
            adjoints=adjoints,
        )
    except SpecError as err:
        raise SpecError(f"{where}: [cell]: {err}") from None
