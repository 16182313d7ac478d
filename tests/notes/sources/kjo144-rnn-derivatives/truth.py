"""Truth of the checked displays of KJO144/recurrent_neural_net notes.ipynb ("Derivatives of
Loss Function"), by torch.autograd only.

Forward pass as the notes use it (defined in the text, not in displays):
  p_t = U x_t + W h_{t-1} + b_h,  h_t = tanh(p_t),  q = V h_t + b_y,  yhat_t = softmax(q),
  E_t = -sum_k y_{t_k} log yhat_{t_k} with a one-hot y_t (the notes: the first factor "is just
  -y_t / yhat_t"); h_0 = 0 here. Indices k, l, m, n, p are summed (Einstein convention, stated
  in the notes); y_{t_k} is entry k of y_t. dE_t/dW_ij and dh_{t_m}/dW_ij are total derivatives
  (through all earlier steps), as the notes explain. Checked at every step t = 1..T.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
D, NX, K, T = 3, 2, 3, 3


def close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=1e-10, rtol=1e-8)


def check(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    U, W, V, bh, by = r(D, NX), r(D, D), r(K, D), r(D), r(K)
    xs = [r(NX) for _ in range(T)]
    ys = [torch.nn.functional.one_hot(torch.randint(0, K, (1,), generator=g), K)[0].double() for _ in range(T)]

    def hs(W_):
        h, out, ps = torch.zeros(D), [torch.zeros(D)], []
        for t in range(T):
            p = U @ xs[t] + W_ @ h + bh
            h = torch.tanh(p)
            ps.append(p); out.append(h)
        return out, ps            # out[t] = h_t (out[0] = h_0), ps[t-1] = p_t

    H, P = hs(W)
    res = dict(chain_V=True, dE_dq=True, dq_dV=True, dV=True, dby=True, chain_W=True, chain_h=True, dp_dW=True)
    for t in range(1, T + 1):
        y, h, hprev = ys[t - 1], H[t], H[t - 1]
        E = lambda yh: -(y * torch.log(yh)).sum()
        yhat_of_q = lambda q: torch.softmax(q, 0)
        q = V @ h + by
        yhat = yhat_of_q(q)
        dE_dy = jacobian(E, yhat)                              # k
        dy_dq = jacobian(yhat_of_q, q)                         # k, l
        dq_dV = jacobian(lambda V_: V_ @ h + by, V)            # l, i, j
        dE_dV = jacobian(lambda V_: E(torch.softmax(V_ @ h + by, 0)), V)   # i, j
        dE_dby = jacobian(lambda b_: E(torch.softmax(V @ h + b_, 0)), by)
        eye = torch.eye
        res['chain_V'] &= close(dE_dV, torch.einsum('k,kl,lij->ij', dE_dy, dy_dq, dq_dV))
        res['dE_dq'] &= close(torch.einsum('k,kl->l', dE_dy, dy_dq), yhat - y)
        # dq_l/dV_ij = d/dV_ij (V_lm h_m + b_l) = delta_il h_j
        res['dq_dV'] &= close(dq_dV, torch.einsum('il,j->lij', eye(K), h))
        res['dV'] &= close(dE_dV, torch.outer(yhat - y, h))
        res['dby'] &= close(dE_dby, yhat - y)
        # total derivatives through all steps
        Et_of_W = lambda W_: E(torch.softmax(V @ hs(W_)[0][t] + by, 0))
        dE_dW = jacobian(Et_of_W, W)                                   # i, j
        dh_dW = jacobian(lambda W_: hs(W_)[0][t], W)                   # m, i, j
        dq_dh = V                                                      # l, m
        res['chain_W'] &= close(dE_dW, torch.einsum('k,kl,lm,mij->ij', dE_dy, dy_dq, dq_dh, dh_dW))
        dh_dp = torch.diag(1 - torch.tanh(P[t - 1]) ** 2)              # m, k  (T^t_{mk})
        dp_dW = jacobian(lambda W_: hs(W_)[1][t - 1], W)               # k, i, j
        res['chain_h'] &= close(dh_dW, torch.einsum('mk,kij->mij', dh_dp, dp_dW))
        # d p_k / d W_ij = d/dW_ij (W_kl h_{t-1,l}) = delta_ik h_{t-1,j} + W_kl d h_{t-1,l}/dW_ij
        row1 = jacobian(lambda W_: W_ @ hs(W_)[0][t - 1], W)
        dhprev_dW = jacobian(lambda W_: hs(W_)[0][t - 1], W)           # l, i, j
        row2 = torch.einsum('ik,j->kij', eye(D), hprev) + torch.einsum('kl,lij->kij', W, dhprev_dW)
        res['dp_dW'] &= close(dp_dW, row1) and close(row1, row2)
    return {k: bool(v) for k, v in res.items()}


def truths():
    r1, r2 = check(1), check(2)
    return {k: r1[k] and r2[k] for k in r1}


if __name__ == "__main__":
    print(truths())
