"""The primitive table: everything symbptt knows about an elementwise function, in one row.

Each row says, for one activation: its value and derivative in the exact rings (the
derivative as a polynomial in the value, and the same relation as a rewrite rule for the
canonical form), its real function for intervals and points (mpmath), its SymPy form for
the nested reference, its NumPy text for generated code, and its LaTeX name. The engines,
the printer, the code generator and the command line all read this table, so adding an
activation is adding a row (and a test that it compiles in every place).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _tanh(ctx: Any, z: Any, order: int) -> Any:
    y = 1 - 2 / (ctx.exp(2 * z) + 1)
    return y if order == 0 else 1 - y * y


def _sigmoid(ctx: Any, z: Any, order: int) -> Any:
    y = 1 / (1 + ctx.exp(-z))
    return y if order == 0 else y * (1 - y)


def _softplus(ctx: Any, z: Any, order: int) -> Any:
    return ctx.log(1 + ctx.exp(z)) if order == 0 else 1 / (1 + ctx.exp(-z))


@dataclass(frozen=True)
class Primitive:
    """What the engines need to know about one elementwise function.

    Attributes:
        name: the name used on the command line and in spec files.
        description: one line for help texts.
        derivative_of_value: how phi'(s) is written in terms of y = phi(s), as a function
            of ``(y, one)`` working in any commutative ring; ``None`` when phi' is not a
            polynomial in phi (then phi(s) and phi'(s) are independent atoms).
        square_rule: the same relation solved for y^2, as a function of ``(y, dy, one)``
            (tanh: y^2 = 1 - dy); the exact canonical form keeps phi'(s) as an atom and
            rewrites y^2 with it, which avoids the 2^T terms that expanding
            prod (1 - y_j^2) would produce.
        is_identity: phi(s) = s, so phi(s) is not an atom at all.
        latex: how documents name it, e.g. ``\\tanh``.
        real: its value (order 0) or derivative (order 1) at a real or interval argument,
            as ``real(ctx, z, order)`` with an mpmath context; ``None`` when it is not a
            concrete transcendental function (generic: chosen values; identity: a
            polynomial).
        sympy: the name of its SymPy form in the nested closed forms: ``generic`` (an
            undefined function named after its role), ``identity``, a SymPy function
            (``tanh``) or a class of :mod:`symbptt.core.sympy_functions`.
        sympy_derivative: the class of :mod:`symbptt.core.sympy_functions` that SymPy's
            ``diff`` gives for its derivative, when that is a node of its own
            (softplus' = sigma); printed with ``derivative_latex``.
        numpy: NumPy text of the value at ``{s}`` and of the derivative given the value
            ``{y}`` (and ``{s}``); ``None`` for a function with no concrete form.
    """

    name: str
    description: str
    derivative_of_value: Callable[[Any, Any], Any] | None = None
    square_rule: Callable[[Any, Any, Any], Any] | None = None
    is_identity: bool = False
    latex: str = ""
    real: Callable[[Any, Any, int], Any] | None = None
    sympy: str = "generic"
    sympy_derivative: str | None = None
    derivative_latex: str = ""
    numpy: tuple[str, str] | None = None


#: The activations, by name (the order of help texts).
PRIMITIVES: dict[str, Primitive] = {
    p.name: p
    for p in (
        Primitive(
            "generic",
            "an undefined differentiable function; identities that hold "
            "for it hold for every activation",
        ),
        Primitive(
            "tanh",
            "hyperbolic tangent, tanh' = 1 - tanh^2",
            derivative_of_value=lambda y, one: one - y * y,
            square_rule=lambda y, dy, one: one - dy,
            latex=r"\tanh",
            real=_tanh,
            sympy="tanh",
            numpy=("np.tanh({s})", "1.0 - {y} ** 2"),
        ),
        Primitive(
            "sigmoid",
            "logistic function, sigma' = sigma (1 - sigma)",
            derivative_of_value=lambda y, one: y * (one - y),
            square_rule=lambda y, dy, one: y - dy,
            latex=r"\sigma",
            real=_sigmoid,
            sympy="sigmoid",
            numpy=("1.0 / (1.0 + np.exp(-{s}))", "{y} * (1.0 - {y})"),
        ),
        Primitive(
            "identity",
            "phi(s) = s",
            derivative_of_value=lambda y, one: one,
            is_identity=True,
            latex=r"\mathrm{id}",
            sympy="identity",
            numpy=("{s}", "np.ones_like({y})"),
        ),
        Primitive(
            "softplus",
            "log(1 + e^s), whose derivative is the logistic function",
            latex=r"\operatorname{softplus}",
            real=_softplus,
            sympy="softplus",
            sympy_derivative="softplus_prime",
            derivative_latex=r"\sigma",
            numpy=("np.logaddexp(0.0, {s})", "1.0 / (1.0 + np.exp(-{s}))"),
        ),
    )
}

#: The real functions by name (for intervals and points).
#: The activations a model's function roles take: the rows of the primitive table.
ACTIVATIONS: dict[str, Primitive] = PRIMITIVES

REAL_FUNCTIONS: dict[str, Callable[[Any, Any, int], Any]] = {
    p.name: p.real for p in PRIMITIVES.values() if p.real is not None
}


def _softmax(ctx: Any, z: tuple[Any, ...], q: int) -> Any:
    """softmax(z)[q], shifted by an entry of z for range (exact in interval arithmetic)."""
    exps = [ctx.exp(x - z[0]) for x in z]
    return exps[q] / sum(exps[1:], exps[0])


def _logsumexp(ctx: Any, z: tuple[Any, ...], q: int) -> Any:
    """log sum_j exp(z_j) (``q`` unused: one value per vector)."""
    return z[0] + ctx.log(sum((ctx.exp(x - z[0]) for x in z[1:]), ctx.mpf(1)))


#: Functions of a whole vector (the softmax cross-entropy head), for intervals and
#: points: ``f(ctx, z, q)`` is entry q of f(z) (logsumexp has one entry). Their atoms in
#: the exact rings are ``(name, 0, (vector, (t, q)))`` and ``(name, 0, (vector, t))``.
VECTOR_FUNCTIONS: dict[str, Callable[[Any, tuple[Any, ...], int], Any]] = {
    "softmax": _softmax,
    "logsumexp": _logsumexp,
}


#: The SymPy forms that are classes of symbptt.core.sympy_functions.
OWN_SYMPY = {"sigmoid", "softplus"}

#: LaTeX of the classes of symbptt.core.sympy_functions, by class name (the values and
#: derivatives of the table's functions that SymPy does not print itself).
SYMPY_LATEX: dict[str, str] = {
    **{p.sympy: p.latex for p in PRIMITIVES.values() if p.sympy in OWN_SYMPY},
    **{p.sympy_derivative: p.derivative_latex for p in PRIMITIVES.values() if p.sympy_derivative},
}

#: The activations that generated NumPy code can compute.
NUMPY_PRIMITIVES: dict[str, tuple[str, str]] = {
    p.name: p.numpy for p in PRIMITIVES.values() if p.numpy is not None
}


def sympy_form(name: str, role: str) -> Any:
    """The SymPy callable for an activation in the nested forms (generic: an undefined
    function named after the role, ``phi`` or ``theta``)."""
    import sympy as sp

    from symbptt.core import sympy_functions

    form = PRIMITIVES[name].sympy
    if form == "generic":
        return sp.Function(role)
    if form == "identity":
        return lambda z: z
    if form in OWN_SYMPY:
        return getattr(sympy_functions, form)
    return getattr(sp, form)


def derivative_classes() -> dict[Any, type]:
    """The SymPy form of each primitive whose derivative is a node of its own, with the
    class of that node (softplus -> softplus_prime)."""
    from symbptt.core import sympy_functions

    return {
        getattr(sympy_functions, p.sympy): getattr(sympy_functions, p.sympy_derivative)
        for p in PRIMITIVES.values()
        if p.sympy_derivative
    }
