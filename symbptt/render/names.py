"""Default names of a document's files and labels, from what makes it differ from the
default document.

Two runs whose options change the document never share a default name: the model's own
stem (``derivation-elman-n3-T4``: the model, its size and T) is followed by every other
option that changes what the document says and is not at its default
(``derivation-elman-n3-T4-phi-tanh-sum-goodfellow.pdf``); free text (the title, the
author) and the user's template are summed up by a short digest. With every option at
its default the name is the stem alone (``derivation-T4.pdf``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The options named by their value, in the order the name lists them, with how it
#: writes the value (the model, its state size, T and the GRU variant are in the
#: model's stem).
NAMED_OPTIONS = (
    ("inputs", "m{}"),
    ("outputs", "k{}"),
    ("activation", "phi-{}"),
    ("output_activation", "theta-{}"),
    ("step_loss", "loss-{}"),
    ("reduction", "{}"),
    ("h0", "h0-{}"),
    ("notation", "{}"),
    ("immediate_style", "{}"),
    ("method", "{}"),
    ("top_level", "{}"),  # a fragment's headings (its labels' default prefix)
)

#: Options of free text or files: named together by a digest of their values.
DIGESTED_OPTIONS = ("title", "author", "template")

#: The longest part a value gives a name (a notation profile's file name).
PART_LENGTH = 40


def _slug(value: Any) -> str:
    """A value as letters, digits and hyphens: ``my_profile.toml`` -> ``my-profile``."""
    text = str(value)
    if text.endswith(".toml") or "/" in text:  # a file: its name without the suffix
        text = Path(text).stem
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:PART_LENGTH] or "x"


def _digest(values: list[Any]) -> str:
    """Six hex digits summing up values (a template by its absolute path)."""
    text = "\0".join(str(Path(v).resolve()) if isinstance(v, Path) else str(v) for v in values)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:6]


def option_parts(changed: Mapping[str, Any]) -> list[str]:
    """The parts a default name adds for ``changed``, the options not at their
    defaults (by their command-line names, ``reduction`` for ``--loss``).

    Example:
        >>> option_parts({"reduction": "sum", "activation": "tanh", "title": "Week 7"})[:2]
        ['phi-tanh', 'sum']
    """
    parts = [form.format(_slug(changed[key])) for key, form in NAMED_OPTIONS if key in changed]
    digested = [(key, changed[key]) for key in DIGESTED_OPTIONS if key in changed]
    if digested:
        parts.append(_digest([item for pair in digested for item in pair]))
    return parts


def document_stem(spec: Any, changed: Mapping[str, Any]) -> str:
    """The default name of a document without its suffix: the model's stem
    (``spec.file_stem``) and :func:`option_parts`.

    Example:
        >>> from symbptt import RNNSpec
        >>> document_stem(RNNSpec(T=4), {"notation": "d2l"})
        'derivation-T4-d2l'
    """
    return "-".join([spec.file_stem, *option_parts(changed)])


def label_prefix(spec: Any, options: Any, method: str) -> str:
    """The label prefix of a fragment whose prefix the caller left open: the model's
    stem and a digest of the model and the document's options, so that two different
    fragments input into one document never define the same label.

    Example:
        >>> from symbptt import RNNSpec
        >>> from symbptt.render.document import DocumentOptions
        >>> prefix = label_prefix(RNNSpec(T=2), DocumentOptions(), "exact")
        >>> prefix.startswith("derivation-T2-") and prefix.endswith(":")
        True
    """
    profile = getattr(options.profile, "name", None)
    described = [
        repr(spec),
        method,
        options.title,
        options.author,
        repr(options.notation),
        profile,
        options.sections,
        options.elide_above,
        options.top_level,
    ]
    return f"{spec.file_stem}-{_digest(described)}:"
