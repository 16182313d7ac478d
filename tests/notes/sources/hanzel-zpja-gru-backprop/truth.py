"""Truth of the checked displays of "ZPJa: Reinvent the Wheel - GRU" (project report, FIT VUT Brno,
docs/report/report.tex), section Method / Backpropagation.

The report's own model (eqs. gru-h_hat, gru-h, gru-z, gru-r, output, loss):
    z_t = s(W_z x_t + U_z h_{t-1} + b_z),   r_t = s(W_r x_t + U_r h_{t-1} + b_r)
    hat h_t = g(W_h x_t + U_h (r_t o h_{t-1}) + b_h),   h_t = z_t o h_{t-1} + (1 - z_t) o hat h_t
    hat y_t = softmax(V h_t + b_y),   L_t = sum -y_t o log(hat y_t),   L = sum_{t=1}^s L_t
with g = tanh (the backward pass differentiates it as tan'(hat h_t); the author's code uses tanh).

The backward displays are code-like; their names are read as follows (denominator layout, column
vectors, s = sequence length, h_0 given):
  dy_t         dL/d(V h_t + b_y), the gradient at the softmax input (the only reading under which
               dV_t = dy_t h_t^T and dh_t = V^T dy_t + ... make sense; y_t itself is the target)
  dV_t, dW_{h_t}, dU_{h_t}, db_{h_t}, ...   step t's share of dL/dV, dL/dW_h, ...: the derivative
               by the copy of the parameter used at step t (dL/dW = sum_t dW_t)
  dh_t         dL/dh_t (total);  dh_{t+1} on the right of dh_t's display: the gradient step t+1
               passes back to h_t, (dh_{t+1}/dh_t)^T dL/dh_{t+1} (zero at t = s) -- code's dh_next
  dhat h_t, dz_t, dr_t   dL/dhat h_t, dL/dz_t, dL/dr_t;   "dh" and "dr" without index: dh_t, dr_t
  dhat h_{l_t}, dz_{l_t}, dr_{l_t}   dL/d(pre-activation) of hat h_t, z_t, r_t ("l" = linear part)
  drhp_t       dL/d(r_t o h_{t-1}) (the "r h product" node)
  dh_{t+1} on the left of the last display: what step t passes back to h_{t-1}, (dh_t/dh_{t-1})^T dh_t
               (the report: "for the next timestamp a new dh_{t+1} is computed")
  f'(v)        the derivative of f evaluated at v (so sigma'(r_t) is sigma' at the gate value r_t,
               tan'(hat h_t) the derivative of tan -- or, taking tan for tanh, of tanh -- at hat h_t)
Sizes: hidden 3, input 2, output 4, s = 4; every step, every entry, two random seeds.
"""
import torch

torch.set_default_dtype(torch.float64)
H, D, K, S = 3, 2, 4, 4


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def jac(f, x):
    return torch.autograd.functional.jacobian(f, x)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    P = {"Wz": r(H, D), "Uz": r(H, H), "bz": r(H), "Wr": r(H, D), "Ur": r(H, H), "br": r(H),
         "Wh": r(H, D), "Uh": r(H, H), "bh": r(H), "V": r(K, H), "by": r(K)}
    xs = [None] + [r(D) for _ in range(S)]
    ys = [None] + [torch.nn.functional.one_hot(torch.randint(0, K, (1,), generator=g)[0], K).double()
                   for _ in range(S)]
    h0 = r(H)
    # per-step copies of every parameter, so that dL/d(copy at step t) is step t's share
    cp = {t: {k: v.clone().requires_grad_(True) for k, v in P.items()} for t in range(1, S + 1)}
    sig, tanh = torch.sigmoid, torch.tanh
    h = {0: h0.clone().requires_grad_(True)}
    n = {}  # nodes per step
    L = 0.0
    for t in range(1, S + 1):
        q = cp[t]
        az = q["Wz"] @ xs[t] + q["Uz"] @ h[t - 1] + q["bz"]
        ar = q["Wr"] @ xs[t] + q["Ur"] @ h[t - 1] + q["br"]
        z, rr = sig(az), sig(ar)
        rhp = rr * h[t - 1]
        ah = q["Wh"] @ xs[t] + q["Uh"] @ rhp + q["bh"]
        hh = tanh(ah)
        h[t] = z * h[t - 1] + (1 - z) * hh
        o = q["V"] @ h[t] + q["by"]
        yhat = torch.softmax(o, 0)
        L = L + (-ys[t] * torch.log(yhat)).sum()
        n[t] = dict(az=az, ar=ar, z=z, r=rr, rhp=rhp, ah=ah, hh=hh, h=h[t], o=o, yhat=yhat)
        for v in n[t].values():
            v.retain_grad()
    L.backward()
    d = lambda v: v.detach()
    G = {t: {k: d(v.grad) for k, v in n[t].items()} for t in range(1, S + 1)}
    PG = {t: {k: d(v.grad) for k, v in cp[t].items()} for t in range(1, S + 1)}
    N = {t: {k: d(v) for k, v in n[t].items()} for t in range(1, S + 1)}
    hd = {t: d(h[t]) for t in range(0, S + 1)}

    def step_h(t, hprev):   # h_t as a function of h_{t-1}
        az = P["Wz"] @ xs[t] + P["Uz"] @ hprev + P["bz"]
        ar = P["Wr"] @ xs[t] + P["Ur"] @ hprev + P["br"]
        z, rr = sig(az), sig(ar)
        hh = tanh(P["Wh"] @ xs[t] + P["Uh"] @ (rr * hprev) + P["bh"])
        return z * hprev + (1 - z) * hh

    passed_back = {S + 1: torch.zeros(H)}       # what step t sends to h_{t-1}
    for t in range(1, S + 1):
        passed_back[t] = jac(lambda x: step_h(t, x), hd[t - 1]).T @ G[t]["h"]

    dsig = lambda v: sig(v) * (1 - sig(v))
    res = {k: True for k in ("dy", "dV", "dh", "dh_hat", "dh_hat_l", "dW_h", "dU_h", "db_h", "drhp", "dr",
                             "dr_l", "dW_r", "dU_r", "db_r", "dz", "dz_l", "dW_z", "dU_z", "db_z", "dh_next")}

    def put(k, ok):
        res[k] = res[k] and bool(ok)

    for t in range(1, S + 1):
        Gt, Nt, PGt = G[t], N[t], PG[t]
        dy = Gt["o"]
        put("dy", _close(dy, Nt["yhat"] - ys[t]))
        put("dV", _close(PGt["V"], torch.outer(dy, hd[t])))
        assert _close(PGt["by"], dy)          # db_{y_t} = dy_t (not checked: same as dy)
        dh = Gt["h"]
        put("dh", _close(dh, P["V"].T @ dy + passed_back[t + 1]))
        dhh = Gt["hh"]
        put("dh_hat", _close(dhh, dh * (1 - Nt["z"])))
        dhhl = Gt["ah"]
        # tan'(hat h_t): derivative of tan at hat h_t (sec^2), or of tanh at hat h_t -- neither is 1 - hat h_t^2
        tan_d = 1 / torch.cos(Nt["hh"]) ** 2
        tanh_d_at = 1 - torch.tanh(Nt["hh"]) ** 2
        put("dh_hat_l", _close(dhhl, dhh * tan_d) or _close(dhhl, dhh * tanh_d_at))
        assert _close(dhhl, dhh * (1 - Nt["hh"] ** 2))        # the code's dtanh(h_hat) = 1 - h_hat^2
        put("dW_h", _close(PGt["Wh"], torch.outer(dhhl, xs[t])))
        put("dU_h", _close(PGt["Uh"], torch.outer(dhhl, Nt["r"] * hd[t - 1])))
        put("db_h", _close(PGt["bh"], dhhl))
        drhp = Gt["rhp"]
        put("drhp", _close(drhp, P["Uh"].T @ dhhl))
        dr = Gt["r"]
        put("dr", _close(dr, drhp * hd[t - 1]))
        drl = Gt["ar"]
        put("dr_l", _close(drl, dr * dsig(Nt["r"])))            # sigma' at r_t
        assert _close(drl, dr * Nt["r"] * (1 - Nt["r"]))         # the code's dsigmoid(r) = r (1 - r)
        put("dW_r", _close(PGt["Wr"], torch.outer(drl, xs[t])))
        put("dU_r", _close(PGt["Ur"], torch.outer(drl, hd[t - 1])))
        put("db_r", _close(PGt["br"], drl))
        dz = Gt["z"]
        put("dz", _close(dz, dh * (hd[t - 1] - Nt["hh"])))
        dzl = Gt["az"]
        put("dz_l", _close(dzl, dz * dsig(Nt["z"])))              # sigma' at z_t
        assert _close(dzl, dz * Nt["z"] * (1 - Nt["z"]))
        put("dW_z", _close(PGt["Wz"], torch.outer(dzl, xs[t])))
        put("dU_z", _close(PGt["Uz"], torch.outer(dzl, hd[t - 1])))
        put("db_z", _close(PGt["bz"], dzl))
        # dh_{t+1} := U_z dz_l + dh o z + drhp o r + U_r^T dr_l  (what step t passes back to h_{t-1})
        rhs = P["Uz"] @ dzl + dh * Nt["z"] + drhp * Nt["r"] + P["Ur"].T @ drl
        put("dh_next", _close(passed_back[t], rhs))
        assert _close(passed_back[t], P["Uz"].T @ dzl + dh * Nt["z"] + drhp * Nt["r"] + P["Ur"].T @ drl)
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in a}


if __name__ == "__main__":
    print(truths())
