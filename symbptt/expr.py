"""The vocabulary shared by the engines, the printer and (later) the formula checker.

Expressions are ordinary SymPy trees built from a few node classes:

* time-indexed model quantities: ``HiddenState(t)`` (h_t), ``PreActivation(t)`` (s_t),
  ``Input(t)`` (x_t), ``Prediction(t)`` (yhat_t), ``Target(t)`` (d_t), ``StepLoss(t)`` (l_t);
* the parameters ``w``, ``v`` and the total loss ``L`` (plain symbols);
* activation applications ``Phi(s)``, ``PhiPrime(s)``, ``Theta(h)``, ``ThetaPrime(h)``;
* three kinds of derivative object, kept distinct on purpose (note 000, eqns 6-10):
  ``TotalDerivative(A, B)`` (dA/dB along every path), ``ImmediatePartial(A, B)``
  (d+A/dB: A's own one-step equation with the other states held fixed) and, as a
  special total derivative, the Jacobian ``dh_j/dh_{j-1}``.

The indices are SymPy expressions (``t - 1``, ``i + 1``), so general formulas with
``Sum``/``Product`` over symbolic bounds are expressions too; :mod:`symbptt.semantics`
gives every node its value in the model.
"""

from __future__ import annotations

from typing import ClassVar

import sympy as sp
from sympy.core.function import Function

#: The parameters and the total loss.
w = sp.Symbol("w")
v = sp.Symbol("v")
L = sp.Symbol("L")
#: The horizon as a symbol, for general formulas such as 1/T.
T = sp.Symbol("T", integer=True, positive=True)
#: Index symbols used by the general formulas.
t, i, j, k = sp.symbols("t i j k", integer=True)

PARAMETERS: tuple[sp.Symbol, ...] = (w, v)


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


class PreActivation(IndexedQuantity):
    """s_t = w h_{t-1} + v x_t."""

    symbol_name = "s"
    latex_name = "s"


class Input(IndexedQuantity):
    """x_t, the input at step t."""

    symbol_name = "x"
    latex_name = "x"


class Prediction(IndexedQuantity):
    """yhat_t = theta(h_t)."""

    symbol_name = "yhat"
    latex_name = r"\hat{y}"


class Target(IndexedQuantity):
    """d_t, the target at step t."""

    symbol_name = "d"
    latex_name = "d"


class StepLoss(IndexedQuantity):
    """l_t = l(yhat_t, d_t)."""

    symbol_name = "l"
    latex_name = r"\ell"


class Application(Function):
    """An activation (or its derivative) applied to a node, e.g. ``PhiPrime(s_t)``."""

    nargs = 1
    #: Which activation of the model: "phi" (hidden) or "theta" (output).
    role: ClassVar[str] = "?"
    #: 0 for the function, 1 for its first derivative.
    order: ClassVar[int] = 0
    latex_name: ClassVar[str] = "?"

    @classmethod
    def eval(cls, arg):  # noqa: D102 - SymPy hook; never auto-evaluates
        return None

    def _eval_derivative(self, s):
        raise TypeError("activation nodes are opaque; differentiate the unrolled model")


class Phi(Application):
    """phi(s)."""

    role, order, latex_name = "phi", 0, r"\phi"


class PhiPrime(Application):
    """phi'(s)."""

    role, order, latex_name = "phi", 1, r"\phi"


class Theta(Application):
    """theta(h)."""

    role, order, latex_name = "theta", 0, r"\theta"


class ThetaPrime(Application):
    """theta'(h)."""

    role, order, latex_name = "theta", 1, r"\theta"


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


def s(index) -> PreActivation:
    """s_index."""
    return PreActivation(sp.sympify(index))


def x(index) -> Input:
    """x_index."""
    return Input(sp.sympify(index))


def yhat(index) -> Prediction:
    """yhat_index."""
    return Prediction(sp.sympify(index))


def jacobian(index) -> TotalDerivative:
    """The one-step Jacobian dh_index / dh_{index-1}."""
    return TotalDerivative(h(index), h(sp.sympify(index) - 1))


def immediate(index, param: sp.Symbol) -> ImmediatePartial:
    """The immediate partial d+h_index / d param."""
    return ImmediatePartial(h(index), param)


def total(index, param: sp.Symbol) -> TotalDerivative:
    """The total derivative dh_index / d param."""
    return TotalDerivative(h(index), param)


def boxed_formula(param: sp.Symbol = w, index: sp.Symbol = t) -> sp.Expr:
    """The right-hand side of the boxed sum-of-products formula (note 000, eqn 10).

    d+h_t/dp + sum_{i=1}^{t-1} (prod_{j=i+1}^{t} dh_j/dh_{j-1}) d+h_i/dp

    Example:
        >>> print(boxed_formula().atoms(sp.Sum) != set())
        True
    """
    return immediate(index, param) + sp.Sum(
        sp.Product(jacobian(j), (j, i + 1, index)) * immediate(i, param), (i, 1, index - 1)
    )


def instantiate(expr: sp.Expr, var: sp.Symbol, value: object) -> sp.Expr:
    """Replace an index symbol by a value, keeping the order of sums and products as
    written (SymPy's ``subs`` would re-sort them), and dropping terms that become 0.

    Example:
        >>> instantiate(sp.Mul(jacobian(t), w, evaluate=False), t, 3).args
        (dh_{3}/dh_{2}, w)
    """
    value = sp.sympify(value)

    def walk(e: sp.Basic) -> sp.Basic:
        if e == var:
            return value
        if not e.args or isinstance(e, sp.Symbol):
            return e
        args = [walk(a) for a in e.args]
        if all(a.is_Number for a in args):  # index arithmetic: 3 + 1 is 4
            return e.func(*args)
        if isinstance(e, sp.Add):
            args = [a for a in args if a != 0]
            if len(args) <= 1:
                return args[0] if args else sp.S.Zero
            return sp.Add(*args, evaluate=False)
        if isinstance(e, sp.Mul):
            if any(a == 0 for a in args):
                return sp.S.Zero
            flat = []
            for a in args:  # a product that collapsed into a factor joins its parent
                flat.extend(a.args if isinstance(a, sp.Mul) else [a])
            args = [a for a in flat if a != 1]
            if len(args) <= 1:
                return args[0] if args else sp.S.One
            return sp.Mul(*args, evaluate=False)
        return e.func(*args)

    return walk(sp.sympify(expr))
