r"""Truth of the checked displays of Nicolas D. Jimenez, "Simple LSTM" (nicodjimenez.github.io,
_posts/2015-08-07-lstm.markdown), the blog post that explains the backward pass of his
nicodjimenez/lstm code.

The post's forward pass (Lipton et al.'s notation), column vectors, M memory cells:
    g(t) = phi(W_gx x(t) + W_gh h(t-1) + b_g),  phi = tanh
    i(t) = sigma(W_ix x(t) + W_ih h(t-1) + b_i),  f(t), o(t) likewise
    s(t) = g(t) * i(t) + s(t-1) * f(t),   h(t) = s(t) * o(t)      (* elementwise; no tanh on s)
and its loss: l(t) = ||h(t) - y(t)||^2 (the post's example of f(h(t), y(t))), L = sum_t l(t),
L(t) = sum_{s=t}^T l(s).  M = 3 cells, input 2, T = 4, float64, random h(0), s(0), y(t), two seeds;
every step, cell and parameter entry is compared.

Readings (source.toml says why):
  * dL/dh_i(t), dl(s)/dh_i(t), dL(t)/dh_i(t), dL(t)/ds_i(t) are total derivatives by the node
    (everything computed after it follows the change).
  * dh_i(t)/dw for a scalar parameter w is tried in both readings: (a) the total derivative of
    h_i(t) by w, (b) the derivative by step t's own use of w (h(t-1), s(t-1) held fixed); the
    displays hold in neither.
  * dh_i(t+1)/ds_i(t) holds h(t) fixed (s(t) reaches h(t+1) through s(t+1) only), and
    dL(t+1)/ds_i(t) = [top_diff_s]_i likewise holds h(t) fixed (the post's bullet list: top_diff_s
    = dL(t+1)/ds(t); its code: bottom_diff_s = ds * f).  top_diff_h = dL(t)/dh(t).
"""
import torch

torch.set_default_dtype(torch.float64)
M, D, T = 3, 2, 4
NAMES = ['Wgx', 'Wgh', 'bg', 'Wix', 'Wih', 'bi', 'Wfx', 'Wfh', 'bf', 'Wox', 'Woh', 'bo']


def close(a, b):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def step(P, x, hp, sp):
    g = torch.tanh(P['Wgx'] @ x + P['Wgh'] @ hp + P['bg'])
    i = torch.sigmoid(P['Wix'] @ x + P['Wih'] @ hp + P['bi'])
    f = torch.sigmoid(P['Wfx'] @ x + P['Wfh'] @ hp + P['bf'])
    o = torch.sigmoid(P['Wox'] @ x + P['Woh'] @ hp + P['bo'])
    s = g * i + sp * f
    return s * o, s, (g, i, f, o)


def run(seed):
    gen = torch.Generator().manual_seed(seed)
    r = lambda *sh: torch.randn(*sh, generator=gen)
    P = {}
    for n in NAMES:
        P[n] = r(M) if n.startswith('b') else r(M, D if n.endswith('x') else M)
    xs = {t: r(D) for t in range(1, T + 1)}
    ys = {t: r(M) for t in range(1, T + 1)}
    h0, s0 = r(M), r(M)

    def forward(params, t0=0, h_start=None, s_start=None):
        h, s, gates = {t0: h_start if h_start is not None else h0}, \
            {t0: s_start if s_start is not None else s0}, {}
        for t in range(t0 + 1, T + 1):
            h[t], s[t], gates[t] = step(params, xs[t], h[t - 1], s[t - 1])
        return h, s, gates

    def losses(h):
        return {t: ((h[t] - ys[t]) ** 2).sum() for t in h if t >= 1}

    Pl = {n: v.clone().requires_grad_() for n, v in P.items()}
    h, s, gates = forward(Pl)
    for t in range(1, T + 1):
        h[t].retain_grad()
        s[t].retain_grad()
    l = losses(h)
    L = sum(l.values())
    Lt = {t: sum(l[u] for u in range(t, T + 1)) for t in range(1, T + 1)}

    def grad(y, x):
        gr = torch.autograd.grad(y, x, retain_graph=True, allow_unused=True)[0]
        return torch.zeros_like(x) if gr is None else gr

    dL_dh = {t: grad(L, h[t]) for t in range(1, T + 1)}
    res = {}

    # dL/dw = sum_t sum_i dL/dh_i(t) dh_i(t)/dw  (and the same with dL(t)/dh_i(t))
    dLt_dh = {t: grad(Lt[t], h[t]) for t in range(1, T + 1)}
    dL_ds = {t: grad(L, s[t]) for t in range(1, T + 1)}
    true_grad = {n: grad(L, Pl[n]) for n in NAMES}
    ok = {('L', 'total'): True, ('L', 'imm'): True, ('Lt', 'total'): True, ('Lt', 'imm'): True}
    for n in NAMES:
        flat = P[n].reshape(-1)
        for k in range(flat.numel()):
            def with_w(w):
                Q = dict(P)
                Q[n] = torch.cat([flat[:k], w.reshape(1), flat[k + 1:]]).reshape(P[n].shape)
                return Q
            wk = flat[k].clone()
            acc = {key: 0.0 for key in ok}
            harness = 0.0
            for t in range(1, T + 1):
                d_tot = torch.autograd.functional.jacobian(lambda w: forward(with_w(w))[0][t], wk)
                d_imm = torch.autograd.functional.jacobian(
                    lambda w: step(with_w(w), xs[t], h[t - 1].detach(), s[t - 1].detach())[0], wk)
                for key in ok:
                    weight = dL_dh[t] if key[0] == 'L' else dLt_dh[t]
                    acc[key] = acc[key] + (weight * (d_tot if key[1] == 'total' else d_imm)).sum()
                # harness: the right formula, through s(t) and o(t) separately
                ds_imm = torch.autograd.functional.jacobian(
                    lambda w: step(with_w(w), xs[t], h[t - 1].detach(), s[t - 1].detach())[1], wk)
                do_imm = torch.autograd.functional.jacobian(
                    lambda w: step(with_w(w), xs[t], h[t - 1].detach(), s[t - 1].detach())[2][3], wk)
                harness = harness + (dL_ds[t] * ds_imm).sum() + (dL_dh[t] * s[t].detach() * do_imm).sum()
            tg = true_grad[n].reshape(-1)[k]
            assert close(tg, harness)
            for key in ok:
                ok[key] &= close(tg, acc[key])
    res['dL_dw_sum'] = ok[('L', 'total')] or ok[('L', 'imm')]
    res['dL_dw_sum_Lt'] = ok[('Lt', 'total')] or ok[('Lt', 'imm')]
    res['dL_dw_sum_Lt_again'] = res['dL_dw_sum_Lt']     # the same display, repeated in "Code"

    # dL/dh_i(t) = sum_{s=1}^T dl(s)/dh_i(t) = sum_{s=t}^T dl(s)/dh_i(t)
    ok = True
    for t in range(1, T + 1):
        all_s = sum(grad(l[u], h[t]) for u in range(1, T + 1))
        from_t = sum(grad(l[u], h[t]) for u in range(t, T + 1))
        ok &= close(dL_dh[t], all_s) and close(all_s, from_t)
    res['dL_dh_sum'] = ok

    # dL/dh_i(t) = sum_{s=t}^T dl(s)/dh_i(t) = dL(t)/dh_i(t)
    ok = True
    for t in range(1, T + 1):
        from_t = sum(grad(l[u], h[t]) for u in range(t, T + 1))
        ok &= close(dL_dh[t], from_t) and close(from_t, grad(Lt[t], h[t]))
    res['dL_dh_Lt'] = ok

    # dL(t)/dh(t) = dl(t)/dh(t) + dL(t+1)/dh(t),  t < T
    res['dLt_dh_recur'] = all(close(grad(Lt[t], h[t]), grad(l[t], h[t]) + grad(Lt[t + 1], h[t]))
                              for t in range(1, T))
    # dL(T)/dh(T) = dl(T)/dh(T)
    res['dLT_dhT'] = close(grad(Lt[T], h[T]), grad(l[T], h[T]))

    # the "Details" eqnarray
    ok_rows = [True] * 4
    for t in range(1, T + 1):
        lhs = grad(Lt[t], s[t])
        o_t = gates[t][3].detach()
        a = grad(Lt[t], h[t]) * o_t                     # dL(t)/dh_i(t) dh_i(t)/ds_i(t)
        if t < T:
            f1, o1 = gates[t + 1][2].detach(), gates[t + 1][3].detach()
            dh1_ds = o1 * f1                            # dh_i(t+1)/ds_i(t), h(t) fixed
            row1 = a + grad(Lt[t], h[t + 1]) * dh1_ds
            row2 = a + grad(Lt[t + 1], h[t + 1]) * dh1_ds
            # dL(t+1)/ds_i(t) with h(t) held fixed
            def L_from(s_t):
                hh, _, _ = forward(P, t0=t, h_start=h[t].detach(), s_start=s_t)
                return sum(((hh[u] - ys[u]) ** 2).sum() for u in range(t + 1, T + 1))
            top_diff_s = torch.autograd.functional.jacobian(L_from, s[t].detach())
            row3 = a + top_diff_s
        else:
            row1 = row2 = row3 = a
        row4 = row3
        for k, rr in enumerate([row1, row2, row3, row4]):
            ok_rows[k] &= close(lhs, rr)
    res['dLt_ds_details'] = all(ok_rows)
    assert not ok_rows[0] and ok_rows[2], ok_rows   # rows 1-2 wrong, rows 3-4 right

    # dL(t)/dh_i(t) dh_i(t)/ds_i(t) = o_i(t) * [top_diff_h]_i, top_diff_h = dL(t)/dh(t)
    ok = True
    for t in range(1, T + 1):
        dh_ds = torch.diagonal(torch.autograd.functional.jacobian(
            lambda ss: ss * gates[t][3].detach(), s[t].detach()))
        ok &= close(grad(Lt[t], h[t]) * dh_ds, gates[t][3].detach() * grad(Lt[t], h[t]))
    res['top_diff_h'] = ok
    return res


IDS = ['dL_dw_sum', 'dL_dh_sum', 'dL_dh_Lt', 'dL_dw_sum_Lt', 'dLt_dh_recur', 'dLT_dhT',
       'dL_dw_sum_Lt_again', 'dLt_ds_details', 'top_diff_h']


def truths():
    r1, r2 = run(1), run(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
