"""Truth of the checked displays of the MIT 6.390 notes (rnn.tex), without symbptt.

The notes' own RNN (section "Back-propagation through time"):
    z_t^1 = W^{sx} x_t + W^{ss} s_{t-1} + W^{ss}_0,   s_t = f_s(z_t^1)
    z_t^2 = W^o s_t + W^o_0,                          g_t = f_o(z_t^2)
    L_seq = sum_t L_elt(g_t, y_t),   L_t = L_elt(g_t, y_t)
with f_s = tanh and f_o = softmax, L_elt = NLL of a one-hot y_t (the notes say
dL_t/dz_t^2 = g_t - y_t holds "for squared loss, softmax-NLL, etc.").
Steps t = 1..n, s_0 given.

The notes' layout is denominator layout (the under-braces give the shapes):
dL/ds_t is m x 1, ds_t/ds_{t-1} is m x m with entry (i, j) = d s_{t,j} / d s_{t-1,i},
dz_t^2/ds_t is m x v.  F_t = sum_{u=t+1}^n L_u and delta^{s_t} = dF_t/ds_t
(total derivative: every path from s_t to the future losses).
A derivative of a vector by a matrix (dz_t^1/dW^{ss}, dz_t^2/dW^o) is the
third-order tensor, and its product with a vector is the contraction over the
vector's index, giving a matrix of W's shape.
"""
import torch

torch.set_default_dtype(torch.float64)
M, L_IN, V, N = 3, 2, 3, 4  # state m, input l, output v, steps n


def _close(a, b):
    return torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    Wsx, Wss, Ws0 = r(M, L_IN), r(M, M) * 0.8, r(M)
    Wo, Wo0 = r(V, M), r(V)
    xs = [r(L_IN) for _ in range(N + 1)]  # xs[1..N] used
    ys = [torch.nn.functional.one_hot(torch.randint(0, V, (1,), generator=g)[0], V).double()
          for _ in range(N + 1)]
    s0 = r(M)
    for p in (Wsx, Wss, Ws0, Wo, Wo0, s0):
        p.requires_grad_(True)

    def cell(s_prev, x, Wss_=None, Wsx_=None):
        Wss_ = Wss if Wss_ is None else Wss_
        Wsx_ = Wsx if Wsx_ is None else Wsx_
        return Wsx_ @ x + Wss_ @ s_prev + Ws0

    s = {0: s0}
    z1, z2, gg, Ls = {}, {}, {}, {}
    for t in range(1, N + 1):
        z1[t] = cell(s[t - 1], xs[t])
        z1[t].retain_grad()
        s[t] = torch.tanh(z1[t])
        s[t].retain_grad()
        z2[t] = Wo @ s[t] + Wo0
        gg[t] = torch.softmax(z2[t], 0)
        Ls[t] = -(ys[t] * torch.log(gg[t])).sum()
    Lseq = sum(Ls.values())

    def F(t):  # future loss after step t
        return sum((Ls[u] for u in range(t + 1, N + 1)), torch.zeros(()))

    def grad(out, wrt):
        if not out.requires_grad:
            return torch.zeros_like(wrt)
        (gr,) = torch.autograd.grad(out, wrt, retain_graph=True, allow_unused=True)
        return torch.zeros_like(wrt) if gr is None else gr

    delta = {t: grad(F(t), s[t]) for t in range(0, N + 1)}
    dLt_ds = {t: grad(Ls[t], s[t]) for t in range(1, N + 1)}
    dLt_dz2 = {t: grad(Ls[t], z2[t]) for t in range(1, N + 1)}
    dF_prev_ds = {t: grad(F(t - 1), s[t]) for t in range(1, N + 1)}

    # Jacobians in denominator layout: (i, j) = d out_j / d in_i  (torch gives (j, i))
    def jac_den(fn, inp):
        return torch.autograd.functional.jacobian(fn, inp.detach()).T

    res = {}

    # delta_rec: four rows of one chain
    ok = True
    for t in range(1, N + 1):
        ds_dsprev = jac_den(lambda sp: torch.tanh(cell(sp, xs[t])), s[t - 1])
        row1 = grad(F(t - 1), s[t - 1])                       # d/ds_{t-1} sum_{u>=t} L_u
        row2 = ds_dsprev @ dF_prev_ds[t]                      # ds_t/ds_{t-1} d/ds_t sum_{u>=t} L_u
        row3 = ds_dsprev @ (dLt_ds[t] + delta[t])             # bracket split (same object)
        row4 = ds_dsprev @ (dLt_ds[t] + delta[t])
        ok &= _close(delta[t - 1], row1) and _close(row1, row2) and _close(row2, row3) and _close(row3, row4)
    res["delta_rec"] = ok
    res["delta_rec_vanishing"] = ok and all(
        _close(delta[t - 1], jac_den(lambda sp: torch.tanh(cell(sp, xs[t])), s[t - 1]) @ (dLt_ds[t] + delta[t]))
        for t in range(1, N + 1))

    # dLelt_ds: dL_t/ds_t = dz_t^2/ds_t  dL_t/dz_t^2
    res["dLelt_ds"] = all(
        _close(dLt_ds[t], jac_den(lambda ss: Wo.detach() @ ss + Wo0.detach(), s[t]) @ dLt_dz2[t])
        for t in range(1, N + 1))

    # ds_dsprev: ds_t/ds_{t-1} = dz^1_t/ds_{t-1} ds_t/dz^1_t = W^ss^T ds_t/dz^1_t
    ok = True
    for t in range(1, N + 1):
        lhs = jac_den(lambda sp: torch.tanh(cell(sp, xs[t])), s[t - 1])
        dz_ds = jac_den(lambda sp: cell(sp, xs[t]), s[t - 1])
        ds_dz = jac_den(torch.tanh, z1[t])
        ok &= _close(lhs, dz_ds @ ds_dz) and _close(dz_ds @ ds_dz, Wss.detach().T @ ds_dz)
    res["ds_dsprev"] = ok

    # delta_rec_closed: delta^{s_{t-1}} = W^ss^T ds_t/dz^1_t (W^o^T dL_t/dz^2_t + delta^{s_t}),
    # with the under-brace labels ds_t/ds_{t-1} and dF_{t-1}/ds_t checked too
    ok = True
    for t in range(1, N + 1):
        ds_dz = jac_den(torch.tanh, z1[t])
        brace1 = Wss.detach().T @ ds_dz
        brace2 = Wo.detach().T @ dLt_dz2[t] + delta[t]
        ok &= _close(delta[t - 1], brace1 @ brace2)
        ok &= _close(brace1, jac_den(lambda sp: torch.tanh(cell(sp, xs[t])), s[t - 1]))
        ok &= _close(brace2, dF_prev_ds[t])
    res["delta_rec_closed"] = ok

    # dL_dWss_dWsx: dLseq/dW = sum_t dL_t/dW = sum_t dz^1_t/dW ds_t/dz^1_t dF_{t-1}/ds_t
    ok = True
    for Wname in ("ss", "sx"):
        Wp = Wss if Wname == "ss" else Wsx
        total = grad(Lseq, Wp)
        mid = sum(grad(Ls[t], Wp) for t in range(1, N + 1))
        right = torch.zeros_like(Wp)
        for t in range(1, N + 1):
            if Wname == "ss":
                J = torch.autograd.functional.jacobian(
                    lambda W_: cell(s[t - 1].detach(), xs[t], Wss_=W_), Wss.detach())
            else:
                J = torch.autograd.functional.jacobian(
                    lambda W_: cell(s[t - 1].detach(), xs[t], Wsx_=W_), Wsx.detach())
            ds_dz = jac_den(torch.tanh, z1[t])
            vec = ds_dz @ dF_prev_ds[t]                     # m-vector, index of z^1
            right = right + torch.einsum("i,ijk->jk", vec, J)  # contract dz^1/dW with it
        ok &= _close(total, mid) and _close(mid, right)
    res["dL_dWss_dWsx"] = ok

    # dL_dWo_chain: dLseq/dW^o = sum_t dL_t/dW^o = sum_t dL_t/dz^2_t dz^2_t/dW^o
    total = grad(Lseq, Wo)
    mid = sum(grad(Ls[t], Wo) for t in range(1, N + 1))
    right = torch.zeros_like(Wo)
    for t in range(1, N + 1):
        J = torch.autograd.functional.jacobian(lambda W_: W_ @ s[t].detach() + Wo0.detach(), Wo.detach())
        right = right + torch.einsum("i,ijk->jk", dLt_dz2[t], J)
    res["dL_dWo_chain"] = _close(total, mid) and _close(mid, right)

    # dL_dWo: dLseq/dW^o = sum_t (g_t - y_t) s_t^T
    right = sum(torch.outer(gg[t].detach() - ys[t], s[t].detach()) for t in range(1, N + 1))
    res["dL_dWo"] = _close(total, right)
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in a}


if __name__ == "__main__":
    print(truths())
