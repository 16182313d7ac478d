r"""Truth of the checked displays of ratsgo's blog post "Gated Recurrent Unit (GRU)" (in Korean;
ratsgo/ratsgo.github.io, _posts/2017-05-13-GRU.md at 998de3cfbfbaa208998207a4f1c52712f55eebf7).

The post's forward pass (Chung et al.'s GRU, reset gate applied after U), column vectors:
    z_t = sigma(W^(z) x_t + U^(z) h_{t-1}),  r_t = sigma(W^(r) x_t + U^(r) h_{t-1}),
    htilde_t = tanh(W x_t + r_t o U h_{t-1}),  h_t = z_t o h_{t-1} + (1 - z_t) o htilde_t,
and, from its prose and figures: y_t = W_out h_t, L_t = Softmax-with-Loss(y_t) (cross-entropy
with a target class).  W_x stands for (W^(z), W^(r), W), U_h for (U^(z), U^(r), U).
Hidden 3, input 2, 3 classes, T = 3 (the post's sequence length), float64, random h_0 and targets,
two seeds, every step and entry.

Readings (source.toml says why):
  * derivatives of vectors by vectors are Jacobians (rows = numerator entries), products left to
    right (dL_t/dy_t dy_t/dh_t ... is a row vector times Jacobians); dh_t/dh_{t-1} is the Jacobian
    of h_t by h_{t-1} through every gate (truth.py also tries the Hadamard-only reading, z_t).
  * the per-cell display (dL_t/dW_x, dL_t/dU_h) is about "the GRU cell at time t": h_{t-1} is an
    input of the cell and is held fixed; dinput_z, dinput_r are dL_t by the gates'
    pre-activations, dWx_t, dUh_{t-1} dL_t by the nodes W x_t and U h_{t-1}; "a . b" of two
    column vectors is the outer product a b^T (a gradient block shaped like W^(z), ...).
  * delta_t is defined by its display: delta_t = dL_t/dy_t dy_t/dh_t dh_t/dh_{t-1}.
  * the last display has no '=' and is not checked.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
H, D, K, T = 3, 2, 3, 3


def close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def run(seed, hadamard_only=False):
    gen = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=gen)
    Wz, Wr, W = r(H, D), r(H, D), r(H, D)
    Uz, Ur, U = r(H, H), r(H, H), r(H, H)
    Wout = r(K, H)
    xs = {t: r(D) for t in range(1, T + 1)}
    ys = {t: int(torch.randint(0, K, (1,), generator=gen)) for t in range(1, T + 1)}
    h0 = r(H)

    def cell(x, hp, Wz=Wz, Wr=Wr, W=W, Uz=Uz, Ur=Ur, U=U):
        z = torch.sigmoid(Wz @ x + Uz @ hp)
        rr = torch.sigmoid(Wr @ x + Ur @ hp)
        ht = torch.tanh(W @ x + rr * (U @ hp))
        return z * hp + (1 - z) * ht

    h = {0: h0}
    for t in range(1, T + 1):
        h[t] = cell(xs[t], h[t - 1])
    Lt = lambda t, ht: -torch.log_softmax(Wout @ ht, dim=0)[ys[t]]
    dLy = {t: jacobian(lambda y: -torch.log_softmax(y, dim=0)[ys[t]], Wout @ h[t]) for t in h if t}
    dyh = Wout
    dLh = {t: dLy[t] @ dyh for t in dLy}                              # dL_t/dh_t, row
    if hadamard_only:
        dhh = {t: torch.diag(torch.sigmoid(Wz @ xs[t] + Uz @ h[t - 1])) for t in range(1, T + 1)}
    else:
        dhh = {t: jacobian(lambda hp: cell(xs[t], hp), h[t - 1]) for t in range(1, T + 1)}
    res = {}

    # per-cell display: dL_t/dW_x = [dinput_z x^T, dinput_r x^T, dWx x^T] = dL_t/dy dy/dh dh/dW_x
    ok = True
    for t in range(1, T + 1):
        x, hp = xs[t], h[t - 1]
        z = torch.sigmoid(Wz @ x + Uz @ hp)
        rr = torch.sigmoid(Wr @ x + Ur @ hp)
        ht = torch.tanh(W @ x + rr * (U @ hp))
        g = dLh[t]
        dz = g * (hp - ht)
        dht = g * (1 - z)
        dpre_h = dht * (1 - ht ** 2)                  # = dWx_t (gradient at the node W x_t)
        dr = dpre_h * (U @ hp)
        dinput_z, dinput_r = dz * z * (1 - z), dr * rr * (1 - rr)
        dUh = dpre_h * rr                             # gradient at the node U h_{t-1}
        blocks_x = [torch.outer(dinput_z, x), torch.outer(dinput_r, x), torch.outer(dpre_h, x)]
        blocks_h = [torch.outer(dinput_z, hp), torch.outer(dinput_r, hp), torch.outer(dUh, hp)]
        # autograd, h_{t-1} held fixed (the cell's input)
        names_x = ['Wz', 'Wr', 'W']
        names_h = ['Uz', 'Ur', 'U']
        mats = dict(Wz=Wz, Wr=Wr, W=W, Uz=Uz, Ur=Ur, U=U)
        for nm, blk in list(zip(names_x, blocks_x)) + list(zip(names_h, blocks_h)):
            def f(M, nm=nm):
                kw = dict(mats)
                kw[nm] = M
                return Lt(t, cell(x, hp, **kw))
            auto = jacobian(f, mats[nm])
            # the chain dL_t/dy_t dy_t/dh_t dh_t/dW (contraction over the entries of h_t)
            dh_dW = jacobian(lambda M, nm=nm: cell(x, hp, **{**mats, nm: M}), mats[nm])
            chain = torch.tensordot(dLy[t] @ dyh, dh_dW, dims=1)
            chain2 = torch.tensordot(dLh[t], dh_dW, dims=1)
            ok &= close(auto, blk) and close(blk, chain) and close(chain, chain2)
    res['cell_dW_dU'] = ok

    # delta_3 = dL_3/dh_3 dh_3/dh_2 = dL_3/dy_3 dy_3/dh_3 dh_3/dh_2
    d3 = dLh[3] @ dhh[3]
    res['delta3'] = close(d3, dLy[3] @ dyh @ dhh[3])
    delta = {t: dLy[t] @ dyh @ dhh[t] for t in range(1, T + 1)}      # the definition
    assert close(delta[3], d3)
    # delta_2 = (delta_3 + dL_2/dh_2) dh_2/dh_1 = (dL_3/dy_3 dy_3/dh_3 dh_3/dh_2 + dL_2/dy_2 dy_2/dh_2) dh_2/dh_1
    mid = (delta[3] + dLh[2]) @ dhh[2]
    right = (dLy[3] @ dyh @ dhh[3] + dLy[2] @ dyh) @ dhh[2]
    res['delta2'] = close(delta[2], mid) and close(mid, right)
    # dL_1/dW_x = (delta_2 + dL_1/dy_1 dy_1/dh_1) dh_1/dW_x = {...} dh_1/dW_x = sum of three chains
    ok = True
    for nm in ['Wz', 'Wr', 'W']:
        mats = dict(Wz=Wz, Wr=Wr, W=W, Uz=Uz, Ur=Ur, U=U)
        lhs = jacobian(lambda M: Lt(1, cell(xs[1], h0, **{**mats, nm: M})), mats[nm])
        dh1 = jacobian(lambda M: cell(xs[1], h0, **{**mats, nm: M}), mats[nm])
        row1 = torch.tensordot(delta[2] + dLy[1] @ dyh, dh1, dims=1)
        row2 = torch.tensordot((dLy[3] @ dyh @ dhh[3] @ dhh[2] + dLy[2] @ dyh @ dhh[2])
                               + dLy[1] @ dyh, dh1, dims=1)
        row3 = (torch.tensordot(dLy[3] @ dyh @ dhh[3] @ dhh[2], dh1, dims=1)
                + torch.tensordot(dLy[2] @ dyh @ dhh[2], dh1, dims=1)
                + torch.tensordot(dLy[1] @ dyh, dh1, dims=1))
        ok &= close(lhs, row1) and close(row1, row2) and close(row2, row3)
        assert close(row2, row3)
    res['dL1_dWx'] = ok
    return res


IDS = ['cell_dW_dU', 'delta3', 'delta2', 'dL1_dWx']


def truths():
    rs = [run(s, hadamard_only=ho) for s in (1, 2) for ho in (False, True)]
    for k in IDS:                       # both readings of dh_t/dh_{t-1} give the same verdicts
        assert len({bool(r[k]) for r in rs}) == 1, k
    return {k: bool(all(r[k] for r in rs)) for k in IDS}


if __name__ == "__main__":
    print(truths())
