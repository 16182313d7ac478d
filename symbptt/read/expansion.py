"""Macros expanded in a formula before it is parsed (a textbook's ``\\Vh`` is
``\\boldsymbol{\\mathit{h}}``), bounded in nesting, length and work, since the
definitions are untrusted text: a macro that expands without end is an error, never a
hang. (Reading the definitions: :mod:`symbptt.read.macros`.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from symbptt.errors import FormulaSyntaxError
from symbptt.limits import MACRO_MAX_DEPTH as MAX_DEPTH
from symbptt.limits import MAX_EXPANDED, MAX_EXPANSION_WORK
from symbptt.read.display import blank_comments
from symbptt.read.tex_arguments import CONTROL_WORD, argument, optional

#: A command ending in a control word: text after it that starts with a letter would join it.
_ENDS_IN_WORD = re.compile(r"(?<!\\)(?:\\\\)*\\\x00?[A-Za-z@]+$")
#: The mark that keeps a command copied by ``\let`` from a primitive from being expanded.
FROZEN = "\\\x00"


@dataclass(frozen=True)
class Macro:
    """A macro: how many arguments it takes, what it stands for (#1, #2, ...), the first
    argument's default when that argument is optional, and, for a definition symbptt
    cannot follow, why (a formula that uses the macro is then refused)."""

    arguments: int
    body: str
    default: str | None = None
    refused: str = ""


class _Text:
    """Text built piece by piece (linear, where ``out = out + piece`` is quadratic),
    joining token lists (a space between two where a control word would swallow
    the letters after it), and refusing to grow beyond ``limit``
    before it does."""

    def __init__(self, limit: int) -> None:
        self.pieces: list[str] = []
        self.size = 0
        self.tail = ""  # the last characters, for the look-back at a control word
        self.limit = limit

    def add(self, piece: str, *, join: bool = False) -> None:
        if join and piece[:1].isalpha() and _ENDS_IN_WORD.search(self.tail):
            piece = " " + piece
        self.size += len(piece)
        if self.size > self.limit:
            raise _TooLong
        self.pieces.append(piece)
        self.tail = (self.tail + piece[-60:])[-60:]

    def text(self) -> str:
        return "".join(self.pieces)


class _TooLong(Exception):
    """An expansion would grow beyond its limit (turned into a FormulaSyntaxError)."""


def _too_long(text: str, macros: dict[str, Macro]) -> FormulaSyntaxError:
    """The refusal of an expansion longer than the limit, with an estimate of its size
    (what the text's macros stand for, once each: arguments not counted)."""
    bodies = (macros.get(m.group(0)) for m in CONTROL_WORD.finditer(text))
    size = len(text) + sum(len(macro.body) for macro in bodies if macro is not None)
    return FormulaSyntaxError(
        f"the macros expand the formula beyond {MAX_EXPANDED} characters (to about "
        f"{size:,}; the limit MAX_EXPANDED of symbptt/limits.py)"
    )


def _substitute(body: str, arguments: list[str], room: int) -> str:
    """``body`` with #1, #2, ... replaced by the arguments (all at once), refused
    (:class:`_TooLong`) by its size, computed first, if it is longer than ``room``."""
    uses = [body.count(f"#{k}") for k in range(1, 10)]
    if not any(uses):
        return body
    size = len(body) + sum(n * (len(arguments[k]) - 2) for k, n in enumerate(uses) if n)
    if size > room:
        raise _TooLong
    out, last = _Text(room + sum(uses)), 0  # (a space may join an argument)
    for m in re.finditer(r"#(\d)", body):
        out.add(body[last : m.start()])
        out.add(arguments[int(m.group(1)) - 1], join=True)
        last = m.end()
    out.add(body[last:], join=True)
    return out.text()


#: Maths set in a box, as old macros write a bold symbol: ``\mbox{\boldmath{$h$}}``.
_BOXED = re.compile(r"\\mbox\s*\{\s*(\\boldmath\s*\{)?\s*\$([^$]*)\$\s*\}(?(1)\s*\})")


#: A bold letter with both its scripts inside the braces, \boldsymbol{h_t^{l-1}}: the
#: scripts are set after the braces (bold or not, a name reads the same).
_SCRIPT = r"[_^](?:\{[^{}]*\}|\\?[A-Za-z0-9])"
_SCRIPTED = re.compile(
    rf"(\\(?:mathbf|boldsymbol|bm))\s*\{{\s*(\\?[A-Za-z]+|\\(?:hat|tilde|bar)\s*\{{\\?[A-Za-z]+\}})"
    rf"\s*((?:{_SCRIPT}\s*){{2}})\}}"
)


def unboxed(text: str) -> str:
    r"""``text`` with maths set in a box written as maths: ``\mbox{\boldmath{$h$}}`` is
    ``\boldsymbol{h}``, ``\mbox{$h$}`` is ``{h}`` (what old macros expand to).

    Example:
        >>> unboxed(r"\mbox{\boldmath{$i^l_t$}} + \mbox{$x$}")
        '\\boldsymbol{i}^l_t + {x}'
    """
    text = _BOXED.sub(lambda m: ("\\boldsymbol{" if m.group(1) else "{") + m.group(2) + "}", text)
    return _SCRIPTED.sub(r"\1{\2}\3", text)


def expand(text: str, macros: dict[str, Macro]) -> str:
    r"""``text`` (its comments blanked first) with its macros replaced by what they stand
    for, inner ones too.

    Example:
        >>> expand(r"\nabla_{\Vh^{(t)}} L", {r"\Vh": Macro(0, r"\boldsymbol{h}")})
        '\\nabla_{\\boldsymbol{h}^{(t)}} L'

    Raises:
        FormulaSyntaxError: the expansion nests deeper than MAX_DEPTH, would grow longer
            than :data:`~symbptt.limits.MAX_EXPANDED` characters (refused by its size,
            computed before the text is written out) or read more than
            :data:`~symbptt.limits.MAX_EXPANSION_WORK` characters of macro bodies, a
            macro lacks an argument, or a macro is one whose definition symbptt cannot
            follow.
    """
    if "\x00" in text:
        raise FormulaSyntaxError("the formula holds a NUL character")
    text = blank_comments(text)
    if not macros:
        return text
    work = 0  # characters of macro bodies read, over every pass
    try:
        for _ in range(MAX_DEPTH):
            out, last, changed = _Text(MAX_EXPANDED), 0, False
            for m in CONTROL_WORD.finditer(text):  # as TeX reads them: \\\a is \\ then \a
                macro = macros.get(m.group(0))
                if macro is None or m.start() < last:
                    continue
                name = m.group(0)
                if macro.refused:
                    raise FormulaSyntaxError(f"the macro {name} cannot be read: {macro.refused}")
                end, arguments = m.end(), []
                if macro.default is not None:
                    given = optional(text, end)
                    arguments.append(given[0] if given else macro.default)
                    end = given[1] if given else end
                while len(arguments) < macro.arguments:
                    found = argument(text, end)
                    if found is None:
                        raise FormulaSyntaxError(
                            f"the macro {name} needs {macro.arguments} arguments"
                        )
                    arguments.append(found[0])
                    end = found[1]
                out.add(text[last : m.start()])
                # the size of what it stands for is known before it is written out
                room = MAX_EXPANDED - out.size
                if macro.arguments and len(macro.body) > 2:
                    work += len(macro.body)  # a body with parameters is read through
                    if work > MAX_EXPANSION_WORK:
                        raise FormulaSyntaxError(
                            f"the macros ask for more than {MAX_EXPANSION_WORK} characters "
                            f"of macro bodies to be read (the limit MAX_EXPANSION_WORK of "
                            f"symbptt/limits.py): a long macro with arguments used many times?"
                        )
                if macro.arguments:
                    beyond = [k for k in range(macro.arguments + 1, 10) if f"#{k}" in macro.body]
                    if beyond:
                        raise FormulaSyntaxError(
                            f"the macro {name} uses #{beyond[0]} but takes "
                            f"{macro.arguments} argument{'s' if macro.arguments > 1 else ''}"
                        )
                body = _substitute(macro.body, arguments, room) if macro.arguments else macro.body
                out.add(body, join=True)
                last, changed = end, True
            if not changed:
                return unboxed(text.replace(FROZEN, "\\"))
            out.add(text[last:], join=True)
            text = out.text()
    except _TooLong:
        raise _too_long(text, macros) from None
    raise FormulaSyntaxError(
        f"the macros nest deeper than {MAX_DEPTH} levels (a macro that uses itself?)"
    )
