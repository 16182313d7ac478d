r"""Truth of the checked displays of vaxherra/vaxherra.github.io,
_posts/2018-10-01-RNN-bacteria-name-generator.markdown ("Bacterial name generator with RNNs",
section "Backpropagation through a cell"), by torch.autograd only.

The notes' model: a^<t> = tanh(W_ax x^<t> + W_aa a^<t-1> + b_a), hat y^<t> = softmax(W_ya a^<t> + b_y)
= softmax(z), L_t = -y^<t> log(hat y^<t>) with a one-hot y^<t> (cross-entropy), L = sum_t L_t.
Hidden 3, input 2, output 4, T = 4, float64, random a^<0>, two seeds, every step t.

Readings:
  * ^{<t_l>} is entry l at step t: (hat y^<t_l> - y^<t_l>) over l is the vector hat y^<t> - y^<t>;
  * derivatives of vectors by vectors are numerator-layout Jacobians; a vector written before a matrix,
    (1 - a^2) W_aa, is diag(1 - a^2) W_aa; a^{2<t>} is (a^<t>)^2 entrywise;
  * dL_t/dW_ya and dL_t/db_y are derivatives of the step loss L_t (it reads W_ya, b_y only at step t);
    (hat y - y) . a^<t> for a derivative by a matrix is the outer product (hat y - y) a^<t>T;
  * da^<t>/dW_aa, da^<t>/dW_ax, da^<t>/db_a are the immediate derivatives (a^<t-1> fixed: the cell's own
    equation, "backpropagation through a single cell"); for W_aa the 3-tensor has one nonzero slice,
    d a_i / d (W_aa)_{ik} = (1 - a_i^2) a^<t-1>_k, which the outer product (1 - a^2) a^<t-1>T lists;
    for b_a the Jacobian is diag(1 - a^2), listed by the vector (1 - a^2).
"""
import torch
from torch.autograd.functional import jacobian

torch.set_default_dtype(torch.float64)
H, D, K, T = 3, 2, 4, 4
IDS = ["dWya", "dby", "daWaa", "daba", "daWax", "dWya_mislabel", "da_prev"]


def close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


def slice_ok(J, M):
    """J[i, j, k] = d a_i / d W_jk equals M[i, k] on j = i and 0 elsewhere."""
    n = J.shape[0]
    ok = True
    for i in range(n):
        for j in range(J.shape[1]):
            ok &= close(J[i, j], M[i] if i == j else torch.zeros_like(M[i]))
    return ok


def run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    Wax, Waa, Wya, ba, by = r(H, D), r(H, H), r(K, H), r(H), r(K)
    xs = {t: r(D) for t in range(1, T + 1)}
    ys = {t: torch.nn.functional.one_hot(torch.randint(0, K, (1,), generator=g)[0], K).double()
          for t in range(1, T + 1)}
    a = {0: r(H)}
    for t in range(1, T + 1):
        a[t] = torch.tanh(Wax @ xs[t] + Waa @ a[t - 1] + ba)
    res = {k: True for k in IDS}
    for t in range(1, T + 1):
        at, ap, x, y = a[t], a[t - 1], xs[t], ys[t]
        Lt = lambda W, b: -(y * torch.log_softmax(W @ at + b, 0)).sum()
        yh = torch.softmax(Wya @ at + by, 0)
        gW = jacobian(lambda W: Lt(W, by), Wya)
        gb = jacobian(lambda b: Lt(Wya, b), by)
        res["dWya"] &= close(gW, torch.outer(yh - y, at))
        # dL_t/db_y = dL_t/dyh . dyh/dz . 1 = dL_t/dz = yh - y
        z = Wya @ at + by
        dLdyh = jacobian(lambda q: -(y * torch.log(q)).sum(), yh)
        dyhdz = jacobian(lambda q: torch.softmax(q, 0), z)
        dLdz = jacobian(lambda q: -(y * torch.log_softmax(q, 0)).sum(), z)
        res["dby"] &= close(gb, dLdyh @ dyhdz * 1) and close(dLdyh @ dyhdz, dLdz) and close(dLdz, yh - y)
        cell = lambda Wx, Wa, b, aprev: torch.tanh(Wx @ x + Wa @ aprev + b)
        JWaa = jacobian(lambda W: cell(Wax, W, ba, ap), Waa)        # (H, H, H)
        res["daWaa"] &= slice_ok(JWaa, torch.outer(1 - at ** 2, ap))
        Jb = jacobian(lambda b: cell(Wax, Waa, b, ap), ba)
        res["daba"] &= close(Jb, torch.diag(1 - at ** 2))
        JWax = jacobian(lambda W: cell(W, Waa, ba, ap), Wax)        # (H, H, D)
        res["daWax"] &= slice_ok(JWax, torch.outer(1 - at ** 2, x))
        # dL_t/dW_ya = (yh - y) W_ya : a row of H against a K x H matrix
        res["dWya_mislabel"] &= close(gW, (yh - y) @ Wya)
        Ja = jacobian(lambda q: cell(Wax, Waa, ba, q), ap)
        res["da_prev"] &= close(Ja, torch.diag(1 - at ** 2) @ Waa)
    return res


def truths():
    r1, r2 = run(1), run(2)
    return {k: bool(r1[k] and r2[k]) for k in IDS}


if __name__ == "__main__":
    print(truths())
