r"""Formulas read into objects of a model (the scalar RNN, Elman, any cell).

The notation reader (:mod:`symbptt.read.meaning`) is used with the model's names
(:mod:`symbptt.read.vocabulary`): the parse becomes the objects of
:mod:`symbptt.core.formula`, to which :mod:`symbptt.formulas.evaluate` gives values.

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
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp
from lark import Token, Tree

from symbptt.core import derivatives as E
from symbptt.core.formula import (
    Block,
    Component,
    Hadamard,
    Node,
    ParamAt,
    Transposed,
    VGradient,
    VImmediate,
    VTotal,
    free_indices,
    node_class,
    param,
)
from symbptt.core.model import Model
from symbptt.errors import EvaluationError, FormulaSyntaxError
from symbptt.read.definitions import Defined
from symbptt.read.entries import Entries
from symbptt.read.functions import Functions
from symbptt.read.meaning import Reader
from symbptt.read.operators import DeclaredProducts
from symbptt.read.parse import Parsed, parse_tree
from symbptt.read.profiles import Profile, is_loss_letter, load_profile
from symbptt.read.vocabulary import Vocabulary, vocabulary
from symbptt.read.written import Written

#: Functions notes write upright, by the key of their usual LaTeX (\\tanh names one
#: function in every notation; \\sigma does not: Pascanu et al.'s is the activation).
UPRIGHT = {"\\operatorname tanh": "\\tanh"}


@dataclass(frozen=True)
class ReaderConfig:
    """What a formula is read with: a model's names, a notation profile, and the
    readings of a \\prod's trailing factors and of a sum's direction
    (:class:`symbptt.read.meaning.Reader`)."""

    vocab: Vocabulary
    profile: Profile
    product_scope: str = "outside"
    sum_direction: str = "downward"


class VectorReader(Defined, Written, DeclaredProducts, Functions, Entries, Reader):
    """The generic reader with a model's names (:mod:`symbptt.read.vocabulary`),
    transposes, diag and the elementwise product, configured by a :class:`ReaderConfig`
    (:func:`reader_for`)."""

    def __init__(self, text: str, config: ReaderConfig) -> None:
        super().__init__(text)
        self.config = config
        self.vocab: Vocabulary = config.vocab
        self.profile: Profile = config.profile
        self.horizon = ("T", *config.profile.horizon)
        self.time_superscript = config.profile.time == "superscript"
        self.product_scope = config.product_scope
        self.sum_direction = config.sum_direction
        self.first_step = config.profile.first
        #: the profile's names this formula used ("W_qh = W_hy")
        self.renamings: list[str] = []

    def name(self, key: str, sub: Tree | None, node: Any) -> Any:
        key = UPRIGHT.get(key, key) if sub is None else key  # \\text{tanh}: \\tanh
        if self.vocab.scalar and key.startswith(("\\mathbf ", "\\operatorname ")):
            return super().name(key, sub, node)  # vector notation: refused with a hint
        base = key.removeprefix("\\mathbf ")
        if key in ("\\operatorname diag", "\\operatorname prod") and sub is None:
            return key.split()[1]
        if key == "\\operatorname softmax" and sub is None:
            return "softmax"
        if key in ("\\log", "\\ln") and sub is None and self.vocab.model.head is not None:
            return "log"
        if key == "\\mathbf 0" and sub is None:
            return sp.Integer(0)  # the zero vector (or matrix), of whatever shape it meets
        if key in ("net", "\\mathbf net", "\\operatorname net") and sub is not None:
            # net_t, the net input of older notes: the argument of the hidden activation
            at = self.vocab.arguments("phi")[:1] if "phi" in self.vocab.roles.values() else []
            if at:
                self.used(f"net_t = {at[0]}_t")
                return self.name(at[0], sub, node)
        if key.startswith("\\operatorname "):
            raise self.fail(f"unknown operator {key.split()[1]}; known: diag, prod", node)
        if base == "1" and sub is not None and len(sub.children) == 3:  # 1_{i, y^{(t)}}
            return self.indicator(sub, node)
        text = self.subscript_text(sub) if sub is not None else ""
        renamed = self.renamed(base, text, sub is not None, node)
        if renamed is not None:
            return renamed
        if base in self.profile.vectors and sub is not None:
            self.used(f"{base}_t = {self.profile.vectors[base]}_t")
            base = self.profile.vectors[base]
        vocab = self.vocab
        parts = [c for c in sub.children if isinstance(c, Tree)] if sub is not None else []
        if len(parts) == 2:  # g_{t, i}: entry i of g at step t
            if base not in vocab.vectors:
                raise self.fail(
                    f"two indices in a subscript are read as a vector's step and entry "
                    f"(g_{{t, i}}); {key.removeprefix(chr(92) + 'mathbf ')} is not a vector "
                    f"at a step",
                    node,
                )
            at = self.index(parts[0])
            return self.component(node_class(vocab.vectors[base])(at), self.index(parts[1]), node)
        if sub is not None:
            if (base, text) in vocab.parameters:
                return param(vocab.parameters[(base, text)])
            if (
                base == "\\phi"
                and text in ("h", "o")
                and {"phi", "theta"} <= set(vocab.roles.values())
            ):
                return "phi" if text == "h" else "theta"
            if base in vocab.vectors:
                # e_{y_t}: the one-hot vector of the class y_t, at step t
                index = self.subscript_step(sub.children[0]) if base == self.target_key() else None
                index = self.index(sub.children[0]) if index is None else index
                if index == self.profile.first - 1 and (base, "0") in vocab.parameters:
                    return param(vocab.parameters[(base, "0")])
                return node_class(vocab.vectors[base])(index)
            if is_loss_letter(self.profile, base, step=True):  # l_t, L_t, L^{(t)}
                return E.StepLoss(self.index(sub.children[0]))
            copied = self.profile.names.get((base, ""), (base, ""))
            if copied in vocab.parameters and len(sub.children) == 1:  # b^{(t)}: a step's copy
                try:
                    step = self.index(sub.children[0])
                except FormulaSyntaxError:
                    step = None
                if step is not None:
                    return ParamAt(param(vocab.parameters[copied]), step)
        else:
            if is_loss_letter(self.profile, base, step=False):
                return E.L
            if base in self.horizon:
                return E.T
            if (base, "") in vocab.parameters:  # a parameter without subscript: w, U
                return param(vocab.parameters[(base, "")])
            if base in self.profile.functions:  # the source's name of a function
                self.used(f"{base} = {self.profile.functions[base]}")
                return self.profile.functions[base]
            if base in vocab.roles:
                return vocab.roles[base]
            if base in ("f", "l", "\\ell"):
                return base
        steps = tuple(f"{s}_t" for s in self.profile.step_letters)
        raise self.unknown(key, sub, node, vocab.known((*self.profile.loss_letters, *steps)))

    def renamed(self, base: str, text: str, timed: bool, node: Any) -> Any:
        """A name the notation profile maps onto the model's (W_{qh} -> W_{hy}, U ->
        W_{xh}), or None."""
        target = self.profile.names.get((base, text))
        if target is None:
            return None
        written = base + (f"_{text}" if text else "")
        self.used(f"{written} = {target[0]}" + (f"_{target[1]}" if target[1] else ""))
        if target in self.vocab.parameters:
            return param(self.vocab.parameters[target])
        if target == ("L", ""):
            return E.L
        raise self.fail(
            f"the {self.profile.name} notation reads {base} as {target[0]}"
            f"{'_' + target[1] if target[1] else ''}, which this model does not have",
            node,
        )

    def finish(self) -> None:
        if self.renamings or self.profile.name != "note000":
            self.notes.append(self.profile.describe(self.renamings))

    def used(self, renaming: str) -> None:
        """Remember a name read through the profile, for the note that says so."""
        if renaming not in self.renamings:
            self.renamings.append(renaming)

    def transposed(self, value: Any, node: Any) -> Any:
        if self.vocab.scalar:
            return super().transposed(value, node)
        return Transposed(value)

    def labelled(self, key: str, label: str, sub: Tree | None, node: Any) -> Any:
        base = key.removeprefix("\\mathbf ") + "^" + label
        if sub is None:
            found = self.vocab.parameters.get((base, ""))
            # W^{hh}, the label as a superscript: the parameter W_{hh}
            found = found or self.vocab.parameters.get((key.removeprefix("\\mathbf "), label))
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
        if isinstance(exponent, Tree) and self.text[
            exponent.meta.start_pos : exponent.meta.end_pos
        ].strip("{} ") in ("T", "\\mathsf{T}", "\\mathrm{T}"):
            return Transposed(base)
        return super().power(base, sup, node)

    def by_copy(self, num: Any, den: Any, node: Any) -> sp.Expr:
        """A derivative by P^{(t)}, the copy of P used at step t: of the state at t (or a
        component of it), the immediate partial by P; of L, a step's loss or a quantity at
        a step, the derivative by that one use of P (step t's part of the gradient)."""
        state = num.args[0] if isinstance(num, Component) else num
        own = isinstance(state, Node) and state.kind in self.vocab.states  # the state at t
        if own and sp.expand(state.args[0] - den.args[1]) == 0:
            return VImmediate(num, den.args[0])
        if (num == E.L or isinstance(num, E.StepLoss | Node)) and not self.vocab.scalar:
            return VTotal(num, den)
        raise self.fail(
            f"a derivative by {den.args[0]}^({den.args[1]}), the copy of {den.args[0]} at "
            f"one step, is read for that step's state only",
            node,
        )

    def gradient(self, top: Any, bottom: Any, node: Any) -> sp.Expr:
        if isinstance(bottom, ParamAt):  # nabla_{W^{(t)}} h_i^{(t)}
            return self.by_copy(top, bottom, node)
        if self.vocab.scalar:
            return super().gradient(top, bottom, node)
        if isinstance(top, E.HiddenState):
            raise self.fail("\\nabla takes a scalar, such as L", node)
        return VGradient(top, bottom)

    def derivative(self, partial: Tree, num: Any, den: Any, node: Any) -> sp.Expr:
        return self.wrap_derivative(super().derivative(partial, num, den, node), node)

    def wrap_derivative(self, got: sp.Expr, node: Any) -> sp.Expr:
        num, den = got.args
        states = self.vocab.states
        if self.vocab.model.notes and len(states) > 1 and _of_states(num, den, states):
            raise self.fail(
                "a derivative of a state by an earlier state, in a cell of several states: "
                "symbptt holds the other states fixed, the notes may mean every path "
                "(through the other states too); not read yet",
                node,
            )
        if isinstance(den, ParamAt):  # dh^{(t)}/db^{(t)}: b's copy at t, the immediate partial
            return self.by_copy(num, den, node)
        if isinstance(num, E.HiddenState):  # d f(x_t, h_{t-1}, w_h): the state at t
            num = node_class(self.vocab.states[0])(num.args[0])
        if isinstance(den, E.HiddenState):  # \partial_h f(...): by the previous state
            den = node_class(self.vocab.states[0])(den.args[0])
        if isinstance(got, E.ImmediatePartial) or self._immediate(num, den):
            return VImmediate(num, den)
        return VTotal(num, den)

    def _immediate(self, num: Any, den: Any) -> bool:
        """Whether the notes declare ``partial = immediate`` and this is a derivative of a
        state by a parameter or by a state at an earlier step: its own equation, the
        other quantities held fixed."""
        if self.profile.partial != "immediate" or not isinstance(num, Node):
            return False
        if num.kind not in self.vocab.states:
            return False
        return isinstance(den, sp.Symbol) or (
            isinstance(den, Node) and den.kind in self.vocab.states
        )


def _of_states(num: Any, den: Any, states: tuple[str, ...]) -> bool:
    """Whether num and den are states (or their entries), den at an earlier step."""
    num = num.args[0] if isinstance(num, Component) else num
    den = den.args[0] if isinstance(den, Component) else den
    return (
        isinstance(num, Node)
        and isinstance(den, Node)
        and num.kind in states
        and den.kind in states
        and sp.expand(num.args[0] - den.args[0]) != 0
    )


@functools.lru_cache(maxsize=64)
def reader_for(
    model: Model,
    profile: Profile | None = None,
    product_scope: str = "outside",
    sum_direction: str = "downward",
) -> Callable[[str], VectorReader]:
    """What makes the reader of one formula about ``model`` in the notation ``profile``
    (default: note000's), with the model's vocabulary; ``product_scope`` and
    ``sum_direction`` as :class:`symbptt.read.meaning.Reader` says."""
    config = ReaderConfig(
        vocabulary(model), profile or load_profile(None), product_scope, sum_direction
    )
    return functools.partial(VectorReader, config=config)


def parse_vector(
    text: str,
    *,
    expression: bool = False,
    model: Model,
    profile: Profile | None = None,
    product_scope: str = "outside",
    sum_direction: str = "downward",
) -> Parsed:
    """Parse an equation (or one expression) in the notation of ``model`` (the Elman
    model's cross-entropy head reads \\hat{\\mathbf{y}}_t as softmax(o_t), its squared
    loss as o_t), its names as ``profile`` (a notation profile) writes them;
    the factors after a \\prod that do not depend on its index are read outside it, or
    with ``product_scope="inside"`` inside it.

    Example:
        >>> from symbptt import cells
        >>> elman = cells.declare("elman", hidden=1)
        >>> g = r"\\mathbf{g}_t = W_{hh}^\\top \\boldsymbol{\\delta}_{t+1}"
        >>> parse_vector(g, model=elman).sides
        [Node_g(t), Transposed(W_hh)*Node_delta(t + 1)]

    Raises:
        FormulaSyntaxError: with line and column, for anything not understood.
    """
    reader = reader_for(model, profile, product_scope, sum_direction)
    for symbol in profile.nabla if profile is not None else ():  # \Delta_{h_t} L: \nabla
        text = re.sub(re.escape(symbol) + r"(?![A-Za-z])(?=\s*_)", r"\\nabla", text)
    parsed = parse_tree(text, reader, expression=expression)
    if profile is not None and profile.first == 0:
        try:
            free = free_indices(parsed.sides)
        except EvaluationError as err:
            raise FormulaSyntaxError(str(err)) from None
        parsed.sides = [_from_step_zero(side, free) for side in parsed.sides]
        parsed.notes.append(
            f"the {profile.name} notation counts steps from 0: its step t is the model's "
            f"t + 1 (steps below are the model's), its s_(-1) the initial state"
        )
    return parsed


def _from_step_zero(side: sp.Expr, free: tuple[Any, Any]) -> sp.Expr:
    """A side read with steps counted from 0, in the model's steps (from 1): every
    quantity at step e is at e + 1, and a free step index t (the model's) is the
    source's t - 1, so a quantity at the source's t is at the model's t."""
    index, earlier = free

    def later(e: sp.Basic) -> sp.Basic:
        if isinstance(e, ParamAt):
            return ParamAt(e.args[0], e.args[1] + 1)
        return type(e)(e.args[0] + 1)

    moved = side.replace(lambda e: isinstance(e, Node | E.StepLoss | ParamAt), later)
    return moved.subs({i: i - 1 for i in (index, earlier) if i is not None}, simultaneous=True)
