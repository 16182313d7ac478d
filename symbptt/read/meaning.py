"""The meaning of a parsed formula that does not depend on a model's names: Lark's tree
to SymPy expressions (sums and products with their bound indices, index arithmetic,
fractions, powers, derivatives: total or, with ``\\partial^+``, immediate). A model's
names are read by a subclass (:class:`symbptt.read.formula.VectorReader`); here a name
is an error that names it, never a guess. Parts of the reader: :mod:`symbptt.read.names`
(names, markup), :mod:`symbptt.read.bigops`, :mod:`symbptt.read.superscripts`.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from lark import Token, Tree

from symbptt.core import derivatives as E
from symbptt.core.derivatives import OneStep
from symbptt.errors import FormulaSyntaxError
from symbptt.read.bigops import ELLIPSIS, SumsAndProducts, _is_ellipsis
from symbptt.read.names import GREEK, INDEX_LETTERS, VECTOR_HINT, Names, compact
from symbptt.read.superscripts import Superscripts


class Reader(Names, SumsAndProducts, Superscripts):
    """Turns the tree into SymPy expressions, with bound indices and positions."""

    #: the names of the last step, T (a notation profile may add \\tau)
    horizon: tuple[str, ...] = ("T",)
    #: whether h^t (no parentheses) is h at step t; h^{(t)} always is
    time_superscript: bool = False
    #: where the factors written after a \prod that do not depend on its index go:
    #: ``"outside"`` (note 000's reading) or ``"inside"`` (Huang's prod_i (ds_i/dz_i) W)
    product_scope: str = "outside"
    #: how \\sum_{i=t}^{1} (the upper limit below the lower for every t >= 1) is read:
    #: ``"downward"`` (d2l's, over i = 1..t) or ``"as-written"`` (empty where t > 1)
    sum_direction: str = "downward"
    #: the number of the first step (\\sum_t runs over first..T - 1 + first)
    first_step: int = 1

    def __init__(self, text: str) -> None:
        self.text = text
        self.notes: list[str] = []
        self.warnings: list[str] = []
        #: whether a \prod had factors after it that do not depend on its index (their
        #: scope is then a reading, :attr:`product_scope`)
        self.scoped = False
        #: whether a sum or product's limits were written from the larger down (their
        #: direction is then a reading, :attr:`sum_direction`)
        self.reversed = False
        self.bound: list[sp.Symbol] = []
        #: every index bound by a sum or product, with the operator's tree node
        self.bound_by: dict[sp.Symbol, Any] = {}

    def finish(self) -> None:
        """Called when the formula has been read: a subclass adds its notes."""

    def fail(self, message: str, node: Any) -> FormulaSyntaxError:
        meta = getattr(node, "meta", None)
        line = getattr(node, "line", None) or (getattr(meta, "line", 0) if meta else 0)
        column = getattr(node, "column", None) or (getattr(meta, "column", 0) if meta else 0)
        return FormulaSyntaxError(message, text=self.text, line=line or 0, column=column or 0)

    # -- values ---------------------------------------------------------------------------
    def value(self, node: Any) -> sp.Expr:
        got = self.read(node)
        if isinstance(got, (str, OneStep)):
            raise self.fail(
                f"{got if isinstance(got, str) else 'f(...)'} is a function and needs an argument",
                node,
            )
        return got

    def read(self, node: Any) -> Any:
        if isinstance(node, Token):
            return self.token(node)
        handler = getattr(self, f"r_{node.data}", None)
        if handler is None:
            raise self.fail(f"{node.data} is not supported here", node)
        return handler(node)

    def token(self, tok: Token) -> Any:
        if tok.type in ("DIGIT", "NUMBER"):
            return sp.Integer(int(tok))
        return self.name(self.key(tok), None, tok)

    def r_number(self, node: Tree) -> sp.Expr:
        return sp.Integer(int(node.children[0]))

    def r_group(self, node: Tree) -> Any:
        inner = [c for c in node.children if isinstance(c, Tree) or c.type not in ("LEFT", "RIGHT")]
        return self.read(inner[0])

    def chain(self, node: Tree, kinds: tuple[str, ...]) -> tuple[Any, list[tuple[str, Any]]]:
        """A left-nested chain ``((a op b) op c) ...`` as its first operand and the
        (kind, operand) pairs after it, walked without recursion so that long flat sums
        and products need no deep stack."""
        rest = []
        while isinstance(node, Tree) and node.data in kinds:
            rest.append((node.data, node.children[-1]))
            node = node.children[0]
        rest.reverse()
        return node, rest

    def r_add(self, node: Tree) -> sp.Expr:
        first, rest = self.chain(node, ("add", "sub"))
        terms = [self.value(first)]
        for kind, operand in rest:
            value = self.value(operand)
            terms.append(value if kind == "add" else sp.Mul(-1, value, evaluate=False))
        return sp.Add(*terms, evaluate=False)

    r_sub = r_add

    def r_neg(self, node: Tree) -> sp.Expr:
        return sp.Mul(-1, self.value(node.children[1]), evaluate=False)

    def r_times(self, node: Tree) -> sp.Expr:
        first, rest = self.chain(node, ("times",))
        factors = [self.value(first)] + [self.value(operand) for _, operand in rest]
        return sp.Mul(*factors, evaluate=False)

    def r_braced(self, node: Tree) -> Any:
        """\\underbrace{x}_{note}: x; the note under (or over) it is not read."""
        return self.read(next(c for c in node.children if isinstance(c, Tree)))

    def r_ellipsis(self, node: Tree) -> Any:
        return ELLIPSIS

    def r_term(self, node: Tree) -> sp.Expr:
        factors = [c for c in node.children if not (isinstance(c, Tree) and c.data == "bigop")]
        values = self.factor_values(factors, node)
        while any(v is ELLIPSIS for v in values):
            values = self.ellipsis(values, node)
        bigops = [c for c in node.children if isinstance(c, Tree) and c.data == "bigop"]
        if bigops:
            values.extend(self.bigop(bigops[0]))
        return values[0] if len(values) == 1 else sp.Mul(*values, evaluate=False)

    def factor_values(self, factors: list[Any], node: Any) -> list[Any]:
        """The values of a term's factors (an ellipsis kept as such); \\log applies to
        the factor after it, as notes write -y_i \\log \\hat{y}_i."""
        values = []
        n = 0
        while n < len(factors):
            got = self.read(factors[n])
            if got == "log" and n + 1 < len(factors):
                values.append(self.apply(got, 0, [factors[n + 1]], node))
                n += 2
                continue
            values.append(got if _is_ellipsis(factors[n]) else self.value(factors[n]))
            n += 1
        return values

    # -- indices ----------------------------------------------------------------------------
    def index(self, node: Any) -> sp.Expr:
        """An index expression: integers, index letters, T, + and -."""
        if isinstance(node, Token):
            if node.type in ("DIGIT", "NUMBER"):
                return sp.Integer(int(node))
            if str(node) in self.horizon or GREEK.get(str(node)) in self.horizon:  # τ
                return E.T
            if node.type == "LETTER" and str(node) in INDEX_LETTERS:
                return sp.Symbol(str(node), integer=True)
            size = self.size_named(compact(str(node)))
            if size is not None:
                return sp.Integer(size)
            named = f": declare it (conventions outputs = {compact(str(node))}, or inputs)"
            raise self.fail(
                f"{node} cannot be used as an index" + named * (node.type == "SIZEBARS"), node
            )
        kind = node.data
        if kind == "name" and len(node.children) == 2:  # T_x, n_y: a profile's names
            written = self.written(node)
            if written in self.horizon:
                return E.T
            size = self.size_named(written)
            if size is not None:
                return sp.Integer(size)
        if kind in ("number",):
            return sp.Integer(int(node.children[0]))
        if kind == "group":
            inner = [c for c in node.children if isinstance(c, Tree)]
            return self.index(inner[0] if inner else node.children[0])
        if kind == "term" and len(node.children) == 1:
            return self.index(node.children[0])
        if kind == "name" and len(node.children) == 1:
            return self.index(node.children[0])
        if kind == "expression" and len(node.children) == 1:
            return self.index(node.children[0])
        if kind in ("add", "sub"):
            a, b = self.index(node.children[0]), self.index(node.children[2])
            return a + b if kind == "add" else a - b
        if kind == "neg":
            return -self.index(node.children[1])
        raise self.fail("an index may only use integers, index letters, T, + and -", node)

    # -- applications -------------------------------------------------------------------------
    def arguments(self, call: Tree) -> list[Any]:
        return [c for c in call.children if isinstance(c, Tree)]

    def r_apply(self, node: Tree) -> Any:
        fn = self.read(node.children[0])
        args = self.arguments(node.children[1])
        return self.apply(fn, 0, args, node)

    def r_primed_apply(self, node: Tree) -> Any:
        return self.apply(self.read(node.children[0]), 1, self.arguments(node.children[2]), node)

    def r_sup_apply(self, node: Tree) -> Any:
        order = self.prime_order(node.children[1])
        if order is None:  # W^\top (v): the transpose (or power) times the factor
            return self._powered_times_group(node, None)
        return self.apply(
            self.read(node.children[0]), order, self.arguments(node.children[2]), node
        )

    def r_sup_apply_power(self, node: Tree) -> Any:
        """W^\\top (z_t)^\\top: the transposed matrix times the parenthesized factor's
        power (the last superscript binds to the group before it); \\phi^{\\prime}(s_t)^2:
        the derivative's value, squared."""
        if self.prime_order(node.children[1]) is not None:
            applied = self.r_sup_apply(Tree("sup_apply", node.children[:3], node.meta))
            return self.power(applied, node.children[3], node)
        return self._powered_times_group(node, node.children[3])

    def _powered_times_group(self, node: Tree, group_sup: Any) -> Any:
        """``atom sup (group) [sup]``: the atom's power or transpose times the group (to
        its own power or transpose, ``group_sup``, when one follows it)."""
        base = self.read(node.children[0])
        if isinstance(base, str | OneStep):
            raise self.fail("a power of a function needs its argument first, as phi(s)^2", node)
        powered = self.r_superscript(Tree("superscript", node.children[:2], node.meta))
        args = self.arguments(node.children[2])
        if len(args) != 1:
            raise self.fail("a matrix is multiplied by one factor, not a list", node)
        factor = self.value(args[0])
        if group_sup is not None:
            factor = self.power(factor, group_sup, node)
        return sp.Mul(powered, factor, evaluate=False)

    def r_apply_power(self, node: Tree) -> Any:
        fn = self.read(node.children[0])
        if isinstance(fn, sp.Basic):  # a value, then a parenthesized factor's power: A (b)^T
            args = self.arguments(node.children[1])
            if len(args) != 1:
                raise self.fail("a value is multiplied by one factor, not a list", node)
            powered = self.power(self.value(args[0]), node.children[2], node)
            return sp.Mul(fn, powered, evaluate=False)
        base = self.apply(fn, 0, self.arguments(node.children[1]), node)
        if not isinstance(base, sp.Basic):  # f(x_t, h_{t-1}, w_h)^2: a map, not a value
            raise self.fail("a power of f(...), the one-step map, has no meaning", node)
        return self.power(base, node.children[2], node)

    def transposed(self, value: Any, node: Any) -> Any:
        raise self.fail(f"a transpose is vector notation: {VECTOR_HINT}", node)

    def component(self, value: Any, index: Any, node: Any) -> Any:
        """Entry ``index`` of the vector ``value`` (o_i^{(t)}): vector notation here."""
        raise self.fail(f"a component index is vector notation: {VECTOR_HINT}", node)

    def counts_components(self, factors: list[Any], var: sp.Symbol) -> bool:
        """Whether ``var`` counts a vector's components in ``factors``."""
        return False

    def components_limit(self) -> sp.Expr:
        return E.T

    def written(self, node: Tree) -> str:
        """A name as written, without braces and spaces: ``T_{x}`` is T_x."""
        return compact(self.text[node.meta.start_pos : node.meta.end_pos])

    def size_named(self, letter: str) -> int | None:
        """The size a notation profile names by ``letter`` (C: the number of classes), or
        None."""
        return None

    def labelled(self, key: str, label: str, sub: Tree | None, node: Any) -> Any:
        """What ``key^{label}`` (with subscript ``sub``) means: a subclass knows a
        model's names; None here."""
        return None

    def r_primed(self, node: Tree) -> Any:
        raise self.fail("a derivative of a function needs an argument, as phi'(s_t)", node)

    def r_hadamard(self, node: Tree) -> Any:
        raise self.fail(f"\\odot is vector notation: {VECTOR_HINT}", node)

    def r_star(self, node: Tree) -> Any:  # *, \circ: elementwise, matrix or scalar product?
        star = next(str(c) for c in node.children if isinstance(c, Token) and c.type == "STAR")
        why = "and symbptt does not guess which: write \\odot for the elementwise product"
        raise self.fail(f"{star} may be the elementwise, matrix or scalar product, {why}", node)

    def r_outer(self, node: Tree) -> Any:
        """a \\otimes b, the outer product a b^T (WildML's (yhat_3 - y_3) \\otimes s_3)."""
        first, rest = self.chain(node, ("outer",))
        out = self.value(first)
        for _, operand in rest:
            out = sp.Mul(out, self.transposed(self.value(operand), node), evaluate=False)
        return out

    def r_block(self, node: Tree) -> Any:
        raise self.fail(f"a block matrix is vector notation: {VECTOR_HINT}", node)

    def prime_order(self, sup: Tree) -> int | None:
        content = sup.children[0]
        if isinstance(content, Token) and content.type in ("PRIME", "PRIMECMD"):
            return 1
        return None

    def power(self, base: sp.Expr, sup: Tree, node: Any) -> sp.Expr:
        exponent = sup.children[0]
        if isinstance(exponent, Token) and exponent.type == "TOP":
            raise self.fail(f"a transpose is vector notation: {VECTOR_HINT}", node)
        try:  # an index expression: 2, T - i (a power as long as the steps say)
            value = self.index(exponent)
        except FormulaSyntaxError:
            value = self.value(exponent) if isinstance(exponent, Tree) else self.token(exponent)
        if isinstance(value, sp.Integer) and value >= 0:
            return sp.Pow(base, value, evaluate=False)
        if (
            isinstance(value, sp.Expr)
            and value.free_symbols
            and all(s == E.T or str(s) in INDEX_LETTERS for s in value.free_symbols)
        ):
            return sp.Pow(base, value, evaluate=False)
        raise self.fail("only non-negative integer powers have a meaning here", node)

    def apply(self, fn: Any, order: int, args: list[Tree], node: Any) -> Any:
        """A function applied to arguments: a subclass knows a model's functions."""
        raise self.fail(f"{fn} is not a function", node)

    # -- fractions and derivatives ----------------------------------------------------------
    def r_fraction(self, node: Tree) -> sp.Expr:
        num, den = self.value(node.children[1]), self.value(node.children[2])
        return self.divided(num, den, node)

    def divided(self, num: sp.Expr, den: sp.Expr, node: Any) -> sp.Expr:
        """num / den: by a number or by T here (a subclass adds what its model can)."""
        if den.free_symbols - {E.T} or den == 0:
            raise self.fail("only division by a number or by T has a meaning here", node)
        return sp.Mul(num, sp.Pow(den, -1), evaluate=False)

    def r_nabla(self, node: Tree) -> sp.Expr:
        """``\\nabla_{x} L``: the gradient of L with respect to x, in x's shape in every
        layout."""
        _nabla, den, num = node.children
        bottom = self.token(den) if isinstance(den, Token) else self.value(den)
        top = self.value(num)
        return self.gradient(top, bottom, node)

    def gradient(self, top: Any, bottom: Any, node: Any) -> sp.Expr:
        return E.TotalDerivative(top, bottom)

    def r_scaled_derivative(self, node: Tree) -> sp.Expr:
        """d2l's ``\\frac{\\partial \\ell}{T \\cdot \\partial \\mathbf{o}_t}``: the
        derivative divided by the factor written before the partial."""
        _frac, partial, num, coefficient, _times, _partial2, den = node.children
        scale = self.value(coefficient)
        if scale.free_symbols - {E.T} or scale == 0:
            raise self.fail("only a number or T may stand before \\partial here", node)
        derivative = self.derivative(partial, num, den, node)
        return sp.Mul(derivative, sp.Pow(scale, -1), evaluate=False)

    def r_derivative(self, node: Tree) -> sp.Expr:
        parts = [c for c in node.children if isinstance(c, Tree) or c.type != "FRAC"]
        return self.derivative(parts[0], parts[1], parts[3], node)

    def r_partial_op(self, node: Tree) -> sp.Expr:
        """d2l's operator notation: ``\\partial_w h_t`` is dh_t/dw; of the one-step map,
        ``\\partial_w f(x_t, h_{t-1}, w)`` is its immediate partial and
        ``\\partial_h f(x_t, h_{t-1}, w)`` its Jacobian by h_{t-1}."""
        _partial, den, operand = node.children
        top = self.read(operand)
        if isinstance(top, OneStep) and isinstance(den, Token) and str(den) == "h":
            return self.wrap_derivative(
                E.ImmediatePartial(E.h(top.index), E.h(top.index - 1)), node
            )
        bottom = self.token(den) if isinstance(den, Token) else self.value(den)
        if isinstance(top, OneStep):
            return self.wrap_derivative(E.ImmediatePartial(E.h(top.index), bottom), node)
        if isinstance(top, str):
            raise self.fail(f"{top} needs an argument", node)
        return self.wrap_derivative(E.TotalDerivative(top, bottom), node)

    def wrap_derivative(self, got: sp.Expr, node: Any) -> sp.Expr:
        """A derivative as the model's objects (a subclass makes vector ones)."""
        return got

    def derivative(self, partial: Tree, num: Any, den: Any, node: Any) -> sp.Expr:
        immediate = len(partial.children) > 1
        while isinstance(num, Tree) and num.data in ("term", "group") and len(num.children) == 1:
            num = num.children[0]
        top = self.read(num)
        bottom = self.value(den)
        if isinstance(top, OneStep):
            return E.ImmediatePartial(E.h(top.index), bottom)
        if isinstance(top, str):
            raise self.fail(f"{top} needs an argument", node)
        cls = E.ImmediatePartial if immediate else E.TotalDerivative
        return cls(top, bottom)
