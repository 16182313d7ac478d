"""The ``symbptt`` console script: a light entry point that turns every catchable signal
that would end the process (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, ...) into one
line on stderr and exit status 128 + its number, after cleaning up.

During start-up (the imports take a moment) nothing is written yet, so the process
leaves at once. Later the signal becomes an exception that unwinds the command, so that
temporary files and directories are removed and TeX's process group is ended (see
:func:`symbptt.render.texbuild.compile_pdf`). Ctrl-C is Python's KeyboardInterrupt (the command
group says "interrupted", :mod:`symbptt.cli.app`), SIGTERM says "terminated" and the
others which signal ended the command. A signal ignored when symbptt starts (``nohup`` ignores
SIGHUP) stays ignored.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

#: The signals whose default action ends the process and which a program can catch.
#: (SIGPIPE and SIGXFSZ are ignored by Python, so that a closed pipe or a full file is a
#: write error; SIGABRT, SIGSEGV and the like report faults and cannot be recovered from.)
ENDING_SIGNALS = tuple(
    getattr(signal, name)
    for name in (
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGUSR1",
        "SIGUSR2",
        "SIGALRM",
        "SIGTERM",
        "SIGVTALRM",
        "SIGPROF",
        "SIGXCPU",
        "SIGPWR",
        "SIGIO",
    )
    if hasattr(signal, name)
)

#: What symbptt says when a signal ends it (others: "terminated by SIGHUP", ...).
WORDS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


class Signalled(BaseException):
    """A signal that ends the command, raised where the program was so that everything
    on the way out is cleaned up (a BaseException: no ``except Exception`` swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def word(signum: int) -> str:
    """The line symbptt prints when ``signum`` ends it.

    Example:
        >>> word(signal.SIGHUP), word(signal.SIGINT)
        ('terminated by SIGHUP', 'interrupted')
    """
    return WORDS.get(signum, f"terminated by {signal.Signals(signum).name}")


def _leave(signum: int) -> None:
    """Say why, and leave with status 128 + signum, at once."""
    _ignore_all()
    for stream, text in ((sys.stdout, ""), (sys.stderr, word(signum) + "\n")):
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(128 + signum)


def _during_start_up(signum: int, frame: Any) -> None:
    """A signal while the imports run: nothing is written yet, so leave at once.
    (Raising there can land in the import system's own callbacks, which print
    "Exception ignored" and go on.)"""
    _leave(signum)


def _during_command(signum: int, frame: Any) -> None:
    """A signal while a command runs: unwind it (cleaning up on the way), with every
    further signal ignored so that nothing interrupts the cleaning up."""
    _ignore_all()
    _PENDING.append(signum)
    raise Signalled(signum)


def _swallowed(unraisable: Any) -> None:
    """``sys.unraisablehook``: Python swallows an exception raised in some callbacks (the
    logging module's lock release after a fork, a finalizer), printing "Exception
    ignored in". A swallowed :class:`Signalled` is delivered again a moment later, so
    that the command still unwinds and cleans up (TeX spinning would keep it running)."""
    if isinstance(unraisable.exc_value, Signalled):
        signal.signal(signal.SIGALRM, _redeliver)
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        return
    sys.__unraisablehook__(unraisable)


def _redeliver(signum: int, frame: Any) -> None:
    """The signal whose exception was swallowed, raised again (once per delivery)."""
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    raise Signalled(_PENDING[0])


def _ignore_all() -> None:
    for signum in ENDING_SIGNALS:
        try:
            signal.signal(signum, signal.SIG_IGN)
        except (OSError, ValueError):
            pass


def _catch(handler: Any, signals: tuple[int, ...]) -> None:
    """Handle ``signals`` by ``handler``, except those ignored from the start."""
    for signum in signals:
        if signum in _IGNORED:
            continue
        try:
            signal.signal(signum, handler)
        except (OSError, ValueError):  # not in the main thread, or not catchable here
            pass


#: The ending signals that were ignored when symbptt started (left ignored).
_IGNORED: set[int] = set()

#: The signal that ended the command (a record, in case its exception was swallowed on
#: the way out, as Python does with one raised in a callback: "Exception ignored in").
_PENDING: list[int] = []


def main() -> None:
    """Run the command line (:func:`symbptt.cli.main`)."""
    _IGNORED.update(s for s in ENDING_SIGNALS if signal.getsignal(s) == signal.SIG_IGN)
    interrupt = signal.getsignal(signal.SIGINT)
    _catch(_during_start_up, ENDING_SIGNALS)
    try:
        from symbptt.cli import main as run
    except KeyboardInterrupt:
        _leave(signal.SIGINT)
    # Ctrl-C is Python's KeyboardInterrupt again, the other signals unwind the command
    if signal.SIGINT not in _IGNORED:
        signal.signal(signal.SIGINT, interrupt)
    _catch(_during_command, tuple(s for s in ENDING_SIGNALS if s != signal.SIGINT))
    sys.unraisablehook = _swallowed
    try:
        run()
    except Signalled as err:
        _leave(err.signum)
    finally:
        # the command has answered: a signal while the interpreter shuts down would only
        # turn its exit status into death by that signal, so they are ignored from here
        _ignore_all()
        if _PENDING:  # the signal's exception was swallowed: still end as it asked
            _leave(_PENDING[0])
