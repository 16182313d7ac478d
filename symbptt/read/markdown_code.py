"""Where Markdown keeps code, which holds no maths: the closing line of each fenced block,
and the spans of inline code (both found in linear time)."""

from __future__ import annotations

import bisect
import re


class FenceClosers:
    """Where fenced blocks close: for a fence of ``length`` characters ``mark`` opened on
    line k, the first later line that is only a fence of that mark at least as long
    (CommonMark). Found by jumps to the next longer fence, so a file of unclosed fences
    is read in linear time, not a scan to its end for each."""

    _BARE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*$")

    def __init__(self, lines: list[str]) -> None:
        self.count = len(lines)
        self.fences: dict[str, tuple[list[int], list[int], list[int]]] = {}
        for j, line in enumerate(lines):
            m = self._BARE.match(line)
            if m:
                where, lengths, _ = self.fences.setdefault(m.group(1)[0], ([], [], []))
                where.append(j)
                lengths.append(len(m.group(1)))
        for _, lengths, longer in self.fences.values():
            longer.extend([len(lengths)] * len(lengths))
            stack: list[int] = []  # the next strictly longer fence of each
            for i, n in enumerate(lengths):
                while stack and lengths[stack[-1]] < n:
                    longer[stack.pop()] = i
                stack.append(i)

    def after(self, k: int, mark: str, length: int) -> int:
        """The closing line of the fence opened on line ``k`` (the line count if none)."""
        where, lengths, longer = self.fences.get(mark, ([], [], []))
        i = bisect.bisect_right(where, k)
        while i < len(where) and lengths[i] < length:
            i = longer[i]
        return where[i] if i < len(where) else self.count


_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n(?=[ \t]*\n)")


def inline_code(text: str) -> list[tuple[int, int]]:
    """The spans of inline code (a run of backticks, then the next run of the same length
    in the same paragraph), in linear time (the regular expression that says the same,
    in tests/read/test_markdown_scanners.py, takes quadratic time on unclosed runs)."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    breaks = [m.start() for m in _BLANK_LINE.finditer(text)]
    following, seen = [len(runs)] * len(runs), {}  # the next run of the same length
    for i in range(len(runs) - 1, -1, -1):
        n = runs[i][1] - runs[i][0]
        following[i], seen[n] = seen.get(n, len(runs)), i
    spans, at = [], 0
    for i, (a, b) in enumerate(runs):
        j = following[i]
        if a < at or j == len(runs):
            continue
        k = bisect.bisect_left(breaks, b)
        if k < len(breaks) and breaks[k] < runs[j][0]:
            continue  # the paragraph ends first
        spans.append((a, runs[j][1]))
        at = runs[j][1]
    return spans
