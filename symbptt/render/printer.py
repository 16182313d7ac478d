"""The project's LaTeX printer: every equation of a document is printed here.

A :class:`sympy.printing.latex.LatexPrinter` subclass that overrides only the nodes of
:mod:`symbptt.expr` (and keeps the order of unevaluated products, so Jacobians print
latest on the left). Notation is configurable through :class:`Notation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .. import expr as E
from ..core.primitives import SYMPY_LATEX
from ..errors import SpecError
from . import IMMEDIATE_STYLES


@dataclass(frozen=True)
class Notation:
    """Choices of notation for a document.

    Attributes:
        immediate: key of :data:`IMMEDIATE_STYLES` (default ``plus``: d+h_t/dw).
        total: the symbol of total derivatives (``\\partial`` as in the seeds, or ``d``).
        loss: LaTeX of the total loss.
    """

    immediate: str = "plus"
    total: str = r"\partial"
    loss: str = "L"

    def __post_init__(self) -> None:
        for key in ("immediate", "total", "loss"):
            if not isinstance(getattr(self, key), str):
                raise SpecError(
                    f"the notation {key} must be a string, got {type(getattr(self, key)).__name__}"
                )
        if self.immediate not in IMMEDIATE_STYLES:
            raise SpecError(
                f"unknown immediate-partial style {self.immediate!r}; expected one of: "
                f"{', '.join(IMMEDIATE_STYLES)}"
            )
        if self.total not in (r"\partial", "d"):
            raise SpecError(r"total derivatives are written \partial or d")
        if self.loss not in ("L", r"\hat{L}", r"\mathcal{L}"):
            raise SpecError(r"the loss is written L, \hat{L} or \mathcal{L}")


class BPTTLatexPrinter(LatexPrinter):
    """LaTeX for the expression nodes of symbptt."""

    def __init__(self, notation: Notation | None = None) -> None:
        super().__init__({"order": "none", "mul_symbol": None})
        self.notation = notation or Notation()

    def _print_IndexedQuantity(self, e: E.IndexedQuantity) -> str:
        return f"{e.latex_name}_{{{self._print(e.index)}}}"

    def _print_Symbol(self, e: sp.Symbol, style: str = "plain") -> str:
        if e == E.L:
            return self.notation.loss
        return super()._print_Symbol(e)

    def _print_Application(self, e: E.Application) -> str:
        prime = "'" if e.order else ""
        return rf"{e.latex_name}{prime}({self._print(e.args[0])})"

    def _fraction(self, mark: str, e: E.DerivativeObject) -> str:
        return (
            rf"\frac{{{mark} {self._print(e.num)}}}{{{self.notation.total} {self._print(e.den)}}}"
        )

    def _print_TotalDerivative(self, e: E.TotalDerivative) -> str:
        return self._fraction(self.notation.total, e)

    def _print_ImmediatePartial(self, e: E.ImmediatePartial) -> str:
        return self._fraction(IMMEDIATE_STYLES[self.notation.immediate], e)

    def _print_Function(self, e: Any, exp: Any = None) -> str:
        names = {"phi": r"\phi", "theta": r"\theta", "l": r"\ell", **SYMPY_LATEX}
        name = names.get(e.func.__name__)
        if name is None:
            return super()._print_Function(e, exp)
        return rf"{name}({', '.join(self._print(a) for a in e.args)})"

    def _print_Add(self, e: sp.Add, order: Any = None) -> str:
        # index arithmetic reads t - 1, not -1 + t; other sums keep their given order
        numbers = [a for a in e.args if a.is_Number]
        if len(numbers) == 1 and all(a.is_Symbol or a.is_Number for a in e.args):
            rest = " + ".join(self._print(a) for a in e.args if not a.is_Number)
            n = numbers[0]
            return f"{rest} - {self._print(-n)}" if n < 0 else f"{rest} + {self._print(n)}"
        return super()._print_Add(e, order)

    def _print_Mul(self, e: sp.Mul) -> str:
        # keep the given order (latest Jacobian on the left); parenthesise sums
        if not isinstance(e, sp.Mul):  # SymPy prints 1/x through _print_Mul too
            return super()._print_Mul(e)
        coeff, factors = e.as_coeff_mul()
        reciprocal = [f for f in factors if f.is_Pow and f.exp == -1 and f.base.is_Symbol]
        if not factors or any(
            f.is_Number or (f.is_Pow and f.exp.is_negative and f not in reciprocal) for f in factors
        ):
            return super()._print_Mul(e)
        factors = _reading_order(list(factors))
        parts = []
        for n, f in enumerate(factors):
            if f in reciprocal:  # 1/T written as a factor, as in eqn (1) of note 000
                parts.append(rf"\frac{{1}}{{{self._print(f.base)}}}")
                continue
            text = self._print(f)
            scoped = isinstance(f, sp.Product | sp.Sum) and n < len(factors) - 1
            parts.append(rf"\left({text}\right)" if f.is_Add or scoped else text)
        body = " ".join(parts)
        if coeff == -1:
            return "-" + body
        if coeff != 1:
            return self._print(coeff) + " " + body
        return body


def _reading_order(factors: list[sp.Basic]) -> list[sp.Basic]:
    """Factors as people write them: a product over j before what it multiplies, and
    phi'(s_j) before w, h_{i-1}, x_i (SymPy's canonical order would put w first).
    Products with derivative objects keep the order they were built in."""
    products = [f for f in factors if isinstance(f, sp.Product)]
    if products:
        return products + [f for f in factors if not isinstance(f, sp.Product)]
    if any(f.is_Pow and f.exp == -1 for f in factors):
        return sorted(factors, key=lambda f: 0 if f.is_Pow else 1)
    if any(isinstance(f, E.DerivativeObject) or f.is_Add for f in factors):
        return factors
    return sorted(factors, key=lambda f: 0 if isinstance(f, E.Application) else 1)


# SymPy dispatches Function subclasses only by their own class name: register each.
for _cls in (E.HiddenState, E.PreActivation, E.Input, E.Prediction, E.Target, E.StepLoss):
    setattr(BPTTLatexPrinter, f"_print_{_cls.__name__}", BPTTLatexPrinter._print_IndexedQuantity)
for _cls in (E.Phi, E.PhiPrime, E.Theta, E.ThetaPrime):
    setattr(BPTTLatexPrinter, f"_print_{_cls.__name__}", BPTTLatexPrinter._print_Application)

_DEFAULT = BPTTLatexPrinter()


def latex(expr: Any, notation: Notation | None = None) -> str:
    """LaTeX of an expression of :mod:`symbptt.expr` (or plain SymPy).

    Example:
        >>> latex(E.immediate(E.t, E.w))
        '\\\\frac{\\\\partial^{+} h_{t}}{\\\\partial w}'
    """
    printer = _DEFAULT if notation is None else BPTTLatexPrinter(notation)
    return printer.doprint(expr)
