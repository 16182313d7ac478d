"""The derivative sections of the matrix-notation document, for any model of the core.

The expansion and the sum of products of dstate_t/dP (the terms of
:func:`symbptt.derive.expansion.expand` read as matrices, with the Jacobians and the
immediate partials printed from the tangents that :func:`symbptt.derive.jvp.
state_tangents` derives from the equations), and the backward program that the report
verified, written out for every t.
"""

from __future__ import annotations

from typing import Any

from symbptt.core.model import Model
from symbptt.core.tensor import Expr, Var, variables
from symbptt.derive.adjoint import AtFirst, OuterSum, Program, read_later, without
from symbptt.derive.expansion import expand
from symbptt.derive.jvp import DIRECTION, state_parameters, state_tangents
from symbptt.render.blocks import Display, Inline, Math, listed, parts
from symbptt.render.document import _shown, _terms, expansion_display
from symbptt.render.layout import Term, width
from symbptt.render.matrix import VDOTS, MatrixNotation
from symbptt.render.terms import broken_rows, expression_terms


def initial_states(model: Model, mn: MatrixNotation) -> tuple[Inline, ...]:
    """The initial states in prose: h_0 = 0, or h_0 = 0 and c_0 = 0 (a learned one by
    its parameter's name)."""
    return listed(
        [
            Math(f"{mn.vector(s, '0')} = {mn.zero}")
            if (initial := model.initial_of(s)) is None
            else Math(mn.parameter(initial))
            for s in model.states
        ],
        last=" and ",
    )


def expansion_section(
    model: Model, mn: MatrixNotation, T: int, name: str, elide_above: int
) -> dict[str, Any]:
    """Every form of the expansion of dstate_T/dP, for the shown parameter P."""
    initial = initial_states(model, mn)

    def rule_text(rule: str) -> tuple[Inline, ...]:
        if rule.startswith("h_0 does not depend"):
            verb = "does" if len(model.states) == 1 else "do"
            return parts(initial, f" {verb} not depend on ", Math(mn.parameter(name)))
        return parts(rule)

    others = [p for p in state_parameters(model) if p != name]
    return {
        **expansion_display(
            expand(T, "w"),
            mn.total(T, name),
            lambda term: mn.chain_term_factors(term, name),
            rule_text,
            elide_above,
            mn.line_width,
        ),
        "others": [mn.parameter(p) for p in others],
    }


def jacobian_rows(model: Model, mn: MatrixNotation, base: str | int) -> list[str]:
    """The Jacobian of the state by the previous state in model quantities, block by
    block for several states (a zero block is left out)."""
    tangents = state_tangents(model)
    if len(model.states) == 1:
        return broken_rows(mn, mn.jacobian(base), mn.linear_terms(tangents[0], base))
    rows = []
    for state, tangent in zip(model.states, tangents):
        for previous in model.states:
            block = along(model, tangent, previous)
            if block is not None:
                rows += broken_rows(
                    mn, mn.block(state, previous, base), mn.linear_terms(block, base)
                )
    return rows


def along(model: Model, tangent: Expr | None, state: str) -> Expr | None:
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
            entry = "" if mn.scalar else "ab" if matrix else "a"
            rows += broken_rows(mn, mn.immediate("i", name, entry, of), terms)
    return rows


def product_jacobian(model: Model, mn: MatrixNotation) -> Expr | None:
    """The Jacobian's tangent when it is one product of matrices (diag(phi'(s_t)) W_hh):
    then it is short enough to be written inline and into every term."""
    if len(model.states) > 1:
        return None
    tangent = state_tangents(model)[0]
    return tangent if tangent is not None and len(mn.linear_terms(tangent, "t")) == 1 else None


def sum_of_products_section(
    model: Model, mn: MatrixNotation, T: int, name: str, elide_above: int
) -> dict[str, Any]:
    """The boxed sum of products, its factors in model quantities, and its instance."""
    general = (
        f"{mn.total('t', name)} = {mn.immediate('t', name)} + {mn.sum_over_steps('i', 't-1')} "
        f"{mn.jacobian('t')} \\cdots {mn.jacobian('i', 1)} {mn.immediate('i', name)}"
    )
    terms = {term.leaf_index: term for term in expand(T, "w").settled}
    order = _shown(list(range(T, 0, -1)), elide_above)
    lhs = mn.total(T, name)
    instance = broken_rows(mn, lhs, _terms(order, lambda i: mn.chain_term_factors(terms[i], name)))
    in_model = None
    tangent = product_jacobian(model, mn)
    if tangent is not None:
        factors = lambda i: mn.model_term_factors(terms[i], name, tangent)  # noqa: E731
        in_model = Display(tuple(broken_rows(mn, lhs, _terms(order, factors))), "eq:instance-model")
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
    first = read_later(program)
    started = [step for step in program.steps if step.name in first]
    rows = [f"{mn.vector(step.name, T, 1)} &= {mn.zero}" for step in started]
    for k in _shown(list(range(T, 0, -1)), elide_above):
        if k is None:
            rows.append(VDOTS)
            continue
        for step in later:
            rows += _step_rows(mn, step, k, k == T)
    gradients = []
    for result in program.results:
        lhs = mn.gradient(result.name)
        if isinstance(result, AtFirst):
            rows_ = broken_rows(mn, lhs, expression_terms(mn, result.expr, 1))
        else:
            assert isinstance(result, OuterSum)
            order = _shown(list(range(1, T + 1)), elide_above)
            terms = _terms(order, lambda k, r=result: mn.summand_factors(r, k))
            rows_ = broken_rows(mn, lhs, terms)
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
    rows = broken_rows(mn, mn.vector(step.name, k), expression_terms(mn, step.expr, k))
    if not (last and _later_vars(step.expr)):
        return rows
    rest: Expr | None = step.expr
    for v in set(_later_vars(step.expr)):
        rest = None if rest is None else without(rest, v)
    zero = [Term((mn.zero,))]
    more = broken_rows(mn, "", zero if rest is None else expression_terms(mn, rest, k))
    if len(rows) == 1 and len(more) == 1:
        joined = rows[0] + " = " + more[0].split("&= ", 1)[1]
        if width(joined.replace("&", "")) <= mn.matrix_width + width(rows[0].split("&")[0]):
            return [joined]
    return rows + more


def _later_vars(expr: Expr) -> list[Var]:
    return [v for v in variables(expr) if v.shift == 1]
