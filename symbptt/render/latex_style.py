"""The model IR's LaTeX style: how :func:`symbptt.core.tensor.render` writes each op in
a model's matrix notation (:class:`symbptt.render.matrix.MatrixNotation`) at one time
index: the print rules of the IR, one method per op."""

from __future__ import annotations

from typing import TYPE_CHECKING

from symbptt.core.tensor import Param, Transpose, Var

if TYPE_CHECKING:
    from symbptt.render.matrix import MatrixNotation


class LatexStyle:
    """The matrix notation of a model, at one time index (see :func:`render`)."""

    def __init__(self, notation: MatrixNotation, base: str | int) -> None:
        self.n, self.base = notation, base

    def var(self, v: Var) -> str:
        return self.n.vector(v.name, self.base, v.shift)

    def param(self, p: Param) -> str:
        return self.n.parameter(p.name)

    def apply(self, role: str, arg: str) -> str:
        name = self.n.functions.get(role, "\\" + role)
        return rf"{name}\left({arg}\right)" if " " in arg else f"{name}({arg})"

    def neg(self, text: str) -> str:
        return f"-{text}"

    def one_minus(self, text: str) -> str:
        return rf"\left({self.n.one} - {text}\right)"

    def matvec(self, m: Param | Transpose, vector: str) -> str:
        if isinstance(m, Transpose):
            return f"{self.n.parameter(m.arg.name)}{self.n.top} {vector}"
        return f"{self.n.parameter(m.name)} {vector}"

    def group(self, text: str) -> str:
        return rf"\left({text}\right)"

    def had(self, left: str, right: str) -> str:
        return f"{self.n.diag(left)} {right}"

    def scale(self, text: str) -> str:
        return rf"\frac{{1}}{{T}} {text}" if self.n.model.reduction == "mean" else text

    def concat(self, top: str, bottom: str) -> str:
        return rf"\begin{{bmatrix}} {top} \\ {bottom} \end{{bmatrix}}"
