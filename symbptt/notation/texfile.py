"""Finding the equations to check in a LaTeX file.

Every display (``\\[...\\]``, ``$$...$$``, ``equation``, ``align``, ``gather``, starred or
not) whose opening line is preceded by a line ``% symbptt: check`` is extracted. Markup
that is not part of the formula (``&``, ``\\\\``, ``\\label{...}``, ``\\nonumber``,
``\\notag``; not inside ``bmatrix`` or ``pmatrix``) is blanked with spaces, so line
and column numbers stay those of the file; the rows of an ``align`` read as one chain
``A = B = C``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

MARKER = re.compile(r"^\s*%\s*symbptt:\s*check\s*$")
_OPEN = re.compile(r"\\\[|\$\$|\\begin\{(equation|align|gather|multline)\*?\}")
_BLANK = re.compile(r"\\label\{[^}]*\}|\\tag\*?\{[^}]*\}|\\nonumber|\\notag|\\\\|&|\\displaystyle")


_MATRIX = re.compile(r"\\begin\{([bp]matrix)\}.*?\\end\{\1\}", re.DOTALL)


def _blank_markup(body: str) -> str:
    """Blank the display's markup with spaces, except inside matrices, where ``&`` and
    ``\\\\`` separate entries.

    Example:
        >>> _blank_markup(r"a &= [\\begin{bmatrix} x \\\\ y \\end{bmatrix}] \\\\")
        'a  = [\\\\begin{bmatrix} x \\\\\\\\ y \\\\end{bmatrix}]   '
    """
    out, last = [], 0
    for m in _MATRIX.finditer(body):
        out.append(_BLANK.sub(lambda b: " " * len(b.group(0)), body[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_BLANK.sub(lambda b: " " * len(b.group(0)), body[last:]))
    return "".join(out)


@dataclass(frozen=True)
class Display:
    """One marked display: its formula text and where it starts in the file (1-based)."""

    text: str
    line: int
    column: int


def marked_displays(source: str) -> list[Display]:
    """The displays preceded by ``% symbptt: check`` (raises ValueError if unclosed).

    Linear in the size of the source: line numbers come from a table of line offsets.

    Example:
        >>> marked_displays("text\\n% symbptt: check\\n\\\\[ w = w \\\\]\\n")
        [Display(text=' w = w', line=3, column=3)]
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
        env = opening.group(1)
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
        body = _blank_markup(body)
        body = body.replace(",\n", " \n").rstrip().rstrip(".,") if env is None else body
        first_line = bisect.bisect_right(offsets, opening.end() - 1)
        column = opening.end() - source.rfind("\n", 0, opening.end())
        found.append(Display(body, first_line, column))
    return found
