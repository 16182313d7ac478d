r"""Truth of the checked displays of wangkuiyi/deeplearning, LSTM.md (Yi Wang's notes "LSTM",
commit c285a72d057cb35c1e44839fa05143b3c5fafd79), by torch.autograd only.

The notes' forward pass (column vectors, no biases, superscript t = step):
    a^t = tanh(ahat^t),  ahat^t = W_a x^t + U_a h^{t-1}
    i^t = sigma(ihat^t), f^t = sigma(fhat^t), o^t = sigma(ohat^t)   (likewise)
    c^t = a^t (.) i^t + c^{t-1} (.) f^t,   h^t = tanh(c^t) (.) o^t
E is "the error" that the cost layer turns h^t into; the notes state no cost layer, so truth.py
uses E = sum_t CE(softmax(V h^t), y^t) with random class targets (every display below is about
dE/dh^t given, so the choice does not matter).  Hidden 3, input 2, 3 classes, T = 4, random
h^0, c^0, float64, two seeds, every step t = 1..T and every entry.

Readings (source.toml says why):
  * dE/dX for a quantity X of step t is the total derivative, EXCEPT the two places where the
    notes say otherwise: dE/dc^t = dE/dh^t dh^t/dc^t is the part of dE/dc^t through h^t (the
    notes then accumulate it into delta c^t, "c^t should accept gradients from not only h^t,
    but also h^{t+1}"), and dE/dc^{t-1} = delta c^t (.) f^t is the part through c^t ("sets the
    initial value of delta c^{t-1}, which will be updated later").  delta c^t is the total
    dE/dc^t.  Each use of c^t gets its own copy, so autograd yields each part.
  * Theta = [W U] with W = [W_a; W_i; W_f; W_o], U = [U_a; U_i; U_f; U_o] (4H x (D+H)),
    Ihat^t = [ahat; ihat; fhat; ohat] = Theta I^t, I^t = [x^t; h^{t-1}];
    delta Theta^t = dE/dTheta |_t is the gradient by the copy of Theta used at step t.
  * a vector standing for a Jacobian (dh/do, dh/dc) is its diagonal.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
H, D, K, T = 3, 2, 3, 4


def close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


IDS = ['do', 'dc_hpath', 'di', 'da', 'df', 'dc_prev_cpath', 'da_hat', 'di_hat', 'df_hat',
       'do_hat', 'dTheta_t', 'dTheta']


def run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    Theta = r(4 * H, D + H)
    V = r(K, H)
    xs = {t: r(D) for t in range(1, T + 1)}
    ys = {t: int(torch.randint(0, K, (1,), generator=g)) for t in range(1, T + 1)}
    h0, c0 = r(H), r(H)

    # one copy of Theta per step (their gradients are the delta Theta^t) and the total Theta
    Th = Theta.clone().requires_grad_()
    copies = {t: Th * 1.0 for t in range(1, T + 1)}          # differentiable copies of Th
    n = {}                                                   # graph nodes
    h_prev = h0
    c_next_use = {0: c0.clone().requires_grad_()}            # c^0's use in c^1
    for t in range(1, T + 1):
        I = torch.cat([xs[t], h_prev])
        Ihat = copies[t] @ I
        ahat, ihat, fhat, ohat = Ihat[:H], Ihat[H:2 * H], Ihat[2 * H:3 * H], Ihat[3 * H:]
        a, i, f, o = torch.tanh(ahat), torch.sigmoid(ihat), torch.sigmoid(fhat), torch.sigmoid(ohat)
        c = a * i + c_next_use[t - 1] * f
        c_h = c * 1.0                                         # c^t's use in h^t
        c_next_use[t] = c * 1.0                               # c^t's use in c^{t+1}
        h = torch.tanh(c_h) * o
        n[t] = dict(I=I, Ihat=Ihat, ahat=ahat, ihat=ihat, fhat=fhat, ohat=ohat,
                    a=a, i=i, f=f, o=o, c=c, c_h=c_h, h=h)
        h_prev = h
    E = sum(-torch.log_softmax(V @ n[t]['h'], 0)[ys[t]] for t in range(1, T + 1))

    def gr(x):
        (gx,) = torch.autograd.grad(E, x, retain_graph=True, allow_unused=True)
        return torch.zeros_like(x) if gx is None else gx

    res = {k: True for k in IDS}
    dTheta_sum = torch.zeros_like(Theta)
    for t in range(1, T + 1):
        q = n[t]
        dh = gr(q['h'])
        dc_total = gr(q['c'])                                 # delta c^t
        do, di, da, df = gr(q['o']), gr(q['i']), gr(q['a']), gr(q['f'])
        dahat, dihat, dfhat, dohat = gr(q['ahat']), gr(q['ihat']), gr(q['fhat']), gr(q['ohat'])
        c_prev = c_next_use[t - 1].detach()
        c, o, i, a, f = (q[k].detach() for k in ('c', 'o', 'i', 'a', 'f'))
        ahat, ihat, fhat, ohat = (q[k].detach() for k in ('ahat', 'ihat', 'fhat', 'ohat'))
        # dE/do^t = dE/dh^t . dh^t/do^t = dE/dh^t (.) tanh(c^t)
        J_ho = jacobian(lambda oo: torch.tanh(c) * oo, o)
        res['do'] &= close(do, dh @ J_ho) and close(dh @ J_ho, dh * torch.tanh(c))
        # dE/dc^t (part through h^t) = dE/dh^t dh^t/dc^t = dE/dh^t (.) o^t (.) [1 - tanh^2(c^t)]
        part_h = gr(q['c_h'])
        J_hc = jacobian(lambda cc: torch.tanh(cc) * o, c)
        res['dc_hpath'] &= close(part_h, dh @ J_hc) and close(dh @ J_hc, dh * o * (1 - torch.tanh(c) ** 2))
        if t < T:                                             # for the record: not the total
            assert not close(part_h, dc_total)
        # dE/di^t = delta c^t (.) a^t, dE/da^t = delta c^t (.) i^t, dE/df^t = delta c^t (.) c^{t-1}
        res['di'] &= close(di, dc_total * a)
        res['da'] &= close(da, dc_total * i)
        res['df'] &= close(df, dc_total * c_prev)
        # dE/dc^{t-1} (part through c^t) = delta c^t (.) f^t
        part_c = gr(c_next_use[t - 1])
        res['dc_prev_cpath'] &= close(part_c, dc_total * f)
        # the pre-activation formulas
        res['da_hat'] &= close(dahat, da * (1 - torch.tanh(ahat)))
        assert close(dahat, da * (1 - torch.tanh(ahat) ** 2))          # the right one
        res['di_hat'] &= close(dihat, di * ahat * (1 - ahat))
        assert close(dihat, di * i * (1 - i))
        res['df_hat'] &= close(dfhat, df * fhat * (1 - fhat))
        assert close(dfhat, df * f * (1 - f))
        res['do_hat'] &= close(dohat, do * ohat * (1 - ohat))
        assert close(dohat, do * o * (1 - o))
        # delta Theta^t = dE/dTheta|_t = dE/dIhat^t . dIhat^t/dTheta|_t = [dE/dahat ...] x I^t
        dTheta_t = gr(copies[t])
        dIhat = gr(q['Ihat'])
        I = q['I'].detach()
        J_IT = jacobian(lambda M: M @ I, Theta)               # (4H, 4H, D+H)
        chain = torch.tensordot(dIhat, J_IT, dims=1)
        ok = close(dTheta_t, chain)
        row = torch.cat([dahat, dihat, dfhat, dohat])         # [..] as one row (1 x 4H)
        cols = torch.stack([dahat, dihat, dfhat, dohat], 1)   # [..] as H x 4 (four columns)
        readings = []
        for M in (row.reshape(1, -1), cols):
            try:
                readings.append(M @ I.reshape(-1, 1))
            except RuntimeError:                              # shapes do not multiply
                readings.append(None)
        readings.append(torch.outer(I, row))                  # I^t placed first: (D+H) x 4H
        ok &= any(R is not None and close(dTheta_t, R) for R in readings)
        res['dTheta_t'] &= ok
        assert close(dTheta_t, torch.outer(dIhat, I))         # the right one: [..]^T (I^t)^T
        assert close(readings[-1], dTheta_t.T)                # the outer reading is its transpose
        dTheta_sum = dTheta_sum + dTheta_t
    # dE/dTheta = sum_t delta Theta^t
    res['dTheta'] = close(gr(Th), dTheta_sum)
    return res


def truths():
    r1, r2 = run(1), run(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
