"""PyTorch's gated cells as witnesses for the cross-check: torch.nn.LSTM, torch.nn.GRU,
and Cho et al.'s GRU (which PyTorch has no module for) written out in torch operations,
each with a Linear head, the squared or cross-entropy loss and autograd in float64.

A witness draws its weights and data (torch.manual_seed), runs, and returns them with
the gradients under symbptt's names and shapes: torch stacks a gated cell's gate
matrices into one weight (the LSTM's i, f, g, o; the GRU's r, z, n), which the witness
slices apart. The gradients come from autograd, never from symbptt.
"""

from __future__ import annotations

from typing import Any

#: torch's gate order in its stacked weights, by the model's name.
TORCH_GATES = {"LSTM": "ifgo", "GRU (torch.nn.GRU)": "rzn"}
#: The models whose cross-check witness is here (by the model's name).
GATED_WITNESSES = (*TORCH_GATES, "GRU (Cho et al.)")

_STACKS = (
    ("weight_ih_l0", "W_i"),
    ("weight_hh_l0", "W_h"),
    ("bias_ih_l0", "b_i"),
    ("bias_hh_l0", "b_h"),
)


def gated_run(spec: Any, seed: int) -> tuple[dict, Any, Any, float, dict]:
    """(weights, X, D, loss, gradients) of the gated cell of ``spec`` through PyTorch;
    weights and gradients in symbptt's names and shapes, X (T x m) and D (T x k)."""
    import torch

    model = spec.model
    n, m, k, T = model.shape("h")[0], spec.inputs, spec.outputs, spec.T
    torch.manual_seed(seed)
    x = torch.randn(T, m, dtype=torch.float64)
    leaves: dict[str, Any] = {}  # our parameters that are torch leaves of their own
    for name in ("W_hy", "b_y", "h_0", "c_0"):
        if name in model.parameters:
            leaves[name] = torch.randn(*model.shape(name), dtype=torch.float64) * 0.5
            leaves[name].requires_grad_(True)
    zero = torch.zeros(n, 1, dtype=torch.float64)
    h0, c0 = leaves.get("h_0", zero), leaves.get("c_0", zero)
    module = None
    if model.name in TORCH_GATES:
        cls = torch.nn.LSTM if model.name == "LSTM" else torch.nn.GRU
        module = cls(m, n, dtype=torch.float64)
        initial = h0.T.reshape(1, 1, n)
        if model.name == "LSTM":
            initial = (initial, c0.T.reshape(1, 1, n))
        out, _ = module(x.reshape(T, 1, m), initial)
        states = out[:, 0, :]
    else:
        weights = {
            p: torch.randn(*model.shape(p), dtype=torch.float64).mul(0.5).requires_grad_(True)
            for p in model.parameters
            if p not in leaves
        }
        leaves.update(weights)
        states = _cho_states(torch, leaves, x, h0)
    loss, d = _head_and_loss(torch, spec, states, leaves["W_hy"], leaves["b_y"], k, T)
    loss.backward()
    params = {p: t.detach().numpy().copy() for p, t in leaves.items()}
    grads = {p: t.grad.numpy().copy() for p, t in leaves.items()}
    if module is not None:
        gates = TORCH_GATES[model.name]
        for torch_name, ours in _STACKS:
            weight = getattr(module, torch_name)
            for g, gate in enumerate(gates):
                shape = model.shape(ours + gate)
                block = slice(g * n, (g + 1) * n)
                params[ours + gate] = weight.detach()[block].numpy().reshape(shape).copy()
                grads[ours + gate] = weight.grad[block].numpy().reshape(shape).copy()
    return params, x.numpy().copy(), d.numpy().copy(), float(loss.item()), grads


def _cho_states(torch: Any, P: dict, x: Any, h0: Any) -> Any:
    """Cho et al.'s GRU (the reset gate on h_(t-1) before W_hh), in torch operations."""
    h, states = h0[:, 0], []
    for t in range(x.shape[0]):
        r = torch.sigmoid(P["W_xr"] @ x[t] + P["W_hr"] @ h + P["b_r"][:, 0])
        z = torch.sigmoid(P["W_xz"] @ x[t] + P["W_hz"] @ h + P["b_z"][:, 0])
        h_tilde = torch.tanh(P["W_xh"] @ x[t] + P["W_hh"] @ (r * h) + P["b_h"][:, 0])
        h = z * h + (1 - z) * h_tilde
        states.append(h)
    return torch.stack(states)


def _head_and_loss(torch: Any, spec: Any, states: Any, W_hy: Any, b_y: Any, k: int, T: int):
    """L of the Linear head on the states, and the targets D (one-hot rows for the
    cross-entropy's class indices)."""
    o = states @ W_hy.T + b_y[:, 0]
    if spec.loss == "cross-entropy":
        classes = torch.randint(k, (T,))
        d = torch.nn.functional.one_hot(classes, k).to(torch.float64)
        per_step = torch.nn.functional.cross_entropy(o, classes, reduction="none")
    else:
        d = torch.randn(T, k, dtype=torch.float64)
        per_step = 0.5 * ((o - d) ** 2).sum(dim=1)
    loss = per_step.mean() if spec.reduction == "mean" else per_step.sum()
    return loss, d
