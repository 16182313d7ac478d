"""Finding the equations to check in a LaTeX file.

Every display (``\\[...\\]``, ``$$...$$``, ``equation``, ``align``, ``gather``, starred or
not) whose opening line is preceded by a line ``% symbptt: check`` is extracted, as its
equations (:func:`symbptt.notation.display.equations`: markup blanked with spaces, so
line and column numbers stay those of the file; the rows of an ``align`` that continue a
chain read as one ``A = B = C``, a row with a left side of its own is an equation of its
own).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .display import equations

MARKER = re.compile(r"^\s*%\s*symbptt:\s*check\s*$")
_OPEN = re.compile(r"\\\[|\$\$|\\begin\{(equation|align|gather|multline)\*?\}")


@dataclass(frozen=True)
class Display:
    """One equation of a marked display: its text (the whole display's length, the rest
    blanked), where the display starts in the file (1-based), and, in a display of
    several equations, the line on which this one starts."""

    text: str
    line: int
    column: int
    first_line: int = 0

    @property
    def label_line(self) -> int:
        """The line to name in a verdict: where the equation starts."""
        return self.first_line or self.line


def marked_displays(source: str) -> list[Display]:
    """The displays preceded by ``% symbptt: check`` (raises ValueError if unclosed).

    Linear in the size of the source: line numbers come from a table of line offsets.

    Example:
        >>> marked_displays("text\\n% symbptt: check\\n\\\\[ w = w \\\\]\\n")
        [Display(text=' w = w ', line=3, column=3, first_line=3)]
    """
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    found = []
    for n, line in enumerate(lines):
        if not MARKER.match(line):
            continue
        start = offsets[n + 1]
        opening = _OPEN.search(source, start)
        if opening is None or source[start : opening.start()].strip():
            raise ValueError(f"line {n + 1}: '% symbptt: check' is not followed by a display")
        if opening.group(0) == r"\[":
            closer = r"\]"
        elif opening.group(0) == "$$":
            closer = "$$"
        else:
            closer = re.search(r"\\begin\{([^}]*)\}", opening.group(0)).group(1)
            closer = rf"\end{{{closer}}}"
        end = source.find(closer, opening.end())
        if end < 0:
            raise ValueError(f"line {n + 2}: the display is not closed (no {closer})")
        body = source[opening.end() : end]
        first_line = bisect.bisect_right(offsets, opening.end() - 1)
        column = opening.end() - source.rfind("\n", 0, opening.end())
        found.extend(display_equations(body, first_line, column))
    return found


def display_equations(body: str, line: int, column: int) -> list[Display]:
    """The equations of one display whose body starts at ``line``, ``column``: in a
    display of several, each names the line on which it starts."""
    pieces = equations(body)
    out = []
    for piece in pieces:
        starts = len(piece) - len(piece.lstrip()) if len(pieces) > 1 else 0
        out.append(Display(piece, line, column, line + piece.count("\n", 0, starts)))
    return out
