r"""The soundness fuzzer (issue 24): true formulas of every model, their mutants, the
truth of each from an independent oracle, and symbptt's verdict beside it.

A formula is a small tree (:class:`Eq` of :class:`Q`, :class:`D`, :class:`Fn`, ...), never
a string handed to symbptt's parser for its meaning: :func:`latex` prints it in the
notation ``symbptt check`` reads, and :func:`truth` evaluates it in the oracle of
:mod:`tests.soundness_oracle` (the unrolled model written again with SymPy, derivatives
by the chain rule over ``sympy.diff`` of each step, mpmath at 50 digits), which imports
nothing from symbptt. The rule checked: no false formula holds, no true formula fails,
no internal error; refusals are allowed and counted.

Conventions of the truth (those of symbptt's README, "Checking formulas from notes"):

* a free index t means every t = 1..T at which every quantity the formula mentions
  exists (h_0 .. h_T, s_1 .. s_T, ...); adjoints past the end, dL/dX_k for k > T, are 0;
* derivatives in the mixed layout (Jacobians' rows follow the numerator, dL/dP in P's
  shape; a vector's derivative by a matrix is taken entry by entry);
* a derivative of a later quantity by a state holds the other states fixed (the block
  of the stacked Jacobian, dc_t/dc_{t-1} = diag(f_t)); dL/dX is the total derivative;
* a product of matrices ``\prod`` is read latest-left (J_t ... J_(i+1)), its one
  meaning; a sum or product whose upper bound is below its lower is empty, as written
  (the downward reading is computed too: where it disagrees the formula is
  ``ambiguous``, and symbptt may refuse it or give the verdict as written, never the
  other); a 1x1 factor of a matrix product is a number.

>>> case = BASES["scalar-generic"][0]
>>> latex(case.formula, VOCABS["scalar"])
"\\frac{\\partial h_{t}}{\\partial h_{t-1}} = \\phi'\\left(s_{t}\\right) w"
"""

from __future__ import annotations

import dataclasses
import functools
import random
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath as mp

from tests.soundness_oracle import (
    ORACLE_MODELS,
    CompiledGraph,
    Missing,
    OracleModel,
    World,
    build_graph,
    close,
)

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- formulas


@dataclass(frozen=True)
class Ix:
    """A step index: ``base + off`` (base t, T, i, j; None for a number)."""

    base: str | None
    off: int = 0

    def latex(self) -> str:
        if self.base is None:
            return str(self.off)
        if self.off == 0:
            return self.base
        return f"{self.base}{'+' if self.off > 0 else '-'}{abs(self.off)}"

    def at(self, env: dict[str, int]) -> int:
        return self.off + (0 if self.base is None else env[self.base])

    def shift(self, by: int) -> Ix:
        return Ix(self.base, self.off + by)


@dataclass(frozen=True)
class Q:
    """A quantity of the model: ``h_t``, ``W_hh``, ``L``."""

    name: str
    at: Ix | None = None


@dataclass(frozen=True)
class D:
    """The derivative d num / d den (``immediate``: the immediate partial d+)."""

    num: Q
    den: Q
    immediate: bool = False


@dataclass(frozen=True)
class Fn:
    """A function applied entrywise (``phi``, ``phi'``, ``tanh'``...) or ``diag``."""

    fn: str
    arg: Any


@dataclass(frozen=True)
class Tr:
    """The transpose."""

    arg: Any


@dataclass(frozen=True)
class Add:
    terms: tuple


@dataclass(frozen=True)
class Mul:
    """A matrix product, factors in order."""

    factors: tuple


@dataclass(frozen=True)
class Had:
    """The elementwise product."""

    factors: tuple


@dataclass(frozen=True)
class Coef:
    """``value`` times ``arg`` (divided by T when ``per_T``: the mean loss's 1/T)."""

    value: Fraction
    arg: Any
    per_T: bool = False


@dataclass(frozen=True)
class OneMinus:
    """1 - arg (1 in every entry)."""

    arg: Any


@dataclass(frozen=True)
class Big:
    r"""``\sum`` or ``\prod`` of ``body`` over ``var`` = lo..hi."""

    op: str
    var: str
    lo: Ix
    hi: Ix
    body: Any


@dataclass(frozen=True)
class Eq:
    lhs: Any
    rhs: Any


# --------------------------------------------------------------------------- notation


@dataclass(frozen=True)
class Vocab:
    """How a model's quantities are written and what the oracle calls them.

    Attributes:
        names: formula name -> (LaTeX with ``@`` for the step, the oracle's name).
        functions: formula function -> (LaTeX, the oracle's role, derivative?).
        swaps: pairs of names a slip confuses (h_t and s_t).
    """

    names: dict[str, tuple[str, str]]
    functions: dict[str, tuple[str, str, bool]]
    swaps: tuple[tuple[str, str], ...] = ()


def _functions(*roles: tuple[str, str]) -> dict[str, tuple[str, str, bool]]:
    out = {}
    for role, tex in roles:
        out[role] = (tex, role, False)
        out[role + "'"] = (tex + "'", role, True)
    return out


_SCALAR_NAMES = {
    "h": ("h_{@}", "h"),
    "s": ("s_{@}", "s"),
    "x": ("x_{@}", "x"),
    "yhat": (r"\hat{y}_{@}", "yhat"),
    "d": ("d_{@}", "d"),
    "w": ("w", "w"),
    "v": ("v", "v"),
    "L": ("L", "L"),
}


def _bold(letters: str, oracle: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    oracle = oracle or {}
    return {c: (rf"\mathbf{{{c}}}_{{@}}", oracle.get(c, c)) for c in letters}


def _params(*names: str) -> dict[str, tuple[str, str]]:
    """W_hh -> W_{hh}; b_h -> \\mathbf{b}_{h}."""
    out = {}
    for name in names:
        head, _, tail = name.partition("_")
        tex = f"{head}_{{{tail}}}" if tail else head
        out[name] = (rf"\mathbf{{{head}}}_{{{tail}}}" if head == "b" else tex, name)
    return out


VOCABS: dict[str, Vocab] = {
    "scalar": Vocab(
        _SCALAR_NAMES,
        _functions(("phi", r"\phi"), ("theta", r"\theta")),
        (("h", "s"), ("w", "v"), ("x", "h")),
    ),
    "elman": Vocab(
        {
            **_bold("hsxzod"),
            "yhat": (r"\hat{\mathbf{y}}_{@}", "yhat"),
            "e": (r"\mathbf{e}_{y_{@}}", "d"),
            **_params("W_hh", "W_xh", "W_hy", "b_h", "b_y"),
            "L": ("L", "L"),
        },
        _functions(("phi", r"\phi"), ("theta", r"\theta")),
        (("h", "s"), ("W_hh", "W_xh"), ("z", "o"), ("b_h", "b_y")),
    ),
    "lstm": Vocab(
        {
            **_bold("ifohcxd", {"h": "h"}),
            "ct": (r"\tilde{\mathbf{c}}_{@}", "c_tilde"),
            **{f"a{q}": (rf"\mathbf{{a}}^{{{q}}}_{{@}}", f"a_{q}") for q in "ifgoy"},
            "y": (r"\mathbf{y}_{@}", "y"),
            **_params(*(f"{w}_{io}{q}" for q in "ifgo" for w in "Wb" for io in "ih")),
            **_params("W_hy", "b_y"),
            "L": ("L", "L"),
        },
        _functions(("sigma", r"\sigma"), ("tanh", r"\tanh"), ("theta", r"\theta")),
        (("i", "f"), ("c", "h"), ("f", "o"), ("W_hf", "W_hi"), ("ct", "c")),
    ),
    "gru": Vocab(
        {
            **_bold("rznhxdy"),
            **{f"a{q}": (rf"\mathbf{{a}}^{{{q}}}_{{@}}", f"a_{q}") for q in "rzn"},
            **_params(*(f"{w}_{io}{q}" for q in "rzn" for w in "Wb" for io in "ih")),
            **_params("W_hy", "b_y"),
            "L": ("L", "L"),
        },
        _functions(("sigma", r"\sigma"), ("tanh", r"\tanh"), ("theta", r"\theta")),
        (("r", "z"), ("n", "h"), ("W_hz", "W_hr"), ("W_in", "W_hn")),
    ),
    "gru-cho": Vocab(
        {
            **_bold("rzhxdy"),
            "ht": (r"\tilde{\mathbf{h}}_{@}", "h_tilde"),
            **{f"a{q}": (rf"\mathbf{{a}}^{{{q}}}_{{@}}", f"a_{q}") for q in "rz"},
            "aht": (r"\mathbf{a}^{\tilde{h}}_{@}", "a_h_tilde"),
            **_params(*(f"W_{xh}{q}" for q in "rzh" for xh in "xh"), "b_r", "b_z", "b_h"),
            **_params("W_hy", "b_y"),
            "L": ("L", "L"),
        },
        _functions(("sigma", r"\sigma"), ("tanh", r"\tanh"), ("theta", r"\theta")),
        (("r", "z"), ("ht", "h"), ("W_hz", "W_hr"), ("W_hh", "W_hr")),
    ),
    "mgu": Vocab(
        {
            **_bold("fhxod"),
            "ht": (r"\tilde{\mathbf{h}}_{@}", "h_tilde"),
            **_params("W_f", "U_f", "b_f", "W_h", "U_h", "b_h", "W_y", "b_y"),
            "L": ("L", "L"),
        },
        _functions(("sigma", r"\sigma"), ("tanh", r"\tanh")),
        (("ht", "h"), ("U_f", "U_h"), ("b_f", "b_h")),
    ),
    "jordan": Vocab(
        {
            **_bold("hyxd"),
            "W": ("W", "W"),
            "U": ("U", "U"),
            "V": ("V", "V"),
            "b": (r"\mathbf{b}", "b"),
            "b_y": (r"\mathbf{b}_{y}", "b_y"),
            "L": ("L", "L"),
        },
        _functions(("tanh", r"\tanh")),
        (("h", "y"), ("b", "b_y")),
    ),
}

# --------------------------------------------------------------------------- printing

_ATOMS = (Q, D, Fn)


def latex(node: Any, vocab: Vocab) -> str:
    """The LaTeX of a formula or expression, as ``symbptt check`` reads it."""
    return _Printer(vocab).print(node)


class _Printer:
    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def print(self, node: Any) -> str:
        method = getattr(self, f"_{type(node).__name__}")
        return method(node)

    def _paren(self, node: Any) -> str:
        return rf"\left({self.print(node)}\right)"

    def _Eq(self, node: Eq) -> str:
        return f"{self.print(node.lhs)} = {self.print(node.rhs)}"

    def _Q(self, node: Q) -> str:
        tex, _ = self.vocab.names[node.name]
        if node.at is None:
            return tex.replace("_{@}", "")
        return tex.replace("@", node.at.latex())

    def _D(self, node: D) -> str:
        plus = "^+" if node.immediate else ""
        return rf"\frac{{\partial{plus} {self.print(node.num)}}}{{\partial {self.print(node.den)}}}"

    def _Fn(self, node: Fn) -> str:
        if node.fn == "diag":
            return rf"\operatorname{{diag}}\left({self.print(node.arg)}\right)"
        tex = self.vocab.functions[node.fn][0]
        return rf"{tex}\left({self.print(node.arg)}\right)"

    def _Tr(self, node: Tr) -> str:
        inner = node.arg
        if isinstance(inner, Q):
            return self.print(inner) + r"^\top"
        return self._paren(inner) + r"^\top"

    def _Add(self, node: Add) -> str:
        out = self.print(node.terms[0])
        for term in node.terms[1:]:
            text = self.print(term)
            out += f" - {text[1:].lstrip()}" if text.startswith("-") else f" + {text}"
        return out

    def _factor(self, node: Any, last: bool) -> str:
        if isinstance(node, Add | OneMinus | Coef | Had):
            return self._paren(node)
        if isinstance(node, Big) and (node.op == "prod" or not last):
            return self._paren(node)
        return self.print(node)

    def _Mul(self, node: Mul) -> str:
        n = len(node.factors)
        return " ".join(self._factor(f, k == n - 1) for k, f in enumerate(node.factors))

    def _Had(self, node: Had) -> str:
        parts = []
        for f in node.factors:
            wrap = isinstance(f, Add | OneMinus | Coef | Mul | Big | Had)
            parts.append(self._paren(f) if wrap else self.print(f))
        return r" \odot ".join(parts)

    def _Coef(self, node: Coef) -> str:
        value = node.value
        if node.per_T:
            value = value  # printed as value / T
            number = (
                rf"\frac{{{abs(value.numerator)}}}{{{value.denominator}T}}"
                if value.denominator != 1
                else rf"\frac{{{abs(value.numerator)}}}{{T}}"
            )
        elif abs(value) == 1:
            number = ""
        elif value.denominator == 1:
            number = str(abs(value.numerator))
        else:
            number = rf"\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"
        arg = node.arg
        body = self._paren(arg) if isinstance(arg, Add | OneMinus | Coef | Had) else self.print(arg)
        sign = "-" if value < 0 else ""
        return f"{sign}{number} {body}".strip() if number else f"{sign}{body}"

    def _OneMinus(self, node: OneMinus) -> str:
        inner = node.arg
        wrap = isinstance(inner, Add | OneMinus | Coef)
        return f"1 - {self._paren(inner) if wrap else self.print(inner)}"

    def _Big(self, node: Big) -> str:
        cmd = r"\sum" if node.op == "sum" else r"\prod"
        head = rf"{cmd}_{{{node.var}={node.lo.latex()}}}^{{{node.hi.latex()}}}"
        body = node.body
        wrap = isinstance(body, Add | OneMinus | Coef | Had) or (
            node.op == "prod" and isinstance(body, Mul | Fn)
        )
        return f"{head} {self._paren(body) if wrap else self.print(body)}"


# --------------------------------------------------------------------------- evaluation


class IllTyped(Exception):
    """The shapes of a formula do not fit (mixed layout)."""


class _Zero:
    """An empty sum: 0 of whatever shape it meets."""


class _One:
    """An empty product: the identity of whatever size it meets."""


ZERO, ONE = _Zero(), _One()


@dataclass(frozen=True)
class Reading:
    """How a formula's ambiguous parts are read: products of matrices latest-left
    (``desc``) or earliest-left; sums or products with upper < lower empty or downward."""

    order: str = "desc"
    reversed_bounds: str = "empty"


#: The one meaning (as written), then the other reading of reversed bounds.
READINGS = (Reading("desc", "empty"), Reading("desc", "down"))


class Evaluator:
    """Evaluates a formula tree in the oracle's world (mpmath matrices)."""

    def __init__(
        self, world: World, vocab: Vocab, env: dict[str, Any], reading: Reading, T: int
    ) -> None:
        self.world, self.vocab, self.env, self.reading, self.T = world, vocab, env, reading, T

    def ev(self, node: Any) -> Any:
        return getattr(self, f"_{type(node).__name__}")(node)

    def _step(self, ix: Ix | None) -> int | None:
        return None if ix is None else ix.at({**self.env, "T": self.T})

    def _Q(self, node: Q) -> Any:
        name = self.vocab.names[node.name][1]
        step = self._step(node.at)
        return self.world.value(name, step)

    def _D(self, node: D) -> Any:
        num = (self.vocab.names[node.num.name][1], self._step(node.num.at))
        den = (self.vocab.names[node.den.name][1], self._step(node.den.at))
        return self.world.derivative(
            num, den, immediate=node.immediate, entry=self.env.get("entry")
        )

    def _Fn(self, node: Fn) -> Any:
        arg = self.ev(node.arg)
        if arg is ZERO or arg is ONE:
            raise IllTyped("a function of an empty sum")
        if node.fn == "diag":
            if arg.cols != 1:
                raise IllTyped("diag of a matrix")
            return mp.diag([arg[a, 0] for a in range(arg.rows)])
        _, role, derivative = self.vocab.functions[node.fn]
        out = mp.matrix(arg.rows, arg.cols)
        for a in range(arg.rows):
            for b in range(arg.cols):
                out[a, b] = self.world.function(role, arg[a, b], derivative)
        return out

    def _Tr(self, node: Tr) -> Any:
        arg = self.ev(node.arg)
        return arg if arg is ZERO or arg is ONE else arg.T

    def _Add(self, node: Add) -> Any:
        total: Any = ZERO
        for term in node.terms:
            value = self.ev(term)
            if value is ONE:
                raise IllTyped("an empty product in a sum")
            if value is ZERO:
                continue
            if total is not ZERO and (total.rows, total.cols) != (value.rows, value.cols):
                raise IllTyped(f"{total.rows}x{total.cols} + {value.rows}x{value.cols}")
            total = value if total is ZERO else total + value
        return total

    def _Mul(self, node: Mul) -> Any:
        return self._product([self.ev(f) for f in node.factors])

    @staticmethod
    def _product(values: list[Any]) -> Any:
        out: Any = ONE
        for value in values:
            if value is ZERO or out is ZERO:
                out = ZERO
                continue
            if value is ONE:
                continue
            if out is ONE:
                out = value
            elif (out.rows, out.cols) == (1, 1):
                out = out[0, 0] * value
            elif (value.rows, value.cols) == (1, 1):
                out = out * value[0, 0]
            elif out.cols != value.rows:
                raise IllTyped(f"{out.rows}x{out.cols} times {value.rows}x{value.cols}")
            else:
                out = out * value
        return out

    def _Had(self, node: Had) -> Any:
        values = [self.ev(f) for f in node.factors]
        if any(v is ZERO for v in values):
            return ZERO
        if any(v is ONE for v in values):
            raise IllTyped("an empty product in an elementwise product")
        out = values[0]
        for value in values[1:]:
            if (out.rows, out.cols) != (value.rows, value.cols):
                raise IllTyped("elementwise product of different shapes")
            out = mp.matrix(
                [[out[a, b] * value[a, b] for b in range(out.cols)] for a in range(out.rows)]
            )
        return out

    def _Coef(self, node: Coef) -> Any:
        value = self.ev(node.arg)
        if value is ZERO:
            return ZERO
        if value is ONE:
            raise IllTyped("a multiple of an empty product")
        c = mp.mpf(node.value.numerator) / node.value.denominator
        return value * (c / self.T if node.per_T else c)

    def _OneMinus(self, node: OneMinus) -> Any:
        value = self.ev(node.arg)
        if value is ZERO or value is ONE:
            raise IllTyped("1 - an empty sum")
        return mp.matrix([[1 - value[a, b] for b in range(value.cols)] for a in range(value.rows)])

    def _Big(self, node: Big) -> Any:
        env = {**self.env, "T": self.T}
        lo, hi = node.lo.at(env), node.hi.at(env)
        if lo <= hi:
            steps = list(range(lo, hi + 1))
        elif self.reading.reversed_bounds == "down":
            steps = list(range(hi, lo + 1))
        else:
            steps = []
        values = []
        for k in steps:
            inner = Evaluator(
                self.world, self.vocab, {**self.env, node.var: k}, self.reading, self.T
            )
            values.append(inner.ev(node.body))
        if node.op == "sum":
            return self._Add_values(values)
        if self.reading.order == "desc":
            values = values[::-1]
        return self._product(values)

    def _Add_values(self, values: list[Any]) -> Any:
        total: Any = ZERO
        for value in values:
            if value is ONE:
                raise IllTyped("an empty product summed")
            if value is ZERO:
                continue
            if total is not ZERO and (total.rows, total.cols) != (value.rows, value.cols):
                raise IllTyped("a sum of different shapes")
            total = value if total is ZERO else total + value
        return total


def _equal(a: Any, b: Any) -> bool:
    """Equal values; ZERO and ONE take the other side's shape."""
    if a is ZERO and b is ZERO or a is ONE and b is ONE:
        return True
    if a is ZERO or b is ZERO:
        other = b if a is ZERO else a
        if other is ONE:
            return False
        return close(other, mp.matrix(other.rows, other.cols))
    if a is ONE or b is ONE:
        other = b if a is ONE else a
        if other.rows != other.cols:
            raise IllTyped("an empty product equated with a non-square matrix")
        return close(other, mp.eye(other.rows))
    if (a.rows, a.cols) != (b.rows, b.cols):
        raise IllTyped(f"sides of shapes {a.rows}x{a.cols} and {b.rows}x{b.cols}")
    return close(a, b)


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if dataclasses.is_dataclass(node) and not isinstance(node, Ix):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            for item in value if isinstance(value, tuple) else (value,):
                if dataclasses.is_dataclass(item) or isinstance(item, tuple):
                    yield from _walk(item)


def _free_indices(formula: Eq) -> set[str]:
    bound = {n.var for n in _walk(formula) if isinstance(n, Big)}
    used = set()
    for n in _walk(formula):
        for ix in _indices(n):
            if ix.base is not None and ix.base != "T":
                used.add(ix.base)
    return used - bound


def _indices(node: Any) -> list[Ix]:
    if isinstance(node, Q) and node.at is not None:
        return [node.at]
    if isinstance(node, Big):
        return [node.lo, node.hi]
    return []


def _entries(world: World, formula: Eq, vocab: Vocab) -> list[tuple[int, int] | None]:
    """The entries of the matrix parameter a vector is differentiated by (one pass per
    entry), or [None]."""
    params = set()
    for n in _walk(formula):
        if isinstance(n, D) and n.den.at is None and n.num.name != "L":
            name = vocab.names[n.den.name][1]
            if world.has(name, None) and world.keys(name, None).cols > 1:
                params.add(name)
    if not params:
        return [None]
    if len(params) > 1:
        raise IllTyped("derivatives by two matrix parameters in one formula")
    grid = world.keys(params.pop(), None)
    return [(a, b) for a in range(grid.rows) for b in range(grid.cols)]


@dataclass(frozen=True)
class Truth:
    """The oracle's verdict: ``true``, ``false``, ``ill-typed`` (no value in the mixed
    layout) or ``vacuous`` (no t at which every quantity exists); ``ambiguous`` when the
    readings disagree; ``where`` the first failing t of the preferred reading."""

    verdict: str
    ambiguous: bool = False
    where: str = ""


def truth(formula: Eq, vocab: Vocab, worlds: list[World]) -> Truth:
    """Whether ``formula`` holds in every world (for every t it claims), as written; it is
    ``ambiguous`` too where a reversed sum read downward gives another verdict."""
    T = worlds[0].T
    free = sorted(_free_indices(formula))
    if len(free) > 1 or (free and free != ["t"]):
        return Truth("unsupported")
    outcomes = []
    for reading in READINGS:
        outcome = _truth_in(formula, vocab, worlds, reading, T, bool(free))
        outcomes.append(outcome)
    written = outcomes[0]
    ambiguous = any(o.verdict != written.verdict for o in outcomes[1:])
    return dataclasses.replace(written, ambiguous=ambiguous)


def _truth_in(
    formula: Eq, vocab: Vocab, worlds: list[World], reading: Reading, T: int, has_t: bool
) -> Truth:
    checked = 0
    for world in worlds:
        try:
            entries = _entries(world, formula, vocab)
        except IllTyped:
            return Truth("ill-typed")
        for t in range(1, T + 1) if has_t else [0]:
            for entry in entries:
                env: dict[str, Any] = {"t": t, "entry": entry}
                ev = Evaluator(world, vocab, env, reading, T)
                try:
                    same = _equal(ev.ev(formula.lhs), ev.ev(formula.rhs))
                except Missing:
                    break
                except IllTyped:
                    return Truth("ill-typed")
                checked += 1
                if not same:
                    return Truth("false", where=f"t={t}" if has_t else "")
    return Truth("true") if checked else Truth("vacuous")


# --------------------------------------------------------------------------- base formulas


def t(off: int = 0) -> Ix:
    return Ix("t", off)


def ix(base: str, off: int = 0) -> Ix:
    return Ix(base, off)


def q(name: str, at: Ix | int | None = None) -> Q:
    return Q(name, Ix(None, at) if isinstance(at, int) else at)


def stepped(*names: str) -> list[Callable[[Ix | int], Q]]:
    """For each name, the function from a step to the quantity at it (h(t(-1)) = h_{t-1})."""
    return [functools.partial(q, name) for name in names]


def d(num: Q | str, den: Q, immediate: bool = False) -> D:
    return D(q(num) if isinstance(num, str) else num, den, immediate)


def dL(den: Q) -> D:
    return D(Q("L"), den)


def diag(x: Any) -> Fn:
    return Fn("diag", x)


def mul(*f: Any) -> Mul:
    return Mul(tuple(f))


def add(*terms: Any) -> Add:
    return Add(tuple(terms))


def had(*f: Any) -> Had:
    return Had(tuple(f))


def total(body: Any, var: str = "t") -> Big:
    """sum_{var=1}^{T} body."""
    return Big("sum", var, Ix(None, 1), Ix("T"), body)


def loss_scale(reduction: str, arg: Any) -> Any:
    return Coef(Fraction(1), arg, per_T=True) if reduction == "mean" else arg


@dataclass(frozen=True)
class Base:
    """A true formula of a configuration, named."""

    name: str
    formula: Eq


def scalar_bases(cfg: OracleModel) -> list[Base]:
    """The seeds' formulas: one-step partials, the boxed sum of products, the recursion."""
    h, s, x = stepped("h", "s", "x")
    w, v = q("w"), q("v")
    phid = lambda k: Fn("phi'", s(k))  # noqa: E731
    thetad = lambda k: Fn("theta'", h(k))  # noqa: E731
    i, j = ix("i"), ix("j")
    jac = d(h(j), h(ix("j", -1)))
    out = [
        Base("jacobian", Eq(d(h(t()), h(t(-1))), mul(phid(t()), w))),
        Base("immediate w", Eq(d(h(t()), w, True), mul(phid(t()), h(t(-1))))),
        Base("immediate v", Eq(d(h(t()), v, True), mul(phid(t()), x(t())))),
        Base("dh/ds", Eq(d(h(t()), s(t())), phid(t()))),
        Base(
            "boxed w",
            Eq(
                d(h(t()), w),
                add(
                    d(h(t()), w, True),
                    Big(
                        "sum",
                        "i",
                        Ix(None, 1),
                        t(-1),
                        mul(Big("prod", "j", ix("i", 1), t(), jac), d(h(i), w, True)),
                    ),
                ),
            ),
        ),
        Base(
            "boxed v in model quantities",
            Eq(
                d(h(t()), v),
                add(
                    mul(phid(t()), x(t())),
                    Big(
                        "sum",
                        "i",
                        Ix(None, 1),
                        t(-1),
                        mul(Big("prod", "j", ix("i", 1), t(), mul(w, phid(j))), phid(i), x(i)),
                    ),
                ),
            ),
        ),
        Base(
            "recursion dL/ds_t",
            Eq(
                dL(s(t())),
                mul(add(mul(dL(q("yhat", t())), thetad(t())), mul(dL(s(t(1))), w)), phid(t())),
            ),
        ),
        Base(
            "dL/dh_t",
            Eq(dL(h(t())), add(mul(dL(q("yhat", t())), thetad(t())), mul(dL(s(t(1))), w))),
        ),
        Base("dL/dw", Eq(dL(w), total(mul(dL(s(t())), h(t(-1)))))),
        Base("dL/dv", Eq(dL(v), total(mul(dL(s(t())), x(t()))))),
        Base(
            "loss decomposition",
            Eq(dL(w), total(mul(dL(q("yhat", ix("k"))), thetad(ix("k")), d(h(ix("k")), w)), "k")),
        ),
        Base("two-step jacobian", Eq(d(h(t()), h(t(-2))), mul(phid(t()), w, phid(t(-1)), w))),
        Base("dL/dh_0", Eq(dL(q("h", 0)), mul(dL(s(1)), w))),
        Base(
            "recursive dh/dw",
            Eq(d(h(t()), w), add(d(h(t()), w, True), mul(d(h(t()), h(t(-1))), d(h(t(-1)), w)))),
        ),
        Base("dyhat/dh", Eq(d(q("yhat", t()), h(t())), thetad(t()))),
        Base("dL/dT+1", Eq(dL(s(ix("T", 1))), Coef(Fraction(0), w))),
    ]
    if cfg.step_loss == "squared":
        out.append(
            Base(
                "dL/dyhat squared",
                Eq(
                    dL(q("yhat", t())),
                    loss_scale(cfg.reduction, add(q("yhat", t()), Coef(Fraction(-1), q("d", t())))),
                ),
            )
        )
    return out


def elman_bases(cfg: OracleModel) -> list[Base]:
    """Note 000's matrix formulas: the backward recursion, gradients, sums of products."""
    h, s, x, z, o = stepped("h", "s", "x", "z", "o")
    Whh, Wxh, Why = q("W_hh"), q("W_xh"), q("W_hy")
    phid = lambda k: diag(Fn("phi'", s(k)))  # noqa: E731
    j = ix("j")
    jac = d(h(j), h(ix("j", -1)))
    target = q("e", t()) if cfg.step_loss == "cross-entropy" else q("d", t())
    output = q("yhat", t()) if cfg.step_loss == "cross-entropy" else o(t())
    return [
        Base("jacobian", Eq(d(h(t()), h(t(-1))), mul(phid(t()), Whh))),
        Base(
            "delta",
            Eq(
                dL(s(t())), mul(phid(t()), add(mul(Tr(Why), dL(z(t()))), mul(Tr(Whh), dL(s(t(1))))))
            ),
        ),
        Base(
            "g",
            Eq(
                dL(z(t())),
                loss_scale(
                    cfg.reduction,
                    mul(diag(Fn("theta'", z(t()))), add(output, Coef(Fraction(-1), target))),
                ),
            ),
        ),
        Base("dL/dW_hh", Eq(dL(Whh), total(mul(dL(s(t())), Tr(h(t(-1))))))),
        Base("dL/dW_xh", Eq(dL(Wxh), total(mul(dL(s(t())), Tr(x(t())))))),
        Base("dL/db_h", Eq(dL(q("b_h")), total(dL(s(t()))))),
        Base("dL/dW_hy", Eq(dL(Why), total(mul(dL(z(t())), Tr(h(t())))))),
        Base("dL/db_y", Eq(dL(q("b_y")), total(dL(z(t()))))),
        Base("dL/dh_0", Eq(dL(q("h", 0)), mul(Tr(Whh), dL(s(1))))),
        Base("dL/dh_t", Eq(dL(h(t())), add(mul(Tr(Why), dL(z(t()))), mul(Tr(Whh), dL(s(t(1))))))),
        Base("dL/ds_t", Eq(dL(s(t())), mul(phid(t()), dL(h(t()))))),
        Base(
            "sum of products W_hh",
            Eq(
                d(h(t()), Whh),
                Big(
                    "sum",
                    "i",
                    Ix(None, 1),
                    t(),
                    mul(Big("prod", "j", ix("i", 1), t(), jac), d(h(ix("i")), Whh, True)),
                ),
            ),
        ),
        Base(
            "boxed b_h",
            Eq(
                d(h(t()), q("b_h")),
                add(
                    d(h(t()), q("b_h"), True),
                    Big(
                        "sum",
                        "i",
                        Ix(None, 1),
                        t(-1),
                        mul(Big("prod", "j", ix("i", 1), t(), jac), d(h(ix("i")), q("b_h"), True)),
                    ),
                ),
            ),
        ),
        Base("two-step jacobian", Eq(d(h(t()), h(t(-2))), mul(phid(t()), Whh, phid(t(-1)), Whh))),
        Base(
            "recursive dh/dW_hh",
            Eq(
                d(h(t()), Whh),
                add(d(h(t()), Whh, True), mul(d(h(t()), h(t(-1))), d(h(t(-1)), Whh))),
            ),
        ),
        Base("do/dh", Eq(d(o(t()), h(t())), mul(diag(Fn("theta'", z(t()))), Why))),
        Base(
            "immediate W_hh",
            Eq(d(h(t()), q("W_xh"), True), mul(phid(t()), d(s(t()), q("W_xh"), True))),
        ),
    ]


def lstm_bases(cfg: OracleModel) -> list[Base]:
    """torch.nn.LSTM's backward equations as the literature writes them."""
    c, h, f, i, o, ct = stepped("c", "h", "f", "i", "o", "ct")
    tanhd = lambda k: Fn("tanh'", c(k))  # noqa: E731
    a = lambda g, k: q(f"a{g}", k)  # noqa: E731
    back = add(
        mul(Tr(q("W_hy")), dL(a("y", t()))),
        *(mul(Tr(q(f"W_h{g}")), dL(a(g, t(1)))) for g in "ifgo"),
    )
    return [
        Base(
            "cell adjoint",
            Eq(
                dL(c(t())),
                add(
                    mul(diag(had(o(t()), tanhd(t()))), dL(h(t()))), mul(diag(f(t(1))), dL(c(t(1))))
                ),
            ),
        ),
        Base("dL/do", Eq(dL(o(t())), mul(diag(Fn("tanh", c(t()))), dL(h(t()))))),
        Base("dL/dct", Eq(dL(ct(t())), mul(diag(i(t())), dL(c(t()))))),
        Base("dL/df", Eq(dL(f(t())), mul(diag(c(t(-1))), dL(c(t()))))),
        Base("dL/di", Eq(dL(i(t())), mul(diag(ct(t())), dL(c(t()))))),
        Base("dc/dc", Eq(d(c(t()), c(t(-1))), diag(f(t())))),
        Base("dh/dc_prev", Eq(d(h(t()), c(t(-1))), diag(had(o(t()), tanhd(t()), f(t()))))),
        Base("dL/da_f", Eq(dL(a("f", t())), had(f(t()), OneMinus(f(t())), c(t(-1)), dL(c(t()))))),
        Base(
            "dL/da_o",
            Eq(dL(a("o", t())), had(Fn("sigma'", a("o", t())), Fn("tanh", c(t())), dL(h(t())))),
        ),
        Base("dL/da_g", Eq(dL(a("g", t())), had(Fn("tanh'", a("g", t())), dL(ct(t()))))),
        Base("dL/dW_hf", Eq(dL(q("W_hf")), total(mul(dL(a("f", t())), Tr(h(t(-1))))))),
        Base("dL/dW_io", Eq(dL(q("W_io")), total(mul(dL(a("o", t())), Tr(q("x", t())))))),
        Base("dL/db_if", Eq(dL(q("b_if")), total(dL(a("f", t()))))),
        Base("dh/dc", Eq(d(h(t()), c(t())), diag(had(o(t()), tanhd(t()))))),
        Base("dc/df", Eq(d(c(t()), f(t())), diag(c(t(-1))))),
        Base("dL/dh_t", Eq(dL(h(t())), back)),
        Base(
            "dh/dh_prev",
            Eq(
                d(h(t()), h(t(-1))),
                add(
                    mul(
                        diag(had(o(t()), tanhd(t()))),
                        add(
                            mul(diag(had(c(t(-1)), f(t()), OneMinus(f(t())))), q("W_hf")),
                            mul(diag(had(ct(t()), i(t()), OneMinus(i(t())))), q("W_hi")),
                            mul(diag(had(i(t()), Fn("tanh'", a("g", t())))), q("W_hg")),
                        ),
                    ),
                    mul(diag(had(Fn("tanh", c(t())), o(t()), OneMinus(o(t())))), q("W_ho")),
                ),
            ),
        ),
    ]


def gru_bases(cfg: OracleModel) -> list[Base]:
    """torch.nn.GRU's derivatives (the reset gate after W_hn)."""
    r, z, n, h, x = stepped(*"rznhx")
    a = lambda g, k: q(f"a{g}", k)  # noqa: E731
    dn_dh = mul(
        diag(OneMinus(had(n(t()), n(t())))),
        add(
            mul(diag(r(t())), q("W_hn")),
            mul(
                diag(add(mul(q("W_hn"), h(t(-1))), q("b_hn"))),
                diag(had(r(t()), OneMinus(r(t())))),
                q("W_hr"),
            ),
        ),
    )
    dz_dh = mul(diag(had(z(t()), OneMinus(z(t())))), q("W_hz"))
    return [
        Base("dn/dh_prev", Eq(d(n(t()), h(t(-1))), dn_dh)),
        Base("dh/dn", Eq(d(h(t()), n(t())), diag(OneMinus(z(t()))))),
        Base("dh/dz", Eq(d(h(t()), z(t())), diag(add(h(t(-1)), Coef(Fraction(-1), n(t())))))),
        Base("dL/dn", Eq(dL(n(t())), mul(diag(OneMinus(z(t()))), dL(h(t()))))),
        Base(
            "dL/dz",
            Eq(dL(z(t())), mul(diag(add(h(t(-1)), Coef(Fraction(-1), n(t())))), dL(h(t())))),
        ),
        Base("dL/da_n", Eq(dL(a("n", t())), mul(diag(OneMinus(had(n(t()), n(t())))), dL(n(t()))))),
        Base("dL/dW_in", Eq(dL(q("W_in")), total(mul(dL(a("n", t())), Tr(x(t())))))),
        Base("dL/da_z", Eq(dL(a("z", t())), had(z(t()), OneMinus(z(t())), dL(z(t()))))),
        Base("dL/db_hz", Eq(dL(q("b_hz")), total(dL(a("z", t()))))),
        Base("dL/dW_hz", Eq(dL(q("W_hz")), total(mul(dL(a("z", t())), Tr(h(t(-1))))))),
        Base("dz/dh_prev", Eq(d(z(t()), h(t(-1))), dz_dh)),
        Base(
            "dh/dh_prev",
            Eq(
                d(h(t()), h(t(-1))),
                add(
                    diag(z(t())),
                    mul(diag(OneMinus(z(t()))), d(n(t()), h(t(-1)))),
                    mul(diag(add(h(t(-1)), Coef(Fraction(-1), n(t())))), d(z(t()), h(t(-1)))),
                ),
            ),
        ),
        Base(
            "dL/dr", Eq(dL(r(t())), had(add(mul(q("W_hn"), h(t(-1))), q("b_hn")), dL(a("n", t()))))
        ),
    ]


def gru_cho_bases(cfg: OracleModel) -> list[Base]:
    """Cho et al.'s GRU (d2l.ai's): the reset gate on h_{t-1} before W_hh."""
    r, z, h, ht = stepped("r", "z", "h", "ht")
    dht_dh = mul(
        diag(OneMinus(had(ht(t()), ht(t())))),
        add(
            mul(q("W_hh"), diag(r(t()))),
            mul(q("W_hh"), diag(h(t(-1))), diag(had(r(t()), OneMinus(r(t())))), q("W_hr")),
        ),
    )
    return [
        Base("dht/dh_prev", Eq(d(ht(t()), h(t(-1))), dht_dh)),
        Base("dh/dht", Eq(d(h(t()), ht(t())), diag(OneMinus(z(t()))))),
        Base("dh/dz", Eq(d(h(t()), z(t())), diag(add(h(t(-1)), Coef(Fraction(-1), ht(t())))))),
        Base(
            "dL/dW_hh", Eq(dL(q("W_hh")), total(mul(dL(q("aht", t())), Tr(had(r(t()), h(t(-1)))))))
        ),
        Base("dL/dr", Eq(dL(r(t())), mul(diag(h(t(-1))), Tr(q("W_hh")), dL(q("aht", t()))))),
        Base(
            "dL/daht",
            Eq(dL(q("aht", t())), mul(diag(OneMinus(had(ht(t()), ht(t())))), dL(ht(t())))),
        ),
        Base("dL/db_z", Eq(dL(q("b_z")), total(had(z(t()), OneMinus(z(t())), dL(z(t())))))),
        Base(
            "dh/dh_prev",
            Eq(
                d(h(t()), h(t(-1))),
                add(
                    diag(z(t())),
                    mul(diag(OneMinus(z(t()))), d(ht(t()), h(t(-1)))),
                    mul(diag(add(h(t(-1)), Coef(Fraction(-1), ht(t())))), d(z(t()), h(t(-1)))),
                ),
            ),
        ),
    ]


def mgu_bases(cfg: OracleModel) -> list[Base]:
    """The minimal gated unit's derivatives (derivations/minimal-gated-unit.toml)."""
    f, h, ht, o = stepped("f", "h", "ht", "o")
    df_dh = mul(diag(had(f(t()), OneMinus(f(t())))), q("U_f"))
    dht_dh = mul(
        diag(OneMinus(had(ht(t()), ht(t())))),
        q("U_h"),
        add(diag(f(t())), mul(diag(h(t(-1))), d(f(t()), h(t(-1))))),
    )
    jac = d(h(ix("j")), h(ix("j", -1)))
    return [
        Base("dh/dht", Eq(d(h(t()), ht(t())), diag(f(t())))),
        Base(
            "dh/df",
            Eq(
                d(h(t()), f(t())),
                add(
                    diag(add(ht(t()), Coef(Fraction(-1), h(t(-1))))),
                    mul(
                        diag(f(t())),
                        diag(OneMinus(had(ht(t()), ht(t())))),
                        q("U_h"),
                        diag(h(t(-1))),
                    ),
                ),
            ),
        ),
        Base("dL/dht", Eq(dL(ht(t())), mul(diag(f(t())), dL(h(t()))))),
        Base(
            "dL/do",
            Eq(dL(o(t())), loss_scale(cfg.reduction, add(o(t()), Coef(Fraction(-1), q("d", t()))))),
        ),
        Base("dL/dW_y", Eq(dL(q("W_y")), total(mul(dL(o(t())), Tr(h(t())))))),
        Base("df/dh_prev", Eq(d(f(t()), h(t(-1))), df_dh)),
        Base("dht/dh_prev", Eq(d(ht(t()), h(t(-1))), dht_dh)),
        Base(
            "dh/dh_prev",
            Eq(
                d(h(t()), h(t(-1))),
                add(
                    diag(OneMinus(f(t()))),
                    mul(diag(add(ht(t()), Coef(Fraction(-1), h(t(-1))))), d(f(t()), h(t(-1)))),
                    mul(diag(f(t())), d(ht(t()), h(t(-1)))),
                ),
            ),
        ),
        Base(
            "dL/dh_t",
            Eq(
                dL(h(t())),
                add(mul(Tr(q("W_y")), dL(o(t()))), mul(Tr(d(h(t(1)), h(t()))), dL(h(t(1))))),
            ),
        ),
        Base(
            "sum of products b_h",
            Eq(
                d(h(t()), q("b_h")),
                Big(
                    "sum",
                    "i",
                    Ix(None, 1),
                    t(),
                    mul(Big("prod", "j", ix("i", 1), t(), jac), d(h(ix("i")), q("b_h"), True)),
                ),
            ),
        ),
    ]


def jordan_bases(cfg: OracleModel) -> list[Base]:
    """The Jordan network's derivatives (derivations/jordan-network.toml)."""
    h, y = stepped("h", "y")
    slope = lambda k: diag(OneMinus(had(h(k), h(k))))  # noqa: E731
    jac = d(y(ix("j")), y(ix("j", -1)))
    return [
        Base("jacobian", Eq(d(y(t()), y(t(-1))), mul(q("V"), slope(t()), q("U")))),
        Base("dh/dy_prev", Eq(d(h(t()), y(t(-1))), mul(slope(t()), q("U")))),
        Base("dL/dh", Eq(dL(h(t())), mul(Tr(q("V")), dL(y(t()))))),
        Base("dL/dV", Eq(dL(q("V")), total(mul(dL(y(t())), Tr(h(t())))))),
        Base("dL/db_y", Eq(dL(q("b_y")), total(dL(y(t()))))),
        Base("dL/dU", Eq(dL(q("U")), total(mul(slope(t()), dL(h(t())), Tr(y(t(-1))))))),
        Base(
            "dL/dy",
            Eq(
                dL(y(t())),
                add(
                    loss_scale(cfg.reduction, add(y(t()), Coef(Fraction(-1), q("d", t())))),
                    mul(Tr(q("U")), slope(t(1)), dL(h(t(1)))),
                ),
            ),
        ),
        Base(
            "sum of products b",
            Eq(
                d(y(t()), q("b")),
                Big(
                    "sum",
                    "i",
                    Ix(None, 1),
                    t(),
                    mul(Big("prod", "j", ix("i", 1), t(), jac), d(y(ix("i")), q("b"), True)),
                ),
            ),
        ),
    ]


# --------------------------------------------------------------------------- configurations


@dataclass(frozen=True)
class Config:
    """One model configuration: the oracle's model, symbptt's options, the notation.

    Attributes:
        name: e.g. ``scalar-generic``.
        family: the table's row (scalar, elman, lstm, gru, cell).
        oracle: the oracle's model.
        options: symbptt's model options (build_spec's keys), or for a cell the
            ``cell`` file and its options.
        vocab: the notation.
        method: ``exact`` or ``modular``.
    """

    name: str
    family: str
    oracle: OracleModel
    options: dict[str, Any]
    vocab: str
    method: str = "exact"
    bases: tuple[Base, ...] = field(default=(), compare=False)

    def cli_args(self) -> list[str]:
        """The options as ``symbptt check`` takes them."""
        args: list[str] = []
        for key, value in self.options.items():
            flag = {"reduction": "--loss", "T": "-T", "gru_variant": "--gru-variant"}.get(
                key, "--" + key.replace("_", "-")
            )
            if key == "cell":
                value = str(ROOT / value)
            args += [flag, str(value)]
        return [*args, "--method", self.method, "--layout", "mixed"]

    def spec(self) -> Any:
        """symbptt's model for these options."""
        if "cell" in self.options:
            from symbptt import Spec
            from symbptt.files import parse_toml
            from symbptt.read.cell import read_cell

            path = ROOT / self.options["cell"]
            data = parse_toml(path.read_text(encoding="utf-8"), where=str(path))
            rest = {k: v for k, v in self.options.items() if k not in ("cell", "T")}
            declaration = read_cell(
                data["cell"],
                where=str(path),
                loss=rest.get("step_loss", "squared"),
                reduction=rest.get("reduction", "mean"),
            )
            return Spec(declaration, T=self.options["T"])
        from symbptt.cells.choose import build_spec

        return build_spec(**self.options)


def _config(
    name: str,
    family: str,
    vocab: str,
    oracle: OracleModel,
    options: dict,
    bases,
    method: str = "exact",
) -> Config:
    return Config(name, family, oracle, options, vocab, method, tuple(bases(oracle)))


def _scalar(name: str, T: int, act: str, out: str, loss: str, red: str, h0: str) -> Config:
    oracle = ORACLE_MODELS["scalar"](
        T=T, activation=act, output_activation=out, step_loss=loss, reduction=red, h0=h0
    )
    options = dict(
        model="scalar",
        T=T,
        activation=act,
        output_activation=out,
        step_loss=loss,
        reduction=red,
        h0=h0,
    )
    return _config(name, "scalar", "scalar", oracle, options, scalar_bases)


def _elman(name: str, act: str, out: str, loss: str, red: str, k: int, m: int) -> Config:
    oracle = ORACLE_MODELS["elman"](
        T=3,
        activation=act,
        output_activation=out,
        step_loss=loss,
        reduction=red,
        hidden=2,
        inputs=m,
        outputs=k,
    )
    options = dict(
        model="elman",
        T=3,
        hidden=2,
        inputs=m,
        outputs=k,
        activation=act,
        output_activation=out,
        step_loss=loss,
        reduction=red,
    )
    return _config(name, "elman", "elman", oracle, options, elman_bases)


def _gated(name: str, kind: str, variant: str, h0: str, bases, vocab: str) -> Config:
    oracle = ORACLE_MODELS[kind](
        T=3, output_activation="identity", step_loss="squared", hidden=2, variant=variant, h0=h0
    )
    options: dict[str, Any] = dict(
        model=kind, T=3, hidden=2, output_activation="identity", step_loss="squared", h0=h0
    )
    if kind == "gru":
        options["gru_variant"] = variant
    return _config(name, kind, vocab, oracle, options, bases)


def _cell(name: str, kind: str, path: str, bases, red: str = "mean") -> Config:
    oracle = ORACLE_MODELS[kind](T=3, step_loss="squared", reduction=red)
    return _config(name, "cell", kind, oracle, dict(cell=path, T=3, reduction=red), bases)


CONFIGS: dict[str, Config] = {
    c.name: c
    for c in (
        _scalar("scalar-generic", 4, "generic", "generic", "generic", "mean", "symbol"),
        _scalar("scalar-tanh-sum", 4, "tanh", "identity", "squared", "sum", "symbol"),
        _scalar("scalar-sigmoid-h0", 5, "sigmoid", "tanh", "squared", "mean", "zero"),
        _scalar("scalar-identity", 4, "identity", "sigmoid", "generic", "sum", "zero"),
        _scalar("scalar-softplus", 4, "softplus", "generic", "squared", "mean", "symbol"),
        _elman("elman-tanh", "tanh", "identity", "squared", "mean", k=2, m=1),
        _elman("elman-identity", "identity", "identity", "squared", "sum", k=1, m=2),
        _elman("elman-ce", "tanh", "identity", "cross-entropy", "sum", k=3, m=1),
        _gated("lstm", "lstm", "torch", "symbol", lstm_bases, "lstm"),
        _gated("gru", "gru", "torch", "symbol", gru_bases, "gru"),
        _gated("gru-cho", "gru", "cho", "symbol", gru_cho_bases, "gru-cho"),
        _cell("mgu", "mgu", "derivations/minimal-gated-unit.toml", mgu_bases),
        _cell("jordan", "jordan", "derivations/jordan-network.toml", jordan_bases, "sum"),
    )
}
BASES: dict[str, list[Base]] = {name: list(c.bases) for name, c in CONFIGS.items()}

# --------------------------------------------------------------------------- mutations


@dataclass(frozen=True)
class Mutant:
    """A formula of a configuration and how it was made from a base formula."""

    config: str
    base: str
    edits: tuple[str, ...]
    formula: Eq


_FUNCTION_SWAPS = {
    "phi'": ("theta'", "phi"),
    "theta'": ("phi'", "theta"),
    "phi": ("phi'",),
    "theta": ("theta'",),
    "tanh": ("tanh'", "sigma"),
    "tanh'": ("tanh", "sigma'"),
    "sigma": ("sigma'", "tanh"),
    "sigma'": ("sigma", "tanh'"),
}


def _children(node: Any) -> list[tuple[str, int | None, Any]]:
    out = []
    if dataclasses.is_dataclass(node) and not isinstance(node, Ix | Q | D):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if isinstance(value, tuple):
                out += [(f.name, k, item) for k, item in enumerate(value)]
            elif dataclasses.is_dataclass(value) and not isinstance(value, Ix):
                out.append((f.name, None, value))
    return out


def _rebuild(node: Any, name: str, k: int | None, new: Any) -> Any:
    if k is None:
        return dataclasses.replace(node, **{name: new})
    items = list(getattr(node, name))
    items[k] = new
    return dataclasses.replace(node, **{name: tuple(items)})


def _quantity_edits(node: Q, vocab: Vocab) -> Iterator[tuple[str, Q]]:
    """A quantity's index moved by one, or its letter swapped for one a slip confuses."""
    if node.at is not None and node.at.base is not None:
        for by in (1, -1):
            moved = node.at.shift(by)
            yield f"index {node.name}_{node.at.latex()} -> {moved.latex()}", Q(node.name, moved)
    for a, b in vocab.swaps:
        if node.name in (a, b):
            other = b if node.name == a else a
            yield f"{node.name} -> {other}", Q(other, node.at)


def _local_edits(node: Any, vocab: Vocab, T: int) -> Iterator[tuple[str, Any]]:
    """The single edits of one node (not of its children)."""
    if isinstance(node, Q):
        yield from _quantity_edits(node, vocab)
    if isinstance(node, D):
        for part in ("num", "den"):
            for text, new in _quantity_edits(getattr(node, part), vocab):
                yield f"{part}: {text}", dataclasses.replace(node, **{part: new})
        if node.den.at is None:
            yield (
                ("total -> immediate" if not node.immediate else "immediate -> total"),
                dataclasses.replace(node, immediate=not node.immediate),
            )
    if isinstance(node, Fn) and node.fn in _FUNCTION_SWAPS:
        for other in _FUNCTION_SWAPS[node.fn]:
            if other in vocab.functions:
                yield f"{node.fn} -> {other}", Fn(other, node.arg)
    if isinstance(node, Fn) and node.fn == "diag":
        yield "diag dropped", node.arg
    if isinstance(node, Tr):
        yield "transpose removed", node.arg
    if isinstance(node, Q | D) and not (isinstance(node, Q) and node.name in ("L",)):
        yield "transpose added", Tr(node)
    if isinstance(node, Add) and len(node.terms) > 1:
        for k in range(len(node.terms)):
            rest = node.terms[:k] + node.terms[k + 1 :]
            yield f"term {k + 1} dropped", rest[0] if len(rest) == 1 else Add(rest)
    if isinstance(node, Mul | Had) and len(node.factors) > 1:
        for k in range(len(node.factors)):
            rest = node.factors[:k] + node.factors[k + 1 :]
            yield f"factor {k + 1} dropped", rest[0] if len(rest) == 1 else type(node)(rest)
    if isinstance(node, Mul) and len(node.factors) > 1:
        yield "factors reversed", Mul(node.factors[::-1])
    if isinstance(node, Big):
        for bound in ("lo", "hi"):
            for by in (1, -1):
                value = getattr(node, bound).shift(by)
                yield (
                    f"{node.op} {bound} -> {value.latex()}",
                    dataclasses.replace(node, **{bound: value}),
                )
    if isinstance(node, Coef):
        for factor in (Fraction(2), Fraction(1, 2), Fraction(-1)):
            yield f"coefficient x{factor}", dataclasses.replace(node, value=node.value * factor)
        yield (
            ("1/T dropped" if node.per_T else "1/T added"),
            dataclasses.replace(node, per_T=not node.per_T),
        )
    elif isinstance(node, Q | D | Mul | Fn | Big):
        for factor in (Fraction(2), Fraction(1, 2), Fraction(-1)):
            yield f"coefficient {factor}", Coef(factor, node)
    if isinstance(node, OneMinus):
        yield "1 - dropped", node.arg


def single_edits(node: Any, vocab: Vocab, T: int) -> Iterator[tuple[str, Any]]:
    """Every formula one edit away from ``node``."""
    yield from _local_edits(node, vocab, T)
    for name, k, child in _children(node):
        for text, new in single_edits(child, vocab, T):
            yield text, _rebuild(node, name, k, new)


def mutants(config: Config, *, count: int, rng: random.Random) -> list[Mutant]:
    """Every single-edit mutant of every base formula (deduplicated by their LaTeX),
    then random two-edit mutants, up to ``count`` in all (sampled if there are more)."""
    vocab = VOCABS[config.vocab]
    seen = {latex(b.formula, vocab) for b in config.bases}
    singles: list[Mutant] = []
    for base in config.bases:
        for text, formula in single_edits(base.formula, vocab, config.oracle.T):
            key = latex(formula, vocab)
            if key not in seen:
                seen.add(key)
                singles.append(Mutant(config.name, base.name, (text,), formula))
    if len(singles) >= count:
        return rng.sample(singles, count)
    out = list(singles)
    attempts = 0
    while len(out) < count and attempts < 20 * count:
        attempts += 1
        first = rng.choice(singles)
        edits = list(single_edits(first.formula, vocab, config.oracle.T))
        if not edits:
            continue
        text, formula = rng.choice(edits)
        key = latex(formula, vocab)
        if key not in seen:
            seen.add(key)
            out.append(Mutant(config.name, first.base, (*first.edits, text), formula))
    return out


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Outcome:
    """A formula, its truth and symbptt's verdict (``holds``, ``fails``, ``refused``,
    ``internal``, ``timeout``), with the reason of a refusal or error."""

    config: str
    base: str
    edits: tuple[str, ...]
    latex: str
    truth: Truth
    verdict: str
    detail: str = ""
    seconds: float = 0.0

    @property
    def wrong(self) -> str | None:
        """What is wrong with the verdict, or None: ``false holds``, ``true fails``,
        ``internal error``, ``ill-typed holds``."""
        if self.verdict == "internal":
            return "internal error"
        if self.verdict == "holds" and self.truth.verdict == "false":
            return "false holds"
        if self.verdict == "fails" and self.truth.verdict == "true":
            return "true fails"
        if self.verdict == "holds" and self.truth.verdict == "ill-typed":
            return "ill-typed holds"
        return None

    def command(self) -> str:
        """The ``symbptt check`` command line that reproduces the verdict."""
        import shlex

        args = CONFIGS[self.config].cli_args()
        return "symbptt check " + " ".join(shlex.quote(a) for a in [*args, self.latex])


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


class Runner:
    """Runs mutants of the configurations: the oracle's worlds are built once per
    configuration (``points`` random points each)."""

    def __init__(self, *, points: int = 2, seconds: float = 60.0) -> None:
        self.points = points
        self.seconds = seconds
        self._worlds: dict[str, list[World]] = {}
        self._compiled: dict[str, CompiledGraph] = {}
        self._specs: dict[str, Any] = {}

    def worlds(self, config: Config) -> list[World]:
        if config.name not in self._worlds:
            compiled = build_graph(config.oracle)
            self._worlds[config.name] = [World(compiled, seed=1000 + p) for p in range(self.points)]
        return self._worlds[config.name]

    def truth(self, config: Config, formula: Eq) -> Truth:
        return truth(formula, VOCABS[config.vocab], self.worlds(config))

    def verdict(self, config: Config, text: str) -> tuple[str, str]:
        """symbptt's verdict on ``text`` in-process: holds, fails, refused, internal or
        timeout, and the explanation or error."""
        from symbptt import check
        from symbptt.errors import SymbpttError

        if config.name not in self._specs:
            self._specs[config.name] = config.spec()
        spec = self._specs[config.name]
        notation = "note000" if config.vocab in ("scalar", "elman") else None
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            result = check(
                text, model=spec, method=config.method, layout="mixed", notation=notation
            )
        except _Timeout:
            return "timeout", f"over {self.seconds} s"
        except SymbpttError as err:
            return "refused", f"{type(err).__name__}: {err}"
        except Exception as err:  # noqa: BLE001 - an internal error is what we count
            return "internal", f"{type(err).__name__}: {err}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return ("holds" if result.holds else "fails"), result.explanation

    def run(self, config: Config, base: str, edits: tuple[str, ...], formula: Eq) -> Outcome:
        text = latex(formula, VOCABS[config.vocab])
        true = self.truth(config, formula)
        start = time.perf_counter()
        verdict, detail = self.verdict(config, text)
        return Outcome(
            config.name, base, edits, text, true, verdict, detail, time.perf_counter() - start
        )


def base_cases() -> list[tuple[Config, Base]]:
    """Every base formula of every configuration."""
    return [(c, b) for c in CONFIGS.values() for b in c.bases]


def tally(outcomes: list[Outcome]) -> dict[str, dict[str, int]]:
    """Counts per configuration family: formulas, true/false/other by the oracle, the
    verdicts, and the wrong ones."""
    rows: dict[str, dict[str, int]] = {}
    for o in outcomes:
        row = rows.setdefault(CONFIGS[o.config].family, dict.fromkeys(COLUMNS, 0))
        row["formulas"] += 1
        row[{"true": "true", "false": "false"}.get(o.truth.verdict, "other")] += 1
        row[o.verdict] += 1
        wrong = o.wrong
        if wrong:
            row[wrong] += 1
    return rows


COLUMNS = (
    "formulas",
    "true",
    "false",
    "other",
    "holds",
    "fails",
    "refused",
    "timeout",
    "internal",
    "false holds",
    "true fails",
    "ill-typed holds",
    "internal error",
)


def format_table(rows: dict[str, dict[str, int]]) -> str:
    """A Markdown table of :func:`tally`'s counts, with a total row."""
    totals = {c: sum(r[c] for r in rows.values()) for c in COLUMNS}
    lines = ["| model | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for name, row in [*rows.items(), ("total", totals)]:
        lines.append(f"| {name} | " + " | ".join(str(row[c]) for c in COLUMNS) + " |")
    return "\n".join(lines)
