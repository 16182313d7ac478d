"""The built-in cells, written in the cell language users write: one ``[cell]`` table per
file of this package (``lstm.toml``, ``gru-torch.toml``, ...), read by
:func:`symbptt.read.cell.read_cell`. A file dropped here is a built-in cell.

Example:
    >>> "lstm" in names()
    True
    >>> declare("elman", hidden=3).shape("W_hh")
    (3, 3)
"""

from __future__ import annotations

import functools
import tomllib
from importlib.resources import files
from typing import Any

from symbptt.core.model import Model
from symbptt.errors import SpecError


def names() -> tuple[str, ...]:
    """The shipped cells' names (their files' names without ``.toml``), sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in files(__name__).iterdir()
            if entry.name.endswith(".toml") and entry.is_file()
        )
    )


@functools.cache
def source(name: str) -> tuple[str, str]:
    """(where, text) of a shipped cell's file.

    Raises:
        SpecError: no cell of that name.
    """
    if name not in names():
        raise SpecError(f"unknown built-in cell {name!r}; expected one of: {', '.join(names())}")
    entry = files(__name__).joinpath(f"{name}.toml")
    return f"symbptt/cells/{name}.toml", entry.read_text(encoding="utf-8")


@functools.cache
def table(name: str) -> dict[str, Any]:
    """The ``[cell]`` table of a shipped cell (parsed once; do not change it)."""
    where, text = source(name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"{where}: {err}") from None
    if not isinstance(data.get("cell"), dict):
        raise SpecError(f"{where}: a built-in cell is a [cell] table")
    return data["cell"]


def options(name: str) -> dict[str, Any]:
    """The options a shipped cell takes, with their defaults."""
    from symbptt.read.cell_options import options_of

    return options_of(table(name), source(name)[0])


def declare(name: str, **options: Any) -> Model:
    """The model of a shipped cell with these options (``hidden=3, loss="cross-entropy"``,
    as the Python declarations of :mod:`symbptt.cells` take them).

    Raises:
        SpecError: an unknown cell, an option it does not take, or a value it cannot have.
    """
    from symbptt.read.cell import declare_cell

    where, text = source(name)
    return declare_cell(table(name), where=where, source=text, shipped=True, **options)
