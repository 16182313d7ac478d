"""Every command and example of the README and of docs/ runs as written.

For each page (README.md, docs/*.md), in the page's order, in a fresh directory that holds
copies of derivations/, examples/ and tests/profiles/:

* every ```python block runs, one session per page (a later block uses what an earlier
  one imported), and a printed True/False is the one the line's comment says;
* every `symbptt ...` command of a ```sh (or ```console: the `$ ` lines) block runs through
  bash, as written, with `symbptt` being this Python's `python -m symbptt`; its exit status
  is the one a trailing comment `# exit N` says (0 without one), and a file the comment
  says it `writes NAME` exists afterwards. Commands that install things or run the test
  suite are not run: they are listed in NOT_RUN with the reason;
* a ```toml or ```latex block is preceded by `<!-- file: PATH -->` and is that shipped
  file's text; ```text blocks are output or notation, not run.

And a `symbptt` command quoted in running text (in backquotes, with arguments) is one of
the commands run, so no command of the documentation goes untested.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: Commands of the documentation that this test does not run, and why (a command is
#: matched by its beginning).
NOT_RUN = {
    "bash scripts/install-tex.sh": "installs TeX Live with apt-get (as root or through sudo); "
    "./scripts/run-tests runs it before this suite",
    "pip install": "installs packages into the environment this suite runs in",
    "./scripts/run-tests": "runs this whole test suite",
    "python -m pytest": "runs tests of this suite",
    "python benchmarks/": "benchmarks take minutes each and measure the machine, not behaviour",
    "python -m tests.golden_doc": "rewrites the reference documents tests/golden/*.tex",
    "python -m tests.pinned.record": "re-records tests/pinned (minutes), rewriting its files",
}
#: Folders of the repository the documentation's commands read, copied into the directory
#: they run in (so that what they write never lands in the repository).
SHIPPED = ("derivations", "examples", "tests/profiles")
#: No documented example may take longer than this (seconds, a loaded 2-core machine).
SLOW = 60

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?!`)(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    flags=re.MULTILINE | re.DOTALL,
)
#: print(...)  # True ...: the first word the print's comment says it prints
SAYS = re.compile(r"^[ \t]*print\(.*?#\s*(True|False)\b", flags=re.MULTILINE)
EXIT = re.compile(r"^#\s*exit\s+(\d+)\b")
WRITES = re.compile(r"\bwrites ([\w.-]+\.\w+)")
FILE_MARK = re.compile(r"<!--\s*file:\s*(\S+)\s*-->\s*$")
INLINE = re.compile(r"(?<!`)`(symbptt [^`]+)`(?!`)")
PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]+$")
HAS_TORCH = importlib.util.find_spec("torch") is not None


@dataclass(frozen=True)
class Command:
    page: str
    line: int
    text: str
    exit: int = 0
    writes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    lang: str
    body: str
    mark: str | None  # the PATH of a preceding <!-- file: PATH -->


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        before = [x for x in text[: match.start()].splitlines() if x.strip()]
        mark = FILE_MARK.search(before[-1]) if before else None
        indent = len(match["indent"])
        body = "".join(x[indent:] for x in match["body"].splitlines(keepends=True))
        found.append(Block(page.name, line, match["lang"], body, mark and mark[1]))
    return found


def split_comment(line: str) -> tuple[str, str]:
    """The shell code of a line and its trailing comment (an unquoted '#' after a space)."""
    quote = None
    escaped = False
    for i, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i:]
    return line.rstrip(), ""


def split_and(code: str) -> list[str]:
    """The commands of a line joined by '&&' (outside quotes)."""
    parts, quote, start = [], None, 0
    for i, char in enumerate(code):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif code.startswith("&&", i):
            parts.append(code[start:i])
            start = i + 2
    parts.append(code[start:])
    return [p.strip() for p in parts if p.strip()]


def commands(block: Block) -> tuple[list[Command], list[str]]:
    """The symbptt commands of a shell block, and the other commands (each must be in
    NOT_RUN)."""
    raw = block.body.splitlines()
    if block.lang == "console":
        raw = [x[2:] if x.startswith("$ ") else "" for x in raw]
    logical: list[tuple[int, str]] = []  # (first line number, the line, continuations joined)
    pending, first = None, 0
    for number, line in enumerate(raw, start=block.line + 1):
        line = line.rstrip()
        joined = line if pending is None else f"{pending} {line.strip()}"
        if pending is None:
            first = number
        if line.endswith("\\") and not split_comment(line)[1]:
            pending = joined[:-1].rstrip()
            continue
        pending = None
        if joined.strip():
            logical.append((first, joined))
    found, others = [], []
    for number, line in logical:
        code, comment = split_comment(line)
        if not code:
            continue
        parts = split_and(code)
        for i, part in enumerate(parts):
            if part == "symbptt" or part.startswith("symbptt "):
                last = i == len(parts) - 1
                status = EXIT.match(comment) if last else None
                writes = tuple(WRITES.findall(comment)) if last else ()
                found.append(
                    Command(block.page, number, part, int(status[1]) if status else 0, writes)
                )
            else:
                others.append(part)
    return found, others


def not_run_reason(command: str) -> str | None:
    return next((why for start, why in NOT_RUN.items() if command.startswith(start)), None)


def all_commands() -> list[Command]:
    return [c for page in PAGES for b in blocks(page) for c in commands(b)[0]]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    for folder in SHIPPED:
        shutil.copytree(ROOT / folder, work / folder)
    return work


def shell_env(tmp_path: Path) -> dict[str, str]:
    """The environment of the commands: `symbptt` is this interpreter's symbptt."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "symbptt"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m symbptt "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "SYMBPTT_DEBUG"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


#: The outcome of each command that writes no file, by its text: a page that repeats
#: another page's command (the README's tour, the reference) runs it once.
_DONE: dict[str, str | None] = {}  # '{exit} {text}' -> the problem, or None
WRITES_NOTHING = ("symbptt check ", "symbptt verify ", "symbptt crosscheck ")


def run_command(command: Command, work: Path, env: dict[str, str]) -> str | None:
    """Run one documented command; what is wrong with its outcome, or None."""
    cached = command.text.startswith(WRITES_NOTHING) and " --file " not in command.text
    key = f"{command.exit} {command.text}"
    if cached and key in _DONE:
        return _DONE[key]
    outcome = _run(command, work, env)
    if cached:
        _DONE[key] = outcome
    return outcome


def _run(command: Command, work: Path, env: dict[str, str]) -> str | None:
    begun = time.monotonic()
    try:
        proc = subprocess.run(
            ["bash", "-c", command.text],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=3 * SLOW,
        )
    except subprocess.TimeoutExpired:
        return f"did not finish within {3 * SLOW} s"
    took = time.monotonic() - begun
    problems = []
    if proc.returncode != command.exit:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        problems.append(f"exit {proc.returncode}, the page says {command.exit}: {tail}")
    problems += [f"did not write {name}" for name in command.writes if not (work / name).exists()]
    if took > SLOW:
        problems.append(f"took {took:.0f} s (a documented example must take under {SLOW} s)")
    return "; ".join(problems) or None


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
@pytest.mark.tex
@pytest.mark.slow
def test_every_example_of_the_page_runs_as_written(
    page: Path,
    workdir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = shell_env(tmp_path)
    monkeypatch.chdir(workdir)
    monkeypatch.syspath_prepend(str(workdir))
    modules = set(sys.modules)
    session: dict = {"__name__": "readme"}
    failures, skipped = [], []
    try:
        for block in blocks(page):
            where = f"{block.page}:{block.line}"
            if block.lang == "python":
                capsys.readouterr()
                exec(compile(block.body, f"{where} (python block)", "exec"), session)
                printed = capsys.readouterr().out.splitlines()
                said = SAYS.findall(block.body)
                firsts = [line.split()[0] for line in printed if line.split()]
                verdicts = [word for word in firsts if word in ("True", "False")]
                if verdicts != said:
                    failures.append(f"{where}: printed {verdicts}, the comments say {said}")
            elif block.lang in ("sh", "console"):
                found, others = commands(block)
                for other in others:
                    if not_run_reason(other) is None:
                        failures.append(f"{where}: {other!r} is neither symbptt nor in NOT_RUN")
                for command in found:
                    if command.text.startswith("symbptt crosscheck") and not HAS_TORCH:
                        skipped.append(command)
                        continue
                    problem = run_command(command, workdir, env)
                    if problem:
                        failures.append(
                            f"{command.page}:{command.line}: {command.text}\n  {problem}"
                        )
            elif block.lang in ("toml", "latex"):
                if block.mark is None:
                    failures.append(f"{where}: a {block.lang} block without <!-- file: PATH -->")
                else:
                    shipped = (ROOT / block.mark).read_text(encoding="utf-8")
                    if shipped.strip() != block.body.strip():
                        failures.append(f"{where}: the block is not the text of {block.mark}")
            elif block.lang != "text":
                failures.append(f"{where}: a ```{block.lang} block: neither run nor checked")
    finally:
        for name in set(sys.modules) - modules:  # the generated modules the page imported
            if getattr(sys.modules[name], "__file__", "") and str(workdir) in str(
                sys.modules[name].__file__
            ):
                del sys.modules[name]
    assert not failures, "\n".join(failures)
    if skipped:
        pytest.skip(f"PyTorch is not installed: not run: {[c.text for c in skipped]}")


def test_the_pages_run_python_and_commands() -> None:
    kinds = {b.lang for page in PAGES for b in blocks(page)}
    assert {"python", "sh"} <= kinds
    readme = [c.text for c in all_commands() if c.page == "README.md"]
    assert any(c.startswith("symbptt pdf") for c in readme)
    assert any(c.startswith("symbptt check --file") for c in readme)
    assert any(c.startswith("symbptt codegen") for c in readme)


def test_the_readme_has_its_two_set_up_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = next(b for b in blocks(ROOT / "README.md") if b.lang == "sh")
    assert "./scripts/run-tests" in setup.body
    assert "symbptt pdf" in setup.body
    assert "about" in text and "minutes" in text  # how long the suite takes


def test_commands_quoted_in_running_text_are_among_the_commands_run() -> None:
    run = {" ".join(c.text.split()) for c in all_commands()}
    missing = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        prose = FENCE.sub("", text)
        for quoted in INLINE.findall(prose):
            words = quoted.split()
            if len(words) <= 2 or any(PLACEHOLDER.match(w) for w in words):
                continue  # a command's name, or its syntax (symbptt check --file FILE)
            if " ".join(words) not in run:
                missing.append(f"{page.name}: `{quoted}`")
    assert not missing, "quoted but never run:\n" + "\n".join(missing)


def test_every_command_that_is_not_run_says_why() -> None:
    for page in PAGES:
        for block in blocks(page):
            if block.lang in ("sh", "console"):
                for other in commands(block)[1]:
                    assert not_run_reason(other), f"{page.name}:{block.line}: {other}"
