"""Truth of the checked displays of iDestro/How-Neural-Network-work. rnn/rnn.md (2021), a
Markdown copy of hanbt's 零基础入门深度学习(5) 循环神经网络 (BPTT section).

The notes' own model, column vectors:
    o_t = g(V s_t),   s_t = f(net_t),   net_t = U x_t + W s_{t-1}        (1), (2), net_t's display
E is "the error" at the last step t: the derivation uses dE/dnet_k = dE/dnet_t dnet_t/dnet_k, so E
depends on the past only through net_t, i.e. E = E(o_t).  We take g = f = tanh and
E = c . o_t + 0.5 |o_t|^2 with t = T (the notes leave f, g and E open).
Names (from the text): delta_t = dE/dnet_t (delta_t^T its row form, numerator layout),
s_j^t / net_j^t / delta_j^t the j-th entry at time t, w_ji = W[j, i];
grad_{W_t} E is the gradient by the copy of W used at step t (the text: "权重矩阵在t时刻的梯度"),
grad_W E the gradient by the shared W.  dnet_t/dW in the last display is the total derivative.
The entry matrices with \\ldots / \\cdot rows are read as the n x n pattern they show (n = 3):
first rows, then the last row n.  In delta_k's display, the product prod_{i=k}^{t-1} is read in the
order of the member before it (i = t-1 first), as the author means it.
"""
import torch

torch.set_default_dtype(torch.float64)
M, N, T = 2, 3, 4


def close(a, b):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-7, atol=1e-9)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g) * 0.8
    U, W, V = r(N, M), r(N, N), r(N, N)
    xs = [r(M) for _ in range(T + 1)]
    s0 = r(N)
    c = r(N)
    f = torch.tanh
    fp = lambda z: 1 - torch.tanh(z) ** 2
    Wk = {k: W.clone().requires_grad_() for k in range(1, T + 1)}   # per-step copies
    net, s = {}, {0: s0}
    for k in range(1, T + 1):
        net[k] = U @ xs[k] + Wk[k] @ s[k - 1]
        net[k].retain_grad()
        s[k] = f(net[k])
    o = torch.tanh(V @ s[T])
    E = c @ o + 0.5 * (o @ o)
    E.backward()
    delta = {k: net[k].grad.detach() for k in range(1, T + 1)}
    gWk = {k: Wk[k].grad.detach() for k in range(1, T + 1)}
    netv = {k: net[k].detach() for k in net}
    sv = {k: s[k].detach() for k in s}

    # total dE/dW (shared W) and total dnet_k/dW
    def net_of_W(Wshared, upto):
        ss = s0
        for k in range(1, upto + 1):
            nk = U @ xs[k] + Wshared @ ss
            ss = f(nk)
        return nk

    def E_of_W(Wshared):
        ss = f(net_of_W(Wshared, T))
        oo = torch.tanh(V @ ss)
        return c @ oo + 0.5 * (oo @ oo)

    gW = torch.autograd.functional.jacobian(E_of_W, W)
    t = T
    res = {}

    def upd(k, ok):
        res[k] = res.get(k, True) and bool(ok)

    for k in range(2, T + 1):
        # one-step Jacobians at step k (net_k by net_{k-1}, net_k by s_{k-1}, s_{k-1} by net_{k-1})
        J_nn = torch.autograd.functional.jacobian(lambda n_: U @ xs[k] + W @ f(n_), netv[k - 1])
        J_ns = torch.autograd.functional.jacobian(lambda s_: U @ xs[k] + W @ s_, sv[k - 1])
        J_sn = torch.autograd.functional.jacobian(f, netv[k - 1])
        upd('dnet_dnet_chain', close(J_nn, J_ns @ J_sn))
        upd('dnet_ds_jacobian', close(J_ns, W))
        upd('ds_dnet_diag', close(J_sn, torch.diag(fp(netv[k - 1]))))
        # the entry matrix: w_ij f'(net_j) except the last column of the first rows, w_in f(net_n)
        Mx = W * fp(netv[k - 1])[None, :]
        Mx_printed = Mx.clone()
        for i in range(N - 1):
            Mx_printed[i, N - 1] = W[i, N - 1] * f(netv[k - 1][N - 1])
        upd('dnet_dnet_matrix', close(J_nn, J_ns @ J_sn) and close(J_nn, W @ torch.diag(fp(netv[k - 1])))
            and close(J_nn, Mx_printed))
    # delta_k for k < t
    for k in range(1, t):
        chain = torch.eye(N)
        for i in range(t - 1, k - 1, -1):          # dnet_t/dnet_{t-1} ... dnet_{k+1}/dnet_k
            chain = chain @ (W @ torch.diag(fp(netv[i])))
        m1 = delta[k]
        J_tk = torch.autograd.functional.jacobian(
            lambda n_: _roll(n_, k, t, U, W, xs, f), netv[k])
        m2 = delta[t] @ J_tk
        m3 = delta[t] @ chain
        col = torch.eye(N)
        for i in range(t - 1, k - 1, -1):          # W diag[f'(net_{t-1})] ... W diag[f'(net_k)] delta_t
            col = col @ (W @ torch.diag(fp(netv[i])))
        m4 = col @ delta[t]
        m5 = delta[t] @ chain
        upd('delta_k', close(m1, m2) and close(m1, m3) and close(m1, m4) and close(m1, m5))
    for k in range(1, T + 1):
        mat = torch.zeros(N, N)
        for i in range(N):
            for j in range(N):
                mat[i, j] = delta[k][i] * sv[k - 1][j]
        upd('gradW_t_matrix', close(gWk[k], mat))
        upd('dE_dwji', close(gWk[k], torch.outer(delta[k], sv[k - 1])))
    total = sum(gWk[k] for k in range(1, t + 1))
    upd('gradW_sum', close(gW, total))
    # recursion: dE/dW = dE/dnet_t dnet_t/dW = grad_{W_t} + delta_{t-1}^T dnet_{t-1}/dW = ...
    Jt = torch.autograd.functional.jacobian(lambda Ws: net_of_W(Ws, t), W)          # n x n x n
    ok = close(gW, torch.einsum('j,jab->ab', delta[t], Jt))
    for m in range(1, t):
        Jm = torch.autograd.functional.jacobian(lambda Ws: net_of_W(Ws, t - m), W)
        partial = sum(gWk[t - q] for q in range(0, m))
        ok = ok and close(gW, partial + torch.einsum('j,jab->ab', delta[t - m], Jm))
    ok = ok and close(gW, total)
    upd('gradW_recursion', ok)
    return res


def _roll(n_k, k, t, U, W, xs, f):
    n_ = n_k
    for i in range(k + 1, t + 1):
        n_ = U @ xs[i] + W @ f(n_)
    return n_


def truths():
    a, b = run(13), run(14)
    return {k: a[k] and b[k] for k in a}


if __name__ == "__main__":
    print(truths())
