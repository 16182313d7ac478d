"""Exception hierarchy of symbptt.

Every error the package raises on purpose derives from :class:`SymbpttError`, so a
caller can catch them all at once; only ``cli.py`` turns them into exit codes.
"""

from __future__ import annotations

from collections.abc import Collection


class SymbpttError(Exception):
    """Base class of every error raised on purpose by symbptt."""


class SpecError(SymbpttError, ValueError):
    """A model specification (or an option given for one) is invalid.

    The message says what was wrong and what is accepted instead.
    """


class EvaluationError(SymbpttError, ValueError):
    """An expression cannot be given a meaning in the model (unknown node, bad index)."""


class OutsideModelError(EvaluationError):
    """A formula names a node at a step the model does not have (h_(T+1), x_0): that
    step is not one of the formula's, and the checker skips it."""


class NotEquivalentError(SymbpttError, AssertionError):
    """Two expressions that were asserted equal are not.

    Attributes:
        lhs: the left-hand side as given.
        rhs: the right-hand side as given.
        counterexample: a :class:`symbptt.results.Counterexample` separating them,
            or ``None`` if none could be produced.
    """

    def __init__(
        self, message: str, *, lhs: object = None, rhs: object = None, counterexample: object = None
    ) -> None:
        super().__init__(message)
        self.lhs = lhs
        self.rhs = rhs
        self.counterexample = counterexample


class TexBuildError(SymbpttError):
    """TeX failed (or is missing). ``first_error`` is the first error line of the log;
    ``log_path`` where the full log was kept (if anywhere)."""

    def __init__(self, message: str, *, first_error: str = "", log_path: str = "") -> None:
        super().__init__(message)
        self.first_error = first_error
        self.log_path = log_path


class UnverifiedError(SymbpttError):
    """A document was requested but some check failed (and unverified output was not
    allowed). ``report`` is the verifier's report."""

    def __init__(self, message: str, *, report: object = None) -> None:
        super().__init__(message)
        self.report = report


class FormulaSyntaxError(SymbpttError, ValueError):
    """A formula cannot be parsed or understood.

    Attributes:
        text: the formula. line, column: 1-based position of the problem (0 if unknown).
    """

    def __init__(self, message: str, *, text: str = "", line: int = 0, column: int = 0) -> None:
        self.text = text
        self.line = line
        self.column = column
        self.reason = message
        super().__init__(self._format())

    def _format(self) -> str:
        if not self.column:
            return self.reason
        source, caret = excerpt(self.text, self.line, self.column)
        return f"{self.reason} (line {self.line}, column {self.column})\n  {source}\n  {caret}"


def excerpt(text: str, line: int, column: int, width: int = 72) -> tuple[str, str]:
    """The line of ``text`` at a 1-based position, cut to about ``width`` characters
    around the column, and a caret line pointing at the column (for error messages
    that must stay short whatever the input's size).

    Example:
        >>> excerpt("a = b +", 1, 8)
        ('a = b +', '       ^')
        >>> excerpt("w = w +\\n", 2, 1)
        ('', '^')
    """
    lines = text.split("\n") if text else [""]
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    at = max(column - 1, 0)
    if len(source) > width:
        start = max(0, min(at - width // 2, len(source) - width))
        cut = source[start : start + width]
        prefix = "..." if start > 0 else ""
        suffix = "..." if start + width < len(source) else ""
        source, at = prefix + cut + suffix, at - start + len(prefix)
    return source, " " * min(at, len(source)) + "^"


class WorkLimitError(SymbpttError, ValueError):
    """A formula or a request asks for more work than symbptt's limits allow (an exponent,
    a range, a nesting of sums, a polynomial too large, a time budget). The message names
    the limit and the value that exceeded it."""

    @property
    def reason(self) -> str:
        """The message without the advice after it ("; use the modular method ...")."""
        return str(self).split("; use ")[0]


class OutputError(SpecError):
    """An output path cannot be used: empty, a directory, a device or FIFO, a file that
    symbptt did not write (without ``force``), an input of the same command, or two
    outputs of one command at the same place. Raised before any work is done."""


class InputError(SpecError):
    """An input file cannot be read as text: not a regular file, too large, not UTF-8,
    or binary."""


class WriteError(SymbpttError):
    """Writing an output failed (disk full, file too large, I/O error); nothing was
    replaced."""


def choose_from(kind: str, value: object, table: Collection[str]) -> str:
    """``value`` if it is one of the names of ``table`` (a table's keys, or a tuple of
    names); otherwise a SpecError listing them."""
    if not isinstance(value, str) or value not in table:
        raise SpecError(f"unknown {kind} {value!r}; expected one of: {', '.join(table)}")
    return value
