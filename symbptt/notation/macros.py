r"""Macros that notes define, applied as TeX applies them, and expanded in a formula
before it is parsed (a textbook's ``\Vh`` is ``\boldsymbol{\mathit{h}}``).

Definitions are read in document order, where TeX reads them: never in a ``%`` comment
or verbatim text (:func:`symbptt.notation.display.visible`), and a definition made in a
group (braces, an environment, a display) ends with it unless it is global. Read are
``\newcommand``, ``\renewcommand``, ``\providecommand`` (which leaves a defined command
alone), ``\DeclareRobustCommand``, ``\def``, ``\gdef``, ``\edef``, ``\xdef`` (the last
two expand their body when defined), ``\let`` (a copy of the meaning at that point),
``\global``, ``\long`` and ``\protected`` before them, and ``\DeclareMathOperator`` (also
starred). A definition that cannot be followed (``\NewDocumentCommand``, a ``\def`` with
delimited parameters, ``\newcommand`` of a command already defined, which LaTeX refuses)
is remembered, and a formula that uses its name is refused with an error naming it;
nothing that defines a name is ignored.

Expansion is bounded (nesting and length), since the definitions are untrusted text; a
macro that expands without end is an error, never a hang.
"""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import FormulaSyntaxError
from ..limits import MAX_EXPANDED, MAX_EXPANSION_WORK, MAX_NOTES_CHARACTERS
from .display import blank_comments, visible

#: How deep macros may expand inside one another (how long an expansion may grow is
#: :data:`symbptt.limits.MAX_EXPANDED`).
MAX_DEPTH = 20

#: Commands LaTeX (with amsmath) defines that formulas use: ``\providecommand`` leaves them
#: as they are, and ``\newcommand`` of one is LaTeX's "already defined" error.
BUILT_IN = frozenset(
    r"""\frac \dfrac \tfrac \partial \sum \prod \hat \widehat \tilde \widetilde \bar \mathcal
    \mathbf \boldsymbol \vec \mathit \mathnormal \operatorname \mathrm \textrm \text
    \mathbb \mathsf \mathtt \odot \otimes \oplus \underbrace \overbrace \top \intercal \left
    \right \big \Big \bigg \Bigg \bigl \bigr \Bigl \Bigr \biggl \biggr \Biggl \Biggr \limits
    \nolimits \displaystyle \textstyle \cdots \ldots \dots \vdots \ddots \cdot \times \prime
    \begin \end \equiv \in \le \leq \ge \geq \nabla \quad \qquad \langle \rangle \tanh
    \sinh \cosh \sin \cos \tan \exp \log \ln \max \min \arg \det \dim \lim \sup \inf
    \alpha \beta \gamma \delta \epsilon \varepsilon \zeta \eta \theta \vartheta \iota
    \kappa \lambda \mu \nu \xi \pi \varpi \rho \varrho \sigma \varsigma \tau \upsilon \phi
    \varphi \chi \psi \omega \Gamma \Delta \Theta \Lambda \Xi \Pi \Sigma \Upsilon \Phi
    \Psi \Omega \ell \infty \label \tag \nonumber \notag \sqrt \over \approx \neq
    \ne \to \mapsto \sim \lVert \rVert \lvert \rvert \vert \Vert \mid \ast \star \circ
    \bullet \pm \mp \div \setminus \cup \cap \forall \exists \emptyset""".split()
)

#: A command ending in a control word: text after it that starts with a letter would join it.
_ENDS_IN_WORD = re.compile(r"(?<!\\)(?:\\\\)*\\\x00?[A-Za-z@]+$")
#: The mark that keeps a command copied by ``\let`` from a primitive from being expanded.
_FROZEN = "\\\x00"

_PREFIXES = r"(?:\\(?:global|long|protected|outer)(?![A-Za-z@])\s*)*"
_DEFINERS = (
    r"(?:re)?newcommand|providecommand|DeclareRobustCommand|[gex]?def|let|DeclareMathOperator"
    r"|(?:New|Renew|Provide|Declare)(?:Expandable)?DocumentCommand|DeclarePairedDelimiter[A-Za-z]*"
    r"|(?:re)?newcommandx|(?:New|Renew|Declare)CommandCopy|(?:re)?newenvironment|futurelet"
    r"|(?:math)?chardef|DeclareMathSymbol|DeclareMathDelimiter|DeclareMathAlphabet"
)
_EVENT = re.compile(
    r"(?P<definition>(?P<prefixes>" + _PREFIXES + r")\\(?P<command>" + _DEFINERS + r")"
    r"(?![A-Za-z@])(?P<star>\*?))"
    r"|(?P<open>\\begin\s*\{[^{}]*\}|\\(?:begingroup|bgroup)(?![A-Za-z@])|\\\[|\\\(|\{)"
    r"|(?P<close>\\end\s*\{[^{}]*\}|\\(?:endgroup|egroup)(?![A-Za-z@])|\\\]|\\\)|\})"
    r"|(?P<shift>\$\$?)"
    r"|\\(?:[A-Za-z@]+|.)",
    re.DOTALL,
)
_PARAMETER = re.compile(r"#(\d)")
_PARAMETERS = re.compile(r"\s*((?:#\d\s*)*)")
#: Whether a text defines anything (else its groups need not be followed).
_DEFINES = re.compile(r"\\(?:" + _DEFINERS + r")(?![A-Za-z@])")
_NAME = re.compile(r"\s*(?:\{\s*(\\(?:[A-Za-z@]+|.))\s*\}|(\\(?:[A-Za-z@]+|.)))", re.DOTALL)
_TOKEN = re.compile(r"\s*=?\s*(\\(?:[A-Za-z@]+|.)|[^\s\\])", re.DOTALL)
_ARITY = re.compile(r"\s*\[\s*(\d)\s*\]")
#: A control sequence as TeX reads one: a backslash and its letters, or one other character.
_CONTROL_WORD = re.compile(r"\\(?:[A-Za-z@]+|.)", re.DOTALL)
#: One control sequence (a command copied by ``\let`` from a primitive is marked ``\\\x00``).
_CONTROL = re.compile(r"\\\x00?(?:[A-Za-z@]+|.)?", re.DOTALL)


@dataclass(frozen=True)
class Macro:
    """A macro: how many arguments it takes, what it stands for (#1, #2, ...), the first
    argument's default when that argument is optional, and, for a definition symbptt
    cannot follow, why (a formula that uses the macro is then refused)."""

    arguments: int
    body: str
    default: str | None = None
    refused: str = ""


class _Event(NamedTuple):
    """What the definitions' reader meets in a source: a group opening or closing, or a
    definition (its name, what it defines, whether it is global). (A named tuple: a file
    may have a million of them.)"""

    kind: str  # "open", "close" or "define"
    start: int
    end: int
    token: str = ""
    command: str = ""
    name: str = ""
    macro: Macro | None = None
    target: str = ""  # what \let copies
    is_global: bool = False


class _Braces:
    """Where the groups and optional arguments of a text close, found in one pass, so
    that reading many groups of one text (30,000 unclosed ``\\def\\a{``) costs a look-up
    each, not a scan to the text's end each.

    Escaped braces and brackets (``\\{``, ``\\]``) are not counted, as :func:`_group` and
    :func:`_optional` read them: a backslash takes the character after it.
    """

    _TOKEN = re.compile(r"\\[\\{}\]]|[{}\]]")

    def __init__(self, text: str) -> None:
        # arrays of machine integers: a 20 MB text of braces stays a few hundred MB
        self.positions = array("q")  # of each brace counted
        self.after = array("q")  # the depth after it
        self.closes: dict[int, array[int]] = {}  # depth after a '}' -> where such '}' are
        self.brackets: dict[int, array[int]] = {}  # depth at a ']' -> where such ']' are
        depth = 0
        for m in self._TOKEN.finditer(text):
            c = m.group(0)
            if c == "]":
                found = self.brackets.get(depth)
                if found is None:
                    found = self.brackets[depth] = array("q")
                found.append(m.start())
            elif len(c) == 1:
                depth += 1 if c == "{" else -1
                self.positions.append(m.start())
                self.after.append(depth)
                if c == "}":
                    found = self.closes.get(depth)
                    if found is None:
                        found = self.closes[depth] = array("q")
                    found.append(m.start())

    def depth(self, at: int) -> int:
        """The depth before ``at`` (braces counted from the text's start)."""
        k = bisect.bisect_left(self.positions, at)
        return self.after[k - 1] if k else 0

    @staticmethod
    def first_after(found: array[int] | None, at: int) -> int | None:
        """The first position in ``found`` (ascending) after ``at``."""
        if not found:
            return None
        k = bisect.bisect_right(found, at)
        return found[k] if k < len(found) else None


def _braces(text: str) -> _Braces:
    """The brace index of ``text``, cached: a source (a preamble, a notes file: longer
    than any expansion may be) in a cache of its own, so that the many short texts met
    while expanding (each ``\\edef`` of a preamble) never push its index out and make
    reading the preamble quadratic again."""
    return (_source_braces if len(text) > MAX_EXPANDED else _expansion_braces)(text)


@functools.lru_cache(maxsize=4)
def _source_braces(text: str) -> _Braces:
    return _Braces(text)


@functools.lru_cache(maxsize=256)
def _expansion_braces(text: str) -> _Braces:
    return _Braces(text)


def _is_escaped(text: str, at: int) -> bool:
    """Whether the character at ``at`` is taken by a backslash before it (an odd run)."""
    run = 0
    while at - run > 0 and text[at - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def _group(text: str, start: int) -> tuple[str, int] | None:
    """The balanced {...} group opening at ``start`` (its content, the index after it);
    escaped braces ``\\{`` and ``\\}`` are not counted."""
    if start >= len(text) or text[start] != "{":
        return None
    braces = _braces(text)
    # the group ends at the first '}' after which the depth is what it was before it
    # (one less for an escaped '{', which the text's depth does not count)
    level = braces.depth(start) - _is_escaped(text, start)
    end = braces.first_after(braces.closes.get(level), start)
    return None if end is None else (text[start + 1 : end], end + 1)


def _argument(text: str, start: int) -> tuple[str, int] | None:
    """An undelimited argument at ``start`` as TeX reads one: spaces (and line breaks)
    skipped, then a braced group's content or one token (a whole control word)."""
    while start < len(text) and text[start].isspace():
        start += 1
    if start >= len(text):
        return None
    if text[start] == "{":
        return _group(text, start)
    if text[start] == "}":
        return None
    m = _CONTROL.match(text, start)
    return (m.group(0), m.end()) if m else (text[start], start + 1)


def _optional(text: str, start: int) -> tuple[str, int] | None:
    """An optional ``[...]`` argument at ``start`` (after spaces), brackets in braces not
    counted."""
    i = start
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text) or text[i] != "[":
        return None
    braces = _braces(text)
    # the first ']' outside braces opened after the '[' (at the depth before it)
    end = braces.first_after(braces.brackets.get(braces.depth(i)), i)
    return None if end is None else (text[i + 1 : end], end + 1)


def _definition(text: str, m: re.Match[str]) -> _Event:
    """The definition whose command ``m`` matched: its name, meaning and extent."""
    command = "\\" + m.group("command") + m.group("star")
    is_global = "global" in m.group("prefixes") or m.group("command") in ("gdef", "xdef")
    named = _NAME.match(text, m.end())
    if named is None:  # \def\csname ... or a malformed definition: it names nothing
        return _Event("define", m.start(), m.end(), command=command)
    name, end = named.group(1) or named.group(2), named.end()

    def define(macro: Macro | None, at: int, target: str = "") -> _Event:
        return _Event("define", m.start(), at, "", command, name, macro, target, is_global)

    def refuse(why: str) -> _Event:
        return define(Macro(0, "", refused=why), end)

    plain = m.group("command")
    if plain == "let":
        token = _TOKEN.match(text, end)
        if token is None:
            return refuse(f"\\let{name} copies nothing")
        return define(None, token.end(), token.group(1))  # its meaning: when it is read
    if plain in ("def", "gdef", "edef", "xdef"):
        brace = text.find("{", end, end + 200)
        parameters = text[end:brace] if brace >= 0 else ""
        numbered = _PARAMETERS.fullmatch(parameters)
        found = _group(text, brace) if brace >= 0 else None
        if found is None:
            return refuse(f"{command}{name} has no body symbptt can find")
        numbers = _PARAMETER.findall(parameters)
        count = len(numbers)
        if not numbered or numbers != [str(k) for k in range(1, count + 1)]:
            return define(
                Macro(
                    0,
                    "",
                    refused=f"{command}{name} has delimited parameters "
                    f"('{parameters.strip()}'), which symbptt does not read",
                ),
                found[1],
            )
        return define(Macro(count, found[0]), found[1])
    if plain == "DeclareMathOperator":
        found = _argument(text, end)
        if found is None:
            return refuse(f"{command}{{{name}}} has no operator name")
        return define(Macro(0, rf"\operatorname{{{found[0].strip()}}}"), found[1])
    if plain in ("newcommand", "renewcommand", "providecommand", "DeclareRobustCommand"):
        arity = _ARITY.match(text, end)
        arguments = int(arity.group(1)) if arity else 0
        end = arity.end() if arity else end
        default = _optional(text, end) if arguments else None
        end = default[1] if default else end
        found = _argument(text, end)
        if found is None:
            return refuse(f"{command}{{{name}}} has no body")
        return define(Macro(arguments, found[0], default[0] if default else None), found[1])
    return refuse(f"it is defined by {command}, which symbptt does not read")


def _events(text: str) -> Iterator[_Event]:
    """The groups and definitions of TeX text (comments and verbatim already blanked),
    in order; a definition's body is stepped over whole."""
    openers: list[str] = []
    pos = 0
    while True:
        m = _EVENT.search(text, pos)
        if m is None:
            return
        pos = m.end()
        if m.group("definition"):
            event = _definition(text, m)
            pos = max(event.end, pos)
            yield event
        elif m.group("open") or (m.group("shift") and m.group(0) not in openers[-1:]):
            openers.append(m.group(0))
            yield _Event("open", m.start(), m.end(), m.group(0))
        elif m.group("close") or m.group("shift"):
            if openers:
                openers.pop()
            yield _Event("close", m.start(), m.end(), m.group(0))


class _Scopes:
    """The macros in effect, with groups as TeX keeps them: one table, and for each open
    group what its local definitions replaced, restored when it closes unless the name
    was defined globally since (TeX's save stack). Opening a group costs nothing, so
    many groups after many definitions read in linear time."""

    def __init__(self) -> None:
        self.current: dict[str, Macro] = {}
        self.level: dict[str, int] = {}  # the group depth of each current meaning (0: global)
        self.saved: list[list[tuple[str, Macro | None, int]]] = []

    def open(self) -> None:
        self.saved.append([])

    def close(self) -> None:
        if not self.saved:
            return
        for name, macro, level in reversed(self.saved.pop()):
            if self.level.get(name) == 0:
                continue  # defined globally in the group: it stays
            if macro is None:
                self.current.pop(name, None)
                self.level.pop(name, None)
            else:
                self.current[name], self.level[name] = macro, level
        # (a meaning restored here was made at a depth still open, so it stays valid)

    def define(self, name: str, macro: Macro, *, is_global: bool) -> None:
        depth = 0 if is_global else len(self.saved)
        if depth and self.level.get(name, -1) != depth:
            self.saved[-1].append((name, self.current.get(name), self.level.get(name, -1)))
        self.current[name], self.level[name] = macro, depth


def _apply(event: _Event, scopes: _Scopes) -> None:
    """Make one definition in the innermost group (in every group if it is global)."""
    current = scopes.current
    name, command, macro = event.name, event.command, event.macro
    if not name:
        return
    if command == "\\let":
        if event.target in current:
            macro = current[event.target]
        elif event.target.startswith("\\"):  # a primitive, frozen as it is now
            macro = Macro(0, _FROZEN + event.target[1:])
        else:
            macro = Macro(0, event.target)
    elif macro is None:
        return
    elif macro.refused:
        pass
    elif command.startswith("\\providecommand") and (name in current or name in BUILT_IN):
        return
    elif command.startswith("\\newcommand") and (
        name in BUILT_IN or (name in current and current[name] != macro)
    ):
        macro = Macro(
            0,
            "",
            refused=f"{command}{{{name}}} defines {name}, which is already defined: LaTeX "
            f"stops there (use \\renewcommand to change a command)",
        )
    elif command in ("\\edef", "\\xdef"):
        try:
            macro = Macro(macro.arguments, expand(macro.body, current))
        except FormulaSyntaxError as err:
            macro = Macro(0, "", refused=f"{command}{name} cannot be expanded: {err.reason}")
    scopes.define(name, macro, is_global=event.is_global)


@functools.lru_cache(maxsize=16)
def _read(preamble: str) -> tuple[tuple[str, Macro], ...]:
    """The macros in effect at the end of ``preamble`` (cached: every display of a file
    replays the definitions before it)."""
    if len(preamble) > MAX_NOTES_CHARACTERS:
        raise FormulaSyntaxError(
            f"the macro definitions (a preamble, or those of a file) are {len(preamble)} "
            f"characters long, above the limit of {MAX_NOTES_CHARACTERS} (MAX_NOTES_CHARACTERS "
            f"of symbptt/limits.py)"
        )
    text = visible(preamble).text
    if not _DEFINES.search(text):
        return ()
    scopes = _Scopes()
    for event in _events(text):
        if event.kind == "open":
            scopes.open()
        elif event.kind == "close":
            scopes.close()
        else:
            _apply(event, scopes)
    return tuple(scopes.current.items())


def read_macros(preamble: str) -> dict[str, Macro]:
    r"""The macros in effect at the end of ``preamble``, read in order as TeX reads them.

    Example:
        >>> m = read_macros(r"\newcommand{\Vh}{\boldsymbol{h}} \DeclareMathOperator{\diag}{diag}")
        >>> m[r"\Vh"].body, m[r"\diag"].body
        ('\\boldsymbol{h}', '\\operatorname{diag}')
        >>> sorted(read_macros("% \\newcommand{\\a}{1}\n{\\def\\b{2}} \\let\\c=\\phi"))
        ['\\c']
    """
    return dict(_read(preamble))


def definitions_in_effect(text: str, offsets: Sequence[int]) -> list[str]:
    r"""For each offset of ``text`` (TeX as :func:`visible` leaves it), ascending, the
    LaTeX that defines what is in effect there: the definitions before it that are not
    in a group closed before it (groups with a global definition kept whole), for
    :func:`read_macros` to replay after a preamble of its own.

    Example:
        >>> src = r"\def\a{1} {\def\b{2}} \[ x \] \def\c{3}"
        >>> definitions_in_effect(src, [src.index("x")])
        ['\\def\\a{1}']
    """
    if not _DEFINES.search(text):
        return [""] * len(offsets)
    frames: list[tuple[str, list[str], list[bool]]] = [("", [], [False])]
    found: list[str] = []
    skeleton: str | None = None
    k = 0

    def in_effect() -> str:
        # the groups still open need no opening: what they define is in effect here
        return "".join("".join(pieces) for _, pieces, _ in frames)

    for event in _event_list(text):
        while k < len(offsets) and offsets[k] <= event.start:
            skeleton = in_effect() if skeleton is None else skeleton
            found.append(skeleton)
            k += 1
        if k == len(offsets):
            break
        if event.kind == "open":  # an empty frame: what is in effect is the same
            frames.append((event.token, [], [False]))
        elif event.kind == "close":
            if len(frames) > 1:
                opener, pieces, has_global = frames.pop()
                if has_global[0]:
                    frames[-1][1].append(opener + "".join(pieces) + event.token)
                    frames[-1][2][0] = True
                if pieces:
                    skeleton = None
        else:
            frames[-1][1].append(text[event.start : event.end])
            frames[-1][2][0] |= event.is_global
            skeleton = None
    while k < len(offsets):
        found.append(in_effect() if skeleton is None else skeleton)
        k += 1
    return found


def definition_spans(text: str) -> list[tuple[int, int]]:
    """Where the definitions of TeX text (comments already blanked) are, in order."""
    if not _DEFINES.search(text):
        return []
    return [(e.start, e.end) for e in _event_list(text) if e.kind == "define"]


@functools.lru_cache(maxsize=2)
def _event_list(text: str) -> tuple[_Event, ...]:
    """The events of a notes file's text, read once for both of the functions above."""
    return tuple(_events(text))


def _join(left: str, right: str) -> str:
    """``left`` then ``right`` as two token lists: a space between them where a control
    word at the end of ``left`` would otherwise swallow the letters ``right`` starts with."""
    if right[:1].isalpha() and _ENDS_IN_WORD.search(left[-60:]):
        return left + " " + right
    return left + right


class _Text:
    """Text built piece by piece (linear, where ``out = out + piece`` is quadratic),
    joining token lists as :func:`_join` does, and refusing to grow beyond ``limit``
    before it does."""

    def __init__(self, limit: int) -> None:
        self.pieces: list[str] = []
        self.size = 0
        self.tail = ""  # the last characters, for _join's look-back
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
    bodies = (macros.get(m.group(0)) for m in _CONTROL_WORD.finditer(text))
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


def expand(text: str, macros: dict[str, Macro]) -> str:
    r"""``text`` (its comments blanked first) with its macros replaced by what they stand
    for, inner ones too.

    Example:
        >>> expand(r"\nabla_{\Vh^{(t)}} L", read_macros(r"\newcommand{\Vh}{\boldsymbol{h}}"))
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
            for m in _CONTROL_WORD.finditer(text):  # as TeX reads them: \\\a is \\ then \a
                macro = macros.get(m.group(0))
                if macro is None or m.start() < last:
                    continue
                name = m.group(0)
                if macro.refused:
                    raise FormulaSyntaxError(f"the macro {name} cannot be read: {macro.refused}")
                end, arguments = m.end(), []
                if macro.default is not None:
                    optional = _optional(text, end)
                    arguments.append(optional[0] if optional else macro.default)
                    end = optional[1] if optional else end
                while len(arguments) < macro.arguments:
                    found = _argument(text, end)
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
                return text.replace(_FROZEN, "\\")
            out.add(text[last:], join=True)
            text = out.text()
    except _TooLong:
        raise _too_long(text, macros) from None
    raise FormulaSyntaxError(
        f"the macros nest deeper than {MAX_DEPTH} levels (a macro that uses itself?)"
    )
