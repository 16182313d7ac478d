"""Truth of the checked displays of Talwar, "Build an LSTM from scratch in Python (+ backprop derivations!)".

The source's own model (Eqs. 1.1-2.4, 3.0, 4.0, 5.0, 5.1): column vectors, separate U (input) and W (hidden)
matrices, every gate AND the input feature vector e use the sigmoid (Eq. 2.4 says sigma, kept as written),
  f = s(b_f + U_f x + W_f h_prev), g = ..., q = ..., e = s(b_e + U_e x + W_e h_prev)
  s_t = f o s_prev + g o e,  h_t = q o tanh(s_t),  theta = U h + b,  yhat = softmax(theta),
  J^(t) = -sum_i y_i log yhat_i,  J = sum_t J^(t).
(Eq. 4.0 has a typo, the denominator sums e^{theta_[i]} instead of e^{theta_[j]}; the author means the
softmax, and the loss is only used through J^(t), so the ordinary softmax is used here.)

Symbols, as the text defines them: delta_t^(k) = dJ^(t)/ds^(k), gamma_t^(k) = dJ^(t)/dh^(k) (both total
derivatives of the single-step loss J^(t)); W_f^(k) is the 'dummy' copy of W_f used by step k only; s_a^(k-1)
is the copy of s^(k-1) that flows only into s^(k) (edge 1), s_b^(k-1) the copy that flows only into h^(k-1).
Partial derivatives of one node by another in the same step ('local' Jacobians such as ds^(k)/df^(k),
df^(k)/dW_f^(k), dh^(k-1)/ds_b^(k-1)) are taken from that node's own equation with its other inputs held fixed.
Every display is evaluated for every loss step t, every step k it applies to, and every entry.
"""
import torch

D, d, V, T = 3, 2, 3, 4
TOL = 1e-9


def sig(z):
    return torch.sigmoid(z)


def dsig(z):
    return torch.sigmoid(z) * (1 - torch.sigmoid(z))


def dtanh(x):  # the source's tanh'(x) = 1 - tanh^2(x)
    return 1 - torch.tanh(x) ** 2


def run(seed):
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)
    P = {}
    for n in "fgqe":
        P["U" + n], P["W" + n], P["b" + n] = rnd(D, d), rnd(D, D), rnd(D)
    U, b = rnd(V, D), rnd(V)
    xs = [None] + [rnd(d) for _ in range(T)]
    ys = [None] + [torch.nn.functional.one_hot(torch.randint(0, V, (1,), generator=g), V)[0].double() for _ in range(T)]
    h0, s0 = rnd(D), rnd(D)
    Wf = P["Wf"].clone().requires_grad_(True)            # the 'root' W_f
    Wfk = [None] + [(Wf * 1.0) for _ in range(T)]          # dummy copies W_f^(k)
    for w in Wfk[1:]:
        w.retain_grad()
    h = {0: h0.clone().requires_grad_(True)}
    s = {0: s0.clone().requires_grad_(True)}
    sa, sb, f, gg, q, e, z = {}, {}, {}, {}, {}, {}, {}
    J = {}
    hh = {}  # h used downstream (built from s_b)
    for k in range(1, T + 1):
        # dummy split of s^(k-1): s_a feeds s^(k), s_b feeds h^(k-1) (only for k-1 >= 1)
        sa[k - 1] = s[k - 1] * 1.0
        sa[k - 1].retain_grad()
        hprev = h[k - 1]
        z[k] = {n: P["b" + n] + P["U" + n] @ xs[k] + (Wfk[k] if n == "f" else P["W" + n]) @ hprev for n in "fgqe"}
        f[k], gg[k], q[k], e[k] = (sig(z[k][n]) for n in "fgqe")
        for v in (f[k], gg[k], q[k], e[k]):
            v.retain_grad()
        s[k] = f[k] * sa[k - 1] + gg[k] * e[k]
        s[k].retain_grad()
        sb[k] = s[k] * 1.0
        sb[k].retain_grad()
        h[k] = q[k] * torch.tanh(sb[k])
        h[k].retain_grad()
        theta = U @ h[k] + b
        J[k] = -(ys[k] * torch.log_softmax(theta, 0)).sum()
    # gradients of each J^(t) separately
    G = {}
    for t in range(1, T + 1):
        nodes = {}
        keys = []
        for k in range(1, T + 1):
            keys += [("s", k), ("h", k), ("f", k), ("Wfk", k), ("sa", k - 1), ("sb", k)]
        keys += [("Wf", 0), ("h", 0), ("s", 0)]
        tens = []
        for (n, k) in keys:
            tens.append({"s": s, "h": h, "f": f, "sa": sa, "sb": sb}[n][k] if n not in ("Wfk", "Wf") else (Wfk[k] if n == "Wfk" else Wf))
        grads = torch.autograd.grad(J[t], tens, retain_graph=True, allow_unused=True)
        for key, gr, tn in zip(keys, grads, tens):
            nodes[key] = gr if gr is not None else torch.zeros_like(tn)
        G[t] = nodes
    return dict(P=P, xs=xs, h=h, s=s, sa=sa, sb=sb, f=f, g=gg, q=q, e=e, z=z, G=G, Wfk=Wfk)


def close(a, b):
    return torch.allclose(a, b, atol=TOL, rtol=1e-7)


def check(seed):
    R = run(seed)
    P, xs, h, s, f, gq, q, e, z, G = (R[k] for k in ("P", "xs", "h", "s", "f", "g", "q", "e", "z", "G"))
    hd = {k: v.detach() for k, v in h.items()}
    sd = {k: v.detach() for k, v in s.items()}
    res = {}
    def put(key, ok):
        res[key] = res.get(key, True) and bool(ok)
    for t in range(1, T + 1):
        Gt = G[t]
        delta = lambda k: Gt[("s", k)]           # dJ^(t)/ds^(k)  (total)
        gamma = lambda k: Gt[("h", k)]           # dJ^(t)/dh^(k)  (total)
        for k in range(1, t + 1):   # the source uses the recursions for k in [1, t] (J^(t) only)
            sp = sd[k - 1]
            zf = z[k]["f"].detach()
            # local Jacobians by autograd
            Jf_W = torch.autograd.functional.jacobian(
                lambda W: sig(P["bf"] + P["Uf"] @ xs[k] + W @ hd[k - 1]), P["Wf"])      # [p, i, j]
            Js_f = torch.autograd.functional.jacobian(
                lambda ff: ff * sp + gq[k].detach() * e[k].detach(), f[k].detach())      # [m, p]
            dJ_dWk = Gt[("Wfk", k)]
            dJ_df = Gt[("f", k)]
            # (6.0) dJ^t/dW_f[i,j] = sum_k dJ^t/dW_f^(k)[i,j] x 1 = sum_k dJ^t/dW_f^(k)[i,j]
            if k == 1:   # sum over all k = 1..T (Eq. 6.0)
                tot = sum(Gt[("Wfk", kk)] for kk in range(1, T + 1))
                put("eq6_0", close(Gt[("Wf", 0)], tot))
            # (6.1) dJ/dW^(k)_ij = sum_p dJ/df_p x df_p/dW_ij
            put("eq6_1", close(dJ_dWk, torch.einsum("p,pij->ij", dJ_df, Jf_W)))
            # (6.1.2) cases
            cases = torch.zeros(D, D, D, dtype=torch.float64)
            for i in range(D):
                cases[i, i, :] = dsig(zf[i]) * hd[k - 1]
            put("eq6_1_2", close(Jf_W, cases))
            # (6.1.1) dJ/df_p = sum_m dJ/ds_m ds_m/df_p = dJ/ds_p x s_p^(k-1)
            put("eq6_1_1", close(dJ_df, Js_f.T @ delta(k)) and close(dJ_df, delta(k) * sp))
            # component form of dJ/dW^(k)_ij
            comp = (delta(k) * dsig(zf) * sp)[:, None] * hd[k - 1][None, :]
            put("dWf_entry", close(dJ_dWk, comp))
            # (6.2) matrix form
            put("eq6_2", close(dJ_dWk, torch.outer(delta(k) * dsig(zf) * sp, hd[k - 1])))
            if k >= 2:
                km = k - 1
                dsa = Gt[("sa", km)]
                dsb = Gt[("sb", km)]
                Js_sa = torch.autograd.functional.jacobian(
                    lambda a: f[k].detach() * a + gq[k].detach() * e[k].detach(), sd[km])
                Jh_sb = torch.autograd.functional.jacobian(lambda b_: q[km].detach() * torch.tanh(b_), sd[km])
                # (7.0)
                put("eq7_0", close(delta(km), dsa + dsb))
                # (7.0.1)
                put("eq7_0_1", close(dsa, Js_sa.T @ delta(k)) and close(dsa, delta(k) * f[k].detach()))
                # (7.0.2)
                put("eq7_0_2", close(dsb, Jh_sb.T @ gamma(km)))
                # (7.0.2.1)
                put("eq7_0_2_1", close(Jh_sb, torch.diag(q[km].detach() * dtanh(sd[km]))))
                # dJ/ds_b = gamma q tanh'(s_b)
                put("dsb_entry", close(dsb, gamma(km) * q[km].detach() * dtanh(sd[km])))
                # component result and (7.1)
                rhs = gamma(km) * q[km].detach() * dtanh(sd[km]) + delta(k) * f[k].detach()
                put("ds_prev_entry", close(delta(km), rhs))
                put("eq7_1", close(delta(km), rhs))
            # (8.1) gamma_t^(k-1)
            rhs81 = (P["Wf"].T @ (delta(k) * sp * dsig(z[k]["f"].detach()))
                     + P["We"].T @ (delta(k) * gq[k].detach() * dsig(z[k]["e"].detach()))
                     + P["Wg"].T @ (delta(k) * e[k].detach() * dsig(z[k]["g"].detach()))
                     + P["Wq"].T @ (gamma(k) * torch.tanh(sd[k]) * dsig(z[k]["q"].detach())))
            put("eq8_1", close(gamma(k - 1), rhs81))
        # initial conditions at k = t
        Jh_s = torch.autograd.functional.jacobian(lambda s_: q[t].detach() * torch.tanh(s_), sd[t])
        c = q[t].detach() * dtanh(sd[t])
        put("delta_tt_entry", close(delta(t), Jh_s.T @ gamma(t)) and close(delta(t), gamma(t) * c))
        put("eq9_0", close(delta(t), gamma(t) * c))
    return res


def truths():
    a, b = check(0), check(1)
    return {k: a[k] and b[k] for k in a}


if __name__ == "__main__":
    print(truths())
