"""The gated cells by name, as the command line and spec files choose them
(``--model lstm|gru``, ``--gru-variant torch|cho``): a checked spec of the declaration
(the cell files lstm.toml, gru-torch.toml, gru-cho.toml of :mod:`symbptt.cells`) for T
steps."""

from __future__ import annotations

from symbptt import limits
from symbptt.core.losses import CONCRETE_LOSSES, REDUCTIONS
from symbptt.core.options import GATED, VARIANTS
from symbptt.core.primitives import ACTIVATIONS
from symbptt.core.spec import BUILDERS, Spec, options_of, require_count
from symbptt.errors import SpecError, choose_from

__all__ = ["GATED", "VARIANTS", "gated_spec"]


def gated_spec(
    name: str,
    *,
    T: int,
    hidden: int,
    inputs: int = 1,
    outputs: int = 1,
    output_activation: str = "identity",
    loss: str = "squared",
    reduction: str = "mean",
    initial: str = "parameter",
    variant: str = "torch",
) -> Spec:
    """The LSTM or GRU of these sizes, head and loss, for T steps.

    Raises:
        SpecError: an unknown cell, variant, size, activation, loss or initial state.
    """
    from symbptt import cells

    choose_from("gated cell", name, GATED)
    for what, value in (("hidden", hidden), ("inputs", inputs), ("outputs", outputs)):
        require_count(what, value, limits.MAX_SIZE)
    choose_from("output activation", output_activation, ACTIVATIONS)
    choose_from("loss", loss, CONCRETE_LOSSES)
    choose_from("loss reduction", reduction, REDUCTIONS)
    choose_from("initial state", initial, ("parameter", "zero"))
    sizes = dict(hidden=hidden, inputs=inputs, outputs=outputs)
    common = dict(output_activation=output_activation, loss=loss, reduction=reduction)
    if name == "lstm":
        if variant != "torch":
            raise SpecError("the GRU variant (torch or cho) is for the GRU only")
        model = cells.declare("lstm", **sizes, **common, initial=initial)
    else:
        choose_from("GRU variant", variant, VARIANTS)
        model = cells.declare(f"gru-{variant}", **sizes, **common, initial=initial)
    options = dict(name=name, T=T, **sizes, **common, initial=initial, variant=variant)
    return Spec(model, T, options_of(options))


BUILDERS["cell"] = gated_spec
