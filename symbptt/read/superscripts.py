"""Superscripts of a formula: time as h^{(t)} or h^t, labels (W^{hh}, a^{f}_t), primes
and transposes in an exponent, and the step of a name written with a subscript.

A part of :class:`symbptt.read.meaning.Reader` (a mixin: it uses the reader's
``read``, ``value``, ``index``, ``name``, ``labelled`` and ``fail``).
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from lark import Token, Tree

from symbptt.errors import FormulaSyntaxError
from symbptt.read.names import accent_of
from symbptt.read.trees import meta_before, single


class Superscripts:
    """The reader's methods for names with superscripts."""

    def r_superscript(self, node: Tree) -> Any:
        base = node.children[0]
        if isinstance(base, Tree) and base.data == "hat_sub":  # \hat{y_i}^{(t)}: entry i
            hat, letter, sub = base.children
            hatted = Tree(accent_of(hat), [hat, letter], base.meta)
            node = Tree(
                "superscript", [Tree("name", [hatted, sub], base.meta), node.children[1]], node.meta
            )
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
        parenthesized = isinstance(content, Tree) and (
            (content.data == "group" and self.text[content.meta.start_pos] == "(")
            or content.data == "angled"  # h^{\langle t \rangle}, h^{<t>}
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
        if entry is not None and (copy := self.step_copy(base, index, node)) is not None:
            return copy  # W_h^{(t)}: a parameter's copy at a step, not entry h of W_t
        sub = Tree("subscript", [index], meta_before(index))
        try:
            value = self.name(self.key(base.children[0]), sub, node)
        except FormulaSyntaxError:
            if parenthesized:
                raise
            return None  # h^2: a power, read as one
        if entry is not None:
            value = self.component(value, self.index(entry.children[0]), node)
        return self.transposed(value, node) if transpose else value

    def step_copy(self, base: Tree, index: Any, node: Any) -> Any:
        """The copy at step ``index`` of the parameter ``base`` names, or None (the
        vector reader's; the seeds' scalar model has none)."""
        return None

    def r_angled(self, node: Tree) -> Any:
        raise self.fail(
            "angle brackets are read as a step, h^{\\langle t \\rangle}, not as a value",
            node,
        )

    def subscript_step(self, node: Any) -> sp.Expr | None:
        """The step of a name written with a subscript (the class label y_t), or None
        for anything else."""
        node = single(node)
        if isinstance(node, Tree) and node.data == "name" and len(node.children) == 2:
            return self.index(node.children[1].children[0])
        return None
