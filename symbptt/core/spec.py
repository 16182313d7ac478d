"""The one model spec: a model declaration for T steps, and how equality is decided on it.

Every job (verifying a derivation, checking formulas, rendering, code generation, the
PyTorch cross-check) takes a :class:`Spec`. What differs between the seeds' scalar
model, the Elman model and a cell (its limits, its one-line description, its file names,
what its JSON says) is data: a row of :data:`FAMILIES`, chosen by the model's ``family``.
The public ``RNNSpec(...)`` and ``ElmanSpec(...)`` are factories returning a Spec
(:mod:`symbptt.cells.choose`).

Example:
    >>> from symbptt import RNNSpec
    >>> spec = RNNSpec(T=3, activation="tanh")
    >>> spec.activation, spec.hidden, spec.file_stem
    ('tanh', 1, 'derivation-T3')
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from symbptt import limits
from symbptt.core.model import Model
from symbptt.core.primitives import PRIMITIVES, Primitive
from symbptt.errors import SpecError


def require_count(name: str, value: object, top: int) -> None:
    """A size or T: an integer from 1 to ``top``, else a SpecError naming it."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise SpecError(f"{name} must be an integer between 1 and {top}, got {value!r}")


# -- the families: what differs between the scalar model, the Elman model and a cell ---------
def _scalar_exact(spec: Spec, checking: bool) -> str | None:
    if spec.T > limits.EXACT_MAX_T:
        return f"the exact method handles T <= {limits.EXACT_MAX_T}"
    return None


def _elman_exact(spec: Spec, checking: bool) -> str | None:
    linear = spec.activation == spec.output_activation == "identity" and not checking
    max_t = limits.EXACT_MAX_T_LINEAR if linear else limits.EXACT_MAX_T_ELMAN
    if spec.hidden > limits.EXACT_MAX_HIDDEN or spec.T > max_t:
        what = (
            "checks of vector formulas are" if checking else "verification of the vector model is"
        )
        return (
            f"exact {what} for n <= {limits.EXACT_MAX_HIDDEN}, T <= {max_t}"
            f"{' (linear model)' if linear else ''}"
        )
    return None


def _cell_exact(spec: Spec, checking: bool) -> str | None:
    work = spec.model.exact_work or limits.CELL_EXACT_MAX_WORK
    if spec.hidden * spec.T > work or spec.T > limits.CELL_EXACT_MAX_T:
        what = f"the {spec.model.name}" if spec.model.exact_work else "a cell"
        return (
            f"exact verification of {what} is for (state size) x T <= {work} and "
            f"T <= {limits.CELL_EXACT_MAX_T}"
        )
    return None


@dataclass(frozen=True)
class Family:
    """What a family of models says of itself: its largest T, the exact method's limit
    (a reason, or None within it), when SymPy's derivatives are a second reference, its
    files' stem and one-line description (formats over :meth:`Spec.fields`), and the
    fields its JSON summary holds."""

    max_t: int
    exact_limit: Callable[[Spec, bool], str | None]
    sympy_reference: Callable[[Spec], bool]
    stem: str
    describe: str
    summary: tuple[str, ...]


#: What a report's JSON says of the scalar and the Elman model.
_SUMMARY = (
    "T",
    "hidden",
    "inputs",
    "outputs",
    "activation",
    "output_activation",
    "loss",
    "reduction",
)

#: One row per family (the model's ``family`` field).
FAMILIES: dict[str, Family] = {
    "scalar": Family(
        max_t=limits.MAX_T,
        exact_limit=_scalar_exact,
        sympy_reference=lambda s: s.T <= limits.SYMPY_REFERENCE_MAX_T,
        stem="derivation-T{T}",
        describe=(
            "T={T}, phi={activation}, theta={output_activation}, loss={loss}, "
            "reduction={reduction}, h0={h0}"
        ),
        summary=(*_SUMMARY, "h0"),
    ),
    "elman": Family(
        max_t=limits.MAX_T_VECTOR,
        exact_limit=_elman_exact,
        sympy_reference=lambda s: s.hidden <= limits.SYMPY_MAX_HIDDEN and s.T <= limits.SYMPY_MAX_T,
        stem="derivation-elman-n{hidden}-T{T}",
        describe=(
            "Elman RNN n={hidden}, m={inputs}, k={outputs}, T={T}, phi={activation}, "
            "theta={output_activation}, {reduction} {loss} loss"
        ),
        summary=_SUMMARY,
    ),
    "cell": Family(
        max_t=limits.MAX_T_VECTOR,
        exact_limit=_cell_exact,
        sympy_reference=lambda s: s.hidden * s.T <= limits.CELL_SYMPY_MAX_WORK,
        stem="derivation-{slug}-T{T}",
        describe="{name}, state size {hidden}, T={T}, {reduction} {loss} loss",
        summary=("T", "inputs", "outputs", "loss", "reduction", "state_size"),
    ),
}


#: The factory of each family that builds a spec from options (filled by the factories'
#: module, :mod:`symbptt.cells.choose`): :meth:`Spec.replace` rebuilds with it.
BUILDERS: dict[str, Callable[..., Spec]] = {}


@dataclass(frozen=True)
class Spec:
    """A model declaration for T steps (validated on construction): what every job takes.

    Args:
        model: the declaration (:class:`~symbptt.core.model.Model`).
        T: the number of steps, 1 <= T <= the family's largest T.
        options: the options it was built from (``RNNSpec(T=3, activation="tanh")``'s
            keywords), kept for the record; the model alone defines it.

    Raises:
        SpecError: not a model, or T out of range.
    """

    model: Model
    T: int
    options: tuple[tuple[str, Any], ...] = dataclasses.field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.model, Model):
            raise SpecError(f"a Spec needs a model declaration, got {self.model!r:.60}")
        require_count("T", self.T, self.family.max_t)

    @property
    def family(self) -> Family:
        """The row of :data:`FAMILIES` of its model."""
        return FAMILIES[self.model.family]

    # -- what the model is, as the engines ask it -------------------------------------------
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
        """The per-step loss's name (a key of the loss table)."""
        return self.model.head.loss

    @property
    def reduction(self) -> str:
        """``"mean"`` or ``"sum"``."""
        return self.model.reduction

    @property
    def h0(self) -> Literal["symbol", "zero"]:
        """``"zero"`` if every initial state is zero, else ``"symbol"``."""
        return "zero" if all(init is None for _, init in self.model.initial) else "symbol"

    def _role(self, role: str, default: str) -> str:
        return next((p for r, p, _ in self.model.functions if r == role), default)

    @property
    def activation(self) -> str:
        """The primitive of the role phi (``generic`` where the model has none)."""
        return self._role("phi", "generic")

    @property
    def output_activation(self) -> str:
        """The primitive of the role theta (``identity`` where the model has none)."""
        return self._role("theta", "identity")

    @property
    def phi(self) -> Primitive:
        """The hidden activation's row of the primitive table."""
        return PRIMITIVES[self.activation]

    @property
    def theta(self) -> Primitive:
        """The output activation's row of the primitive table."""
        return PRIMITIVES[self.output_activation]

    @property
    def roles(self) -> tuple[tuple[str, Primitive], ...]:
        """Every function role of the model with the primitive it stands for."""
        return tuple((r, PRIMITIVES[p]) for r, p, _ in self.model.functions)

    @property
    def gradients(self) -> tuple[str, ...]:
        """Every quantity a gradient is taken with respect to: the parameters and views."""
        return (*self.model.parameters, *(v.name for v in self.model.views))

    def shape(self, name: str) -> tuple[int, int]:
        """(rows, columns) of a parameter, view or variable."""
        return self.model.shape(name)

    def source(self, name: str, r: int, c: int) -> tuple[str, int, int]:
        """The parameter entry that entry (r, c) of a parameter or of a view is."""
        return self.model.source(name, r, c)

    # -- limits, references, names -----------------------------------------------------------
    def exact_limit(self, checking: bool = False) -> str | None:
        """The limit of the exact method this spec is beyond (None: within it); for
        ``checking`` formulas rather than verifying the derivation (they differ for the
        Elman model's linear case)."""
        return self.family.exact_limit(self, checking)

    def exact_refusal(self) -> str | None:
        """Why exact verification is refused (None: it is not)."""
        limit = self.exact_limit()
        return None if limit is None else f"{limit}; {limits.MODULAR_HINT}"

    def uses_sympy_reference(self) -> bool:
        """Whether SymPy's derivatives of the unrolled model are built as a second
        reference (small models only: SymPy's nested forms grow fast)."""
        return self.family.sympy_reference(self)

    def with_generic_functions(self) -> Spec:
        """The same model with every function role generic: the SymPy reference reads
        the roles as unknown functions, so it is built once per size and loss."""
        functions = tuple((r, "generic", tex) for r, _, tex in self.model.functions)
        if functions == self.model.functions:
            return self
        return Spec(dataclasses.replace(self.model, functions=functions), self.T, self.options)

    def with_T(self, T: int) -> Spec:
        """The same model for ``T`` steps (its options say the new T)."""
        options = tuple((k, T if k == "T" else v) for k, v in self.options)
        return Spec(self.model, T, options)

    def replace(self, **changes: Any) -> Spec:
        """The spec its factory builds with ``changes`` to the options it was built
        from (``RNNSpec(T=3).replace(activation="tanh")``); T alone keeps the model.

        Raises:
            SpecError: a spec made from a declaration (it has no options), or an option
                its factory does not take.
        """
        if set(changes) <= {"T"}:
            return self.with_T(changes.get("T", self.T))
        build = BUILDERS.get(self.model.family) if self.options else None
        if build is None:
            raise SpecError(
                f"the {self.model.name} was given as a declaration, not built from options: "
                f"build a new spec rather than replacing {', '.join(sorted(changes))}"
            )
        try:
            return build(**{**dict(self.options), **changes})
        except TypeError as err:
            raise SpecError(f"cannot replace {', '.join(sorted(changes))}: {err}") from None

    def fields(self) -> dict[str, Any]:
        """What its description, file stem and summary are made of."""
        slug = self.model.slug or re.sub(r"[^a-z0-9]+", "-", self.model.name.lower())
        return {
            "name": self.model.name,
            "slug": slug.strip("-")[:40] or "cell",
            "T": self.T,
            "hidden": self.hidden,
            "state_size": self.hidden,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "activation": self.activation,
            "output_activation": self.output_activation,
            "loss": self.loss,
            "reduction": self.reduction,
            "h0": self.h0,
        }

    @property
    def file_stem(self) -> str:
        """The default name of its documents: derivation-T4 (the scalar model),
        derivation-elman-n3-T4, derivation-lstm-n3-T4 (a cell's slug, or its name with
        everything but letters and digits made a hyphen)."""
        return self.family.stem.format(**self.fields())

    def describe(self) -> str:
        """A one-line human description, used in reports and documents."""
        return self.family.describe.format(**self.fields())

    def summary(self) -> dict[str, object]:
        """The model as JSON-ready data: its name and description and the family's
        summary fields (T, sizes, activations, losses).

        Example:
            >>> from symbptt import RNNSpec
            >>> RNNSpec(T=2).summary()["T"]
            2
        """
        fields = self.fields()
        out: dict[str, object] = {"name": self.model.name, "description": self.describe()}
        out.update((key, fields[key]) for key in self.family.summary)
        return out

    def record(self) -> dict[str, Any]:
        """The options it was built from, as JSON-ready data (empty for a spec made
        from a declaration)."""
        return dict(self.options)


def require_spec(spec: object, what: str = "spec") -> None:
    """Check at the API boundary that ``spec`` is a :class:`Spec`.

    Raises:
        SpecError: naming what was given instead and what is expected.

    Example:
        >>> from symbptt import RNNSpec
        >>> require_spec(RNNSpec)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        symbptt.errors.SpecError: spec must be a model instance such as ..., got the ...
    """
    if isinstance(spec, Spec):
        return
    expected = "RNNSpec(T=4) or ElmanSpec(hidden=3, T=4)"
    got = repr(spec)[:60]
    if isinstance(spec, type) or callable(spec):
        kind = "class" if isinstance(spec, type) else "function"
        got = f"the {kind} {getattr(spec, '__name__', got)}"
    if isinstance(spec, str):
        got = f"the string {spec!r}"
    raise SpecError(f"{what} must be a model instance such as {expected}, got {got}")


def options_of(values: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Keyword options as a Spec keeps them (sorted pairs, hashable)."""
    return tuple(sorted(values.items()))
