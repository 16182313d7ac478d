"""The linear-time Markdown scanners find what the regular expressions that define them
find (those took quadratic time on unclosed delimiters: 37 s on 82 KB of notes)."""

from __future__ import annotations

import random
import re

import pytest

from symbptt.read import markdown, markdown_code

INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: Math in Markdown, where MathJax reads definitions: its contents (not its delimiters).
MATH = re.compile(
    r"\$\$(?P<a>.+?)\$\$|\\\[(?P<b>.+?)\\\]|\\\((?P<c>.+?)\\\)"
    r"|(?P<d>\\begin\{(?P<env>[A-Za-z]+\*?)\}.+?\\end\{(?P=env)\})"
    r"|(?<![\\$])\$(?![\s$])(?P<e>(?:(?!\n[ \t]*\n)[^$])+?)(?<![\\\s])\$",
    re.DOTALL,
)
#: The pieces random texts are made of: every delimiter, and what breaks them.
PIECES = [
    "`",
    "``",
    "$",
    "$$",
    "\\[",
    "\\]",
    "\\(",
    "\\)",
    "<!--",
    "-->",
    "\\begin{x}",
    "\\end{x}",
    "\\begin{y*}",
    "\\end{y*}",
    "\\",
    " ",
    "\n",
    "\n\n",
    "a",
    "b c",
    "-",
]


def texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(PIECES, k=rng.randint(0, 24))) for _ in range(count)]


def math_by_regex(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in MATH.finditer(text):
        group = next(g for g in ("a", "b", "c", "d", "e") if m.group(g) is not None)
        spans.append(m.span(group))
    return spans


@pytest.mark.parametrize("seed", range(4))
def test_inline_code_html_comments_and_math_are_found_as_the_regexes_find_them(
    seed: int,
) -> None:
    for text in texts(2500, seed):
        assert markdown_code.inline_code(text) == [m.span() for m in INLINE_CODE.finditer(text)]
        assert markdown._html_comments(text) == [m.span() for m in HTML_COMMENT.finditer(text)]
        assert markdown._math_spans(text) == math_by_regex(text), text
