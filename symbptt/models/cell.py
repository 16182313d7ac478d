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
import re
from typing import Any

from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from ..core.model import Adjoint, Equation, Head, Model, Variable, shape_of
from ..core.primitives import PRIMITIVES
from ..core.tensor import (
    Add,
    Apply,
    Concat,
    Expr,
    Had,
    MatVec,
    Neg,
    OneMinus,
    Param,
    Sub,
    Transpose,
    Var,
    rebuild,
)
from ..errors import FormulaSyntaxError, SpecError
from ..notation.meaning import _PARSER, Reader, _syntax_error

#: Largest size a cell may declare (as for the vector model).
MAX_SIZE = 64
#: Most equations a cell may have.
MAX_EQUATIONS = 40
_TIME = re.compile(r"t([+-]\d+)?")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)?")
#: The primitives by the LaTeX key documents write them with.
_PRIMITIVE_KEYS = {
    "\\tanh": "tanh",
    "\\sigma": "sigmoid",
    "\\operatorname softplus": "softplus",
}
_ROLES = {"\\phi": ("phi", r"\phi"), "\\theta": ("theta", r"\theta")}
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
        if not _IDENTIFIER.fullmatch(name):
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


class _CellReader(Reader):
    """Reads one equation's right-hand side into the model core's expression type."""

    def __init__(self, text: str, cell: _Cell) -> None:
        super().__init__(text)
        self.cell = cell

    def name_of(self, node: Tree) -> tuple[str, str | None]:
        """(declared name, time subscript or None) of a ``name`` node."""
        key = self.key(node.children[0]).removeprefix("\\mathbf ")
        sub = node.children[1] if len(node.children) > 1 else None
        text = self.subscript_text(sub) if sub is not None else None
        if text is not None and f"{key}_{text}" in self.cell.kinds:
            return f"{key}_{text}", None
        if text is not None and not _TIME.fullmatch(text.replace(" ", "")):
            raise self.fail(f"{key}_{text} is not declared in [cell]", node)
        name = self.cell.by_key.get(key, key)
        if name not in self.cell.kinds:
            raise self.fail(f"{name!r} is not declared in [cell]", node)
        return name, text

    def shift(self, text: str | None, name: str, node: Tree) -> int:
        if text is None:
            raise self.fail(f"{name} needs a time index (_t or _{{t-1}})", node)
        compact = text.replace(" ", "")
        if compact == "t":
            return 0
        if compact == "t-1":
            return -1
        raise self.fail(f"{name}: the time index must be t or t-1, got {text!r}", node)

    def expr(self, node: Any) -> Expr:
        if isinstance(node, Token):
            raise self.fail(f"unexpected {node!s}", node)
        kind = node.data
        kids = [c for c in node.children if isinstance(c, Tree)]
        if kind in ("group", "expression"):
            return self.expr(kids[0])
        if kind == "add":
            return Add(self.expr(kids[0]), self.expr(kids[1]))
        if kind == "sub":
            if kids[0].data == "term" and self._is_one(kids[0]):
                return OneMinus(self.expr(kids[1]))
            return Sub(self.expr(kids[0]), self.expr(kids[1]))
        if kind == "neg":
            return Neg(self.expr(kids[0]))
        if kind == "hadamard":
            return Had(self.expr(kids[0]), self.expr(kids[1]))
        if kind == "term":
            return self.product(kids, node)
        if kind == "name":
            return self.leaf(node)
        if kind == "apply":
            return self.apply(node)
        if kind == "block":
            rows = [c for c in kids[0].children if isinstance(c, Tree)]
            if any(len([e for e in r.children if isinstance(e, Tree)]) != 1 for r in rows):
                raise self.fail("a block of vectors stacks one vector per row", node)
            parts = [self.expr(r.children[0]) for r in rows]
            out = parts[0]
            for p in parts[1:]:
                out = Concat(out, p)
            return out
        if kind == "number":
            raise self.fail("a number appears only in 1 - v", node)
        raise self.fail(
            f"{self.text[node.meta.start_pos : node.meta.end_pos]!r} is not "
            f"understood in a cell's equation",
            node,
        )

    def _is_one(self, term: Tree) -> bool:
        kids = [c for c in term.children if isinstance(c, Tree)]
        return len(kids) == 1 and kids[0].data == "number" and str(kids[0].children[0]) == "1"

    def product(self, factors: list[Tree], node: Tree) -> Expr:
        """Juxtaposition: matrices (possibly transposed) applied to the last factor."""
        if not factors:
            raise self.fail("an empty product", node)
        out = self.expr(factors[-1]) if factors[-1].data != "superscript" else None
        if out is None:
            raise self.fail("a matrix must be applied to a vector", factors[-1])
        for f in reversed(factors[:-1]):
            matrix = self.matrix(f)
            out = MatVec(matrix, out)
        return out

    def matrix(self, node: Tree) -> Param | Transpose:
        if node.data == "superscript":
            base, sup = node.children
            if not (
                isinstance(sup, Tree)
                and any("top" in str(c) or "intercal" in str(c) for c in sup.children)
            ):
                raise self.fail("only ^\\top may be written on a matrix", node)
            inner = self.matrix(base)
            if isinstance(inner, Transpose):
                return inner.arg
            return Transpose(inner)
        if node.data != "name":
            raise self.fail("only a parameter matrix may multiply from the left", node)
        name, sub = self.name_of(node)
        if self.cell.kinds[name] != "parameter" or sub is not None:
            raise self.fail(f"{name} is not a parameter matrix", node)
        return Param(name)

    def leaf(self, node: Tree) -> Expr:
        name, sub = self.name_of(node)
        kind = self.cell.kinds[name]
        if kind == "parameter":
            if sub is not None:
                raise self.fail(f"the parameter {name} has no time index", node)
            return Param(name)
        return Var(name, self.shift(sub, name, node))

    def apply(self, node: Tree) -> Expr:
        head, call = node.children
        key = self.key(head.children[0]) if isinstance(head, Tree) else str(head)
        args = [c for c in call.children if isinstance(c, Tree)]
        if len(args) != 1:
            raise self.fail("a function takes one argument", node)
        if isinstance(head, Tree) and head.data == "name" and not key.startswith("\\"):
            return MatVec(self.matrix(head), self.expr(args[0]))  # W (v): a product
        if key in _ROLES:
            role, latex = _ROLES[key]
            self.cell.roles[role] = latex
        elif key in _PRIMITIVE_KEYS:
            role = _PRIMITIVE_KEYS[key]
            self.cell.roles[role] = PRIMITIVES[role].latex
        else:
            known = ", ".join([*_PRIMITIVE_KEYS, *_ROLES])
            raise self.fail(f"unknown function {key}; known: {known}", head)
        return Apply(role, self.expr(args[0]))  # type: ignore[arg-type]


class _Cell:
    """What the reader knows while reading: declared names, their kinds, shapes and
    LaTeX, and the functions the equations apply."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.shapes: dict[str, tuple[int, int]] = {}
        self.latex: dict[str, str] = {}
        self.by_key: dict[str, str] = {}
        self.roles: dict[str, str] = {}

    def shape(self, name: str) -> tuple[int, int]:
        if name not in self.shapes:
            raise SpecError(f"{name!r} is used before it is computed")
        return self.shapes[name]


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
    cell = _Cell()
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
    loc = _Locator(where, text, source)
    pending: list[tuple[int, str, Tree, Tree]] = []
    for number, line in lines:
        try:
            tree = _PARSER.parse(line, start="start")
        except UnexpectedInput as err:
            bad = _syntax_error(err, line)
            raise loc.error(bad.reason, number, bad.column) from None
        sides = [c for c in tree.children if isinstance(c, Tree)]
        if len(sides) != 2:
            raise loc.error("an equation has one = sign", number, 1)
        lhs = sides[0]
        reader = _CellReader(line, cell)
        inner = lhs.children[0] if lhs.data == "term" and len(lhs.children) == 1 else lhs
        if not (isinstance(inner, Tree) and inner.data == "name" and len(inner.children) == 2):
            raise loc.error("the left-hand side must be one vector at t, such as h_t", number, 1)
        key = reader.key(inner.children[0]).removeprefix("\\mathbf ")
        sub = reader.subscript_text(inner.children[1]).replace(" ", "")
        name = cell.by_key.get(key, _identifier(key))
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
    if not isinstance(output, str) or cell.kinds.get(output) != "intermediate":
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


def _identifier(key: str) -> str:
    """A name for an intermediate from its LaTeX key: \\tilde h -> h_tilde."""
    parts = key.replace("\\", "").split()
    return "_".join(reversed(parts)) if len(parts) == 2 else parts[0]


class _Locator:
    """Errors in the equations, located in the spec file when its text shows the equation
    verbatim (a literal string), else in the ``equations`` text."""

    def __init__(self, where: str, text: str, source: str) -> None:
        self.where, self.text = where, text
        self.source_lines = source.split("\n") if source else []

    def error(self, reason: str, line: int, column: int) -> FormulaSyntaxError:
        equation = self.text.split("\n")[line - 1]
        found = [n for n, s in enumerate(self.source_lines, start=1) if s == equation]
        if len(found) == 1:
            return FormulaSyntaxError(
                f"{self.where}: [cell] equations: {reason}",
                text="\n".join(self.source_lines),
                line=found[0],
                column=column,
            )
        return FormulaSyntaxError(
            f"{self.where}: [cell] equations, equation line {line}: {reason}",
            text=self.text,
            line=line,
            column=column,
        )


def _normalized(
    pending: list[tuple[int, str, Tree, Tree]], text: str, loc: _Locator, cell: _Cell
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
        reader = _CellReader(line, cell)
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
    cell: _Cell,
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
    adjoints = tuple(
        Adjoint(s, f"delta_{s}", rf"\boldsymbol{{\delta}}^{{{_base(cell.latex[s])}}}_{{@}}")
        for s in states
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
