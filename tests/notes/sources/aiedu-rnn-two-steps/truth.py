"""Truth of the checked displays of Microsoft ai-edu, "19.1 两个时间步的循环神经网络" (a two-step RNN).

The page's own forward pass (displays 1-6), row vectors and right-multiplied weights:
  h_{t1} = x_{t1} U + b_h,  s_{t1} = tanh(h_{t1}),
  h_{t2} = x_{t2} U + s_{t1} W + b_h,  s_{t2} = tanh(h_{t2}),  z_{t2} = s_{t2} V + b_z,
  loss = 1/2 (z_{t2} - y_{t2})^2   (no output, no loss at t1).
The page says every variable is a scalar; its formulas carry transposes and Hadamard products, so they are
checked both with scalars (hidden 1, input 1) and with vectors (hidden 3, input 2, one output); the verdicts
are required to be the same.

Names (see source.toml): `A -> dX` names A as dX (dz_{t2}, dh_{t2}, dh_{t1}, db_{h_{t2}}, dU_{t2}, ...);
dloss/dU, dloss/db_h in the displays of one step, and dV_{t1}, dW_{t1}, db_{z_{t1}}, are that step's part
(gradient of a per-step copy of the parameter used at that step only; the page sums dU_{t1} + dU_{t2} in its
update rule). Tanh'(s_{t2}) is read as written: the derivative of tanh at s_{t2}.  Chains "dA/dB dB/dC" are
row vector times local Jacobians.  Two seeds.
"""
import torch

TOL = dict(atol=1e-10, rtol=1e-8)


def close(a, b):
    return bool(torch.allclose(a, b, **TOL))


def jac(f, x):
    return torch.autograd.functional.jacobian(f, x.detach())


def check(seed, H, D):
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)
    P = dict(U=rnd(D, H), W=rnd(H, H), V=rnd(H, 1), bh=rnd(H), bz=rnd(1))
    x1, x2, y2 = rnd(D), rnd(D), rnd(1)
    C = {k: [None] + [v.clone().requires_grad_(True) for _ in range(2)] for k, v in P.items()}  # copies per step
    h1 = x1 @ C["U"][1] + C["bh"][1]
    s1 = torch.tanh(h1)
    h2 = x2 @ C["U"][2] + s1 @ C["W"][2] + C["bh"][2]
    s2 = torch.tanh(h2)
    z2 = s2 @ C["V"][2] + C["bz"][2]
    # V, b_z (and W) take no part in step t1: their t1 copies get a zero gradient
    z2 = z2 + 0 * (C["V"][1].sum() + C["bz"][1].sum() + C["W"][1].sum())
    loss = 0.5 * ((z2 - y2) ** 2).sum()
    for u in (h1, s1, h2, s2, z2):
        u.retain_grad()
    loss.backward()
    d = lambda u: u.detach()
    part = {k: [None, C[k][1].grad, C[k][2].grad] for k in P}
    res = {}
    # (7) dloss/dz_t2 = z_t2 - y_t2 -> dz
    dz = d(z2) - y2
    res["eq7"] = close(z2.grad, dz)
    # (8) dloss/dh_t2 = dloss/dz dz/ds ds/dh = dz V^T o Tanh'(s_t2) = dz V^T o (1 - s_t2^2) -> dh_t2
    Jz_s = jac(lambda q: q @ P["V"] + P["bz"], d(s2))
    Js_h = jac(torch.tanh, d(h2))
    tanh_p = lambda u: 1 - torch.tanh(u) ** 2
    rows = [z2.grad @ Jz_s @ Js_h, (dz @ P["V"].T) * tanh_p(d(s2)), (dz @ P["V"].T) * (1 - d(s2) ** 2)]
    res["eq8"] = all(close(h2.grad, r) for r in rows)
    dh2 = (dz @ P["V"].T) * (1 - d(s2) ** 2)
    # (9) dloss/db_z = dloss/dz dz/db_z = dz
    res["eq9"] = close(part["bz"][2], z2.grad @ jac(lambda b: d(s2) @ P["V"] + b, P["bz"])) and close(part["bz"][2], dz)
    # (10) dloss/db_h = dloss/dh_t2 dh_t2/db_h = dh_t2 (step t2's part)
    Jh2_b = jac(lambda b: x2 @ P["U"] + d(s1) @ P["W"] + b, P["bh"])
    res["eq10"] = close(part["bh"][2], h2.grad @ Jh2_b) and close(part["bh"][2], dh2)
    # (11) dloss/dV = dloss/dz dz/dV = s_t2^T dz
    Jz_V = jac(lambda M: d(s2) @ M + P["bz"], P["V"])
    res["eq11"] = close(part["V"][2], torch.einsum("k,kij->ij", z2.grad, Jz_V)) and \
        close(part["V"][2], torch.outer(d(s2), dz))
    # (12) dloss/dU = dloss/dh_t2 dh_t2/dU = x_t2^T dh_t2 (step t2's part)
    Jh2_U = jac(lambda M: x2 @ M + d(s1) @ P["W"] + P["bh"], P["U"])
    res["eq12"] = close(part["U"][2], torch.einsum("k,kij->ij", h2.grad, Jh2_U)) and \
        close(part["U"][2], torch.outer(x2, dh2))
    # (13) dloss/dW = dloss/dh_t2 dh_t2/dW = s_t1^T dh_t2
    Jh2_W = jac(lambda M: x2 @ P["U"] + d(s1) @ M + P["bh"], P["W"])
    res["eq13"] = close(part["W"][2], torch.einsum("k,kij->ij", h2.grad, Jh2_W)) and \
        close(part["W"][2], torch.outer(d(s1), dh2))
    # (14) dloss/dh_t1 = dloss/dh_t2 dh_t2/ds_t1 ds_t1/dh_t1 = dh_t2 W^T o (1 - s_t1^2) -> dh_t1
    Jh2_s1 = jac(lambda q: x2 @ P["U"] + q @ P["W"] + P["bh"], d(s1))
    Js1_h1 = jac(torch.tanh, d(h1))
    dh1 = (dh2 @ P["W"].T) * (1 - d(s1) ** 2)
    res["eq14"] = close(h1.grad, h2.grad @ Jh2_s1 @ Js1_h1) and close(h1.grad, dh1)
    # (15) dloss/db_h = dloss/dh_t1 dh_t1/db_h = dh_t1 (step t1's part)
    Jh1_b = jac(lambda b: x1 @ P["U"] + b, P["bh"])
    res["eq15"] = close(part["bh"][1], h1.grad @ Jh1_b) and close(part["bh"][1], dh1)
    # (16) db_{z_t1} = 0, (18) dV_t1 = 0, (19) dW_t1 = 0
    res["eq16"] = close(part["bz"][1], torch.zeros_like(P["bz"]))
    res["eq18"] = close(part["V"][1], torch.zeros_like(P["V"]))
    res["eq19"] = close(part["W"][1], torch.zeros_like(P["W"]))
    # (17) dloss/dU = dloss/dh_t1 dh_t1/dU = x_t1^T dh_t1 (step t1's part)
    Jh1_U = jac(lambda M: x1 @ M + P["bh"], P["U"])
    res["eq17"] = close(part["U"][1], torch.einsum("k,kij->ij", h1.grad, Jh1_U)) and \
        close(part["U"][1], torch.outer(x1, dh1))
    return res


def truths():
    runs = [check(seed, H, D) for seed in (0, 1) for (H, D) in ((1, 1), (3, 2))]
    out = {k: all(r[k] for r in runs) for k in runs[0]}
    scalar = {k: check(0, 1, 1)[k] and check(1, 1, 1)[k] for k in out}
    assert scalar == out, "scalar and vector sizes disagree"
    return out


if __name__ == "__main__":
    for k, v in truths().items():
        print(k, v)
