"""symbptt check: formulas from notes."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from symbptt.cli.app import exit_status, main
from symbptt.cli.notes_input import Item, expanded, forward_items, marker, notes_items
from symbptt.cli.options import _Progress, layout_option, method_option, quiet_option, spec_options
from symbptt.errors import FormulaSyntaxError, SymbpttError, excerpt
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
    from symbptt.checker.notes import (
        define,
        is_definition,
        last_step_only,
        notes_setting,
        other_layout,
        other_partial,
    )
    from symbptt.checker.pipeline import check
    from symbptt.core.method import choose_method
    from symbptt.formulas.compile import LAYOUTS
    from symbptt.read.conventions import read_conventions
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
    model = [item for item in items if item.kind == "model"]
    if forward is not None:
        model = forward_items(forward)
    try:
        texts = [expanded(m, macros) for m in model]
        setting = notes_setting(texts, read_conventions(declared), spec.T)
    except ValueError as err:
        click.echo(f"Error: {file or '--conventions'}: {err}", err=True)
        sys.exit(2)
    if setting.spec is not None:
        spec = setting.spec
    profile = setting.profile or profile
    layout = setting.layout or layout
    failed, refusal = False, 0
    progress = _Progress(quiet or file is None)
    say = _Answers(file, as_json)
    # one layout per file: --layout, else the layouts in which every display so far holds
    layouts = [layout] if layout != "auto" or spec.model.scalar else list(LAYOUTS)
    for said in setting.said:
        say.note(said)
    for number, item in enumerate(items, 1):
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
                _refuse(say, item, setting.failed[1])
            continue
        if setting.refusal:
            refusal = max(refusal, 2)
            say.refused(where, line, setting.refusal)
            continue
        if file is not None and is_definition(text, item.kind):
            say.kind = "define"
            try:
                written = (
                    expand(text, read_macros(f"{macros}\n{defined}")) if defined or macros else text
                )
                profile, name, claim = define(written, spec, profile or load_profile(None))
            except FormulaSyntaxError as err:
                refusal = max(refusal, 2)
                _refuse(say, item, err)
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
            if file is None:
                result = check(text, layout=layout, **options)
            else:
                result, layouts = _in_file_layouts(check, text, options, layouts)
        except FormulaSyntaxError as err:
            refusal = max(refusal, 2)
            _refuse(say, item, err)
            continue
        except SymbpttError as err:
            refusal = max(refusal, exit_status(err))
            say.refused(where, line, str(err).splitlines()[0])
            continue
        ambiguous = last_step_only(result, spec.T) if setting.spec is not None else None
        undeclared = setting.layout is None and layout == "auto" and not spec.model.scalar
        if not ambiguous and setting.spec is not None and undeclared:
            ambiguous = other_layout(
                result,
                lambda lay: check(text, layout=lay, **options),  # noqa: B023
            )
        derivative = re.search(r"\\partial|\\nabla|\\[dt]?frac", text)
        if not ambiguous and setting.spec is not None and derivative and profile:
            if profile.partial is None:
                held = dataclasses.replace(profile, partial="immediate")
                laid = result.layout if result.layout in LAYOUTS else "auto"
                ambiguous = other_partial(
                    result,
                    functools.partial(check, text, layout=laid, **{**options, "notation": held}),
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


class _Answers:
    """The answer to each formula, as lines for people or one JSON list.

    Lines: ``FILE:LINE: holds for t = 1..T (method)``, ``FILE:LINE: does NOT hold
    (method): why`` with its counterexample and repairs, ``FILE:LINE[:COL]: refused:
    why`` with a caret under the spot (a formula given on the command line: its verdict,
    and a refusal on stderr as every command's errors)."""

    def __init__(self, file: Path | None, as_json: bool) -> None:
        self.file, self.as_json = file, as_json
        self.items: list[dict[str, Any]] = []
        #: the notebook cell of the formula being answered (None: not a notebook)
        self.cell: int | None = None
        #: what symbptt says of the whole file (the loss it chose for the notes' model)
        self.notes: list[str] = []
        #: what the display being answered is: a formula to check, or the model's
        self.kind = "check"

    def note(self, said: str) -> None:
        """Something said of the whole file: once on top, and in each JSON answer."""
        self.notes.append(said)
        if not self.as_json:
            click.echo(f"{self.file or 'check'}: note: {said}")

    def refused(
        self,
        where: str,
        line: int,
        why: str,
        column: int | None = None,
        shown: tuple[str, str] | None = None,
    ) -> None:
        if self.as_json:
            self.items.append(
                {**self._place(line, column), "verdict": "refused", "explanation": why}
            )
            return
        if self.file is None:  # the command line's formula: an error, as elsewhere
            at = f"{line}:{column}: error: " if column else "Error: "
            click.echo(f"{at}{why}", err=True)
        else:
            click.echo(f"{where}{line}{f':{column}' if column else ''}: refused: {why}")
        if shown:
            click.echo(f"  {shown[0]}\n  {shown[1]}", err=self.file is None)

    def defined(self, where: str, line: int, name: str) -> None:
        """A display that defines a name: said, not checked."""
        if self.as_json:
            explanation = f"defines {name}, read so from here on"
            self.items.append(
                {**self._place(line, None), "verdict": "defined", "explanation": explanation}
            )
            return
        click.echo(f"{where}{line}: defines {name}")

    def verdict(self, where: str, line: int, result: Any, T: int) -> None:
        if self.as_json:
            self.items.append(
                {
                    **self._place(line, None),
                    "verdict": "holds" if result.holds else "does not hold",
                    "method": result.method,
                    "steps": result.steps or f"T = {T}",
                    "layout": result.layout,
                    "explanation": result.explanation,
                    "counterexample": result.counterexample.to_dict()
                    if result.counterexample
                    else None,
                    "repairs": list(result.repairs),
                    "warnings": list(result.warnings),
                    "notes": [*self.notes, *result.notes],
                }
            )
            return
        label = f"{where}{line}: " if where else ""
        if result.holds:
            bound = re.search(r"\((the probability[^)]*)\)", result.explanation)
            extra = f"; {bound.group(1)}" if bound else ""
            laid = {"mixed": "", "per '='": ", each '=' in its own layout"}.get(
                result.layout, f" in {result.layout} layout"
            )
            steps = f" for {result.steps}" if result.steps else f" at T = {T}"
            click.echo(f"{label}holds{steps}{laid} ({result.method}{extra})")
        else:
            click.echo(f"{label}does NOT hold ({result.method}): {result.explanation}")
            if result.counterexample:
                click.echo("  counterexample " + result.counterexample.describe())
            for repair in result.repairs:
                click.echo(f"  repair: it holds if {repair} (modular)")
        for warning in result.warnings:
            click.echo(f"  warning: {warning}")
        for note in result.notes:
            click.echo(f"  note: {note}")

    def _place(self, line: int, column: int | None) -> dict[str, Any]:
        where: dict[str, Any] = {"file": str(self.file) if self.file else None}
        if self.cell is not None:
            where["cell"] = self.cell
        where["line"] = line if self.file else None
        if column:
            where["column"] = column
        where["kind"] = self.kind
        return where

    def flush(self) -> None:
        if self.as_json:
            click.echo(json.dumps(self.items, indent=2))


def _in_file_layouts(
    check: Any, text: str, options: dict[str, Any], layouts: list[str]
) -> tuple[Any, list[str]]:
    """A display of a file, read in the file's layout: the verdict in the first of
    ``layouts`` (those in which every display so far holds) in which it holds, and the
    layouts left; if it holds in none, its verdict in the first (its counterexample
    there), with a note naming any other layout in which it would hold.

    Raises:
        FormulaSyntaxError: it has no verdict in any of ``layouts``.
    """
    from symbptt.checker.pipeline import in_layouts

    if layouts == ["auto"]:  # the scalar model: one layout
        return check(text, layout="auto", **options), layouts
    result, holding = in_layouts(lambda lay: check(text, layout=lay, **options), layouts, all_=True)
    if holding:
        return result, holding
    if len(layouts) < 3:
        elsewhere = check(text, layout="auto", **options)
        if elsewhere.holds:  # said, never passed: the file reads in one layout
            note = (
                f"it holds in the {elsewhere.layout} layout, not in this file's "
                f"({', '.join(layouts)}: where its earlier displays hold)"
            )
            result = dataclasses.replace(result, notes=(*result.notes, note))
    return result, layouts


def _refuse(say: _Answers, item: Item, err: Exception) -> None:
    """A formula refused: with its column and a caret when the error has a place."""
    if not isinstance(err, FormulaSyntaxError) or not err.column:
        say.refused(item.where, item.line, getattr(err, "reason", str(err)))
        return
    at_line = item.line + max(err.line, 1) - 1
    at_col = err.column + (item.column - 1 if err.line <= 1 else 0)
    shown = excerpt(err.text or item.text, max(err.line, 1), max(err.column, 1))
    say.refused(item.where, at_line, err.reason, at_col, shown)
