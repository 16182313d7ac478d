r"""Products as the notes declare them (``% symbptt: conventions elementwise = *``):
``*``, ``\circ``, ``\cdot`` or ``\otimes`` read as the elementwise product, ``*`` or
``\times`` as the matrix product, where the notes say so and only there. Undeclared,
``*`` and ``\circ`` stay refused (they mean different products in different notes),
``\cdot`` and ``\times`` are the product and ``\otimes`` the outer product.

A part of :class:`symbptt.read.formula.VectorReader` (a mixin: it uses the reader's
``profile``, ``vocab``, ``value`` and ``chain``).
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from lark import Token, Tree

from symbptt.core.formula import Hadamard


class DeclaredProducts:
    """The reader's products, read with the notes' declared symbols."""

    def _elementwise(self, left: Any, right: Any) -> Any:
        if self.vocab.scalar:  # type: ignore[attr-defined]
            return sp.Mul(left, right, evaluate=False)
        return Hadamard(left, right)

    def _symbol(self, node: Tree, kind: str) -> str:
        return next(str(c) for c in node.children if isinstance(c, Token) and c.type == kind)

    def r_star(self, node: Tree) -> Any:
        symbol = self._symbol(node, "STAR")
        profile = self.profile  # type: ignore[attr-defined]
        kids = [c for c in node.children if isinstance(c, Tree)]
        if symbol in profile.elementwise:
            return self._elementwise(self.value(kids[0]), self.value(kids[1]))  # type: ignore[attr-defined]
        if symbol in profile.matrix_product:
            left, right = (self.value(k) for k in kids)  # type: ignore[attr-defined]
            return sp.Mul(left, right, evaluate=False)
        return super().r_star(node)  # type: ignore[misc]

    def r_times(self, node: Tree) -> Any:
        profile = self.profile  # type: ignore[attr-defined]
        if not profile.elementwise:
            return super().r_times(node)  # type: ignore[misc]
        first, rest = self.chain(node, ("times",))  # type: ignore[attr-defined]
        out = self.value(first)  # type: ignore[attr-defined]
        inner = node
        symbols = []
        while isinstance(inner, Tree) and inner.data == "times":
            symbols.append(self._symbol(inner, "TIMES"))
            inner = inner.children[0]
        for symbol, (_, operand) in zip(reversed(symbols), rest):
            value = self.value(operand)  # type: ignore[attr-defined]
            if symbol in profile.elementwise:
                out = self._elementwise(out, value)
            else:
                out = sp.Mul(out, value, evaluate=False)
        return out

    def r_outer(self, node: Tree) -> Any:
        if "\\otimes" not in self.profile.elementwise:  # type: ignore[attr-defined]
            return super().r_outer(node)  # type: ignore[misc]
        first, rest = self.chain(node, ("outer",))  # type: ignore[attr-defined]
        out = self.value(first)  # type: ignore[attr-defined]
        for _, operand in rest:
            out = self._elementwise(out, self.value(operand))  # type: ignore[attr-defined]
        return out
