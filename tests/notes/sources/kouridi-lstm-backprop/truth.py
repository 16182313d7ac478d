"""Truth of the checked displays of Christina Kouridi, "Deriving backpropagation equations for an LSTM" (2019).

The post's own forward pass (its four forward displays), column vectors:
  z_t = [h_{t-1}; x_t]  (h first),  a_g = W_g z_t + b_g  for g in f, i, o, c,
  f_t, i_t, o_t = sigma(a_f), sigma(a_i), sigma(a_o),  c^_t = tanh(a_c),
  c_t = i_t * c^_t + f_t * c_{t-1},  h_t = o_t * tanh(c_t),
  v_t = W_v h_t + b_v,  y^_t = softmax(v_t),
and the loss named in prose ("cross-entropy loss with a softmax function"), summed over the T steps:
  J = sum_t -sum_k y_{t,k} log y^_{t,k}   (the post's dJ/dv_t = y^_t - y_t has no 1/T).

Reading of the symbols (see source.toml): dJ/dX for a node X of the graph (v_t, h_t, o_t, a_o, c_t, c^_t, a_c,
i_t, a_i, f_t, a_f, z_t, h_{t-1}, c_{t-1}) is the derivative of the whole loss J, every path included.
dJ/dW_g and dJ/db_g inside the per-step displays are step t's part (the post: "All equations correspond to one
time step", later dJ/dW_f = sum_t dJ/dW_f^t); computed here as the gradient of a per-step copy W_g^(t) used by
step t only.  Chain members "dJ/dA . dA/dB" are computed as the contraction of dJ/dA with the local Jacobian
dA/dB of A's own equation.  Every display is compared at every step t = 1..T and every entry, at two seeds.
"""
import torch

NH, NX, NV, T = 3, 2, 3, 4
TOL = dict(atol=1e-10, rtol=1e-8)
GATES = "fioc"


def close(a, b):
    return bool(torch.allclose(a, b, **TOL))


def run(seed):
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)
    W = {k: rnd(NH, NH + NX) for k in GATES}
    b = {k: rnd(NH) for k in GATES}
    Wv, bv = rnd(NV, NH), rnd(NV)
    xs = [None] + [rnd(NX) for _ in range(T)]
    ys = [None] + [torch.nn.functional.one_hot(torch.randint(0, NV, (1,), generator=g), NV)[0].double()
                   for _ in range(T)]
    # per-step copies of every parameter: their gradients are step t's parts
    Wt = {k: [None] + [W[k].clone().requires_grad_(True) for _ in range(T)] for k in GATES}
    bt = {k: [None] + [b[k].clone().requires_grad_(True) for _ in range(T)] for k in GATES}
    Wvt = [None] + [Wv.clone().requires_grad_(True) for _ in range(T)]
    bvt = [None] + [bv.clone().requires_grad_(True) for _ in range(T)]
    h = {0: rnd(NH).requires_grad_(True)}
    c = {0: rnd(NH).requires_grad_(True)}
    z, a, gate, v, yhat = {}, {}, {}, {}, {}
    J = 0
    for t in range(1, T + 1):
        z[t] = torch.cat([h[t - 1], xs[t]])
        z[t].retain_grad()
        a[t], gate[t] = {}, {}
        for k in GATES:
            a[t][k] = Wt[k][t] @ z[t] + bt[k][t]
            a[t][k].retain_grad()
            gate[t][k] = torch.tanh(a[t][k]) if k == "c" else torch.sigmoid(a[t][k])
            gate[t][k].retain_grad()
        c[t] = gate[t]["i"] * gate[t]["c"] + gate[t]["f"] * c[t - 1]
        c[t].retain_grad()
        h[t] = gate[t]["o"] * torch.tanh(c[t])
        h[t].retain_grad()
        v[t] = Wvt[t] @ h[t] + bvt[t]
        v[t].retain_grad()
        yhat[t] = torch.softmax(v[t], 0)
        J = J + -(ys[t] * torch.log_softmax(v[t], 0)).sum()
    J.backward()
    return dict(W=W, b=b, Wv=Wv, bv=bv, xs=xs, ys=ys, Wt=Wt, bt=bt, Wvt=Wvt, bvt=bvt, h=h, c=c, z=z, a=a,
                gate=gate, v=v, yhat=yhat)


def jac(f, x):
    return torch.autograd.functional.jacobian(f, x.detach())


def check(seed):
    R = run(seed)
    h, c, z, a, gate, v = R["h"], R["c"], R["z"], R["a"], R["gate"], R["v"]
    Wv, W = R["Wv"], R["W"]
    res = {}

    def put(key, ok):
        res[key] = res.get(key, True) and bool(ok)

    d = lambda x: x.detach()
    G = lambda x: x.grad  # dJ/dx, whole loss
    sig_p = lambda u: torch.sigmoid(u) * (1 - torch.sigmoid(u))
    for t in range(1, T + 1):
        f_, i_, o_, ch = (d(gate[t][k]) for k in "fioc")
        ct, ht, zt = d(c[t]), d(h[t]), d(z[t])
        dv = G(v[t])
        # out: dJ/dv_t = y^_t - y_t; dJ/dW_v = dJ/dv . dv/dW_v => dJ/dv h^T; dJ/db_v = dJ/dv . dv/db_v => dJ/dv
        Jv_W = jac(lambda M: M @ ht + R["bv"], Wv)                      # [k, k', j]
        Jv_b = jac(lambda bb: Wv @ ht + bb, R["bv"])
        ok = close(dv, d(R["yhat"][t]) - R["ys"][t])
        ok &= close(R["Wvt"][t].grad, torch.einsum("k,kij->ij", dv, Jv_W))
        ok &= close(R["Wvt"][t].grad, torch.outer(dv, ht))
        ok &= close(R["bvt"][t].grad, Jv_b.T @ dv) and close(R["bvt"][t].grad, dv)
        put("out", ok)
        # hid: dJ/dh_t = dJ/dv . dv/dh => W_v^T dJ/dv  (then "+= dJ/dh_next")
        Jv_h = jac(lambda hh: Wv @ hh + R["bv"], ht)
        put("hid", close(G(h[t]), Jv_h.T @ dv) and close(G(h[t]), Wv.T @ dv))
        # do: dJ/do = dJ/dh . dh/do => dJ/dh * tanh(c)
        Jh_o = jac(lambda oo: oo * torch.tanh(ct), o_)
        put("do", close(G(gate[t]["o"]), Jh_o.T @ G(h[t])) and close(G(gate[t]["o"]), G(h[t]) * torch.tanh(ct)))
        # dao: dJ/da_o = dJ/do . do/da_o => dJ/dh * tanh(c) * sigma'(a_o) = ... * sigma(1-sigma) = ... * o(1-o)
        ao = d(a[t]["o"])
        Jo_a = jac(torch.sigmoid, ao)
        base = G(h[t]) * torch.tanh(ct)
        ok = close(G(a[t]["o"]), Jo_a.T @ G(gate[t]["o"]))
        ok &= close(G(a[t]["o"]), base * sig_p(ao))
        ok &= close(G(a[t]["o"]), base * torch.sigmoid(ao) * (1 - torch.sigmoid(ao)))
        ok &= close(G(a[t]["o"]), base * o_ * (1 - o_))
        put("dao", ok)
        # dWx / dbx for the four gates: step t's part = dJ/da . z^T, dJ/da
        for k, key in (("o", "dWo"), ("c", "dWc"), ("i", "dWi"), ("f", "dWf")):
            Ja_W = jac(lambda M: M @ zt + R["b"][k], W[k])
            da_ = G(a[t][k])
            ok = close(R["Wt"][k][t].grad, torch.einsum("k,kij->ij", da_, Ja_W))
            ok &= close(R["Wt"][k][t].grad, torch.outer(da_, zt))
            okb = close(R["bt"][k][t].grad, da_)
            if key in ("dWo", "dWf"):      # these displays carry the bias row too
                put(key, ok and okb)
            else:
                put(key, ok)
                put({"c": "dbc", "i": "dbi"}[k], okb)
        # dc: dJ/dc_t = dJ/dh . dh/dc => dJ/dh * o * (1 - tanh(c)^2)   (then "+= dJ/dc_next")
        Jh_c = jac(lambda cc: o_ * torch.tanh(cc), ct)
        rhs = G(h[t]) * o_ * (1 - torch.tanh(ct) ** 2)
        put("dc", close(G(c[t]), Jh_c.T @ G(h[t])) and close(G(c[t]), rhs))
        # dchat: dJ/dc^ = dJ/dc . dc/dc^ => dJ/dc * i
        cp = d(c[t - 1])
        Jc_ch = jac(lambda q: i_ * q + f_ * cp, ch)
        put("dchat", close(G(gate[t]["c"]), Jc_ch.T @ G(c[t])) and close(G(gate[t]["c"]), G(c[t]) * i_))
        # dac: dJ/da_c = dJ/dc^ . dc^/da_c => dJ/dc * i * tanh'(a_c) = ... (1 - tanh(a_c)^2) = ... (1 - c^^2)
        ac = d(a[t]["c"])
        Jch_a = jac(torch.tanh, ac)
        ok = close(G(a[t]["c"]), Jch_a.T @ G(gate[t]["c"]))
        ok &= close(G(a[t]["c"]), G(c[t]) * i_ * (1 - torch.tanh(ac) ** 2))
        ok &= close(G(a[t]["c"]), G(c[t]) * i_ * (1 - ch ** 2))
        put("dac", ok)
        # di: dJ/di = dJ/dc . dc/di => dJ/dc * c^
        Jc_i = jac(lambda q: q * ch + f_ * cp, i_)
        put("di", close(G(gate[t]["i"]), Jc_i.T @ G(c[t])) and close(G(gate[t]["i"]), G(c[t]) * ch))
        # dai: => dJ/dc * c^ * sigma'(a_i) = ... sigma(1-sigma) = ... i(1-i)
        ai = d(a[t]["i"])
        Ji_a = jac(torch.sigmoid, ai)
        ok = close(G(a[t]["i"]), Ji_a.T @ G(gate[t]["i"]))
        ok &= close(G(a[t]["i"]), G(c[t]) * ch * sig_p(ai))
        ok &= close(G(a[t]["i"]), G(c[t]) * ch * i_ * (1 - i_))
        put("dai", ok)
        # df: dJ/df = dJ/dc . dc/df => dJ/dc * c_{t-1}
        Jc_f = jac(lambda q: i_ * ch + q * cp, f_)
        put("df", close(G(gate[t]["f"]), Jc_f.T @ G(c[t])) and close(G(gate[t]["f"]), G(c[t]) * cp))
        # daf: => dJ/dc * c_{t-1} * sigma'(a_f) = ... sigma(a_f)(1 - sigma(a_f) [sic] = ... f(1-f)
        af = d(a[t]["f"])
        Jf_a = jac(torch.sigmoid, af)
        ok = close(G(a[t]["f"]), Jf_a.T @ G(gate[t]["f"]))
        ok &= close(G(a[t]["f"]), G(c[t]) * cp * sig_p(af))
        ok &= close(G(a[t]["f"]), G(c[t]) * cp * f_ * (1 - f_))
        put("daf", ok)
        # dz: dJ/dz = sum_g dJ/da_g . da_g/dz => sum_g W_g^T dJ/da_g
        chain = sum(jac(lambda q, k=k: W[k] @ q + R["b"][k], zt).T @ G(a[t][k]) for k in GATES)
        direct = sum(W[k].T @ G(a[t][k]) for k in GATES)
        put("dz", close(G(z[t]), chain) and close(G(z[t]), direct))
        # dprev: dJ/dh_{t-1} = dJ/dz[:n_h]; dJ/dc_{t-1} = dJ/dc . dc/dc_{t-1} => dJ/dc * f_t
        Jc_cp = jac(lambda q: i_ * ch + f_ * q, cp)
        ok = close(G(h[t - 1]), G(z[t])[:NH])
        ok &= close(G(c[t - 1]), Jc_cp.T @ G(c[t])) and close(G(c[t - 1]), G(c[t]) * f_)
        put("dprev", ok)
    return res


def truths():
    r0, r1 = check(0), check(1)
    return {k: r0[k] and r1[k] for k in r0}


if __name__ == "__main__":
    for k, v in truths().items():
        print(k, v)
