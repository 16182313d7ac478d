"""Equations in matrix notation as terms and factors, for breaking long lines.

An expression of the core becomes the signed terms of :func:`symbptt.render.layout.
break_sum`, each a list of the factors printed side by side (diag(a), W, a vector), so
that a long sum breaks between terms and a long term between factors; a long sum in
parentheses contributes its own terms' factors between \\Bigl( and \\Bigr).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from symbptt.core.tensor import Add, Expr, Had, MatVec, Neg, Sub, Transpose, matrix_name
from symbptt.render.layout import Term, break_sum, grouped, width

if TYPE_CHECKING:
    from symbptt.render.matrix import MatrixNotation


def signed_summands(expr: Expr) -> list[tuple[str, Expr]]:
    """The terms of a sum or difference with their signs, left to right."""
    if isinstance(expr, Add):
        return signed_summands(expr.left) + signed_summands(expr.right)
    if isinstance(expr, Sub):
        flipped = [("-" if s == "+" else "+", e) for s, e in signed_summands(expr.right)]
        return signed_summands(expr.left) + flipped
    if isinstance(expr, Neg):
        return [("-" if s == "+" else "+", e) for s, e in signed_summands(expr.arg)]
    return [("+", expr)]


def factors(notation: MatrixNotation, expr: Expr, base: str | int) -> tuple[str, ...]:
    """An expression as the factors it is printed as side by side (where a long term
    may be broken): diag(a) b is diag(a) and b, W v is W and v."""
    if isinstance(expr, Had):
        left = notation.expr(expr.left, base)
        return (notation.diag(left), *operand_factors(notation, expr.right, base))
    if isinstance(expr, MatVec):
        m = expr.matrix
        name = notation.parameter(matrix_name(m))
        if isinstance(m, Transpose):
            name = notation.transposed(name)
        return (name, *operand_factors(notation, expr.vector, base))
    return (notation.expr(expr, base),)


def operand_factors(notation: MatrixNotation, expr: Expr, base: str | int) -> tuple[str, ...]:
    """The factors of an operand; a sum in parentheses is one factor, or, wider than
    the notation's ``group_width``, its terms' factors between \\Bigl( and \\Bigr) (sized by hand,
    so that a line may break inside the parentheses)."""
    if not isinstance(expr, (Add, Sub, Neg)):
        return factors(notation, expr, base)
    text = notation.expr(expr, base)
    if width(text) <= notation.group_width:
        return (grouped(text),)
    pieces: list[str] = []
    for sign, term in signed_summands(expr):
        parts = list(factors(notation, term, base))
        lead = "" if not pieces and sign == "+" else f"{sign} "
        pieces += [lead + parts[0], *parts[1:]]
    pieces[0] = r"\Bigl(" + pieces[0]
    pieces[-1] = pieces[-1] + r"\Bigr)"
    return tuple(pieces)


def expression_terms(notation: MatrixNotation, expr: Expr, base: str | int) -> list[Term]:
    """An expression as the terms of :func:`symbptt.render.layout.break_sum`."""
    return [Term(factors(notation, e, base), sign) for sign, e in signed_summands(expr)]


def broken_rows(notation: MatrixNotation, lhs: str, terms: list[Term]) -> list[str]:
    """An equation's ``align`` rows in matrix notation, broken at terms (and long terms
    at factors) to the notation's line width."""
    return break_sum(lhs, terms, max_width=notation.matrix_width)
