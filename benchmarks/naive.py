"""The naive way a user checks the boxed formula in SymPy, timed in its own process.

Unroll the tanh RNN into nested expressions, ``diff`` them, write the sum-of-products
formula in model quantities, and ask ``simplify(lhs - rhs) == 0`` for every t <= T.
Shared by the benchmarks that compare symbptt with it.
"""

from __future__ import annotations

import subprocess
import sys
import time

NAIVE = r"""
import sys, sympy as sp
T = int(sys.argv[1])
w, v, h0 = sp.symbols("w v h_0")
x = sp.symbols(f"x1:{T + 1}")
h, s = [h0], [None]
for t in range(1, T + 1):
    s.append(w * h[t - 1] + v * x[t - 1])
    h.append(sp.tanh(s[t]))
dphi = lambda t: 1 - sp.tanh(s[t]) ** 2
for t in range(1, T + 1):
    lhs = sp.diff(h[t], w)
    rhs = dphi(t) * h[t - 1] + sum(
        sp.Mul(*[dphi(j) * w for j in range(i + 1, t + 1)]) * dphi(i) * h[i - 1]
        for i in range(1, t))
    assert sp.simplify(lhs - rhs) == 0, t
"""


def naive_seconds(T: int, limit: float) -> float | None:
    """Seconds the naive way takes for T (whole process), or None past ``limit``."""
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-c", NAIVE, str(T)], check=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - start
