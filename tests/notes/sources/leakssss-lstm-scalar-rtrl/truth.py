"""Truth of the checked displays of Leakssss/Financial-Data-Prediction, LSTM.md (2025).

The notes' own model: ONE hidden unit (W_kh, h_t, c_t scalars) and N input features,
    u_kt = sum_i W_ki x_ti + W_kh h_{t-1} + b_k,   k in {f, I, s, o}
    f_t = sigma(u_ft), I_t = sigma(u_It), s_t = tanh(u_st), o_t = sigma(u_ot)
    c_t = f_t c_{t-1} + I_t s_t,   h_t = o_t tanh(c_t)
"h_{t-1} is set to 0 at the start" (h_0 = 0; we take c_0 = 0 too), and the loss is
sequence-to-one, L = l(y_T, h_T); the notes' last display takes (y_T - h_T)^2, which we use.
Steps run t = 1..T (the notes start at t = 1).

How the displays are read: the notes compute the TOTAL derivative of u_kt by a weight through
the recursion ("This will repeat recursively from t, t-1, ..., 1"), so du_{ot}/dW_{oi},
dh_{t-1}/dW_{oi}, do_{t-1}/dW_{oi}, dc_{t-1}/dW_{fi} are total derivatives in the unrolled graph;
the one-step factors dh_t/do_t, dh_t/dc_t, dc_t/df_t, do_t/du_{o,t}, df_t/du_{f,t} are the local
partial derivatives of the step's own equation (as the notes evaluate them: tanh(c_t),
o_t(1 - tanh^2 c_t), c_{t-1}, o_t(1 - o_t), f_t(1 - f_t)).  dL/dh_t is at t = T.
Typos read as meant: x_{fi} is x_{ti}; \\frac{dL}{h_t} is dL/dh_t; du_{o,t-1}/dW_{bo} is du_{o,t-1}/db_o.
Each display holds when every member equals the first at every t (and every input index i).
"""
import torch

torch.set_default_dtype(torch.float64)
NI, T = 2, 4
GATES = ['f', 'I', 's', 'o']


def idx(k, what, i=0):
    base = GATES.index(k) * (NI + 2)
    return base + {'W': i, 'Wh': NI, 'b': NI + 1}[what]


def forward(theta, xs):
    """All intermediates as a dict of 1-D tensors indexed by t (0..T)."""
    out = {n: [torch.zeros(())] * (T + 1) for n in ['u_f', 'u_I', 'u_s', 'u_o', 'f', 'I', 's', 'o', 'c', 'h']}
    out = {n: list(v) for n, v in out.items()}
    h, c = torch.zeros(()), torch.zeros(())
    for t in range(1, T + 1):
        u = {}
        for k in GATES:
            b0 = GATES.index(k) * (NI + 2)
            u[k] = theta[b0:b0 + NI] @ xs[t] + theta[b0 + NI] * h + theta[b0 + NI + 1]
        f, I, s, o = torch.sigmoid(u['f']), torch.sigmoid(u['I']), torch.tanh(u['s']), torch.sigmoid(u['o'])
        c = f * c + I * s
        h = o * torch.tanh(c)
        for k in GATES:
            out['u_' + k][t] = u[k]
        out['f'][t], out['I'][t], out['s'][t], out['o'][t], out['c'][t], out['h'][t] = f, I, s, o, c, h
    return out


def close(a, b):
    return torch.allclose(torch.as_tensor(a), torch.as_tensor(b), rtol=1e-7, atol=1e-10)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    theta0 = torch.randn(4 * (NI + 2), generator=g) * 0.8
    xs = [torch.randn(NI, generator=g) for _ in range(T + 1)]
    y = torch.randn((), generator=g)
    names = ['u_f', 'u_I', 'u_s', 'u_o', 'f', 'I', 's', 'o', 'c', 'h']

    def flat(theta):
        o = forward(theta, xs)
        return torch.stack([o[n][t] for n in names for t in range(T + 1)])

    Jflat = torch.autograd.functional.jacobian(flat, theta0)        # total derivatives
    V = forward(theta0, xs)
    V = {n: [v.detach() for v in V[n]] for n in V}

    def D(n, t, k, what, i=0):       # total derivative d n_t / d theta[k, what, i]
        return Jflat[names.index(n) * (T + 1) + t, idx(k, what, i)]

    def L_of(theta):
        return (y - forward(theta, xs)['h'][T]) ** 2
    dL = torch.autograd.functional.jacobian(L_of, theta0)
    dLdh = -2 * (y - V['h'][T])

    # local partials
    dh_do = lambda t: torch.tanh(V['c'][t])
    do_du = lambda t: V['o'][t] * (1 - V['o'][t])
    dh_dc = lambda t: V['o'][t] * (1 - torch.tanh(V['c'][t]) ** 2)
    dc_df = lambda t: V['c'][t - 1]
    df_du = lambda t: V['f'][t] * (1 - V['f'][t])
    dc_dI = lambda t: V['s'][t]
    dI_du = lambda t: V['I'][t] * (1 - V['I'][t])
    Wh = lambda k: theta0[idx(k, 'Wh')]
    x = lambda t, i: xs[t][i]
    h = lambda t: V['h'][t]

    res = {}

    def upd(k, ok):
        res[k] = res.get(k, True) and bool(ok)

    for i in range(NI):
        tT = T
        upd('dL_chain', close(dL[idx('o', 'W', i)], dLdh * dh_do(tT) * do_du(tT) * D('u_o', tT, 'o', 'W', i))
            and close(dL[idx('f', 'W', i)], dLdh * dh_dc(tT) * dc_df(tT) * df_du(tT) * D('u_f', tT, 'f', 'W', i))
            and close(dL[idx('I', 'W', i)], dLdh * dh_dc(tT) * dc_dI(tT) * dI_du(tT) * D('u_I', tT, 'I', 'W', i)))
        for t in range(1, T + 1):
            first = D('u_o', t, 'o', 'W', i)
            m3 = x(t, i) + Wh('o') * D('h', t - 1, 'o', 'W', i)
            upd('duo_expand', close(first, m3))
            upd('duo_chain', close(first, m3)
                and close(first, x(t, i) + Wh('o') * dh_do(t - 1) * D('o', t - 1, 'o', 'W', i))
                and close(first, x(t, i) + Wh('o') * dh_do(t - 1) * do_du(t - 1) * D('u_o', t - 1, 'o', 'W', i)))
            upd('duo_rec', close(first, x(t, i) + Wh('o') * dh_do(t - 1) * do_du(t - 1) * D('u_o', t - 1, 'o', 'W', i)))
            rec_o = Wh('o') * torch.tanh(V['c'][t - 1]) * V['o'][t - 1] * (1 - V['o'][t - 1])
            upd('recap_o', close(first, x(t, i) + rec_o * D('u_o', t - 1, 'o', 'W', i)))
            # f-gate: x_{fi} read as x_{ti}
            ff = D('u_f', t, 'f', 'W', i)
            upd('duf_expand', close(ff, x(t, i) + Wh('f') * D('h', t - 1, 'f', 'W', i)))
            if t >= 2:
                upd('duf_chain', close(ff, x(t, i) + Wh('f') * D('h', t - 1, 'f', 'W', i))
                    and close(ff, x(t, i) + Wh('f') * dh_dc(t - 1) * D('c', t - 1, 'f', 'W', i))
                    and close(ff, x(t, i) + Wh('f') * dh_dc(t - 1) * dc_df(t - 1) * D('f', t - 1, 'f', 'W', i))
                    and close(ff, x(t, i) + Wh('f') * dh_dc(t - 1) * dc_df(t - 1) * df_du(t - 1)
                              * D('u_f', t - 1, 'f', 'W', i)))
                rec_f = (Wh('f') * V['o'][t - 1] * (1 - torch.tanh(V['c'][t - 1]) ** 2) * V['c'][t - 2]
                         * V['f'][t] * (1 - V['f'][t]))
                upd('duf_rec', close(ff, x(t, i) + rec_f * D('u_f', t - 1, 'f', 'W', i)))
                upd('recap_f', close(ff, x(t, i) + rec_f * D('u_f', t - 1, 'f', 'W', i))
                    and close(D('u_f', t, 'f', 'Wh'), h(t - 1) + rec_f * D('u_f', t - 1, 'f', 'Wh'))
                    and close(D('u_f', t, 'f', 'b'), 1 + rec_f * D('u_f', t - 1, 'f', 'b')))
        # the worked start: t = 1, 2 (h_0 = 0)
        upd('duo_base', close(D('u_o', 1, 'o', 'W', i), x(1, i))
            and close(D('u_o', 2, 'o', 'W', i), x(2, i) + Wh('o') * dh_do(1) * do_du(1) * D('u_o', 1, 'o', 'W', i))
            and close(D('u_o', 2, 'o', 'W', i), x(2, i) + Wh('o') * dh_do(1) * do_du(1) * x(1, i)))
    for t in range(1, T + 1):
        # dh_t/do_t = tanh(c_t); do_t/du_ot = sigma(u)(1 - sigma(u)) = o_t(1 - o_t)  (local partials)
        sg = torch.sigmoid(torch.tensor(float(V['u_o'][t])))
        upd('dh_do_du', close(dh_do(t), torch.tanh(V['c'][t])) and close(sg * (1 - sg), do_du(t)))
        # partials for f: o_t(1 - tanh^2 c_t), c_{t-1}, f_t(1 - f_t): these are the definitions used
        # above; check them against autograd of the step's own equations
        c_prev, f_t, I_t, s_t, o_t = V['c'][t - 1], V['f'][t], V['I'][t], V['s'][t], V['o'][t]
        cc = V['c'][t].clone().requires_grad_()
        g1, = torch.autograd.grad(o_t * torch.tanh(cc), cc)
        ff_ = f_t.clone().requires_grad_()
        g2, = torch.autograd.grad(ff_ * c_prev + I_t * s_t, ff_)
        uu = V['u_f'][t].clone().requires_grad_()
        g3, = torch.autograd.grad(torch.sigmoid(uu), uu)
        upd('partials_f', close(g1, dh_dc(t)) and close(g2, dc_df(t)) and close(g3, df_du(t)))
        rec_o = Wh('o') * torch.tanh(V['c'][t - 1]) * V['o'][t - 1] * (1 - V['o'][t - 1])
        upd('duo_Woh', close(D('u_o', t, 'o', 'Wh'), h(t - 1) + Wh('o') * D('h', t - 1, 'o', 'Wh'))
            and close(D('u_o', t, 'o', 'Wh'), h(t - 1) + Wh('o') * dh_do(t - 1) * do_du(t - 1) * D('u_o', t - 1, 'o', 'Wh'))
            and close(D('u_o', t, 'o', 'Wh'), h(t - 1) + rec_o * D('u_o', t - 1, 'o', 'Wh')))
        upd('duo_bo', close(D('u_o', t, 'o', 'b'), 1 + Wh('o') * D('h', t - 1, 'o', 'b'))
            and close(D('u_o', t, 'o', 'b'), 1 + Wh('o') * dh_do(t - 1) * do_du(t - 1) * D('u_o', t - 1, 'o', 'b'))
            and close(D('u_o', t, 'o', 'b'), 1 + rec_o * D('u_o', t - 1, 'o', 'b')))
        upd('recap_o', close(D('u_o', t, 'o', 'Wh'), h(t - 1) + rec_o * D('u_o', t - 1, 'o', 'Wh'))
            and close(D('u_o', t, 'o', 'b'), 1 + rec_o * D('u_o', t - 1, 'o', 'b')))
    return res


def truths():
    a, b = run(11), run(12)
    return {k: a[k] and b[k] for k in a}


if __name__ == "__main__":
    print(truths())
