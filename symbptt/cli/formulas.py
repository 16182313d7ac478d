"""symbptt check: formulas from notes."""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from pathlib import Path
from typing import Any

import click

from symbptt.cli.answers import Answers, refuse
from symbptt.cli.app import exit_status, main
from symbptt.cli.notes_input import (
    Item,
    expanded,
    forward_items,
    marker,
    model_segments,
    notes_items,
)
from symbptt.cli.options import _Progress, layout_option, method_option, quiet_option, spec_options
from symbptt.errors import FormulaSyntaxError, SymbpttError
from symbptt.files import read_text


@main.command("check")
@spec_options
@click.argument("equation", required=False)
@click.option(
    "--file",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check every display preceded by a line '% symbptt: check' in this LaTeX file, "
    "or by '<!-- symbptt: check -->' in Markdown or MyST (.md, .myst: $$...$$ and "
    "```{math} blocks) or a Jupyter notebook's markdown cells (.ipynb). Displays marked "
    "'symbptt: model' state the model the formulas are checked against, in the notes' "
    "names; 'symbptt: conventions' lines declare how they write.",
)
@method_option
@layout_option
@click.option(
    "--notation",
    "notation",
    default=None,
    metavar="NAME|FILE",
    help="The names' notation profile: note000 (symbptt's), d2l (d2l.ai: W_hx, W_qh, o_t = "
    "W_qh h_t), goodfellow (Goodfellow et al.: U, W, V, b, c, a^(t), h^(t), tau), wildml "
    "(Britz: s_t the state, steps from 0), pascanu, deeplearning-ai (A. Ng's course: "
    "a^<t>, W_aa, W_ax, W_ya, J), or a "
    "profile's TOML file. Default: note000's names, and for a name they do not know the "
    "built-in profiles in turn (a note says which read the formula). A profile's model "
    "(goodfellow: Elman, tanh, softmax cross-entropy, summed) is used for every model "
    "option not given.",
)
@click.option(
    "--preamble",
    "preamble",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A LaTeX file whose \\newcommand, \\def and \\DeclareMathOperator definitions "
    "the formulas use (a textbook's macro file); with --file, that file's own definitions "
    "are read too.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON list, an object per formula (file, line, verdict: holds, does "
    "not hold or refused, method, explanation, counterexample, repairs, notes), instead "
    "of lines for people.",
)
@click.option(
    "--forward",
    "forward",
    default=None,
    metavar="TEXT|FILE",
    help="The model as the notes' forward pass states it, in their notation (equations "
    "separated by \\\\ or new lines), or a notes file whose displays marked 'symbptt: "
    "model' state it. With --file, the file's own model displays are used otherwise.",
)
@click.option(
    "--conventions",
    "conventions",
    default=None,
    metavar="'KEY = VALUE, ...'",
    help="The notes' conventions (time = angle, elementwise = *, layout = denominator, "
    "first = 0, horizon = \\tau, ...: docs/checking.md lists the keys), as a notes file's "
    "'symbptt: conventions' lines declare them.",
)
@quiet_option
def check_command(
    spec: Any,
    quiet: bool,
    equation: str | None,
    file: Path | None,
    method: str,
    layout: str,
    notation: str | None,
    preamble: Path | None,
    as_json: bool = False,
    forward: str | None = None,
    conventions: str | None = None,
) -> None:
    """Check a gradient formula written in LaTeX, for every t <= T.

    EQUATION is e.g. '\\frac{\\partial L}{\\partial s_t} = \\frac{\\partial L}{\\partial h_t}
    \\phi'(s_t)'. With --model elman, vector formulas: '\\boldsymbol{\\delta}_t =
    \\operatorname{diag}(\\phi'(\\mathbf{s}_t)) (W_{hy}^\\top \\mathbf{g}_t + W_{hh}^\\top
    \\boldsymbol{\\delta}_{t+1})'. Textbooks' notation is read (d2l.ai's and Goodfellow et
    al.'s names, time as h^{(t)}, \\nabla, aligned displays, macros with --preamble); a
    formula that does not hold gets a counterexample and the single edits that repair it.
    With --file, one answer per marked display: FILE:LINE: holds, does NOT hold (with a
    counterexample) or refused (why, with the column and a caret under the spot).
    Exit 0 if every formula holds, 1 if one does not, 2 if one cannot be parsed or
    understood (and none fails), 3 if symbptt itself failed.
    """
    from symbptt.checker.notes import define, is_definition, notes_setting
    from symbptt.checker.notes_ambiguity import (
        by_shared_parameter,
        by_step_part,
        last_step_only,
        other_layout,
        other_partial,
    )
    from symbptt.checker.notes_loss import depends_on_loss
    from symbptt.checker.pipeline import check
    from symbptt.core.method import choose_method
    from symbptt.formulas.compile import LAYOUTS
    from symbptt.read.conventions import read_conventions
    from symbptt.read.display import stated_condition, unread_condition
    from symbptt.read.macros import expand, read_macros
    from symbptt.read.profiles import load_profile

    if (equation is None) == (file is None):
        raise click.UsageError("give either an EQUATION or --file FILE")
    profile = load_profile(notation) if notation is not None else None
    macros = read_text(preamble, what="preamble") if preamble is not None else ""
    choose_method(spec, method, checking=True)  # exact beyond its limits: refused at once
    declared: list[tuple[int, str]] = [(0, conventions)] if conventions else []
    if file is None:
        items = [Item(equation or "", "", 1, 1, 1)]
    else:
        try:
            items, found = notes_items(file)
        except ValueError as err:
            click.echo(f"Error: {file}: {err}", err=True)
            sys.exit(2)
        declared += found
        if not any(item.kind in ("check", "unread") for item in items):
            raise click.UsageError(f"{file} has no display marked '{marker(file, 'check')}'")
    segments = model_segments(items) if forward is None else [(0, forward_items(forward))]
    try:
        declaration = read_conventions(declared)
    except ValueError as err:
        click.echo(f"Error: {file or '--conventions'}: {err}", err=True)
        sys.exit(2)
    failed, refusal = False, 0
    progress = _Progress(quiet or file is None)
    say = Answers(file, as_json)
    given, segment = (spec, profile, layout), -1
    conditioned = {  # displays one of whose pieces is a condition (t = 1, \text{for ...})
        (i.where, i.label_line): condition
        for i in items
        if i.kind == "check" and (condition := stated_condition(i.text, ["", i.text]))
    }
    defines: list[tuple[str, str]] = []
    lost = next((i for i in items if i.kind == "unread" and "symbptt: model" in i.text), None)
    for number, item in enumerate(items, 1):
        while segment + 1 < len(segments) and number - 1 >= segments[segment + 1][0]:
            segment, model = segment + 1, segments[segment + 1][1]
            texts = [expanded(m, macros) for m in model]
            setting = notes_setting(texts, declaration, given[0].T)
            spec = setting.spec or given[0]
            profile = setting.profile or given[1]
            if profile is not None and defines:  # the notes' definitions so far stand
                profile = dataclasses.replace(profile, definitions=(*profile.definitions, *defines))
            layout = setting.layout or given[2]
            # one layout per file: --layout, else the layouts where every display so far holds
            layouts = [layout] if layout != "auto" or spec.model.scalar else list(LAYOUTS)
            for said in setting.said:
                say.note(said)
        text, where, line, column, label_line, defined = item[:6]
        progress(f"{where}{label_line}", number, len(items))
        say.cell, say.kind = item.cell, item.kind
        if item.kind == "unread":  # a marker with nothing to read after it
            refusal = max(refusal, 2)
            say.refused(where, line, text)
            continue
        if item.kind == "model":
            if setting.failed and model[setting.failed[0]] is item:
                refusal = max(refusal, 2)
                refuse(say, item, setting.failed[1])
            continue
        if setting.refusal or (lost is not None and item.kind == "check"):
            refusal = max(refusal, 2)
            why = (
                setting.refusal or f"a model marker of the notes is not read ({lost and lost.text})"
            )
            say.refused(where, line, why)
            continue
        if (where, label_line) in conditioned:  # a condition beside the display's claim
            refusal = max(refusal, 2)
            say.refused(where, label_line, unread_condition(conditioned[(where, label_line)]))
            continue
        if file is not None and is_definition(text, item.kind):
            say.kind = "define"
            try:
                written = (
                    expand(text, read_macros(f"{macros}\n{defined}")) if defined or macros else text
                )
                before = profile or load_profile(None)
                profile, name, claim = define(written, spec, before)
                defines += profile.definitions[len(before.definitions) :]
            except FormulaSyntaxError as err:
                refusal = max(refusal, 2)
                refuse(say, item, err)
                continue
            say.defined(where, label_line, name)
            if claim is None:
                continue
            say.kind, text = "check", claim
        try:  # the preamble's definitions, then the file's in effect at the display
            options = {
                "model": spec,
                "method": method,
                "notation": profile,
                "macros": f"{macros}\n{defined}" if defined else macros,
            }
            # each layout's verdict once: the file's reading and the notes' ambiguity share it
            in_layout = functools.cache(lambda lay: check(text, layout=lay, **options))  # noqa: B023
            if file is None:
                result = in_layout(layout)
            else:
                result, layouts = _in_file_layouts(in_layout, layouts)
        except FormulaSyntaxError as err:
            refusal = max(refusal, 2)
            refuse(say, item, err)
            continue
        except SymbpttError as err:
            refusal = max(refusal, exit_status(err))
            say.refused(where, line, str(err).splitlines()[0])
            continue
        unread_loss = setting.loss_unread and not result.holds
        if unread_loss and depends_on_loss(text, spec, profile):  # may hold for theirs
            refusal = max(refusal, 2)
            unread = " ".join(setting.loss_unread.split())
            say.refused(
                where,
                label_line,
                f"it does not hold for every step loss, and the notes' step loss ({unread}) "
                "is not read: no verdict",
            )
            continue
        ambiguous = last_step_only(result, spec.T) if setting.spec is not None else None
        undeclared = setting.layout is None and layout == "auto" and not spec.model.scalar
        if not ambiguous and setting.spec is not None and undeclared:
            ambiguous = other_layout(result, in_layout)
        derivative = re.search(r"\\partial|\\nabla|\\[dt]?frac", text)
        if not ambiguous and setting.spec is not None and derivative and profile:
            if profile.partial is None:
                held = dataclasses.replace(profile, partial="immediate")
                laid = result.layout if result.layout in LAYOUTS else "auto"
                ambiguous = other_partial(
                    result,
                    functools.partial(check, text, layout=laid, **{**options, "notation": held}),
                )
        settled = profile is None or profile.gradients == "total"  # never one step's part
        if not ambiguous and setting.spec is not None and not result.holds and not settled:
            assert profile is not None  # (settled otherwise)
            ways = list(LAYOUTS) if undeclared else [result.layout or "mixed"]
            ways = [w if w in LAYOUTS else "mixed" for w in ways]
            ambiguous = by_shared_parameter(text, spec, profile, ways) or by_step_part(
                text, spec, profile, ways
            )
        if ambiguous:  # notes' own model: the display's scope is the notes' to say
            refusal = max(refusal, 2)
            say.refused(where, label_line, ambiguous)
            continue
        failed = failed or not result.holds
        say.verdict(where, label_line, result, spec.T)
    say.flush()
    # a formula that does not hold is the answer, unless symbptt itself failed (3)
    sys.exit(3 if refusal == 3 else 1 if failed else refusal)


def _in_file_layouts(in_layout: Any, layouts: list[str]) -> tuple[Any, list[str]]:
    """A display of a file, read in the file's layout (``in_layout(layout)``: its verdict
    there): the verdict in the first of ``layouts`` (those in which every display so far
    holds) in which it holds, and the layouts left; if it holds in none, its verdict in
    the first (its counterexample there), with a note naming any other layout in which it
    would hold.

    Raises:
        FormulaSyntaxError: it has no verdict in any of ``layouts``.
    """
    from symbptt.checker.pipeline import in_layouts

    if layouts == ["auto"]:  # the scalar model: one layout
        return in_layout("auto"), layouts
    result, holding = in_layouts(in_layout, layouts, all_=True)
    if holding:
        return result, holding
    if len(layouts) < 3:
        elsewhere = in_layout("auto")
        if elsewhere.holds:  # said, never passed: the file reads in one layout
            note = (
                f"it holds in the {elsewhere.layout} layout, not in this file's "
                f"({', '.join(layouts)}: where its earlier displays hold)"
            )
            result = dataclasses.replace(result, notes=(*result.notes, note))
    return result, layouts
