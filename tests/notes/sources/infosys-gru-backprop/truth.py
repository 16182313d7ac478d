r"""Truth of the checked displays of "Backpropagation GRU" (HU Berlin Information Systems seminar
project, thsis/INFOSYS, blog/GRU-backprop.ipynb), without symbptt.

The notebook's own model (its macro block and forward displays; two hidden units, a scalar input
x_t per step, no biases; its code: h_0 = 0, x = (x_1, x_2, x_3), one label y):
    z_t = sigma(W_z x_t + U_z h_{t-1}),   r_t = sigma(W_r x_t + U_r h_{t-1})
    tilde h_t = g(W_h x_t + U_h (r_t * h_{t-1})),   g = tanh
    h_t = (1 - z_t) * h_{t-1} + z_t * tilde h_t,   hat y_t = w^T h_t
    loss_t = 1/2 (y - hat y_t)^2   (not displayed here; d loss_t / d hat y_t = -(y - hat y_t), as its
                                    code and the companion blog post say)
W_h, W_z, W_r, w are 2-vectors (2 x 1), U_h, U_z, U_r 2 x 2.

Reading: d hat y_t / d w^h_1 and the like are partial derivatives of the step-t expression (the
notebook's fully expanded hat y_t, in which h^{t-1}_1, h^{t-1}_2 are symbols): the derivative by the
copy of the weight used at step t, h_{t-1} held fixed.  d loss_t / d W is likewise step t's share.
\color{...} only colours.  g^{\prime}(...), \sigma^{\prime}(...) are the derivatives at the
pre-activation written in the macro.  "*" is the elementwise product, "\cdot" the matrix product,
[a  a] (written \begin{bmatrix} a & a \end{bmatrix}) two copies of the column a side by side, [a^T \\ a^T]
two copies of the row a^T stacked.  A vector and its transpose count as the same; matrices must
have the same shape.  T = 4, two random seeds, every step and entry.
"""
import torch

torch.set_default_dtype(torch.float64)
T = 4
IDS = ("wh1", "wh2", "dWh", "dloss_Wh", "uh_entries", "dUh", "dloss_Uh", "wz1", "wz2", "dWz", "dloss_Wz",
       "uz_entries", "dUz", "dloss_Uz", "wr1", "wr2", "dWr", "dloss_Wr", "ur_entries", "dUr")
jac = torch.autograd.functional.jacobian


def same(a, b):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    if a.dim() <= 2 and b.dim() <= 2 and a.numel() == b.numel() and (a.dim() < 2 or 1 in a.shape) \
            and (b.dim() < 2 or 1 in b.shape):
        return torch.allclose(a.reshape(-1), b.reshape(-1), rtol=1e-9, atol=1e-11)
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


def all_same(*xs):
    return all(same(xs[0], x) for x in xs[1:])


def two(col):            # [a  a]: the column a twice, side by side
    return torch.stack([col, col], dim=1)


def rows(row):           # [a^T \\ a^T]: the row a^T twice, stacked
    return torch.stack([row, row], dim=0)


def _run(seed):
    gen = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=gen)
    P = {k: r(2) for k in ("Wh", "Wz", "Wr")}
    P.update({k: r(2, 2) for k in ("Uh", "Uz", "Ur")})
    w = r(2)
    y = float(r(1))
    xs = [None] + [float(v) for v in r(T)]
    sig, tanh = torch.sigmoid, torch.tanh
    dsig = lambda v: sig(v) * (1 - sig(v))
    dtanh = lambda v: 1 - tanh(v) ** 2

    def step(p, x, hp):
        az = p["Wz"] * x + p["Uz"] @ hp
        ar = p["Wr"] * x + p["Ur"] @ hp
        z, rr = sig(az), sig(ar)
        ah = p["Wh"] * x + p["Uh"] @ (rr * hp)
        ht = tanh(ah)
        return (1 - z) * hp + z * ht, dict(az=az, ar=ar, ah=ah, z=z, r=rr, ht=ht)

    res = {k: True for k in IDS}

    def put(k, ok):
        res[k] = res[k] and bool(ok)

    h = torch.zeros(2)
    for t in range(1, T + 1):
        x, hp = xs[t], h
        h, n = step(P, x, hp)
        yhat = w @ h
        # derivatives of hat y_t by the step-t copy of each weight (h_{t-1} held fixed)
        dY = {k: jac(lambda v, k=k: w @ step({**P, k: v}, x, hp)[0], P[k]) for k in P}
        dL = {k: -(y - yhat) * v for k, v in dY.items()}          # d loss_t / d W (step t's share)
        z, rr, ht, hpv = n["z"], n["r"], n["ht"], hp
        Gp, Zp, Rp = dtanh(n["ah"]), dsig(n["az"]), dsig(n["ar"])
        G = tanh(n["ah"])
        Gp1, Gp2 = Gp[0], Gp[1]
        # Jacobians for the chain rows d loss/d yhat * d yhat/d h * d h/d(node) * d(node)/dW
        dy_dh = w                                                  # 1 x 2
        dh_dht = torch.diag(z)
        dh_dz = torch.diag(ht - hpv)
        dht_dWh = jac(lambda v: tanh(v * x + P["Uh"] @ (rr * hpv)), P["Wh"])
        dht_dUh = jac(lambda v: tanh(P["Wh"] * x + v @ (rr * hpv)), P["Uh"])
        dz_dWz = jac(lambda v: sig(v * x + P["Uz"] @ hpv), P["Wz"])
        dz_dUz = jac(lambda v: sig(P["Wz"] * x + v @ hpv), P["Uz"])
        dht_dWr = jac(lambda v: tanh(P["Wh"] * x + P["Uh"] @ (sig(v * x + P["Ur"] @ hpv) * hpv)), P["Wr"])
        dLdy = -(y - yhat)
        chain = lambda J: dLdy * torch.tensordot(dy_dh, J, dims=1)

        # --- W_h ---
        put("wh1", same(dY["Wh"][0], w[0] * z[0] * Gp1 * x))
        put("wh2", same(dY["Wh"][1], w[1] * z[1] * Gp2 * x))
        put("dWh", all_same(dY["Wh"], torch.stack([dY["Wh"][0], dY["Wh"][1]]),
                            torch.stack([w[0] * z[0] * G[0] * x, w[1] * z[1] * G[1] * x]),  # g, not g'
                            w * z * Gp * x))
        put("dloss_Wh", all_same(dL["Wh"], chain(dh_dht @ dht_dWh), -(y - yhat) * w * z * Gp * x))
        # --- U_h ---
        ent = torch.stack([torch.stack([w[i] * z[i] * Gp[i] * rr[j] * hpv[j] for j in range(2)]) for i in range(2)])
        put("uh_entries", same(dY["Uh"], ent))
        ones = torch.ones(2, 1)
        put("dUh", all_same(dY["Uh"], ent,
                            torch.outer(w, torch.ones(2)) * torch.outer(z, torch.ones(2)) * torch.outer(Gp, torch.ones(2))
                            * rows(rr) * rows(hpv),
                            two(w) * two(z) * two(Gp) * rows(rr) * rows(hpv),
                            torch.diag(w) @ torch.diag(z) @ torch.diag(Gp) @ ones @ ones.T @ torch.diag(rr) @ torch.diag(hpv)))
        put("dloss_Uh", all_same(dL["Uh"], chain(torch.tensordot(dh_dht, dht_dUh, dims=1)),
                                 -(y - yhat) * torch.diag(w * z * Gp) @ rows(rr * hpv)))
        # --- W_z ---
        wz1 = w[0] * (-Zp[0]) * hpv[0] + ht[0] * Zp[0] * x
        wz2 = w[1] * (-Zp[1]) * hpv[0] + ht[0] * Zp[1] * x
        put("wz1", same(dY["Wz"][0], wz1))
        put("wz2", same(dY["Wz"][1], wz2))
        put("dWz", all_same(dY["Wz"], torch.stack([dY["Wz"][0], dY["Wz"][1]]), torch.stack([wz1, wz2]),
                            w * (-hpv + ht) * Zp * x))
        assert same(dY["Wz"], w * (-hpv + ht) * Zp * x)
        put("dloss_Wz", all_same(dL["Wz"], chain(dh_dz @ dz_dWz), -(y - yhat) * w * (-hpv + ht) * Zp * x))
        # --- U_z ---
        entz = torch.stack([torch.stack([w[i] * ((-Zp[i] * hpv[j]) * hpv[i] + ht[i] * Zp[i] * hpv[j])
                                         for j in range(2)]) for i in range(2)])
        put("uz_entries", same(dY["Uz"], entz))
        put("dUz", all_same(dY["Uz"], entz, two(w) * two(ht - hpv) * two(Zp) * rows(hpv),
                            torch.diag(w) @ torch.diag(ht - hpv) @ torch.outer(Zp, hpv)))
        put("dloss_Uz", all_same(dL["Uz"], chain(torch.tensordot(dh_dz, dz_dUz, dims=1)),
                                 -(y - yhat) * torch.diag(w * (-hpv + ht) * Zp) @ rows(hpv)))
        # --- W_r ---
        Uh = P["Uh"]
        wr = [w[0] * z[0] * Gp[0] * Uh[0, j] * hpv[j] * Rp[j] * x + w[1] * z[1] * Gp[1] * Uh[1, j] * hpv[j] * Rp[j] * x
              for j in range(2)]
        put("wr1", same(dY["Wr"][0], wr[0]))
        put("wr2", same(dY["Wr"][1], wr[1]))
        inner = two(z) * two(Gp) * Uh * rows(hpv) * rows(Rp)
        put("dWr", all_same(dY["Wr"], torch.stack([dY["Wr"][0], dY["Wr"][1]]), (w @ inner) * x,
                            w @ torch.diag(z) @ torch.diag(Gp) @ Uh @ torch.diag(hpv) @ torch.diag(Rp) * x))
        put("dloss_Wr", all_same(dL["Wr"], chain(dh_dht @ dht_dWr), -(y - yhat) * (w @ inner) * x))
        # --- U_r ---
        entr = torch.stack([torch.stack([w[0] * z[0] * Gp[0] * Uh[0, i] * hpv[i] * Rp[i] * hpv[j]
                                         + w[1] * z[1] * Gp[1] * Uh[1, i] * hpv[i] * Rp[i] * hpv[j]
                                         for j in range(2)]) for i in range(2)])
        put("ur_entries", same(dY["Ur"], entr))
        a = w * z * Gp
        put("dUr", all_same(dY["Ur"], entr, (rows(a) @ Uh.T) * torch.outer(hpv, hpv) * two(Rp),
                            torch.diag(w) @ torch.diag(z) @ torch.diag(Gp) @ Uh.T @ torch.diag(hpv) @ torch.diag(Rp)
                            @ ones @ ones.T @ torch.diag(hpv)))
        assert same(dY["Ur"], torch.outer(Uh.T @ a * hpv * Rp, hpv))   # what it is
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
