r"""Equations written side by side in one row are separate claims, each with its own
verdict, never one chain: ``A = B \quad C = D``, ``A = B, \qquad C = D``,
``A = B \implies C = D``, ``\therefore C = D``. Reading them as A = B = C = D would call a
true display false (or worse, a false one true).

* A *connective* (``\implies``, ``\Rightarrow``, ``\Longrightarrow``, ``\iff``,
  ``\therefore``, ``\because``, ``\text{and}``) always separates: each side must be an
  equation of its own (an expression alone, ``x > 0 \implies ...``, is then refused by
  the reader, never chained).
* A *space* (``\quad``, ``\qquad``, ``\hspace{...}``) separates only where a whole
  equation stands on both sides of it (``= B \quad \text{for all } t`` and
  ``A =\quad B = C`` stay one equation).

Splitting looks only at the top level (outside braces, parentheses and brackets) and
keeps each piece the display's length and lines (what is not in it blanked), so that an
error's position is the display's. ``spaces=False`` splits at connectives only: the
checker decides a display split at a space both ways and refuses it where they differ.
"""

from __future__ import annotations

import bisect
import re

#: Separators between claims, matched at the top level of a row.
_CONNECTIVE = re.compile(
    r"\\(?:implies|Rightarrow|Longrightarrow|iff|Leftrightarrow|therefore|because)(?![A-Za-z])"
    r"|\\(?:text|textrm|mathrm)\s*\{\s*(?:and|then|so|hence)\s*\}"
)
_SPACE = re.compile(r"\\(?:qquad|quad)(?![A-Za-z])|\\hspace\*?\s*\{[^{}]*\}")
#: A relation that makes a piece an equation.
_RELATION = re.compile(r"=|\\equiv(?![A-Za-z])")
_OPEN, _CLOSE = "{([", "})]"
#: A space next to these is inside an equation: after '=' or '+', before '=' or '+'.
_OPERATORS = r"(?:=|\+|-|\\equiv|\\cdot|\\times|\\odot|\\circ)"
_OPERATOR_AFTER = re.compile(_OPERATORS + r"\s*$")
_OPERATOR_BEFORE = re.compile(r"\s*" + _OPERATORS)


def _depths(text: str) -> list[int]:
    """The nesting depth (braces, parentheses, brackets) before each character;
    escaped braces (``\\{``) count as parentheses do."""
    depths, depth, n = [], 0, 0
    while n < len(text):
        ch = text[n]
        if ch == "\\" and n + 1 < len(text) and text[n + 1] in "{}":
            depths += [depth, depth]
            depth += 1 if text[n + 1] == "{" else -1
            n += 2
            continue
        depths.append(depth)
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        n += 1
    return depths


def _top_level(pattern: re.Pattern[str], text: str, depths: list[int]) -> list[re.Match[str]]:
    return [m for m in pattern.finditer(text) if depths[m.start()] == 0]


def _has_relation(relations: list[int], start: int, end: int) -> bool:
    """Whether a top-level relation (``relations``: their starts, ascending) starts in
    start..end."""
    k = bisect.bisect_left(relations, start)
    return k < len(relations) and relations[k] < end


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def side_by_side(piece: str, *, spaces: bool = True) -> list[str]:
    """The claims of one equation piece of a display (see the module docstring), each
    of the piece's length with the rest blanked.

    Example:
        >>> [p.strip() for p in side_by_side(r"a = b \\quad c = d")]
        ['a = b', 'c = d']
        >>> [p.strip() for p in side_by_side(r"a = b \\quad \\text{for all } t")]
        ['a = b \\\\quad \\\\text{for all } t']
        >>> [p.strip() for p in side_by_side(r"\\therefore c = d")]
        ['c = d']
    """
    if not _CONNECTIVE.search(piece) and not (spaces and _SPACE.search(piece)):
        return [piece]
    # the piece's own text (what is around it is blank): the work is its length's
    lo, hi = len(piece) - len(piece.lstrip()), len(piece.rstrip())
    if lo > 0 or hi < len(piece):
        before, after = _blank(piece[:lo]), _blank(piece[hi:])
        return [before + p + after for p in side_by_side(piece[lo:hi], spaces=spaces)]
    depths = _depths(piece)
    relations = [m.start() for m in _top_level(_RELATION, piece, depths)]
    cuts = [(m.start(), m.end(), True) for m in _top_level(_CONNECTIVE, piece, depths)]
    if spaces:
        cuts += [(m.start(), m.end(), False) for m in _top_level(_SPACE, piece, depths)]
    if not cuts:
        return [piece]
    cuts.sort()
    spans: list[tuple[int, int]] = []  # the pieces' (start, end)
    start = 0
    for n, (a, b, connective) in enumerate(cuts):
        following = cuts[n + 1][0] if n + 1 < len(cuts) else len(piece)
        if not connective and not (
            _has_relation(relations, start, a)
            and _has_relation(relations, b, following)
            and not _OPERATOR_AFTER.search(piece[start:a])
            and not _OPERATOR_BEFORE.match(piece[b:following])
        ):
            continue  # a space inside one equation (A =\quad B = C: spacing after '=')
        spans.append((start, a))
        start = b
    spans.append((start, len(piece)))
    pieces = []
    for a, b in spans:
        if not piece[a:b].strip():
            continue  # \therefore at the start: nothing before it
        pieces.append(_blank(piece[:a]) + piece[a:b] + _blank(piece[b:]))
    return pieces or [piece]
