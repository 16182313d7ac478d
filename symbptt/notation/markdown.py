r"""Finding the equations to check in Markdown, MyST and Jupyter notebooks.

As in a LaTeX file (:mod:`symbptt.notation.texfile`), a display is checked when the line
before it is a marker, here the HTML comment ``<!-- symbptt: check -->`` (invisible in
the rendered notes). Displays are ``$$ ... $$``, MyST's ```` ```{math} ```` fence (its
``:label:`` options are not part of the formula) and ``\begin{equation}`` (or ``align``,
``gather``) environments. In a notebook (``.ipynb``, nbformat 4) the markdown cells are
read, and each display is named by its cell's number (1-based, as Jupyter counts) and its
line in the cell.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .texfile import Display, display_equations

MARKER = re.compile(r"^\s*<!--\s*symbptt:\s*check\s*-->\s*$")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*\{math\}\s*$")
_ENV = re.compile(r"^\s*\\begin\{(equation|align|gather|multline)(\*?)\}")
_OPTION = re.compile(r"^\s*:[A-Za-z-]+:.*$")


def markdown_displays(source: str) -> list[Display]:
    """The marked displays of Markdown or MyST text, each as its equations (raises
    ValueError for a marker without a display or a display that is not closed).

    Example:
        >>> [d.text.strip() for d in markdown_displays("<!-- symbptt: check -->\\n$$ w = w $$\\n")]
        ['w = w']
    """
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    found: list[Display] = []
    for n, line in enumerate(lines):
        if not MARKER.match(line):
            continue
        k = n + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k >= len(lines):
            raise ValueError(
                f"line {n + 1}: '<!-- symbptt: check -->' is not followed by a display"
            )
        opening = lines[k]
        fence, env = _FENCE.match(opening), _ENV.match(opening)
        if fence:
            mark, length = re.escape(fence.group(2)[0]), len(fence.group(2))
            close = re.compile(rf"^\s*{mark}{{{length},}}\s*$")
            end_line = next((j for j in range(k + 1, len(lines)) if close.match(lines[j])), None)
            if end_line is None:
                raise ValueError(f"line {k + 1}: the math block is not closed")
            body = "".join(
                " " * (len(li) - 1) + "\n" if _OPTION.match(li) else li
                for li in lines[k + 1 : end_line]
            )
            first_line, column = k + 2, 1
        elif opening.lstrip().startswith("$$"):
            begin = offsets[k] + opening.index("$$") + 2
            end = source.find("$$", begin)
            if end < 0:
                raise ValueError(f"line {k + 1}: the display is not closed (no $$)")
            body = source[begin:end]
            first_line = k + 1
            column = begin - offsets[k] + 1
        elif env:
            name = env.group(1) + env.group(2)
            begin = offsets[k] + opening.index("\\begin")
            closer = rf"\end{{{name}}}"
            end = source.find(closer, begin)
            if end < 0:
                raise ValueError(f"line {k + 1}: the display is not closed (no {closer})")
            body = source[begin : end + len(closer)]
            first_line, column = k + 1, begin - offsets[k] + 1
        else:
            raise ValueError(
                f"line {n + 1}: '<!-- symbptt: check -->' is not followed by a display"
            )
        found.extend(display_equations(body, first_line, column))
    return found


@dataclass(frozen=True)
class CellDisplay:
    """A marked display of a notebook: its markdown cell's number (1-based) and the
    display (lines counted in the cell)."""

    cell: int
    display: Display


def notebook_displays(text: str) -> list[CellDisplay]:
    """The marked displays of a Jupyter notebook's markdown cells (raises ValueError for
    a file that is not an nbformat 4 notebook, or a marker without a display)."""
    try:
        notebook = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"not a Jupyter notebook (invalid JSON: {err})") from None
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4:
        raise ValueError("not a Jupyter notebook of nbformat 4 (save it with Jupyter 4 or later)")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise ValueError("the notebook has no list of cells")
    found = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if not isinstance(source, str):
            continue
        try:
            displays = markdown_displays(source)
        except ValueError as err:
            raise ValueError(f"cell {number}: {err}") from None
        found.extend(CellDisplay(number, d) for d in displays)
    return found
