"""Truth of the checked displays of "Backpropagation LSTM" (HU Berlin Information Systems seminar
project, thsis/INFOSYS, blog/Thomas_Blogpost_IS.ipynb), without symbptt.

The notebook's own model (its forward displays (1)-(6) and its code; two hidden units, a scalar
input x_t per step, no biases; h_0 = c_0 = 0, one label y):
    i_t = sigma(W_i x_t + U_i h_{t-1}),  f_t = sigma(W_f x_t + U_f h_{t-1}),
    o_t = sigma(W_o x_t + U_o h_{t-1}),  tilde c_t = g(W_c x_t + U_c h_{t-1}),  g = tanh
    c_t = f_t * c_{t-1} + i_t * tilde c_t,   h_t = o_t * g(c_t),   hat y_t = w^T h_t
    loss_t = 1/2 (y - hat y_t)^2,   loss = sum_t loss_t
W_* and w are 2-vectors (2 x 1), U_* are 2 x 2.

Readings.  The macros \\Ofull, \\Ifull, \\Ffull print sigma(W_o + U_o h_{t-1}) (no x_t), while the
entry macros \\ofull, ... and \\Ctilfull have x_t: both readings of sigma'(...) are tried, the
literal one (W + U h_{t-1}) and the intended one (W x_t + U h_{t-1}); a display whose member
differs from the left side under both readings fails.  d loss / d W_o and the like (left sides)
are the total derivatives of loss = sum_t loss_t; the first right-hand members (sum over t of
d loss_t/d hat y_t times the chain through o_t / c_t only) are computed by autograd with h_{t-1},
c_{t-1} detached at every step (step t's share).  The sum is over t = 1..T.  "*" is elementwise,
[a & a] two copies of the column a side by side, [a^T \\\\ a^T] two copies of the row stacked.
The label y is one number (the notebook's y; \\Uc's display writes y_t for the same label).
sigma(x) in the activation display is the printed exp(-x)/(1 + exp(-x)).
T = 4, two random seeds, every step and entry.
"""
import torch

torch.set_default_dtype(torch.float64)
T = 4
IDS = ("dloss_dyhat", "activations", "dWo", "dUo", "dWf", "dUf", "dWi", "dUi", "dWc", "dUc", "dw")
NAMES = ("Wi", "Wf", "Wo", "Wc", "Ui", "Uf", "Uo", "Uc", "w")


def close(a, b):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


def two(col):            # [a & a]
    return torch.stack([col, col], dim=1)


def rows(row):           # [a^T \\ a^T]
    return torch.stack([row, row], dim=0)


def _run(seed):
    gen = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=gen)
    P = {k: r(2) for k in ("Wi", "Wf", "Wo", "Wc")}
    P.update({k: r(2, 2) for k in ("Ui", "Uf", "Uo", "Uc")})
    P["w"] = r(2)
    y = float(r(1))
    xs = [None] + [float(v) for v in r(T)]
    sig, g = torch.sigmoid, torch.tanh
    dsig = lambda v: sig(v) * (1 - sig(v))
    dg = lambda v: 1 - torch.tanh(v) ** 2

    def forward(p, detach):
        h, c = torch.zeros(2), torch.zeros(2)
        steps, loss = [None], 0.0
        for t in range(1, T + 1):
            x = xs[t]
            hp, cp = (h.detach(), c.detach()) if detach else (h, c)
            i = sig(p["Wi"] * x + p["Ui"] @ hp)
            f = sig(p["Wf"] * x + p["Uf"] @ hp)
            o = sig(p["Wo"] * x + p["Uo"] @ hp)
            ct = g(p["Wc"] * x + p["Uc"] @ hp)
            c = f * cp + i * ct
            h = o * g(c)
            yhat = p["w"] @ h
            loss_t = 0.5 * (y - yhat) ** 2
            loss = loss + loss_t
            steps.append(dict(x=x, hp=hp.detach(), cp=cp.detach(), i=i.detach(), f=f.detach(), o=o.detach(),
                              ct=ct.detach(), c=c.detach(), h=h.detach(), yhat=yhat, loss_t=loss_t))
        return loss, steps

    def grads(detach):
        p = {k: v.clone().requires_grad_(True) for k, v in P.items()}
        loss, steps = forward(p, detach)
        gs = torch.autograd.grad(loss, [p[k] for k in NAMES], retain_graph=True)
        return dict(zip(NAMES, gs)), steps

    total, steps = grads(False)       # left sides: d loss / d W, total
    trunc, _ = grads(True)            # first right-hand members: sum of step t's shares
    res = {k: True for k in IDS}

    def put(k, ok):
        res[k] = res[k] and bool(ok)

    # d loss_t / d hat y_t = (y - hat y_t)(-1)
    for t in range(1, T + 1):
        s = steps[t]
        (d,) = torch.autograd.grad(s["loss_t"], s["yhat"], retain_graph=True)
        put("dloss_dyhat", close(d, (y - s["yhat"].detach()) * (-1)))

    # activations: sigma(x) = exp(-x)/(1+exp(-x)) with d sigma/dx = sigma(1 - sigma); g = tanh, g' = 1 - tanh^2
    for xv in torch.randn(6, generator=gen):
        xx = xv.clone().requires_grad_(True)
        s_ = torch.exp(-xx) / (1 + torch.exp(-xx))
        (ds,) = torch.autograd.grad(s_, xx)
        put("activations", close(ds, s_.detach() * (1 - s_.detach())))
        xx = xv.clone().requires_grad_(True)
        (dgx,) = torch.autograd.grad(torch.tanh(xx), xx)
        put("activations", close(dgx, 1 - torch.tanh(xv) ** 2))

    # second members, under both readings of \Ofull, \Ifull, \Ffull; a display holds if it holds
    # under one of them
    ok = {k: [] for k in IDS}
    diag = {}
    for lit in (True, False):
        pre = lambda k, s: (P["W" + k] if lit else P["W" + k] * s["x"]) + P["U" + k] @ s["hp"]
        sums = {k: 0.0 for k in ("Wo", "Uo", "Wf", "Uf", "Wi", "Ui", "Wc", "Uc", "w")}
        for t in range(1, T + 1):
            s = steps[t]
            e = (y - s["yhat"].detach())
            w, x, hp = P["w"], s["x"], s["hp"]
            ao, af, ai = pre("o", s), pre("f", s), pre("i", s)
            ac = P["Wc"] * x + P["Uc"] @ hp
            o, c, cp, ct, i = s["o"], s["c"], s["cp"], s["ct"], s["i"]
            sums["Wo"] = sums["Wo"] + (-e) * w * g(c) * dsig(ao) * ct * x
            sums["Uo"] = sums["Uo"] + (-e) * two(w) * two(g(c)) * two(dsig(ao)) * two(ct) * rows(hp)
            sums["Wf"] = sums["Wf"] + (-e) * w * (o * dg(c)) * c * dsig(af) * x
            sums["Uf"] = sums["Uf"] + (-e) * two(w) * two(o) * dg(two(c)) * two(dsig(af)) * two(cp) * rows(hp)
            sums["Wi"] = sums["Wi"] + (-e) * w * o * dg(c) * ct * dsig(ai) * x
            sums["Ui"] = sums["Ui"] + e * two(w) * two(o) * dg(two(c)) * two(ct) * two(dsig(ai)) * rows(hp)
            sums["Wc"] = sums["Wc"] + e * w * o * dg(c) * i * dg(ac) * x
            # w * o * g'(c) * i * g'(...) is a 2-vector; "* [h^T \\ h^T]" read as [v & v] * [h^T \\ h^T]
            # (numpy broadcasting of a column, as the notebook's text says for the other U displays)
            v = w * o * dg(c) * i * dg(ac)
            sums["Uc"] = sums["Uc"] + e * two(v) * rows(hp)
            sums["w"] = sums["w"] + (-e) * s["h"]
        for k in ("Wo", "Uo", "Wf", "Uf", "Wi", "Ui", "Wc", "Uc"):
            did = "d" + k
            # both '=' of the display: total == first member == second member
            ok[did].append(close(total[k], trunc[k]) and close(trunc[k], sums[k]))
            diag[(did, "literal" if lit else "with x_t")] = (close(total[k], trunc[k]),
                                                              close(trunc[k], sums[k]),
                                                              close(total[k], sums[k]))
        ok["dw"].append(close(total["w"], trunc["w"]) and close(total["w"], sums["w"]))
    for k in ok:
        if ok[k]:
            put(k, any(ok[k]))
    return res, diag


def truths():
    out = {k: True for k in IDS}
    for seed in (0, 1):
        res, _ = _run(seed)
        for k in IDS:
            out[k] = out[k] and res[k]
    return out


if __name__ == "__main__":
    for k, v in truths().items():
        print(f"{k:12s} {'holds' if v else 'fails'}")
    for seed in (0, 1):
        print("seed", seed, "(total == first member, first == second, total == second)")
        for key, v in _run(seed)[1].items():
            print("  ", key, v)
