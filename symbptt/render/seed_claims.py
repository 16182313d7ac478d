"""The seeds' formulas that a report checked as claims, as displays of the document.

For the scalar model of the seeds, :func:`symbptt.verify` checks note 000's definitions
(the immediate partials and the Jacobian), its boxed sum of products and its loss
decomposition (eqns 4-5), and question 002's backward recursion with the gradients of
answer 001, each as a claim (:func:`symbptt.claims.seed_claims`) built from the report's
:class:`symbptt.Formulas`. This module prints those same formulas, from the same
objects, with the seeds' printer (:mod:`symbptt.render.printer`), so that a wrong claim
passed to ``verify`` is the one the document shows next to its failing check. Each
display says which checks of the certificate it is.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .. import expr as E
from ..derive.backward import delta
from ..formulas import Formulas
from .document import Display
from .layout import LINE_WIDTH, Term, break_sum
from .printer import Notation, latex


def seed_claim_displays(
    formulas: Formulas, reduction: str, n: Notation, max_width: float = LINE_WIDTH
) -> dict[str, list[dict[str, Any]]]:
    """The claims of the seeds by the document section that shows them: ``model`` (the
    loss decomposition), ``sum_of_products`` (the definitions and the boxed formula),
    ``backward`` (the recursion and its gradients). Each is ``{"prose", "checks",
    "display"}``; ``checks`` names the certificate's rows. Lines are broken to
    ``max_width`` em."""
    scale = sp.S.One / E.T if reduction == "mean" else sp.S.One
    w, v = E.PARAMETERS
    defs = formulas.definitions

    def rows(pairs: list[tuple[sp.Expr, sp.Expr]]) -> tuple[str, ...]:
        out: list[str] = []
        for lhs, rhs in pairs:
            out += break_sum(latex(lhs, n), [Term((latex(rhs, n),))], max_width=max_width)
        return tuple(out)

    decomposition = rows(
        [(E.TotalDerivative(E.L, p), scale * formulas.decomposition(p)) for p in (w, v)]
    )
    definitions = rows(
        [(E.immediate(E.t, p), defs.immediate_at(p, E.t)) for p in (w, v)]
        + [(E.jacobian(E.t), defs.jacobian_at(E.t))]
    )
    boxed = rows([(E.total(E.t, p), formulas.sum_of_products(p)) for p in (w, v)])
    rec = formulas.recursion
    recursion = rows(
        [(delta(E.t), rec.step), (delta(E.T + 1), sp.S.Zero)]
        + [(E.TotalDerivative(E.L, p), sp.Sum(s, (E.t, 1, E.T))) for p, s in rec.gradient.items()]
    )
    return {
        "model": [
            {
                "prose": "the loss decomposition of note 000 (eqns 4-5)",
                "checks": "loss decomposition dL/dw, dL/dv",
                "display": Display(decomposition, "eq:decomposition"),
            }
        ],
        "sum_of_products": [
            {
                "prose": "the immediate partials and the Jacobian of note 000",
                "checks": "immediate partial d+h_t/dw, d+h_t/dv, Jacobian dh_t/dh_(t-1)",
                "display": Display(definitions, "eq:definitions"),
            },
            {
                "prose": "the boxed formula of note 000",
                "checks": "boxed formula dh_t/dw, dh_t/dv",
                "display": Display(boxed, "eq:note-boxed"),
            },
        ],
        "backward": [
            {
                "prose": "the recursion of question 002, solved from its base case, and "
                "the gradients of answer 001",
                "checks": "recursion dL/ds_t",
                "display": Display(recursion, "eq:question-recursion"),
            }
        ],
    }
