"""Deciding whether two values are equal, and separating them when they are not.

Equality is decided in a ring of :mod:`symbptt.rings.algebra`: the exact canonical form
(deterministic) or a random point modulo a random prime (Schwartz-Zippel, with a stated
error bound). Never by ``simplify()`` and never by floating point.

When two sides differ, :func:`find_counterexample` re-evaluates the same comparison at
concrete inputs: small random rationals for w, v, h_0, x_k, d_k and for the values of
each generic function at each node (phi(s_k), phi'(s_k), theta(h_k), ...). With only
generic and identity activations both sides are then exact rationals; with tanh,
sigmoid or softplus they are rigorous enclosures (interval arithmetic), and the
counterexample is accepted only if the enclosures are disjoint.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from typing import Any

from symbptt.core.spec import Spec
from symbptt.results import Counterexample
from symbptt.rings.algebra import atom_name
from symbptt.rings.points import PointRing, to_fraction_or_interval

#: A batch of comparisons: (label of the n-th, left-hand values, the right-hand value
#: they must all equal). Labels are made only when needed (on failure).
Comparison = tuple[Callable[[int], str], list[Any], Any]


def singles(triples: Iterable[tuple[str, Any, Any]]) -> Iterator[Comparison]:
    """(label, lhs, rhs) comparisons as batches of one, the shape checks yield."""
    for label, lhs, rhs in triples:
        yield (lambda n, label=label: label), [lhs], rhs


def needs_intervals(spec: Spec) -> bool:
    """Whether some function of the model is transcendental (it has a real function in
    the primitive table: tanh, sigmoid, softplus; the softmax of the cross-entropy head)."""
    return spec.loss == "cross-entropy" or any(a.real is not None for _, a in spec.roles)


def fixed_values(spec: Spec, rng: random.Random) -> dict[tuple, Fraction]:
    """Inputs a counterexample may not choose freely: with the cross-entropy head the
    target of each step is a one-hot vector (a random class index)."""
    if spec.loss != "cross-entropy":
        return {}
    k = spec.outputs  # type: ignore[attr-defined]
    out = {}
    for t in range(1, spec.T + 1):
        y = rng.randrange(k)
        out.update({("d", (t, q)): Fraction(int(q == y)) for q in range(k)})
    return out


def _scalar_name(key: tuple) -> str:
    """An atom's name in the scalar model, whose values have no entry indices:
    w, x_2, phi'(s_2) for w[0,0], x_2[0], phi'(s_2[0])."""
    return re.sub(r"\[0(?:,0)?\]", "", atom_name(key))


def find_counterexample(
    spec: Spec,
    comparisons: Callable[[Any], Iterator[Comparison]],
    label: str,
    *,
    seed: int = 0,
    tries: int = 25,
    relevant: set | None = None,
) -> Counterexample | None:
    """Search for concrete inputs separating the two sides of comparison ``label``.

    Args:
        spec: the model.
        comparisons: given a ring, yields the comparisons of a check evaluated in it.
        label: the comparison that failed in the exact (or modular) ring.
        seed: seeds the random inputs, for reproducible reports.
        tries: random points to try before giving up.
        relevant: if given, the activation-node atoms the two sides involve (from their
            exact canonical forms): only these node values are listed (every model input
            always is).

    Returns:
        A counterexample, or None if no tried point separates the sides (the failing
        verdict then rests on a relation the ring does not use: a formula check refuses
        rather than say "does not hold").
    """
    rng = random.Random(seed)
    interval = needs_intervals(spec)
    for attempt in range(tries):
        # small values first (readable); then wider ones, among which two nodes'
        # arguments almost never coincide, however many steps there are
        spread = 1 if attempt < 5 else 10 if attempt < 15 else 1000
        ring = PointRing(rng, interval=interval, values=fixed_values(spec, rng), spread=spread)
        for labels, values, rhs in comparisons(ring):
            found = [n for n in range(len(values)) if labels(n) == label]
            if not found:
                continue
            lhs = values[found[0]]
            if ring.certainly_differ(lhs, rhs) and ring.is_consistent():
                name = _scalar_name if spec.model.scalar else atom_name
                values = {
                    name(key): val
                    for key, val in ring.values.items()
                    if not (
                        len(key) == 3
                        and (key[1] >= 2 or (relevant is not None and key not in relevant))
                    )
                }
                step = re.match(r"t=(\d+)", label)
                return Counterexample(
                    label,
                    values,
                    to_fraction_or_interval(lhs),
                    to_fraction_or_interval(rhs),
                    not interval,
                    int(step.group(1)) if step else None,
                )
            break
    return None
