"""The soundness fuzzer's large run (issue 24): mutants of true formulas of every model,
their truth from the independent oracle (tests/soundness_oracle.py), symbptt's verdict.

Usage:
    python benchmarks/fuzz_soundness.py --mutants 5000 [--jobs 2] [--seed 0]
        [--repair-seconds 0.5] [--json out.json]

Prints a table of counts per model (formulas; true, false and other by the oracle;
symbptt's holds, fails, refused, timeout, internal; the wrong ones: a false formula that
holds, a true one that fails, an ill-typed one that holds, an internal error), then every
wrong verdict grouped by cause with the shortest reproducer as a ``symbptt check``
command line. Exits 1 if any verdict is wrong.

``--repair-seconds`` bounds the search for repairs that symbptt prints beside a failure
(symbptt.checker.repairs.MAX_SECONDS, 8 s by default); repairs are suggestions and never
change a verdict, and the bound makes a run of thousands of failing mutants affordable.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.soundness import (  # noqa: E402
    CONFIGS,
    Outcome,
    Runner,
    base_cases,
    format_table,
    mutants,
    tally,
)


def _run_config(name: str, count: int, seed: int, repair_seconds: float | None) -> list[Outcome]:
    """The base formulas and ``count`` mutants of one configuration (in a worker)."""
    if repair_seconds is not None:
        import symbptt.checker.repairs as repairs

        if hasattr(repairs, "MAX_SECONDS"):
            repairs.MAX_SECONDS = repair_seconds
    config = CONFIGS[name]
    runner = Runner()
    out = [runner.run(config, b.name, (), b.formula) for c, b in base_cases() if c.name == name]
    for m in mutants(config, count=count, rng=random.Random(f"{seed}:{name}")):
        out.append(runner.run(config, m.base, m.edits, m.formula))
    return out


def _edit_kind(edit: str) -> str:
    """An edit without its particulars: "index h_t -> t-1" is "index shifted"."""
    edit = re.sub(r"index \S+ -> \S+", "index shifted", edit)
    edit = re.sub(r"(sum|prod) (lo|hi) -> \S+", r"\1 \2 moved", edit)
    return re.sub(r"\d+(/\d+)?", "#", edit)


def _cause(o: Outcome) -> str:
    """A wrong verdict's group: what is wrong, the model and the kinds of edit."""
    edits = ", ".join(sorted({_edit_kind(e) for e in o.edits})) or "base formula"
    reason = o.detail.split(":")[0] if o.verdict == "internal" else ""
    return f"{o.wrong} | {o.config} | {edits} {reason}".strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", type=int, default=5000, help="mutants in all")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repair-seconds", type=float, default=0.5)
    parser.add_argument("--config", action="append", help="only these configurations")
    parser.add_argument("--json", help="write every outcome here")
    args = parser.parse_args(argv)
    slow_first = ("gru", "gru-cho", "lstm", "mgu")
    names = sorted(args.config or list(CONFIGS), key=lambda n: (n not in slow_first, n))
    per = -(-args.mutants // len(names))
    start = time.perf_counter()
    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {
            name: pool.submit(_run_config, name, per, args.seed, args.repair_seconds)
            for name in names
        }
        for name, future in futures.items():
            got = future.result()
            outcomes += got
            print(f"  {name}: {len(got)} formulas", file=sys.stderr, flush=True)
    print(f"{len(outcomes)} formulas in {time.perf_counter() - start:.0f} s\n")
    print(format_table(tally(outcomes)))
    wrong = [o for o in outcomes if o.wrong]
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in wrong:
        groups[_cause(o)].append(o)
    print(f"\n{len(wrong)} wrong verdicts in {len(groups)} groups")
    for cause, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        shortest = min(items, key=lambda o: len(o.latex))
        print(f"\n## {cause}: {len(items)}")
        print(f"   base {shortest.base!r}, edits {list(shortest.edits)}, oracle {shortest.truth}")
        print(f"   symbptt: {shortest.verdict}: {shortest.detail[:300]}")
        print(f"   {shortest.command()}")
    refused_true = [o for o in outcomes if o.verdict == "refused" and o.truth.verdict == "true"]
    print(f"\n{len(refused_true)} true formulas refused; of the base formulas:")
    for o in refused_true:
        if not o.edits:
            print(f"   {o.config} {o.base!r}: {o.detail[:160]}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {
                        "config": o.config,
                        "base": o.base,
                        "edits": list(o.edits),
                        "latex": o.latex,
                        "truth": o.truth.verdict,
                        "ambiguous": o.truth.ambiguous,
                        "verdict": o.verdict,
                        "detail": o.detail,
                        "seconds": round(o.seconds, 3),
                        "wrong": o.wrong,
                    }
                    for o in outcomes
                ],
                indent=1,
            ),
            encoding="utf-8",
        )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
