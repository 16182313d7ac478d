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

``[model]`` takes the model options by their command-line names
(:data:`symbptt.cells.choose.FILE_KEYS`): ``model`` (scalar, elman, lstm, gru), ``T``,
``hidden``, ``inputs``, ``outputs`` (sizes n, m, k), ``activation``,
``output_activation``, ``step_loss`` (the per-step loss), ``loss`` (the reduction, mean
or sum, as ``--loss``; ``reduction`` is another name for it), ``h0`` and
``gru_variant``. A file with a ``[cell]`` table declares its own cell
(:mod:`symbptt.read.cell`); its ``[model]`` then holds ``T``, ``activation`` and
``output_activation`` (what \\phi and \\theta in the equations stand for),
``step_loss`` and ``loss``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from symbptt.cells.choose import CellSource, build_spec, options_from_table
from symbptt.core.method import METHOD_NAMES
from symbptt.core.spec import Spec
from symbptt.errors import SpecError
from symbptt.files import parse_toml, read_text, toml_table

if TYPE_CHECKING:  # the renderer is imported where a document is made (start-up of check)
    from symbptt.render.document import DocumentOptions

_TOP = {"title", "author", "model", "notation", "document", "cell"}
_NOTATION = {"immediate", "total", "loss", "profile"}
_DOCUMENT = {"sections", "method"}


@dataclass(frozen=True)
class DerivationSpec:
    """A parsed derivation spec file."""

    spec: Spec
    options: DocumentOptions
    method: str


def _profile(value: Any, folder: Path, where: str) -> Any:
    """[notation] profile: a built-in notation profile's name, or a profile's TOML file
    (relative to the spec file): the document prints the model in its names."""
    from symbptt.read.profiles import BUILT_IN, load_profile

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
    from symbptt.render.document import SECTIONS, DocumentOptions
    from symbptt.render.notation import Notation

    source = read_text(path, what="spec file")  # read once: parsed, and errors located in it
    where = str(path)
    data = parse_toml(source, where=where)
    unknown = set(data) - _TOP
    if unknown:
        raise SpecError(
            f"{where}: unknown key {sorted(unknown)[0]!r}; expected: {', '.join(sorted(_TOP))}"
        )
    options, cell = model_options(data, where, source)
    notation = toml_table(data, "notation", _NOTATION, where)
    profile = _profile(notation.pop("profile", None), Path(path).parent, where)
    document = toml_table(data, "document", _DOCUMENT, where)
    sections = document.get("sections", list(SECTIONS))
    if not isinstance(sections, list) or not all(
        isinstance(x, str) and x in SECTIONS for x in sections
    ):
        raise SpecError(f"{where}: [document] sections must be a list of: {', '.join(SECTIONS)}")
    method = document.get("method", "auto")
    if method not in METHOD_NAMES:
        raise SpecError(f"{where}: [document] method must be one of: {', '.join(METHOD_NAMES)}")
    for key in ("title", "author"):
        if key in data and not isinstance(data[key], str):
            raise SpecError(f"{where}: {key} must be a string")
    try:
        spec = build_spec(cell=cell, spell=file_key, **options)
        document_options = DocumentOptions(
            title=data.get("title", DocumentOptions.title),
            author=data.get("author", ""),
            notation=Notation(**notation),
            sections=tuple(sections),
            profile=profile,
        )
    except (SpecError, TypeError, ValueError) as err:
        raise SpecError(err if str(err).startswith(where) else f"{where}: {err}") from None
    return DerivationSpec(spec, document_options, method)


def model_options(
    data: dict[str, Any], where: str, source: str = ""
) -> tuple[dict[str, Any], CellSource | None]:
    """The model options of a parsed spec file (its ``[model]`` table, in the command
    line's names) and its ``[cell]`` table, if any: what :func:`build_spec` takes, so
    that ``build``, ``--cell FILE`` and the command line build a model one way.

    Raises:
        SpecError: ``[model]`` is not a table or has an unknown key.
    """
    table = data.get("model", {})
    if not isinstance(table, dict):
        raise SpecError(f"{where}: [model] must be a table")
    options = options_from_table(table, where)
    cell = CellSource(data["cell"], where, source) if "cell" in data else None
    return options, cell


def file_key(option: str) -> str:
    """An option as a spec file's ``[model]`` table spells it (``loss`` for the
    reduction)."""
    return f"[model] {'loss' if option == 'reduction' else option}"


def read_model_file(path: str | Path) -> tuple[dict[str, Any], CellSource | None]:
    """:func:`model_options` of the spec file at ``path``."""
    source = read_text(path, what="spec file")
    return model_options(parse_toml(source, where=str(path)), str(path), source)
