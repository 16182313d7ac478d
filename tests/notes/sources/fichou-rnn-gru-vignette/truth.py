"""Truth of the checked displays of the rnn package's vignette "GRU units" (Dimitri Fichou).

The vignette's forward pass, row vectors, '*' the matrix product, '.' (\\cdot) elementwise:
    r_t = sigmoid(h_{t-1} W_r + x_t U_r),  z_t = sigmoid(h_{t-1} W_z + x_t U_z)
    g_t = tanh((h_{t-1} . r_t) W_g + x_t U_g)
    h_t = y_t = h_{t-1} . (1 - z_t) + z_t . g_t
The display writes W_g * (h_{t-1} . r_t) with W_g on the left; with row vectors (every other
product, and the backward's delta 10 * W_g^T) the product is (h_{t-1} . r_t) W_g: we take that.

delta k is the gradient of the loss at the point of the vignette's figure (the R chunk
'BPTT plot') labelled delta k.  From the label positions:
  1: from the output y_t = h_t (this step's loss), 2: from step t+1, 3: at h_t,
  4: h_{t-1} into h_{t-1}.(1-z_t), 5: at (1-z_t), 6: z_t into (1-z_t), 7: z_t into z_t.g_t,
  8: at g_t, 9: at z_t, 10: g's pre-activation, 11: z's pre-activation,
  12: x_t through U_g, 13: at h_{t-1}.r_t (into W_g), 14: x_t through U_z, 15: h_{t-1} through W_z,
  16: at r_t, 17: h_{t-1} into h_{t-1}.r_t, 18: r's pre-activation, 19: h_{t-1} on the top line
  (paths 4 and 17), 20: x_t through U_r, 21: h_{t-1} through W_r, 22: h_{t-1} on the lower line
  (paths 21 and 15), 23: all of h_{t-1} through step t, 24: all of x_t.
Each display is checked with every delta on its right side taken as that true gradient.
tanh'(g_t), sigmoid'(z_t) are derivatives written in terms of the OUTPUT (1 - g_t^2, z_t(1 - z_t)),
as the package computes them (sigmoid_output_to_derivative, tanh_output_to_derivative).
The loss is left open by the vignette (delta 1 "comes from the top layer"): we take
L = sum_t ( c_t . h_t + 0.5 |h_t|^2 ).
The weight updates 'dW = dW + increment' are read as the accumulation over the backward loop
(t = T..1, every accumulator starting at 0; delta W_f, delta W_i, ... of the LSTM vignette are
never set here, so they are 0): the final accumulator must equal dL/dW.
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
    Wr, Wz, Wg = r(H, H), r(H, H), r(H, H)
    Ur, Uz, Ug = r(NX, H), r(NX, H), r(NX, H)
    P = dict(Wr=Wr, Wz=Wz, Wg=Wg, Ur=Ur, Uz=Uz, Ug=Ug)
    P = {k: v.clone().requires_grad_() for k, v in P.items()}
    xs = [r(1, NX).requires_grad_() for _ in range(T + 1)]
    cs = [r(1, H) for _ in range(T + 1)]
    h0 = r(1, H).requires_grad_()

    N = {}
    h_prev = h0
    L = 0.0
    for t in range(1, T + 1):
        x = xs[t]
        hA, hB, hC, hD = (h_prev * 1.0 for _ in range(4))
        xR, xZ, xG = (x * 1.0 for _ in range(3))
        pre_r = hC @ P['Wr'] + xR @ P['Ur']
        rr = torch.sigmoid(pre_r)
        pre_z = hD @ P['Wz'] + xZ @ P['Uz']
        z = torch.sigmoid(pre_z)
        zA, zB = z * 1.0, z * 1.0
        omz = 1 - zA
        hr = hB * rr
        pre_g = hr @ P['Wg'] + xG @ P['Ug']
        gg = torch.tanh(pre_g)
        h = hA * omz + zB * gg
        h_out = h * 1.0    # into this step's loss (delta 1)
        L = L + (cs[t] * h_out).sum() + 0.5 * (h_out * h_out).sum()
        N[t] = dict(x=x, h_prev=h_prev, hA=hA, hB=hB, hC=hC, hD=hD, xR=xR, xZ=xZ, xG=xG,
                    pre_r=pre_r, r=rr, pre_z=pre_z, z=z, zA=zA, zB=zB, omz=omz, hr=hr,
                    pre_g=pre_g, g=gg, h=h, h_out=h_out)
        h_prev = h

    keys = ['x', 'h_prev', 'hA', 'hB', 'hC', 'hD', 'xR', 'xZ', 'xG', 'pre_r', 'r', 'pre_z', 'z',
            'zA', 'zB', 'omz', 'hr', 'pre_g', 'g', 'h', 'h_out']
    tens = [N[t][k] for t in range(1, T + 1) for k in keys] + list(P.values())
    gr = torch.autograd.grad(L, tens)
    G = {t: dict(zip(keys, gr[(t - 1) * len(keys):t * len(keys)])) for t in range(1, T + 1)}
    dP = dict(zip(P.keys(), gr[T * len(keys):]))

    res = {}

    def upd(k, ok):
        res[k] = res.get(k, True) and bool(ok)

    acc = {k: torch.zeros(v.shape) for k, v in P.items()}
    acc.update({'Wf': torch.zeros(H, H), 'Uf': torch.zeros(NX, H),
                'Wi': torch.zeros(H, H), 'Ui': torch.zeros(NX, H)})
    for t in range(T, 0, -1):
        n = {k: v.detach() for k, v in N[t].items()}
        d = G[t]
        D = {1: d['h_out'], 3: d['h'], 4: d['hA'], 5: d['omz'], 6: d['zA'], 7: d['zB'], 8: d['g'],
             9: d['z'], 10: d['pre_g'], 11: d['pre_z'], 12: d['xG'], 13: d['hr'], 14: d['xZ'],
             15: d['hD'], 16: d['r'], 17: d['hB'], 18: d['pre_r'], 19: d['hA'] + d['hB'],
             20: d['xR'], 21: d['hC'], 22: d['hC'] + d['hD'], 23: d['hA'] + d['hB'] + d['hC'] + d['hD'], 24: d['x']}
        D[2] = D[3] - D[1]
        hp, x, z, gg, rr = n['h_prev'], n['x'], n['z'], n['g'], n['r']
        dsig = lambda y: y * (1 - y)      # sigmoid' in terms of the output
        dtanh = lambda y: 1 - y ** 2      # tanh' in terms of the output
        upd('d3', close(D[3], D[1] + D[2]))
        upd('d4', close(D[4], (1 - z) * D[3]))
        upd('d5', close(D[5], D[3] * hp))
        upd('d6', close(D[6], 1 - D[5]))
        upd('d7', close(D[7], D[3] * gg))
        upd('d8', close(D[8], D[3] * z))
        upd('d9', close(D[9], D[7] + D[8]))
        upd('d10', close(D[10], D[8] * dtanh(gg)))
        upd('d11', close(D[11], D[9] * dsig(z)))
        upd('d12', close(D[12], D[10] @ P['Wg'].detach().T))
        upd('d13', close(D[13], D[10] @ P['Ug'].detach().T))
        upd('d14', close(D[14], D[11] @ P['Wz'].detach().T))
        upd('d15', close(D[15], D[11] @ P['Uz'].detach().T))
        upd('d16', close(D[16], D[13] * hp))
        upd('d17', close(D[17], D[13] * rr))
        upd('d18', close(D[18], D[17] * dsig(rr)))
        upd('d19', close(D[19], D[17] + D[4]))
        upd('d20', close(D[20], D[18] @ P['Wr'].detach().T))
        upd('d21', close(D[21], D[18] @ P['Ur'].detach().T))
        upd('d22', close(D[22], D[21] + D[15]))
        upd('d23', close(D[23], D[19] + D[22]))
        upd('d24', close(D[24], D[12] + D[14] + D[20]))
        # the weight updates, run as the loop the vignette describes
        acc['Wr'] = acc['Wf'] + hp.T @ D[10]
        acc['Ur'] = acc['Uf'] + x.T @ D[10]
        acc['Wz'] = acc['Wi'] + hp.T @ D[11]
        acc['Uz'] = acc['Ui'] + x.T @ D[11]
        acc['Wg'] = acc['Wg'] + (hp * rr).T @ D[18]   # (h_{t-1}^T . r_t) read as (h_{t-1} . r_t)^T
        acc['Ug'] = acc['Ug'] + x.T @ D[18]
    for k in ['Wr', 'Ur', 'Wz', 'Uz', 'Wg', 'Ug']:
        upd('d' + k, close(acc[k], dP[k]))
    return res


def truths():
    a, b = run(5), run(6)
    return {k: a[k] and b[k] for k in a}


if __name__ == "__main__":
    print(truths())
