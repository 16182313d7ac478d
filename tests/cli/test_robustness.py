"""Hostile input and faults (issue 9): no false success, no lost file, bounded work.

Every test is named after the item of the issue it pins. Commands run either through
click's CliRunner or, where processes, signals and file descriptors matter, as a real
``python -m symbptt`` subprocess. TeX-dependent tests compile for real (CI installs TeX).
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbptt
import symbptt.cli as cli
from symbptt import ElmanSpec, RNNSpec
from symbptt.build import make_pdf, make_tex
from symbptt.errors import (
    FormulaSyntaxError,
    InputError,
    OutputError,
    SpecError,
    TexBuildError,
    WorkLimitError,
)
from symbptt.render.document import DocumentOptions
from symbptt.render.plaintext import escape, supported_characters
from symbptt.render.texbuild import compile_pdf
from symbptt.specfile import load

ROOT = Path(__file__).resolve().parents[2]
NOTE_SPEC = ROOT / "derivations" / "note-000.toml"


def run(*args: str, input: str | None = None):
    """The CLI in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli.main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def run_process(*args: str, env: dict | None = None, **kwargs):
    """The CLI as a subprocess (python -m symbptt)."""
    return subprocess.run(
        [sys.executable, "-m", "symbptt", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        **kwargs,
    )


def no_traceback(text: str) -> bool:
    return "Traceback" not in text


@pytest.fixture
def good_pdf(tmp_path: Path) -> Path:
    """A PDF that symbptt wrote (to be kept or replaced)."""
    target = tmp_path / "keep.pdf"
    code, out, err = run("pdf", "-T", "2", "-o", str(target))
    assert code == 0, err
    return target


# -- 1. a failed TeX run is never a success ------------------------------------------------
@pytest.mark.tex
def test_1_an_overlong_title_is_refused_before_tex_and_the_pdf_is_kept(good_pdf: Path) -> None:
    before = good_pdf.read_bytes()
    code, out, err = run("pdf", "-T", "2", "-o", str(good_pdf), "--title", "\\" * 13000)
    assert code == 2
    assert "title has 13000 characters, more than the limit 500" in err
    assert good_pdf.read_bytes() == before


@pytest.mark.tex
def test_1_a_long_title_without_spaces_breaks_instead_of_running_off(tmp_path: Path) -> None:
    result, _ = make_pdf(
        RNNSpec(T=2),
        tmp_path / "t.pdf",
        options=DocumentOptions(title="\\" * 400, author="x" * 500),
    )
    assert result.overfull_boxes == []


@pytest.mark.parametrize("status", [1, 12, 0])
@pytest.mark.tex
def test_1_latexmk_failing_or_a_junk_pdf_is_an_error(
    good_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "latexmk").write_text(
        f"#!/bin/sh\nprintf '%%PDF-1.5 not really' > derivation.pdf\n"
        f"echo 'fake log' > derivation.log\nexit {status}\n"
    )
    (fake / "latexmk").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    before = good_pdf.read_bytes()
    code, out, err = run("pdf", "-T", "2", "-o", str(good_pdf))
    assert code == 1, out
    assert "TeX failed" in err and "wrote" not in out
    assert good_pdf.read_bytes() == before
    assert (good_pdf.with_suffix(".log")).read_text().startswith("% TeX log of a failed build")


# -- 2. only regular files are written; symbolic links are followed -----------------------
@pytest.mark.parametrize("where", ["", "sub/", ".", "a_directory"])
def test_2_empty_or_directory_outputs_are_refused(tmp_path: Path, where: str) -> None:
    (tmp_path / "a_directory").mkdir()
    (tmp_path / "sub").mkdir()
    code, out, err = run("pdf", "-T", "2", "-o", str(tmp_path / where) if where else "")
    assert code == 2
    assert "directory" in err or "empty" in err


def test_2_a_device_is_never_replaced() -> None:
    before = os.stat("/dev/null")
    code, out, err = run("pdf", "-T", "2", "-o", "/dev/null")
    assert code == 2 and "is a device" in err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and os.stat("/dev/null") == before


def test_2_a_fifo_output_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "out.tex"
    os.mkfifo(fifo)
    code, out, err = run("tex", "-T", "2", "-o", str(fifo))
    assert code == 2 and "FIFO" in err


@pytest.mark.tex
def test_2_a_symlink_is_written_through_and_modes_are_kept(good_pdf: Path) -> None:
    link = good_pdf.with_name("link.pdf")
    link.symlink_to(good_pdf.name)
    good_pdf.chmod(0o640)
    code, out, err = run("pdf", "-T", "3", "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and good_pdf.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(good_pdf.stat().st_mode) == 0o640


# -- 3. nothing symbptt did not write is overwritten ------------------------------------
@pytest.mark.tex
def test_3_keep_tex_does_not_overwrite_a_lecturers_notes(tmp_path: Path) -> None:
    notes = tmp_path / "lecture.tex"
    notes.write_text("my own notes\n")
    code, out, err = run("pdf", "-T", "2", "-o", str(tmp_path / "lecture.pdf"), "--keep-tex")
    assert code == 2 and "--force" in err and "lecture.tex" in err
    assert notes.read_text() == "my own notes\n"
    assert not (tmp_path / "lecture.pdf").exists()
    code, out, err = run(
        "pdf", "-T", "2", "-o", str(tmp_path / "lecture.pdf"), "--keep-tex", "--force"
    )
    assert code == 0 and notes.read_text().startswith("% Generated by symbptt")


@pytest.mark.tex
def test_3_symbptt_replaces_its_own_files(good_pdf: Path) -> None:
    code, out, err = run("pdf", "-T", "3", "-o", str(good_pdf), "--keep-tex")
    assert code == 0, err
    code, out, err = run("pdf", "-T", "2", "-o", str(good_pdf), "--keep-tex")
    assert code == 0, err


def test_3_a_foreign_pdf_needs_force(tmp_path: Path) -> None:
    foreign = tmp_path / "paper.pdf"
    foreign.write_bytes(b"%PDF-1.4 somebody else's paper")
    code, out, err = run("pdf", "-T", "2", "-o", str(foreign))
    assert code == 2 and "not written by symbptt" in err
    assert foreign.read_bytes() == b"%PDF-1.4 somebody else's paper"


def test_3_two_outputs_of_one_command_never_collide(tmp_path: Path) -> None:
    code, out, err = run("pdf", "-T", "2", "-o", str(tmp_path / "x.tex"), "--keep-tex")
    assert code == 2 and "would both be written" in err


def test_3_build_never_writes_over_its_spec_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "notes.pdf"
    spec.write_text(NOTE_SPEC.read_text())
    for extra in ([], ["-o", str(spec)]):
        code, out, err = run("build", str(spec), *extra)
        assert code == 2 and "input" in err
        assert spec.read_text() == NOTE_SPEC.read_text()


def test_3_tex_and_codegen_refuse_foreign_files(tmp_path: Path) -> None:
    mine = tmp_path / "mine.py"
    mine.write_text("print('my code')\n")
    code, out, err = run("codegen", "-o", str(mine))
    assert code == 2 and mine.read_text() == "print('my code')\n"
    code, out, err = run("tex", "-T", "2", "-o", str(mine))
    assert code == 2 and mine.read_text() == "print('my code')\n"
    assert run("codegen", "-o", str(tmp_path / "g.py"))[0] == 0
    assert run("codegen", "-o", str(tmp_path / "g.py"))[0] == 0  # its own file


# -- 4. syntax errors at the very end ---------------------------------------------------
@pytest.mark.parametrize("formula", ["w = w +\n", "\n", "w = w +\n\n"])
def test_4_a_syntax_error_at_the_end_is_one_clear_error(formula: str) -> None:
    code, out, err = run("check", formula)
    assert code == 2 and "ends too early" in err and no_traceback(err)


def test_4_in_file_mode_too(tmp_path: Path) -> None:
    notes = tmp_path / "n.tex"
    notes.write_text("% symbptt: check\n\\begin{equation}\nw = w +\n\\end{equation}\n")
    code, out, err = run("check", "--file", str(notes))
    assert code == 2 and "refused: the formula ends too early" in out and no_traceback(out + err)


# -- 5. huge values are shortened -----------------------------------------------------------
def test_5_huge_exponents_are_refused_and_huge_values_shortened() -> None:
    code, out, err = run("check", "w^{10000} = 1")
    assert code == 2 and "exponent 10000 is above the limit 1000" in err
    code, out, err = run("check", "w^{1000} = 1")
    assert code == 1 and "digits)" in out and len(out) < 2000


# -- 6. long flat sums and products ------------------------------------------------------
def test_6_long_flat_products_and_sums_are_read() -> None:
    product = " \\cdot ".join(["w"] * 250) + " = w^{250}"
    total = " + ".join(["w"] * 330) + " = 330 w"
    assert run("check", product)[0] == 0
    assert run("check", total)[0] == 0
    assert symbptt.check(" - ".join(["w"] * 600) + " = -598 w").holds


# -- 7. spec files and templates ------------------------------------------------------------
@pytest.mark.parametrize(
    "content, message",
    [
        ('title = "x"\n'.encode("utf-16"), "UTF-16"),
        (b'title = "\xe9"\n', "not UTF-8"),
        (b"\x00\x01binary", "binary"),
        (("a = " + "[" * 2000 + "]" * 2000 + "\n").encode(), "nest"),
        (b'[document]\nsections = [["model"]]\n', "sections must be a list"),
        (b"[notation]\nimmediate = [1]\n", "must be a string"),
        (b"title = 3\n", "title must be a string"),
        (b'[model]\nT = "four"\n', "T"),
    ],
)
def test_7_bad_spec_files_are_clear_errors(tmp_path: Path, content: bytes, message: str) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_bytes(content)
    with pytest.raises(SpecError, match=message):
        load(spec)
    code, out, err = run("build", str(spec), "-o", str(tmp_path / "bad.pdf"))
    assert code == 2 and message in err and no_traceback(err)


def test_7_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    spec = tmp_path / "bom.toml"
    spec.write_bytes(b"\xef\xbb\xbf" + NOTE_SPEC.read_bytes())
    assert load(spec).spec.T == 4
    template = tmp_path / "mine.tex.j2"
    template.write_bytes(
        b'\xef\xbb\xbf\\BLOCK{extends "base.tex.j2"}\n\\BLOCK{block intro}Mine.\\BLOCK{endblock}\n'
    )
    tex, _ = make_tex(RNNSpec(T=2), template=str(template))
    assert "Mine." in tex and "\ufeff" not in tex


@pytest.mark.parametrize(
    "body, message",
    [
        ("\\BLOCK{if}", "line 1"),
        (
            '\\BLOCK{extends "base.tex.j2"}\n\\BLOCK{block intro}\n\\VAR{1/0}\n\\BLOCK{endblock}',
            "line 3",
        ),
        ('\\BLOCK{include "mine.tex.j2"}', "recurses"),
    ],
)
def test_7_template_errors_name_the_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    template = tmp_path / "mine.tex.j2"
    template.write_text(body)
    code, out, err = run("tex", "-T", "2", "--template", str(template))
    assert code == 2 and message in err and no_traceback(err)
    assert "mine.tex.j2" in err


def test_7_a_latin1_template_is_a_clear_error(tmp_path: Path) -> None:
    template = tmp_path / "latin.tex.j2"
    template.write_bytes(b"caf\xe9 \\VAR{title}")
    code, out, err = run("tex", "-T", "2", "--template", str(template))
    assert code == 2 and "not UTF-8" in err


def test_7_a_template_named_like_the_base_extends_the_shipped_base(tmp_path: Path) -> None:
    template = tmp_path / "base.tex.j2"
    template.write_text(
        '\\BLOCK{extends "base.tex.j2"}\n\\BLOCK{block intro}Mine.\\BLOCK{endblock}\n'
    )
    tex, _ = make_tex(RNNSpec(T=2), template=template)
    assert "Mine." in tex and "\\documentclass" in tex


# -- 8. output and I/O faults -------------------------------------------------------------
def test_8_an_unwritable_directory_is_refused_before_the_work() -> None:
    code, out, err = run("pdf", "-T", "2", "-o", "/proc/derivation.pdf")
    assert code == 2 and "cannot write the PDF in /proc" in err


def test_8_stdout_on_a_full_device_is_one_error() -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "symbptt", "tex", "-T", "2"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "standard output" in proc.stderr


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_8_a_full_disk_while_writing_replaces_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.tex"
    proc = run_process("tex", "-T", "4", "-o", str(target), preexec_fn=_limit_file_size)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("Error: cannot write") and no_traceback(proc.stderr)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_8_a_full_tmpdir_is_one_error(tmp_path: Path) -> None:
    target = tmp_path / "d.pdf"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = run_process(
        "pdf", "-T", "2", "-o", str(target), env={"TMPDIR": str(tmp)}, preexec_fn=_limit_file_size
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("Error:") and proc.stderr.count("\n") == 1
    assert list(tmp.iterdir()) == []


#: A template whose TeX never finishes (and never grows): pdflatex at 100% CPU.
SPINNING_TEMPLATE = (
    '\\BLOCK{extends "base.tex.j2"}\\BLOCK{block intro}\\def\\spin{\\spin}\\spin\\BLOCK{endblock}\n'
)


#: The signals the interruption tests send, and what symbptt says and exits with.
ENDINGS = [
    (signal.SIGINT, 130, "interrupted"),
    (signal.SIGTERM, 143, "terminated"),
    (signal.SIGHUP, 129, "terminated by SIGHUP"),
    (signal.SIGQUIT, 131, "terminated by SIGQUIT"),
    (signal.SIGUSR1, 138, "terminated by SIGUSR1"),
]


def _default_signals() -> None:
    """In the child before it starts: every signal the tests send at its default action,
    whatever the test run ignores (SIGINT under nohup, '&' or a CI runner; SIGHUP under
    nohup), since an ignored signal is inherited and symbptt leaves it ignored."""
    for sig, _, _ in ENDINGS:
        signal.signal(sig, signal.SIG_DFL)


def _tex_dirs(tmp: Path) -> list[Path]:
    """symbptt's temporary directories for TeX in ``tmp`` (other libraries may keep
    caches there)."""
    return list(tmp.glob("symbptt-*"))


def _processes_in(directory: Path) -> list[int]:
    """The processes whose working directory is in ``directory`` (TeX's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "cwd").startswith(str(directory)):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("sig, code, word", ENDINGS)
@pytest.mark.tex
def test_8_and_15_every_ending_signal_during_tex_cleans_up_and_ends_tex(
    tmp_path: Path, sig: int, code: int, word: str
) -> None:
    """Ctrl-C, SIGTERM and every other ending signal while pdflatex runs: one line, exit
    128 + n, no temporary directory, no TeX process, no PDF (the child starts with the
    signals at their default, whatever this test run ignores)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    template = tmp_path / "spin.tex.j2"
    template.write_text(SPINNING_TEMPLATE)
    proc = subprocess.Popen(
        [sys.executable, "-m", "symbptt", "pdf", "-T", "2", "--template", str(template)]
        + ["-o", str(tmp_path / "d.pdf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
        preexec_fn=_default_signals,
    )
    try:
        # wait until pdflatex spins in TeX's temporary directory
        started = _wait_for(lambda: proc.poll() is not None or len(_processes_in(tmp)) >= 2, 120)
        assert started, "TeX did not start"
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    assert err.strip() == word and len(err.strip().splitlines()) == 1
    assert _tex_dirs(tmp) == []
    assert _wait_for(lambda: _processes_in(tmp) == [], 10), "TeX still runs"
    assert not (tmp_path / "d.pdf").exists()


@pytest.mark.tex
def test_15_tex_is_bounded_even_if_symbptt_is_killed(tmp_path: Path) -> None:
    # SIGKILL cannot be caught: TeX's CPU-time limit ends a spinning pdflatex anyway
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    program = (
        "from pathlib import Path\n"
        "from symbptt.render.texbuild import compile_pdf\n"
        "compile_pdf('\\\\documentclass{article}\\\\begin{document}\\\\def\\\\spin{\\\\spin}"
        "\\\\spin\\\\end{document}', Path('d.pdf'), timeout=3)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", program],
        cwd=tmp_path,
        env={**os.environ, "TMPDIR": str(tmp)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(lambda: len(_processes_in(tmp)) >= 2, 120), "TeX did not start"
    finally:
        proc.kill()
        proc.wait()
    assert _processes_in(tmp), "TeX should outlive the killed process for a moment"
    assert _wait_for(lambda: _processes_in(tmp) == [], 60), "pdflatex still spins"


def test_8_interrupting_early_start_up_is_quiet() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "symbptt", "verify", "-T", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 130) and no_traceback(err)


# -- 9. crosscheck -----------------------------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "-inf"])
def test_9_tolerances_must_be_finite_and_non_negative(value: str) -> None:
    code, out, err = run("crosscheck", "--tolerance", value)
    assert code == 2 and "--tolerance" in err


def test_9_crosscheck_without_numpy_says_what_to_install() -> None:
    program = (
        "import sys; sys.modules['numpy'] = None\n"
        "from symbptt.cli import main\n"
        "main(['crosscheck', '-T', '2', '--hidden', '2'])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1 and "numpy" in proc.stderr.lower() and "pip install" in proc.stderr
    assert no_traceback(proc.stderr)


# -- 10. work is bounded by the input ------------------------------------------------------
@pytest.mark.parametrize(
    "args, message",
    [
        (["w^{1000000000} = 1"], "exponent 1000000000 is above the limit 1000"),
        (["\\sum_{i=1}^{1000000000} w = 1"], "above the limit 10000"),
        (
            ["\\sum_{i=1}^{1000} \\sum_{j=1}^{1000} \\sum_{k=1}^{1000} w = 1"],
            "evaluations",
        ),
        (["\\prod_{j=1}^{1000000000} \\frac{\\partial L}{\\partial s_j} = 1"], "10000"),
        (["--method", "exact", "\\frac{\\partial L}{\\partial w}^{50} = 0"], "limit"),
        (["--method", "exact", "(w+v+h_0+x_1+x_2+x_3+x_4)^{30} = 1"], "limit"),
        (["--model", "elman", "--hidden", "2", "-T", "3", "W_{hh}^{1000000} = W_{hh}"], "exponent"),
        (
            ["--model", "elman", "--hidden", "2", "-T", "3", "\\sum_{j=1}^{1000000000} W_{hh} = 0"],
            "above the limit 10000",
        ),
        (
            ["--model", "elman", "--hidden", "3", "-T", "6", "--method", "exact"]
            + ["W_{hh}^{1000} = W_{hh}"],
            "limit",
        ),
    ],
)
def test_10_expensive_formulas_are_refused(args: list[str], message: str) -> None:
    code, out, err = run("check", *args)
    assert code == 2, out
    assert message in err


def test_10_auto_answers_what_the_exact_method_would_refuse_as_too_large() -> None:
    code, out, err = run("check", "(w+v+h_0+x_1+x_2+x_3+x_4)^{30} = 1")
    assert code == 1 and "does NOT hold (modular" in out and "counterexample" in out
    assert "note: --method auto chose modular: the formula's exact canonical forms" in out


def test_10_the_api_raises_work_limit_errors() -> None:
    with pytest.raises(WorkLimitError, match="exponent"):
        symbptt.check("w^{5000} = 1")
    with pytest.raises(WorkLimitError):
        symbptt.assert_equivalent("w^{5000}", "1")


# -- 11. input files ----------------------------------------------------------------------
def test_11_fifos_and_devices_are_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "notes.tex"
    os.mkfifo(fifo)
    for args in (
        ["check", "--file", str(fifo)],
        ["build", str(fifo)],
        ["check", "--file", "/dev/zero"],
    ):
        proc = run_process(*args, cwd=tmp_path)
        assert proc.returncode == 2 and "not a regular file" in proc.stderr


def test_11_oversized_files_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.tex"
    with open(big, "wb") as handle:
        handle.truncate(21 * 1024 * 1024)
    code, out, err = run("check", "--file", str(big))
    assert code == 2 and "more than the limit" in err


def test_11_many_displays_are_found_in_one_pass(tmp_path: Path) -> None:
    from symbptt.read.texfile import marked_displays

    block = "filler\n" * 10 + "% symbptt: check\n\\[ w = w \\]\n"
    displays = marked_displays(block * 20_000)
    assert len(displays) == 20_000 and displays[-1].line == 12 * 20_000


# -- 12. documented maxima are usable ----------------------------------------------------
def test_12_modular_vector_verification_beyond_its_work_limit_is_refused() -> None:
    code, out, err = run(
        "verify", "--model", "elman", "--hidden", "64", "-T", "200", "--method", "modular"
    )
    assert code == 2 and "work units, above the limit" in err


# -- 13. a wrong verdict: bound indices --------------------------------------------------
@pytest.mark.parametrize(
    "formula, message",
    [
        ("\\sum_{T=1}^{2} h_T = h_4 + h_4", "T is the horizon"),
        ("h_t = \\sum_{t=1}^{2} h_t", "bound by this sum"),
        ("\\sum_{w=1}^{2} h_w = 0", "w cannot be used as an index"),
    ],
)
def test_13_a_bound_index_never_shadows_a_model_name(formula: str, message: str) -> None:
    code, out, err = run("check", formula)
    assert code == 2 and message in err


# -- 14. templates run in a sandbox -----------------------------------------------------
def test_14_templates_cannot_run_commands(tmp_path: Path) -> None:
    witness = tmp_path / "witness"
    template = tmp_path / "evil.tex.j2"
    template.write_text(
        '\\BLOCK{extends "base.tex.j2"}\\BLOCK{block intro}'
        f"\\VAR{{cycler.__init__.__globals__.os.popen('touch {witness}').read()}}"
        "\\BLOCK{endblock}"
    )
    code, out, err = run("tex", "-T", "2", "--template", str(template))
    assert code == 2 and "sandbox" in err
    assert not witness.exists()


def test_14_shipped_templates_are_not_replaced_by_neighbours(tmp_path: Path) -> None:
    (tmp_path / "macros.tex.j2").write_text("BROKEN \\BLOCK{if}")
    (tmp_path / "base.tex.j2").write_text("HIJACKED")
    template = tmp_path / "mine.tex.j2"
    template.write_text('\\BLOCK{extends "base.tex.j2"}')
    tex, _ = make_tex(RNNSpec(T=2), template=template)
    assert "HIJACKED" not in tex and "\\documentclass" in tex


# -- 15, 16. TeX cannot embed outside files; its processes end with it -------------------
@pytest.mark.tex
def test_15_pdfobj_file_cannot_embed_outside_files(tmp_path: Path) -> None:
    template = tmp_path / "leak.tex.j2"
    template.write_text(
        '\\BLOCK{extends "base.tex.j2"}'
        "\\BLOCK{block intro}\\immediate\\pdfobj file{/etc/passwd}\\BLOCK{endblock}"
    )
    code, out, err = run(
        "pdf", "-T", "2", "--template", str(template), "-o", str(tmp_path / "l.pdf")
    )
    assert code == 1 and "/etc/passwd" in err
    assert not (tmp_path / "l.pdf").exists()


@pytest.mark.tex
def test_16_a_timeout_ends_every_tex_process(tmp_path: Path) -> None:
    loop = "\\documentclass{article}\\begin{document}\\def\\x{\\x}\\x\\end{document}"
    with pytest.raises(TexBuildError, match="did not finish"):
        compile_pdf(loop, tmp_path / "loop.pdf", timeout=3)
    time.sleep(0.5)
    table = subprocess.run(["ps", "-eo", "stat,args"], capture_output=True, text=True).stdout
    running = [line for line in table.splitlines() if not line.lstrip().startswith("Z")]
    assert not any("pdflatex" in line for line in running)  # ended (a zombie uses no CPU)


@pytest.mark.tex
def test_16_failed_builds_keep_the_log_beside_the_output(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    with pytest.raises(TexBuildError) as info:
        compile_pdf(
            "\\documentclass{article}\\begin{document}\\nosuch\\end{document}", tmp_path / "x.pdf"
        )
    assert info.value.log_path == str(tmp_path / "x.log")
    assert list((tmp_path / "tmp").iterdir()) == []


# -- 17. text the document cannot print ---------------------------------------------------
@pytest.mark.parametrize("title", ["中文", "😀", "e\u0301\u0301x\u0301", "bell\x07"])
def test_17_unprintable_characters_are_refused_before_tex(title: str) -> None:
    code, out, err = run("pdf", "-T", "2", "--title", title, "-o", "/tmp/never-written.pdf")
    assert code == 2 and "U+" in err
    assert not Path("/tmp/never-written.pdf").exists()


@pytest.mark.tex
def test_17_every_accepted_character_compiles(tmp_path: Path) -> None:
    chars = supported_characters()
    assert len(chars) > 500
    title = " ".join("".join(chars[n : n + 40]) for n in range(0, 480, 40))
    author = "∂L/∂w → α, Ünïcödé and\n\nblank lines " + "".join(chars[480:560])
    result, _ = make_pdf(
        RNNSpec(T=1), tmp_path / "c.pdf", options=DocumentOptions(title=title[:500], author=author)
    )
    assert "Missing character" not in result.log
    rest = chars[560:]
    for n in range(0, len(rest), 120):
        make_pdf(
            RNNSpec(T=1),
            tmp_path / "c.pdf",
            options=DocumentOptions(title="".join(rest[n : n + 120])),
        )


def test_17_escape_spells_unicode_in_latex() -> None:
    assert escape("∂ α é") == "{\\ensuremath{\\partial}} {\\ensuremath{\\alpha}} {\\'e}"


def test_17_an_overlong_formula_error_is_short(tmp_path: Path) -> None:
    notes = tmp_path / "long.tex"
    notes.write_text("% symbptt: check\n\\[" + "w + " * 500_000 + "w \\]\n")
    code, out, err = run("check", "--file", str(notes))
    assert code == 2 and len(err) < 500 and "longer than 8000" in err


# -- 18. the Python API validates its arguments -------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda: symbptt.check("w = w", model="scalar"),
        lambda: symbptt.assert_equivalent("w", "w", model="x"),
        lambda: symbptt.assert_equivalent("w", "w", method="bogus"),
        lambda: symbptt.assert_equivalent("w", "w", model=RNNSpec(T=400), method="exact"),
        lambda: symbptt.verify(None),
        lambda: symbptt.verify(ElmanSpec),
        lambda: make_tex(dict),
        lambda: make_tex({"T": 2}),
        lambda: make_pdf(RNNSpec(T=2), None),
        lambda: make_pdf(RNNSpec(T=2), ""),
        lambda: DocumentOptions(sections=None),
        lambda: DocumentOptions(title=None),
        lambda: load(None),
    ],
)
def test_18_the_api_fails_with_its_own_errors(call) -> None:
    with pytest.raises(SpecError) as info:
        call()
    assert len(str(info.value)) > 20  # says what was expected


def test_18_assert_equivalent_raises_syntax_errors_like_check() -> None:
    with pytest.raises(FormulaSyntaxError):
        symbptt.check("h_{t+T+9} = 1")
    with pytest.raises(FormulaSyntaxError):
        symbptt.assert_equivalent("h_{t+T+9}", "1")


def test_18_verify_accepts_the_vector_model() -> None:
    assert symbptt.verify(ElmanSpec(hidden=2, T=2)).holds


def test_18_input_and_output_errors_are_spec_errors() -> None:
    assert issubclass(InputError, SpecError) and issubclass(OutputError, SpecError)
