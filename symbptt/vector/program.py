"""The matrix backward recursion as data: one description, three uses.

:data:`BACKWARD` writes the vector model's BPTT recursion as a short program of matrix
expressions over time-indexed column vectors. The same object is

* **evaluated** in any ring by :func:`evaluate` (exact canonical forms, modular,
  intervals); this is what :func:`symbptt.vector.verify.verify_vector` checks against
  forward-mode differentiation of the unrolled model;
* **compiled** to NumPy by :mod:`symbptt.vector.codegen`, so the generated code is the
  verified recursion, not a second hand-written copy;
* **printed** in LaTeX for the document (:func:`latex`).

Vectors are columns (denominator layout for gradients of L). ``Var("delta", +1)`` is
delta_{t+1}; a recursive step starts from zero at t = T + 1.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol


@dataclass(frozen=True)
class Var:
    """A time-indexed column vector, ``name`` at t + ``shift`` (a forward-pass value
    such as ``h`` or ``dphi`` (phi'(s_t)), or an earlier step of the program)."""

    name: str
    shift: int = 0


@dataclass(frozen=True)
class Param:
    """A parameter matrix (W_hh, W_xh, W_hy; vectors b_h, b_y, h_0 are n x 1)."""

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


Expr = Var | MatVec | Had | Add | Sub | LossScale | Concat


@dataclass(frozen=True)
class Step:
    """``name``_t = expr for t = T, T-1, ..., 1 (expr may use ``name`` at t + 1)."""

    name: str
    expr: Expr

    @property
    def recursive(self) -> bool:
        """Whether the step refers to its own value at t + 1."""
        return any(v.name == self.name for v in variables(self.expr))


@dataclass(frozen=True)
class OuterSum:
    """dL/d``name`` = sum_t left_t right_t^T (or sum_t left_t when ``right`` is None)."""

    name: str
    left: Expr
    right: Expr | None = None


@dataclass(frozen=True)
class AtFirst:
    """dL/d``name`` = expr evaluated at t = 1."""

    name: str
    expr: Expr


Result = OuterSum | AtFirst


@dataclass(frozen=True)
class Program:
    """Steps run backwards in time, then the gradients read off them."""

    steps: tuple[Step, ...]
    results: tuple[Result, ...]


def variables(expr: Expr | None) -> Iterator[Var]:
    """Every Var in an expression."""
    if expr is None:
        return
    if isinstance(expr, Var):
        yield expr
    elif isinstance(expr, MatVec):
        yield from variables(expr.vector)
    elif isinstance(expr, (Had, Add, Sub)):
        yield from variables(expr.left)
        yield from variables(expr.right)
    elif isinstance(expr, LossScale):
        yield from variables(expr.arg)
    elif isinstance(expr, Concat):
        yield from variables(expr.top)
        yield from variables(expr.bottom)
    else:  # pragma: no cover - the union is closed
        raise TypeError(f"not an expression: {expr!r}")


W_hh, W_hy = Param("W_hh"), Param("W_hy")

#: g_t = dL/dz_t = c theta'(z_t) * (o_t - d_t);
#: delta_t = phi'(s_t) * (W_hy^T g_t + W_hh^T delta_{t+1}), delta_{T+1} = 0;
#: the gradients as sums of outer products, dL/dh_0 = W_hh^T delta_1, and note 000's
#: w_h = [W_xh W_hh]^T with dL/dw_h = sum_t [x_t; h_{t-1}] delta_t^T.
BACKWARD = Program(
    steps=(
        Step("g", LossScale(Had(Var("dtheta"), Sub(Var("o"), Var("d"))))),
        Step(
            "delta",
            Had(
                Var("dphi"),
                Add(MatVec(Transpose(W_hy), Var("g")), MatVec(Transpose(W_hh), Var("delta", 1))),
            ),
        ),
    ),
    results=(
        OuterSum("W_hh", Var("delta"), Var("h", -1)),
        OuterSum("W_xh", Var("delta"), Var("x")),
        OuterSum("b_h", Var("delta")),
        OuterSum("W_hy", Var("g"), Var("h")),
        OuterSum("b_y", Var("g")),
        AtFirst("h_0", MatVec(Transpose(W_hh), Var("delta"))),
        OuterSum("w_h", Concat(Var("x"), Var("h", -1)), Var("delta")),
    ),
)


def without(expr: Expr, var: Var) -> Expr | None:
    """``expr`` with ``var`` set to the zero vector and simplified (None if all of it
    vanishes): delta_T's step once delta_{T+1} = 0 is used.

    Example:
        >>> text(without(BACKWARD.steps[1].expr, Var("delta", 1)))
        'dphi_t * W_hy^T g_t'
    """
    if expr == var:
        return None
    if isinstance(expr, MatVec):
        inner = without(expr.vector, var)
        return None if inner is None else MatVec(expr.matrix, inner)
    if isinstance(expr, Had):
        left, right = without(expr.left, var), without(expr.right, var)
        return None if left is None or right is None else Had(left, right)
    if isinstance(expr, LossScale):
        inner = without(expr.arg, var)
        return None if inner is None else LossScale(inner)
    if isinstance(expr, (Add, Sub)):
        left, right = without(expr.left, var), without(expr.right, var)
        if isinstance(expr, Sub) and left is None and right is not None:
            raise ValueError("0 - v has no form in the program language")
        if left is None or right is None:
            return left if right is None else right
        return type(expr)(left, right)
    return expr


class Style(Protocol):
    """How a printer writes the leaves and operators of an expression (see :func:`render`)."""

    def var(self, v: Var) -> str: ...
    def matvec(self, m: Param | Transpose, vector: str) -> str: ...
    def group(self, text: str) -> str: ...
    def had(self, left: str, right: str) -> str: ...
    def scale(self, text: str) -> str: ...
    def concat(self, top: str, bottom: str) -> str: ...


def render(expr: Expr, style: Style) -> str:
    """Print an expression; sums and differences are grouped where they are operands."""

    def operand(e: Expr) -> str:
        return style.group(render(e, style)) if isinstance(e, (Add, Sub)) else render(e, style)

    if isinstance(expr, Var):
        return style.var(expr)
    if isinstance(expr, MatVec):
        return style.matvec(expr.matrix, operand(expr.vector))
    if isinstance(expr, Had):
        return style.had(operand(expr.left), operand(expr.right))
    if isinstance(expr, Add):
        return f"{render(expr.left, style)} + {render(expr.right, style)}"
    if isinstance(expr, Sub):
        return f"{render(expr.left, style)} - {operand(expr.right)}"
    if isinstance(expr, LossScale):
        return style.scale(operand(expr.arg))
    if isinstance(expr, Concat):
        return style.concat(render(expr.top, style), render(expr.bottom, style))
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover


class _Text:
    """Plain text: ``*`` for the elementwise product, ``^T`` for transposes."""

    def var(self, v: Var) -> str:
        sub = "t" if not v.shift else f"t{v.shift:+d}"
        return f"{v.name}_{sub}" if len(sub) == 1 else f"{v.name}_({sub})"

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


def text(expr: Expr) -> str:
    """Plain-text form of an expression (``*`` is the elementwise product)."""
    return render(expr, _Text())


def _atomic(expr: Expr) -> str:
    return f"({text(expr)})" if isinstance(expr, (Add, Sub)) else text(expr)


def describe(program: Program) -> list[str]:
    """The program as lines of plain text.

    Example:
        >>> describe(BACKWARD)[1]
        'delta_t = dphi_t * (W_hy^T g_t + W_hh^T delta_(t+1)),  delta_(T+1) = 0'
    """
    lines = []
    for step in program.steps:
        start = f",  {step.name}_(T+1) = 0" if step.recursive else ""
        lines.append(f"{step.name}_t = {text(step.expr)}{start}")
    for result in program.results:
        if isinstance(result, AtFirst):
            body = text(result.expr).replace("_t", "_1")
        elif result.right is None:
            body = f"sum_t {text(result.left)}"
        else:
            body = f"sum_t {_atomic(result.left)} {_atomic(result.right)}^T"
        lines.append(f"dL/d{result.name} = {body}")
    lines.append("(c = 1/T for the mean loss, 1 for the sum; * is the elementwise product)")
    return lines


#: The forward-pass vectors a program may read (attributes of engine.Forward).
FORWARD_VECTORS = ("x", "d", "s", "h", "z", "o", "dphi", "dtheta")


def evaluate(
    program: Program, ring: Any, params: dict[str, list[list[Any]]], fwd: Any, T: int, c: Fraction
) -> dict[str, list[list[Any]]]:
    """Run ``program`` on lists of ring elements; returns each gradient as a matrix in
    denominator layout (the shape of its parameter)."""
    zero = ring.zero
    scale = ring.const(c)
    values: dict[str, list[Any]] = {name: getattr(fwd, name) for name in FORWARD_VECTORS}

    def vec(expr: Expr, t: int) -> list[Any]:
        if isinstance(expr, Var):
            return values[expr.name][t + expr.shift]
        if isinstance(expr, MatVec):
            v = vec(expr.vector, t)
            if isinstance(expr.matrix, Transpose):
                m = params[expr.matrix.arg.name]
                rows = [[m[c][r] for c in range(len(m))] for r in range(len(m[0]))]
            else:
                rows = params[expr.matrix.name]
            return [dot(row, v, zero) for row in rows]
        if isinstance(expr, Had):
            return [a * b for a, b in zip(vec(expr.left, t), vec(expr.right, t))]
        if isinstance(expr, Add):
            return [a + b for a, b in zip(vec(expr.left, t), vec(expr.right, t))]
        if isinstance(expr, Sub):
            return [a - b for a, b in zip(vec(expr.left, t), vec(expr.right, t))]
        if isinstance(expr, LossScale):
            return [scale * a for a in vec(expr.arg, t)]
        if isinstance(expr, Concat):
            return [*vec(expr.top, t), *vec(expr.bottom, t)]
        raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover

    for step in program.steps:
        series: list[Any] = [None] * (T + 2)
        values[step.name] = series
        if step.recursive:
            series[T + 1] = [zero] * len(fwd.h[0])
        for t in range(T, 0, -1):
            series[t] = vec(step.expr, t)
    out = {}
    for result in program.results:
        if isinstance(result, AtFirst):
            out[result.name] = [[v] for v in vec(result.expr, 1)]
            continue
        total: list[list[Any]] | None = None
        for t in range(1, T + 1):
            left = vec(result.left, t)
            right = [ring.one] if result.right is None else vec(result.right, t)
            term = [[a * b for b in right] for a in left]
            total = term if total is None else _add(total, term)
        out[result.name] = total  # type: ignore[assignment]
    return out


def dot(row: Sequence[Any], vector: Sequence[Any], zero: Any) -> Any:
    """sum_i row[i] vector[i]; starts from the first product, not from ``zero``, because
    some rings' plain values cannot add a dual number (mpmath intervals raise)."""
    products = [a * b for a, b in zip(row, vector)]
    if not products:
        return zero
    out = products[0]
    for p in products[1:]:
        out = out + p
    return out


def matmul(a: Sequence[Sequence[Any]], b: Sequence[Sequence[Any]], zero: Any) -> list[list[Any]]:
    """The matrix product a b of two matrices given as rows (the shapes must fit)."""
    columns = list(zip(*b))
    return [[dot(row, col, zero) for col in columns] for row in a]


def identity(n: int, ring: Any) -> list[list[Any]]:
    """The n x n identity matrix of a ring."""
    return [[ring.one if r == c else ring.zero for c in range(n)] for r in range(n)]


def _add(a: list[list[Any]], b: list[list[Any]]) -> list[list[Any]]:
    return [[x + y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]
