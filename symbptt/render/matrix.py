r"""LaTeX for the vector model: bold vectors, matrices, transposes and diag(.).

One convention throughout (the issue asks for it to be consistent): column vectors are
bold (\mathbf{h}_t), matrices are upright capitals with subscripts (W_{hh}), transposes
are ^\top, and an elementwise product is written diag(a) b, never with \odot, so that
Jacobians diag(phi'(s_j)) W_hh and the backward recursion read alike.

The objects printed are the engine's: :class:`symbptt.derive.adjoint.Program` (the
verified backward recursion) and :class:`symbptt.derive.expansion.ChainTerm` (the terms
of the expansion, the same ones the vector verifier evaluates as matrices).
"""

from __future__ import annotations

from ..core.tensor import Add, Concat, Expr, Param, Sub, Transpose, Var, render
from ..derive.adjoint import AtFirst, OuterSum, Program, Step
from ..derive.expansion import ChainTerm
from .printer import IMMEDIATE_STYLES, Notation

#: LaTeX of each parameter (and of note 000's w_h).
PARAMETER_LATEX = {
    "W_hh": "W_{hh}",
    "W_xh": "W_{xh}",
    "W_hy": "W_{hy}",
    "b_h": r"\mathbf{b}_{h}",
    "b_y": r"\mathbf{b}_{y}",
    "h_0": r"\mathbf{h}_{0}",
    "w_h": "w_{h}",
}

#: Time-indexed vectors: their LaTeX, with @ for the time index.
VECTOR_LATEX = {
    "x": r"\mathbf{x}_{@}",
    "d": r"\mathbf{d}_{@}",
    "s": r"\mathbf{s}_{@}",
    "h": r"\mathbf{h}_{@}",
    "z": r"\mathbf{z}_{@}",
    "o": r"\mathbf{o}_{@}",
    "yhat": r"\hat{\mathbf{y}}_{@}",
    "g": r"\mathbf{g}_{@}",
    "delta": r"\boldsymbol{\delta}_{@}",
    "dphi": r"\phi'(\mathbf{s}_{@})",
    "dtheta": r"\theta'(\mathbf{z}_{@})",
}


def index(base: str | int, shift: int = 0) -> str:
    """t + shift as people write it: t, t-1, T+1, 3."""
    if isinstance(base, int):
        return str(base + shift)
    if shift == 0:
        return base
    return f"{base}{'+' if shift > 0 else '-'}{abs(shift)}"


def vector(name: str, at: str | int, shift: int = 0, table: dict[str, str] | None = None) -> str:
    r"""A time-indexed vector, e.g. ``vector("h", "t", -1)`` is \mathbf{h}_{t-1};
    ``table`` is a model's LaTeX (:meth:`symbptt.core.model.Model.latex`)."""
    return (table or VECTOR_LATEX)[name].replace("@", index(at, shift))


def parameter(name: str) -> str:
    """A parameter's LaTeX."""
    return PARAMETER_LATEX[name]


class ProgramPrinter:
    """Prints program expressions at a time index (``"t"``, ``"T"`` or a number)."""

    def __init__(
        self,
        reduction: str,
        table: dict[str, str] | None = None,
        functions: dict[str, str] | None = None,
    ) -> None:
        self.reduction, self.table, self.functions = reduction, table, functions or {}

    def expr(self, e: Expr, at: str | int) -> str:
        return render(e, _LatexStyle(at, self.reduction, self.table, self.functions))

    def step(self, step: Step, at: str | int) -> tuple[str, str]:
        """(lhs, rhs) of a step at ``at``."""
        return vector(step.name, at, table=self.table), self.expr(step.expr, at)

    def result(self, result: OuterSum | AtFirst, loss: str) -> tuple[str, str]:
        """(lhs, rhs) of a gradient, with the sum over t written out symbolically."""
        lhs = gradient(result.name, loss)
        if isinstance(result, AtFirst):
            return lhs, self.expr(result.expr, 1)
        return lhs, r"\sum_{t=1}^{T} " + self.summand(result, "t")

    def summand(self, result: OuterSum, at: str | int) -> str:
        """One term of an outer-product sum at ``at``."""
        left = self.expr(result.left, at)
        if result.right is None:
            return left
        right = self.expr(result.right, at)
        if isinstance(result.right, (Add, Sub, Concat)):
            right = rf"\left({right}\right)"
        return f"{left} {right}^\\top"


class _LatexStyle:
    """The matrix notation of this module, at one time index."""

    def __init__(
        self,
        at: str | int,
        reduction: str,
        table: dict[str, str] | None,
        functions: dict[str, str] | None = None,
    ) -> None:
        self.at, self.reduction, self.table = at, reduction, table
        self.functions = functions or {}

    def var(self, v: Var) -> str:
        return vector(v.name, self.at, v.shift, self.table)

    def param(self, p: Param) -> str:
        return parameter(p.name)

    def apply(self, role: str, arg: str) -> str:
        return f"{self.functions.get(role, chr(92) + role)}({arg})"

    def neg(self, text: str) -> str:
        return f"-{text}"

    def one_minus(self, text: str) -> str:
        return rf"\left(\mathbf{{1}} - {text}\right)"

    def matvec(self, m: Param | Transpose, vector: str) -> str:
        name = f"{parameter(m.arg.name)}^\\top" if isinstance(m, Transpose) else parameter(m.name)
        return f"{name} {vector}"

    def group(self, text: str) -> str:
        return rf"\left({text}\right)"

    def had(self, left: str, right: str) -> str:
        return rf"\operatorname{{diag}}\!\left({left}\right) {right}"

    def scale(self, text: str) -> str:
        return rf"\frac{{1}}{{T}} {text}" if self.reduction == "mean" else text

    def concat(self, top: str, bottom: str) -> str:
        return rf"\begin{{bmatrix}} {top} \\ {bottom} \end{{bmatrix}}"


def gradient(name: str, loss: str = "L") -> str:
    """dL/dP (denominator layout: the shape of P)."""
    return rf"\frac{{\partial {loss}}}{{\partial {parameter(name)}}}"


def jacobian(j: str | int, shift: int = 0, notation: Notation | None = None) -> str:
    """dh_j/dh_{j-1} (numerator layout: rows follow h_j)."""
    d = (notation or Notation()).total
    return rf"\frac{{{d} {vector('h', j, shift)}}}{{{d} {vector('h', j, shift - 1)}}}"


def jacobian_in_model(j: str | int, shift: int = 0) -> str:
    """diag(phi'(s_j)) W_hh."""
    return rf"\operatorname{{diag}}\!\left({vector('dphi', j, shift)}\right) W_{{hh}}"


def total(i: str | int, name: str, notation: Notation | None = None, shift: int = 0) -> str:
    """dh_i/dP."""
    d = (notation or Notation()).total
    return rf"\frac{{{d} {vector('h', i, shift)}}}{{{d} {parameter(name)}}}"


def immediate(i: str | int, name: str, notation: Notation | None = None, shift: int = 0) -> str:
    """d+h_i/dP (h_{i-1} held fixed)."""
    n = notation or Notation()
    mark = IMMEDIATE_STYLES[n.immediate]
    return rf"\frac{{{mark} {vector('h', i, shift)}}}{{{n.total} {parameter(name)}}}"


def chain_term_factors(term: ChainTerm, name: str, notation: Notation | None = None) -> list[str]:
    """A term (J_target ... J_first) leaf as LaTeX factors, latest Jacobian on the left."""
    factors = [jacobian(j, notation=notation) for j in term.jacobian_indices]
    i = term.leaf_index
    if term.leaf == "immediate":
        factors.append(immediate(i, name, notation))
    elif term.leaf == "total":
        factors.append(total(i, name, notation))
    else:
        factors.append(
            rf"\left({immediate(i, name, notation)} + {jacobian(i, notation=notation)} "
            rf"{total(i - 1, name, notation)}\right)"
        )
    return factors


def model_term_factors(term: ChainTerm, name: str, notation: Notation | None = None) -> list[str]:
    """The same term with each Jacobian as diag(phi'(s_j)) W_hh."""
    factors = [jacobian_in_model(j) for j in term.jacobian_indices]
    factors.append(immediate(term.leaf_index, name, notation))
    return factors


def program_rows(
    program: Program, reduction: str, loss: str = "L", table: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """The general (symbolic t) rows of a program: ``steps`` and ``results``."""
    printer = ProgramPrinter(reduction, table)
    steps = []
    for step in program.steps:
        lhs, rhs = printer.step(step, "t")
        steps.append(f"{lhs} &= {rhs}")
        if step.recursive:
            steps.append(f"{vector(step.name, 'T', 1, table)} &= \\mathbf{{0}}")
    results = [" &= ".join(printer.result(r, loss)) for r in program.results]
    return {"steps": steps, "results": results}
