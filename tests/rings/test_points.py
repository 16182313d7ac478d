"""Counterexample points: the values chosen for generic functions must be those of some
smooth function (rings/points.py)."""

from __future__ import annotations

import random

from symbptt.rings.points import PointRing


def _ring() -> PointRing:
    return PointRing(random.Random(0), interval=False, values={}, spread=1)


def test_one_function_at_one_argument_takes_one_value() -> None:
    ring = _ring()
    ring.atom(("phi", 1, ("step", (1, 0))), ring.const(2))
    ring.atom(("phi", 1, ("step", (2, 0))), ring.const(2))  # phi'(2) chosen twice
    assert not ring.is_consistent()


def test_the_loss_gradient_by_each_output_entry_is_a_function_of_its_own() -> None:
    ring = _ring()
    point = (ring.const(1), ring.const(2), ring.const(0), ring.const(1))  # (y_t, d_t)
    for q in range(2):  # dl/dy_0 and dl/dy_1 at one (y_t, d_t): independent values
        ring.atom(("l", 1, ("step", (1, q))), point)
    assert ring.is_consistent()
    ring.atom(("l", 1, ("step", (2, 0))), point)  # dl/dy_0 again at the same point
    assert not ring.is_consistent()
