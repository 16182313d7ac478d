"""Finding the equations to check in a Jupyter notebook: its markdown cells read as
Markdown (:mod:`symbptt.read.markdown`), each display named by its cell's number
(1-based, as Jupyter counts) and its line in the cell; macro definitions hold from their
cell on, as MathJax applies them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from symbptt.read.markdown import CONVENTIONS, displays_in, markdown_conventions
from symbptt.read.texfile import Display, ReadingBudget, require_notes_size


@dataclass(frozen=True)
class CellDisplay:
    """A marked display of a notebook: its markdown cell's number (1-based) and the
    display (lines counted in the cell)."""

    cell: int
    display: Display


def notebook_conventions(text: str, marker: re.Pattern = CONVENTIONS) -> list[tuple[int, int, str]]:
    """The ``<!-- symbptt: conventions ... -->`` lines of a notebook's markdown cells (or
    with ``marker=DEFINE`` its ``define`` markers that hold their definition): (cell, line
    in the cell, what follows the word)."""
    return [
        (number, line, said)
        for number, source in _markdown_cells(text)
        for line, said in markdown_conventions(source, marker)
    ]


def notebook_displays(text: str) -> list[CellDisplay]:
    """The marked displays of a Jupyter notebook's markdown cells (raises ValueError for
    a file that is not an nbformat 4 notebook, or a marker without a display)."""
    sources = _markdown_cells(text)
    require_notes_size(sum(len(source) for _, source in sources), "its markdown cells")
    found: list[CellDisplay] = []
    budget = ReadingBudget()
    definitions: list[str] = []  # MathJax's definitions hold from their cell on
    joined = ["", 0]  # (written out only when a display needs them: text, how many)

    def defined() -> str:
        if joined[1] != len(definitions):
            joined[:] = ["".join(definitions), len(definitions)]
        return str(joined[0])

    for number, source in sources:
        try:
            displays, made = displays_in(source, budget, defined)
            definitions.extend(made)
        except ValueError as err:
            raise ValueError(f"cell {number}: {err}") from None
        found.extend(CellDisplay(number, d) for d in displays)
    return found


def _markdown_cells(text: str) -> list[tuple[int, str]]:
    """(number, source) of a notebook's markdown cells (ValueError: not a notebook)."""
    try:
        notebook = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"not a Jupyter notebook (invalid JSON: {err})") from None
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4:
        raise ValueError("not a Jupyter notebook of nbformat 4 (save it with Jupyter 4 or later)")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise ValueError("the notebook has no list of cells")
    sources = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if isinstance(source, str):
            sources.append((number, source))
    return sources
