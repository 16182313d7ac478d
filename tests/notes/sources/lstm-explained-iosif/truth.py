"""Truth of the checked displays of "LSTM: From theory to practice" (Iosif, Macri, Berariu, 2016).

The source's own model (Section 2): one LSTM cell of D memory units with SCALAR gates
(one input, forget and output gate value for the whole cell), peephole inputs from the cell
state, and the bias folded into the weights by a trailing 1:

    a_i = w_i^T [x; z_h(t-1); s(t-1); 1],  g_i = f_i(a_i)
    a_c = W_c^T [x; z_h(t-1); 1],          z_c = f_c(a_c)
    a_f = w_f^T [x; z_h(t-1); s(t-1); 1],  g_f = f_f(a_f)
    s(t) = g_f s(t-1) + g_i z_c
    a_o = w_o^T [x; z_h(t-1); s(t); 1],    g_o = f_o(a_o)
    z_h(t) = f_h(g_o f_s(s(t)))

The source leaves the activations ("e.g. logistic") and the error E open; we take
f_i = f_f = f_o = logistic, f_c = f_h = f_s = tanh, and a generic smooth error of every output,
E = sum_t ( y_t . z_h(t) + 0.5 |z_h(t)|^2 ).  Every checked formula is claimed for any E.

Meaning of the names, from the source's own "not." definitions: delta_s(t) = dE/ds(t),
delta_zh(t) = dE/dz_h(t), delta_g*(t) = dE/dg_*(t) are total derivatives (every path of the
unrolled graph); delta_omega(t), delta_iota(t), delta_phi(t), Delta_c(t) are dE/dw(t) by the
copy of the weights used at step t (the source writes w_omega^(t)).  delta_s^{(t)->(t)} is
the part of dE/ds(t) that flows through z_h(t) (including the peephole into a_o(t)) and
delta_s^{(t+1)->(t)} the part that flows into step t+1 (the "inner loops"); we get them by
splitting s(t) into two identity copies.

The source's row/column bookkeeping is loose (it declares Jacobians to be rows but adds the
column g_phi delta_s^T to rows, and writes [x^T; ...; 1] for a row): we compare VALUES entry
by entry (a gradient compared with the transpose when the source's side is laid out the other
way), never the orientation.  The steps run t = 1..T; at t = T the (t+1) terms are 0.
"""
import torch

torch.set_default_dtype(torch.float64)
N, D, T = 2, 3, 4
sig = torch.sigmoid


def dsig(a):
    return sig(a) * (1 - sig(a))


def dtanh(a):
    return 1 - torch.tanh(a) ** 2


def close(a, b):
    a = torch.as_tensor(a).reshape(-1)
    b = torch.as_tensor(b).reshape(-1)
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-7, atol=1e-9)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g) * 0.8
    wi0, wf0, wo0 = r(N + 2 * D + 1), r(N + 2 * D + 1), r(N + 2 * D + 1)
    Wc0 = r(N + D + 1, D)
    xs = [r(N).requires_grad_() for _ in range(T + 1)]  # xs[1..T]
    ys = [r(D) for _ in range(T + 1)]
    zh0 = r(D).requires_grad_()
    s0 = r(D).requires_grad_()
    one = torch.ones(1)

    P = {}  # per-step quantities, index t
    zh_prev, s_prev_next = zh0, s0 * 1.0
    P[0] = dict(zh=zh0, s_next=s_prev_next, s=s0)
    E = 0.0
    for t in range(1, T + 1):
        wi, wf, wo = (w.clone().requires_grad_() for w in (wi0, wf0, wo0))
        Wc = Wc0.clone().requires_grad_()
        x = xs[t]
        v = torch.cat([x, zh_prev, s_prev_next, one])
        a_i = wi @ v
        gi = sig(a_i)
        a_c = Wc.T @ torch.cat([x, zh_prev, one])
        zc = torch.tanh(a_c)
        a_f = wf @ v
        gf = sig(a_f)
        s = gf * s_prev_next + gi * zc
        s_out = s * 1.0   # feeds z_h(t) and a_o(t): the (t)->(t) path
        s_next = s * 1.0  # feeds step t+1: the (t+1)->(t) path
        a_o = wo @ torch.cat([x, zh_prev, s_out, one])
        go = sig(a_o)
        u = go * torch.tanh(s_out)
        zh = torch.tanh(u)
        E = E + ys[t] @ zh + 0.5 * (zh @ zh)
        P[t] = dict(wi=wi, wf=wf, wo=wo, Wc=Wc, x=x, zprev=zh_prev, sprev=P[t - 1]['s_next'],
                    a_i=a_i, gi=gi, a_c=a_c, zc=zc, a_f=a_f, gf=gf, s=s, s_out=s_out,
                    s_next=s_next, a_o=a_o, go=go, u=u, zh=zh)
        zh_prev, s_prev_next = zh, s_next

    names = ['wi', 'wf', 'wo', 'Wc', 'x', 'gi', 'zc', 'gf', 's', 's_out', 's_next', 'go', 'zh']
    tensors = [P[t][n] for t in range(1, T + 1) for n in names] + [P[0]['s_next']]
    grads = torch.autograd.grad(E, tensors, allow_unused=True)
    grads = [torch.zeros_like(q) if gq is None else gq for q, gq in zip(tensors, grads)]
    G = {}
    k = 0
    for t in range(1, T + 1):
        G[t] = {}
        for n in names:
            G[t][n] = grads[k]
            k += 1
    G[0] = {'s_next': grads[k]}

    def num(t, n):
        return P[t][n].detach()

    def split(w):  # w_{.,x}, w_{.,z}, w_{.,s}
        return w[:N], w[N:N + D], w[N + D:N + 2 * D]

    res = {k: True for k in ['dS', 'dS_entry', 'dGo', 'dS_t', 'dZc_dWc', 'dGi', 'dGf',
                             'dS_prev', 'dX', 'dZZ']}
    wiS, wfS, woS = split(wi0)[2], split(wf0)[2], split(wo0)[2]
    for t in range(1, T + 1):
        x, zp, sp = num(t, 'x'), num(t, 'zprev'), num(t, 'sprev')
        s, a_o, go, u = num(t, 's'), num(t, 'a_o'), num(t, 'go'), num(t, 'u')
        a_i, a_f, a_c = num(t, 'a_i'), num(t, 'a_f'), num(t, 'a_c')
        gi, gf, zc = num(t, 'gi'), num(t, 'gf'), num(t, 'zc')
        d_zh, d_s = G[t]['zh'], G[t]['s']
        d_s_tt, d_s_next = G[t]['s_out'], G[t]['s_next']
        d_go, d_gi, d_gf, d_zc = G[t]['go'], G[t]['gi'], G[t]['gf'], G[t]['zc']

        def zh_of_s(s_):
            return torch.tanh(sig(wo0 @ torch.cat([x, zp, s_, one])) * torch.tanh(s_))

        def u_of_s(s_):
            return sig(wo0 @ torch.cat([x, zp, s_, one])) * torch.tanh(s_)

        J_s = torch.autograd.functional.jacobian(zh_of_s, s)       # dz_h/ds, D x D
        J_us = torch.autograd.functional.jacobian(u_of_s, s)       # d(g_o f_s(s))/ds
        blue1 = d_zh @ J_s
        blue2 = d_zh @ torch.diag(dtanh(u)) @ J_us
        blue3 = d_zh @ torch.diag(dtanh(u)) @ (go * torch.diag(dtanh(s))
                                                + dsig(a_o) * torch.outer(torch.tanh(s), woS))
        if t < T:
            a_f1, a_i1, gf1 = num(t + 1, 'a_f'), num(t + 1, 'a_i'), num(t + 1, 'gf')
            d_gf1, d_gi1, d_s1 = G[t + 1]['gf'], G[t + 1]['gi'], G[t + 1]['s']
            auburn = d_gf1 * dsig(a_f1) * wfS + d_gi1 * dsig(a_i1) * wiS + gf1 * d_s1
        else:
            auburn = torch.zeros(D)
        # (1) delta_s(t) = blue + auburn = ... = delta^{(t)->(t)} + delta^{(t+1)->(t)}
        res['dS'] &= (close(d_s, blue1 + auburn) and close(d_s, blue2 + auburn)
                      and close(d_s, blue3 + auburn) and close(d_s, d_s_tt + d_s_next))
        # (2) the entry form of delta_s^{(t)->(t)}
        ent = torch.zeros(D)
        for i in range(D):
            ent[i] = sum(d_zh[j] * dtanh(go * torch.tanh(s[j]))
                         * (go * (1.0 if i == j else 0.0) * dtanh(s[i])
                            + torch.tanh(s[j]) * dsig(a_o) * woS[i]) for j in range(D))
        res['dS_entry'] &= close(d_s_tt, d_zh @ J_s) and close(d_s_tt, ent)
        # (3) output gate and its weights (per-step copy w_omega^(t))
        J_go = dtanh(u) * torch.tanh(s)
        rhs_go = d_zh @ J_go
        rhs_wo = d_go * dsig(a_o) * torch.cat([x, zp, s, one])
        res['dGo'] &= close(d_go, rhs_go) and close(G[t]['wo'], rhs_wo)
        # (4) delta_s^{(t)->(t)} three ways, and delta_s = sum of the two parts
        r1 = d_zh @ J_s
        r2 = d_zh @ torch.diag(dtanh(u)) @ (go * torch.diag(dtanh(s))
                                             + dsig(a_o) * torch.outer(torch.tanh(s), woS))
        r3 = (d_zh * dtanh(u)) @ (go * torch.diag(dtanh(s))
                                  + dsig(a_o) * torch.outer(torch.tanh(s), woS))
        res['dS_t'] &= (close(d_s_tt, r1) and close(d_s_tt, r2) and close(d_s_tt, r3)
                        and close(d_s, d_s_tt + d_s_next))
        # (5) input value and W_c: the second row uses [x; s(t-1); 1], the forward pass [x; z_h(t-1); 1]
        ok_zc = close(d_zc, d_s * gi) and close(d_zc, gi * d_s)
        rhs_Wc = torch.outer(d_zc * dtanh(a_c), torch.cat([x, sp, one]))  # D x (N+D+1)
        ok_Wc = close(G[t]['Wc'].T, rhs_Wc)
        res['dZc_dWc'] &= ok_zc and ok_Wc
        # (6) input gate and its weights
        v = torch.cat([x, zp, sp, one])
        res['dGi'] &= close(d_gi, d_s @ zc) and close(G[t]['wi'], d_gi * dsig(a_i) * v)
        # (7) forget gate and its weights
        res['dGf'] &= close(d_gf, d_s @ sp) and close(G[t]['wf'], d_gf * dsig(a_f) * v)
        # (8) delta_s^{(t)->(t-1)}: the part of dE/ds(t-1) that flows into step t
        d_sprev_part = G[t - 1]['s_next']
        rhs = d_gf * dsig(a_f) * wfS + d_gi * dsig(a_i) * wiS + gf * d_s
        res['dS_prev'] &= close(d_sprev_part, rhs)
        # (9) delta_x: first line dE/dz_h(t) dz_h(t)/dx(t) (only the path through z_h(t)),
        #     last line uses the TOTAL delta_g*(t), delta_zc(t) (also the paths through s(t+1)...)

        def zh_of_x(x_):
            vv = torch.cat([x_, zp, sp, one])
            s_ = sig(wf0 @ vv) * sp + sig(wi0 @ vv) * torch.tanh(Wc0.T @ torch.cat([x_, zp, one]))
            return torch.tanh(sig(wo0 @ torch.cat([x_, zp, s_, one])) * torch.tanh(s_))

        L1 = d_zh @ torch.autograd.functional.jacobian(zh_of_x, x)
        # second line, term by term (g_o taken as its own variable, its x-derivative total)
        def gates_of_x(x_):
            vv = torch.cat([x_, zp, sp, one])
            gi_, gf_ = sig(wi0 @ vv), sig(wf0 @ vv)
            zc_ = torch.tanh(Wc0.T @ torch.cat([x_, zp, one]))
            s_ = gf_ * sp + gi_ * zc_
            go_ = sig(wo0 @ torch.cat([x_, zp, s_, one]))
            return gi_, gf_, zc_, go_

        def zh_of_gates(gi_, gf_, zc_, go_):
            return torch.tanh(go_ * torch.tanh(gf_ * sp + gi_ * zc_))

        Jg = torch.autograd.functional.jacobian(zh_of_gates, (gi, gf, zc, go))
        Jx = torch.autograd.functional.jacobian(gates_of_x, x)
        L2 = d_zh @ sum(Jg[m].reshape(D, -1) @ Jx[m].reshape(-1, N) for m in range(4))
        wiX, wfX, woX = split(wi0)[0], split(wf0)[0], split(wo0)[0]
        L3 = (d_gi * dsig(a_i) * wiX + d_gf * dsig(a_f) * wfX + d_go * dsig(a_o) * woX
              + (d_zc * dtanh(a_c)) @ Wc0[:N].T)
        res['dX'] &= close(L1, L2) and close(L1, L3)
        # (10) delta_zz^{(t)->(t-1)}: the same, for z_h(t-1)

        def zh_of_z(z_):
            vv = torch.cat([x, z_, sp, one])
            s_ = sig(wf0 @ vv) * sp + sig(wi0 @ vv) * torch.tanh(Wc0.T @ torch.cat([x, z_, one]))
            return torch.tanh(sig(wo0 @ torch.cat([x, z_, s_, one])) * torch.tanh(s_))

        M1 = d_zh @ torch.autograd.functional.jacobian(zh_of_z, zp)
        wiZ, wfZ, woZ = split(wi0)[1], split(wf0)[1], split(wo0)[1]
        M3 = (d_gi * dsig(a_i) * wiZ + d_gf * dsig(a_f) * wfZ + d_go * dsig(a_o) * woZ
              + (d_zc * dtanh(a_c)) @ Wc0[N:N + D].T)
        res['dZZ'] &= close(M1, M3)
    return res


def truths():
    a, b = run(1), run(2)
    return {k: a[k] and b[k] for k in a}


if __name__ == "__main__":
    print(truths())
