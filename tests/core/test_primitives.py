"""The primitive table: every row's spellings (exact relations, real function, SymPy, NumPy,
LaTeX) describe one and the same function."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from symbptt.core import sympy_functions
from symbptt.core.primitives import (
    PRIMITIVES,
    SYMPY_LATEX,
    Primitive,
    derivative_classes,
    sympy_form,
)

CONCRETE = [p for p in PRIMITIVES.values() if p.name != "generic"]
POINTS = [-2.5, -0.3, 0.0, 0.7, 3.1]


def value(p: Primitive, z: float, order: int) -> float:
    """The function (or its derivative) at z, from its SymPy form (SymPy's own diff), with
    the table's function classes evaluated by their real functions."""
    s = sp.Symbol("s")
    form = sympy_form(p.name, "phi")(s)
    expr = (sp.diff(form, s) if order else form).subs(s, z)
    for prim in PRIMITIVES.values():
        for name, k in ((prim.sympy, 0), (prim.sympy_derivative, 1)):
            cls = getattr(sympy_functions, name or "", None)
            if cls is not None:
                expr = expr.replace(cls, lambda a, prim=prim, k=k: _real(prim, a, k))
    return float(expr)


def _real(p: Primitive, a: sp.Expr, order: int) -> sp.Float:
    return sp.Float(float(p.real(mpmath.mp, mpmath.mpf(float(a)), order)))


@pytest.mark.parametrize("p", [p for p in CONCRETE if p.real], ids=lambda p: p.name)
def test_the_real_derivative_is_the_derivative_of_the_real_function(p: Primitive) -> None:
    for z in POINTS:
        numeric = mpmath.diff(lambda x: p.real(mpmath.mp, x, 0), z)
        assert abs(p.real(mpmath.mp, mpmath.mpf(z), 1) - numeric) < 1e-12


@pytest.mark.parametrize("p", [p for p in CONCRETE if p.derivative_of_value], ids=lambda p: p.name)
def test_the_derivative_as_a_polynomial_in_the_value_is_right(p: Primitive) -> None:
    for z in POINTS:
        y = float(value(p, z, 0))
        assert abs(p.derivative_of_value(y, 1.0) - value(p, z, 1)) < 1e-12


@pytest.mark.parametrize("p", [p for p in CONCRETE if p.square_rule], ids=lambda p: p.name)
def test_the_rewrite_rule_is_the_same_relation_solved_for_y_squared(p: Primitive) -> None:
    y = sp.Symbol("y")
    dy = p.derivative_of_value(y, 1)
    assert sp.expand(p.square_rule(y, dy, 1) - y**2) == 0


@pytest.mark.parametrize("p", [p for p in CONCRETE if p.numpy], ids=lambda p: p.name)
def test_the_numpy_text_computes_the_function_and_its_derivative(p: Primitive) -> None:
    s = np.array(POINTS)
    namespace = {"np": np, "S": s}
    y = eval(p.numpy[0].format(s="S"), namespace)  # noqa: S307 - our own table's text
    dy = eval(p.numpy[1].format(s="S", y="Y"), {**namespace, "Y": y})  # noqa: S307
    expected = [value(p, z, 0) for z in POINTS], [value(p, z, 1) for z in POINTS]
    assert np.allclose(y, expected[0], atol=1e-12) and np.allclose(dy, expected[1], atol=1e-12)


def test_every_function_class_of_the_table_has_latex() -> None:
    for form, derivative in derivative_classes().items():
        assert SYMPY_LATEX[form.__name__] and SYMPY_LATEX[derivative.__name__]
    for p in CONCRETE:
        assert p.latex
        if hasattr(sympy_functions, p.sympy):
            assert SYMPY_LATEX[p.sympy] == p.latex
