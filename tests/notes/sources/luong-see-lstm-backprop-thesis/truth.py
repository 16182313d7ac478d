"""Truth of the checked displays of Luong & See's LSTM back-propagation derivation
(lmthang/thesis, 2-backwardprop.tex, forward pass from 2-background.tex, same commit).

The source's own model (Zaremba et al. formulation, stacked LSTM, no biases):
    (i, f, o, hat h)^l_t = (sigm, sigm, sigm, tanh)( T^l [h_t^{l-1}; h_{t-1}^l] ),
    T^l = [[U_i, V_i], [U_f, V_f], [U_o, V_o], [U_hat, V_hat]]  (U on the layer below, V recurrent)
    z_g^l(t) = U_g h_t^{l-1} + V_g h_{t-1}^l,   c^l_t = f o c^l_{t-1} + i o hat h,   h^l_t = o o tanh(c^l_t)
    h_t^0 = x_t (so the input has the block size n), h_0^l = c_0^l = 0.
The loss L is left generic by the source ("L is the loss function"); the thesis's NMT setting puts a
softmax on the top layer, so here L = sum_t -log softmax(W_y h_t^L)[y_t] (only the top layer feeds the
loss, which is what the delta_h lemma for l <= L-1 assumes).
Readings:
  delta_g^l(t) = dL/dz_g^l(t), delta_h^l(t) = dL/dh_t^l, delta_c^l(t) = dL/dc_t^l: total derivatives,
  column vectors (the source: "delta_h is n x 1"); so dL/dU has U's shape, (dL/dU)_{jk} = dL/dU_{jk}
  (denominator layout, the layout of the source's own delta_h = [U^T ... V^T][delta ...]).
  Derivatives of one node by another inside the proofs (dz/dh, dc_{t+1}/dc_t, dh_t/dc_t, dc/dz) are
  immediate: the node's own equation with the other named nodes held fixed -- except in the display
  "dz_dh_proof", whose middle member writes z_i^l(t+1) with h_{t+1}^l (the definition has h_{t+1}^{l-1}),
  and h_{t+1}^l depends on h_t^l (through the layer's own step t+1), so d/dh_t of that expression is
  U ∂h_{t+1}^l/∂h_t^l + V, not V.
  An entry subscript missing on a vector inside a sum over k (delta_i^l(t+1) (V_i^l)_{kj}) is read as
  the k-th entry.  [h_t^{l-1}  h_{t-1}^l] in the corollary is read as the row of the two transposed
  vectors (as written, an n x 2 block, the product with a 4n x 1 column is undefined).
Sizes: block n = 3 (input 3), 3 layers, T = 4, 4 classes; every layer, step and entry; seeds 0 and 1.
"""
import torch

torch.set_default_dtype(torch.float64)
N, NL, TT, K = 3, 3, 4, 4
GATES = ("i", "f", "o", "g")


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def jac(f, x):
    return torch.autograd.functional.jacobian(f, x)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    U = {l: {q: r(N, N).requires_grad_(True) for q in GATES} for l in range(1, NL + 1)}
    V = {l: {q: r(N, N).requires_grad_(True) for q in GATES} for l in range(1, NL + 1)}
    Wy = r(K, N)
    xs = {t: r(N) for t in range(1, TT + 1)}
    ys = {t: int(torch.randint(0, K, (1,), generator=g)[0]) for t in range(1, TT + 1)}
    sig, tanh = torch.sigmoid, torch.tanh
    act = {"i": sig, "f": sig, "o": sig, "g": tanh}
    h = {(l, 0): torch.zeros(N) for l in range(1, NL + 1)}
    c = {(l, 0): torch.zeros(N) for l in range(1, NL + 1)}
    for t in range(1, TT + 1):
        h[(0, t)] = xs[t]
    z, a = {}, {}
    for t in range(1, TT + 1):
        for l in range(1, NL + 1):
            for q in GATES:
                z[(q, l, t)] = U[l][q] @ h[(l - 1, t)] + V[l][q] @ h[(l, t - 1)]
                z[(q, l, t)].retain_grad()
                a[(q, l, t)] = act[q](z[(q, l, t)])
            c[(l, t)] = a[("f", l, t)] * c[(l, t - 1)] + a[("i", l, t)] * a[("g", l, t)]
            c[(l, t)].retain_grad()
            h[(l, t)] = a[("o", l, t)] * tanh(c[(l, t)])
            h[(l, t)].retain_grad()
    L = 0.0
    for t in range(1, TT + 1):
        L = L - torch.log_softmax(Wy @ h[(NL, t)], 0)[ys[t]]
    L.backward()
    D = lambda v: v.detach()
    dz = {k: D(v.grad) for k, v in z.items()}
    dh = {(l, t): D(h[(l, t)].grad) for l in range(1, NL + 1) for t in range(1, TT + 1)}
    dc = {(l, t): D(c[(l, t)].grad) for l in range(1, NL + 1) for t in range(1, TT + 1)}
    for l in range(1, NL + 1):     # "if t = T we take delta(t+1) to be zero"
        dc[(l, TT + 1)] = torch.zeros(N)
        for q in GATES:
            dz[(q, l, TT + 1)] = torch.zeros(N)
    gU = {l: {q: D(U[l][q].grad) for q in GATES} for l in range(1, NL + 1)}
    gV = {l: {q: D(V[l][q].grad) for q in GATES} for l in range(1, NL + 1)}
    Uv = {l: {q: D(U[l][q]) for q in GATES} for l in range(1, NL + 1)}
    Vv = {l: {q: D(V[l][q]) for q in GATES} for l in range(1, NL + 1)}
    hv = {k: D(v) for k, v in h.items()}
    cv = {k: D(v) for k, v in c.items()}
    av = {k: D(v) for k, v in a.items()}
    zv = {k: D(v) for k, v in z.items()}
    for l in range(1, NL + 1):
        av[("f", l, TT + 1)] = torch.zeros(N)   # only multiplies delta_c(T+1) = 0
    dsig = lambda x: sig(x) * (1 - sig(x))
    dtanh = lambda x: 1 - tanh(x) ** 2

    def step_h(l, t, hprev, cprev):   # h_t^l as a function of h_{t-1}^l (h_t^{l-1}, c_{t-1}^l fixed)
        zz = {q: Uv[l][q] @ hv[(l - 1, t)] + Vv[l][q] @ hprev for q in GATES}
        cc = sig(zz["f"]) * cprev + sig(zz["i"]) * tanh(zz["g"])
        return sig(zz["o"]) * tanh(cc)

    res = {}
    # dh_lemma / dh_proof_final / first row of the summary: U with delta^l(t+1), V with delta^{l+1}(t),
    # all matrices "with respect to layer l"
    ok = True
    for l in range(1, NL):
        for t in range(1, TT):
            rhs = sum(Uv[l][q].T @ dz[(q, l, t + 1)] for q in GATES) + \
                  sum(Vv[l][q].T @ dz[(q, l + 1, t)] for q in GATES)
            ok &= _close(dh[(l, t)], rhs)
    res["dh_lemma"] = ok
    res["dh_proof_final"] = ok
    # (for the record: the true recursion is sum V^l^T delta^l(t+1) + sum U^{l+1}^T delta^{l+1}(t))
    for l in range(1, NL):
        for t in range(1, TT):
            true = sum(Vv[l][q].T @ dz[(q, l, t + 1)] for q in GATES) + \
                   sum(Uv[l + 1][q].T @ dz[(q, l + 1, t)] for q in GATES)
            assert _close(dh[(l, t)], true)

    # dz_dh_proof: dz_i^l(t+1)_k/d(h_t^l)_j = d/dh (U_i^l h_{t+1}^l + V_i^l h_t^l)_k = ... = (V_i^l)_{kj}
    ok = True
    for l in range(1, NL + 1):
        for t in range(1, TT):
            A = jac(lambda hh: Uv[l]["i"] @ hv[(l - 1, t + 1)] + Vv[l]["i"] @ hh, hv[(l, t)])
            B = jac(lambda hh: Uv[l]["i"] @ step_h(l, t + 1, hh, cv[(l, t)]) + Vv[l]["i"] @ hh, hv[(l, t)])
            C = jac(lambda hh: Vv[l]["i"] @ hh, hv[(l, t)])
            E = Vv[l]["i"]
            ok &= _close(A, B) and _close(B, C) and _close(C, E)
    res["dz_dh_proof"] = ok

    # sum_i_term: sum_k dL/dz_k dz_k/dh_j = sum_k delta_k (V)_kj = [V^T delta]_j
    ok = True
    for l in range(1, NL + 1):
        for t in range(1, TT):
            J = jac(lambda hh: Uv[l]["i"] @ hv[(l - 1, t + 1)] + Vv[l]["i"] @ hh, hv[(l, t)])
            lhs = J.T @ dz[("i", l, t + 1)]
            mid = torch.stack([sum(dz[("i", l, t + 1)][k] * Vv[l]["i"][k, j] for k in range(N))
                               for j in range(N)])
            rhs = Vv[l]["i"].T @ dz[("i", l, t + 1)]
            ok &= _close(lhs, mid) and _close(mid, rhs)
    res["sum_i_term"] = ok

    # dc_lemma / dc_proof_final
    ok = True
    for l in range(1, NL + 1):
        for t in range(1, TT):
            rhs = dc[(l, t + 1)] * av[("f", l, t + 1)] + dh[(l, t)] * av[("o", l, t)] * dtanh(cv[(l, t)])
            ok &= _close(dc[(l, t)], rhs)
    res["dc_lemma"] = ok
    res["dc_proof_final"] = ok

    # dc_proof_chain: immediate dc_{t+1}/dc_t and dh_t/dc_t
    ok = True
    for l in range(1, NL + 1):
        for t in range(1, TT):
            J1 = jac(lambda cc: av[("f", l, t + 1)] * cc + av[("i", l, t + 1)] * av[("g", l, t + 1)], cv[(l, t)])
            J2 = jac(lambda cc: av[("o", l, t)] * tanh(cc), cv[(l, t)])
            rhs = J1.T @ dc[(l, t + 1)] + J2.T @ dh[(l, t)]
            ok &= _close(dc[(l, t)], rhs)
    res["dc_proof_chain"] = ok

    # gate lemmas (t = 1..T) and the two proofs written out (input gate, modulation gate)
    okI = okF = okO = okG = okIP = okGP = True
    for l in range(1, NL + 1):
        for t in range(1, TT + 1):
            dcl, zi, zf, zo, zg = dc[(l, t)], zv[("i", l, t)], zv[("f", l, t)], zv[("o", l, t)], zv[("g", l, t)]
            okI &= _close(dz[("i", l, t)], dcl * dsig(zi) * av[("g", l, t)])
            okF &= _close(dz[("f", l, t)], dcl * dsig(zf) * cv[(l, t - 1)])
            okO &= _close(dz[("o", l, t)], dh[(l, t)] * dsig(zo) * tanh(cv[(l, t)]))
            okG &= _close(dz[("g", l, t)], dcl * av[("i", l, t)] * dtanh(zg))
            # di_proof: dL/dz_i = sum_k dL/dc_k dc_k/dz_i = ... = dc o sigm'(z_i) o hat h
            Ji = jac(lambda zz: av[("f", l, t)] * cv[(l, t - 1)] + sig(zz) * av[("g", l, t)], zi)
            Ji2 = jac(lambda zz: sig(zz) * av[("g", l, t)], zi)
            okIP &= _close(dz[("i", l, t)], Ji.T @ dcl) and _close(Ji.T @ dcl, dcl * torch.diagonal(Ji2)) \
                and _close(dcl * torch.diagonal(Ji2), dcl * dsig(zi) * av[("g", l, t)])
            Jg = jac(lambda zz: av[("f", l, t)] * cv[(l, t - 1)] + av[("i", l, t)] * tanh(zz), zg)
            Jg2 = jac(lambda zz: av[("i", l, t)] * tanh(zz), zg)
            okGP &= _close(dz[("g", l, t)], Jg.T @ dcl) and _close(Jg.T @ dcl, dcl * torch.diagonal(Jg2)) \
                and _close(dcl * torch.diagonal(Jg2), dcl * av[("i", l, t)] * dtanh(zg))
    res["di_lemma"], res["df_lemma"], res["do_lemma"], res["dg_lemma"] = okI, okF, okO, okG
    res["di_proof"], res["dg_proof"] = okIP, okGP

    # dW_lemma / dU_proof_matrix: dL/dU_g^l = sum_t h_t^{l-1} (delta_g^l(t))^T,
    #                             dL/dV_g^l = sum_t h_{t-1}^l (delta_g^l(t))^T
    okU = okV = okUi = True
    for l in range(1, NL + 1):
        for q in GATES:
            su = sum(torch.outer(hv[(l - 1, t)], dz[(q, l, t)]) for t in range(1, TT + 1))
            sv = sum(torch.outer(hv[(l, t - 1)], dz[(q, l, t)]) for t in range(1, TT + 1))
            okU &= _close(gU[l][q], su)
            okV &= _close(gV[l][q], sv)
            if q == "i":
                okUi &= _close(gU[l][q], su)
    res["dW_lemma"] = okU and okV
    res["dU_proof_matrix"] = okUi

    # dU_entry_proof: dL/d(U_i^l)_{jk} = sum_t dL/dz_j dz_j/dU_jk = sum_t delta_j (h_t^{l-1})_k
    ok = True
    for l in range(1, NL + 1):
        mid = torch.zeros(N, N)
        for t in range(1, TT + 1):
            Jw = jac(lambda W: W @ hv[(l - 1, t)] + Vv[l]["i"] @ hv[(l, t - 1)], Uv[l]["i"])  # [j, a, b]
            for j in range(N):
                for k in range(N):
                    mid[j, k] += dz[("i", l, t)][j] * Jw[j, j, k]
        rhs = sum(torch.outer(dz[("i", l, t)], hv[(l - 1, t)]) for t in range(1, TT + 1))
        ok &= _close(gU[l]["i"], mid) and _close(mid, rhs)
    res["dU_entry_proof"] = ok

    # corollary / summary_weights: [[dU_g, dV_g]]_g = sum_t [delta_g]_g [h_t^{l-1}^T, h_{t-1}^l^T]
    ok = True
    for l in range(1, NL + 1):
        lhs = torch.cat([torch.cat([gU[l][q], gV[l][q]], 1) for q in GATES], 0)
        rhs = sum(torch.outer(torch.cat([dz[(q, l, t)] for q in GATES]),
                              torch.cat([hv[(l - 1, t)], hv[(l, t - 1)]])) for t in range(1, TT + 1))
        ok &= _close(lhs, rhs)
    res["corollary"] = ok
    res["summary_weights"] = ok

    # summary_deltas: the six rows together (delta_h row for l <= L-1, t = 1..T with delta(T+1) = 0)
    ok = True
    for l in range(1, NL):
        for t in range(1, TT + 1):
            rhs = sum(Uv[l][q].T @ dz[(q, l, t + 1)] for q in GATES) + \
                  sum(Vv[l][q].T @ dz[(q, l + 1, t)] for q in GATES)
            ok &= _close(dh[(l, t)], rhs)
    for l in range(1, NL + 1):
        for t in range(1, TT + 1):
            ok &= _close(dc[(l, t)], dc[(l, t + 1)] * av[("f", l, t + 1)]
                         + dh[(l, t)] * av[("o", l, t)] * dtanh(cv[(l, t)]))
    res["summary_deltas"] = ok and okI and okF and okO and okG
    return res


def truths():
    r0, r1 = _run(0), _run(1)
    return {k: r0[k] and r1[k] for k in r0}


if __name__ == "__main__":
    for k, v in truths().items():
        print(f"{k:18s} {'holds' if v else 'fails'}")
