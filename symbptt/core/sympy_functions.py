"""The SymPy function classes of the primitive table's functions that SymPy lacks (the
nested closed forms of the SymPy reference use them). Imported only by code that builds
SymPy expressions, so that reading the primitive table needs no SymPy."""

from __future__ import annotations

import sympy as sp


class sigmoid(sp.Function):  # noqa: N801 - printed as a function name
    """The logistic function, with sigma' = sigma (1 - sigma)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self * (1 - self)


class softplus_prime(sp.Function):  # noqa: N801
    """softplus'(s) = sigma(s), kept as its own node so it is not confused with a
    sigmoid activation elsewhere in the model."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self * (1 - self)


class softplus(sp.Function):  # noqa: N801
    """log(1 + e^s)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return softplus_prime(self.args[0])
