r"""The options of a ``[cell]``: the settings every cell has (its activations, loss,
reduction and initial state), the options a cell takes by name, their defaults, and the
parts of a declaration that depend on them.

Keys of the ``[cell]`` table read here:

``defaults``
    ``{ activation = "tanh", ... }``: the cell's own defaults of the settings
    ``activation``, ``output_activation``, ``loss`` and ``reduction``, where they differ
    from the language's (``generic``, ``identity``, ``squared``, ``mean``).
``initial``
    ``"parameter"`` (each state s starts from the parameter s_0) or ``"zero"``; writing
    the key makes the initial state an option, with this default (``"symbol"``, the
    seeds' word, is ``"parameter"``). Without the key, s_0 is a parameter.
``options``
    ``{ hidden = "n", inputs = "m", outputs = "k" }``: options that set a size (a letter
    of ``sizes``; the ``sizes`` value is the default), or that are another name for a
    setting (``h0 = "initial"``, the seeds' spelling). A cell always takes ``loss`` and
    ``reduction``; ``activation`` if its equations apply ``\phi``, ``output_activation``
    if they apply ``\theta``, ``initial`` if the table has that key.
``when``
    ``[cell.when.loss.cross-entropy]``: ``[cell]`` keys that apply only when a setting has
    that value, merged over the table (tables key by key, other values replaced).

:func:`symbptt.read.cell.declare_cell` builds a cell's model from the options given by
name, as the built-in cells' ``symbptt.cells.declare`` does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from symbptt.core.losses import LOSS_TABLE, NOTES_LOSSES, REDUCTIONS
from symbptt.core.primitives import PRIMITIVES
from symbptt.errors import SpecError

if TYPE_CHECKING:
    pass

#: The settings of every cell, with the language's defaults.
SETTINGS: dict[str, str] = {
    "activation": "generic",
    "output_activation": "identity",
    "loss": "squared",
    "reduction": "mean",
    "initial": "parameter",
}
#: The values each setting takes.
CHOICES: dict[str, tuple[str, ...]] = {
    "activation": tuple(PRIMITIVES),
    "output_activation": tuple(PRIMITIVES),
    "loss": tuple(name for name in LOSS_TABLE if name not in NOTES_LOSSES),
    "reduction": tuple(REDUCTIONS),
    "initial": ("parameter", "zero", "symbol"),
}
#: Keys that a ``when`` part may not hold (they decide the options themselves).
_NOT_CONDITIONAL = ("when", "defaults", "options", "initial", "sizes")
_PHI = re.compile(r"\\phi(?![A-Za-z])|[φϕ]")
_THETA = re.compile(r"\\theta(?![A-Za-z])|[θϑ]")
_OPTION = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _choice(setting: str, value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in CHOICES[setting]:
        raise SpecError(
            f"{where}: unknown {setting} {value!r}; expected one of: {', '.join(CHOICES[setting])}"
        )
    return value


def settings_of(table: dict, where: str, given: dict[str, str | None]) -> dict[str, str]:
    """Every setting: as ``given`` (None: not given), else the table's default, else the
    language's; the initial state as ``"parameter"`` or ``"zero"``.

    Raises:
        SpecError: a value or a ``defaults`` key that is not one of the choices.
    """
    defaults = table.get("defaults", {})
    if not isinstance(defaults, dict):
        raise SpecError(f"{where}: [cell] defaults must be a table of setting = value")
    for key, value in defaults.items():
        if key not in SETTINGS or key == "initial":
            raise SpecError(
                f"{where}: [cell] defaults has unknown key {key!r}; expected: activation, "
                f"output_activation, loss, reduction (the initial state is the key initial)"
            )
        _choice(key, value, f"{where}: [cell] defaults.{key}")
    if "initial" in table:
        _choice("initial", table["initial"], f"{where}: [cell] initial")
    out = {}
    for setting, language in SETTINGS.items():
        value = given.get(setting)
        if value is None:
            value = table.get("initial") if setting == "initial" else defaults.get(setting)
        out[setting] = _choice(setting, language if value is None else value, where)
    if out["initial"] == "symbol":
        out["initial"] = "parameter"
    return out


def merge_when(table: dict, settings: dict[str, str], where: str, keys: tuple[str, ...]) -> dict:
    """The table with the ``when`` parts that the settings choose merged over it
    (``keys``: the keys a ``[cell]`` table may have)."""
    when = table.get("when")
    if when is None:
        return table
    if not isinstance(when, dict):
        raise SpecError(f"{where}: [cell] when must be a table of setting = {{ value = {{...}} }}")
    out = {key: value for key, value in table.items() if key != "when"}
    for setting, cases in when.items():
        if setting not in SETTINGS or not isinstance(cases, dict):
            raise SpecError(
                f"{where}: [cell] when.{setting}: expected a table under one of: "
                f"{', '.join(SETTINGS)}"
            )
        for value, part in cases.items():
            here = f"{where}: [cell] when.{setting}.{value}"
            _choice(setting, value, here)
            if not isinstance(part, dict):
                raise SpecError(f"{here} must be a table of [cell] keys")
            for key in part:
                if key not in keys or key in _NOT_CONDITIONAL:
                    raise SpecError(f"{here}: {key!r} cannot depend on an option")
            if settings[setting] == ("parameter" if value == "symbol" else value):
                out = _merged(out, part)
    return out


def _merged(base: dict, part: dict) -> dict:
    out = dict(base)
    for key, value in part.items():
        old = out.get(key)
        out[key] = (
            _merged(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
        )
    return out


def options_of(table: dict, where: str) -> dict[str, Any]:
    """The options the cell takes, by name, with their defaults (the size options' from
    ``sizes``).

    Raises:
        SpecError: an ``options`` table that names neither a size nor a setting.
    """
    if not isinstance(table, dict):
        raise SpecError(f"{where}: [cell] must be a table")
    named = table.get("options", {})
    sizes = table.get("sizes", {})
    if not isinstance(named, dict) or not isinstance(sizes, dict):
        raise SpecError(f"{where}: [cell] options must be a table of option = size or setting")
    settings = settings_of(table, where, {})
    taken: dict[str, Any] = {}
    renamed = set()
    for option, target in named.items():
        here = f"{where}: [cell] options.{option}"
        if not _OPTION.fullmatch(option) or option in SETTINGS:
            raise SpecError(f"{here}: an option's name is a new name, such as hidden or h0")
        if not isinstance(target, str) or (target in SETTINGS) == (target in sizes):
            raise SpecError(
                f"{here} must name one letter of sizes ({', '.join(sizes)}) or one setting "
                f"({', '.join(SETTINGS)})"
            )
        if target in SETTINGS and target in renamed:
            raise SpecError(f"{here}: {target} has another name already")
        if target in SETTINGS:
            renamed.add(target)
            if target == "initial" and "initial" not in table:
                raise SpecError(f"{here}: the initial state is an option only with [cell] initial")
        if target in sizes:
            taken[option] = sizes[target]
        else:
            taken[option] = table["initial"] if target == "initial" else settings[target]
    applied = _equations_text(table)
    for setting in SETTINGS:
        takes = {
            "activation": bool(_PHI.search(applied)),
            "output_activation": bool(_THETA.search(applied)),
            "initial": "initial" in table,
        }.get(setting, True)
        if takes and setting not in renamed:
            taken[setting] = table.get("initial") if setting == "initial" else settings[setting]
    return taken


def _equations_text(table: dict) -> str:
    """The equations of the table and of every ``when`` part, as one text."""
    texts = [table.get("equations", "")]
    when = table.get("when", {})
    for cases in when.values() if isinstance(when, dict) else ():
        for part in cases.values() if isinstance(cases, dict) else ():
            texts.append(part.get("equations", "") if isinstance(part, dict) else "")
    return "\n".join(t for t in texts if isinstance(t, str))
