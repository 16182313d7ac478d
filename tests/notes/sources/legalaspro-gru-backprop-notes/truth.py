r"""Truth of the checked displays of legalaspro/rnn_gru_lstm_experiments, simple-gru.ipynb
(markdown cell "step-by-step explanation of the GRU forward pass and corresponding
backpropagation"), by torch.autograd only.

The notes' "Detailed Forward Equations" (section 2), column vectors, one sample:
    z_t = s(U_z x_t + W_z h_{t-1} + b_z),   r_t = s(U_r x_t + W_r h_{t-1} + b_r)
    pre_t = U_h x_t + b_hx + r_t * (W_h h_{t-1} + b_hh),   htilde_t = tanh(pre_t)
    h_t = z_t * h_{t-1} + (1 - z_t) * htilde_t
The loss L is left generic by the notes; here an output at every step,
L = sum_t CE(softmax(V h_t + c), y_t) with random class targets.  Hidden 3, input 2, T = 4,
three classes, float64, two seeds, every step t = 1..T checked.

Readings (source.toml says why):
  * dh_t := dL/dh_t (the notes' define); dz_t, dr_t, dpre_act are dL/dz_t, dL/dr_t, dL/dpre_t
    (every path), except where the notes overwrite them in place: after
    "dz_t <- dz_t x z_t(1 - z_t)" and the "sigmoid derivative" step for dr_t (code
    "dr = dr * r * (1 - r)"), dz_t and dr_t in later displays are the gradients by the gates'
    pre-activations.
  * dh_{t-1}^{(...)} is the part of dL/dh_{t-1} that flows along the named path:
    (tilde h) = through W_h h_{t-1} inside the candidate, (reset) = through r_t,
    (update) = through z_t, (carry over) = through z_t * h_{t-1}.  truth.py gives each use of
    h_{t-1} its own copy, so autograd yields each path's part.
  * a partial derivative of one formula's left side by one of its symbols holds the other
    symbols of that formula fixed (r_t in pre_t, z_t and htilde_t in h_t): the notes' own
    convention ("We'll also accumulate a separate gradient to h_{t-1} ..."); a vector standing
    for a Jacobian is the diagonal of a diagonal Jacobian; "r_t \odot W" scales the rows of W.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
N, NX, K, T = 3, 2, 3, 4


def close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=1e-10, rtol=1e-8)


def grad(L, x):
    (g,) = torch.autograd.grad(L, x, retain_graph=True)
    return g


IDS = ['dh_dz_dhprev_dhtilde', 'dhtilde_dpre', 'dpre_dx_dhprev_dr', 'dpre_dr', 'dr',
       'dhprev_candidate_direct', 'dhprev_candidate_part', 'dz', 'dhprev_update']


def check(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    Uz, Wz, bz = r(N, NX), r(N, N), r(N, 1)
    Ur, Wr, br = r(N, NX), r(N, N), r(N, 1)
    Uh, Wh, bhx, bhh = r(N, NX), r(N, N), r(N, 1), r(N, 1)
    V, cb = r(K, N), r(K, 1)
    ys = [int(torch.randint(0, K, (1,), generator=g)) for _ in range(T + 1)]
    xs = {t: r(NX, 1) for t in range(1, T + 1)}
    h = {0: r(N, 1).requires_grad_()}
    cp = {}          # per-use copies of h_{t-1}: 'z', 'r', 'c' (candidate W_h h), 'k' (carry)
    z, rr, pre, ht = {}, {}, {}, {}
    for t in range(1, T + 1):
        for u in 'zrck':
            cp[u, t] = h[t - 1].detach().clone().requires_grad_()
        z[t] = torch.sigmoid(Uz @ xs[t] + Wz @ cp['z', t] + bz)
        rr[t] = torch.sigmoid(Ur @ xs[t] + Wr @ cp['r', t] + br)
        pre[t] = Uh @ xs[t] + bhx + rr[t] * (Wh @ cp['c', t] + bhh)
        ht[t] = torch.tanh(pre[t])
        h[t] = z[t] * cp['k', t] + (1 - z[t]) * ht[t]
    # the copies cut the graph between steps, so the totals come from a second, connected
    # run (h2) with the same values; the copies only give the one-step path parts.
    res = {k: True for k in IDS}
    h2 = {0: h[0]}
    z2, r2, pre2, ht2, L2 = {}, {}, {}, {}, 0.0
    for t in range(1, T + 1):
        z2[t] = torch.sigmoid(Uz @ xs[t] + Wz @ h2[t - 1] + bz)
        r2[t] = torch.sigmoid(Ur @ xs[t] + Wr @ h2[t - 1] + br)
        pre2[t] = Uh @ xs[t] + bhx + r2[t] * (Wh @ h2[t - 1] + bhh)
        ht2[t] = torch.tanh(pre2[t])
        h2[t] = z2[t] * h2[t - 1] + (1 - z2[t]) * ht2[t]
        L2 = L2 + torch.nn.functional.cross_entropy((V @ h2[t] + cb).T, torch.tensor([ys[t]]))
    for t in range(1, T + 1):
        hp = h2[t - 1].detach()
        dh = grad(L2, h2[t])
        dz = grad(L2, z2[t])
        dr = grad(L2, r2[t])
        dpre = grad(L2, pre2[t])
        zt, rt, htt = z2[t].detach(), r2[t].detach(), ht2[t].detach()
        # path parts of dL/dh_{t-1} at step t: the step-t copies see dL/dh_t-like signals only
        # through step t; give them the connected graph's downstream gradient:
        # part_u = (d h_t / d copy_u)^T dL/dh_t  (vector-Jacobian product on the one-step graph)
        part = {u: torch.autograd.grad(h[t], cp[u, t], grad_outputs=dh, retain_graph=True)[0]
                for u in 'zrck'}
        # sanity of the harness: the parts and the output part at t-1 add up to dL/dh_{t-1}
        total_prev = grad(L2, h2[t - 1])
        out_part = torch.zeros_like(total_prev)
        if t >= 2:
            out_part = torch.autograd.grad(
                torch.nn.functional.cross_entropy((V @ h2[t - 1] + cb).T, torch.tensor([ys[t - 1]])),
                h2[t - 1], retain_graph=True)[0]
        assert close(sum(part.values()) + out_part, total_prev)

        # 3.1  dh_t/dz_t = h_{t-1} - htilde_t,  dh_t/dh_{t-1} = z_t,  dh_t/dhtilde_t = 1 - z_t
        f = lambda zz, hh, tt: zz * hh + (1 - zz) * tt
        Jz, Jh, Jt = jacobian(f, (zt, hp, htt))
        flat = lambda J: J.reshape(N, N)
        res['dh_dz_dhprev_dhtilde'] &= (close(flat(Jz), torch.diag((hp - htt).flatten()))
                                        and close(flat(Jh), torch.diag(zt.flatten()))
                                        and close(flat(Jt), torch.diag((1 - zt).flatten())))
        # 3.2  dhtilde/dpre = 1 - htilde^2
        Jp = jacobian(torch.tanh, pre2[t].detach())
        res['dhtilde_dpre'] &= close(flat(Jp), torch.diag((1 - htt ** 2).flatten()))
        # dpre/dx = U_h, dpre/dh_{t-1} = r_t \odot W_h (r_t held fixed), dpre/dr_t = W_h h + b_hh
        g_pre = lambda xx, hh, rv: Uh @ xx + bhx + rv * (Wh @ hh + bhh)
        Jx, Jhh, Jr = jacobian(g_pre, (xs[t], hp, rt))
        ok_x = close(Jx.reshape(N, NX), Uh)
        ok_h = close(Jhh.reshape(N, N), rt * Wh)          # column r_t scales the rows of W_h
        ok_r = close(Jr.reshape(N, N), torch.diag((Wh @ hp + bhh).flatten()))
        res['dpre_dx_dhprev_dr'] &= ok_x and ok_h and ok_r
        res['dpre_dr'] &= ok_r
        # 3.3  dr_t = (W_h h_{t-1} + b_hh) \odot dpre_act   (dr_t = dL/dr_t here)
        res['dr'] &= close(dr, (Wh @ hp + bhh) * dpre)
        # 3.4  dh_{t-1}^{(tilde h)} = (r_t) \odot W_h^T . dpre_act
        #      the part through W_h h_{t-1} is W_h^T (r_t \odot dpre_act)
        res['dhprev_candidate_direct'] &= close(part['c'], rt * (Wh.T @ dpre))
        assert close(part['c'], Wh.T @ (rt * dpre))        # the right formula, for the record
        # dr_t after the sigmoid step: gradient by r's pre-activation
        dr_pre = dr * rt * (1 - rt)
        res['dhprev_candidate_part'] &= close(part['c'] + part['r'], rt * (Wh.T @ dpre) + Wr.T @ dr_pre)
        # 3.5  dz_t = dh_t \odot (h_{t-1} - htilde_t)   (dz_t = dL/dz_t)
        res['dz'] &= close(dz, dh * (hp - htt))
        # dh_{t-1}^{(update)} = W_z^T dz_t, dz_t after "dz_t <- dz_t x z_t(1 - z_t)"
        dz_pre = dz * zt * (1 - zt)
        res['dhprev_update'] &= close(part['z'], Wz.T @ dz_pre)
    return res


def truths():
    r1, r2 = check(1), check(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    for k, v in truths().items():
        print(f"{k:26s} {v}")
