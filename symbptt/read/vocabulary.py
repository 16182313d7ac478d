r"""The names a formula about a model may use: the model's notation, read as the checker
reads formulas.

Every variable's LaTeX (``\mathbf{s}_{@}``, ``W_{hh}``, ``\boldsymbol{\delta}_{@}``) is
parsed with the formula grammar itself, so a name is known exactly as the documents
write it (bold or not); a declaration's aliases add the textbooks' other spellings
(``\hat{\mathbf{y}}_t`` for the Elman output o_t under the squared loss). The vocabulary is
computed once per model.
"""

from __future__ import annotations

import functools

from symbptt.core.model import Model
from symbptt.core.tensor import Apply, Var


class Vocabulary:
    """The names of one model, for reading and evaluating formulas about it.

    Attributes:
        applied: (role, argument) -> (the value's series, the slope's series).
        adjoints: adjoint name -> the variable it is dL/d of.
        states: the model's states.
        computed: the variables an equation computes (states and intermediates) and the
            head's probabilities.
        scalar: every variable is a number (the seeds' model): bold letters, transposes,
            diag, the elementwise product and block matrices are refused as vector
            notation, which a user meant for a vector model.

    The names read from the notation's LaTeX (:attr:`vectors`, :attr:`parameters`,
    :attr:`roles`) are parsed on first use: evaluating formulas already read needs
    none of them, and parsing needs the grammar, whose parser takes a third of a second
    to build.
    """

    def __init__(self, model: Model) -> None:
        self.model = model
        self.applied = {
            (eq.expr.role, eq.expr.arg.name): (eq.target, eq.slope or "")
            for eq in model.equations
            if isinstance(eq.expr, Apply) and isinstance(eq.expr.arg, Var)
        }
        self.adjoints = {adjoint.name: adjoint.of for adjoint in model.adjoints}
        self.states = model.states
        self.computed = tuple(
            v.name for v in model.variables if v.kind in ("state", "intermediate")
        )
        self.scalar = model.scalar

    @functools.cached_property
    def vectors(self) -> dict[str, str]:
        """LaTeX key (``s``, ``\\delta``, ``\\hat y``) -> time-indexed name."""
        vectors: dict[str, str] = {}
        for v in self.model.variables:
            found = latex_key(v.latex)
            if found is not None and v.timed:
                vectors.setdefault(found[0], v.name)
                for alias in v.aliases:
                    vectors.setdefault(alias, v.name)
        for adjoint in self.model.adjoints:
            found = latex_key(adjoint.latex)
            if found is not None:
                vectors.setdefault(found[0], adjoint.name)
        return vectors

    @functools.cached_property
    def parameters(self) -> dict[tuple[str, str], str]:
        """(LaTeX key, subscript) -> parameter (or view) name."""
        parameters: dict[tuple[str, str], str] = {}
        for v in self.model.variables:
            found = latex_key(v.latex)
            if found is not None and not v.timed:
                parameters[(found[0], found[1] or "")] = v.name
        for view in self.model.views:
            found = latex_key(view.latex)
            if found is not None:
                parameters[(found[0], found[1] or "")] = view.name
        return parameters

    @functools.cached_property
    def roles(self) -> dict[str, str]:
        """LaTeX key of a function (``\\phi``) -> its role."""
        from symbptt.core.primitives import PRIMITIVES

        roles: dict[str, str] = {}
        for role, _, latex in self.model.functions:
            found = latex_key(latex + "_{@}")
            if found is not None:
                roles[found[0]] = role
        # a function's own name where the model's role is that function: \tanh for phi
        # when phi is tanh (never for an unknown phi, which \tanh does not describe)
        for role, primitive, _ in self.model.functions:
            own = PRIMITIVES.get(primitive)
            if own is not None and own.latex and primitive != "identity":
                found = latex_key(own.latex + "_{@}")
                if found is not None:
                    roles.setdefault(found[0], role)
        return roles

    def arguments(self, role: str) -> list[str]:
        """The variables a function role is applied to."""
        return [arg for r, arg in self.applied if r == role]

    def known(self, losses: tuple[str, ...] = ()) -> str:
        """The names, for an error message (``losses``: the notes' loss letters)."""
        vectors = ", ".join(f"{key}_t" for key in self.vectors)
        parameters = ", ".join(f"{k}_{{{s}}}" if s else k for k, s in self.parameters)
        roles = ", ".join(self.roles)
        loss = ", ".join(losses) if losses else "L, \\ell_t"
        if self.scalar:
            return (
                f"{vectors}; {parameters}; {loss}, T; {roles} and their primes; "
                f"f(x_t, h_{{t-1}}, w_h)"
            )
        return (
            f"{vectors}, bold or not; {parameters}; {loss}, T; {roles} and their "
            f"primes; ^\\top, \\operatorname{{diag}}, \\odot"
        )


def latex_key(latex: str) -> tuple[str, str | None] | None:
    """(key, subscript text) of a name's LaTeX, as the formula reader sees it
    (``\\mathbf{b}_{h}`` -> ("b", "h"); ``\\mathbf{s}_{@}`` -> ("s", "t");
    ``\\mathbf{a}^{f}_{@}`` -> ("a^f", "t")); None when the LaTeX is not a name."""
    from lark import Tree  # the grammar, loaded only when names are read
    from lark.exceptions import LarkError

    from symbptt.read.meaning import Reader
    from symbptt.read.parse import parser

    text = latex.replace("@", "t")
    try:
        tree = parser().parse(text, start="expression")
    except LarkError:
        return None
    node = tree
    while isinstance(node, Tree) and node.data in ("expression", "term"):
        if len(node.children) != 1:
            return None
        node = node.children[0]
    reader = Reader(text)
    label = None
    if isinstance(node, Tree) and node.data in ("superscript", "sup_sub"):
        label = reader.label(node.children[1])
        if label is None or (node.data == "sup_sub" and len(node.children[0].children) > 1):
            return None
        sub_node = node.children[2] if node.data == "sup_sub" else None
        node = node.children[0]
        if sub_node is not None:
            node = Tree("name", [*node.children, sub_node])
    if not (isinstance(node, Tree) and node.data == "name"):
        return None
    key = reader.key(node.children[0]).removeprefix("\\mathbf ")
    if label is not None:
        key = f"{key}^{label}"
    sub = reader.subscript_text(node.children[1]) if len(node.children) > 1 else None
    return key, sub


@functools.lru_cache(maxsize=64)
def vocabulary(model: Model) -> Vocabulary:
    """The vocabulary of ``model`` (see the module docstring), one per model."""
    return Vocabulary(model)
