"""The whole pipeline in one place: spec -> report -> LaTeX -> PDF.

RNNSpec --verify--> Report --render_tex--> str --compile_pdf--> Path
"""

from __future__ import annotations

from pathlib import Path

from .errors import UnverifiedError
from .model import RNNSpec
from .render.document import DocumentOptions
from .render.tex import render_tex
from .render.texbuild import BuildResult, compile_pdf
from .vector.model import ElmanSpec
from .verify import Report, verify


def make_tex(
    spec: RNNSpec | ElmanSpec,
    *,
    options: DocumentOptions | None = None,
    method: str = "exact",
    template: Path | None = None,
    fragment: bool = False,
    allow_unverified: bool = False,
    seed: int = 0,
) -> tuple[str, Report]:
    """Verify the derivation for ``spec`` and render it as LaTeX.

    Raises:
        UnverifiedError: a check failed and ``allow_unverified`` is False.

    Example:
        >>> tex, report = make_tex(RNNSpec(T=2))
        >>> report.holds and tex.startswith("\\\\documentclass")
        True
    """
    if isinstance(spec, ElmanSpec):
        from .vector.verify import verify_vector

        report = verify_vector(spec, method=method, seed=seed)
    else:
        report = verify(spec, method=method, seed=seed)
    if not report.holds and not allow_unverified:
        names = ", ".join(f"{c.name} (at {c.failure})" for c in report.failures)
        raise UnverifiedError(
            f"not writing an unverified document: {names} failed "
            f"(use --allow-unverified to write it anyway)",
            report=report,
        )
    return render_tex(spec, report, options, template=template, fragment=fragment), report


def make_pdf(
    spec: RNNSpec | ElmanSpec,
    output: Path,
    *,
    options: DocumentOptions | None = None,
    method: str = "exact",
    template: Path | None = None,
    keep_tex: bool = False,
    allow_unverified: bool = False,
    seed: int = 0,
) -> tuple[BuildResult, Report]:
    """Verify, render and compile the derivation to ``output`` (written atomically)."""
    tex, report = make_tex(
        spec,
        options=options,
        method=method,
        template=template,
        allow_unverified=allow_unverified,
        seed=seed,
    )
    return compile_pdf(tex, Path(output), keep_tex=keep_tex), report
