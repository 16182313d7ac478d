"""Truth of the checked displays of Data Science Stack Exchange question 19614 ("Need help
understanding LSTMs' backpropagation and carousel of error"), by torch.autograd only.

The question's forward pass (after Arun Mallya's "LSTM forward and backward pass" slides it
cites): a^t = tanh(W_c x^t + U_c h^{t-1}), i^t, f^t, o^t = sigma(W_* x^t + U_* h^{t-1}), no
biases; hats are the pre-activations; c^t = i^t * a^t + f^t * c^{t-1}, h^t = o^t * tanh(c^t)
(the slides' cell). Cost E: squared error of every h^t against a random target. delta v is
dE/dv (total), as the question writes delta I = dE/dI.

Only 'delta_z' is a boolean truth. The three displays 'z_WT', 'inv_1', 'inv_2' are the asker's
algebra (z = W^T * I^t with W of size 4D x (d+D), an inverse of the vector I^t, z^{-1}): their
sides have no common meaning, so source.toml gives them truth "not an equation" and they are
left out of truths().
"""
import torch

torch.set_default_dtype(torch.float64)
D, NX, T = 3, 2, 4


def close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=1e-10, rtol=1e-8)


def check(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    W = {k: r(D, NX) for k in 'cifo'}
    U = {k: r(D, D) for k in 'cifo'}
    xs = [r(NX, 1) for _ in range(T)]
    tg = [r(D, 1) for _ in range(T)]
    h, c = r(D, 1).requires_grad_(), torch.zeros(D, 1)
    st, E = [], 0.0
    for t in range(T):
        hat = {k: W[k] @ xs[t] + U[k] @ h for k in 'cifo'}
        a = torch.tanh(hat['c'])
        i, f, o = (torch.sigmoid(hat[k]) for k in 'ifo')
        for v in list(hat.values()) + [a, i, f, o]:
            v.retain_grad()
        c = i * a + f * c
        h = o * torch.tanh(c)
        E = E + 0.5 * ((h - tg[t]) ** 2).sum()
        st.append(dict(hat=hat, a=a, i=i, f=f, o=o))
    E.backward()
    ok = True
    with torch.no_grad():
        for s in st:
            hat, a, i, f, o = s['hat'], s['a'], s['i'], s['f'], s['o']
            ok &= close(hat['c'].grad, a.grad * (1 - torch.tanh(hat['c']) ** 2))
            ok &= close(hat['i'].grad, i.grad * i * (1 - i))
            ok &= close(hat['f'].grad, f.grad * f * (1 - f))
            ok &= close(hat['o'].grad, o.grad * o * (1 - o))
    return {'delta_z': bool(ok)}


def truths():
    r1, r2 = check(1), check(2)
    return {k: r1[k] and r2[k] for k in r1}


if __name__ == "__main__":
    print(truths())
