"""The unrolled model evaluated in a ring, with forward-mode (dual-number) derivatives.

:class:`Trace` runs the recurrence s_k = w h_{k-1} + v x_k, h_k = phi(s_k),
yhat_k = theta(h_k), L = c sum_k l(yhat_k, d_k) once, generically over the number
type. Run on plain ring elements it gives the model's quantities; run on :class:`Dual`
numbers seeded at a parameter it gives the derivatives dh_k/dp and dL/dp by
forward-mode differentiation. This is the reference used where nested SymPy
expressions are too deep (see :mod:`symbptt.derive.reference`): it only knows the
recurrence and the derivative of each activation, never the formulas under test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from .algebra import AtomKey, PairwiseSum, PolynomialRing, Ring
from .core.primitives import Primitive
from .model import RNNSpec


def function_name(act: Primitive, role: str) -> str:
    """The name of the concrete function an activation role denotes: a generic phi and
    a generic theta are two different unknown functions; tanh is tanh in either role."""
    return role if act.name == "generic" else act.name


def activation_value(
    ring: Ring, act: Primitive, fn: str, order: int, node: tuple[str, int], argument: Any
) -> Any:
    """phi(arg) (order 0) or phi'(arg) (order 1) at a node, in the ring.

    Identity: the argument itself and 1. Activations whose derivative is a polynomial in
    their value (tanh, sigmoid): that polynomial of the value atom. Otherwise (generic,
    softplus) an atom of its own.
    """
    if act.is_identity:
        return argument if order == 0 else ring.one
    if order == 1 and act.derivative_of_value is not None and not ring.derivative_atoms:
        return act.derivative_of_value(ring.atom((fn, 0, node), argument), ring.one)
    return ring.atom((fn, order, node), argument)


class Dual:
    """A dual number a + b eps (eps^2 = 0) over a ring: forward-mode differentiation."""

    __slots__ = ("val", "tan")

    def __init__(self, val: Any, tan: Any) -> None:
        self.val = val
        self.tan = tan

    def _lift(self, other: Any) -> Dual:
        return other if isinstance(other, Dual) else Dual(other, self.tan * 0)

    def __add__(self, other: Any) -> Dual:
        o = self._lift(other)
        return Dual(self.val + o.val, self.tan + o.tan)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Dual:
        o = self._lift(other)
        return Dual(self.val - o.val, self.tan - o.tan)

    def __rsub__(self, other: Any) -> Dual:
        return self._lift(other) - self

    def __mul__(self, other: Any) -> Dual:
        o = self._lift(other)
        return Dual(self.val * o.val, self.val * o.tan + self.tan * o.val)

    __rmul__ = __mul__


class Trace:
    """The model's quantities for steps 0..T in a ring, and (optionally) their tangents.

    Attributes (lists indexed by the step k; index 0 unused except for ``h``):
        w, v: the parameters. x, d: inputs and targets. s, h: pre-activations and
        states (h[0] = h_0). dphi: phi'(s_k). yhat, dtheta: theta(h_k), theta'(h_k).
        lgrad: l'(yhat_k, d_k) = dl_k/dyhat_k. scale: 1/T (mean) or 1 (sum).
        dh: ``{"w": [...], "v": [...]}``, dh_k/dp by forward mode.
        dL: ``{"w": ..., "v": ...}``, dL/dp by forward mode.

    Args:
        spec: the model.
        ring: where to compute.
        tangents: also run forward mode for w and v.
    """

    def __init__(self, spec: RNNSpec, ring: Ring, *, tangents: bool = True) -> None:
        self.spec = spec
        self.ring = ring
        run = _run(spec, ring, lambda value, name="": value, _plain_apply(ring))
        self.w, self.v, self.scale = run["w"], run["v"], run["scale"]
        for name in ("x", "d", "s", "h", "yhat", "lgrad", "dphi", "dtheta"):
            setattr(self, name, run[name])
        self.dh: dict[str, list[Any]] = {}
        self.dL: dict[str, Any] = {}
        #: tangents of every node for each seed: a parameter name or a node (kind, k)
        self._tangents: dict[Any, dict[str, Any]] = {}
        if tangents:  # only h and L are kept: the other nodes' tangents on demand
            for p in ("w", "v"):
                got = self._forward_mode(p, ("h",))
                self.dh[p], self.dL[p] = got["h"], got["L"]

    def tangents(self, seed: str | tuple[str, int]) -> dict[str, Any]:
        """Forward-mode derivatives of every node with respect to ``seed``: a parameter
        (``"w"``, ``"v"``) or a node (``("h", k)``, ``("s", k)``, ``("yhat", k)``).

        Returns lists indexed by step for ``"h"``, ``"s"``, ``"yhat"``, ``"l"`` and the
        value for ``"L"``. Cached: each seed costs one O(T) run.
        """
        hit = self._tangents.get(seed)
        if hit is None:
            hit = self._tangents[seed] = self._forward_mode(seed, ("h", "s", "yhat", "l"))
        return hit

    def _forward_mode(self, seed: str | tuple[str, int], names: tuple[str, ...]) -> dict[str, Any]:
        """One run of forward mode seeded at ``seed``: the tangents of the per-step lists
        ``names`` and of L (only those lists are kept during the run)."""
        by_parameter = isinstance(seed, str)
        dual = _run(
            self.spec,
            self.ring,
            _seeder(self.ring, seed if by_parameter else None),
            _dual_apply(self.ring),
            seed_node=None if by_parameter else seed,
            keep=frozenset(names),
        )
        out = {name: [None if v is None else v.tan for v in dual[name]] for name in names}
        out["L"] = dual["L"].tan
        return out


def _plain_apply(ring: Ring) -> Callable:
    def apply(act, fn, node, arg, order=0):
        return activation_value(ring, act, fn, order, node, arg)

    return apply


def _dual_apply(ring: Ring) -> Callable:
    def apply(act, fn, node, arg, order=0):
        value = activation_value(ring, act, fn, order, node, arg.val)
        slope = activation_value(ring, act, fn, order + 1, node, arg.val)
        return Dual(value, slope * arg.tan)

    return apply


def _seeder(ring: Ring, param: str | None) -> Callable[[Any], Any]:
    """Lift values to dual numbers; the parameter named ``param`` (if any) gets tangent 1."""

    def lift(value: Any, name: str = "") -> Dual:
        return Dual(value, ring.one if param is not None and name == param else ring.zero)

    return lift


def _run(
    spec: RNNSpec,
    ring: Ring,
    lift: Callable,
    apply: Callable,
    seed_node: tuple[str, int] | None = None,
    keep: frozenset[str] | None = None,
) -> dict[str, Any]:
    """The recurrence itself, generic over plain values and dual numbers.

    ``seed_node`` (dual numbers only) sets the tangent of that node to 1, so every later
    tangent is a derivative with respect to it (all paths through the unrolled graph).
    ``keep`` names the per-step lists to keep (all by default; ``h`` always): at large T
    the tangents of every node are most of the memory."""

    def seeded(kind: str, k: int, value: Any) -> Any:
        if seed_node == (kind, k):
            return Dual(value.val, ring.one)
        return value

    phi, theta = spec.phi, spec.theta
    fphi, ftheta = function_name(phi, "phi"), function_name(theta, "theta")

    def const(value: Any) -> Any:
        return lift(value, "")

    w, v = lift(ring.atom(("w",)), "w"), lift(ring.atom(("v",)), "v")
    h0 = seeded("h", 0, const(ring.zero if spec.h0 == "zero" else ring.atom(("h0",))))
    out: dict[str, list[Any]] = {
        k: [None] for k in ("x", "d", "s", "yhat", "lgrad", "dphi", "dtheta")
    }
    out["h"] = [h0]
    out["l"] = [None]
    loss = PairwiseSum(const(ring.zero))
    for k in range(1, spec.T + 1):
        x_k = const(ring.atom(("x", k)))
        d_k = const(ring.atom(("d", k)))
        s_k = seeded("s", k, w * out["h"][k - 1] + v * x_k)
        h_k = seeded("h", k, apply(phi, fphi, ("s", k), s_k))
        y_k = seeded("yhat", k, apply(theta, ftheta, ("h", k), h_k))
        if spec.loss == "squared":
            l_k = (y_k - d_k) * (y_k - d_k) * ring.const(Fraction(1, 2))
        else:
            l_k = apply(_GENERIC_LOSS, "l", ("step", k), y_k)
        loss.add(l_k)
        for name, value in (
            ("x", x_k),
            ("d", d_k),
            ("s", s_k),
            ("h", h_k),
            ("yhat", y_k),
            ("l", l_k),
        ):
            if keep is None or name in keep or name == "h":
                out[name].append(value)
        if isinstance(s_k, Dual):
            continue
        out["lgrad"].append(
            y_k - d_k
            if spec.loss == "squared"
            else activation_value(ring, _GENERIC_LOSS, "l", 1, ("step", k), y_k)
        )
        out["dphi"].append(activation_value(ring, phi, fphi, 1, ("s", k), s_k))
        out["dtheta"].append(activation_value(ring, theta, ftheta, 1, ("h", k), h_k))
    scale = ring.const(Fraction(1, spec.T) if spec.reduction == "mean" else 1)
    result: dict[str, Any] = dict(out)
    result.update(w=w, v=v, L=loss.value() * scale, scale=scale)
    return result


#: The per-step loss as an unknown function of yhat (d_k enters through the node).
_GENERIC_LOSS = Primitive("generic", "unknown per-step loss l(yhat, d)")


class RecordingRing(Ring):
    """A ring that only records which atoms a computation asks for (values are 0)."""

    method = "recording"
    derivative_atoms = True

    def __init__(self) -> None:
        self.keys: list[AtomKey] = []
        self.zero, self.one = 0, 1

    def const(self, q: Fraction | int) -> int:
        return 0

    def atom(self, key: AtomKey, argument: Any = None) -> int:
        self.keys.append(key)
        return 0


def atom_keys(spec: RNNSpec) -> list[AtomKey]:
    """Every atom the model's trace (values and tangents) uses, in a stable order."""
    ring = RecordingRing()
    Trace(spec, ring)
    return list(dict.fromkeys(ring.keys))


def canonical_ring(spec: RNNSpec, extra_keys: tuple[AtomKey, ...] = ()) -> PolynomialRing:
    """The exact canonical-form ring for a model: a generator per atom of the model's
    trace (plus ``extra_keys``), and the activation relations as rewrite rules."""
    return ring_for_atoms(
        atom_keys(spec) + list(extra_keys), (("phi", spec.phi), ("theta", spec.theta))
    )


def recorded_ring(spec: Any, computation: Callable[[Ring], Iterable[Any]]) -> PolynomialRing:
    """The exact canonical-form ring for whatever ``computation`` asks of a ring: it runs
    once in a :class:`RecordingRing`, then each atom it used becomes a generator (with
    the activation relations of ``spec``'s phi and theta)."""
    recorder = RecordingRing()
    for _ in computation(recorder):
        pass
    return ring_for_atoms(recorder.keys, spec.roles)


def ring_for_atoms(keys: list[AtomKey], roles: tuple[tuple[str, Primitive], ...]) -> PolynomialRing:
    """A canonical-form ring with these atoms, adding for tanh and sigmoid the derivative
    atom of each value atom and the rewrite rule that ties them (y^2 -> 1 - y')."""
    keys = list(dict.fromkeys(keys))
    rules = {}
    for role, act in roles:
        if act.square_rule is None:
            continue
        fn = function_name(act, role)
        for key in list(keys):
            if len(key) == 3 and key[0] == fn and key[1] == 0:
                rules[key] = ((fn, 1, key[2]), act.square_rule)
                keys.append((fn, 1, key[2]))
    return PolynomialRing(keys, rules)
