"""The meaning of a parsed formula that does not depend on a model's names: Lark's tree
to SymPy expressions, with sums and products and their bound indices, index arithmetic,
fractions, powers and derivatives (``\\frac{\\partial A}{\\partial B}``, total or, with
``\\partial^+``, immediate). The names of a model are read by a subclass
(:class:`symbptt.engine.formula.VectorReader`, with the model's notation table); here a
name is an error that names it: never a guess.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from lark import Token, Tree

from .. import expr as E
from ..errors import FormulaSyntaxError

INDEX_LETTERS = "tijkmnpqr"

#: Greek letters typed as Unicode, read as the commands they stand for.
GREEK = {
    "α": "\\alpha",
    "β": "\\beta",
    "γ": "\\gamma",
    "δ": "\\delta",
    "ε": "\\epsilon",
    "ϵ": "\\epsilon",
    "η": "\\eta",
    "θ": "\\theta",
    "ϑ": "\\theta",
    "λ": "\\lambda",
    "μ": "\\mu",
    "ξ": "\\xi",
    "π": "\\pi",
    "ρ": "\\rho",
    "σ": "\\sigma",
    "τ": "\\tau",
    "φ": "\\phi",
    "ϕ": "\\phi",
    "ψ": "\\psi",
    "ω": "\\omega",
    "ℓ": "\\ell",
}

#: What the reader says of bold vectors, transposes, diag and \odot in a model written in
#: scalar notation.
VECTOR_HINT = "check it against the vector model (--model elman, or model=ElmanSpec(...))"


class OneStep:
    """f(x_t, h_{t-1}, w_h): the one-step map producing h_t."""

    def __init__(self, index: sp.Expr) -> None:
        self.index = index


class Reader:
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
        values = [self.read(f) if _is_ellipsis(f) else self.value(f) for f in factors]
        while any(v is ELLIPSIS for v in values):
            values = self.ellipsis(values, node)
        bigops = [c for c in node.children if isinstance(c, Tree) and c.data == "bigop"]
        if bigops:
            values.extend(self.bigop(bigops[0]))
        return values[0] if len(values) == 1 else sp.Mul(*values, evaluate=False)

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
            out = []
            for c in node.children:
                if isinstance(c, Tree) and c.data == "bigop":
                    out.extend(self.bigop(c))
                else:
                    out.append(self.value(c))
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
        downward = bool(gap.free_symbols) and all(
            c < 0 for s, c in gap.as_coefficients_dict().items() if s != 1
        )
        self.reversed = self.reversed or downward
        if downward and self.sum_direction == "downward":
            # written from the larger bound down (d2l's \sum_{i=t}^{1}): the same steps
            lower, high = high, lower
            self.notes.append(
                f"the {str(op).lstrip(chr(92))} over {var} from {high} down to {lower} was read "
                f"over {var} = {lower}..{high}"
            )
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
            return [sp.Sum(body, (var, lower, high))]
        # \prod: trailing factors that do not depend on its index stay outside (or, in the
        # other reading, inside: product_scope)
        depends = [var in f.free_symbols for f in factors]
        if not any(depends):
            raise self.fail(f"the product over {var} has no factor depending on {var}", node)
        written = max(n for n, d in enumerate(depends) if d)  # the last that depends on var
        last = len(factors) - 1 if self.product_scope == "inside" else written
        inside, outside = factors[: last + 1], factors[last + 1 :]
        self.scoped = self.scoped or not depends[-1]
        if outside:
            self.notes.append(
                f"the factors after the product over {var} that do not depend on {var} "
                f"were read as outside it (as in note 000's prod_{{j-1=i}}^{{t}} (...) "
                f"dh_i/dw_h)"
            )
        elif not depends[-1]:
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

    # -- indices ----------------------------------------------------------------------------
    def index(self, node: Any) -> sp.Expr:
        """An index expression: integers, index letters, T, + and -."""
        if isinstance(node, Token):
            if node.type in ("DIGIT", "NUMBER"):
                return sp.Integer(int(node))
            if str(node) in self.horizon:
                return E.T
            if node.type == "LETTER" and str(node) in INDEX_LETTERS:
                return sp.Symbol(str(node), integer=True)
            size = self.size_named(str(node))
            if size is not None:
                return sp.Integer(size)
            raise self.fail(f"{node} cannot be used as an index", node)
        kind = node.data
        if kind in ("number",):
            return sp.Integer(int(node.children[0]))
        if kind == "group":
            return self.index(
                [c for c in node.children if isinstance(c, Tree)][0]
                if any(isinstance(c, Tree) for c in node.children)
                else node.children[0]
            )
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

    # -- names ------------------------------------------------------------------------------
    def r_name(self, node: Tree) -> Any:
        base = node.children[0]
        sub = node.children[1] if len(node.children) > 1 else None
        return self.name(self.key(base), sub, node)

    def key(self, base: Any) -> str:
        """A name's base as one string: ``h``, ``\\phi``, ``\\hat y``, ``\\mathbf h``,
        ``\\operatorname diag``."""
        if not isinstance(base, Tree):
            if getattr(base, "type", "") == "WORD":  # diag( typed without a backslash
                return "\\operatorname diag" if str(base) == "diag" else "\\" + str(base)
            return GREEK.get(str(base), str(base))
        if base.data == "opname":
            return "\\operatorname " + "".join(str(c) for c in base.children[1:])
        prefix = {
            "hat": "\\hat ",
            "tilde": "\\tilde ",
            "cal": "\\mathcal ",
            "bold": "\\mathbf ",
            "italic": "",
        }[base.data]
        return prefix + str(base.children[-1])

    def r_kronecker(self, node: Tree) -> Any:
        """``\\mathbf{1}(i=j)``: 1 where two component indices are equal, else 0 (the
        Kronecker delta of a softmax's derivative)."""
        _bold, digit, left, _eq, right = node.children
        if str(digit) != "1":
            raise self.fail(f"\\mathbf{{{digit}}}(...) is not read; \\mathbf{{1}}(i=j) is", node)
        return self.kronecker(self.index(left), self.index(right), node)

    def kronecker(self, i: sp.Expr, j: sp.Expr, node: Any) -> Any:
        """1 where the component indices i and j are equal: vector notation here."""
        raise self.fail(
            f"an indicator of component indices is vector notation: {VECTOR_HINT}", node
        )

    def r_hat_sub(self, node: Tree) -> Any:
        """``\\hat{y_{3}}``: the hatted name with its subscript inside the braces."""
        _hat, letter, sub = node.children
        return self.name("\\hat " + str(letter), sub, node)

    def r_bold_sub(self, node: Tree) -> Any:
        """``\\mathbf{h_t}``: the bold name with its subscript inside the braces."""
        _bold, letter, sub = node.children
        return self.name("\\mathbf " + self.key(letter), sub, node)

    def r_group_sub(self, node: Tree) -> Any:
        inner = node.children[0]
        while (
            isinstance(inner, Tree)
            and inner.data in ("term", "group")
            and len([c for c in inner.children if isinstance(c, Tree)]) == 1
            and len(inner.children) == 1
        ):
            inner = inner.children[0]
        if not (isinstance(inner, Tree) and inner.data == "name" and len(inner.children) == 1):
            # (nabla_{o^{(t)}} L)_i: a component of the value in the braces or parentheses
            return self.component(self.value(inner), self.index(node.children[1].children[0]), node)
        return self.name(self.key(inner.children[0]), node.children[1], node)

    def subscript_text(self, sub: Tree) -> str:
        """A subscript as plain text: ``hh`` for ``_{hh}``, ``_\\textrm{hh}`` and
        ``_{\\mathrm{hh}}`` alike."""
        text = self.text[sub.meta.start_pos + 1 : sub.meta.end_pos]
        text = re.sub(
            r"\\(mathrm|textrm|text|operatorname|mathbf|boldsymbol|bm)(?![a-zA-Z])", "", text
        )
        return text.replace("{", "").replace("}", "").strip()

    def name(self, key: str, sub: Tree | None, node: Any) -> Any:
        """What a name means: a subclass knows a model's names; here only the errors."""
        if key.startswith(("\\mathbf ", "\\operatorname ")):
            raise self.fail(f"{key.split()[0]} is vector notation: {VECTOR_HINT}", node)
        raise self.unknown(key, sub, node)

    def unknown(self, key: str, sub: Tree | None, node: Any, known: str = "") -> FormulaSyntaxError:
        """The error for a name with no meaning (an index letter outside a subscript
        says so), listing the ``known`` names if given."""
        if key in INDEX_LETTERS and len(key) == 1 and sub is None:
            return self.fail(f"the index {key} can only appear in a subscript", node)
        shown = key + (f"_{{{self.subscript_text(sub)}}}" if sub is not None else "")
        return self.fail(
            f"unknown symbol {shown}" + (f"; known names: {known}" if known else ""), node
        )

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
        if order is None:
            base = self.read(node.children[0])
            if isinstance(base, str | OneStep):
                raise self.fail("a power of a function needs its argument first, as phi(s)^2", node)
            # W^\top (v): the transpose (or power) times the parenthesized factor
            powered = self.r_superscript(Tree("superscript", node.children[:2], node.meta))
            args = self.arguments(node.children[2])
            if len(args) != 1:
                raise self.fail("a matrix is multiplied by one factor, not a list", node)
            return sp.Mul(powered, self.value(args[0]), evaluate=False)
        return self.apply(
            self.read(node.children[0]), order, self.arguments(node.children[2]), node
        )

    def r_apply_power(self, node: Tree) -> Any:
        base = self.r_apply(Tree("apply", node.children[:2], node.meta))
        return self.power(base, node.children[2], node)

    def r_superscript(self, node: Tree) -> Any:
        named = self.labelled_name(node.children[0], node.children[1], None, node)
        if named is not None:
            return named
        timed = self.timed_name(node.children[0], node.children[1], node)
        if timed is not None:
            return timed
        if self.prime_order(node.children[1]) is not None:
            raise self.fail("a derivative of a function needs an argument, as phi'(s_t)", node)
        return self.power(self.value(node.children[0]), node.children[1], node)

    def r_sup_sub(self, node: Tree) -> Any:
        base, sup, sub = node.children
        named = self.labelled_name(base, sup, sub, node)
        if named is not None:
            return named
        label = self.label(sup)
        if isinstance(base, Tree) and base.data == "name" and len(base.children) == 1:
            if label is not None:
                raise self.unknown(f"{self.key(base.children[0])}^{{{label}}}", sub, node)
        raise self.fail("only a name can take a superscript and a subscript", node)

    def label(self, sup: Tree) -> str | None:
        """The superscript of a name such as a^f_t, \\delta^{h}_t or W^{hh}, as text with
        bold and braces dropped (``f``, ``h``, ``\\tilde c``); None when it cannot be a
        name's part (a number, a prime, a transpose, T)."""
        text = self.text[sup.meta.start_pos : sup.meta.end_pos].removeprefix("^")
        text = re.sub(r"\\(mathbf|boldsymbol|bm)(?![a-zA-Z])", " ", text)
        text = " ".join(text.replace("{", " ").replace("}", " ").split())
        if text in ("T", "\\top", "\\intercal", "\\prime"):
            return None
        if re.fullmatch(r"[A-Za-z]+|\\[A-Za-z]+( [A-Za-z])?", text):
            return text
        return None

    def labelled_name(self, base: Any, sup: Tree, sub: Tree | None, node: Any) -> Any:
        """A name with a superscript label (the LSTM's pre-activation a^f_t, either
        order of sub- and superscript), or None if ``base`` and ``sup`` do not make one
        that the model knows."""
        if not (isinstance(base, Tree) and base.data == "name"):
            return None
        inner = base.children[1] if len(base.children) > 1 else None
        label = self.label(sup)
        if label is None or (inner is not None and sub is not None):
            return None
        return self.labelled(self.key(base.children[0]), label, sub or inner, node)

    def timed_name(self, base: Any, sup: Tree, node: Any) -> Any:
        """A name with its step as a superscript: ``h^{(t)}``, ``h^{(t-1)}``,
        ``\\boldsymbol{h}^{(t)^\\top}`` (transposed) in every notation, ``h^t`` where the
        profile writes time so; None if ``base`` and ``sup`` are not that."""
        if not (isinstance(base, Tree) and base.data == "name"):
            return None
        entry = base.children[1] if len(base.children) > 1 else None  # o_i^{(t)}
        content = single(sup.children[0])
        transpose = False
        if isinstance(content, Tree) and content.data == "superscript":
            top = content.children[1].children[0]
            if not (isinstance(top, Token) and top.type == "TOP"):
                return None
            content, transpose = single(content.children[0]), True
        parenthesized = (
            isinstance(content, Tree)
            and content.data == "group"
            and self.text[content.meta.start_pos] == "("
        )
        if parenthesized:
            index = next(c for c in content.children if isinstance(c, Tree))
        elif self.time_superscript and not transpose:
            index = content
        else:
            return None
        try:
            self.index(index)
        except FormulaSyntaxError:
            return None
        sub = Tree("subscript", [index], _meta_before(index))
        try:
            value = self.name(self.key(base.children[0]), sub, node)
        except FormulaSyntaxError:
            if parenthesized:
                raise
            return None  # h^2: a power, read as one
        if entry is not None:
            value = self.component(value, self.index(entry.children[0]), node)
        return self.transposed(value, node) if transpose else value

    def subscript_step(self, node: Any) -> sp.Expr | None:
        """The step of a name written with a subscript (the class label y_t), or None
        for anything else."""
        node = single(node)
        if isinstance(node, Tree) and node.data == "name" and len(node.children) == 2:
            return self.index(node.children[1].children[0])
        return None

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


def single(node: Any) -> Any:
    """A tree without its one-child wrappers (term, expression)."""
    while (
        isinstance(node, Tree) and node.data in ("term", "expression") and len(node.children) == 1
    ):
        node = node.children[0]
    return node


def _meta_before(node: Any) -> Any:
    """Positions for a subscript made of ``node`` (a superscript step read as one):
    :meth:`Reader.subscript_text` skips the character before it, as it skips ``_``."""
    from lark.tree import Meta

    meta = Meta()
    if isinstance(node, Token):
        meta.start_pos, meta.end_pos = node.start_pos - 1, node.end_pos
        meta.line, meta.column = node.line, node.column
    else:
        meta.start_pos, meta.end_pos = node.meta.start_pos - 1, node.meta.end_pos
        meta.line, meta.column = node.meta.line, node.meta.column
    meta.empty = False
    return meta


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
