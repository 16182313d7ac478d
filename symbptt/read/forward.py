r"""The notes' own forward pass, read in their notation into the model core's expressions.

A display marked ``% symbptt: model`` holds equations such as
``\Gamma_f^{\langle t \rangle} = \sigma(W_f[a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_f)``
or ``h_t = o_t \circ \tanh(c_t)``. :func:`read_forward` reads each into (the name it
computes, its right-hand side at step t); what the names are (states, inputs,
parameters) and their shapes come after, from the equations
(:mod:`symbptt.read.forward_kinds`). Read here:

- a name's step, written as a subscript (``h_t``, ``h_{t-1}``) or a superscript
  (``h^{(t)}``, ``a^{\langle t-1 \rangle}``, ``a^{<t>}``, ``h^t``); any other subscript
  or superscript is part of the name (``W_f``, ``\Gamma_f^{<t>}``, ``a^{i}_t``); a name
  without a step is a parameter;
- ``W v``, ``W \cdot v``, ``W(v)``, ``W[h_{t-1}, x_t]`` (a stacked vector: its parts in
  order), ``\begin{bmatrix} h_{t-1} \\ x_t \end{bmatrix}``, ``W^\top v``;
- ``+``, ``-``, ``1 - v``, and ``\odot``, ``*``, ``\circ`` between two quantities of a
  step (vectors: only the elementwise product is defined); ``*`` or ``\circ`` with a
  parameter on either side is refused, since notes use them for the matrix product too;
- ``\sigma``, ``\tanh``, ``\phi``, ``\theta`` and the primitive table's functions.

Nothing is guessed: what cannot be read is refused with its place (a
:class:`~symbptt.errors.FormulaSyntaxError`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import takewhile
from typing import Any

from lark import Tree
from lark.exceptions import UnexpectedInput

from symbptt.core.tensor import (
    Apply,
    Expr,
    Had,
    Param,
    Var,
    rebuild,
    subexpressions,
)
from symbptt.errors import FormulaSyntaxError
from symbptt.read.cell_equations import CellNames, identifier
from symbptt.read.forward_products import Products, is_param
from symbptt.read.names import accent_of, compact
from symbptt.read.parse import parser, syntax_error
from symbptt.read.restated import names_in
from symbptt.read.trees import single

#: A step as notes write it, once brackets and spaces are dropped: t, t-1, t+1.
_STEP = re.compile(r"t([+-]1)?")
#: What surrounds a step in a superscript or subscript.
_BRACKETS = re.compile(r"\\langle|\\rangle|\\left|\\right|[<>(){}\[\]\s]")


def step_of(text: str) -> int | None:
    """The shift of a step written ``t``, ``(t-1)``, ``\\langle t \\rangle``, ``<t+1>``;
    None for anything else (a label).

    Example:
        >>> step_of(r"\\langle t-1 \\rangle"), step_of("(t)"), step_of("f"), step_of("hh")
        (-1, 0, None, None)
    """
    compact = _BRACKETS.sub("", text)
    match = _STEP.fullmatch(compact)
    if match is None:
        return None
    return int(match.group(1)) if match.group(1) else 0


class ForwardReader(Products):
    """Reads one forward equation's sides (see the module docstring): the ``[cell]``
    equation reader's operations, with names resolved from how the notes write them (no
    declaration) and the products and stacks notes write besides."""

    def __init__(
        self,
        text: str,
        cell: CellNames | None = None,
        elementwise: tuple[str, ...] = (),
        matrix_product: tuple[str, ...] = (),
        functions: tuple[str, ...] = (),
    ) -> None:
        super().__init__(text, cell or CellNames())
        #: the names the notes declare functions of their own (``functions = f g``)
        self.functions = functions
        #: the symbols the notes declare for the elementwise product (``*``, ``\\cdot``)
        #: and for the matrix product (``*``: ``h_{t-1} * W`` is a row vector times W)
        self.elementwise, self.matrix_product = elementwise, matrix_product
        #: the names the forward pass computes (read without a step: at the step)
        self.computed: set[str] = set()
        #: every name read, with how the notes write it (its LaTeX with @ for the step)
        self.forms: dict[str, str] = {}

    def named(self, node: Tree) -> tuple[str, int | None]:
        """(canonical name, step or None) of a name node: ``name``, ``superscript`` or
        ``sup_sub``."""
        if node.data == "name":
            base = node.children[0]
            sub = node.children[1] if len(node.children) > 1 else None
            key = self.key(base).removeprefix("\\mathbf ").removeprefix("\\boldsymbol ")
            label, step = None, None
            if sub is not None:
                text = self.source(sub).lstrip("_")
                step = step_of(text)
                if step is None:
                    label = self.label_text(text, sub)
            name = identifier(key) + (f"_{label}" if label else "")
            return name, step
        if node.data == "group_sub":  # {c}_t: a braced name and its step
            inner = self.unbraced(node.children[0])
            if isinstance(inner, Tree) and inner.data == "name" and len(inner.children) == 1:
                return self.named(Tree("name", [inner.children[0], node.children[1]], node.meta))
            raise self.fail("only a name may carry a step or a label", node)
        if node.data == "hat_sub":  # \\hat{h_t}: the hat over the name and its step
            accent, letter, sub = node.children
            base = Tree(accent_of(accent), [accent, letter], node.meta)
            return self.named(Tree("name", [base, sub], node.meta))
        if node.data in ("bold_sub", "bold_sup"):  # \\mathbf{z_t}, \\mathbf{W^{hh}}
            bold, letter, script = node.children
            base = Tree("name", [Tree("bold", [bold, letter], node.meta)], node.meta)
            if node.data == "bold_sub":
                return self.named(Tree("name", [base.children[0], script], node.meta))
            return self.named(Tree("superscript", [base, script], node.meta))
        if node.data in ("superscript", "sup_sub"):
            inner, sup = self.unbraced(node.children[0]), node.children[1]  # {W}^{(z)}
            if not (isinstance(inner, Tree) and inner.data == "name"):
                raise self.fail("only a name may carry a step or a label", node)
            name, step = self.named(inner)
            text = self.source(sup).lstrip("^")
            sup_step = step_of(text)
            if sup_step is not None:
                if step is not None:
                    raise self.fail("a name with two steps", node)
                step = sup_step
            else:
                name = f"{name}_{self.label_text(text, sup)}"
            if node.data == "sup_sub":
                sub_text = self.source(node.children[2]).lstrip("_")
                sub_step = step_of(sub_text)
                word = re.fullmatch(r"\{?\s*(?:\\text\{)?[A-Za-z]{2,}\}?\s*\}?", sub_text)
                if sub_step is None and (step is None or word):
                    # W^{ss}_0: a second label; y^{<t>}_{pred}: a word, a label (a single
                    # letter after a step is an entry, o^t_i, not read here)
                    name = f"{name}_{self.label_text(sub_text, node.children[2])}"
                elif sub_step is None or step is not None:
                    raise self.fail("a subscript after a label must be the step, as a^{f}_t", node)
                else:
                    step = sub_step
            return name, step
        raise self.fail("a name is expected here", node)

    def label_text(self, text: str, node: Any) -> str:
        """A label as part of a name: letters and digits (``f``, ``hh``, ``xh``), a Greek
        letter (``\\iota``: iota) or an accented letter (``\\tilde{h}``: htilde)."""
        compact = re.sub(r"[{}\s]|\\mathrm|\\text|\\mathit", "", text)
        compact = re.sub(r"\\(tilde|hat|bar|widetilde|widehat)([A-Za-z])", r"\2\1", compact)
        compact = re.sub(r"\\([A-Za-z]+)", r"\1", compact)
        if "," in compact:  # W_{f,h}: a label in parts; h_{t,2}: an entry, not read here
            parts = compact.split(",")
            if any(step_of(part) is not None for part in parts):
                raise self.fail(
                    f"{text!r}: an entry of a quantity of a step is not read here", node
                )
            compact = "_".join(parts)  # W_{a,b} is W_a_b, never W_{ab}
        if re.fullmatch(r"\([A-Za-z0-9]+\)", compact):  # W^{(hh)}, W^{(1)}: a layer's label
            compact = compact[1:-1]
        if not re.fullmatch(r"[A-Za-z0-9]+(_[A-Za-z0-9]+)*", compact):
            raise self.fail(
                f"{text!r} is neither a step (t, t-1) nor a label of letters and digits", node
            )
        return compact

    # -- right-hand sides ---------------------------------------------------------------
    def expr(self, node: Any) -> Expr:
        """What notes write beyond a ``[cell]`` equation; the rest as there."""
        if not isinstance(node, Tree):
            return super().expr(node)
        kids = [c for c in node.children if isinstance(c, Tree)]
        if node.data == "braced":
            return self.expr(kids[0])
        declared = [str(c) for c in node.children if str(c) in self.elementwise]
        if node.data in ("star", "times") and declared:  # the product the notes declare
            return Had(self.expr(kids[0]), self.expr(kids[-1]))
        if node.data == "star" and any(str(c) in self.matrix_product for c in node.children):
            return self.declared_product(kids[0], kids[-1], node)
        if node.data == "star":
            left, right = self.expr(kids[0]), self.expr(kids[1])
            if is_param(left) or is_param(right):
                raise self.fail(
                    "* or \\circ next to a parameter may be the matrix product: symbptt "
                    "does not guess which (write the product as W v, or \\odot)",
                    node,
                )
            return Had(left, right)
        if node.data == "times":
            return self.product(kids, node)
        if node.data in ("superscript", "hat_sub", "group_sub", "bold_sub", "bold_sup"):
            return self.leaf(node)
        if node.data == "listing":  # [h_{t-1}, x_t]: the parts stacked, in order
            return self.stacked(kids, node)
        return super().expr(node)

    def leaf(self, node: Tree) -> Expr:
        if node.data == "superscript" and self.is_transpose(node.children[1]):
            raise self.fail("a transposed parameter must multiply a vector, as W^T v", node)
        name, step = self.named(node)
        self.forms.setdefault(name, self.written_form(node))
        if step is None and name in self.computed:
            return Var(name, 0)
        if step is None:
            return Param(name)
        return Var(name, step)

    def written_form(self, node: Tree) -> str:
        """How the notes write a name, its step replaced by @ (for printing it back)."""
        text = self.source(node)
        form = re.sub(r"t\s*-\s*1|t\s*\+\s*1|(?<![A-Za-z\\])t(?![A-Za-z])", "@", text, count=1)
        return re.sub(r"(?<=[_^])@", "{@}", form)


def read_forward(
    equations: Sequence[str],
    cell: CellNames | None = None,
    elementwise: tuple[str, ...] = (),
    matrix_product: tuple[str, ...] = (),
    functions: tuple[str, ...] = (),
) -> tuple[list[tuple[str, Expr]], dict[str, str]]:
    """The forward pass's equations, each (the name it computes at t, its right-hand side),
    and how the notes write every name (LaTeX, ``@`` for the step). The functions the
    equations apply are recorded in ``cell`` (its ``roles`` and ``primitives``). A
    softmax (``\\operatorname{softmax}(z)``, ``softmax(z)``) is the head's: its argument is
    computed as the output, under the name ``<target>_logits``, and the target is the
    probabilities (``Apply("softmax", ...)`` stands for it).

    Raises:
        FormulaSyntaxError: an equation that cannot be read, with its column.
    """
    cell = cell or CellNames()
    out: list[tuple[str, Expr]] = []
    written: dict[str, str] = {}
    parsed = []
    restated: list[list[Tree]] = []
    for text in equations:
        try:
            tree = parser().parse(text, start="start")
        except UnexpectedInput as err:
            raise syntax_error(err, text) from None
        sides = [c for c in tree.children if isinstance(c, Tree) and c.data != "annotation"]
        if len(sides) < 2:
            raise FormulaSyntaxError("a forward equation has an = sign", text=text)
        reader = ForwardReader(text, cell, elementwise, matrix_product, functions)
        # h_t = y_t = expr: names, then the definition; a^t = tanh(...) = tanh(\hat{a}^t):
        # the definition, then a restatement naming a part of it
        lead = 1 + sum(1 for _ in takewhile(_is_named, sides[1:-1]))
        # h_t = f_h(x_t, h_{t-1}) = \\phi_h(...): the middle side names the step's map
        kept = [s for s in sides[lead:] if not _names_the_map(reader, s)]
        sides = sides[:lead] + (kept or sides[lead:])
        parsed.append(
            (text, sides[: lead + 1], reader, [_computed(reader, s) for s in sides[:lead]])
        )
        restated.append(sides[lead + 1 :])
    # a computed name read without its step (a_c in tanh(a_c)) is its value at the step
    every = {name for *_, computed in parsed for name, _ in computed}
    for (_text, sides, reader, computed), more in zip(parsed, restated, strict=True):
        reader.computed = every
        names = [name for name, _ in computed]
        steps = {step for _, step in computed if step is not None}
        if len(steps) > 1:
            raise reader.fail("the left-hand sides are at different steps", sides[0])
        target = names[0]
        logits = _softmax_argument(reader, sides[-1])
        rhs = reader.expr(logits if logits is not None else sides[-1])
        # an equation written at step t-1 (y^{<t-1>} = ... a^{<t-1>}) is the same at t; a
        # name written without its step (h = (1 - z_t) h_{t-1} + ...) is at the step its
        # right-hand side reads
        if steps:
            rhs = _shifted(rhs, -min(steps))
        elif not any(isinstance(e, Var) for e in subexpressions(rhs)):
            raise reader.fail(f"{target} has no step and reads none", sides[0])
        late = [e for e in subexpressions(rhs) if isinstance(e, Var) and e.shift not in (0, -1)]
        if late:
            raise reader.fail(
                f"{late[0].name} at t{late[0].shift:+d}: a forward step reads t and t-1 only",
                sides[-1],
            )
        for side in more:  # = tanh(\hat{a}^t): the parts named, and the quantity from them
            parts, rhs = _named_parts(reader, rhs, side, steps, every | {n for n, _ in out})
            out.extend(parts)
        if logits is not None:
            out.append((f"{target}_logits", rhs))
            out.append((target, Apply("softmax", Var(f"{target}_logits"))))
        else:
            out.append((target, rhs))
        out.extend((alias, Var(target)) for alias in names[1:])
        for name, form in reader.forms.items():
            written.setdefault(name, form)
    return out, written


#: The nodes that write one name (with its scripts).
_NAMED = ("name", "superscript", "sup_sub", "hat_sub", "group_sub", "bold_sub", "bold_sup")


def _computed(reader: ForwardReader, side: Tree) -> tuple[str, int | None]:
    """The name a left-hand side computes and the step it is written at (None: none)."""
    lhs = single(side)
    if not isinstance(lhs, Tree) or lhs.data not in _NAMED:
        raise reader.fail("the left-hand side must be one quantity at step t", side)
    target, step = reader.named(lhs)
    form = reader.written_form(lhs)
    reader.forms.setdefault(target, form if step is not None else _with_step(form, lhs))
    return target, step


def _names_the_map(reader: ForwardReader, side: Tree) -> bool:
    """Whether a side only names the step's map: ``f_h(X_t, h_{t-1})``, an undeclared
    name applied to quantities of steps (as notes write h_t = f(x_t, h_{t-1}) = ...)."""
    node = single(side)
    if not (isinstance(node, Tree) and node.data == "apply"):
        return False
    head, call = node.children
    args = [single(a) for a in call.children if isinstance(a, Tree)]
    if not isinstance(head, Tree) or head.data != "name" or len(args) < 2:
        return False
    if compact(reader.source(head)) in reader.functions or reader.is_function(head):
        return False
    try:
        return all(
            isinstance(a, Tree) and a.data in _NAMED and reader.named(a)[1] is not None
            for a in args
        )
    except FormulaSyntaxError:
        return False


def _is_named(side: Tree) -> bool:
    lhs = single(side)
    return isinstance(lhs, Tree) and lhs.data in _NAMED


def _named_parts(
    reader: ForwardReader, rhs: Expr, side: Tree, steps: set[int], taken: set[str]
) -> tuple[list[tuple[str, Expr]], Expr]:
    """The equations a restatement of ``rhs`` gives its new names
    (:mod:`symbptt.read.restated`), and the quantity's right side in them; a refusal
    where it is not ``rhs`` with parts named. The named side may come first
    (``a^t = \\tanh(\\hat a^t) = \\tanh(W_a x^t + U_a h^{t-1})``)."""
    again = reader.expr(side)
    if steps:
        again = _shifted(again, -min(steps))
    new = lambda name: name not in taken  # noqa: E731
    try:
        return list(names_in(rhs, again, new).items()), again
    except ValueError as err:
        try:  # the first side names the parts the restatement writes out
            return list(names_in(again, rhs, new).items()), rhs
        except ValueError:
            pass
        raise reader.fail(
            f"this side restates the quantity otherwise than by naming its parts ({err}): "
            "symbptt reads one definition per quantity",
            side,
        ) from None


def _with_step(form: str, lhs: Tree) -> str:
    """The LaTeX of a name written without its step, with one (a subscript ``_{@}``)."""
    if lhs.data == "name" and len(lhs.children) == 1:
        return form + "_{@}"
    return form


def _shifted(expr: Expr, by: int) -> Expr:
    """``expr`` with every step moved by ``by``."""
    if isinstance(expr, Var):
        return Var(expr.name, expr.shift + by)
    return rebuild(expr, lambda e: _shifted(e, by))


def _softmax_argument(reader: ForwardReader, rhs: Tree) -> Tree | None:
    """The argument of a right-hand side that is softmax(...) alone, else None."""
    node = rhs
    while (
        isinstance(node, Tree) and node.data in ("expression", "term") and len(node.children) == 1
    ):
        node = node.children[0]
    if not (isinstance(node, Tree) and node.data == "apply"):
        return None
    head, call = node.children
    key = reader.key(head.children[0]) if isinstance(head, Tree) else str(head)
    if key not in ("\\operatorname softmax", "softmax", "\\softmax"):
        return None
    args = [c for c in call.children if isinstance(c, Tree)]
    return args[0] if len(args) == 1 else None
