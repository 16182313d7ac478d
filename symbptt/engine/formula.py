r"""Vector formulas: reading them into objects of a vector model (the Elman RNN or a cell).

The notation reader (:mod:`symbptt.notation.meaning`) is used with the model's names
(:mod:`symbptt.engine.vocabulary`): the parse becomes the objects of
:mod:`symbptt.engine.nodes`, to which :mod:`symbptt.engine.evaluate` gives values.

Names are the model's, as its LaTeX writes them, bold or not: for the Elman model
``\mathbf{h}_t``, ``\mathbf{s}_t``, ``\mathbf{x}_t``, ``\mathbf{z}_t``, ``\mathbf{o}_t``
(``\hat{\mathbf{y}}_t``), ``\mathbf{d}_t``, ``\mathbf{g}_t`` (= dL/dz_t),
``\boldsymbol{\delta}_t`` (= dL/ds_t), ``W_{hh}``, ``W_{xh}``, ``W_{hy}``, ``\mathbf{b}_h``,
``\mathbf{b}_y``, ``\mathbf{h}_0`` and note 000's ``w_h``; for a cell its declared names.
Always: ``L``, ``\ell_t``, ``T``; the model's functions (``\phi``, ``\theta``,
``\sigma``, ``\tanh``) and their primes, ``^\top`` (or ``^T``), ``\operatorname{diag}``,
``\odot``, block matrices (``bmatrix``) and ``\mathbf{0}``.
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp
from lark import Token, Tree

from .. import expr as E
from ..core.model import Model
from ..notation.meaning import OneStep, Reader
from ..notation.parse import Parsed, parse_tree
from .nodes import (
    Block,
    Diag,
    Hadamard,
    Node,
    Transposed,
    VImmediate,
    VTotal,
    activation,
    node_class,
    param,
)
from .vocabulary import Vocabulary, vocabulary


class VectorReader(Reader):
    """The scalar reader with a model's names (:mod:`symbptt.engine.vocabulary`),
    transposes, diag and the elementwise product; :func:`reader_for` makes one per
    model."""

    vocab: Vocabulary

    def name(self, key: str, sub: Tree | None, node: Any) -> Any:
        if self.vocab.scalar and key.startswith(("\\mathbf ", "\\operatorname ")):
            return super().name(key, sub, node)  # vector notation: refused with a hint
        bold = key.startswith("\\mathbf ")
        base = key.removeprefix("\\mathbf ")
        if key == "\\operatorname diag" and sub is None:
            return "diag"
        if key == "\\mathbf 0" and sub is None:
            return sp.Integer(0)  # the zero vector (or matrix), of whatever shape it meets
        if key.startswith("\\operatorname "):
            raise self.fail(f"unknown operator {key.split()[1]}; known: diag", node)
        if sub is not None:
            text = self.subscript_text(sub)
            vocab = self.vocab
            if (base, text) in vocab.parameters:
                return param(vocab.parameters[(base, text)])
            if (
                base == "\\phi"
                and text in ("h", "o")
                and {"phi", "theta"} <= set(vocab.roles.values())
            ):
                return "phi" if text == "h" else "theta"
            if base in vocab.vectors:
                index = self.index(sub.children[0])
                if index == 0 and (base, "0") in vocab.parameters:
                    return param(vocab.parameters[(base, "0")])
                return node_class(vocab.vectors[base])(index)
            if base in ("l", "\\ell"):
                return E.StepLoss(self.index(sub.children[0]))
        elif not bold:
            if base in ("L", "\\hat L", "\\mathcal L"):
                return E.L
            if base == "T":
                return E.T
            if (base, "") in self.vocab.parameters:  # a parameter without subscript: w, U
                return param(self.vocab.parameters[(base, "")])
            if base in self.vocab.roles:
                return self.vocab.roles[base]
            if base == "f":
                return "f"
        raise self.unknown(key, sub, node, self.vocab.known())

    def labelled(self, key: str, label: str, sub: Tree | None, node: Any) -> Any:
        base = key.removeprefix("\\mathbf ") + "^" + label
        if sub is None:
            found = self.vocab.parameters.get((base, ""))
            return param(found) if found is not None else None
        if (base, self.subscript_text(sub)) in self.vocab.parameters:
            return param(self.vocab.parameters[(base, self.subscript_text(sub))])
        if base in self.vocab.vectors:
            return node_class(self.vocab.vectors[base])(self.index(sub.children[0]))
        return None

    def r_hadamard(self, node: Tree) -> Any:
        if self.vocab.scalar:
            return super().r_hadamard(node)
        first, rest = self.chain(node, ("hadamard",))
        return Hadamard(self.value(first), *(self.value(operand) for _, operand in rest))

    def r_block(self, node: Tree) -> Any:
        if self.vocab.scalar:
            return super().r_block(node)
        cells = node.children[1]
        rows = [
            [self.value(e) for e in row.children if isinstance(e, Tree)]
            for row in cells.children
            if isinstance(row, Tree)
        ]
        if len({len(r) for r in rows}) != 1:
            raise self.fail("every row of a block matrix needs the same number of entries", node)
        return Block(sp.Integer(len(rows)), sp.Integer(len(rows[0])), *[c for r in rows for c in r])

    def power(self, base: sp.Expr, sup: Tree, node: Any) -> sp.Expr:
        if self.vocab.scalar:
            return super().power(base, sup, node)
        exponent = sup.children[0]
        if isinstance(exponent, Token) and exponent.type == "TOP":
            return Transposed(base)
        if isinstance(exponent, Token) and str(exponent) == "T":
            return Transposed(base)
        if isinstance(exponent, Tree) and self.read(exponent) == E.T:
            return Transposed(base)
        return super().power(base, sup, node)

    def apply(self, fn: Any, order: int, args: list[Tree], node: Any) -> Any:
        if fn == "f":  # the one-step map f(x_t, h_{t-1}, w_h) of a one-state model
            values = [self.value(a) for a in args]
            states = [a for a in values if isinstance(a, Node) and a.kind in self.vocab.states]
            if order or len(states) != 1 or len(self.vocab.states) != 1:
                raise self.fail(
                    "f takes (x_t, h_{t-1}, w_h): the previous state among its arguments", node
                )
            return OneStep(states[0].args[0] + 1)
        if fn == "diag":
            if order or len(args) != 1:
                raise self.fail("diag takes one vector", node)
            return Diag(self.value(args[0]))
        if fn in self.vocab.roles.values():
            if len(args) != 1:
                raise self.fail(f"\\{fn} takes one argument", node)
            arg = self.value(args[0])
            if not (isinstance(arg, Node) and arg.kind not in self.vocab.adjoints):
                allowed = self.vocab.arguments(fn)
                at = allowed[0] if allowed else "s"
                raise self.fail(
                    f"\\{fn} is known at a variable of the model at some step, such as "
                    f"{at}_k, not at {arg}",
                    node,
                )
            return activation(fn, order)(arg)
        if order or len(args) != 1:
            raise self.fail(f"{fn} is not a function", node)
        return sp.Mul(fn, self.value(args[0]), evaluate=False)  # juxtaposition

    def r_derivative(self, node: Tree) -> sp.Expr:
        got = super().r_derivative(node)
        num, den = got.args
        if isinstance(num, E.HiddenState):  # d f(x_t, h_{t-1}, w_h): the state at t
            num = node_class(self.vocab.states[0])(num.args[0])
        if isinstance(got, E.ImmediatePartial):
            return VImmediate(num, den)
        return VTotal(num, den)


@functools.lru_cache(maxsize=64)
def reader_for(model: Model) -> type[VectorReader]:
    """The reader of formulas about ``model``, with its vocabulary."""
    return type(f"Reader_{model.name}", (VectorReader,), {"vocab": vocabulary(model)})


def parse_vector(text: str, *, expression: bool = False, model: Model | None = None) -> Parsed:
    """Parse an equation (or one expression) in the notation of ``model`` (default: the
    Elman model; with its cross-entropy head \\hat{\\mathbf{y}}_t is softmax(o_t), with
    the squared loss o_t).

    Example:
        >>> parse_vector(r"\\mathbf{g}_t = W_{hh}^\\top \\boldsymbol{\\delta}_{t+1}").sides
        [Node_g(t), Transposed(W_hh)*Node_delta(t + 1)]

    Raises:
        FormulaSyntaxError: with line and column, for anything not understood.
    """
    from ..models import elman

    reader = reader_for(model if model is not None else elman.declare(hidden=1))
    return parse_tree(text, reader, expression=expression)
