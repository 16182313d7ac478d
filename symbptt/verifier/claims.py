r"""Formulas under test as claims of the verifier.

A :class:`FormulaClaim` is an identity between formulas about the model (both sides read
by the one formula reader, :func:`symbptt.read.formula.parse_vector`), claimed for
every t at which its indices lie in the model. ``verify`` checks each claim as a check of
its report, in the report's ring, beside the checks of the derived objects; a document
prints the claims the report verified. This is the seam through which a textbook's
formula (or a deliberately wrong one, in the fault tests) enters a verification.

Example:
    >>> from symbptt import ElmanSpec, verify_vector
    >>> spec = ElmanSpec(hidden=2, T=3)
    >>> jacobian = formula_claim(
    ...     "Jacobian", r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}}"
    ...     r" = \operatorname{diag}(\phi'(\mathbf{s}_t)) W_{hh}", spec.model)
    >>> verify_vector(spec, claims=(jacobian,)).holds
    True
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from symbptt.errors import SpecError

if TYPE_CHECKING:
    from symbptt.core.model import Identity, Model


@dataclass(frozen=True)
class FormulaClaim:
    """An identity claimed for every t, checked as the check ``name``.

    Attributes:
        name: the check's name in the report (unique among its checks).
        sides: the formula's sides as formula objects (two or more: A = B = C).
        description: what is claimed, in words, for the report and the certificate.
        latex: the formula as it was written, when it was read from LaTeX.
    """

    name: str
    sides: tuple[sp.Expr, ...]
    description: str = ""
    latex: str = ""
    #: the model's identity it was read from (a document shows it in its display)
    identity: Identity | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SpecError(f"a claim needs a name, got {self.name!r}")
        if len(self.sides) < 2 or not all(isinstance(s, sp.Basic) for s in self.sides):
            raise SpecError(f"the claim {self.name!r} needs two or more formula sides")


@dataclass(frozen=True)
class RecursionClaim:
    """A backward recursion claimed to give the gradients, checked as the check ``name``:
    ``adjoint`` (a derivative at t, such as dL/ds_t) is ``step`` for t = T..1, solved
    from the true zero after T (the step may use the adjoint at t + 1 only), and each
    gradient dL/dP is the sum over t of its summand with the solved adjoints; one
    comparison per gradient, against the true dL/dP.

    Attributes:
        gradients: (label, dL/dP, the sum over t) for each gradient the recursion gives.
    """

    name: str
    adjoint: sp.Expr
    step: sp.Expr
    gradients: tuple[tuple[str, sp.Expr, sp.Expr], ...]
    description: str = ""
    latex: str = ""
    #: the model's identity it was read from (a document shows it in its display)
    identity: Identity | None = None


def formula_claim(name: str, latex: str, model: Model, description: str = "") -> FormulaClaim:
    """A claim read from LaTeX (``A = B``) with the names of ``model``.

    Raises:
        FormulaSyntaxError: the formula cannot be read (with its column).
    """
    from symbptt.read.formula import parse_vector

    parsed = parse_vector(latex, model=model)
    return FormulaClaim(name, tuple(parsed.sides), description or f"{latex}, for every t", latex)


def identity_claim(identity: Identity, model: Model) -> FormulaClaim | RecursionClaim:
    """A model's identity (:class:`~symbptt.core.model.Identity`, LaTeX in the model's
    names) read as the claim its verification checks: a recursion (one with
    ``gradients``) as a :class:`RecursionClaim`, any other as a :class:`FormulaClaim`.

    Raises:
        FormulaSyntaxError: the LaTeX cannot be read (with its column).
        SpecError: a recursion that is not ``adjoint = step``.
    """
    from symbptt.read.formula import parse_vector

    if not identity.gradients:
        claim = formula_claim(identity.name, identity.latex, model, identity.description)
        return dataclasses.replace(claim, identity=identity)
    sides = parse_vector(identity.latex, model=model).sides
    if len(sides) != 2:
        raise SpecError(f"the recursion {identity.name!r} must be written adjoint = step")
    if identity.base:  # printed beside the recursion: it must be what solving assumes
        _check_base(identity, sides[0], parse_vector(identity.base, model=model).sides)
    gradients = []
    for label, latex in identity.gradients:
        parsed = parse_vector(latex, model=model).sides
        if len(parsed) != 2:
            raise SpecError(f"the gradient {label!r} of {identity.name!r} must be dL/dP = sum")
        gradients.append((label, parsed[0], parsed[1]))
    return RecursionClaim(
        identity.name,
        sides[0],
        sides[1],
        tuple(gradients),
        identity.description,
        identity.latex,
        identity,
    )


def _check_base(identity: Identity, adjoint: sp.Expr, base: list[sp.Expr]) -> None:
    """A recursion's printed base case must be the one its solution assumes: the adjoint
    after T is zero.

    Raises:
        SpecError: it says something else.
    """
    from symbptt.core import derivatives as E
    from symbptt.core.formula import free_index

    index = free_index([adjoint])
    after = adjoint.xreplace({index: E.T + 1}) if index is not None else None
    if len(base) != 2 or base[1] != 0 or after is None or base[0] != after:
        raise SpecError(
            f"the base case of the recursion {identity.name!r} must be its adjoint after T "
            f"equal to 0 (the recursion is solved from there), not {identity.base!r}"
        )


def model_claims(
    model: Model, replace: Mapping[str, str] | None = None
) -> tuple[FormulaClaim | RecursionClaim, ...]:
    """The claims of the model's identities (the seeds' formulas, for the scalar model),
    read from their LaTeX; ``replace`` gives another LaTeX for an identity by its name,
    so that a wrong formula can be put under test in its place (and a document shows it
    where the right one would be).

    Raises:
        SpecError: ``replace`` names no identity of the model.

    Example:
        >>> from symbptt import RNNSpec
        >>> [c.name for c in model_claims(RNNSpec(T=2).model)][:2]
        ['immediate partial d+h_t/dw', 'immediate partial d+h_t/dv']
    """
    replace = dict(replace or {})
    unknown = set(replace) - {i.name for i in model.identities}
    if unknown:
        raise SpecError(
            f"the {model.name} claims no {sorted(unknown)[0]!r}; its claims are: "
            f"{', '.join(i.name for i in model.identities) or 'none'}"
        )
    if not replace:
        return _model_claims(model)
    return tuple(
        identity_claim(
            dataclasses.replace(i, latex=replace[i.name]) if i.name in replace else i, model
        )
        for i in model.identities
    )


@functools.lru_cache(maxsize=16)
def _model_claims(model: Model) -> tuple[FormulaClaim | RecursionClaim, ...]:
    return tuple(identity_claim(i, model) for i in model.identities)
