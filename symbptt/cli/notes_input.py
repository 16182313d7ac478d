"""The notes check --file and --forward read: their marked displays (to check, the
model's, definitions) and their conventions lines, from LaTeX, Markdown (MyST) and
Jupyter notebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import click

from symbptt.files import read_text

#: Suffixes of files read as Markdown (MyST included) by check --file.
MARKDOWN = (".md", ".markdown", ".myst", ".mdx")


class Item(NamedTuple):
    """A formula to answer: its text, where it is (file and cell, line, column, the line
    its answer names), the macros in effect there, its notebook cell, what its marker says
    it is (check, model, define)."""

    text: str
    where: str
    line: int
    column: int
    label_line: int
    macros: str = ""
    cell: int | None = None
    kind: str = "check"


def marker(file: Path, kind: str) -> str:
    return f"<!-- symbptt: {kind} -->" if file.suffix.lower() in NOTEBOOKS else f"% symbptt: {kind}"


#: Suffixes of files whose markers are HTML comments.
NOTEBOOKS = (*MARKDOWN, ".ipynb")


def notes_items(file: Path) -> tuple[list[Item], list[tuple[int, str]]]:
    """The marked displays of a notes file (LaTeX, Markdown, a notebook), and its
    conventions lines (raises ValueError for a file whose markers cannot be read)."""
    from symbptt.read.display import plain_relations
    from symbptt.read.markdown import DEFINE as MARKDOWN_DEFINE
    from symbptt.read.markdown import markdown_conventions, markdown_displays
    from symbptt.read.notebook import notebook_conventions, notebook_displays
    from symbptt.read.texfile import DEFINE as TEX_DEFINE
    from symbptt.read.texfile import conventions_in, marked_displays

    source = read_text(file, what="file")
    kind = file.suffix.lower()
    if kind == ".ipynb":
        items = [
            Item(
                plain_relations(d.text, d.macros),
                f"{file}:cell {c.cell}:",
                d.line,
                d.column,
                d.label_line,
                d.macros,
                c.cell,
                d.kind,
            )
            for c in notebook_displays(source)
            for d in (c.display,)
        ]
        written = [
            Item(plain_relations(said), f"{file}:cell {c}:", n, 1, n, cell=c, kind="define")
            for c, n, said in notebook_conventions(source, MARKDOWN_DEFINE)
        ]
        items = _with_written(items, written)
        return items, [(line, said) for _, line, said in notebook_conventions(source)]
    displays = (markdown_displays if kind in MARKDOWN else marked_displays)(source)
    found = (markdown_conventions if kind in MARKDOWN else conventions_in)(source)
    items = [
        Item(
            plain_relations(d.text, d.macros),
            f"{file}:",
            d.line,
            d.column,
            d.label_line,
            d.macros,
            None,
            d.kind,
        )
        for d in displays
    ]
    define = MARKDOWN_DEFINE if kind in MARKDOWN else TEX_DEFINE
    lines = (markdown_conventions if kind in MARKDOWN else conventions_in)(source, define)
    written = [Item(plain_relations(said), f"{file}:", n, 1, n, kind="define") for n, said in lines]
    return _with_written(items, written), found


def _with_written(items: list[Item], written: list[Item]) -> list[Item]:
    """The displays with the definitions written in ``define`` markers among them, in
    order, each with the macros of the display after it (those in effect there)."""
    if not written:
        return items
    key = lambda item: (item.cell or 0, item.line)  # noqa: E731
    out = sorted(items + written, key=key)
    for k, item in enumerate(out):
        if item in written:
            after = next((i for i in out[k + 1 :] if i not in written), None)
            out[k] = item._replace(macros=after.macros if after else "")
    return out


def forward_items(forward: str) -> list[Item]:
    """The model equations of --forward: a notes file's model displays, or equations."""
    from symbptt.read.display import equations, plain_relations

    path = forward_file(forward)
    if path is not None:
        return [item for item in _forward_notes(path)[0] if item.kind == "model"]
    return [
        Item(plain_relations(text), "--forward:", 1, 1, 1, kind="model")
        for line in forward.splitlines()
        for text in equations(line)
        if text.strip()
    ]


def forward_file(forward: str) -> Path | None:
    """The notes file ``--forward`` names, or None where it gives the equations (TeX
    holds backslashes; a file name holds none, or only doubled ones)."""
    path = Path(forward)
    named = len(forward) < 4096 and "\\" not in forward.replace("\\\\", "")
    return path if named and path.is_file() else None


def _forward_notes(path: Path) -> tuple[list[Item], list[tuple[int, str]]]:
    """The displays and conventions lines of the notes file ``--forward`` names, which
    must mark a model display (usage errors otherwise)."""
    try:
        items, found = notes_items(path)
    except ValueError as err:
        raise click.UsageError(f"--forward {path}: {err}") from None
    if not any(item.kind == "model" for item in items):
        raise click.UsageError(f"--forward {path}: no display marked '{marker(path, 'model')}'")
    return items, found


def expanded(item: Item, preamble: str = "") -> str:
    """A model display's text with the macros in effect at it (the file's and
    ``--preamble``'s) expanded, as a checked display's are: notes write their forward pass
    with the same macros as their formulas (``\\vect{a}^{(t)}``). A macro that cannot be
    expanded leaves the text as written (its reading then says what is wrong)."""
    from symbptt.errors import FormulaSyntaxError
    from symbptt.read.macros import expand, read_macros

    if not (item.macros or preamble):
        return item.text
    try:
        return expand(item.text, read_macros(f"{preamble}\n{item.macros}"))
    except (FormulaSyntaxError, ValueError):
        return item.text


def model_segments(items: list[Item]) -> list[tuple[int, list[Item]]]:
    """The models a notes file states, each with the index of the first item it applies
    to: notes that derive an RNN and then an LSTM state two forward passes.

    A run of ``model`` displays (no other display between them), after a checked
    display, states a new model when it computes a name the model so far computes, or
    computes names without reading any quantity of the model so far (another network);
    the new model applies from its run to the next. It takes the loss displays of the
    one before (the notes' loss stands) unless it states its own, and nothing else. A run
    of loss displays, or one with no check before it, is the same model's."""
    from symbptt.read.forward_names import display_names

    segments: list[tuple[int, list[Item]]] = [(0, [])]
    computed: set[str] = set()
    run: list[int] = []
    checked = False

    def close() -> None:
        nonlocal computed, checked
        forward = [items[k] for k in run if loss_kind(items[k]) is None]
        names: set[str] = set()
        reads: set[str] = set()
        for item in forward:
            made, used = display_names(item.text)
            names, reads = names | made, reads | used
        other = names and not reads & computed
        if segments[-1][1] and checked and forward and (names & computed or other):
            own = {loss_kind(items[k]) for k in run}
            kept = [i for i in segments[-1][1] if loss_kind(i) not in (None, *own)]
            segments.append((run[0], kept + [items[k] for k in run]))
            computed = names
        else:
            segments[-1][1].extend(items[k] for k in run)
            computed |= names
        run.clear()
        checked = False

    for n, item in enumerate(items):
        if item.kind == "model":
            run.append(n)
            continue
        if run:
            close()
        checked = checked or item.kind == "check"
    if run:
        close()
    return segments


def loss_kind(item: Item) -> str | None:
    """``"total"`` or ``"step"`` for a loss display (its left side a loss letter), else
    None."""
    from symbptt.read.display import equations
    from symbptt.read.loss_display import loss_side

    first = equations(item.text)[0]
    return loss_side(first.split("=", 1)[0]) if "=" in first else None


def forward_spec(forward: str, spec: Any, conventions: str | None = None) -> Any:
    """The model of a forward pass given with ``--forward TEXT|FILE`` (a notes file's
    model displays and conventions lines, or equations), for ``spec``'s T: what ``pdf``
    and ``tex`` document in the notes' own names. What symbptt chose where the notes are
    silent is said on stderr; notes whose model cannot be read are a usage error."""
    from symbptt.checker.notes import notes_setting
    from symbptt.read.conventions import read_conventions

    declared: list[tuple[int, str]] = [(0, conventions)] if conventions else []
    path = forward_file(forward)
    segments = [(0, forward_items(forward))] if path is None else []
    if path is not None:
        items, found = _forward_notes(path)
        declared += found
        segments = [s for s in model_segments(items) if s[1]]
        if len(segments) > 1:
            raise click.UsageError(
                f"--forward {forward}: the notes state {len(segments)} models; document "
                "one (give its equations)"
            )
    try:
        setting = notes_setting(
            [expanded(m) for m in segments[0][1]], read_conventions(declared), spec.T
        )
    except ValueError as err:
        raise click.UsageError(f"--forward: {err}") from None
    if setting.spec is None:
        raise click.UsageError(f"--forward: {setting.refusal or 'no model to read'}")
    if setting.profile is not None and setting.profile.first != 1:
        raise click.UsageError(
            "--forward: the notes count the steps from 0; a document numbers them from 1, "
            "and would print their names at other steps (not written yet)"
        )
    if setting.loss_unread:
        raise click.UsageError(
            f"--forward: the notes' step loss {setting.loss_unread.strip()} is not read; a "
            "document of it cannot be written"
        )
    if setting.spec.model.rows:
        raise click.UsageError(
            "--forward: the notes write vectors as rows (h W); a document writes them as "
            "columns (W^T h), which is not the notes' notation (rows are not printed yet)"
        )
    for said in setting.said:
        click.echo(f"note: {said}", err=True)
    return setting.spec
