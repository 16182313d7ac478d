"""symbptt codegen and crosscheck: NumPy code, and PyTorch as an outside witness."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import click

from ..core.losses import LOSS_TABLE
from ..core.primitives import NUMPY_PRIMITIVES
from ..engine.model import ElmanSpec
from ..model import REDUCTIONS
from ..models.gated import GATED, gated_spec
from .app import (
    main,
)
from .options import (
    FORCE_HELP,
    SEED,
    _choice,
    _size,
    _text_target,
    _write_text,
    cell_spec,
    gru_variant_option,
    variant_for,
)


@main.command("crosscheck")
@_size("--hidden", 4, "Hidden size n.")
@click.option(
    "-T",
    "T",
    type=click.IntRange(1, 200),
    default=10,
    show_default=True,
    help="Number of time steps.",
)
@_size("--inputs", 3, "Input size m.")
@_size("--outputs", 2, "Output size k.")
@click.option(
    "--seed", type=SEED, default=0, show_default=True, help="Seed of the random weights and data."
)
@click.option(
    "--loss",
    "reduction",
    type=click.Choice(list(REDUCTIONS)),
    default="mean",
    show_default=True,
    help="Mean or sum of the per-step losses.",
)
@_choice(
    "--step-loss",
    LOSS_TABLE,
    "squared",
    "Per-step loss: squared, or the softmax cross-entropy with a class index per step "
    "(torch.nn.functional.cross_entropy).",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0.0),
    default=1e-10,
    show_default=True,
    help="Largest accepted absolute difference.",
)
@_choice(
    "--model",
    ("elman", *GATED),
    "elman",
    "torch.nn.RNN (tanh), torch.nn.LSTM, or the GRU (--gru-variant), each with a Linear head.",
)
@gru_variant_option
def crosscheck_command(
    hidden: int,
    T: int,
    inputs: int,
    outputs: int,
    seed: int,
    reduction: str,
    step_loss: str,
    tolerance: float,
    model: str,
    gru_variant: str | None,
) -> None:
    """Compare symbptt's gradients with PyTorch autograd (float64).

    Loads random weights into torch.nn.RNN (tanh), torch.nn.LSTM or torch.nn.GRU (Cho
    et al.'s GRU: written out in torch operations) and a Linear output layer, and prints
    the largest difference per parameter. Exit 1 if any exceeds the tolerance.
    Needs PyTorch: pip install 'symbptt[crosscheck]'.
    """
    import math

    from ..engine.crosscheck import crosscheck

    if not math.isfinite(tolerance):
        raise click.BadParameter(f"{tolerance} is not a finite number", param_hint="--tolerance")
    variant = variant_for(model, gru_variant)
    sizes = dict(hidden=hidden, T=T, inputs=inputs, outputs=outputs, reduction=reduction)
    if model in GATED:
        spec: Any = gated_spec(model, **sizes, loss=step_loss, variant=variant)
    else:
        spec = ElmanSpec(**sizes, loss=step_loss)
    result = crosscheck(spec, seed=seed, tolerance=tolerance)
    click.echo(f"symbptt vs PyTorch autograd (float64): {spec.describe()}, seed {seed}")
    for name, diff in result.differences.items():
        mark = "ok" if diff <= tolerance else "EXCEEDS"
        click.echo(f"  dL/d{name:<5} largest difference {diff:.2e}  {mark}")
    click.echo("agree within tolerance" if result.agrees else f"disagree (tolerance {tolerance:g})")
    sys.exit(0 if result.agrees else 1)


@main.command("codegen")
@_choice("--activation", NUMPY_PRIMITIVES, "tanh", "phi, the hidden activation.")
@_choice("--output-activation", NUMPY_PRIMITIVES, "identity", "theta, the output activation.")
@_choice("--loss", REDUCTIONS, "mean", "Mean or sum of the per-step losses.", "reduction")
@_choice(
    "--step-loss",
    LOSS_TABLE,
    "squared",
    "Per-step loss: squared, or the softmax cross-entropy (D then holds one-hot rows).",
)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Python file to write ('-': standard output).",
)
@click.option(
    "--cell",
    type=click.Path(dir_okay=False),
    default=None,
    help="Generate code for the cell a TOML file's [cell] table declares.",
)
@_choice(
    "--model",
    ("elman", *GATED),
    "elman",
    "The model: the Elman RNN, torch.nn.LSTM's cell, or the GRU (--gru-variant).",
)
@gru_variant_option
@click.option("--force", is_flag=True, help=FORCE_HELP)
def codegen_command(
    activation: str,
    output_activation: str,
    reduction: str,
    step_loss: str,
    output: str,
    cell: str | None,
    model: str,
    gru_variant: str | None,
    force: bool,
) -> None:
    """Generate NumPy code for the vector model's (or your cell's) gradients.

    The module defines gradients(params, X, D) -> (L, grads) for any sizes and T. Its
    forward pass is compiled from the model's equations and its backward pass from the
    same program that `verify` checks; before writing, that program is verified exactly
    (the Elman model at n = m = k = 2, T = 3; a cell at its declared sizes and the
    largest T <= 3 the exact method takes, else modular; the LSTM and the GRU at
    n = m = k = 2, T = 3, exactly where their limits allow, else modular) with the chosen
    activations (exit 1, nothing written, if it failed).
    """
    from ..engine.codegen import numpy_source, verification_spec
    from ..engine.verify import verify_vector

    target = _text_target(output, "Python module", force)
    variant = variant_for(model, gru_variant)
    if cell is not None and model != "elman":
        raise click.UsageError("--cell declares the model; leave out --model")
    if model in GATED:
        spec = gated_spec(
            model,
            T=3,
            hidden=2,
            inputs=2,
            outputs=2,
            output_activation=output_activation,
            loss=step_loss,
            reduction=reduction,
            variant=variant,
        )
    elif cell is None:
        spec = verification_spec(activation, output_activation, reduction, step_loss)
    else:
        spec = cell_spec(cell, "scalar", 3, activation, output_activation, reduction, step_loss)
        while spec.T > 1 and spec.exact_refusal() is not None:
            spec = dataclasses.replace(spec, T=spec.T - 1)
    source = numpy_source(spec)
    method = "exact" if spec.exact_refusal() is None else "modular"
    report = verify_vector(spec, method=method)
    if not report.holds:
        raise click.ClickException("the backward recursion failed verification; nothing written")
    _write_text(target, source)
    if target is not None:
        click.echo(
            f"wrote {output} (backward recursion verified, {report.method}: "
            f"{spec.describe()}, {len(report.checks)} checks)"
        )
