"""The ``symbptt`` command line (click). Only this module talks to the terminal."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click

from . import __version__
from .core.losses import LOSS_TABLE
from .core.primitives import NUMPY_PRIMITIVES
from .errors import (
    EvaluationError,
    FormulaSyntaxError,
    SpecError,
    SymbpttError,
    WorkLimitError,
    excerpt,
)
from .files import atomic_write, plan_output, read_text
from .model import ACTIVATIONS, EXACT_MAX_T, LOSSES, MAX_T, METHOD_NAMES, REDUCTIONS, RNNSpec
from .render import DEFAULT_TITLE, IMMEDIATE_STYLES
from .vector.model import ElmanSpec

DEFAULT_T = 4


def _stack(*options: Any) -> Any:
    """Apply click options in the order written."""

    def apply(func: Any) -> Any:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


def _choice(flag: str, names: Any, default: str, help: str, dest: str | None = None) -> Any:
    """An option that takes one of the names of a table."""
    decls = (flag, dest) if dest else (flag,)
    return click.option(
        *decls, type=click.Choice(list(names)), default=default, show_default=True, help=help
    )


#: The options that choose the model, shared by every command.
model_options = _stack(
    click.option(
        "-T",
        "T",
        type=click.IntRange(1, MAX_T),
        default=DEFAULT_T,
        show_default=True,
        help=f"Number of time steps (1..{MAX_T}).",
    ),
    _choice(
        "--activation",
        ACTIVATIONS,
        "generic",
        "phi, the hidden activation (generic: an unknown function).",
    ),
    _choice("--output-activation", ACTIVATIONS, "generic", "theta, the output activation."),
    _choice(
        "--loss",
        REDUCTIONS,
        "mean",
        "L = (1/T) sum_t l_t (mean, note 000) or sum_t l_t (sum, question 002).",
        dest="reduction",
    ),
    _choice(
        "--step-loss",
        LOSSES,
        "generic",
        "l(yhat, d): an unknown function, (yhat - d)^2 / 2, or the softmax cross-entropy "
        "-log softmax(o_t)[y_t] (vector model; the target a class index). The vector model's "
        "default is squared.",
    ),
    _choice("--h0", ["symbol", "zero"], "symbol", "h_0 as a given symbol, or 0."),
)

#: How equality is decided, for every command that decides it.
method_option = _choice(
    "--method",
    METHOD_NAMES,
    "exact",
    f"exact: canonical polynomial forms, deterministic (T <= {EXACT_MAX_T}). modular: "
    "evaluation modulo a random 127-bit prime (Schwartz-Zippel; 'differ' is certain, "
    "'equal' has a stated error bound).",
)


def model_spec(
    model: str,
    T: int,
    activation: str,
    output_activation: str,
    reduction: str,
    step_loss: str,
    h0: str,
    hidden: int,
    inputs: int,
    outputs: int,
    cell: str | None = None,
) -> Any:
    """The scalar RNNSpec or, for ``--model elman``, the vector ElmanSpec (--h0 is the
    scalar model's; the vector model's step loss is squared unless cross-entropy is
    chosen). Errors are usage errors (exit 2)."""
    common = dict(
        T=T, activation=activation, output_activation=output_activation, reduction=reduction
    )
    if cell is not None:  # errors in the user's file are theirs, not the options'
        return cell_spec(cell, model, T, activation, output_activation, reduction, step_loss)
    try:
        if model == "elman":
            loss = "squared" if step_loss == "generic" else step_loss
            return ElmanSpec(hidden=hidden, inputs=inputs, outputs=outputs, loss=loss, **common)
        return RNNSpec(loss=step_loss, h0=h0, **common)
    except SymbpttError as err:
        raise click.UsageError(str(err)) from None


def cell_spec(
    path: str,
    model: str,
    T: int,
    activation: str,
    output_activation: str,
    reduction: str,
    step_loss: str,
) -> Any:
    """The CellSpec of a spec file's ``[cell]`` table (--cell FILE); \\phi and \\theta
    in its equations are the --activation and --output-activation."""
    from .files import read_text, read_toml
    from .models.cell import read_cell
    from .vector.model import CellSpec

    if model != "scalar":
        raise click.UsageError("--cell declares the model; leave out --model")
    data = read_toml(path, what="cell file")
    if "cell" not in data:
        raise SpecError(f"{path}: no [cell] table")
    declaration = read_cell(
        data["cell"],
        where=str(path),
        activation=activation,
        output_activation="identity" if output_activation == "generic" else output_activation,
        loss="squared" if step_loss == "generic" else step_loss,
        reduction=reduction,
        source=read_text(path, what="cell file"),
    )
    return CellSpec(declaration, T=T)


def default_name(spec: Any, suffix: str) -> Path:
    """derivation-T4.pdf, or derivation-elman-n3-T4.pdf for the vector model."""
    if isinstance(spec, ElmanSpec):
        return Path(f"derivation-elman-n{spec.hidden}-T{spec.T}{suffix}")
    return Path(f"derivation-T{spec.T}{suffix}")


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that temporary files and TeX's process group
    are cleaned up on the way out (as for Ctrl-C)."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def exit_status(err: SymbpttError) -> int:
    """The exit status of an error: 1 for a failed check or a fault (TeX, writing), 2 for
    input that cannot be used (bad options, unreadable formulas or files, work beyond the
    limits)."""
    return (
        2
        if isinstance(err, SpecError | FormulaSyntaxError | WorkLimitError | EvaluationError)
        else 1
    )


class OneLineErrors(click.Group):
    """A click group whose errors are one line on stderr: ``Error: ...``, never a
    traceback. Ctrl-C prints "interrupted" (exit 130), SIGTERM "terminated" (143)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        kwargs["standalone_mode"] = False
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            code = super().main(*args, **kwargs)
            _flush_stdout()
            return code
        except click.exceptions.NoArgsIsHelpError as err:
            click.echo(err.format_message())
            _exit(0)
        except click.UsageError as err:
            where = err.ctx.command_path if err.ctx else "symbptt"
            _fail(f"{err.format_message()} (see '{where} --help')", err.exit_code)
        except click.ClickException as err:
            _fail(err.format_message(), err.exit_code)
        except SymbpttError as err:
            _fail(str(err).splitlines()[0] if str(err) else type(err).__name__, exit_status(err))
        except (KeyboardInterrupt, click.Abort):
            _fail("interrupted", 130, prefix="")
        except Terminated:
            _fail("terminated", 143, prefix="")
        except BrokenPipeError:
            _silence_stdout()
            _exit(1)
        except OSError as err:
            # files are read and written through symbptt.files (errors with names); what
            # reaches here without a file name is standard output
            what = err.filename or "standard output"
            _fail(f"cannot write to {what}: {err.strerror or err}", 1)
        except RecursionError:
            _fail("the input nests too deeply to be processed", 2)
        except MemoryError:
            _fail("out of memory", 1)
        except SystemExit:
            raise
        except Exception as err:  # noqa: BLE001 - never a traceback for users
            if os.environ.get("SYMBPTT_DEBUG"):
                raise
            _fail(
                f"internal error ({type(err).__name__}: {err}); please report it "
                f"(SYMBPTT_DEBUG=1 shows the traceback)",
                1,
            )
        finally:
            signal.signal(signal.SIGTERM, previous)


def _flush_stdout() -> None:
    """Flush standard output now, so that a full disk or closed pipe is an error here
    (and not a message from the interpreter at exit)."""
    try:
        sys.stdout.flush()
    except OSError as err:
        _silence_stdout()
        _fail(f"cannot write to standard output: {err.strerror or err}", 1)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _fail(message: str, code: int, prefix: str = "Error: ") -> None:
    try:
        click.echo(f"{prefix}{message}", err=True)
    except OSError:
        pass
    _exit(code)


def _exit(code: int) -> None:
    try:
        sys.stdout.flush()
    except OSError:
        _silence_stdout()
    sys.exit(code)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="symbptt")
def main() -> None:
    """symbptt: machine-checked derivations of backpropagation through time."""


class _Progress:
    """Reports progress on stderr once a run has taken more than a second."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, name: str, done: int, total: int) -> None:
        if time.perf_counter() - self.start > 1.0:
            count = f"{done}/{total}" if total else f"{done}"
            click.echo(f"  [{count}] {name} ...", err=True)


def _size(flag: str, default: int, help: str) -> Any:
    """A vector-model size option (1..64)."""
    return click.option(
        flag, type=click.IntRange(1, 64), default=default, show_default=True, help=help
    )


_ELMAN_SIZES = (
    ("--hidden", 3, "hidden size n"),
    ("--inputs", 1, "input size m"),
    ("--outputs", 1, "output size k"),
)

#: Options choosing the vector (Elman) model instead of the scalar one.
vector_options = _stack(
    _choice(
        "--model",
        ["scalar", "elman"],
        "scalar",
        "scalar: the RNN of the seeds; elman: the vector RNN of note 000 (squared "
        "loss; h_0, the biases and the output layer are parameters).",
    ),
    *(_size(flag, default, f"elman: {what}.") for flag, default, what in _ELMAN_SIZES),
    click.option(
        "--cell",
        type=click.Path(dir_okay=False),
        default=None,
        help="A TOML file whose [cell] table declares your own recurrent cell (equations in "
        "LaTeX, sizes); see derivations/minimal-gated-unit.toml.",
    ),
)

#: The parameters of model_spec, in its order: what spec_options collects.
_SPEC_KEYS = tuple(inspect.signature(model_spec).parameters)


def spec_options(command: Any) -> Any:
    """The model options (scalar and vector), given to the command as one ``spec``
    (an RNNSpec, or an ElmanSpec for --model elman) built by :func:`model_spec`."""

    @functools.wraps(command)
    def with_spec(**kwargs: Any) -> Any:
        values = {key: kwargs.pop(key) for key in _SPEC_KEYS}
        return command(spec=model_spec(**values), **kwargs)

    return model_options(vector_options(with_spec))


@main.command("verify")
@spec_options
@method_option
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the modular method and of counterexample search.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify_command(
    spec: Any,
    method: str,
    seed: int,
    as_json: bool,
) -> None:
    """Check every step of the BPTT derivation for T steps.

    Checks each intermediate form of the chain-rule expansion of dh_t/dw and dh_t/dv
    (note 000, eqns 6-10), the boxed sum-of-products formula, the loss decomposition
    (eqns 4-5) and the backward recursion of question 002 against the true derivative
    of the unrolled model, for every t <= T. With --model elman: the matrix backward
    recursion for every entry of every gradient (W_hh, W_xh, b_h, W_hy, b_y, h_0 and
    w_h = [W_xh W_hh]^T), and the expansion and the sum of products of Jacobians for
    dh_t/dW_hh, dh_t/dW_xh, dh_t/db_h and dh_t/dw_h. Exit 0 if all hold, 1 if any fails.
    """
    if isinstance(spec, RNNSpec):
        from .verify import verify

        report = verify(spec, method=method, seed=seed, progress=_Progress())
    else:
        from .vector.verify import verify_vector

        report = verify_vector(spec, method=method, seed=seed, progress=_Progress())
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


FORCE_HELP = (
    "Replace output files that symbptt did not write (by default only files carrying "
    "symbptt's mark are replaced)."
)

#: Options shared by the commands that write documents.
document_options = _stack(
    method_option,
    click.option(
        "--title",
        default=DEFAULT_TITLE,
        show_default=True,
        help="Document title (printed literally).",
    ),
    click.option("--author", default="", help="Author line (printed literally)."),
    click.option(
        "--immediate-style",
        type=click.Choice(list(IMMEDIATE_STYLES)),
        default="plus",
        show_default=True,
        help="How immediate partials are written: d+h/dw, a bar, or a subscript.",
    ),
    click.option(
        "--template",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Your own template (it may extend base.tex.j2 and override blocks).",
    ),
    click.option(
        "--allow-unverified",
        is_flag=True,
        help="Write the document even if a check fails (the certificate says so).",
    ),
    click.option("--force", is_flag=True, help=FORCE_HELP),
)

#: Shared by the commands that write PDFs.
keep_tex_option = click.option(
    "--keep-tex", is_flag=True, help="Also keep the .tex beside the PDF."
)


def _options(title: str, author: str, immediate_style: str) -> Any:
    """The document options (imported here: only the document commands need them)."""
    from .render.document import DocumentOptions
    from .render.printer import Notation

    return DocumentOptions(title=title, author=author, notation=Notation(immediate=immediate_style))


@main.command("pdf")
@spec_options
@document_options
@click.option(
    "-o",
    "--output",
    help="Where to write the PDF [default: derivation-T<T>.pdf].",
)
@keep_tex_option
def pdf_command(
    spec: Any,
    method: str,
    title: str,
    author: str,
    immediate_style: str,
    template: Path | None,
    allow_unverified: bool,
    force: bool,
    output: str | None,
    keep_tex: bool,
) -> None:
    """Write the checked derivation for T steps as a PDF (needs TeX Live).

    With --model elman, the vector model in matrix notation (exact for n <= 3, T <= 6;
    larger with --method modular). No PDF is written if a check fails (exit 1), unless
    --allow-unverified. An existing file is replaced only if symbptt wrote it (or with
    --force); with --keep-tex the .tex beside it follows the same rule.
    """
    from .build import make_pdf

    result, report = make_pdf(
        spec,
        output if output is not None else default_name(spec, ".pdf"),
        options=_options(title, author, immediate_style),
        method=method,
        template=template,
        keep_tex=keep_tex,
        allow_unverified=allow_unverified,
        force=force,
    )
    state = "all checks hold" if report.holds else "UNVERIFIED: some checks fail"
    click.echo(f"wrote {result.pdf} ({state})")


@main.command("tex")
@spec_options
@document_options
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Where to write the LaTeX source ('-' for standard output).",
)
@click.option(
    "--fragment", is_flag=True, help="Only the body, for \\input into existing lecture notes."
)
def tex_command(
    spec: Any,
    method: str,
    title: str,
    author: str,
    immediate_style: str,
    template: Path | None,
    allow_unverified: bool,
    force: bool,
    output: str,
    fragment: bool,
) -> None:
    """Write the LaTeX source of the checked derivation for T steps (--model elman: the
    vector model in matrix notation)."""
    target = _text_target(output, ".tex", force, inputs=(template,))
    from .build import make_tex

    tex, _ = make_tex(
        spec,
        options=_options(title, author, immediate_style),
        method=method,
        template=template,
        fragment=fragment,
        allow_unverified=allow_unverified,
    )
    _write_text(target, tex)


@main.command("build")
@click.argument("spec_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    help="Where to write the PDF [default: the spec's name with .pdf].",
)
@keep_tex_option
@click.option("--allow-unverified", is_flag=True, help="Write the document even if a check fails.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
def build_command(
    spec_file: Path, output: str | None, keep_tex: bool, allow_unverified: bool, force: bool
) -> None:
    """Build the PDF described by a derivation spec file (TOML, see derivations/)."""
    from .build import make_pdf
    from .specfile import load

    target = output if output is not None else Path(spec_file.with_suffix(".pdf").name)
    loaded = load(spec_file)
    result, report = make_pdf(
        loaded.spec,
        target,
        options=loaded.options,
        method=loaded.method,
        keep_tex=keep_tex,
        allow_unverified=allow_unverified,
        force=force,
        inputs=(spec_file,),
    )
    state = "all checks hold" if report.holds else "UNVERIFIED: some checks fail"
    click.echo(f"wrote {result.pdf} ({state})")


def _text_target(output: str, what: str, force: bool, inputs: tuple = ()) -> Path | None:
    """Where a text output goes: ``None`` for standard output ('-'), else the planned file
    (checked before any work, see :func:`symbptt.files.plan_output`)."""
    return None if output == "-" else plan_output(output, what=what, force=force, inputs=inputs)


def _write_text(target: Path | None, text: str) -> None:
    """Write to stdout (``None``), or atomically to a file planned with plan_output."""
    if target is None:
        click.echo(text, nl=False)
        return
    atomic_write(target, text.encode("utf-8"))


@main.command("check")
@spec_options
@click.argument("equation", required=False)
@click.option(
    "--file",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check every display preceded by a line '% symbptt: check' in this file.",
)
@method_option
def check_command(
    spec: Any,
    equation: str | None,
    file: Path | None,
    method: str,
) -> None:
    """Check a gradient formula written in LaTeX, for every t <= T.

    EQUATION is e.g. '\\frac{\\partial L}{\\partial s_t} = \\frac{\\partial L}{\\partial h_t}
    \\phi'(s_t)'. With --model elman, vector formulas: '\\boldsymbol{\\delta}_t =
    \\operatorname{diag}(\\phi'(\\mathbf{s}_t)) (W_{hy}^\\top \\mathbf{g}_t + W_{hh}^\\top
    \\boldsymbol{\\delta}_{t+1})'. Exit 0 if every formula holds, 1 if one does not, 2 if
    one cannot be parsed or understood (with its line, column and a caret under the spot).
    """
    from .checker import check
    from .limits import require_exact_size
    from .notation.texfile import marked_displays

    if (equation is None) == (file is None):
        raise click.UsageError("give either an EQUATION or --file FILE")
    require_exact_size(spec, method)
    if file is None:
        items = [(equation, "", 1, 1)]
    else:
        source = read_text(file, what="file")
        try:
            displays = marked_displays(source)
        except ValueError as err:
            click.echo(f"Error: {file}: {err}", err=True)
            sys.exit(2)
        if not displays:
            raise click.UsageError(f"{file} has no display marked '% symbptt: check'")
        items = [(d.text, f"{file}:", d.line, d.column) for d in displays]
    worst = 0
    for text, where, line, column in items:
        try:
            result = check(text, model=spec, method=method)
        except FormulaSyntaxError as err:
            worst = 2
            at_line = line + max(err.line, 1) - 1
            at_col = err.column + (column - 1 if err.line <= 1 else 0)
            click.echo(f"{where}{at_line}:{at_col}: error: {err.reason}", err=True)
            shown, caret = excerpt(text, max(err.line, 1), max(err.column, 1))
            click.echo(f"  {shown}\n  {caret}", err=True)
            continue
        except SymbpttError as err:
            worst = max(worst, exit_status(err))
            click.echo(f"{where}{line}: error: {str(err).splitlines()[0]}", err=True)
            continue
        label = f"{where}{line}: " if where else ""
        if result.holds:
            bound = re.search(r"\((the probability[^)]*)\)", result.explanation)
            extra = f"; {bound.group(1)}" if bound else ""
            click.echo(f"{label}holds for t = 1..{spec.T} ({result.method}{extra})")
        else:
            worst = max(worst, 1)
            click.echo(f"{label}does NOT hold ({result.method}): {result.explanation}")
            if result.counterexample:
                click.echo("  counterexample " + result.counterexample.describe())
        for warning in result.warnings:
            click.echo(f"  warning: {warning}")
        for note in result.notes:
            click.echo(f"  note: {note}")
    sys.exit(worst)


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
    "--seed", type=int, default=0, show_default=True, help="Seed of the random weights and data."
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
def crosscheck_command(
    hidden: int,
    T: int,
    inputs: int,
    outputs: int,
    seed: int,
    reduction: str,
    step_loss: str,
    tolerance: float,
) -> None:
    """Compare symbptt's vector-model gradients with PyTorch autograd (float64).

    Loads random weights into torch.nn.RNN (tanh) and a Linear output layer, and prints
    the largest difference per parameter. Exit 1 if any exceeds the tolerance.
    Needs PyTorch: pip install 'symbptt[crosscheck]'.
    """
    import math

    from .vector.crosscheck import crosscheck

    if not math.isfinite(tolerance):
        raise click.BadParameter(f"{tolerance} is not a finite number", param_hint="--tolerance")
    spec = ElmanSpec(
        hidden=hidden, T=T, inputs=inputs, outputs=outputs, reduction=reduction, loss=step_loss
    )
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
@click.option("--force", is_flag=True, help=FORCE_HELP)
def codegen_command(
    activation: str,
    output_activation: str,
    reduction: str,
    step_loss: str,
    output: str,
    cell: str | None,
    force: bool,
) -> None:
    """Generate NumPy code for the vector model's (or your cell's) gradients.

    The module defines gradients(params, X, D) -> (L, grads) for any sizes and T. Its
    forward pass is compiled from the model's equations and its backward pass from the
    same program that `verify` checks; before writing, that program is verified exactly
    (the Elman model at n = m = k = 2, T = 3; a cell at its declared sizes and the
    largest T <= 3 the exact method takes, else modular) with the chosen activations
    (exit 1, nothing written, if it failed).
    """
    from .vector.codegen import numpy_source, verification_spec
    from .vector.verify import verify_vector

    target = _text_target(output, "Python module", force)
    if cell is None:
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
