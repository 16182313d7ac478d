"""The vector Elman RNN as a frozen, validated specification.

    s_t = W_xh x_t + W_hh h_{t-1} + b_h,   h_t = phi(s_t)  (elementwise)
    z_t = W_hy h_t + b_y,                   o_t = theta(z_t) (elementwise)
    l_t = l(o_t, d_t),                      L = (1/T) sum_t l_t  (or the sum)

with hidden size n, input size m, output size k. The scalar model of the foundation is
n = m = k = 1 with b_h = b_y = 0 and W_hy = 1 for theta applied to h_t directly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..core.losses import LOSS_TABLE
from ..core.model import Model
from ..errors import SpecError
from ..model import ACTIVATIONS, REDUCTIONS, HasActivations, choose_from

#: Largest sizes for exact verification (canonical forms grow fast with n and T).
EXACT_MAX_HIDDEN = 3
EXACT_MAX_T = 6
#: A fully linear model (both activations the identity) has no activation atoms: its
#: states expand into large polynomials in the weights (n = 3, T = 6 takes ~100 s).
EXACT_MAX_T_LINEAR = 4
#: Largest sizes accepted at all (numeric cross-checks).
MAX_HIDDEN = 64
MAX_T = 200
#: Largest work of a modular verification, in units of parameter entries x work of one
#: step x T^2 (forward mode runs once per parameter entry): at most about a minute on a 2-core
#: machine. n = 8, T = 40 or n = 16, T = 12 or n = 4, T = 120 (m = k = 1) fit.
MODULAR_MAX_WORK = 14_000_000


def verification_work(spec: ElmanSpec) -> int:
    """The work units of verifying ``spec`` (see :data:`MODULAR_MAX_WORK`)."""
    n, m, k = spec.hidden, spec.inputs, spec.outputs
    entries = n * (n + m + k + 2) + k
    return entries * n * (n + m + k) * spec.T**2


#: The parameters, in a fixed order, with their shapes as functions of (n, m, k).
PARAMETERS = ("W_hh", "W_xh", "b_h", "W_hy", "b_y", "h_0")
#: Note 000's concatenation w_h = [W_xh W_hh]^T, an (m + n) x n view of two parameters.
CONCATENATION = "w_h"
#: Every quantity a gradient is taken with respect to: the parameters and w_h.
GRADIENTS = (*PARAMETERS, CONCATENATION)


@dataclass(frozen=True)
class ElmanSpec(HasActivations):
    """A vector Elman RNN for T steps (validated on construction).

    Example:
        >>> ElmanSpec(hidden=3, T=4).shape("W_xh")
        (3, 1)
    """

    hidden: int
    T: int
    inputs: int = 1
    outputs: int = 1
    activation: str = "tanh"
    output_activation: str = "identity"
    loss: str = "squared"
    reduction: str = "mean"

    def __post_init__(self) -> None:
        for name, value, top in (
            ("hidden", self.hidden, MAX_HIDDEN),
            ("T", self.T, MAX_T),
            ("inputs", self.inputs, MAX_HIDDEN),
            ("outputs", self.outputs, MAX_HIDDEN),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
                raise SpecError(f"{name} must be an integer between 1 and {top}, got {value!r}")
        choose_from("activation", self.activation, ACTIVATIONS)
        choose_from("output activation", self.output_activation, ACTIVATIONS)
        choose_from("loss", self.loss, LOSS_TABLE)
        choose_from("loss reduction", self.reduction, REDUCTIONS)

    @functools.cached_property
    def model(self) -> Model:
        """The model declaration of these sizes and activations (:mod:`symbptt.models.elman`)."""
        from ..models import elman

        return elman.declare(
            hidden=self.hidden,
            inputs=self.inputs,
            outputs=self.outputs,
            activation=self.activation,
            output_activation=self.output_activation,
            loss=self.loss,
            reduction=self.reduction,
        )

    def describe(self) -> str:
        """A one-line human description."""
        return (
            f"Elman RNN n={self.hidden}, m={self.inputs}, k={self.outputs}, T={self.T}, "
            f"phi={self.activation}, theta={self.output_activation}, {self.reduction} "
            f"{self.loss} loss"
        )

    def shape(self, parameter: str) -> tuple[int, int]:
        """(rows, columns) of a parameter; vectors are columns."""
        n, m, k = self.hidden, self.inputs, self.outputs
        shapes = {
            "W_hh": (n, n),
            "W_xh": (n, m),
            "b_h": (n, 1),
            "W_hy": (k, n),
            "b_y": (k, 1),
            "h_0": (n, 1),
            CONCATENATION: (m + n, n),
        }
        if parameter not in shapes:
            raise SpecError(
                f"unknown parameter {parameter!r}; expected one of: {', '.join(GRADIENTS)}"
            )
        return shapes[parameter]

    def source(self, parameter: str, r: int, c: int) -> tuple[str, int, int]:
        """The parameter entry that entry (r, c) of ``parameter`` is.

        w_h = [W_xh W_hh]^T, so w_h[i, j] is W_xh[j, i] for i < m and W_hh[j, i - m] after.

        Example:
            >>> ElmanSpec(hidden=2, T=1, inputs=1).source("w_h", 2, 0)
            ('W_hh', 0, 1)
        """
        if parameter != CONCATENATION:
            return parameter, r, c
        if r < self.inputs:
            return "W_xh", c, r
        return "W_hh", c, r - self.inputs
