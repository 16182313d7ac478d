"""What notes declare before their formulas (issue 27): the model their forward pass
states (``% symbptt: model`` displays, or ``check --forward``), and the conventions they
declare once. Together they say how each checked display is read: against which model,
in which names and conventions, in which layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from symbptt.core.spec import Spec
from symbptt.errors import FormulaSyntaxError, SpecError
from symbptt.read.conventions import Conventions
from symbptt.read.definitions import DEFINING, pattern_of
from symbptt.read.notes_model import notes_model
from symbptt.read.profiles import Profile


@dataclass(frozen=True)
class NotesSetting:
    """How the notes' checked displays are read.

    Attributes:
        spec: the notes' model for T steps (None: the command line's model).
        profile: the notes' names and conventions (None: the command line's notation).
        layout: the layout the notes declare (None: as the command line says).
        said: what symbptt chose where the notes are silent (the loss), to print once.
        refusal: why no formula of these notes can be read (their model cannot be
            read, or a convention symbptt does not read yet), else None.
        failed: the model equation that cannot be read (its index) and the error.
    """

    spec: Spec | None = None
    profile: Profile | None = None
    layout: str | None = None
    said: tuple[str, ...] = ()
    refusal: str | None = None
    failed: tuple[int, FormulaSyntaxError | SpecError] | None = field(default=None)


def notes_setting(model: Sequence[str], conventions: Conventions, T: int) -> NotesSetting:
    """The setting of notes whose ``model`` displays hold these equations (in order) and
    which declare these ``conventions``; T is the horizon to check at."""
    layout = conventions.get("layout")
    profile = conventions.profile() if conventions.values or model else None
    unsupported = conventions.unsupported()
    if unsupported:
        return NotesSetting(None, profile, layout, (), unsupported)
    if not model:
        return NotesSetting(None, profile, layout)
    try:
        read = notes_model(
            model,
            elementwise=profile.elementwise if profile else (),
            matrix_product=profile.matrix_product if profile else (),
        )
        spec = Spec(read.model, T)
    except FormulaSyntaxError as err:
        at = next((k for k, text in enumerate(model) if err.text and err.text == text), 0)
        why = f"the notes' model cannot be read: {err.reason}"
        return NotesSetting(None, profile, layout, (), why, (at, err))
    except SpecError as err:
        why = f"the notes' model cannot be read: {err}"
        return NotesSetting(None, profile, layout, (), why, (0, err))
    return NotesSetting(spec, profile, layout, read.said)


def is_definition(text: str, kind: str) -> bool:
    """Whether a notes display defines a name: marked ``define``, or written with
    ``:=``, ``=:``, ``\\equiv``, ``\\triangleq``."""
    return kind == "define" or DEFINING.search(text) is not None


def define(text: str, spec: Spec, profile: Profile) -> tuple[Profile, str, str | None]:
    """A definition of the notes read: the profile that reads the name from here on,
    the name as written, and what else the display claims (``B = C`` of ``A := B = C``)
    or None.

    Raises:
        FormulaSyntaxError: the defined side is not a name, or the definition cannot be
            read in the model's names and the definitions before it.
    """
    from symbptt.read.formula import parse_vector

    found = DEFINING.search(text)
    if found is not None:
        before, after = text[: found.start()], text[found.end() :]
        if found.group(0) == "=:":
            before, after = after, before
    else:
        sides = _top_level_split(text)
        if len(sides) < 2:
            raise FormulaSyntaxError("a definition is NAME := FORMULA (or NAME = FORMULA)")
        before, after = sides[0], "=".join(sides[1:])
    rest = _top_level_split(after)
    meaning, claims = rest[0], rest[1:]
    name = " ".join(before.split()).strip(" ,.;")
    try:
        pattern_of(name)
    except ValueError as err:
        raise FormulaSyntaxError(f"{err}: got {name!r}") from None
    meaning = meaning.strip().rstrip(",.;")
    parse_vector(meaning, expression=True, model=spec.model, profile=profile)
    defined = replace(profile, definitions=(*profile.definitions, (name, meaning)))
    claim = "=".join([meaning, *claims]) if claims else None
    return defined, name, claim


def _top_level_split(text: str) -> list[str]:
    """``text`` split at its ``=`` signs outside braces, brackets and parentheses."""
    parts, depth, last = [], 0, 0
    for n, c in enumerate(text):
        depth += c in "{[("
        depth -= c in "}])"
        if c == "=" and depth == 0 and text[n - 1 : n] not in (":", "\\", "<", ">", "!"):
            parts.append(text[last:n])
            last = n + 1
    parts.append(text[last:])
    return parts
