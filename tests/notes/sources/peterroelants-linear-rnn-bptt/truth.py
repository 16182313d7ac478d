r"""Truth of the checked displays of peterroelants/peterroelants.github.io,
notebooks/rnn_implementation/rnn-implementation-part01.ipynb ("How to implement an RNN (1/2) -
Minimal example"), by torch.autograd only.

The notes' model (their inline equation and prose): one scalar state, s_k = s_{k-1} w_rec + x_k w_x
for k = 1..n, s_0 = 0 ("this initial state is set to 0"), the output y is the last state s_n, and the
loss xi is the mean squared error over the sequences (one sequence here: xi = (t - y)^2).  The
displays write the state as S_k (the inline model writes s_k): the same quantity.  n = 4, float64,
two random points (w_rec, w_x, x_1..x_n, t), every step k.

Readings: dxi/dS_k is the total derivative of xi by the state S_k.  The w_x display sums from k = 0:
the term dxi/dS_0 x_0 has an input x_0 the model never reads (inputs are x_1..x_n); it is evaluated
with a random x_0 (the display holds only if x_0 is read as 0).
"""
import torch

torch.set_default_dtype(torch.float64)
N = 4
IDS = ["rec1", "start", "dparams", "rec2", "jac_m"]


def close(a, b):
    return torch.allclose(torch.as_tensor(a), torch.as_tensor(b), rtol=1e-9, atol=1e-12)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda: torch.randn((), generator=g)
    w_rec = r().requires_grad_()
    w_x = r().requires_grad_()
    x = [r() for _ in range(N + 1)]          # x[0] is the x_0 of the k = 0 term (unused by the model)
    t = r()
    s = [torch.zeros(()).requires_grad_()]   # s_0 = 0, a leaf so that dxi/dS_0 exists
    for k in range(1, N + 1):
        s.append(s[k - 1] * w_rec + x[k] * w_x)
    y = s[N]
    xi = (t - y) ** 2

    def gr(v):
        (gv,) = torch.autograd.grad(xi, v, retain_graph=True)
        return gv

    dS = [gr(s[k]) for k in range(N + 1)]
    res = {}
    # dxi/dS_{k-1} = dxi/dS_k dS_k/dS_{k-1} = dxi/dS_k w_rec
    ok = True
    for k in range(1, N + 1):
        (jac,) = torch.autograd.grad(s[k], s[k - 1], retain_graph=True)   # dS_k/dS_{k-1}
        ok &= close(dS[k - 1], dS[k] * jac) and close(dS[k] * jac, dS[k] * w_rec)
    res["rec1"] = res["rec2"] = bool(ok)
    # dxi/dy = dxi/dS_n
    res["start"] = bool(close(gr(y), dS[N]))
    # dxi/dw_x = sum_{k=0}^n dxi/dS_k x_k ;  dxi/dw_rec = sum_{k=1}^n dxi/dS_k S_{k-1}
    gwx, gwrec = torch.autograd.grad(xi, [w_x, w_rec], retain_graph=True)
    wx_ok = close(gwx, sum(dS[k] * x[k] for k in range(0, N + 1)))
    assert close(gwx, sum(dS[k] * x[k] for k in range(1, N + 1)))       # from k = 1 it holds
    wrec_ok = close(gwrec, sum(dS[k] * s[k - 1] for k in range(1, N + 1)))
    res["dparams"] = bool(wx_ok and wrec_ok)
    # dS_k/dS_{k-m} = dS_k/dS_{k-1} ... dS_{k-m+1}/dS_{k-m} = w_rec^m   (0 < m <= k)
    ok = True
    for k in range(1, N + 1):
        for m in range(1, k + 1):
            (d,) = torch.autograd.grad(s[k], s[k - m], retain_graph=True)
            prod = torch.ones(())
            for j in range(k - m + 1, k + 1):
                (dj,) = torch.autograd.grad(s[j], s[j - 1], retain_graph=True)
                prod = prod * dj
            ok &= close(d, prod) and close(prod, w_rec ** m)
    res["jac_m"] = bool(ok)
    return res


def truths():
    r1, r2 = run(1), run(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
