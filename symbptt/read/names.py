"""Names in a formula: a name's base as one key (``h``, ``\\phi``, ``\\hat y``,
``\\mathbf h``, ``\\operatorname diag``), names with their subscript or superscript
inside the markup (``\\mathbf{h_t}``, ``\\hat{y_{3}}``, ``\\mathbf{W^{hh}}``), the
subscript as plain text, and the error that names what is not known. A model's names are
read by :class:`symbptt.read.formula.VectorReader`; here a name is an error.

A part of :class:`symbptt.read.meaning.Reader` (a mixin: it uses the reader's
``read``, ``value``, ``index``, ``fail`` and ``r_superscript``).
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from lark import Tree

from symbptt.errors import FormulaSyntaxError

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


def compact(text: str) -> str:
    """A name as written, without braces and spaces: ``T_{x}`` and ``T_x`` are T_x (how
    a profile's horizons and sizes are matched with a formula's)."""
    return "".join(c for c in text if c not in "{} ")


#: What the reader says of bold vectors, transposes, diag and \odot in a model written in
#: scalar notation.
VECTOR_HINT = "check it against the vector model (--model elman, or model=ElmanSpec(...))"


#: Upright letters that are not names: the differential d and Euler's e.
UPRIGHT_CONSTANTS = ("d", "e")


class Names:
    """The reader's methods for names."""

    #: the reader's error at a node (:meth:`symbptt.read.meaning.Reader.fail`)
    fail: Any

    def r_name(self, node: Tree) -> Any:
        base = node.children[0]
        sub = node.children[1] if len(node.children) > 1 else None
        return self.name(self.key(base), sub, node)

    def key(self, base: Any) -> str:
        """A name's base as one string: ``h``, ``\\phi``, ``\\hat y``, ``\\mathbf h``,
        ``\\operatorname diag``."""
        if not isinstance(base, Tree):
            if getattr(base, "type", "") == "WORD":  # diag( typed without a backslash
                if str(base) in ("net", "loss"):  # net_t (a pre-activation); the loss
                    return str(base)
                if str(base) in ("diag", "softmax"):
                    return "\\operatorname " + str(base)
                if str(base) == "log":  # log(x) typed without a backslash: \log
                    return "\\log"
                return "\\" + str(base)
            return GREEK.get(str(base), str(base))
        if base.data == "opname":
            word = "".join(str(c) for c in base.children[1:])
            if word == "loss":  # \text{loss}, \mathrm{loss}: the loss, as code names it
                return word
            if len(word) == 1 and word not in UPRIGHT_CONSTANTS:
                return word  # \mathrm{s}_t: an upright letter is the letter (ISO style)
            return "\\operatorname " + word
        prefix = {
            "hat": "\\hat ",
            "tilde": "\\tilde ",
            "cal": "\\mathcal ",
            "bold": "\\mathbf ",
            "italic": "",
        }.get(base.data)
        if prefix is None:  # {\sigma}(...): a group where a name belongs
            raise self.fail("a name is expected here", base)
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
        accent, letter, sub = node.children
        return self.name(f"\\{accent_of(accent)} " + str(letter), sub, node)

    def r_bold_sup(self, node: Tree) -> Any:
        """``\\mathbf{W^{hh}}``: the bold name with its superscript inside the braces."""
        bold, letter, sup = node.children
        base = Tree("name", [Tree("bold", [bold, letter], node.meta)], node.meta)
        return self.r_superscript(Tree("superscript", [base, sup], node.meta))

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


def accent_of(token: Any) -> str:
    """``hat`` or ``tilde``: the accent a ``\\hat``, ``\\widehat``, ``\\tilde`` or
    ``\\widetilde`` token puts on a name."""
    return "tilde" if "tilde" in str(token) else "hat"
