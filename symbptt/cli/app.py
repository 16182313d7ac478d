"""The command group, its error handling and its exit statuses (only this package talks to
the terminal)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from symbptt import __version__
from symbptt.errors import (
    EvaluationError,
    FormulaSyntaxError,
    SpecError,
    SymbpttError,
    WorkLimitError,
)

#: The exit status when symbptt itself fails (a bug, or out of memory): no verdict, and
#: never 1, which `check` gives a formula that does not hold.
INTERNAL = 3


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
    traceback. Ctrl-C prints "interrupted" (exit 130); SIGTERM and the other ending
    signals unwind the command to :mod:`symbptt.launch`, which says which ended it."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        kwargs["standalone_mode"] = False
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
            _fail("out of memory", INTERNAL)
        except SystemExit:
            raise
        except Exception as err:  # noqa: BLE001 - never a traceback for users
            if os.environ.get("SYMBPTT_DEBUG"):
                raise
            _fail(
                f"internal error ({type(err).__name__}: {err}); please report it "
                f"(SYMBPTT_DEBUG=1 shows the traceback)",
                INTERNAL,
            )


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
