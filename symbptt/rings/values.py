"""Values in a ring: primitives at nodes, dual numbers, and the exact ring a computation needs.

:func:`activation_value` gives a primitive's value or slope at a node (an atom of the
ring, or a polynomial in its value atom); :class:`Dual` numbers carry a derivative
through any computation (forward mode, :func:`symbptt.derive.forward.forward`);
:func:`recorded_ring` runs a computation once in a :class:`RecordingRing` and makes the
exact canonical-form ring with a generator for each atom it asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from symbptt.core.primitives import Primitive
from symbptt.rings.algebra import AtomKey, PolynomialRing, Ring


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

    def node(self, key: AtomKey, definition: Any) -> int:
        self.keys.append(key)
        return 0

    def reciprocal(self, key: AtomKey, argument: Any = None) -> int:
        self.keys.extend((key, ("inv", key)))
        return 0


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
