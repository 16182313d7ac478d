"""TeX's groups and arguments in a text, as TeX reads them, found in linear time: a
balanced ``{...}`` group, an undelimited argument, an optional ``[...]`` argument. The
brace index of a text is built once and cached (a source apart from the short texts of
expansions), so that reading many groups of one text costs a look-up each.
"""

from __future__ import annotations

import bisect
import functools
import re
from array import array

from symbptt.limits import MAX_EXPANDED

#: A control sequence as TeX reads one: a backslash and its letters, or one other character.
CONTROL_WORD = re.compile(r"\\(?:[A-Za-z@]+|.)", re.DOTALL)
#: One control sequence (a command copied by ``\let`` from a primitive is marked ``\\\x00``).
CONTROL = re.compile(r"\\\x00?(?:[A-Za-z@]+|.)?", re.DOTALL)


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


def group(text: str, start: int) -> tuple[str, int] | None:
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


def argument(text: str, start: int) -> tuple[str, int] | None:
    """An undelimited argument at ``start`` as TeX reads one: spaces (and line breaks)
    skipped, then a braced group's content or one token (a whole control word)."""
    while start < len(text) and text[start].isspace():
        start += 1
    if start >= len(text):
        return None
    if text[start] == "{":
        return group(text, start)
    if text[start] == "}":
        return None
    m = CONTROL.match(text, start)
    return (m.group(0), m.end()) if m else (text[start], start + 1)


def optional(text: str, start: int) -> tuple[str, int] | None:
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
