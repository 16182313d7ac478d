r"""Repairs: the single edits that make a formula that does not hold, hold.

A wrong gradient formula is usually one slip away from a right one: phi' where theta'
belongs (question 002), an index off by one, a total derivative where the immediate
partial is meant (note 000's boxed formula), a factor not transposed, a product written
the other way round, a 1/T added or dropped. For a formula that fails, each such edit of
its sides is tried, decided by the modular method (exact evaluation modulo a random
127-bit prime), and every edit under which it holds is reported ("holds if phi'(h_t) is
replaced by theta'(h_t)"). A repair is a hint about the formula, never part of the
verdict: the formula as written still does not hold.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import sympy as sp

from symbptt.core import derivatives as E
from symbptt.core.formula import (
    Activation,
    Node,
    Transposed,
    VImmediate,
    VTotal,
    activation,
    node_class,
)
from symbptt.limits import REPAIR_MAX_EDITS, REPAIR_MAX_SECONDS, remaining

#: At most this many edits are tried, within this many seconds (the limits' table).
MAX_EDITS = REPAIR_MAX_EDITS
MAX_SECONDS = REPAIR_MAX_SECONDS
#: Repairs stop this long before the check's deadline (:func:`symbptt.limits.remaining`):
#: they are suggestions, and the counterexample is searched after them.
RESERVE_SECONDS = 3.0


def describe(e: Any) -> str:
    """A formula's object in plain text, as messages name them (phi'(h_t), W_hh^T)."""
    if isinstance(e, Node):
        return f"{e.kind}_{_index(e.args[0])}"
    if isinstance(e, Activation):
        return f"{e.role}{chr(39) * e.order}({describe(e.args[0])})"
    if isinstance(e, Transposed):
        return (
            f"({describe(e.args[0])})^T"
            if isinstance(e.args[0], sp.Mul)
            else f"{describe(e.args[0])}^T"
        )
    if isinstance(e, VImmediate):
        return f"d+{describe(e.args[0])}/d{describe(e.args[1])}"
    if isinstance(e, VTotal):
        return f"d{describe(e.args[0])}/d{describe(e.args[1])}"
    if isinstance(e, E.StepLoss):
        return f"l_{_index(e.args[0])}"
    if isinstance(e, sp.Mul) and not e.is_commutative:
        return " ".join(describe(a) for a in e.args)
    return str(e)


def _index(i: Any) -> str:
    text = str(i).replace(" ", "")
    return text if len(text) == 1 else f"({text})"


def edits(
    sides: list[sp.Expr],
    roles: list[str],
    arguments: dict[str, list[str]],
    order: tuple[str, ...] = (),
) -> Iterator[tuple[str, list[sp.Expr]]]:
    """(what was changed, the edited sides) for each single edit of the right-hand
    sides; ``roles`` are the model's function roles, ``arguments`` the kinds each is
    applied to and ``order`` the kinds a step computes, in order."""
    left, rights = sides[0], sides[1:]
    seen: set[str] = set()
    made: set[str] = set()  # the edited formulas: two edits that give one are one repair

    def replaced(old: Any, new: Any, said: str) -> Iterator[tuple[str, list[sp.Expr]]]:
        out = [left, *(_untwist(r.xreplace({old: new})) for r in rights)]
        key = str(out)
        if (
            out != sides
            and said not in seen
            and key not in made
            and not _degenerate(out[1:], order)
        ):
            seen.add(said)
            made.add(key)
            yield said, out

    atoms: set[Any] = set().union(*(r.atoms(Activation, Node, VTotal, VImmediate) for r in rights))
    for a in sorted(atoms, key=str):
        if isinstance(a, Activation):
            for role in roles:  # phi' and theta' swapped
                if role != a.role:
                    new = activation(role, a.order)(a.args[0])
                    yield from replaced(a, new, f"{describe(a)} is replaced by {describe(new)}")
            arg = a.args[0]
            if isinstance(arg, Node):  # the function at its own argument: phi'(s_t), not phi'(h_t)
                for kind in arguments.get(a.role, []):
                    if kind != arg.kind:
                        new = activation(a.role, a.order)(node_class(kind)(arg.args[0]))
                        yield from replaced(a, new, f"{describe(a)} is replaced by {describe(new)}")
        elif isinstance(a, Node):  # an index off by one
            for shift in (-1, 1):
                new = a.func(a.args[0] + shift)
                yield from replaced(a, new, f"{describe(a)} is replaced by {describe(new)}")
        elif isinstance(a, VImmediate):
            new = VTotal(*a.args)
            yield from replaced(
                a, new, f"the immediate partial {describe(a)} is the total derivative"
            )
        elif isinstance(a, VTotal) and type(a) is VTotal:
            new = VImmediate(*a.args)
            yield from replaced(a, new, f"{describe(a)} is the immediate partial {describe(new)}")
    for t in sorted(set().union(*(r.atoms(Transposed) for r in rights)), key=str):
        yield from replaced(t, t.args[0], f"{describe(t)} is replaced by {describe(t.args[0])}")
    symbols = sorted({s for r in rights for s in r.free_symbols if not s.is_commutative}, key=str)
    for p in symbols:  # a matrix transposed (a transpose dropped comes first, above)
        yield from replaced(p, Transposed(p), f"{p} is replaced by {p}^T")
    products = sorted(
        {m for r in rights for m in r.atoms(sp.Mul) if not m.is_commutative and len(m.args) > 1},
        key=str,
    )
    for m in products:  # a product the other way round
        reverse = sp.Mul(*reversed(m.args), evaluate=False)
        yield from replaced(m, reverse, f"the product {describe(m)} is written the other way round")
    scale = sp.Pow(E.T, -1)
    yield "a factor 1/T is added", [left, *(sp.Mul(scale, r, evaluate=False) for r in rights)]
    yield (
        "a factor 1/T is dropped (times T)",
        [left, *(sp.Mul(E.T, r, evaluate=False) for r in rights)],
    )


def _untwist(e: sp.Expr) -> sp.Expr:
    """``e`` with (A^T)^T written A."""
    return e.replace(
        lambda x: isinstance(x, Transposed) and isinstance(x.args[0], Transposed),
        lambda x: x.args[0].args[0],
    )


def _degenerate(rights: list[sp.Expr], order: tuple[str, ...] = ()) -> bool:
    """Whether an edit made a derivative trivial (dh_1/dh_1) or zero (dh_1/dh_2, or
    ds_2/dh_2 where a step computes s before h, as ``order`` says): such an 'edit' makes
    a chain hold by emptying it, which repairs nothing."""
    for r in rights:
        for d in r.atoms(VTotal, VImmediate):
            num, den = d.args
            if num == den:
                return True
            if isinstance(num, Node) and isinstance(den, Node):
                gap = sp.expand(den.args[0] - num.args[0])
                if gap.is_number and gap > 0:
                    return True
                if gap == 0 and {num.kind, den.kind} <= set(order):
                    if order.index(num.kind) < order.index(den.kind):
                        return True
    return False


def in_source_names(text: str, renamings: list[tuple[str, str]]) -> str:
    """A repair's text with the model's names put back as the source wrote them (W_xh as
    d2l's W_hx, s_t as Pascanu et al.'s x_t, phi as their \\sigma)."""
    for source, model in renamings:
        if model.endswith("_t") and source.endswith("_t"):  # a letter at a step
            name, written, ahead = model[:-2], source[:-2], r"(?=_)"
        elif "_" in model or model.isalpha():  # a parameter, or a function's role
            name, written, ahead = model, source, r"(?![A-Za-z0-9_])"
        else:
            continue
        text = re.sub(
            rf"(?<![A-Za-z\\])(d\+?)?{re.escape(name)}{ahead}",
            lambda m, written=written: (m.group(1) or "") + written,
            text,
        )
    return text


def repairs(
    sides: list[sp.Expr],
    holds: Callable[[list[sp.Expr]], bool],
    roles: list[str],
    arguments: dict[str, list[str]],
    order: tuple[str, ...] = (),
) -> list[str]:
    """The edits under which ``holds`` says the formula holds, within the limits
    (``order``: the kinds a step computes, in order, as :func:`edits` takes it)."""
    found, start = [], time.monotonic()
    for n, (said, edited) in enumerate(edits(sides, roles, arguments, order)):
        if (
            n >= MAX_EDITS
            or time.monotonic() - start > MAX_SECONDS
            or remaining() < RESERVE_SECONDS  # the check's counterexample comes after
        ):
            break
        try:
            if holds(edited):
                found.append(said)
        except Exception:  # noqa: BLE001 - an edit without a value is no repair
            continue
    return found
