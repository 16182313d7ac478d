"""The scalar RNN of the seeds, as a frozen and validated specification.

    s_t = w h_{t-1} + v x_t,   h_t = phi(s_t),   yhat_t = theta(h_t),
    l_t = l(yhat_t, d_t),      L = (1/T) sum_t l_t   (loss="mean")  or  sum_t l_t  ("sum").

Activations and losses are looked up in tables (data, not if-chains): everything else in
the package asks these tables what a name means.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .core.primitives import PRIMITIVES, Primitive
from .errors import SpecError

if TYPE_CHECKING:
    from .core.model import Model

#: The largest T any command accepts; the README states the time it takes.
MAX_T = 5000
#: The largest T at which SymPy's derivatives of the unrolled model are a second reference.
SYMPY_REFERENCE_MAX_T = 3
#: The largest T of the exact method (canonical forms grow with T).
EXACT_MAX_T = 300
#: How equality is decided: canonical forms ("exact"), evaluation modulo a random prime
#: ("modular"), or "auto": exact where the model's exact limits allow it, else modular.
METHOD_NAMES = ("auto", "exact", "modular")
#: What a refusal of the exact method tells the user to do instead.
MODULAR_HINT = "use the modular method (--method modular, or --method auto)"


#: The activations: the rows of the primitive table (symbptt/core/primitives.py).
ACTIVATIONS: dict[str, Primitive] = PRIMITIVES

LOSSES: dict[str, str] = {
    "generic": "an undefined differentiable per-step loss l(yhat, d)",
    "squared": "l(yhat, d) = (yhat - d)^2 / 2",
    "cross-entropy": "-log softmax(o_t)[y_t], the target a class index (vector model)",
}

REDUCTIONS: dict[str, str] = {
    "mean": "L = (1/T) sum_t l_t, eqn (1) of note 000",
    "sum": "L = sum_t l_t, as in question 002",
}

H0_CHOICES: dict[str, str] = {
    "symbol": "h_0 is a given symbol",
    "zero": "h_0 = 0",
}


def choose_from(kind: str, value: object, table: Collection[str]) -> str:
    """``value`` if it is one of the names of ``table`` (a table's keys, or a tuple of
    names); otherwise a SpecError listing them."""
    if not isinstance(value, str) or value not in table:
        raise SpecError(f"unknown {kind} {value!r}; expected one of: {', '.join(table)}")
    return value


@dataclass(frozen=True)
class MethodChoice:
    """The method a run uses (``"exact"`` or ``"modular"``) and, when ``--method auto``
    chose it, why: reports and documents print both."""

    name: Literal["exact", "modular"]
    reason: str = ""

    #: How a reason given by ``auto`` starts (:meth:`by_auto`, :meth:`why`).
    _AUTO = re.compile(r"^--method auto chose \w+: ")

    @classmethod
    def by_auto(cls, name: Literal["exact", "modular"], why: str) -> MethodChoice:
        """The method ``--method auto`` chose, and ``why``: the reason says both."""
        return cls(name, f"--method auto chose {name}: {why}")

    @staticmethod
    def why(reason: str) -> str:
        """The bare why of a reason :meth:`by_auto` wrote ("" for another).

        Example:
            >>> MethodChoice.why(MethodChoice.by_auto("exact", "small").reason)
            'small'
        """
        m = MethodChoice._AUTO.match(reason)
        return reason[m.end() :] if m else ""


#: Why auto chose the exact method.
_WITHIN = "the model is within its limits"


def choose_method(spec: object, method: str, *, checking: bool = False) -> MethodChoice:
    """The method for ``spec``: ``auto`` takes exact where the spec's exact limits (its
    work estimate, :meth:`Spec.exact_limit`) allow it, else modular; ``exact``
    beyond those limits is refused.

    Args:
        checking: the limits for checking formulas (``check``) rather than verifying the
            derivation (``verify`` and documents); they differ for the Elman model.

    Raises:
        SpecError: an unknown method, or ``exact`` beyond the exact limits.

    Example:
        >>> choose_method(RNNSpec(T=4), "auto").name
        'exact'
        >>> choose_method(RNNSpec(T=400), "auto").reason
        '--method auto chose modular: the exact method handles T <= 300'
    """
    choose_from("method", method, METHOD_NAMES)
    limit = spec.exact_limit(checking=checking)  # type: ignore[attr-defined]
    if method == "auto":
        if limit is None:
            return MethodChoice.by_auto("exact", _WITHIN)
        return MethodChoice.by_auto("modular", limit)
    if method == "exact" and limit is not None:
        raise SpecError(f"{limit}; {MODULAR_HINT}")
    return MethodChoice("exact" if method == "exact" else "modular")


class Spec:
    """What every model spec is (the scalar RNNSpec, the ElmanSpec, a cell's CellSpec):
    the API boundary asks ``isinstance(x, Spec)``, not for each class. It states the
    exact method's limits once (:meth:`exact_limit`, for verifying and for checking
    formulas) and tells them as a refusal (:meth:`exact_refusal`; :func:`choose_method`
    for either)."""

    #: What a report's JSON says of the model (:meth:`summary`), where it has it.
    SUMMARY = (
        "T",
        "hidden",
        "inputs",
        "outputs",
        "activation",
        "output_activation",
        "loss",
        "reduction",
        "h0",
    )

    def exact_limit(self, checking: bool = False) -> str | None:
        """The limit of the exact method this spec is beyond (None: within it)."""
        raise NotImplementedError

    def summary(self) -> dict[str, object]:
        """The model as JSON-ready data: its name and description, T, sizes,
        activations and losses (:data:`SUMMARY`, those it has).

        Example:
            >>> RNNSpec(T=2).summary()["T"]
            2
        """
        out: dict[str, object] = {
            "name": self.model.name,  # type: ignore[attr-defined]
            "description": self.describe(),  # type: ignore[attr-defined]
        }
        for key in self.SUMMARY:
            value = getattr(self, key, None)
            if isinstance(value, str | int) and not isinstance(value, bool):
                out[key] = value
        return out

    def exact_refusal(self) -> str | None:
        """Why exact verification is refused (None: it is not)."""
        limit = self.exact_limit()
        return None if limit is None else f"{limit}; {MODULAR_HINT}"


class HasActivations(Spec):
    """The activation table entries of a spec with ``activation`` and
    ``output_activation`` names (shared by the scalar and the vector model)."""

    activation: str
    output_activation: str

    @property
    def phi(self) -> Primitive:
        """The hidden activation's table entry."""
        return ACTIVATIONS[self.activation]

    @property
    def theta(self) -> Primitive:
        """The output activation's table entry."""
        return ACTIVATIONS[self.output_activation]

    @property
    def roles(self) -> tuple[tuple[str, Primitive], ...]:
        """Every function role of the model with the primitive it stands for."""
        return (("phi", self.phi), ("theta", self.theta))


@dataclass(frozen=True)
class RNNSpec(HasActivations):
    """A scalar RNN for a chosen number of steps T; validated on construction.

    Args:
        T: number of time steps, 1 <= T <= MAX_T.
        activation: phi, the hidden activation (a key of ``ACTIVATIONS``).
        output_activation: theta, the output activation.
        loss: the per-step loss l (a key of ``LOSSES``).
        reduction: ``"mean"`` (default, L = (1/T) sum l_t) or ``"sum"``.
        h0: ``"symbol"`` (h_0 a given symbol) or ``"zero"``.

    Raises:
        SpecError: on any value outside the documented choices.

    Example:
        >>> RNNSpec(T=3, activation="tanh").activation
        'tanh'
    """

    T: int
    activation: str = "generic"
    output_activation: str = "generic"
    loss: str = "generic"
    reduction: Literal["mean", "sum"] = "mean"
    h0: Literal["symbol", "zero"] = "symbol"

    def __post_init__(self) -> None:
        if isinstance(self.T, bool) or not isinstance(self.T, int):
            raise SpecError(f"T must be an integer, got {self.T!r}")
        if not 1 <= self.T <= MAX_T:
            raise SpecError(f"T must be between 1 and {MAX_T}, got {self.T}")
        choose_from("activation", self.activation, ACTIVATIONS)
        choose_from("output activation", self.output_activation, ACTIVATIONS)
        choose_from("loss", self.loss, LOSSES)
        if self.loss == "cross-entropy":
            raise SpecError(
                "the cross-entropy loss needs the vector model with several outputs "
                "(--model elman --outputs K)"
            )
        choose_from("loss reduction", self.reduction, REDUCTIONS)
        choose_from("h0 choice", self.h0, H0_CHOICES)

    @functools.cached_property
    def model(self) -> Model:
        """The declaration of the model (:mod:`symbptt.models.scalar`): every engine of
        the core reads the scalar model as its 1x1 instance."""
        from .models import scalar

        return scalar.declare(
            activation=self.activation,
            output_activation=self.output_activation,
            loss=self.loss,
            reduction=self.reduction,
            h0=self.h0,
        )

    #: The sizes of the core's view of it: every variable is 1x1.
    hidden = inputs = outputs = 1

    @property
    def gradients(self) -> tuple[str, ...]:
        """Every quantity a gradient is taken with respect to: the parameters and w_h."""
        return (*self.model.parameters, *(view.name for view in self.model.views))

    def shape(self, name: str) -> tuple[int, int]:
        """(rows, columns) of a parameter, view or variable: (1, 1), or (2, 1) for w_h."""
        return self.model.shape(name)

    def source(self, name: str, r: int, c: int) -> tuple[str, int, int]:
        """The parameter entry that entry (r, c) of a parameter or of w_h = (v, w) is."""
        return self.model.source(name, r, c)

    def exact_limit(self, checking: bool = False) -> str | None:
        """Beyond T = EXACT_MAX_T (for verifying and checking alike), else None."""
        if self.T > EXACT_MAX_T:
            return f"the exact method handles T <= {EXACT_MAX_T}"
        return None

    def uses_sympy_reference(self) -> bool:
        """Whether SymPy's derivatives of the unrolled model are a second reference:
        T <= 3 (SymPy's nested forms grow fast beyond)."""
        return self.T <= SYMPY_REFERENCE_MAX_T

    def with_generic_functions(self) -> RNNSpec:
        """The same T, loss and h_0 with both activations generic."""
        return dataclasses.replace(self, activation="generic", output_activation="generic")

    @property
    def file_stem(self) -> str:
        """The default name of its documents: derivation-T4."""
        return f"derivation-T{self.T}"

    def describe(self) -> str:
        """A one-line human description, used in reports and documents."""
        return (
            f"T={self.T}, phi={self.activation}, theta={self.output_activation}, "
            f"loss={self.loss}, reduction={self.reduction}, h0={self.h0}"
        )


def require_spec(spec: object, what: str = "spec", *, vector: bool = True) -> None:
    """Check at the API boundary that ``spec`` is a model instance (an :class:`RNNSpec`,
    or, if ``vector``, an :class:`~symbptt.engine.model.ElmanSpec`).

    Raises:
        SpecError: naming what was given instead and what is expected.

    Example:
        >>> require_spec(RNNSpec)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        symbptt.errors.SpecError: spec must be a model instance such as ..., got the class RNNSpec
    """
    if isinstance(spec, Spec if vector else RNNSpec):
        return
    expected = "RNNSpec(T=4)" + (" or ElmanSpec(hidden=3, T=4)" if vector else "")
    got = f"the class {spec.__name__}" if isinstance(spec, type) else repr(spec)[:60]
    if isinstance(spec, str):
        got = f"the string {spec!r}"
    raise SpecError(f"{what} must be a model instance such as {expected}, got {got}")
