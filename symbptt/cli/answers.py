"""The answers of ``symbptt check``: one line per formula for people, or one JSON list."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click

from symbptt.cli.notes_input import Item
from symbptt.errors import FormulaSyntaxError, excerpt


class Answers:
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


def refuse(say: Answers, item: Item, err: Exception) -> None:
    """A formula refused: with its column and a caret when the error has a place."""
    if not isinstance(err, FormulaSyntaxError) or not err.column:
        say.refused(item.where, item.line, getattr(err, "reason", str(err)))
        return
    at_line = item.line + max(err.line, 1) - 1
    at_col = err.column + (item.column - 1 if err.line <= 1 else 0)
    shown = excerpt(err.text or item.text, max(err.line, 1), max(err.column, 1))
    say.refused(item.where, at_line, err.reason, at_col, shown)
