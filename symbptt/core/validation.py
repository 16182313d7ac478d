"""What makes a model declaration mean something (:func:`validate`, run when a
:class:`~symbptt.core.model.Model` is made) and the shape of an expression over its
variables (:func:`shape_of`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from symbptt.core.losses import LOSS_TABLE
from symbptt.core.tensor import (
    Add,
    Apply,
    Concat,
    Expr,
    Had,
    LossScale,
    MatVec,
    Neg,
    OneMinus,
    Param,
    Sub,
    Transpose,
    Var,
    children,
    matrix_name,
    parameters,
    subexpressions,
    variables,
)
from symbptt.errors import SpecError

if TYPE_CHECKING:
    from symbptt.core.model import Model

#: The kinds of variables: states carry over from t - 1 to t, inputs and targets are
#: given per step, intermediates are computed within a step, parameters are shared by
#: every step.
KINDS = ("state", "input", "target", "intermediate", "parameter")


def validate(model: Model) -> None:
    """Check that a declaration means something: names declared once, every variable in
    an equation declared, every state and intermediate computed exactly once (states from
    their value at t - 1), shapes that fit, a head over declared variables.

    Raises:
        SpecError: naming the equation and what is wrong in it.
    """
    names = [v.name for v in model.variables]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise SpecError(f"{model.name}: variable {duplicated[0]!r} is declared twice")
    for v in model.variables:
        if v.kind not in KINDS:
            raise SpecError(f"{model.name}: {v.name!r} has unknown kind {v.kind!r}")
    kinds = {v.name: v.kind for v in model.variables}
    computed: list[str] = []
    for eq in model.equations:
        where = f"{model.name}: equation for {eq.target!r}"
        if kinds.get(eq.target) not in ("state", "intermediate"):
            raise SpecError(f"{where}: only a state or an intermediate can be computed")
        if eq.target in computed:
            raise SpecError(f"{where}: {eq.target!r} is computed twice")
        views = {w.name for w in model.views}
        for var in variables(eq.expr):
            kind = kinds.get(var.name)
            if kind is None:
                raise SpecError(f"{where}: {var.name!r} is not declared")
            if kind == "parameter":
                raise SpecError(f"{where}: the parameter {var.name!r} has no time index")
            if var.shift not in (0, -1) or (var.shift == -1 and kind != "state"):
                raise SpecError(
                    f"{where}: only a state may be read at t-1, and nothing earlier "
                    f"({var.name!r} at shift {var.shift})"
                )
            if var.shift == 0 and kind in ("state", "intermediate") and var.name not in computed:
                raise SpecError(f"{where}: {var.name!r} is used before it is computed")
        for name in parameters(eq.expr):
            if name not in views and kinds.get(name) != "parameter":
                what = "is not declared" if name not in kinds else "is not a parameter"
                raise SpecError(f"{where}: {name!r} {what}")
        applies = [e for e in subexpressions(eq.expr) if isinstance(e, Apply)]
        if applies and (
            applies != [eq.expr] or eq.slope is None or eq.expr.arg.shift != 0  # type: ignore[union-attr]
        ):
            raise SpecError(
                f"{where}: a function is applied to a vector at t as the whole right-hand side, "
                f"with its slope series named (write other uses as equations of their own)"
            )
        got = shape_of(model, eq.expr, where)
        if got != model.variable(eq.target).shape:
            raise SpecError(
                f"{where}: the right-hand side is {got[0]}x{got[1]}, "
                f"{eq.target!r} is {model.variable(eq.target).shape[0]}x"
                f"{model.variable(eq.target).shape[1]}"
            )
        computed.append(eq.target)
    for state in model.of_kind("state"):
        if state not in computed:
            raise SpecError(f"{model.name}: the state {state!r} has no update equation")
        if state not in dict(model.initial):
            raise SpecError(f"{model.name}: the state {state!r} has no initial value")
    for state, init in model.initial:
        if init is None:
            continue
        if kinds.get(init) != "parameter" or model.shape(init) != model.shape(state):
            raise SpecError(
                f"{model.name}: the initial value of {state!r} must be a parameter of its shape "
                f"(or zero)"
            )
    used = {name for eq in model.equations for name in parameters(eq.expr)}
    used |= {part for view in model.views if view.name in used for part in view.parts}
    used |= {init for _, init in model.initial if init is not None}
    unused = [name for name in model.of_kind("parameter") if name not in used]
    if unused:
        raise SpecError(
            f"{model.name}: the parameter {unused[0]!r} is declared but no equation uses it "
            f"(remove it, or use it in an equation)"
        )
    if model.scalar and any(v.shape != (1, 1) for v in model.variables):
        raise SpecError(f"{model.name}: a model in scalar notation has only 1x1 variables")
    for name in (model.head.output, model.head.target):
        if name not in kinds:
            raise SpecError(f"{model.name}: the head reads the undeclared {name!r}")
    if model.head.loss not in LOSS_TABLE:
        raise SpecError(f"{model.name}: unknown loss {model.head.loss!r}")


#: A lookup of a name's (rows, columns).
Shapes = Callable[[str], tuple[int, int]]


def shape_of(model: Model | Shapes, expr: Expr, where: str = "") -> tuple[int, int]:
    """The shape of an expression over the model's variables (or over any lookup of
    shapes by name), by the shape rule of each op (:data:`SHAPE`).

    Raises:
        SpecError: where two shapes do not fit, saying which.
    """
    shape: Shapes = getattr(model, "shape", None) or model  # type: ignore[assignment]
    rule = SHAPE.get(type(expr))
    if rule is None:
        raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover
    return rule(expr, lambda e: shape_of(shape, e, where), shape, where)


def _matvec_shape(
    e: MatVec, of: Callable[[Expr], tuple[int, int]], shape: Shapes, where: str
) -> tuple[int, int]:
    rows, cols = shape(matrix_name(e.matrix))
    if isinstance(e.matrix, Transpose):
        rows, cols = cols, rows
    inner = of(e.vector)
    if inner != (cols, 1):
        raise SpecError(
            f"{where}: cannot multiply a {rows}x{cols} matrix by a {inner[0]}x{inner[1]}"
        )
    return rows, 1


def _same_shape(op: str) -> Callable[..., tuple[int, int]]:
    """The rule of an elementwise binary op: both sides of one shape."""

    def rule(
        e: Any, of: Callable[[Expr], tuple[int, int]], shape: Shapes, where: str
    ) -> tuple[int, int]:
        left, right = of(e.left), of(e.right)
        if left != right:
            raise SpecError(f"{where}: cannot {op} {left[0]}x{left[1]} and {right[0]}x{right[1]}")
        return left

    return rule


def _own_shape(
    e: Any, of: Callable[[Expr], tuple[int, int]], shape: Shapes, where: str
) -> tuple[int, int]:
    return of(children(e)[0])


#: The shape rule of each op of the model IR: (expression, the shape of a child, the
#: lookup of names, where) -> (rows, columns).
SHAPE: dict[type, Callable[..., tuple[int, int]]] = {
    Var: lambda e, of, shape, where: shape(e.name),
    Param: lambda e, of, shape, where: shape(e.name),
    MatVec: _matvec_shape,
    Add: _same_shape("add"),
    Sub: _same_shape("subtract"),
    Had: _same_shape("multiply elementwise"),
    LossScale: _own_shape,
    Apply: _own_shape,
    Neg: _own_shape,
    OneMinus: _own_shape,
    Concat: lambda e, of, shape, where: (of(e.top)[0] + of(e.bottom)[0], 1),
}
