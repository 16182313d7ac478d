r"""Macros that notes define: ``\newcommand``, ``\renewcommand``, ``\def`` and
``\DeclareMathOperator``, read from a preamble and expanded in a formula before it is
parsed (a textbook's ``\Vh`` is ``\boldsymbol{\mathit{h}}``).

Expansion is bounded (nesting and length), since the definitions are untrusted text; a
macro that expands without end is an error, never a hang.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import FormulaSyntaxError

#: How deep macros may expand inside one another, and how long an expansion may grow.
MAX_DEPTH = 20
MAX_EXPANDED = 20000

_DEFINITION = re.compile(
    r"\\(?:re)?newcommand\*?\s*(?:\{\s*(\\[A-Za-z]+)\s*\}|(\\[A-Za-z]+))\s*(?:\[(\d)\])?\s*\{"
    r"|\\def\s*(\\[A-Za-z]+)\s*((?:#\d)*)\s*\{"
    r"|\\DeclareMathOperator\*?\s*\{\s*(\\[A-Za-z]+)\s*\}\s*\{"
)


@dataclass(frozen=True)
class Macro:
    """A macro: how many arguments it takes and what it stands for (#1, #2, ...)."""

    arguments: int
    body: str


def _group(text: str, start: int) -> tuple[str, int] | None:
    """The balanced {...} group opening at ``start`` (its content, the index after it)."""
    if start >= len(text) or text[start] != "{":
        return None
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif text[i] == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
    return None


def read_macros(preamble: str) -> dict[str, Macro]:
    r"""The macros a preamble defines.

    Example:
        >>> m = read_macros(r"\newcommand{\Vh}{\boldsymbol{h}} \DeclareMathOperator{\diag}{diag}")
        >>> m[r"\Vh"].body, m[r"\diag"].body
        ('\\boldsymbol{h}', '\\operatorname{diag}')
    """
    macros: dict[str, Macro] = {}
    for m in _DEFINITION.finditer(preamble):
        found = _group(preamble, m.end() - 1)
        if found is None:
            continue
        body = found[0]
        if m.group(6):  # \DeclareMathOperator{\name}{text}
            macros[m.group(6)] = Macro(0, rf"\operatorname{{{body.strip()}}}")
        elif m.group(4):  # \def\name#1#2{...}
            macros[m.group(4)] = Macro(len(m.group(5)) // 2, body)
        else:
            macros[m.group(1) or m.group(2)] = Macro(int(m.group(3) or 0), body)
    return macros


def expand(text: str, macros: dict[str, Macro]) -> str:
    r"""``text`` with its macros replaced by what they stand for, inner ones too.

    Example:
        >>> expand(r"\nabla_{\Vh^{(t)}} L", read_macros(r"\newcommand{\Vh}{\boldsymbol{h}}"))
        '\\nabla_{\\boldsymbol{h}^{(t)}} L'

    Raises:
        FormulaSyntaxError: the expansion nests deeper than MAX_DEPTH or grows longer
            than MAX_EXPANDED characters, or a macro lacks an argument.
    """
    if not macros:
        return text
    names = sorted(macros, key=len, reverse=True)
    pattern = re.compile("(" + "|".join(re.escape(n) for n in names) + r")(?![A-Za-z])")
    for _ in range(MAX_DEPTH):
        out, last, changed = [], 0, False
        for m in pattern.finditer(text):
            if m.start() < last:
                continue
            macro = macros[m.group(1)]
            body, end = macro.body, m.end()
            for k in range(1, macro.arguments + 1):
                while end < len(text) and text[end] == " ":
                    end += 1
                found = _group(text, end)
                if found is None and end < len(text):
                    found = (text[end], end + 1)  # a single token as the argument
                if found is None:
                    raise FormulaSyntaxError(
                        f"the macro {m.group(1)} needs {macro.arguments} arguments"
                    )
                body = body.replace(f"#{k}", found[0])
                end = found[1]
            out.append(text[last : m.start()])
            out.append(body)
            last, changed = end, True
        out.append(text[last:])
        text = "".join(out)
        if len(text) > MAX_EXPANDED:
            raise FormulaSyntaxError(
                f"the macros expand the formula beyond {MAX_EXPANDED} characters"
            )
        if not changed:
            return text
    raise FormulaSyntaxError(
        f"the macros nest deeper than {MAX_DEPTH} levels (a macro that uses itself?)"
    )
