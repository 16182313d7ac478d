r"""A display as its equations: the markup of ``aligned``, ``align`` and friends removed,
the rows that continue a chain joined, the rows with a left side of their own apart.

Textbooks write derivations as

    \begin{aligned}
    \frac{\partial L}{\partial W_{hx}} &= \sum_t \text{prod}(...) = \sum_t ... ,\\
    \frac{\partial L}{\partial W_{hh}} &= \sum_t \text{prod}(...) = \sum_t ... .
    \end{aligned}

which is two equations, each a chain, while ``A &= B \\ &= C`` is one chain A = B = C.
Every piece keeps the display's length and line breaks (what is not part of it is blanked
with spaces), so an error's line and column are those of the display.

TeX never reads some of what a file holds: a ``%`` comment (to the end of its line),
verbatim text (``verbatim``, ``lstlisting``, ``minted``, the ``comment`` environment,
``\verb|...|``), what ``\iffalse ... \fi`` skips, and anything after ``\endinput`` or
``\end{document}``. :func:`visible` blanks all of it, so that neither a display, nor a
marker, nor a macro definition is found there, and a formula is read as TeX reads it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from symbptt.read.side_by_side import side_by_side

#: Environments whose \begin and \end are markup around the formula.
_ENVIRONMENTS = (
    r"aligned|align\*?|alignat\*?|split|gathered|gather\*?|equation\*?|multline\*?|cases"
)
_MARKUP = re.compile(
    r"\\begin\{(?:" + _ENVIRONMENTS + r")\}(?:\{\d+\})?|\\end\{(?:" + _ENVIRONMENTS + r")\}"
    r"|\\label\s*\{[^}]*\}|\\tag\*?\s*\{[^}]*\}|\\nonumber|\\notag|\\displaystyle|\\textstyle|&"
    # font sizes (slides shrink a display to fit: \footnotesize), no part of the formula
    r"|\\(?:tiny|scriptsize|footnotesize|small|normalsize|large|Large|LARGE|huge|Huge)(?![A-Za-z])"
    # horizontal space of a given width (\mspace{31mu}, \hspace{1em}): spacing
    r"|\\(?:mspace|hspace\*?|mkern|kern)\s*\{[^{}]*\}"
)
_MATRIX = re.compile(r"\\begin\{([bpvBV]?matrix)\}.*?\\end\{\1\}", re.DOTALL)
#: A column of prose only: the comment beside an aligned equation (``&& \text{...}``).
_PROSE = re.compile(r"\s*(?:\\(?:text|mbox|textrm|textit|textbf|textsf)\s*\{[^{}]*\}\s*)+[.,;]?\s*")
_ROW_BREAK = re.compile(r"\\\\(?:\[[^\]]*\])?")
#: A row that starts so continues the previous row's equation.
_CONTINUES = re.compile(r"\s*(?:(?:\\q?quad|\\[,;:! ])\s*)*(=|\\equiv|\+|-|\\cdot|\\times|\\odot)")


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


#: Environments whose content TeX does not read as TeX.
_VERBATIM = r"verbatim\*?|Verbatim\*?|BVerbatim|LVerbatim|lstlisting|minted|comment"
#: What :func:`visible` acts on: comments, verbatim, skipped conditionals, the end of input;
#: other control sequences are stepped over whole (so ``\%`` is a percent sign, not a comment).
_SKIPPED = re.compile(
    r"%|\\begin\s*\{(" + _VERBATIM + r")\}|\\(?:verb\*?|lstinline|mintinline\s*\{[^{}\n]*\})"
    r"(?![A-Za-z])|\\iffalse(?![A-Za-z])|\\endinput(?![A-Za-z])|\\end\s*\{document\}"
    r"|\\(?:[A-Za-z@]+|.)",
    re.DOTALL,
)
_CONDITIONAL = re.compile(r"%[^\n]*|\\if[A-Za-z]*|\\fi(?![A-Za-z])|\\(?:[A-Za-z@]+|.)", re.DOTALL)
#: Control words that start with \if but open no conditional: \iff (a relation) and
#: \ifthenelse (a macro with arguments); counting them would close \iffalse at the
#: wrong \fi and hide the rest of the file.
_NOT_CONDITIONALS = ("\\iff", "\\ifthenelse")


@dataclass(frozen=True)
class Visible:
    """A TeX source as TeX reads it: what TeX skips blanked with spaces (the same length
    and lines), and where the ``%`` comments were (each from its ``%`` to its line's end)."""

    text: str
    comments: tuple[tuple[int, int], ...]


def visible(source: str) -> Visible:
    r"""``source`` with its comments, verbatim text, ``\iffalse`` blocks and what follows
    ``\endinput`` or ``\end{document}`` blanked; one pass, linear in its length.

    Example:
        >>> visible("a = b % c \\] \n\\% d").text
        'a = b        \n\\% d'
    """
    out: list[str] = []
    comments: list[tuple[int, int]] = []
    last = 0

    def blank(start: int, end: int) -> None:
        out.append(source[last:start])
        out.append(re.sub(r"[^\n]", " ", source[start:end]))

    for m in _SKIPPED.finditer(source):
        if m.start() < last:
            continue
        token = m.group(0)
        if token == "%":
            end = source.find("\n", m.start())
            end = len(source) if end < 0 else end
            comments.append((m.start(), end))
        elif m.group(1):  # \begin{verbatim} ... \end{verbatim}
            closer = re.compile(r"\\end\s*\{" + re.escape(m.group(1)) + r"\}")
            found = closer.search(source, m.end())
            end = found.end() if found else len(source)
        elif token.startswith(("\\verb", "\\lstinline", "\\mintinline")):
            end = _inline_verbatim_end(source, m.end())
        elif token == "\\iffalse":
            end = _conditional_end(source, m.end())
        elif token == "\\endinput" or token.endswith("{document}"):
            # \endinput: TeX reads the rest of its line, then stops; \end{document}: stops
            stop = source.find("\n", m.end()) if token == "\\endinput" else m.end()
            if stop >= 0:
                blank(stop, len(source))
                last = len(source)
            break
        else:
            continue
        blank(m.start(), end)
        last = end
    out.append(source[last:])
    return Visible("".join(out), tuple(comments))


def _inline_verbatim_end(source: str, start: int) -> int:
    """Where ``\\verb|...|`` (or ``\\lstinline[...]{...}``) whose delimiter is at ``start``
    ends: the delimiter again, or the brace that closes, on the same line."""
    if source.startswith("[", start):  # \lstinline's options
        close = source.find("]", start)
        start = close + 1 if close >= 0 else start
    if start >= len(source):
        return start
    delimiter = "}" if source[start] == "{" else source[start]
    end = source.find(delimiter, start + 1)
    line_end = source.find("\n", start)
    if end < 0 or (0 <= line_end < end):
        return line_end if line_end >= 0 else len(source)
    return end + 1


def _conditional_end(source: str, start: int) -> int:
    """Where the ``\\fi`` that closes an ``\\iffalse`` (whose name ends at ``start``)
    ends, nested conditionals counted and comments skipped; an ``\\else`` of its own
    level ends the skipped part there."""
    depth = 1
    for m in _CONDITIONAL.finditer(source, start):
        token = m.group(0)
        if token.startswith("%"):
            continue
        if token == "\\fi":
            depth -= 1
        elif token == "\\else" and depth == 1:
            return m.end()
        elif token.startswith("\\if") and token not in _NOT_CONDITIONALS:
            depth += 1
        if depth == 0:
            return m.end()
    return len(source)


def blank_comments(text: str) -> str:
    r"""A formula as TeX reads it: each unescaped ``%`` comment blanked to its line's end.

    TeX also drops the line break and the next line's leading spaces; in a formula spaces
    mean nothing, so blanking keeps the meaning and every line and column.

    Example:
        >>> blank_comments("w \\phi'(s_t) % the chain rule\n  + 1")
        "w \\phi'(s_t)                 \n  + 1"
    """
    return visible(text).text if "%" in text or "\\" in text else text


def _outside_matrices(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """The matches of ``pattern`` that are not inside a matrix (whose ``&`` and ``\\\\``
    separate entries)."""
    starts, ends = [], []
    for m in _MATRIX.finditer(text):  # disjoint and in order
        starts.append(m.start())
        ends.append(m.end())

    def inside(at: int) -> bool:
        k = bisect.bisect_right(starts, at) - 1
        return k >= 0 and at < ends[k]

    return [m for m in pattern.finditer(text) if not starts or not inside(m.start())]


def _blanked(text: str, spans: list[re.Match[str]]) -> str:
    """``text`` with the (disjoint, ordered) matches blanked, in one pass."""
    out, last = [], 0
    for m in spans:
        out.append(text[last : m.start()])
        out.append(_blank(m))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def equations(display: str, *, spaces: bool = True, limit: int | None = None) -> list[str]:
    """The equations of a display, each as the display's text with everything else
    blanked (same length and lines); ``spaces=False`` does not split at a space between
    two equations (the other reading of ``A = B \\quad C = D``). With ``limit``, no more
    than ``limit + 1`` equations are written out (the caller refuses more than ``limit``).

    Example:
        >>> [e.strip() for e in equations(r"\\begin{aligned} a &= b \\\\ &= c \\end{aligned}")]
        ['a  = b     = c']
        >>> [e.strip() for e in equations(r"a &= b, \\\\ c &= d.")]
        ['a  = b,', 'c  = d.']
    """
    text = blank_comments(display)
    markup = _outside_matrices(text, _MARKUP)
    # in an align row, every second & separates two columns, each an equation of its own
    # (a & b &= c & d: a = b and c = d side by side); the others are alignment points
    amps = [m.start() for m in markup if m.group(0) == "&"]
    text = _blanked(text, markup)
    breaks = _outside_matrices(text, _ROW_BREAK)
    rows: list[tuple[int, int]] = []
    start = 0
    for m in breaks:
        rows.append((start, m.start()))
        start = m.end()
    rows.append((start, len(text)))
    text = _blanked(text, breaks)
    groups: list[list[tuple[int, int]]] = []
    above: list[int] = []  # the group of each column of the row above
    for a, b in rows:
        columns = _columns(a, b, amps)
        if not text[a:b].strip():
            continue
        here: list[int] = []
        for n, (x, y) in enumerate(columns):
            # a row continues the equation of the same column in the row above
            into = above[n] if n < len(above) else (above[-1] if above else None)
            # an empty column, or one of prose (a && \text{...} comment): the one above
            # stays open
            prose = n and _PROSE.fullmatch(text[x:y]) and not _CONDITION.search(text[x:y])
            if not text[x:y].strip() or prose:
                if into is not None:
                    here.append(into)
                continue
            previous = text[groups[into][-1][0] : groups[into][-1][1]].rstrip() if above else ""
            cell = text[x:y]
            if into is not None and (
                _CONTINUES.match(cell) or previous.endswith(("+", "-", "=", "\\cdot"))
            ):
                groups[into].append((x, y))
                here.append(into)
            else:
                groups.append([(x, y)])
                here.append(len(groups) - 1)
        above = here
    pieces: list[str] = []
    for group in groups:
        if limit is not None and len(pieces) > limit:
            break
        piece = "".join(
            text[a:b] if inside else re.sub(r"[^\n]", " ", text[a:b])
            for a, b, inside in _cells(len(text), group)
        )
        pieces += side_by_side(_uncommented(_unlabelled(piece)), spaces=spaces)
    return pieces or [text]


#: A label written before an equation in the maths: ``update\quad gate\quad :\quad z_t =``,
#: ``\text{update gate}: z_t =`` (words and spacing, then a colon that is not ``:=``).
_LABEL = re.compile(r"^(\s*(?:[A-Za-z]{2,}|\\text\{[^{}]*\}|\\q?quad|\\[,;! ]|\s)+):(?![=])")


#: A comment after an equation: ``\quad \text{(forget gate)}``, ``\qquad\text{input}.``
_COMMENT = re.compile(r"\\q?quad\s*(?:\\text(?:rm|it)?\s*\{[^{}]*\}\s*)+[.,;]?\s*$")


#: Words and signs that make a comment a condition of the equation ("for t = 1", "if
#: t > 1", "at the last step"): such a comment is part of the claim, never dropped.
_CONDITION = re.compile(
    r"[=<>0-9]|\\[lg]e|\\neq|\b(?:for|if|when|where|at|only|unless|except|otherwise|all|"
    r"each|every|last|first|step|steps|case|cases|initial|initially|final|finally|time|"
    r"timestep|timesteps|begin|beginning|start|end|before|after|boundary|base|then|else)\b",
    re.IGNORECASE,
)


def _uncommented(piece: str) -> str:
    """An equation without the prose comment spaced after it (blanked, same length),
    unless the comment states a condition."""
    found = _COMMENT.search(piece)
    if found is None or _CONDITION.search(found.group(0)):
        return piece
    return piece[: found.start()] + re.sub(r"[^\n]", " ", found.group(0))


def _unlabelled(piece: str) -> str:
    """An equation without the label written before it (blanked, same length)."""
    found = _LABEL.match(piece)
    if found is None or not re.search(r"[A-Za-z]{2}|\\text", found.group(1)):
        return piece
    if _CONDITION.search(found.group(1)):  # "last step: ...", "for all t: ..." restrict it
        return piece
    return re.sub(r"[^\n]", " ", found.group(0)) + piece[found.end() :]


def _columns(start: int, end: int, amps: list[int]) -> list[tuple[int, int]]:
    """A row's columns: cut at its 2nd, 4th, ... & (``amps`` ascending)."""
    inside = amps[bisect.bisect_left(amps, start) : bisect.bisect_left(amps, end)]
    cuts = inside[1::2]
    bounds = [start, *cuts, end]
    return [(a, b) for a, b in zip(bounds, bounds[1:])]


def _cells(length: int, group: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """The spans that tile 0..length: the group's spans (marked True) and what lies
    between them."""
    spans, at = [], 0
    for a, b in sorted(group):
        if a > at:
            spans.append((at, a, False))
        spans.append((a, b, True))
        at = b
    if at < length:
        spans.append((at, length, False))
    return spans


#: MathJax's and KaTeX's ``\lt`` and ``\gt`` (Markdown writes them for < and >, which
#: HTML would read as a tag): a step ``a^{\lt t-1 \gt}`` is ``a^{<t-1>}``.
_LT_GT = re.compile(r"\\(lt|gt)(?![A-Za-z])")


def plain_relations(text: str, macros: str = "") -> str:
    """``text`` with ``\\lt`` and ``\\gt`` written ``<`` and ``>`` (padded with spaces,
    so that columns stay where they were).

    Example:
        >>> plain_relations(r"a^{\\lt t-1 \\gt}")
        'a^{<   t-1 >  }'
    """
    own = set(
        re.findall(r"\\(?:(?:re)?newcommand\*?\s*\{?|def\s*|let\s*)\\(lt|gt)(?![A-Za-z])", macros)
    )
    return _LT_GT.sub(
        lambda m: m.group(0) if m.group(1) in own else ("<" if m.group(1) == "lt" else ">") + "  ",
        text,
    )


#: An equation that is only a condition on an index: t = 1, t \ge 2, k < T.
_INDEX_CONDITION = re.compile(
    r"\s*(?:\\q?quad|\\[,;:! ]|[,\s])*[tkijsnm]\s*(?:(?:\\[lg]eq?|<|>|\\neq)\s*[0-9A-Za-z+\-\s]+"
    r"|=\s*[0-9A-Za-z+\-\s]*[0-9T][0-9A-Za-z+\-\s]*)[.,;]?\s*"
)
#: Prose in the maths: \text{...}, \mbox{...}, \textrm{...}.
_TEXT = re.compile(r"\\(?:text|mbox|textrm|textit|mathrm)\s*\{([^{}]*)\}")


def stated_condition(display: str, pieces: list[str]) -> str | None:
    r"""The condition a display states on its claim (``\quad \text{for } t = 1``, a piece
    ``t = 1`` beside the equation, ``\text{(initial timestep)}``), or None: symbptt does
    not read conditions, and a claim read without its condition would be another claim.

    Example:
        >>> text = r"a = b \quad \text{for } t = 1"
        >>> stated_condition(text, [text]), stated_condition("a = b, t = 1", ["a = b,", " t = 1"])
        ('for', 't = 1')
        >>> stated_condition(r"a = \text{tanh}(b)", [r"a = \text{tanh}(b)"]) is None
        True
    """
    for words in _TEXT.findall(display):
        # one word is a condition only if it is one alone (\text{for}), not \text{step}
        one_word = re.fullmatch(r"\s*[A-Za-z]+\s*", words)
        if _CONDITION.search(words) and (not one_word or words.strip().lower() in _CONDITION_WORDS):
            return words.strip()
    if len(pieces) > 1:
        for piece in pieces[1:]:
            if _INDEX_CONDITION.fullmatch(piece):
                return piece.strip(" ,.;")
    return None


def unread_condition(condition: str) -> str:
    """Why a display that states ``condition`` is refused (the one wording of it)."""
    return (
        f"the display states a condition ({condition}), which symbptt does not read: "
        "write the claim for the steps it is about (T for the last step)"
    )


#: Words that alone make a \text{...} a condition (\text{for}, \text{if}).
_CONDITION_WORDS = ("for", "if", "when", "where", "unless", "otherwise", "for all", "else")
