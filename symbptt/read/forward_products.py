r"""How notes write products and applications in their forward pass (:mod:`symbptt.read.forward`).

- ``W v``, ``W \cdot v``, ``W(v)`` with ``W`` a capital, ``W[h_{t-1}, x_t]`` (a stacked
  vector: its parts in order), ``W^\top v``;
- ``h_{t-1} W`` (a row vector times W: notes that write vectors as rows; the column
  W^T h here, and the cell is marked ``rows``);
- ``W * v`` or ``v * W`` where the notes declare ``*`` the matrix product;
- ``f(v)`` with ``f`` declared a function of the notes' own (``functions = f``): any
  differentiable function, entry by entry; an undeclared lower-case letter before
  parentheses is refused, since it may be a function or a product.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lark import Token, Tree

from symbptt.core.tensor import Apply, Concat, Expr, MatVec, Param, Transpose
from symbptt.errors import FormulaSyntaxError
from symbptt.read.cell_equations import PRIMITIVE_KEYS, ROLES, SPELLED, EquationReader
from symbptt.read.names import compact
from symbptt.read.trees import single

#: The nodes that write one name with its scripts (``\\mathbf{W^{hh}}`` among them).
NAMES = ("name", "superscript", "sup_sub", "bold_sub", "bold_sup")


class Products(EquationReader):
    """The forward reader's products, stacks and applications."""

    #: the names the notes declare functions of their own (``functions = f g``)
    functions: tuple[str, ...] = ()

    def source(self, node: Any) -> str:
        return self.text[node.meta.start_pos : node.meta.end_pos]

    def named(self, node: Tree) -> tuple[str, int | None]:
        """(canonical name, step or None) of a name node (the forward reader's)."""
        raise NotImplementedError

    def declared_product(self, left: Tree, right: Tree, node: Tree) -> Expr:
        """``W * v`` (a matrix times a column) or ``v * W`` (a row times a matrix: W^T v,
        as a column), where the notes declare ``*`` the matrix product."""
        left, right = single(left), single(right)
        try:
            product = MatVec(self.matrix(left), self.expr(right))
            self.cell.columns = True
            return product
        except FormulaSyntaxError:
            self.cell.rows = True
            return MatVec(Transpose(self.matrix(right)), self.expr(left))  # type: ignore[arg-type]

    def is_transpose(self, sup: Any) -> bool:
        text = self.source(sup).lstrip("^").strip("{} ")
        return text in ("\\top", "T", "\\intercal", "\\mathsf{T}", "\\mathrm{T}")

    def matrix(self, node: Tree) -> Param | Transpose:
        if node.data == "superscript" and self.is_transpose(node.children[1]):
            inner = self.matrix(node.children[0])
            return inner.arg if isinstance(inner, Transpose) else Transpose(inner)
        if node.data not in NAMES or self.is_function(node):
            raise self.fail("only a parameter matrix may multiply a vector", node)
        found = self.leaf(node)
        if not isinstance(found, Param):
            raise self.fail(
                f"{self.source(node)} has a step: a quantity of a step is no matrix", node
            )
        return found

    def product(self, factors: list[Tree], node: Tree) -> Expr:
        """Juxtaposition (and \\cdot): matrices applied to the last factor (``W v``), or a
        quantity of a step times matrices on its right (``h_{t-1} W``: a row vector times
        W, as notes that write vectors as rows do; the column W^T h here)."""
        if not factors:
            raise self.fail("an empty product", node)
        factors = [self.unbraced(f) for f in self.applications([single(f) for f in factors])]
        if len(factors) == 1:
            return self.expr(factors[0])
        first = factors[0]
        if not self._is_matrix(first):
            self.cell.rows = True
            out = self.expr(first)
            for f in factors[1:]:
                out = MatVec(Transpose(self.matrix(single(f))), out)  # type: ignore[arg-type]
            return out
        out = self.expr(factors[-1])
        for f in reversed(factors[:-1]):
            if f.data == "number":
                raise self.fail("a number multiplies only in 1 - v", f)
            out = MatVec(self.matrix(f), out)
        self.cell.columns = True
        return out

    def is_function(self, node: Any) -> bool:
        """Whether a factor is a function's name (``\\tanh``, ``\\sigma``, ``\\phi``, a
        declared ``f``): never a matrix, even where juxtaposition puts it first."""
        node = single(node)
        if isinstance(node, Token):
            return node.type == "WORD" and str(node) in ("tanh", "sigmoid", "sigm")
        if not isinstance(node, Tree) or node.data != "name":
            return False
        if compact(self.source(node)) in self.functions:  # declared: f, f_s, \sigma_c
            return True
        key = self.key(node.children[0]) if len(node.children) == 1 else None
        return key in PRIMITIVE_KEYS or key in SPELLED or key in ROLES

    def _leaf(self, node: Any) -> bool:
        """Whether a braced factor holds one name (``\\sigma {z_t}``)."""
        inner = self.unbraced(node)
        return isinstance(inner, Tree) and inner.data in NAMES

    def applications(self, factors: list[Any]) -> list[Any]:
        """The factors with a function's name and the factor after it read as the
        function applied (``\\tanh {(W x_t)}``, ``\\sigma {z}``), not as a product."""
        out: list[Any] = []
        n = 0
        while n < len(factors):
            if self.is_function(factors[n]) and n + 1 < len(factors):
                arg = factors[n + 1]
                written = self.source(arg).strip() if isinstance(arg, Tree) else ""
                inner = written[1:-1].strip() if written.startswith("{") else ""
                if written.startswith("{") and not (
                    inner.startswith(("(", "\\left(", "[", "\\left[")) or self._leaf(arg)
                ):  # \tanh {W h + U x}: braces print nothing; the argument is not shown
                    raise self.fail(
                        "a function's argument in braces only prints without them: write it "
                        "in parentheses, as \\tanh(W h)",
                        factors[n],
                    )
                grouped = written[:1] in "({["
                if not grouped and n + 2 < len(factors):
                    raise self.fail(
                        "a function before several factors: write its argument in "
                        "parentheses, as \\tanh(W h)",
                        factors[n],
                    )
                call = Tree("call", [arg], arg.meta) if isinstance(arg, Tree) else arg
                out.append(Tree("apply", [single(factors[n]), call], factors[n].meta))
                n += 2
                continue
            if self.is_function(factors[n]):
                raise self.fail("a function without its argument", factors[n])
            out.append(factors[n])
            n += 1
        return out

    def unbraced(self, node: Any) -> Any:
        """A factor without TeX's braces around it (``{W}``, what ``{\\color{red} W}``
        leaves): braces group for TeX, not for the formula."""
        node = single(node)
        while (
            isinstance(node, Tree)
            and node.data == "group"
            and self.source(node).lstrip().startswith("{")
        ):
            node = single(next(c for c in node.children if isinstance(c, Tree)))
        return node

    def _is_matrix(self, node: Any) -> bool:
        """Whether a factor is a parameter (a name without a step, or its transpose)."""
        if not isinstance(node, Tree) or node.data not in NAMES:
            return False
        if self.is_function(node):
            return False
        if node.data == "superscript" and self.is_transpose(node.children[1]):
            return self._is_matrix(single(node.children[0]))
        try:
            return self.named(node)[1] is None
        except FormulaSyntaxError:
            return False

    def stacked(self, parts: Sequence[Any], node: Tree) -> Expr:
        values = [self.expr(p) for p in parts]
        out = values[0]
        for v in values[1:]:
            out = Concat(out, v)
        return out

    def applied(self, node: Tree) -> Expr:
        """``W[h_{t-1}, x_t]``, ``W(v)``: a product (by a stack); ``f(v)`` with ``f``
        declared a function (``functions = f``): that function, any differentiable one,
        entry by entry; a function as in a cell.

        ``f(v)`` with a lower-case ``f`` not declared is refused: notes write activations
        so (``s_t = f(U x_t + W s_{t-1})``), and reading f as a matrix would be another
        model."""
        head, call = node.children
        if isinstance(head, Tree) and head.data != "name":
            raise self.fail("only a name may be applied to an argument", head)
        key = self.key(head.children[0]) if isinstance(head, Tree) else str(head)
        if compact(self.source(head)) in self.functions:
            args = [c for c in call.children if isinstance(c, Tree)]
            if len(args) != 1:
                raise self.fail("a function takes one argument", node)
            role = "fn_" + re.sub(r"\W", "", compact(self.source(head)))
            self.cell.roles[role] = self.source(head)
            self.cell.primitives[role] = "generic"
            return Apply(role, self.expr(args[0]))  # type: ignore[arg-type]
        key = key.removeprefix("\\mathbf ").removeprefix("\\boldsymbol ")
        known = key in PRIMITIVE_KEYS or key in SPELLED or key in ROLES
        if isinstance(head, Tree) and len(head.children) > 1 and known:
            raise self.fail(
                f"{self.source(head)} may be another function than {key} (notes write "
                f"\\sigma_g, \\sigma_c, \\sigma_h for three): declare it "
                f"(symbptt: conventions functions = {self.source(head)}) or write the function",
                head,
            )
        if isinstance(head, Tree) and key[:1].islower() and self.source(call).startswith("("):
            raise self.fail(
                f"{self.source(head)}(...) may be a function or a product: declare it a "
                f"function (symbptt: conventions functions = {self.source(head)}) or write "
                "the product without parentheses",
                node,
            )
        if isinstance(head, Tree) and not key.startswith("\\"):
            args = [c for c in call.children if isinstance(c, Tree)]
            self.cell.columns = True
            return MatVec(self.matrix(head), self.stacked(args, node))
        return super().applied(node)


def is_param(expr: Expr) -> bool:
    return isinstance(expr, Param | Transpose)
