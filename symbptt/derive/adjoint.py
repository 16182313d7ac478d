"""The backward (adjoint) program, derived from a model's equations by reverse-mode rules.

:func:`derive` reads a :class:`~symbptt.core.model.Model` and writes its BPTT recursion
as a short program over time-indexed column vectors: the adjoint of every variable
dL/dv_t is the sum of the vector-Jacobian products of its uses (in its own step and, for
a state, in the next one), each op's VJP rule one entry of the table :data:`VJP`
(HIPS/autograd's idea: the rules are data, the program falls out). Adjoints the model
names (g_t, delta_t of the Elman model) become steps; the others are written inline.
The gradients are sums over t of outer products, the initial states' gradients the
adjoint at t = 1. The same object is

* **evaluated** in any ring by :func:`evaluate` (what the verifier checks against
  forward-mode differentiation of the unrolled model);
* **compiled** to NumPy by :mod:`symbptt.codegen.source`;
* **printed** in LaTeX for the document and as text (:func:`describe`).

Vectors are columns (denominator layout for gradients of L). A recursive step starts from
zero at t = T + 1.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from symbptt.core.linear import column
from symbptt.core.losses import LOSS_TABLE
from symbptt.core.model import Model
from symbptt.core.tensor import (
    Add,
    Apply,
    Concat,
    Expr,
    Had,
    LossScale,
    MatVec,
    Neg,
    OneMinus,
    Param,
    Sub,
    Transpose,
    Var,
    matrix_name,
    rebuild,
    shifted,
    sum_of,
    text,
    variables,
)
from symbptt.errors import SpecError


@dataclass(frozen=True)
class Step:
    """``name``_t = expr for t = T, T-1, ..., 1 (expr may use ``name`` at t + 1);
    ``size`` is the length of its vectors."""

    name: str
    expr: Expr
    size: int

    @property
    def recursive(self) -> bool:
        """Whether the step refers to its own value at t + 1."""
        return any(v.name == self.name for v in variables(self.expr))

    def reads_later(self, names: set[str]) -> bool:
        """Whether the step reads one of the steps ``names`` at t + 1."""
        return any(v.name in names and v.shift > 0 for v in variables(self.expr))


@dataclass(frozen=True)
class OuterSum:
    """dL/d``name`` = sum_t left_t right_t^T (or sum_t left_t when ``right`` is None)."""

    name: str
    left: Expr
    right: Expr | None = None


@dataclass(frozen=True)
class AtFirst:
    """dL/d``name`` = expr evaluated at t = 1."""

    name: str
    expr: Expr


Result = OuterSum | AtFirst


@dataclass(frozen=True)
class Program:
    """Steps run backwards in time, then the gradients read off them."""

    steps: tuple[Step, ...]
    results: tuple[Result, ...]


@dataclass(frozen=True)
class _Use:
    """One occurrence of a variable or parameter in an equation: the cotangent that
    reaches it (in terms of the adjoint of the equation's target at the same t) and
    the expression it is multiplied by, for parameters."""

    name: str
    shift: int
    cotangent: Expr
    partner: Expr | None  # the vector a matrix multiplies, or None for a bias


def _scaled_had(left: Expr, right: Expr) -> Expr:
    """diag(left) right, with a loss scale kept outermost: c (a * b), not a * (c b)."""
    if isinstance(right, LossScale):
        return LossScale(Had(left, right.arg))
    return Had(left, right)


def _uses(expr: Expr, cotangent: Expr, slope: str | None) -> list[_Use]:
    """Where the cotangent of ``expr`` flows, occurrence by occurrence, by the VJP rule
    of its op (:data:`VJP`)."""
    rule = VJP.get(type(expr))
    if rule is None:
        raise SpecError(f"no reverse-mode rule for {text(expr)} in an equation")
    return rule(expr, cotangent, slope)


def _vjp_apply(e: Apply, cotangent: Expr, slope: str | None) -> list[_Use]:
    """y = f(a): the cotangent of a is f'(a) * the cotangent of y (the slope series)."""
    if slope is None:
        raise SpecError("a primitive inside a larger expression needs its own equation")
    return _uses(e.arg, _scaled_had(Var(slope), cotangent), slope)


def _vjp_matvec(e: MatVec, cotangent: Expr, slope: str | None) -> list[_Use]:
    """y = W v: the cotangent of v is W^T times y's; W itself is used with partner v."""
    m = e.matrix
    if isinstance(m, Transpose):
        raise SpecError(f"the gradient of a transposed parameter ({matrix_name(m)}) is not derived")
    return [
        _Use(matrix_name(m), 0, cotangent, e.vector),
        *_uses(e.vector, MatVec(Transpose(m), cotangent), slope),
    ]


#: The reverse-mode (VJP) rule of each op of the model IR, one line each where it fits
#: (HIPS/autograd's idea: the rules are data): an expression and the cotangent that
#: reaches it -> the uses of its variables and parameters.
VJP: dict[type, Callable[[Any, Expr, str | None], list[_Use]]] = {
    Var: lambda e, c, s: [_Use(e.name, e.shift, c, None)],
    Param: lambda e, c, s: [_Use(e.name, 0, c, None)],
    Add: lambda e, c, s: _uses(e.left, c, s) + _uses(e.right, c, s),
    Sub: lambda e, c, s: _uses(e.left, c, s) + _uses(e.right, Neg(c), s),
    Neg: lambda e, c, s: _uses(e.arg, Neg(c), s),
    OneMinus: lambda e, c, s: _uses(e.arg, Neg(c), s),
    Had: lambda e, c, s: (
        _uses(e.left, _scaled_had(e.right, c), s) + _uses(e.right, _scaled_had(e.left, c), s)
    ),
    Apply: _vjp_apply,
    MatVec: _vjp_matvec,
}


#: Marks an adjoint whose expression is being built (a cycle if met again).
_CYCLE = Var("adj:cycle")


@functools.lru_cache(maxsize=32)
def derive(model: Model) -> Program:
    """The backward program of ``model`` (see the module docstring).

    Example:
        >>> from symbptt import cells
        >>> describe(derive(cells.declare("elman", hidden=2)))[1]
        'delta_t = dphi_t * (W_hy^T g_t + W_hh^T delta_(t+1)),  delta_(T+1) = 0'
    """
    named = {a.of: a.name for a in model.adjoints}
    uses: list[_Use] = []
    for eq in model.equations:
        cot = Var(named[eq.target]) if eq.target in named else Var(f"adj:{eq.target}")
        uses += _uses(eq.expr, cot, eq.slope)
    inline: dict[str, Expr] = {}

    def adjoint(name: str) -> Expr | None:
        """dL/dname_t in terms of named adjoints, or None if it does not reach L."""
        terms: list[Expr] = []
        head = model.head
        if name == head.output:
            terms.append(LossScale(LOSS_TABLE[head.loss].gradient(head.output, head.target)))
        # uses in the same step first, then in the next one (a state read at t-1)
        for shift in (0, -1):
            for use in uses:
                if use.name != name or use.shift != shift or use.partner is not None:
                    continue
                cot = _resolve(use.cotangent)
                if cot is not None:
                    terms.append(shifted(cot, -shift))
        return sum_of(terms) if terms else None

    def _resolve(expr: Expr) -> Expr | None:
        """Replace the unnamed adjoints adj:v by their expressions (None: zero)."""
        for v in variables(expr):
            if v.name.startswith("adj:"):
                name = v.name[4:]
                if name not in inline:
                    inline[name] = _CYCLE
                    inline[name] = adjoint(name)  # type: ignore[assignment]
                if inline[name] is _CYCLE:
                    raise SpecError(
                        f"{model.name}: the adjoint of {name!r} depends on itself at t+1; "
                        f"name it (an adjoint declaration) so that it becomes a recursion"
                    )
                if inline[name] is None:
                    return None
                return _replace(expr, v, shifted(inline[name], v.shift))
        return expr

    steps = []
    for eq in reversed(model.equations):
        if eq.target in named:
            expr = adjoint(eq.target)
            if expr is None:
                raise SpecError(f"{model.name}: {eq.target} does not influence the loss")
            steps.append(Step(named[eq.target], expr, model.shape(eq.target)[0]))
    results: list[Result] = []
    state_of = model.initial_parameters
    for p in model.parameters:
        if p in state_of:
            first = [_resolve(u.cotangent) for u in uses if u.name == state_of[p] and u.shift == -1]
            first = [f for f in first if f is not None]
            if first:
                results.append(AtFirst(p, sum_of(first)))
            continue
        found = [(_resolve(u.cotangent), u.partner) for u in uses if u.name == p]
        found = [(c, partner) for c, partner in found if c is not None]
        if len(found) > 1:
            raise SpecError(f"{model.name}: {p} is used twice; its gradient is not derived")
        if found:
            cot, partner = found[0]
            results.append(OuterSum(p, cot, partner))
    for view in model.views:
        parts = {u.name: (_resolve(u.cotangent), u.partner) for u in uses if u.name in view.parts}
        cots = {parts[p][0] for p in view.parts if p in parts}
        if len(parts) != len(view.parts) or len(cots) != 1:
            raise SpecError(
                f"{model.name}: the view {view.name} needs parts that multiply vectors of one sum"
            )
        stacked = parts[view.parts[0]][1]
        for p in view.parts[1:]:
            stacked = Concat(stacked, parts[p][1])
        results.append(OuterSum(view.name, stacked, cots.pop()))
    return Program(tuple(steps), tuple(results))


def _replace(expr: Expr, old: Var, new: Expr) -> Expr:
    if expr == old:
        return new
    if isinstance(expr, Had):
        return _scaled_had(_replace(expr.left, old, new), _replace(expr.right, old, new))
    if isinstance(expr, Neg) and isinstance(inner := _replace(expr.arg, old, new), Neg):
        return inner.arg  # -(-v) = v
    return rebuild(expr, lambda e: _replace(e, old, new))


def read_later(program: Program) -> set[str]:
    """The steps that some step reads at t + 1: they start at zero after T."""
    names = {step.name for step in program.steps}
    return {v.name for s in program.steps for v in variables(s.expr) if v.shift > 0} & names


def without(expr: Expr, var: Var) -> Expr | None:
    """``expr`` with ``var`` set to the zero vector and simplified (None if all of it
    vanishes): delta_T's step once delta_{T+1} = 0 is used.

    Example:
        >>> from symbptt import cells
        >>> step = derive(cells.declare("elman", hidden=2)).steps[1]
        >>> text(without(step.expr, Var("delta", 1)))
        'dphi_t * W_hy^T g_t'
    """
    if expr == var:
        return None
    if isinstance(expr, MatVec):
        inner = without(expr.vector, var)
        return None if inner is None else MatVec(expr.matrix, inner)
    if isinstance(expr, Had):
        left, right = without(expr.left, var), without(expr.right, var)
        return None if left is None or right is None else Had(left, right)
    if isinstance(expr, (LossScale, Neg)):
        inner = without(expr.arg, var)
        return None if inner is None else type(expr)(inner)
    if isinstance(expr, (Add, Sub)):
        left, right = without(expr.left, var), without(expr.right, var)
        if isinstance(expr, Sub) and left is None and right is not None:
            raise ValueError("0 - v has no form in the program language")
        if left is None or right is None:
            return left if right is None else right
        return type(expr)(left, right)
    return expr


def _atomic(expr: Expr) -> str:
    return f"({text(expr)})" if isinstance(expr, (Add, Sub, Had)) else text(expr)


def describe(program: Program) -> list[str]:
    """The program as lines of plain text.

    Example:
        >>> from symbptt import cells
        >>> describe(derive(cells.declare("elman", hidden=2)))[0]
        'g_t = c dtheta_t * (o_t - d_t)'
    """
    lines = []
    for step in program.steps:
        start = f",  {step.name}_(T+1) = 0" if step.recursive else ""
        lines.append(f"{step.name}_t = {text(step.expr)}{start}")
    for result in program.results:
        if isinstance(result, AtFirst):
            body = text(result.expr, at=1)
        elif result.right is None:
            body = f"sum_t {text(result.left)}"
        else:
            body = f"sum_t {_atomic(result.left)} {_atomic(result.right)}^T"
        lines.append(f"dL/d{result.name} = {body}")
    lines.append("(c = 1/T for the mean loss, 1 for the sum; * is the elementwise product)")
    return lines


def evaluate(
    program: Program,
    ring: Any,
    params: dict[str, list[list[Any]]],
    series: dict[str, list[Any]],
    T: int,
    c: Fraction,
) -> dict[str, list[list[Any]]]:
    """Run ``program`` on lists of ring elements over a forward pass's ``series``;
    returns each gradient as a matrix in denominator layout (the shape of its
    parameter)."""
    zero = ring.zero
    scale = ring.const(c)
    # forward values at T + 1 occur only multiplied by a recursion's zero start: zeros
    values: dict[str, list[Any]] = {
        name: [*vectors, [zero] * len(vectors[T])] if vectors[T] is not None else vectors
        for name, vectors in series.items()
    }

    def vec(expr: Expr, t: int) -> list[Any]:
        return column(expr, t, values, params, zero, ring.one, scale)

    for step in program.steps:  # nothing after T depends on L: every step starts at zero
        values[step.name] = [None] * (T + 1) + [[zero] * step.size]
    for t in range(T, 0, -1):  # time-major: a step may read any step at t + 1
        for step in program.steps:
            values[step.name][t] = vec(step.expr, t)
    # a view's gradient (w_h = [W_xh W_hh]^T) sums the same products as its parts': each
    # sum is made once, keyed by the identity of its factors (kept alive beside it), in
    # either order (the rings' numbers commute)
    sums: dict[tuple, tuple[Any, list]] = {}

    def summed(pairs: list[tuple[Any, Any]]) -> Any:
        key = tuple(tuple(sorted((id(a), id(b)))) for a, b in pairs)
        if key not in sums:
            # a running total of growing polynomials is quadratic in T: added in pairs
            sums[key] = (ring.sum(a * b for a, b in pairs), pairs)
        return sums[key][0]

    gradients = {}
    for result in program.results:
        if isinstance(result, AtFirst):
            gradients[result.name] = [[v] for v in vec(result.expr, 1)]
            continue
        entries: list[list[list[tuple[Any, Any]]]] | None = None
        for t in range(1, T + 1):
            left = vec(result.left, t)
            right = [ring.one] if result.right is None else vec(result.right, t)
            if entries is None:
                entries = [[[] for _ in right] for _ in left]
            for row, a in zip(entries, left):
                for pairs, b in zip(row, right):
                    pairs.append((a, b))
        gradients[result.name] = [[summed(pairs) for pairs in row] for row in entries or []]
    return gradients
