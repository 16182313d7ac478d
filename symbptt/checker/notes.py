"""What notes declare before their formulas (issue 27): the model their forward pass
states (``% symbptt: model`` displays, or ``check --forward``), and the conventions they
declare once. Together they say how each checked display is read: against which model,
in which names and conventions, in which layout.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from symbptt.checker.notes_loss import (
    loss_argument,
    loss_of_one,
    loss_refusal,
    of_head,
    top_level_split,
)
from symbptt.core.spec import Spec
from symbptt.errors import FormulaSyntaxError, SpecError
from symbptt.read.conventions import Conventions
from symbptt.read.definitions import DEFINING, pattern_of
from symbptt.read.loss_display import (
    TotalLoss,
    compact,
    loss_letter,
    loss_name,
    loss_side,
    squared_error,
    total_loss,
)
from symbptt.read.notes_model import notes_model
from symbptt.read.profiles import Profile
from symbptt.read.step_letter import step_letter, stepping_by_t

#: A derivative on an equation's right: in a model display, it defines a name.
_DERIVATIVE = re.compile(r"\\partial|\\nabla|\\frac\s*\{\s*d")


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
    #: the notes' step loss display that is not read: the model has any loss of the
    #: quantity it is of, so a formula that holds holds for theirs; one that does not is
    #: refused (it may hold for their loss)
    loss_unread: str = ""


def notes_setting(model: Sequence[str], conventions: Conventions, T: int) -> NotesSetting:
    """The setting of notes whose ``model`` displays hold these equations (in order) and
    which declare these ``conventions``; T is the horizon to check at.

    The model displays hold the forward pass, and may hold the loss (a total loss: the
    reduction and the horizon's letter; a step's loss: checked against the model read,
    whose step loss is the one in which it holds) and definitions (an equation with a
    derivative on its right names it)."""
    layout = conventions.get("layout")
    profile = conventions.profile() if conventions.values or model else None
    unsupported = conventions.unsupported()
    if unsupported:
        return NotesSetting(None, profile, layout, (), unsupported)
    if not model or profile is None:
        return NotesSetting(None, profile, layout)
    stepper = step_letter(model)
    if stepper is not None:  # s_k = f(s_{k-1}, x_k): the forward pass steps by k
        model = [stepping_by_t(text, stepper) for text in model]
    forward, definitions, steps = [], [], []
    total: TotalLoss | None = None
    letters: dict[str, list[str]] = {"total": [], "step": []}  # no other letter is theirs
    for k, text in enumerate(model):
        sides = top_level_split(text)
        if len(sides) < 2:
            if "\\in" not in text:  # (h_t \in R^n declares a size: no equation)
                forward.append((k, text))
            continue
        lhs, rhs = sides[0], "=".join(sides[1:])
        side = loss_side(lhs)
        letter, key = loss_letter(lhs) or ("L", "L")
        if side is not None and not _DERIVATIVE.search(rhs) and key not in letters[side]:
            letters[side].append(key)
        if _DERIVATIVE.search(rhs):
            definitions.append(text)
        elif side == "total":
            # J = \frac1T \sum_t J^{(t)} = -\frac1T \sum_t \sum_j y_{t,j} \log \hat y_{t,j}:
            # the side that sums the steps' losses, and the others checked against the model
            read = [total_loss(s, profile.horizon) for s in sides[1:]]
            total = next((r for r in read if r is not None), None)
            if total is not None:
                summed = read.index(total)
                steps += [(k, f"{letter} = {s}") for n, s in enumerate(sides[1:]) if n != summed]
                named = loss_name(lhs)
                if named:  # \mathcal{L}_{\text{seq}}: the notes' name of the total loss
                    definitions.append(f"{named} := {letter}")
            if total is None:
                why = (
                    f"the loss display {compact(text)} is not read yet: symbptt reads a total "
                    "loss that sums (or averages) the steps' losses, L = \\sum_t L_t"
                )
                return _refused(profile, layout, why, k)
        elif side == "step":
            steps.append((k, text))
        else:
            forward.append((k, text))
    totals, per_step = letters["total"] or letters["step"], letters["step"] or letters["total"]
    if totals:
        profile = dataclasses.replace(
            profile, loss_letters=tuple(totals), step_letters=tuple(per_step)
        )
    if total is not None:
        declared = conventions.get("first")
        if declared is not None and total.first is not None and int(declared) != total.first:
            why = (
                f"the notes count the steps from {declared}, and their loss display sums "
                f"from t = {total.first}: not every step, or another count; not read"
            )
            return _refused(profile, layout, why, 0)
        profile = _with_limits(profile, total, conventions)
        if profile.first == 0 and total.horizon and not total.horizon.isdigit():
            why = (
                f"the notes count the steps from 0 and their loss display sums to "
                f"{total.horizon}: {total.horizon} + 1 steps, where {total.horizon} names "
                "the number of steps here; not read"
            )
            return _refused(profile, layout, why, 0)
    horizon = total.horizon if total is not None else None
    fixed = horizon is not None and horizon.isdigit()
    if horizon is not None and fixed:  # \sum_{t=1}^{5}: 5 steps, the formulas are about them
        T = int(horizon) - profile.first + 1
    unit = conventions.get("hidden") == "1"
    settled = _model_with_loss(forward, steps, total, profile, T, unit)
    if isinstance(settled, NotesSetting):
        return dataclasses.replace(settled, layout=layout)
    spec, said, unread = settled
    against = loss_refusal(total, spec)
    if against:
        return _refused(profile, layout, against, forward[0][0] if forward else 0)
    if fixed:
        said = (*said, f"the notes' sequence has {T} steps (their loss display's sum): T = {T}")
    if stepper is not None:
        said = (*said, f"the notes' forward pass steps by {stepper} ({stepper} - 1 the one before)")
    for text in definitions:
        try:
            profile, _, _ = define(text, spec, profile)
        except FormulaSyntaxError as err:
            said = (*said, f"a definition in the model's displays is not read: {err.reason}")
    return NotesSetting(spec, profile, layout, said, loss_unread=unread)


def _model_with_loss(
    forward: list[tuple[int, str]],
    steps: list[tuple[int, str]],
    total: TotalLoss | None,
    profile: Profile,
    T: int,
    unit: bool,
) -> tuple[Spec, tuple[str, ...], str] | NotesSetting:
    """The model of the forward pass whose step loss is one in which every step loss
    display holds (a softmax head's cross-entropy, else any loss, else the squared error),
    and what symbptt chose; else, where a step loss display that no loss read makes hold
    is of one quantity of a model without a softmax head, the model with any loss of it
    and that display (not read); or the refusal."""
    texts = [text for _, text in forward]
    read_model = functools.partial(  # the forward pass, as the notes declare they write it
        notes_model,
        texts,
        elementwise=profile.elementwise,
        matrix_product=profile.matrix_product,
        reduction=total.reduction if total else None,
        unit=unit,
        functions=profile.generic_functions,
    )
    failing = ""
    squared = [squared_error("=".join(top_level_split(text)[1:])) for _, text in steps]
    candidates: tuple[str | None, ...] = (None, "squared") if steps else (None,)
    if squared and all(squared) and len({s[0] for s in squared if s}) == 1:
        candidates = (squared[0][0],)  # type: ignore[index]
    for loss in candidates:
        try:
            read = read_model(loss=loss, output=loss_argument(total))
            spec = Spec(read.model, T)
        except FormulaSyntaxError as err:
            at = next((k for k, text in forward if err.text and err.text == text), 0)
            return _refused(
                profile, None, f"the notes' model cannot be read: {err.reason}", at, err
            )
        except SpecError as err:
            at = forward[0][0] if forward else 0
            return _refused(profile, None, f"the notes' model cannot be read: {err}", at, err)
        failing = next(
            (
                text
                for (_, text), error in zip(steps, squared, strict=True)
                if not (of_head(error, spec) if error else _holds(text, spec, profile))
            ),
            "",
        )
        if not failing:
            said = read.said if not steps else (*read.said, "the notes' step loss holds in it")
            return spec, said, ""
    of = loss_of_one(failing, texts)
    if of is not None and read.model.head.loss != "cross-entropy":
        try:
            generic = read_model(output=of)
        except (FormulaSyntaxError, SpecError):
            generic = None
        if generic is not None and generic.model.head.loss == "generic":
            said = (
                *(s for s in generic.said if "no step loss is marked" not in s),
                f"the notes' step loss {' '.join(failing.split())} is not read: the model has "
                "any loss "
                f"of the quantity it is of; a formula that holds for every loss holds for "
                "theirs, one that does not and speaks of the loss is refused",
            )
            return Spec(generic.model, T), said, failing
    why = (
        f"the notes' loss display {compact(failing)} is not read yet, or does not hold in the "
        "model read (no loss symbptt reads makes it hold)"
    )
    return _refused(profile, None, why, next(k for k, text in steps if text == failing))


def _holds(text: str, spec: Spec, profile: Profile) -> bool:
    from symbptt.checker.pipeline import check

    try:
        return check(text, model=spec, notation=profile).holds
    except (FormulaSyntaxError, SpecError):
        return False


def _with_limits(profile: Profile, total: TotalLoss, conventions: Conventions) -> Profile:
    """The profile with the horizon's letter and the first step that the total loss's
    sum writes (``\\sum_{t=1}^{T_x}``), where the conventions do not say otherwise."""
    horizon = profile.horizon
    if (
        total.horizon
        and total.horizon not in horizon
        and re.fullmatch(r"[A-Za-z](_\w+)?|\\[a-z]+", total.horizon)
    ):
        horizon = (*horizon, total.horizon)
    first = profile.first
    if total.first is not None and conventions.get("first") is None:
        first = total.first
    return replace(profile, horizon=horizon, first=first)


def _refused(
    profile: Profile | None,
    layout: str | None,
    why: str,
    at: int,
    err: FormulaSyntaxError | SpecError | None = None,
) -> NotesSetting:
    return NotesSetting(None, profile, layout, (), why, (at, err or SpecError(why)))


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
        sides = top_level_split(text)
        if len(sides) < 2:
            raise FormulaSyntaxError("a definition is NAME := FORMULA (or NAME = FORMULA)")
        before, after = sides[0], "=".join(sides[1:])
    rest = top_level_split(after)
    meaning, claims = rest[0], rest[1:]
    name = re.sub(r"\\(?:quad|qquad|,|;|:|!)(?![A-Za-z])|\\text\{[^{}]*\}", " ", before)
    name = " ".join(name.split()).strip(" ,.;")
    try:
        pattern_of(name)
    except ValueError as err:
        raise FormulaSyntaxError(f"{err}: got {name!r}") from None
    meaning = meaning.strip().rstrip(",.;")
    parse_vector(meaning, expression=True, model=spec.model, profile=profile)
    defined = replace(profile, definitions=(*profile.definitions, (name, meaning)))
    claim = "=".join([meaning, *claims]) if claims else None
    return defined, name, claim
