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


def test_the_readme_reports_each_sources_first_contact() -> None:
    """The README's table of the corpus has a row per source with its first contact as
    recorded (checked displays, decided), so the figures users read are the measured ones."""
    import json
    import re

    root = Path(__file__).resolve().parents[2]
    recorded = json.loads((root / "tests" / "notes" / "first-contact.json").read_text())
    readme = (root / "README.md").read_text(encoding="utf-8")
    for slug, row in recorded.items():
        found = re.search(rf"^\| {re.escape(slug)} \| [^|]* \| (\d+) \| (\d+) \|", readme, re.M)
        assert found, f"README has no row for {slug}"
        assert (int(found.group(1)), int(found.group(2))) == (row["displays"], row["decided"])
