"""The ``symbptt`` console script: a light entry point that turns Ctrl-C during start-up
(the imports take a moment) into "interrupted" and exit 130, like the commands do."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any


def _interrupted(signum: int, frame: Any) -> None:
    """Ctrl-C while the imports run: nothing is written yet, so leave at once. (Raising
    KeyboardInterrupt there can land in the import system's own callbacks, which print
    "Exception ignored" and go on.)"""
    sys.stderr.write("interrupted\n")
    sys.stderr.flush()
    os._exit(130)


def main() -> None:
    """Run the command line (:func:`symbptt.cli.main`)."""
    previous = signal.signal(signal.SIGINT, _interrupted)
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        run()
    finally:
        # the command has answered: a Ctrl-C while the interpreter shuts down would only
        # turn its exit status into death by SIGINT (-2), so it is ignored from here
        signal.signal(signal.SIGINT, signal.SIG_IGN)
