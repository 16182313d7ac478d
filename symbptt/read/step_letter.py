r"""The letter a forward pass steps by, where it is not t: ``s_k = s_{k-1} w + x_k u``.

The forward reader knows the step as t (and ``t-1``); notes that count with k or n are
read with that letter written t in their model displays (one letter for one letter, so
columns stay where they were). Their checked formulas keep it: there k is an index
letter like t, free (every step) or bound by a sum.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: A script: _k, ^k, _{k-1}, ^{(k)}, _{t,i}.
_SCRIPT = re.compile(r"[_^](?:\{[^{}]*\}|\\?[A-Za-z0-9])")
#: A letter alone (not part of a word or a command).
_ALONE = r"(?<![A-Za-z\\]){}(?![A-Za-z])"


def step_letter(texts: Sequence[str]) -> str | None:
    """The letter the forward pass writes its previous step with (``s_{k-1}``), where it
    is one letter other than t and no script holds t; else None.

    Example:
        >>> step_letter([r"s_{k} = s_{k-1} w + x_k u"]), step_letter([r"h_t = W h_{t-1}"])
        ('k', None)
    """
    scripts = [m.group(0) for text in texts for m in _SCRIPT.finditer(text)]
    if any(re.search(_ALONE.format("t"), s) for s in scripts):
        return None
    previous = {
        m.group(1)
        for s in scripts
        for m in re.finditer(r"(?<![A-Za-z\\])([a-z])\s*-\s*1(?![0-9])", s)
    }
    return previous.pop() if len(previous) == 1 else None


def stepping_by_t(text: str, letter: str) -> str:
    """``text`` with ``letter`` written t in its scripts (same length).

    Example:
        >>> stepping_by_t(r"s_{k} = s_{k-1} w_{rec} + x_k w_x", "k")
        's_{t} = s_{t-1} w_{rec} + x_t w_x'
    """
    alone = re.compile(_ALONE.format(re.escape(letter)))
    return _SCRIPT.sub(lambda m: alone.sub("t", m.group(0)), text)
