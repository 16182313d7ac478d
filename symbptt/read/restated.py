r"""A model equation written as a chain: ``a^t = \tanh(W_c x^t + U_c h^{t-1}) = \tanh(\hat{a}^t)``.

Notes state a quantity and, in the same display, name a part of it: the second right
side restates the first with a new name for a subexpression (the pre-activation
``\hat{a}^t``). :func:`names_in` matches the restatement against the definition and
returns what each new name stands for, so the model computes it; a restatement that is
not the definition with some parts named (another formula, an expansion entry by entry)
is not read, since the display would then state the quantity twice.
"""

from __future__ import annotations

from collections.abc import Callable

from symbptt.core.tensor import Apply, Binary, Expr, MatVec, Param, Transpose, Var, children


def names_in(definition: Expr, restated: Expr, new: Callable[[str], bool]) -> dict[str, Expr]:
    """What each new name of ``restated`` stands for in ``definition`` (``new(name)``:
    whether a name is computed nowhere else, so it may name a part), or raises
    ValueError when ``restated`` is not ``definition`` with parts named.

    Example:
        >>> from symbptt.core.tensor import Add, text
        >>> d = Apply("tanh", Add(MatVec(Param("W"), Var("x")), MatVec(Param("U"), Var("h", -1))))
        >>> found = names_in(d, Apply("tanh", Var("a")), {"a"}.__contains__)
        >>> {n: text(e) for n, e in found.items()}
        {'a': 'W x_t + U h_(t-1)'}
    """
    bound: dict[str, Expr] = {}
    _match(definition, restated, new, bound)
    return bound


def _match(d: Expr, r: Expr, new: Callable[[str], bool], bound: dict[str, Expr]) -> None:
    if isinstance(r, Var | Param) and new(r.name) and r != d:
        if isinstance(r, Var) and r.shift != 0:
            raise ValueError(f"{r.name} is named at another step than the quantity")
        if bound.setdefault(r.name, d) != d:
            raise ValueError(f"{r.name} names two different parts")
        return
    if type(d) is not type(r):
        raise ValueError("the sides differ")
    if isinstance(d, Var | Param | Transpose):
        if d != r:
            raise ValueError("the sides differ")
        return
    if isinstance(d, Apply) and d.role != r.role:  # type: ignore[union-attr]
        raise ValueError("the sides apply different functions")
    if isinstance(d, MatVec) and d.matrix != r.matrix:  # type: ignore[union-attr]
        raise ValueError("the sides multiply by different matrices")
    if isinstance(d, Binary) and type(d) is not type(r):
        raise ValueError("the sides differ")
    for a, b in zip(children(d), children(r), strict=True):
        _match(a, b, new, bound)
