"""The model that a set of options names: the scalar RNN of the seeds, the Elman RNN or a
gated cell, with its activations, loss and sizes.

The command line and the Python API describe a model by the same options (``--model
elman --activation tanh --step-loss cross-entropy ...``); a notation profile's
``[profile.model]`` table holds the options of the model its source describes, so that
``pdf --notation goodfellow`` prints Goodfellow et al.'s network (tanh, softmax
cross-entropy, summed) and not the seeds' scalar one. Options given explicitly win over
the profile's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from symbptt import limits
from symbptt.cells.gated import GATED
from symbptt.core.losses import CONCRETE_LOSSES, H0_CHOICES, LOSSES, REDUCTIONS
from symbptt.core.options import CHOICES, DEFAULTS, MODEL_KINDS, PROFILE_KEYS, TAKEN_BY, flag
from symbptt.core.primitives import ACTIVATIONS
from symbptt.core.spec import BUILDERS, Spec, options_of, require_count
from symbptt.errors import SpecError, choose_from


def RNNSpec(  # noqa: N802 (the public name of a factory that was a class)
    T: int,
    activation: str = "generic",
    output_activation: str = "generic",
    loss: str = "generic",
    reduction: str = "mean",
    h0: str = "symbol",
) -> Spec:
    """The seeds' scalar RNN for T steps (validated):

        s_t = w h_{t-1} + v x_t,   h_t = phi(s_t),   yhat_t = theta(h_t),
        l_t = l(yhat_t, d_t),      L = (1/T) sum_t l_t  (reduction "mean") or the sum.

    Args:
        T: number of time steps, 1 <= T <= :data:`symbptt.limits.MAX_T`.
        activation: phi, the hidden activation (a key of ``ACTIVATIONS``).
        output_activation: theta, the output activation.
        loss: the per-step loss l: ``"generic"`` (an unknown function) or ``"squared"``.
        reduction: ``"mean"`` (default, L = (1/T) sum l_t) or ``"sum"``.
        h0: ``"symbol"`` (h_0 a given symbol) or ``"zero"``.

    Raises:
        SpecError: on any value outside the documented choices.

    Example:
        >>> RNNSpec(T=3, activation="tanh").activation
        'tanh'
    """
    from symbptt import cells

    require_count("T", T, limits.MAX_T)
    choose_from("activation", activation, ACTIVATIONS)
    choose_from("output activation", output_activation, ACTIVATIONS)
    choose_from("loss", loss, LOSSES)
    if loss == "cross-entropy":
        raise SpecError(
            "the cross-entropy loss needs the vector model with several outputs "
            "(--model elman --outputs K)"
        )
    choose_from("loss reduction", reduction, REDUCTIONS)
    choose_from("h0 choice", h0, H0_CHOICES)
    options = dict(
        activation=activation,
        output_activation=output_activation,
        loss=loss,
        reduction=reduction,
        h0=h0,
    )
    return Spec(cells.declare("scalar", **options), T, options_of({"T": T, **options}))


def ElmanSpec(  # noqa: N802 (the public name of a factory that was a class)
    hidden: int,
    T: int,
    inputs: int = 1,
    outputs: int = 1,
    activation: str = "tanh",
    output_activation: str = "identity",
    loss: str = "squared",
    reduction: str = "mean",
) -> Spec:
    """The vector Elman RNN for T steps (validated), with hidden size n, input size m
    and output size k:

        s_t = W_xh x_t + W_hh h_{t-1} + b_h,   h_t = phi(s_t)  (elementwise)
        z_t = W_hy h_t + b_y,                   o_t = theta(z_t) (elementwise)
        l_t = l(o_t, d_t),                      L = (1/T) sum_t l_t  (or the sum)

    Example:
        >>> ElmanSpec(hidden=3, T=4).shape("W_xh")
        (3, 1)
    """
    from symbptt import cells

    for name, value, top in (
        ("hidden", hidden, limits.MAX_SIZE),
        ("T", T, limits.MAX_T_VECTOR),
        ("inputs", inputs, limits.MAX_SIZE),
        ("outputs", outputs, limits.MAX_SIZE),
    ):
        require_count(name, value, top)
    choose_from("activation", activation, ACTIVATIONS)
    choose_from("output activation", output_activation, ACTIVATIONS)
    choose_from("loss", loss, CONCRETE_LOSSES)
    choose_from("loss reduction", reduction, REDUCTIONS)
    options = dict(
        hidden=hidden,
        inputs=inputs,
        outputs=outputs,
        activation=activation,
        output_activation=output_activation,
        loss=loss,
        reduction=reduction,
    )
    return Spec(cells.declare("elman", **options), T, options_of({"T": T, **options}))


BUILDERS.update(scalar=RNNSpec, elman=ElmanSpec)


@dataclass(frozen=True)
class CellSource:
    """A ``[cell]`` table and where it was read (a spec file's path and text, so that
    errors in its equations point into the file)."""

    table: Any
    where: str
    source: str = ""


#: What a user's cell takes of the options (its sizes and initial states are its own).
_CELL_TAKES = ("T", "activation", "output_activation", "reduction", "step_loss")


def build_spec(
    *,
    cell: CellSource | None = None,
    given: Collection[str] | None = None,
    spell: Callable[[str], str] = flag,
    **options: Any,
) -> Spec:
    """The model of ``options`` (the keys of :data:`DEFAULTS`; a missing one takes its
    default): the scalar model, the Elman model or a gated cell, or with ``cell`` the
    user's cell (phi and theta in its equations are ``activation`` and
    ``output_activation``). The one way a model is built: the command line, spec files,
    notation profiles and the Python API all come here. A vector model's generic step
    loss is the squared loss.

    ``given`` are the options the user set (default: every key of ``options``): one the
    chosen model does not take is refused, even at its default value; ``spell`` names
    an option as the user wrote it (``--hidden``; in a spec file ``[model] hidden``).

    Raises:
        SpecError: an unknown option or value, or one the chosen model does not take
            (--activation of a gated cell, whose gates are sigma and tanh; --hidden of a
            cell, whose sizes are its own).
    """
    from symbptt.cells.gated import gated_spec

    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise SpecError(f"unknown model options: {', '.join(sorted(unknown))}")
    o = {**DEFAULTS, **options}
    set_ = set(options) if given is None else set(given)
    if cell is not None:
        return _cell_spec(cell, o, set_, spell)
    kind = o["model"]
    choose_from("model", kind, model_kinds())
    if kind not in MODEL_KINDS:  # a cell file of the package, found by its name
        return shipped_cell_spec(kind, o, set_, spell)
    if o["gru_variant"] is not None and kind != "gru":
        raise SpecError(f"{spell('gru_variant')} applies to --model gru")
    for option, takers in TAKEN_BY.items():  # a value the model would silently ignore
        if option == "activation" or kind in takers:
            continue
        if option in set_ or o[option] != DEFAULTS[option]:
            raise SpecError(f"{spell(option)} applies to --model {', '.join(takers)}, not {kind}")
    common = dict(
        T=o["T"],
        activation=o["activation"],
        output_activation=o["output_activation"],
        reduction=o["reduction"],
    )
    loss = "squared" if o["step_loss"] == "generic" else o["step_loss"]
    sizes = dict(hidden=o["hidden"], inputs=o["inputs"], outputs=o["outputs"])
    if kind == "elman":
        return ElmanSpec(**sizes, loss=loss, **common)
    if kind in GATED:
        if o["activation"] != "generic":
            raise SpecError(
                f"--activation is phi of the scalar and Elman models; the {kind.upper()}'s "
                "gates are sigma and tanh (--output-activation is its head's theta)"
            )
        return gated_spec(
            kind,
            T=o["T"],
            **sizes,
            output_activation=o["output_activation"],
            loss=loss,
            reduction=o["reduction"],
            initial="parameter" if o["h0"] == "symbol" else "zero",
            variant=o["gru_variant"] or "torch",
        )
    return RNNSpec(loss=o["step_loss"], h0=o["h0"], **common)


def model_kinds() -> tuple[str, ...]:
    """What ``--model`` names: the scalar and Elman models, the gated cells, and every
    other cell file of :mod:`symbptt.cells` by its name (a file dropped there is a
    model: ``--model peephole-lstm``)."""
    from symbptt import cells

    named = {"scalar", "elman", "lstm", "gru-torch", "gru-cho"}
    return (*MODEL_KINDS, *(name for name in cells.names() if name not in named))


#: A command-line option -> the option a cell file names it by (``--step-loss`` is the
#: cell's ``loss``; ``--h0`` its initial state, spelled ``h0`` or ``initial``).
_CELL_OPTION = {
    "hidden": "hidden",
    "inputs": "inputs",
    "outputs": "outputs",
    "activation": "activation",
    "output_activation": "output_activation",
    "step_loss": "loss",
    "reduction": "reduction",
}
#: The options of _CELL_OPTION that are a user's [cell]'s settings (its sizes are its own).
_CELL_SETTINGS = ("activation", "output_activation", "step_loss", "reduction")


def shipped_cell_spec(
    name: str, o: dict[str, Any], given: set[str], spell: Callable[[str], str]
) -> Spec:
    """A cell file of the package with the options the user gave (``given``) that it
    takes (:func:`symbptt.cells.options`); the others keep the file's own defaults, and
    one it does not take is refused.

    Raises:
        SpecError: an option the cell does not take, or a value it cannot have.
    """
    from symbptt import cells

    takes = cells.options(name)
    chosen: dict[str, Any] = {}
    for option in DEFAULTS:
        if option in ("model", "T") or (option not in given and o[option] == DEFAULTS[option]):
            continue
        value = o[option]
        target = _CELL_OPTION.get(option)
        if option == "h0":
            target = "h0" if "h0" in takes else "initial"
            value = value if target == "h0" else {"symbol": "parameter"}.get(value, value)
        if target not in takes:
            raise SpecError(f"{spell(option)} does not apply to --model {name}")
        chosen[target] = value
    return _cell_file_spec(name, o["T"], chosen)


def _cell_file_spec(name: str, T: int, options: dict[str, Any]) -> Spec:
    """The spec of a cell file of the package with these options, which it keeps (so
    that :meth:`Spec.replace` can rebuild it)."""
    from symbptt import cells

    return Spec(cells.declare(name, **options), T, options_of({"cell": name, "T": T, **options}))


def _rebuild_cell(**options: Any) -> Spec:
    """A built-in cell's spec rebuilt with changed options (:meth:`Spec.replace`): a
    gated cell's by :func:`~symbptt.cells.gated.gated_spec`, another cell file's by its
    name."""
    from symbptt.cells.gated import gated_spec

    if "cell" not in options:
        return gated_spec(**options)
    name, T = options.pop("cell"), options.pop("T")
    return _cell_file_spec(name, T, options)


BUILDERS["cell"] = _rebuild_cell


def _cell_spec(
    cell: CellSource, o: dict[str, Any], given: set[str], spell: Callable[[str], str]
) -> Spec:
    """A user's cell with the options it takes (``o``: every option, defaults filled;
    ``given``: those the user set). A setting the user did not give keeps the cell's own
    default (its ``defaults``, else the language's); one the cell does not take (an
    activation where its equations name no phi) is refused."""
    from symbptt.read.cell import read_cell
    from symbptt.read.cell_options import options_of

    for option, default in DEFAULTS.items():
        if option not in _CELL_TAKES and (option in given or o[option] != default):
            what = "the model" if option == "model" else "its sizes and initial states"
            raise SpecError(
                f"{cell.where}: a [cell] declares {what}; {spell(option)} does not apply to it"
            )
    takes = options_of(cell.table, cell.where) if isinstance(cell.table, dict) else {}
    settings: dict[str, Any] = {}
    for option in _CELL_SETTINGS:
        setting = _CELL_OPTION[option]
        if option not in given:
            continue  # the cell's own default (a caller's default is not the user's)
        if setting not in takes:
            raise SpecError(
                f"{cell.where}: {spell(option)} does not apply to this cell (its equations "
                f"name no {'phi' if setting == 'activation' else 'theta'})"
            )
        value = o[option]
        if setting == "output_activation" and value == "generic":
            value = "identity"
        if setting == "loss" and value == "generic":
            value = "squared"
        settings[setting] = value
    declaration = read_cell(cell.table, where=cell.where, source=cell.source, **settings)
    return Spec(declaration, T=o["T"])


#: A spec file's [model] keys: the options' names as the command line spells them
#: (``loss`` is ``--loss``, the reduction; ``reduction`` is another name for it).
FILE_KEYS = {**PROFILE_KEYS, "T": "T", "gru_variant": "gru_variant", "reduction": "reduction"}


def options_from_table(table: dict[str, Any], where: str) -> dict[str, Any]:
    """The model options a spec file's ``[model]`` table gives (its keys are the command
    line's option names, :data:`FILE_KEYS`), checked for unknown keys and for the old
    meaning of ``loss`` (the per-step loss, now ``step_loss``).

    Raises:
        SpecError: an unknown key, ``loss`` and ``reduction`` both, or a step loss
            given as ``loss``; the message names the file and the key.
    """
    unknown = sorted(set(table) - set(FILE_KEYS))
    if unknown:
        raise SpecError(
            f"{where}: [model] has unknown key {unknown[0]!r}; expected: {', '.join(FILE_KEYS)}"
        )
    if "loss" in table and "reduction" in table:
        raise SpecError(f"{where}: [model] loss and reduction are one key (the reduction)")
    loss = table.get("loss")
    if isinstance(loss, str) and loss not in CHOICES["reduction"] and loss in LOSSES:
        raise SpecError(
            f"{where}: [model] loss is the reduction (mean or sum), as --loss; the per-step "
            f'loss is step_loss = "{loss}"'
        )
    out: dict[str, Any] = {}
    for key, value in table.items():
        option = FILE_KEYS[key]
        choices = model_kinds() if option == "model" else CHOICES.get(option)
        if choices is not None and value not in choices:
            raise SpecError(f"{where}: [model] {key} must be one of: {', '.join(choices)}")
        out[option] = value
    return out


def with_profile(
    options: dict[str, Any], model: dict[str, Any], given: set[str]
) -> tuple[dict[str, Any], list[str]]:
    """``options`` with a profile's ``[profile.model]`` values in place of the defaults:
    an option in ``given`` (set explicitly) is kept, and a value the chosen model does
    not take (the activation of an LSTM) is skipped. Returns the options and the
    command-line spelling of what the profile set (``--model elman``), for a note."""
    out = dict(options)
    if "model" in model and "model" not in given:
        out["model"] = model["model"]
    kind = out.get("model", DEFAULTS["model"])
    said = []
    for key, value in model.items():
        name = PROFILE_KEYS[key]
        if name in given or kind not in TAKEN_BY.get(name, MODEL_KINDS):
            continue
        out[name] = value
        said.append(f"--{key.replace('_', '-')} {value}")
    return out, said
