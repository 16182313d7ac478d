"""Truth of the checked LSTM displays of Peng Zhendong, "循环神经网络" (Hexo blog, 2018).

Source's model, Eqs. (1)-(6) and the code it gives: concat = [a^<t-1>; x^<t>] (a first), Gamma_f, Gamma_u,
Gamma_o sigmoid, c~ tanh, c = Gamma_f * c_prev + Gamma_u * c~, a = Gamma_o * tanh(c), yhat = softmax(W_y a + b_y),
J = sum_t J^<t> with J^<t> the cross-entropy of step t (the J display of the RNN section; '*' is elementwise).

Meaning of the d-names, from the post's code (lstm_cell_backward(da_next, dc_next, cache)):
* da^<t>  = dJ/da^<t>, the whole gradient of the hidden state handed to the cell;
* dc^<t>  = dc_next, the part of dJ/dc^<t> that comes back through c^<t+1> (zero at the last step);
* dGamma_o, dc~, dGamma_u, dGamma_f = dJ by the gate's OUTPUT (the sigmoid/tanh derivative is applied in dW_*);
* dW_* = step t's contribution (gradient by a per-step copy of W_*);
* da^<t-1>, dc^<t-1> = what the cell passes back: the parts of dJ/da^<t-1>, dJ/dc^<t-1> through step t;
* dx^<t> = dJ/dx^<t>.
delta^<t> = dJ/dc^<t> (defined in the text and in the display). W_f^T etc. are the whole matrices as written
(the code slices W_f[:, :n_a]); a product whose shapes do not fit does not hold.
"""
import torch

na, nx, ny, T = 3, 2, 4, 3
TOL = 1e-9


def mm(a, b):
    try:
        return a @ b
    except RuntimeError:
        return None


def same(a, b):
    return a is not None and b is not None and a.shape == b.shape and torch.allclose(a, b, atol=TOL, rtol=1e-7)


def gr(v):
    return v.grad if v.grad is not None else torch.zeros_like(v)


def run(seed, local=False):
    # local=True: only the split gradients dJ^<t>/dc^<t>, d(sum_{i>t} J^<i>)/dc^<t+1> (torch.autograd.grad
    # also fills retained .grad, so they are taken on a separate, identical forward pass)
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)
    W = {n: rnd(na, na + nx) for n in "fuco"}
    b = {n: rnd(na, 1) for n in "fuco"}
    Wy, by = rnd(ny, na), rnd(ny, 1)
    xs = [None] + [rnd(nx, 1).requires_grad_(True) for _ in range(T)]
    ys = [None] + [torch.nn.functional.one_hot(torch.randint(0, ny, (1,), generator=g), ny).double().T for _ in range(T)]
    Wk = {(n, t): W[n].clone().requires_grad_(True) for n in "fuco" for t in range(1, T + 1)}
    a0, c0 = rnd(na, 1), rnd(na, 1)
    a = {0: a0.clone().requires_grad_(True)}
    c = {0: c0.clone().requires_grad_(True)}
    a_r, c_r, c_a, gate, Jt = {0: a[0]}, {0: c[0]}, {}, {}, {}
    for t in range(1, T + 1):
        concat = torch.cat([a_r[t - 1], xs[t]], 0)
        Gf = torch.sigmoid(Wk["f", t] @ concat + b["f"])
        Gu = torch.sigmoid(Wk["u", t] @ concat + b["u"])
        cc = torch.tanh(Wk["c", t] @ concat + b["c"])
        Go = torch.sigmoid(Wk["o", t] @ concat + b["o"])
        for v in (Gf, Gu, cc, Go):
            v.retain_grad()
        c[t] = Gf * c_r[t - 1] + Gu * cc
        c[t].retain_grad()
        c_a[t] = c[t] * 1.0          # feeds a^<t>
        c_r[t] = c[t] * 1.0          # feeds c^<t+1>
        c_a[t].retain_grad(); c_r[t].retain_grad()
        a[t] = Go * torch.tanh(c_a[t])
        a[t].retain_grad()
        a_o = a[t] * 1.0             # feeds the output
        a_r[t] = a[t] * 1.0          # feeds step t+1
        a_r[t].retain_grad()
        z = Wy @ a_o + by
        Jt[t] = -(ys[t] * torch.log_softmax(z, 0)).sum()
        gate[t] = dict(f=Gf, u=Gu, c=cc, o=Go)
    J = sum(Jt.values())
    # dJ^<t>/dc^<t> (only the step-t loss) and d(sum_{i>t} J^<i>)/dc^<t+1>, separately
    loc = {}
    fut = {}
    for t in (range(1, T + 1) if local else ()):
        loc[t] = torch.autograd.grad(Jt[t], c[t], retain_graph=True)[0]
        later = sum(Jt[i] for i in range(t + 1, T + 1)) if t < T else None
        if later is not None:
            fut[t] = torch.autograd.grad(later, c[t + 1], retain_graph=True)[0]
    if local:
        return dict(loc=loc, fut=fut)
    J.backward()
    return dict(W=W, Wk=Wk, a=a, c=c, a_r=a_r, c_r=c_r, gate=gate, xs=xs, loc=loc, fut=fut)


def check(seed):
    R = run(seed)
    R.update(run(seed, local=True))
    W, Wk, a, c, a_r, c_r, G, xs = (R[k] for k in ("W", "Wk", "a", "c", "a_r", "c_r", "gate", "xs"))
    res = {}
    def put(k, ok):
        res[k] = res.get(k, True) and bool(ok)
    for t in range(1, T + 1):
        Gf, Gu, cc, Go = (G[t][n].detach() for n in "fuco")
        ct, cp = c[t].detach(), c[t - 1].detach()
        concat = torch.cat([a[t - 1].detach(), xs[t].detach()], 0)
        da = gr(a[t])                       # dJ/da^<t>, total
        dc = gr(c_r[t])                     # carried part of dJ/dc^<t>
        delta = gr(c[t])                    # dJ/dc^<t>
        # delta recursion (display with four members)
        Gf_next = G[t + 1]["f"].detach() if t < T else torch.zeros_like(Gf)
        delta_next = gr(c[t + 1]) if t < T else torch.zeros_like(delta)
        third = R["loc"][t] + (R["fut"][t] * Gf_next if t < T else 0)
        fourth = R["loc"][t] + delta_next * Gf
        put("delta_c", same(delta, third) and same(delta, fourth))
        # gate derivatives
        put("dGo", same(G[t]["o"].grad, da * torch.tanh(ct)))
        put("dcc", same(G[t]["c"].grad, dc * Gu + Go * (1 - torch.tanh(ct) ** 2) * Gu * da))
        put("dGu", same(G[t]["u"].grad, dc * cc + Go * (1 - torch.tanh(ct) ** 2) * cc * da))
        put("dGf", same(G[t]["f"].grad, dc * cp + Go * (1 - torch.tanh(ct) ** 2) * cp * da))
        dGf, dGu, dcc_, dGo_ = G[t]["f"].grad, G[t]["u"].grad, G[t]["c"].grad, G[t]["o"].grad
        # parameter gradients (step t's part); '*' between a column and a row broadcasts to the outer product
        put("dWf", same(Wk["f", t].grad, (dGf * Gf * (1 - Gf)) @ concat.T))
        put("dWu", same(Wk["u", t].grad, dGu * Gu * (1 - Gu) * concat.T))
        put("dWc", same(Wk["c", t].grad, dcc_ * (1 - cc ** 2) * concat.T))
        put("dWo", same(Wk["o", t].grad, dGo_ * Go * (1 - Go) * concat.T))
        # da^<t-1>, dx^<t> with the whole W^T as written
        terms = [mm(W["f"].T, dGf * Gf * (1 - Gf)), mm(W["u"].T, dGu * Gu * (1 - Gu)),
                 mm(W["c"].T, dcc_ * (1 - cc ** 2)), mm(W["o"].T, dGo_ * Go * (1 - Go))]
        rhs = None if any(x is None for x in terms) else sum(terms)
        put("da_prev", same(gr(a_r[t - 1]), rhs))
        put("dx", same(gr(xs[t]), rhs))
        # dc^<t-1> (the part through c^<t>)
        put("dc_prev", same(gr(c_r[t - 1]),
                            dc * Gf + Go * (1 - torch.tanh(cp) ** 2) * Gf * da))
    return res


def truths():
    a, b = check(0), check(1)
    return {k: a[k] and b[k] for k in a}


if __name__ == "__main__":
    print(truths())
