r"""Macros that notes define, applied as TeX applies them, and expanded in a formula
before it is parsed (a textbook's ``\Vh`` is ``\boldsymbol{\mathit{h}}``).

Definitions are read in document order, where TeX reads them: never in a ``%`` comment
or verbatim text (:func:`symbptt.read.display.visible`), and a definition made in a
group (braces, an environment, a display) ends with it unless it is global. Read are
``\newcommand``, ``\renewcommand``, ``\providecommand`` (which leaves a defined command
alone), ``\DeclareRobustCommand``, ``\def``, ``\gdef``, ``\edef``, ``\xdef`` (the last
two expand their body when defined), ``\let`` (a copy of the meaning at that point),
``\global``, ``\long`` and ``\protected`` before them, and ``\DeclareMathOperator`` (also
starred). A definition that cannot be followed (``\NewDocumentCommand``, a ``\def`` with
delimited parameters, ``\newcommand`` of a command already defined, which LaTeX refuses)
is remembered, and a formula that uses its name is refused with an error naming it;
nothing that defines a name is ignored.

Expansion (:func:`symbptt.read.expansion.expand`, imported here as the reader's
other half) is bounded in nesting, length and work.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from symbptt.errors import FormulaSyntaxError
from symbptt.limits import MAX_NOTES_CHARACTERS
from symbptt.read.display import visible
from symbptt.read.expansion import FROZEN, Macro, expand
from symbptt.read.tex_arguments import argument, group, optional

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
        found = group(text, brace) if brace >= 0 else None
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
        found = argument(text, end)
        if found is None:
            return refuse(f"{command}{{{name}}} has no operator name")
        return define(Macro(0, rf"\operatorname{{{found[0].strip()}}}"), found[1])
    if plain in ("newcommand", "renewcommand", "providecommand", "DeclareRobustCommand"):
        arity = _ARITY.match(text, end)
        arguments = int(arity.group(1)) if arity else 0
        end = arity.end() if arity else end
        default = optional(text, end) if arguments else None
        end = default[1] if default else end
        found = argument(text, end)
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
            macro = Macro(0, FROZEN + event.target[1:])
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
