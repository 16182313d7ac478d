"""The forward pass of any model in any ring; seeded, it is the forward-mode reference.

:func:`forward` runs a model's equations for t = 1..T on lists of ring elements (exact
canonical forms, modular, exact points, rigorous intervals). With dual numbers seeded at
one parameter entry every value carries its derivative with respect to that entry:
forward-mode differentiation of the unrolled model, which knows the equations and the
primitive table and nothing of the formulas under test. Seeded at a node (an entry of a
variable at one step, cut loose from what it was computed from) it gives the total
derivative of later values with respect to that node.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from symbptt.core.linear import column
from symbptt.core.losses import LOSS_TABLE, step_loss, target_entries
from symbptt.core.model import Model
from symbptt.core.primitives import PRIMITIVES
from symbptt.core.tensor import Apply, Expr, Var, children
from symbptt.rings.algebra import PairwiseSum, Ring
from symbptt.rings.values import Dual, activation_value, function_name

Matrix = list[list[Any]]


def parameter_values(model: Model, ring: Ring) -> dict[str, Matrix]:
    """Each parameter as a matrix of atoms (``("W_hh", (r, c))`` ...)."""
    out = {}
    for name in model.parameters:
        rows, cols = model.shape(name)
        out[name] = [[ring.atom((name, (r, c))) for c in range(cols)] for r in range(rows)]
    return out


def value_nodes(model: Model) -> frozenset[str]:
    """The variables that no function computes and whose values enter products: read by
    an equation other than as the argument of a function (a function's value and slope
    are atoms keyed by the node, whatever the argument), or the head's output. The exact
    ring keeps their entries as nodes (:meth:`symbptt.rings.algebra.PolynomialRing.node`);
    a pre-activation read only by its function needs none."""
    identity = {role for role, prim, _ in model.functions if PRIMITIVES[prim].is_identity}
    valued = {model.head.output}

    def reads(expr: Expr) -> None:
        if isinstance(expr, Apply) and isinstance(expr.arg, Var) and expr.role not in identity:
            return
        if isinstance(expr, Var):
            valued.add(expr.name)
        for child in children(expr):
            reads(child)

    for eq in model.equations:
        reads(eq.expr)
        if isinstance(eq.expr, Apply) and eq.expr.role in identity and eq.target in valued:
            valued.add(eq.expr.arg.name)  # the identity passes its argument's value on
    return frozenset(
        eq.target
        for eq in model.equations
        if eq.target in valued and not isinstance(eq.expr, Apply)
    )


@dataclass(frozen=True)
class Batch:
    """Many parameter-entry seeds in one forward-mode pass, in a ring whose tangents can
    be rows (the modular ring, :class:`symbptt.rings.modular.ModRow`): each value's tangent is
    the row of its derivatives along every seed, so one pass does the work of
    ``len(seeds)`` passes with the per-seed loop in C. :func:`split` gives each seed's
    pass."""

    seeds: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class Trajectory:
    """A forward pass: ``series[name][t]`` is the column vector (a list) of a variable or
    slope series at step t = 1..T (index 0: the initial value of a state, else None);
    ``L`` is the loss and ``losses[t]`` the step losses (index 0 unused). A run seeded
    at a node of step ``start`` holds, before step start - 1, the unseeded run's plain
    values, whose derivatives are 0 (:meth:`is_constant`), and so for the step losses
    before ``start`` and after ``stop`` (:meth:`loss_is_constant`)."""

    series: dict[str, list[Any]]
    L: Any
    losses: list[Any]
    start: int = 1
    #: the last step whose values may depend on the seed (a seeded variable that no
    #: equation reads, such as the head's output, changes nothing after its own step)
    stop: int | None = None
    #: the variables whose series were kept (``"l"``: the step losses); None: all
    kept: frozenset[str] | None = None

    def has(self, name: str) -> bool:
        """Whether the series of ``name`` (``"l"``: the step losses) was kept."""
        return self.kept is None or name in self.kept

    def is_constant(self, t: int) -> bool:
        """Whether the values of step t do not depend on the seed (plain values)."""
        return t < self.start - 1 or (self.stop is not None and t > self.stop)

    def loss_is_constant(self, t: int) -> bool:
        """Whether the step loss of step t does not depend on the seed: a node-seeded
        run holds the base's plain values there (not dual numbers)."""
        return t < self.start or (self.stop is not None and t > self.stop)

    def __getitem__(self, name: str) -> list[Any]:
        return self.series[name]


def forward(
    model: Model,
    T: int,
    ring: Ring,
    params: dict[str, Matrix],
    seed: tuple | None = None,
    base: Trajectory | None = None,
    keep: frozenset[str] | None = None,
) -> Trajectory:
    """Run the model for T steps, on dual numbers when seeded:

    * ``(parameter, r, c)``: an entry of a parameter;
    * ``("node", name, t, r)``: entry r of the variable ``name`` at step t, cut loose
      from what it was computed from (earlier values get derivative 0).
    * a :class:`Batch` of parameter entries, in a ring that batches tangents.
    * ``("copy", parameter, t, r, c)``: entry (r, c) of the copy of a parameter that
      step t uses (the other steps use the parameter unchanged): the derivatives by a
      step's copy, whose sum over the steps is the derivative by the parameter.
    * ``("prev", state, t, r)``: entry r of a state at step t as step t + 1 reads it,
      the other states of step t held fixed (what step t computes after the state, such
      as the LSTM's h_t = o_t tanh(c_t), does not see the change): the derivatives it
      gives are the blocks of the stacked state's Jacobian, dc_t/dc_(t-1) = diag(f_t).

    ``base``, the unseeded run of the same model in the same ring, lets a node-seeded
    run start at its step: the steps before it are the base's values with derivative 0
    (a run from every node of T steps then costs O(T^2) steps in all, not O(T^3)).

    ``keep`` names the variables (``"l"``: the step losses) whose series a seeded run
    keeps; the others are dropped once no equation reads them again. Exact tangents of
    a long run are large polynomials: a verifier that reads only the states' keeps a
    fraction of the memory. None keeps everything.
    """
    dual = seed is not None
    zero = ring.zero
    batch = seed if isinstance(seed, Batch) else None
    index = {} if batch is None else {s: k for k, s in enumerate(batch.seeds)}

    def lift(value: Any, name: str = "", r: int = -1, c: int = -1) -> Any:
        if not dual:
            return value
        if batch is not None:
            k = index.get((name, r, c))
            return Dual(value, zero if k is None else ring.unit_row(k, len(index)))
        return Dual(value, ring.one if seed == (name, r, c) else zero)

    node_seeded = dual and batch is None and seed[0] in ("node", "prev", "copy")
    #: (parameter, step, row, column) of a copy seed
    copy_at: tuple[str, int, int, int] | None = None
    if node_seeded and seed is not None and seed[0] == "copy":
        copy_at = (seed[1], seed[2], seed[3], seed[4])
    copied = copy_at is not None

    def cut(name: str, t: int, values: list[Any]) -> list[Any]:
        if not (node_seeded and seed[0] == "node" and seed[1:3] == (name, t)):
            return values
        return [Dual(v.val, ring.one if r == seed[3] else zero) for r, v in enumerate(values)]

    P = {
        name: [[lift(v, name, r, c) for c, v in enumerate(row)] for r, row in enumerate(m)]
        for name, m in params.items()
    }
    # the parameters as the seeded step reads them: the copy's entry carries the tangent
    at_copy = P
    if copy_at is not None:
        name, _, r, c = copy_at
        at_copy = {**P, name: [list(row) for row in P[name]]}
        at_copy[name][r][c] = Dual(params[name][r][c], ring.one)
    roles = {
        role: (PRIMITIVES[prim], function_name(PRIMITIVES[prim], role))
        for role, prim, _ in model.functions
    }
    series: dict[str, list[Any]] = {}
    for v in model.variables:
        if v.timed:
            series[v.name] = [None]
    for state, init in model.initial:
        rows = model.shape(state)[0]
        series[state] = [[lift(zero)] * rows if init is None else [row[0] for row in P[init]]]
    for eq in model.equations:
        if eq.slope is not None:
            series[eq.slope] = [None]

    def apply(expr: Apply, t: int) -> tuple[list[Any], list[Any]]:
        act, fn = roles[expr.role]
        out, slopes = [], []
        for r, x in enumerate(series[expr.arg.name][t + expr.arg.shift]):
            node = (expr.arg.name, (t, r))
            arg = x.val if dual else x
            y = activation_value(ring, act, fn, 0, node, arg)
            dy = activation_value(ring, act, fn, 1, node, arg)
            out.append(Dual(y, dy * x.tan) if dual else y)
            slopes.append(dy)
        return out, slopes

    nodes = value_nodes(model)

    def node(name: str, t: int, r: int, value: Any) -> Any:
        """An entry that no function computes, as the ring keeps it (:meth:`Ring.node`)."""
        if name not in nodes:
            return value
        key = ("node", name, t, r)
        return Dual(ring.node(key, value.val), value.tan) if dual else ring.node(key, value)

    head = model.head
    probabilities = LOSS_TABLE[head.loss].probabilities
    if probabilities is not None:
        series[probabilities] = [None]
    loss = PairwiseSum(lift(zero))  # the tangents of growing step losses: added in pairs
    losses: list[Any] = [None]
    start = 1
    from_base = base is not None and node_seeded
    if from_base:
        start = seed[2] if seed[0] in ("node", "copy") else seed[2] + 1

        def tangent(name: str, r: int) -> Any:  # a "prev" seed: its state as step start reads it
            return ring.one if seed[0] == "prev" and (name, r) == (seed[1], seed[3]) else zero

        for name, values in base.series.items():  # only step start - 1 is read again
            before = values[start - 1]
            series[name] = [
                *values[: start - 1],
                before
                if before is None
                else [Dual(x, tangent(name, r)) for r, x in enumerate(before)],
            ]
        losses.extend(base.losses[1:start])  # plain: no tangent (:meth:`loss_is_constant`)
    # a seeded variable that no equation reads changes only its own step's loss
    stop = start if from_base and not copied and seed[1] not in model.read else None
    for t in range(start, T + 1 if stop is None else stop + 1):
        for name in model.of_kind("input"):
            rows = model.shape(name)[0]
            series[name].append([lift(ring.atom((name, (t, c)))) for c in range(rows)])
        for name in model.of_kind("target"):
            atoms = [ring.atom((name, (t, c))) for c in range(model.shape(name)[0])]
            series[name].append([lift(d) for d in target_entries(head.loss, ring.one, atoms)])
        for eq in model.equations:
            if isinstance(eq.expr, Apply):
                out, slopes = apply(eq.expr, t)
                if eq.slope is not None:
                    series[eq.slope].append(slopes)
            else:
                read = at_copy if copy_at is not None and t == copy_at[1] else P
                out = column(eq.expr, t, series, read, zero, ring.one)
                out = [node(eq.target, t, r, v) for r, v in enumerate(out)]
            series[eq.target].append(cut(eq.target, t, out))
        output, target = series[head.output][t], series[head.target][t]
        step, p = step_loss(head.loss, ring, t, output, target, lift(zero), dual and Dual)
        if probabilities is not None:
            series[probabilities].append(p)
        losses.append(step)
        loss.add(step)
        if keep is not None and dual:  # step t - 1 is read by no later equation
            for name, values in series.items():
                if name not in keep and t >= 2 and values[t - 1] is not None:
                    values[t - 1] = None
            if "l" not in keep and t != stop:
                losses[t] = Dual(step.val, None)
    if keep is not None and dual:
        for name, values in series.items():
            if name not in keep and values[-1] is not None:
                values[-1] = None
    kept = None if keep is None or not dual else frozenset(keep)
    scale = ring.const(Fraction(1, T) if model.reduction == "mean" else 1)
    if stop is not None:  # the later steps' losses, unchanged
        tangent = losses[stop].tan * scale
        losses.extend(base.losses[stop + 1 :])  # plain, as before the node
        return Trajectory(series, Dual(base.L, tangent), losses, start, stop, kept)
    L = loss.value() * scale
    if from_base:  # L's value is the base's; the steps before the node add no tangent
        L = Dual(base.L, L.tan)
    return Trajectory(series, L, losses, start, kept=kept)


def split(run: Trajectory, batch: Batch, ring: Ring) -> dict[tuple[str, int, int], Trajectory]:
    """Each seed's pass of a batched pass (its kept series and L; the step losses, which
    a batched pass does not keep, as plain values)."""
    if run.kept is None:
        raise ValueError("a batched pass keeps the series it is split into")

    def along(tan: Any, k: int) -> Any:
        return tan.entry(k, ring.element) if hasattr(tan, "entry") else tan

    out = {}
    for k, seed in enumerate(batch.seeds):
        series = {
            name: [
                None if values is None else [Dual(v.val, along(v.tan, k)) for v in values]
                for values in run.series[name]
            ]
            for name in run.kept
            if name in run.series
        }
        L = Dual(run.L.val, along(run.L.tan, k))
        out[seed] = Trajectory(series, L, run.losses, run.start, run.stop, run.kept)
    return out
