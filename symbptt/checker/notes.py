"""What notes declare before their formulas (issue 27): the model their forward pass
states (``% symbptt: model`` displays, or ``check --forward``), and the conventions they
declare once. Together they say how each checked display is read: against which model,
in which names and conventions, in which layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from symbptt.core.spec import Spec
from symbptt.errors import FormulaSyntaxError, SpecError
from symbptt.read.conventions import Conventions
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
