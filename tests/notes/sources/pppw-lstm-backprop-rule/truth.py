r"""Truth of the checked displays of PPPW/deep-learning-random-explore,
backward_propagation_for_all.ipynb ("An easy way to derive backward propagation for all kinds
of neural networks", sections "Application: RNN"), by torch.autograd only.

Shapes follow the notebook's column convention (W a + b, one sample: batch m = 1, so a
"sum_m" sums one column).  Hidden n = 3, input 2, T = 4 steps, float64, two random seeds.

Simple RNN (cells 0-1 of notes.ipynb):
    a<t> = tanh(W_aa a<t-1> + W_ax x<t> + b_a),   yhat<t> = sigmoid(W_ya a<t> + b_y)  (one output)
LSTM (cell 2):  z<t> = [a<t-1>; x<t>] (a on top),
    G_u = s(W_u z + b_u), G_f = s(W_f z + b_f), G_o = s(W_o z + b_o), ct = tanh(W_c z + b_c),
    c<t> = G_u * ct + G_f * c<t-1>,  a<t> = G_o * tanh(c<t>),  yhat<t> = sigmoid(W_ya a<t> + b_y).
J is left generic by the notebook ("the objective to optimize"); here, for both parts,
J = sum_t BCE(yhat<t>, y<t>) with random 0/1 targets: an output (and a loss) at every step, as
the notebook's own RNN section has (yhat<t-1> = sigmoid(W_ya a<t-1> + b_y)).

Readings (see source.toml):
  * dJ/d(state or gate at step t) is the derivative of J by that tensor: every path from it
    to J (torch.autograd.grad of J by the intermediate tensor).
  * dJ/dW_.. and dJ/db_.. of a cell "at time t" are the gradient by the copy of the parameter
    used at step t (each step gets its own leaf copy here).
  * '*' is the elementwise product, a column vector times a matrix broadcasting over the
    columns (numpy), and juxtaposition of two column vectors is elementwise too; a product
    whose shapes do not match makes the display false.
Every display is compared at every step t = 1..T (the yhat<t-1> displays at t = 2..T).
"""
import torch

torch.set_default_dtype(torch.float64)
N, NX, T = 3, 2, 4


def close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=1e-10, rtol=1e-8)


def safe(f):
    """f() -> bool; a shape error in the formula as written counts as False."""
    try:
        return bool(f())
    except RuntimeError:
        return False


def grad(J, x):
    (g,) = torch.autograd.grad(J, x, retain_graph=True)
    return g


def sig(x):
    return torch.sigmoid(x)


def run_rnn(seed, res):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    Waa, Wax, ba, Wya, by = r(N, N), r(N, NX), r(N, 1), r(1, N), r(1, 1)
    ys = [float(torch.randint(0, 2, (1,), generator=g)) for _ in range(T + 1)]
    Waa_c = {t: Waa.clone().requires_grad_() for t in range(1, T + 1)}
    Wax_c = {t: Wax.clone().requires_grad_() for t in range(1, T + 1)}
    ba_c = {t: ba.clone().requires_grad_() for t in range(1, T + 1)}
    x = {t: r(NX, 1).requires_grad_() for t in range(1, T + 1)}
    a = {0: r(N, 1).requires_grad_()}
    yh, J = {}, 0.0
    for t in range(1, T + 1):
        a[t] = torch.tanh(Waa_c[t] @ a[t - 1] + Wax_c[t] @ x[t] + ba_c[t])
        yh[t] = sig(Wya @ a[t] + by)
        J = J - (ys[t] * torch.log(yh[t]) + (1 - ys[t]) * torch.log(1 - yh[t])).sum()
    for t in range(1, T + 1):
        da = grad(J, a[t])
        da_prev = grad(J, a[t - 1])
        d1 = 1 - a[t] ** 2
        res['rnn_dWaa'] &= close(grad(J, Waa_c[t]), (d1 * da) @ a[t - 1].T)
        # as written: (1 - a^2) times (W_aa^T dJ/da); the chain rule needs W_aa^T ((1 - a^2) * dJ/da)
        res['rnn_da_prev_cell'] &= safe(lambda: close(da_prev, d1 * (Waa.T @ da)))
        res['rnn_dWax'] &= close(grad(J, Wax_c[t]), (d1 * da) @ x[t].T)
        # (1 - a^2) is n = 3 long, W_ax^T dJ/da is 2 long: the product does not even exist
        res['rnn_dx'] &= safe(lambda: close(grad(J, x[t]), d1 * (Wax.T @ da)))
        res['rnn_dba'] &= close(grad(J, ba_c[t]), (d1 * da).sum(dim=1, keepdim=True))
        if t >= 2:
            dy = grad(J, yh[t - 1])
            out_part = yh[t - 1] * (1 - yh[t - 1]) * (Wya.T @ dy)
            res['rnn_da_prev_output'] &= safe(lambda: close(da_prev, out_part))
            res['rnn_da_prev_combined'] &= safe(lambda: close(da_prev, d1 * (Waa.T @ da) + out_part))


def run_lstm(seed, res):
    g = torch.Generator().manual_seed(seed + 100)
    r = lambda *s: torch.randn(*s, generator=g)
    W = {k: r(N, N + NX) for k in 'ufoc'}
    b = {k: r(N, 1) for k in 'ufoc'}
    Wya, by = r(1, N), r(1, 1)
    ys = [float(torch.randint(0, 2, (1,), generator=g)) for _ in range(T + 1)]
    Wc = {(k, t): W[k].clone().requires_grad_() for k in 'ufoc' for t in range(1, T + 1)}
    bc = {(k, t): b[k].clone().requires_grad_() for k in 'ufoc' for t in range(1, T + 1)}
    x = {t: r(NX, 1).requires_grad_() for t in range(1, T + 1)}
    a = {0: r(N, 1).requires_grad_()}
    c = {0: r(N, 1).requires_grad_()}
    z, Gu, Gf, Go, ct, yh, J = {}, {}, {}, {}, {}, {}, 0.0
    for t in range(1, T + 1):
        z[t] = torch.cat([a[t - 1], x[t]], 0)
        Gu[t] = sig(Wc['u', t] @ z[t] + bc['u', t])
        Gf[t] = sig(Wc['f', t] @ z[t] + bc['f', t])
        Go[t] = sig(Wc['o', t] @ z[t] + bc['o', t])
        ct[t] = torch.tanh(Wc['c', t] @ z[t] + bc['c', t])
        c[t] = Gu[t] * ct[t] + Gf[t] * c[t - 1]
        a[t] = Go[t] * torch.tanh(c[t])
        yh[t] = sig(Wya @ a[t] + by)
        J = J - (ys[t] * torch.log(yh[t]) + (1 - ys[t]) * torch.log(1 - yh[t])).sum()
    for t in range(1, T + 1):
        da, dc = grad(J, a[t]), grad(J, c[t])
        dGu, dGf, dGo, dct = grad(J, Gu[t]), grad(J, Gf[t]), grad(J, Go[t]), grad(J, ct[t])
        th = torch.tanh(c[t])
        a_path = da * Go[t] * (1 - th ** 2)
        # (dJ/dG_u [a;x]^T) * G_u * (1 - G_u): the column G_u(1-G_u) scales the rows
        res['lstm_dWu'] &= close(grad(J, Wc['u', t]), (dGu @ z[t].T) * Gu[t] * (1 - Gu[t]))
        res['lstm_dGu_from_c'] &= close(dGu, dc * ct[t])
        res['lstm_dc_from_a'] &= close(dc, a_path)
        res['lstm_dGu_sum'] &= close(dGu, (dc + a_path) * ct[t])
        res['lstm_dbu'] &= close(grad(J, bc['u', t]), (dGu * Gu[t] * (1 - Gu[t])).sum(dim=1, keepdim=True))
        res['lstm_dWo'] &= close(grad(J, Wc['o', t]), (dGo @ z[t].T) * Go[t] * (1 - Go[t]))
        res['lstm_dGo'] &= close(dGo, da * th)
        res['lstm_dWo_expanded'] &= close(grad(J, Wc['o', t]), (da * th * Go[t] * (1 - Go[t])) @ z[t].T)
        res['lstm_dbo'] &= close(grad(J, bc['o', t]), (da * th * Go[t] * (1 - Go[t])).sum(dim=1, keepdim=True))
        d_ax = torch.cat([grad(J, a[t - 1]), grad(J, x[t])], 0)
        # as written, W_u^T dJ/dG_u (length 5) times G_u (length 3): no such product
        literal = lambda: close(d_ax, (W['u'].T @ dGu) * Gu[t] * (1 - Gu[t])
                                + (W['f'].T @ dGf) * Gf[t] * (1 - Gf[t])
                                + (W['o'].T @ dGo) * Go[t] * (1 - Go[t])
                                + (W['c'].T @ dct) * (1 - ct[t] ** 2))
        res['lstm_d_ax'] &= safe(literal)
        # the charitable parse W^T (dJ/dG * G(1-G)) is the part through cell t only; it misses
        # the path a<t-1> -> yhat<t-1> (recorded, not used for the truth)
        charitable = (W['u'].T @ (dGu * Gu[t] * (1 - Gu[t])) + W['f'].T @ (dGf * Gf[t] * (1 - Gf[t]))
                      + W['o'].T @ (dGo * Go[t] * (1 - Go[t])) + W['c'].T @ (dct * (1 - ct[t] ** 2)))
        res['_lstm_d_ax_charitable'] &= close(d_ax, charitable)
        dc_prev = grad(J, c[t - 1])
        res['lstm_dc_prev_from_c'] &= close(dc_prev, dc * Gf[t])
        res['lstm_dc_prev_sum'] &= close(dc_prev, (dc + a_path) * Gf[t])


IDS = ['rnn_dWaa', 'rnn_da_prev_cell', 'rnn_dWax', 'rnn_dx', 'rnn_dba', 'rnn_da_prev_output',
       'rnn_da_prev_combined', 'lstm_dWu', 'lstm_dGu_from_c', 'lstm_dc_from_a', 'lstm_dGu_sum',
       'lstm_dbu', 'lstm_dWo', 'lstm_dGo', 'lstm_dWo_expanded', 'lstm_dbo', 'lstm_d_ax',
       'lstm_dc_prev_from_c', 'lstm_dc_prev_sum']


def check(seed):
    res = {k: True for k in IDS + ['_lstm_d_ax_charitable']}
    run_rnn(seed, res)
    run_lstm(seed, res)
    return res


def truths():
    r1, r2 = check(1), check(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    r1, r2 = check(1), check(2)
    for k in r1:
        print(f"{k:28s} {r1[k] and r2[k]}")
