"""Truth of the checked displays of the DTU 02456 Deep Learning lab notebook "Week 5 - Recurrent Neural
Networks" (DeepLearningDTU/02456-deep-learning-with-PyTorch,
5_Transformers/5_3-Recurrent-Neural-Networks-Numpy.ipynb), Exercise D (backpropagation through time).

The notebook's own model:  h_t = f(U x_t + V h_{t-1}) with f = tanh (Exercise C says to use tanh),
o_t = W h_t,  hat y_t = softmax(o_t),  E = sum_t E_t(y_t, hat y_t), E_t the cross-entropy, y_t one-hot.
No biases in the markdown.  h_0 is random here (the notebook's code starts from zeros).
Readings: derivatives of E by vectors are rows (numerator layout): delta_{o,t} dO_t/dh_t is a row times a
Jacobian; dE/dW = sum_t dE/do_t do_t/dW contracts the row with the tensor do_t/dW.  In
dE/dU = sum_t dE/dh_t dh_t/dU, dE/dh_t is the total derivative and dh_t/dU the immediate one (h_{t-1}
held fixed) -- the only reading under which the notebook's "sum over time and use the chain rule" is
right; with dh_t/dU total the sum double counts.  delta_{h,T+1} = 0 (nothing after the last step).
Sizes: hidden 3, input 2, vocabulary 4, T = 4; every step and entry; seeds 0 and 1.
"""
import torch

torch.set_default_dtype(torch.float64)
H, D, K, T = 3, 2, 4, 4


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def jac(f, x):
    return torch.autograd.functional.jacobian(f, x)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    U = r(H, D).requires_grad_(True)
    V = r(H, H).requires_grad_(True)
    W = r(K, H).requires_grad_(True)
    xs = {t: r(D) for t in range(1, T + 1)}
    ys = {t: torch.nn.functional.one_hot(torch.randint(0, K, (1,), generator=g)[0], K).double()
          for t in range(1, T + 1)}
    h = {0: r(H)}
    o, yhat, Et = {}, {}, {}
    E = 0.0
    for t in range(1, T + 1):
        h[t] = torch.tanh(U @ xs[t] + V @ h[t - 1])
        h[t].retain_grad()
        o[t] = W @ h[t]
        o[t].retain_grad()
        yhat[t] = torch.softmax(o[t], 0)
        Et[t] = -(ys[t] * torch.log(yhat[t])).sum()
        E = E + Et[t]
    E.backward()
    Dt = lambda v: v.detach()
    dh = {t: Dt(h[t].grad) for t in range(1, T + 1)}
    dh[T + 1] = torch.zeros(H)
    do = {t: Dt(o[t].grad) for t in range(1, T + 1)}
    hv = {t: Dt(h[t]) for t in range(0, T + 1)}
    Uv, Vv, Wv = Dt(U), Dt(V), Dt(W)
    gU, gW = Dt(U.grad), Dt(W.grad)
    res = {}

    # dE_dW = sum_t dE/do_t do_t/dW
    s = sum(torch.einsum("k,kab->ab", do[t], jac(lambda M: M @ hv[t], Wv)) for t in range(1, T + 1))
    res["dE_dW"] = _close(gW, s)

    # delta_o: dE/do_t = dE_t/do_t = hat y_t - y_t
    ok = True
    for t in range(1, T + 1):
        dEt = jac(lambda oo: -(ys[t] * torch.log_softmax(oo, 0)).sum(), Dt(o[t]))
        ok &= _close(do[t], dEt) and _close(dEt, Dt(yhat[t]) - ys[t])
    res["delta_o"] = ok

    # dE_dU = sum_t dE/dh_t dh_t/dU  (dh_t/dU immediate)
    s = sum(torch.einsum("j,jab->ab", dh[t], jac(lambda M: torch.tanh(M @ xs[t] + Vv @ hv[t - 1]), Uv))
            for t in range(1, T + 1))
    res["dE_dU"] = _close(gU, s)

    # delta_h_recursion: delta_{h,t} = dE/do_t do_t/dh_t + dE/dh_{t+1} dh_{t+1}/dh_t
    #                                = delta_{o,t} do_t/dh_t + delta_{h,t+1} dh_{t+1}/dh_t
    ok = True
    for t in range(1, T + 1):
        Jo = jac(lambda hh: Wv @ hh, hv[t])
        if t < T:
            Jh = jac(lambda hh: torch.tanh(Uv @ xs[t + 1] + Vv @ hh), hv[t])
        else:
            Jh = torch.zeros(H, H)
        rhs = do[t] @ Jo + dh[t + 1] @ Jh
        ok &= _close(dh[t], rhs)
    res["delta_h_recursion"] = ok
    return res


def truths():
    r0, r1 = _run(0), _run(1)
    return {k: r0[k] and r1[k] for k in r0}


if __name__ == "__main__":
    for k, v in truths().items():
        print(f"{k:18s} {'holds' if v else 'fails'}")
