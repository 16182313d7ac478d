"""The derivation document: engine objects turned into displays for the templates.

:func:`document_context` computes everything the templates show (they only lay it out):
each display is a list of ``align`` rows printed by the project's printer and broken by
:mod:`symbptt.render.layout`; the certificate comes from a :class:`symbptt.Report`.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .. import __version__
from .. import expr as E
from ..derive.backward import DEFAULT_RECURSION, BackwardRecursion, delta
from ..derive.expansion import ChainTerm, Expansion, expand
from ..errors import SpecError
from ..model import RNNSpec
from ..unroll import NESTED_MAX_T, unroll
from ..verify import Report
from . import DEFAULT_TITLE
from .env import escape
from .layout import Term, break_sum
from .plaintext import check_plain_text
from .printer import Notation, chain_term_factors, latex, model_term_factors

SECTIONS = (
    "model",
    "unrolled",
    "expansion",
    "sum_of_products",
    "backward",
    "figure",
    "certificate",
)

#: Written-out instances show every term up to this T; beyond, the middle is elided.
ELIDE_ABOVE = 6


@dataclass(frozen=True)
class Display:
    """One numbered ``align`` display: rows, and a label for cross-references."""

    rows: tuple[str, ...]
    label: str = ""
    intertext: tuple[tuple[int, str, str], ...] = ()  # (row, rule, equation of the note)


@dataclass(frozen=True)
class DocumentOptions:
    """What the document shows and how it names things."""

    title: str = DEFAULT_TITLE
    author: str = ""
    notation: Notation = field(default_factory=Notation)
    sections: tuple[str, ...] = SECTIONS
    elide_above: int = ELIDE_ABOVE

    def __post_init__(self) -> None:
        check_plain_text(self.title, "title")
        check_plain_text(self.author, "author")
        if not isinstance(self.notation, Notation):
            raise SpecError(f"notation must be a Notation, got {type(self.notation).__name__}")
        sections = self.sections
        if isinstance(sections, str) or not isinstance(sections, tuple | list):
            raise SpecError(
                f"sections must be a tuple of section names ({', '.join(SECTIONS)}), "
                f"got {type(sections).__name__}"
            )
        for name in sections:
            if not isinstance(name, str) or name not in SECTIONS:
                raise SpecError(
                    f"unknown section {name!r}; expected some of: {', '.join(SECTIONS)}"
                )
        object.__setattr__(self, "sections", tuple(sections))
        if isinstance(self.elide_above, bool) or not isinstance(self.elide_above, int):
            raise SpecError(f"elide_above must be an integer, got {self.elide_above!r}")


def _pre_activation(k: Any) -> sp.Expr:
    return sp.Add(
        sp.Mul(E.w, E.h(k - 1), evaluate=False), sp.Mul(E.v, E.x(k), evaluate=False), evaluate=False
    )


def _eq(lhs: Any, rhs: Any, n: Notation) -> str:
    return f"{latex(lhs, n)} &= {latex(rhs, n)}"


def _shown(indices: list[int], elide_above: int) -> list[int | None]:
    """Indices to write out; None marks the elided middle."""
    if len(indices) <= elide_above:
        return list(indices)
    return indices[:3] + [None] + indices[-2:]


def _terms(items: list[int | None], render) -> list[Term]:
    return [Term((r"\cdots",)) if n is None else Term(tuple(render(n))) for n in items]


def model_section(spec: RNNSpec, n: Notation) -> list[Display]:
    t = E.t
    scale = sp.S.One / E.T if spec.reduction == "mean" else sp.S.One
    total = sp.Sum(E.StepLoss(t), (t, 1, E.T))
    grad = sp.Sum(E.TotalDerivative(E.StepLoss(t), E.w), (t, 1, E.T))
    chain = sp.Mul(
        E.TotalDerivative(E.StepLoss(t), E.yhat(t)),
        E.TotalDerivative(E.yhat(t), E.h(t)),
        E.total(t, E.w),
        evaluate=False,
    )
    chain_model = sp.Mul(
        E.TotalDerivative(E.StepLoss(t), E.yhat(t)),
        E.ThetaPrime(E.h(t)),
        E.total(t, E.w),
        evaluate=False,
    )
    loss_rhs = sp.Mul(scale, total, evaluate=False) if scale != 1 else total
    grad_rhs = sp.Mul(scale, grad, evaluate=False) if scale != 1 else grad
    return [
        Display((_eq(E.L, loss_rhs, n),), "eq:loss"),
        Display((_eq(E.s(t), _pre_activation(t), n),), "eq:state-pre"),
        Display((_eq(E.h(t), E.Phi(E.s(t)), n),), "eq:state"),
        Display((_eq(E.yhat(t), E.Theta(E.h(t)), n),), "eq:output"),
        Display((_eq(E.TotalDerivative(E.L, E.w), grad_rhs, n),), "eq:decomposition"),
        Display(
            (
                f"{latex(E.TotalDerivative(E.StepLoss(t), E.w), n)} &= {latex(chain, n)}"
                f" = {latex(chain_model, n)}",
            ),
            "eq:chain",
        ),
    ]


def unrolled_section(spec: RNNSpec, n: Notation, elide_above: int) -> dict[str, Any]:
    steps = _shown(list(range(1, spec.T + 1)), elide_above)
    recursive = []
    for k in steps:
        if k is None:
            recursive.append(r"&\;\;\vdots")
            continue
        recursive.append(
            f"{latex(E.h(k), n)} &= {latex(E.Phi(E.s(k)), n)}, \\quad "
            f"{latex(E.s(k), n)} = {latex(_pre_activation(k), n)}"
        )
    depth = min(spec.T, 3, NESTED_MAX_T)
    nested = unroll(RNNSpec(T=depth, activation=spec.activation, h0=spec.h0)).h
    nested_rows = [f"{latex(E.h(k), n)} &= {latex(nested[k], n)}" for k in range(1, depth + 1)]
    return {
        "recursive": Display(tuple(recursive), "eq:unrolled"),
        "nested": Display(tuple(nested_rows), "eq:nested"),
        "nested_depth": depth,
    }


def expansion_section(spec: RNNSpec, n: Notation, elide_above: int) -> dict[str, Any]:
    return expansion_display(
        expand(spec.T, "w"),
        latex(E.total(spec.T, E.w), n),
        lambda term: chain_term_factors(term, n),
        lambda rule: escape(rule).replace(r"h\_0", "$h_0$").replace(" on w", " on $w$"),
        elide_above,
    )


def expansion_display(
    expansion: Expansion,
    lhs: str,
    factors: Callable[[ChainTerm], list[str]],
    rule_text: Callable[[str], str],
    elide_above: int,
) -> dict[str, Any]:
    """Every form of an expansion, one per group of lines, each preceded by the rule
    that produced it; long forms and long lists of forms are elided in the middle.
    ``factors`` prints a term (scalar or matrix notation), ``rule_text`` a rule."""
    steps = list(expansion.steps)
    if len(steps) > 2 * elide_above:
        shown = steps[:5] + [None] + steps[-2:]
    else:
        shown = steps
    rows: list[str] = []
    notes: list[tuple[int, str, str]] = []
    for step in shown:
        if step is None:
            rows.append(r"&\;\;\vdots")
            continue
        chain = list(expansion.terms(step))
        if len(chain) > elide_above:  # long forms: first terms, dots, last terms
            chain = chain[:3] + [None] + chain[-2:]
        terms = [
            Term((r"\cdots",)) if term is None else Term(tuple(factors(term))) for term in chain
        ]
        notes.append((len(rows), rule_text(step.rule), step.equation))
        rows.extend(break_sum(lhs if not rows else "", terms))
    return {
        "display": Display(tuple(rows), "eq:expansion", tuple(notes)),
        "forms": len(steps),
        "shown": sum(1 for s in shown if s is not None),
    }


def sum_of_products_section(
    spec: RNNSpec, n: Notation, elide_above: int, claim: sp.Expr | None = None
) -> dict[str, Any]:
    """The boxed formula as verified (``claim``: its right-hand side for w), and written
    out for T."""
    T = spec.T
    claim = E.boxed_formula() if claim is None else claim
    general = Display((_eq(E.total(E.t, E.w), claim, n),), "eq:boxed")
    terms = {term.leaf_index: term for term in expand(T, "w").settled}
    order = _shown(list(range(T, 0, -1)), elide_above)
    lhs = latex(E.total(T, E.w), n)

    instance = break_sum(lhs, _terms(order, lambda i: chain_term_factors(terms[i], n)))
    in_model = break_sum(lhs, _terms(order, lambda i: model_term_factors(terms[i], n)))
    general_plain = f"{latex(E.total(E.t, E.w), n)} = {latex(claim, n)}"
    return {
        "general": general,
        "general_plain": general_plain,
        "instance": Display(tuple(instance), "eq:instance"),
        "model": Display(tuple(in_model), "eq:instance-model"),
        "terms": len(terms),
        "elided": None in order,
    }


def backward_section(
    spec: RNNSpec, n: Notation, elide_above: int, rec: BackwardRecursion = DEFAULT_RECURSION
) -> dict[str, Any]:
    """The backward recursion as verified, solved for T."""
    T = spec.T
    general = Display((_eq(delta(E.t), rec.step, n), _eq(delta(E.T + 1), 0, n)), "eq:backward")
    rows = [f"{latex(delta(T + 1), n)} &= 0"]
    for k in _shown(list(range(T, 0, -1)), elide_above):
        if k is None:
            rows.append(r"&\;\;\vdots")
            continue
        step = E.instantiate(rec.step, E.t, k)
        text = latex(step, n)
        if k == T:  # show the base case delta_{T+1} = 0 at work
            text += " = " + latex(E.instantiate(step, delta(T + 1), 0), n)
        rows.extend(break_sum(latex(delta(k), n), [Term((text,))]))
    gradients = []
    for p, summand in rec.gradient.items():
        order = _shown(list(range(1, T + 1)), elide_above)
        terms = _terms(order, lambda k, s=summand: [latex(E.instantiate(s, E.t, k), n)])
        gradients.append(
            Display(
                tuple(break_sum(latex(E.TotalDerivative(E.L, p), n), terms)), f"eq:gradient-{p}"
            )
        )
    general_gradient = Display(
        tuple(
            _eq(E.TotalDerivative(E.L, p), sp.Sum(s, (E.t, 1, E.T)), n)
            for p, s in rec.gradient.items()
        ),
        "eq:gradients",
    )
    return {
        "general": general,
        "steps": Display(tuple(rows), "eq:deltas"),
        "general_gradient": general_gradient,
        "gradients": gradients,
    }


def figure_columns(T: int, elide_above: int) -> list[dict[str, Any]]:
    """The unfolded network's columns (steps), at most 5 before eliding the middle."""
    shown = _shown(list(range(1, T + 1)), min(elide_above, 5))
    return [{"index": k, "elided": k is None, "x": 2.0 * (c + 1)} for c, k in enumerate(shown)]


#: How the unfolded network's figure labels the scalar model's nodes and edges.
FIGURE_LABELS = {
    "state": "h",
    "input": "x",
    "output": r"\hat{y}",
    "loss": r"\ell",
    "input_edge": "v",
    "output_edge": r"\theta",
    "recurrent_edge": "w",
}


def figure_section(
    T: int, elide_above: int, labels: dict[str, str] = FIGURE_LABELS
) -> dict[str, Any]:
    """What the figure of the unfolded network draws: its columns and the model's labels
    (one figure macro, macros.tex.j2, draws every model)."""
    return {"columns": figure_columns(T, elide_above), **labels}


def certificate_section(report: Report) -> dict[str, Any]:
    import flint

    rows = [
        {
            "name": c.name,
            "method": "modular" if "modular" in c.method else "exact",
            "holds": c.holds,
            "seconds": f"{c.seconds:.3f}",
            "comparisons": c.comparisons,
            "failure": c.failure or "",
        }
        for c in report.checks
    ]
    return {
        "rows": rows,
        "method": report.method,
        "reference": report.reference_method,
        "holds": report.holds,
        "versions": {
            "symbptt": __version__,
            "SymPy": sp.__version__,
            "python-flint": flint.__version__,
            "Python": platform.python_version(),
        },
        "error_bound": _power_of_ten(max((c.error_bound for c in report.checks), default=0.0)),
    }


def _power_of_ten(x: float) -> str:
    r"""1.8e-29 as LaTeX: 1.8 \cdot 10^{-29} (empty for 0)."""
    if x == 0:
        return ""
    mantissa, exponent = f"{x:.1e}".split("e")
    return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"


def common_context(spec: Any, report: Report, options: DocumentOptions) -> dict[str, Any]:
    """What every document template prints besides its sections' equations."""
    return {
        "spec": spec,
        "title": options.title,
        "author": options.author,
        "sections": set(options.sections),
        "notation": options.notation,
        "certificate": certificate_section(report),
    }


def document_context(spec: RNNSpec, report: Report, options: DocumentOptions) -> dict[str, Any]:
    """Everything the templates print, for one model, T and report; the claims printed
    are the report's (the formulas that were verified)."""
    n, e = options.notation, options.elide_above
    claims = report.formulas
    return {
        **common_context(spec, report, options),
        "phi_name": spec.phi.name,
        "theta_name": spec.theta.name,
        "model": model_section(spec, n),
        "unrolled": unrolled_section(spec, n, e),
        "expansion": expansion_section(spec, n, e),
        "sop": sum_of_products_section(spec, n, e, claims.sum_of_products(E.w)),
        "backward": backward_section(spec, n, e, claims.recursion),
        "figure": figure_section(spec.T, e),
        "symbols": {
            "step_loss": f"{latex(E.StepLoss(E.t), n)} = "
            + latex(sp.Function("l")(E.yhat(E.t), E.Target(E.t)), n),
            "total": latex(E.total(E.t, E.w), n),
            "adjoint": latex(delta(E.t), n),
        },
        "definitions": {
            "immediate": latex(claims.definitions.immediate_at(E.w, E.t), n),
            "jacobian": latex(claims.definitions.jacobian_at(E.t), n),
            "immediate_lhs": latex(E.immediate(E.t, E.w), n),
            "jacobian_lhs": latex(E.jacobian(E.t), n),
        },
    }
