"""Truth of the checked displays of CS224n (winter 2017) lecture notes 5, without symbptt.

The notes' RNN language model:
    h_t = sigma(W^(hh) h_{t-1} + W^(hx) x_t)      (sigma = logistic, "sigmoid here")
    yhat_t = softmax(W^(S) h_t)
    J^(t) = - sum_j y_{t,j} log yhat_{t,j}
In the vanishing-gradient section E_t is the error at step t (J^(t)) and "to compute
the RNN error, dE/dW, we sum the error at each time-step": E = sum_t E_t.  W is the
recurrent matrix W^(hh) (the W^T of eq. bp_rnn_k and beta_W bound it); y_t in
dE_t/dy_t is the output yhat_t.

Layout: eq. bp_rnn_jaocb defines dh_j/dh_{j-1} with rows h_{j,i} (numerator layout),
so dE_t/dy_t is a row, dy_t/dh_t and dh_t/dh_k are Jacobians, dh_k/dW is the
third-order tensor of h_k by the W used at step k (immediate), and the products
contract left to right.  The product over j of dh_j/dh_{j-1} is read as the chain
rule composition (the text: "simply a chain rule differentiation"):
dh_t/dh_{t-1} ... dh_{k+1}/dh_k.
"""
import torch

torch.set_default_dtype(torch.float64)
D, X, V, T = 3, 2, 4, 4  # hidden, word vector, vocabulary, steps


def _close(a, b):
    return torch.allclose(a, b, rtol=1e-9, atol=1e-11)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    Whh, Whx, WS = r(D, D), r(D, X), r(V, D)
    xs = {t: r(X) for t in range(1, T + 1)}
    ys = {t: torch.nn.functional.one_hot(torch.randint(0, V, (1,), generator=g)[0], V).double()
          for t in range(1, T + 1)}
    h0 = r(D)
    # W used at step k: a separate leaf per step (for dh_k/dW, immediate)
    Wk = {k: Whh.clone().requires_grad_(True) for k in range(1, T + 1)}
    h, z, yh, E = {0: h0}, {}, {}, {}
    for t in range(1, T + 1):
        z[t] = Wk[t] @ h[t - 1] + Whx @ xs[t]
        h[t] = torch.sigmoid(z[t])
        yh[t] = torch.softmax(WS @ h[t], 0)
        E[t] = -(ys[t] * torch.log(yh[t])).sum()
    Etot = sum(E.values())

    def grad(out, wrt):
        (gr,) = torch.autograd.grad(out, wrt, retain_graph=True, allow_unused=True)
        return torch.zeros_like(wrt) if gr is None else gr

    J = torch.autograd.functional.jacobian
    hd = {t: h[t].detach() for t in h}

    def step(hp, t):
        return torch.sigmoid(Whh @ hp + Whx @ xs[t])

    def cell_jac(j):  # dh_j/dh_{j-1}, numerator layout (rows: h_j)
        return J(lambda hp: step(hp, j), hd[j - 1])

    def chain(t, k):  # dh_t/dh_k = dh_t/dh_{t-1} ... dh_{k+1}/dh_k
        M = torch.eye(D)
        for j in range(k + 1, t + 1):
            M = cell_jac(j) @ M
        return M

    def h_of_hk(t, k):  # h_t as a function of h_k (true Jacobian, by autograd)
        def f(hk):
            hh = hk
            for j in range(k + 1, t + 1):
                hh = step(hh, j)
            return hh
        return f

    dEdy = {t: J(lambda y_: -(ys[t] * torch.log(y_)).sum(), yh[t].detach()) for t in E}   # row
    dydh = {t: J(lambda hh: torch.softmax(WS @ hh, 0), hd[t]) for t in E}
    dhk_dW = {k: J(lambda W_: torch.sigmoid(W_ @ hd[k - 1] + Whx @ xs[k]), Whh) for k in E}  # (D, D, D)

    def term(t, k, prod):
        row = dEdy[t] @ dydh[t] @ prod                          # 1 x D (index of h_k)
        return torch.einsum("i,ijk->jk", row, dhk_dW[k])

    total = sum(grad(Etot, Wk[k]) for k in Wk)                  # dE/dW (W shared)
    dEt_dW = {t: sum(grad(E[t], Wk[k]) for k in Wk) for t in E}

    res = {}
    res["dE_dW_sum"] = _close(total, sum(dEt_dW.values()))
    res["dEt_dW_chain"] = all(
        _close(dEt_dW[t], sum(term(t, k, J(h_of_hk(t, k), hd[k])) for k in range(1, t + 1)))
        for t in E)
    res["dE_dW_double_sum"] = _close(
        total, sum(term(t, k, chain(t, k)) for t in E for k in range(1, t + 1)))

    # dht_dhk_product: dh_t/dh_k = prod_j dh_j/dh_{j-1} = prod_j W^T x diag[f'(j_{j-1})]
    # "j_{j-1}" read as h_{j-1} (a typo); f' = sigma'; the product taken in its written
    # order j = k+1 .. t, and compared with dh_t/dh_k and with its transpose.
    ok_first = ok_second = True
    dsig = lambda a: torch.sigmoid(a) * (1 - torch.sigmoid(a))
    for t in range(1, T + 1):
        for k in range(0, t):
            lhs = J(h_of_hk(t, k), hd[k])
            ok_first &= _close(lhs, chain(t, k))
            right = torch.eye(D)
            for j in range(k + 1, t + 1):
                right = right @ (Whh.T @ torch.diag(dsig(hd[j - 1])))
            ok_second &= _close(lhs, right) or _close(lhs.T, right)
    res["dht_dhk_product"] = ok_first and ok_second
    return res


def truths():
    a, b = _run(1), _run(2)
    return {k: bool(a[k] and b[k]) for k in a}


if __name__ == "__main__":
    print(truths())
