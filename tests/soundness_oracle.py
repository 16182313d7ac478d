r"""The truth for the soundness fuzzer, computed without symbptt (nothing is imported from it).

Each model is written here again, as its unrolled forward pass: every entry of every
quantity at every step is a node whose one-step expression is a SymPy expression in the
nodes it reads (parameters and inputs are leaves). The local partial derivatives of each
node are ``sympy.diff`` of that expression; the total derivatives are their products
along every path of the unrolled graph (the multivariate chain rule, forward mode seeded
at one node or leaf), evaluated with mpmath at 50 digits at random rational points.

Three kinds of seed give the three derivative objects of the literature:

* a node at its definition (``dL/ds_t``, ``dL/dc_t``: the total derivative, every path);
* a state as the next step reads it (``dc_t/dc_{t-1}``: the other state held fixed, the
  block of the stacked Jacobian; for one-state models the same as the definition);
* a parameter's copy used by step t only (the immediate partial ``d+h_t/dW``).

Unknown ("generic") activations and losses are concrete random functions whose
coefficients are drawn per point, so an identity that holds for every function holds
for them, and one that does not fails with probability one.

>>> world = World(build_graph(ORACLE_MODELS["scalar"](T=2, activation="tanh")), seed=1)
>>> world.value("h", 0).rows
1
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath as mp
import sympy as sp

#: Working precision of the oracle (decimal digits) and the tolerance of an equality.
DIGITS = 50
TOLERANCE = mp.mpf(10) ** -30

Key = tuple  # (name, step or None, row, col): one entry of one quantity


@dataclass(frozen=True)
class Grid:
    """The entry keys of one quantity (rows x cols)."""

    rows: int
    cols: int
    keys: tuple[tuple[Key, ...], ...]

    def __getitem__(self, index: tuple[int, int]) -> Key:
        return self.keys[index[0]][index[1]]


class Missing(Exception):
    """A quantity at a step outside the model (h_{T+1}, s_0): the t is not claimed."""


# --------------------------------------------------------------------------- functions

U = sp.Symbol("u")


def _activation(name: str, coeffs: Sequence[sp.Symbol]) -> sp.Expr:
    """The activation ``name`` as an expression in U; ``generic`` is a random smooth
    function a tanh(u) + b u + c sin(u + e) whose coefficients are leaves (neither it nor
    its derivative is odd or even, and it grows no faster than linearly, so values stay
    moderate at every t)."""
    if name == "tanh":
        return sp.tanh(U)
    if name == "sigmoid":
        return 1 / (1 + sp.exp(-U))
    if name == "identity":
        return U
    if name == "softplus":
        return sp.log(1 + sp.exp(U))
    if name == "generic":
        a, b, c, e = coeffs
        return a * sp.tanh(U) + b * U + c * sp.sin(U + e)
    raise ValueError(f"unknown activation {name}")


@dataclass(frozen=True)
class Function:
    """A scalar function of the model and its derivative, as SymPy and mpmath closures."""

    name: str
    kind: str
    coeffs: tuple[sp.Symbol, ...]
    expr: sp.Expr = field(compare=False)

    @staticmethod
    def make(name: str, kind: str) -> Function:
        coeffs = tuple(sp.Symbol(f"{name}:c{q}") for q in range(4)) if kind == "generic" else ()
        return Function(name, kind, coeffs, _activation(kind, coeffs))

    def __call__(self, arg: sp.Expr) -> sp.Expr:
        return self.expr.subs(U, arg)


# --------------------------------------------------------------------------- the graph


@dataclass
class Graph:
    """The unrolled model: leaves, then nodes in the order of computation.

    Attributes:
        T: the horizon.
        quantities: (name, step) -> the matrix of entry keys (step None: no time index).
        exprs: node key -> its one-step expression in the symbols of what it reads.
        leaves: the leaf keys with how their random value is drawn ("rational", "zero",
            "onehot:<group>", "coeff").
        functions: the model's functions by role (phi, theta, sigma, tanh, ...).
        states: the names of the recurrent states.
    """

    T: int
    quantities: dict[tuple[str, int | None], Grid] = field(default_factory=dict)
    exprs: dict[Key, sp.Expr] = field(default_factory=dict)
    leaves: dict[Key, str] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    states: tuple[str, ...] = ()
    symbol: dict[Key, sp.Symbol] = field(default_factory=dict)

    def _sym(self, key: Key) -> sp.Symbol:
        if key not in self.symbol:
            self.symbol[key] = sp.Symbol(repr(key))
        return self.symbol[key]

    def leaf(self, name: str, step: int | None, shape: tuple[int, int], how: str = "rational"):
        """A parameter, input or target: a matrix of leaf symbols."""
        for a in range(shape[0]):
            for b in range(shape[1]):
                self.leaves[(name, step, a, b)] = how
        return self._grid(name, step, *shape)

    def _grid(self, name: str, step: int | None, rows: int, cols: int) -> sp.Matrix:
        keys = tuple(tuple((name, step, a, b) for b in range(cols)) for a in range(rows))
        self.quantities[(name, step)] = Grid(rows, cols, keys)
        return sp.Matrix(rows, cols, lambda a, b: self._sym(keys[a][b]))

    def define(self, name: str, step: int | None, value: sp.Matrix) -> sp.Matrix:
        """A node per entry of ``value`` (its one-step expression); returns their symbols."""
        value = value if isinstance(value, sp.MatrixBase) else sp.Matrix([[value]])
        for a in range(value.rows):
            for b in range(value.cols):
                self.exprs[(name, step, a, b)] = sp.sympify(value[a, b])
        return self._grid(name, step, value.rows, value.cols)

    def copy(self, name: str, step: int) -> sp.Matrix:
        """Parameter ``name`` as used by step ``step`` only (an identity node per entry)."""
        return self.define(f"{name}@", step, self.value_symbols(name, None))

    def read(self, name: str, step: int) -> sp.Matrix:
        """State ``name`` at ``step`` as the next step reads it (an identity node)."""
        return self.define(f"{name}>", step, self.value_symbols(name, step))

    def value_symbols(self, name: str, step: int | None) -> sp.Matrix:
        grid = self.quantities[(name, step)]
        return sp.Matrix(grid.rows, grid.cols, lambda a, b: self._sym(grid[a, b]))

    def function(self, role: str, kind: str) -> Function:
        """Register the function of a role (phi, theta, ...) and its coefficient leaves."""
        fn = Function.make(role, kind)
        self.functions[role] = fn
        for c in fn.coeffs:
            self.coefficient(str(c))
        return fn

    def coefficient(self, name: str) -> sp.Symbol:
        """A random coefficient of a generic function (a leaf no derivative is taken by)."""
        key = (name, None, 0, 0)
        self.leaves[key] = "coeff"
        self.symbol[key] = sp.Symbol(name)
        return self.symbol[key]


def apply(fn: Callable[[sp.Expr], sp.Expr], m: sp.Matrix) -> sp.Matrix:
    """``fn`` entrywise."""
    return m.applyfunc(fn)


def had(a: sp.Matrix, b: sp.Matrix) -> sp.Matrix:
    """The elementwise product."""
    return a.multiply_elementwise(b)


def ones(m: sp.Matrix) -> sp.Matrix:
    return sp.ones(m.rows, m.cols)


# --------------------------------------------------------------------------- the models


@dataclass(frozen=True)
class OracleModel:
    """A model's options as the oracle needs them (the same as symbptt's options)."""

    kind: str
    T: int
    activation: str = "generic"
    output_activation: str = "generic"
    step_loss: str = "generic"
    reduction: str = "mean"
    h0: str = "symbol"
    hidden: int = 2
    inputs: int = 1
    outputs: int = 1
    variant: str = "torch"


def _loss(graph: Graph, model: OracleModel, out: sp.Matrix, t: int) -> sp.Matrix:
    """The step loss l_t of the head's output ``out`` at step t (and its target)."""
    k = out.rows
    if model.step_loss == "cross-entropy":
        d = graph.leaf("d", t, (k, 1), how="onehot")
        e = [sp.exp(out[q]) for q in range(k)]
        yhat = graph.define("yhat", t, sp.Matrix([e[q] / sum(e) for q in range(k)]))
        return graph.define("l", t, -sum(d[q] * sp.log(yhat[q]) for q in range(k)))
    d = graph.leaf("d", t, (k, 1))
    if model.step_loss == "generic":  # a random smooth l(yhat, d) of the scalar model
        a, b, c, e = (graph.coefficient(f"l:c{q}") for q in range(4))
        y, dd = out[0], d[0]
        return graph.define("l", t, a * (y - dd) ** 2 + b * (y - dd) ** 3 + c * y * dd**2 + e * y)
    diff = out - d
    return graph.define("l", t, (diff.T * diff)[0] / 2)


def _finish(graph: Graph, model: OracleModel) -> Graph:
    """L = (1/T) sum_t l_t or the sum."""
    total = sum(graph.value_symbols("l", t)[0] for t in range(1, model.T + 1))
    scale = sp.Rational(1, model.T) if model.reduction == "mean" else 1
    graph.define("L", None, scale * total)
    return graph


def _initial(graph: Graph, model: OracleModel, name: str, n: int) -> None:
    graph.leaf(name, 0, (n, 1), how="zero" if model.h0 == "zero" else "rational")


def scalar_graph(model: OracleModel) -> Graph:
    """s_t = w h_{t-1} + v x_t, h_t = phi(s_t), yhat_t = theta(h_t), l_t = l(yhat_t, d_t)."""
    g = Graph(model.T, states=("h",))
    phi = g.function("phi", model.activation)
    theta = g.function("theta", model.output_activation)
    g.leaf("w", None, (1, 1))
    g.leaf("v", None, (1, 1))
    _initial(g, model, "h", 1)
    for t in range(1, model.T + 1):
        x = g.leaf("x", t, (1, 1))
        h_prev = g.read("h", t - 1)
        s = g.define("s", t, g.copy("w", t) * h_prev + g.copy("v", t) * x)
        h = g.define("h", t, apply(phi, s))
        yhat = g.define("yhat", t, apply(theta, h))
        _loss(g, model, yhat, t)
    return _finish(g, model)


def _head(g: Graph, model: OracleModel, h: sp.Matrix, t: int, pre: str, out: str) -> None:
    """pre_t = W_hy h_t + b_y, out_t = theta(pre_t), and the loss."""
    theta = g.functions["theta"]
    z = g.define(pre, t, g.copy("W_hy", t) * h + g.copy("b_y", t))
    o = g.define(out, t, apply(theta, z))
    _loss(g, model, o, t)


def elman_graph(model: OracleModel) -> Graph:
    """Note 000's vector RNN: s_t = W_xh x_t + W_hh h_{t-1} + b_h, h_t = phi(s_t),
    z_t = W_hy h_t + b_y, o_t = theta(z_t); h_0 a parameter."""
    n, m, k = model.hidden, model.inputs, model.outputs
    g = Graph(model.T, states=("h",))
    phi = g.function("phi", model.activation)
    g.function("theta", model.output_activation)
    for name, shape in (("W_hh", (n, n)), ("W_xh", (n, m)), ("b_h", (n, 1))):
        g.leaf(name, None, shape)
    g.leaf("W_hy", None, (k, n))
    g.leaf("b_y", None, (k, 1))
    g.leaf("h", 0, (n, 1))
    for t in range(1, model.T + 1):
        x = g.leaf("x", t, (m, 1))
        hp = g.read("h", t - 1)
        s = g.define("s", t, g.copy("W_xh", t) * x + g.copy("W_hh", t) * hp + g.copy("b_h", t))
        h = g.define("h", t, apply(phi, s))
        _head(g, model, h, t, "z", "o")
    return _finish(g, model)


def _gated_setup(g: Graph, model: OracleModel, params: Sequence[tuple[str, tuple[int, int]]]):
    g.function("sigma", "sigmoid")
    g.function("tanh", "tanh")
    g.function("theta", model.output_activation)
    for name, shape in params:
        g.leaf(name, None, shape)
    g.leaf("W_hy", None, (model.outputs, model.hidden))
    g.leaf("b_y", None, (model.outputs, 1))


def lstm_graph(model: OracleModel) -> Graph:
    """torch.nn.LSTM's cell with the head theta(W_hy h_t + b_y)."""
    n, m = model.hidden, model.inputs
    g = Graph(model.T, states=("h", "c"))
    params = []
    for q in "ifgo":
        params += [
            (f"W_i{q}", (n, m)),
            (f"b_i{q}", (n, 1)),
            (f"W_h{q}", (n, n)),
            (f"b_h{q}", (n, 1)),
        ]
    _gated_setup(g, model, params)
    sigma, tanh = g.functions["sigma"], g.functions["tanh"]
    _initial(g, model, "h", n)
    _initial(g, model, "c", n)
    for t in range(1, model.T + 1):
        x = g.leaf("x", t, (m, 1))
        hp, cp = g.read("h", t - 1), g.read("c", t - 1)
        gate = {}
        for q, name in (("i", "i"), ("f", "f"), ("g", "c_tilde"), ("o", "o")):
            a = g.define(
                f"a_{q}",
                t,
                g.copy(f"W_i{q}", t) * x
                + g.copy(f"b_i{q}", t)
                + g.copy(f"W_h{q}", t) * hp
                + g.copy(f"b_h{q}", t),
            )
            gate[q] = g.define(name, t, apply(tanh if q == "g" else sigma, a))
        c = g.define("c", t, had(gate["f"], cp) + had(gate["i"], gate["g"]))
        h = g.define("h", t, had(gate["o"], apply(tanh, c)))
        _head(g, model, h, t, "a_y", "y")
    return _finish(g, model)


def gru_graph(model: OracleModel) -> Graph:
    """torch.nn.GRU's cell (variant torch) or Cho et al.'s (variant cho), with the head."""
    n, m = model.hidden, model.inputs
    g = Graph(model.T, states=("h",))
    if model.variant == "torch":
        params = []
        for q in "rzn":
            params += [
                (f"W_i{q}", (n, m)),
                (f"b_i{q}", (n, 1)),
                (f"W_h{q}", (n, n)),
                (f"b_h{q}", (n, 1)),
            ]
    else:
        params = []
        for q in "rzh":
            params += [(f"W_x{q}", (n, m)), (f"W_h{q}", (n, n)), (f"b_{q}", (n, 1))]
    _gated_setup(g, model, params)
    sigma, tanh = g.functions["sigma"], g.functions["tanh"]
    _initial(g, model, "h", n)
    for t in range(1, model.T + 1):
        x = g.leaf("x", t, (m, 1))
        hp = g.read("h", t - 1)
        if model.variant == "torch":
            gate = {}
            for q in "rz":
                a = g.define(
                    f"a_{q}",
                    t,
                    g.copy(f"W_i{q}", t) * x
                    + g.copy(f"b_i{q}", t)
                    + g.copy(f"W_h{q}", t) * hp
                    + g.copy(f"b_h{q}", t),
                )
                gate[q] = g.define(q, t, apply(sigma, a))
            rec = g.copy("W_hn", t) * hp + g.copy("b_hn", t)
            a = g.define("a_n", t, g.copy("W_in", t) * x + g.copy("b_in", t) + had(gate["r"], rec))
            new = g.define("n", t, apply(tanh, a))
        else:
            gate = {}
            for q in "rz":
                a = g.define(
                    f"a_{q}",
                    t,
                    g.copy(f"W_x{q}", t) * x + g.copy(f"W_h{q}", t) * hp + g.copy(f"b_{q}", t),
                )
                gate[q] = g.define(q, t, apply(sigma, a))
            a = g.define(
                "a_h_tilde",
                t,
                g.copy("W_xh", t) * x + g.copy("W_hh", t) * had(gate["r"], hp) + g.copy("b_h", t),
            )
            new = g.define("h_tilde", t, apply(tanh, a))
        z = gate["z"]
        h = g.define("h", t, had(ones(z) - z, new) + had(z, hp))
        _head(g, model, h, t, "a_y", "y")
    return _finish(g, model)


def mgu_graph(model: OracleModel) -> Graph:
    """The minimal gated unit of derivations/minimal-gated-unit.toml (n = 2, m = k = 1)."""
    n, m, k = 2, 1, 1
    g = Graph(model.T, states=("h",))
    g.function("sigma", "sigmoid")
    g.function("tanh", "tanh")
    sigma, tanh = g.functions["sigma"], g.functions["tanh"]
    shapes = {"W_f": (n, m), "U_f": (n, n), "b_f": (n, 1), "W_h": (n, m), "U_h": (n, n)}
    shapes |= {"b_h": (n, 1), "W_y": (k, n), "b_y": (k, 1)}
    for name, shape in shapes.items():
        g.leaf(name, None, shape)
    g.leaf("h", 0, (n, 1))
    for t in range(1, model.T + 1):
        x = g.leaf("x", t, (m, 1))
        hp = g.read("h", t - 1)
        c = {name: g.copy(name, t) for name in shapes}
        f = g.define("f", t, apply(sigma, c["W_f"] * x + c["U_f"] * hp + c["b_f"]))
        ht = g.define("h_tilde", t, apply(tanh, c["W_h"] * x + c["U_h"] * had(f, hp) + c["b_h"]))
        h = g.define("h", t, had(ones(f) - f, hp) + had(f, ht))
        o = g.define("o", t, c["W_y"] * h + c["b_y"])
        _loss(g, model, o, t)
    return _finish(g, model)


def jordan_graph(model: OracleModel) -> Graph:
    """The Jordan network of derivations/jordan-network.toml (n = 2, m = 1, k = 2)."""
    n, m, k = 2, 1, 2
    g = Graph(model.T, states=("y",))
    g.function("tanh", "tanh")
    tanh = g.functions["tanh"]
    shapes = {"W": (n, m), "U": (n, k), "b": (n, 1), "V": (k, n), "b_y": (k, 1)}
    for name, shape in shapes.items():
        g.leaf(name, None, shape)
    g.leaf("y", 0, (k, 1))
    for t in range(1, model.T + 1):
        x = g.leaf("x", t, (m, 1))
        yp = g.read("y", t - 1)
        c = {name: g.copy(name, t) for name in shapes}
        h = g.define("h", t, apply(tanh, c["W"] * x + c["U"] * yp + c["b"]))
        y = g.define("y", t, c["V"] * h + c["b_y"])
        _loss(g, model, y, t)
    return _finish(g, model)


def _maker(kind: str) -> Callable[..., OracleModel]:
    return functools.partial(OracleModel, kind)


#: The oracle's models by kind: ``ORACLE_MODELS["lstm"](T=3, ...)``.
ORACLE_MODELS: dict[str, Callable[..., OracleModel]] = {
    kind: _maker(kind) for kind in ("scalar", "elman", "lstm", "gru", "mgu", "jordan")
}
_BUILDERS = {
    "scalar": scalar_graph,
    "elman": elman_graph,
    "lstm": lstm_graph,
    "gru": gru_graph,
    "mgu": mgu_graph,
    "jordan": jordan_graph,
}


def build_graph(model: OracleModel) -> CompiledGraph:
    """The compiled unrolled graph of ``model`` (shared by every random point)."""
    return CompiledGraph(_BUILDERS[model.kind](model))


# --------------------------------------------------------------------------- compiled


class CompiledGraph:
    """A graph with each node's value and local partial derivatives as mpmath closures."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        by_symbol = {s: k for k, s in graph.symbol.items()}
        self.order = list(graph.exprs)
        self.coeff_keys = [k for k, how in graph.leaves.items() if how == "coeff"]
        coeff_syms = [graph.symbol[k] for k in self.coeff_keys]
        self.value_fn: dict[Key, tuple[list[Key], Any]] = {}
        self.partial_fn: dict[Key, list[tuple[Key, Any]]] = {}
        for key in self.order:
            expr = graph.exprs[key]
            reads = sorted(
                (s for s in expr.free_symbols if by_symbol[s] not in self.coeff_keys), key=str
            )
            args = [*reads, *coeff_syms]
            self.value_fn[key] = ([by_symbol[s] for s in args], sp.lambdify(args, expr, "mpmath"))
            self.partial_fn[key] = [
                (by_symbol[s], sp.lambdify(args, sp.diff(expr, s), "mpmath")) for s in reads
            ]
        self.functions = {
            role: (
                [str(c) for c in fn.coeffs],
                sp.lambdify([U, *fn.coeffs], fn.expr, "mpmath"),
                sp.lambdify([U, *fn.coeffs], sp.diff(fn.expr, U), "mpmath"),
            )
            for role, fn in graph.functions.items()
        }


class World:
    """The compiled graph at one random point: values and total derivatives.

    Args:
        compiled: the graph.
        seed: the random point's seed (leaves are rationals p/q with |p| <= 9, q <= 7;
            one-hot targets a random class; generic functions random coefficients).
    """

    def __init__(self, compiled: CompiledGraph, *, seed: int) -> None:
        mp.mp.dps = DIGITS
        rng = random.Random(seed)
        self.compiled = compiled
        graph = compiled.graph
        self.T = graph.T
        values: dict[Key, Any] = {}
        onehot: dict[tuple[str, int | None], int] = {}
        for key, how in graph.leaves.items():
            if how == "zero":
                values[key] = mp.mpf(0)
            elif how == "onehot":
                group = key[:2]
                if group not in onehot:
                    onehot[group] = rng.randrange(graph.quantities[group].rows)
                values[key] = mp.mpf(int(key[2] == onehot[group]))
            elif how == "coeff":
                values[key] = mp.mpf(rng.randint(1, 9)) / rng.randint(2, 7)
            else:
                values[key] = mp.mpf(rng.choice([-1, 1]) * rng.randint(1, 9)) / rng.randint(2, 7)
        for key in compiled.order:
            keys, fn = compiled.value_fn[key]
            values[key] = fn(*(values[k] for k in keys))
        self.values = values
        self.partials: dict[Key, list[tuple[Key, Any]]] = {}
        for key in compiled.order:
            keys, _ = compiled.value_fn[key]
            args = [values[k] for k in keys]
            self.partials[key] = [(src, fn(*args)) for src, fn in compiled.partial_fn[key]]
        self._tangents: dict[Key, dict[Key, Any]] = {}

    # values

    def has(self, name: str, step: int | None) -> bool:
        return (name, step) in self.compiled.graph.quantities

    def keys(self, name: str, step: int | None) -> Grid:
        try:
            return self.compiled.graph.quantities[(name, step)]
        except KeyError:
            raise Missing(f"{name} at {step}") from None

    def value(self, name: str, step: int | None) -> mp.matrix:
        """The value of quantity ``name`` at ``step`` (an mpmath matrix)."""
        keys = self.keys(name, step)
        out = mp.matrix(keys.rows, keys.cols)
        for a in range(keys.rows):
            for b in range(keys.cols):
                out[a, b] = self.values[keys[a, b]]
        return out

    def function(self, role: str, x: Any, derivative: bool = False) -> Any:
        """The model's function of a role (phi, theta, sigma, tanh) or its derivative at x."""
        names, fn, dfn = self.compiled.functions[role]
        coeffs = [self.values[(c, None, 0, 0)] for c in names]
        return (dfn if derivative else fn)(x, *coeffs)

    # derivatives

    def tangent(self, seed: Key) -> dict[Key, Any]:
        """d(node)/d(seed) for every node: forward mode from ``seed`` (a leaf, or a node
        whose own inputs are then ignored)."""
        if seed not in self._tangents:
            tan: dict[Key, Any] = {seed: mp.mpf(1)}
            for key in self.compiled.order:
                if key == seed:
                    continue
                total = mp.mpf(0)
                for src, partial in self.partials[key]:
                    if src in tan:
                        total += partial * tan[src]
                if total != 0 or any(src in tan for src, _ in self.partials[key]):
                    tan[key] = total
            self._tangents[seed] = tan
        return self._tangents[seed]

    def derivative(
        self,
        num: tuple[str, int | None],
        den: tuple[str, int | None],
        *,
        immediate: bool = False,
        entry: tuple[int, int] | None = None,
    ) -> mp.matrix:
        """d num / d den in the mixed layout.

        A scalar's derivative has den's shape; a vector's by a vector is the Jacobian
        (rows follow num); a vector's by a matrix parameter is taken at one entry of it
        (``entry``) and has num's shape. ``immediate``: den's copy at num's step (the
        immediate partial; num must have a step). By a state at an earlier step than
        num's: that state as the next step reads it (the other states held fixed).
        Adjoints past the end (dL/dX_{T+1}, dL/dX_{T+2}, ...) are 0, and so is the
        immediate partial of the initial state (d+h_0/dw: h_0 is no step's result).

        Raises:
            Missing: a quantity outside the model.
        """
        graph = self.compiled.graph
        num_keys = self.keys(*num)
        dname, dstep = den
        if num[0] == "L" and dstep is not None and dstep > self.T and not self.has(*den):
            shape = self._shape_at(dname)
            if shape is None:
                raise Missing(f"{dname} at {dstep}")
            return mp.matrix(*shape)
        den_keys = self.keys(*den)
        if immediate:
            if num[1] is None or dstep is not None:
                raise Missing("an immediate partial is of a stepped quantity by a parameter")
            if num[1] == 0 and self.has(*num) and not self.has(f"{dname}@", 0):
                # the initial state has no step: its immediate partial by a parameter is 0
                grid = self.keys(*den)
                return mp.matrix(num_keys.rows, 1 if grid.cols > 1 else grid.rows)
            den_keys = self.keys(f"{dname}@", num[1])
        elif dstep is not None and dname in graph.states and num[1] is not None and num[1] > dstep:
            den_keys = self.keys(f"{dname}>", dstep)
        matrix_den = den_keys.cols > 1
        if num_keys.cols != 1:
            raise Missing("derivatives of matrices are not claimed")
        if num_keys.rows == 1 and num[0] in ("L", "l"):
            out = mp.matrix(den_keys.rows, den_keys.cols)
            for a in range(den_keys.rows):
                for b in range(den_keys.cols):
                    out[a, b] = self.tangent(den_keys[a, b]).get(num_keys[0, 0], mp.mpf(0))
            return out
        if matrix_den:
            if entry is None:
                raise Missing("a vector's derivative by a matrix needs an entry")
            tan = self.tangent(den_keys[entry])
            out = mp.matrix(num_keys.rows, 1)
            for a in range(num_keys.rows):
                out[a, 0] = tan.get(num_keys[a, 0], mp.mpf(0))
            return out
        out = mp.matrix(num_keys.rows, den_keys.rows)
        for b in range(den_keys.rows):
            tan = self.tangent(den_keys[b, 0])
            for a in range(num_keys.rows):
                out[a, b] = tan.get(num_keys[a, 0], mp.mpf(0))
        return out

    def _shape_at(self, name: str) -> tuple[int, int] | None:
        for (n, _step), keys in self.compiled.graph.quantities.items():
            if n == name:
                return (keys.rows, keys.cols)
        return None


def close(a: mp.matrix, b: mp.matrix) -> bool:
    """Equal entry by entry within the oracle's tolerance (relative, and absolute near 0)."""
    return all(
        abs(a[q, r] - b[q, r]) <= TOLERANCE * max(1, abs(a[q, r]), abs(b[q, r]))
        for q in range(a.rows)
        for r in range(a.cols)
    )
