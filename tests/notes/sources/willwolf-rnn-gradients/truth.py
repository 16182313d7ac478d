r"""Truth of the checked displays of Will Wolf's "Recurrent Neural Network Gradients, and Lessons
Learned Therein" (cavaunpeu/willwolf.io-source,
content/articles/recurrent-neural-network-gradients-and-lessons-learned-therein.md at
09243ace10af701f23f95c9786240ad0575844af), by torch.autograd only.

The post's network (column vectors, steps t = 1, 2, 3 as in its expansions J_1, J_2, J_3):
    z_t = W^{xh} x_t + W^{hh} h_{t-1},  h_t = tanh(z_t),  y_t = W^{hy} h_t,
    p_t = softmax(y_t),  J_t = crossentropy(p_t, labels_t)
(the post writes x for x_t in z_t and x_t later).  The total cost is J_1 + J_2 + J_3.
Hidden 3, input 2, 4 classes (K != H), T = 3, random h_0 and one-hot labels, float64, two seeds.

Readings (source.toml says why):
  * layout = numerator: the chains run from the cost, left to right (row gradient times
    Jacobians); dJ_t/dy_t, dJ_t/dh_t are rows.  A derivative by a matrix in a chain is a tensor
    (dy/dW^{hy}: K x (K x H)), contracted with the row before it; the result is compared entry
    by entry (W's index order on both sides).
  * In the first display the left side dJ_t/dW "is the total cost" (the post: "Our cost J_t is the
    total cost ... of a given sequence"), the J_t inside the sum and J_1, J_2, J_3 are the steps'.
  * dz_k/dW^{hh}, dz_k/dW^{xh} in the expansions hold h_{k-1} fixed (z_k's own equation); the
    products dz_3/dh_2 dh_2/dz_2 ... carry the earlier steps.
  * a vector for a Jacobian (dh_t/dz_t) is the diagonal of a diagonal Jacobian.
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
H, D, K, T = 3, 2, 4, 3


def close(a, b):
    return a is not None and b is not None and a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


def mm(a, b):
    try:
        return a @ b
    except RuntimeError:              # does not multiply
        return None


IDS = ['sum_over_steps', 'dJ_dWhy_chains', 'dJ3_dWhh', 'dJ2_dWhh', 'dJ1_dWhh', 'dJ3_dWxh',
       'dJ2_dWxh', 'dJ1_dWxh', 'dJ_dy', 'dJ_dWhy', 'dJ_dh', 'dh_dz', 'dz_dhprev']


def run(seed):
    gen = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=gen)
    Wxh, Whh, Why = r(H, D), r(H, H), r(K, H)
    xs = {t: r(D) for t in range(1, T + 1)}
    lab = {t: int(torch.randint(0, K, (1,), generator=gen)) for t in range(1, T + 1)}
    h0 = r(H)
    onehot = {t: torch.nn.functional.one_hot(torch.tensor(lab[t]), K).double() for t in lab}

    def forward(Wxh, Whh, Why):
        h, z, y, p, J = {0: h0}, {}, {}, {}, {}
        for t in range(1, T + 1):
            z[t] = Wxh @ xs[t] + Whh @ h[t - 1]
            h[t] = torch.tanh(z[t])
            y[t] = Why @ h[t]
            p[t] = torch.softmax(y[t], 0)
            J[t] = -(onehot[t] * torch.log(p[t])).sum()
        return h, z, y, p, J

    h, z, y, p, J = forward(Wxh, Whh, Why)
    # the pieces of the chains (all by autograd)
    dJ_dp = {t: jacobian(lambda pp: -(onehot[t] * torch.log(pp)).sum(), p[t]) for t in p}   # row
    dp_dy = {t: jacobian(lambda yy: torch.softmax(yy, 0), y[t]) for t in y}
    dy_dh = {t: jacobian(lambda hh: Why @ hh, h[t]) for t in y}
    dy_dWhy = {t: jacobian(lambda W: W @ h[t], Why) for t in y}                             # K x K x H
    dh_dz = {t: jacobian(torch.tanh, z[t]) for t in z}
    dz_dhp = {t: jacobian(lambda hh: Wxh @ xs[t] + Whh @ hh, h[t - 1]) for t in z}
    dz_dWhh = {t: jacobian(lambda W: Wxh @ xs[t] + W @ h[t - 1], Whh) for t in z}          # H x H x H
    dz_dWxh = {t: jacobian(lambda W: W @ xs[t] + Whh @ h[t - 1], Wxh) for t in z}          # H x H x D

    def dJt_dW(t, which):          # total derivative of J_t by one matrix, autograd
        def f(W):
            args = dict(Wxh=Wxh, Whh=Whh, Why=Why)
            args[which] = W
            return forward(**args)[4][t]
        return jacobian(f, dict(Wxh=Wxh, Whh=Whh, Why=Why)[which])

    res = {}
    # dJ/dW = sum_t dJ_t/dW = dJ_3/dW + dJ_2/dW + dJ_1/dW, for W^{hy}, W^{hh}, W^{xh}
    ok = True
    for which in ('Why', 'Whh', 'Wxh'):
        def total(W, which=which):
            args = dict(Wxh=Wxh, Whh=Whh, Why=Why)
            args[which] = W
            return sum(forward(**args)[4].values())
        lhs = jacobian(total, dict(Wxh=Wxh, Whh=Whh, Why=Why)[which])
        parts = [dJt_dW(t, which) for t in (3, 2, 1)]
        ok &= close(lhs, sum(parts)) and close(sum(parts), parts[0] + parts[1] + parts[2])
    res['sum_over_steps'] = ok
    # dJ_t/dW^{hy} = dJ_t/dp_t dp_t/dy_t dy_t/dW^{hy}, rows t = 3, 2 and a third row whose left
    # side is written dJ_3/dW^{hy} with the step-1 chain on the right
    chain = {t: torch.tensordot(dJ_dp[t] @ dp_dy[t], dy_dWhy[t], dims=1) for t in (1, 2, 3)}
    rows = [(dJt_dW(3, 'Why'), chain[3]), (dJt_dW(2, 'Why'), chain[2]), (dJt_dW(3, 'Why'), chain[1])]
    res['dJ_dWhy_chains'] = all(close(a, b) for a, b in rows)
    assert close(dJt_dW(1, 'Why'), chain[1])                     # the third row is right with J_1

    # the expansions of dJ_t/dW^{hh}, dJ_t/dW^{xh}: a sum over the steps k = t, ..., 1 of
    # dJ_t/dp_t dp_t/dy_t dy_t/dh_t dh_t/dz_t [dz_t/dh_{t-1} dh_{t-1}/dz_{t-1} ...] dz_k/dW
    def expansion(t, dz_dW):
        head = dJ_dp[t] @ dp_dy[t] @ dy_dh[t] @ dh_dz[t]         # row by z_t
        total = 0
        row = head
        for k in range(t, 0, -1):
            total = total + torch.tensordot(row, dz_dW[k], dims=1)
            if k > 1:
                row = row @ dz_dhp[k] @ dh_dz[k - 1]
        return total
    for t in (3, 2, 1):
        res[f'dJ{t}_dWhh'] = close(dJt_dW(t, 'Whh'), expansion(t, dz_dWhh))
        res[f'dJ{t}_dWxh'] = close(dJt_dW(t, 'Wxh'), expansion(t, dz_dWxh))

    # the "Analytical Derivatives" list, at every step
    ok_y = ok_Why = ok_h = ok_hz = ok_zh = True
    for t in range(1, T + 1):
        pl = (p[t] - onehot[t])
        # dJ_t/dy_t = p_t - labels_t  (a row in this layout: same entries)
        ok_y &= close(dJ_dp[t] @ dp_dy[t], pl)
        # dJ_t/dW^{hy} = (p_t - labels_t) h_t : the row (p - l) times the column h_t
        g = dJt_dW(t, 'Why')                                     # W^{hy}'s index order (K x H)
        R = mm(pl.reshape(1, K), h[t].reshape(H, 1))
        ok_Why &= close(g.T, R) or close(g, R)                   # numerator layout: H x K
        assert close(g, torch.outer(pl, h[t]))                   # the right one: (p - l) h_t^T
        # dJ_t/dh_t = (p_t - labels_t) W^{hy}  (the row (p - l) times W^{hy})
        dJh = jacobian(lambda hh: -(onehot[t] * torch.log_softmax(Why @ hh, 0)).sum(), h[t])
        ok_h &= close(dJh, pl @ Why)
        # dh_t/dz_t = 1 - tanh^2(z_t) = 1 - h_t^2
        ok_hz &= close(dh_dz[t], torch.diag(1 - torch.tanh(z[t]) ** 2)) and close(
            torch.diag(1 - torch.tanh(z[t]) ** 2), torch.diag(1 - h[t] ** 2))
        # dz_t/dh_{t-1} = W^{hh}
        ok_zh &= close(dz_dhp[t], Whh)
    res.update(dJ_dy=ok_y, dJ_dWhy=ok_Why, dJ_dh=ok_h, dh_dz=ok_hz, dz_dhprev=ok_zh)
    return res


def truths():
    r1, r2 = run(1), run(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
