r"""Reading a cell's one-step equations, written in LaTeX, into the model core's
expression type.

The equations are parsed with the formula grammar (:mod:`symbptt.read.meaning`);
:class:`EquationReader` gives each right-hand side its meaning with the names the
``[cell]`` table declares (:class:`CellNames`): a matrix times a vector is a product,
``1 - v`` and ``\odot`` act entry by entry, ``\sigma`` and ``\tanh`` are the primitive
table's functions (under the role names the table's ``functions`` gives them) and
``\phi``, ``\theta`` the model's activation roles. A name may carry a label as a
superscript (``\mathbf{a}^{i}_t`` is ``a_i``, ``\mathbf{a}^{\tilde{h}}_t`` is
``a_h_tilde``). Errors are located in the spec file (:class:`Locator`).
:mod:`symbptt.read.cell` assembles the declaration.
"""

from __future__ import annotations

import re
from typing import Any

from lark import Token, Tree

from symbptt.core.primitives import PRIMITIVES
from symbptt.core.tensor import (
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
)
from symbptt.errors import FormulaSyntaxError, SpecError
from symbptt.read.meaning import Reader

TIME = re.compile(r"t([+-]\d+)?")
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)?")
#: The primitives by the LaTeX key documents write them with.
PRIMITIVE_KEYS = {
    "\\tanh": "tanh",
    "\\sigma": "sigmoid",
    "\\operatorname softplus": "softplus",
}
#: The same functions as notes also write them: upright (``\\operatorname{tanh}``,
#: ``\\text{tanh}``, ``\\mathrm{sigmoid}``) or as a bare word (``tanh(x)``, ``sigmoid(x)``).
SPELLED = {
    **{f"\\operatorname {name}": name for name in ("tanh", "sigmoid", "softplus")},
    "\\sigmoid": "sigmoid",
    # sigm, the logistic sigmoid's short name (Zaremba et al., Graves)
    "\\operatorname sigm": "sigmoid",
    "\\sigm": "sigmoid",
    "\\softplus": "softplus",
}
ROLES = {"\\phi": ("phi", r"\phi"), "\\theta": ("theta", r"\theta")}


class CellNames:
    """What the reader knows while reading: declared names, their kinds, shapes and
    LaTeX, and the functions the equations apply."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.shapes: dict[str, tuple[int, int]] = {}
        self.latex: dict[str, str] = {}
        self.by_key: dict[str, str] = {}
        #: role -> LaTeX of the functions the equations apply, in order of first use
        self.roles: dict[str, str] = {}
        #: role -> primitive, for the roles of primitives (``sigma`` -> ``sigmoid``)
        self.primitives: dict[str, str] = {}
        #: primitive -> the role name the table's ``functions`` gives it
        self.role_names: dict[str, str] = {}
        #: the LaTeX that [cell] variables gives a name (``@`` the time index)
        self.given: dict[str, str] = {}
        #: a left-hand side as written (braces and spaces dropped, ``_{@}`` for ``_t``)
        #: -> the name [cell] variables gives it (``\mathbf{a}^{g}_t`` -> ``a_c_tilde``)
        self.written: dict[str, str] = {}
        #: equation target -> the name of its slope series, where [cell] variables gives it
        self.slopes: dict[str, str] = {}
        #: the notes' forward pass multiplies rows by matrices (h_{t-1} W)
        self.rows = False
        #: ... and matrices by columns (W h_{t-1}): both at once is refused
        self.columns = False

    def latex_of(self, name: str) -> str:
        """The LaTeX of a name: as [cell] variables gives it, else as written."""
        return self.given.get(name) or self.latex[name]

    def shape(self, name: str) -> tuple[int, int]:
        if name not in self.shapes:
            raise SpecError(f"{name!r} is used before it is computed")
        return self.shapes[name]


class EquationReader(Reader):
    """Reads one equation's right-hand side into the model core's expression type."""

    def __init__(self, text: str, cell: CellNames) -> None:
        super().__init__(text)
        self.cell = cell

    def written_key(self, node: Tree) -> str:
        """The key of a ``name`` or ``sup_sub`` node's base, bold dropped: ``h``,
        ``\\tilde h``, ``a^i`` (a label written as a superscript)."""
        if node.data == "sup_sub":
            base, sup = node.children[0], node.children[1]
            label = self.label(sup) if isinstance(base, Tree) and base.data == "name" else None
            if label is None or len(base.children) != 1:
                raise self.fail(
                    "only a label such as a^{i}_t may be written as a superscript", node
                )
            return f"{self.written_key(base)}^{label}"
        return self.key(node.children[0]).removeprefix("\\mathbf ")

    def name_of(self, node: Tree) -> tuple[str, str | None]:
        """(declared name, time subscript or None) of a ``name`` or ``sup_sub`` node."""
        key = self.written_key(node)
        sub = node.children[-1] if len(node.children) > 1 else None
        text = self.subscript_text(sub) if sub is not None else None
        if node.data == "sup_sub":
            name = self.cell.by_key.get(key, identifier(key))
            if name not in self.cell.kinds:
                raise self.fail(f"{name!r} is not declared in [cell]", node)
            return name, text
        if text is not None and f"{key}_{text}" in self.cell.kinds:
            return f"{key}_{text}", None
        if text is not None and not TIME.fullmatch(text.replace(" ", "")):
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
        if kind in ("name", "sup_sub"):
            return self.leaf(node)
        if kind == "apply":
            return self.applied(node)
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

    def applied(self, node: Tree) -> Expr:
        head, call = node.children
        key = self.key(head.children[0]) if isinstance(head, Tree) else str(head)
        args = [c for c in call.children if isinstance(c, Tree)]
        if len(args) != 1:
            raise self.fail("a function takes one argument", node)
        if isinstance(head, Tree) and head.data == "name" and not key.startswith("\\"):
            self.cell.columns = True
            return MatVec(self.matrix(head), self.expr(args[0]))  # W (v): a product
        if key in ROLES:
            role, latex = ROLES[key]
            self.cell.roles[role] = latex
        elif key in PRIMITIVE_KEYS or key in SPELLED:
            primitive = PRIMITIVE_KEYS.get(key) or SPELLED[key]
            role = self.cell.role_names.get(primitive, primitive)
            self.cell.roles[role] = PRIMITIVES[primitive].latex
            self.cell.primitives[role] = primitive
        else:
            known = ", ".join([*PRIMITIVE_KEYS, *ROLES])
            raise self.fail(f"unknown function {key}; known: {known}", head)
        return Apply(role, self.expr(args[0]))  # type: ignore[arg-type]


def identifier(key: str) -> str:
    """A name for an intermediate from its LaTeX key: \\tilde h -> h_tilde, a^i -> a_i,
    a^\\tilde h -> a_h_tilde."""
    if "^" in key:
        base, label = key.split("^", 1)
        return f"{identifier(base)}_{identifier(label)}"
    parts = key.replace("\\", "").split()
    return "_".join(reversed(parts)) if len(parts) == 2 else parts[0]


class Locator:
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
