"""Truth of the checked displays of ProFatXuanAll's note on "Long Short-Term Memory" (Hochreiter &
Schmidhuber 1997), section "傳統的 RNN" (the conventional RNN and its gradients), without symbptt.

The note's own model ((1)-(3); the text says f_i = sigma for all the analysis):
    net(t + 1) = w . (y(t); x(t)),   w in R^{d_out x (d_out + d_in)}: w_{i,j} (j <= d_out) weighs y_j(t),
                                      w_{i, d_out + j} weighs x_j(t)
    y(t + 1) = sigma(net(t + 1)),     y(0) = 0, inputs x(0) .. x(T - 1), outputs y(1) .. y(T)
    loss_i(t + 1) = 1/2 (y_i(t + 1) - hat y_i(t + 1))^2,   Loss(t + 1) = sum_i loss_i(t + 1)
No biases.  d_out = 3, d_in = 2, T = 5, random w, x, hat y; two seeds.

Readings: d Loss(t + 1) / d X is the derivative of the loss of one step, Loss(t + 1), by X with every
path of the unrolled network counted (for X = w this includes the paths through y(t), y(t - 1), ...).
vartheta_k^{t_f}[t_p] = d Loss(t_f) / d net_k(t_p) as (10) defines it.  d net_k(t + 1) / d w_{i,j}
and d (y(t); x(t))_{j*} / d w_{i,j} in (8) are total derivatives too.  In (11)-(14), d net_{k1}(t-1) /
d y_{k2}(t-2) = w_{k1,k2} and d y/d net = sigma' (local derivatives, as the note computes them).  In (13)
and (14), vartheta_{k_n}^t[t - n] is seen, as the note says, as a function of the vector vartheta^t[t]
(vartheta^t[t - n] = J^T vartheta^t[t] with J = d net(t) / d net(t - n)), so the derivative is J[k0*, k_n];
J is computed by autograd from the forward pass.  Every statement is checked at every t (and n) for
which its indices exist (net(s) exists for s >= 1).
"""
import itertools
import torch

torch.set_default_dtype(torch.float64)
DOUT, DIN, T = 3, 2, 5
IDS = ("dLoss_dy", "dLoss_dnet", "dLoss_dyprev", "dLoss_dnetprev", "dLoss_dw", "theta_1_2_3", "theta_n",
       "dtheta_n1", "dtheta_n", "sigmoid")
sig = torch.sigmoid
dsig = lambda v: sig(v) * (1 - sig(v))
jac = torch.autograd.functional.jacobian


def close(a, b):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-12)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(DOUT, DOUT + DIN, generator=g)
    xs = [torch.randn(DIN, generator=g) for _ in range(T)]            # x(0) .. x(T-1)
    yhat = [None] + [torch.rand(DOUT, generator=g) for _ in range(T)]  # hat y(1) .. hat y(T)
    res = {k: True for k in IDS}

    def put(k, ok):
        res[k] = res[k] and bool(ok)

    def forward(W):
        y = [torch.zeros(DOUT)]
        net = [None]
        for t in range(T):
            net.append(W @ torch.cat([y[t], xs[t]]))
            y.append(sig(net[t + 1]))
        return net, y

    net, y = forward(w)
    net = [None] + [n.detach() for n in net[1:]]
    y = [v.detach() for v in y]
    z = [torch.cat([y[t], xs[t]]) for t in range(T)]                  # (y(t); x(t))
    wr = w[:, :DOUT]                                                   # recurrent block w_{i,j}, j <= d_out

    def Loss_from_net(s, n_s, tf):
        """Loss(tf) as a function of net(s) (s <= tf), inputs and w fixed."""
        ys = sig(n_s)
        for u in range(s, tf):
            n_s = w @ torch.cat([ys, xs[u]])
            ys = sig(n_s)
        return 0.5 * ((ys - yhat[tf]) ** 2).sum()

    def theta(tf, tp):            # vartheta^{tf}[tp] = d Loss(tf) / d net(tp), (10)
        return jac(lambda n: Loss_from_net(tp, n, tf), net[tp])

    def J(t, n):                  # d net(t) / d net(t - n)
        def f(m):
            ys = sig(m)
            for u in range(t - n, t):
                m = w @ torch.cat([ys, xs[u]])
                ys = sig(m)
            return m
        return jac(f, net[t - n])

    for t1 in range(1, T + 1):    # t1 = t + 1
        t = t1 - 1
        e = y[t1] - yhat[t1]
        # (4) d Loss(t+1)/d y_i(t+1) = d Loss/d loss_i . d loss_i/d y_i = 1 . (y - hat y) = y - hat y
        yy = y[t1].clone().requires_grad_(True)
        li = 0.5 * (yy - yhat[t1]) ** 2
        lv = li.detach().clone().requires_grad_(True)
        (dL_dli,) = torch.autograd.grad(lv.sum(), lv)
        (dli_dy,) = torch.autograd.grad(li.sum(), yy)          # diagonal: d loss_i / d y_i
        (dL_dy,) = torch.autograd.grad((0.5 * (yy - yhat[t1]) ** 2).sum(), yy)
        put("dLoss_dy", close(dL_dy, dL_dli * dli_dy) and close(dL_dy, 1 * e) and close(dL_dy, e))
        # (5) d Loss(t+1)/d net_i(t+1)
        dL_dnet = theta(t1, t1)
        put("dLoss_dnet", close(dL_dnet, dL_dy * dsig(net[t1])) and close(dL_dnet, dsig(net[t1]) * e))
        # (6) d Loss(t+1)/d y_j(t), j = 1..d_out
        yt = y[t].clone().requires_grad_(True)
        Lt = 0.5 * ((sig(w @ torch.cat([yt, xs[t]])) - yhat[t1]) ** 2).sum()
        (dL_dyprev,) = torch.autograd.grad(Lt, yt)
        r1 = torch.stack([sum(dL_dnet[i] * wr[i, j] for i in range(DOUT)) for j in range(DOUT)])
        r2 = torch.stack([sum(dsig(net[t1])[i] * e[i] * wr[i, j] for i in range(DOUT)) for j in range(DOUT)])
        put("dLoss_dyprev", close(dL_dyprev, r1) and close(dL_dyprev, r2))
        if t >= 1:
            # (7) d Loss(t+1)/d net_j(t)
            lhs = theta(t1, t)
            r1 = dL_dyprev * dsig(net[t])
            r2 = torch.stack([sum(dL_dnet[i] * wr[i, j] * dsig(net[t1])[j] for i in range(DOUT))
                              for j in range(DOUT)])
            r3 = torch.stack([dsig(net[t1])[j] * sum(wr[i, j] * dL_dnet[i] for i in range(DOUT))
                              for j in range(DOUT)])
            put("dLoss_dnetprev", close(lhs, r1) and close(lhs, r2) and close(lhs, r3))
            # (8) d Loss(t+1)/d w_{i,j}: total derivative
            W = w.clone().requires_grad_(True)
            nW, yW = forward(W)
            LW = 0.5 * ((yW[t1] - yhat[t1]) ** 2).sum()
            (G,) = torch.autograd.grad(LW, W)
            dnet1_dw = jac(lambda V: forward(V)[0][t1], w)        # [k, i, j]
            dz_dw = jac(lambda V: torch.cat([forward(V)[1][t], xs[t]]), w)   # [j*, i, j]
            dnett_dw = jac(lambda V: forward(V)[0][t], w)         # [j*, i, j]
            row1 = torch.einsum("k,kij->ij", dL_dnet, dnet1_dw)
            eye = torch.zeros(DOUT, DOUT + DIN, DOUT, DOUT + DIN)  # d w_{k,j*} / d w_{i,j}
            for k in range(DOUT):
                for js in range(DOUT + DIN):
                    eye[k, js, k, js] = 1.0
            row2 = torch.einsum("k,kaij->ij", dL_dnet,
                                torch.einsum("kaij,a->kaij", eye, z[t]) + torch.einsum("ka,aij->kaij", w, dz_dw))
            row3 = torch.zeros(DOUT, DOUT + DIN)
            for i in range(DOUT):
                for j in range(DOUT + DIN):
                    row3[i, j] = sum(dL_dnet[k] * (z[t][j] + sum(w[k, js] * dsig(net[t])[js] * dnett_dw[js, i, j]
                                                                 for js in range(DOUT)))
                                     for k in range(DOUT))
            put("dLoss_dw", close(G, row1) and close(G, row2) and close(G, row3))

    # (11) vartheta^t[t-1], [t-2], [t-3] and their expansions
    for t in range(1, T + 1):
        th0 = theta(t, t)
        put("theta_1_2_3", close(th0, theta(t, t)))
        if t - 1 >= 1:
            th1 = theta(t, t - 1)
            r = torch.stack([dsig(net[t - 1])[k1] * sum(w[k0, k1] * th0[k0] for k0 in range(DOUT))
                             for k1 in range(DOUT)])
            put("theta_1_2_3", close(th1, r))
        if t - 2 >= 1:
            th2 = theta(t, t - 2)
            m1 = torch.stack([sum(th1[k1] * w[k1, k2] * dsig(net[t - 2])[k2] for k1 in range(DOUT))
                              for k2 in range(DOUT)])   # d net_{k1}(t-1)/d y_{k2}(t-2) = w_{k1,k2}
            m3 = torch.stack([sum(dsig(net[t - 1])[k1] * sum(w[k0, k1] * th0[k0] for k0 in range(DOUT))
                                  * w[k1, k2] * dsig(net[t - 2])[k2] for k1 in range(DOUT)) for k2 in range(DOUT)])
            m4 = torch.stack([sum(w[k0, k1] * w[k1, k2] * dsig(net[t - 1])[k1] * dsig(net[t - 2])[k2] * th0[k0]
                                  for k1 in range(DOUT) for k0 in range(DOUT)) for k2 in range(DOUT)])
            put("theta_1_2_3", close(th2, m1) and close(th2, m3) and close(th2, m4))
        if t - 3 >= 1:
            th3 = theta(t, t - 3)
            m1 = torch.stack([sum(th2[k2] * w[k2, k3] * dsig(net[t - 3])[k3] for k2 in range(DOUT))
                              for k3 in range(DOUT)])
            m3 = torch.stack([sum(w[k0, k1] * w[k1, k2] * w[k2, k3] * dsig(net[t - 1])[k1] * dsig(net[t - 2])[k2]
                                  * dsig(net[t - 3])[k3] * th0[k0]
                                  for k2 in range(DOUT) for k1 in range(DOUT) for k0 in range(DOUT))
                              for k3 in range(DOUT)])
            put("theta_1_2_3", close(th3, m1) and close(th3, m3))

    def prodterm(ks, t):          # prod_{q=1}^{n} w_{k_{q-1},k_q} sigma'(net_{k_q}(t-q)), ks = (k_0..k_n)
        p = torch.tensor(1.0)
        for q in range(1, len(ks)):
            p = p * w[ks[q - 1], ks[q]] * dsig(net[t - q])[ks[q]]
        return p

    for t in range(2, T + 1):
        th0 = theta(t, t)
        for n in range(1, t):
            # (12)
            lhs = theta(t, t - n)
            rhs = torch.stack([sum(prodterm(pre + (kn,), t) * th0[pre[0]]
                                   for pre in itertools.product(range(DOUT), repeat=n))
                               for kn in range(DOUT)])
            put("theta_n", close(lhs, rhs))
            Jt = J(t, n)          # [k0, kn]
            if n == 1:            # (13)
                r = torch.stack([torch.stack([w[k0, k1] * dsig(net[t - 1])[k1] for k1 in range(DOUT)])
                                 for k0 in range(DOUT)])
                put("dtheta_n1", close(Jt, r))
            else:                 # (14): k_0 fixed to k0*
                r = torch.stack([torch.stack([sum(prodterm((k0s,) + mid + (kn,), t)
                                                  for mid in itertools.product(range(DOUT), repeat=n - 1))
                                              for kn in range(DOUT)]) for k0s in range(DOUT)])
                put("dtheta_n", close(Jt, r))

    # (17) sigmoid facts
    for xv in torch.randn(8, generator=g) * 3:
        xx = xv.clone().requires_grad_(True)
        s = 1 / (1 + torch.exp(-xx))
        (ds,) = torch.autograd.grad(s, xx)
        ex = torch.exp(-xv)
        members = [ex / (1 + ex) ** 2, 1 / (1 + ex) * ex / (1 + ex), 1 / (1 + ex) * (1 + ex - 1) / (1 + ex),
                   sig(xv) * (1 - sig(xv))]
        put("sigmoid", close(s.detach(), sig(xv)) and all(close(ds, m) for m in members))
    grid = torch.linspace(-30, 30, 600001)
    vals = sig(grid)
    put("sigmoid", bool((vals > 0).all() and (vals < 1).all()) and float(sig(torch.tensor(-30.0))) < 1e-12
        and 1 - float(sig(torch.tensor(30.0))) < 1e-12)
    ds_grid = dsig(grid)
    put("sigmoid", abs(float(ds_grid.max()) - 0.25) < 1e-12 and abs(float(grid[ds_grid.argmax()])) < 1e-9
        and close(sig(torch.tensor(0.0)) * (1 - sig(torch.tensor(0.0))), torch.tensor(0.5 * 0.5))
        and 0.5 * 0.5 == 0.25)
    return res


def truths():
    out = {k: True for k in IDS}
    for seed in (0, 1):
        r = _run(seed)
        for k in IDS:
            out[k] = out[k] and r[k]
    return out


if __name__ == "__main__":
    for k, v in truths().items():
        print(f"{k:16s} {'holds' if v else 'fails'}")
