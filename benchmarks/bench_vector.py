"""Time the vector model's verification and its PyTorch cross-check, in one run.

Targets: exact verification of the n = 3, T = 6 model under 10 s (issue 5), no slower
than 1 s after the model-core rebuild (issue 10); the softmax cross-entropy head exactly
at n = 3, k = 3, T = 4 under 10 s (issue 10). A user's cell (the minimal gated unit of
derivations/), the LSTM and the GRU (issue 11) are timed beside them.

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
    from symbptt import ElmanSpec
    from symbptt.verifier.run import verify_vector

    print(f"{'n':>3} {'m':>3} {'k':>3} {'T':>4}  {'phi':<8} {'method':>8}  {'time':>8}")
    for n, T, method, act in (
        (3, 6, "exact", "tanh"),
        (3, 6, "exact", "generic"),
        (8, 20, "modular", "tanh"),
    ):
        spec = ElmanSpec(hidden=n, T=T, inputs=2, outputs=2, activation=act)
        took = seconds(lambda spec=spec, method=method: verify_vector(spec, method=method))
        print(f"{n:>3} {2:>3} {2:>3} {T:>4}  {act:<8} {method:>8}  {took:6.2f} s")
    for loss in ("squared", "cross-entropy"):
        spec = ElmanSpec(hidden=3, T=4, inputs=3, outputs=3, loss=loss)
        took = seconds(lambda spec=spec: verify_vector(spec))
        print(f"  3   3   3    4  tanh        exact  {took:6.2f} s  ({loss} head)")
    _cells(verify_vector)
    _gated(verify_vector)
    try:
        from symbptt.codegen.crosscheck import crosscheck
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


def _cells(verify_vector) -> None:  # noqa: ANN001
    """The minimal gated unit from its [cell] table, exact and modular."""
    import tomllib
    from pathlib import Path

    from symbptt import Spec
    from symbptt.read.cell import read_cell

    path = Path(__file__).resolve().parent.parent / "derivations" / "minimal-gated-unit.toml"
    table = tomllib.loads(path.read_text())["cell"]
    for n, T, method in ((2, 3, "exact"), (1, 4, "exact"), (8, 20, "modular")):
        model = read_cell({**table, "sizes": {"n": n, "m": 1, "k": 1}}, where=str(path))
        spec = Spec(model, T=T)
        took = seconds(lambda spec=spec, method=method: verify_vector(spec, method=method))
        print(f"{n:>3} {1:>3} {1:>3} {T:>4}  MGU cell {method:>8}  {took:6.2f} s")


def _gated(verify_vector) -> None:  # noqa: ANN001
    """The LSTM and the GRU (issue 11: exact at n = 2, m = k = 1, T = 4 and modular at
    n = 8, T = 20, each under 10 s)."""
    from symbptt.cells.gated import gated_spec

    for cell, variant, n, T, method in (
        ("lstm", "torch", 2, 4, "exact"),
        ("lstm", "torch", 3, 4, "exact"),
        ("lstm", "torch", 8, 20, "modular"),
        ("gru", "torch", 2, 4, "exact"),
        ("gru", "cho", 2, 4, "exact"),
        ("gru", "torch", 3, 3, "exact"),
        ("gru", "torch", 8, 20, "modular"),
        ("gru", "cho", 8, 20, "modular"),
    ):
        spec = gated_spec(cell, T=T, hidden=n, variant=variant)
        took = seconds(lambda spec=spec, method=method: verify_vector(spec, method=method))
        name = cell.upper() if cell == "lstm" else f"GRU {variant}"
        print(f"{n:>3} {1:>3} {1:>3} {T:>4}  {name:<9}{method:>8}  {took:6.2f} s")


if __name__ == "__main__":
    main()
