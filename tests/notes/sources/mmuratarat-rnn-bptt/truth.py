r"""Truth of the checked displays of mmuratarat.github.io, "Backpropagation Through Time for
Recurrent Neural Network" (mmuratarat/mmuratarat.github.io, _posts/2019-02-07-bptt-of-rnn.md at
0041fa11fdf121ae8ab872f33317bd60ca3b2de2), by torch.autograd only.

The post's RNN, one instance (its mini-batch rows X_t . W_xh are the transposes of the
single-instance columns W_xh^T . X_t, the same network):
    h_t = tanh(W_xh^T x_t + W_hh^T h_{t-1} + b_h),  o_t = W_yh^T h_t + b_y,  yhat_t = softmax(o_t)
    L = sum_{t=1}^T L_t,  L_t = -y_t log yhat_t
with W_xh of shape n_inputs x n_neurons, W_hh and W_yh n_neurons x n_neurons (as the post lists
them; so the output has n_neurons = 3 classes).  Input 2, hidden 3, T = 4, random h_0 and
one-hot targets, float64, two seeds, every step, every k and every entry.

Readings (source.toml says why):
  * layout = numerator ("the result is a matrix (called the Jacobian matrix)"): dh_{j+1}/dh_j has
    a row per entry of h_{j+1}; chains run from the loss, left to right; the derivative of the
    scalar L by the matrix W_yh is arranged like W_yh^T (entry [j, i] = dL/dW_yh[i, j]).
  * in the sums over k, dh_{t+1}/dh_k is the whole Jacobian between the states ("a chain rule in
    itself", the identity for k = t+1) and dh_k/dW_hh, dh_k/dW_xh are h_k's own equation with
    h_{k-1} held fixed; the left sides are the whole derivatives of L_{t+1}, for t+1 = 1..T.
  * prod_{j=k}^{t} is ordered as the post expands it: dh_{t+1}/dh_t ... dh_{k+1}/dh_k.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
D, H, T = 2, 3, 4
K = H


def close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


IDS = ['dL_dWyh', 'dL_dby', 'dLt1_dWhh_sum', 'dLt1_dWhh_prod', 'prod_jacobians', 'dLt1_dWxh_sum',
       'dh_dh_jacobian', 'prod_diag']


def run(seed):
    gen = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=gen)
    P = dict(Wxh=r(D, H), Whh=r(H, H), Wyh=r(H, K), bh=r(H), by=r(K))
    xs = {t: r(D) for t in range(1, T + 1)}
    Y = {t: torch.nn.functional.one_hot(torch.randint(0, K, (1,), generator=gen)[0], K).double()
         for t in range(1, T + 1)}
    h0 = r(H)

    def forward(**kw):
        p = {**P, **kw}
        h, o, yh, L = {0: h0}, {}, {}, {}
        for t in range(1, T + 1):
            h[t] = torch.tanh(p['Wxh'].T @ xs[t] + p['Whh'].T @ h[t - 1] + p['bh'])
            o[t] = p['Wyh'].T @ h[t] + p['by']
            yh[t] = torch.softmax(o[t], 0)
            L[t] = -(Y[t] * torch.log(yh[t])).sum()
        return h, o, yh, L

    h, o, yh, Ls = forward()

    def dLs_d(which, s=None):                     # whole derivative of L_s (or L) by a parameter
        f = (lambda M: forward(**{which: M})[3][s]) if s else (lambda M: sum(forward(**{which: M})[3].values()))
        return jacobian(f, P[which])

    res = {}
    # dL/dW_yh = sum_t dL_t/dW_yh = sum_t dL_t/dyhat dyhat/do do/dW_yh = sum_t (yhat_t - y_t) (x) h_t
    G = dLs_d('Wyh')                              # W_yh's index order (H x K)
    parts = sum(dLs_d('Wyh', t) for t in range(1, T + 1))
    chain = sum(torch.tensordot(
        jacobian(lambda v: -(Y[t] * torch.log(v)).sum(), yh[t]) @ jacobian(lambda u: torch.softmax(u, 0), o[t]),
        jacobian(lambda M: M.T @ h[t] + P['by'], P['Wyh']), dims=1) for t in range(1, T + 1))
    outer = sum(torch.outer(yh[t] - Y[t], h[t]) for t in range(1, T + 1))
    res['dL_dWyh'] = close(G, parts) and close(parts, chain) and close(chain.T, outer)
    assert not close(G, outer)                    # in the denominator layout (W_yh's shape) it fails
    # dL/db_y = sum_t ... = sum_t (yhat_t - y_t)
    gb = dLs_d('by')
    res['dL_dby'] = close(gb, sum(yh[t] - Y[t] for t in range(1, T + 1)))

    # Jacobians between states (numerator layout) and h_k's own derivatives by the weights
    def step(hp, t, Whh=None, Wxh=None):
        Whh = P['Whh'] if Whh is None else Whh
        Wxh = P['Wxh'] if Wxh is None else Wxh
        return torch.tanh(Wxh.T @ xs[t] + Whh.T @ hp + P['bh'])
    J = {j: jacobian(lambda u: step(u, j + 1), h[j]) for j in range(0, T)}   # dh_{j+1}/dh_j
    dh_dWhh = {k: jacobian(lambda M: step(h[k - 1], k, Whh=M), P['Whh']) for k in range(1, T + 1)}
    dh_dWxh = {k: jacobian(lambda M: step(h[k - 1], k, Wxh=M), P['Wxh']) for k in range(1, T + 1)}

    def whole(s, k):                              # dh_s/dh_k, every path, by autograd
        def f(u):
            hh = u
            for j in range(k + 1, s + 1):
                hh = step(hh, j)
            return hh
        return jacobian(f, h[k])

    def prod(s, k):                               # dh_s/dh_{s-1} ... dh_{k+1}/dh_k
        M = torch.eye(H)
        for j in range(s - 1, k - 1, -1):
            M = M @ J[j]
        return M
    ok_sum_hh = ok_prod_hh = ok_sum_xh = ok_prodJ = True
    for s in range(1, T + 1):                     # s = t + 1
        row = jacobian(lambda v: -(Y[s] * torch.log(v)).sum(), yh[s]) @ jacobian(
            lambda u: torch.softmax(P['Wyh'].T @ u + P['by'], 0), h[s])            # dL_s/dyhat dyhat/dh_s
        sum_hh = sum(torch.tensordot(row @ whole(s, k), dh_dWhh[k], dims=1) for k in range(1, s + 1))
        prod_hh = sum(torch.tensordot(row @ prod(s, k), dh_dWhh[k], dims=1) for k in range(1, s + 1))
        sum_xh = sum(torch.tensordot(row @ whole(s, k), dh_dWxh[k], dims=1) for k in range(1, s + 1))
        ok_sum_hh &= close(dLs_d('Whh', s), sum_hh)
        ok_prod_hh &= close(dLs_d('Whh', s), prod_hh)
        ok_sum_xh &= close(dLs_d('Wxh', s), sum_xh)
        for k in range(1, s):                     # prod_{j=k}^{t} = dh_{t+1}/dh_k = the chain
            ok_prodJ &= close(prod(s, k), whole(s, k))
    res.update(dLt1_dWhh_sum=ok_sum_hh, dLt1_dWhh_prod=ok_prod_hh, dLt1_dWxh_sum=ok_sum_xh,
               prod_jacobians=ok_prodJ)
    # dh_{j+1}/dh_j = diag(phi'(W_xh^T X_{j+1} + W_hh^T h_j + b_h)) W_hh, and its product
    ok_J = ok_P = True
    dphi = {j: 1 - step(h[j], j + 1) ** 2 for j in range(0, T)}                  # tanh' at step j+1
    for j in range(0, T):
        ok_J &= close(J[j], torch.diag(dphi[j]) @ P['Whh'])
        assert close(J[j], torch.diag(dphi[j]) @ P['Whh'].T)                   # the right one
        assert not close(J[j].T, torch.diag(dphi[j]) @ P['Whh'])               # nor denominator
    for t in range(1, T):
        for k in range(0, t + 1):
            M = torch.eye(H)
            for j in range(t, k - 1, -1):
                M = M @ torch.diag(dphi[j]) @ P['Whh']
            ok_P &= close(prod(t + 1, k), M)
    res.update(dh_dh_jacobian=ok_J, prod_diag=ok_P)
    return res


def truths():
    r1, r2 = run(1), run(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
