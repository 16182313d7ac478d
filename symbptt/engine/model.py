"""The vector Elman RNN as a frozen, validated specification.

    s_t = W_xh x_t + W_hh h_{t-1} + b_h,   h_t = phi(s_t)  (elementwise)
    z_t = W_hy h_t + b_y,                   o_t = theta(z_t) (elementwise)
    l_t = l(o_t, d_t),                      L = (1/T) sum_t l_t  (or the sum)

with hidden size n, input size m, output size k. The scalar model of the foundation is
n = m = k = 1 with b_h = b_y = 0 and W_hy = 1 for theta applied to h_t directly.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass

from ..core.losses import CONCRETE_LOSSES
from ..core.model import Model
from ..core.primitives import Primitive
from ..errors import SpecError
from ..model import ACTIVATIONS, REDUCTIONS, HasActivations, Spec, choose_from

#: Largest sizes for exact verification (canonical forms grow fast with n and T).
EXACT_MAX_HIDDEN = 3
EXACT_MAX_T = 6
#: A fully linear model (both activations the identity) has no activation atoms: its
#: states expand into large polynomials in the weights (n = 3, T = 6 takes ~100 s).
EXACT_MAX_T_LINEAR = 4
#: Exact verification of a user's cell: (state size) x T and T at most these.
CELL_EXACT_MAX_WORK = 6
CELL_EXACT_MAX_T = 4
#: The SymPy reference of a user's cell: (state size) x T at most this.
CELL_SYMPY_MAX_WORK = 3
#: Largest sizes for the SymPy reference of the Elman model.
SYMPY_MAX_HIDDEN = 2
SYMPY_MAX_T = 3
#: Largest sizes accepted at all (numeric cross-checks).
MAX_HIDDEN = 64
MAX_T = 200
#: Largest work of a modular verification, in units of parameter entries x work of one
#: step x T^2 (the measure of one forward-mode pass per parameter entry; the passes run
#: as one batched pass, and the measure follows the time within a factor of about 5:
#: 4e-8 to 2.3e-7 s of CPU per unit, measured on a 2-core machine). At most about 7 s of
#: CPU: n = 8, T = 100 (3.4 s) or n = 16, T = 30 (6.8 s) or n = 4, T = 300 (0.5 s)
#: (m = k = 1) fit, and the LSTM at n = 8, T = 20 (3.6 s).
MODULAR_MAX_WORK = 100_000_000


def require_count(name: str, value: object, top: int) -> None:
    """A size or T: an integer from 1 to ``top``, else a SpecError naming it."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise SpecError(f"{name} must be an integer between 1 and {top}, got {value!r}")


def verification_work(spec: ElmanSpec | CellSpec) -> int:
    """The work units of verifying ``spec`` (see :data:`MODULAR_MAX_WORK`)."""
    n, m, k = spec.hidden, spec.inputs, spec.outputs
    return spec.model.parameter_entries * n * (n + m + k) * spec.T**2


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
            require_count(name, value, top)
        choose_from("activation", self.activation, ACTIVATIONS)
        choose_from("output activation", self.output_activation, ACTIVATIONS)
        choose_from("loss", self.loss, CONCRETE_LOSSES)
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

    @property
    def gradients(self) -> tuple[str, ...]:
        """Every quantity a gradient is taken with respect to: the parameters and w_h."""
        return GRADIENTS

    def exact_limit(self, checking: bool = False) -> str | None:
        """The exact method's limit this model is beyond (None: within it): n <= 3,
        T <= 6, and for verifying the fully linear model T <= 4 (its states expand into
        large polynomials in the weights)."""
        linear = self.activation == self.output_activation == "identity" and not checking
        max_t = EXACT_MAX_T_LINEAR if linear else EXACT_MAX_T
        if self.hidden > EXACT_MAX_HIDDEN or self.T > max_t:
            what = (
                "checks of vector formulas are"
                if checking
                else "verification of the vector model is"
            )
            return (
                f"exact {what} for n <= {EXACT_MAX_HIDDEN}, T <= {max_t}"
                f"{' (linear model)' if linear else ''}"
            )
        return None

    def uses_sympy_reference(self) -> bool:
        """Whether the SymPy reference is built (n <= 2, T <= 3)."""
        return self.hidden <= SYMPY_MAX_HIDDEN and self.T <= SYMPY_MAX_T

    def with_generic_functions(self) -> ElmanSpec:
        """The same sizes and loss with both activations generic (what the SymPy
        reference is built for, once per size)."""
        return dataclasses.replace(self, activation="generic", output_activation="generic")

    @property
    def file_stem(self) -> str:
        """The default name of its documents: derivation-elman-n3-T4."""
        return f"derivation-elman-n{self.hidden}-T{self.T}"

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
        self.shape(parameter)  # known, or a SpecError
        return self.model.source(parameter, r, c)


@dataclass(frozen=True)
class CellSpec(Spec):
    """A user's own cell (a declaration read from a ``[cell]`` table,
    :func:`symbptt.models.cell.read_cell`) for T steps: the vector verifier, the checker
    and the code generator take it where they take an :class:`ElmanSpec`.

    Example:
        >>> from symbptt.models import elman
        >>> CellSpec(elman.declare(hidden=2), T=3).hidden
        2
    """

    model: Model
    T: int

    def __post_init__(self) -> None:
        if not isinstance(self.model, Model):
            raise SpecError(f"a CellSpec needs a model declaration, got {self.model!r:.60}")
        require_count("T", self.T, MAX_T)

    @property
    def hidden(self) -> int:
        """The length of the (stacked) state."""
        return self.model.state_size

    @property
    def inputs(self) -> int:
        """The length of the stacked inputs."""
        return sum(self.model.shape(x)[0] for x in self.model.of_kind("input"))

    @property
    def outputs(self) -> int:
        """The length of the head's output."""
        return self.model.shape(self.model.head.output)[0]

    @property
    def loss(self) -> str:
        return self.model.head.loss

    @property
    def reduction(self) -> str:
        return self.model.reduction

    @property
    def activation(self) -> str:
        """The primitive of the role phi (``generic`` where the cell has none)."""
        return dict((r, p) for r, p, _ in self.model.functions).get("phi", "generic")

    @property
    def output_activation(self) -> str:
        """The primitive of the role theta (``identity`` where the cell has none)."""
        return dict((r, p) for r, p, _ in self.model.functions).get("theta", "identity")

    @property
    def roles(self) -> tuple[tuple[str, Primitive], ...]:
        """Every function role of the cell with the primitive it stands for."""
        return tuple((r, ACTIVATIONS[p]) for r, p, _ in self.model.functions)

    @property
    def gradients(self) -> tuple[str, ...]:
        """Every quantity a gradient is taken with respect to: the parameters and views."""
        return (*self.model.parameters, *(v.name for v in self.model.views))

    @property
    def file_stem(self) -> str:
        """The default name of its documents: derivation-lstm-n3-T4 (a built-in cell's
        slug), derivation-minimal-gated-unit-T3 (a user's cell's name with everything
        but letters and digits made a hyphen)."""
        slug = self.model.slug or re.sub(r"[^a-z0-9]+", "-", self.model.name.lower())
        slug = slug.strip("-") or "cell"
        return f"derivation-{slug[:40]}-T{self.T}"

    def describe(self) -> str:
        """A one-line human description."""
        return (
            f"{self.model.name}, state size {self.hidden}, T={self.T}, "
            f"{self.reduction} {self.loss} loss"
        )

    def shape(self, name: str) -> tuple[int, int]:
        """(rows, columns) of a parameter or variable."""
        return self.model.shape(name)

    def source(self, parameter: str, r: int, c: int) -> tuple[str, int, int]:
        """The parameter entry that entry (r, c) of ``parameter`` (or of a view) is."""
        return self.model.source(parameter, r, c)

    #: A cell's functions are named in its equations, and its state may be several
    #: vectors: its JSON gives the state size, not phi and theta.
    SUMMARY = ("T", "inputs", "outputs", "loss", "reduction")

    def summary(self) -> dict[str, object]:
        """The cell as JSON-ready data (:meth:`Spec.summary`), with its state size."""
        return {**super().summary(), "state_size": self.hidden}

    def exact_limit(self, checking: bool = False) -> str | None:
        """The exact method's limit this cell is beyond (None: within it): a gated
        cell's canonical forms grow much faster than the Elman model's, so (state size) x
        T <= 6, T <= 4 (the minimal gated unit: n = 2, T = 3 in about 1 s; n = 1, T = 4
        in 0.7 s), or the limit measured for a built-in cell (:attr:`Model.exact_work`);
        the same for checking formulas."""
        work = self.model.exact_work or CELL_EXACT_MAX_WORK
        if self.hidden * self.T > work or self.T > CELL_EXACT_MAX_T:
            what = f"the {self.model.name}" if self.model.exact_work else "a cell"
            return (
                f"exact verification of {what} is for (state size) x T <= {work} and "
                f"T <= {CELL_EXACT_MAX_T}"
            )
        return None

    def uses_sympy_reference(self) -> bool:
        """Whether the SymPy reference is built: (state size) x T <= 3 (SymPy's
        derivatives of a gated cell's nested forms take minutes beyond)."""
        return self.hidden * self.T <= CELL_SYMPY_MAX_WORK

    def with_generic_functions(self) -> CellSpec:
        """Itself: the SymPy reference reads every function of a cell as unknown."""
        return self
