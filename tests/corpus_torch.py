"""The models of the formula corpus (tests/corpus.py) in PyTorch, float64, with the
quantities the formulas speak of computed by autograd: no part of symbptt is used.

Elman RNN (``model`` a dict of options): s_t = W_xh x_t + W_hh h_(t-1) + b_h,
h_t = phi(s_t) (tanh or the identity), o_t = W_hy h_t + b_y; the squared loss
l_t = |o_t - d_t|^2 / 2 with L its mean, or the cross-entropy l_t = -log softmax(o_t)[y_t]
with L its sum. Scalar RNN (``model == "scalar"``, the seeds'): s_t = w h_(t-1) + v x_t,
h_t = tanh(s_t), yhat_t = sigmoid(h_t), l_t = (yhat_t - d_t)^2 / 2, L their mean;
w_h = (v, w).
"""

from __future__ import annotations

import functools
from typing import Any

import torch

N, M, K, T = 2, 1, 2, 3


class Run:
    """One model at one random point, its forward pass and what autograd says of it."""

    def __init__(self, model: dict[str, Any] | str, seed: int, T: int = T) -> None:
        g = torch.Generator().manual_seed(1000 + seed)

        def rand(*shape: int) -> torch.Tensor:
            return (torch.rand(*shape, generator=g, dtype=torch.float64) * 2 - 1).requires_grad_()

        self.T = T
        self.steps = range(1, T + 1)
        self.scalar = model in ("scalar", "scalar-sum")
        self.summed = model == "scalar-sum" or (
            isinstance(model, dict) and model.get("reduction") == "sum"
        )
        if self.scalar:
            self.v, self.w, self.h0 = rand(1, 1), rand(1, 1), rand(1, 1)
            self.params = {"v": self.v, "w": self.w, "h_0": self.h0}
            n, m, k = 1, 1, 1
        else:
            n, m, k = N, M, K
            self.W_xh, self.W_hh, self.b_h = rand(n, m), rand(n, n), rand(n, 1)
            self.W_hy, self.b_y, self.h0 = rand(k, n), rand(k, 1), rand(n, 1)
            self.params = {
                "W_xh": self.W_xh,
                "W_hh": self.W_hh,
                "b_h": self.b_h,
                "W_hy": self.W_hy,
                "b_y": self.b_y,
                "h_0": self.h0,
            }
            self.options = model
        self.x = [None] + [torch.rand(m, 1, generator=g, dtype=torch.float64) for _ in self.steps]
        self.d = [None] + [torch.rand(k, 1, generator=g, dtype=torch.float64) for _ in self.steps]
        self.y = [None] + [int(torch.randint(0, k, (1,), generator=g)) for _ in self.steps]
        self._forward()

    # -- the model -------------------------------------------------------------------------
    def act(self, s: torch.Tensor) -> torch.Tensor:
        if self.scalar or self.options.get("activation") == "tanh":
            return torch.tanh(s)
        return s

    def pre(self, t: int, h_prev: torch.Tensor, params: dict | None = None) -> torch.Tensor:
        """s_t from h_(t-1) (and, given, other parameter values)."""
        p = {**self.params, **(params or {})}
        if self.scalar:
            return p["w"] * h_prev + p["v"] * self.x[t]
        return p["W_xh"] @ self.x[t] + p["W_hh"] @ h_prev + p["b_h"]

    def cell(self, t: int, h_prev: torch.Tensor, params: dict | None = None) -> torch.Tensor:
        """h_t from h_(t-1) (and, given, other parameter values)."""
        return self.act(self.pre(t, h_prev, params))

    def output(self, h: torch.Tensor, params: dict | None = None) -> torch.Tensor:
        p = {**self.params, **(params or {})}
        if self.scalar:
            return torch.sigmoid(h)
        return p["W_hy"] @ h + p["b_y"]

    def step_loss(self, t: int, o: torch.Tensor) -> torch.Tensor:
        if not self.scalar and self.options.get("loss") == "cross-entropy":
            return -torch.log_softmax(o[:, 0], dim=0)[self.y[t]]
        return 0.5 * ((o - self.d[t]) ** 2).sum()

    def _forward(self) -> None:
        self.h, self.s, self.o = [self.h0], [None], [None]
        for t in self.steps:
            self.s.append(self.pre(t, self.h[t - 1]))
            self.h.append(self.act(self.s[t]))
            self.o.append(self.output(self.h[t]))
        self.losses = [None] + [self.step_loss(t, self.o[t]) for t in self.steps]
        total = sum(self.losses[1:])
        self.L = total if self.summed else total / self.T
        kinds = {"s": self.s, "h": self.h, "o": self.o}
        nodes = [(kind, t) for kind in kinds for t in self.steps]
        grads = torch.autograd.grad(
            self.L, [kinds[k][t] for k, t in nodes] + list(self.params.values()), retain_graph=True
        )
        self._node_grads = dict(zip(nodes, grads))
        self._param_grads = dict(zip(self.params, grads[len(nodes) :]))

    # -- what the formulas speak of ------------------------------------------------------------
    def grad(self, name: str, t: int) -> torch.Tensor:
        """dL/d(name)_t, the total derivative (zero past T)."""
        if t > self.T:
            return torch.zeros_like(self._node_grads[(name, self.T)])
        return self._node_grads[(name, t)]

    def phi_prime_of_h(self, t: int) -> torch.Tensor:
        """phi'(h_t): the hidden activation's derivative taken at h_t (question 002's slip)."""
        h = self.h[t].detach().requires_grad_()
        return torch.autograd.grad(self.act(h).sum(), h)[0]

    def grad_s(self, t: int) -> torch.Tensor:
        """dL/ds_t, zero past T."""
        return self.grad("s", t)

    def param_grad(self, name: str) -> torch.Tensor:
        return self._param_grads[name]

    def dl_do(self, t: int) -> torch.Tensor:
        """The derivative of the step loss l_t by its argument o_t (not of L)."""
        o = self.o[t].detach().requires_grad_()
        return torch.autograd.grad(self.step_loss(t, o), o)[0]

    def jac(self, num: str, t: int, den: str, k: int) -> torch.Tensor:
        """d num_t / d den_k for num, den in (h, o), the Jacobian through the model."""
        if t > self.T:
            rows = self.h0.shape[0] if num == "h" else self.o[1].shape[0]
            return torch.zeros(rows, self.h[k].shape[0], dtype=torch.float64)

        def f(value: torch.Tensor) -> torch.Tensor:
            h = value
            for j in range(k + 1, t + 1):
                h = self.cell(j, h)
            return h if num == "h" else self.output(h)

        assert den == "h"
        return torch.autograd.functional.jacobian(f, self.h[k].detach())[:, 0, :, 0]

    def param_jacobian(self, num: str, t: int, param: str) -> torch.Tensor:
        """d num_t / d P for num in (s, h, o): P's total effect, num x P's rows x P's columns."""
        value = self.params[param].detach()

        def f(p: torch.Tensor) -> torch.Tensor:
            h = self.h0
            for j in range(1, t + 1):
                s = self.pre(j, h, {param: p})
                h = self.act(s)
            return {"s": s, "h": h}[num] if num != "o" else self.output(h, {param: p})

        return torch.autograd.functional.jacobian(f, value)[:, 0]

    def chain_by_param(self, upstream: torch.Tensor, num: str, t: int, param: str) -> torch.Tensor:
        """(d num_t / d P)^T upstream: the gradient in P's shape that the chain rule through
        num_t (P's total effect on it) gives."""
        return torch.einsum("i,ibc->bc", upstream[:, 0], self.param_jacobian(num, t, param))

    def step_node_grad(self, t: int, kind: str) -> torch.Tensor:
        """d l_t / d kind_t (kind in s, h, o): the loss at step t alone, a column."""
        node = {"s": self.s, "h": self.h, "o": self.o}[kind][t]
        return torch.autograd.grad(self.losses[t], node, retain_graph=True)[0]

    def diag_slope(self, t: int) -> torch.Tensor:
        """dh_t/ds_t = diag(phi'(s_t))."""
        return torch.diag(self.slope(t)[:, 0])

    def immediate_chain(self, upstream: torch.Tensor, t: int, param: str) -> torch.Tensor:
        """(d+h_t/dP)^T upstream: through step t's use of P only (h_(t-1) held fixed),
        in P's shape."""
        h_prev = self.h[t - 1].detach()

        def f(p: torch.Tensor) -> torch.Tensor:
            return self.cell(t, h_prev, {param: p})

        jacobian = torch.autograd.functional.jacobian(f, self.params[param].detach())
        return torch.einsum("ia,iabc->bc", upstream, jacobian)

    def dL_dlt(self, t: int) -> torch.Tensor:
        """dL/dl_t."""
        return torch.autograd.grad(self.L, self.losses[t], retain_graph=True)[0]

    def one_hot(self, t: int) -> torch.Tensor:
        """onehot(y_t), a column."""
        out = torch.zeros(self.o[t].shape[0], 1, dtype=torch.float64)
        out[self.y[t], 0] = 1.0
        return out

    def probabilities_minus_target(self, t: int) -> torch.Tensor:
        """softmax(o_t) - onehot(y_t), a column."""
        p = torch.softmax(self.o[t].detach()[:, 0], dim=0)
        p[self.y[t]] -= 1.0
        return p[:, None]

    def dl_dyhat(self, t: int) -> torch.Tensor:
        """The derivative of the cross-entropy -log yhat_t[y_t] by the probabilities
        yhat_t = softmax(o_t), a row."""
        p = torch.softmax(self.o[t].detach()[:, 0], dim=0).requires_grad_()
        return torch.autograd.grad(-torch.log(p[self.y[t]]), p)[0][None, :]

    def softmax_jacobian(self, t: int) -> torch.Tensor:
        """d yhat_t / d o_t, the Jacobian of the softmax at o_t."""
        return torch.autograd.functional.jacobian(
            lambda o: torch.softmax(o, dim=0), self.o[t].detach()[:, 0]
        )

    def step_grad(self, t: int, param: str) -> torch.Tensor:
        """d l_t / dP (the loss at step t alone), in P's shape; zero past T."""
        if t > self.T:
            return torch.zeros_like(self.params[param])
        return torch.autograd.grad(self.losses[t], self.params[param], retain_graph=True)[0]

    def slope(self, t: int) -> torch.Tensor:
        """phi'(s_t), as a column."""
        s = self.s[t].detach().requires_grad_()
        return torch.autograd.grad(self.act(s).sum(), s)[0]

    def out_slope(self, t: int) -> torch.Tensor:
        """theta'(h_t) of the scalar model (the output's derivative by h_t)."""
        h = self.h[t].detach().requires_grad_()
        return torch.autograd.grad(self.output(h).sum(), h)[0]

    # -- the scalar model ------------------------------------------------------------------------
    def dh_dwh(self, t: int) -> torch.Tensor:
        """dh_t/dw_h = (dh_t/dv, dh_t/dw), total, as a row."""
        if t == 0:
            return torch.zeros(1, 2, dtype=torch.float64)
        dv, dw = torch.autograd.grad(self.h[t], [self.v, self.w], retain_graph=True)
        return torch.cat([dv, dw], dim=1)

    def df_dwh(self, t: int) -> torch.Tensor:
        """df(x_t, h_(t-1), w_h)/dw_h: h_(t-1) held fixed."""
        v, w = self.v.detach().requires_grad_(), self.w.detach().requires_grad_()
        h = self.cell(t, self.h[t - 1].detach(), {"v": v, "w": w})
        dv, dw = torch.autograd.grad(h, [v, w])
        return torch.cat([dv, dw], dim=1)

    def dh_dw(self, t: int) -> torch.Tensor:
        """dh_t/dw, the total derivative by the recurrent weight alone."""
        return self.dh_dwh(t)[:, 1:]

    def df_dw(self, t: int) -> torch.Tensor:
        """df(x_t, h_(t-1), w)/dw, h_(t-1) held fixed."""
        return self.df_dwh(t)[:, 1:]

    def df_dh(self, t: int) -> torch.Tensor:
        """df(x_t, h_(t-1), w_h)/dh_(t-1)."""
        h_prev = self.h[t - 1].detach().requires_grad_()
        return torch.autograd.grad(self.cell(t, h_prev), h_prev)[0]

    def jac_s(self, t: int) -> torch.Tensor:
        """ds_t/ds_(t-1): the pre-activation's Jacobian by the previous one."""

        def f(s_prev: torch.Tensor) -> torch.Tensor:
            return self.pre(t, self.act(s_prev))

        return torch.autograd.functional.jacobian(f, self.s[t - 1].detach())[:, 0, :, 0]

    def chain(self, t: int, k: int) -> torch.Tensor:
        """J_t J_(t-1) ... J_(k+1), the one-step Jacobians latest on the left."""
        out = torch.eye(self.h0.shape[0], dtype=torch.float64)
        for j in range(t, k, -1):
            out = out @ self.jac("h", j, "h", j - 1)
        return out

    @staticmethod
    def stack(values: Any) -> torch.Tensor:
        return torch.stack(list(values))

    # -- helpers -----------------------------------------------------------------------------------
    @staticmethod
    def prod(factors: Any) -> Any:
        return functools.reduce(lambda a, b: a * b, factors, 1.0)

    @staticmethod
    def mpow(matrix: torch.Tensor, k: int) -> torch.Tensor:
        return torch.linalg.matrix_power(matrix.detach(), k)

    @staticmethod
    def close(a: Any, b: Any) -> bool:
        a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
        return a.shape == b.shape and bool(torch.allclose(a, b, rtol=1e-9, atol=1e-12))
