"""Derivation spec files (TOML): the model, T, notation, title, author, sections.

Example (``derivations/note-000.toml``)::

    title = "Backpropagation through time"
    author = "after Q. Z. U. Islam's note"

    [model]
    T = 4
    activation = "generic"

    [notation]
    loss = "\\\\hat{L}"

    [document]
    sections = ["model", "expansion", "sum_of_products", "certificate"]

The vector model of note 000 takes ``model = "elman"`` in ``[model]``, with ``hidden``,
``inputs``, ``outputs`` (sizes n, m, k), ``T``, the activations and ``reduction``.
A file with a ``[cell]`` table declares its own cell (:mod:`symbptt.models.cell`); its
``[model]`` then holds ``T``, ``activation`` and ``output_activation`` (what \\phi and
\\theta in the equations stand for), ``loss`` and ``reduction``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine.model import CellSpec, ElmanSpec
from .errors import SpecError
from .files import parse_toml, read_text, toml_table
from .model import RNNSpec
from .models.cell import read_cell
from .render.document import SECTIONS, DocumentOptions
from .render.printer import Notation
from .verify import METHOD_NAMES

_TOP = {"title", "author", "model", "notation", "document", "cell"}
_MODEL = {"T", "activation", "output_activation", "loss", "reduction", "h0"}
#: keys of [model] for the vector model (model = "elman")
_ELMAN = {
    "model",
    "T",
    "hidden",
    "inputs",
    "outputs",
    "activation",
    "output_activation",
    "loss",
    "reduction",
}
#: keys of [model] beside a [cell] table
_CELL = {"T", "activation", "output_activation", "loss", "reduction"}
_NOTATION = {"immediate", "total", "loss", "profile"}
_DOCUMENT = {"sections", "method"}


@dataclass(frozen=True)
class DerivationSpec:
    """A parsed derivation spec file."""

    spec: RNNSpec | ElmanSpec | CellSpec
    options: DocumentOptions
    method: str


def _profile(value: Any, folder: Path, where: str) -> Any:
    """[notation] profile: a built-in notation profile's name, or a profile's TOML file
    (relative to the spec file): the document prints the model in its names."""
    from .notation.profiles import BUILT_IN, load_profile

    if value is None:
        return None
    if not isinstance(value, str):
        raise SpecError(f"{where}: [notation] profile must be a string")
    try:
        return load_profile(value if value in BUILT_IN else str(folder / value))
    except SpecError as err:
        raise SpecError(f"{where}: [notation] profile: {err}") from None


def load(path: Path) -> DerivationSpec:
    """Read and validate a derivation spec file.

    Raises:
        SpecError: unreadable file, invalid TOML, unknown keys or invalid values
            (the message names the file and the key).
    """
    source = read_text(path, what="spec file")  # read once: parsed, and errors located in it
    where = str(path)
    data = parse_toml(source, where=where)
    unknown = set(data) - _TOP
    if unknown:
        raise SpecError(
            f"{where}: unknown key {sorted(unknown)[0]!r}; expected: {', '.join(sorted(_TOP))}"
        )
    raw = data.get("model", {})
    elman = isinstance(raw, dict) and raw.get("model") == "elman"
    cell = "cell" in data
    if isinstance(raw, dict) and raw.get("model", "scalar") not in ("scalar", "elman"):
        raise SpecError(f'{where}: [model] model must be "scalar" or "elman"')
    allowed = _CELL if cell else _ELMAN if elman else _MODEL | {"model"}
    model = toml_table(data, "model", allowed, where)
    model.pop("model", None)
    notation = toml_table(data, "notation", _NOTATION, where)
    profile = _profile(notation.pop("profile", None), Path(path).parent, where)
    document = toml_table(data, "document", _DOCUMENT, where)
    sections = document.get("sections", list(SECTIONS))
    if not isinstance(sections, list) or not all(
        isinstance(x, str) and x in SECTIONS for x in sections
    ):
        raise SpecError(f"{where}: [document] sections must be a list of: {', '.join(SECTIONS)}")
    method = document.get("method", "exact")
    if method not in METHOD_NAMES:
        raise SpecError(f"{where}: [document] method must be one of: {', '.join(METHOD_NAMES)}")
    for key in ("title", "author"):
        if key in data and not isinstance(data[key], str):
            raise SpecError(f"{where}: {key} must be a string")
    if cell:
        T = model.pop("T", 4)
        spec: RNNSpec | ElmanSpec | CellSpec = CellSpec(
            read_cell(data["cell"], where=where, source=source, **model), T=T
        )
    try:
        if not cell:
            spec = (
                ElmanSpec(**{"T": 4, "hidden": 3, **model})
                if elman
                else RNNSpec(**{"T": 4, **model})
            )
        options = DocumentOptions(
            title=data.get("title", DocumentOptions.title),
            author=data.get("author", ""),
            notation=Notation(**notation),
            sections=tuple(sections),
            profile=profile,
        )
    except (SpecError, TypeError, ValueError) as err:
        raise SpecError(f"{where}: {err}") from None
    return DerivationSpec(spec, options, method)
