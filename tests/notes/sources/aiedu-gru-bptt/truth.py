"""Truth of the checked displays of Microsoft ai-edu, "20.3 GRU基本原理与实现" (GRU forward and BPTT).

The page's own forward pass (displays 1-4), row vectors, no biases:
  z_t = sigma(h_{t-1} W_z + x_t U_z),  r_t = sigma(h_{t-1} W_r + x_t U_r),
  h~_t = tanh((r_t o h_{t-1}) W_h + x_t U_h),  h_t = (1 - z_t) o h_{t-1} + z_t o h~_t
(display 4 writes the left side as `h`). The page has no output layer or loss; delta_t, "the error coming into
the cell", is the sum of what the next step and the layer above pass back, i.e. dloss/dh_t of the whole loss.
For the truth an output on every step is used, as in the companion LSTM page (20.1) and the page's own
binary-subtraction example: o_t = h_t V + b, softmax, cross-entropy, loss = sum over t (only display 23
depends on this choice: it fails as soon as h_{t-1} feeds a loss term of its own).

Names: delta_{z_{zt}}, delta_{z_{h~t}}, delta_{z_{rt}} are dloss/d(pre-activation) (displays 5-7 define
z_{zt}, z_{rt}, z_{h~_t}); d_{W_{h,t}} etc. are step t's parts (gradients of a per-step copy of the weight
used by step t only), d_{W_h} = sum_t d_{W_{h,t}} the whole gradient.  Chain members "dA/dB . dB/dC" are the
row vector dA/dB times the local Jacobians (numerator layout) of each node's own equation.  Every display is
compared at every step t = 1..tau and every entry, at two seeds.
"""
import torch

H, D, K, T = 3, 2, 3, 4
TOL = dict(atol=1e-10, rtol=1e-8)
NAMES = ("Wz", "Uz", "Wr", "Ur", "Wh", "Uh")


def close(a, b):
    return bool(torch.allclose(a, b, **TOL))


def jac(f, x):
    return torch.autograd.functional.jacobian(f, x.detach())


def run(seed):
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)
    P = {n: rnd(H, H) if n[0] == "W" else rnd(D, H) for n in NAMES}
    V, bV = rnd(H, K), rnd(K)
    xs = [None] + [rnd(D).requires_grad_(True) for _ in range(T)]
    ys = [None] + [torch.nn.functional.one_hot(torch.randint(0, K, (1,), generator=g), K)[0].double()
                   for _ in range(T)]
    Pt = {n: [None] + [P[n].clone().requires_grad_(True) for _ in range(T)] for n in NAMES}
    h = {0: rnd(H).requires_grad_(True)}
    node = {k: {} for k in ("zz", "zr", "zh", "z", "r", "ht")}
    loss = 0
    for t in range(1, T + 1):
        hp, x = h[t - 1], xs[t]
        node["zz"][t] = hp @ Pt["Wz"][t] + x @ Pt["Uz"][t]
        node["zr"][t] = hp @ Pt["Wr"][t] + x @ Pt["Ur"][t]
        node["z"][t] = torch.sigmoid(node["zz"][t])
        node["r"][t] = torch.sigmoid(node["zr"][t])
        node["zh"][t] = (node["r"][t] * hp) @ Pt["Wh"][t] + x @ Pt["Uh"][t]
        node["ht"][t] = torch.tanh(node["zh"][t])
        h[t] = (1 - node["z"][t]) * hp + node["z"][t] * node["ht"][t]
        for k in node:
            node[k][t].retain_grad()
        h[t].retain_grad()
        loss = loss + -(ys[t] * torch.log_softmax(h[t] @ V + bV, 0)).sum()
    loss.backward()
    return P, Pt, xs, h, node


def check(seed):
    P, Pt, xs, h, nd = run(seed)
    d = lambda u: u.detach()
    res = {}

    def put(key, ok):
        res[key] = res.get(key, True) and bool(ok)

    sums = {n: torch.zeros_like(P[n]) for n in NAMES}
    formula_sums = {n: torch.zeros_like(P[n]) for n in NAMES}
    for t in range(1, T + 1):
        hp, x = d(h[t - 1]), d(xs[t])
        z, r, ht = d(nd["z"][t]), d(nd["r"][t]), d(nd["ht"][t])
        delta = h[t].grad                                   # delta_t = dloss/dh_t
        dzz, dzh, dzr = nd["zz"][t].grad, nd["zh"][t].grad, nd["zr"][t].grad
        # (8) delta_{z_zt} = dloss/dh_t . dh_t/dz_t . dz_t/dz_{z_t} = delta (-diag h_{t-1} + diag h~) diag[z(1-z)]
        #                  = delta o (h~ - h_{t-1}) o z o (1-z)
        Jh_z = jac(lambda q: (1 - q) * hp + q * ht, z)
        Jz_zz = jac(torch.sigmoid, d(nd["zz"][t]))
        ok = close(dzz, delta @ Jh_z @ Jz_zz)
        ok &= close(dzz, delta @ (-torch.diag(hp) + torch.diag(ht)) @ torch.diag(z * (1 - z)))
        ok &= close(dzz, delta * (ht - hp) * z * (1 - z))
        put("eq8", ok)
        # (9) delta_{z_h~t} = dloss/dh_t . dh_t/dh~ . dh~/dz_h~ = delta diag[z] diag[1-h~^2] = delta o z o (1-h~^2)
        Jh_ht = jac(lambda q: (1 - z) * hp + z * q, ht)
        Jht_zh = jac(torch.tanh, d(nd["zh"][t]))
        ok = close(dzh, delta @ Jh_ht @ Jht_zh)
        ok &= close(dzh, delta @ torch.diag(z) @ torch.diag(1 - ht ** 2))
        ok &= close(dzh, delta * z * (1 - ht ** 2))
        put("eq9", ok)
        # (10) delta_{z_rt} = dloss/dh~ . dh~/dz_h~ . dz_h~/dr . dr/dz_r = delta_{z_h~} W_h^T diag[h] diag[r(1-r)]
        #                   = delta_{z_h~} W_h^T o h_{t-1} o r o (1-r)
        Wh = P["Wh"]
        Jzh_r = jac(lambda q: (q * hp) @ Wh + x @ P["Uh"], r)
        Jr_zr = jac(torch.sigmoid, d(nd["zr"][t]))
        ok = close(dzr, nd["ht"][t].grad @ Jht_zh @ Jzh_r @ Jr_zr)
        ok &= close(dzr, dzh @ Wh.T @ torch.diag(hp) @ torch.diag(r * (1 - r)))
        ok &= close(dzr, (dzh @ Wh.T) * hp * r * (1 - r))
        put("eq10", ok)
        # (11)-(16) step t's parts: dloss/dz . dz/dW = (input)^T . delta_z
        parts = {
            "eq11": ("Wh", dzh, r * hp, lambda M: (r * hp) @ M + x @ P["Uh"]),
            "eq12": ("Uh", dzh, x, lambda M: (r * hp) @ Wh + x @ M),
            "eq13": ("Wr", dzr, hp, lambda M: hp @ M + x @ P["Ur"]),
            "eq14": ("Ur", dzr, x, lambda M: hp @ P["Wr"] + x @ M),
            "eq15": ("Wz", dzz, hp, lambda M: hp @ M + x @ P["Uz"]),
            "eq16": ("Uz", dzz, x, lambda M: hp @ P["Wz"] + x @ M),
        }
        for key, (n, dz_, inp, f) in parts.items():
            step = Pt[n][t].grad
            ok = close(step, torch.einsum("k,kij->ij", dz_, jac(f, P[n])))
            ok &= close(step, torch.outer(inp, dz_))
            put(key, ok)
            sums[n] += step
            formula_sums[n] += torch.outer(inp, dz_)
        # (23) delta_{h_{t-1}} = dloss/dh_{t-1} = dloss/dh_t . dh_t/dh_{t-1} + dloss/dz_h~ . dz_h~/dh_{t-1}
        #      + dloss/dz_rt . dz_rt/dh_{t-1} + dloss/dz_zt . dz_zt/dh_{t-1}
        #      = delta o (1-z) + delta_{z_h~} W_h^T o r + delta_{z_rt} W_r^T + delta_{z_zt} W_z^T
        Jh_hp = jac(lambda q: (1 - z) * q + z * ht, hp)          # immediate: h_t's own equation
        Jzh_hp = jac(lambda q: (r * q) @ Wh + x @ P["Uh"], hp)
        Jzr_hp = jac(lambda q: q @ P["Wr"] + x @ P["Ur"], hp)
        Jzz_hp = jac(lambda q: q @ P["Wz"] + x @ P["Uz"], hp)
        chain = delta @ Jh_hp + dzh @ Jzh_hp + dzr @ Jzr_hp + dzz @ Jzz_hp
        formula = delta * (1 - z) + (dzh @ Wh.T) * r + dzr @ P["Wr"].T + dzz @ P["Wz"].T
        put("eq23", close(h[t - 1].grad, chain) and close(h[t - 1].grad, formula))
        # (24) delta_{x_t} = dloss/dx_t = ... = delta_{z_h~} U_h^T + delta_{z_rt} U_r^T + delta_{z_zt} U_z^T
        put("eq24", close(xs[t].grad, dzh @ P["Uh"].T + dzr @ P["Ur"].T + dzz @ P["Uz"].T))
    # (17)-(22) d_W = sum_t d_{W,t} = sum_t (input)^T . delta_z
    for key, n in (("eq17", "Wh"), ("eq18", "Uh"), ("eq19", "Wr"), ("eq20", "Ur"), ("eq21", "Wz"), ("eq22", "Uz")):
        total = sum(Pt[n][t].grad for t in range(1, T + 1))
        put(key, close(total, sums[n]) and close(total, formula_sums[n]))
    return res


def truths():
    r0, r1 = check(0), check(1)
    return {k: r0[k] and r1[k] for k in r0}


if __name__ == "__main__":
    for k, v in truths().items():
        print(k, v)
