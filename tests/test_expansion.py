"""The expansion engine's forms: their shape, and their meaning in model quantities."""

from __future__ import annotations

import pytest

from symbptt import RNNSpec, expand
from symbptt import expr as E
from symbptt.derive.reference import reference
from symbptt.semantics import Evaluator, in_model_quantities
from symbptt.values import Trace, canonical_ring


@pytest.mark.parametrize("t", [1, 2, 5])
def test_forms_go_from_the_chain_rule_to_the_sum_of_products(t: int) -> None:
    expansion = expand(t, "w")
    rules = [step.rule for step in expansion.steps]
    assert rules[0] == "chain rule" and rules[-1] == "h_0 does not depend on w"
    assert len(rules) == 2 * t
    final = expansion.terms(expansion.steps[-1])
    assert [term.leaf_index for term in final] == list(range(t, 0, -1))
    assert all(term.leaf == "immediate" for term in final)
    # term i carries the Jacobians j = t, t-1, ..., i+1 (latest on the left)
    assert [list(term.jacobian_indices) for term in final] == [
        list(range(t, i, -1)) for i in range(t, 0, -1)
    ]


def test_every_form_in_model_quantities_equals_the_reference() -> None:
    spec = RNNSpec(T=4, activation="tanh")
    ring = canonical_ring(spec)
    trace = Trace(spec, ring)
    ref = reference(trace)
    ev = Evaluator(trace, ref)
    for t in range(1, 5):
        expansion = expand(t, "w")
        for step in expansion.steps:
            form = in_model_quantities(expansion.to_expr(step))
            assert not form.atoms(E.ImmediatePartial)
            assert ring.equal(ev.value(form), ref.dh["w"][t])


def test_in_model_quantities_uses_the_seed_definitions() -> None:
    term = in_model_quantities(E.immediate(3, E.v))
    assert term == E.PhiPrime(E.s(3)) * E.x(3)
    assert in_model_quantities(E.jacobian(2)) == E.PhiPrime(E.s(2)) * E.w
    # a total derivative stays a total derivative
    assert in_model_quantities(E.total(2, E.w)) == E.total(2, E.w)
