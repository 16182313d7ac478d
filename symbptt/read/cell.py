r"""A recurrent cell declared in a ``[cell]`` table: a user's (in a derivation spec file)
or a built-in one (a file of :mod:`symbptt.cells`).

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
Intermediates are the left-hand sides that are not states (a label may be written as a
superscript: ``\mathbf{a}^{i}_t`` is ``a_i``); their sizes follow from their equations.
A function applied to a vector inside an expression is an intermediate of its own
(``\tanh(\mathbf{c}_t)`` is ``tanh_c``). Functions: ``\tanh``, ``\sigma``,
``\operatorname{softplus}`` (the primitive table's LaTeX names), and ``\phi``,
``\theta`` (the ``activation`` and ``output_activation`` of the model). Operations:
matrix times vector (juxtaposition), ``^\top``, ``+``, ``-``, ``\odot``, ``1 - v``,
``\begin{bmatrix} a \\ b \end{bmatrix}``. Each state h has the initial value ``h_0``, a
parameter (or zero, see ``initial``); the loss reads ``output`` against the target
``d_t`` (or a class index, for the cross-entropy loss).

The other keys are the options' (``defaults``, ``initial``, ``options``, ``when``:
:mod:`symbptt.read.cell_options`) and the metadata's (``variables``, ``functions``,
``adjoints``, ``views``, ``claims``, ``scalar``, ``slug``, ``exact_work``, ``family``:
:mod:`symbptt.read.cell_meta`); the built-in cells (:mod:`symbptt.cells`) use them.

Everything wrong in a declaration is a :class:`~symbptt.errors.FormulaSyntaxError` (an
equation, with its line and column in the ``equations`` text) or a
:class:`~symbptt.errors.SpecError` (the tables), never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lark import Tree
from lark.exceptions import UnexpectedInput

from symbptt.core.model import Equation, Model, Variable
from symbptt.core.tensor import Apply, Expr, Var, rebuild
from symbptt.core.validation import shape_of
from symbptt.errors import FormulaSyntaxError, SpecError
from symbptt.read.cell_equations import IDENTIFIER, CellNames, EquationReader, Locator, identifier
from symbptt.read.cell_meta import META_KEYS, assemble, base_latex, default_latex, entries, prepare
from symbptt.read.cell_options import SETTINGS, merge_when, options_of, settings_of
from symbptt.read.names import compact
from symbptt.read.parse import parser, syntax_error

#: Largest size a cell may declare (as for the vector model).
MAX_SIZE = 64
#: Most equations a cell may have.
MAX_EQUATIONS = 40
#: Keys that set a cell's limits (its family's row of limits, the measured size of its
#: exact method): only shipped cells may, since they bound the work a run may ask for.
LIMIT_KEYS = ("family", "exact_work")
_KEYS = (
    "name",
    "sizes",
    "states",
    "inputs",
    "parameters",
    "output",
    "equations",
    "defaults",
    "initial",
    "options",
    "when",
    *META_KEYS,
)


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


def _sizes(table: dict, given: Mapping[str, int] | None, where: str) -> dict[str, int]:
    """The declared sizes, with those ``given`` (by letter) in their place."""
    sizes = table["sizes"]
    if not isinstance(sizes, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_SIZE
        for v in sizes.values()
    ):
        raise SpecError(f"{where}: [cell] sizes must map names to integers 1..{MAX_SIZE}")
    for letter, value in (given or {}).items():
        if letter not in sizes:
            raise SpecError(f"{where}: [cell] sizes has no {letter!r} to set")
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SIZE:
            raise SpecError(f"{where}: the size {letter} must be an integer 1..{MAX_SIZE}")
    return {**sizes, **(given or {})}


def read_cell(
    table: Any,
    *,
    where: str,
    source: str = "",
    activation: str | None = None,
    output_activation: str | None = None,
    loss: str | None = None,
    reduction: str | None = None,
    initial: str | None = None,
    sizes: Mapping[str, int] | None = None,
    shipped: bool = False,
) -> Model:
    """The model a ``[cell]`` table declares (see the module docstring).

    ``source`` is the spec file's text: errors in an equation then give the line and
    column in the file (else in the ``equations`` text). The settings left None take the
    table's ``defaults`` (and ``initial``), else the language's (``generic``,
    ``identity``, ``squared``, ``mean``, ``parameter``); ``sizes`` sets sizes by letter.

    Raises:
        SpecError: a table that is missing, malformed or inconsistent.
        FormulaSyntaxError: an equation that cannot be read, with its line and column.
    """

    if not isinstance(table, dict):
        raise SpecError(f"{where}: [cell] must be a table")
    raising = sorted(key for key in LIMIT_KEYS if key in table)
    if raising and not shipped:  # a user's file must not lift the limits that bound work
        raise SpecError(
            f"{where}: [cell] {raising[0]} sets the limits of the exact method and of T, "
            "which only the cell files shipped in symbptt/cells/ may set"
        )
    settings = settings_of(
        table,
        where,
        {
            "activation": activation,
            "output_activation": output_activation,
            "loss": loss,
            "reduction": reduction,
            "initial": initial,
        },
    )
    table = merge_when(table, settings, where, _KEYS)
    unknown = set(table) - set(_KEYS)
    if unknown:
        raise SpecError(
            f"{where}: [cell] has unknown key {sorted(unknown)[0]!r}; expected: {', '.join(_KEYS)}"
        )
    for key in ("sizes", "states", "parameters", "output", "equations"):
        if key not in table:
            raise SpecError(f"{where}: [cell] needs {key!r}")
    sizes = _sizes(table, sizes, where)
    scalar = table.get("scalar") is True
    cell = CellNames()
    prepare(cell, table, entries(table, where), where)
    variables: list[Variable] = []
    for kind, key in (("state", "states"), ("input", "inputs"), ("parameter", "parameters")):
        for name, size in _names(table.get(key, {}), key, where).items():
            if name in cell.kinds:
                raise SpecError(f"{where}: [cell] declares {name!r} twice")
            shape = _size(size, sizes, name, where)
            if kind != "parameter" and shape[1] != 1:
                raise SpecError(f'{where}: the {kind} {name!r} must be a vector (a size like "n")')
            cell.kinds[name], cell.shapes[name] = kind, shape
            latex = default_latex(name, kind != "parameter", scalar)
            cell.latex[name] = latex
            variables.append(Variable(name, kind, shape, latex, kind))
    if not cell.kinds.keys() & {n for n, k in cell.kinds.items() if k == "state"}:
        raise SpecError(f"{where}: [cell] states must declare at least one state")
    for state in [n for n, k in cell.kinds.items() if k == "state"]:
        init = f"{state.partition('_')[0]}_0"
        if init in cell.kinds:
            raise SpecError(f"{where}: {init!r} is the initial value of {state!r}; rename it")
        if settings["initial"] == "zero":
            continue
        cell.kinds[init], cell.shapes[init] = "parameter", cell.shapes[state]
        latex = f"{init[:-2]}_{{0}}" if scalar else rf"\mathbf{{{init[:-2]}}}_{{0}}"
        variables.append(Variable(init, "parameter", cell.shapes[state], latex, f"initial {state}"))
    text = table["equations"]
    if not isinstance(text, str):
        raise SpecError(f"{where}: [cell] equations must be a string, one equation per line")
    lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not lines or len(lines) > MAX_EQUATIONS:
        raise SpecError(f"{where}: [cell] equations must hold 1 to {MAX_EQUATIONS} equations")
    loc = Locator(where, text, source)
    pending = [_left_side(number, line, loc, cell) for number, line in lines]
    equations = _normalized(pending, text, loc, cell)
    output = table["output"]
    if not isinstance(output, str) or cell.kinds.get(output) not in ("intermediate", "state"):
        raise SpecError(f"{where}: [cell] output must name a vector the equations compute")
    for eq in equations:
        if eq.target not in {v.name for v in variables}:
            kind = "state" if cell.kinds.get(eq.target) == "state" else "intermediate"
            shape = cell.shapes.get(eq.target, (0, 0))
            variables.append(Variable(eq.target, kind, shape, cell.latex[eq.target], ""))
    return assemble(
        table,
        variables,
        equations,
        cell,
        output,
        where,
        settings=settings,
        sizes=sizes,
        size=lambda text, name: _size(text, sizes, name, where),
    )


def _left_side(
    number: int, line: str, loc: Locator, cell: CellNames
) -> tuple[int, str, Tree, Tree]:
    """Parse one equation and name what its left-hand side computes: (line number, name,
    the left-hand side's node, the right-hand side)."""
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
    if not (
        isinstance(inner, Tree)
        and (inner.data, len(inner.children)) in (("name", 2), ("sup_sub", 3))
    ):
        raise loc.error("the left-hand side must be one vector at t, such as h_t", number, 1)
    try:
        key = reader.written_key(inner)
    except FormulaSyntaxError as err:
        raise loc.error(err.reason, number, err.column) from None
    sub = reader.subscript_text(inner.children[-1]).replace(" ", "")
    if sub != "t":
        raise loc.error(f"the left-hand side must be at t (got _{sub})", number, 1)
    written = compact(line[inner.meta.start_pos : inner.children[-1].meta.start_pos] + "_{@}")
    name = cell.written.get(written) or cell.by_key.get(key, identifier(key))
    if name not in cell.kinds:
        cell.kinds[name] = "intermediate"
        cell.by_key[key] = name
    elif cell.kinds[name] != "state":
        raise loc.error(f"{name} is a {cell.kinds[name]}; it cannot be computed", number, 1)
    return number, name, inner, sides[1]


def _normalized(
    pending: list[tuple[int, str, Tree, Tree]], text: str, loc: Locator, cell: CellNames
) -> list[Equation]:
    """Read every right-hand side into the model's equations (:func:`normalize`)."""

    def reader(number: int, name: str, lhs: Tree, rhs: Tree) -> Callable[[], Expr]:
        def read() -> Expr:
            line = text.split("\n")[number - 1]
            sub = lhs.children[-1]
            cell.latex[name] = line[lhs.meta.start_pos : sub.meta.start_pos].strip() + "_{@}"
            try:
                return EquationReader(line, cell).expr(rhs)
            except FormulaSyntaxError as err:
                raise loc.error(err.reason, number, err.column) from None

        return read

    equations = normalize(
        [(n, name, reader(n, name, lhs, rhs)) for n, name, lhs, rhs in pending], cell, loc
    )
    for state in (n for n, k in list(cell.kinds.items()) if k == "state"):
        if state not in {eq.target for eq in equations}:
            raise SpecError(f"{loc.where}: the state {state!r} has no update equation in [cell]")
    return equations


def normalize(
    items: Sequence[tuple[int, str, Callable[[], Expr]]], cell: CellNames, loc: Locator
) -> list[Equation]:
    """The equations (line number, name computed, its right-hand side read when called)
    with each application of a function given an equation of its own (its argument too,
    unless it is a vector at t), and the intermediates' shapes inferred, in order. Used
    by ``[cell]`` tables and by the notes' forward pass (:mod:`symbptt.read.notes_model`)."""
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
            slope = cell.slopes.get(name)
            if slope is None:
                slope = fresh(f"d{name}")
            elif slope in cell.kinds:
                raise loc.error(f"the slope name {slope!r} of {name} is taken", number, 1)
            cell.kinds[slope] = "slope"
        equations.append(Equation(name, expr, slope))

    def lift(expr: Expr, name: str, number: int, top: bool) -> Expr:
        """Applications below the top, and arguments that are not a vector at t, become
        intermediates of their own."""
        if isinstance(expr, Apply):
            arg = lift(expr.arg, name, number, False)
            if not (isinstance(arg, Var) and arg.shift == 0):
                pre = fresh(f"{name}_pre")
                define(pre, arg, number, rf"\mathbf{{a}}^{{{base_latex(cell.latex[name])}}}_{{@}}")
                arg = Var(pre)
            applied = Apply(expr.role, arg)
            if top:
                return applied
            if isinstance(expr.arg, Var) and expr.arg.shift == 0:  # tanh(c_t): tanh_c
                aux = fresh(f"{expr.role}_{expr.arg.name}")
                latex = f"{cell.roles[expr.role]}({cell.latex_of(expr.arg.name)})"
            else:
                aux = fresh(f"{name}_{expr.role}")
                latex = rf"\mathbf{{u}}^{{{base_latex(cell.latex[name])}}}_{{@}}"
            define(aux, applied, number, latex)
            return Var(aux)
        return rebuild(expr, lambda e: lift(e, name, number, False))

    for number, name, read in items:
        expr = read()
        define(name, lift(expr, name, number, True), number, cell.latex[name])
    return equations


def declare_cell(
    table: dict, *, where: str, source: str = "", shipped: bool = False, **options: Any
) -> Model:
    """The model of a ``[cell]`` table with options given by name (those of
    :func:`options_of`: ``hidden=3, loss="cross-entropy"``).

    Raises:
        SpecError: an option the cell does not take, or a value it cannot have.
        FormulaSyntaxError: an equation that cannot be read.
    """
    takes = options_of(table, where)
    unknown = sorted(set(options) - set(takes))
    if unknown:
        raise SpecError(
            f"{where}: the cell takes no option {unknown[0]!r}; it takes: {', '.join(takes)}"
        )
    named = table.get("options", {})
    sizes: dict[str, int] = {}
    settings: dict[str, Any] = {}
    for option, value in options.items():
        target = named.get(option, option)
        if target in SETTINGS:
            settings[target] = value
        else:
            sizes[target] = value
    return read_cell(table, where=where, source=source, sizes=sizes, shipped=shipped, **settings)
