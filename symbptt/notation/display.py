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
"""

from __future__ import annotations

import re

#: Environments whose \begin and \end are markup around the formula.
_ENVIRONMENTS = (
    r"aligned|align\*?|alignat\*?|split|gathered|gather\*?|equation\*?|multline\*?|cases"
)
_MARKUP = re.compile(
    r"\\begin\{(?:" + _ENVIRONMENTS + r")\}(?:\{\d+\})?|\\end\{(?:" + _ENVIRONMENTS + r")\}"
    r"|\\label\{[^}]*\}|\\tag\*?\s*\{[^}]*\}|\\nonumber|\\notag|\\displaystyle|\\textstyle|&"
)
_MATRIX = re.compile(r"\\begin\{([bpvBV]?matrix)\}.*?\\end\{\1\}", re.DOTALL)
_ROW_BREAK = re.compile(r"\\\\(?:\[[^\]]*\])?")
#: A row that starts so continues the previous row's equation.
_CONTINUES = re.compile(r"\s*(=|\\equiv|\+|-|\\cdot|\\times|\\odot)")


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _outside_matrices(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """The matches of ``pattern`` that are not inside a matrix (whose ``&`` and ``\\\\``
    separate entries)."""
    inside = [(m.start(), m.end()) for m in _MATRIX.finditer(text)]
    return [m for m in pattern.finditer(text) if not any(a <= m.start() < b for a, b in inside)]


def equations(display: str) -> list[str]:
    """The equations of a display, each as the display's text with everything else
    blanked (same length and lines).

    Example:
        >>> [e.strip() for e in equations(r"\\begin{aligned} a &= b \\\\ &= c \\end{aligned}")]
        ['a  = b     = c']
        >>> [e.strip() for e in equations(r"a &= b, \\\\ c &= d.")]
        ['a  = b,', 'c  = d.']
    """
    text = display
    for m in reversed(_outside_matrices(text, _MARKUP)):
        text = text[: m.start()] + _blank(m) + text[m.end() :]
    breaks = _outside_matrices(text, _ROW_BREAK)
    rows: list[tuple[int, int]] = []
    start = 0
    for m in breaks:
        rows.append((start, m.start()))
        start = m.end()
    rows.append((start, len(text)))
    for m in reversed(breaks):
        text = text[: m.start()] + _blank(m) + text[m.end() :]
    groups: list[list[tuple[int, int]]] = []
    for a, b in rows:
        row = text[a:b]
        if not row.strip():
            continue
        previous = text[groups[-1][-1][0] : groups[-1][-1][1]].rstrip() if groups else ""
        if groups and (_CONTINUES.match(row) or previous.endswith(("+", "-", "=", "\\cdot"))):
            groups[-1].append((a, b))
        else:
            groups.append([(a, b)])
    pieces = []
    for group in groups:
        first, last = group[0][0], group[-1][1]
        piece = re.sub(r"[^\n]", " ", text[:first]) + text[first:last]
        piece += re.sub(r"[^\n]", " ", text[last:])
        pieces.append(piece)
    return pieces or [text]
