"""The expansion's forms: from the chain rule to the sum of products, level by level
(their values are checked whole against forward mode by the verifier:
tests/verifier/test_verify.py)."""

from __future__ import annotations

import pytest

from symbptt import expand


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
