r"""Truth of the checked displays of ElliottYan/Elliott-s_blog, lstm.md ("LSTM的梯度消失和反向传播",
commit 85c6cbe6bc9e188902cd22313b9e4ec88ff0a590), by torch.autograd only.

The notes' forward pass (column vectors, subscript t = step, \circ and \cdot elementwise):
    f_t, i_t, o_t = sigma(W_x. x_t + W_h. h_{t-1} + b_.),  g_t = tanh(W_xg x_t + W_hg h_{t-1} + b_g)
    c_t = f_t o c_{t-1} + i_t o g_t,  h_t = o_t o tanh(c_t),  z_t = W_hz h_t + b_z
and the loss "CE = -sum_i y_i log sigma(z_t)" at every step ("每一步都存在loss"), summed over the
steps; sigma of the logits is read as the softmax (the cross-entropy over classes), L_t is step
t's cross-entropy, L = sum_t L_t.  The last display is stated for a loss at step T only
("当问题的loss只定义在T点时"); truth.py checks it with L = L_T.
Hidden 3, input 2, 4 classes (K != H, so a missing transpose of the K x H matrix W_hz shows as a
shape error), T = 4, random h_0, c_0, float64, two seeds, every step and entry.

Readings (source.toml says why):
  * d-prefix = total: dX is the derivative of L by X, all paths (dc_t the accumulated one, after the
    notes' "dc_{t-1} += f_t dc_t" updates); dh_{t-1} in the "根据递推" (recursion) line is the part
    of dL/dh_{t-1} through step t's gates (the other case, "+ W_hz dz", is added next).
  * \cdot between two vectors is the elementwise product; a weight gradient dW has W's shape.
  * dL/dX by a vector in a chain (dL_T/dh_T dh_T/dc_T) is a row times Jacobians.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
H, D, K, T = 3, 2, 4, 4


def close(a, b):
    return a is not None and b is not None and a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


def try_(f):
    try:
        return f()
    except RuntimeError:              # the product does not multiply: no reading
        return None


IDS = ['dz', 'dW_hz', 'dh_T', 'dc', 'do', 'dg', 'di', 'df', 'dh_prev', 'dLT_dcT', 'dLTm1_dcTm1',
       'dLTm1_dcTm1_sum', 'dc_prev_loss_at_T']


def run(seed):
    gen = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=gen)
    P = {k: r(H, D) for k in ('Wxf', 'Wxi', 'Wxg', 'Wxo')}
    P.update({k: r(H, H) for k in ('Whf', 'Whi', 'Whg', 'Who')})
    P.update({k: r(H) for k in ('bf', 'bi', 'bg', 'bo')})
    P['Whz'], P['bz'] = r(K, H), r(K)
    for v in P.values():
        v.requires_grad_()
    xs = {t: r(D) for t in range(1, T + 1)}
    ys = {t: int(torch.randint(0, K, (1,), generator=gen)) for t in range(1, T + 1)}
    h0, c0 = r(H).requires_grad_(), r(H).requires_grad_()

    def forward():
        n = {0: dict(h=h0, c=c0)}
        for t in range(1, T + 1):
            hp, cp, x = n[t - 1]['h'], n[t - 1]['c'], xs[t]
            # step t's uses of h_{t-1} get one copy, so that the recursion part can be read off
            hp_use = hp * 1.0
            f = torch.sigmoid(P['Wxf'] @ x + P['Whf'] @ hp_use + P['bf'])
            i = torch.sigmoid(P['Wxi'] @ x + P['Whi'] @ hp_use + P['bi'])
            g = torch.tanh(P['Wxg'] @ x + P['Whg'] @ hp_use + P['bg'])
            o = torch.sigmoid(P['Wxo'] @ x + P['Who'] @ hp_use + P['bo'])
            c = f * cp + i * g
            h = o * torch.tanh(c)
            z = P['Whz'] @ h + P['bz']
            Lt = -torch.log_softmax(z, 0)[ys[t]]
            n[t] = dict(hp_use=hp_use, f=f, i=i, g=g, o=o, c=c, h=h, z=z, L=Lt)
        return n

    n = forward()
    L = sum(n[t]['L'] for t in range(1, T + 1))

    def gr(out, x):
        (gx,) = torch.autograd.grad(out, x, retain_graph=True, allow_unused=True)
        return torch.zeros_like(x) if gx is None else gx

    res = {k: True for k in IDS}
    dWhz_total = gr(L, P['Whz'])
    for t in range(1, T + 1):
        q = n[t]
        dz, dh, dc = gr(L, q['z']), gr(L, q['h']), gr(L, q['c'])
        do, dg, di, df = gr(L, q['o']), gr(L, q['g']), gr(L, q['i']), gr(L, q['f'])
        h, c, o, i, g, f = (q[k].detach() for k in ('h', 'c', 'o', 'i', 'g', 'f'))
        cp = n[t - 1]['c'].detach()
        y = torch.zeros(K)
        y[ys[t]] = 1.0
        # dz_t = y_t - z_t
        res['dz'] &= close(dz, y - q['z'].detach())
        assert close(dz, torch.softmax(q['z'].detach(), 0) - y)            # the right one
        # dW_hz = h_t . dz_t  (any reading of the product against the total dL/dW_hz)
        readings = [try_(lambda: torch.outer(h, dz)), try_(lambda: torch.outer(dz, h)),
                    try_(lambda: h * dz)]
        res['dW_hz'] &= any(close(dWhz_total, R) for R in readings)
        # dh_T = W_hz dz_T  (the line is about the last step)
        if t == T:
            res['dh_T'] &= close(dh, try_(lambda: P['Whz'].detach() @ dz))
            assert close(dh, P['Whz'].detach().T @ dz)                       # the right one
        # dc_t = (1 - tanh(c_t)^2) . dh_t
        res['dc'] &= close(dc, (1 - torch.tanh(c) ** 2) * dh)
        assert not close(dc, o * (1 - torch.tanh(c) ** 2) * dh) or t == T  # nor the h-path part
        # do_t, dg_t, di_t, df_t
        res['do'] &= close(do, torch.tanh(c) * dh)
        res['dg'] &= close(dg, i * dc)
        res['di'] &= close(di, g * dc)
        res['df'] &= close(df, cp * dc)
        # dh_{t-1} (recursion part) = o(1-o) W_ho do + f(1-f) W_hf df + i(1-i) W_hi di + (1-g^2) W_hg dg
        rec = gr(L, q['hp_use'])
        W = {k: P[k].detach() for k in ('Who', 'Whf', 'Whi', 'Whg')}
        rhs = (o * (1 - o) * (W['Who'] @ do) + f * (1 - f) * (W['Whf'] @ df)
               + i * (1 - i) * (W['Whi'] @ di) + (1 - g ** 2) * (W['Whg'] @ dg))
        res['dh_prev'] &= close(rec, rhs)
        right = (W['Who'].T @ (do * o * (1 - o)) + W['Whf'].T @ (df * f * (1 - f))
                 + W['Whi'].T @ (di * i * (1 - i)) + W['Whg'].T @ (dg * (1 - g ** 2)))
        assert close(rec, right)
    # the "BP for c_t" displays: per-step losses L_T, L_{T-1}
    LT, LTm1 = n[T]['L'], n[T - 1]['L']
    hT, cT, hTm1, cTm1 = n[T]['h'], n[T]['c'], n[T - 1]['h'], n[T - 1]['c']
    oT, oTm1, fT = n[T]['o'].detach(), n[T - 1]['o'].detach(), n[T]['f'].detach()
    J_hc = lambda oo, cc: jacobian(lambda u: oo * torch.tanh(u), cc.detach())
    J_cc = torch.diag(fT)                                  # dc_T/dc_{T-1}: c_T's own equation
    row_T = gr(LT, hT) @ J_hc(oT, cT)
    row_Tm1 = gr(LTm1, hTm1) @ J_hc(oTm1, cTm1)
    res['dLT_dcT'] = close(gr(LT, cT), row_T)
    res['dLTm1_dcTm1'] = close(gr(LTm1, cTm1), row_Tm1)
    res['dLTm1_dcTm1_sum'] = close(gr(LTm1, cTm1), row_Tm1 + row_T @ J_cc)
    assert not close(gr(LT + LTm1, cTm1), row_Tm1 + row_T @ J_cc)  # nor of L_{T-1} + L_T
    # loss at step T only: dc_{t-1} = f_t o dc_t = dc_T prod_{j=t}^{T} f_j
    ok = True
    for t in range(1, T + 1):
        dc_prev, dc_t, dcT = gr(LT, n[t - 1]['c']), gr(LT, n[t]['c']), gr(LT, cT)
        ft = n[t]['f'].detach()
        prod = torch.ones(H)
        for j in range(t, T + 1):
            prod = prod * n[j]['f'].detach()
        ok &= close(dc_prev, ft * dc_t) and close(ft * dc_t, dcT * prod)
    res['dc_prev_loss_at_T'] = ok
    return res


def truths():
    r1, r2 = run(1), run(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
