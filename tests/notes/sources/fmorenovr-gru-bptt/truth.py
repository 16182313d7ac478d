r"""Truth of the checked displays of fmorenovr-gru-bptt (notes.md), without symbptt.

The page's GRU: u = W_z a^{<t-1>} + U_z x^{<t>} + b_z, z = g_1(u); v = W_r a^{<t-1>} + U_r x^{<t>} + b_r,
r = g_2(v); s = W_c (r o a^{<t-1>}) + U_c x^{<t>} + b_c, c = g_3(s);
a^{<t>} = (1 - z) o a^{<t-1>} + z o c; q = V a^{<t>} + b_y, yhat = g_4(q);
L = sum_{t=1}^{T_y} E^{(t)}.  The page takes "the loss function as softmax": g_4 = softmax and
E^{(t)} = - y^{<t>} log(yhat^{<t>}) (its inline formula, a dot product; y^{<t>} a probability
vector).  g_1 = g_2 = sigmoid, g_3 = tanh (the page: "usually").  a^{<0>} is a fixed random vector.
Sizes: x in R^2, a in R^3, y in R^3, T_y = 4.

Readings (see source.toml): "." is whatever product fits - a row gradient times a matrix, an
elementwise product of two vectors (or of a row gradient and a diagonal Jacobian written as its
diagonal), and the outer product with a final (.)^T; a vector standing where a Jacobian is meant
(1 - z, c - a^{<t-1>}) is that diagonal Jacobian; "vector o matrix" scales the matrix's rows.
Every derivative dE/dX is the total derivative (all paths) unless the display itself says otherwise.
"""
import torch

torch.set_default_dtype(torch.float64)
N_IN, H, M, T = 2, 3, 3, 4
TOL = 1e-9
IDS = ["dE_dV", "da_dz", "dEt_dWz_step", "dEt_dat", "dEt_datm1", "da_datm1", "da_datm1_short",
       "dEt1_dat", "dEt_dWz", "dL_dUz", "dL_dWz", "dL_dWr", "dL_dWc", "dL_dV"]


def close(x, y):
    return torch.allclose(x, y, rtol=0, atol=TOL)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g)
    P = {k: rnd(H, H).requires_grad_() for k in ("W_z", "W_r", "W_c")}
    P.update({k: rnd(H, N_IN).requires_grad_() for k in ("U_z", "U_r", "U_c")})
    P.update({k: rnd(H).requires_grad_() for k in ("b_z", "b_r", "b_c")})
    P["V"] = rnd(M, H).requires_grad_()
    P["b_y"] = rnd(M).requires_grad_()
    xs = [rnd(N_IN) for _ in range(T + 1)]          # xs[1..T]
    ys = [torch.softmax(rnd(M), 0) for _ in range(T + 1)]
    a0 = rnd(H).requires_grad_()

    def gates(a_prev, x):
        u = P["W_z"] @ a_prev + P["U_z"] @ x + P["b_z"]
        v = P["W_r"] @ a_prev + P["U_r"] @ x + P["b_r"]
        z, r = torch.sigmoid(u), torch.sigmoid(v)
        s = P["W_c"] @ (r * a_prev) + P["U_c"] @ x + P["b_c"]
        c = torch.tanh(s)
        return u, v, s, z, r, c

    def cell(a_prev, x):
        u, v, s, z, r, c = gates(a_prev, x)
        return (1 - z) * a_prev + z * c

    a = [a0]; S = [None]; yh = [None]; E = [None]
    for t in range(1, T + 1):
        u, v, s, z, r, c = gates(a[t - 1], xs[t])
        S.append(dict(u=u, v=v, s=s, z=z, r=r, c=c))
        a.append((1 - z) * a[t - 1] + z * c)
        yh.append(torch.softmax(P["V"] @ a[t] + P["b_y"], 0))
        E.append(-(ys[t] * torch.log(yh[t])).sum())
    L = sum(E[1:])

    def grad(f, x):
        return torch.autograd.grad(f, x, retain_graph=True)[0]

    def jac(fn, x):
        return torch.autograd.functional.jacobian(fn, x.detach())

    V = P["V"].detach()
    dsig = lambda w: torch.sigmoid(w) * (1 - torch.sigmoid(w))
    det = lambda d: {k: w.detach() for k, w in d.items()}
    St = [None] + [det(S[t]) for t in range(1, T + 1)]
    ap = [w.detach() for w in a]
    e = [None] + [V.T @ (yh[t] - ys[t]).detach() for t in range(1, T + 1)]      # (yhat - y) . V
    J = [None] + [jac(lambda w, t=t: cell(w, xs[t]), ap[t - 1]) for t in range(1, T + 1)]
    e_next = [None] + [(V.T @ (yh[t + 1] - ys[t + 1]).detach()) @ J[t + 1] if t < T else torch.zeros(H)
                       for t in range(1, T + 1)]                                # dE^{(t+1)}/da^{<t>}
    res = {k: True for k in IDS}

    def upd(k, ok):
        res[k] = res[k] and bool(ok)

    for t in range(1, T + 1):
        s_, apr = St[t], ap[t - 1]
        # dE^{(t)}/dV = (yhat - y) . (a)^T
        upd("dE_dV", close(grad(E[t], P["V"]), torch.outer((yh[t] - ys[t]).detach(), ap[t])))
        # da/dz = c - a^{<t-1>} (a's own equation, a^{<t-1>} and c held fixed): diagonal Jacobian
        Jz = jac(lambda w: (1 - w) * apr + w * s_["c"], s_["z"])
        upd("da_dz", close(Jz, torch.diag(s_["c"] - apr)))
        # dE^{(t)}/dW_z = dE^{(t)}/da^{<t>} . (c - a^{<t-1>}) . dz/du . (a^{<t-1>})^T
        rhs = torch.outer(e[t] * (s_["c"] - apr) * dsig(s_["u"]), apr)
        upd("dEt_dWz_step", close(grad(E[t], P["W_z"]), rhs))
        # dE^{(t)}/da^{<t>} = (yhat - y) . V
        upd("dEt_dat", close(grad(E[t], a[t]), e[t]))
        # dE^{(t)}/da^{<t-1>} = dE^{(t)}/da^{<t>} da^{<t>}/da^{<t-1>} = (yhat - y) . V . da^{<t>}/da^{<t-1>}
        lhs = grad(E[t], a[t - 1])
        upd("dEt_datm1", close(lhs, grad(E[t], a[t]) @ J[t]) and close(lhs, e[t] @ J[t]))
        # da^{<t>}/da^{<t-1>} = (1 - z) + dz/da^{<t-1>} o (c - a^{<t-1>}) + z o dc/da^{<t-1>}
        Jzz = jac(lambda w: gates(w, xs[t])[3], apr)
        Jcc = jac(lambda w: gates(w, xs[t])[5], apr)
        rhs = torch.diag(1 - s_["z"]) + (s_["c"] - apr)[:, None] * Jzz + s_["z"][:, None] * Jcc
        upd("da_datm1", close(J[t], rhs))
        # da^{<t>}/da^{<t-1>} = (1 - z) + dz/du W_z o (c - a^{<t-1>})   (no candidate term)
        B = torch.diag(dsig(s_["u"])) @ P["W_z"].detach()
        rows = torch.diag(1 - s_["z"]) + (s_["c"] - apr)[:, None] * B
        cols = torch.diag(1 - s_["z"]) + B * (s_["c"] - apr)[None, :]
        upd("da_datm1_short", close(J[t], rows) or close(J[t], cols))
        # dE^{(t+1)}/da^{<t>} = (yhat^{<t+1>} - y^{<t+1>}) . V . da^{<t+1>}/da^{<t>}
        if t < T:
            upd("dEt1_dat", close(grad(E[t + 1], a[t]), e_next[t]))
        # dE^{(t)}/dW_z = (dE^{(t)}/da^{<t>} + dE^{(t+1)}/da^{<t>}) . (c - a^{<t-1>}) . dz/du . (a^{<t-1>})^T
        rhs = torch.outer((e[t] + e_next[t]) * (s_["c"] - apr) * dsig(s_["u"]), apr)
        upd("dEt_dWz", close(grad(E[t], P["W_z"]), rhs))

    # the summary: dL/dX = sum_t [ (dE^{(t)}/da^{<t>} + dE^{(t+1)}/da^{<t>}) . ... ]
    def summary(delta):
        out = dict(U_z=0, W_z=0, W_r=0, W_c=0, V=0)
        for t in range(1, T + 1):
            s_, apr, d = St[t], ap[t - 1], delta[t]
            gz = d * (s_["c"] - apr) * dsig(s_["u"])
            gc = d * s_["z"] * (1 - s_["c"] ** 2)
            gr = (gc @ P["W_c"].detach()) * apr * dsig(s_["v"])
            out["U_z"] = out["U_z"] + torch.outer(gz, xs[t])
            out["W_z"] = out["W_z"] + torch.outer(gz, apr)
            out["W_r"] = out["W_r"] + torch.outer(gr, apr)
            out["W_c"] = out["W_c"] + torch.outer(gc, s_["r"] * apr)
            out["V"] = out["V"] + torch.outer((yh[t] - ys[t]).detach(), ap[t])
        return out

    two_step = summary([None] + [e[t] + e_next[t] for t in range(1, T + 1)])
    total = summary([None] + [grad(L, a[t]) for t in range(1, T + 1)])
    for key, name in (("U_z", "dL_dUz"), ("W_z", "dL_dWz"), ("W_r", "dL_dWr"),
                      ("W_c", "dL_dWc"), ("V", "dL_dV")):
        true = grad(L, P[key])
        assert close(total[key], true), key           # the summary's shape is right with the total dL/da^{<t>}
        upd(name, close(two_step[key], true))
    return res


def truths():
    r1, r2 = run(1), run(2)
    for k in IDS:
        assert r1[k] == r2[k], k
    return r1


if __name__ == "__main__":
    print(truths())
