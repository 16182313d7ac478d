"""Truth of the checked displays of Cho, "Natural Language Understanding with Distributed
Representation" (lecture_note.tex), sections on simple RNNs and the vanishing gradient.

The notes' model (Eqs. rnn_layer, rnn_h_x, rnn_y_h, cost_per_step, cost_per_sample):
    h_t = g(W phi(x_t) + U h_{t-1}),      mu_t = softmax(V h_t),
    C_x = -sum_t log mu_{t, y_t}          (the notes write I_{k=y}; read as the label y_t of step t)
with g = tanh ("simple recurrent neural network": g = tanh, Sec. "Rectifiers explode"), column
vectors (the notes say so), bias-free as in the notes.  phi(x_t) is taken as a given input vector
(any input transform; the derivative is by phi(x_t) itself).  The notes write underline{h}_t for
the pre-activation of h_t (Sec. example2 writes underline{mu}, underline{phi} for the
pre-activations), i.e. underline{h}_t = W phi(x_t) + U h_{t-1}.

Layout: numerator (Jacobian) layout, as the notes' d underline{h}_{t+1} / d h_t = U says; a
derivative of a scalar by a vector is a row.  Every display is checked at every step and index
pair it speaks of (l_0 < l_1 <= n, t' < t <= n), at two random seeds.
"""
import torch

torch.set_default_dtype(torch.float64)
DH, D, K, N = 3, 2, 4, 5   # hidden d_h, input d, categories K (four, as in the notes), sequence length n


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def jac(f, x):
    """numerator layout: J[i, j] = d f_i / d x_j"""
    return torch.autograd.functional.jacobian(f, x)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    W, U, V = r(DH, D), r(DH, DH) * 0.9, r(K, DH)
    phis = [None] + [r(D) for _ in range(N)]          # phi(x_1..x_n)
    ys = [None] + [int(torch.randint(0, K, (1,), generator=g)) for _ in range(N)]
    h0 = r(DH)

    def hbar(t, hprev, phi=None):
        return W @ (phis[t] if phi is None else phi) + U @ hprev

    def run(act):
        h = {0: h0}
        for t in range(1, N + 1):
            h[t] = act(hbar(t, h[t - 1]))
        return h

    res = {}
    tanh = torch.tanh
    h = run(tanh)
    D_ = {t: jac(tanh, hbar(t, h[t - 1])) for t in range(1, N + 1)}   # dh_t / d hbar_t (diagonal)

    def h_from(act, a, ha, b):
        """h_b as a function of h_a (a <= b), inputs fixed"""
        x = ha
        for t in range(a + 1, b + 1):
            x = act(hbar(t, x))
        return x

    def J_hh(act, hh, b, a):   # d h_b / d h_a
        return jac(lambda x: h_from(act, a, x, b), hh[a])

    # dh_dphi_chain: dh_{l1}/dphi(x_{l0+1}) = (a) dh_{l0+1}/dhbar_{l0+1} dhbar_{l0+1}/dphi(x_{l0+1})
    ok = True
    for l0 in range(0, N):
        for l1 in range(l0 + 1, N + 1):
            t0 = l0 + 1
            lhs = jac(lambda p: h_from(tanh, t0, tanh(hbar(t0, h[l0], p)), l1), phis[t0])
            a = J_hh(tanh, h, l1, t0)
            rhs = a @ D_[t0] @ jac(lambda p: hbar(t0, h[l0], p), phis[t0])
            ok &= _close(lhs, rhs)
    res["dh_dphi_chain"] = ok

    # tderiv and dh_product: dh_{l1}/dh_{l0+1} = (D_{l1} U)(D_{l1-1} U)...(D_{l0+2} U),
    # the product taken in the order the display writes it (t descending from left to right)
    ok_t, ok_p = True, True
    for l0 in range(0, N):
        for l1 in range(l0 + 2, N + 1):
            lhs = J_hh(tanh, h, l1, l0 + 1)
            prod_t = torch.eye(DH)
            prod_p = torch.eye(DH)
            for j in range(l1, l0 + 1, -1):
                dhbar_dhprev = jac(lambda x: hbar(j, x), h[j - 1])   # (c)
                prod_t = prod_t @ (D_[j] @ dhbar_dhprev)
                prod_p = prod_p @ (D_[j] @ U)
            ok_t &= _close(lhs, prod_t)
            ok_p &= _close(lhs, prod_p) and _close(prod_t, prod_p)
    res["tderiv"] = ok_t
    res["dh_product"] = ok_p

    # act_derivs: sigma'(x) = sigma(x)(1 - sigma(x)), tanh'(x) = 1 - tanh^2(x)
    x = r(7)
    ds = torch.diagonal(jac(torch.sigmoid, x))
    dt = torch.diagonal(jac(torch.tanh, x))
    res["act_derivs"] = _close(ds, torch.sigmoid(x) * (1 - torch.sigmoid(x))) and _close(dt, 1 - torch.tanh(x) ** 2)

    # dhbar_dh: d hbar_{t+1} / d h_t = U
    res["dhbar_dh"] = all(_close(jac(lambda x: hbar(t + 1, x), h[t]), U) for t in range(0, N))

    # linear_power: with g linear, dh_{l1}/dh_{l0+1} = U^{l1 - l0 + 1}
    ident = lambda z: z
    hl = run(ident)
    ok = True
    for l0 in range(0, N):
        for l1 in range(l0 + 1, N + 1):
            lhs = J_hh(ident, hl, l1, l0 + 1)
            ok &= _close(lhs, torch.linalg.matrix_power(U, l1 - l0 + 1))
    res["linear_power"] = ok
    # (the true power is l1 - l0 - 1)
    assert all(_close(J_hh(ident, hl, l1, l0 + 1), torch.linalg.matrix_power(U, l1 - l0 - 1))
               for l0 in range(N) for l1 in range(l0 + 1, N + 1))

    # eigendecomposition U = Q S Q^{-1} (complex in general)
    evals, Q = torch.linalg.eig(U)
    S = torch.diag(evals)
    Qi = torch.linalg.inv(Q)
    ok_d, ok_h = True, True
    for t in range(1, N + 1):
        Dc = D_[t].to(torch.complex128)
        lhs = (D_[t] @ U).to(torch.complex128)
        # eig_diag: D_t U = [diag of f_i'] (Q S Q^{-1})
        ok_d &= torch.allclose(lhs, Dc @ (Q @ S @ Qi), rtol=1e-9, atol=1e-9)
        # eig_hadamard: D_t U = Q (diag(D_t) o S) Q^{-1}; diag of the (diagonal) Jacobian read as
        # that diagonal matrix (reading it as the vector of its diagonal broadcast over S gives the
        # same nonzero entries on S's diagonal, hence the same matrix)
        ok_h &= torch.allclose(lhs, Q @ (Dc * S) @ Qi, rtol=1e-9, atol=1e-9)
    res["eig_diag"] = ok_d
    res["eig_hadamard"] = ok_h

    # dlogp_chain: dlog p(y_t)/dphi(x_t') = dlog p/dh_t (dh_t/dh_{t-1} ... dh_{t'+1}/dh_t') dh_t'/dphi(x_t)
    def logp(hh, t):
        return torch.log_softmax(V @ hh, 0)[ys[t]]

    def h_t_from_phi(tp, p, t):
        x = tanh(hbar(tp, h[tp - 1], p))
        return h_from(tanh, tp, x, t)

    ok, ok_fixed = True, True
    for t in range(2, N + 1):
        for tp in range(1, t):
            lhs = jac(lambda p: logp(h_t_from_phi(tp, p, t), t), phis[tp])
            dl_dh = jac(lambda x: logp(x, t), h[t])
            chain = torch.eye(DH)
            for j in range(t, tp, -1):
                chain = chain @ jac(lambda x: tanh(hbar(j, x)), h[j - 1])
            # the display's last factor: d h_{t'} / d phi(x_t) -- h_{t'} does not depend on x_t (t > t')
            last = jac(lambda p: tanh(hbar(tp, h[tp - 1], phis[tp])) + 0.0 * p.sum(), phis[t])
            ok &= _close(lhs, dl_dh @ chain @ last)
            last_fixed = jac(lambda p: tanh(hbar(tp, h[tp - 1], p)), phis[tp])
            ok_fixed &= _close(lhs, dl_dh @ chain @ last_fixed)
    res["dlogp_chain"] = ok
    assert ok_fixed   # with x_{t'} in place of x_t the chain holds
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in a}


if __name__ == "__main__":
    print(truths())
