"""Truth of the checked displays of Microsoft ai-edu, "20.1 LSTM基本原理" (LSTM forward pass and BPTT).

The page's own forward pass (displays 1-8), row vectors, right-multiplied weights, with biases:
  f_t = sigma(h_{t-1} W_f + x_t U_f + b_f),  i_t = sigma(... W_i ... U_i + b_i),
  c~_t = tanh(h_{t-1} W_c + x_t U_c + b_c),  c_t = f_t o c_{t-1} + i_t o c~_t,
  o_t = sigma(h_{t-1} W_o + x_t U_o + b_o),  h_t = o_t o tanh(c_t),
  z_t = h_t V + b,  a_t = sigma(z_t)  (display 7 says sigma, the sigmoid of display 9),
at every step.  No loss display: the page only uses dloss/dz_t = a - y.  With display 7's sigmoid the loss that
gives it is the binary cross-entropy of each output unit (the chapter's example is binary subtraction, one bit
per step), summed over the steps; softmax + cross-entropy (the prose before 15) gives the same a - y, and every
verdict below is the same with either (checked: OUTPUT = "softmax").

Names: delta_t = dloss/dh_t (16), delta_{c_t} = dloss/dc_t (18), delta_{z_*t} = dloss/d(gate pre-activation),
all of the whole loss; delta^{l+1}_{x_t} = the error coming from the output layer at step t (15); d_{W_{o,t}} etc.
are step t's parts (the page writes them dloss/dW_{o,t}: the gradient of a per-step copy W_{o,t}), d_{W_o} the
sums.  Chain members "dA/dB . dB/dC" are row vector times the local Jacobians of each node's own equation.
Every display is compared at every step t = 1..tau and every entry, at two seeds.
"""
import torch

H, D, K, T = 3, 2, 3, 4
TOL = dict(atol=1e-10, rtol=1e-8)
GATES = "fico"          # forget, input, candidate, output
OUTPUT = "sigmoid"      # "softmax" gives the same verdicts


def close(a, b):
    return bool(torch.allclose(a, b, **TOL))


def jac(f, x):
    return torch.autograd.functional.jacobian(f, x.detach())


def run(seed, output=OUTPUT):
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)
    P = {}
    for k in GATES:
        P["W" + k], P["U" + k], P["b" + k] = rnd(H, H), rnd(D, H), rnd(H)
    V, bV = rnd(H, K), rnd(K)
    xs = [None] + [rnd(D).requires_grad_(True) for _ in range(T)]
    if output == "sigmoid":
        ys = [None] + [(torch.rand(K, generator=g, dtype=torch.float64) > 0.5).double() for _ in range(T)]
    else:
        ys = [None] + [torch.nn.functional.one_hot(torch.randint(0, K, (1,), generator=g), K)[0].double()
                       for _ in range(T)]
    Pt = {n: [None] + [P[n].clone().requires_grad_(True) for _ in range(T)] for n in P}
    h = {0: rnd(H).requires_grad_(True)}
    c = {0: rnd(H).requires_grad_(True)}
    pre, gate, zo, a = {}, {}, {}, {}
    loss = 0
    for t in range(1, T + 1):
        pre[t], gate[t] = {}, {}
        for k in GATES:
            pre[t][k] = h[t - 1] @ Pt["W" + k][t] + xs[t] @ Pt["U" + k][t] + Pt["b" + k][t]
            gate[t][k] = torch.tanh(pre[t][k]) if k == "c" else torch.sigmoid(pre[t][k])
            pre[t][k].retain_grad()
            gate[t][k].retain_grad()
        c[t] = gate[t]["f"] * c[t - 1] + gate[t]["i"] * gate[t]["c"]
        h[t] = gate[t]["o"] * torch.tanh(c[t])
        zo[t] = h[t] @ V + bV
        for u in (c[t], h[t], zo[t]):
            u.retain_grad()
        if output == "sigmoid":
            a[t] = torch.sigmoid(zo[t])
            loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(zo[t], ys[t], reduction="sum")
        else:
            a[t] = torch.softmax(zo[t], 0)
            loss = loss + -(ys[t] * torch.log_softmax(zo[t], 0)).sum()
    loss.backward()
    return dict(P=P, Pt=Pt, V=V, bV=bV, xs=xs, ys=ys, h=h, c=c, pre=pre, gate=gate, zo=zo, a=a)


def check(seed, output=OUTPUT):
    R = run(seed, output)
    P, Pt, V, h, c, pre, gate, zo = (R[k] for k in ("P", "Pt", "V", "h", "c", "pre", "gate", "zo"))
    d = lambda u: u.detach()
    res = {}

    def put(key, ok):
        res[key] = res.get(key, True) and bool(ok)

    step = {n: [None] + [Pt[n][t].grad for t in range(1, T + 1)] for n in P}
    for t in range(1, T + 1):
        hp, x, cp = d(h[t - 1]), d(R["xs"][t]), d(c[t - 1])
        f_, i_, cc, o_ = (d(gate[t][k]) for k in GATES)
        ct, ht = d(c[t]), d(h[t])
        a_, y_ = d(R["a"][t]), R["ys"][t]
        delta = h[t].grad                                   # delta_t = dloss/dh_t
        dz = {k: pre[t][k].grad for k in GATES}             # delta_{z_kt}
        # (15) delta^{l+1}_{x_t} = dloss/dz_t . dz_t/dh_t = (a - y) . V^T
        Jz_h = jac(lambda q: q @ V + R["bV"], ht)
        put("eq15", close(zo[t].grad @ Jz_h, (a_ - y_) @ V.T) and close(zo[t].grad, a_ - y_))
        # (16) delta_t = dloss/dh_t = delta_{h_t} + delta_{x_t} = (a - y) . V^T
        from_next = delta - (a_ - y_) @ V.T                  # delta^l_{h_t}: what step t+1 passes back
        put("eq16", close(delta, from_next + (a_ - y_) @ V.T) and close(delta, (a_ - y_) @ V.T))
        # (17) delta_{z_ot} = delta . diag[tanh c] . diag[o(1-o)] = delta o tanh(c) o o o (1-o)
        Jh_o = jac(lambda q: q * torch.tanh(ct), o_)
        Jo_z = jac(torch.sigmoid, d(pre[t]["o"]))
        ok = close(dz["o"], delta @ Jh_o @ Jo_z)
        ok &= close(dz["o"], delta @ torch.diag(torch.tanh(ct)) @ torch.diag(o_ * (1 - o_)))
        ok &= close(dz["o"], delta * torch.tanh(ct) * o_ * (1 - o_))
        put("eq17", ok)
        # (18) delta_{c_t} = dloss/dc_t = dloss/dh . dh/dtanh(c) . dtanh(c)/dc = delta o o o (1 - tanh^2 c)
        th = torch.tanh(ct)
        Jh_th = jac(lambda q: o_ * q, th)
        Jth_c = jac(torch.tanh, ct)
        ok = close(c[t].grad, delta @ Jh_th @ Jth_c)
        ok &= close(c[t].grad, delta @ torch.diag(o_) @ torch.diag(1 - th ** 2))
        ok &= close(c[t].grad, delta * o_ * (1 - th ** 2))
        put("eq18", ok)
        dc = c[t].grad                                      # delta_{c_t} = dloss/dc_t (whole)
        # (19) delta_{z_c~t} = dloss/dc . dc/dc~ . dc~/dz = delta_c diag[i] diag[1 - c~^2]
        Jc_cc = jac(lambda q: f_ * cp + i_ * q, cc)
        Jcc_z = jac(torch.tanh, d(pre[t]["c"]))
        ok = close(dz["c"], dc @ Jc_cc @ Jcc_z)
        ok &= close(dz["c"], dc @ torch.diag(i_) @ torch.diag(1 - cc ** 2))
        ok &= close(dz["c"], dc * i_ * (1 - cc ** 2))
        put("eq19", ok)
        # (20) delta_{z_it} = delta_c diag[c~] diag[i(1-i)]
        Jc_i = jac(lambda q: f_ * cp + q * cc, i_)
        Ji_z = jac(torch.sigmoid, d(pre[t]["i"]))
        ok = close(dz["i"], dc @ Jc_i @ Ji_z)
        ok &= close(dz["i"], dc @ torch.diag(cc) @ torch.diag(i_ * (1 - i_)))
        ok &= close(dz["i"], dc * cc * i_ * (1 - i_))
        put("eq20", ok)
        # (21) delta_{z_ft} = delta_c diag[c_{t-1}] diag[f(1-f)]
        Jc_f = jac(lambda q: q * cp + i_ * cc, f_)
        Jf_z = jac(torch.sigmoid, d(pre[t]["f"]))
        ok = close(dz["f"], dc @ Jc_f @ Jf_z)
        ok &= close(dz["f"], dc @ torch.diag(cp) @ torch.diag(f_ * (1 - f_)))
        ok &= close(dz["f"], dc * cp * f_ * (1 - f_))
        put("eq21", ok)
        # (22)-(24) step t's parts of W_o, U_o, b_o: dloss/dz_o . dz_o/dW = h_{t-1}^T . delta_{z_o}, x^T . delta, delta
        Jzo_W = jac(lambda M: hp @ M + x @ P["Uo"] + P["bo"], P["Wo"])
        Jzo_U = jac(lambda M: hp @ P["Wo"] + x @ M + P["bo"], P["Uo"])
        Jzo_b = jac(lambda bb: hp @ P["Wo"] + x @ P["Uo"] + bb, P["bo"])
        put("eq22", close(step["Wo"][t], torch.einsum("k,kij->ij", dz["o"], Jzo_W))
            and close(step["Wo"][t], torch.outer(hp, dz["o"])))
        put("eq23", close(step["Uo"][t], torch.einsum("k,kij->ij", dz["o"], Jzo_U))
            and close(step["Uo"][t], torch.outer(x, dz["o"])))
        put("eq24", close(step["bo"][t], dz["o"] @ Jzo_b) and close(step["bo"][t], dz["o"]))
        # (37) delta_{h_{t-1}} = dloss/dh_{t-1} = sum_k dloss/dz_k . dz_k/dh_{t-1} = sum_k delta_{z_k} W_k^T
        chain = sum(dz[k] @ jac(lambda q, k=k: q @ P["W" + k] + x @ P["U" + k] + P["b" + k], hp) for k in GATES)
        formula = sum(dz[k] @ P["W" + k].T for k in GATES)
        put("eq37", close(h[t - 1].grad, chain) and close(h[t - 1].grad, formula))
        # (38) delta_{x_t} = dloss/dx_t = sum_k delta_{z_k} U_k^T
        chain = sum(dz[k] @ jac(lambda q, k=k: hp @ P["W" + k] + q @ P["U" + k] + P["b" + k], x) for k in GATES)
        formula = sum(dz[k] @ P["U" + k].T for k in GATES)
        put("eq38", close(R["xs"][t].grad, chain) and close(R["xs"][t].grad, formula))
    # (25)-(36) sums over t
    sums = {"eq25": ("Wo", "o", "h"), "eq26": ("Uo", "o", "x"), "eq27": ("bo", "o", None),
            "eq28": ("Wc", "c", "h"), "eq31": ("Wi", "i", "h"), "eq34": ("Wf", "f", "h")}
    for key, (n, k, inp) in sums.items():
        total = sum(step[n][t] for t in range(1, T + 1))
        parts = sum(step[n][t] for t in range(1, T + 1))
        formula = 0
        for t in range(1, T + 1):
            dzt = pre[t][k].grad
            if inp is None:
                formula = formula + dzt
            else:
                v = d(h[t - 1]) if inp == "h" else d(R["xs"][t])
                formula = formula + torch.outer(v, dzt)
        put(key, close(total, parts) and close(total, formula))
    return res


def truths():
    r0, r1 = check(0), check(1)
    return {k: r0[k] and r1[k] for k in r0}


if __name__ == "__main__":
    for k, v in truths().items():
        print(k, v)
    s0, s1 = check(0, "softmax"), check(1, "softmax")
    print("same verdicts with softmax + cross-entropy:", {k: s0[k] and s1[k] for k in s0} == truths())
