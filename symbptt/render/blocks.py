"""The format-neutral document: what a derivation says, as data, for every output format.

A :class:`Document` is a title, an introduction and its sections; a section is a heading
and a sequence of blocks: prose, numbered displays, a boxed equation, claims under test,
the figure of the unfolded network, a table. Prose is a sequence of inline parts (plain
text, inline maths, emphasis, cross-references); maths is LaTeX that every target
renders (KaTeX and MathJax read it too): display rows are ``align`` rows (``lhs &= rhs``),
broken by :mod:`symbptt.render.layout` to the exporter's measure. Only the maths is
LaTeX: an exporter (:mod:`symbptt.render.formats`) turns the blocks into its format, so
prose is written once (:mod:`symbptt.render.sections`), not once per format.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Text:
    """Plain prose, printed literally (an exporter escapes it); a no-break space
    (U+00A0) keeps two words on one line."""

    kind: ClassVar[str] = "text"

    text: str


@dataclass(frozen=True)
class Math:
    """Inline maths, as LaTeX."""

    kind: ClassVar[str] = "math"

    latex: str


@dataclass(frozen=True)
class Emph:
    """Emphasised prose (``strong``: bold, for a failure)."""

    kind: ClassVar[str] = "emph"

    parts: tuple[Inline, ...]
    strong: bool = False


@dataclass(frozen=True)
class Ref:
    """A cross-reference to a label of the document: ``what`` it is says how it reads
    (``section``: "Section 5"; ``equation``: "(4)"; ``figure``: "Figure 1")."""

    kind: ClassVar[str] = "ref"

    label: str
    what: str = "equation"


Inline = Text | Math | Emph | Ref


@dataclass(frozen=True)
class Prose:
    """A run of prose. ``new``: it starts a paragraph (else it continues the text
    before it, as the words around a display do); ``indent``: a new paragraph's first
    line is indented (a hint a format may ignore)."""

    kind: ClassVar[str] = "prose"

    parts: tuple[Inline, ...]
    new: bool = False
    indent: bool = True


@dataclass(frozen=True)
class Display:
    """One numbered display of aligned rows (``lhs &= rhs``), labelled for
    cross-references; ``intertext`` puts a short line of prose before a row: (row,
    the rule that gives it, emphasised, and what follows the rule)."""

    kind: ClassVar[str] = "display"

    rows: tuple[str, ...]
    label: str = ""
    intertext: tuple[tuple[int, tuple[Inline, ...], tuple[Inline, ...]], ...] = ()


@dataclass(frozen=True)
class Boxed:
    """One numbered equation in a frame: the result a derivation is read for."""

    kind: ClassVar[str] = "boxed"

    latex: str
    label: str


@dataclass(frozen=True)
class Claimed:
    """Formulas the verifier checked as claims (the source's own identities): the
    words that introduce them (naming the certificate rows that checked them) and
    their display."""

    kind: ClassVar[str] = "claimed"

    lead: tuple[Inline, ...]
    display: Display


@dataclass(frozen=True)
class Column:
    """One step of the unfolded network: its number as printed (None: the elided
    middle), its x position (in units of the node pitch), and its nodes' labels."""

    index: int | None
    x: float
    label: str = ""
    state: str = ""
    input: str = ""
    output: str = ""
    states: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """An arrow between state rows (numbered from 1, bottom up): from ``source`` at
    t + ``shift`` to ``target`` at t; ``thick``: the elementwise path."""

    source: int
    target: int
    shift: int
    thick: bool = False


@dataclass(frozen=True)
class Figure:
    """The network unfolded over T steps, drawn from the model's graph: the initial
    states, the columns, the edges' labels (the matrices carrying the input, the previous
    state and the output), and for several states their rows' heights and links."""

    kind: ClassVar[str] = "figure"

    initial: tuple[str, ...]
    columns: tuple[Column, ...]
    loss: str
    input_edge: str
    output_edge: str
    recurrent_edge: str
    rows: tuple[float, ...] = ()
    links: tuple[Link, ...] = ()
    caption: tuple[Inline, ...] = ()
    label: str = "fig:unfolded"


@dataclass(frozen=True)
class Table:
    """A table: its header, its rows of cells (each a sequence of inline parts), which
    columns are numbers (right-aligned); ``small`` (its text is long) and ``continued``
    (said where a page breaks it) are hints a format may ignore."""

    kind: ClassVar[str] = "table"

    header: tuple[str, ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    numeric: tuple[bool, ...]
    small: bool = False
    continued: str = "continued on the next page"


Block = Prose | Display | Boxed | Claimed | Figure | Table


@dataclass(frozen=True)
class Section:
    """A section: its key (one of :data:`symbptt.render.document.SECTIONS`), its heading
    (empty: none, as the figure's), its label and its blocks."""

    key: str
    title: str
    label: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """A derivation document: title, author (lines), the introduction, and the sections
    the options asked for, in the document's order."""

    title: str
    author: str
    intro: tuple[Block, ...]
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section | None:
        """The section ``key``, or None if the document does not show it."""
        return next((s for s in self.sections if s.key == key), None)

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of the sections shown."""
        return tuple(s.key for s in self.sections)


def parts(*items: str | Inline | Iterable[Inline]) -> tuple[Inline, ...]:
    """Inline parts from strings (plain text), parts and sequences of parts."""
    out: list[Inline] = []
    for item in items:
        if isinstance(item, str):
            out.append(Text(item))
        elif isinstance(item, Text | Math | Emph | Ref):
            out.append(item)
        else:
            out.extend(item)
    return tuple(out)


def prose(*items: str | Inline | Iterable[Inline], new: bool = False, indent: bool = True) -> Prose:
    """A run of prose from strings and parts (see :func:`parts`)."""
    return Prose(parts(*items), new=new, indent=indent)


def listed(items: Sequence[Inline | tuple[Inline, ...]], last: str = " and ") -> tuple[Inline, ...]:
    """``a, b and c``: items joined by commas, the last two by ``last``."""
    out: list[Inline] = []
    for k, item in enumerate(items):
        if k:
            out.append(Text(last if k == len(items) - 1 else ", "))
        out.extend(item if isinstance(item, tuple) else (item,))
    return tuple(out)
