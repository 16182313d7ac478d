"""The model's own sections of the derivation document, in matrix notation: who is who,
the model (loss, cell, head, views of parameters) and the unrolled recurrence, printed
from the one-step equations of the model's declaration. The derivative sections are in
:mod:`symbptt.render.model_derivatives`; :mod:`symbptt.render.sections` adds the prose.
Nothing here knows a particular cell: the Elman RNN and a user's ``[cell]`` go through
the same code.
"""

from __future__ import annotations

from typing import Any

from symbptt.core.losses import LOSS_TABLE, class_index
from symbptt.core.model import Model
from symbptt.core.tensor import (
    Expr,
    MatVec,
    Param,
    Var,
    matrix_name,
    rebuild,
    subexpressions,
    sum_of,
    summands,
)
from symbptt.derive.jvp import state_parameters
from symbptt.render.blocks import Display
from symbptt.render.document import DocumentOptions, _shown
from symbptt.render.figure import cell_and_head
from symbptt.render.latex_style import scriptable
from symbptt.render.layout import width
from symbptt.render.matrix import VDOTS, MatrixNotation
from symbptt.render.terms import broken_rows, expression_terms


def shown_parameter(model: Model) -> str:
    """The parameter whose expansion is written out (all are checked): the first that
    multiplies a previous state directly (W_hh), else the first a state depends on."""
    for eq in model.equations:
        for term in _matvecs(eq.expr):
            if isinstance(term.vector, Var) and term.vector.shift == -1:
                return matrix_name(term.matrix)
    return state_parameters(model)[0]


def _matvecs(expr: Expr) -> list[MatVec]:
    return [e for e in subexpressions(expr) if isinstance(e, MatVec)]


def _named_by_value(mn: MatrixNotation, eq: Any) -> bool:
    """Whether an equation's target is written as its value (the LSTM's tanh(c_t)): it
    needs no equation of its own in a display."""
    return mn.vector(eq.target, "t") == mn.expr(eq.expr, "t")


def _equation_rows(mn: MatrixNotation, eq: Any, base: str | int) -> list[str]:
    if _named_by_value(mn, eq):
        return []
    return broken_rows(mn, mn.vector(eq.target, base), expression_terms(mn, eq.expr, base))


def intro_section(model: Model, mn: MatrixNotation) -> dict[str, Any]:
    """Who is who: the model's quantities with their sizes, and its functions."""

    def quantity(name: str, fallback: str) -> dict[str, str]:
        v = model.variable(name)
        prose = v.prose if v.prose and v.prose not in ("state", "input") else fallback
        size = "" if model.scalar else rf" \in \mathbb{{R}}^{{{v.shape[0]}}}"
        return {"prose": prose, "math": mn.vector(name, "t") + size}

    quantities = [quantity(s, "state") for s in model.states]
    quantities += [quantity(x, "input") for x in model.of_kind("input")]
    if model.head.output not in model.states:
        quantities.append(quantity(model.head.output, "output"))
    functions = [
        {"math": tex, "name": FUNCTION_PROSE.get(primitive, primitive)}
        for _, primitive, tex in model.functions
        if tex.lstrip("\\") != primitive
    ]
    stacked = ""
    if len(model.states) > 1:
        column = r" \\ ".join(mn.vector(s, "t") for s in model.states)
        stacked = rf"{mn.stacked('t')} = \begin{{bmatrix}} {column} \end{{bmatrix}}"
    return {
        "name": model.name,
        "quantities": quantities,
        "functions": functions,
        "stacked": stacked,
    }


#: How the intro names a function of the primitive table whose name is not a formula.
FUNCTION_PROSE = {"generic": "an unknown differentiable function"}


def model_section(model: Model, mn: MatrixNotation) -> dict[str, Any]:
    """The loss, the cell's equations, the head's, and any views of parameters."""
    scale = r"\frac{1}{T} " if model.reduction == "mean" else ""
    head = LOSS_TABLE[model.head.loss]
    output, target = mn.vector(model.head.output, "t"), mn.vector(model.head.target, "t")
    loss_rows = [
        f"{mn.notation.loss} &= {scale}{mn.sum_over_steps()} \\ell_{{t}}",
        rf"\ell_{{t}} &= {head.latex(output, target)}",
    ]
    cross_entropy = head.name == "cross-entropy"
    if cross_entropy:
        yhat = mn.vector("yhat", "t")
        loss_rows[1] += rf" = -{scriptable(target)}^\top \log {yhat}"
        loss_rows.append(rf"{yhat} &= \operatorname{{softmax}}\!\left({output}\right)")
    cell, head_eqs = cell_and_head(model)
    return {
        "loss": Display(tuple(loss_rows), "eq:loss"),
        "cell": Display(tuple(r for eq in cell for r in _equation_rows(mn, eq, "t")), "eq:cell"),
        "head": Display(
            tuple(r for eq in head_eqs for r in _equation_rows(mn, eq, "t")), "eq:output"
        )
        if head_eqs
        else None,
        "views": [_view_display(model, mn, view) for view in model.views],
        "cross_entropy": cross_entropy,
        "class_index": class_index(target),
    }


def _view_display(model: Model, mn: MatrixNotation, view: Any) -> Display:
    """w_h = [W_xh W_hh]^T, and the equation in which its parts' products become one."""
    parts = " & ".join(mn.parameter(p) for p in view.parts)
    row = rf"{mn.parameter(view.name)} &= \begin{{bmatrix}} {parts} \end{{bmatrix}}^\top"
    for eq in model.equations:
        terms = summands(eq.expr)
        products = {
            t.matrix.name: t.vector
            for t in terms
            if isinstance(t, MatVec) and isinstance(t.matrix, Param) and t.matrix.name in view.parts
        }
        if set(products) != set(view.parts):
            continue
        stack = r" \\ ".join(mn.expr(products[p], "t") for p in view.parts)
        rest = [t for t in terms if not (isinstance(t, MatVec) and t.matrix.name in products)]
        named = scriptable(mn.parameter(view.name))
        text = rf"{named}^\top \begin{{bmatrix}} {stack} \end{{bmatrix}}"
        if rest:
            text += " + " + mn.expr(sum_of(rest), "t")
        row += rf", \quad {mn.vector(eq.target, 't')} = {text}"
        break
    return Display((row,), f"eq:view-{view.name.replace('_', '')}")


def _inlined(model: Model, state: str) -> Expr:
    """A state's equation with every intermediate of its step substituted."""
    equations = {eq.target: eq.expr for eq in model.equations}
    intermediates = set(model.of_kind("intermediate"))

    def inline(e: Expr) -> Expr:
        if isinstance(e, Var):
            if e.shift == 0 and e.name in intermediates:
                return inline(equations[e.name])
            return e
        return rebuild(e, inline)

    return inline(equations[state])


def _delayed(e: Expr, by: int, replace: dict[str, Expr]) -> Expr:
    """``e`` one step earlier, with previous states replaced by ``replace``."""
    if isinstance(e, Var):
        if e.shift == -1 and e.name in replace:
            return replace[e.name]
        return Var(e.name, e.shift - by)
    return rebuild(e, lambda c: _delayed(c, by, replace))


def unrolled_section(model: Model, mn: MatrixNotation, T: int, elide_above: int) -> dict[str, Any]:
    """The cell's equations at each step, and the states written out for small t."""
    cell, _ = cell_and_head(model)
    rows: list[str] = []
    for k in _shown(list(range(1, T + 1)), elide_above):
        if k is None:
            rows.append(VDOTS)
            continue
        texts = [
            f"{mn.vector(eq.target, k)} = {mn.expr(eq.expr, k)}"
            for eq in reversed(cell)
            if not _named_by_value(mn, eq)
        ]
        joined = r", \quad ".join(texts)
        if width(joined) <= mn.matrix_width:
            rows.append(joined.replace(" = ", " &= ", 1))
        else:
            rows += [r for eq in cell for r in _equation_rows(mn, eq, k)]
    nested, depth = [], 0
    first = {s: _inlined(model, s) for s in model.states}
    earlier = {s: _delayed(e, 1, {}) for s, e in first.items()}
    second = {s: _delayed(e, 0, earlier) for s, e in first.items()}
    for k, forms in ((1, first), (2, second)):
        if k > T:
            break
        candidate = [
            r
            for s in model.states
            for r in broken_rows(mn, mn.vector(s, k), expression_terms(mn, forms[s], k))
        ]
        if max(width(r.replace("&", "")) for r in candidate) > mn.matrix_width:
            break
        nested += candidate
        depth = k
    return {
        "recursive": Display(tuple(rows), "eq:unrolled"),
        "nested": Display(tuple(nested), "eq:nested"),
        "nested_depth": depth,
        "nested_last": mn.numbered(depth) if depth else "",
    }


def printed(model: Model, options: DocumentOptions) -> Model:
    """The model as the document prints it: in the options' notation profile's names."""
    if options.profile is None:
        return model
    from symbptt.render.printed import printed_model

    return printed_model(model, options.profile)
