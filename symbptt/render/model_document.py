"""The derivation document of any model of the core, in matrix notation.

Every section is computed from the model's declaration and the engine's objects: the
model section and the unrolled recurrence print the one-step equations; the expansion
and the sum of products are :func:`symbptt.derive.expansion.expand`'s terms read as
matrices (as :func:`symbptt.vector.verify.verify_vector` evaluates them), with the
Jacobians and immediate partials printed from the derived tangents
(:func:`symbptt.derive.jvp.state_tangents`); the backward recursion is the program the
report verified; the figure is drawn from the model's graph. Nothing here knows a
particular cell: the Elman RNN and a user's ``[cell]`` go through the same code.
"""

from __future__ import annotations

from typing import Any

from ..core.losses import LOSS_TABLE
from ..core.model import Model
from ..core.tensor import (
    Expr,
    MatVec,
    Param,
    Transpose,
    Var,
    children,
    rebuild,
    sum_of,
    summands,
    variables,
)
from ..derive.adjoint import AtFirst, OuterSum, Program, derive, without
from ..derive.expansion import expand
from ..derive.jvp import DIRECTION, state_parameters, state_tangents
from ..verify import Report
from .document import (
    Display,
    DocumentOptions,
    _shown,
    _terms,
    common_context,
    expansion_display,
    figure_section,
)
from .layout import LINE_WIDTH, Term, break_sum, width
from .matrix import MatrixNotation, at, expression_terms

_VDOTS = r"&\;\;\vdots"


def shown_parameter(model: Model) -> str:
    """The parameter whose expansion is written out (all are checked): the first that
    multiplies a previous state directly (W_hh), else the first a state depends on."""
    for eq in model.equations:
        for term in _matvecs(eq.expr):
            if isinstance(term.vector, Var) and term.vector.shift == -1:
                m = term.matrix
                return m.arg.name if isinstance(m, Transpose) else m.name
    return state_parameters(model)[0]


def _matvecs(expr: Expr) -> list[MatVec]:
    own = [expr] if isinstance(expr, MatVec) else []
    return own + [m for c in children(expr) for m in _matvecs(c)]


def cell_and_head(model: Model) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The equations up to the last state's (the cell), and those after it (the head)."""
    last = max(i for i, eq in enumerate(model.equations) if eq.target in model.states)
    return model.equations[: last + 1], model.equations[last + 1 :]


#: Line width for displays in matrix notation, in em: narrower than the estimate's
#: default, because bold letters and the growing parentheses of diag(.) are wider than
#: :func:`symbptt.render.layout.width` counts them.
MATRIX_LINE_WIDTH = LINE_WIDTH - 3


def _rows(lhs: str, terms: list[Term]) -> list[str]:
    """An equation's rows, broken at terms (and long terms at factors)."""
    return break_sum(lhs, terms, max_width=MATRIX_LINE_WIDTH)


def _equation_rows(mn: MatrixNotation, eq: Any, base: str | int) -> list[str]:
    return _rows(mn.vector(eq.target, base), expression_terms(mn, eq.expr, base))


def intro_section(model: Model, mn: MatrixNotation) -> dict[str, Any]:
    """Who is who: the model's quantities with their sizes, and its functions."""

    def quantity(name: str, fallback: str) -> dict[str, str]:
        v = model.variable(name)
        prose = v.prose if v.prose and v.prose not in ("state", "input") else fallback
        return {"prose": prose, "math": rf"{at(v.latex, 't')} \in \mathbb{{R}}^{{{v.shape[0]}}}"}

    quantities = [quantity(s, "state") for s in model.states]
    quantities += [quantity(x, "input") for x in model.of_kind("input")]
    if model.head.output not in model.states:
        quantities.append(quantity(model.head.output, "output"))
    functions = [
        {"math": tex, "name": primitive}
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


def model_section(model: Model, mn: MatrixNotation) -> dict[str, Any]:
    """The loss, the cell's equations, the head's, and any views of parameters."""
    scale = r"\frac{1}{T} " if model.reduction == "mean" else ""
    head = LOSS_TABLE[model.head.loss]
    output, target = mn.vector(model.head.output, "t"), mn.vector(model.head.target, "t")
    loss_rows = [
        f"{mn.notation.loss} &= {scale}\\sum_{{t=1}}^{{T}} \\ell_{{t}}",
        rf"\ell_{{t}} &= {head.latex(output, target)}",
    ]
    if head.probabilities is not None:
        yhat = mn.vector("yhat", "t")
        loss_rows[1] += rf" = -{target}^\top \log {yhat}"
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
        "cross_entropy": head.probabilities is not None,
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
        text = rf"{mn.parameter(view.name)}^\top \begin{{bmatrix}} {stack} \end{{bmatrix}}"
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
            rows.append(_VDOTS)
            continue
        texts = [f"{mn.vector(eq.target, k)} = {mn.expr(eq.expr, k)}" for eq in reversed(cell)]
        joined = r", \quad ".join(texts)
        if width(joined) <= MATRIX_LINE_WIDTH:
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
            for r in _rows(mn.vector(s, k), expression_terms(mn, forms[s], k))
        ]
        if max(width(r.replace("&", "")) for r in candidate) > MATRIX_LINE_WIDTH:
            break
        nested += candidate
        depth = k
    return {
        "recursive": Display(tuple(rows), "eq:unrolled"),
        "nested": Display(tuple(nested), "eq:nested"),
        "nested_depth": depth,
    }


def expansion_section(
    model: Model, mn: MatrixNotation, T: int, name: str, elide_above: int
) -> dict[str, Any]:
    """Every form of the expansion of dstate_T/dP, for the shown parameter P."""
    initial = " and ".join(f"${mn.parameter(model.initial_of(s))}$" for s in model.states)

    def rule_text(rule: str) -> str:
        if rule.startswith("h_0 does not depend"):
            verb = "does" if len(model.states) == 1 else "do"
            return rf"{initial} {verb} not depend on ${mn.parameter(name)}$"
        return rule.replace("_", r"\_")

    others = [p for p in state_parameters(model) if p != name]
    return {
        **expansion_display(
            expand(T, "w"),
            mn.total(T, name),
            lambda term: mn.chain_term_factors(term, name),
            rule_text,
            elide_above,
        ),
        "others": [mn.parameter(p) for p in others],
    }


def jacobian_rows(model: Model, mn: MatrixNotation, base: str | int) -> list[str]:
    """The Jacobian of the state by the previous state in model quantities, block by
    block for several states (a zero block is left out)."""
    tangents = state_tangents(model)
    if len(model.states) == 1:
        return _rows(mn.jacobian(base), mn.linear_terms(tangents[0], base))
    rows = []
    for state, tangent in zip(model.states, tangents):
        for previous in model.states:
            along = _along(model, tangent, previous)
            if along is not None:
                rows += _rows(mn.block(state, previous, base), mn.linear_terms(along, base))
    return rows


def _along(model: Model, tangent: Expr | None, state: str) -> Expr | None:
    """A tangent with every direction but the previous ``state``'s set to zero."""
    for other in model.states:
        if tangent is not None and other != state:
            tangent = without(tangent, Var(DIRECTION + other, -1))
    return tangent


def immediate_rows(model: Model, mn: MatrixNotation) -> list[str]:
    """d+state_i / dP_ab for each parameter a state depends on, from its derived tangent
    (E_ab = e_a e_b^T is the unit matrix, e_a the unit vector)."""
    rows = []
    for name in state_parameters(model):
        if name in {v.name for v in model.views}:
            continue  # a view's entries are its parts' entries
        for state, tangent in zip(model.states, state_tangents(model, name)):
            if tangent is None:
                continue
            of = None if len(model.states) == 1 else state
            terms = mn.linear_terms(tangent, "i")
            matrix = any(r"\mathbf{E}_{ab}" in t.latex for t in terms)
            rows += _rows(mn.immediate("i", name, "ab" if matrix else "a", of), terms)
    return rows


def _product_jacobian(model: Model) -> Expr | None:
    """The Jacobian's tangent when it is one product of matrices (diag(phi'(s_t)) W_hh):
    then it is short enough to be written inline and into every term."""
    if len(model.states) > 1:
        return None
    tangent = state_tangents(model)[0]
    mn = MatrixNotation(model)
    return tangent if tangent is not None and len(mn.linear_terms(tangent, "t")) == 1 else None


def sum_of_products_section(
    model: Model, mn: MatrixNotation, T: int, name: str, elide_above: int
) -> dict[str, Any]:
    """The boxed sum of products, its factors in model quantities, and its instance."""
    general = (
        f"{mn.total('t', name)} = {mn.immediate('t', name)} + \\sum_{{i=1}}^{{t-1}} "
        f"{mn.jacobian('t')} \\cdots {mn.jacobian('i', 1)} {mn.immediate('i', name)}"
    )
    terms = {term.leaf_index: term for term in expand(T, "w").settled}
    order = _shown(list(range(T, 0, -1)), elide_above)
    lhs = mn.total(T, name)
    instance = _rows(lhs, _terms(order, lambda i: mn.chain_term_factors(terms[i], name)))
    in_model = None
    if _product_jacobian(model):
        tangent = state_tangents(model)[0]
        factors = lambda i: mn.model_term_factors(terms[i], name, tangent)  # noqa: E731
        in_model = Display(tuple(_rows(lhs, _terms(order, factors))), "eq:instance-model")
    rows = jacobian_rows(model, mn, "j") + immediate_rows(model, mn)
    return {
        "general_plain": general,
        "immediates": Display(tuple(rows), "eq:immediate"),
        "instance": Display(tuple(instance), "eq:instance"),
        "model": in_model,
        "terms": len(terms),
        "elided": None in order,
        "parameter": mn.parameter(name),
    }


def backward_section(
    model: Model, mn: MatrixNotation, program: Program, T: int, elide_above: int
) -> dict[str, Any]:
    """The backward program that was verified, in general and written out for every t."""
    general = mn.program_rows(program)
    later = recursion(program)
    started = [step for step in program.steps if step.name in read_later(program)]
    rows = [f"{mn.vector(step.name, T, 1)} &= \\mathbf{{0}}" for step in started]
    for k in _shown(list(range(T, 0, -1)), elide_above):
        if k is None:
            rows.append(_VDOTS)
            continue
        for step in later:
            rows += _step_rows(mn, step, k, k == T)
    gradients = []
    for result in program.results:
        lhs = mn.gradient(result.name)
        if isinstance(result, AtFirst):
            rows_ = [f"{lhs} &= {mn.expr(result.expr, 1)}"]
        else:
            assert isinstance(result, OuterSum)
            order = _shown(list(range(1, T + 1)), elide_above)
            terms = _terms(order, lambda k, r=result: [mn.summand(r, k)])
            rows_ = _rows(lhs, terms)
        gradients.append(Display(tuple(rows_), f"eq:gradient-{result.name.replace('_', '')}"))
    adjoints = [
        rf"{mn.vector(a.name, 't')} = \partial {mn.notation.loss} / \partial {mn.vector(a.of, 't')}"
        for a in model.adjoints
        if a.name in {step.name for step in program.steps}
    ]
    return {
        "adjoints": adjoints,
        "general": Display(tuple(general["steps"]), "eq:backward"),
        "steps": Display(tuple(rows), "eq:deltas"),
        "general_gradient": Display(tuple(general["results"]), "eq:gradients"),
        "gradients": gradients,
    }


def recursion(program: Program) -> list[Any]:
    """The steps of the backward recursion proper, in program order: those that read,
    directly or through steps at the same t, a step at t + 1, and that a step read at
    t + 1 needs (delta_t for the Elman model, but not g_t)."""
    steps = {step.name: step for step in program.steps}

    def reads(name: str, shift: int) -> set[str]:
        return {v.name for v in variables(steps[name].expr) if v.name in steps and v.shift == shift}

    def closure(start: set[str], step: Any) -> set[str]:
        seen, todo = set(start), list(start)
        while todo:
            for other in step(todo.pop()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    needed = closure(read_later(program), lambda name: reads(name, 0))
    readers = {name: {o for o in steps if name in reads(o, 0)} for name in steps}
    reaching = closure({n for n in steps if reads(n, 1)}, lambda name: readers[name])
    return [step for step in program.steps if step.name in needed & reaching]


def _step_rows(mn: MatrixNotation, step: Any, k: int, last: bool) -> list[str]:
    """A step at k; at the last step also what is left once the steps at T + 1 are zero
    (on the same line if it fits)."""
    rows = _rows(mn.vector(step.name, k), expression_terms(mn, step.expr, k))
    if not (last and _later_vars(step.expr)):
        return rows
    rest: Expr | None = step.expr
    for v in set(_later_vars(step.expr)):
        rest = None if rest is None else without(rest, v)
    zero = [Term((r"\mathbf{0}",))]
    more = _rows("", zero if rest is None else expression_terms(mn, rest, k))
    if len(rows) == 1 and len(more) == 1:
        joined = rows[0] + " = " + more[0].split("&= ", 1)[1]
        if width(joined.replace("&", "")) <= MATRIX_LINE_WIDTH + width(rows[0].split("&")[0]):
            return [joined]
    return rows + more


def read_later(program: Program) -> set[str]:
    """The steps that some step reads at t + 1 (they start at zero after T)."""
    names = {step.name for step in program.steps}
    return {v.name for s in program.steps for v in variables(s.expr) if v.shift > 0} & names


def _later_vars(expr: Expr) -> list[Var]:
    return [v for v in variables(expr) if v.shift == 1]


def figure_labels(model: Model, mn: MatrixNotation) -> dict[str, Any]:
    """The unfolded network's labels, read from the model's graph: which parameters carry
    the input into the state, the previous state into the state, the state into the
    output."""
    cell, head = cell_and_head(model)
    inputs = set(model.of_kind("input"))
    states = set(model.states)

    def carriers(equations: tuple[Any, ...], sources: set[str], shift: int | None) -> str:
        names: list[str] = []
        for eq in equations:
            for m in _matvecs(eq.expr):
                read = variables(m.vector)
                if any(v.name in sources and shift in (None, v.shift) for v in read):
                    name = m.matrix.arg.name if isinstance(m.matrix, Transpose) else m.matrix.name
                    if name not in names:
                        names.append(name)
        return ", ".join(mn.parameter(n) for n in names)

    def base(name: str) -> str:
        return mn.table[name].replace("_{@}", "").replace("@", "t")

    output = model.head.output
    return {
        "state": ", ".join(base(s) for s in model.states),
        "input": ", ".join(base(x) for x in model.of_kind("input")),
        "output": base(output) if output not in states else "",
        "loss": r"\ell",
        "input_edge": carriers(cell, inputs, 0),
        "output_edge": carriers(head, states, None),
        "recurrent_edge": carriers(cell, states, -1),
    }


def model_document_context(spec: Any, report: Report, options: DocumentOptions) -> dict[str, Any]:
    """Everything ``model.tex.j2`` prints, for one model of the core and its report."""
    model: Model = spec.model
    n, e, T = options.notation, options.elide_above, spec.T
    mn = MatrixNotation(model, n)
    name = shown_parameter(model)
    program = report.formulas.program or derive(model)
    return {
        **common_context(spec, report, options),
        "loss_name": model.head.loss,
        "intro": intro_section(model, mn),
        "model": model_section(model, mn),
        "unrolled": unrolled_section(model, mn, T, e),
        "expansion": expansion_section(model, mn, T, name, e),
        "sop": sum_of_products_section(model, mn, T, name, e),
        "backward": backward_section(model, mn, program, T, e),
        "figure": figure_section(T, e, figure_labels(model, mn)),
        "symbols": {
            "state": mn.stacked("t"),
            "previous": mn.stacked("t", -1),
            "initial": " and ".join(f"${mn.parameter(model.initial_of(s))}$" for s in model.states),
            "total": mn.total("t", name),
            "immediate": mn.immediate("t", name),
            "jacobian": mn.jacobian("t"),
            "jacobian_model": mn.linear(jac, "t") if (jac := _product_jacobian(model)) else "",
        },
    }
