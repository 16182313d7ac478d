"""The whole pipeline in one place: spec -> report -> LaTeX -> PDF.

Spec --verify--> Report --render_tex--> str --compile_pdf--> Path
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from symbptt.core.spec import Spec, require_spec
from symbptt.derive.adjoint import Program
from symbptt.errors import UnverifiedError
from symbptt.files import plan_output, require_distinct
from symbptt.render.document import DocumentOptions
from symbptt.render.formats.latex import render_tex
from symbptt.render.texbuild import BuildResult, compile_pdf
from symbptt.results import Report
from symbptt.verifier.claims import FormulaClaim, RecursionClaim
from symbptt.verifier.run import verify


def make_tex(
    spec: Spec,
    *,
    options: DocumentOptions | None = None,
    method: str = "auto",
    template: Path | str | None = None,
    fragment: bool = False,
    allow_unverified: bool = False,
    seed: int = 0,
    program: Program | None = None,
    claims: tuple[FormulaClaim | RecursionClaim, ...] | None = None,
    progress: Callable[..., None] | None = None,
) -> tuple[str, Report]:
    """Verify the derivation for ``spec`` and render it as LaTeX.

    The document prints the objects that were verified: ``program`` (default: the
    backward program derived from the equations) and ``claims`` (default: the model's
    identities, such as the scalar model's boxed formula, backward recursion and
    definitions). ``progress`` is told of each check as it starts (see
    :func:`symbptt.verifier.run.verify`) and of the rendering.

    Raises:
        UnverifiedError: a check failed and ``allow_unverified`` is False.

    Example:
        >>> from symbptt import RNNSpec
        >>> tex, report = make_tex(RNNSpec(T=2))
        >>> report.holds and "\\\\documentclass" in tex
        True
    """
    require_spec(spec)
    report = verify(
        spec, method=method, seed=seed, program=program, claims=claims, progress=progress
    )
    if not report.holds and not allow_unverified:
        names = ", ".join(f"{c.name} (at {c.failure})" for c in report.failures)
        raise UnverifiedError(
            f"not writing an unverified document: {names} failed "
            f"(use --allow-unverified to write it anyway)",
            report=report,
        )
    if progress is not None:
        progress("rendering the document")
    return render_tex(spec, report, options, template=template, fragment=fragment), report


def make_pdf(
    spec: Spec,
    output: Path | str,
    *,
    options: DocumentOptions | None = None,
    method: str = "auto",
    template: Path | str | None = None,
    keep_tex: bool = False,
    allow_unverified: bool = False,
    seed: int = 0,
    force: bool = False,
    inputs: tuple[Path | str, ...] = (),
    program: Program | None = None,
    claims: tuple[FormulaClaim | RecursionClaim, ...] | None = None,
    progress: Callable[..., None] | None = None,
) -> tuple[BuildResult, Report]:
    """Verify, render and compile the derivation to ``output`` (written atomically).

    The outputs (the PDF, and the ``.tex`` beside it with ``keep_tex``) are checked
    before any work is done (:func:`symbptt.files.plan_output`): no directory, device
    or input is written over, and an existing file only if symbptt wrote it or ``force``.

    Raises:
        OutputError: an output path that cannot be used (before any work).
        UnverifiedError: a check failed and ``allow_unverified`` is False.
        TexBuildError: TeX failed; nothing was replaced.
        WriteError: writing failed; nothing was replaced.
    """
    require_spec(spec)
    protected = (*inputs, template)
    target = plan_output(output, what="PDF", force=force, inputs=protected)
    outputs = {"PDF": target}
    if keep_tex:
        outputs[".tex"] = plan_output(
            target.with_suffix(".tex"), what=".tex", force=force, inputs=protected
        )
    require_distinct(outputs)
    tex, report = make_tex(
        spec,
        options=options,
        method=method,
        template=template,
        allow_unverified=allow_unverified,
        seed=seed,
        program=program,
        claims=claims,
        progress=progress,
    )
    if progress is not None:
        progress("pdflatex")
    log = target.with_suffix(".log")
    if log in outputs.values() or log in map(Path, inputs):
        log = target.with_name(target.name + ".log")
    return compile_pdf(tex, target, tex_target=outputs.get(".tex"), log_target=log), report
