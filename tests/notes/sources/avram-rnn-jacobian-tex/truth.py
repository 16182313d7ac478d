"""Truth of the checked displays of Aaron Avram, "Vanishing Gradients in Vanilla RNNs"
(aaron-avram/NameNet2.0, writeups/vanishing_gradients.tex).

The writeup's model:  z^{(t)} = W h^{(t-1)} + U x^{(t)} + b,   h^{(t)} = tanh(z^{(t)})
(the proof then drops U, x and b, which changes none of the Jacobians by h).  No loss is written.
Readings:
  J(a)(b)      the Jacobian of a with respect to b (numerator layout, rows = entries of a);
  J_t := J(h^{(t)}) (defined inline) the Jacobian of h^{(t)} with respect to h^{(0)};
  D_k = diag[tanh'(z^{(k)})] (inline); ||.|| the spectral norm (the text says so);
  prod_{k=1}^{t} D_k W  the ordered product with k = 1 on the left, D_1 W D_2 W ... D_t W (the usual
  reading of an indexed product of matrices); the chain rule gives D_t W ... D_1 W;
  base case: the display's h^{(0)}_{ij} is read as h^{(0)}_j and tanh'(z^{(1)}) as its i-th entry.
Sizes: hidden 3, input 2, T = 4; every step and entry; seeds 0 and 1.
"""
import torch

torch.set_default_dtype(torch.float64)
H, D, T = 3, 2, 4


def _close(a, b):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-10)


def jac(f, x):
    return torch.autograd.functional.jacobian(f, x)


def _run(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)
    W, U, b = r(H, H), r(H, D), r(H)
    xs = [None] + [r(D) for _ in range(T)]
    h0 = r(H)

    def unroll(h, t0, t1):            # h^{(t1)} as a function of h^{(t0)}
        for t in range(t0 + 1, t1 + 1):
            h = torch.tanh(W @ h + U @ xs[t] + b)
        return h

    h = {0: h0}
    z = {}
    for t in range(1, T + 1):
        z[t] = W @ h[t - 1] + U @ xs[t] + b
        h[t] = torch.tanh(z[t])
    Dk = {k: torch.diag(1 - torch.tanh(z[k]) ** 2) for k in range(1, T + 1)}
    J = {t: jac(lambda hh: unroll(hh, 0, t), h0) for t in range(1, T + 1)}
    norm = lambda M: torch.linalg.matrix_norm(M, ord=2)
    res = {}

    # base_case: (J_1)_{ij} = dh_i/dz_i dz_i/dh^{(0)}_j = tanh'(z^{(1)})_i W_ij
    dhdz = torch.diagonal(jac(torch.tanh, z[1]))
    dzdh = jac(lambda hh: W @ hh + U @ xs[1] + b, h0)
    mid = dhdz[:, None] * dzdh
    rhs = (1 - torch.tanh(z[1]) ** 2)[:, None] * W
    res["base_case"] = _close(J[1], mid) and _close(mid, rhs)

    # chain_rule and step_jacobian, t = 0 .. T-1
    okc = oks = True
    for t in range(0, T):
        Jstep = jac(lambda hh: unroll(hh, t, t + 1), h[t])
        Jhz = jac(torch.tanh, z[t + 1])
        Jzh = jac(lambda hh: W @ hh + U @ xs[t + 1] + b, h[t])
        okc &= _close(Jstep, Jhz @ Jzh)
        oks &= _close(Jstep, Dk[t + 1] @ W)
    res["chain_rule"] = okc
    res["step_jacobian"] = oks

    def prod_up(t):                   # D_1 W D_2 W ... D_t W
        M = torch.eye(H)
        for k in range(1, t + 1):
            M = M @ Dk[k] @ W
        return M

    # jacobian_product: J_{t+1} = prod_{k=1}^{t+1} D_k W, for t + 1 = 1 .. T
    res["jacobian_product"] = all(_close(J[t], prod_up(t)) for t in range(1, T + 1))
    # (the chain rule's order, D_t W ... D_1 W, does give J_t)
    for t in range(1, T + 1):
        M = torch.eye(H)
        for k in range(1, t + 1):
            M = Dk[k] @ W @ M
        assert _close(J[t], M)

    # norm_chain: ||J_t|| = ||prod D_k W|| = prod (||D_k||)(||W||) = ||W||^t prod ||D_k||  (the last row
    # is an inequality and is not compared)
    ok = True
    for t in range(1, T + 1):
        a = norm(J[t])
        b_ = norm(prod_up(t))
        c = torch.prod(torch.stack([norm(Dk[k]) * norm(W) for k in range(1, t + 1)]))
        d = norm(W) ** t * torch.prod(torch.stack([norm(Dk[k]) for k in range(1, t + 1)]))
        ok &= _close(a, b_) and _close(b_, c) and _close(c, d)
    res["norm_chain"] = ok
    return res


def truths():
    r0, r1 = _run(0), _run(1)
    return {k: r0[k] and r1[k] for k in r0}


if __name__ == "__main__":
    for k, v in truths().items():
        print(f"{k:18s} {'holds' if v else 'fails'}")
