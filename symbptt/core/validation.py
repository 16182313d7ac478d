"""What makes a model declaration mean something (:func:`validate`, run when a
:class:`~symbptt.core.model.Model` is made) and the shape of an expression over its
variables (:func:`shape_of`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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


def shape_of(
    model: Model | Callable[[str], tuple[int, int]], expr: Expr, where: str = ""
) -> tuple[int, int]:
    """The shape of an expression over the model's variables (or over any lookup of
    shapes by name).

    Raises:
        SpecError: where two shapes do not fit, saying which.
    """
    shape: Callable[[str], tuple[int, int]] = getattr(model, "shape", None) or model  # type: ignore[assignment]
    if isinstance(expr, (Var, Param)):
        return shape(expr.name)
    if isinstance(expr, MatVec):
        m = expr.matrix
        rows, cols = shape(matrix_name(m))
        if isinstance(m, Transpose):
            rows, cols = cols, rows
        inner = shape_of(model, expr.vector, where)
        if inner != (cols, 1):
            raise SpecError(
                f"{where}: cannot multiply a {rows}x{cols} matrix by a {inner[0]}x{inner[1]}"
            )
        return rows, 1
    if isinstance(expr, (Add, Sub, Had)):
        left, right = shape_of(model, expr.left, where), shape_of(model, expr.right, where)
        if left != right:
            op = {Add: "add", Sub: "subtract", Had: "multiply elementwise"}[type(expr)]
            raise SpecError(f"{where}: cannot {op} {left[0]}x{left[1]} and {right[0]}x{right[1]}")
        return left
    if isinstance(expr, (LossScale, Apply, Neg, OneMinus)):
        return shape_of(model, children(expr)[0], where)
    if isinstance(expr, Concat):
        top, bottom = shape_of(model, expr.top, where), shape_of(model, expr.bottom, where)
        return top[0] + bottom[0], 1
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover
