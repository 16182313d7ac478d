"""The symbols and objects the formula reader reads a formula's derivatives into before
they meet a model (:mod:`symbptt.read.formula` turns them into the formula IR of
:mod:`symbptt.core.formula`): the horizon ``T`` and the total loss ``L`` (plain
symbols), the state ``HiddenState(t)`` (h_t) and the step loss ``StepLoss(t)`` (l_t),
and two kinds of derivative object, kept distinct on purpose (note 000, eqns 6-10):
``TotalDerivative(A, B)`` (dA/dB along every path) and ``ImmediatePartial(A, B)``
(d+A/dB: A's own one-step equation with the other states held fixed).
"""

from __future__ import annotations

from typing import ClassVar

import sympy as sp
from sympy.core.function import Function

#: The total loss.
L = sp.Symbol("L")
#: The horizon as a symbol, for general formulas such as 1/T.
T = sp.Symbol("T", integer=True, positive=True)


class IndexedQuantity(Function):
    """A model quantity at one time step, e.g. ``HiddenState(t - 1)`` for h_{t-1}."""

    nargs = 1
    #: Short name used in error messages and by the printer.
    symbol_name: ClassVar[str] = "?"
    #: LaTeX of the base letter.
    latex_name: ClassVar[str] = "?"

    @classmethod
    def eval(cls, index):  # noqa: D102 - SymPy hook; never auto-evaluates
        return None

    @property
    def index(self) -> sp.Expr:
        """The time index (a SymPy expression)."""
        return self.args[0]

    def _eval_derivative(self, s):  # a model quantity is not a function of the index
        return sp.S.Zero

    def _sympystr(self, printer) -> str:
        return f"{self.symbol_name}_{{{printer._print(self.index)}}}"


class HiddenState(IndexedQuantity):
    """h_t = phi(s_t); h_0 is given."""

    symbol_name = "h"
    latex_name = "h"


class StepLoss(IndexedQuantity):
    """l_t = l(yhat_t, d_t)."""

    symbol_name = "l"
    latex_name = r"\ell"


class DerivativeObject(sp.Expr):
    """Base of the derivative objects: ``num`` differentiated by ``den``."""

    is_commutative = True

    def __new__(cls, num: sp.Expr, den: sp.Expr):
        return sp.Expr.__new__(cls, sp.sympify(num), sp.sympify(den))

    @property
    def num(self) -> sp.Expr:
        """What is differentiated."""
        return self.args[0]

    @property
    def den(self) -> sp.Expr:
        """With respect to what."""
        return self.args[1]

    def _eval_derivative(self, s):
        raise TypeError("derivative objects are not differentiated again")

    _mark: ClassVar[str] = "d"

    def _sympystr(self, printer) -> str:
        return f"{self._mark}{printer._print(self.num)}/d{printer._print(self.den)}"


class TotalDerivative(DerivativeObject):
    """dA/dB: the derivative along every path of the unrolled graph from B to A."""


class ImmediatePartial(DerivativeObject):
    """d+A/dB: the derivative of A's own one-step equation, other states held fixed."""

    _mark = "d+"


def h(index) -> HiddenState:
    """h_index."""
    return HiddenState(sp.sympify(index))


class OneStep:
    """f(x_t, h_{t-1}, w_h): the one-step map producing h_t."""

    def __init__(self, index: sp.Expr) -> None:
        self.index = index
