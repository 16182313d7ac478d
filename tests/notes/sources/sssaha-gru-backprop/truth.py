"""Truth of the checked displays of "Feedforward and Backward Propagation in Gated Recurrent Unit (GRU)"
(blog post, sssaha/sssaha.github.io, _posts/2019-12-09-blog-post-1.md), without symbptt.

The post's own model (its forward displays and the node decomposition g_1 ... g_12):
    z_t = sigma(W_zh h_{t-1} + W_zx x_t),   r_t = sigma(W_rh h_{t-1} + W_rx x_t)
    tilde h_t = f(W_h (r_t o h_{t-1}) + W_x x_t),   h_t = z_t o h_{t-1} + (1 - z_t) o tilde h_t
with f = tanh, sigma the logistic sigmoid, no biases, column vectors, '\ast' the matrix product.
The post never writes the loss: "the gradient of loss with respect to output is known".  Any loss
of the outputs h_1..h_T will do; this file takes L = sum_t (a_t . h_t + 1/2 sum_i b_{t,i} h_{t,i}^2)
with random a_t, b_t (so that every step and every entry of h_t gets a nonzero gradient).

Reading of the names (denominator layout, the shape of the variable):
  Delta_X L   the derivative of L by the node X of step t (g_1 ... g_12, z_t, r_t, tilde h_t, x_t,
              h_{t-1}), with every path counted (what autograd gives for that node);
  Delta_W L   for a weight W: step t's share, the derivative of L by the copy of W used at step t
              (the post treats one cell at one time stamp; the full gradient is the sum over t).
'+=' rows are code-style accumulations, not equations.
Sizes: hidden 3, input 2, T = 4; every step, every entry, two random seeds.
"""
import torch

torch.set_default_dtype(torch.float64)
H, D, T = 3, 2, 4
IDS = ("g11_g12", "dz_part", "dhtilde", "dhprev_part", "dg10", "dg8_g9", "dWx", "dxt_part",
       "dWh", "dg7", "drt", "dg6", "dg4_g5", "dWrx", "dWrh", "dg3", "dg1_g2", "dWzx", "dWzh")


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    P = {"Wzh": r(H, H), "Wzx": r(H, D), "Wrh": r(H, H), "Wrx": r(H, D), "Wh": r(H, H), "Wx": r(H, D)}
    a = [r(H) for _ in range(T + 1)]
    b = [r(H) for _ in range(T + 1)]
    xs = [None] + [r(D).requires_grad_(True) for _ in range(T)]
    h0 = r(H).requires_grad_(True)
    cp = {t: {k: v.clone().requires_grad_(True) for k, v in P.items()} for t in range(1, T + 1)}
    sig = torch.sigmoid
    h = {0: h0}
    n = {}
    L = 0.0
    for t in range(1, T + 1):
        q, x, hp = cp[t], xs[t], h[t - 1]
        g1 = q["Wzh"] @ hp
        g2 = q["Wzx"] @ x
        g3 = g1 + g2
        z = sig(g3)
        g4 = q["Wrh"] @ hp
        g5 = q["Wrx"] @ x
        g6 = g4 + g5
        rr = sig(g6)
        g7 = rr * hp
        g8 = q["Wh"] @ g7
        g9 = q["Wx"] @ x
        g10 = g8 + g9
        ht = torch.tanh(g10)
        g11 = z * hp
        g12 = (1 - z) * ht
        h[t] = g11 + g12
        n[t] = dict(g1=g1, g2=g2, g3=g3, z=z, g4=g4, g5=g5, g6=g6, r=rr, g7=g7, g8=g8, g9=g9, g10=g10,
                    ht=ht, g11=g11, g12=g12, h=h[t])
        for v in n[t].values():
            v.retain_grad()
        L = L + (a[t] * h[t]).sum() + 0.5 * (b[t] * h[t] ** 2).sum()
    L.backward()
    d = lambda v: v.detach()
    res = {k: True for k in IDS}

    def put(k, ok):
        res[k] = res[k] and bool(ok)

    dsig = lambda v: torch.sigmoid(v) * (1 - torch.sigmoid(v))
    for t in range(1, T + 1):
        G = {k: d(v.grad) for k, v in n[t].items()}
        N = {k: d(v) for k, v in n[t].items()}
        PG = {k: d(v.grad) for k, v in cp[t].items()}
        hp = d(h[t - 1])
        hp_grad = d(h[t - 1].grad)      # full dL/dh_{t-1} (h_0 is a leaf: its own gradient)
        x, xg = d(xs[t]), d(xs[t].grad)
        put("g11_g12", _close(G["g11"], G["g12"]) and _close(G["g12"], G["h"]))
        put("dz_part", _close(G["z"], -G["g12"] * N["ht"]))
        assert _close(G["z"], -G["g12"] * N["ht"] + G["g11"] * hp)      # after the '+=' row
        put("dhtilde", _close(G["ht"], G["g12"] * (1 - N["z"])))

        put("dhprev_part", _close(hp_grad, G["g11"] * N["z"]))
        put("dg10", _close(G["g10"], G["ht"] * (1 - torch.tanh(N["g10"]) ** 2)))
        put("dg8_g9", _close(G["g8"], G["g9"]) and _close(G["g9"], G["g10"]))
        put("dWx", _close(PG["Wx"], torch.outer(G["g9"], x)))
        put("dxt_part", _close(xg, P["Wx"].T @ G["g9"]))
        assert _close(xg, P["Wx"].T @ G["g9"] + P["Wrx"].T @ G["g5"] + P["Wzx"].T @ G["g2"])
        put("dWh", _close(PG["Wh"], torch.outer(G["g8"], N["g7"])))
        put("dg7", _close(G["g7"], P["Wh"].T @ G["g8"]))
        put("drt", _close(G["r"], G["g7"] * hp))
        put("dg6", _close(G["g6"], G["r"] * dsig(N["g6"])))
        put("dg4_g5", _close(G["g4"], G["g5"]) and _close(G["g5"], G["g6"]))
        put("dWrx", _close(PG["Wrx"], torch.outer(G["g5"], x)))
        put("dWrh", _close(PG["Wrh"], torch.outer(G["g4"], hp)))
        put("dg3", _close(G["g3"], G["z"] * dsig(N["g3"])))
        put("dg1_g2", _close(G["g1"], G["g2"]) and _close(G["g2"], G["g3"]))
        put("dWzx", _close(PG["Wzx"], torch.outer(G["g2"], x)))
        put("dWzh", _close(PG["Wzh"], torch.outer(G["g1"], hp)))
        # what step t passes back to h_{t-1} after all four rows (the '+=' rows included)
        back = G["g11"] * N["z"] + G["g7"] * N["r"] + P["Wrh"].T @ G["g4"] + P["Wzh"].T @ G["g1"]
        if t == 1:
            assert _close(hp_grad, back)            # h_0 feeds only step 1
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
