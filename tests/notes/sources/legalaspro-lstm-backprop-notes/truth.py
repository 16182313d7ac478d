r"""Truth of the checked displays of legalaspro/rnn_gru_lstm_experiments, simple-lstm.ipynb
(markdown cell "step-by-step explanation of the math behind backpropagation in the LSTM
snippet"), by torch.autograd only.

The notes' forward pass (column vectors, one-hot inputs x_s[t], one sequence):
    i_t = s(W_xi x_s[t] + W_hi h_s[t-1] + b_i), f_t, o_t likewise,
    ctilde_t = tanh(W_xc x_s[t] + W_hc h_s[t-1] + b_c),
    c_s[t] = f_t * c_s[t-1] + i_t * ctilde_t,   h_s[t] = o_t * tanh(c_s[t]),
    y_s[t] = W_hy h_s[t] + b_y,  p_s[t] = softmax(y_s[t]),  loss = -sum_t log p_s[t]_(target[t]).
L in the backward part is this loss.  Vocabulary 4, hidden 3, T = 4, float64, two seeds,
every step t = 1..T checked.

Readings (source.toml says why):
  * dy, dh, dh_s[t], do_t, d(tanh(c_s[t])), dc_s[t] are dL/d(that quantity at step t) along
    every path (dh is the code's dh = W_hy^T dy + dhnext).
  * dh_next and dc_next are what the code passes back between steps: in "dh_t = W_hy^T dy +
    dh_next" and "dc_s[t] = ... + dc_next" they are the parts of dL/dh_s[t], dL/dc_s[t] that
    flow through step t+1; in "dh_next = dL/dh_s[t-1]", "dc_next = dL/dc_s[t-1]" (section 4.1,
    at step t) they are the parts of dL/dh_s[t-1], dL/dc_s[t-1] flowing through step t
    (code: dhnext = sum_g W_hg^T d(pre_act_g), dcnext = dc * f).  truth.py gets a path part
    as the gradient by an identity node through which only that use of the tensor passes.
  * dL/dW_hy and dL/db_y in section 2.2 (no sum over t, under "dWhy += ...") are the gradient
    by the copy of W_hy, b_y used at step t; dL/dW_xi in section 4 has its sum over t and is the
    full gradient.
  * a vector standing for a Jacobian (dh_s[t]/do_t = tanh(c_s[t])) is the diagonal of a
    diagonal Jacobian; "\cdot" between two vectors in dh_s[t]/dc_s[t] is elementwise.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
VOC, N, T = 4, 3, 4
IDS = ['dloss_dy', 'dWhy', 'dby', 'dh', 'do_dtanh', 'dh_do', 'dh_dc', 'dc', 'dWxi', 'dh_next',
       'dc_next', 'dh_prev_sum', 'dc_prev']


def close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=1e-10, rtol=1e-8)


def grad(L, x):
    (g,) = torch.autograd.grad(L, x, retain_graph=True)
    return g


def check(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    Wx = {k: r(N, VOC).requires_grad_() for k in 'ifoc'}
    Wh = {k: r(N, N) for k in 'ifoc'}
    b = {k: r(N, 1) for k in 'ifoc'}
    Why, by = r(VOC, N), r(VOC, 1)
    inputs = [int(torch.randint(0, VOC, (1,), generator=g)) for _ in range(T + 1)]
    targets = [int(torch.randint(0, VOC, (1,), generator=g)) for _ in range(T + 1)]
    onehot = lambda k: torch.nn.functional.one_hot(torch.tensor(k), VOC).double().reshape(VOC, 1)
    x = {t: onehot(inputs[t]) for t in range(1, T + 1)}
    Why_c = {t: Why.clone().requires_grad_() for t in range(1, T + 1)}
    by_c = {t: by.clone().requires_grad_() for t in range(1, T + 1)}
    h = {0: r(N, 1).requires_grad_()}
    c = {0: r(N, 1).requires_grad_()}
    hin, cin, gate, pre, th, y, p = {}, {}, {}, {}, {}, {}, {}
    loss = 0.0
    for t in range(1, T + 1):
        hin[t] = h[t - 1] * 1.0          # the use of h_s[t-1] inside step t's gates
        cin[t] = c[t - 1] * 1.0          # the use of c_s[t-1] inside step t's cell update
        for k in 'ifoc':
            pre[k, t] = Wx[k] @ x[t] + Wh[k] @ hin[t] + b[k]
            gate[k, t] = torch.tanh(pre[k, t]) if k == 'c' else torch.sigmoid(pre[k, t])
        c[t] = gate['f', t] * cin[t] + gate['i', t] * gate['c', t]
        th[t] = torch.tanh(c[t])
        h[t] = gate['o', t] * th[t]
        y[t] = Why_c[t] @ h[t] + by_c[t]
        p[t] = torch.softmax(y[t], 0)
        loss = loss - torch.log(p[t][targets[t], 0])
    res = {k: True for k in IDS}
    L = loss
    for t in range(1, T + 1):
        dy, dh, dc = grad(L, y[t]), grad(L, h[t]), grad(L, c[t])
        o, i, f, ct = gate['o', t], gate['i', t], gate['f', t], gate['c', t]
        tc = th[t].detach()
        res['dloss_dy'] &= close(dy, p[t].detach() - onehot(targets[t]))
        # dL/dW_hy = dL/dy . dy/dW_hy = dy h^T  (the step-t copy of W_hy)
        Jy = jacobian(lambda W: W @ h[t].detach() + by, Why)              # (VOC,1,VOC,N)
        chain = torch.einsum('k,kij->ij', dy.flatten(), Jy.reshape(VOC, VOC, N))
        res['dWhy'] &= close(grad(L, Why_c[t]), chain) and close(chain, dy @ h[t].detach().T)
        res['dby'] &= close(grad(L, by_c[t]), dy)
        dh_next_in = grad(L, hin[t + 1]) if t < T else torch.zeros(N, 1)
        res['dh'] &= close(dh, Why.T @ dy + dh_next_in)
        res['do_dtanh'] &= close(grad(L, o), dh * tc) and close(grad(L, th[t]), dh * o.detach())
        fo = lambda oo, cc: oo * torch.tanh(cc)
        Jo, Jc = jacobian(fo, (o.detach(), c[t].detach()))
        res['dh_do'] &= close(Jo.reshape(N, N), torch.diag(tc.flatten()))
        res['dh_dc'] &= close(Jc.reshape(N, N), torch.diag((o.detach() * (1 - tc ** 2)).flatten()))
        dc_next_in = grad(L, cin[t + 1]) if t < T else torch.zeros(N, 1)
        res['dc'] &= close(dc, dh * o.detach() * (1 - tc ** 2) + dc_next_in)
        # section 4.1, at step t: what the code passes back to step t-1
        dh_next_out, dc_next_out = grad(L, hin[t]), grad(L, cin[t])
        dh_prev, dc_prev = grad(L, h[t - 1]), grad(L, c[t - 1])
        res['dh_next'] &= close(dh_next_out, dh_prev)
        res['dc_next'] &= close(dc_next_out, dc_prev)
        assert close(dc_next_out, dc * f.detach())          # the code's dcnext = dc * f
        dpre = {k: grad(L, pre[k, t]) for k in 'ifoc'}
        sum_g = sum(Wh[k].T @ dpre[k] for k in 'ifoc')
        assert close(sum_g, dh_next_out)                    # the code's dhnext
        res['dh_prev_sum'] &= close(dh_prev, sum_g)
        res['dc_prev'] &= close(dc_prev, dc * f.detach())
    dWxi = grad(L, Wx['i'])
    res['dWxi'] &= close(dWxi, sum(grad(L, pre['i', t]) @ x[t].T for t in range(1, T + 1)))
    return res


def truths():
    r1, r2 = check(1), check(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    for k, v in truths().items():
        print(f"{k:14s} {v}")
