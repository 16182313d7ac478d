"""Truth of the checked displays of the rnn package's vignette "LSTM units" (Dimitri Fichou).

The vignette's forward pass, row vectors, '*' the matrix product, '.' (\\cdot) elementwise:
    f_t = sigmoid(h_{t-1} W_f + x_t U_f), i_t = sigmoid(h_{t-1} W_i + x_t U_i),
    g_t = tanh(h_{t-1} W_g + x_t U_g),    o_t = sigmoid(h_{t-1} W_o + x_t U_o),
    C_t = C_{t-1} . f_t + i_t . g_t,      h_t = y_t = tanh(C_t) . o_t        (no biases)

delta k is the gradient of the loss at the point of the vignette's figure (the R chunk
'BPTT plot') labelled delta k.  From the label positions:
  1: from the output y_t = h_t (this step's loss), 2: from step t+1 into h_t, 3: at h_t,
  4: from step t+1 into C_t, 5: at tanh(C_t), 6: at o_t, 7: C_t through tanh (the h path),
  8: all of C_t, 9: at g_t, 10: at i_t, 11: C_{t-1} through the forget product, 12: at f_t,
  13..16: the pre-activations of o, g, i, f, 17/19/21/23: x_t through U_o/U_g/U_i/U_f,
  18/20/22/24: h_{t-1} through W_o/W_g/W_i/W_f, 25: all of h_{t-1} (through step t), 26: all of x_t.
Each display is checked with every delta on its right side taken as that true gradient.
In 'delta 3 . 6' and 'f'(5)' a bare number k stands for the forward value carried at point k
(6 = o_t, 5 = tanh(c_t), 9 = g_t, 10 = i_t, 11 = c_{t-1}, 12 = f_t), as the right-most member of
each display spells out; tanh'(.), sigmoid'(.) take the OUTPUT (tanh'(y) = 1 - y^2,
sigmoid'(y) = y(1 - y)), as the package computes them (sigmoid_output_to_derivative,
tanh_output_to_derivative): tanh'(tanh(c_t)) is 1 - tanh(c_t)^2.
The loss is left open (delta 1 "comes from the top layer"): L = sum_t ( a_t . h_t + 0.5 |h_t|^2 ).
The weight updates 'dW = dW + increment' are read as accumulations over the backward loop
(t = T..1, from 0): the final accumulator must equal dL/dW.
"""
import torch

torch.set_default_dtype(torch.float64)
H, NX, T = 3, 2, 4


def close(a, b):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-7, atol=1e-9)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g) * 0.7
    P = {}
    for k in 'figo':
        P['W' + k] = r(H, H)
        P['U' + k] = r(NX, H)
    P = {k: v.clone().requires_grad_() for k, v in P.items()}
    xs = [r(1, NX).requires_grad_() for _ in range(T + 1)]
    avec = [r(1, H) for _ in range(T + 1)]
    h_prev, C_prev = r(1, H).requires_grad_(), r(1, H).requires_grad_()
    N = {}
    L = 0.0
    for t in range(1, T + 1):
        x = xs[t]
        hc = {k: h_prev * 1.0 for k in 'figo'}       # h_{t-1} into W_k
        xc = {k: x * 1.0 for k in 'figo'}            # x_t into U_k
        pre = {k: hc[k] @ P['W' + k] + xc[k] @ P['U' + k] for k in 'figo'}
        f, i, o = torch.sigmoid(pre['f']), torch.sigmoid(pre['i']), torch.sigmoid(pre['o'])
        gg = torch.tanh(pre['g'])
        Cp = C_prev * 1.0                             # C_{t-1} into the forget product
        fC = Cp * f
        ig = i * gg
        C = fC + ig
        C_h = C * 1.0                                 # C_t into tanh (the h path)
        C_n = C * 1.0                                 # C_t to step t+1
        tC = torch.tanh(C_h)
        h = tC * o
        h_out = h * 1.0                               # into this step's loss
        L = L + (avec[t] * h_out).sum() + 0.5 * (h_out * h_out).sum()
        N[t] = dict(hc=hc, xc=xc, pre=pre, f=f, i=i, o=o, g=gg, Cp=Cp, C=C, C_h=C_h, tC=tC, h=h,
                    h_out=h_out, x=x, h_prev=h_prev, C_prev=C_prev)
        h_prev, C_prev = h, C_n

    flat = []
    for t in range(1, T + 1):
        n = N[t]
        flat += [n['hc'][k] for k in 'figo'] + [n['xc'][k] for k in 'figo'] + \
                [n['pre'][k] for k in 'figo'] + [n[k] for k in ['f', 'i', 'o', 'g', 'Cp', 'C', 'C_h', 'tC', 'h', 'h_out']]
    gr = torch.autograd.grad(L, flat + list(P.values()))
    per = 12 + 10
    dP = dict(zip(P.keys(), gr[T * per:]))

    res = {}

    def upd(k, ok):
        res[k] = res.get(k, True) and bool(ok)

    acc = {k: torch.zeros(v.shape) for k, v in P.items()}
    dsig = lambda y: y * (1 - y)
    dtanh = lambda y: 1 - y ** 2
    for t in range(T, 0, -1):
        gsl = gr[(t - 1) * per:t * per]
        dh_ = dict(zip('figo', gsl[0:4]))
        dx_ = dict(zip('figo', gsl[4:8]))
        dpre = dict(zip('figo', gsl[8:12]))
        df, di, do, dg, dCp, dC, dCh, dtC, dh, dhout = gsl[12:22]
        n = {k: (v.detach() if torch.is_tensor(v) else v) for k, v in N[t].items()}
        f, i, o, gg, tC = n['f'], n['i'], n['o'], n['g'], n['tC']
        hp, x, cp = n['h_prev'].detach(), n['x'].detach(), n['C_prev'].detach()
        W = {k: P[k].detach() for k in P}
        D = {1: dhout, 3: dh, 5: dtC, 6: do, 7: dCh, 8: dC, 9: dg, 10: di, 11: dCp, 12: df,
             13: dpre['o'], 14: dpre['g'], 15: dpre['i'], 16: dpre['f'],
             17: dx_['o'], 19: dx_['g'], 21: dx_['i'], 23: dx_['f'],
             18: dh_['o'], 20: dh_['g'], 22: dh_['i'], 24: dh_['f']}
        D[2] = D[3] - D[1]
        D[4] = D[8] - D[7]
        D[25] = D[18] + D[20] + D[22] + D[24]
        D[26] = D[17] + D[19] + D[21] + D[23]
        upd('d3', close(D[3], D[1] + D[2]))
        upd('d5', close(D[5], D[3] * o))                        # delta 3 . 6 = delta 3 . o_t
        upd('d6', close(D[6], D[3] * tC))                       # delta 3 . 5 = delta 3 . tanh(c_t)
        upd('d7', close(D[7], D[5] * dtanh(tC)))                # f'(5) = tanh'(tanh(c_t))
        upd('d8', close(D[8], D[7] * D[4]))
        upd('d9', close(D[9], D[8] * i))
        upd('d10', close(D[10], D[8] * gg))
        upd('d11', close(D[11], D[8] * f))
        upd('d12', close(D[12], D[8] * cp))
        upd('d13', close(D[13], D[6] * dsig(o)))
        upd('d14', close(D[14], D[9] * dtanh(gg)))
        upd('d15', close(D[15], D[10] * dsig(i)))
        upd('d16', close(D[16], D[12] * dsig(f)))
        upd('d17', close(D[17], D[13] @ W['Uo'].T))
        upd('d19', close(D[19], D[14] @ W['Ug'].T))
        upd('d21', close(D[21], D[15] @ W['Ui'].T))
        upd('d23', close(D[23], D[16] @ W['Wf'].T))
        upd('d18', close(D[18], D[13] @ W['Wo'].T))
        upd('d20', close(D[20], D[14] @ W['Wg'].T))
        upd('d22', close(D[22], D[16] @ W['Wi'].T))
        upd('d24', close(D[24], D[16] @ W['Wf'].T))
        upd('d25', close(D[25], D[18] + D[20] + D[22] + D[24]))
        upd('d26', close(D[26], D[17] + D[19] + D[21] + D[23]))
        for k, dk in (('f', 16), ('i', 15), ('g', 14), ('o', 13)):
            acc['W' + k] = acc['W' + k] + hp.T @ D[dk]
            acc['U' + k] = acc['U' + k] + x.T @ D[dk]
    for k in P:
        upd('d' + k, close(acc[k], dP[k]))
    return res


def truths():
    a, b = run(9), run(10)
    return {k: a[k] and b[k] for k in a}


if __name__ == "__main__":
    print(truths())
