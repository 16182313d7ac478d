"""The golden document: what it is, and how to regenerate it.

Regenerate after an intended change to the document (then review the diff):

    python -m tests.golden_doc
"""

from __future__ import annotations

import re
from pathlib import Path

from symbptt import RNNSpec, verify
from symbptt.render.tex import render_tex

GOLDEN = Path(__file__).with_name("golden") / "derivation-T2-tanh.tex"
SPEC = RNNSpec(T=2, activation="tanh")


def normalized(tex: str) -> str:
    """The document with what legitimately varies (timings, versions) masked."""
    tex = re.sub(r"& \d+\.\d+ &", "& TIME &", tex)
    return re.sub(r"(symbptt|SymPy|python-flint|Python) \d[\w.+-]*", r"\1 VERSION", tex)


def render() -> str:
    """The golden case, rendered now."""
    return normalized(render_tex(SPEC, verify(SPEC)))


if __name__ == "__main__":
    GOLDEN.write_text(render(), encoding="utf-8")
    print(f"wrote {GOLDEN}")
