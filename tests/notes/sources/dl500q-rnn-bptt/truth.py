"""Truth of the checked displays of 深度学习500问 (DeepLearning-500-questions), chapter 6, sections 6.8-6.9
("标准RNN前向输出流程", "BPTT算法推导").

The chapter's own forward pass (Elman RNN), column vectors:
  h^(t) = phi(U x^(t) + W h^(t-1) + b),  phi = tanh (prose: "一般会选择tanh函数"),
  o^(t) = V h^(t) + c,  y^(t) = sigma(o^(t)),  sigma = softmax (prose),
  L = sum_{t=1}^n L^(t),  L^(t) the cross-entropy of y^(t) (the prose: "L为损失函数"; classification).
h^(0) is a given initial state (a constant): the sums over k = 0..t have a zero k = 0 term.

Reading of the Jacobian chains (see source.toml): dL^(t)/do^(t) is a row vector, do^(t)/dh^(t) = V,
dh^(j)/dh^(j-1) = diag(phi'(a^(j))) W, products taken in the chain rule's order (j from t down to k+1), and
dh^(k)/dW, dh^(k)/dU the immediate partial of h^(k)'s own equation (h^(k-1) held fixed): a tensor contracted
with the row in front of it.  dL^(t)/dX is the derivative of the single-step loss L^(t).
Every display is compared at every t = 1..n (the two displays written for t = 3 at t = 3) and every entry,
at two seeds.
"""
import torch

H, D, K, N = 3, 2, 3, 4
TOL = dict(atol=1e-10, rtol=1e-8)


def close(a, b):
    return bool(torch.allclose(a, b, **TOL))


def jac(f, x):
    return torch.autograd.functional.jacobian(f, x.detach())


def setup(seed):
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)
    P = dict(U=rnd(H, D), W=rnd(H, H), b=rnd(H), V=rnd(K, H), c=rnd(K))
    xs = [None] + [rnd(D) for _ in range(N)]
    ys = [None] + [torch.nn.functional.one_hot(torch.randint(0, K, (1,), generator=g), K)[0].double()
                   for _ in range(N)]
    h0 = rnd(H)
    return P, xs, ys, h0


def forward(P, xs, ys, h0):
    h, a, o, L = {0: h0}, {}, {}, {}
    for t in range(1, N + 1):
        a[t] = P["U"] @ xs[t] + P["W"] @ h[t - 1] + P["b"]
        h[t] = torch.tanh(a[t])
        o[t] = P["V"] @ h[t] + P["c"]
        L[t] = -(ys[t] * torch.log_softmax(o[t], 0)).sum()
    return h, a, o, L


def grads_of_step_loss(P, xs, ys, h0, t):
    """dL^(t)/dV, dL^(t)/dW, dL^(t)/dU of the single-step loss, and dL^(t)/do^(t)."""
    Q = {k: v.clone().requires_grad_(True) for k, v in P.items()}
    h, a, o, L = forward(Q, xs, ys, h0)
    o[t].retain_grad()
    L[t].backward()
    return Q["V"].grad, Q["W"].grad, Q["U"].grad, o[t].grad


def check(seed):
    P, xs, ys, h0 = setup(seed)
    with torch.no_grad():
        h, a, o, L = forward(P, xs, ys, h0)
    res = {}

    def put(key, ok):
        res[key] = res.get(key, True) and bool(ok)

    V, W, U, b = P["V"], P["W"], P["U"], P["b"]
    dLdV_sum = torch.zeros_like(V)
    chain_V_sum = torch.zeros_like(V)
    for t in range(1, N + 1):
        gV, gW, gU, g_o = grads_of_step_loss(P, xs, ys, h0, t)
        # (V_t) dL^(t)/dV = dL^(t)/do^(t) . do^(t)/dV
        Jo_V = jac(lambda M: M @ h[t] + P["c"], V)                        # [k, k', j]
        chain_V = torch.einsum("k,kij->ij", g_o, Jo_V)
        put("dV_t", close(gV, chain_V))
        dLdV_sum += gV
        chain_V_sum += chain_V

        # general chains over k = 0..t with immediate dh^(k)/dW, dh^(k)/dU
        def chain(param):
            total = torch.zeros_like(P[param])
            row = g_o @ V                                                 # dL/do . do/dh^(t)
            for k in range(t, -1, -1):                                    # k = t, t-1, ..., 0
                if k >= 1:
                    if param == "W":
                        Jh_P = jac(lambda M: torch.tanh(U @ xs[k] + M @ h[k - 1] + b), W)
                    else:
                        Jh_P = jac(lambda M: torch.tanh(M @ xs[k] + W @ h[k - 1] + b), U)
                    total = total + torch.einsum("m,mij->ij", row, Jh_P)
                    Jh_hp = jac(lambda q: torch.tanh(U @ xs[k] + W @ q + b), h[k - 1])
                    row = row @ Jh_hp                                     # times dh^(k)/dh^(k-1)
                # k = 0: h^(0) is a constant, dh^(0)/dW = 0
            return total
        cW, cU = chain("W"), chain("U")
        put("dW_t", close(gW, cW))
        put("dU_t", close(gU, cU))
        if t == 3:
            put("dW_3", close(gW, cW))
            put("dU_3", close(gU, cU))
    # dL/dV = sum_t dL^(t)/do^(t) . do^(t)/dV
    Q = {k: v.clone().requires_grad_(True) for k, v in P.items()}
    _, _, _, Lq = forward(Q, xs, ys, h0)
    sum(Lq.values()).backward()
    put("dV", close(Q["V"].grad, chain_V_sum) and close(Q["V"].grad, dLdV_sum))
    return res


def truths():
    r0, r1 = check(0), check(1)
    return {k: r0[k] and r1[k] for k in r0}


if __name__ == "__main__":
    for k, v in truths().items():
        print(k, v)
