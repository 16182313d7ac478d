"""The derivation document for the vector (Elman) model, in matrix notation.

The same sections as the scalar document, computed from the same kinds of engine
objects: the expansion is :func:`symbptt.derive.expansion.expand`'s (read as matrices,
as :func:`symbptt.vector.verify.verify_vector` evaluates it), the backward recursion is
the program the report verified (by default the one derived from the model's equations,
:func:`symbptt.derive.adjoint.derive`), and the certificate is the vector verifier's
report. Notation is fixed in :mod:`symbptt.render.matrix`.
"""

from __future__ import annotations

from typing import Any

from ..core.losses import LOSS_TABLE
from ..core.tensor import Var
from ..derive.adjoint import AtFirst, OuterSum, Program, derive, without
from ..derive.expansion import expand
from ..vector.model import ElmanSpec
from ..verify import Report
from . import matrix as M
from .document import (
    Display,
    DocumentOptions,
    _shown,
    _terms,
    common_context,
    expansion_display,
    figure_section,
)
from .env import escape
from .layout import Term, break_sum
from .printer import IMMEDIATE_STYLES, Notation

#: The parameter whose expansion and sum of products are written out (all are checked).
SHOWN_PARAMETER = "W_hh"


def _row(lhs: str, rhs: str) -> str:
    return f"{lhs} &= {rhs}"


def _entry_partial(entry: str, n: Notation) -> str:
    """d+h_i / d(entry): the immediate partial with respect to one entry of a parameter."""
    mark = IMMEDIATE_STYLES[n.immediate]
    return rf"\frac{{{mark} {M.vector('h', 'i')}}}{{{n.total} {entry}}}"


def _equations(spec: ElmanSpec, at: str | int) -> dict[str, str]:
    """Each one-step equation's right-hand side at ``at``, printed from the declaration
    that the verifier ran (keyed by the variable it computes)."""
    model = spec.model
    functions = {role: latex for role, _, latex in model.functions}
    printer = M.ProgramPrinter(spec.reduction, model.latex(), functions)
    return {eq.target: printer.expr(eq.expr, at) for eq in model.equations}


def _pre_activation(at: str | int, spec: ElmanSpec) -> str:
    return _equations(spec, at)["s"]


def model_section(spec: ElmanSpec, n: Notation) -> list[Display]:
    scale = r"\frac{1}{T} " if spec.reduction == "mean" else ""
    rhs = _equations(spec, "t")
    head = LOSS_TABLE[spec.loss]
    loss_rows = [
        _row(n.loss, rf"{scale}\sum_{{t=1}}^{{T}} \ell_{{t}}"),
        _row(r"\ell_{t}", head.latex(M.vector("o", "t"), M.vector("d", "t"))),
    ]
    if head.probabilities is not None:
        table = spec.model.latex()
        loss_rows[1] += rf" = -{M.vector('d', 't', 0, table)}^\top \log {M.vector('yhat', 't')}"
        loss_rows.append(
            _row(
                M.vector("yhat", "t"),
                rf"\operatorname{{softmax}}\!\left({M.vector('o', 't')}\right)",
            )
        )
    return [
        Display(tuple(loss_rows), "eq:loss"),
        Display((_row(M.vector("s", "t"), rhs["s"]),), "eq:state-pre"),
        Display((_row(M.vector("h", "t"), rhs["h"]),), "eq:state"),
        Display(
            (_row(M.vector("z", "t"), rhs["z"]), _row(M.vector("o", "t"), rhs["o"])),
            "eq:output",
        ),
        Display(
            (
                _row(
                    "w_{h}",
                    r"\begin{bmatrix} W_{xh} & W_{hh} \end{bmatrix}^\top, \quad "
                    + M.vector("s", "t")
                    + r" = w_{h}^\top "
                    + rf"\begin{{bmatrix}} {M.vector('x', 't')} \\ {M.vector('h', 't', -1)} "
                    r"\end{bmatrix} + \mathbf{b}_{h}",
                ),
            ),
            "eq:concatenation",
        ),
    ]


def unrolled_section(spec: ElmanSpec, elide_above: int) -> dict[str, Any]:
    rows = []
    for k in _shown(list(range(1, spec.T + 1)), elide_above):
        if k is None:
            rows.append(r"&\;\;\vdots")
            continue
        rows.append(
            f"{M.vector('h', k)} &= \\phi({M.vector('s', k)}), \\quad "
            f"{M.vector('s', k)} = {_pre_activation(k, spec)}"
        )
    nested = [f"{M.vector('h', 1)} &= \\phi\\left({_pre_activation(1, spec)}\\right)"]
    if spec.T >= 2:
        inner = _pre_activation(1, spec)
        nested.append(
            f"{M.vector('h', 2)} &= \\phi\\left(W_{{xh}} {M.vector('x', 2)} + W_{{hh}}\\, "
            f"\\phi\\left({inner}\\right) + \\mathbf{{b}}_{{h}}\\right)"
        )
    return {
        "recursive": Display(tuple(rows), "eq:unrolled"),
        "nested": Display(tuple(nested), "eq:nested"),
        "nested_depth": len(nested),
    }


def expansion_section(spec: ElmanSpec, n: Notation, elide_above: int) -> dict[str, Any]:
    name = SHOWN_PARAMETER

    def rule_text(rule: str) -> str:
        if rule.startswith("h_0 does not depend"):
            return rf"$\mathbf{{h}}_0$ does not depend on ${M.parameter(name)}$"
        return escape(rule)

    return expansion_display(
        expand(spec.T, "w"),
        M.total(spec.T, name, n),
        lambda term: M.chain_term_factors(term, name, n),
        rule_text,
        elide_above,
    )


def sum_of_products_section(spec: ElmanSpec, n: Notation, elide_above: int) -> dict[str, Any]:
    T, name = spec.T, SHOWN_PARAMETER
    jac = [M.jacobian("t", notation=n), r"\cdots", M.jacobian("i", 1, notation=n)]
    general = (
        f"{M.total('t', name, n)} = {M.immediate('t', name, n)} + \\sum_{{i=1}}^{{t-1}} "
        f"{' '.join(jac)} {M.immediate('i', name, n)}"
    )
    terms = {term.leaf_index: term for term in expand(T, "w").settled}
    order = _shown(list(range(T, 0, -1)), elide_above)
    lhs = M.total(T, name, n)
    instance = break_sum(lhs, _terms(order, lambda i: M.chain_term_factors(terms[i], name, n)))
    in_model = break_sum(lhs, _terms(order, lambda i: M.model_term_factors(terms[i], name, n)))
    e_a = r"\mathbf{e}_{a}"
    immediates = Display(
        (
            _row(M.jacobian("j", notation=n), M.jacobian_in_model("j")),
            _row(_entry_partial("(W_{hh})_{ab}", n), rf"{e_a}\, \phi'(s_{{i,a}})\, h_{{i-1,b}}"),
            _row(_entry_partial("(W_{xh})_{ab}", n), rf"{e_a}\, \phi'(s_{{i,a}})\, x_{{i,b}}"),
            _row(_entry_partial(r"(\mathbf{b}_{h})_{a}", n), rf"{e_a}\, \phi'(s_{{i,a}})"),
            _row(
                _entry_partial("(w_{h})_{ab}", n),
                rf"\mathbf{{e}}_{{b}}\, \phi'(s_{{i,b}})\, u_{{i,a}}, \quad \mathbf{{u}}_{{i}} = "
                rf"\begin{{bmatrix}} {M.vector('x', 'i')} \\ {M.vector('h', 'i', -1)} "
                r"\end{bmatrix}",
            ),
        ),
        "eq:immediate",
    )
    return {
        "general_plain": general,
        "instance": Display(tuple(instance), "eq:instance"),
        "model": Display(tuple(in_model), "eq:instance-model"),
        "immediates": immediates,
        "terms": len(terms),
        "elided": None in order,
        "parameter": M.parameter(name),
    }


def backward_section(
    spec: ElmanSpec, program: Program, n: Notation, elide_above: int
) -> dict[str, Any]:
    """The backward program that was verified, in general and written out for every t."""
    T = spec.T
    table = spec.model.latex()
    printer = M.ProgramPrinter(spec.reduction, table)
    general = M.program_rows(program, spec.reduction, n.loss, table)
    recursive = next(step for step in program.steps if step.recursive)
    rows = [f"{M.vector(recursive.name, T, 1)} &= \\mathbf{{0}}"]
    for k in _shown(list(range(T, 0, -1)), elide_above):
        if k is None:
            rows.append(r"&\;\;\vdots")
            continue
        text = printer.expr(recursive.expr, k)
        if k == T:  # show the base case at work
            text += " = " + printer.expr(without(recursive.expr, Var(recursive.name, 1)), k)
        rows.extend(break_sum(M.vector(recursive.name, k), [Term((text,))]))
    gradients = []
    for result in program.results:
        lhs = M.gradient(result.name, n.loss)
        if isinstance(result, AtFirst):
            rows_ = [f"{lhs} &= {printer.expr(result.expr, 1)}"]
        else:
            assert isinstance(result, OuterSum)
            order = _shown(list(range(1, T + 1)), elide_above)
            terms = _terms(order, lambda k, r=result: [printer.summand(r, k)])
            rows_ = break_sum(lhs, terms)
        gradients.append(Display(tuple(rows_), f"eq:gradient-{result.name.replace('_', '')}"))
    return {
        "general": Display(tuple(general["steps"]), "eq:backward"),
        "steps": Display(tuple(rows), "eq:deltas"),
        "general_gradient": Display(tuple(general["results"]), "eq:gradients"),
        "gradients": gradients,
    }


#: How the unfolded network's figure labels the vector model's nodes and edges.
FIGURE_LABELS = {
    "state": r"\mathbf{h}",
    "input": r"\mathbf{x}",
    "output": r"\mathbf{o}",
    "loss": r"\ell",
    "input_edge": "W_{xh}",
    "output_edge": "W_{hy}",
    "recurrent_edge": "W_{hh}",
}


def vector_document_context(
    spec: ElmanSpec, report: Report, options: DocumentOptions
) -> dict[str, Any]:
    """Everything ``elman.tex.j2`` prints, for one model and its report."""
    n, e = options.notation, options.elide_above
    return {
        **common_context(spec, report, options),
        "loss_name": spec.loss,
        "model": model_section(spec, n),
        "unrolled": unrolled_section(spec, e),
        "expansion": expansion_section(spec, n, e),
        "sop": sum_of_products_section(spec, n, e),
        "backward": backward_section(spec, report.formulas.program or derive(spec.model), n, e),
        "figure": figure_section(spec.T, e, FIGURE_LABELS),
        "symbols": {
            "total": M.total("t", SHOWN_PARAMETER, n),
            "immediate": M.immediate("t", SHOWN_PARAMETER, n),
            "jacobian": M.jacobian("t", notation=n),
            "jacobian_model": M.jacobian_in_model("t"),
            "adjoint": M.vector("delta", "t"),
            "output_adjoint": M.vector("g", "t"),
        },
    }
