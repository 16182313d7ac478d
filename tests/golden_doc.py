"""The golden document: what it is, and how to regenerate it.

Regenerate after an intended change to the document (then review the diff):

    python -m tests.golden_doc
"""

from __future__ import annotations

import re
from pathlib import Path

from symbptt import ElmanSpec, RNNSpec, verify, verify_vector
from symbptt.render.formats.latex import render_tex

GOLDEN = Path(__file__).with_name("golden") / "derivation-T2-tanh.tex"
SPEC = RNNSpec(T=2, activation="tanh")
#: The vector model's golden document.
VECTOR_GOLDEN = Path(__file__).with_name("golden") / "derivation-elman-n2-T3-tanh.tex"
VECTOR_SPEC = ElmanSpec(hidden=2, T=3, inputs=2, activation="tanh")


def normalized(tex: str) -> str:
    """The document with what legitimately varies (timings, versions) masked."""
    tex = re.sub(r"& \d+\.\d+ &", "& TIME &", tex)
    return re.sub(r"(symbptt|SymPy|python-flint|Python) \d[\w.+-]*", r"\1 VERSION", tex)


def render() -> str:
    """The golden case, rendered now."""
    return normalized(render_tex(SPEC, verify(SPEC)))


def render_vector() -> str:
    """The vector golden case, rendered now."""
    return normalized(render_tex(VECTOR_SPEC, verify_vector(VECTOR_SPEC)))


if __name__ == "__main__":
    for path, text in ((GOLDEN, render()), (VECTOR_GOLDEN, render_vector())):
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
