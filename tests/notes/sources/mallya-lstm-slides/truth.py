"""Truth of the checked displays of Arun Mallya's "LSTM Forward and Backward Pass" slides
(arunmallya/arunmallya.github.io, writeups/nn/lstm/index.html).

The slides' own model (no separate biases: "x^t (including the bias term)"):
    a^t = tanh(W_c x^t + U_c h^{t-1}) = tanh(hat a^t),  i^t = sigma(hat i^t),  f^t = sigma(hat f^t),
    o^t = sigma(hat o^t),  z^t = [hat a; hat i; hat f; hat o] = W x I^t,  I^t = [x^t; h^{t-1}],
    c^t = i^t o a^t + f^t o c^{t-1},   h^t = o^t o tanh(c^t).
The error E is generic ("Given delta h^t = dE/dh^t"); here E = sum_t softmax cross-entropy of V h^t.
Readings:
  delta X = dE/dX, the total derivative (the slides: "Given delta h^t = dE/dh^t", "Given delta c^t =
  dE/dc^t"); entries X_i; dX_i/dY_i inside a chain is the immediate derivative (the node's own equation).
  "delta c^t += rhs" (red +=, "added to gradient from time step (t+1)") is read as: the total delta c^t
  is the gradient from step t+1 (delta c^{t+1} o f^{t+1}, zero at t = T) plus rhs.
  delta W^t: step t's share of dE/dW (derivative by the copy of W used at step t); the undefined X^t in
  delta W^t = delta z^t x (X^t)^T is read as I^t.  delta I^t = dE/dI^t (I^t feeds only z^t).
Sizes: 3 memory cells, input 2 (the last entry of x^t is the constant 1, the bias term), 4 classes,
T = 4, h^0 and c^0 random; every step and entry; seeds 0 and 1.
"""
import torch

torch.set_default_dtype(torch.float64)
Dm, N, K, T = 3, 2, 4, 4


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    W = r(4 * Dm, N + Dm)
    V = r(K, Dm)
    xs = {t: torch.cat([r(N - 1), torch.ones(1)]) for t in range(1, T + 1)}
    ys = {t: int(torch.randint(0, K, (1,), generator=g)[0]) for t in range(1, T + 1)}
    Wc = {t: W.clone().requires_grad_(True) for t in range(1, T + 1)}   # per-step copies
    h = {0: r(Dm).requires_grad_(True)}
    c = {0: r(Dm).requires_grad_(True)}
    n = {}
    E = 0.0
    for t in range(1, T + 1):
        I = torch.cat([xs[t], h[t - 1]])
        z = Wc[t] @ I
        ah, ih, fh, oh = z[:Dm], z[Dm:2 * Dm], z[2 * Dm:3 * Dm], z[3 * Dm:]
        a, i, f, o = torch.tanh(ah), torch.sigmoid(ih), torch.sigmoid(fh), torch.sigmoid(oh)
        c[t] = i * a + f * c[t - 1]
        h[t] = o * torch.tanh(c[t])
        n[t] = dict(I=I, z=z, ah=ah, ih=ih, fh=fh, oh=oh, a=a, i=i, f=f, o=o, c=c[t], h=h[t])
        for v in n[t].values():
            v.retain_grad()
        E = E - torch.log_softmax(V @ h[t], 0)[ys[t]]
    E.backward()
    D = lambda v: v.detach()
    G = {t: {k: D(v.grad) for k, v in n[t].items()} for t in range(1, T + 1)}
    X = {t: {k: D(v) for k, v in n[t].items()} for t in range(1, T + 1)}
    dW = {t: D(Wc[t].grad) for t in range(1, T + 1)}
    dc0 = D(c[0].grad)
    c0 = D(c[0])
    one_m_tanh2 = lambda v: 1 - torch.tanh(v) ** 2
    res = {}

    # backward_output
    ok_o = ok_cchain = ok_acc = True
    for t in range(1, T + 1):
        q, s = G[t], X[t]
        # dE/do_i = dE/dh_i dh_i/do_i = delta h_i tanh(c_i); delta o = delta h o tanh(c)
        ok_o &= _close(q["o"], q["h"] * torch.tanh(s["c"]))
        # dE/dc_i = dE/dh_i dh_i/dc_i = delta h_i o_i (1 - tanh^2 c_i)
        ok_cchain &= _close(q["c"], q["h"] * s["o"] * one_m_tanh2(s["c"]))
        # delta c^t += delta h o o o (1 - tanh^2 c): total = (from t+1) + share through h^t
        from_next = G[t + 1]["c"] * X[t + 1]["f"] if t < T else torch.zeros(Dm)
        ok_acc &= _close(q["c"], from_next + q["h"] * s["o"] * one_m_tanh2(s["c"]))
    res["backward_output"] = ok_o and ok_cchain and ok_acc
    res["_output_o_part"], res["_output_c_chain"], res["_output_acc"] = ok_o, ok_cchain, ok_acc

    # backward_cell
    ok_iaf = ok_prev = True
    for t in range(1, T + 1):
        q, s = G[t], X[t]
        cprev = X[t - 1]["c"] if t > 1 else c0
        ok_iaf &= _close(q["i"], q["c"] * s["a"]) and _close(q["f"], q["c"] * cprev) \
            and _close(q["a"], q["c"] * s["i"])
        dcprev = G[t - 1]["c"] if t > 1 else dc0
        ok_prev &= _close(dcprev, q["c"] * s["f"])
    res["backward_cell"] = ok_iaf and ok_prev
    res["_cell_gates"], res["_cell_prev"] = ok_iaf, ok_prev

    # backward_gates
    ok_a = ok_rest = True
    for t in range(1, T + 1):
        q, s = G[t], X[t]
        ok_a &= _close(q["ah"], q["a"] * (1 - torch.tanh(s["a"]) ** 2))
        ok_rest &= _close(q["ih"], q["i"] * s["i"] * (1 - s["i"])) \
            and _close(q["fh"], q["f"] * s["f"] * (1 - s["f"])) \
            and _close(q["oh"], q["o"] * s["o"] * (1 - s["o"])) \
            and _close(q["z"], torch.cat([q["ah"], q["ih"], q["fh"], q["oh"]]))
        assert _close(q["ah"], q["a"] * (1 - s["a"] ** 2))     # the right derivative
    res["backward_gates"] = ok_a and ok_rest
    res["_gates_a"], res["_gates_rest"] = ok_a, ok_rest

    # backward_input: delta I^t = W^T delta z^t, delta W^t = delta z^t (I^t)^T
    ok = True
    for t in range(1, T + 1):
        ok &= _close(G[t]["I"], W.T @ G[t]["z"]) and _close(dW[t], torch.outer(G[t]["z"], X[t]["I"]))
    res["backward_input"] = ok

    # parameter_update: delta W = sum_t delta W^t (delta W = dE/dW of the shared W)
    Ws = W.clone().requires_grad_(True)
    hh, cc = D(h[0]), c0
    E2 = 0.0
    for t in range(1, T + 1):
        z = Ws @ torch.cat([xs[t], hh])
        a, i, f, o = torch.tanh(z[:Dm]), torch.sigmoid(z[Dm:2 * Dm]), torch.sigmoid(z[2 * Dm:3 * Dm]), torch.sigmoid(z[3 * Dm:])
        cc = i * a + f * cc
        hh = o * torch.tanh(cc)
        E2 = E2 - torch.log_softmax(V @ hh, 0)[ys[t]]
    E2.backward()
    res["parameter_update"] = _close(D(Ws.grad), sum(dW[t] for t in range(1, T + 1)))
    return res


def truths():
    r0, r1 = _run(0), _run(1)
    return {k: r0[k] and r1[k] for k in r0 if not k.startswith("_")}


if __name__ == "__main__":
    r0, r1 = _run(0), _run(1)
    for k in r0:
        print(f"{k:18s} {'holds' if (r0[k] and r1[k]) else 'fails'}")
