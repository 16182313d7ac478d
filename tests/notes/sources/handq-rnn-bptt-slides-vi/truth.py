r"""Truth of the checked displays of HandQ2212/intel-sys-assignment-06, rnn_slides.tex
(Vietnamese Beamer slides "Mạng Nơ-ron Hồi quy (RNN)"), without symbptt.

The slides' forward pass (slide 12) and loss (slides 19-20, MSE, d_y = 1 as in their example):
    a_t = W x_t + U h_{t-1} + b_h,  h_t = tanh(a_t),  yhat_t = V h_t + b_y,  h_0 = 0,
    L_t = (y_t - yhat_t)^2,  L = sum_{t=1}^T L_t.
Hidden 3, input 2, output 1, T = 4, float64, two seeds.

Readings (source.toml):
  * numerator layout (the slides' Jacobian dh_{j+1}/dh_j = diag(1 - h_{j+1}^2) U); a
    derivative of a vector by a matrix is the 3-index array d h_k / d U_ij, and the '\cdot'
    chains contract neighbouring indices;
  * dh_t/dU (and dh_t/dh_i) are total derivatives; dh'_i/dU is the slides' own definition:
    the derivative of h_i by U holding h_{i-1} fixed; for i = 0, h_0 = 0 is a constant and
    dh'_0/dU = 0; dh_t/dh_t = identity;
  * prod_{j=i}^{t-1} A_j is the ordered product A_i A_{i+1} ... A_{t-1} (factors left to right
    as j increases).
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
N, NX, T = 3, 2, 4
IDS = ['dV', 'dU_chain', 'dhT_dU', 'dU_double_sum', 'dW_double_sum', 'dht_dhi_product']


def close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=1e-10, rtol=1e-8)


def check(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    W, U, V, bh, by = r(N, NX), r(N, N) * 0.8, r(1, N), r(N, 1), r(1, 1)
    x = {t: r(NX, 1) for t in range(1, T + 1)}
    y = {t: r(1, 1) for t in range(1, T + 1)}
    step = lambda hp, t, W_=W, U_=U: torch.tanh(W_ @ x[t] + U_ @ hp + bh)

    def states(W_, U_, upto=T, h0=None):
        h = {0: torch.zeros(N, 1) if h0 is None else h0}
        for t in range(1, upto + 1):
            h[t] = step(h[t - 1], t, W_, U_)
        return h

    def loss(W_, U_, V_):
        h = states(W_, U_)
        return sum(((y[t] - (V_ @ h[t] + by)) ** 2).sum() for t in range(1, T + 1))

    def h_from(hi, i, t):
        """h_t as a function of h_i, the steps i+1..t as in the model."""
        hh = hi
        for k in range(i + 1, t + 1):
            hh = step(hh, k)
        return hh

    h = states(W, U)
    res = {k: True for k in IDS}
    dLdy = {t: (-2 * (y[t] - (V @ h[t] + by))).reshape(1, 1) for t in range(1, T + 1)}
    dydh = V                                                        # (1, N)
    # dL/dV = sum_t dL_t/dyhat_t . dyhat_t/dV
    gV = jacobian(lambda V_: loss(W, U, V_), V)
    sV = sum(torch.einsum('ab,bij->ij', dLdy[t], jacobian(lambda V_: V_ @ h[t] + by, V).reshape(1, 1, N))
             for t in range(1, T + 1))
    res['dV'] &= close(gV, sV)
    # total dh_t/dU, dh_t/dW (index order k, i, j) and immediate dh'_t/dU, dh'_t/dW
    dhdU = {t: jacobian(lambda U_: states(W, U_, t)[t], U).reshape(N, N, N) for t in range(1, T + 1)}
    dhdW = {t: jacobian(lambda W_: states(W_, U, t)[t], W).reshape(N, N, NX) for t in range(1, T + 1)}
    imU = {t: jacobian(lambda U_: step(h[t - 1], t, W, U_), U).reshape(N, N, N) for t in range(1, T + 1)}
    imW = {t: jacobian(lambda W_: step(h[t - 1], t, W_, U), W).reshape(N, N, NX) for t in range(1, T + 1)}
    imU[0], imW[0] = torch.zeros(N, N, N), torch.zeros(N, N, NX)
    gU = jacobian(lambda U_: loss(W, U_, V), U)
    gW = jacobian(lambda W_: loss(W_, U, V), W)
    chainU = sum(torch.einsum('ab,bk,kij->ij', dLdy[t], dydh, dhdU[t]) for t in range(1, T + 1))
    res['dU_chain'] &= close(gU, chainU)
    # one-step Jacobians J[t] = dh_t/dh_{t-1}, and dh_t/dh_i by autograd
    J = {t: jacobian(lambda hp: step(hp, t), h[t - 1]).reshape(N, N) for t in range(1, T + 1)}
    dhdh = {}
    for t in range(0, T + 1):
        for i in range(0, t + 1):
            dhdh[t, i] = jacobian(lambda hi: h_from(hi, i, t), h[i]).reshape(N, N)
    for t in range(1, T + 1):
        res['dhT_dU'] &= close(dhdU[t], imU[t] + torch.einsum('kl,lij->kij', J[t], dhdU[t - 1] if t > 1 else torch.zeros(N, N, N)))
    dsU = sum(torch.einsum('ab,bk,kl,lij->ij', dLdy[t], dydh, dhdh[t, i], imU[i])
              for t in range(1, T + 1) for i in range(0, t + 1))
    dsW = sum(torch.einsum('ab,bk,kl,lij->ij', dLdy[t], dydh, dhdh[t, i], imW[i])
              for t in range(1, T + 1) for i in range(0, t + 1))
    res['dU_double_sum'] &= close(gU, dsU)
    res['dW_double_sum'] &= close(gW, dsW)
    for t in range(0, T + 1):
        for i in range(0, t + 1):
            prod = torch.eye(N)
            for j in range(i, t):                    # A_i A_{i+1} ... A_{t-1}, A_j = dh_{j+1}/dh_j
                prod = prod @ J[j + 1]
            res['dht_dhi_product'] &= close(dhdh[t, i], prod)
    return res


def truths():
    r1, r2 = check(1), check(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    for k, v in truths().items():
        print(f"{k:18s} {v}")
