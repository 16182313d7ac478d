r"""Finding the equations to check in Markdown and MyST (and, through
:mod:`symbptt.read.notebook`, in Jupyter notebooks' markdown cells).

As in a LaTeX file (:mod:`symbptt.read.texfile`), a display is checked when the line
before it is a marker, here the HTML comment ``<!-- symbptt: check -->`` (invisible in
the rendered notes). Displays are ``$$ ... $$``, MyST's ```` ```{math} ```` fence (its
``:label:`` options are not part of the formula), GitHub's and GitLab's ```` ```math ````
fence, ``\begin{equation}`` (or ``align``, ``gather``) environments, and a line that is
one formula between single dollars (as notebooks write numbered equations). In a
notebook (``.ipynb``, nbformat 4) the markdown cells are read, and each display is named
by its cell's number (1-based, as Jupyter counts) and its line in the cell.

Macro definitions are read where MathJax (Jupyter's, MyST's) applies them: in math
(``$$ ... $$``, ``$ ... $``, ``\\[ ... \\]``, ``\\( ... \\)``, environments, ```` ```{math} ````
blocks), in document order, each from where it stands on (and in a notebook, from its
cell on, in later cells too); not in prose, code blocks, inline code or HTML comments,
and not after the display. Markers and displays in code are not found either. In math a
``%`` starts a comment, as in TeX.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from symbptt.limits import MAX_DISPLAY
from symbptt.read.display import visible
from symbptt.read.inline import inline_equations
from symbptt.read.macros import definition_spans
from symbptt.read.markdown_code import FenceClosers, inline_code
from symbptt.read.texfile import (
    Display,
    ReadingBudget,
    close_display,
    display_equations,
    require_notes_size,
)

MARKER = re.compile(r"^\s*<!--\s*symbptt:\s*(check|model|define)\s*-->\s*$")
#: The notes' conventions: ``<!-- symbptt: conventions KEY = VALUE, ... -->``.
CONVENTIONS = re.compile(r"^\s*<!--\s*symbptt:\s*conventions\b(.*?)-->\s*$")
#: A definition written in its marker: ``<!-- symbptt: define \delta_t := ... -->``.
DEFINE = re.compile(r"^\s*<!--\s*symbptt:\s*define\s+(\S.*?)-->\s*$")
#: A marker with text after it on its line (``<!-- symbptt: model --> $$ ... $$``).
CROWDED = re.compile(r"^\s*<!--\s*symbptt:\s*(check|model|define)\s*-->\s*\S")
#: A math block's fence: MyST's ```{math}, and GitHub's and GitLab's ```math.
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(?:\{math\}|math)\s*$")
#: A display written on a line of its own between single dollars (notebooks do so, with
#: a \tag): read as the display it stands for where a marker says so.
_DOLLAR_LINE = re.compile(r"^\s*\$(?!\$)(.+?)(?<!\\)\$\s*$")
_DOLLAR = re.compile(r"(?<!\\)\$")  # two formulas on the line: no display
_ENV = re.compile(r"^\s*\\begin\{(equation|align|gather|multline)(\*?)\}")
#: MathJax's display delimiter \[ (kramdown's Markdown writes it \\[), closed by \] (\\]).
_BRACKET = re.compile(r"^\s*(\\{1,2})\[")
_OPTION = re.compile(r"^\s*:[A-Za-z-]+:.*$")
#: Any fence: a code block, or a MyST directive (```{name} ...).
_ANY_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^\n]*?)\s*$")
#: MyST directives whose content is code or other markup, not Markdown.
_CODE_DIRECTIVE = re.compile(
    r"\{(code|code-block|code-cell|sourcecode|literalinclude|raw|eval-rst|csv-table)\}"
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
    closing = FenceClosers(lines)
    while k < len(lines):
        fence = _ANY_FENCE.match(lines[k])
        if k in closers or not fence:
            if k in closers:
                out[k] = re.sub(r"[^\n]", " ", lines[k])
            k += 1
            continue
        mark, info = fence.group(1), fence.group(2)
        end = closing.after(k, mark[0], len(mark))
        if info in ("{math}", "math"):
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
    inline = inline_code(fenced)
    return _blank_outside(text, inline, inside=True).splitlines(keepends=True), math


def _math_only(text: str, offsets: list[int], math_blocks: list[tuple[int, int]]) -> str:
    """The math of Markdown text (code already blanked), everything else blanked, its
    ``%`` comments too."""
    prose = _blank_outside(text, _html_comments(text), inside=True)
    keep = [(offsets[a + 1], offsets[b]) for a, b in math_blocks if b < len(offsets) - 1]
    blocks = [(offsets[a], offsets[min(b + 1, len(offsets) - 1)]) for a, b in math_blocks]
    prose = _blank_outside(prose, blocks, inside=True)
    keep += _math_spans(prose)
    out = _blank_outside(text, keep)
    return visible(out).text


def _html_comments(text: str) -> list[tuple[int, int]]:
    """The spans of HTML comments (``<!--`` to the first ``-->``), in linear time."""
    spans, at = [], 0
    while (start := text.find("<!--", at)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break  # no comment closes after this one: none after it does either
        spans.append((start, end + 3))
        at = end + 3
    return spans


_MATH_START = re.compile(r"\$|\\[\[(]|\\begin\{")
_BEGIN = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])(?:(?!\n[ \t]*\n)[^$])+?(?<![\\\s])\$")


def _math_spans(prose: str) -> list[tuple[int, int]]:
    """The contents of the math in ``prose``, as the regular expression of
    tests/read/test_markdown_scanners.py finds them (leftmost,
    its alternatives in order), in linear time: where a closing delimiter is looked for,
    the answer is remembered, so a file of unclosed ``\\[`` is not scanned to its end
    for each."""
    found: dict[str, tuple[int, int]] = {}  # closer -> (looked from, found at or -1)

    def find(closer: str, at: int) -> int:
        known = found.get(closer)
        if known is not None and known[0] <= at and (known[1] < 0 or known[1] >= at):
            return known[1]
        where = prose.find(closer, at)
        found[closer] = (at, where)
        return where

    spans: list[tuple[int, int]] = []
    at = 0
    while (m := _MATH_START.search(prose, at)) is not None:
        p = m.start()
        at = p + 1
        if prose.startswith("$$", p):
            end = find("$$", p + 3)
            if end >= 0:
                spans.append((p + 2, end))
                at = end + 2
        elif prose.startswith("$", p):
            inline = _INLINE_MATH.match(prose, p)
            if inline is not None:
                spans.append((p + 1, inline.end() - 1))
                at = inline.end()
        elif prose.startswith(("\\[", "\\("), p):
            end = find("\\]" if prose[p + 1] == "[" else "\\)", p + 3)
            if end >= 0:
                spans.append((p + 2, end))
                at = end + 2
        elif (begin := _BEGIN.match(prose, p)) is not None:
            closer = f"\\end{{{begin.group(1)}}}"
            end = find(closer, begin.end() + 1)
            if end >= 0:
                spans.append((p, end + len(closer)))
                at = end + len(closer)
    return spans


def markdown_displays(source: str) -> list[Display]:
    """The marked displays of Markdown or MyST text, each as its equations (raises
    ValueError for a marker without a display, a display that is not closed, a marker
    inside a marked display, or past a limit of :mod:`symbptt.limits`: see
    :func:`symbptt.read.texfile.marked_displays`).

    Linear in the size of the source.

    Example:
        >>> [d.text.strip() for d in markdown_displays("<!-- symbptt: check -->\\n$$ w = w $$\\n")]
        ['w = w']
    """
    require_notes_size(len(source), "the file")
    return displays_in(source, ReadingBudget())[0]


def displays_in(
    source: str, budget: ReadingBudget, defined: Callable[[], str] = str
) -> tuple[list[Display], list[str]]:
    """The marked displays, after the definitions ``defined()`` (an earlier notebook
    cell's), and the definitions this text makes."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    lines, math_blocks = _without_code(lines)
    text = "".join(lines)
    math = _math_only(text, offsets, math_blocks)
    definitions = [(a, b, math[a:b]) for a, b in definition_spans(math)]
    found: list[Display] = []
    in_effect: str | None = None
    seen, shut, opened = 0, 0, 1  # where the last marked display ends, and its line
    for n, line in enumerate(lines):
        marker = MARKER.match(line)
        if not marker:
            if crowded := CROWDED.match(line):  # answered as refused, never skipped
                why = f"'<!-- symbptt: {crowded.group(1)} -->' has text after it on its line"
                found.append(
                    Display(
                        why + ": put what it marks on the lines after it",
                        n + 1,
                        1,
                        n + 1,
                        "",
                        "unread",
                    )
                )
            continue
        said = f"'<!-- symbptt: {marker.group(1)} -->'"
        if offsets[opened - 1] <= offsets[n] < shut:  # inside the display before
            raise ValueError(
                f"line {n + 1}: {said} is inside the display that opens "
                f"on line {opened} (is that display's closing delimiter missing?)"
            )
        k = n + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k >= len(lines):  # answered as refused, the file's other displays read
            found.append(
                Display(f"{said} is not followed by a display", n + 1, 1, n + 1, "", "unread")
            )
            continue
        opening = lines[k]
        fence, env = _FENCE.match(opening), _ENV.match(opening)
        pieces = None  # a paragraph's inline equations, when no display follows
        if fence:
            mark, length = re.escape(fence.group(2)[0]), len(fence.group(2))
            close = re.compile(rf"^\s*{mark}{{{length},}}\s*$")
            end_line = next(  # looked for in a window of MAX_DISPLAY characters
                (
                    j
                    for j in range(k + 1, len(lines))
                    if close.match(lines[j]) or offsets[j] - offsets[k + 1] > MAX_DISPLAY
                ),
                None,
            )
            if end_line is None or not close.match(lines[end_line]):
                if end_line is None:
                    raise ValueError(f"line {k + 1}: the math block is not closed")
                raise ValueError(
                    f"line {k + 1}: the math block is longer than {MAX_DISPLAY} characters "
                    f"(the limit MAX_DISPLAY of symbptt/limits.py): is its closing fence "
                    f"missing?"
                )
            body = "".join(
                " " * (len(li) - 1) + "\n" if _OPTION.match(li) else li
                for li in lines[k + 1 : end_line]
            )
            begin, end = offsets[k + 1], offsets[end_line]
            first_line, column = k + 2, 1
            shut = offsets[end_line + 1]
        elif opening.lstrip().startswith("$$"):
            begin = offsets[k] + opening.index("$$") + 2
            end = close_display(text, begin, "$$", line=k + 1)
            body = text[begin:end]
            first_line = k + 1
            column = begin - offsets[k] + 1
            shut = end + 2
        elif (one := _DOLLAR_LINE.match(opening)) and not _DOLLAR.search(one.group(1)):
            begin = offsets[k] + opening.index("$") + 1
            end = offsets[k] + opening.rindex("$")
            body = text[begin:end]
            first_line, column = k + 1, begin - offsets[k] + 1
            shut = end + 1
        elif bracket := _BRACKET.match(opening):
            begin = offsets[k] + bracket.end()
            closer = bracket.group(1) + "]"
            end = close_display(text, begin, closer, line=k + 1)
            body = text[begin:end]
            first_line, column = k + 1, begin - offsets[k] + 1
            shut = end + len(closer)
        elif env:
            name = env.group(1) + env.group(2)
            begin = offsets[k] + opening.index("\\begin")
            closer = rf"\end{{{name}}}"
            end = close_display(text, begin, closer, line=k + 1) + len(closer)
            body = text[begin:end]
            first_line, column = k + 1, begin - offsets[k] + 1
            shut = end
        else:  # a paragraph, list or table: its inline formulas that are equations
            # up to the next marker (one per list item: each item its own marker)
            after = next((j for j in range(k, len(lines)) if MARKER.match(lines[j])), None)
            limit = offsets[after] if after is not None else len(text)
            pieces = [p for p in inline_equations(text, lines, offsets, k) if p[1] <= limit]
            if not pieces:  # answered as refused, the file's other displays read
                why = f"{said} is not followed by a display (nor by an inline equation)"
                found.append(Display(why, n + 1, 1, n + 1, "", "unread"))
                continue
            begin, end, body, first_line, column = pieces[0]
            shut = pieces[-1][1] + 1
        opened = k + 1
        if in_effect is None:
            in_effect = defined()
        bodies = pieces if pieces is not None else [(begin, end, body, first_line, column)]
        for begin, end, body, first_line, column in bodies:
            # \_ \* \< \> are Markdown's escapes (Jekyll's, Hugo's): a subscript, a star
            body = re.sub(r"\\(?=[_*<>])", " ", body)
            # \\\ or \\\\ ending a line: Markdown's escape of TeX's row break \\
            body = re.sub(
                r"\\{3,4}(?=[ \t]*(?:\n|$))", lambda m: "\\\\" + " " * (len(m.group(0)) - 2), body
            )
            while seen < len(definitions) and definitions[seen][0] < end:
                a, b, written = definitions[seen]
                in_effect += written
                if begin <= a:  # a definition in the display is not part of the formula
                    body = _blank(body, a - begin, min(b, end) - begin)
                seen += 1
            budget.definitions(in_effect, first_line)
            found.extend(
                display_equations(
                    body, first_line, column, in_effect, budget=budget, kind=marker.group(1)
                )
            )
    return found, [d for _, _, d in definitions]


def markdown_conventions(source: str, marker: re.Pattern = CONVENTIONS) -> list[tuple[int, str]]:
    """The ``<!-- symbptt: conventions ... -->`` lines outside code (or with ``marker=DEFINE``
    the ``define`` markers that hold their definition): (line, what follows the word)."""
    lines, _ = _without_code(source.splitlines(keepends=True))
    return [
        (n, said.group(1).strip())
        for n, line in enumerate(lines, 1)
        if (said := marker.match(line))
    ]
