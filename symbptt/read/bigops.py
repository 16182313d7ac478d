"""Sums, products and ellipses of a formula: their limits and bound indices, what a
\\prod's operand is, and the factors of one pattern around an ellipsis.

A part of :class:`symbptt.read.meaning.Reader` (a mixin: it uses the reader's
``read``, ``value``, ``index`` and ``fail``), kept apart because the readings of a sum's
limits are many (``_{k=1}^{T}``, ``_t``, ``_{1 \\le t \\le T}``, ``^{t}_{j=k}``, a
sum written downward) and each is a choice that the notes state.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from lark import Token, Tree

from symbptt.core import derivatives as E

#: Letters notes use for steps: a sum over one of them is never read as a batch's.
STEP_LETTERS = ("t", "s", "k", "j", "i", "tau", "\\tau", "q", "u", "v")


class SumsAndProducts:
    """The reader's methods for \\sum, \\prod and ellipses."""

    def ellipsis(self, values: list[Any], node: Any) -> list[Any]:
        """A B ... C, the factors of one pattern at falling steps (dh_{t+1}/dh_t
        dh_t/dh_{t-1} ... dh_{k+1}/dh_k): the product of the pattern from C's step up to
        A's, latest on the left."""
        at = values.index(ELLIPSIS)
        if at < 2 or at + 1 >= len(values) or ELLIPSIS in (values[at - 2], values[at - 1]):
            raise self.fail("an ellipsis needs two factors before it and one after it", node)
        a, b, c = values[at - 2], values[at - 1], values[at + 1]
        first = _first_step(a)
        if first is None:
            raise self.fail("the factors around an ellipsis must be quantities at steps", node)
        j = sp.Dummy("j", integer=True)
        pattern = _at_step(a, first, j)
        last = _first_step(c)
        if last is None or _at_step(pattern, j, first - 1) != b or _at_step(pattern, j, last) != c:
            raise self.fail(
                "the factors around the ellipsis do not follow one pattern at falling steps",
                node,
            )
        self.notes.append(
            f"the factors around '...' were read as the product over steps {last}..{first}"
        )
        product = sp.Product(pattern, (j, last, first))
        return [*values[: at - 2], product, *values[at + 2 :]]

    def factors_of(self, node: Tree) -> list[sp.Expr]:
        """The factors of a term (a big operator's operand), not multiplied yet."""
        if isinstance(node, Tree) and node.data == "term":
            plain = [c for c in node.children if not (isinstance(c, Tree) and c.data == "bigop")]
            out = self.factor_values(plain, node)
            for c in node.children:
                if isinstance(c, Tree) and c.data == "bigop":
                    out.extend(self.bigop(c))
            return out
        return [self.value(node)]

    def bigop(self, node: Tree) -> list[sp.Expr]:
        """A sum or product with its operand; returns [op] or [op, *factors left outside]."""
        op, lower, *upper, operand = node.children
        if upper and isinstance(upper[0], Tree) and upper[0].data == "lower":  # \prod^{t}_{j=k}
            lower, upper = upper[0], [lower]
        var, low, high = self.limits(lower, upper[0] if upper else None, node)
        if var == E.T:
            raise self.fail(
                "T is the horizon (the number of steps) and cannot be the index of a sum "
                "or product; use another letter, e.g. \\sum_{k=1}^{T}",
                node,
            )
        implicit = isinstance(lower, Token) or len(lower.children) == 1  # \sum_i alone
        lower, high = low, high
        gap = sp.expand(high - lower)
        # written from a larger limit to a smaller one: sum_{i=t}^{1} (every index's
        # coefficient negative), sum_{k=T}^{t} (at most 0 with every index at T, the
        # largest step), sum_{k=3}^{1}
        at_horizon = gap.subs({s: E.T for s in gap.free_symbols})
        downward = (
            (
                bool(gap.free_symbols)
                and all(c < 0 for s, c in gap.as_coefficients_dict().items() if s != 1)
            )
            or (gap.is_Number and gap < 0)
            or (
                E.T in gap.free_symbols
                and gap.coeff(E.T) < 0
                and at_horizon.is_Number
                and at_horizon <= 0
            )
        )
        self.reversed = self.reversed or downward
        if downward and self.sum_direction == "downward":
            # written from the larger bound down (d2l's \sum_{i=t}^{1}): the same steps,
            # at every t where the upper limit is below the lower (elsewhere, as written)
            self.notes.append(
                f"the {str(op).lstrip(chr(92))} over {var} from {lower} down to {high} was read "
                f"over {var} = {high}..{lower} where {lower} > {high}"
            )
            lower, high = sp.Min(lower, high), sp.Max(lower, high)
        self.bound_by.setdefault(var, node)
        if var in self.bound:
            raise self.fail(
                f"the index {var} is already bound by an enclosing sum or "
                f"product; use another letter",
                node,
            )
        self.bound.append(var)
        try:
            factors = self.factors_of(operand)
        finally:
            self.bound.pop()
        if implicit and self.counts_components(factors, var):  # \sum_i o_i ...: i over o's entries
            lower, high = sp.Integer(1), self.components_limit()
        if str(op) == "\\sum":
            body = factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)
            if implicit and var not in body.free_symbols:
                return [self.constant_sum(body, var, node)]
            return [sp.Sum(body, (var, lower, high))]
        # \prod: trailing factors that do not depend on its index stay outside (or, in the
        # other reading, inside: product_scope)
        depends = [var in f.free_symbols for f in factors]
        # a parenthesized operand, \prod_j (J_j) X, says where the product ends
        delimited = (
            not any(depends[1:])
            and isinstance(operand, Tree)
            and operand.data == "term"
            and isinstance(operand.children[0], Tree)
            and operand.children[0].data == "group"
        )
        if not any(depends) and len(factors) > 1 and not delimited:
            raise self.fail(
                f"no factor of the product over {var} depends on {var}, so nothing says "
                f"which it takes: put them in parentheses, \\prod_{{{var}}} (...)",
                node,
            )
        # the last factor that depends on var; with none, the product of the one factor
        # (a constant to the power of the number of steps; the warning below says so)
        written = max((n for n, d in enumerate(depends) if d), default=0)
        inside_too = self.product_scope == "inside" and not delimited
        last = len(factors) - 1 if inside_too else written
        inside, outside = factors[: last + 1], factors[last + 1 :]
        self.scoped = self.scoped or (any(depends) and not depends[-1] and not delimited)
        if outside:
            self.notes.append(
                f"the factors after the product over {var} that do not depend on {var} "
                f"were read as outside it (as in note 000's prod_{{j-1=i}}^{{t}} (...) "
                f"dh_i/dw_h)"
            )
        elif any(depends) and not depends[-1]:
            self.notes.append(
                f"the factors after the product over {var} that do not depend on {var} "
                f"were read as inside it"
            )
        if not all(depends[: written + 1]):
            self.warnings.append(
                f"a factor inside the product over {var} does not depend on {var}, so it "
                f"is raised to the number of steps; add parentheses if that is not meant"
            )
        body = inside[0] if len(inside) == 1 else sp.Mul(*inside, evaluate=False)
        return [sp.Product(body, (var, lower, high)), *outside]

    def constant_sum(self: Any, body: sp.Expr, var: sp.Symbol, node: Any) -> sp.Expr:
        """``\\sum_m X`` with X free of m: notes sum over the examples of a batch so
        (``\\sum_m``, m samples); read as the sum over every step it would be T X. Notes
        that declare ``batch = 1`` mean the one example: X; others are refused."""
        batch = getattr(getattr(self, "profile", None), "batch", False)
        letter = str(var)
        uses = re.findall(rf"(?<![A-Za-z\\]){re.escape(letter)}(?![A-Za-z])", self.text)
        # a step's letter (t, k, ...), or one the formula uses elsewhere, is no batch's
        batchy = letter not in STEP_LETTERS and len(uses) <= 1
        if batch and batchy:
            self.notes.append(
                f"the sum over {var}, whose summand does not depend on {var}, was read as the "
                "sum over a batch of one example (batch = 1)"
            )
            return body
        if batch:
            raise self.fail(
                f"the summand of the sum over {var} does not depend on {var}, and {var} is "
                "a step's letter (or used elsewhere in the formula): a sum over a batch, or "
                f"{var} over every step? Not read",
                node,
            )
        raise self.fail(
            f"the summand of the sum over {var} does not depend on {var}: a sum over a "
            f"batch's examples (declare batch = 1: symbptt: conventions) or {var} over "
            "every step? Not read",
            node,
        )

    def limits(self, lower: Any, upper: Any, node: Any) -> tuple[sp.Symbol, sp.Expr, sp.Expr]:
        """(index, first, last) of a sum or product: ``_{k=1}^{T}``, ``_{j-1=i}^{t}``,
        ``_t`` or ``_{t}`` (every step, 1..T), ``_{1 \\le t \\le T}`` and
        ``_{t \\ge i > k}`` (the index in the middle, strict bounds moved by one)."""
        if isinstance(lower, Token):  # \sum_t
            parts: list[Any] = [lower]
        else:
            parts = list(lower.children)
        if len(parts) == 3 and isinstance(parts[1], Token) and parts[1].type == "EQ":
            if upper is None:
                raise self.fail("a sum or product from k = ... needs its upper limit (^)", node)
            var, offset = self.bound_variable(parts[0])
            return var, self.index(parts[2]) - offset, self.index(upper)
        if len(parts) == 1:  # the index alone: every step
            if upper is not None:
                raise self.fail("write the lower limit too, as \\sum_{t=1}^{T}", node)
            var = self.index(parts[0])
            if not isinstance(var, sp.Symbol) or var == E.T:
                raise self.fail("the index of a sum or product must be a letter", node)
            return var, sp.Integer(self.first_step), E.T - 1 + self.first_step
        if len(parts) == 5 and upper is None:  # a R b R c: the index is b
            a, r1, b, r2, c = parts
            var = self.index(b)
            ops = (str(r1), str(r2))
            if not isinstance(var, sp.Symbol) or var == E.T:
                raise self.fail("the index of a sum or product must be a letter", node)
            if all(o in ("\\le", "\\leq", "<") for o in ops):
                return var, self.index(a) + int(ops[0] == "<"), self.index(c) - int(ops[1] == "<")
            if all(o in ("\\ge", "\\geq", ">") for o in ops):
                return var, self.index(c) + int(ops[1] == ">"), self.index(a) - int(ops[0] == ">")
            raise self.fail("the bounds of a sum or product must both be <= or both >=", node)
        raise self.fail(
            "a sum or product's limits must read like _{k=1}^{T}, _t or _{1 \\le t \\le T}", node
        )

    def bound_variable(self, node: Any) -> tuple[sp.Symbol, sp.Expr]:
        """The index of a big operator, from its lower limit's left side (j or j-1)."""
        expr = self.index(node)
        symbols = sorted(expr.free_symbols, key=str)
        if (
            len(symbols) != 1
            or not sp.Poly(expr, symbols[0]).degree() == 1
            or expr.coeff(symbols[0]) != 1
        ):
            raise self.fail("the lower limit must read like i=1 or j-1=i", node)
        var = symbols[0]
        return var, sp.expand(expr - var)


#: The marker an ellipsis is read as, until the factors around it make it a product.
ELLIPSIS = sp.Symbol("ellipsis")


def _is_ellipsis(node: Any) -> bool:
    return isinstance(node, Tree) and node.data == "ellipsis"


def _step_atoms(e: Any) -> list[Any]:
    """The quantities at a step in ``e`` (h_t, l_t: one-argument functions of an index),
    in the order they are written."""
    return [
        n
        for n in sp.preorder_traversal(e)
        if isinstance(n, sp.Function)
        and len(n.args) == 1
        and n.args[0].is_integer
        and n.args[0].free_symbols | {1}
    ]


def _first_step(e: Any) -> sp.Expr | None:
    atoms = _step_atoms(e)
    return atoms[0].args[0] if atoms else None


def _at_step(e: Any, step: sp.Expr, value: sp.Expr) -> Any:
    """``e`` with its steps moved so that ``step`` becomes ``value``."""
    return e.xreplace({n: n.func(sp.expand(value + n.args[0] - step)) for n in _step_atoms(e)})
