"""The derivation document's sections, prose and displays, for every model and format.

:func:`build_document` turns a spec, its report and the document options into a
:class:`symbptt.render.blocks.Document`: the maths comes from the model's declaration
and the verified objects (:mod:`symbptt.render.model_document`,
:mod:`symbptt.render.model_derivatives`, the figure from the model's graph, the claims
the report checked), the prose is written here once, and an exporter
(:mod:`symbptt.render.formats`) prints the result in its format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symbptt.core.model import Model
from symbptt.render.blocks import (
    Block,
    Boxed,
    Document,
    Emph,
    Inline,
    Math,
    Prose,
    Ref,
    Section,
    listed,
    parts,
    prose,
)
from symbptt.render.certificate import certificate_section, versions
from symbptt.render.claims import claim_displays
from symbptt.render.document import SECTIONS, DocumentOptions
from symbptt.render.figure import figure_block
from symbptt.render.matrix import MatrixNotation
from symbptt.render.model_derivatives import (
    backward_section,
    expansion_section,
    initial_states,
    product_jacobian,
    sum_of_products_section,
)
from symbptt.render.model_document import (
    intro_section,
    model_section,
    printed,
    shown_parameter,
    unrolled_section,
)
from symbptt.results import Report

#: The sections' headings and labels, in the document's order (the figure has none).
HEADINGS = {
    "model": ("The model", "sec:model"),
    "unrolled": ("The unrolled recurrence", "sec:unrolled"),
    "expansion": ("Expanding the total derivative", "sec:expansion"),
    "sum_of_products": ("The sum of products", "sec:sum-of-products"),
    "backward": ("The backward recursion", "sec:backward"),
    "figure": ("", ""),
}


@dataclass(frozen=True)
class Words:
    """What the prose says differently in one notation (numbers or matrices): the
    conventions (before and after the Jacobian's formula), how functions apply, what
    the immediate partials are, and what the gradients collect."""

    functions: str
    conventions: tuple[tuple[Inline, ...], tuple[Inline, ...]]
    factors: tuple[Inline, ...]
    collect: str


#: The wording of each notation (keyed as :data:`symbptt.render.latex_style.SYMBOLS`).
WORDS = {
    "scalar": Words(
        functions="",
        conventions=(
            parts(
                " Every quantity is a number, and every derivative an ordinary partial derivative"
            ),
            parts("."),
        ),
        factors=parts(
            "The Jacobians and the immediate partials, from the one-step equations by the "
            "chain rule:"
        ),
        collect="the adjoints times what each parameter multiplies",
    ),
    "matrix": Words(
        functions=", applied elementwise",
        conventions=(
            parts(
                " Vectors are bold columns, matrices are capitals, ",
                Math(r"^\top"),
                " transposes. Gradients of the scalar loss are in denominator layout (the "
                "gradient with respect to a matrix has that matrix's shape); Jacobians of "
                "vectors by vectors are in numerator layout (their rows follow the numerator)",
            ),
            parts(
                ". An elementwise product ",
                Math(r"\mathbf{a} \odot \mathbf{b}"),
                " is written ",
                Math(r"\operatorname{diag}(\mathbf{a})\, \mathbf{b}"),
                " throughout.",
            ),
        ),
        factors=parts(
            "The Jacobians, and the immediate partials entry by entry (",
            Math(r"\mathbf{e}_a"),
            " is the ",
            Math("a"),
            "-th unit vector, ",
            Math(r"\mathbf{E}_{ab} = \mathbf{e}_a \mathbf{e}_b^\top"),
            "; each entry of a parameter has its own vector of partials), from the one-step "
            "equations by the chain rule:",
        ),
        collect="outer products of the adjoints with what each parameter multiplies",
    ),
}


#: The measure of a format whose reader's window wraps (no line is broken): wider than
#: any display.
UNBROKEN = 10_000.0


def build_document(
    spec: Any, report: Report, options: DocumentOptions, *, measure: float | None
) -> Document:
    """The document of one model and its report, with the sections ``options`` asks for,
    its displays broken to ``options.line_width`` or else the format's ``measure`` (in em
    of the math font; None: not broken).

    Every display prints an object the report verified (the backward program, the
    claims) or one derived from the model's declaration by the engines the checks ran
    against; the certificate prints the report's checks."""
    model: Model = spec.model
    T, elide = spec.T, options.elide_above
    # the seeds' scalar model is note 000's, whose formulas count steps from 1
    first = options.profile.first if options.profile and not model.scalar else 1
    width = options.line_width or measure or UNBROKEN
    mn = MatrixNotation(printed(model, options), options.notation, first, width)
    name = shown_parameter(model)
    claims = claim_displays(report.claims, options.notation)
    symbols = _symbols(model, mn, name)
    last = mn.numbered(T)
    steps = {"first": mn.numbered(1), "last": last, "horizon": mn.numbered("T")}
    makers = {
        "model": lambda: _model(model, mn, spec.reduction),
        "unrolled": lambda: _unrolled(model, mn, T, elide, steps),
        "expansion": lambda: _expansion(model, mn, T, name, elide, steps, symbols),
        "sum_of_products": lambda: _sum_of_products(model, mn, T, name, elide, steps),
        "backward": lambda: _backward(model, mn, report, T, elide, steps),
        "figure": lambda: (figure_block(model, mn, T, elide),),
    }
    sections = []
    for key in (k for k in SECTIONS if k in options.sections):  # the document's order, once
        if key == "certificate":
            sections.append(certificate_section(report, symbols["state"], last))
            continue
        title, label = HEADINGS[key]
        blocks = tuple(makers[key]()) + tuple(claims.get(key, ()))
        sections.append(Section(key, title, label, blocks))
    return Document(
        title=options.title,
        author=options.author,
        intro=_intro(model, mn, spec, symbols),
        sections=tuple(sections),
    )


def _symbols(model: Model, mn: MatrixNotation, name: str) -> dict[str, str]:
    """The derivative symbols the prose names."""
    jac = product_jacobian(model, mn)
    return {
        "state": mn.stacked("t"),
        "previous": mn.stacked("t", -1),
        "total": mn.total("t", name),
        "immediate": mn.immediate("t", name),
        "jacobian": mn.jacobian("t"),
        "jacobian_model": mn.linear(jac, "t") if jac is not None else "",
    }


def _jacobian(symbols: dict[str, str]) -> str:
    """J_t, and J_t = diag(phi'(s_t)) W_hh when it is one product."""
    if symbols["jacobian_model"]:
        return f"{symbols['jacobian']} = {symbols['jacobian_model']}"
    return symbols["jacobian"]


def _intro(model: Model, mn: MatrixNotation, spec: Any, symbols: dict[str, str]) -> tuple:
    """Who is who, over how many steps, the loss, and the conventions."""
    intro = intro_section(model, mn)
    quantities = listed([parts(f"{q['prose']} ", Math(q["math"])) for q in intro["quantities"]])
    functions: tuple[Inline, ...] = ()
    if intro["functions"]:
        each = listed(
            [parts(Math(f["math"]), f" is {f['name']}") for f in intro["functions"]], last=", "
        )
        functions = parts("; ", each, WORDS[mn.kind].functions)
    loss = model.head.loss
    blocks: list[Block] = [
        prose(
            "This derivation of backpropagation through time was generated and checked by "
            f"symbptt {versions()['symbptt']} for the {intro['name']} with ",
            quantities,
            ", over ",
            Math(f"T = {spec.T}"),
            " time steps",
            functions,
            f"; the {spec.reduction} of the per-step {loss} losses.",
            *(
                (" The states are stacked into one column, ", Math(intro["stacked"]), ".")
                if intro["stacked"]
                else ()
            ),
            " Every displayed equation was printed from the objects that the checks of ",
            Ref("sec:certificate", "section"),
            " verified.",
            indent=False,
        )
    ]
    so = parts(", so ", Math(_jacobian(symbols))) if symbols["jacobian_model"] else ()
    before, after = WORDS[mn.kind].conventions
    conventions = parts(before, so, after)
    blocks.append(prose(Emph(parts("Conventions.")), conventions, new=True, indent=False))
    return tuple(blocks)


def _model(model: Model, mn: MatrixNotation, reduction: str) -> list[Block]:
    """The loss, the cell, the head and the views of parameters."""
    section = model_section(model, mn)
    target: tuple[Inline, ...] = ()
    if section["cross_entropy"]:
        target = parts(
            " (the target of step ",
            Math("t"),
            " is a class index ",
            Math(section["class_index"]),
            ", and ",
            Math(mn.vector(model.head.target, "t")),
            " its one-hot vector)",
        )
    blocks: list[Block] = [
        prose(
            f"The empirical loss is the {reduction} of the per-step {model.head.loss} losses",
            target,
            ":",
        ),
        section["loss"],
        prose(
            "One step of the recurrence computes the state from the previous state and the input:"
        ),
        section["cell"],
    ]
    if section["head"]:
        blocks += [prose("and the output is read from the state:"), section["head"]]
    for view in section["views"]:
        blocks += [
            prose("The derivation also differentiates with respect to a parameter made of others:"),
            view,
        ]
    return blocks


def _unrolled(
    model: Model, mn: MatrixNotation, T: int, elide: int, steps: dict[str, str]
) -> list[Block]:
    """The cell at every step, and the nested forms for small t."""
    section = unrolled_section(model, mn, T, elide)
    blocks: list[Block] = [
        prose(
            "Unrolled for ",
            Math(rf"t = {steps['first']}, \dots, {steps['last']}"),
            ", starting from the given ",
            initial_states(model, mn),
            ":",
        ),
        section["recursive"],
    ]
    if section["nested_depth"]:
        blocks += [
            prose(
                "Substituting what each step computes, and each state into the next, gives the "
                "nested forms (shown for ",
                Math(rf"t \le {section['nested_last']}"),
                "):",
            ),
            section["nested"],
        ]
    return blocks


def _expansion(
    model: Model,
    mn: MatrixNotation,
    T: int,
    name: str,
    elide: int,
    steps: dict[str, str],
    symbols: dict[str, str],
) -> list[Block]:
    """The expansion of the total derivative, one level at a time."""
    section = expansion_section(model, mn, T, name, elide)
    others: tuple[Inline, ...] = ()
    if section["others"]:
        others = parts(
            "; the forms for ",
            listed([Math(p) for p in section["others"]]),
            " are the same with their immediate partials, and all are checked",
        )
    return [
        prose(
            "Three kinds of derivative stay distinct: the total derivative ",
            Math(symbols["total"]),
            " along every path, the immediate partial ",
            Math(symbols["immediate"]),
            " with ",
            Math(symbols["previous"]),
            " held fixed, and the Jacobian ",
            Math(_jacobian(symbols)),
            ". Matrices do not commute: each new Jacobian multiplies on the ",
            Emph(parts("left")),
            ", so the latest step stands first. One level at a time, from ",
            Math(f"t = {steps['last']}"),
            " down to ",
            Math(steps["first"]),
            ", for ",
            Math(mn.parameter(name)),
            f" ({section['shown']} of the {section['forms']} forms are shown",
            others,
            "):",
        ),
        section["display"],
    ]


def _sum_of_products(
    model: Model, mn: MatrixNotation, T: int, name: str, elide: int, steps: dict[str, str]
) -> list[Block]:
    """The boxed sum of products, its factors, and its instance at t = T."""
    section = sum_of_products_section(model, mn, T, name, elide)
    factors = Prose(WORDS[mn.kind].factors)
    elided = " (the middle ones are elided here, not in the checks)" if section["elided"] else ""
    blocks: list[Block] = [
        prose(
            "The expansion\u00a0",
            Ref("eq:expansion"),
            " ends in the sum of ordered products of Jacobians, latest on the left (a ",
            Math(r"\prod"),
            " sign would leave that order unsaid):",
        ),
        Boxed(section["general_plain"], "eq:boxed"),
        factors,
        section["immediates"],
        prose(
            "For ", Math(f"t = {steps['last']}"), f" the sum has {section['terms']} terms{elided}:"
        ),
        section["instance"],
    ]
    if section["model"]:
        blocks += [prose("and in model quantities:"), section["model"]]
    return blocks


def _backward(
    model: Model, mn: MatrixNotation, report: Report, T: int, elide: int, steps: dict[str, str]
) -> list[Block]:
    """The backward program that was verified: in general, solved, and its gradients."""
    section = backward_section(model, mn, report.program, T, elide)
    collect = WORDS[mn.kind].collect
    return [
        prose(
            "With ",
            listed([Math(a) for a in section["adjoints"]]),
            ", derived from the one-step equations by the chain rule, with nothing after step ",
            Math(steps["horizon"]),
            ":",
        ),
        section["general"],
        prose("Solved backwards from ", Math(f"t = {steps['last']}"), ":"),
        section["steps"],
        prose(f"The gradients collect {collect}:"),
        section["general_gradient"],
        prose("Written out for ", Math(f"T = {T}"), ":"),
        *section["gradients"],
    ]
