"""symbptt verify: every check of the derivation."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from symbptt import __version__
from symbptt.cli.app import main
from symbptt.cli.options import SEED, _Progress, method_option, quiet_option, spec_options


@main.command("verify")
@spec_options
@method_option
@click.option(
    "--seed",
    type=SEED,
    default=0,
    show_default=True,
    help="Seed of the modular method and of counterexample search.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@quiet_option
def verify_command(
    spec: Any,
    method: str,
    seed: int,
    as_json: bool,
    quiet: bool,
) -> None:
    """Check every step of the BPTT derivation for T steps.

    For every model: the backward program derived from the model's equations, entry by
    entry for every gradient; dh_t/dh_0 as a chain of Jacobians; every form of the
    chain-rule expansion of dh_T/dP (note 000, eqns 6-10) and the sum of products of
    Jacobians for dh_t/dP, every t <= T, for each parameter P of the state; all against
    forward-mode differentiation of the unrolled model (and SymPy's for T <= 3). The
    scalar model adds the seeds' formulas: the one-step partials, the boxed formula, the
    loss decomposition (eqns 4-5) and the backward recursion of question 002. With
    --model elman: W_hh, W_xh, b_h, W_hy, b_y, h_0 and w_h = [W_xh W_hh]^T. With --cell
    FILE: the cell a TOML file's [cell] table declares. Exit 0 if all hold, 1 if any
    fails.
    """
    from symbptt.verifier.run import verify

    report = verify(spec, method=method, seed=seed, progress=_Progress(quiet))
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else format_report(report))
    sys.exit(0 if report.holds else 1)


def format_report(report: Any) -> str:
    """The report as a plain-text table with notes."""
    rows = [
        (
            c.name,
            "modular" if "modular" in c.method else "exact",
            "holds" if c.holds else "FAILS",
            f"{c.seconds:.3f} s",
            str(c.comparisons),
        )
        for c in report.checks
    ]
    header = ("check", "method", "result", "time", "comparisons")
    widths = [max(len(r[n]) for r in rows + [header]) for n in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [
        f"symbptt {__version__}: {report.spec.describe()}",
        line.format(*header),
        line.format(*("-" * w for w in widths)),
    ]
    out += [line.format(*row) for row in rows]
    out.append("")
    out.append(f"method: {report.method}")
    if report.method_reason:
        out.append(f"  ({report.method_reason})")
    out.append(f"reference: {report.reference_method}")
    bound = max((c.error_bound for c in report.checks), default=0.0)
    if "modular" in report.method:
        out.append(f"error bound: each 'holds' is wrong with probability < {bound:.1e}")
    for c in report.failures:
        out.append(f"FAILED {c.name}: first failure at {c.failure}")
        if c.counterexample:
            out.append("  counterexample " + c.counterexample.describe())
    out.append(
        "all checks hold"
        if report.holds
        else f"{len(report.failures)} of {len(report.checks)} checks fail"
    )
    return "\n".join(out)
