"""symbptt codegen and crosscheck: NumPy code, and PyTorch as an outside witness."""

from __future__ import annotations

import sys
from typing import Any

import click

from symbptt.cli.app import main
from symbptt.cli.options import (
    FORCE_HELP,
    SEED,
    _choice,
    _given,
    _Progress,
    _size,
    _text_target,
    _write_text,
    file_cell_spec,
    gru_variant_option,
    quiet_option,
)
from symbptt.core.losses import CONCRETE_LOSSES, REDUCTIONS
from symbptt.core.options import GATED
from symbptt.core.primitives import NUMPY_PRIMITIVES
from symbptt.errors import SpecError


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
    CONCRETE_LOSSES,
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
@quiet_option
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
    quiet: bool,
) -> None:
    """Compare symbptt's gradients with PyTorch autograd (float64).

    Loads random weights into torch.nn.RNN (tanh), torch.nn.LSTM or torch.nn.GRU (Cho
    et al.'s GRU: written out in torch operations) and a Linear output layer, and prints
    the largest difference per parameter, decided from rigorous interval enclosures
    of symbptt's gradients (the precision raised until they decide). Exit 0 if every
    gradient agrees within the tolerance, 1 if one certainly exceeds it, 4 if the
    comparison is inconclusive (an enclosure still reaches both sides of the tolerance
    at the highest precision), 2 if the sizes are beyond the work limit.
    Needs PyTorch: on a machine without a GPU, pip install torch --index-url
    https://download.pytorch.org/whl/cpu (the CPU build; plain pip install torch
    downloads a CUDA build of several GB), then pip install 'symbptt[crosscheck]'.
    """
    import math

    from symbptt.codegen.crosscheck import crosscheck

    if not math.isfinite(tolerance):
        raise click.BadParameter(f"{tolerance} is not a finite number", param_hint="--tolerance")
    from symbptt.cells.choose import build_spec

    try:  # torch.nn.RNN's activation is tanh; the gated cells' gates are sigma and tanh
        spec = build_spec(
            model=model,
            gru_variant=gru_variant,
            activation="tanh" if model == "elman" else "generic",
            output_activation="identity",
            hidden=hidden,
            T=T,
            inputs=inputs,
            outputs=outputs,
            reduction=reduction,
            step_loss=step_loss,
        )
    except SpecError as err:
        raise click.UsageError(str(err)) from None
    result = crosscheck(spec, seed=seed, tolerance=tolerance, progress=_Progress(quiet))
    click.echo(f"symbptt vs PyTorch autograd (float64): {spec.describe()}, seed {seed}")
    for name, diff in result.differences.items():
        mark = (
            "EXCEEDS"
            if name in result.disagreeing
            else "UNDECIDED"
            if name in result.undecided
            else "ok"
        )
        click.echo(f"  dL/d{name:<5} largest difference {diff:.2e}  {mark}")
    if result.agrees:
        click.echo("agree within tolerance")
        sys.exit(0)
    if result.inconclusive:
        click.echo(
            f"inconclusive: at {result.precision} bits the interval enclosures of "
            f"{', '.join(result.undecided)} (up to {result.width:.1e} wide) reach both "
            f"within and beyond the tolerance {tolerance:g}"
        )
        sys.exit(4)
    click.echo(f"disagree (tolerance {tolerance:g})")
    sys.exit(1)


@main.command("codegen")
@_choice("--activation", NUMPY_PRIMITIVES, "tanh", "phi, the hidden activation.")
@_choice("--output-activation", NUMPY_PRIMITIVES, "identity", "theta, the output activation.")
@_choice("--loss", REDUCTIONS, "mean", "Mean or sum of the per-step losses.", "reduction")
@_choice(
    "--step-loss",
    CONCRETE_LOSSES,
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
@quiet_option
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
    quiet: bool,
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
    from symbptt.codegen.source import numpy_source
    from symbptt.verifier.run import verify_vector

    target = _text_target(output, "Python module", force)
    options = dict(
        activation=activation,
        output_activation=output_activation,
        reduction=reduction,
        step_loss=step_loss,
    )
    spec = _codegen_spec(model, gru_variant, cell, options)
    source = numpy_source(spec)
    report = verify_vector(spec, method="auto", progress=_Progress(quiet))
    if not report.holds:
        raise click.ClickException("the backward recursion failed verification; nothing written")
    _write_text(target, source)
    if target is not None:
        click.echo(
            f"wrote {output} (backward recursion verified, {report.method}: "
            f"{spec.describe()}, {len(report.checks)} checks)"
        )


def _codegen_spec(
    model: str, gru_variant: str | None, cell: str | None, options: dict[str, Any]
) -> Any:
    """The model at which codegen verifies the recursion it compiles before writing code
    for any sizes: n = m = k = 2, T = 3 (a cell: its declared sizes, its file's [model]
    keys unless given here, and the largest T <= 3 the exact method takes)."""
    from symbptt.cells.choose import build_spec

    given = _given({**options, "model": model})
    if cell is not None:  # at T = 3 at most, whatever the file says
        spec = file_cell_spec(cell, {**options, "T": 3}, given | {"T"})
        while spec.T > 1 and spec.exact_refusal() is not None:
            spec = spec.with_T(spec.T - 1)
        return spec
    sizes: dict[str, Any] = dict(T=3, hidden=2, inputs=2, outputs=2)
    if model in GATED and "activation" not in given:
        options = {**options, "activation": "generic"}  # the gates are sigma and tanh
    try:
        return build_spec(model=model, gru_variant=gru_variant, **sizes, **options)
    except SpecError as err:
        raise click.UsageError(str(err)) from None
