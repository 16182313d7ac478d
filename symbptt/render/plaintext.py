"""User text (titles, author lines) printed literally in LaTeX.

Every ASCII character prints as itself (TeX's special characters escaped); characters
beyond ASCII print through their LaTeX spelling (pylatexenc's table: accented letters,
Greek, the partial sign, arrows, ...), restricted to the Unicode blocks whose spellings
compile with the document's packages (a test compiles every one of them). Anything else
(CJK, emoji, a combining mark left after NFC normalisation, control characters) is
refused with the character named, before TeX runs. Whitespace runs print as one space
(with :func:`escape_lines`, each non-blank line is a line of its own: an author and an
affiliation); long runs without spaces may break, so no title runs off the page.
"""

from __future__ import annotations

import functools
import logging
import unicodedata

from symbptt.errors import SpecError
from symbptt.limits import MAX_TEXT_LENGTH

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}

#: The Unicode blocks whose LaTeX spellings are used (Latin-1 Supplement, Latin
#: Extended-A and -B, Greek, General Punctuation, Letterlike Symbols, Arrows,
#: Mathematical Operators).
_BLOCKS = (
    (0x00A0, 0x0100),
    (0x0100, 0x0180),
    (0x0180, 0x0250),
    (0x0370, 0x0400),
    (0x2000, 0x2070),
    (0x2100, 0x2150),
    (0x2190, 0x2200),
    (0x2200, 0x2300),
)
#: Characters of those blocks whose spelling needs a package the document does not load
#: (found by compiling every spelling; tests/cli/test_robustness.py keeps this list honest).
_UNSUPPORTED = frozenset(
    [0x149, 0x195, 0x19E, 0x390, 0x3D2, 0x210B, 0x2110, 0x2112, 0x211B, 0x212C, 0x2130]
    + [0x2131, 0x2133, 0x219C, 0x219D, 0x21C5, 0x21F5, 0x221F, 0x222F, 0x2230, 0x2231]
    + [0x223B, 0x223E, 0x2246, 0x224B, 0x224C, 0x2259, 0x225B, 0x2278, 0x2279, 0x22A7]
    + [0x22A8, 0x22AB, 0x22B6, 0x22B7, 0x22B9, 0x22BE, 0x22D8, 0x22D9, 0x22E8, 0x22F0]
)
#: A run of this many characters without a space may break after every BREAK_EVERY.
LONG_RUN = 24
BREAK_EVERY = 12


@functools.cache
def _encoder():
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    logging.getLogger("pylatexenc").setLevel(logging.CRITICAL)
    return UnicodeToLatexEncoder(
        unknown_char_policy="fail",
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
    )


@functools.cache
def spelling(char: str) -> str | None:
    """The LaTeX spelling of one character, or None if the document cannot print it.

    Example:
        >>> spelling("é"), spelling("∂"), spelling("中")
        ("{\\\\'e}", '{\\\\ensuremath{\\\\partial}}', None)
    """
    if len(char) != 1:
        return None
    code = ord(char)
    if 0x20 <= code < 0x7F:
        return _SPECIAL.get(char, char)
    if code in _UNSUPPORTED or not any(lo <= code < hi for lo, hi in _BLOCKS):
        return None
    if unicodedata.category(char)[0] in "CM":
        return None
    try:
        return _encoder().unicode_to_latex(char)
    except ValueError:
        return None


def supported_characters() -> list[str]:
    """Every non-ASCII character :func:`escape` accepts (for the test that compiles them)."""
    return [chr(c) for lo, hi in _BLOCKS for c in range(lo, hi) if spelling(chr(c))]


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def check_plain_text(text: object, what: str, max_length: int = MAX_TEXT_LENGTH) -> None:
    """Refuse text the document cannot print literally.

    Raises:
        SpecError: not a string, longer than ``max_length``, or with a character that
            has no LaTeX spelling here (named with its code point).

    Example:
        >>> check_plain_text("Backprop 😀", "title")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        symbptt.errors.SpecError: the title has '😀' (U+1F600 GRINNING FACE), which ...
    """
    if not isinstance(text, str):
        raise SpecError(f"the {what} must be a string, got {type(text).__name__}")
    if len(text) > max_length:
        raise SpecError(f"the {what} has {len(text)} characters, more than the limit {max_length}")
    _require_printable(_normal(text), what)


def _require_printable(text: str, what: str) -> None:
    """Refuse the first character with no LaTeX spelling here, named by its code point."""
    for char in text:
        if spelling(char) is None:
            name = unicodedata.name(char, "a control character")
            shown = repr(char) if unicodedata.category(char)[0] not in "CM" else "a character"
            raise SpecError(
                f"the {what} has {shown} (U+{ord(char):04X} {name}), which the document "
                f"cannot print; remove or replace it"
            )


def escape(text: object) -> str:
    """Plain text made safe for LaTeX: every character printed literally.

    Raises:
        SpecError: a character with no LaTeX spelling (see :func:`check_plain_text`).

    Example:
        >>> escape(r"\\input{/etc/passwd} 100%")
        '\\\\textbackslash{}input\\\\{/etc/passwd\\\\} 100\\\\%'
    """
    text = _normal(str(text))
    _require_printable(text, "text")
    words = []
    for word in text.split(" "):
        pieces = [spelling(c) or "" for c in word]
        if len(pieces) >= LONG_RUN:
            pieces = [
                p + (r"\allowbreak{}" if (n + 1) % BREAK_EVERY == 0 and n + 1 < len(pieces) else "")
                for n, p in enumerate(pieces)
            ]
        words.append("".join(pieces))
    return " ".join(words)


def escape_lines(text: object) -> str:
    """Each non-blank line escaped, joined by LaTeX line breaks (blank lines dropped).

    Example:
        >>> escape_lines("Ada Lovelace\\n\\n  Analytical Engines & Co  \\n")
        'Ada Lovelace \\\\\\\\ Analytical Engines \\\\& Co'
    """
    lines = [line for line in str(text).splitlines() if line.strip()]
    return " \\\\ ".join(escape(line) for line in lines)
