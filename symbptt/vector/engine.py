"""The vector model in a ring: forward pass, forward-mode reference, backward recursion.

Everything is written once, generically over the ring (exact canonical forms, modular,
exact points, rigorous intervals), on lists of ring elements:

* :func:`forward` runs the recurrence; with dual numbers seeded at one parameter entry
  it is the **reference**: forward-mode differentiation of the unrolled model, which
  knows nothing of the formulas under test.
* :func:`backward` is the matrix BPTT recursion of the foundation issue, generalised:
  g_t = dL/dz_t = c (o_t - d_t) * theta'(z_t),
  delta_t = phi'(s_t) * (W_hy^T g_t + W_hh^T delta_{t+1}),  delta_{T+1} = 0,
  dL/dW_hh = sum_t delta_t h_{t-1}^T, dL/dW_xh = sum_t delta_t x_t^T,
  dL/db_h = sum_t delta_t, dL/dW_hy = sum_t g_t h_t^T, dL/db_y = sum_t g_t,
  dL/dh_0 = W_hh^T delta_1   (``*`` is the elementwise product),
  dL/dw_h = sum_t u_t delta_t^T with u_t = [x_t; h_{t-1}], for note 000's
  w_h = [W_xh W_hh]^T.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..algebra import Ring
from ..derive.expansion import ChainTerm
from ..values import Dual, activation_value, function_name
from .model import CONCATENATION, GRADIENTS, PARAMETERS, ElmanSpec
from .program import BACKWARD, Program, dot, evaluate, identity, matmul

Matrix = list[list[Any]]


def parameter_values(spec: ElmanSpec, ring: Ring) -> dict[str, Matrix]:
    """Each parameter as a matrix of atoms (``("W_hh", (r, c))`` ...)."""
    out = {}
    for name in PARAMETERS:
        rows, cols = spec.shape(name)
        out[name] = [[ring.atom((name, (r, c))) for c in range(cols)] for r in range(rows)]
    return out


@dataclass(frozen=True)
class Forward:
    """The forward pass: per step t = 1..T (index 0 unused except h), column vectors as
    lists. ``L`` is the loss, ``losses`` the per-step losses."""

    x: list[list[Any]]
    d: list[list[Any]]
    s: list[list[Any]]
    h: list[list[Any]]
    z: list[list[Any]]
    o: list[list[Any]]
    dphi: list[list[Any]]
    dtheta: list[list[Any]]
    L: Any
    losses: list[Any]  # the per-step losses l_t = ||o_t - d_t||^2 / 2 (index 0 unused)


#: Nodes of the unrolled model that forward mode can be seeded at (see :func:`forward`).
NODES = ("s", "h", "z", "o")


def forward(
    spec: ElmanSpec, ring: Ring, params: dict[str, Matrix], seed: tuple | None = None
) -> Forward:
    """Run the recurrence on dual numbers when seeded, so that every value carries its
    derivative with respect to the seed:

    * ``(parameter, r, c)``: an entry of a parameter;
    * ``("node", kind, t, r)``: entry r of the node ``kind`` (s, h, z or o) at step t,
      the node cut loose from what it was computed from (the total derivative of later
      values with respect to it; earlier values get derivative 0).
    """
    dual = seed is not None
    zero = ring.zero

    def cut(kind: str, t: int, values: list[Any]) -> list[Any]:
        if not (dual and seed[0] == "node" and seed[1:3] == (kind, t)):
            return values
        return [Dual(v.val, ring.one if r == seed[3] else zero) for r, v in enumerate(values)]

    def lift(value: Any, name: str = "", r: int = -1, c: int = -1) -> Any:
        if not dual:
            return value
        return Dual(value, ring.one if seed == (name, r, c) else zero)

    P = {
        name: [[lift(v, name, r, c) for c, v in enumerate(row)] for r, row in enumerate(m)]
        for name, m in params.items()
    }
    phi, theta = spec.phi, spec.theta
    fphi, ftheta = function_name(phi, "phi"), function_name(theta, "theta")

    def apply(act: Any, fn: str, node: tuple, value: Any) -> tuple[Any, Any]:
        if dual:
            y = activation_value(ring, act, fn, 0, node, value.val)
            dy = activation_value(ring, act, fn, 1, node, value.val)
            return Dual(y, dy * value.tan), dy
        return (
            activation_value(ring, act, fn, 0, node, value),
            activation_value(ring, act, fn, 1, node, value),
        )

    n, m, k = spec.hidden, spec.inputs, spec.outputs
    h = [[P["h_0"][r][0] for r in range(n)]]
    xs, ds, ss, zs, os_, dphis, dthetas = [None], [None], [None], [None], [None], [None], [None]
    loss = lift(zero)
    losses: list[Any] = [None]
    half = ring.const(Fraction(1, 2))
    for t in range(1, spec.T + 1):
        x = [lift(ring.atom(("x", (t, c)))) for c in range(m)]
        d = [lift(ring.atom(("d", (t, q)))) for q in range(k)]
        s = [
            dot(P["W_xh"][r], x, zero) + dot(P["W_hh"][r], h[t - 1], zero) + P["b_h"][r][0]
            for r in range(n)
        ]
        s = cut("s", t, s)
        hs, dp = zip(*(apply(phi, fphi, ("s", (t, r)), s[r]) for r in range(n)))
        hs = cut("h", t, list(hs))
        z = cut("z", t, [dot(P["W_hy"][q], hs, zero) + P["b_y"][q][0] for q in range(k)])
        o, dt = zip(*(apply(theta, ftheta, ("z", (t, q)), z[q]) for q in range(k)))
        o = cut("o", t, list(o))
        step_loss = lift(zero)
        for q in range(k):
            step_loss = step_loss + (o[q] - d[q]) * (o[q] - d[q]) * half
        losses.append(step_loss)
        loss = loss + step_loss
        for store, value in (
            (xs, x),
            (ds, d),
            (ss, s),
            (h, hs),
            (zs, z),
            (os_, o),
            (dphis, list(dp)),
            (dthetas, list(dt)),
        ):
            store.append(value)
    scale = ring.const(Fraction(1, spec.T) if spec.reduction == "mean" else 1)
    return Forward(xs, ds, ss, h, zs, os_, dphis, dthetas, loss * scale, losses)


def reference_gradients(
    spec: ElmanSpec,
    ring: Ring,
    params: dict[str, Matrix],
    runs: dict[tuple[str, int, int], Forward] | None = None,
) -> dict[str, Matrix]:
    """dL/dP for every entry of every parameter and of w_h, by forward mode seeded at
    the parameter entry it is. ``runs`` caches the seeded passes by seed (w_h's entries
    are W_xh's and W_hh's; callers may reuse the passes' tangents of h_t)."""
    runs = {} if runs is None else runs

    def run(seed: tuple[str, int, int]) -> Forward:
        if seed not in runs:
            runs[seed] = forward(spec, ring, params, seed=seed)
        return runs[seed]

    out = {}
    for name in GRADIENTS:
        rows, cols = spec.shape(name)
        out[name] = [[run(spec.source(name, r, c)).L.tan for c in range(cols)] for r in range(rows)]
    return out


def backward(
    spec: ElmanSpec,
    ring: Ring,
    params: dict[str, Matrix],
    fwd: Forward,
    program: Program | None = None,
) -> dict[str, Matrix]:
    """The matrix BPTT recursion (see the module docstring), in denominator layout: the
    program :data:`symbptt.vector.program.BACKWARD` run in ``ring``."""
    c = Fraction(1, spec.T) if spec.reduction == "mean" else Fraction(1)
    return evaluate(program or BACKWARD, ring, params, fwd, spec.T, c)


def stacked_input(fwd: Forward, t: int) -> list[Any]:
    """u_t = [x_t; h_{t-1}], so that s_t = w_h^T u_t + b_h."""
    return [*fwd.x[t], *fwd.h[t - 1]]


#: The parameters h_t depends on through its own one-step equation, and w_h.
STATE_PARAMETERS = ("W_hh", "W_xh", "b_h", CONCATENATION)


def jacobian(spec: ElmanSpec, params: dict[str, Matrix], fwd: Forward, t: int) -> Matrix:
    """dh_t/dh_{t-1} = diag(phi'(s_t)) W_hh (numerator layout: rows follow h_t)."""
    n = spec.hidden
    return [[fwd.dphi[t][r] * params["W_hh"][r][c] for c in range(n)] for r in range(n)]


def immediate(
    spec: ElmanSpec, ring: Ring, fwd: Forward, t: int, name: str, a: int, b: int
) -> list[Any]:
    """d+h_t/dP[a, b] (h_{t-1} held fixed), entrywise layout: an n-vector whose only
    nonzero entry is a = phi'(s_t)[a] times h_{t-1}[b] (W_hh), x_t[b] (W_xh) or 1 (b_h).
    For w_h = [W_xh W_hh]^T the entry [a, b] multiplies u_t[a] into s_t[b], so the
    nonzero entry is b = phi'(s_t)[b] times u_t[a], u_t = [x_t; h_{t-1}]."""
    if name == CONCATENATION:
        a, b, source = b, a, stacked_input(fwd, t)[a]
    else:
        source = {
            "W_hh": lambda: fwd.h[t - 1][b],
            "W_xh": lambda: fwd.x[t][b],
            "b_h": lambda: ring.one,
        }[name]()
    return [fwd.dphi[t][a] * source if r == a else ring.zero for r in range(spec.hidden)]


def sum_of_products(
    spec: ElmanSpec,
    ring: Ring,
    params: dict[str, Matrix],
    fwd: Forward,
    t: int,
    name: str,
    a: int,
    b: int,
    *,
    order: str = "latest-left",
) -> list[Any]:
    """dh_t/dP[a, b] = sum_{i=1}^{t} (J_t J_{t-1} ... J_{i+1}) d+h_i/dP[a, b].

    ``order="earliest-left"`` multiplies the Jacobians the other way round
    (J_{i+1} ... J_t), the usual slip; it is here so the verifier can show it fails.
    """
    total = [ring.zero] * spec.hidden
    jac = {j: jacobian(spec, params, fwd, j) for j in range(1, t + 1)}
    for i in range(1, t + 1):
        v = immediate(spec, ring, fwd, i, name, a, b)
        steps = range(i + 1, t + 1) if order == "latest-left" else range(t, i, -1)
        for j in steps:  # apply J_j to the vector: later Jacobians end up on the left
            v = [dot(jac[j][r], v, ring.zero) for r in range(spec.hidden)]
        total = [x + y for x, y in zip(total, v)]
    return total


def sum_of_products_all(
    spec: ElmanSpec, ring: Ring, params: dict[str, Matrix], fwd: Forward, name: str, a: int, b: int
) -> list[list[Any]]:
    """dh_t/dP[a, b] by the sum of products for every t = 1..T at once (index 0 unused).

    Each term keeps its chain (J_t ... J_{i+1}) d+h_i/dP as a vector and takes one more
    Jacobian on the left per step, so all T sums cost O(T^2 n^2) instead of O(T^3 n^2).
    """
    n, zero = spec.hidden, ring.zero
    chains: list[list[Any]] = []
    out: list[list[Any]] = [[]]
    for t in range(1, spec.T + 1):
        jac = jacobian(spec, params, fwd, t)
        chains = [[dot(jac[r], v, zero) for r in range(n)] for v in chains]
        chains.append(immediate(spec, ring, fwd, t, name, a, b))
        total = [zero] * n
        for v in chains:
            total = [x + y for x, y in zip(total, v)]
        out.append(total)
    return out


def suffix_products(ring: Ring, jacobians: list[Matrix], target: int) -> list[Matrix | None]:
    """products[f] = J_target J_{target-1} ... J_f (the identity for f = target + 1), the
    ordered products of every chain term of dh_target/dP, shared by all entries of P."""
    products: list[Matrix | None] = [None] * (target + 2)
    products[target + 1] = identity(len(jacobians[1]), ring)
    for f in range(target, 0, -1):  # P_f = P_{f+1} J_f: the new factor goes on the right
        products[f] = matmul(products[f + 1], jacobians[f], ring.zero)
    return products


def chain_term_value(
    spec: ElmanSpec,
    ring: Ring,
    jacobians: list[Matrix],
    products: list[Matrix | None],
    fwd: Forward,
    term: ChainTerm,
    tangents: list[list[Any]],
    name: str,
    a: int,
    b: int,
) -> list[Any]:
    """One term of a form of the expansion (the scalar engine's :class:`ChainTerm`, read
    as matrices): (J_target ... J_first) leaf, with the leaf d+h_i/dP[a, b] (immediate),
    dh_i/dP[a, b] (total, the forward-mode ``tangents``) or the one-step rule
    d+h_i/dP + J_i dh_{i-1}/dP. ``jacobians[j]`` is J_j and ``products[f]`` the ordered
    product J_target ... J_f (see :func:`suffix_products`)."""
    i, zero = term.leaf_index, ring.zero
    if term.leaf == "total":
        v = tangents[i]
    else:
        v = immediate(spec, ring, fwd, i, name, a, b)
        if term.leaf == "one_step":
            v = [x + dot(row, tangents[i - 1], zero) for x, row in zip(v, jacobians[i])]
    return [dot(row, v, zero) for row in products[term.first]]
