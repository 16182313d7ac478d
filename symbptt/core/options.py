"""The options that describe a model, as the command line, spec files, notation profiles
and the Python API spell them (``--model elman --activation tanh --step-loss
cross-entropy ...``): their defaults, the values each takes, and which models take them.
Data only: :mod:`symbptt.cells.choose` builds the model they name.
"""

from __future__ import annotations

from typing import Any

from symbptt.core.losses import LOSSES, REDUCTIONS
from symbptt.core.primitives import ACTIVATIONS

#: The gated cells, as ``--model`` names them.
GATED = ("lstm", "gru")
#: The GRU's variants (``--gru-variant``): torch.nn.GRU's and Cho et al.'s (d2l's), each
#: a cell file of its own (gru-torch.toml, gru-cho.toml).
VARIANTS = ("torch", "cho")

#: The kinds of model an option set can name (``--model``).
MODEL_KINDS = ("scalar", "elman", *GATED)

#: Every option and its default, in the command line's spelling with '_' for '-'
#: (``reduction`` is ``--loss``).
DEFAULTS: dict[str, Any] = {
    "model": "scalar",
    "T": 4,
    "activation": "generic",
    "output_activation": "generic",
    "reduction": "mean",
    "step_loss": "generic",
    "h0": "symbol",
    "hidden": 3,
    "inputs": 1,
    "outputs": 1,
    "gru_variant": None,
}

#: The values each option with a fixed set of them takes (the command line's choices and
#: what a profile's [profile.model] may say).
CHOICES: dict[str, tuple[str, ...]] = {
    "model": MODEL_KINDS,
    "activation": tuple(ACTIVATIONS),
    "output_activation": tuple(ACTIVATIONS),
    "reduction": tuple(REDUCTIONS),
    "step_loss": tuple(LOSSES),
    "h0": ("symbol", "zero"),
}

#: A profile's [profile.model] key -> the option it sets (its keys are the command
#: line's: ``loss`` is ``--loss``, the reduction).
PROFILE_KEYS = {
    "model": "model",
    "activation": "activation",
    "output_activation": "output_activation",
    "step_loss": "step_loss",
    "loss": "reduction",
    "h0": "h0",
    "hidden": "hidden",
    "inputs": "inputs",
    "outputs": "outputs",
}
#: The options that only some models take (a profile's value is skipped for the others).
TAKEN_BY = {
    "activation": ("scalar", "elman"),
    "h0": ("scalar", *GATED),
    "hidden": ("elman", *GATED),
    "inputs": ("elman", *GATED),
    "outputs": ("elman", *GATED),
}


def flag(option: str) -> str:
    """An option as the command line spells it: ``--step-loss``, ``--loss`` (the
    reduction)."""
    return "--loss" if option == "reduction" else f"--{option.replace('_', '-')}"
