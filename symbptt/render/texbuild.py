"""Compiling LaTeX to PDF, safely and atomically.

TeX runs in a fresh temporary directory, without shell escape, with
``openin_any=p`` / ``openout_any=p`` (paranoid: no reading or writing of files outside
the working directory, so ``\\input{/etc/passwd}`` fails), in batch mode, halting on the
first error, under a time limit. The PDF is moved into place only when everything
succeeded: on failure no partial file is left and an existing file is untouched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import TexBuildError


@dataclass(frozen=True)
class BuildResult:
    """A finished build: where the PDF is, and TeX's log (for overfull-box checks)."""

    pdf: Path
    log: str

    @property
    def overfull_boxes(self) -> list[str]:
        """The log's ``Overfull \\hbox`` lines (an equation running off the page)."""
        return [line for line in self.log.splitlines() if line.startswith("Overfull \\hbox")]


DEBIAN_PACKAGES = "texlive-latex-recommended texlive-pictures lmodern latexmk"
TIMEOUT_SECONDS = 120


def tex_available() -> bool:
    """Whether latexmk and pdflatex are on PATH."""
    return bool(shutil.which("latexmk") and shutil.which("pdflatex"))


def first_error(log: str) -> str:
    """The first TeX error line of a log (``! ...``), with its line number if given."""
    lines = log.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("!"):
            where = next(
                (m.group(0) for m in (re.match(r"l\.\d+", x) for x in lines[n : n + 8]) if m), ""
            )
            return f"{line[1:].strip()} {f'({where})' if where else ''}".strip()
    return "TeX failed without an error line (see the log)"


def latexmk_command(source: str) -> list[str]:
    """The TeX command line: latexmk driving pdflatex, never with shell escape."""
    return [
        "latexmk",
        "-pdf",
        "-no-shell-escape",
        "-halt-on-error",
        "-interaction=nonstopmode",
        "-quiet",
        "-pdflatex=pdflatex -no-shell-escape -halt-on-error -interaction=nonstopmode %O %S",
        source,
    ]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(openin_any="p", openout_any="p", shell_escape="f", TEXMFOUTPUT="")
    return env


def compile_pdf(
    tex: str, target: Path, *, keep_tex: bool = False, timeout: float = TIMEOUT_SECONDS
) -> BuildResult:
    """Compile LaTeX source to ``target`` (a PDF), atomically.

    Args:
        tex: the whole document.
        target: where the PDF goes; its directory must exist.
        keep_tex: also write the ``.tex`` beside the PDF (atomically too).
        timeout: seconds before TeX is stopped.

    Returns:
        The PDF's path and TeX's log.

    Raises:
        TexBuildError: no TeX on the machine, a TeX error (first error line, and the
            path of the kept log), or a timeout.
    """
    if not tex_available():
        raise TexBuildError(
            f"no TeX engine found (latexmk and pdflatex); on Debian or Ubuntu run "
            f"'apt-get install {DEBIAN_PACKAGES}', or use 'symbptt tex' to get the "
            f"LaTeX source"
        )
    target = Path(target)
    if not target.parent.is_dir():
        raise TexBuildError(f"the output directory {target.parent} does not exist")
    with tempfile.TemporaryDirectory(prefix="symbptt-") as work:
        source = Path(work, "derivation.tex")
        source.write_text(tex, encoding="utf-8")
        command = latexmk_command(source.name)
        try:
            subprocess.run(
                command,
                cwd=work,
                env=_environment(),
                capture_output=True,
                timeout=timeout,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise TexBuildError(f"TeX did not finish within {timeout:.0f} s") from None
        pdf, log = Path(work, "derivation.pdf"), Path(work, "derivation.log")
        log_text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if not pdf.exists() or re.search(r"^!", log_text, re.MULTILINE):
            kept = _keep_log(log_text)
            raise TexBuildError(
                f"TeX failed: {first_error(log_text)}; full log: {kept}",
                first_error=first_error(log_text),
                log_path=kept,
            )
        _atomic_copy(pdf, target)
        if keep_tex:
            _atomic_copy(source, target.with_suffix(".tex"))
    return BuildResult(target, log_text)


def _keep_log(text: str) -> str:
    fd, path = tempfile.mkstemp(prefix="symbptt-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically: into a temporary file beside it, then a
    rename over it, so a reader never sees a partial file. Permissions follow the umask,
    as for any newly created file."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_copy(source: Path, target: Path) -> None:
    atomic_write(target, Path(source).read_bytes())
