r"""Truth of the checked displays of the CSE 751 notes "RNN and LSTM --- Concepts and Worked
Examples" (abdullah-al-mahmud-18/cse751, src/rnn_lstm_overview.tex), Worked Example 3 (LSTM POS
tagging) with the loss, data and delta_out of Example 1.

The notes' model: an LSTM without biases, column vectors,
    f_t = sigma(W_{f,h} h_{t-1} + W_{f,x} x_t),  g_t = tanh(W_{g,h} h_{t-1} + W_{g,x} x_t),
    i_t = sigma(W_{i,h} ...),  o_t = sigma(W_{o,h} ...),
    c_t = f_t o c_{t-1} + i_t o g_t,  h_t = o_t o tanh(c_t),
an output o^(t) = softmax(V h_t) (written in the worked steps), L^(t) = -log o^(t)[true label]
and L_total = (1/5) sum_{t=1}^5 L^(t).  Data: the five one-hot words x^(t) = e_t and the labels
DET, NOUN, NOUN, VERB, ADJ = 0, 1, 1, 2, 4; hidden 5, T = 5, h_0 = c_0 = 0.

Two kinds of displays:
  * symbolic (delta_out = o - y and the BPTT chain): compared at every step and entry, at the
    notes' own weights (0.4 I, 0.3 I, ...) and at two random points (random weights, same data);
    tolerance 1e-9.
  * numeric (the delta_out rows, nabla V, nabla W_{g,x}): compared at the notes' weights, the
    only point they speak of, with a tolerance of 5e-5 (the notes round to 4 decimals).

Readings (source.toml says why): delta_out^(t) is the gradient of L^(t) by the pre-softmax
scores V h_t; delta_h^(t) = dL_total/dh_t, delta_c^(t) = dL_total/dc_t (every path); the
"raw" deltas are dL_total by the gates' pre-activations; delta_{h,next} and delta_{c,next}
(undefined in the notes) are what step t+1 passes back: sum_g W_{g,h}^T delta_{g,raw}^(t+1) and
delta_c^(t+1) o f_{t+1} (zero at t = T); nabla X = dL_total/dX in X's shape.
"""
import torch

torch.set_default_dtype(torch.float64)
N, T = 5, 5
LABELS = [0, 1, 1, 2, 4]
GATES = ['f', 'g', 'i', 'o']
DOC = {'f': (0.4, 0.3), 'g': (0.2, 0.7), 'i': (0.5, 0.4), 'o': (0.3, 0.4)}


def close(a, b, tol=None):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    if a.shape != b.shape:
        return False
    if tol is None:
        return torch.allclose(a, b, rtol=1e-9, atol=1e-10)
    return bool((a - b).abs().max() <= tol)


def weights(seed):
    if seed is None:
        P = {}
        for gname, (a, b) in DOC.items():
            P[gname + 'h'], P[gname + 'x'] = a * torch.eye(N), b * torch.eye(N)
        P['V'] = 0.5 * torch.eye(N)
        return P
    gen = torch.Generator().manual_seed(seed)
    P = {k: 0.5 * torch.randn(N, N, generator=gen) for k in
         [gname + s for gname in GATES for s in 'hx'] + ['V']}
    return P


def forward(P):
    P = {k: v.clone().requires_grad_() for k, v in P.items()}
    h, c = {0: torch.zeros(N)}, {0: torch.zeros(N)}
    pre, gate, scores, out, L = {}, {}, {}, {}, {}
    for t in range(1, T + 1):
        x = torch.eye(N)[t - 1]
        pre[t] = {gname: P[gname + 'h'] @ h[t - 1] + P[gname + 'x'] @ x for gname in GATES}
        for v in pre[t].values():
            v.retain_grad()
        gate[t] = {gname: (torch.tanh if gname == 'g' else torch.sigmoid)(pre[t][gname])
                   for gname in GATES}
        c[t] = gate[t]['f'] * c[t - 1] + gate[t]['i'] * gate[t]['g']
        h[t] = gate[t]['o'] * torch.tanh(c[t])
        scores[t] = P['V'] @ h[t]
        out[t] = torch.softmax(scores[t], dim=0)
        L[t] = -torch.log(out[t][LABELS[t - 1]])
    Ltot = sum(L.values()) / T
    return P, h, c, pre, gate, scores, out, L, Ltot


def symbolic(seed):
    P, h, c, pre, gate, scores, out, L, Ltot = forward(weights(seed))
    gr = lambda y, x: torch.autograd.grad(y, x, retain_graph=True)[0]
    res = {}
    # delta_out^(t) = o^(t) - y^(t): gradient of L^(t) by the pre-softmax scores
    ok = True
    for t in range(1, T + 1):
        y = torch.zeros(N)
        y[LABELS[t - 1]] = 1
        ok &= close(gr(L[t], scores[t]), out[t].detach() - y)
    res['delta_out'] = ok
    # the LSTM BPTT chain
    d_h = {t: gr(Ltot, h[t]) for t in h if t}
    d_c = {t: gr(Ltot, c[t]) for t in c if t}
    d_raw = {t: {gname: gr(Ltot, pre[t][gname]) for gname in GATES} for t in pre}
    ok = True
    for t in range(1, T + 1):
        y = torch.zeros(N)
        y[LABELS[t - 1]] = 1
        d_out = out[t].detach() - y
        G = {k: v.detach() for k, v in gate[t].items()}
        ct, cp = c[t].detach(), c[t - 1].detach()
        if t < T:
            h_next = sum(P[gname + 'h'].detach().T @ d_raw[t + 1][gname] for gname in GATES)
            c_next = d_c[t + 1] * gate[t + 1]['f'].detach()
        else:
            h_next = c_next = torch.zeros(N)
        dh = P['V'].detach().T @ d_out / T + h_next
        do = dh * torch.tanh(ct)
        do_raw = do * G['o'] * (1 - G['o'])
        dc = dh * G['o'] * (1 - torch.tanh(ct) ** 2) + c_next
        df_raw = (dc * cp) * G['f'] * (1 - G['f'])
        dg_raw = (dc * G['i']) * (1 - G['g'] ** 2)
        di_raw = (dc * G['g']) * G['i'] * (1 - G['i'])
        ok &= (close(dh, d_h[t]) and close(do, gr(Ltot, gate[t]['o']))
               and close(do_raw, d_raw[t]['o']) and close(dc, d_c[t])
               and close(df_raw, d_raw[t]['f']) and close(dg_raw, d_raw[t]['g'])
               and close(di_raw, d_raw[t]['i']))
    res['lstm_chain'] = ok
    return res


def numeric():
    P, h, c, pre, gate, scores, out, L, Ltot = forward(weights(None))
    tol = 5e-5 + 1e-12
    res = {}
    rows = [[-0.7829, 0.1957, 0.1957, 0.1957, 0.1957],
            [0.2043, -0.7852, 0.1936, 0.1936, 0.1936],
            [0.1984, -0.7969, 0.2136, 0.1925, 0.1925],
            [0.1951, 0.1977, -0.7976, 0.2129, 0.1919],
            [0.1933, 0.1948, 0.1974, 0.2021, -0.7875]]
    ok = True
    for t in range(1, T + 1):
        y = torch.zeros(N)
        y[LABELS[t - 1]] = 1
        ok &= close(out[t].detach() - y, torch.tensor(rows[t - 1]), tol)
    res['delta_out_values'] = ok
    gV, gWgx = torch.autograd.grad(Ltot, [P['V'], P['gx']])
    nabla_V = torch.tensor([[-0.0238, 0.0163, 0.0147, 0.0122, 0.0080],
                            [-0.0162, -0.0460, -0.0265, 0.0124, 0.0081],
                            [0.0102, 0.0044, -0.0058, -0.0289, 0.0082],
                            [0.0167, 0.0160, 0.0150, 0.0132, 0.0084],
                            [0.0130, 0.0092, 0.0027, -0.0089, -0.0327]])
    nabla_Wgx = torch.tensor([[-0.0109, 0.0109, 0.0095, 0.0077, 0.0049],
                              [-0.0151, -0.0229, -0.0159, 0.0079, 0.0050],
                              [0.0059, 0.0019, -0.0036, -0.0176, 0.0051],
                              [0.0108, 0.0107, 0.0106, 0.0066, 0.0052],
                              [0.0075, 0.0047, -0.0002, -0.0091, -0.0158]])
    res['nabla_V'] = close(gV, nabla_V, tol)
    res['nabla_Wgx'] = close(gWgx, nabla_Wgx, tol)
    return res


IDS = ['delta_out', 'delta_out_values', 'lstm_chain', 'nabla_V', 'nabla_Wgx']


def truths():
    sym = [symbolic(s) for s in (None, 1, 2)]
    num = numeric()
    out = {}
    for k in IDS:
        out[k] = bool(num[k]) if k in num else bool(all(r[k] for r in sym))
    return out


if __name__ == "__main__":
    print(truths())
