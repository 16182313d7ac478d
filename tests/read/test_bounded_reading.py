"""Reading notes is bounded (issue 25, items 13 and 16): every preamble, macro, notes file
and notation profile is answered or refused (exit 2, one clear "Error:" or "error:" line)
in a few seconds, never after a quadratic scan; and the formula parser is kept between
processes in the user's cache directory.

Each test builds the hostile input of the issue's probe (or a smaller one of the same
shape that would take minutes before the fix) and runs the CLI in-process.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbptt
import symbptt.cli as cli
from symbptt.errors import FormulaSyntaxError, SpecError
from symbptt.limits import (
    MAX_DISPLAY,
    MAX_EXPANDED,
    MAX_NOTES_CHARACTERS,
    MAX_PROFILE_NAMES,
)
from symbptt.read import parser_cache
from symbptt.read.profiles import load_profile

#: Seconds a refusal or an answer may take: the promise (every input answered or refused
#: within 10 s), not a speed measurement (benchmarks/ measures speed); the inputs here
#: take about a second.
QUICK = 10.0


def run(*args: str) -> tuple[int, str, str, float]:
    """The CLI in-process: (exit code, stdout, stderr, seconds)."""
    start = time.monotonic()
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.stdout, result.stderr, time.monotonic() - start


def refused(code: int, err: str, message: str) -> bool:
    """Exit 2 with the message, and no traceback."""
    return code == 2 and message in err and "Traceback" not in err


# -- 13. a preamble of 30,000 unclosed \def\a{ (210 KB) -----------------------------------
def test_a_preamble_of_unclosed_definitions_is_read_in_linear_time(tmp_path: Path) -> None:
    preamble = tmp_path / "macros.tex"
    preamble.write_text("\\def\\a{\n" * 30_000, encoding="utf-8")
    code, out, err, seconds = run("check", "--preamble", str(preamble), "w = w")
    assert code == 0 and "holds" in out and seconds < QUICK
    code, out, err, seconds = run("check", "--preamble", str(preamble), "\\a = w")
    assert refused(code, err, "\\def\\a has no body") and seconds < QUICK


def test_the_api_reads_such_macros_in_linear_time_too() -> None:
    start = time.monotonic()
    assert symbptt.check("w = w", macros="\\def\\a{\n" * 30_000).holds
    with pytest.raises(FormulaSyntaxError, match="has no body"):
        symbptt.check("\\a = w", macros="\\newcommand{\\a}[1][x]{\n" * 30_000)
    assert time.monotonic() - start < QUICK


def test_a_preamble_of_many_edefs_indexes_its_braces_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each \\edef is expanded as the preamble is read; the short texts of those
    expansions must not push the preamble's brace index out of its cache (3,000 of them
    took 42 s when they did)."""
    from symbptt.limits import MAX_EXPANDED
    from symbptt.read import tex_arguments

    indexed = []
    real = tex_arguments._Braces.__init__
    monkeypatch.setattr(
        tex_arguments._Braces,
        "__init__",
        lambda self, text: (indexed.append(len(text)), real(self, text))[1],
    )
    tex_arguments._source_braces.cache_clear()
    nested = "\\f{" * 6 + "x" + "}" * 6
    preamble = "\\def\\f#1{#1}\n" + "".join(f"\\edef\\a{{{nested}{i}}}\n" for i in range(3000))
    assert len(preamble) > MAX_EXPANDED
    assert symbptt.check("w = w", macros=preamble).holds
    assert sum(n for n in indexed if n > MAX_EXPANDED) <= 2 * len(preamble)


# -- 13. a 2 MB macro body used 1,900 times ----------------------------------------------
def test_an_expansion_is_refused_by_its_size_before_it_is_built(tmp_path: Path) -> None:
    preamble = tmp_path / "macros.tex"
    preamble.write_text("\\newcommand{\\B}{" + "x" * 2_000_000 + "}\n", encoding="utf-8")
    code, out, err, seconds = run("check", "--preamble", str(preamble), "\\B" * 1_900)
    assert refused(code, err, f"expand the formula beyond {MAX_EXPANDED} characters")
    assert "to about 3,800,003,800" in err and seconds < QUICK


def test_a_long_body_with_arguments_is_refused_by_the_work_it_asks_for() -> None:
    macros = "\\newcommand{\\B}[1]{" + "#1" * 9_000 + "}"
    with pytest.raises(FormulaSyntaxError, match="MAX_EXPANSION_WORK"):
        symbptt.check("\\B{}" * 1_000 + " = w", macros=macros)
    with pytest.raises(FormulaSyntaxError, match="beyond"):
        symbptt.check("\\B{xyz} = w", macros=macros)


def test_a_parameter_beyond_the_arguments_is_a_clear_error() -> None:
    with pytest.raises(FormulaSyntaxError, match="uses #2 but takes 1 argument"):
        symbptt.check("\\a{w} = w", macros="\\newcommand{\\a}[1]{#2}")


def test_legitimate_macros_expand_as_before() -> None:
    macros = r"\newcommand{\hh}[1][t]{h_{#1}} \def\w{w}"
    formula = r"\frac{\partial \hh}{\partial \hh[t-1]} = \phi'(s_t) \w"
    assert symbptt.check(formula, macros=macros).holds


# -- 13. marker files whose displays close only at the end --------------------------------
def test_tex_displays_that_close_only_at_the_end_are_refused_at_once(tmp_path: Path) -> None:
    notes = tmp_path / "notes.tex"  # 136 KB: every display closes at the file's end
    notes.write_text("% symbptt: check\n\\[ w = w\n" * 5_000 + "\\]\n", encoding="utf-8")
    code, out, err, seconds = run("check", "--file", str(notes))
    assert refused(code, err, f"longer than {MAX_DISPLAY} characters") and seconds < QUICK
    assert len(err.strip().splitlines()) == 1


def test_a_marker_inside_a_marked_display_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("<!-- symbptt: check -->\n$$ w = w\n" * 3_000 + "$$\n", encoding="utf-8")
    code, out, err, seconds = run("check", "--file", str(notes))
    assert refused(code, err, "is inside the display that opens on line 2") and seconds < QUICK


@pytest.mark.parametrize(
    "opening",
    ["\\begin{align} w = w\n", "```{math}\nw = w\n"],
    ids=["environment", "math-block"],
)
def test_markdown_displays_that_close_only_at_the_end_are_refused(
    tmp_path: Path, opening: str
) -> None:
    closing = "\\end{align}\n" if opening.startswith("\\") else "```\n"
    notes = tmp_path / "notes.md"  # 82 KB
    notes.write_text(("<!-- symbptt: check -->\n" + opening) * 2_000 + closing, encoding="utf-8")
    code, out, err, seconds = run("check", "--file", str(notes))
    assert refused(code, err, f"longer than {MAX_DISPLAY} characters") and seconds < QUICK


def test_a_notebook_whose_display_closes_only_at_the_end_is_refused(tmp_path: Path) -> None:
    source = "<!-- symbptt: check -->\n\\begin{align} w = w\n" * 50_000 + "\\end{align}\n"
    cell = {"cell_type": "markdown", "metadata": {}, "source": source}  # 2 MB
    notebook = tmp_path / "notes.ipynb"
    notebook.write_text(json.dumps({"nbformat": 4, "cells": [cell]}), encoding="utf-8")
    code, out, err, seconds = run("check", "--file", str(notebook))
    assert refused(code, err, "cell 1: line 2: the display is longer") and seconds < QUICK


@pytest.mark.parametrize(
    "prose",
    [
        "\\[ x\n" * 50_000,  # math that never closes
        "<!-- x\n" * 30_000,  # comments that never close
        "```{note}\n" * 20_000,  # directives that never close
        "".join("x " + "`" * k + " a\n" for k in range(1, 600)),  # code spans of every length
        "\\begin{x} a\n" * 20_000,  # environments that never close
    ],
    ids=["math", "comments", "directives", "code-spans", "environments"],
)
def test_markdown_that_never_closes_is_read_in_linear_time(tmp_path: Path, prose: str) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(prose + "\n\n<!-- symbptt: check -->\n$$ w = w $$\n", encoding="utf-8")
    code, out, err, seconds = run("check", "--file", str(notes))
    assert code == 0 and "holds" in out and seconds < QUICK


def test_notes_beyond_the_size_limit_are_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("x\n" * (MAX_NOTES_CHARACTERS // 2 + 1), encoding="utf-8")
    code, out, err, seconds = run("check", "--file", str(notes))
    assert refused(code, err, "MAX_NOTES_CHARACTERS") and seconds < QUICK


def test_many_groups_after_many_definitions_are_read_in_linear_time(tmp_path: Path) -> None:
    notes = tmp_path / "notes.tex"
    letters = ("".join(chr(97 + int(c)) for c in str(k)) for k in range(20_000))
    definitions = "".join(f"\\def\\m{name}{{w}}\n" for name in letters)  # \mbcd is w
    groups = "{}" * 100_000
    notes.write_text(definitions + groups + "\n% symbptt: check\n\\[ \\mbcd = w \\]\n")
    code, out, err, seconds = run("check", "--file", str(notes))
    assert code == 0 and "holds" in out and seconds < QUICK


# -- 13. a notation profile with 20,000 names --------------------------------------------
def test_a_profile_with_too_many_names_is_refused_before_they_are_read(tmp_path: Path) -> None:
    names = "\n".join(f'"q_{{{k}}}" = "w"' for k in range(20_000))
    profile = tmp_path / "big.toml"
    profile.write_text(f'[profile]\nname = "big"\n[profile.names]\n{names}\n', encoding="utf-8")
    code, out, err, seconds = run("check", "--notation", str(profile), "w = w")
    assert refused(code, err, f"maps 20000 names, above the limit of {MAX_PROFILE_NAMES}")
    assert seconds < QUICK
    with pytest.raises(SpecError, match="MAX_PROFILE_NAMES"):
        load_profile(str(profile))


def test_a_profile_file_is_read_once_per_process(tmp_path: Path) -> None:
    names = "\n".join(f'"q_{{{k}}}" = "w"' for k in range(500))
    profile = tmp_path / "mid.toml"
    profile.write_text(f'[profile]\nname = "mid"\n[profile.names]\n{names}\n', encoding="utf-8")
    assert load_profile(str(profile)) is load_profile(str(profile))
    profile.write_text('[profile]\nname = "changed"\n', encoding="utf-8")
    os.utime(profile, ns=(0, 10**9))  # another version of the file: read again
    assert load_profile(str(profile)).name == "changed"


# -- 16. the parser is kept between processes --------------------------------------------
GRAMMAR = 'start: "a" "b"'


def build() -> object:
    from lark import Lark

    return Lark(GRAMMAR, parser="lalr")


def test_the_parser_is_saved_in_the_cache_directory_and_loaded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = []
    parser_cache.cached_parser(GRAMMAR, {"parser": "lalr"}, lambda: built.append(1) or build())
    (saved,) = (tmp_path / "symbptt").glob("grammar-*.lark")
    assert stat.S_IMODE((tmp_path / "symbptt").stat().st_mode) == 0o700
    loaded = parser_cache.cached_parser(GRAMMAR, {"parser": "lalr"}, lambda: 1 / 0)
    assert built == [1] and loaded.parse("ab").data == "start"
    # another grammar (or options, or Lark's version) is another file: never the stale one
    parser_cache.cached_parser(GRAMMAR + ' "c"', {"parser": "lalr"}, build)
    assert len(list((tmp_path / "symbptt").glob("grammar-*.lark"))) == 2
    assert not list((tmp_path / "symbptt").glob(".grammar-*"))  # no temporary file left


@pytest.mark.parametrize("damage", ["truncated", "other key", "writable by others"])
def test_a_damaged_or_foreign_cache_file_is_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    parser_cache.cached_parser(GRAMMAR, {"parser": "lalr"}, build)
    (saved,) = (tmp_path / "symbptt").glob("grammar-*.lark")
    data = saved.read_bytes()
    if damage == "truncated":
        saved.write_bytes(data[: len(data) // 2])
    elif damage == "other key":
        saved.write_bytes(b"0" * 64 + data[64:])
    else:
        saved.chmod(0o666)
    built = []
    parser = parser_cache.cached_parser(
        GRAMMAR, {"parser": "lalr"}, lambda: built.append(1) or build()
    )
    assert built == [1] and parser.parse("ab").data == "start"


def test_without_a_usable_cache_directory_the_parser_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert parser_cache.cache_dir() is None
    assert parser_cache.cached_parser(GRAMMAR, {"parser": "lalr"}, build).parse("ab")
    shared = tmp_path / "shared"
    (shared / "symbptt").mkdir(parents=True)
    (shared / "symbptt").chmod(0o777)  # others may write there: not used
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    assert parser_cache.cache_dir() is None


def test_check_keeps_its_parser_and_imports_no_renderer(tmp_path: Path) -> None:
    """One formula's check loads the parser from the cache (written by the first
    process) and imports neither the document renderer nor Jinja, NumPy or torch."""
    script = (
        "import sys\n"
        "from symbptt.cli import main\n"
        "try:\n"
        "    main(['check', 'w = w'])\n"
        "except SystemExit as end:\n"
        "    assert end.code == 0, end.code\n"
        "heavy = ('symbptt.render.document', 'jinja2', 'numpy', 'torch')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().endswith("[]"), proc.stdout
    assert len(list((tmp_path / "symbptt").glob("grammar-*.lark"))) == 1
