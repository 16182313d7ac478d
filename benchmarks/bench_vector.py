"""Time the vector model's verification and its PyTorch cross-check, in one run.

Target of issue 5: exact verification of the n = 3, T = 6 model under 10 s.

Usage:
    python benchmarks/bench_vector.py
"""

from __future__ import annotations

import time


def seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    from symbptt.vector.model import ElmanSpec
    from symbptt.vector.verify import verify_vector

    print(f"{'n':>3} {'m':>3} {'k':>3} {'T':>4}  {'phi':<8} {'method':>8}  {'time':>8}")
    for n, T, method, act in (
        (3, 6, "exact", "tanh"),
        (3, 6, "exact", "generic"),
        (8, 20, "modular", "tanh"),
    ):
        spec = ElmanSpec(hidden=n, T=T, inputs=2, outputs=2, activation=act)
        took = seconds(lambda spec=spec, method=method: verify_vector(spec, method=method))
        print(f"{n:>3} {2:>3} {2:>3} {T:>4}  {act:<8} {method:>8}  {took:6.2f} s")
    try:
        from symbptt.vector.crosscheck import crosscheck
    except ImportError:
        return
    try:
        import torch  # noqa: F401
    except ImportError:
        print("(PyTorch not installed: no cross-check timing)")
        return
    spec = ElmanSpec(hidden=8, T=20, inputs=3, outputs=2)
    crosscheck(spec)  # warm up torch
    took = seconds(lambda: crosscheck(spec, seed=1))
    print(f"cross-check against PyTorch, n=8, T=20: {took:.2f} s")


if __name__ == "__main__":
    main()
