"""The verification certificate of a document: what was checked, how, with what bound,
one table row per check of the report, and the versions that produced it. Every mark
in it is the report's: a check prints "holds" only if its result says so."""

from __future__ import annotations

import functools
import platform

from symbptt import __version__
from symbptt.core.method import MethodChoice
from symbptt.render.blocks import Emph, Inline, Math, Section, Table, parts, prose
from symbptt.results import Report

#: The longest check name (in characters) the certificate's table prints at the text's
#: size; longer ones (the LSTM's "output layer: d(c,h)_t/dW_hy = ...") get a smaller font.
CERTIFICATE_NAME_WIDTH = 45

#: The table's columns, and which of them are numbers.
HEADER = ("check", "method", "comparisons", "time (s)", "result")
NUMERIC = (False, False, True, True, False)


@functools.cache
def versions() -> dict[str, str]:
    """The versions of symbptt and of what its verdicts rest on."""
    import flint
    import sympy  # type: ignore[import-untyped]

    return {
        "symbptt": __version__,
        "SymPy": sympy.__version__,
        "python-flint": flint.__version__,
        "Python": platform.python_version(),
    }


def _result(holds: bool, failure: str | None) -> tuple[Inline, ...]:
    if holds:
        return parts(Math(r"\checkmark"), " holds")
    return parts(Emph(parts("fails"), strong=True), f" at {failure or ''}")


def certificate_table(report: Report) -> Table:
    """One row per check of the report: name, method, comparisons, seconds, result."""
    rows = tuple(
        (
            parts(c.name),
            parts("modular" if "modular" in c.method else "exact"),
            parts(str(c.comparisons)),
            parts(f"{c.seconds:.3f}"),
            _result(c.holds, c.failure),
        )
        for c in report.checks
    )
    small = max((len(c.name) for c in report.checks), default=0) > CERTIFICATE_NAME_WIDTH
    return Table(HEADER, rows, NUMERIC, small=small)


def power_of_ten(x: float) -> str:
    r"""1.8e-29 as LaTeX: 1.8 \cdot 10^{-29} (empty for 0)."""
    if x == 0:
        return ""
    mantissa, exponent = f"{x:.1e}".split("e")
    return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"


def certificate_section(report: Report, state: str, last: str) -> Section:
    """The certificate: the scope of the checks (every entry of every gradient and of
    d``state``/dP for t up to ``last``), the reference, the method and why it was
    chosen, the error bound of a modular check, the table, and the verdict."""
    why = MethodChoice.why(report.method_reason)
    method = report.method + (f" (chosen automatically, since {why})" if why else "")
    blocks: list = [
        prose(
            "Each claim below was checked for every entry of every gradient and of ",
            Math(rf"\partial {state} / \partial P"),
            ", for every ",
            Math(rf"t \le {last}"),
            " (the expansion's forms at ",
            Math(f"t = {last}"),
            ") against the true derivative of the unrolled model (reference: "
            f"{report.reference_method}), by {method}.",
        )
    ]
    bound = power_of_ten(max((c.error_bound for c in report.checks), default=0.0))
    if bound:
        blocks.append(
            prose(
                "The probability that any ",
                Emph(parts("holds")),
                " below is wrong is less than ",
                Math(bound),
                ".",
            )
        )
    blocks.append(certificate_table(report))
    v = versions()
    verdict = (
        parts("All checks hold.")
        if report.holds
        else parts(Emph(parts("Some checks fail: this document is unverified."), strong=True))
    )
    blocks.append(
        prose(
            verdict,
            f" Produced by symbptt {v['symbptt']} with SymPy {v['SymPy']}, python-flint "
            f"{v['python-flint']} and Python {v['Python']}.",
            indent=False,
        )
    )
    return Section("certificate", "Verification certificate", "sec:certificate", tuple(blocks))
