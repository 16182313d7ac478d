"""Entries of vectors and the cross-entropy head's target in a formula: g_{t, i} and
o_i^{(t)}, sums over entries (to a size a profile names), the indicators 1_{i, y_t}
and 1(i=j), division by a probability yhat_{t,k}, the target e_{y_t}, and vectors
written by their entries ([a_1, a_2, \\cdots, a_n], diag(a_1, ..., a_n)).

A part of :class:`symbptt.read.formula.VectorReader` (a mixin before the scalar
:class:`symbptt.read.meaning.Reader`, whose refusals its methods override).
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from lark import Token, Tree

from symbptt.core.formula import COMPONENTS, Block, Component, ParamAt, Reciprocal, node_class
from symbptt.errors import FormulaSyntaxError
from symbptt.limits import MAX_LISTED
from symbptt.read.bigops import ELLIPSIS, _is_ellipsis
from symbptt.read.names import INDEX_LETTERS, VECTOR_HINT
from symbptt.read.trees import single


class Entries:
    """The vector reader's methods for entries, indicators and the target."""

    def target_key(self) -> str | None:
        """The letter of the cross-entropy head's one-hot target (e, as in e_{y_t})."""
        head = self.vocab.model.head
        if head is None or head.loss != "cross-entropy":
            return None
        keys = [k for k, v in self.vocab.vectors.items() if v == head.target]
        return keys[0] if keys else None

    def target_step(self, node: Any) -> Any:
        """The step of a name the model does not know, standing for the target in a
        loss's arguments (d2l's label y_t in l(o_t, y_t)): a plain name with a
        subscript, nothing else."""
        step = self.subscript_step(node)
        if step is None:
            raise self.fail("a loss takes the output and the target at one step", node)
        return step

    def step_copy(self, base: Tree, index: Any, node: Any) -> Any:
        """``W_h^{(t)}``: the copy of the parameter W_h that step t uses, where the name
        with its subscript is a parameter."""
        try:
            whole = self.name(self.key(base.children[0]), base.children[1], node)
        except FormulaSyntaxError:
            return None
        if isinstance(whole, sp.Symbol) and str(whole) in self.vocab.model.parameters:
            return ParamAt(whole, self.index(index))
        return None

    def component(self, value: Any, index: Any, node: Any) -> Any:
        if self.vocab.scalar:
            return super().component(value, index, node)
        return Component(value, index)

    def counts_components(self, factors: list[Any], var: sp.Symbol) -> bool:
        return any(
            var in c.args[1].free_symbols
            for f in factors
            if isinstance(f, sp.Basic)
            for c in f.atoms(Component)
        )

    def components_limit(self) -> sp.Expr:
        return COMPONENTS

    def size_named(self, letter: str) -> int | None:
        size = self.profile.sizes.get(letter)
        if size is None:
            return None
        model = self.vocab.model
        states = model.states or ("h",)
        inputs = model.of_kind("input") or ("x",)
        variable = {"hidden": states[0], "inputs": inputs[0], "outputs": model.head.output}[size]
        self.used(f"{letter} = {model.shape(variable)[0]} ({size})")
        return model.shape(variable)[0]

    def divided(self, num: sp.Expr, den: sp.Expr, node: Any) -> sp.Expr:
        """num / yhat_{t,k} besides what :meth:`Reader.divided` reads: an entry of the
        cross-entropy head's probabilities is never 0."""
        head = self.vocab.model.head
        if (
            isinstance(den, Component)
            and head is not None
            and head.loss == "cross-entropy"
            and getattr(den.args[0], "kind", None) == "yhat"
        ):
            return sp.Mul(num, Reciprocal(den), evaluate=False)
        return super().divided(num, den, node)

    def kronecker(self, i: sp.Expr, j: sp.Expr, node: Any) -> Any:
        if self.vocab.scalar:
            return super().kronecker(i, j, node)
        return sp.KroneckerDelta(i, j)

    def indicator(self, sub: Tree, node: Any) -> Any:
        """1_{i, y^{(t)}}: 1 where i is the class y_t, the target's one-hot vector's entry
        i (the cross-entropy head's target); 1_{i,j} for two component indices: 1 where
        they are equal (:meth:`kronecker`)."""
        entry, _comma, label = sub.children
        letter = single(label)
        if isinstance(letter, Tree) and letter.data == "name" and len(letter.children) == 1:
            letter = letter.children[0]
        if isinstance(letter, Token) and str(letter) in INDEX_LETTERS and len(str(letter)) == 1:
            return self.kronecker(self.index(entry), self.index(label), node)
        step = self.subscript_step(label)  # y_t
        label = single(label)
        if step is None and isinstance(label, Tree) and label.data == "superscript":  # y^{(t)}
            group = single(label.children[1].children[0])
            inner = [c for c in getattr(group, "children", []) if isinstance(c, Tree)]
            step = self.index(inner[0]) if inner else None
        head = self.vocab.model.head
        if step is None or head is None or head.loss != "cross-entropy":
            raise self.fail(
                "1_{i, y^{(t)}} is read for a cross-entropy head, as 1 where i is the class y_t",
                node,
            )
        return Component(node_class(head.target)(step), self.index(entry))

    def r_listing(self, node: Tree) -> Any:
        """``[a_1, a_2, \\cdots, a_n]``: the row of those entries (Huang's dL_t/dyhat_t,
        "of dimension 1 x C")."""
        if self.vocab.scalar:
            raise self.fail(f"a list of entries is vector notation: {VECTOR_HINT}", node)
        entries = self.listed([c for c in node.children if isinstance(c, Tree)], node)
        return Block(sp.Integer(1), sp.Integer(len(entries)), *entries)

    def listed(self, items: list[Tree], node: Any) -> list[sp.Expr]:
        """The entries a list writes out, or, with an ellipsis (a_1, a_2, \\cdots, a_n),
        the pattern of the first two (their entry index 1, then 2) for every index up
        to the last one's, which must follow it too."""
        values = [ELLIPSIS if _is_ellipsis(single(i)) else self.value(i) for i in items]
        if ELLIPSIS not in values:
            return values
        if len(values) != 4 or values[2] is not ELLIPSIS or ELLIPSIS in values[:2]:
            raise self.fail("a list with an ellipsis reads like a_1, a_2, \\cdots, a_n", node)
        first, second, last = values[0], values[1], values[3]
        index = sp.Symbol("entry", integer=True)

        def numbered(value: sp.Expr, k: Any) -> sp.Expr:
            """``value`` with its entries numbered k numbered ``index``."""
            return value.xreplace(
                {c: Component(c.args[0], index) for c in value.atoms(Component) if c.args[1] == k}
            )

        ends = {c.args[1] for c in last.atoms(Component)}
        if len(ends) != 1 or not next(iter(ends)).is_Integer:
            raise self.fail(
                "the entries around an ellipsis must be numbered 1, 2, ..., n (a size the "
                "profile names, or a number)",
                node,
            )
        n = int(next(iter(ends)))
        if not 2 <= n <= MAX_LISTED:
            raise self.fail(f"a list of entries has 2 to {MAX_LISTED} of them, not {n}", node)
        pattern = numbered(first, 1)
        if index not in pattern.free_symbols or not (
            numbered(second, 2) == pattern == numbered(last, n)
        ):
            raise self.fail("the entries around the ellipsis do not follow one pattern", node)
        return [pattern.xreplace({index: sp.Integer(i)}) for i in range(1, n + 1)]
