"""Finding the equations to check in a LaTeX file.

Every display (``\\[...\\]``, ``$$...$$``, ``equation``, ``align``, ``gather``, starred or
not) whose opening line is preceded by a line ``% symbptt: check`` is extracted, as its
equations (:func:`symbptt.read.display.equations`: markup blanked with spaces, so
line and column numbers stay those of the file; the rows of an ``align`` that continue a
chain read as one ``A = B = C``, a row with a left side of its own is an equation of its
own).

The file is read as TeX reads it (:func:`symbptt.read.display.visible`): a marker,
a display or a definition in a ``%`` comment, in verbatim text or after
``\\end{document}`` is not one. Each display carries the macro definitions in effect
where it stands (:func:`symbptt.read.macros.definitions_in_effect`): those TeX has
read before it, not those after it or in a group closed before it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from symbptt.limits import (
    MAX_DEFINITIONS_READ,
    MAX_DISPLAY,
    MAX_NOTES_CHARACTERS,
    MAX_READ_CHARACTERS,
)
from symbptt.read.display import equations, visible
from symbptt.read.macros import definition_spans, definitions_in_effect
from symbptt.read.parse import MAX_LENGTH

#: A marker: the display after it is checked, is (part of) the model, or defines a name.
MARKER = re.compile(r"^\s*%\s*symbptt:\s*(check|model|define)\s*$")
#: The notes' conventions (issue 27): ``% symbptt: conventions KEY = VALUE, ...``.
CONVENTIONS = re.compile(r"^\s*%\s*symbptt:\s*conventions\b(.*)$")
#: A definition written in its marker (a name the notes define in prose):
#: ``% symbptt: define \delta_t := \frac{\partial L}{\partial h_t}``.
DEFINE = re.compile(r"^\s*%\s*symbptt:\s*define\s+(\S.*)$")
#: A check or model marker with text after it (TeX reads it as part of the comment).
CROWDED = re.compile(r"^\s*%\s*symbptt:\s*(check|model)\s+\S")
#: A display's opening (alignat's column count {n} is part of it, not of the formula).
_OPEN = re.compile(r"\\\[|\$\$|\\begin\{(equation|align|alignat|gather|multline)\*?\}(?:\{\d+\})?")


@dataclass(frozen=True)
class Display:
    """One equation of a marked display: its text (the whole display's length, the rest
    blanked), where the display starts in the file (1-based), in a display of several
    equations the line on which this one starts, and the LaTeX of the macro definitions
    in effect there (for :func:`symbptt.read.macros.read_macros`)."""

    text: str
    line: int
    column: int
    first_line: int = 0
    macros: str = ""
    #: what its marker says it is: ``check``, ``model`` or ``define``
    kind: str = "check"

    @property
    def label_line(self) -> int:
        """The line to name in a verdict: where the equation starts."""
        return self.first_line or self.line


def marked_displays(source: str) -> list[Display]:
    """The displays preceded by ``% symbptt: check`` (raises ValueError if unclosed,
    if a marker stands inside a marked display, or past a limit of :mod:`symbptt.limits`:
    a display longer than MAX_DISPLAY, more than MAX_READ_CHARACTERS of equations or
    MAX_DEFINITIONS_READ of definitions to read).

    Linear in the size of the source: line numbers come from a table of line offsets,
    and a display's end is looked for no further than MAX_DISPLAY characters.

    Example:
        >>> marked_displays("text\\n% symbptt: check\\n\\\\[ w = w \\\\]\\n")
        [Display(text=' w = w ', line=3, column=3, first_line=3, macros='', kind='check')]
    """
    require_notes_size(len(source), "the file")
    seen = visible(source)
    text = seen.text
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    bodies: list[tuple[int, int, str]] = []
    unread: list[Display] = []
    shut = 0  # where the last marked display ends: displays never overlap
    for start, end in seen.comments:
        n = bisect.bisect_right(offsets, start) - 1
        marker = MARKER.match(source[start:end])
        crowded = CROWDED.match(source[start:end])
        if crowded and not source[offsets[n] : start].strip():  # refused, never skipped
            why = f"'% symbptt: {crowded.group(1)}' has text after it on its line"
            unread.append(
                Display(why + ": put it alone on its line", n + 1, 1, n + 1, "", "unread")
            )
        if source[offsets[n] : start].strip() or not marker:
            continue
        said = f"'% symbptt: {marker.group(1)}'"
        if bodies and bodies[-1][0] <= start < shut:  # inside the display before
            first = bisect.bisect_right(offsets, bodies[-1][0] - 1)
            raise ValueError(
                f"line {n + 1}: {said} is inside the display that opens on "
                f"line {first} (is that display's closing delimiter missing?)"
            )
        after = offsets[n + 1] if n + 1 < len(offsets) else len(source)
        opening = _OPEN.search(text, after)
        if opening is None or text[after : opening.start()].strip():
            # answered as refused on its line; the file's other displays are read
            why = f"{said} is not followed by a display"
            unread.append(Display(why, n + 1, 1, n + 1, "", "unread"))
            continue
        if opening.group(0) == r"\[":
            closer = r"\]"
        elif opening.group(0) == "$$":
            closer = "$$"
        else:
            closer = re.search(r"\\begin\{([^}]*)\}", opening.group(0)).group(1)
            closer = rf"\end{{{closer}}}"
        end = close_display(text, opening.end(), closer, line=n + 2)
        if not bodies or bodies[-1][0] != opening.end():  # two markers, one display
            bodies.append((opening.end(), end, marker.group(1)))
        shut = end
    in_effect = definitions_in_effect(text, [end for _, end, _ in bodies])
    spans = iter(definition_spans(text))
    span = next(spans, None)
    found = []
    budget = ReadingBudget()
    for (begin, end, kind), macros in zip(bodies, in_effect):
        body = text[begin:end]
        while span is not None and span[0] < end:  # a definition in the display: not a formula
            if span[0] >= begin:
                a, b = span[0] - begin, min(span[1], end) - begin
                body = body[:a] + re.sub(r"[^\n]", " ", body[a:b]) + body[b:]
            span = next(spans, None)
        first_line = bisect.bisect_right(offsets, begin - 1)
        column = begin - source.rfind("\n", 0, begin)
        budget.definitions(macros, first_line)
        found.extend(display_equations(body, first_line, column, macros, budget=budget, kind=kind))
    return sorted(found + unread, key=lambda d: d.label_line)


def conventions_in(source: str, marker: re.Pattern = CONVENTIONS) -> list[tuple[int, str]]:
    """The ``% symbptt: conventions ...`` lines TeX reads as comments (or with
    ``marker=DEFINE`` the ``define`` markers that hold their definition): (line, what
    follows the word), in order."""
    seen = visible(source)
    found = []
    for start, end in seen.comments:
        said = marker.match(source[start:end])
        if said and not source[source.rfind("\n", 0, start) + 1 : start].strip():
            found.append((source.count("\n", 0, start) + 1, said.group(1).strip()))
    return found


def require_notes_size(size: int, what: str) -> None:
    """Refuse notes longer than :data:`~symbptt.limits.MAX_NOTES_CHARACTERS` (ValueError)."""
    if size > MAX_NOTES_CHARACTERS:
        raise ValueError(
            f"{what} has {size} characters of notes, above the limit of "
            f"{MAX_NOTES_CHARACTERS} (MAX_NOTES_CHARACTERS of symbptt/limits.py); check "
            f"its parts in files of their own"
        )


def close_display(text: str, begin: int, closer: str, *, line: int) -> int:
    """Where the display whose body starts at ``begin`` closes (the ``closer`` after it),
    looked for no further than :data:`~symbptt.limits.MAX_DISPLAY` characters, so that
    finding every display of a file stays linear in its size.

    Raises:
        ValueError: the display is not closed, or only beyond that limit.
    """
    end = text.find(closer, begin, begin + MAX_DISPLAY + len(closer))
    if end >= 0:
        return end
    if text.find(closer, begin) < 0:
        raise ValueError(f"line {line}: the display is not closed (no {closer})")
    raise ValueError(
        f"line {line}: the display is longer than {MAX_DISPLAY} characters (the limit "
        f"MAX_DISPLAY of symbptt/limits.py; a formula is at most {MAX_LENGTH}): is its "
        f"{closer} missing?"
    )


class ReadingBudget:
    """What reading one file's displays may produce (see :mod:`symbptt.limits`): the
    equations' text (each equation keeps its display's length, so a display of many
    equations costs its length for each), and the macro definitions in effect at the
    displays, which each check reads again where they differ from the display before's.

    Raises ValueError (from :meth:`equations` and :meth:`definitions`) past a limit.
    """

    def __init__(self) -> None:
        self.characters = 0
        self.read = 0
        self.last = ""

    def equations(self, size: int, line: int) -> None:
        self.characters += size
        if self.characters > MAX_READ_CHARACTERS:
            raise ValueError(
                f"line {line}: the marked displays' equations add up to more than "
                f"{MAX_READ_CHARACTERS} characters (the limit MAX_READ_CHARACTERS of "
                f"symbptt/limits.py; each equation counts its display's length)"
            )

    def definitions(self, macros: str, line: int) -> None:
        if macros is self.last or macros == self.last:
            return
        self.last = macros
        self.read += len(macros)
        if self.read > MAX_DEFINITIONS_READ:
            raise ValueError(
                f"line {line}: the macro definitions in effect at the marked displays add "
                f"up to more than {MAX_DEFINITIONS_READ} characters (the limit "
                f"MAX_DEFINITIONS_READ of symbptt/limits.py: each display whose "
                f"definitions differ reads them again); put them in a --preamble file"
            )


def display_equations(
    body: str,
    line: int,
    column: int,
    macros: str = "",
    *,
    budget: ReadingBudget | None = None,
    kind: str = "check",
) -> list[Display]:
    """The equations of one display whose body starts at ``line``, ``column``, with the
    definitions in effect there: in a display of several, each names the line on which
    it starts.

    Raises:
        ValueError: the display is longer than :data:`~symbptt.limits.MAX_DISPLAY`, or
            its equations exceed what is left of the ``budget``.
    """
    if len(body) > MAX_DISPLAY:
        raise ValueError(
            f"line {line}: the display is longer than {MAX_DISPLAY} characters (the limit "
            f"MAX_DISPLAY of symbptt/limits.py; a formula is at most {MAX_LENGTH})"
        )
    budget = budget or ReadingBudget()
    room = MAX_READ_CHARACTERS - budget.characters
    pieces = equations(body, limit=room // max(len(body), 1) + 1)
    budget.equations(len(body) * len(pieces), line)
    out = []
    for piece in pieces:
        starts = len(piece) - len(piece.lstrip()) if len(pieces) > 1 else 0
        out.append(Display(piece, line, column, line + piece.count("\n", 0, starts), macros, kind))
    return out
