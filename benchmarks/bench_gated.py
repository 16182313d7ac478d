"""The gated cells' generated NumPy gradients beside PyTorch and JAX, in one run.

Issue 11: at n = 64, m = 16, k = 8, T = 100 (float64, CPU), the NumPy code that
`symbptt codegen --model lstm|gru` compiles from the verified backward program, against
torch.nn.LSTM / torch.nn.GRU with a Linear head and autograd, and against
`jax.jit(jax.value_and_grad(loss))` of the same model written with `lax.scan`. All three
get the same weights and data (drawn by symbptt's PyTorch witness), forward and backward
are timed together, and the gradients are compared.

Usage:
    python benchmarks/bench_gated.py [--repeat 100]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

from bench_codegen import best_of  # median seconds per call, after a warm-up


def torch_step(torch, cell: str, params: dict, X, D):
    """Forward and backward of torch.nn.LSTM / torch.nn.GRU + Linear on these weights."""
    n, m = params["W_hy"].shape[1], X.shape[1]
    gates = "ifgo" if cell == "lstm" else "rzn"
    module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(m, n, dtype=torch.float64)
    import numpy as np

    with torch.no_grad():
        for torch_name, ours in (
            ("weight_ih_l0", "W_i"),
            ("weight_hh_l0", "W_h"),
            ("bias_ih_l0", "b_i"),
            ("bias_hh_l0", "b_h"),
        ):
            stacked = np.concatenate([params[ours + g].reshape(n, -1) for g in gates])
            weight = getattr(module, torch_name)
            weight.copy_(torch.from_numpy(stacked).reshape(weight.shape))
    W_hy = torch.from_numpy(params["W_hy"]).requires_grad_()
    b_y = torch.from_numpy(params["b_y"][:, 0].copy()).requires_grad_()
    h0 = torch.from_numpy(params["h_0"][:, 0].copy()).reshape(1, 1, n).requires_grad_()
    c0 = None
    if cell == "lstm":
        c0 = torch.from_numpy(params["c_0"][:, 0].copy()).reshape(1, 1, n).requires_grad_()
    x, d = torch.from_numpy(X)[:, None, :], torch.from_numpy(D)

    def step() -> None:
        module.zero_grad()
        for leaf in (W_hy, b_y, h0, c0):
            if leaf is not None:
                leaf.grad = None
        out, _ = module(x, (h0, c0) if cell == "lstm" else h0)
        y = out[:, 0, :] @ W_hy.T + b_y
        (0.5 * ((y - d) ** 2).sum(dim=1)).mean().backward()

    return step


def jax_loss(cell: str):
    """The model's mean squared loss in JAX, the recurrence written with lax.scan."""
    import jax.numpy as jnp
    from jax import lax
    from jax.nn import sigmoid

    def lstm_step(P, carry, x):
        h, c = carry

        def gate(g, f):
            return f(P[f"W_i{g}"] @ x + P[f"b_i{g}"] + P[f"W_h{g}"] @ h + P[f"b_h{g}"])

        i, f, g, o = gate("i", sigmoid), gate("f", sigmoid), gate("g", jnp.tanh), gate("o", sigmoid)
        c = f * c + i * g
        h = o * jnp.tanh(c)
        return (h, c), h

    def gru_step(P, h, x):
        r = sigmoid(P["W_ir"] @ x + P["b_ir"] + P["W_hr"] @ h + P["b_hr"])
        z = sigmoid(P["W_iz"] @ x + P["b_iz"] + P["W_hz"] @ h + P["b_hz"])
        n = jnp.tanh(P["W_in"] @ x + P["b_in"] + r * (P["W_hn"] @ h + P["b_hn"]))
        h = (1 - z) * n + z * h
        return h, h

    def loss(P, X, D):
        if cell == "lstm":
            _, H = lax.scan(lambda carry, x: lstm_step(P, carry, x), (P["h_0"], P["c_0"]), X)
        else:
            _, H = lax.scan(lambda h, x: gru_step(P, h, x), P["h_0"], X)
        Y = H @ P["W_hy"].T + P["b_y"]
        return jnp.mean(0.5 * jnp.sum((Y - D) ** 2, axis=1))

    return loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    try:
        import jax
        import torch
    except ImportError:
        sys.exit("this benchmark needs PyTorch and JAX: pip install torch jax")
    jax.config.update("jax_enable_x64", True)
    import numpy as np

    print(
        f"torch {torch.__version__}, jax {jax.__version__}, numpy {np.__version__}, "
        f"float64, CPU, torch threads {torch.get_num_threads()}"
    )
    print(
        f"{'cell':>5} {'n':>3} {'m':>3} {'k':>3} {'T':>4}  {'numpy':>9}  {'torch':>9}  "
        f"{'jax.jit':>9}  {'torch/numpy':>11}  {'jax/numpy':>9}  {'max |diff|':>10}"
    )
    for cell in ("lstm", "gru"):
        for n, m, k, T in ((64, 16, 8, 100), (64, 16, 8, 200), (32, 16, 8, 100)):
            repeat = max(5, args.repeat * 100 // T * 64 // n)
            t_np, t_torch, t_jax, diff = measure(cell, n, m, k, T, repeat)
            print(
                f"{cell:>5} {n:>3} {m:>3} {k:>3} {T:>4}  {t_np * 1e3:7.2f} ms  "
                f"{t_torch * 1e3:7.2f} ms  {t_jax * 1e3:7.2f} ms  {t_torch / t_np:10.1f}x  "
                f"{t_jax / t_np:8.2f}x  {diff:10.1e}"
            )


def measure(cell: str, n: int, m: int, k: int, T: int, repeat: int):
    """(NumPy, torch, jax.jit) median seconds per gradient, and the largest difference of
    the NumPy and the JAX gradients from torch's."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    import torch

    from symbptt.cells.gated import gated_spec
    from symbptt.codegen.crosscheck import torch_run
    from symbptt.codegen.source import numpy_source

    spec = gated_spec(cell, T=T, hidden=n, inputs=m, outputs=k)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{cell}_grads.py"
        path.write_text(numpy_source(spec))
        loader = importlib.util.spec_from_file_location(f"{cell}_grads", path)
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
    run = torch_run(spec, seed=0)
    params, X, D = run.params, run.X, run.D
    _, grads = module.gradients(params, X, D)
    P = {p: jnp.asarray(v[:, 0] if v.shape[1] == 1 else v) for p, v in params.items()}
    value_and_grad = jax.jit(jax.value_and_grad(jax_loss(cell)))
    jx, jd = jnp.asarray(X), jnp.asarray(D)
    _, jgrads = value_and_grad(P, jx, jd)
    diff = 0.0
    for p, g in run.grads.items():
        diff = max(diff, float(np.max(np.abs(grads[p] - g))))
        diff = max(diff, float(np.max(np.abs(np.asarray(jgrads[p]).reshape(g.shape) - g))))
    t_np = best_of(lambda: module.gradients(params, X, D), repeat)
    t_torch = best_of(torch_step(torch, cell, params, X, D), repeat)
    t_jax = best_of(lambda: jax.block_until_ready(value_and_grad(P, jx, jd)), repeat)
    return t_np, t_torch, t_jax, diff


if __name__ == "__main__":
    main()
