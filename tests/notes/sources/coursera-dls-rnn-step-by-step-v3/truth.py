"""Truth of the checked displays of the Coursera DLS "Building your RNN - Step by Step" v3
notebook (LSTM backward, equations 7-17), computed with torch.autograd only.

The notebook's own forward pass (equations 1-6): gates on the stacked [a^{<t-1>}; x^{<t>}],
Gamma_f, Gamma_u, c~, Gamma_o, c = Gamma_f*c_prev + Gamma_u*c~, a = Gamma_o*tanh(c), with
biases, c^{<0>} = 0; prediction y^{<t>} = softmax(W_y a^{<t>} + b_y) and a cross-entropy cost
at every step (the notebook's cost is not displayed; every checked formula is local to one
cell, so any cost of the a^{<t>} gives the same truths). One example (m = 1).

Meanings, from the notebook and its code (lstm_cell_backward):
  da_next  = dJ/da^{<t>} (everything that reaches a^{<t>}),
  dc_next  = the gradient step t+1 passes back into c^{<t>} (not the path through a^{<t>}),
  dGamma_*, dc~ = dJ/d(pre-activation) of that gate (what the code calls dft, dit, dcct, dot),
  dW_* = the contribution of step t to dJ/dW_* (the code sums them over t),
  da_prev, dc_prev = what step t passes back into a^{<t-1>}, c^{<t-1>}; dx^{<t>} = dJ/dx^{<t>}.
  i_t in (8) is the update gate (the code's `it`); \tilde c without a step is c~^{<t>};
  \tilde c_{prev} in (10) is read as c~^{<t-1>} (0 at t = 1).
  (15)/(17): W_f^T etc. are the blocks of W_f acting on a^{<t-1>} / on x^{<t>}, which the note
  under the displays means (its numpy slice W_f[:n_a,:] is literally the whole matrix).
"""
import torch

torch.set_default_dtype(torch.float64)
NA, NX, NY, T = 3, 2, 2, 4


def run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    P = {k: r(NA, NA + NX) for k in 'fuco'}
    B = {k: r(NA, 1) for k in 'fuco'}
    Wy, by = r(NY, NA), r(NY, 1)
    xs = [r(NX, 1).requires_grad_() for _ in range(T)]
    targets = [int(torch.randint(0, NY, (1,), generator=g)) for _ in range(T)]
    a_prev = r(NA, 1).requires_grad_()
    c_prev = torch.zeros(NA, 1).requires_grad_()
    st = []
    J = 0.0
    for t in range(T):
        # per-step copies of the weights, to read the contribution of step t
        Wt = {k: P[k].clone().requires_grad_() for k in 'fuco'}
        a_in = a_prev * 1.0          # the node step t reads a^{<t-1>} through
        c_in = c_prev * 1.0          # the node step t reads c^{<t-1>} through
        a_in.retain_grad(); c_in.retain_grad()
        cat = torch.cat([a_in, xs[t]], 0)
        z = {k: Wt[k] @ cat + B[k] for k in 'fuco'}
        for v in z.values():
            v.retain_grad()
        gf, gu, go = torch.sigmoid(z['f']), torch.sigmoid(z['u']), torch.sigmoid(z['o'])
        ct_ = torch.tanh(z['c'])
        c = gf * c_in + gu * ct_
        a = go * torch.tanh(c)
        a.retain_grad()
        logits = Wy @ a + by
        J = J - torch.log_softmax(logits, 0)[targets[t], 0]
        st.append(dict(W=Wt, z=z, gf=gf, gu=gu, go=go, ct=ct_, c=c, a=a, a_in=a_in, c_in=c_in,
                       cat=cat, c_prev=c_prev))
        a_prev, c_prev = a, c
    J.backward()
    return st, xs


def close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=1e-10, rtol=1e-8)


def check(seed):
    st, xs = run(seed)
    res = {k: True for k in ['dGamma_o_7', 'dctilde_8', 'dGamma_u_9', 'dGamma_f_10', 'dWf_11',
                             'dWu_12', 'dWc_13', 'dWo_14', 'da_prev_15', 'dc_prev_16', 'dx_17']}
    for t, s in enumerate(st):
        da_next = s['a'].grad
        dc_next = st[t + 1]['c_in'].grad if t + 1 < len(st) else torch.zeros(NA, 1)
        c_next, c_prev = s['c'], s['c_prev']
        go, gu, gf, ct_ = s['go'], s['gu'], s['gf'], s['ct']
        d = {k: s['z'][k].grad for k in 'fuco'}
        th = torch.tanh(c_next)
        ct_prev = st[t - 1]['ct'] if t > 0 else torch.zeros(NA, 1)
        with torch.no_grad():
            # (7)
            res['dGamma_o_7'] &= close(d['o'], da_next * th * go * (1 - go))
            # (8) as written: i_t = Gamma_u, no parentheses, (1 - tanh(c~)^2)
            rhs8 = dc_next * gu + go * (1 - th ** 2) * gu * da_next * ct_ * (1 - torch.tanh(ct_) ** 2)
            res['dctilde_8'] &= close(d['c'], rhs8)
            # (9) as written (the sigmoid factor only on the second term)
            rhs9 = dc_next * ct_ + go * (1 - th ** 2) * ct_ * da_next * gu * (1 - gu)
            res['dGamma_u_9'] &= close(d['u'], rhs9)
            # (10) as written
            rhs10 = dc_next * ct_prev + go * (1 - th ** 2) * c_prev * da_next * gf * (1 - gf)
            res['dGamma_f_10'] &= close(d['f'], rhs10)
            # (11)-(14): contribution of step t
            for key, k in [('dWf_11', 'f'), ('dWu_12', 'u'), ('dWc_13', 'c'), ('dWo_14', 'o')]:
                res[key] &= close(s['W'][k].grad, d[k] @ s['cat'].T)
            # (15): blocks acting on a^{<t-1>}
            rhs15 = sum(s['W'][k].detach()[:, :NA].T @ d[k] for k in 'fuco')
            res['da_prev_15'] &= close(s['a_in'].grad, rhs15)
            # (16)
            rhs16 = dc_next * gf + go * (1 - th ** 2) * gf * da_next
            res['dc_prev_16'] &= close(s['c_in'].grad, rhs16)
            # (17): blocks acting on x^{<t>}
            rhs17 = sum(s['W'][k].detach()[:, NA:].T @ d[k] for k in 'fuco')
            res['dx_17'] &= close(xs[t].grad, rhs17)
    return res


def truths():
    r1, r2 = check(1), check(2)
    return {k: bool(r1[k] and r2[k]) for k in r1}


if __name__ == "__main__":
    print(truths())
