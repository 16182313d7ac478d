r"""Finding the equations to check in Markdown, MyST and Jupyter notebooks.

As in a LaTeX file (:mod:`symbptt.notation.texfile`), a display is checked when the line
before it is a marker, here the HTML comment ``<!-- symbptt: check -->`` (invisible in
the rendered notes). Displays are ``$$ ... $$``, MyST's ```` ```{math} ```` fence (its
``:label:`` options are not part of the formula) and ``\begin{equation}`` (or ``align``,
``gather``) environments. In a notebook (``.ipynb``, nbformat 4) the markdown cells are
read, and each display is named by its cell's number (1-based, as Jupyter counts) and its
line in the cell.

Macro definitions are read where MathJax (Jupyter's, MyST's) applies them: in math
(``$$ ... $$``, ``$ ... $``, ``\\[ ... \\]``, ``\\( ... \\)``, environments, ```` ```{math} ````
blocks), in document order, each from where it stands on (and in a notebook, from its
cell on, in later cells too); not in prose, code blocks, inline code or HTML comments,
and not after the display. Markers and displays in code are not found either. In math a
``%`` starts a comment, as in TeX.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .display import visible
from .macros import definition_spans
from .texfile import Display, display_equations

MARKER = re.compile(r"^\s*<!--\s*symbptt:\s*check\s*-->\s*$")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*\{math\}\s*$")
_ENV = re.compile(r"^\s*\\begin\{(equation|align|gather|multline)(\*?)\}")
_OPTION = re.compile(r"^\s*:[A-Za-z-]+:.*$")
#: Any fence: a code block, or a MyST directive (```{name} ...).
_ANY_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^\n]*?)\s*$")
#: MyST directives whose content is code or other markup, not Markdown.
_CODE_DIRECTIVE = re.compile(
    r"\{(code|code-block|code-cell|sourcecode|literalinclude|raw|eval-rst|csv-table)\}"
)
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: Math in Markdown, where MathJax reads definitions: its contents (not its delimiters).
_MATH = re.compile(
    r"\$\$(?P<a>.+?)\$\$|\\\[(?P<b>.+?)\\\]|\\\((?P<c>.+?)\\\)"
    r"|(?P<d>\\begin\{(?P<env>[A-Za-z]+\*?)\}.+?\\end\{(?P=env)\})"
    r"|(?<![\\$])\$(?![\s$])(?P<e>(?:(?!\n[ \t]*\n)[^$])+?)(?<![\\\s])\$",
    re.DOTALL,
)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _blank_outside(text: str, spans: list[tuple[int, int]], *, inside: bool = False) -> str:
    """``text`` blanked outside the spans (or, ``inside``, in them), in one pass."""
    out, last = [], 0
    for a, b in sorted(spans):
        a = max(a, last)
        if a >= b:
            continue
        gap, span = text[last:a], text[a:b]
        out.append(gap if inside else re.sub(r"[^\n]", " ", gap))
        out.append(re.sub(r"[^\n]", " ", span) if inside else span)
        last = b
    rest = text[last:]
    out.append(rest if inside else re.sub(r"[^\n]", " ", rest))
    return "".join(out)


def _without_code(lines: list[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """The lines with code blocks and inline code blanked (MyST directives' fences too,
    their Markdown content kept), and the ```` ```{math} ```` blocks' line ranges."""
    out = list(lines)
    math: list[tuple[int, int]] = []
    k = 0
    closers: set[int] = set()
    while k < len(lines):
        fence = _ANY_FENCE.match(lines[k])
        if k in closers or not fence:
            if k in closers:
                out[k] = re.sub(r"[^\n]", " ", lines[k])
            k += 1
            continue
        mark, info = fence.group(1), fence.group(2)
        close = re.compile(rf"^ {{0,3}}{re.escape(mark[0])}{{{len(mark)},}}\s*$")
        end = next((j for j in range(k + 1, len(lines)) if close.match(lines[j])), len(lines))
        if info == "{math}":
            math.append((k, end))
            k = end + 1
        elif info.startswith("{") and not _CODE_DIRECTIVE.match(info):
            out[k] = re.sub(r"[^\n]", " ", lines[k])  # a directive: its content is Markdown
            closers.add(end)
            k += 1
        else:
            for j in range(k, min(end + 1, len(lines))):
                out[j] = re.sub(r"[^\n]", " ", lines[j])
            k = end + 1
    text = "".join(out)
    in_math = {j for a, b in math for j in range(a, b + 1)}
    fenced = "".join(  # a math block's fences are not inline code
        re.sub(r"[^\n]", " ", li) if j in in_math else li for j, li in enumerate(out)
    )
    inline = [(m.start(), m.end()) for m in _INLINE_CODE.finditer(fenced)]
    return _blank_outside(text, inline, inside=True).splitlines(keepends=True), math


def _math_only(text: str, offsets: list[int], math_blocks: list[tuple[int, int]]) -> str:
    """The math of Markdown text (code already blanked), everything else blanked, its
    ``%`` comments too."""
    prose = _HTML_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    keep = [(offsets[a + 1], offsets[b]) for a, b in math_blocks if b < len(offsets) - 1]
    blocks = [(offsets[a], offsets[min(b + 1, len(offsets) - 1)]) for a, b in math_blocks]
    prose = _blank_outside(prose, blocks, inside=True)
    for m in _MATH.finditer(prose):
        name = next(g for g in "abcde" if m.group(g) is not None)
        keep.append((m.start(name), m.end(name)))
    out = _blank_outside(text, keep)
    return visible(out).text


def markdown_displays(source: str) -> list[Display]:
    """The marked displays of Markdown or MyST text, each as its equations (raises
    ValueError for a marker without a display or a display that is not closed).

    Example:
        >>> [d.text.strip() for d in markdown_displays("<!-- symbptt: check -->\\n$$ w = w $$\\n")]
        ['w = w']
    """
    return _markdown_displays(source)[0]


def _markdown_displays(source: str, defined: str = "") -> tuple[list[Display], str]:
    """The marked displays, after the definitions ``defined`` (an earlier notebook
    cell's), and the definitions in effect at the end."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    lines, math_blocks = _without_code(lines)
    text = "".join(lines)
    math = _math_only(text, offsets, math_blocks)
    definitions = [(a, b, math[a:b]) for a, b in definition_spans(math)]
    found: list[Display] = []
    in_effect, seen = defined, 0
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
            begin, end = offsets[k + 1], offsets[end_line]
            first_line, column = k + 2, 1
        elif opening.lstrip().startswith("$$"):
            begin = offsets[k] + opening.index("$$") + 2
            end = text.find("$$", begin)
            if end < 0:
                raise ValueError(f"line {k + 1}: the display is not closed (no $$)")
            body = text[begin:end]
            first_line = k + 1
            column = begin - offsets[k] + 1
        elif env:
            name = env.group(1) + env.group(2)
            begin = offsets[k] + opening.index("\\begin")
            closer = rf"\end{{{name}}}"
            end = text.find(closer, begin)
            if end < 0:
                raise ValueError(f"line {k + 1}: the display is not closed (no {closer})")
            end += len(closer)
            body = text[begin:end]
            first_line, column = k + 1, begin - offsets[k] + 1
        else:
            raise ValueError(
                f"line {n + 1}: '<!-- symbptt: check -->' is not followed by a display"
            )
        while seen < len(definitions) and definitions[seen][0] < end:
            a, b, written = definitions[seen]
            in_effect += written
            if begin <= a:  # a definition in the display is not part of the formula
                body = _blank(body, a - begin, min(b, end) - begin)
            seen += 1
        found.extend(display_equations(body, first_line, column, in_effect))
    return found, defined + "".join(d for _, _, d in definitions)


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
    defined = ""  # MathJax's definitions hold from their cell on
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if not isinstance(source, str):
            continue
        try:
            displays, defined = _markdown_displays(source, defined)
        except ValueError as err:
            raise ValueError(f"cell {number}: {err}") from None
        found.extend(CellDisplay(number, d) for d in displays)
    return found
