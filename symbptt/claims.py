r"""Formulas under test as claims of the verifier.

A :class:`FormulaClaim` is an identity between formulas about the model (both sides read
by the one formula reader, :func:`symbptt.engine.formula.parse_vector`), claimed for
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

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from .errors import SpecError

if TYPE_CHECKING:
    from .core.model import Model
    from .formulas import Formulas


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


def formula_claim(name: str, latex: str, model: Model, description: str = "") -> FormulaClaim:
    """A claim read from LaTeX (``A = B``) with the names of ``model``.

    Raises:
        FormulaSyntaxError: the formula cannot be read (with its column).
    """
    from .engine.formula import parse_vector

    parsed = parse_vector(latex, model=model)
    return FormulaClaim(name, tuple(parsed.sides), description or f"{latex}, for every t", latex)


def seed_claims(formulas: Formulas, model: Model) -> tuple[FormulaClaim | RecursionClaim, ...]:
    """The seeds' formulas under test (note 000 and question 002, the fields of
    ``formulas`` in :mod:`symbptt.expr`) as claims about the scalar model: the one-step
    partials, the boxed sum of products and the loss decomposition (eqns 4-5) for w and
    v, and question 002's recursion for dL/ds_t with the gradients it gives. The
    recursion is claimed for every t with dL/ds_(T+1) = 0, which is what solving it from
    t = T down gives."""
    from . import expr as E
    from .derive.backward import delta
    from .engine.nodes import from_seed_notation

    seed = functools.partial(from_seed_notation, model=model)

    def claim(name: str, lhs: sp.Expr, rhs: sp.Expr, description: str) -> FormulaClaim:
        return FormulaClaim(name, (seed(lhs), seed(rhs)), description)

    defs, scale = formulas.definitions, sp.S.One / E.T if model.reduction == "mean" else sp.S.One
    out = []
    for p in E.PARAMETERS:
        out.append(
            claim(
                f"immediate partial d+h_t/d{p}",
                E.immediate(E.t, p),
                defs.immediate_at(p, E.t),
                f"d+h_t/d{p} = {defs.immediate_at(p, E.t)} (h_(t-1) held fixed), t = 1..T",
            )
        )
    out.append(
        claim(
            "Jacobian dh_t/dh_(t-1)",
            E.jacobian(E.t),
            defs.jacobian_at(E.t),
            f"dh_t/dh_(t-1) = {defs.jacobian_at(E.t)}, t = 1..T",
        )
    )
    for p in E.PARAMETERS:
        out.append(
            claim(
                f"boxed formula dh_t/d{p}",
                E.total(E.t, p),
                formulas.sum_of_products(p),
                f"the boxed formula d+h_t/d{p} + sum_i (prod_j dh_j/dh_(j-1)) d+h_i/d{p} "
                f"(note 000) equals the true dh_t/d{p}, t = 1..T",
            )
        )
        out.append(
            claim(
                f"loss decomposition dL/d{p}",
                E.TotalDerivative(E.L, p),
                scale * formulas.decomposition(p),
                f"dL/d{p} = c sum_t dl_t/dyhat_t theta'(h_t) dh_t/d{p} (eqns 4-5)",
            )
        )
    recursion = formulas.recursion
    gradients = tuple(
        (f"dL/d{p}", seed(E.TotalDerivative(E.L, p)), seed(sp.Sum(summand, (E.t, 1, E.T))))
        for p, summand in recursion.gradient.items()
    )
    return (
        *out,
        RecursionClaim(
            "recursion dL/ds_t",
            seed(delta(E.t)),
            seed(recursion.step),
            gradients,
            "question 002's dL/ds_t = (dL/dyhat_t theta'(h_t) + dL/ds_(t+1) w) phi'(s_t), "
            "solved from dL/ds_(T+1) = 0, gives dL/dw = sum_t dL/ds_t h_(t-1) and "
            "dL/dv = sum_t dL/ds_t x_t (answer 001)",
        ),
    )
