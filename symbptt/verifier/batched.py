"""The expansion and the sums of products for every parameter entry at once, in the
modular ring.

In the modular ring a tangent can be a row over many seeds (:class:`symbptt.rings.modular.
ModRow`): one batched forward-mode pass (:func:`symbptt.derive.chains.prefill`) gives
dh_t/dP for every parameter entry P as rows, and the same rows, pushed through the
ordered products of Jacobians, give every form of the expansion and every sum of
products for all entries in one computation whose per-entry loop runs in C. The values
are the ones :func:`symbptt.verifier.checks.expansion_forms` and
:func:`symbptt.derive.chains.sum_of_products_all` compute entry by entry (the same code,
:func:`symbptt.derive.chains.expansion_totals` and :func:`~symbptt.derive.chains.
running_sums`, with the entries side by side); the verifier reads them entry by entry, in the
same order, with the same labels.
"""

from __future__ import annotations

from typing import Any

from symbptt.core.spec import Spec
from symbptt.derive.chains import chain_value, expansion_totals, running_sums
from symbptt.derive.forward import Batch, Trajectory
from symbptt.derive.jvp import DIRECTION, _evaluate, stacked, state_parameters, state_tangents

Matrix = list[list[Any]]


class BatchedChains:
    """The forms of the expansion of dh_T/dP and the sums of products dh_t/dP for every
    seed of a batch, as rows; :meth:`entry` reads one seed's value."""

    def __init__(
        self,
        spec: Spec,
        ring: Any,
        params: dict[str, Matrix],
        fwd: Trajectory,
        jacobians: list,
        products: list,
        batch: Batch,
        run: Trajectory,
    ) -> None:
        self.spec, self.ring = spec, ring
        self.index = {seed: k for k, seed in enumerate(batch.seeds)}
        self.tangents = [[v.tan for v in state] for state in stacked(run, spec.model)]
        self.immediates = [None] + [
            self._immediate(params, fwd, t, batch) for t in range(1, spec.T + 1)
        ]
        self.forms = list(self._forms(jacobians, products))
        self.sums = list(self._sums(jacobians))

    def _immediate(self, params: dict, fwd: Trajectory, t: int, batch: Batch) -> list[Any]:
        """d+h_t/dP for every seed: each parameter's derived tangent along a direction
        whose entry (a, b) is the unit row of the seed (P, a, b)."""
        model, ring, size = self.spec.model, self.ring, len(self.index)
        total = [ring.zero] * model.state_size
        views = {v.name for v in model.views}
        for name in state_parameters(model):
            if name in views:  # a view's entries are its parts' seeds
                continue
            rows, cols = model.shape(name)
            direction = [
                [
                    ring.unit_row(self.index[(name, a, b)], size)
                    if (name, a, b) in self.index
                    else ring.zero
                    for b in range(cols)
                ]
                for a in range(rows)
            ]
            exprs = state_tangents(model, name)
            part = _evaluate(model, ring, params, fwd, t, exprs, {}, {DIRECTION + name: direction})
            total = [x + y for x, y in zip(total, part)]
        return total

    def _forms(self, jacobians: list, products: list) -> Any:
        """(form number, rule, the form's value) of the expansion of dh_T/dP."""
        zero = self.ring.zero

        def value(term: Any) -> list[Any]:
            return chain_value(
                term, jacobians, products, self.tangents, self.immediates.__getitem__, zero
            )

        return expansion_totals(self.spec.T, zero, self.spec.hidden, value)

    def _sums(self, jacobians: list) -> Any:
        """S_t = J_t S_(t-1) + d+h_t/dP for t = 1..T, all entries at once."""
        return running_sums(jacobians, self.spec.T, self.ring.zero, self.immediates.__getitem__)

    def entry(self, value: Any, name: str, a: int, b: int) -> Any:
        """One seed's value: that of entry (a, b) of ``name`` (a view's: its part's)."""
        k = self.index[self.spec.source(name, a, b)]
        return value.entry(k, self.ring.element) if hasattr(value, "entry") else value
