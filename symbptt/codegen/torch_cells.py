"""PyTorch as the cross-check's witness of a cell, as its cell file names it
(``witness``): torch's own module (torch.nn.LSTM, torch.nn.GRU, with a Linear head), or
the cell's equations written out in torch operations (Cho et al.'s GRU, which PyTorch
has no module for), with the squared or cross-entropy loss and autograd in float64.

A witness draws its weights and data (torch.manual_seed), runs, and returns them with
the gradients under symbptt's names and shapes: torch stacks a gated cell's gate
matrices into one weight (the LSTM's i, f, g, o; the GRU's r, z, n: the order the cell
file gives), which the witness slices apart. The gradients come from autograd, never
from symbptt.
"""

from __future__ import annotations

from typing import Any

from symbptt.errors import SymbpttError

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
    # our parameters that are torch leaves of their own (the others are the module's)
    leaves = _leaves(
        torch, model, [p for p in ("W_hy", "b_y", "h_0", "c_0") if p in model.parameters]
    )
    zero = torch.zeros(n, 1, dtype=torch.float64)
    h0, c0 = leaves.get("h_0", zero), leaves.get("c_0", zero)
    witness = dict(model.witness)
    module = getattr(torch.nn, witness["torch"])(m, n, dtype=torch.float64)
    initial = h0.T.reshape(1, 1, n)
    if witness["torch"] == "LSTM":  # torch's LSTM takes the pair (h_0, c_0)
        initial = (initial, c0.T.reshape(1, 1, n))
    out, _ = module(x.reshape(T, 1, m), initial)
    o = out[:, 0, :] @ leaves["W_hy"].T + leaves["b_y"][:, 0]
    loss, d = _loss(torch, spec, o, k, T)
    loss.backward()
    params, grads = _values_and_gradients(leaves)
    gates = witness["gates"]
    for torch_name, ours in _STACKS:
        weight = getattr(module, torch_name)
        for g, gate in enumerate(gates):
            shape = model.shape(ours + gate)
            block = slice(g * n, (g + 1) * n)
            params[ours + gate] = weight.detach()[block].numpy().reshape(shape).copy()
            grads[ours + gate] = weight.grad[block].numpy().reshape(shape).copy()
    return params, x.numpy().copy(), d.numpy().copy(), float(loss.item()), grads


def cho_gru_run(spec: Any, seed: int) -> tuple[dict, Any, Any, float, dict]:
    """(weights, X, D, loss, gradients) of Cho et al.'s GRU written out by hand in torch
    operations (PyTorch has no module for it), with a Linear head: a witness that shares
    nothing with symbptt's reading of the cell file."""
    import torch

    model = spec.model
    T, k = spec.T, spec.outputs
    torch.manual_seed(seed)
    x = torch.randn(T, spec.inputs, dtype=torch.float64)
    leaves = _leaves(torch, model, model.parameters)
    zero = torch.zeros(model.shape("h")[0], 1, dtype=torch.float64)
    h, states, P = leaves.get("h_0", zero)[:, 0], [], leaves
    for t in range(T):  # the reset gate on h_(t-1) before W_hh
        r = torch.sigmoid(P["W_xr"] @ x[t] + P["W_hr"] @ h + P["b_r"][:, 0])
        z = torch.sigmoid(P["W_xz"] @ x[t] + P["W_hz"] @ h + P["b_z"][:, 0])
        h_tilde = torch.tanh(P["W_xh"] @ x[t] + P["W_hh"] @ (r * h) + P["b_h"][:, 0])
        h = z * h + (1 - z) * h_tilde
        states.append(h)
    o = torch.stack(states) @ P["W_hy"].T + P["b_y"][:, 0]
    loss, d = _loss(torch, spec, o, k, T)
    loss.backward()
    params, grads = _values_and_gradients(leaves)
    return params, x.numpy().copy(), d.numpy().copy(), float(loss.item()), grads


def equations_run(spec: Any, seed: int) -> tuple[dict, Any, Any, float, dict]:
    """(weights, X, D, loss, gradients) of a cell computed by its own equations in torch
    operations: the model IR's forward rules (:data:`symbptt.core.linear.FORWARD`) over
    torch scalars, every parameter a leaf; the gradients of its views gathered from their
    parts'."""
    import torch

    from symbptt.core.linear import column
    from symbptt.core.tensor import Apply

    model = spec.model
    T, k = spec.T, spec.outputs
    (inputs,) = model.of_kind("input")
    torch.manual_seed(seed)
    x = torch.randn(T, model.shape(inputs)[0], dtype=torch.float64)
    leaves = _leaves(torch, model, model.parameters)
    entries = {p: [list(row) for row in leaf] for p, leaf in leaves.items()}
    zero, one = torch.tensor(0.0, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64)
    series: dict[str, list[Any]] = {inputs: [None, *(list(row) for row in x)]}
    for state, init in model.initial:
        size = model.shape(state)[0]
        series[state] = [[zero] * size if init is None else [r[0] for r in entries[init]]]
    roles = {role: primitive for role, primitive, _ in model.functions}
    for t in range(1, T + 1):
        for eq in model.equations:
            if isinstance(eq.expr, Apply):  # a primitive is the whole right-hand side
                function = _torch_function(roles[eq.expr.role], eq.expr.role)
                arg = column(eq.expr.arg, t, series, entries, zero, one)
                value = [function(torch, a) for a in arg]
            else:
                value = column(eq.expr, t, series, entries, zero, one)
            series.setdefault(eq.target, [None]).append(value)
    o = torch.stack([torch.stack(v) for v in series[model.head.output][1:]])
    loss, d = _loss(torch, spec, o, k, T)
    loss.backward()
    params, grads = _values_and_gradients(leaves)
    for view in model.views:  # a view's entries are entries of its parts
        rows, cols = model.shape(view.name)
        grads[view.name] = _gathered(model, view.name, rows, cols, grads)
        params[view.name] = _gathered(model, view.name, rows, cols, params)
    return params, x.numpy().copy(), d.numpy().copy(), float(loss.item()), grads


def _gathered(model: Any, view: str, rows: int, cols: int, values: dict) -> Any:
    """A view's matrix made of its parts' entries (w_h = [W_xh W_hh]^T)."""
    import numpy as np

    out = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            part, a, b = model.source(view, r, c)
            out[r, c] = values[part][a, b]
    return out


#: The primitives in torch operations (the cross-check's witnesses).
_TORCH = {
    "tanh": lambda torch, v: torch.tanh(v),
    "sigmoid": lambda torch, v: torch.sigmoid(v),
    "softplus": lambda torch, v: torch.nn.functional.softplus(v),
    "identity": lambda torch, v: v,
}


def _torch_function(primitive: str, role: str) -> Any:
    if primitive not in _TORCH:
        raise SymbpttError(
            f"the cross-check cannot run {role} ({primitive}) in torch: give it a "
            f"concrete function ({', '.join(_TORCH)})"
        )
    return _TORCH[primitive]


def _leaves(torch: Any, model: Any, names: Any) -> dict[str, Any]:
    """Random weights (scaled by 1/2) for the parameters ``names``, each a torch leaf
    whose gradient autograd fills."""
    return {
        p: torch.randn(*model.shape(p), dtype=torch.float64).mul(0.5).requires_grad_(True)
        for p in names
    }


def _values_and_gradients(leaves: dict[str, Any]) -> tuple[dict, dict]:
    """The leaves' values and their gradients, as NumPy arrays under our names."""
    params = {p: t.detach().numpy().copy() for p, t in leaves.items()}
    grads = {p: t.grad.numpy().copy() for p, t in leaves.items()}
    return params, grads


def _loss(torch: Any, spec: Any, o: Any, k: int, T: int) -> tuple[Any, Any]:
    """L of the outputs o (T x k), and the targets D (one-hot rows for the
    cross-entropy's class indices)."""
    if spec.loss == "cross-entropy":
        classes = torch.randint(k, (T,))
        d = torch.nn.functional.one_hot(classes, k).to(torch.float64)
        per_step = torch.nn.functional.cross_entropy(o, classes, reduction="none")
    else:
        d = torch.randn(T, k, dtype=torch.float64)
        per_step = 0.5 * ((o - d) ** 2).sum(dim=1)
    loss = per_step.mean() if spec.reduction == "mean" else per_step.sum()
    return loss, d
