"""Derivatives by the cross-entropy head's probabilities yhat_t = softmax(o_t), which
the model reads off o_t beside the loss: the loss is -d_t . log yhat_t at a one-hot
target (see :mod:`symbptt.core.losses`), so dl_t/dyhat_t = -d_t / yhat_t, with the
reciprocal atoms 1/yhat_t[q] of the rings; and 1 / yhat_{t,k} as a divisor.

A part of :class:`symbptt.formulas.evaluate.Evaluator` (a mixin: it uses the evaluator's
forward pass ``fwd``, ``ring``, ``spec``, ``loss_weight``, ``column`` and ``_in_model``).
"""

from __future__ import annotations

from typing import Any

from symbptt.core.formula import Node
from symbptt.core.losses import (
    LOSS_TABLE,
    log_normalizer,
    probability_gradient,
    probability_reciprocal,
)
from symbptt.errors import EvaluationError
from symbptt.formulas.matrices import Mat


class Probabilities:
    """The evaluator's methods for the head's probabilities."""

    def reciprocal_probability(self, t: int, i: int) -> Any:
        """1 / yhat_t[i] (i from 1), the cross-entropy head's probability as a divisor."""
        return probability_reciprocal(self.ring, t, i - 1, self._head_output(t, i))

    def _head_output(self, t: int, i: int | None = None) -> list[Any]:
        """The values of o_t, of which yhat_t is the softmax (t, and the entry i from 1
        if given, checked to be in the model)."""
        self._in_model(t, 1, self.spec.T, "yhat")
        output = self.fwd[self.spec.model.head.output][t]
        if i is not None and not 1 <= i <= len(output):
            raise EvaluationError(f"component {i} is outside yhat_t's {len(output)} entries")
        return output

    def log_probability(self, t: int, i: int | None) -> Mat:
        """log yhat_t (a column) or log yhat_t[i] (i from 1): o_t - logsumexp(o_t), the
        logarithm of the softmax exactly, with the head's logsumexp atom."""
        output = self._head_output(t, i)
        lse = log_normalizer(self.ring, t, output)
        entries = list(output) if i is None else [output[i - 1]]
        return self.column([o - lse for o in entries])

    def by_probabilities(self, num: Any, den: Node) -> Mat:
        """dL/dyhat_k and dl_j/dyhat_k for the cross-entropy head's probabilities: the
        loss written as -d_k . log yhat_k (what it is for a one-hot target, see
        :mod:`symbptt.core.losses`) gives -d_k / yhat_k (times 1/T in the mean L), and
        0 for another step's loss. Nothing else is computed from yhat_k, so a
        derivative of anything but a loss by it has no meaning in the model."""
        k = int(den.args[0])
        self._in_model(k, 1, self.spec.T, den.kind)
        head = self.spec.model.head
        scale = self.loss_weight(num, k)
        if scale is None:
            raise EvaluationError(
                f"the model computes nothing from {den.kind}_t but the loss: a derivative "
                f"by it is taken of L or l_t only, not of {num}"
            )
        output, target = self.fwd[head.output][k], self.fwd[head.target][k]
        return self.column([scale * g for g in probability_gradient(self.ring, k, output, target)])

    def _read_off(self) -> str | None:
        """The series the head computes beside the loss (the softmax probabilities of
        the cross-entropy head), on which the loss does not depend in the model."""
        head = self.spec.model.head
        return LOSS_TABLE[head.loss].probabilities if head is not None else None
