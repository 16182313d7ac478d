"""Truth of the checked displays of the Coursera DLS "Building your RNN - Step by Step"
notebook, revised edition (W1A1, 2021 and later): basic-RNN cell backward (align with
equations (-), (-), (0)-(5)) and LSTM cell backward (equations 7-21), by torch.autograd only.

Forward passes as the notebook gives them, one example (m = 1), biases included:
  RNN:  a^{<t>} = tanh(W_ax x^{<t>} + W_aa a^{<t-1>} + b_a), y^{<t>} = softmax(W_ya a^{<t>} + b_y)
  LSTM: equations 1-6 on the stacked [a^{<t-1>}; x^{<t>}], c^{<0>} = 0,
        y^{<t>}_pred = softmax(W_y a^{<t>} + b_y).
  Cost: cross-entropy at every step (the notebook does not display it; every checked formula
  is local to one cell).
Meanings (the notebook's text and reference code): da_next = dJ/da^{<t>}; dc_next = what step
t+1 passes back into c^{<t>}; dtanh, d\\gamma_*, dp\\widetilde c = gradients of the
pre-activations; dW_*, db_* = step t's contribution (the code sums them over t); da_prev,
dc_prev = what step t passes back to a^{<t-1>}, c^{<t-1>}; dx^{<t>} = dJ/dx^{<t>}.
The backward equations write Gamma_u for the update gate that the forward calls Gamma_i;
d\\gamma_c in (17) is read as the candidate's pre-activation gradient (= dp\\widetilde c).
In (19)/(21) W_* is the block W_*[:, :n_a] / W_*[:, n_a:], as the notes under them say.
"""
import torch

torch.set_default_dtype(torch.float64)
NA, NX, NY, T = 3, 2, 2, 4


def close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=1e-10, rtol=1e-8)


def rnn_check(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    Wax, Waa, ba, Wya, by = r(NA, NX), r(NA, NA), r(NA, 1), r(NY, NA), r(NY, 1)
    xs = [r(NX, 1).requires_grad_() for _ in range(T)]
    tg = [int(torch.randint(0, NY, (1,), generator=g)) for _ in range(T)]
    a_prev = r(NA, 1).requires_grad_()
    st, J = [], 0.0
    for t in range(T):
        W1, W2, b = Wax.clone().requires_grad_(), Waa.clone().requires_grad_(), ba.clone().requires_grad_()
        a_in = a_prev * 1.0
        a_in.retain_grad()
        z = W1 @ xs[t] + W2 @ a_in + b
        z.retain_grad()
        a = torch.tanh(z)
        a.retain_grad()
        J = J - torch.log_softmax(Wya @ a + by, 0)[tg[t], 0]
        st.append(dict(W1=W1, W2=W2, b=b, a_in=a_in, z=z, a=a))
        a_prev = a
    J.backward()
    ok = True
    u = torch.linspace(-2, 2, 9).requires_grad_()
    (du,) = torch.autograd.grad(torch.tanh(u).sum(), u)
    ok &= close(du, 1 - torch.tanh(u.detach()) ** 2)           # row (-): d tanh / dx
    with torch.no_grad():
        for t, s in enumerate(st):
            x, ap = xs[t].detach(), s['a_in'].detach()
            ok &= close(s['a'], torch.tanh(Wax @ x + Waa @ ap + ba))   # row (-): forward
            dtanh = s['a'].grad * (1 - torch.tanh(Wax @ x + Waa @ ap + ba) ** 2)   # (0)
            ok &= close(s['z'].grad, dtanh)
            ok &= close(s['W1'].grad, dtanh @ x.T)                 # (1)
            ok &= close(s['W2'].grad, dtanh @ ap.T)                # (2)
            ok &= close(s['b'].grad, dtanh.sum(1, keepdim=True))   # (3)
            ok &= close(xs[t].grad, Wax.T @ dtanh)                 # (4)
            ok &= close(s['a_in'].grad, Waa.T @ dtanh)             # (5)
    return {'rnn_cell_backward_0_5': bool(ok)}


def lstm_check(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    P = {k: r(NA, NA + NX) for k in 'fico'}
    B = {k: r(NA, 1) for k in 'fico'}
    Wy, by = r(NY, NA), r(NY, 1)
    xs = [r(NX, 1).requires_grad_() for _ in range(T)]
    tg = [int(torch.randint(0, NY, (1,), generator=g)) for _ in range(T)]
    a_prev = r(NA, 1).requires_grad_()
    c_prev = torch.zeros(NA, 1).requires_grad_()
    st, J = [], 0.0
    for t in range(T):
        Wt = {k: P[k].clone().requires_grad_() for k in 'fico'}
        Bt = {k: B[k].clone().requires_grad_() for k in 'fico'}
        a_in, c_in = a_prev * 1.0, c_prev * 1.0
        a_in.retain_grad(); c_in.retain_grad()
        cat = torch.cat([a_in, xs[t]], 0)
        z = {k: Wt[k] @ cat + Bt[k] for k in 'fico'}
        for v in z.values():
            v.retain_grad()
        gf, gi, go = torch.sigmoid(z['f']), torch.sigmoid(z['i']), torch.sigmoid(z['o'])
        cc = torch.tanh(z['c'])
        c = gf * c_in + gi * cc
        a = go * torch.tanh(c)
        a.retain_grad()
        J = J - torch.log_softmax(Wy @ a + by, 0)[tg[t], 0]
        st.append(dict(W=Wt, B=Bt, z=z, gf=gf, gi=gi, go=go, cc=cc, c=c, a=a, a_in=a_in,
                       c_in=c_in, cat=cat, c_prev=c_prev))
        a_prev, c_prev = a, c
    J.backward()
    keys = ['gates_7_10', 'dWf_11', 'dWu_12', 'dWc_13', 'dWo_14', 'dbf_15', 'dbu_16', 'dbc_17',
            'dbo_18', 'da_prev_19', 'dc_prev_20', 'dx_21']
    res = {k: True for k in keys}
    with torch.no_grad():
        for t, s in enumerate(st):
            da = s['a'].grad
            dc = st[t + 1]['c_in'].grad if t + 1 < T else torch.zeros(NA, 1)
            th = torch.tanh(s['c'])
            go, gu, gf, cc, cp = s['go'], s['gi'], s['gf'], s['cc'], s['c_prev']
            dgo = da * th * go * (1 - go)                                               # (7)
            dpc = (dc * gu + go * (1 - th ** 2) * gu * da) * (1 - cc ** 2)              # (8)
            dgu = (dc * cc + go * (1 - th ** 2) * cc * da) * gu * (1 - gu)              # (9)
            dgf = (dc * cp + go * (1 - th ** 2) * cp * da) * gf * (1 - gf)              # (10)
            z = s['z']
            res['gates_7_10'] &= (close(z['o'].grad, dgo) and close(z['c'].grad, dpc)
                                  and close(z['i'].grad, dgu) and close(z['f'].grad, dgf))
            cat = s['cat'].detach()
            for key, k, d in [('dWf_11', 'f', dgf), ('dWu_12', 'i', dgu), ('dWc_13', 'c', dpc),
                              ('dWo_14', 'o', dgo)]:
                res[key] &= close(s['W'][k].grad, d @ cat.T)
            for key, k, d in [('dbf_15', 'f', dgf), ('dbu_16', 'i', dgu), ('dbc_17', 'c', dpc),
                              ('dbo_18', 'o', dgo)]:
                res[key] &= close(s['B'][k].grad, d.sum(1, keepdim=True))
            W = {k: P[k] for k in 'fico'}
            res['da_prev_19'] &= close(s['a_in'].grad, W['f'][:, :NA].T @ dgf + W['i'][:, :NA].T @ dgu
                                       + W['c'][:, :NA].T @ dpc + W['o'][:, :NA].T @ dgo)
            res['dc_prev_20'] &= close(s['c_in'].grad, dc * gf + go * (1 - th ** 2) * gf * da)
            res['dx_21'] &= close(xs[t].grad, W['f'][:, NA:].T @ dgf + W['i'][:, NA:].T @ dgu
                                  + W['c'][:, NA:].T @ dpc + W['o'][:, NA:].T @ dgo)
    return res


def truths():
    out = {}
    for seed in (1, 2):
        r = {**rnn_check(seed), **lstm_check(seed)}
        for k, v in r.items():
            out[k] = bool(out.get(k, True) and v)
    return out


if __name__ == "__main__":
    print(truths())
