"""Time `symbptt check` of one formula as a whole process beside a bare `import sympy`
(the floor every SymPy tool pays), alternating the two, as a ratio of medians.

The formula grammar's parser is cached between processes (symbptt/read/parser_cache.py);
the first run fills the cache and is not counted.

Usage:
    python benchmarks/bench_startup.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

FORMULA = r"\frac{\partial h_t}{\partial h_{t-1}} = \phi'(s_t) w"
CHECK = [sys.executable, "-m", "symbptt", "check", FORMULA]
SYMPY = [sys.executable, "-c", "import sympy"]


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    seconds(CHECK)  # fills the parser cache
    seconds(SYMPY)
    ours, floor = [], []
    for _ in range(runs):
        ours.append(seconds(CHECK))
        floor.append(seconds(SYMPY))
    a, b = statistics.median(ours), statistics.median(floor)
    print(f"symbptt check, one formula: median {a:.3f} s of {runs} runs")
    print(f"python -c 'import sympy':   median {b:.3f} s of {runs} runs")
    print(f"ratio: {a / b:.2f}x")


if __name__ == "__main__":
    main()
