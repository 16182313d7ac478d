"""Truth of the checked displays of the LxMLS lab guide, Day "Deep Learning II: RNNs",
Algorithms "Forward pass" and "Backpropagation for a Recurrent Neural Network (RNN) with embeddings"
(pages/deep_learning/deep_learning_rnn.tex).

The guide's forward pass, for one sentence of M' steps (batch size 1), entry-wise:
    z^e_m = W^e x_m,  z^h_m = W^x z^e_m + W^h h_{m-1},  h_m = sigma(z^h_m),  z^y_m = W^y h_m,
    h^y_m = softmax(z^y_m) = p(y_m = . | x_{1:m})
and the cost (not displayed in this day; the previous day defines F as the mean of
-log p(y = k(m) | .) over the examples, and the gradients below carry the matching -1/M'):
    F(D_b; Theta) = -(1/M') sum_m log h^y_{k(m), m}.
The error vectors are what the backpropagation algorithm assigns:
    e^m_y = (W^y)^T (1_{k(m)} - h^y_m),  e_r = 0 initially, then for m = M'..1:
    e^m_h = (e_r + e^m_y) o h_m o (1 - h_m),  e_r = (W^h)^T e^m_h,  e^m_e = (W^x)^T e^m_h.
Both sides of each gradient display are compared entry by entry (gradients in the shape of the
weight matrix), at two random seeds.  Sizes: vocabulary I = 5, embedding E = 2, hidden J = 3,
classes K = 4, M' = 4.
"""
import torch

torch.set_default_dtype(torch.float64)
I, E, J, K, MP = 5, 2, 3, 4, 4


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    We, Wx, Wh, Wy = (r(E, I).requires_grad_(True), r(J, E).requires_grad_(True),
                      r(J, J).requires_grad_(True), r(K, J).requires_grad_(True))
    words = torch.randint(0, I, (MP + 1,), generator=g)
    labels = torch.randint(0, K, (MP + 1,), generator=g)
    x = {m: torch.nn.functional.one_hot(words[m], I).double() for m in range(1, MP + 1)}
    k = {m: int(labels[m]) for m in range(1, MP + 1)}
    h = {0: r(J)}
    ze, zh, hy = {}, {}, {}
    F = 0.0
    for m in range(1, MP + 1):
        ze[m] = We @ x[m]
        zh[m] = Wx @ ze[m] + Wh @ h[m - 1]
        zh[m].retain_grad()
        h[m] = torch.sigmoid(zh[m])
        hy[m] = torch.softmax(Wy @ h[m], 0)
        F = F - torch.log(hy[m][k[m]]) / MP
    F.backward()

    d = lambda v: v.detach()
    # the algorithm's errors
    ey = {m: d(Wy).T @ (torch.nn.functional.one_hot(torch.tensor(k[m]), K).double() - d(hy[m]))
          for m in range(1, MP + 1)}
    er = torch.zeros(J)
    eh, ee = {}, {}
    for m in range(MP, 0, -1):
        hm = d(h[m])
        eh[m] = (er + ey[m]) * hm * (1 - hm)
        er = d(Wh).T @ eh[m]
        ee[m] = d(Wx).T @ eh[m]
    # what the errors are: e^m_h = -M' dF/dz^h_m
    assert all(_close(eh[m], -MP * d(zh[m].grad)) for m in range(1, MP + 1))

    res = {}
    rhs_h = -sum(torch.outer(eh[m], d(h[m - 1])) for m in range(1, MP + 1)) / MP
    res["grad_Wh"] = _close(d(Wh.grad), rhs_h)
    rhs_x = -sum(torch.outer(eh[m], d(ze[m])) for m in range(1, MP + 1)) / MP
    res["grad_Wx"] = _close(d(Wx.grad), rhs_x)
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in a}


if __name__ == "__main__":
    print(truths())
