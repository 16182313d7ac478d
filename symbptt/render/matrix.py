r"""LaTeX in matrix notation for any model of the core: bold vectors, matrices, ^\top, diag.

One convention throughout: column vectors are bold (\mathbf{h}_t), matrices are capitals
with subscripts (W_{hh}), transposes are ^\top, and an elementwise product is written
diag(a) b, never with \odot, so that Jacobians such as diag(phi'(s_j)) W_hh and the
backward recursion read alike. Every name comes from the model's notation table
(:meth:`symbptt.core.model.Model.latex`); a model with several states is differentiated
through its stacked state, written \boldsymbol{\xi}_t.

The objects printed are the engine's: the model's one-step equations, the derived
tangents of :mod:`symbptt.derive.jvp` (printed as the matrices they apply), the verified
backward :class:`symbptt.derive.adjoint.Program`, and the terms
(:class:`symbptt.derive.expansion.ChainTerm`) of the expansion that the verifier
evaluates as matrices.

A model in scalar notation (the seeds' scalar RNN, every variable 1x1) is the same
notation with its degenerate cases written as people write numbers: diag(a) b is a b,
transposes vanish, the unit matrix E_ab and the identity are 1, the zero vector is 0.
"""

from __future__ import annotations

from symbptt.core.model import Model
from symbptt.core.tensor import (
    Add,
    Expr,
    Had,
    MatVec,
    Neg,
    Param,
    Sub,
    Transpose,
    Var,
    children,
    matrix_name,
    render,
)
from symbptt.derive.adjoint import AtFirst, OuterSum, Program, Step, read_later
from symbptt.derive.expansion import ChainTerm
from symbptt.derive.jvp import DIRECTION
from symbptt.render.latex_style import SYMBOLS, LatexStyle, scriptable
from symbptt.render.layout import LINE_WIDTH, Term, grouped, width
from symbptt.render.notation import IMMEDIATE_STYLES, Notation
from symbptt.render.terms import broken_rows, expression_terms, operand_factors

#: Line width for displays in matrix notation, in em: narrower than the estimate's
#: default, because bold letters and the growing parentheses of diag(.) are wider than
#: :func:`symbptt.render.layout.width` counts them.
MATRIX_LINE_WIDTH = LINE_WIDTH - 3

#: The row that stands for elided rows of a display.
VDOTS = r"&\;\;\vdots"

#: The widest sum (in em) kept in parentheses as one factor of a product; a wider one
#: is multiplied out, so that its terms can go on lines of their own.
GROUP_WIDTH = 20.0

#: The stacked state of a model with several states (its states one above the other).
STACKED_STATE = r"\boldsymbol{\xi}_{@}"


def index(base: str | int, shift: int = 0) -> str:
    """t + shift as people write it: t, t-1, T+1, 3."""
    if isinstance(base, int):
        return str(base + shift)
    if shift == 0:
        return base
    return f"{base}{'+' if shift > 0 else '-'}{abs(shift)}"


def at(template: str, base: str | int, shift: int = 0) -> str:
    """A time-indexed LaTeX template (``@`` for the index) at ``base + shift``."""
    return template.replace("@", index(base, shift))


def diag(text: str) -> str:
    r"""diag(text), the matrix of an elementwise product (one pair of parentheses)."""
    return rf"\operatorname{{diag}}\!\left({_unwrapped(text)}\right)"


def _unwrapped(text: str) -> str:
    r"""``text`` without an outer \left( ... \right) that encloses all of it."""
    if not (text.startswith(r"\left(") and text.endswith(r"\right)")):
        return text
    depth = 0
    for n in range(len(text)):
        if text.startswith(r"\left", n):
            depth += 1
        elif text.startswith(r"\right", n):
            depth -= 1
            if depth == 0 and n != len(text) - len(r"\right)"):
                return text  # the first group closes before the end: (a) b (c)
    return text[len(r"\left(") : -len(r"\right)")]


class MatrixNotation:
    r"""The matrix notation of one model and the document's derivative symbols.

    Example:
        >>> from symbptt import cells
        >>> print(MatrixNotation(cells.declare("elman", hidden=2)).vector("h", "t", -1))
        \mathbf{h}_{t-1}
    """

    def __init__(
        self,
        model: Model,
        notation: Notation | None = None,
        first: int = 1,
        line_width: float = LINE_WIDTH,
    ) -> None:
        self.model = model
        self.notation = notation or Notation()
        #: the widths (in em) that displays are broken to: a line of a display in scalar
        #: notation, in matrix notation (narrower, see :data:`MATRIX_LINE_WIDTH`), and
        #: the widest sum kept in parentheses (:data:`GROUP_WIDTH`), all scaled with the
        #: page (a fragment for a standard article is narrower than symbptt's document)
        self.line_width = line_width
        self.matrix_width = line_width - (LINE_WIDTH - MATRIX_LINE_WIDTH)
        self.group_width = GROUP_WIDTH * line_width / LINE_WIDTH
        #: the number the document gives the first step: 1, or 0 in a source that counts
        #: from 0 (Britz's s_0 is the model's h_1); a step k of the model is printed
        #: k + first - 1, and so is T (the last step T - 1); t, i, j are the source's own
        self.first = first
        self.table = model.latex()
        if model.head.loss == "generic":  # any loss: its gradient by the output, a series
            output = self.table[model.head.output]
            self.table.setdefault("lgrad", rf"\nabla_{{{output}}} \ell_{{@}}")
        self.functions = {role: tex for role, _, tex in model.functions}
        states = model.states
        self.state = self.table[states[0]] if len(states) == 1 else STACKED_STATE
        #: a model in scalar notation (every variable 1x1, the seeds' model) is printed
        #: as numbers: no diag, no transposes, 0 and 1 rather than bold vectors
        self.scalar = model.scalar
        #: the notation's name: a key of SYMBOLS and of the prose's wording
        self.kind = "scalar" if model.scalar else "matrix"
        self.symbols = SYMBOLS[self.kind]
        self.top, self.zero, self.one, self.identity = (
            self.symbols.top,
            self.symbols.zero,
            self.symbols.one,
            self.symbols.identity,
        )

    def diag(self, text: str) -> str:
        r"""The matrix of an elementwise product by ``text``: diag(text), or in scalar
        notation the factor itself (in parentheses if it is a sum)."""
        if not self.scalar:
            return diag(text)
        return grouped(text) if _is_sum(text) else text

    # -- names -----------------------------------------------------------------------
    def vector(self, name: str, base: str | int, shift: int = 0) -> str:
        """A time-indexed variable, e.g. ``vector("h", "t", -1)`` is \\mathbf{h}_{t-1}."""
        return at(self.table[name], base, self.shift(base, shift))

    def shift(self, base: str | int, shift: int = 0) -> int:
        """The shift at which the model's step ``base + shift`` is printed: the offset
        added to a number or to T, not to a step variable (t, i, j)."""
        return shift + self.first - 1 if isinstance(base, int) or base == "T" else shift

    def numbered(self, base: str | int, shift: int = 0) -> str:
        """The printed number of the model's step ``base + shift``: 3, t-1, T-1."""
        return index(base, self.shift(base, shift))

    def sum_over_steps(self, var: str = "t", upper: str = "T") -> str:
        """\\sum_{t=1}^{T} over every step, as the document numbers them (the sum to
        ``upper`` = "t-1" stops before t: its upper limit is a step variable's)."""
        top = self.numbered("T") if upper == "T" else upper
        return rf"\sum_{{{var}={self.first}}}^{{{top}}}"

    def parameter(self, name: str) -> str:
        """A parameter's (or a view's) LaTeX."""
        return self.table[name]

    def transposed(self, latex: str) -> str:
        """``latex`` with the notation's transpose mark (none for numbers), braced first
        where it has a superscript of its own (:func:`~symbptt.render.latex_style.scriptable`)."""
        return scriptable(latex) + self.top if self.top else latex

    def stacked(self, base: str | int, shift: int = 0) -> str:
        """The (stacked) state at ``base + shift``."""
        return at(self.state, base, self.shift(base, shift))

    # -- expressions of the core ---------------------------------------------------------
    def expr(self, e: Expr, base: str | int) -> str:
        """An expression of the core at a time index (``"t"``, ``"T"`` or a number)."""
        return render(e, LatexStyle(self, base))

    def step(self, step: Step, base: str | int) -> tuple[str, str]:
        """(lhs, rhs) of a backward program's step at ``base``."""
        return self.vector(step.name, base), self.expr(step.expr, base)

    def summand(self, result: OuterSum, base: str | int) -> str:
        """One term of an outer-product sum at ``base``."""
        return " ".join(self.summand_factors(result, base))

    def summand_factors(self, result: OuterSum, base: str | int) -> list[str]:
        """The factors of one term of an outer-product sum (where a long term breaks):
        the left vector's factors, then the right one transposed."""

        left = list(operand_factors(self, result.left, base))
        if result.right is None:
            return left
        right = self.expr(result.right, base)
        if isinstance(result.right, self.symbols.grouped):  # (a b)^T, (diag(f) h)^T
            right = grouped(right)
        return [*left, self.transposed(right)]

    def program_rows(self, program: Program) -> dict[str, list[str]]:
        """The general (symbolic t) rows of a backward program, broken to fit: ``steps``
        (each step that another reads at t + 1 starts at zero after T) and
        ``results``."""

        steps = []
        later = read_later(program)
        for step in program.steps:
            steps += broken_rows(
                self, self.vector(step.name, "t"), expression_terms(self, step.expr, "t")
            )
        for step in program.steps:
            if step.name in later:
                steps.append(f"{self.vector(step.name, 'T', 1)} &= {self.zero}")
        results = []
        for r in program.results:
            lhs = self.gradient(r.name)
            if isinstance(r, AtFirst):
                results += broken_rows(self, lhs, expression_terms(self, r.expr, 1))
            else:
                term = Term((self.sum_over_steps(), *self.summand_factors(r, "t")))
                results += broken_rows(self, lhs, [term])
        return {"steps": steps, "results": results}

    # -- derivatives ---------------------------------------------------------------------
    def gradient(self, name: str) -> str:
        """dL/dP (denominator layout: the shape of P)."""
        return rf"\frac{{\partial {self.notation.loss}}}{{\partial {self.parameter(name)}}}"

    def jacobian(self, j: str | int, shift: int = 0) -> str:
        """dstate_j/dstate_{j-1} (numerator layout: rows follow state_j)."""
        d = self.notation.total
        return rf"\frac{{{d} {self.stacked(j, shift)}}}{{{d} {self.stacked(j, shift - 1)}}}"

    def block(self, state: str, previous: str, j: str | int) -> str:
        """d(state)_j / d(previous)_{j-1}, one block of the Jacobian."""
        d = self.notation.total
        return rf"\frac{{{d} {self.vector(state, j)}}}{{{d} {self.vector(previous, j, -1)}}}"

    def total(self, i: str | int, name: str, shift: int = 0) -> str:
        """dstate_i/dP."""
        d = self.notation.total
        return rf"\frac{{{d} {self.stacked(i, shift)}}}{{{d} {self.parameter(name)}}}"

    def immediate(self, i: str | int, name: str, entry: str = "", state: str | None = None) -> str:
        """d+state_i/dP (the previous state held fixed), or d+state_i/dP_{entry}."""
        mark = IMMEDIATE_STYLES[self.notation.immediate]
        of = self.stacked(i) if state is None else self.vector(state, i)
        wrt = self.parameter(name) if not entry else f"({self.parameter(name)})_{{{entry}}}"
        return rf"\frac{{{mark} {of}}}{{{self.notation.total} {wrt}}}"

    def chain_term_factors(self, term: ChainTerm, name: str) -> list[str]:
        """A term (J_target ... J_first) leaf as LaTeX factors, latest Jacobian on the left."""
        factors = [self.jacobian(j) for j in term.jacobian_indices]
        i = term.leaf_index
        if term.leaf == "immediate":
            factors.append(self.immediate(i, name))
        elif term.leaf == "total":
            factors.append(self.total(i, name))
        else:
            factors.append(
                rf"\left({self.immediate(i, name)} + {self.jacobian(i)} "
                rf"{self.total(i - 1, name)}\right)"
            )
        return factors

    def model_term_factors(self, term: ChainTerm, name: str, tangent: Expr) -> list[str]:
        """The same term with each Jacobian in model quantities (``tangent``: the state's
        derived tangent along the previous state, a product such as diag(phi'(s_j)) W_hh;
        a Jacobian that is a sum is parenthesised)."""
        factors = []
        for j in term.jacobian_indices:
            terms = self.linear_terms(tangent, j)
            text = _joined(terms)
            factors.append(grouped(text) if len(terms) > 1 or terms[0].sign == "-" else text)
        factors.append(self.immediate(term.leaf_index, name))
        return factors

    def linear(self, tangent: Expr, base: str | int) -> str:
        """A derived tangent (:func:`symbptt.derive.jvp.state_tangents`) as the matrix it
        applies to its direction: along the previous state this is a Jacobian
        (``diag(phi'(s_t)) W_hh``), along a parameter entry the immediate partial, with
        the unit matrix E_{ab} (or unit vector e_a) in the parameter's place."""
        return _joined(self.linear_terms(tangent, base))

    def linear_terms(self, tangent: Expr, base: str | int) -> list[Term]:
        """:meth:`linear` as signed terms of factors, for
        :func:`symbptt.render.layout.break_sum` (an empty factor list is the identity)."""
        return _terms_of(self._linear(tangent, base), self.identity)

    def _linear(self, e: Expr, base: str | int) -> list[tuple[str, list[str]]]:
        """The signed terms of a tangent, each a list of factors (empty: the identity)."""
        if isinstance(e, Var) and e.name.startswith(DIRECTION):
            return [("+", [])]
        if isinstance(e, Param) and e.name.startswith(DIRECTION):
            return [("+", list(self.symbols.unit_vector))]
        if isinstance(e, Neg):
            return [(_flip(sign), f) for sign, f in self._linear(e.arg, base)]
        if isinstance(e, (Add, Sub)):
            right = self._linear(e.right, base)
            if isinstance(e, Sub):
                right = [(_flip(sign), f) for sign, f in right]
            return self._linear(e.left, base) + right
        if isinstance(e, MatVec):
            m = e.matrix
            name = matrix_name(m)
            top = self.top if isinstance(m, Transpose) else ""
            if name.startswith(DIRECTION):  # dP v: the unit matrix times what P multiplies
                vector = self.expr(e.vector, base)
                if isinstance(e.vector, (Add, Sub, Had, Neg)):
                    vector = grouped(vector)
                unit = [self.symbols.unit_matrix + top] if self.symbols.unit_matrix else []
                return [("+", [*unit, vector])]
            named = self.transposed(self.parameter(name)) if top else self.parameter(name)
            return self._prefixed(named, e.vector, base)
        if isinstance(e, Had):  # the tangents put the primal factor on the left
            primal, tangent = (e.left, e.right) if _is_primal(e.left) else (e.right, e.left)
            return self._prefixed(self.diag(self.expr(primal, base)), tangent, base)
        raise TypeError(f"not a tangent: {e!r}")  # pragma: no cover

    def _prefixed(self, factor: str, inner: Expr, base: str | int) -> list[tuple[str, list[str]]]:
        terms = self._linear(inner, base)
        if len(terms) == 1:
            sign, factors = terms[0]
            return [(sign, [factor, *factors])]
        inside = _joined(_terms_of(terms, self.identity))
        if width(inside) > self.group_width:  # too long for one pair of parentheses
            return [(sign, [factor, *f]) for sign, f in terms]
        return [("+", [factor, grouped(inside)])]


def _terms_of(signed: list[tuple[str, list[str]]], identity: str) -> list[Term]:
    """Signed factor lists as terms (an empty product is the identity)."""
    return [Term(tuple(factors) or (identity,), sign) for sign, factors in signed]


def _is_sum(text: str) -> bool:
    """Whether LaTeX has a + or - outside every group (``1 - h_t^2``, not ``\\phi(a + b)``)."""
    depth = 0
    for n, c in enumerate(text):
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif c in "+-" and depth == 0 and n > 0:
            return True
    return False


def _flip(sign: str) -> str:
    return "-" if sign == "+" else "+"


def _joined(terms: list[Term]) -> str:
    """Signed terms as one line: ``a - b + c``."""
    out = ""
    for n, term in enumerate(terms):
        if n == 0:
            out = ("-" if term.sign == "-" else "") + term.latex
        else:
            out += f" {term.sign} {term.latex}"
    return out


def _is_primal(e: Expr) -> bool:
    """Whether an expression contains no direction (a value of the forward pass)."""
    if isinstance(e, (Var, Param)):
        return not e.name.startswith(DIRECTION)
    if isinstance(e, MatVec):
        return not matrix_name(e.matrix).startswith(DIRECTION) and _is_primal(e.vector)
    return all(_is_primal(c) for c in children(e))
