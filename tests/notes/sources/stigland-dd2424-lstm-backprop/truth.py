"""Truth of the checked displays of the DD2424 (KTH) project report "Sit down, Shakespeare!",
section "Single-layer LSTM Backpropagation" (tex/DD2424_project.tex).

The report's own forward pass (no biases), with e_t the output ("exposure") gate:
    i_t = s(W_i h_{t-1} + U_i x_t),  f_t = s(W_f h_{t-1} + U_f x_t),  e_t = s(W_e h_{t-1} + U_e x_t)
    c~_t = tanh(W_c h_{t-1} + U_c x_t),  c_t = f_t o c_{t-1} + i_t o c~_t,  h_t = e_t o tanh(c_t)
    o_t = V h_t,  p_t = softmax(o_t)
and the cross-entropy loss L = sum_t -y_t^T log p_t (the report: "the cross-entropy loss",
dL/do_t = -(y_t - p_t)^T for every t).  h_0, c_0 given, t = 1..T.

Layout: numerator (the report's g_t = dL/do_t is a row, -(y_t - p_t)^T, and dL/dh_t = g_t V);
dL/dX is the total derivative of L.  Juxtaposed vectors (g_t V e_t (1 - tanh^2(c_t)),
hat g_t c~_t i_t (1 - i_t)) multiply elementwise, as the report's derivation requires; a row vector
followed by a matrix (... W_i) is the matrix product.  a_{., t} are the gates' pre-activations.
Sizes: hidden m = 3, input d = 2, output K = 4 (K != m, d != m so shapes are not accidentally
compatible), T = 4; two random seeds.
"""
import torch

torch.set_default_dtype(torch.float64)
M, DIN, K, T = 3, 2, 4, 4
GATES = ("i", "f", "e", "c")


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def jac(f, x):
    return torch.autograd.functional.jacobian(f, x)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    P = {}
    for n in GATES:
        P["W" + n] = r(M, M).requires_grad_(True)
        P["U" + n] = r(M, DIN).requires_grad_(True)
    V = r(K, M).requires_grad_(True)
    xs = [None] + [r(DIN) for _ in range(T)]
    ys = [None] + [torch.nn.functional.one_hot(torch.randint(0, K, (1,), generator=g)[0], K).double()
                   for _ in range(T)]
    h0, c0 = r(M), r(M)

    def pre(n, t, hprev, Wn=None):
        Wn = P["W" + n] if Wn is None else Wn
        return Wn @ hprev + P["U" + n] @ xs[t]

    act = {"i": torch.sigmoid, "f": torch.sigmoid, "e": torch.sigmoid, "c": torch.tanh}
    h = {0: h0.clone().requires_grad_(True)}
    c = {0: c0.clone().requires_grad_(True)}
    a, gate, o, p = {}, {}, {}, {}
    Ls = []
    for t in range(1, T + 1):
        a[t] = {n: pre(n, t, h[t - 1]) for n in GATES}
        gate[t] = {n: act[n](a[t][n]) for n in GATES}
        for v in gate[t].values():
            v.retain_grad()
        c[t] = gate[t]["f"] * c[t - 1] + gate[t]["i"] * gate[t]["c"]
        c[t].retain_grad()
        h[t] = gate[t]["e"] * torch.tanh(c[t])
        h[t].retain_grad()
        o[t] = V @ h[t]
        o[t].retain_grad()
        p[t] = torch.softmax(o[t], 0)
        Ls.append(-(ys[t] * torch.log(p[t])).sum())
    L = sum(Ls)
    L.backward()

    d = lambda z: z.detach()
    dh = {t: d(h[t].grad) for t in range(1, T + 1)}          # total dL/dh_t (as a row)
    dc = {t: d(c[t].grad) for t in range(1, T + 1)}          # total dL/dc_t
    dgate = {t: {n: d(gate[t][n].grad) for n in GATES} for t in range(1, T + 1)}
    gt = {t: -(ys[t] - d(p[t])) for t in range(1, T + 1)}    # g_t = dL/do_t
    assert all(_close(d(o[t].grad), gt[t]) for t in range(1, T + 1))
    Vd = d(V)
    tanh = torch.tanh
    res = {}

    # dL_dh_T: dL/dh_T = dL/do_T do_T/dh_T = g_T V
    J_o_h = jac(lambda x: Vd @ x, d(h[T]))
    res["dL_dh_T"] = _close(dh[T], gt[T] @ J_o_h) and _close(gt[T] @ J_o_h, gt[T] @ Vd)

    # dL_dc_T: dL/dc_T = dL/do_T do_T/dh_T dh_T/dc_T = g_T V e_T (1 - tanh^2(c_T))
    J_h_c = jac(lambda x: d(gate[T]["e"]) * tanh(x), d(c[T]))
    mid = gt[T] @ J_o_h @ J_h_c
    res["dL_dc_T"] = _close(dc[T], mid) and _close(mid, (gt[T] @ Vd) * d(gate[T]["e"]) * (1 - tanh(d(c[T])) ** 2))

    # dL_dh_dc_rec (t < T): every '=' of both chains, at every t = 1..T-1
    def h_next_from_h(t, x):      # h_{t+1} as a function of h_t (c_t fixed)
        gg = {n: act[n](P["W" + n].detach() @ x + P["U" + n].detach() @ xs[t + 1]) for n in GATES}
        cn = gg["f"] * d(c[t]) + gg["i"] * gg["c"]
        return gg["e"] * tanh(cn)

    ok = True
    for t in range(1, T):
        # h rows
        R0 = dh[t]
        J_o1_h = jac(lambda x: Vd @ h_next_from_h(t, x), d(h[t]))        # do_{t+1}/dh_t (total)
        R1 = gt[t] @ Vd + gt[t + 1] @ J_o1_h
        R2 = gt[t] @ Vd
        R3 = gt[t] @ Vd
        for n in GATES:
            Wn = P["W" + n].detach()
            J_gate_h = jac(lambda x: act[n](Wn @ x + P["U" + n].detach() @ xs[t + 1]), d(h[t]))
            R2 = R2 + dgate[t + 1][n] @ J_gate_h
            J_gate_a = jac(act[n], d(a[t + 1][n]))
            R3 = R3 + dgate[t + 1][n] @ J_gate_a @ Wn
        # c rows (dc_{t+1}/dc_t read as the immediate derivative of c_{t+1}'s equation: diag(f_{t+1}))
        J_h_c = jac(lambda x: d(gate[t]["e"]) * tanh(x), d(c[t]))
        J_h1_c1 = jac(lambda x: d(gate[t + 1]["e"]) * tanh(x), d(c[t + 1]))
        J_c1_c = jac(lambda x: d(gate[t + 1]["f"]) * x + d(gate[t + 1]["i"]) * d(gate[t + 1]["c"]), d(c[t]))
        C0 = dc[t]
        C1 = gt[t] @ Vd @ J_h_c + gt[t + 1] @ Vd @ J_h1_c1 @ J_c1_c
        C2 = (gt[t] @ Vd) * d(gate[t]["e"]) * (1 - tanh(d(c[t])) ** 2) + dc[t + 1] @ J_c1_c
        C3 = (gt[t] @ Vd) * d(gate[t]["e"]) * (1 - tanh(d(c[t])) ** 2) + dc[t + 1] * d(gate[t + 1]["f"])
        ok &= all(_close(u, v) for u, v in ((R0, R1), (R1, R2), (R2, R3), (C0, C1), (C1, C2), (C2, C3)))
        if t == 1:
            # rows 2-3 of the h chain are right, the first '=' of each chain is not
            assert _close(R0, R2) and _close(R2, R3) and not _close(R0, R1) and not _close(C0, C1)
    res["dL_dh_dc_rec"] = ok

    # gate_terms: dL/dgate_t dgate_t/dh_{t-1} = ... , t = 1..T, with hat g_t = dL/dc_t, tilde g_t = dL/dh_t
    ok = True
    for t in range(1, T + 1):
        hp = d(h[t - 1])
        s = lambda z: torch.sigmoid(z)
        ai = {n: d(a[t][n]) for n in GATES}
        gi = {n: d(gate[t][n]) for n in GATES}
        for n in GATES:
            Wn = P["W" + n].detach()
            lhs = dgate[t][n] @ jac(lambda x: act[n](Wn @ x + P["U" + n].detach() @ xs[t]), hp)
            if n == "i":
                mids = [(dc[t] * gi["c"] * s(ai["i"]) * (1 - s(ai["i"]))) @ Wn,
                        (dc[t] * gi["c"] * gi["i"] * (1 - gi["i"])) @ Wn]
            elif n == "f":
                mids = [(dc[t] * d(c[t - 1]) * s(ai["f"]) * (1 - s(ai["f"]))) @ Wn,
                        (dc[t] * d(c[t - 1]) * gi["f"] * (1 - gi["f"])) @ Wn]
            elif n == "e":
                mids = [(dh[t] * tanh(d(c[t])) * s(ai["e"]) * (1 - s(ai["e"]))) @ Wn,
                        (dh[t] * tanh(d(c[t])) * gi["e"] * (1 - gi["e"])) @ Wn]
            else:
                mids = [(dc[t] * gi["i"] * (1 - tanh(ai["c"]) ** 2)) @ Wn,
                        (dc[t] * gi["i"] * (1 - gi["c"] ** 2)) @ Wn]
            ok &= _close(lhs, mids[0]) and _close(mids[0], mids[1])
    res["gate_terms"] = ok

    # param_grads: dL/dW_i = sum_t hat g_t c~_t i_t (1 - i_t) h_{t-1}, ... , dL/dV = sum_t g_t h_t
    delta = {}
    for t in range(1, T + 1):
        gi = {n: d(gate[t][n]) for n in GATES}
        delta[t] = {"i": dc[t] * gi["c"] * gi["i"] * (1 - gi["i"]),
                    "f": dc[t] * d(c[t - 1]) * gi["f"] * (1 - gi["f"]),
                    "e": dh[t] * tanh(d(c[t])) * gi["e"] * (1 - gi["e"]),
                    "c": dc[t] * gi["i"] * (1 - gi["c"] ** 2)}

    def literal(vec, other):
        """juxtaposition as the report uses it between vectors: elementwise (needs equal sizes)"""
        return vec * other if vec.shape == other.shape else None

    ok_lit, ok_outer = True, True
    for n in GATES:
        for Wname, inp in (("W" + n, lambda t: d(h[t - 1])), ("U" + n, lambda t: xs[t])):
            truth_grad = d(P[Wname].grad)
            terms = [literal(delta[t][n], inp(t)) for t in range(1, T + 1)]
            lit = None if any(z is None for z in terms) else sum(terms)
            ok_lit &= lit is not None and _close(truth_grad, lit)
            ok_outer &= _close(truth_grad, sum(torch.outer(delta[t][n], inp(t)) for t in range(1, T + 1)))
    # dL/dV = sum_t g_t h_t: a 1 x K row times an m x 1 column is undefined (K != m)
    ok_lit &= False if K != M else _close(d(V.grad), sum(gt[t] @ d(h[t]) for t in range(1, T + 1)))
    ok_outer &= _close(d(V.grad), sum(torch.outer(gt[t], d(h[t])) for t in range(1, T + 1)))
    res["param_grads"] = bool(ok_lit)
    assert ok_outer   # the intended outer products (column delta times row h_{t-1}^T) are right
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in a}


if __name__ == "__main__":
    print(truths())
