r"""Truth of the checked displays of dragonhyq/bptt, bptt/main.tex ("Back Propagation Through Time For
Vanilla Recurrent Neural Network", Yongqiang Huang), section "Scalar form", by torch.autograd only.

The notes' model (scalar): s_t = tanh(U x_t + W s_{t-1}), hat y_t = sigm(V s_t) (the logistic sigmoid),
E_t = -y_t log hat y_t, t >= 1, s_0 given.  T = 4 steps, float64, random U, W, V, x_t, y_t, s_0, two seeds,
every step t (the s_3 display at t = 3).

Readings (the notes write one symbol for two derivatives):
  * dE_t/dV, dE_t/dW, dE_t/dU on a left side are total derivatives of E_t; ds_t/dW, ds_t/dU on a left side
    are total (through every earlier state); ds_k/dW inside a sum over k, and the first term
    ds_t/dW dW/dW of the recursion, are the immediate derivatives (s_{k-1} held fixed), as the notes'
    "total derivative" paragraph says; dW/dW = 1.
  * ds_t/ds_k (k < t) is the derivative of s_t by s_k through the chain (one state: total = chain).
"""
import torch

torch.set_default_dtype(torch.float64)
T = 4
IDS = ["dEdV", "dEdW", "ds_rec", "ds3", "ds_sum", "path_Wpow", "dsdW_Wpow", "dEdU", "dsdU_Wpow"]


def close(a, b):
    return torch.allclose(torch.as_tensor(a), torch.as_tensor(b), rtol=1e-9, atol=1e-12)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda: torch.randn((), generator=g)
    U, W, V = r(), r(), r()
    x = [None] + [r() for _ in range(T)]
    y = [None] + [torch.rand((), generator=g) for _ in range(T)]
    s0 = r()

    def forward(U, W, V):
        s = [s0]
        for t in range(1, T + 1):
            s.append(torch.tanh(U * x[t] + W * s[t - 1]))
        yh = [None] + [torch.sigmoid(V * s[t]) for t in range(1, T + 1)]
        E = [None] + [-y[t] * torch.log(yh[t]) for t in range(1, T + 1)]
        return s, yh, E

    def d(f, v):  # derivative of a scalar function of one scalar argument
        v = v.detach().requires_grad_()
        (gv,) = torch.autograd.grad(f(v), v)
        return gv

    s, yh, E = forward(U, W, V)
    s = [q.detach() for q in s]
    yh = [None] + [q.detach() for q in yh[1:]]
    tot = lambda t, wrt: d(lambda p: forward(*[p if n == wrt else q for n, q in zip("UWV", (U, W, V))])[2][t], {"U": U, "W": W, "V": V}[wrt])
    stot = lambda t, wrt: d(lambda p: forward(*[p if n == wrt else q for n, q in zip("UWV", (U, W, V))])[0][t], {"U": U, "W": W, "V": V}[wrt])
    simm_W = lambda k: d(lambda w: torch.tanh(U * x[k] + w * s[k - 1]), W)          # immediate ds_k/dW
    simm_U = lambda k: d(lambda u: torch.tanh(u * x[k] + W * s[k - 1]), U)
    jac = lambda k: d(lambda sp: torch.tanh(U * x[k] + W * sp), s[k - 1])          # ds_k/ds_{k-1}

    def chain(t, k):  # ds_t/ds_k
        p = torch.ones(())
        for i in range(k + 1, t + 1):
            p = p * jac(i)
        return p

    res = {k: True for k in IDS}
    for t in range(1, T + 1):
        dEdyh = d(lambda q: -y[t] * torch.log(q), yh[t])
        # dE_t/dV = dE_t/dyh_t dyh_t/dV
        res["dEdV"] &= close(tot(t, "V"), dEdyh * d(lambda v: torch.sigmoid(v * s[t]), V))
        dyhds = d(lambda q: torch.sigmoid(V * q), s[t])
        # dE_t/dW = dE_t/dyh_t dyh_t/ds_t ds_t/dW
        res["dEdW"] &= close(tot(t, "W"), dEdyh * dyhds * stot(t, "W"))
        # dE_t/dU likewise
        res["dEdU"] &= close(tot(t, "U"), dEdyh * dyhds * stot(t, "U"))
        # ds_t/dW = ds_t/dW dW/dW + ds_t/ds_{t-1} ds_{t-1}/dW
        prev = stot(t - 1, "W") if t > 1 else torch.zeros(())
        res["ds_rec"] &= close(stot(t, "W"), simm_W(t) * 1.0 + jac(t) * prev)
        # ds_t/dW = sum_k ds_t/ds_k ds_k/dW (= the expanded sum)
        sumk = sum(chain(t, k) * simm_W(k) for k in range(1, t + 1))
        res["ds_sum"] &= close(stot(t, "W"), sumk)
        # ds_t/ds_k ds_k/dW = ... = W W W ... ds_k/dW = W^{t-k} ds_k/dW
        for k in range(1, t + 1):
            res["path_Wpow"] &= close(chain(t, k) * simm_W(k), W ** (t - k) * simm_W(k))
        # ds_t/dW = sum_k W^{t-k} ds_k/dW ; ds_t/dU = sum_k W^{t-k} ds_k/dU
        res["dsdW_Wpow"] &= close(stot(t, "W"), sum(W ** (t - k) * simm_W(k) for k in range(1, t + 1)))
        res["dsdU_Wpow"] &= close(stot(t, "U"), sum(W ** (t - k) * simm_U(k) for k in range(1, t + 1)))
    # the s_3 expansion (three rows)
    t = 3
    row1 = simm_W(3) + jac(3) * simm_W(2) + jac(3) * jac(2) * simm_W(1)
    row2 = 1.0 * simm_W(3) + chain(3, 2) * simm_W(2) + chain(3, 1) * simm_W(1)
    row3 = sum(chain(3, k) * simm_W(k) for k in range(1, 4))
    res["ds3"] = bool(close(stot(3, "W"), row1) and close(row1, row2) and close(row2, row3))
    return res


def truths():
    r1, r2 = run(1), run(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
