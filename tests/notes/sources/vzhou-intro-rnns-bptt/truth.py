"""Truth of the checked displays of "An Introduction to Recurrent Neural Networks for Beginners"
(Victor Zhou, vzhou842/victorzhou.com, content/posts/2019-07-24-intro-to-rnns.md), without symbptt.

The post's own model (many to one, as its Sections 4, 6 and 7 use it):
    h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h),  t = 1..n,  h_0 = 0 (the post's code starts from zeros)
    y = W_hy h_n + b_y,   p = softmax(y),   L = -ln(p_c)
Column vectors; sizes hidden 3, input 2, classes 2, n = 4.

Reading (the one the post's own displays fix): a derivative of a vector by a vector or matrix is its
Jacobian array (numerator layout: the post writes dy/dh_n = W_hy and chains left to right,
dL/dy * dy/dh_t * dh_t/dW); dL/dW of the scalar L has W's shape.  "dh_t/dW" in the BPTT sum is the
derivative at step t with h_{t-1} held fixed (the post: "once we arrive at a given step t"); dy/dh_t
is the total derivative through the later steps.  A display holds when both sides are the same
array.  A vector and its transpose count as the same; anything else of another shape does not hold
(the boxed results that drop a transpose or collapse a Jacobian: their entries agree with the
outer-product reading the post's code uses, which is asserted below, but the displays as written
do not).
"""
import torch

torch.set_default_dtype(torch.float64)
H, D, K, N = 3, 2, 2, 4
IDS = ("dL_dy", "dWhy_chain", "dy_dWhy", "dWhy", "dby", "dWxh_chain", "dtanh", "dht_dWxh", "dht_dWhh",
       "dht_dbh", "dy_dht_rec", "dy_dhn")
jac = torch.autograd.functional.jacobian


def _same(a, b):
    """Both sides equal as arrays (a vector and its transpose count as the same)."""
    if a.dim() <= 2 and b.dim() <= 2 and a.numel() == b.numel() and 1 in a.shape and 1 in b.shape:
        return torch.allclose(a.reshape(-1), b.reshape(-1), rtol=1e-9, atol=1e-11)
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


def _matmul_or_none(a, b):
    """The product written by juxtaposition, or None when the shapes do not allow it."""
    try:
        return a @ b
    except RuntimeError:
        return None


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    Wxh, Whh, bh, Why, by = r(H, D), r(H, H), r(H, 1), r(K, H), r(K, 1)
    xs = [None] + [r(D, 1) for _ in range(N)]
    c = int(torch.randint(0, K, (1,), generator=g))

    def states(Wxh, Whh, bh):
        hs = [torch.zeros(H, 1)]
        for t in range(1, N + 1):
            hs.append(torch.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh))
        return hs

    def out(h_n, Why=Why, by=by):
        return Why @ h_n + by

    def loss_of_y(y):
        return -torch.log_softmax(y, 0)[c, 0]

    hs = states(Wxh, Whh, bh)
    y = out(hs[N])
    p = torch.softmax(y, 0)
    res = {}

    # dL/dy_i = p_i (i != c), p_i - 1 (i = c)
    dLdy = jac(loss_of_y, y).reshape(K, 1)
    onehot = torch.zeros(K, 1); onehot[c] = 1
    res["dL_dy"] = _same(dLdy, p - onehot)

    # dL/dW_hy = dL/dy * dy/dW_hy  (chain rule, Jacobians contracted)
    dLdWhy = jac(lambda W: loss_of_y(out(hs[N], Why=W)), Why)                 # K x H
    dydWhy = jac(lambda W: out(hs[N], Why=W), Why).reshape(K, K, H)          # K x (K x H)
    res["dWhy_chain"] = _same(dLdWhy, torch.einsum("k,kij->ij", dLdy.reshape(K), dydWhy))

    # dy/dW_hy = h_n : the Jacobian is K x K x H (delta_ik h_n,j), not the vector h_n
    res["dy_dWhy"] = _same(dydWhy, hs[N])
    assert all(torch.allclose(dydWhy[i, i], hs[N].reshape(H)) for i in range(K))   # its nonzero rows

    # dL/dW_hy = dL/dy h_n : the column dL/dy (K x 1) times the column h_n (H x 1) is not defined
    prod = _matmul_or_none(dLdy, hs[N])
    res["dWhy"] = prod is not None and _same(dLdWhy, prod)
    assert _same(dLdWhy, dLdy @ hs[N].T)                       # with h_n^T it holds (the post's code)

    # dL/db_y = dL/dy
    dLdby = jac(lambda b: loss_of_y(out(hs[N], by=b)), by)
    res["dby"] = _same(dLdby, dLdy)

    # dL/dW_xh = dL/dy sum_t dy/dh_t * dh_t/dW_xh   (dy/dh_t total, dh_t/dW_xh at step t)
    dLdWxh = jac(lambda W: loss_of_y(out(states(W, Whh, bh)[N])), Wxh)         # H x D
    total = torch.zeros(H, D)
    for t in range(1, N + 1):
        def y_from_ht(ht, t=t):
            h = ht
            for u in range(t + 1, N + 1):
                h = torch.tanh(Wxh @ xs[u] + Whh @ h + bh)
            return out(h)
        dy_dht = jac(y_from_ht, hs[t]).reshape(K, H)
        dht_dW = jac(lambda W, t=t: torch.tanh(W @ xs[t] + Whh @ hs[t - 1] + bh), Wxh).reshape(H, H, D)
        total += torch.einsum("k,kh,hij->ij", dLdy.reshape(K), dy_dht, dht_dW)
    res["dWxh_chain"] = _same(dLdWxh, total)

    # d tanh(x)/dx = 1 - tanh^2(x)
    x0 = r(5)
    res["dtanh"] = _same(torch.diagonal(jac(torch.tanh, x0)), 1 - torch.tanh(x0) ** 2)

    ok_x, ok_h, ok_b = True, True, True
    rec_ok, hn_ok = True, True
    for t in range(1, N + 1):
        ht, hp, xt = hs[t], hs[t - 1], xs[t]
        step = lambda Wx, Wh, b: torch.tanh(Wx @ xt + Wh @ hp + b)
        J_x = jac(lambda W: step(W, Whh, bh), Wxh).reshape(H, H, D)    # dh_t/dW_xh at step t
        J_h = jac(lambda W: step(Wxh, W, bh), Whh).reshape(H, H, H)
        J_b = jac(lambda b: step(Wxh, Whh, b), bh).reshape(H, H)
        d = 1 - ht ** 2                                                  # H x 1
        # (1 - h_t^2) x_t : H x 1 times D x 1, not defined; elementwise not either (H != D)
        lit = _matmul_or_none(d, xt)
        ok_x = ok_x and lit is not None and _same(J_x, lit)
        assert torch.allclose(torch.einsum("iij->ij", J_x), d @ xt.T)  # nonzero entries = outer product
        # (1 - h_t^2) h_{t-1}: as a product not defined; elementwise it is an H-vector, not H x H x H
        lit = _matmul_or_none(d, hp)
        lit = d * hp if lit is None else lit
        ok_h = ok_h and _same(J_h, lit)
        assert torch.allclose(torch.einsum("iij->ij", J_h), d @ hp.T)
        # (1 - h_t^2): the Jacobian is diag(1 - h_t^2), not the vector
        ok_b = ok_b and _same(J_b, d)
        assert torch.allclose(J_b, torch.diag(d.reshape(H)))
        # dy/dh_t = dy/dh_{t+1} * dh_{t+1}/dh_t = dy/dh_{t+1} (1 - h_t^2) W_hh   (t < n)
        if t < N:
            def y_from(h, s):
                for u in range(s + 1, N + 1):
                    h = torch.tanh(Wxh @ xs[u] + Whh @ h + bh)
                return out(h)
            A = jac(lambda h: y_from(h, t), ht).reshape(K, H)
            B = jac(lambda h: y_from(h, t + 1), hs[t + 1]).reshape(K, H)
            S = jac(lambda h: torch.tanh(Wxh @ xs[t + 1] + Whh @ h + bh), ht).reshape(H, H)
            row1 = _same(A, B @ S)
            mid = _matmul_or_none(B, d)                     # (K x H)(H x 1): a K x 1 column
            row2 = mid is not None and _matmul_or_none(mid, Whh) is not None and _same(A, mid @ Whh)
            rec_ok = rec_ok and row1 and row2
            # with the factor at h_{t+1} as a diagonal it would hold
            assert _same(A, B @ torch.diag((1 - hs[t + 1] ** 2).reshape(H)) @ Whh)
    # dy/dh_n = W_hy
    hn_ok = _same(jac(lambda h: out(h), hs[N]).reshape(K, H), Why)
    res["dht_dWxh"], res["dht_dWhh"], res["dht_dbh"] = ok_x, ok_h, ok_b
    res["dy_dht_rec"], res["dy_dhn"] = rec_ok, hn_ok
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
