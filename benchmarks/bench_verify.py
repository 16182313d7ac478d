"""Time `symbptt verify` against the naive SymPy way, side by side, in one run.

The naive way is what a user would write: unroll the tanh RNN into nested expressions,
``diff`` them, write the sum-of-products formula in model quantities, and ask
``simplify(lhs - rhs) == 0`` for every t <= T. It checks one formula; symbptt checks
all of them (the model core's checks: the derived backward program, the expansion, the
sums of products; and the seeds' formulas as claims: the boxed formula, eqns 4-5, the
backward recursion of question 002). Each naive run has its own process and a time limit.

Usage:
    python benchmarks/bench_verify.py            # the table of the README
    python benchmarks/bench_verify.py --quick    # small T only
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time

from naive import naive_seconds

#: Runs `symbptt verify` (the arguments after -c) and prints its peak memory on stderr:
#: VmHWM, the peak resident size of this program (getrusage's maxrss would include the
#: benchmark's own, inherited through fork).
_MEASURED = (
    "import runpy, sys\n"
    "sys.argv = ['symbptt', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('symbptt', run_name='__main__')\n"
    "finally:\n"
    "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
    "    print('peak', hwm[0].split()[1], file=sys.stderr)\n"
)


def symbptt_seconds(T: int, method: str, activation: str = "tanh") -> tuple[float, float, float]:
    """(in-process seconds of verify(), whole-process seconds of `symbptt verify`, that
    process's peak memory in MB)."""
    from symbptt import RNNSpec, verify

    start = time.perf_counter()
    report = verify(RNNSpec(T=T, activation=activation), method=method)
    inner = time.perf_counter() - start
    assert report.holds
    start = time.perf_counter()
    args = ["verify", "-T", str(T), "--activation", activation, "--method", method]
    run = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    whole = time.perf_counter() - start
    peak = [line for line in run.stderr.splitlines() if line.startswith("peak ")]
    if run.returncode != 0 or not peak:
        raise SystemExit(f"symbptt verify -T {T} failed: {run.stderr.strip()[-300:]}")
    return inner, whole, int(peak[-1].split()[1]) / 1024


def exponent(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of log(time) against log(T)."""
    xs = [math.log(T) for T, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((a - mx) * (b - my) for a, b in zip(xs, ys)) / sum((a - mx) ** 2 for a in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small T only")
    parser.add_argument(
        "--naive-limit", type=float, default=180.0, help="seconds allowed to each naive run"
    )
    args = parser.parse_args()
    scalar_tables(args)


def scalar_tables(args: argparse.Namespace) -> None:
    """The naive way beside symbptt at small T, then growing T."""
    naive_T = [2, 3] if args.quick else [2, 3, 4, 5]
    print("Side by side (tanh, whole process; symbptt checks every claim, naive one):")
    print(f"{'T':>4}  {'naive SymPy':>12}  {'symbptt':>9}  {'verify()':>9}  {'ratio':>8}")
    for T in naive_T:
        inner, whole, _ = symbptt_seconds(T, "exact")
        naive = naive_seconds(T, args.naive_limit)
        shown = f"{naive:10.2f} s" if naive else f">{args.naive_limit:.0f} s"
        ratio = f"{naive / whole:7.1f}x" if naive else f">{args.naive_limit / whole:.0f}x"
        inner_ratio = f" ({naive / inner:.0f}x in-process)" if naive else ""
        print(f"{T:>4}  {shown:>12}  {whole:7.2f} s  {inner:7.3f} s  {ratio:>8}{inner_ratio}")
    for method, Ts in (
        ("exact", [25, 50, 100] if args.quick else [25, 50, 100, 200, 300]),
        ("modular", [125, 250] if args.quick else [125, 250, 500, 1000]),
    ):
        print(f"\nsymbptt --method {method} (tanh), every check for every t <= T:")
        print(f"{'T':>5}  {'verify()':>9}  {'whole process':>14}  {'peak memory':>12}")
        points = []
        for T in Ts:
            inner, whole, peak = symbptt_seconds(T, method)
            points.append((T, inner))
            print(f"{T:>5}  {inner:7.2f} s  {whole:12.2f} s  {peak:9.0f} MB")
        print(f"growth exponent of verify() time in T: {exponent(points):.2f}")


if __name__ == "__main__":
    main()
