"""Finding the equations to check in a LaTeX file.

Every display (``\\[...\\]``, ``$$...$$``, ``equation``, ``align``, ``gather``, starred or
not) whose opening line is preceded by a line ``% symbptt: check`` is extracted, as its
equations (:func:`symbptt.notation.display.equations`: markup blanked with spaces, so
line and column numbers stay those of the file; the rows of an ``align`` that continue a
chain read as one ``A = B = C``, a row with a left side of its own is an equation of its
own).

The file is read as TeX reads it (:func:`symbptt.notation.display.visible`): a marker,
a display or a definition in a ``%`` comment, in verbatim text or after
``\\end{document}`` is not one. Each display carries the macro definitions in effect
where it stands (:func:`symbptt.notation.macros.definitions_in_effect`): those TeX has
read before it, not those after it or in a group closed before it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .display import equations, visible
from .macros import definition_spans, definitions_in_effect

MARKER = re.compile(r"^\s*%\s*symbptt:\s*check\s*$")
_OPEN = re.compile(r"\\\[|\$\$|\\begin\{(equation|align|gather|multline)\*?\}")


@dataclass(frozen=True)
class Display:
    """One equation of a marked display: its text (the whole display's length, the rest
    blanked), where the display starts in the file (1-based), in a display of several
    equations the line on which this one starts, and the LaTeX of the macro definitions
    in effect there (for :func:`symbptt.notation.macros.read_macros`)."""

    text: str
    line: int
    column: int
    first_line: int = 0
    macros: str = ""

    @property
    def label_line(self) -> int:
        """The line to name in a verdict: where the equation starts."""
        return self.first_line or self.line


def marked_displays(source: str) -> list[Display]:
    """The displays preceded by ``% symbptt: check`` (raises ValueError if unclosed).

    Linear in the size of the source: line numbers come from a table of line offsets.

    Example:
        >>> marked_displays("text\\n% symbptt: check\\n\\\\[ w = w \\\\]\\n")
        [Display(text=' w = w ', line=3, column=3, first_line=3, macros='')]
    """
    seen = visible(source)
    text = seen.text
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    bodies: list[tuple[int, int]] = []
    for start, end in seen.comments:
        n = bisect.bisect_right(offsets, start) - 1
        if source[offsets[n] : start].strip() or not MARKER.match(source[start:end]):
            continue
        after = offsets[n + 1] if n + 1 < len(offsets) else len(source)
        opening = _OPEN.search(text, after)
        if opening is None or text[after : opening.start()].strip():
            raise ValueError(f"line {n + 1}: '% symbptt: check' is not followed by a display")
        if opening.group(0) == r"\[":
            closer = r"\]"
        elif opening.group(0) == "$$":
            closer = "$$"
        else:
            closer = re.search(r"\\begin\{([^}]*)\}", opening.group(0)).group(1)
            closer = rf"\end{{{closer}}}"
        end = text.find(closer, opening.end())
        if end < 0:
            raise ValueError(f"line {n + 2}: the display is not closed (no {closer})")
        if not bodies or bodies[-1][0] != opening.end():  # two markers, one display
            bodies.append((opening.end(), end))
    in_effect = definitions_in_effect(text, [end for _, end in bodies])
    spans = iter(definition_spans(text))
    span = next(spans, None)
    found = []
    for (begin, end), macros in zip(bodies, in_effect):
        body = text[begin:end]
        while span is not None and span[0] < end:  # a definition in the display: not a formula
            if span[0] >= begin:
                a, b = span[0] - begin, min(span[1], end) - begin
                body = body[:a] + re.sub(r"[^\n]", " ", body[a:b]) + body[b:]
            span = next(spans, None)
        first_line = bisect.bisect_right(offsets, begin - 1)
        column = begin - source.rfind("\n", 0, begin)
        found.extend(display_equations(body, first_line, column, macros))
    return found


def display_equations(body: str, line: int, column: int, macros: str = "") -> list[Display]:
    """The equations of one display whose body starts at ``line``, ``column``, with the
    definitions in effect there: in a display of several, each names the line on which
    it starts."""
    pieces = equations(body)
    out = []
    for piece in pieces:
        starts = len(piece) - len(piece.lstrip()) if len(pieces) > 1 else 0
        out.append(Display(piece, line, column, line + piece.count("\n", 0, starts), macros))
    return out
