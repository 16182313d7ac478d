"""A sum over a product whose upper end is the outer index t is evaluated for t = 1, 2,
... each from the last (S(t) = f(t) S(t - 1) + the new terms, by distributivity): the
values are those of the sum term by term, whichever side the product is on, in either
order of products, and a formula of any other shape is evaluated term by term."""

from __future__ import annotations

import random

import pytest

from symbptt import ElmanSpec, RNNSpec
from symbptt.core.formula import free_index
from symbptt.formulas.evaluate import Evaluator
from symbptt.read.formula import parse_vector
from symbptt.rings.modular import ModularRing

ELMAN = ElmanSpec(hidden=2, T=6, inputs=2, activation="tanh")
SCALAR = RNNSpec(T=6, activation="tanh")

DIAG = r"\operatorname{diag}(\phi'(\mathbf{s}_j))"
FORMULAS = [
    (
        ELMAN,
        r"\sum_{i=1}^{t} \left(\prod_{j=i+1}^{t} W_{hh}^\top " + DIAG + r"\right) \mathbf{h}_i",
    ),
    (ELMAN, r"\sum_{i=1}^{t-1} \mathbf{h}_i^\top \prod_{j=i}^{t} " + DIAG + " W_{hh}"),
    (ELMAN, r"\sum_{i=2}^{t} \left(\prod_{j=i-1}^{t} W_{hh} " + DIAG + r"\right) \mathbf{x}_i"),
    (SCALAR, r"\sum_{i=1}^{t-1} \phi'(s_i) h_{i-1} \prod_{j=i+1}^{t} \phi'(s_j) w"),
    (
        SCALAR,
        r"\sum_{i=1}^{t} \left(\prod_{j=i}^{t} \frac{\partial h_j}{\partial h_{j-1}}\right) x_i",
    ),
    (SCALAR, r"\sum_{i=1}^{t} x_t \prod_{j=i+1}^{t} \phi'(s_j) w"),  # a factor in t: term by term
]


def values(spec, text: str, order: str, ts: list[int], fresh: bool) -> list:
    """The formula's value at each t, by one evaluator in turn, or a fresh one per t
    (whose first value is always computed term by term)."""
    ring = ModularRing(random.Random(5))
    (side,) = parse_vector(text, expression=True, model=spec.model).sides
    index = free_index([side])
    if not fresh:
        compiled = Evaluator(spec, ring, order).compile(side)
        return [compiled({index: t}) for t in ts]
    return [Evaluator(spec, ring, order).compile(side)({index: t}) for t in ts]


@pytest.mark.parametrize("order", ["latest-left", "earliest-left"])
@pytest.mark.parametrize("spec,text", FORMULAS)
def test_each_t_from_the_last_equals_the_sum_term_by_term(spec, text: str, order: str) -> None:  # noqa: ANN001
    ts = list(range(1, spec.T + 1))
    assert values(spec, text, order, ts, fresh=False) == values(spec, text, order, ts, fresh=True)


@pytest.mark.parametrize("spec,text", FORMULAS[:2])
def test_t_out_of_turn_is_computed_term_by_term(spec, text: str) -> None:  # noqa: ANN001
    ts = [3, 4, 2, 5, 5, 6, 1]
    order = "latest-left"
    assert values(spec, text, order, ts, fresh=False) == values(spec, text, order, ts, fresh=True)


@pytest.mark.parametrize("order", ["latest-left", "earliest-left"])
@pytest.mark.parametrize("high", ["t-2", "t-1", "t"])
@pytest.mark.parametrize("low", [1, 2, 3, 4])
def test_a_running_sum_respects_both_limits_even_after_an_empty_sum(
    low: int, high: str, order: str
) -> None:
    """sum_{i=low}^{high} for every pair of limits, the sums that are empty at the first
    t's included: each t from the last adds only the terms between its limits (the
    i = 1 term was added when the sum from 2 had been empty at t = 1)."""
    text = rf"\sum_{{i={low}}}^{{{high}}} \phi'(s_i) h_{{i-1}} \prod_{{j=i+1}}^{{t}} \phi'(s_j) w"
    ts = list(range(1, SCALAR.T + 1))
    running = values(SCALAR, text, order, ts, fresh=False)
    assert running == values(SCALAR, text, order, ts, fresh=True)
