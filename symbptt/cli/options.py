"""The options shared by the commands: the model, the method, documents, outputs."""

from __future__ import annotations

import functools
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import click

from symbptt.cells.choose import model_kinds
from symbptt.core.method import METHOD_NAMES
from symbptt.core.options import CHOICES, DEFAULTS
from symbptt.core.options import VARIANTS as GRU_VARIANTS
from symbptt.errors import SpecError, SymbpttError
from symbptt.files import atomic_write, plan_output
from symbptt.limits import EXACT_MAX_T, MAX_T
from symbptt.render import DEFAULT_TITLE, IMMEDIATE_STYLES

DEFAULT_T = DEFAULTS["T"]
#: A random seed: what NumPy's and torch's generators take (0 .. 2^63 - 1).
SEED = click.IntRange(0, 2**63 - 1)


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
        CHOICES["activation"],
        DEFAULTS["activation"],
        "phi, the hidden activation (generic: an unknown function).",
    ),
    _choice(
        "--output-activation",
        CHOICES["output_activation"],
        DEFAULTS["output_activation"],
        "theta, the output activation.",
    ),
    _choice(
        "--loss",
        CHOICES["reduction"],
        DEFAULTS["reduction"],
        "L = (1/T) sum_t l_t (mean, note 000) or sum_t l_t (sum, question 002).",
        dest="reduction",
    ),
    _choice(
        "--step-loss",
        CHOICES["step_loss"],
        DEFAULTS["step_loss"],
        "l(yhat, d): an unknown function, (yhat - d)^2 / 2, or the softmax cross-entropy "
        "-log softmax(o_t)[y_t] (vector model; the target a class index). The vector model's "
        "default is squared.",
    ),
    _choice(
        "--h0",
        CHOICES["h0"],
        DEFAULTS["h0"],
        "h_0 (and the LSTM's c_0) as a given symbol, or 0.",
    ),
)

#: How equality is decided, for every command that decides it.
method_option = _choice(
    "--method",
    METHOD_NAMES,
    "auto",
    "auto: exact where the model's exact limits (its work estimate) allow it, else "
    "modular; the report and the document name the method chosen and why. exact: "
    f"canonical polynomial forms, deterministic (scalar model: T <= {EXACT_MAX_T}; vector "
    "models: small sizes and T). modular: evaluation modulo a random 127-bit prime "
    "(Schwartz-Zippel; 'differ' is certain, 'equal' has a stated error bound).",
)


#: How the derivatives of a checked formula are laid out.
layout_option = _choice(
    "--layout",
    ["auto", "mixed", "numerator", "denominator"],
    "auto",
    "How the formula's derivatives are laid out. mixed: the Jacobian dv/du has rows "
    "following v and dL/dP has the shape of P (most ML texts). numerator: dL/dh is a row "
    "vector. denominator: dv/du is the transpose of the Jacobian. auto: mixed, and if the "
    "formula does not hold so, the others, saying in which one it holds.",
)


def model_spec(
    *, cell: str | None = None, given: Collection[str] = frozenset(), **options: Any
) -> Any:
    """The model the options (the keys of :data:`~symbptt.cells.choose.DEFAULTS`) name,
    built by :func:`symbptt.cells.choose.build_spec` (the one way a model is built);
    with ``--cell FILE``, :func:`file_cell_spec`. ``given``: the options set explicitly.
    Errors in the options are usage errors (exit 2)."""
    from symbptt.cells.choose import build_spec

    if cell is not None:
        return file_cell_spec(cell, options, given)
    try:
        return build_spec(given=given, **options)
    except SymbpttError as err:
        raise click.UsageError(str(err)) from None


def file_cell_spec(cell: str, options: dict[str, Any], given: Collection[str]) -> Any:
    """The cell a spec file's ``[cell]`` table declares (``--cell FILE``): the file's
    ``[model]`` keys apply (its T, activations, losses), each unless the command line
    gives it (``given``). Errors in the file are the file's (exit 2, naming it)."""
    from symbptt.cells.choose import build_spec, flag
    from symbptt.specfile import file_key, read_model_file

    if "model" in given:
        raise click.UsageError("--cell declares the model; leave out --model")
    from_file, source = read_model_file(cell)
    if source is None:
        raise SpecError(f"{cell}: no [cell] table")
    mine = {k: v for k, v in options.items() if k in given}
    return build_spec(
        cell=source,
        given=set(from_file) | set(given),
        spell=lambda key: flag(key) if key in given else file_key(key),
        **{**options, **from_file, **mine},
    )


class _Progress:
    """Reports progress on stderr once a run has taken more than a second (nothing with
    ``quiet``): long work says what it is doing, short work says nothing."""

    #: Seconds of work after which progress is printed.
    delay = 1.0

    def __init__(self, quiet: bool = False) -> None:
        self.start = time.perf_counter()
        self.quiet = quiet

    def __call__(self, name: str, done: int = 0, total: int = 0) -> None:
        if not self.quiet and time.perf_counter() - self.start > self.delay:
            count = f"[{done}/{total}] " if total else f"[{done}] " if done else ""
            click.echo(f"  {count}{name} ...", err=True)


#: Silences the progress that long work prints on stderr.
quiet_option = click.option(
    "--quiet",
    is_flag=True,
    help="Print no progress on stderr (long work otherwise says what it is doing once it "
    "has taken a second).",
)


def _size(flag: str, default: int, help: str) -> Any:
    """A vector-model size option (1..64)."""
    return click.option(
        flag, type=click.IntRange(1, 64), default=default, show_default=True, help=help
    )


_ELMAN_SIZES = (
    ("--hidden", DEFAULTS["hidden"], "hidden size n"),
    ("--inputs", DEFAULTS["inputs"], "input size m"),
    ("--outputs", DEFAULTS["outputs"], "output size k"),
)

#: Which GRU ``--model gru`` is, on every command that takes the gated cells.
gru_variant_option = click.option(
    "--gru-variant",
    type=click.Choice(list(GRU_VARIANTS)),
    default=None,
    help="gru: torch (torch.nn.GRU: the reset gate after W_hn) or cho (Cho et al. "
    "2014, d2l.ai: the reset gate on h_(t-1) before W_hh). Default: torch.",
)


#: Options choosing the vector (Elman) model instead of the scalar one.
vector_options = _stack(
    _choice(
        "--model",
        model_kinds(),
        DEFAULTS["model"],
        "scalar: the RNN of the seeds; elman: the vector RNN of note 000 (squared "
        "loss; h_0, the biases and the output layer are parameters); lstm: torch.nn.LSTM's "
        "cell; gru: torch.nn.GRU's or Cho et al.'s cell (--gru-variant); the gated cells have "
        "the Elman model's head; any other name: a cell file shipped in symbptt/cells/.",
    ),
    *(_size(flag, default, f"elman, lstm, gru: {what}.") for flag, default, what in _ELMAN_SIZES),
    gru_variant_option,
    click.option(
        "--cell",
        type=click.Path(dir_okay=False),
        default=None,
        help="A TOML file whose [cell] table declares your own recurrent cell (equations in "
        "LaTeX, sizes); see derivations/minimal-gated-unit.toml.",
    ),
)

#: The parameters of model_spec, in its order: what spec_options collects.
_SPEC_KEYS = (*DEFAULTS, "cell")


def spec_options(command: Any) -> Any:
    """The model options (scalar and vector), given to the command as one ``spec``
    (an RNNSpec, or an ElmanSpec for --model elman) built by :func:`model_spec`."""

    @functools.wraps(command)
    def with_spec(**kwargs: Any) -> Any:
        values = {key: kwargs.pop(key) for key in _SPEC_KEYS}
        given = _given(values)
        if kwargs.get("notation") is not None:
            values = _profile_model(values, kwargs["notation"], given)
        return command(spec=model_spec(**values, given=given), **kwargs)

    return model_options(vector_options(with_spec))


def _given(values: dict[str, Any]) -> frozenset[str]:
    """The model options set on the command line (not left at their defaults)."""
    context = click.get_current_context()
    return frozenset(
        key
        for key in values
        if context.get_parameter_source(key) not in (None, click.core.ParameterSource.DEFAULT)
    )


def _profile_model(values: dict[str, Any], notation: str, given: frozenset[str]) -> dict[str, Any]:
    """The model options with the ``--notation`` profile's model (its [profile.model])
    in place of every option left at its default; says on stderr what the profile set."""
    from symbptt.cells.choose import with_profile
    from symbptt.read.profiles import load_profile

    profile = load_profile(notation)
    if values.get("cell") is not None:  # the cell file declares the model
        given |= {"model", "hidden", "inputs", "outputs"}
    values, said = with_profile(values, profile.model, set(given))
    if said:
        click.echo(f"notation {profile.name}: its source's model, {' '.join(said)}", err=True)
    return values


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
    click.option(
        "--notation",
        "notation",
        default=None,
        metavar="NAME|FILE",
        help="Print the derivation in a source's names: d2l, goodfellow (U, W, V, b, c, "
        "a^(t), h^(t)), wildml (s_t, steps from 0), pascanu, note000 (symbptt's own, the "
        "default) or a profile's TOML file; its source's model (goodfellow: Elman, tanh, "
        "softmax cross-entropy, summed) for every model option not given.",
    ),
)

#: Shared by the commands that write PDFs.
keep_tex_option = click.option(
    "--keep-tex", is_flag=True, help="Also keep the .tex beside the PDF."
)


def _options(title: str, author: str, immediate_style: str, notation: str | None = None) -> Any:
    """The document options (imported here: only the document commands need them)."""
    from symbptt.read.profiles import load_profile
    from symbptt.render.document import DocumentOptions
    from symbptt.render.notation import Notation

    return DocumentOptions(
        title=title,
        author=author,
        notation=Notation(immediate=immediate_style),
        profile=load_profile(notation) if notation is not None else None,
    )


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
