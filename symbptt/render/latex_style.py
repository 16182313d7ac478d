"""The model IR's LaTeX style: how :func:`symbptt.core.tensor.render` writes each op in
a model's matrix notation (:class:`symbptt.render.matrix.MatrixNotation`) at one time
index (the print rules of the IR, one method per op), and the symbols each notation
(numbers or matrices) writes the constants of matrix algebra with (:data:`SYMBOLS`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from symbptt.core.tensor import Add, Concat, Had, Param, Sub, Transpose, Var

if TYPE_CHECKING:
    from symbptt.render.matrix import MatrixNotation


@dataclass(frozen=True)
class Symbols:
    """How one notation writes what matrix algebra needs (a setting of the printer, by
    the model's notation): the transpose mark, zero, one and the identity, the unit
    directions of a derivative by an entry (e_a of a vector, E_ab of a matrix; nothing
    for numbers), and the operands put in parentheses before a transpose."""

    top: str
    zero: str
    one: str
    identity: str
    unit_vector: tuple[str, ...]
    unit_matrix: str
    grouped: tuple[type, ...]


#: The two notations: numbers (the seeds' scalar model) and matrices.
SYMBOLS = {
    "scalar": Symbols("", "0", "1", "1", (), "", (Add, Sub)),
    "matrix": Symbols(
        r"^\top",
        r"\mathbf{0}",
        r"\mathbf{1}",
        "I",
        (r"\mathbf{e}_{a}",),
        r"\mathbf{E}_{ab}",
        (Add, Sub, Concat, Had),
    ),
}


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
            return f"{self.n.transposed(self.n.parameter(m.arg.name))} {vector}"
        return f"{self.n.parameter(m.name)} {vector}"

    def group(self, text: str) -> str:
        return rf"\left({text}\right)"

    def had(self, left: str, right: str) -> str:
        return f"{self.n.diag(left)} {right}"

    def scale(self, text: str) -> str:
        return rf"\frac{{1}}{{T}} {text}" if self.n.model.reduction == "mean" else text

    def concat(self, top: str, bottom: str) -> str:
        return rf"\begin{{bmatrix}} {top} \\ {bottom} \end{{bmatrix}}"


def scriptable(latex: str) -> str:
    r"""A name's LaTeX that takes a superscript after it: braced when it has one of its
    own (notes' ``y^{\langle t \rangle}``, ``W^{(hh)}``), since ``y^{...}^\top`` is
    TeX's "double superscript".

    Example:
        >>> print(scriptable(r"y^{\langle t \rangle}"), scriptable(r"\mathbf{h}_{t}"))
        {y^{\langle t \rangle}} \mathbf{h}_{t}
    """
    depth, script = 0, False
    for c in latex:
        depth += c == "{"
        depth -= c == "}"
        if depth == 0 and c in " +-(":  # not one name: as it is
            return latex
        script = script or (c == "^" and depth == 0)
    return "{" + latex + "}" if script else latex
