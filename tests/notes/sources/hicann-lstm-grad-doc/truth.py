"""Truth of the checked displays of the SingleLayerLstmGrad README (hicann/ops-nn), without symbptt.

The README's forward pass (its table):
    z_t = [h_{t-1}; x_t],  f_t = sigma(W_f z_t + b_f),  i_t = sigma(W_i z_t + b_i),
    g_t = tanh(W_g z_t + b_c),  o_t = sigma(W_o z_t + b_o),
    c_t = f_t o c_{t-1} + i_t o g_t,  h_t = o_t o tanh(c_t)
with L = sum_t L_t, L_t a loss of h_t (truth.py: L_t = 1/2 ||h_t - y_t||^2).  The
algorithm runs t = T-1, ..., 0 (steps numbered from 0, init state before step 0);
the formula section writes sums and products over 1..T: those are read as "over
the T steps".

Meanings, from the README: delta h_t = dL/dh_t and delta c_t = dL/dc_t (totals);
the gate deltas are pre-activation gradients (delta f_t = dL/da_f^t, and so for
o, g, i); z_t's delta is the gradient through step t's gates.  The loop variables
are defined by the README's own assignments: after iteration t+1,
delta h_next <- delta h_prev = (delta z_{t+1})[first H entries], delta c_next <-
delta c_prev = delta c_{t+1} o f_{t+1}, f_next <- f_{t+1}; before the first
iteration they are 0 (the initialisation delta h_T = delta c_T = f_T = 0).
"X += Y" is read as: X is the sum of Y over the steps.  Partial derivatives of one
state by another in the derivation (dh_t/dc_t, dc_{t+1}/dc_t) are the immediate
ones, written as the vector of the diagonal; dc_T/dc_1 in the last display is the
Jacobian of the unrolled network (every path), as the README gives no restriction.
"""
import torch

torch.set_default_dtype(torch.float64)
X, H, T = 2, 3, 4


def _close(a, b):
    return torch.allclose(a, b, rtol=1e-9, atol=1e-11)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    W = {k: r(H, H + X).requires_grad_(True) for k in "figo"}
    b = {k: r(H).requires_grad_(True) for k in "figo"}
    xs = [r(X) for _ in range(T)]
    ys = [r(H) for _ in range(T)]
    h_init, c_init = r(H).requires_grad_(True), r(H).requires_grad_(True)

    def step(t, h_prev, c_prev, Wd=None):
        Wd = W if Wd is None else Wd
        z = torch.cat([h_prev, xs[t]])
        a = {k: Wd[k] @ z + b[k] for k in "figo"}
        f, i, o = torch.sigmoid(a["f"]), torch.sigmoid(a["i"]), torch.sigmoid(a["o"])
        gg = torch.tanh(a["g"])
        c = f * c_prev + i * gg
        h = o * torch.tanh(c)
        return z, a, f, i, gg, o, c, h

    hs, cs, zs, A, F, I, G, O = {}, {}, {}, {}, {}, {}, {}, {}
    hp, cp = h_init, c_init
    for t in range(T):
        z, a, f, i, gg, o, c, h = step(t, hp, cp)
        for k in a:
            a[k].retain_grad()
        z.retain_grad(); c.retain_grad(); h.retain_grad()
        zs[t], A[t], F[t], I[t], G[t], O[t], cs[t], hs[t] = z, a, f, i, gg, o, c, h
        hp, cp = h, c
    Ls = [0.5 * ((hs[t] - ys[t]) ** 2).sum() for t in range(T)]
    L = sum(Ls)
    L.backward(retain_graph=True)

    dh = {t: hs[t].grad.clone() for t in range(T)}
    dc = {t: cs[t].grad.clone() for t in range(T)}
    da = {t: {k: A[t][k].grad.clone() for k in "figo"} for t in range(T)}
    dz = {t: zs[t].grad.clone() for t in range(T)}
    dL_dh_direct = {t: (hs[t] - ys[t]).detach() for t in range(T)}   # dL_t/dh_t
    d = lambda v: v.detach()
    res = {}

    # loop variables, by the README's assignments
    dh_next = {t: (d(dz[t + 1])[:H] if t + 1 < T else torch.zeros(H)) for t in range(T)}
    dc_next = {t: (dc[t + 1] * d(F[t + 1]) if t + 1 < T else torch.zeros(H)) for t in range(T)}
    f_next = {t: (d(F[t + 1]) if t + 1 < T else torch.zeros(H)) for t in range(T)}

    res["dh_step1"] = all(_close(dh[t], dL_dh_direct[t] + dh_next[t]) for t in range(T))
    res["dc_step2"] = all(_close(dc[t], dh[t] * d(O[t]) * (1 - torch.tanh(d(cs[t])) ** 2)
                                 + dc_next[t] * f_next[t]) for t in range(T))
    res["do_step3"] = all(_close(da[t]["o"], dh[t] * torch.tanh(d(cs[t])) * d(O[t]) * (1 - d(O[t])))
                          for t in range(T))
    res["dg_step3"] = all(_close(da[t]["g"], dc[t] * d(I[t]) * (1 - d(G[t]) ** 2)) for t in range(T))
    res["di_step3"] = all(_close(da[t]["i"], dc[t] * d(G[t]) * d(I[t]) * (1 - d(I[t]))) for t in range(T))
    c_prev = {t: (d(cs[t - 1]) if t > 0 else d(c_init)) for t in range(T)}
    res["df_step3"] = all(_close(da[t]["f"], dc[t] * c_prev[t] * d(F[t]) * (1 - d(F[t]))) for t in range(T))
    res["dWf_accumulate"] = _close(W["f"].grad, sum(torch.outer(da[t]["f"], d(zs[t])) for t in range(T)))
    res["dbf_accumulate"] = _close(b["f"].grad, sum(da[t]["f"] for t in range(T)))
    res["dz_step5"] = all(_close(dz[t], sum(d(W[k]).T @ da[t][k] for k in "figo")) for t in range(T))
    # delta h_prev = delta z_t[1 : dim(h_{t-1})] (1-based, inclusive): the h_{t-1} part of z_t,
    # which is dL/dh_{t-1} minus its own step's direct term
    res["dh_prev_step5"] = all(_close(d(dz[t])[:H], dh[t - 1] - dL_dh_direct[t - 1]) for t in range(1, T))
    # delta c_prev = delta c_t o f_t: the part of dL/dc_{t-1} through c_t
    res["dc_prev_step5"] = all(
        _close(dc[t] * d(F[t]), dc[t - 1] - dh[t - 1] * d(O[t - 1]) * (1 - torch.tanh(d(cs[t - 1])) ** 2))
        for t in range(1, T))
    # derivation: delta c_t = dL/dh_t dh_t/dc_t + dL/dc_{t+1} dc_{t+1}/dc_t (immediate partials)
    res["dh_dc"] = all(_close(torch.autograd.functional.jacobian(
        lambda c: d(O[t]) * torch.tanh(c), d(cs[t])).diagonal(), d(O[t]) * (1 - torch.tanh(d(cs[t])) ** 2))
        for t in range(T))
    res["dc_dc"] = all(_close(torch.autograd.functional.jacobian(
        lambda c: d(F[t + 1]) * c + d(I[t + 1]) * d(G[t + 1]), d(cs[t])).diagonal(), d(F[t + 1]))
        for t in range(T - 1))
    res["dc_derivation"] = all(_close(
        dc[t], dh[t] * d(O[t]) * (1 - torch.tanh(d(cs[t])) ** 2) + (dc[t + 1] * d(F[t + 1]) if t + 1 < T else 0))
        for t in range(T))
    res["df_derivation"] = res["df_step3"]
    res["dWf_sum"] = res["dWf_accumulate"]

    # dc_T/dc_1 = prod_{k=2}^T f_k (diagonal): steps 1..T are the README's t = 0..T-1 here;
    # compare the unrolled network's Jacobian of the last cell state by the first
    def last_c_of_first_c(c1):
        h, c = hs[0].detach(), c1
        # rebuild steps 2..T from (h_1, c_1) with h_1 depending on c_1 as in the network
        h = d(O[0]) * torch.tanh(c1)
        for t in range(1, T):
            _, _, _, _, _, _, c, h = step(t, h, c, Wd={k: d(W[k]) for k in "figo"})
        return c
    Jtot = torch.autograd.functional.jacobian(last_c_of_first_c, d(cs[0]))
    prod = torch.ones(H)
    for t in range(1, T):
        prod = prod * d(F[t])
    res["dcT_dc1"] = _close(Jtot, torch.diag(prod))
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in a}


if __name__ == "__main__":
    print(truths())
