"""The ``symbptt`` command line (click). Only this package talks to the terminal: the
group and its error handling (app), the shared options (options), and one module per
kind of command."""

from __future__ import annotations

from symbptt.cli import code, documents, formulas, verify  # noqa: F401 - the commands register themselves
from symbptt.cli.app import main

__all__ = ["main"]
