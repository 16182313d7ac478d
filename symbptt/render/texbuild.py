"""Compiling LaTeX to PDF, safely and atomically.

TeX runs in a fresh temporary directory, without shell escape, with
``openin_any=p`` / ``openout_any=p`` (paranoid: no reading or writing of files outside
the working directory, so ``\\input{/etc/passwd}`` fails), in batch mode, halting on the
first error, under a time limit, in a process group of its own (a timeout or an
interruption ends latexmk and every pdflatex it started). pdfTeX's ``\\pdfobj file`` and
``\\pdfximage`` ignore ``openin_any``; the log records every file they read, and a build
that read one outside the working directory and the TeX installation is refused.

A build counts only if latexmk exited 0, the log has no error, and the PDF is a real PDF
(it starts with ``%PDF`` and ``pdfinfo`` reads a page count > 0). Only then is anything
moved into place (atomically, see :mod:`symbptt.files`); on failure the log is kept
beside the output and named in the error, and an existing PDF is untouched.
"""

from __future__ import annotations

import functools
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from symbptt import __version__
from symbptt.errors import TexBuildError
from symbptt.files import PDF_MARK, TEXT_MARK, atomic_write, is_generated


@dataclass(frozen=True)
class BuildResult:
    """A finished build: where the PDF is, and TeX's log (for overfull-box checks)."""

    pdf: Path
    log: str

    @property
    def overfull_boxes(self) -> list[str]:
        """The log's ``Overfull \\hbox`` lines (an equation running off the page)."""
        return [line for line in self.log.splitlines() if line.startswith("Overfull \\hbox")]


DEBIAN_PACKAGES = "texlive-latex-recommended texlive-pictures lmodern latexmk poppler-utils"
TIMEOUT_SECONDS = 120

#: The first line of the source symbptt compiles: its mark in the PDF's information
#: dictionary (see :func:`symbptt.files.is_generated`).
PDF_MARK_LINE = f"\\pdfinfo{{{PDF_MARK.decode()} (symbptt {__version__})}}"


def tex_available() -> bool:
    """Whether latexmk, pdflatex and pdfinfo (which checks the result) are on PATH."""
    return all(shutil.which(tool) for tool in ("latexmk", "pdflatex", "pdfinfo"))


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
    env.update(
        openin_any="p",
        openout_any="p",
        shell_escape="f",
        TEXMFOUTPUT="",
        # one file name per log line, so that the audit below sees whole paths
        max_print_line="100000",
    )
    return env


@functools.cache
def tex_trees() -> tuple[str, ...]:
    """The directories of the TeX installation (``kpsewhich --expand-path '$TEXMF'``)."""
    try:
        out = subprocess.run(
            ["kpsewhich", "--expand-path=$TEXMF"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            stdin=subprocess.DEVNULL,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    roots = {os.path.realpath(d) for d in out.strip().split(":") if d.startswith("/")}
    return tuple(sorted(roots))


_READS = re.compile(r"<<([^<>\n]+)>>|<([^<>\n]+\.(?:pdf|png|jpe?g|jbig2|jb2))>", re.IGNORECASE)


def outside_reads(log: str, work: str) -> list[str]:
    """Files that ``\\pdfobj file`` or ``\\pdfximage`` read from outside the working
    directory and the TeX installation, as pdfTeX logs them (``<<file>>``, ``<image>``).

    Example:
        >>> outside_reads("(./derivation.aux) <</etc/passwd>> <<note.txt>>", "/tmp/w")
        ['/etc/passwd']
    """
    allowed = (os.path.realpath(work), *tex_trees())
    found = []
    for m in _READS.finditer(log):
        name = m.group(1) or m.group(2)
        path = os.path.realpath(os.path.join(work, name))
        if not any(path == root or path.startswith(root + os.sep) for root in allowed):
            found.append(name)
    return found


def _pdf_pages(pdf: Path) -> int:
    """The page count pdfinfo reads from a PDF (0 if it cannot read one)."""
    try:
        with open(pdf, "rb") as handle:
            if handle.read(5) != b"%PDF-":
                return 0
        out = subprocess.run(
            ["pdfinfo", str(pdf)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return 0
    m = re.search(r"^Pages:\s+(\d+)", out.stdout, re.MULTILINE)
    return int(m.group(1)) if out.returncode == 0 and m else 0


def _run_tex(command: list[str], work: str, timeout: float) -> int:
    """Run TeX in a process group of its own; on a timeout or an interruption (Ctrl-C,
    or any other signal that :mod:`symbptt.launch` turns into an exception) the whole
    group is ended. Each of TeX's processes is also limited to ``timeout`` seconds of
    CPU time, so that even if symbptt is killed outright (SIGKILL cannot be caught) a
    looping document does not leave pdflatex spinning."""
    proc = subprocess.Popen(
        command,
        cwd=work,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=functools.partial(_limit_cpu, math.ceil(timeout)),
    )
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_group(proc)
        raise TexBuildError(f"TeX did not finish within {timeout:.0f} s (stopped)") from None
    except BaseException:
        _end_group(proc)
        raise


def _limit_cpu(seconds: int) -> None:
    """In TeX's process before it starts: at most ``seconds`` of CPU time (SIGXCPU, then
    SIGKILL 5 s later), inherited by every pdflatex that latexmk starts."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    else:  # a limit of the caller's own stays (a hard limit cannot be raised)
        resource.setrlimit(resource.RLIMIT_CPU, (min(seconds, hard), hard))


def _end_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def compile_pdf(
    tex: str,
    target: Path,
    *,
    tex_target: Path | None = None,
    log_target: Path | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> BuildResult:
    """Compile LaTeX source to ``target`` (a PDF), atomically.

    Args:
        tex: the whole document.
        target: where the PDF goes (checked beforehand with
            :func:`symbptt.files.plan_output`); its directory must exist.
        tex_target: also write the source there (checked like ``target``).
        log_target: where to keep TeX's log if the build fails (default: beside the
            PDF, as ``.log``, unless a file symbptt did not write is there).
        timeout: seconds before TeX is stopped.

    Returns:
        The PDF's path and TeX's log.

    Raises:
        TexBuildError: no TeX on the machine, a TeX error (first error line, and the
            path of the kept log), an invalid PDF, a file read from outside, or a timeout.
    """
    if not tex_available():
        raise TexBuildError(
            f"no TeX engine found (latexmk, pdflatex and pdfinfo); on Debian or Ubuntu run "
            f"'apt-get install {DEBIAN_PACKAGES}', or use 'symbptt tex' to get the "
            f"LaTeX source"
        )
    target = Path(target)
    if not target.parent.is_dir():
        raise TexBuildError(f"the output directory {target.parent} does not exist")
    log_path = log_target or target.with_suffix(".log")
    try:
        work_dir = tempfile.TemporaryDirectory(prefix="symbptt-")
    except OSError as err:
        raise TexBuildError(
            f"cannot create a temporary directory for TeX ({tempfile.gettempdir()}): "
            f"{err.strerror}; set TMPDIR to a writable directory"
        ) from None
    with work_dir as work:
        source = Path(work, "derivation.tex")
        try:
            source.write_text(PDF_MARK_LINE + "\n" + tex, encoding="utf-8")
        except OSError as err:
            raise TexBuildError(
                f"cannot write TeX's input in {work}: {err.strerror}; "
                f"set TMPDIR to a directory with free space"
            ) from None
        status = _run_tex(latexmk_command(source.name), work, timeout)
        pdf, log = Path(work, "derivation.pdf"), Path(work, "derivation.log")
        log_text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        problem = _problem(status, pdf, log_text, work)
        if problem:
            kept = _keep_log(log_text, log_path)
            raise TexBuildError(
                f"TeX failed: {problem}; " + (f"full log: {kept}" if kept else "no log kept"),
                first_error=problem,
                log_path=kept,
            )
        data = pdf.read_bytes()
        if tex_target is not None:
            atomic_write(Path(tex_target), tex.encode("utf-8"))
        atomic_write(target, data)
    if log_path.exists() and is_generated(log_path):
        log_path.unlink(missing_ok=True)  # a stale log of an earlier failed build
    return BuildResult(target, log_text)


def _problem(status: int, pdf: Path, log_text: str, work: str) -> str:
    """What is wrong with a finished TeX run ("" if nothing)."""
    if re.search(r"^!", log_text, re.MULTILINE):
        return first_error(log_text)
    if status != 0:
        return f"latexmk exited with status {status} ({first_error(log_text)})"
    outside = outside_reads(log_text, work)
    if outside:
        return (
            f"the document reads {outside[0]} from outside its directory (\\pdfobj file or "
            f"\\pdfximage in the template); symbptt does not embed outside files"
        )
    if not pdf.exists() or pdf.stat().st_size == 0:
        return "TeX wrote no PDF"
    if _pdf_pages(pdf) <= 0:
        return "TeX's PDF is not readable (pdfinfo finds no page)"
    return ""


def _keep_log(text: str, path: Path) -> str:
    """Keep a failed build's log at ``path`` unless a file symbptt did not write is
    there; returns where it went ("" if nowhere)."""
    if path.exists() and not is_generated(path):
        return ""
    header = f"% TeX log of a failed build, {TEXT_MARK} {__version__}\n"
    try:
        atomic_write(path, (header + text).encode("utf-8"))
    except Exception:  # noqa: BLE001 - the build error is what matters; the log is extra
        return ""
    return str(path)
