"""Truth of the checked display of latex/lstm.tex in yuangliu/15618prj (CMU 15-618 project "CuLSTM"),
the LSTM backward pass written as one aligned block.

The note's forward pass: f, i, o = sigma(W x_t + U h_{t-1} + b), c'_t = tanh(W_c x_t + U_c h_{t-1} + b_c),
c_t = f o c_{t-1} + i o c'_t, h_t = o o tanh(c_t), h_0 = c_0 = 0 (the note says so; truth.py uses
random h_0, c_0, which changes nothing in the rules).

The block is code-like, and is read as follows:
  * delta X is the error signal -dL/dX with L = 1/2 sum_t ||target_t - h_t||^2 (the only loss under
    which "delta h_t += target_t - h_t" is the output error; h_t is the network output, no output layer);
  * "+=" accumulates onto what step t+1 passed back: delta h_t arrives holding
    sum U^T delta hat(.)_{t+1} (the last row, one step later) and delta c_t holding delta c_{t+1} o f_{t+1}
    (the row delta c_{t-1} = delta c_t o f_t, one step later); both are zero at the last step;
  * delta hat i_t, delta hat f_t, delta hat o_t, delta hat c'_t are the errors at the gates'
    pre-activations (the rows delta W = delta hat(.) x^T, delta U = ... h_{t-1}^T use them so);
  * the rows with the subscript list {i,f,o,c} hold one equation per gate; delta W, delta U, delta b
    are step t's shares of -dL/dW, -dL/dU, -dL/db; delta h_{t-1} is the part step t passes back;
  * tanh'(c_t) = 1 - tanh^2(c_t).
The display holds only if every row holds at every step t = 1..T, every entry (two random seeds).
Sizes: input M = 2, hidden N = 3, T = 4.
"""
import torch

torch.set_default_dtype(torch.float64)
MI, N, T = 2, 3, 4
G = ("i", "f", "o", "c")


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    P = {}
    for n in G:
        P["W" + n], P["U" + n], P["b" + n] = r(N, MI), r(N, N), r(N)
    xs = [None] + [r(MI) for _ in range(T)]
    tg = [None] + [r(N) for _ in range(T)]
    cp = {t: {k: v.clone().requires_grad_(True) for k, v in P.items()} for t in range(1, T + 1)}
    h = {0: r(N)}
    c = {0: r(N)}
    a, gt = {}, {}
    L = 0.0
    act = {"i": torch.sigmoid, "f": torch.sigmoid, "o": torch.sigmoid, "c": torch.tanh}
    for t in range(1, T + 1):
        q = cp[t]
        a[t] = {n: q["W" + n] @ xs[t] + q["U" + n] @ h[t - 1] + q["b" + n] for n in G}
        for v in a[t].values():
            v.retain_grad()
        gt[t] = {n: act[n](a[t][n]) for n in G}
        for v in gt[t].values():
            v.retain_grad()
        c[t] = gt[t]["f"] * c[t - 1] + gt[t]["i"] * gt[t]["c"]
        c[t].retain_grad()
        h[t] = gt[t]["o"] * torch.tanh(c[t])
        h[t].retain_grad()
        L = L + 0.5 * ((tg[t] - h[t]) ** 2).sum()
    L.backward()
    d = lambda v: v.detach()
    err = lambda v: -d(v.grad)                 # delta X = -dL/dX
    dh = {t: err(h[t]) for t in range(1, T + 1)}
    dc = {t: err(c[t]) for t in range(1, T + 1)}
    dg = {t: {n: err(gt[t][n]) for n in G} for t in range(1, T + 1)}
    da = {t: {n: err(a[t][n]) for n in G} for t in range(1, T + 1)}
    V = {t: {n: d(gt[t][n]) for n in G} for t in range(1, T + 1)}
    hd = {t: d(h[t]) for t in h}
    cd = {t: d(c[t]) for t in c}

    rows = {}

    def put(k, ok):
        rows[k] = rows.get(k, True) and bool(ok)

    for t in range(1, T + 1):
        carried_h = torch.zeros(N) if t == T else sum(P["U" + n].T @ da[t + 1][n] for n in G)
        carried_c = torch.zeros(N) if t == T else dc[t + 1] * V[t + 1]["f"]
        # delta h_t += target_t - h_t
        put("dh", _close(dh[t], carried_h + (tg[t] - hd[t])))
        # delta o_t = delta h_t o tanh(c_t)
        put("do", _close(dg[t]["o"], dh[t] * torch.tanh(cd[t])))
        # delta c_t += delta h_t o o_t o tanh'(c_t)
        put("dc", _close(dc[t], carried_c + dh[t] * V[t]["o"] * (1 - torch.tanh(cd[t]) ** 2)))
        put("di", _close(dg[t]["i"], dc[t] * V[t]["c"]))
        put("df", _close(dg[t]["f"], dc[t] * cd[t - 1]))
        put("dc'", _close(dg[t]["c"], dc[t] * V[t]["i"]))
        # delta c_{t-1} = delta c_t o f_t : the part step t passes back to c_{t-1}
        put("dc_prev", _close(torch.autograd.functional.jacobian(
            lambda x: V[t]["f"] * x + V[t]["i"] * V[t]["c"], cd[t - 1]).T @ dc[t], dc[t] * V[t]["f"]))
        # delta hat i_t = delta c_t o c'_t ; delta hat f_t = delta c_t o c_{t-1}   (first pair)
        put("dhat_i_1", _close(da[t]["i"], dc[t] * V[t]["c"]))
        put("dhat_f_1", _close(da[t]["f"], dc[t] * cd[t - 1]))
        put("dhat_c'", _close(da[t]["c"], dg[t]["c"] * (1 - V[t]["c"] ** 2)))
        put("dhat_i_2", _close(da[t]["i"], dg[t]["i"] * V[t]["i"] * (1 - V[t]["i"])))
        put("dhat_f_2", _close(da[t]["f"], dg[t]["f"] * V[t]["f"] * (1 - V[t]["f"])))
        put("dhat_o", _close(da[t]["o"], dg[t]["o"] * V[t]["o"] * (1 - V[t]["o"])))
        for n in G:
            put("dW", _close(-d(cp[t]["W" + n].grad), torch.outer(da[t][n], xs[t])))
            put("dU", _close(-d(cp[t]["U" + n].grad), torch.outer(da[t][n], hd[t - 1])))
            put("db", _close(-d(cp[t]["b" + n].grad), da[t][n]))
        # delta h_{t-1} = sum U^T delta hat(.)_t : the part step t passes back to h_{t-1}
        passed = sum(torch.autograd.functional.jacobian(
            lambda x: act[n](P["W" + n] @ xs[t] + P["U" + n] @ x + P["b" + n]), hd[t - 1]).T @ dg[t][n]
            for n in G)
        put("dh_prev", _close(passed, sum(P["U" + n].T @ da[t][n] for n in G)))
    wrong = sorted(k for k, v in rows.items() if not v)
    assert wrong == ["dhat_f_1", "dhat_i_1"], wrong   # only the first delta hat i / delta hat f rows fail
    return {"lstm_backward_block": all(rows.values())}


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in a}


if __name__ == "__main__":
    print(truths())
