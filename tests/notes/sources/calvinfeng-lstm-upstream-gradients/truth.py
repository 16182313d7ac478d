r"""Truth of the checked displays of calvinfeng/machine-learning-notebook,
recurrent_neural_networks/long_short_term_memory.md ("LSTM Recurrent Neural Network", commit
9276d6d76f823828626b1b13fa2715fb6e48dc46), by torch.autograd only.

The notes' forward pass (the "Introducing LSTM" displays, column vectors, no biases):
    (i; f; o; g) = (sigma; sigma; sigma; tanh)(W [h_{t-1}; x_t])     (gates of step t, written
    without the step), c_t = f (.) c_{t-1} + i (.) g,  h_t = o (.) tanh(c_t).
The notes never state L; truth.py uses L = sum_t CE(softmax(V h_t), y_t) with random class
targets (the checked displays hold or fail for any L).  Hidden 3, input 2, 3 classes, T = 4,
random h_0, c_0, float64, two seeds, every step t = 1..T and every entry.

Readings (source.toml says why):
  * "We are given the following upstream gradients dL/dc_t, dL/dh_t": dL/dh_t is the whole
    dL/dh_t (the output at t and the next step), dL/dc_t is the part of dL/dc_t that flows back
    from the next step through c_{t+1} (zero at t = T) - the notes' code passes exactly these two
    (grad_next_hidden_state, grad_next_cell_state).  Likewise dL/dc_{t-1} is what step t passes
    back to c_{t-1}: the part through c_t.  dL/di, dL/df, dL/do, dL/dg are the whole derivatives
    by step t's gates.
  * dc_t/dc_{t-1} = f is c_t's own equation (conventions: partial = immediate), dh_t/dc_t likewise;
    a vector for a Jacobian is its diagonal, "." is the elementwise product, chains are a row
    gradient times Jacobians, left to right.
  * Each use of c_t (in h_t, in c_{t+1}) gets its own copy, so autograd yields each path's part.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
H, D, K, T = 3, 2, 3, 4


def close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


IDS = ['dh_dc', 'dc_dcprev', 'dL_dcprev', 'dL_di', 'dL_df', 'dL_do', 'dL_dg']


def run(seed):
    gen = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=gen)
    W = r(4 * H, H + D).requires_grad_()
    V = r(K, H)
    xs = {t: r(D) for t in range(1, T + 1)}
    ys = {t: int(torch.randint(0, K, (1,), generator=gen)) for t in range(1, T + 1)}
    h0, c0 = r(H), r(H)

    n = {}
    h_prev = h0
    c_next_use = {0: c0.clone().requires_grad_()}          # c_{t-1}'s use in c_t
    for t in range(1, T + 1):
        act = W @ torch.cat([h_prev, xs[t]])
        i = torch.sigmoid(act[:H])
        f = torch.sigmoid(act[H:2 * H])
        o = torch.sigmoid(act[2 * H:3 * H])
        g = torch.tanh(act[3 * H:])
        c = f * c_next_use[t - 1] + i * g
        c_h = c * 1.0                                      # c_t's use in h_t
        c_next_use[t] = c * 1.0                            # c_t's use in c_{t+1}
        h = o * torch.tanh(c_h)
        n[t] = dict(i=i, f=f, o=o, g=g, c=c, h=h)
        h_prev = h
    L = sum(-torch.log_softmax(V @ n[t]['h'], 0)[ys[t]] for t in range(1, T + 1))

    def gr(x):
        (gx,) = torch.autograd.grad(L, x, retain_graph=True, allow_unused=True)
        return torch.zeros_like(x) if gx is None else gx

    res = {k: True for k in IDS}
    for t in range(1, T + 1):
        q = n[t]
        i, f, o, g, c = (q[k].detach() for k in ('i', 'f', 'o', 'g', 'c'))
        c_prev = c_next_use[t - 1].detach()
        up_h = gr(q['h'])                                  # dL/dh_t, the whole
        up_c = gr(c_next_use[t])                           # dL/dc_t from the next step (0 at T)
        # dh_t/dc_t = o . (1 - tanh^2(c_t))
        J_hc = jacobian(lambda u: o * torch.tanh(u), c)
        res['dh_dc'] &= close(J_hc, torch.diag(o * (1 - torch.tanh(c) ** 2)))
        # dc_t/dc_{t-1} = f   (c_t's own equation)
        J_cc = jacobian(lambda u: f * u + i * g, c_prev)
        res['dc_dcprev'] &= close(J_cc, torch.diag(f))
        # dL/dc_{t-1} = dL/dc_t dc_t/dc_{t-1} + dL/dh_t dh_t/dc_t dc_t/dc_{t-1}
        lhs = gr(c_next_use[t - 1])                        # what step t passes back to c_{t-1}
        rhs = up_c @ J_cc + up_h @ J_hc @ J_cc
        res['dL_dcprev'] &= close(lhs, rhs)
        # the gates: dL/di = dL/dc_t dc_t/di + dL/dh_t dh_t/dc_t dc_t/di, likewise f, g; dL/do
        J_ci = jacobian(lambda u: f * c_prev + u * g, i)
        J_cf = jacobian(lambda u: u * c_prev + i * g, f)
        J_cg = jacobian(lambda u: f * c_prev + i * u, g)
        J_ho = jacobian(lambda u: u * torch.tanh(c), o)
        res['dL_di'] &= close(gr(q['i']), up_c @ J_ci + up_h @ J_hc @ J_ci)
        res['dL_df'] &= close(gr(q['f']), up_c @ J_cf + up_h @ J_hc @ J_cf)
        res['dL_dg'] &= close(gr(q['g']), up_c @ J_cg + up_h @ J_hc @ J_cg)
        res['dL_do'] &= close(gr(q['o']), up_h @ J_ho)
        # for the record: with dL/dc_t read as the whole dL/dc_t the sums count the h_t path twice
        whole_c = gr(q['c'])
        assert not close(gr(q['i']), whole_c @ J_ci + up_h @ J_hc @ J_ci)
        assert not close(lhs, whole_c @ J_cc + up_h @ J_hc @ J_cc)
    return res


def truths():
    r1, r2 = run(1), run(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
