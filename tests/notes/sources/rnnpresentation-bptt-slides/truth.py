r"""Truth of the checked displays of the RNNpresentation slides, without symbptt.

The slides' "very simple RNN" (no biases):
    a^(t) = W h^(t-1) + U x^(t),  h^(t) = sigma(a^(t)),  o^(t) = V h^(t),
    yhat^(t) = softmax(o^(t)),     L^(t) = CE(y^(t), yhat^(t)) = -sum_i y_i log yhat_i
with y^(t) one-hot.  \grad{X}{L} is the gradient of L by X, shaped like X;
\outerp{a}{b} = (a) b^T and \dotpPright{A}{b} = A^T (b) (the slides' macros).
W^(t), U^(t) are the copies of W, U used at step t of the unrolled graph, so
grad_{U^(t)} L is the gradient by that copy alone.  sigma is the logistic
function, whence h o (1 - h) is its derivative.
"""
import torch

torch.set_default_dtype(torch.float64)
H, X, K, T = 3, 2, 3, 4  # hidden, input, vocabulary, steps


def _close(a, b):
    return torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    W, U, V = r(H, H), r(H, X), r(K, H)
    xs = {t: r(X) for t in range(1, T + 1)}
    ys = {t: torch.nn.functional.one_hot(torch.randint(0, K, (1,), generator=g)[0], K).double()
          for t in range(1, T + 1)}
    h0 = r(H)
    # one leaf copy of W, U, V per step (the slides' W^(t), U^(t))
    Wc = {t: W.clone().requires_grad_(True) for t in range(1, T + 1)}
    Uc = {t: U.clone().requires_grad_(True) for t in range(1, T + 1)}
    Vc = {t: V.clone().requires_grad_(True) for t in range(1, T + 1)}
    h, a, o, yh, L = {0: h0}, {}, {}, {}, {}
    for t in range(1, T + 1):
        a[t] = Wc[t] @ h[t - 1] + Uc[t] @ xs[t]
        h[t] = torch.sigmoid(a[t])
        o[t] = Vc[t] @ h[t]
        yh[t] = torch.softmax(o[t], 0)
        L[t] = -(ys[t] * torch.log(yh[t])).sum()

    def grad(out, wrt):
        (gr,) = torch.autograd.grad(out, wrt, retain_graph=True, allow_unused=True)
        return torch.zeros_like(wrt) if gr is None else gr

    def grad_shared(out, copies, upto):  # gradient by the shared matrix = sum over the copies
        return sum(grad(out, copies[t]) for t in range(1, upto + 1))

    res = {}
    ok_v = ok_w = ok_u = True
    for tau in range(1, T + 1):
        # grad_V L^(tau) = (grad_{o^(tau)} L^(tau)) h^(tau)^T
        ok_v &= _close(grad_shared(L[tau], Vc, T), torch.outer(grad(L[tau], o[tau]), h[tau].detach()))
        # grad_W L^(tau) = sum_{t<=tau} grad_{W^(t)} L^(tau)
        ok_w &= _close(grad_shared(L[tau], Wc, T), sum(grad(L[tau], Wc[t]) for t in range(1, tau + 1)))
        ok_u &= _close(grad_shared(L[tau], Uc, T), sum(grad(L[tau], Uc[t]) for t in range(1, tau + 1)))
    res["gradV_tau"], res["gradW_tau"], res["gradU_tau"] = ok_v, ok_w, ok_u

    L3 = L[3]
    gU = {t: grad(L3, Uc[t]) for t in (1, 2, 3)}
    res["gradU_L3_sum"] = (_close(grad_shared(L3, Uc, T), sum(gU.values()))
                           and _close(sum(gU.values()), gU[1] + gU[2] + gU[3]))

    hd = {t: h[t].detach() for t in h}
    dsig = {t: hd[t] * (1 - hd[t]) for t in (1, 2, 3)}
    gh3 = grad(L3, h[3])
    ga3 = grad(L3, a[3])
    err = yh[3].detach() - ys[3]
    # U^(3): three rows
    rows = [torch.outer(ga3, xs[3]),
            torch.outer(gh3 * dsig[3], xs[3]),
            torch.outer((V.T @ err) * dsig[3], xs[3])]
    res["gradU3_L3"] = all(_close(gU[3], r_) for r_ in rows)
    # U^(2): five rows
    gh2, ga2 = grad(L3, h[2]), grad(L3, a[2])
    rows = [torch.outer(ga2, xs[2]),
            torch.outer(gh2 * dsig[2], xs[2]),
            torch.outer((W.T @ ga3) * dsig[2], xs[2]),
            torch.outer((W.T @ (gh3 * dsig[3])) * dsig[2], xs[2]),
            torch.outer((W.T @ ((V.T @ err) * dsig[3])) * dsig[2], xs[2])]
    res["gradU2_L3"] = all(_close(gU[2], r_) for r_ in rows)
    # U^(1): seven rows
    gh1, ga1 = grad(L3, h[1]), grad(L3, a[1])
    rows = [torch.outer(ga1, xs[1]),
            torch.outer(gh1 * dsig[1], xs[1]),
            torch.outer((W.T @ ga2) * dsig[1], xs[1]),
            torch.outer((W.T @ (gh2 * dsig[2])) * dsig[1], xs[1]),
            torch.outer((W.T @ ((W.T @ ga3) * dsig[2])) * dsig[1], xs[1]),
            torch.outer((W.T @ ((W.T @ (gh3 * dsig[3])) * dsig[2])) * dsig[1], xs[1]),
            torch.outer((W.T @ ((W.T @ ((V.T @ err) * dsig[3])) * dsig[2])) * dsig[1], xs[1])]
    res["gradU1_L3"] = all(_close(gU[1], r_) for r_ in rows)
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in a}


if __name__ == "__main__":
    print(truths())
