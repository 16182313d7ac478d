"""Derivatives by what one step uses: dL/dW^{(t)}, the part of dL/dW that step t's use of W
contributes (Goodfellow et al.'s copies; notes' ``d_{W_{h,t}}``, "step t's part"), and the
immediate partial of what a step computes before its state (d+ s_t/dP, h_(t-1) held).

A copy's entry is seeded only where step t reads it (a ``("copy", P, t, r, c)`` pass of
:func:`symbptt.derive.forward.forward`), so the value is the true derivative of the unrolled
model by that one use; their sum over the steps is dL/dW.
"""

from __future__ import annotations

from typing import Any

from symbptt.core import derivatives as E
from symbptt.core.formula import Node, ParamAt, StateAt, node_class
from symbptt.errors import EvaluationError, OutsideModelError
from symbptt.formulas.matrices import Family, Mat


class StepParts:
    """Derivatives by one step's use of a parameter, for the evaluator (a mixin: it
    gives ``spec``, ``vocab``, ``tangent_along``, ``size``, ``_in_model``, ``_by_entry``)."""

    spec: Any

    def by_copy(self: Any, num: Any, den: ParamAt) -> Any:
        """d num / d P^{(k)}: of L or a step loss, a matrix of P's shape (the gradient);
        of a vector at a step, one vector per entry of P (a Jacobian for a vector P)."""
        name, k = str(den.args[0]), int(den.args[1])
        if not 1 <= k <= self.spec.T:
            raise OutsideModelError(f"{name}'s copy at step {k} is outside the model (t = 1..T)")
        initial = str(num) in self.initial  # h_0: no step computes it, so 0
        if not (num == E.L or isinstance(num, E.StepLoss | Node) or initial):
            raise EvaluationError(f"cannot differentiate {num} by the copy of {name}")
        rows, cols = self.spec.shape(name)
        per = {}
        for a in range(rows):
            for b in range(cols):
                part, r, c = self.spec.source(name, a, b)
                per[(a, b)] = self.tangent_along(("copy", part, k, r, c), num)
        if num == E.L or isinstance(num, E.StepLoss):  # the shape of the parameter
            return Mat(tuple(tuple(per[(a, b)][0] for b in range(cols)) for a in range(rows)))
        return self._by_entry(name, per)

    def by_step_read(self: Any, num: Any, den: StateAt) -> Any:
        """d num / d s_k as step k + 1 reads it: the part that step k + 1 passes back (a
        ``("prev", s, k, r)`` pass per entry); 0 for s_T, which no step reads."""
        node = den.args[0]
        k, width = int(node.args[0]), self.size(node.kind)
        self._in_model(k, 0, self.spec.T, node.kind)
        if k == self.spec.T:
            cols = [[self.ring.zero] * len(self._shape_of(num)) for _ in range(width)]
        else:
            cols = [self.tangent_along(("prev", node.kind, k, r), num) for r in range(width)]
        if num == E.L or isinstance(num, E.StepLoss):
            return self.column([c[0] for c in cols])
        return Mat.from_columns(cols)

    def _before_state(self: Any) -> tuple[str, ...]:
        """The kinds a step computes before its state (the Elman model's pre-activation
        s_t), in a model of one state: their immediate partial holds h_(t-1) fixed."""
        states = self.vocab.states
        if len(states) != 1:
            return ()
        targets = [eq.target for eq in self.spec.model.equations]
        return tuple(targets[: targets.index(states[0])]) if states[0] in targets else ()

    def _immediate_before_state(self: Any, num: Node, name: str) -> Mat | Family:
        """d+ s_t / dP, s_t's own equation with h_(t-1) held fixed: the total derivative
        less the path through h_(t-1), ds_t/dP - (ds_t/dh_(t-1)) (dh_(t-1)/dP), entry by
        entry of P (at t = 1, h_0 is a parameter of its own: the total derivative)."""
        (state,) = self.vocab.states
        t = int(num.args[0])
        self._in_model(t, 1, self.spec.T, num.kind)
        width = self.size(state)
        prev = node_class(state)(t - 1)
        slopes = (
            [self.tangent_along(("prev", state, t - 1, r), num) for r in range(width)]
            if t > 1
            else []
        )
        rows, cols = self.spec.shape(name)
        per = {}
        for a in range(rows):
            for b in range(cols):
                seed = self.spec.source(name, a, b)
                total = self.tangent_along(seed, num)
                if slopes:
                    through = self.tangent_along(seed, prev)
                    for r in range(width):
                        total = [x - j * through[r] for x, j in zip(total, slopes[r])]
                per[(a, b)] = total
        return self._by_entry(name, per)
