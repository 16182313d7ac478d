r"""Truth of the checked displays of datvodinh10/DL_library_from_scratch, Formula/LSTMFormula.ipynb
(LSTM "Formula" / "Backward" cells), by torch.autograd only.

The notes' model: f_t = d(W_f[h_{t-1},x_t]+b_f), i_t, o_t likewise (d, written with the Greek delta, is the
logistic sigmoid: the backward cell differentiates it as o_t(1-o_t)), tilde C_t = tanh(W_c[h_{t-1},x_t]+b_C),
C_t = f_t (.) C_{t-1} + i_t (.) tilde C_t, h_t = o_t (.) tanh(C_t), z = h_t x W_z + b_z, L = (z-y)^2.
Read as: gates W_g [h_{t-1}; x_t] with W_g of shape H x (H+D) (the product as written, matrix first);
z = h_t W_z + b_z with h_t a row and W_z of shape H x K (the shape cell: W_z (N_h, N_o)); L = sum (z-y)^2
(a squared norm).  z and L carry no step: the loss is read at the last step t = T (many-to-one), and every
display is checked at t = T.  Hidden 3, input 2, output 4, T = 4, float64, random h_0, C_0, two seeds.

Readings:
  * dL/dX of a vector is a vector of X's shape; a product of two vectors written side by side is
    elementwise; "\frac{C_t}{d_{f_t}}" (no d on top) is read as dC_t/df_t, likewise o_t/dW_o;
  * dL/dW_g, dL/db_g are the parts from step T's use of the shared parameter (its copy at step T), as
    the displays speak of one cell; a vector times [h_{t-1},x_t] is the outer product (the gradient of
    W_g in W_g[h;x] has W_g's shape H x (H+D));
  * W_t in dL/dh_t (no such parameter) is read as W_z: dL/dz (a K-row) times W_z (H x K) does not multiply.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
H, D, K, T = 3, 2, 4, 4
IDS = ["dz", "dh", "do", "dC", "df", "di", "dCt", "dWo", "dWf", "dWi", "dWc", "dWz",
       "dbo", "dbf", "dbi", "dbc", "dbz"]


def close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    P = {n: r(H, H + D) for n in "fioc"}
    B = {n: r(H) for n in "fioc"}
    Wz, bz = r(H, K), r(K)
    xs = {t: r(D) for t in range(1, T + 1)}
    y = r(K)
    h, C = r(H), r(H)
    # per-step copies of the shared parameters; step T's copies give the step-T parts
    cp = {t: {n: P[n].clone().requires_grad_() for n in "fioc"} for t in range(1, T + 1)}
    cb = {t: {n: B[n].clone().requires_grad_() for n in "fioc"} for t in range(1, T + 1)}
    Wz_ = Wz.clone().requires_grad_()
    bz_ = bz.clone().requires_grad_()
    for t in range(1, T + 1):
        hx = torch.cat([h, xs[t]])
        f = torch.sigmoid(cp[t]["f"] @ hx + cb[t]["f"])
        i = torch.sigmoid(cp[t]["i"] @ hx + cb[t]["i"])
        Ct = torch.tanh(cp[t]["c"] @ hx + cb[t]["c"])
        C_prev = C
        C = f * C_prev + i * Ct
        o = torch.sigmoid(cp[t]["o"] @ hx + cb[t]["o"])
        h = o * torch.tanh(C)
    z = h @ Wz_ + bz_
    L = ((z - y) ** 2).sum()
    nodes = dict(z=z, h=h, o=o, C=C, f=f, i=i, Ct=Ct)
    gr = dict(zip(nodes, torch.autograd.grad(L, list(nodes.values()), retain_graph=True)))
    gW = dict(zip("fioc", torch.autograd.grad(L, [cp[T][n] for n in "fioc"], retain_graph=True)))
    gb = dict(zip("fioc", torch.autograd.grad(L, [cb[T][n] for n in "fioc"], retain_graph=True)))
    gWz, gbz = torch.autograd.grad(L, [Wz_, bz_])
    f, i, o, C, Ct, C_prev, h, hx = (v.detach() for v in (f, i, o, C, Ct, C_prev, h, hx))
    res = {}
    res["dz"] = close(gr["z"], z.detach() - y)
    assert close(gr["z"], 2 * (z.detach() - y))
    # dL/dh = dL/dz dz/dh (holds: dL/dz W_z^T) = dL/dz W_t (W_z: K-row times H x K does not multiply)
    chain_ok = close(gr["h"], gr["z"] @ Wz.T)
    try:
        last = gr["z"] @ Wz
    except RuntimeError:
        last = None
    res["dh"] = chain_ok and last is not None and close(gr["h"], last)
    res["do"] = close(gr["o"], gr["h"] * torch.tanh(C))
    res["dC"] = close(gr["C"], gr["h"] * o * (1 - torch.tanh(C) ** 2))
    res["df"] = close(gr["f"], gr["C"] * C_prev)
    res["di"] = close(gr["i"], gr["C"] * Ct)
    res["dCt"] = close(gr["Ct"], gr["C"] * i)
    outer = lambda v: torch.outer(v, hx)
    # dL/dW_o = dL/do o/dW_o = dL/do o(1-o) [h_{t-1},x_t]
    res["dWo"] = close(gW["o"], outer(gr["o"] * o * (1 - o)))
    res["dWf"] = close(gW["f"], outer(gr["i"] * f * (1 - f)))          # dL/di_t where dL/df_t belongs
    assert close(gW["f"], outer(gr["f"] * f * (1 - f)))
    res["dWi"] = close(gW["i"], outer(gr["i"] * i * (1 - i)))
    res["dWc"] = close(gW["c"], outer(gr["Ct"] * Ct * (1 - Ct)))       # sigmoid' for a tanh gate
    assert close(gW["c"], outer(gr["Ct"] * (1 - Ct ** 2)))
    res["dWz"] = close(gWz, torch.outer(gr["z"], h))                    # K x H, W_z is H x K
    assert close(gWz, torch.outer(h, gr["z"]))
    # biases: the middle term is dL/d(gate) d(gate)/dW_g (as written, by W), a matrix, not dL/db_g
    res["dbo"] = close(gb["o"], gW["o"]) and close(gb["o"], gr["o"] * o * (1 - o))
    res["dbf"] = close(gb["f"], gW["f"]) and close(gb["f"], gr["i"] * f * (1 - f))
    res["dbi"] = close(gb["i"], gW["i"]) and close(gb["i"], gr["i"] * i * (1 - i))
    res["dbc"] = close(gb["c"], gW["c"]) and close(gb["c"], gr["Ct"] * Ct * (1 - Ct))
    res["dbz"] = close(gbz, gWz) and close(gbz, gr["z"])
    assert close(gb["o"], gr["o"] * o * (1 - o)) and close(gb["i"], gr["i"] * i * (1 - i)) and close(gbz, gr["z"])
    return res


def truths():
    r1, r2 = run(1), run(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
