"""The formulas a marker marks when no display follows it (issue 27): notes that state
their model in a list or a table (``1. Forget gate: $f_t = \\sigma(u_{ft})$``) are marked
by one marker before the block, which marks each of its inline formulas that is an
equation."""

from __future__ import annotations

import bisect
import re

from symbptt.limits import MAX_DISPLAY

#: An inline formula after a marker: between single dollars (in the marked block: it
#: may span lines, as $\begin{aligned} ... \end{aligned}$), spaces inside the dollars
#: allowed (MathJax renders them so, as many blogs write them).
_MARKED_INLINE = re.compile(
    r"(?<![\\$])\$(?!\$)([^$]+?)(?<!\\)\$"
    # MathJax's \( ... \), which Markdown (kramdown's, Jekyll's) writes \\( ... \\)
    r"|(?<!\\)\\{1,2}\(([^$]+?)\\{1,2}\)"
)


def inline_equations(
    text: str, lines: list[str], offsets: list[int], k: int
) -> list[tuple[int, int, str, int, int]]:
    """The inline formulas with an ``=`` in the block of lines from ``k`` to the next
    blank line (a marker before a paragraph, a list or a table marks each): (begin, end,
    body, line, column) of each."""
    last = k
    while last < len(lines) and lines[last].strip() and offsets[last] - offsets[k] < MAX_DISPLAY:
        last += 1
    start = offsets[k]
    out = []
    for m in _MARKED_INLINE.finditer(text, start, offsets[last]):
        group = 1 if m.group(1) is not None else 2
        begin, end = m.start(group), m.end(group)
        if "=" not in text[begin:end]:
            continue
        line = bisect.bisect_right(offsets, begin) - 1
        out.append((begin, end, text[begin:end], line + 1, begin - offsets[line] + 1))
    return out
