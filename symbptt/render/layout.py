"""Breaking long equations into aligned lines (breqn cannot break juxtaposed products).

Sums are broken at term boundaries; a term too wide for a line of its own is broken at
factor boundaries. Widths are estimated from the LaTeX in em (at the document's font
size) by a small structural measure: a fraction is as wide as its wider part,
subscripts are smaller, commands count as one glyph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Usable width of a display line in em (A4, 11pt, 2.2 cm margins: about 42 em),
#: minus room for the equation number and the alignment indent.
LINE_WIDTH = 34.0

#: The same for a fragment input into a standard ``article`` (10pt: a text width of
#: 345 pt, 34.5 em; 11pt and 12pt: about 33 em): what its displays are broken to.
ARTICLE_LINE_WIDTH = 29.0

_GLYPH_COMMANDS = re.compile(r"\\(partial|phi|theta|sigma|ell|delta|hat|bar|cdots|ldots)")
#: Operator names set upright, about half an em a letter.
_WORD_COMMANDS = re.compile(r"\\(tanh|log|exp|softmax)$")
_ZERO_COMMANDS = re.compile(r"\\(left|right|mathrm|operatorname|,|;|quad|qquad|!)")


def _group(text: str, start: int) -> tuple[str, int]:
    """The brace group starting at ``text[start] == '{'``, and the index after it."""
    depth, n = 0, start
    while n < len(text):
        if text[n] == "{":
            depth += 1
        elif text[n] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : n], n + 1
        n += 1
    return text[start + 1 :], len(text)


def width(text: str) -> float:
    """Estimated width of inline LaTeX, in em."""
    total, n = 0.0, 0
    while n < len(text):
        c = text[n]
        if text.startswith(r"\frac", n):
            num, n = _group(text, n + 5)
            den, n = _group(text, n)
            total += max(width(num), width(den)) + 0.4
            continue
        if text.startswith(r"\begin{bmatrix}", n):  # as wide as its widest row
            end = text.find(r"\end{bmatrix}", n)
            end = len(text) if end < 0 else end
            body = text[n + len(r"\begin{bmatrix}") : end]
            rows = body.split("\\\\")
            total += max(sum(width(cell) + 0.8 for cell in row.split("&")) for row in rows) + 0.6
            n = end + len(r"\end{bmatrix}")
            continue
        if c in "_^" and n + 1 < len(text):
            if text[n + 1] == "{":
                inner, n = _group(text, n + 1)
            elif text[n + 1] == "\\":  # a command as the script: ^\top
                inner = re.match(r"\\([A-Za-z]+|.?)", text[n + 1 :]).group(0)
                n += 1 + len(inner)
            else:
                inner, n = text[n + 1], n + 2
            total += 0.7 * width(inner)
            continue
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+|.?)", text[n:])
            name = m.group(0)
            n += len(name)
            if _ZERO_COMMANDS.match(name):
                continue
            if _WORD_COMMANDS.match(name):
                total += 0.5 * (len(name) - 1)
            elif name in (r"\sum", r"\prod"):
                total += 1.4
            elif name in (r"\quad",):
                total += 1.0
            else:
                total += 0.6 if _GLYPH_COMMANDS.match(name) else 0.8
            continue
        if c in "{}":
            n += 1
            continue
        total += {
            " ": 0.0,
            "+": 1.5,
            "-": 1.5,
            "=": 1.6,
            "(": 0.4,
            ")": 0.4,
            "'": 0.3,
            ",": 0.4,
        }.get(c, 0.55)
        n += 1
    return total


@dataclass(frozen=True)
class Term:
    """One term of a sum, as its factors' LaTeX (printed side by side)."""

    factors: tuple[str, ...]
    sign: str = "+"

    @property
    def latex(self) -> str:
        return " ".join(self.factors)


def break_sum(
    lhs: str, terms: list[Term], *, max_width: float = LINE_WIDTH, relation: str = "="
) -> list[str]:
    """Lines of an ``align`` display: ``lhs &= t1 + t2`` then ``&\\quad + t3 ...``.

    Returns the rows without the trailing ``\\\\``. A term wider than a line is broken
    at factor boundaries, its continuation indented by ``\\qquad``.
    """
    rows: list[str] = []
    current = f"{lhs} &{relation} "
    room = max_width - width(lhs)
    used = 0.0
    first = True
    for term in terms:
        sign = "" if first and term.sign == "+" else f"{term.sign} "
        text = sign + term.latex
        w = width(text)
        if used and used + w > room:
            rows.append(current.rstrip())
            current, used, room = r"&\quad ", 0.0, max_width - 1.0
        if w <= room:
            current += text + " "
            used += w
        else:  # break the term itself at factor boundaries
            pieces = [sign + term.factors[0]] + list(term.factors[1:])
            for piece in pieces:
                pw = width(piece)
                if used and used + pw > room:
                    rows.append(current.rstrip())
                    current, used, room = r"&\qquad ", 0.0, max_width - 2.0
                current += piece + " "
                used += pw
        first = False
    rows.append(current.rstrip())
    return rows


def grouped(text: str) -> str:
    """``text`` in parentheses that grow with it (an operand that is a sum)."""
    return rf"\left({text}\right)"
