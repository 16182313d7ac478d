"""The formulas a verification puts under test: the seeds' definitions, boxed formula,
backward recursion and loss decomposition of the scalar model, a vector model's backward
program, and formula claims. Documents print exactly the formulas a report verified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from . import expr as E
from .claims import FormulaClaim
from .derive.adjoint import Program
from .derive.backward import DEFAULT_RECURSION, BackwardRecursion
from .semantics import DEFAULT_DEFINITIONS, Definitions


@dataclass(frozen=True)
class Formulas:
    """The formulas under test (defaults: the correct ones of the seeds).

    Attributes:
        definitions: immediate partials and Jacobian in model quantities.
        sum_of_products: right-hand side of the boxed formula for dh_t/dp, a function
            of the parameter symbol.
        recursion: the backward recursion.
        decomposition: right-hand side of eqns (4)-(5) for dL/dp, a function of the
            parameter symbol.
        program: the backward program under test for a vector model (None: the program
            derived from the model's equations, :func:`symbptt.derive.adjoint.derive`).
        claims: formulas claimed for every t (:class:`symbptt.claims.FormulaClaim`),
            each checked as a check of the report (the models of the core).
    """

    definitions: Definitions = DEFAULT_DEFINITIONS
    sum_of_products: Callable[[sp.Symbol], sp.Expr] = E.boxed_formula
    recursion: BackwardRecursion = DEFAULT_RECURSION
    decomposition: Callable[[sp.Symbol], sp.Expr] = field(
        default=lambda p: sp.Sum(
            E.TotalDerivative(E.StepLoss(E.t), E.yhat(E.t))
            * E.ThetaPrime(E.h(E.t))
            * E.total(E.t, p),
            (E.t, 1, E.T),
        )
    )
    program: Program | None = None
    claims: tuple[FormulaClaim, ...] = ()


DEFAULT_FORMULAS = Formulas()
