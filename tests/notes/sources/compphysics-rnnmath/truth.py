"""Truth of the checked displays of CompPhysics "rnnmath.ipynb" (Advanced Machine Learning,
week 7: the mathematics of RNNs), by torch.autograd only.

The notebook's forward pass: L hidden layers and an output layer L+1,
  z_l^{(t)} = W^{l-1,l} h_{l-1}^{(t)} + b^{l-1,l} + [t >= 2] (W^{ll} h_l^{(t-1)} + b^{ll}),
  h_l^{(t)} = sigma_l(z_l^{(t)}), h_0^{(t)} = X^{(t)}, and for the output layer no time term,
  yhat^{(t)} = sigma_{L+1}(z_{L+1}^{(t)}); "(z_l^{(1)})_time = 0" at the first step (so b^{ll}
  does not enter step 1). Here L = 2, sigma_1 = sigma_2 = tanh, sigma_3 = logistic,
  C^{(t)} = 1/2 |yhat^{(t)} - y^{(t)}|^2 (the notebook leaves C open), C = sum_t C^{(t)}, T = 3.
Meanings from the notebook: dC/d(.) is the total gradient of C (the notebook itself says
"the total gradient of the cost with respect to this output from the two succeeding nodes",
dC/dh = (.)_layer + (.)_time); (dC/dW)^{(t)} is the contribution of step t (per-step copies of
the weights here), dC/dW = sum_t (dC/dW)^{(t)}; delta_l^{(t)} = dC/dz_l^{(t)}; the missing
\\partial in \\frac{\\partial C}{W^{L,L+1}} and \\frac{\\partial C}{z_{L+1,j}} is read as there;
h_l^{(0)} is read as 0; (W)^{(t)} is the shared W.
"""
import torch

torch.set_default_dtype(torch.float64)
N, NH, M, T, L = 2, [3, 3], 2, 3, 2
sig = {1: torch.tanh, 2: torch.tanh, 3: torch.sigmoid}


def dsig(l, z):
    s = sig[l](z)
    return 1 - s ** 2 if l < 3 else s * (1 - s)


def close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=1e-10, rtol=1e-8)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    size = [N] + NH + [M]
    Wl = {l: r(size[l], size[l - 1]) for l in range(1, L + 2)}
    bl = {l: r(size[l], 1) for l in range(1, L + 2)}
    Wr = {l: r(size[l], size[l]) for l in range(1, L + 1)}
    br = {l: r(size[l], 1) for l in range(1, L + 1)}
    X = {t: r(N, 1) for t in range(1, T + 1)}
    Y = {t: torch.rand(M, 1, generator=g) for t in range(1, T + 1)}
    cp = {}      # per-step copies: (name, l, t) -> leaf
    def copy(name, l, t, v):
        cp[(name, l, t)] = v.clone().requires_grad_()
        return cp[(name, l, t)]
    h, z, yhat, Ct = {}, {}, {}, {}
    for t in range(1, T + 1):
        h[(0, t)] = X[t]
        for l in range(1, L + 2):
            zz = copy('Wl', l, t, Wl[l]) @ h[(l - 1, t)] + copy('bl', l, t, bl[l])
            if l <= L and t >= 2:
                zz = zz + copy('Wr', l, t, Wr[l]) @ h[(l, t - 1)] + copy('br', l, t, br[l])
            zz.retain_grad()
            z[(l, t)] = zz
            hh = sig[l](zz)
            hh.retain_grad()
            h[(l, t)] = hh
        yhat[t] = h[(L + 1, t)]
        Ct[t] = 0.5 * ((yhat[t] - Y[t]) ** 2).sum()
    C = sum(Ct.values())
    # dC^{(t)}/d z_{L+1}^{(t)} and dC^{(t)}/d yhat^{(t)}, separately from the total
    part = {t: torch.autograd.grad(Ct[t], [z[(L + 1, t)], yhat[t]], retain_graph=True) for t in Ct}
    for v in list(z.values()) + list(h.values()):
        v.grad = None      # torch.autograd.grad also fills retained .grad; start clean
    C.backward()
    return dict(Wl=Wl, bl=bl, Wr=Wr, br=br, cp=cp, h=h, z=z, part=part)


def check(seed):
    s = run(seed)
    h, z, cp, part, Wl, Wr = s['h'], s['z'], s['cp'], s['part'], s['Wl'], s['Wr']
    O = L + 1
    res = {}
    with torch.no_grad():
        ok_a = ok_v = ok_bi = ok_bt = ok_wi = ok_wt = ok_hi = ok_h = True
        for t in range(1, T + 1):
            zo = z[(O, t)].detach()
            dCt_dz, dCt_dy = part[t]
            delta = z[(O, t)].grad
            jac = torch.diag(dsig(O, zo)[:, 0])                 # d yhat_j / d z_i
            kron = torch.eye(M)
            hL = h[(L, t)].detach()
            # cell 38 align: all rows equal, entry by entry
            # rows: dC/dz_i, dC^{(t)}/dz_i, sum_j dC/dyhat_j dyhat_j/dz_i,
            #       sum_j dC/dyhat_j sigma'(z_i) delta_ij, dC/dyhat_i sigma'(z_i)
            rows = [delta, dCt_dz, jac.T @ dCt_dy,
                    (kron * dCt_dy[:, 0][None, :]).sum(1, keepdim=True) * dsig(O, zo),
                    dCt_dy * dsig(O, zo)]
            ok_a &= all(close(rows[0], x) for x in rows[1:])
            ok_v &= close(delta, dCt_dy * dsig(O, zo))
            # cell 41: output bias, index rows then vector form
            db_t = cp[('bl', O, t)].grad
            rows = [db_t, (delta.T @ kron).T, (delta.T @ kron).T, delta, delta]
            ok_bi &= all(close(rows[0], x) for x in rows[1:])
            ok_bt &= close(db_t, delta)
            # cell 42: output weights; d z_{k1} / d W_ij = delta_{i k1} h_j
            dW_t = cp[('Wl', O, t)].grad
            dz_dW = torch.einsum('ki,j->kij', kron, hL[:, 0])
            rows = [dW_t, torch.einsum('k,kij->ij', delta[:, 0], dz_dW),
                    torch.einsum('k,ki,j->ij', delta[:, 0], kron, hL[:, 0]), delta @ hL.T]
            ok_wi &= all(close(rows[0], x) for x in rows[1:])
            ok_wt &= close(dW_t, delta @ hL.T)
            # cell 44: total dC/dh_L^{(t)} against W^T delta
            W = Wl[O]
            rows = [h[(L, t)].grad, W.T @ delta, (delta.T @ W).T, W.T @ delta]
            ok_hi &= all(close(rows[0], x) for x in rows[1:])
            ok_h &= close(h[(L, t)].grad, W.T @ delta)
        res.update(dC_dz_out_index=ok_a, dC_dz_out=ok_v, db_out_index=ok_bi, db_out_t=ok_bt,
                   dW_out_index=ok_wi, dW_out_t=ok_wt, dh_L_index=ok_hi, dh_L=ok_h)
        res['db_out_sum'] = close(sum(cp[('bl', O, t)].grad for t in range(1, T + 1)),
                                  sum(z[(O, t)].grad for t in range(1, T + 1)))
        res['dW_out_sum'] = close(sum(cp[('Wl', O, t)].grad for t in range(1, T + 1)),
                                  sum(z[(O, t)].grad @ h[(L, t)].detach().T for t in range(1, T + 1)))
        # cell 50: general node, every hidden layer l and step t
        ok = True
        for l in range(1, L + 1):
            for t in range(1, T + 1):
                d = z[(l, t)].grad
                ok &= close(d, h[(l, t)].grad * dsig(l, z[(l, t)].detach()))
                ok &= close(cp[('bl', l, t)].grad, d)
                gbr = cp[('br', l, t)].grad if ('br', l, t) in cp else torch.zeros_like(d)
                ok &= close(gbr, d)
                ok &= close(cp[('Wl', l, t)].grad, d @ h[(l - 1, t)].detach().T)
                hp = h[(l, t - 1)].detach() if t >= 2 else torch.zeros_like(d)
                gwr = cp[('Wr', l, t)].grad if ('Wr', l, t) in cp else torch.zeros(d.shape[0], d.shape[0])
                ok &= close(gwr, d @ hp.T)
                if l - 1 >= 1:
                    ok &= close(h[(l - 1, t)].grad, Wl[l].T @ d)
                if t >= 2:
                    ok &= close(h[(l, t - 1)].grad, Wr[l].T @ d)
        res['node_backward'] = ok
    # cell 51: the full gradients (shared parameters) are the sums of the contributions
    res['grad_sums'] = shared_grads_match(seed)
    return {k: bool(v) for k, v in res.items()}


def shared_grads_match(seed):
    """dC/dW for the shared W (one leaf used at every step) equals sum_t (dC/dW)^{(t)}."""
    s = run(seed)
    cp = s['cp']
    g = torch.Generator().manual_seed(seed)
    r = lambda *sh: torch.randn(*sh, generator=g)
    size = [N] + NH + [M]
    Wl = {l: r(size[l], size[l - 1]).requires_grad_() for l in range(1, L + 2)}
    bl = {l: r(size[l], 1).requires_grad_() for l in range(1, L + 2)}
    Wr = {l: r(size[l], size[l]).requires_grad_() for l in range(1, L + 1)}
    br = {l: r(size[l], 1).requires_grad_() for l in range(1, L + 1)}
    X = {t: r(N, 1) for t in range(1, T + 1)}
    Y = {t: torch.rand(M, 1, generator=g) for t in range(1, T + 1)}
    h, C = {}, 0.0
    for t in range(1, T + 1):
        h[(0, t)] = X[t]
        for l in range(1, L + 2):
            zz = Wl[l] @ h[(l - 1, t)] + bl[l]
            if l <= L and t >= 2:
                zz = zz + Wr[l] @ h[(l, t - 1)] + br[l]
            h[(l, t)] = sig[l](zz)
        C = C + 0.5 * ((h[(L + 1, t)] - Y[t]) ** 2).sum()
    C.backward()
    ok = True
    for l in range(1, L + 1):
        for name, P in (('bl', bl), ('br', br), ('Wl', Wl), ('Wr', Wr)):
            parts = [cp[(name, l, t)].grad for t in range(1, T + 1) if (name, l, t) in cp]
            ok &= close(P[l].grad, sum(parts))
    return ok


def truths():
    r1, r2 = check(1), check(2)
    return {k: bool(r1[k] and r2[k]) for k in r1}


if __name__ == "__main__":
    print(truths())
