"""Truth of the checked displays of "Vanishing Gradients in RNNs and LSTMs"
(ltrujello/ltrujello.github.io, docs/posts/vanishing_gradients.md), Graves-style index notation.

RNN (the post's forward pass), w_ij = weight from node i to node j:
    a_h^t = sum_i w_ih x_i^t + sum_h' w_h'h b_h'^{t-1},  b_h^t = theta(a_h^t),
    a_k^t = sum_h w_hk b_h^t,  y_k^t = theta(a_k^t),  b^0 = 0 ("initialize to the zero vector").
LSTM block with H cells (the post: the gates' "output size is H", "these equations are defined for iota,
phi, omega, c indexed over 1, ..., H"), so every cell c has its own gate units iota = phi = omega = c:
    a_iota^t = sum_i w_{i iota} x_i^t + sum_h w_{h iota} b_h^{t-1},  b_iota = theta(a_iota)   (phi, omega alike)
    a_c^t = sum_i w_ic x_i^t + sum_h w_hc b_h^{t-1},  s_c^t = b_phi^t s_c^{t-1} + b_iota^t g(a_c^t),
    b_c^t = b_omega^t h(s_c^t);  the outputs a_k^t = sum_c w_ck b_c^t, y_k^t = theta(a_k^t) as in the RNN
    (the post's epsilon_c^t = sum_k w_ck delta_k^t + ... says so); b^0 = s^0 = 0.
The loss is left generic ("L : R^I x R^K -> R", a supervised loss per step); here
L = 1/2 sum_t sum_k (y_k^t - z_k^t)^2 with random targets z.  theta = sigmoid (the post's example), g = h = tanh.
Readings: delta_j^t = dL/da_j^t, epsilon_c^t = dL/db_c^t, zeta_c^t = dL/ds_c^t, all total derivatives;
da_j^t/dw_ij is the immediate derivative (a_j^t's own equation); delta^{T+1} = 0 (the post).
The general closed forms use ell outside the product that binds it; it is read as m there
(delta_k^{T-(n-m)}, the last factor's step) -- no reading makes them hold: the factors theta'(a_j) w_{j h_1}
and theta'(a_{h_m}) are missing.
Sizes: input 2, hidden/cells 3, outputs 2, T = 4; every step and entry; seeds 0 and 1.
"""
import itertools
import torch

torch.set_default_dtype(torch.float64)
I, H, K, T = 2, 3, 2, 4


def _close(a, b):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


sig = torch.sigmoid
dsig = lambda v: sig(v) * (1 - sig(v))


def _rnn(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    Win, Whh, Wout = r(I, H).requires_grad_(True), r(H, H).requires_grad_(True), r(H, K).requires_grad_(True)
    xs = {t: r(I) for t in range(1, T + 1)}
    zs = {t: torch.rand(K, generator=g) for t in range(1, T + 1)}
    b = {0: torch.zeros(H)}
    a, ak = {}, {}
    L = 0.0
    for t in range(1, T + 1):
        a[t] = Win.T @ xs[t] + Whh.T @ b[t - 1]
        a[t].retain_grad()
        b[t] = sig(a[t])
        ak[t] = Wout.T @ b[t]
        ak[t].retain_grad()
        L = L + 0.5 * ((sig(ak[t]) - zs[t]) ** 2).sum()
    L.backward()
    D = lambda v: v.detach()
    d = {t: D(a[t].grad) for t in range(1, T + 1)}
    dk = {t: D(ak[t].grad) for t in range(1, T + 1)}
    d[T + 1] = torch.zeros(H)
    av = {t: D(a[t]) for t in range(1, T + 1)}
    bv = {t: D(b[t]) for t in range(0, T + 1)}
    Wi, Wh, Wo = D(Win), D(Whh), D(Wout)
    gi, gh, go = D(Win.grad), D(Whh.grad), D(Wout.grad)
    jac = torch.autograd.functional.jacobian
    res = {}

    # dL_dw_chain: dL/dw_ij = sum_t dL/da_j^t da_j^t/dw_ij (immediate), for the three kinds of weights
    ci = sum(torch.einsum("j,jab->ab", d[t], jac(lambda W: W.T @ xs[t] + Wh.T @ bv[t - 1], Wi)) for t in range(1, T + 1))
    ch = sum(torch.einsum("j,jab->ab", d[t], jac(lambda W: Wi.T @ xs[t] + W.T @ bv[t - 1], Wh)) for t in range(1, T + 1))
    co = sum(torch.einsum("k,kab->ab", dk[t], jac(lambda W: W.T @ bv[t], Wo)) for t in range(1, T + 1))
    res["dL_dw_chain"] = _close(gi, ci) and _close(gh, ch) and _close(go, co)
    res["dL_dw_input"] = _close(gi, sum(torch.outer(xs[t], d[t]) for t in range(1, T + 1)))
    res["dL_dw_hidden"] = _close(gh, sum(torch.outer(bv[t - 1], d[t]) for t in range(1, T + 1)))
    res["dL_dw_output"] = _close(go, sum(torch.outer(bv[t], dk[t]) for t in range(1, T + 1)))
    # delta_recurrence
    res["delta_recurrence"] = all(_close(d[t], dsig(av[t]) * (Wo @ dk[t] + Wh @ d[t + 1])) for t in range(1, T + 1))
    res["delta_T"] = _close(d[T], dsig(av[T]) * (Wo @ dk[T]))
    # delta_T_minus_1: three members
    tp = lambda t: dsig(av[t])
    m1 = tp(T - 1) * (Wo @ dk[T - 1] + Wh @ d[T])
    m2 = tp(T - 1) * (Wo @ dk[T - 1] + Wh @ (tp(T) * (Wo @ dk[T])))
    m3 = tp(T - 1) * (Wo @ dk[T - 1]) + torch.einsum("jh,hk,k,j,h->j", Wh, Wo, dk[T], tp(T - 1), tp(T))
    res["delta_T_minus_1"] = _close(d[T - 1], m1) and _close(m1, m2) and _close(m2, m3)
    # delta_T_minus_2, as written (theta'(a^{T-2}_{h_2}) inside, the third member drops w_{j h_1})
    n1 = tp(T - 2) * (Wo @ dk[T - 2] + Wh @ d[T - 1])
    inner = tp(T - 1) * (Wo @ dk[T - 1]) + torch.einsum("h,g,hg,gk,k->h", tp(T - 1), tp(T - 2), Wh, Wo, dk[T])
    n2 = tp(T - 2) * (Wo @ dk[T - 2]) + tp(T - 2) * (Wh @ inner)
    n3 = tp(T - 2) * (Wo @ dk[T - 2]) + torch.einsum("j,h,hk,k->j", tp(T - 2), tp(T - 1), Wo, dk[T - 1]) \
        + torch.einsum("j,h,g,jh,hg,gk,k->j", tp(T - 2), tp(T - 1), tp(T), Wh, Wh, Wo, dk[T])
    res["delta_T_minus_2"] = _close(d[T - 2], n1) and _close(n1, n2) and _close(n2, n3)
    # the general closed forms (delta_T_minus_n for n = 1..T-1, delta_t_kappa for t = 1..T-1)

    def closed(t):                    # the post's right side with step t = T - n, ell -> m outside the product
        out = tp(t) * (Wo @ dk[t])
        for m in range(1, T - t + 1):
            tot = 0.0
            for hs in itertools.product(range(H), repeat=m):
                p = 1.0
                for ell in range(1, m):
                    p = p * tp(t + ell)[hs[ell - 1]] * Wh[hs[ell - 1], hs[ell]]
                tot = tot + p * (Wo[hs[m - 1]] @ dk[t + m])
            out = out + tot          # the same scalar added for every j
        return out
    ok = all(_close(d[t], closed(t)) for t in range(1, T))
    res["delta_T_minus_n"] = ok
    res["delta_t_kappa"] = ok
    return res


def _lstm(seed):
    g = torch.Generator().manual_seed(seed + 100)
    r = lambda *s: torch.randn(*s, generator=g)
    kinds = ("iota", "phi", "omega", "c")
    Wx = {q: r(I, H) for q in kinds}            # w_{i q}
    Wb = {q: r(H, H) for q in kinds}            # w_{h q}: from cell output h to unit q
    Wck = r(H, K)                               # w_{ck}
    Wxg = {q: Wx[q].clone().requires_grad_(True) for q in kinds}   # (only so that every node needs grad)
    xs = {t: r(I) for t in range(1, T + 1)}
    zs = {t: torch.rand(K, generator=g) for t in range(1, T + 1)}
    tanh = torch.tanh
    b = {0: torch.zeros(H)}
    s = {0: torch.zeros(H)}
    A, B, ak = {}, {}, {}
    L = 0.0
    for t in range(1, T + 1):
        for q in kinds:
            A[(q, t)] = Wxg[q].T @ xs[t] + Wb[q].T @ b[t - 1]
            A[(q, t)].retain_grad()
        for q in ("iota", "phi", "omega"):
            B[(q, t)] = sig(A[(q, t)])
        s[t] = B[("phi", t)] * s[t - 1] + B[("iota", t)] * tanh(A[("c", t)])
        s[t].retain_grad()
        b[t] = B[("omega", t)] * tanh(s[t])
        b[t].retain_grad()
        ak[t] = Wck.T @ b[t]
        ak[t].retain_grad()
        L = L + 0.5 * ((sig(ak[t]) - zs[t]) ** 2).sum()
    L.backward()
    D = lambda v: v.detach()
    dl = {k: D(v.grad) for k, v in A.items()}
    for q in kinds:
        dl[(q, T + 1)] = torch.zeros(H)
    dk = {t: D(ak[t].grad) for t in range(1, T + 1)}
    eps = {t: D(b[t].grad) for t in range(1, T + 1)}
    zeta = {t: D(s[t].grad) for t in range(1, T + 1)}
    Av = {k: D(v) for k, v in A.items()}
    Bv = {k: D(v) for k, v in B.items()}
    sv = {t: D(s[t]) for t in range(0, T + 1)}
    dtanh = lambda v: 1 - tanh(v) ** 2
    res = {}

    def eps_rhs(t):                   # the post's epsilon_c^t, with delta_c^{t+1} as written (not delta_c')
        out = Wck @ dk[t] + Wb["iota"] @ dl[("iota", t + 1)] + Wb["phi"] @ dl[("phi", t + 1)] \
            + Wb["omega"] @ dl[("omega", t + 1)]
        return out + Wb["c"].sum(1) * dl[("c", t + 1)]
    res["eps_cell_output"] = all(_close(eps[t], eps_rhs(t)) for t in range(1, T + 1))
    # (with delta_{c'} it holds)
    for t in range(1, T + 1):
        assert _close(eps[t], Wck @ dk[t] + sum(Wb[q] @ dl[(q, t + 1)] for q in kinds))
    res["delta_output_gate"] = all(
        _close(dl[("omega", t)], dsig(Av[("omega", t)]) * (tanh(sv[t]) @ eps[t])) for t in range(1, T + 1))
    res["zeta_cell_state"] = all(
        _close(zeta[t], Bv[("omega", t)] * dtanh(sv[t]) * eps[t]) for t in range(1, T + 1))
    res["delta_cell_input"] = all(
        _close(dl[("c", t)], Bv[("iota", t)] * dtanh(Av[("c", t)]) * zeta[t]) for t in range(1, T + 1))
    res["delta_forget_gate"] = all(
        _close(dl[("phi", t)], dsig(Av[("phi", t)]) * (sv[t - 1] @ zeta[t])) for t in range(1, T + 1))
    res["delta_input_gate"] = all(
        _close(dl[("iota", t)], dsig(Av[("iota", t)]) * (tanh(Av[("c", t)]) @ zeta[t])) for t in range(1, T + 1))
    # eps_expanded: first '=' is the epsilon display itself (fails); the second member substitutes the
    # post's own gate/cell formulas into it
    ok = True
    for t in range(1, T):
        m1 = eps_rhs(t)
        z1 = zeta[t + 1]
        m2 = Wck @ dk[t] \
            + Wb["iota"] @ (dsig(Av[("iota", t + 1)]) * (tanh(Av[("c", t + 1)]) @ z1)) \
            + Wb["phi"] @ (dsig(Av[("phi", t + 1)]) * (sv[t] @ z1)) \
            + Wb["omega"] @ (dsig(Av[("omega", t + 1)]) * (tanh(sv[t + 1]) @ eps[t + 1])) \
            + Wb["c"] @ (Bv[("iota", t + 1)] * dtanh(Av[("c", t + 1)]) * z1)
        ok &= _close(eps[t], m1) and _close(m1, m2)
    res["eps_expanded"] = ok
    res["eps_T"] = _close(eps[T], Wck @ dk[T])
    return res


def _run(seed):
    out = _rnn(seed)
    out.update(_lstm(seed))
    return out


def truths():
    r0, r1 = _run(0), _run(1)
    return {k: r0[k] and r1[k] for k in r0}


if __name__ == "__main__":
    for k, v in truths().items():
        print(f"{k:18s} {'holds' if v else 'fails'}")
