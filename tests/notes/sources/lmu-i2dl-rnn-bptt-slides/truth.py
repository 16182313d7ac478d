r"""Truth of the checked displays of the LMU "Introduction to Deep Learning" (I2DL) slides,
chapter 8 "Recurrent Neural Networks (RNNs)" (slides-8-1-introduction.tex, 2021), without
symbptt.

The slides' RNN (column vectors, weights used transposed):
    z^[0] = sigma(W^T x^[0] + b),  z^[t] = sigma(V^T z^[t-1] + W^T x^[t] + b)  (t >= 1),
    f^[t] = tau(c + U^T z^[t]),
with sigma the logistic function.  tau and the loss are not fixed by the slides; here tau is
the logistic function, two outputs, and the loss of step t is L^[t] = ||f^[t] - y^[t]||^2.
Hidden 3, input 2, T = 4 (steps 0..4), float64, two seeds.

Readings (source.toml):
  * numerator layout: d z^[t] / d z^[t-1] is the Jacobian (rows: entries of z^[t]), dL/dz a row
    vector; products are taken left to right as written;
  * L in "during backpropagation at time step t ... dL/dz^[1] = ..." is the loss of the output
    at step t, L^[t]; every t = 2..T is checked;
  * D^[k] is introduced by the displays themselves: D^[t-1] = diag(sigma'(V^T z^[t-1] +
    W^T x^[t] + b)); (V^T)^{[t-1]} in the last display is the (t-1)-th power of V^T (the later
    version of the slides writes (V^T)^{t-1}); "z¸^[1]" (a stray cedilla in the source) is z^[1].
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
N, NX, K, T = 3, 2, 2, 4
IDS = ['bptt_chain', 'jac_t', 'jac_t_minus_1', 'jac_2', 'bptt_product']


def close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=1e-10, rtol=1e-8)


def check(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    W, V, U, b, c = r(NX, N), r(N, N), r(N, K), r(N, 1), r(K, 1)
    x = {t: r(NX, 1) for t in range(0, T + 1)}
    y = {t: r(K, 1) for t in range(0, T + 1)}
    sig = torch.sigmoid
    dsig = lambda u: sig(u) * (1 - sig(u))
    step = lambda zp, t: sig(V.T @ zp + W.T @ x[t] + b)
    z = {0: sig(W.T @ x[0] + b)}
    for t in range(1, T + 1):
        z[t] = step(z[t - 1], t)
    J = {t: jacobian(lambda zp: step(zp, t), z[t - 1]).reshape(N, N) for t in range(1, T + 1)}
    D = {t - 1: torch.diag(dsig(V.T @ z[t - 1] + W.T @ x[t] + b).flatten()) for t in range(1, T + 1)}
    res = {k: True for k in IDS}
    for t in range(1, T + 1):
        res['jac_t'] &= close(J[t], D[t - 1] @ V.T)
        if t >= 2:
            res['jac_t_minus_1'] &= close(J[t - 1], D[t - 2] @ V.T)
    res['jac_2'] &= close(J[2], D[1] @ V.T)

    def loss_t(t, z1):
        zz = z1
        for k in range(2, t + 1):
            zz = step(zz, k)
        f = sig(c + U.T @ zz)
        return ((f - y[t]) ** 2).sum()

    for t in range(2, T + 1):
        dL_dz1 = jacobian(lambda z1: loss_t(t, z1), z[1]).reshape(1, N)
        dL_dzt = jacobian(lambda zt: ((sig(c + U.T @ zt) - y[t]) ** 2).sum(), z[t]).reshape(1, N)
        chain = dL_dzt
        for k in range(t, 1, -1):
            chain = chain @ J[k]
        res['bptt_chain'] &= close(dL_dz1, chain)
        prodD = torch.eye(N)
        for k in range(t - 1, 0, -1):
            prodD = prodD @ D[k]
        last = prodD @ torch.linalg.matrix_power(V.T, t - 1)
        res['bptt_product'] &= close(dL_dz1, chain) and close(chain, last)
        # not even the Jacobian product alone equals the reordered product:
        jprod = torch.eye(N)
        for k in range(t, 1, -1):
            jprod = jprod @ J[k]
        res['_jac_product_reordered'] = res.get('_jac_product_reordered', True) and close(jprod, last)
    return res


def truths():
    r1, r2 = check(1), check(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    r1, r2 = check(1), check(2)
    for k in r1:
        print(f"{k:24s} {r1[k] and r2[k]}")
