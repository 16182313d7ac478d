"""How well ``symbptt check --file`` reads the notes corpus (tests/notes/README.md).

For each source folder: the truth of each checked display from its ``truth.py``
(PyTorch autograd, no symbptt), and symbptt's answer from ``check --file --json``
run as a user would run it; a display is *decided* when symbptt says holds or does not
hold, *agrees* when that is its truth, and is *wrong* when it is decided against its
truth (the number that must stay 0). ``--record`` writes the rates of sources that have
none yet to ``first-contact.json``: their first contact, measured before any code was
changed for them, and never overwritten.

    python -m tests.notes.measure [--record] [--readme] [SLUG ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
FIRST_CONTACT = HERE / "first-contact.json"
#: Seconds one notes file may take (every input is answered or refused within 10 s a
#: formula; a file has a few dozen).
TIMEOUT = 600


@dataclass
class Tally:
    """One source's measure."""

    slug: str
    displays: int = 0
    decided: int = 0
    agree: int = 0
    wrong: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    truth_mismatch: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.agree / self.displays if self.displays else 0.0

    def row(self) -> dict[str, object]:
        return {
            "displays": self.displays,
            "decided": self.decided,
            "agree": self.agree,
            "wrong": len(self.wrong),
        }


def _truths(folder: Path) -> dict[str, bool]:
    spec = importlib.util.spec_from_file_location(f"truth_{folder.name}", folder / "truth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.truths())


def _answers(notes: Path, options: list[str]) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "symbptt", "check", "--quiet", "--json", "--file", str(notes)]
        + options,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    try:
        return [a for a in json.loads(done.stdout) if a.get("kind", "check") == "check"]
    except json.JSONDecodeError:  # refused as a whole (no display marked, a bad file)
        why = (done.stderr.strip().splitlines() or ["no answer"])[-1]
        return [{"verdict": "refused", "explanation": why, "whole": True}]


def measure(folder: Path, *, with_truth_script: bool = True) -> Tally:
    """The measure of one source folder (with its truth script run, which needs
    PyTorch, to check that it agrees with source.toml)."""
    meta = tomllib.loads((folder / "source.toml").read_text(encoding="utf-8"))
    displays = [d for d in meta.get("display", []) if d.get("truth") in ("holds", "fails")]
    tally = Tally(folder.name, displays=len(displays))
    truths = _truths(folder) if with_truth_script else {}
    for d in displays:
        if with_truth_script and truths.get(d["id"]) is not (d["truth"] == "holds"):
            tally.truth_mismatch.append(d["id"])
    answers = _answers(folder / meta["notes"], meta.get("options", []))
    if answers and answers[0].get("whole"):
        for d in displays:
            tally.refused[d["id"]] = answers[0]["explanation"]
        return tally
    ordered = sorted(displays, key=lambda d: (d.get("cell", 0), d["line"]))
    for d in displays:
        mine = [a for a in answers if _display_of(a, ordered) is d]
        if not mine:
            tally.refused[d["id"]] = "no answer for this display"
            continue
        verdicts = {a["verdict"] for a in mine}
        if "refused" in verdicts:
            tally.refused[d["id"]] = next(a for a in mine if a["verdict"] == "refused")[
                "explanation"
            ]
            continue
        tally.decided += 1
        said = "holds" if verdicts == {"holds"} else "fails"
        if said == d["truth"]:
            tally.agree += 1
        else:
            tally.wrong.append(d["id"])
    return tally


def _display_of(answer: dict, ordered: list[dict]) -> dict | None:
    """The checked display an answer is about: the last one starting at or before the
    answer's line (a marker line is one before its display), in the answer's cell
    (symbptt numbers cells from 1, as Jupyter does; source.toml from 0)."""
    cell, line = (answer.get("cell") or 1) - 1, answer.get("line") or 0
    found = None
    for d in ordered:
        if d.get("cell", 0) == cell and d["line"] <= line + 1:
            found = d
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*")
    parser.add_argument("--record", action="store_true", help="record first contacts")
    parser.add_argument(
        "--readme", action="store_true", help="print the README's table of the corpus"
    )
    args = parser.parse_args(argv)
    folders = sorted(
        p for p in SOURCES.iterdir() if (p / "source.toml").is_file() and (p / "truth.py").is_file()
    )
    if args.slugs:
        folders = [f for f in folders if f.name in args.slugs]
    recorded = json.loads(FIRST_CONTACT.read_text()) if FIRST_CONTACT.is_file() else {}
    total = Tally("total")
    rows = []
    for folder in folders:
        tally = measure(folder)
        first = recorded.get(tally.slug, {})
        kind = tomllib.loads((folder / "source.toml").read_text(encoding="utf-8"))["kind"]
        rows.append(
            f"| {tally.slug} | {kind} | {tally.displays} | {first.get('decided', '-')} "
            f"| {tally.decided} | {len(tally.wrong)} |"
        )
        for key in ("displays", "decided", "agree"):
            setattr(total, key, getattr(total, key) + getattr(tally, key))
        total.wrong += [f"{tally.slug}:{w}" for w in tally.wrong]
        print(
            f"{tally.slug:<28} {tally.agree:>3}/{tally.displays:<3} agree "
            f"({tally.rate:.0%}), decided {tally.decided}, wrong {len(tally.wrong)}"
            + (
                f", truth.py disagrees with source.toml on {tally.truth_mismatch}"
                if tally.truth_mismatch
                else ""
            )
        )
        for display, why in tally.refused.items():
            print(f"    refused {display}: {why[:150]}")
        if args.record and tally.slug not in recorded:
            recorded[tally.slug] = tally.row()
    print(
        f"{'total':<28} {total.agree:>3}/{total.displays:<3} agree ({total.rate:.0%}), "
        f"decided {total.decided}, wrong {len(total.wrong)} {total.wrong or ''}"
    )
    if args.record:
        FIRST_CONTACT.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
    if args.readme:
        print(
            "| source | kind | checked displays | decided at first contact | decided now | wrong |"
        )
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        print("\n".join(rows))
    return 1 if total.wrong else 0


if __name__ == "__main__":
    sys.exit(main())
