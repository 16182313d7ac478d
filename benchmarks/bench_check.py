"""Time `symbptt.check` of the boxed formula (every t <= T) beside the naive SymPy way.

Usage:
    python benchmarks/bench_check.py
"""

from __future__ import annotations

import time

from naive import naive_seconds

BOXED = (
    r"\frac{\partial h_t}{\partial w} = \frac{\partial^+ h_t}{\partial w} + "
    r"\sum_{i=1}^{t-1} \left(\prod_{j=i+1}^{t} \frac{\partial h_j}{\partial h_{j-1}}"
    r"\right) \frac{\partial^+ h_i}{\partial w}"
)


def check_seconds(T: int, method: str) -> float:
    from symbptt import RNNSpec, check

    start = time.perf_counter()
    assert check(BOXED, model=RNNSpec(T=T, activation="tanh"), method=method).holds
    return time.perf_counter() - start


def main() -> None:
    import symbptt  # noqa: F401  (import time is not part of the check)

    print("Boxed formula, tanh, every t <= T (naive: one process per T, limit 120 s)")
    print(f"{'T':>5}  {'naive SymPy':>12}  {'check exact':>12}  {'ratio':>8}")
    for T in (2, 3, 4):
        naive = naive_seconds(T, 120.0)
        ours = check_seconds(T, "exact")
        shown = f"{naive:10.2f} s" if naive else "  >120 s"
        ratio = f"{naive / ours:7.0f}x" if naive else f">{120 / ours:.0f}x"
        print(f"{T:>5}  {shown:>12}  {ours:10.3f} s  {ratio:>8}")
    print(f"\n{'T':>5}  {'method':>8}  {'check':>9}")
    for T, method in ((100, "exact"), (200, "exact"), (500, "modular"), (1000, "modular")):
        print(f"{T:>5}  {method:>8}  {check_seconds(T, method):7.2f} s")


if __name__ == "__main__":
    main()
