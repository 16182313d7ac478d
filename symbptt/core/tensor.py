"""The expression type of the model core: column vectors indexed by time, parameters,
matrix-vector products, elementwise operations, primitives, stacking.

One type serves every use: a model's one-step equations (:mod:`symbptt.core.model`),
the backward program derived from them (:mod:`symbptt.derive.adjoint`), the LaTeX and
plain-text printers and the NumPy compiler (each a :class:`Style` given to
:func:`render`). Vectors are columns; ``Var("delta", +1)`` is delta_{t+1}.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Var:
    """A time-indexed column vector, ``name`` at t + ``shift`` (an input, a state, an
    intermediate, the slope of a primitive such as ``dphi`` = phi'(s_t), or a step of a
    backward program)."""

    name: str
    shift: int = 0


@dataclass(frozen=True)
class Param:
    """A parameter: a matrix (W_hh) or a column vector (b_h, h_0)."""

    name: str


@dataclass(frozen=True)
class Transpose:
    """The transpose of a parameter."""

    arg: Param


@dataclass(frozen=True)
class MatVec:
    """matrix @ vector."""

    matrix: Param | Transpose
    vector: Expr


@dataclass(frozen=True)
class Binary:
    """An operation on two vectors of the same length."""

    left: Expr
    right: Expr


class Had(Binary):
    """The elementwise (Hadamard) product, written diag(a) b in the notes."""


class Add(Binary):
    """The sum."""


class Sub(Binary):
    """The difference."""


@dataclass(frozen=True)
class LossScale:
    """c times the vector: c = 1/T for the mean loss, 1 for the sum."""

    arg: Expr


@dataclass(frozen=True)
class Concat:
    """The stacked column [top; bottom]."""

    top: Expr
    bottom: Expr


@dataclass(frozen=True)
class Neg:
    """The negated vector."""

    arg: Expr


@dataclass(frozen=True)
class OneMinus:
    """1 - v, entry by entry (the gates of GRU-like cells)."""

    arg: Expr


@dataclass(frozen=True)
class Apply:
    """A primitive applied elementwise; ``role`` names the model's function (``phi``,
    ``theta``), which the model maps to a row of the primitive table."""

    role: str
    arg: Var


Expr = Var | Param | MatVec | Had | Add | Sub | LossScale | Concat | Neg | OneMinus | Apply


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct subexpressions of ``expr`` (the matrix of a product is not one)."""
    if isinstance(expr, MatVec):
        return (expr.vector,)
    if isinstance(expr, Binary):
        return (expr.left, expr.right)
    if isinstance(expr, (LossScale, Neg, OneMinus, Apply)):
        return (expr.arg,)
    if isinstance(expr, Concat):
        return (expr.top, expr.bottom)
    return ()


def rebuild(expr: Expr, fn: Callable[[Expr], Expr]) -> Expr:
    """``expr`` with ``fn`` applied to each direct subexpression (leaves unchanged).

    Example:
        >>> text(rebuild(Add(Var("h"), Var("x")), lambda e: Var(e.name, -1)))
        'h_(t-1) + x_(t-1)'
    """
    if isinstance(expr, MatVec):
        return MatVec(expr.matrix, fn(expr.vector))
    if isinstance(expr, Binary):
        return type(expr)(fn(expr.left), fn(expr.right))
    if isinstance(expr, (LossScale, Neg, OneMinus)):
        return type(expr)(fn(expr.arg))
    if isinstance(expr, Concat):
        return Concat(fn(expr.top), fn(expr.bottom))
    if isinstance(expr, Apply):
        return Apply(expr.role, fn(expr.arg))  # type: ignore[arg-type]
    return expr


def variables(expr: Expr | None) -> Iterator[Var]:
    """Every Var in an expression, left to right."""
    if expr is None:
        return
    if isinstance(expr, Var):
        yield expr
    for child in children(expr):
        yield from variables(child)


def shifted(expr: Expr, by: int) -> Expr:
    """``expr`` with every Var's shift moved by ``by`` (parameters are not timed): the
    expression at t + by.

    Example:
        >>> text(shifted(Had(Var("f"), Var("c", -1)), 1))
        'f_(t+1) * c_t'
    """
    if isinstance(expr, Var):
        return Var(expr.name, expr.shift + by)
    return rebuild(expr, lambda e: shifted(e, by))


def summands(expr: Expr) -> list[Expr]:
    """The terms of a sum, left to right (an expression that is no sum is one term)."""
    if isinstance(expr, Add):
        return summands(expr.left) + summands(expr.right)
    return [expr]


def sum_of(terms: Sequence[Expr]) -> Expr:
    """The sum of one or more terms, left to right: ((a + b) + c)."""
    out = terms[0]
    for term in terms[1:]:
        out = Add(out, term)
    return out


def subexpressions(expr: Expr) -> list[Expr]:
    """``expr`` and every expression inside it, parents before their children."""
    out = [expr]
    for child in children(expr):
        out += subexpressions(child)
    return out


def matrix_name(m: Param | Transpose) -> str:
    """The parameter a product's matrix names (W for W and for W^T)."""
    return m.arg.name if isinstance(m, Transpose) else m.name


def parameters(expr: Expr) -> Iterator[str]:
    """The name of every parameter in an expression, left to right."""
    if isinstance(expr, Param):
        yield expr.name
    if isinstance(expr, MatVec):
        yield matrix_name(expr.matrix)
    for child in children(expr):
        yield from parameters(child)


class Style(Protocol):
    """How a printer writes the leaves and operators of an expression (see :func:`render`)."""

    def var(self, v: Var) -> str: ...
    def param(self, p: Param) -> str: ...
    def matvec(self, m: Param | Transpose, vector: str) -> str: ...
    def group(self, text: str) -> str: ...
    def had(self, left: str, right: str) -> str: ...
    def scale(self, text: str) -> str: ...
    def concat(self, top: str, bottom: str) -> str: ...
    def apply(self, role: str, arg: str) -> str: ...
    def neg(self, text: str) -> str: ...
    def one_minus(self, text: str) -> str: ...


def render(expr: Expr, style: Style) -> str:
    """Print an expression by the print rule of its op (:data:`PRINT`) in ``style``;
    sums and differences are grouped where they are operands."""
    rule = PRINT.get(type(expr))
    if rule is None:
        raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover
    return rule(expr, style)


def _operand(e: Expr, style: Style, grouped: tuple[type, ...] = (Add, Sub)) -> str:
    """An operand, in parentheses when it is one of ``grouped``."""
    return style.group(render(e, style)) if isinstance(e, grouped) else render(e, style)


def _print_add(e: Add, style: Style) -> str:
    if isinstance(e.right, Neg):  # a + -b is written a - b
        return f"{render(e.left, style)} - {_operand(e.right.arg, style)}"
    return f"{render(e.left, style)} + {render(e.right, style)}"


#: The print rule of each op of the model IR: (expression, style) -> text. A style
#: (:class:`Style`) says how each op is written in one target (text, LaTeX, NumPy).
PRINT: dict[type, Callable[[Any, Style], str]] = {
    Var: lambda e, s: s.var(e),
    Param: lambda e, s: s.param(e),
    MatVec: lambda e, s: s.matvec(e.matrix, _operand(e.vector, s, (Add, Sub, Had, Neg))),
    Had: lambda e, s: s.had(_operand(e.left, s), _operand(e.right, s)),
    Add: _print_add,
    Sub: lambda e, s: f"{render(e.left, s)} - {_operand(e.right, s)}",
    LossScale: lambda e, s: s.scale(_operand(e.arg, s)),
    Concat: lambda e, s: s.concat(render(e.top, s), render(e.bottom, s)),
    Apply: lambda e, s: s.apply(e.role, render(e.arg, s)),
    Neg: lambda e, s: s.neg(_operand(e.arg, s)),
    OneMinus: lambda e, s: s.one_minus(_operand(e.arg, s)),
}


class TextStyle:
    """Plain text: ``*`` for the elementwise product, ``^T`` for transposes; ``at`` a
    number to write the expression at that step instead of at t."""

    def __init__(self, at: int | None = None) -> None:
        self.at = at

    def var(self, v: Var) -> str:
        if self.at is not None:
            return f"{v.name}_{self.at + v.shift}"
        sub = "t" if not v.shift else f"t{v.shift:+d}"
        return f"{v.name}_{sub}" if len(sub) == 1 else f"{v.name}_({sub})"

    def param(self, p: Param) -> str:
        return p.name

    def matvec(self, m: Param | Transpose, vector: str) -> str:
        return f"{m.arg.name}^T {vector}" if isinstance(m, Transpose) else f"{m.name} {vector}"

    def group(self, text: str) -> str:
        return f"({text})"

    def had(self, left: str, right: str) -> str:
        return f"{left} * {right}"

    def scale(self, text: str) -> str:
        return f"c {text}"

    def concat(self, top: str, bottom: str) -> str:
        return f"[{top}; {bottom}]"

    def apply(self, role: str, arg: str) -> str:
        return f"{role}({arg})"

    def neg(self, text: str) -> str:
        return f"-{text}"

    def one_minus(self, text: str) -> str:
        return f"(1 - {text})"


def text(expr: Expr, at: int | None = None) -> str:
    """Plain-text form of an expression (``*`` is the elementwise product), at t or at
    the step ``at``.

    Example:
        >>> text(Add(MatVec(Param("W"), Var("h", -1)), Param("b")))
        'W h_(t-1) + b'
    """
    return render(expr, TextStyle(at))
