"""The ``symbptt`` console script: a light entry point that turns Ctrl-C during start-up
(the imports take a moment) into "interrupted" and exit 130, like the commands do."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line (:func:`symbptt.cli.main`)."""
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    run()
