"""An independent cross-check against PyTorch: the check that no one here wrote.

The same weights go into ``torch.nn.RNN`` (tanh), ``torch.nn.LSTM`` or ``torch.nn.GRU``
(:mod:`symbptt.engine.torch_cells`) with a ``Linear`` output layer and the squared loss
or ``torch.nn.functional.cross_entropy``; the loss gradient comes from autograd in
float64. symbptt's backward recursion (the engine code
verified exactly by :func:`symbptt.engine.verify.verify_vector`) is evaluated at those
weights, converted exactly to rationals, in rigorous interval arithmetic, and the largest
difference per parameter is reported. torch's two hidden biases b_ih and b_hh enter as
their sum b_h, so each has the gradient of b_h.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..core.forward import forward, parameter_values
from ..errors import SymbpttError
from ..points import PointRing
from .chains import backward
from .model import CONCATENATION, CellSpec, ElmanSpec

TOLERANCE = 1e-10


@dataclass(frozen=True)
class CrossCheck:
    """Largest absolute difference per parameter between symbptt and PyTorch."""

    spec: ElmanSpec
    seed: int
    differences: dict[str, float]
    tolerance: float

    @property
    def agrees(self) -> bool:
        """Every difference is within the tolerance."""
        return all(d <= self.tolerance for d in self.differences.values())


@dataclass(frozen=True)
class TorchRun:
    """One run of torch.nn.RNN(tanh) + Linear with autograd, as NumPy float64 arrays:
    the weights in symbptt's shapes (b_h = b_ih + b_hh), the data X (T x m) and D (T x k),
    the loss and the gradients of every parameter and of w_h."""

    params: dict[str, Any]
    X: Any
    D: Any
    loss: float
    grads: dict[str, Any]


def torch_run(spec: ElmanSpec | CellSpec, *, seed: int = 0) -> TorchRun:
    """Random weights and data (torch.manual_seed(seed)) through PyTorch, float64:
    torch.nn.RNN for the Elman model, the witnesses of :mod:`symbptt.engine.torch_cells`
    for the LSTM and the GRU.

    Raises:
        SymbpttError: PyTorch is not installed, or the model is not the one
            torch.nn.RNN computes (tanh, identity output), or torch's two hidden biases
            got different gradients.
    """
    for module in ("torch", "numpy"):
        try:
            __import__(module)
        except ImportError:
            raise SymbpttError(
                f"the cross-check needs PyTorch and NumPy, and {module} is not installed: "
                f"pip install 'symbptt[crosscheck]' (or pip install torch numpy)"
            ) from None
    import torch

    from .torch_cells import GATED_WITNESSES, gated_run

    if spec.model.name in GATED_WITNESSES:
        if spec.output_activation != "identity":
            raise SymbpttError(
                "the cross-check compares PyTorch's cell with a Linear output: use an "
                "identity output activation"
            )
        return TorchRun(*gated_run(spec, seed))
    if spec.model.name != "Elman RNN":
        raise SymbpttError(
            "the cross-check compares with PyTorch's own cells: the Elman RNN, the LSTM "
            "and the GRU (--model elman, lstm, gru)"
        )
    if spec.activation != "tanh" or spec.output_activation != "identity":
        raise SymbpttError(
            "the cross-check compares torch.nn.RNN(tanh) with a Linear "
            "output: use --activation tanh and an identity output"
        )
    n, m, k, T = spec.hidden, spec.inputs, spec.outputs, spec.T
    torch.manual_seed(seed)
    rnn = torch.nn.RNN(m, n, nonlinearity="tanh", dtype=torch.float64)
    out_layer = torch.nn.Linear(n, k, dtype=torch.float64)
    x = torch.randn(T, 1, m, dtype=torch.float64)
    d = torch.randn(T, k, dtype=torch.float64)
    h0 = torch.randn(1, 1, n, dtype=torch.float64, requires_grad=True)
    states, _ = rnn(x, h0)
    o = out_layer(states[:, 0, :])
    if spec.loss == "cross-entropy":  # a class index per step; D holds its one-hot rows
        classes = torch.randint(k, (T,))
        d = torch.nn.functional.one_hot(classes, k).to(torch.float64)
        per_step = torch.nn.functional.cross_entropy(o, classes, reduction="none")
    else:
        per_step = 0.5 * ((o - d) ** 2).sum(dim=1)
    loss = per_step.mean() if spec.reduction == "mean" else per_step.sum()
    loss.backward()
    if not torch.allclose(rnn.bias_ih_l0.grad, rnn.bias_hh_l0.grad, rtol=0, atol=1e-12):
        raise SymbpttError("torch gave the two hidden biases different gradients")
    grads = {
        "W_hh": rnn.weight_hh_l0.grad,
        "W_xh": rnn.weight_ih_l0.grad,
        "b_h": rnn.bias_ih_l0.grad.reshape(n, 1),
        "W_hy": out_layer.weight.grad,
        "b_y": out_layer.bias.grad.reshape(k, 1),
        "h_0": h0.grad.reshape(n, 1),
        CONCATENATION: torch.cat([rnn.weight_ih_l0.grad, rnn.weight_hh_l0.grad], dim=1).T,
    }
    weights = {
        "W_hh": rnn.weight_hh_l0,
        "W_xh": rnn.weight_ih_l0,
        "b_h": (rnn.bias_ih_l0 + rnn.bias_hh_l0).reshape(n, 1),
        "W_hy": out_layer.weight,
        "b_y": out_layer.bias.reshape(k, 1),
        "h_0": h0.reshape(n, 1),
    }
    return TorchRun(
        {name: w.detach().numpy().copy() for name, w in weights.items()},
        x[:, 0, :].numpy().copy(),
        d.numpy().copy(),
        float(loss.item()),
        {name: g.detach().numpy().copy() for name, g in grads.items()},
    )


def crosscheck(
    spec: ElmanSpec | CellSpec, *, seed: int = 0, tolerance: float = TOLERANCE
) -> CrossCheck:
    """Compare symbptt's gradients with PyTorch autograd for random weights and data.

    Raises:
        SymbpttError: see :func:`torch_run`.
    """
    run = torch_run(spec, seed=seed)
    ours = gradients_at(spec, atoms(spec, run.params, run.X, run.D), seed=seed)
    differences = {}
    for name in spec.gradients:
        rows, cols = spec.shape(name)
        differences[name] = max(
            abs(ours[name][r][c] - float(run.grads[name][r, c]))
            for r in range(rows)
            for c in range(cols)
        )
    return CrossCheck(spec, seed, differences, tolerance)


def gradients_at(spec: ElmanSpec, values: dict, *, seed: int = 0) -> dict[str, list[list[float]]]:
    """symbptt's gradients (the verified backward program) at exact input values
    (see :func:`atoms`), evaluated in 120-bit interval arithmetic, as floats."""
    ring = PointRing(random.Random(seed), interval=True, values=values, prec=120)
    params = parameter_values(spec.model, ring)
    ours = backward(spec, ring, params, forward(spec.model, spec.T, ring, params))
    return {
        name: [[float(v.mid.a) for v in row] for row in matrix] for name, matrix in ours.items()
    }


def atoms(spec: ElmanSpec, params: dict[str, Any], x: Any, d: Any) -> dict:
    """Every input atom of the engine, as the exact rational value of a float64 array
    entry: parameters in their shapes, x as T x m and d as T x k (row t-1 is step t)."""
    out: dict = {}
    for name, t in params.items():
        rows, cols = spec.shape(name)
        for r in range(rows):
            for c in range(cols):
                out[(name, (r, c))] = Fraction(float(t[r, c]))
    for t in range(1, spec.T + 1):
        for c in range(spec.inputs):
            out[("x", (t, c))] = Fraction(float(x[t - 1, c]))
        for q in range(spec.outputs):
            out[("d", (t, q))] = Fraction(float(d[t - 1, q]))
    return out
