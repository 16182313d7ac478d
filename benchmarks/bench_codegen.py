"""Generated NumPy gradients against PyTorch autograd, side by side in one run.

Target of issue 5: for n = 64, T = 100 the NumPy code that `symbptt codegen` generates
from the verified backward recursion runs no slower than PyTorch autograd on the CPU for
the same model (torch.nn.RNN(tanh) + Linear, float64, forward and backward both timed).
Both get the same weights and data; their gradients are compared too.

Usage:
    python benchmarks/bench_codegen.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path


def best_of(action, repeat: int) -> float:
    """Median seconds per call over ``repeat`` calls, after a warm-up."""
    for _ in range(5):
        action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_step(torch, run):
    """A closure running forward and backward in PyTorch on the run's weights and data."""
    n, m = run.params["W_xh"].shape
    k = run.params["W_hy"].shape[0]
    rnn = torch.nn.RNN(m, n, nonlinearity="tanh", dtype=torch.float64)
    out = torch.nn.Linear(n, k, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(torch.from_numpy(run.params["W_hh"]))
        rnn.weight_ih_l0.copy_(torch.from_numpy(run.params["W_xh"]))
        rnn.bias_ih_l0.copy_(torch.from_numpy(run.params["b_h"][:, 0]))
        rnn.bias_hh_l0.zero_()
        out.weight.copy_(torch.from_numpy(run.params["W_hy"]))
        out.bias.copy_(torch.from_numpy(run.params["b_y"][:, 0]))
    x = torch.from_numpy(run.X)[:, None, :]
    d = torch.from_numpy(run.D)
    h0 = torch.from_numpy(run.params["h_0"][:, 0]).reshape(1, 1, n).requires_grad_()

    def step() -> None:
        rnn.zero_grad()
        out.zero_grad()
        h0.grad = None
        states, _ = rnn(x, h0)
        o = out(states[:, 0, :])
        (0.5 * ((o - d) ** 2).sum(dim=1)).mean().backward()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("this benchmark needs PyTorch: pip install 'symbptt[crosscheck]'")
    import numpy as np

    from symbptt import ElmanSpec
    from symbptt.codegen.crosscheck import torch_run
    from symbptt.codegen.source import numpy_source

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rnn_grads.py"
        path.write_text(numpy_source(ElmanSpec(hidden=2, T=2)))
        loader = importlib.util.spec_from_file_location("rnn_grads", path)
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)

    print(f"torch {torch.__version__}, numpy {np.__version__}, float64, CPU")
    print(
        f"{'n':>3} {'m':>3} {'k':>3} {'T':>4} {'threads':>7}  {'numpy':>9}  {'torch':>9}  "
        f"{'torch/numpy':>11}  {'max |diff|':>10}"
    )
    default_threads = torch.get_num_threads()
    for n, m, k, T in ((64, 16, 8, 100), (64, 64, 64, 100), (32, 16, 8, 100), (64, 16, 8, 200)):
        run = torch_run(ElmanSpec(hidden=n, T=T, inputs=m, outputs=k), seed=0)
        _, grads = module.gradients(run.params, run.X, run.D)
        diff = max(float(np.max(np.abs(grads[p] - run.grads[p]))) for p in run.grads)
        with_torch = torch_step(torch, run)
        for threads in sorted({1, default_threads}):
            torch.set_num_threads(threads)
            t_np = best_of(lambda run=run: module.gradients(run.params, run.X, run.D), args.repeat)
            t_torch = best_of(with_torch, args.repeat)
            print(
                f"{n:>3} {m:>3} {k:>3} {T:>4} {threads:>7}  {t_np * 1e3:7.2f} ms  "
                f"{t_torch * 1e3:7.2f} ms  {t_torch / t_np:10.1f}x  {diff:10.1e}"
            )
        torch.set_num_threads(default_threads)
    print("(threads: torch's intra-op threads; NumPy uses its BLAS as installed)")


if __name__ == "__main__":
    main()
