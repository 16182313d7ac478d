"""The definitions of the one-step partials of the scalar model, as data.

The immediate partials d+h_k/dw, d+h_k/dv and the one-step Jacobian dh_k/dh_(k-1) are
written in model quantities (:class:`Definitions`), so a test can replace one with a wrong
one and watch the verifier object: each is a claim of its own
(:func:`symbptt.claims.seed_claims`), checked against the model's equations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .expr import PhiPrime, h, k, s, v, w, x


@dataclass(frozen=True)
class Definitions:
    """What the immediate partials and the Jacobian are, in model quantities at step k.

    Attributes:
        immediate: ``{param: expr in k}``: d+h_k/dparam (h_{k-1} held fixed).
        jacobian: dh_k/dh_{k-1} as an expression in k.
    """

    immediate: dict[sp.Symbol, sp.Expr] = field(
        default_factory=lambda: {
            w: PhiPrime(s(k)) * h(k - 1),
            v: PhiPrime(s(k)) * x(k),
        }
    )
    jacobian: sp.Expr = PhiPrime(s(k)) * w

    def immediate_at(self, param: sp.Symbol, index) -> sp.Expr:
        """d+h_index/dparam in model quantities."""
        return self.immediate[param].subs(k, index)

    def jacobian_at(self, index) -> sp.Expr:
        """dh_index/dh_{index-1} in model quantities."""
        return self.jacobian.subs(k, index)


DEFAULT_DEFINITIONS = Definitions()
