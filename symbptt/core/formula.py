"""The objects formulas are read into (the formula IR).

A formula about a model (read by :mod:`symbptt.read.formula`) is a SymPy expression
whose vectors, matrices and derivatives are *noncommutative*, so products keep the order
they were written in; :mod:`symbptt.formulas.evaluate` gives these objects their values.
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp

from symbptt.core import derivatives as E
from symbptt.errors import EvaluationError

# -- the objects a vector formula is read into ----------------------------------------------


class MatrixFunction(sp.Function):
    """A noncommutative SymPy function: matrix-valued, so products keep their order."""

    is_commutative = False


class Node(MatrixFunction):
    """A time-indexed vector of the unrolled model (``kind`` set by subclasses)."""

    nargs = 1
    kind = ""

    def _latex(self, printer: Any) -> str:
        return rf"\mathbf{{{self.kind}}}_{{{printer._print(self.args[0])}}}"


@functools.cache
def node_class(kind: str) -> type[Node]:
    """The class of the time-indexed vector ``kind`` (one class per name)."""
    return type(f"Node_{kind}", (Node,), {"kind": kind})


def param(name: str) -> sp.Symbol:
    """The symbol of a parameter (a noncommutative matrix)."""
    return sp.Symbol(name, commutative=False)


class Transposed(MatrixFunction):
    """A^T."""

    nargs = 1


class Component(MatrixFunction):
    """Entry i (counted from 1) of a vector: Goodfellow et al.'s o_i^{(t)} and
    (nabla_{o^{(t)}} L)_i. A formula with a component index that no sum binds holds for
    every component."""

    nargs = 2


class Reciprocal(MatrixFunction):
    """1 / yhat_t[i], an entry of the cross-entropy head's probabilities as a divisor
    (Huang's y_{t,k} / yhat_{t,k}): a softmax's entry is never 0."""

    nargs = 1


class LogProbability(MatrixFunction):
    """log yhat_t (entrywise) or log yhat_{t,k}: the logarithm of the cross-entropy head's
    probabilities, o_t - logsumexp(o_t) exactly (the loss -y_t . log yhat_t as notes
    write it)."""

    nargs = 1


class ParamAt(MatrixFunction):
    """P^{(t)}, the copy of the parameter P used at step t only (Goodfellow et al.'s
    device for the immediate partial): read in derivatives, dh^{(t)}/db^{(t)}."""

    nargs = 2


class StateAt(MatrixFunction):
    """s_k as step k + 1 reads it, the step's other inputs and s_k's other readers (its
    step's output) unchanged: the derivative of L by it is the part of dL/ds_k that step
    k + 1 passes back (what code-like notes' dh_prev and a cell's backward pass give)."""

    nargs = 1


#: The upper limit of a sum over a vector's components (\sum_i o_i ...): the vector's size.
COMPONENTS = sp.Symbol("components", integer=True, positive=True)


def component_indices(sides: list[sp.Expr]) -> set[sp.Symbol]:
    """The free indices that count a vector's components (not steps)."""
    found: set[sp.Symbol] = set()
    for side in sides:
        for c in side.atoms(Component):
            found |= c.args[1].free_symbols
    free = set().union(*(side.free_symbols for side in sides))
    return found & free


class Prod(MatrixFunction):
    """d2l.ai's prod(A, B): A and B multiplied "after the necessary operations, such as
    transposition and swapping input positions". In its chain rules A is the gradient
    of the loss by a quantity v and B the derivative of v by x, so prod(A, B) is
    B^T A, dL/dx in the shape of x; where that product does not fit, A B, then B A."""

    nargs = 2


class Diag(MatrixFunction):
    """diag(v): the diagonal matrix of a column vector."""

    nargs = 1


class Hadamard(MatrixFunction):
    """a (.) b (.) c ..., the elementwise product of two or more operands."""


class Block(MatrixFunction):
    """A block matrix: args are (rows, columns, *cells) with the cells row by row."""


class Activation(MatrixFunction):
    """phi, phi', theta or theta' applied entrywise to a node."""

    nargs = 1
    role = ""
    order = 0


@functools.cache
def activation(role: str, order: int) -> type[Activation]:
    """The class of a function role (order 0) or its derivative (order 1)."""
    return type(f"{role}{order}", (Activation,), {"role": role, "order": order})


class VTotal(MatrixFunction):
    """The total derivative d num / d den (see the module docstring for its layout)."""

    nargs = 2


class VGradient(VTotal):
    """nabla_den num: the total derivative of a scalar, in the shape of ``den`` whatever
    the layout the formula's fractions are read in."""


class VImmediate(MatrixFunction):
    """The immediate partial d+ h_t / d den, h_{t-1} held fixed."""

    nargs = 2


def has_product(sides: list[sp.Expr]) -> bool:
    """Whether a \\prod appears (its order is ambiguous for matrices)."""
    return any(side.has(sp.Product) for side in sides)


def free_indices(sides: list[sp.Expr]) -> tuple[sp.Symbol | None, sp.Symbol | None]:
    """The formula's free step indices: none, one (meaning every t), or t and one more,
    an earlier step (dh_t/dh_k = ... claimed for every t and every k < t)."""
    symbols = set().union(*(side.free_symbols for side in sides))
    free = {s for s in symbols if s.is_commutative} - {E.L, E.T, COMPONENTS}
    free -= component_indices(sides)
    names = sorted(map(str, free))
    if len(free) == 2 and "t" in names:
        t = next(s for s in free if str(s) == "t")
        return t, next(s for s in free if s != t)
    if len(free) > 1:
        raise EvaluationError(
            f"more than one free index ({', '.join(names)}); a formula may have one, meaning "
            f"every t, or t and one more, meaning every earlier step"
        )
    return next(iter(free), None), None


def free_index(sides: list[sp.Expr]) -> sp.Symbol | None:
    """The formula's one free index (meaning every t), if any."""
    index, other = free_indices(sides)
    if other is not None:
        raise EvaluationError(
            f"more than one free index ({index}, {other}); this takes one, meaning every t"
        )
    return index


def core_at(expr: Any, step: sp.Expr) -> sp.Expr | None:
    """A model equation's right side (:mod:`symbptt.core.tensor`) at ``step`` as the
    objects a formula is read into, or None where it has parts a formula cannot write
    so: how tanh(W_hh h_(t-1) + W_xh x_t + b_h), the pre-activation written out, is
    recognised as tanh(s_t)."""
    from symbptt.core import tensor as C

    if isinstance(expr, C.Var):
        return node_class(expr.name)(step + expr.shift)
    if isinstance(expr, C.Param):
        return param(expr.name)
    if isinstance(expr, C.MatVec) and isinstance(expr.matrix, C.Param):
        vector = core_at(expr.vector, step)
        return None if vector is None else param(expr.matrix.name) * vector
    if isinstance(expr, C.Add | C.Sub):
        left, right = core_at(expr.left, step), core_at(expr.right, step)
        if left is None or right is None:
            return None
        return left + right if isinstance(expr, C.Add) else left - right
    if isinstance(expr, C.Apply):
        arg = core_at(expr.arg, step)
        return None if arg is None else activation(expr.role, 0)(arg)
    return None
