"""What a derivation document shows, whatever the model: its options
(:class:`DocumentOptions`), the eliding of long forms, the expansion's display and the
figure's columns. The document itself is built by :func:`symbptt.render.sections.
build_document`; each display is a list of ``align`` rows broken by
:mod:`symbptt.render.layout`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from symbptt.derive.expansion import ChainTerm, Expansion
from symbptt.errors import SpecError
from symbptt.render import DEFAULT_TITLE, LABEL_PREFIX, TOP_LEVELS
from symbptt.render.blocks import Display, Inline, Text
from symbptt.render.layout import LINE_WIDTH, Term, break_sum
from symbptt.render.notation import Notation
from symbptt.render.plaintext import check_plain_text

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
class DocumentOptions:
    """What the document shows and how it names things."""

    title: str = DEFAULT_TITLE
    author: str = ""
    notation: Notation = field(default_factory=Notation)
    sections: tuple[str, ...] = SECTIONS
    elide_above: int = ELIDE_ABOVE
    #: a source's notation profile (:mod:`symbptt.read.profiles`): the document
    #: prints the model's quantities by its names (None: symbptt's own)
    profile: Any = None
    #: the command of the document's headings (one of :data:`TOP_LEVELS`)
    top_level: str = "section"
    #: put before every label the document defines and refers to, so that several
    #: fragments can be input into one document (None: none in a whole document, and
    #: for a fragment one made from the model and the options, see
    #: :func:`symbptt.render.names.label_prefix`)
    label_prefix: str | None = None
    #: the width (in em) displays are broken to (None: the format's measure, for the
    #: LaTeX article :data:`symbptt.render.layout.LINE_WIDTH`, for a fragment the
    #: standard article's, :data:`symbptt.render.layout.ARTICLE_LINE_WIDTH`)
    line_width: float | None = None

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
        if self.top_level not in TOP_LEVELS:
            raise SpecError(
                f"unknown top level {self.top_level!r}; expected one of: {', '.join(TOP_LEVELS)}"
            )
        prefix = self.label_prefix
        if prefix is not None and not (
            isinstance(prefix, str) and len(prefix) <= 250 and LABEL_PREFIX.fullmatch(prefix)
        ):
            raise SpecError(
                f"a label prefix is at most 250 letters, digits and ':._-', got {prefix!r:.60}"
            )
        width = self.line_width
        if width is not None and (
            isinstance(width, bool) or not isinstance(width, int | float) or not 10 <= width <= 200
        ):
            raise SpecError(f"line_width must be a number of em from 10 to 200, got {width!r}")


def _shown(indices: list[int], elide_above: int) -> list[int | None]:
    """Indices to write out; None marks the elided middle."""
    if len(indices) <= elide_above:
        return list(indices)
    return indices[:3] + [None] + indices[-2:]


def _terms(items: list[int | None], render) -> list[Term]:
    return [Term((r"\cdots",)) if n is None else Term(tuple(render(n))) for n in items]


def expansion_display(
    expansion: Expansion,
    lhs: str,
    factors: Callable[[ChainTerm], list[str]],
    rule_text: Callable[[str], tuple[Inline, ...]],
    elide_above: int,
    max_width: float = LINE_WIDTH,
) -> dict[str, Any]:
    """Every form of an expansion, one per group of lines (at most ``max_width`` em),
    each preceded by the rule that produced it; long forms and long lists of forms are
    elided in the middle. ``factors`` prints a term (scalar or matrix notation),
    ``rule_text`` a rule."""
    steps = list(expansion.steps)
    if len(steps) > 2 * elide_above:
        shown = steps[:5] + [None] + steps[-2:]
    else:
        shown = steps
    rows: list[str] = []
    notes: list[tuple[int, tuple[Inline, ...], tuple[Inline, ...]]] = []
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
        # "cf." ends no sentence: a no-break space after it, not a sentence's space
        then = Text(f" (cf.\u00a0eqn\u00a0{step.equation} of the note):")
        notes.append((len(rows), rule_text(step.rule), (then,)))
        rows.extend(break_sum(lhs if not rows else "", terms, max_width=max_width))
    return {
        "display": Display(tuple(rows), "eq:expansion", tuple(notes)),
        "forms": len(steps),
        "shown": sum(1 for s in shown if s is not None),
    }


def figure_columns(T: int, elide_above: int) -> list[dict[str, Any]]:
    """The unfolded network's columns (steps), at most 5 before eliding the middle."""
    shown = _shown(list(range(1, T + 1)), min(elide_above, 5))
    return [{"index": k, "x": 2.0 * (c + 1)} for c, k in enumerate(shown)]
