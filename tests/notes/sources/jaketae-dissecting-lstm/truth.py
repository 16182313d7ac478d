"""Truth of the checked displays of Jake Tae, "Dissecting LSTMs" (2020).

Source's model (display (1)-(7)): column vectors, stacking [h_{t-1}, x_t] (h first), gates f, i, o sigmoid,
candidate C~ tanh, C_t = f o C_{t-1} + i o C~, h_t = o o tanh(C_t), yhat_t = softmax(W_y h_t + b_y).
The loss is not written as a display; the text says "given a cross entropy loss function" and the code it
follows (Kristiadi's) sums the cross-entropy of every step: L = sum_t CE(yhat_t, y_t).

How each display is read (from the post's own text):
* the post's backward is one step t of the loop: dL/dW_y, dL/db_y, dL/db_o, dL/dW_o are step t's
  contribution (the gradient by a per-step copy of the parameter);
* in dL/dh_t = ... + dL/dh_t and dL/dC_t = ... + dL/dCt the last term is, as the text says, "the gradient
  from the next pass": the part of dL/dh_t (dL/dC_t) that flows through step t+1; the left side is the total;
* dL/dC_{t-1} = dL/dC_t . f_t is "passed onto the next iteration": the part of dL/dC_{t-1} through C_t;
* '.' between two vectors is the elementwise product; a_C = tanh(C_t), a_o = W_o[h_{t-1},x_t] + b_o (prose);
* a chain-rule member such as dL/dz . dz/dW_y is taken as the chain rule (it holds); the closed forms are
  evaluated as written with the forward's shapes (W_y is V x H, X a column), so a product whose shapes do not
  fit, or that gives the transpose, does not hold.
"""
import torch

H, d, V, T = 3, 2, 4, 3
TOL = 1e-9


def mm(a, b):
    try:
        return a @ b
    except RuntimeError:
        return None


def same(a, b):
    return a is not None and b is not None and a.shape == b.shape and torch.allclose(a, b, atol=TOL, rtol=1e-7)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)
    W = {n: rnd(H, H + d) for n in "fiCo"}
    b = {n: rnd(H, 1) for n in "fiCo"}
    Wy, by = rnd(V, H), rnd(V, 1)
    xs = [rnd(d, 1) for _ in range(T + 1)]
    ys = [torch.nn.functional.one_hot(torch.randint(0, V, (1,), generator=g), V).double().T for _ in range(T + 1)]
    Wyk = {t: Wy.clone().requires_grad_(True) for t in range(1, T + 1)}
    byk = {t: by.clone().requires_grad_(True) for t in range(1, T + 1)}
    Wok = {t: W["o"].clone().requires_grad_(True) for t in range(1, T + 1)}
    bok = {t: b["o"].clone().requires_grad_(True) for t in range(1, T + 1)}
    h_rec = {0: rnd(H, 1).requires_grad_(True)}
    C_rec = {0: rnd(H, 1).requires_grad_(True)}
    N = {}
    L = 0
    for t in range(1, T + 1):
        X = torch.cat([h_rec[t - 1], xs[t]], 0)      # forward stacking [h_{t-1}, x_t]
        X.retain_grad()
        m = {n: (Wok[t] if n == "o" else W[n]) @ X + (bok[t] if n == "o" else b[n]) for n in "fiCo"}
        for v in m.values():
            v.retain_grad()
        f, i, Ct, o = torch.sigmoid(m["f"]), torch.sigmoid(m["i"]), torch.tanh(m["C"]), torch.sigmoid(m["o"])
        for v in (f, i, Ct, o):
            v.retain_grad()
        C = f * C_rec[t - 1] + i * Ct
        C.retain_grad()
        C_h = C * 1.0                                  # copy of C_t feeding h_t
        C_r = C * 1.0                                  # copy of C_t feeding C_{t+1}
        C_h.retain_grad(); C_r.retain_grad()
        aC = torch.tanh(C_h)
        aC.retain_grad()
        h = o * aC
        h.retain_grad()
        h_o = h * 1.0                                  # copy of h_t feeding the output layer
        h_r = h * 1.0                                  # copy of h_t feeding step t+1
        h_o.retain_grad(); h_r.retain_grad()
        z = Wyk[t] @ h_o + byk[t]
        z.retain_grad()
        yhat = torch.softmax(z, 0)
        L = L + (-(ys[t] * torch.log(yhat)).sum())
        N[t] = dict(X=X, m=m, f=f, i=i, Ct=Ct, o=o, C=C, C_h=C_h, C_r=C_r, aC=aC, h=h, h_o=h_o, h_r=h_r, z=z,
                    yhat=yhat.detach(), y=ys[t], x=xs[t], hprev=h_rec[t - 1].detach())
        h_rec[t], C_rec[t] = h_r, C_r
    L.backward()
    return dict(N=N, W=W, Wy=Wy, Wyk=Wyk, byk=byk, Wok=Wok, bok=bok, C0=C_rec[0])


def gr(v):
    return v.grad if v.grad is not None else torch.zeros_like(v)


def check(seed):
    R = run(seed)
    N, W, Wy = R["N"], R["W"], R["Wy"]
    res = {}
    def put(k, ok):
        res[k] = res.get(k, True) and bool(ok)
    for t in range(1, T + 1):
        n = N[t]
        gz, gh, go, gaC, gC = n["z"].grad, n["h"].grad, n["o"].grad, n["aC"].grad, n["C"].grad
        yhat, y = n["yhat"], n["y"]
        h, o, C, f = n["h"].detach(), n["o"].detach(), n["C"].detach(), n["f"].detach()
        carry_h = gr(n["h_r"])                         # dL/dh_t through step t+1 ("from the next pass")
        carry_C = gr(n["C_r"])                         # dL/dC_t through C_{t+1}
        # dL/dz = yhat - y
        put("dz", same(gz, yhat - y))
        # dL/dW_y = dL/dz . dz/dW_y = h_t^T (yhat - y)     (step t's part)
        put("dWy", same(R["Wyk"][t].grad, mm(h.T, yhat - y)))
        # dL/db_y = dL/dz = yhat - y
        put("dby", same(R["byk"][t].grad, gz) and same(gz, yhat - y))
        # dL/dh_t = dL/dz dz/dh_t + [next pass] = (yhat - y) W_y^T + [next pass]
        first = Wy.T @ gz + carry_h
        second = mm(yhat - y, Wy.T)
        put("dh", same(gh, first) and second is not None and same(gh, second + carry_h))
        # dL/do_t = dL/dh_t . dh_t/do_t = dL/dh_t . tanh(C_t)
        put("do", same(go, gh * torch.tanh(C)))
        # dL/da_C = dL/dh_t . o_t
        put("daC", same(gaC, gh * o))
        # dL/dC_t = dL/da_C . da_C/dC_t + [next] = dL/dh_t . o_t . (1 - tanh^2 C_t) + [next]
        put("dC", same(gC, gaC * (1 - torch.tanh(C) ** 2) + carry_C)
            and same(gC, gh * o * (1 - torch.tanh(C) ** 2) + carry_C))
        # dL/da_o = dL/do_t . do_t/da_o = dL/dh_t . tanh(C_t) . sigma(o_t)(1 - sigma(o_t))
        gao = n["m"]["o"].grad
        put("dao", same(gao, go * o * (1 - o)) and
            same(gao, gh * torch.tanh(C) * torch.sigmoid(o) * (1 - torch.sigmoid(o))))
        # dL/db_o = dL/da_o
        put("dbo", same(R["bok"][t].grad, gao))
        # dL/dW_o = dL/da_o . da_o/dW_o = X^T dL/da_o,  X = (x_t | h_{t-1})
        Xsrc = torch.cat([n["x"], n["hprev"]], 0)
        put("dWo", same(R["Wok"][t].grad, mm(Xsrc.T, gao)))
        # dL/dX = sum_a dL/da_t . da_t/dm_t . W_a^T   (a_t the gate output, m_t its pre-activation)
        gX = n["X"].grad
        tot = 0
        ok = True
        for a in "fiCo":
            r = mm(n["m"][a].grad, W[a].T)
            if r is None:
                ok = False
                break
            tot = tot + r
        put("dX", ok and same(gX, tot))
        # dL/dC_{t-1} = dL/dC . dC/dC_{t-1} = dL/dC_t . f_t   (the part passed to step t-1, through C_t)
        passed = gr(N[t - 1]["C_r"]) if t > 1 else gr(R["C0"])
        put("dCprev", same(passed, gC * f))
    return res


def truths():
    a, b = check(0), check(1)
    return {k: a[k] and b[k] for k in a}


if __name__ == "__main__":
    print(truths())
