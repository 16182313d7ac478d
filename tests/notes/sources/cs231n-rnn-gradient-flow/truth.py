r"""Truth of the checked displays of cs231n/cs231n.github.io, rnn.md (CS231n notes "Recurrent Neural
Networks", section "Vanilla RNN Gradient Flow & Vanishing Gradient Problem"), by torch.autograd only.

The notes' model: h_t = tanh(W_hh h_{t-1} + W_xh x_t), y_t = W_hy h_t (column vectors, no biases),
t = 1..T, h_0 given.  The loss is "the loss at the very last time step L_t" (t = T), a function of the
output; the notes name none, so truth.py takes L_T = 1/2 ||y_T - target||^2 with a random target (the
displays hold or fail for any loss alike).  Hidden 3, input 2, output 4, T = 4, float64, two seeds.

Readings:
  * a derivative of a vector by a vector is the Jacobian (numerator layout, rows follow the numerator),
    so dL/dh_t is a row; tanh'(a) W_hh, a vector before a matrix, is diag(tanh'(a)) W_hh;
  * dL_t/dW_hh is the total derivative of L_T by the shared W_hh; dh_1/dW_hh is the 3-tensor
    d(h_1)_i/d(W_hh)_{jk}, contracted with the row before it;
  * in the chain display, the product index t runs 2..T (it shadows the outer t; the outer t is T).
  * the last display speaks of the network without tanh (h_t = W_hh h_{t-1} + W_xh x_t); it is
    evaluated there and in the notes' (tanh) model, W read as W_hh.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
H, D, K, T = 3, 2, 4, 4
IDS = ["jac", "chain", "notanh"]


def close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-8, atol=1e-10)


def model(Whh, Wxh, Why, xs, h0, tgt, act):
    hs = [h0]
    for t in range(1, T + 1):
        hs.append(act(Whh @ hs[-1] + Wxh @ xs[t]))
    y = Why @ hs[T]
    return hs, 0.5 * ((y - tgt) ** 2).sum()


def run(seed, act, actp):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g) * 0.8
    Whh, Wxh, Why = r(H, H), r(H, D), r(K, H)
    xs = {t: r(D) for t in range(1, T + 1)}
    h0, tgt = r(H), r(K)
    res = {}
    # d h_t / d h_{t-1} = tanh'(W_hh h_{t-1} + W_xh x_t) W_hh
    hs, _ = model(Whh, Wxh, Why, xs, h0, tgt, act)
    ok = True
    for t in range(1, T + 1):
        J = jacobian(lambda hp: act(Whh @ hp + Wxh @ xs[t]), hs[t - 1])
        a = Whh @ hs[t - 1] + Wxh @ xs[t]
        ok &= close(J, torch.diag(actp(a)) @ Whh)
    res["jac"] = bool(ok)
    # dL_T/dW_hh (total)
    W = Whh.clone().requires_grad_()
    hs, L = model(W, Wxh, Why, xs, h0, tgt, act)
    (gW,) = torch.autograd.grad(L, W)
    hs = [h.detach() for h in hs]
    dLdhT = jacobian(lambda h: 0.5 * ((Why @ h - tgt) ** 2).sum(), hs[T])           # row (H,)
    Js = {t: jacobian(lambda hp: act(Whh @ hp + Wxh @ xs[t]), hs[t - 1]) for t in range(2, T + 1)}
    dh1dW = jacobian(lambda M: act(M @ h0 + Wxh @ xs[1]), Whh)                       # (H, H, H)
    P = torch.eye(H)
    for t in range(T, 1, -1):                                                        # dh_T/dh_{T-1} ... dh_2/dh_1
        P = P @ Js[t]
    row1 = torch.tensordot(dLdhT @ P, dh1dW, dims=1)                                 # rows 1 and 2
    Q = torch.eye(H)
    WT1 = torch.linalg.matrix_power(Whh, T - 1)
    for t in range(2, T + 1):                                                        # prod tanh'(a_t) W_hh^{T-1}
        a = Whh @ hs[t - 1] + Wxh @ xs[t]
        Q = Q @ (torch.diag(actp(a)) @ WT1)
    row3 = torch.tensordot(dLdhT @ Q, dh1dW, dims=1)
    res["chain"] = bool(close(gW, row1) and close(row1, row3))
    assert not close(gW, row1)                                                       # the one path misses W_hh's uses at steps 2..T
    # dL_t/dW = dL_t/dh_t (prod_{t=2}^T W_hh^{T-1}) dh_1/dW
    R = torch.eye(H)
    for _ in range(2, T + 1):
        R = R @ WT1
    rowc = torch.tensordot(dLdhT @ R, dh1dW, dims=1)
    res["notanh"] = bool(close(gW, rowc))
    return res


def truths():
    tanh = (torch.tanh, lambda a: 1 - torch.tanh(a) ** 2)
    ident = (lambda a: a, lambda a: torch.ones_like(a))
    out = {}
    for k in IDS:
        out[k] = True
    for seed in (1, 2):
        r_tanh = run(seed, *tanh)
        r_lin = run(seed, *ident)
        out["jac"] &= r_tanh["jac"]
        out["chain"] &= r_tanh["chain"]
        out["notanh"] &= r_tanh["notanh"] or r_lin["notanh"]       # fails in both models
    return {k: bool(v) for k, v in out.items()}


if __name__ == "__main__":
    print(truths())
