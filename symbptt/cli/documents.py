"""symbptt pdf, tex and build: the derivation as a document."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from symbptt.cli.app import main
from symbptt.cli.options import (
    FORCE_HELP,
    _options,
    _Progress,
    _text_target,
    _write_text,
    document_options,
    keep_tex_option,
    quiet_option,
    spec_options,
)
from symbptt.render import LABEL_PREFIX, TOP_LEVELS


def _default_stem(spec: Any) -> str:
    """The default name of the current command's document, without suffix: the model's
    stem and every option that changes the document and is not at its default
    (:func:`symbptt.render.names.document_stem`), so that two runs with different
    documents never write the same file."""
    from symbptt.render.names import document_stem

    context = click.get_current_context()
    changed = {}
    for param in context.command.params:
        source = context.get_parameter_source(param.name)
        value = context.params.get(param.name)
        if source not in (None, ParameterSource.DEFAULT) and value != param.get_default(context):
            changed[param.name] = value
    return document_stem(spec, changed)


def forward_options(command: Any) -> Any:
    """``--forward TEXT|FILE`` and ``--conventions``: the document is of the model the
    notes' forward pass states, in their names (issue 27), instead of ``--model``'s."""

    @functools.wraps(command)
    def with_forward(spec: Any, forward: str | None, conventions: str | None, **kwargs: Any) -> Any:
        if forward is not None:
            from symbptt.cli.notes_input import forward_spec

            spec = forward_spec(forward, spec, conventions)
        elif conventions is not None:
            raise click.UsageError("--conventions applies with --forward")
        return command(spec=spec, **kwargs)

    with_forward = click.option(
        "--conventions",
        metavar="KEY = VALUE, ...",
        help="The notes' conventions (as a 'symbptt: conventions' line), with --forward.",
    )(with_forward)
    return click.option(
        "--forward",
        metavar="TEXT|FILE",
        help="Document the model the notes' forward pass states, in their names: the "
        "model displays of a notes file (LaTeX, Markdown, a notebook) with its "
        "conventions, or the equations themselves.",
    )(with_forward)


@main.command("pdf")
@spec_options
@forward_options
@document_options
@click.option(
    "-o",
    "--output",
    help="Where to write the PDF [default: derivation-T<T>.pdf, with the model, its size "
    "and every option that changes the document and is not at its default, e.g. "
    "derivation-elman-n3-T4-phi-tanh-goodfellow.pdf].",
)
@keep_tex_option
@quiet_option
def pdf_command(
    spec: Any,
    method: str,
    title: str,
    author: str,
    immediate_style: str,
    template: Path | None,
    allow_unverified: bool,
    force: bool,
    notation: str | None,
    output: str | None,
    keep_tex: bool,
    quiet: bool,
) -> None:
    """Write the checked derivation for T steps as a PDF (needs TeX Live).

    With --model elman, the vector model in matrix notation (exact for n <= 3, T <= 6;
    larger with --method modular); with --cell FILE, your own cell, likewise. No PDF is
    written if a check fails (exit 1), unless --allow-unverified. An existing file is
    replaced only if symbptt wrote it (or with --force); with --keep-tex the .tex beside
    it follows the same rule.
    """
    from symbptt.build import make_pdf

    result, report = make_pdf(
        spec,
        output if output is not None else Path(_default_stem(spec) + ".pdf"),
        options=_options(title, author, immediate_style, notation),
        method=method,
        template=template,
        keep_tex=keep_tex,
        allow_unverified=allow_unverified,
        force=force,
        progress=_Progress(quiet),
    )
    state = "all checks hold" if report.holds else "UNVERIFIED: some checks fail"
    click.echo(f"wrote {result.pdf} ({state})")


@main.command("tex")
@spec_options
@forward_options
@document_options
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Where to write the LaTeX source ('-' for standard output).",
)
@click.option(
    "--fragment",
    is_flag=True,
    help="Only the body, for \\input into existing lecture notes (a standard article's "
    "text width; its first lines name the packages it needs).",
)
@click.option(
    "--label-prefix",
    metavar="TEXT",
    default=None,
    help="Put TEXT before every label of the document (letters, digits and ':._-'), so "
    "that several fragments can be input into one document [default with --fragment: "
    "the default name of its PDF and ':', e.g. derivation-lstm-n3-T4:, different for "
    "different fragments].",
)
@click.option(
    "--top-level",
    type=click.Choice(list(TOP_LEVELS)),
    default="section",
    show_default=True,
    help="The headings of a --fragment: \\section, \\subsection (inside a section of your "
    "notes) or \\chapter (in a book or report).",
)
@quiet_option
def tex_command(
    spec: Any,
    method: str,
    title: str,
    author: str,
    immediate_style: str,
    template: Path | None,
    allow_unverified: bool,
    force: bool,
    notation: str | None,
    output: str,
    fragment: bool,
    label_prefix: str | None,
    top_level: str,
    quiet: bool,
) -> None:
    """Write the LaTeX source of the checked derivation for T steps (--model elman or
    --cell FILE: in matrix notation); with --fragment only its body, for \\input into
    your notes (two fragments in one document: see --label-prefix)."""
    if top_level != "section" and not fragment:
        raise click.UsageError("--top-level applies to --fragment (the document is an article)")
    if label_prefix is not None and not LABEL_PREFIX.fullmatch(label_prefix):
        raise click.BadParameter("letters, digits and ':._-' only", param_hint="'--label-prefix'")
    target = _text_target(output, ".tex", force, inputs=(template,))
    from symbptt.build import make_tex

    options = _options(title, author, immediate_style, notation)
    if fragment and label_prefix is None:
        label_prefix = _default_stem(spec) + ":"
    options = dataclasses.replace(options, label_prefix=label_prefix, top_level=top_level)
    tex, _ = make_tex(
        spec,
        options=options,
        method=method,
        template=template,
        fragment=fragment,
        allow_unverified=allow_unverified,
        progress=_Progress(quiet),
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
@quiet_option
def build_command(
    spec_file: Path,
    output: str | None,
    keep_tex: bool,
    allow_unverified: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Build the PDF described by a derivation spec file (TOML, see derivations/; a
    [cell] table declares your own cell)."""
    from symbptt.build import make_pdf
    from symbptt.specfile import load

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
        progress=_Progress(quiet),
    )
    state = "all checks hold" if report.holds else "UNVERIFIED: some checks fail"
    click.echo(f"wrote {result.pdf} ({state})")
