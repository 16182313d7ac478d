"""The notes corpus (tests/notes/README.md): every source is complete, its truth script
agrees with what its source.toml says, and symbptt never decides a display against its
truth (a refusal is allowed; a wrong verdict never)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.notes.measure import SOURCES, _truths, measure

FOLDERS = sorted(
    p for p in SOURCES.iterdir() if (p / "source.toml").is_file() and (p / "truth.py").is_file()
)


def _meta(folder: Path) -> dict:
    return tomllib.loads((folder / "source.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_a_source_says_where_it_is_from_and_what_is_true(folder: Path) -> None:
    meta = _meta(folder)
    assert meta["slug"] == folder.name and meta["title"] and (meta.get("url") or meta.get("repo"))
    assert (folder / meta["notes"]).is_file()
    ids = [d["id"] for d in meta["display"]]
    assert len(ids) == len(set(ids))
    assert {d["truth"] for d in meta["display"]} <= {"holds", "fails", "not an equation"}


@pytest.mark.torch
@pytest.mark.slow
@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_the_truth_script_agrees_with_the_source_file(folder: Path) -> None:
    truths = _truths(folder)
    for d in _meta(folder)["display"]:
        if d["truth"] in ("holds", "fails"):
            assert truths[d["id"]] is (d["truth"] == "holds"), d["id"]


@pytest.mark.slow
@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_no_display_is_decided_against_its_truth(folder: Path) -> None:
    tally = measure(folder, with_truth_script=False)
    assert tally.wrong == []
