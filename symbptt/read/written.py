r"""Names as notes write them: a formula about a model read from notes
(:mod:`symbptt.read.notes_model`) names its quantities exactly as the notes' forward
pass does, whatever carries the step: ``\Gamma_f^{\langle t \rangle}``, ``a^{(t-1)}``,
``z_f``, ``W_{h[i,j]}``.

Each variable's LaTeX is taken apart into its base and its scripts, each script either a
label (part of the name: the ``f`` of ``\Gamma_f``) or the step (``@``). A name in a
formula matches a variable when its base is the same, its labels are the same and the
script in the step's place reads as an index (``t``, ``(t-1)``, ``\langle k \rangle``,
``T``); an extra subscript index letter on a quantity whose step is a superscript is an
entry (``\hat y_i^{\langle t \rangle}``); a quantity the forward pass writes without
its step (``a_f = W_f z_t + b_f``) is read so at step t. A name that matches nothing is
left to the formula reader's other rules. A state at the step before the first is its initial value.

A part of :class:`symbptt.read.formula.VectorReader` (a mixin: it uses the reader's
``vocab``, ``key``, ``index``, ``component``, ``first_step`` and ``text``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import sympy as sp
from lark import Tree
from lark.exceptions import LarkError

from symbptt.core.formula import node_class, param
from symbptt.core.model import Model
from symbptt.errors import FormulaSyntaxError
from symbptt.read.trees import single

_LABEL_NOISE = re.compile(r"[{}\s]|\\mathrm|\\text|\\mathit|\\mathbf|\\boldsymbol")
_BOLD = ("\\mathbf ", "\\boldsymbol ", "\\bm ")


@dataclass(frozen=True)
class Form:
    """How a variable is written: its base's key, and what each script is: None (no
    such script), ``"@"`` (the step) or a label's text."""

    name: str
    timed: bool
    sub: str | None
    sup: str | None


def name_parts(reader: Any, node: Any) -> tuple[str, Any, Any] | None:
    """(base key, subscript node, superscript node) of a name, or None (also used by
    :mod:`symbptt.read.definitions`)."""
    node = single(node)
    if not isinstance(node, Tree):
        return None
    if node.data == "name":
        key = reader.key(node.children[0])
        return key, (node.children[1] if len(node.children) > 1 else None), None
    if node.data == "superscript":
        inner = single(node.children[0])
        if isinstance(inner, Tree) and inner.data == "name":
            sub = inner.children[1] if len(inner.children) > 1 else None
            return reader.key(inner.children[0]), sub, node.children[1]
        return None
    if node.data == "group_sub":  # {c}_t
        inner = single(node.children[0])
        if isinstance(inner, Tree) and inner.data == "name" and len(inner.children) == 1:
            return reader.key(inner.children[0]), node.children[1], None
        return None
    if node.data == "sup_sub":
        base = single(node.children[0])
        if isinstance(base, Tree) and base.data == "name" and len(base.children) == 1:
            return reader.key(base.children[0]), node.children[2], node.children[1]
    return None


def unbold(key: str) -> str:
    """A name's key without bold markup: \\mathbf h, \\boldsymbol h and h are one name."""
    for bold in _BOLD:
        key = key.removeprefix(bold)
    return key


def _script_text(reader: Any, script: Any) -> str:
    text = reader.text[script.meta.start_pos : script.meta.end_pos]
    return _LABEL_NOISE.sub("", text.lstrip("_^"))


def step_index(reader: Any, script: Any) -> Any:
    """The index a step script reads as (t, (t-1), \\langle k \\rangle), or None: also
    for a script that is no step alone (h_{t,2}: a step and an entry). Used by
    :mod:`symbptt.read.definitions` too, so that both read a step one way."""
    if len(script.children) != 1:
        return None
    content = single(script.children[0])
    if isinstance(content, Tree) and content.data in ("group", "angled", "braced"):
        inner = [c for c in content.children if isinstance(c, Tree)]
        if len(inner) != 1:
            return None
        content = single(inner[0])
    try:
        return reader.index(content)
    except FormulaSyntaxError:
        return None


@functools.lru_cache(maxsize=64)
def forms(model: Model) -> dict[str, tuple[Form, ...]]:
    """Base key -> the forms of the variables written with it (see the module docstring)."""
    from symbptt.read.meaning import Reader
    from symbptt.read.parse import parser

    out: dict[str, list[Form]] = {}
    for v in model.variables:
        text = v.latex.replace("@", "t") if v.timed else v.latex
        try:
            tree = parser().parse(text, start="expression")
        except LarkError:
            continue
        reader = Reader(text)
        found = name_parts(reader, tree)
        if found is None:
            continue
        key, sub, sup = found
        scripts: list[str | None] = []
        for script in (sub, sup):
            if script is None:
                scripts.append(None)
                continue
            said = _script_text(reader, script)
            plain = re.sub(r"\\langle|\\rangle|[<>()]", "", said)
            scripts.append("@" if v.timed and plain == "t" else said)
        out.setdefault(unbold(key), []).append(Form(v.name, v.timed, *scripts))
    return {key: tuple(found) for key, found in out.items()}


class Written:
    """The reader's methods for names written as the notes' forward pass writes them."""

    def r_name(self, node: Tree) -> Any:
        found = self.notes_name(node)
        return found if found is not None else super().r_name(node)  # type: ignore[misc]

    def r_superscript(self, node: Tree) -> Any:
        found = self.notes_name(node)
        return found if found is not None else super().r_superscript(node)  # type: ignore[misc]

    def r_sup_sub(self, node: Tree) -> Any:
        found = self.notes_name(node)
        return found if found is not None else super().r_sup_sub(node)  # type: ignore[misc]

    def r_group_sub(self, node: Tree) -> Any:
        found = self.notes_name(node)
        return found if found is not None else super().r_group_sub(node)  # type: ignore[misc]

    def notes_name(self, node: Tree) -> Any:
        """The value of a name written as the model's notes write one, else None."""
        model = self.vocab.model  # type: ignore[attr-defined]
        if not model.notes:
            return None
        found = name_parts(self, node)
        if found is None:
            return None
        key, sub, sup = found
        candidates = forms(model).get(unbold(key), ())
        relative = self._relative(sub, sup, candidates, node)
        if relative is not None:
            return relative
        for form in candidates:
            value = self._matched(form, sub, sup, node)
            if value is not None:
                return value
        return None

    def _relative(self, sub: Any, sup: Any, candidates: tuple[Form, ...], node: Any) -> Any:
        """``a_{next}``, ``c_{prev}``: a step named relative to t, as code-like notes do
        (what ``next`` is, t or t+1, is the notes' ``next`` convention)."""
        said = [_script_text(self, s) if s is not None else None for s in (sub, sup)]
        steps = [k for k, text in enumerate(said) if text in ("next", "prev")]
        timed = [f for f in candidates if f.timed]
        if len(steps) != 1 or not timed:
            return None
        other = said[1 - steps[0]]
        form = next((f for f in timed if (f.sup if f.sub == "@" else f.sub) == other), None)
        if form is None:
            return None
        word = said[steps[0]]
        declared = self.profile.next_step  # type: ignore[attr-defined]
        if declared is None:
            raise self.fail(  # type: ignore[attr-defined]
                f"_{{{word}}} may be step t (a_next, as code-like notes write the step's "
                "own output) or t+1: declare next = t or next = t+1 (symbptt: conventions)",
                node,
            )
        t = sp.Symbol("t", integer=True)
        step = t - 1 if word == "prev" else (t if declared == "t" else t + 1)
        return self._at(form.name, step)

    def _matched(self, form: Form, sub: Any, sup: Any, node: Any) -> Any:
        step, entry = None, None
        for wanted, script in ((form.sub, sub), (form.sup, sup)):
            if wanted is None:
                if script is None:
                    continue
                if form.timed and form.sup == "@" and script is sub:
                    entry = script  # h_i^{(t)}: entry i of h at t (h_t^2 is a power)
                    continue
                return None
            if script is None:
                return None
            if wanted == "@":
                step = step_index(self, script)
                if step is None:
                    return None
            elif _script_text(self, script) != wanted:
                return None
        if not form.timed:
            return None if entry is not None else param(form.name)
        if step is None:  # written without its step (a_f = W_f z_t + b_f): at step t
            step = sp.Symbol("t", integer=True)
        value = self._at(form.name, step)
        if entry is not None:
            try:
                index = self.index(single(entry.children[0]))  # type: ignore[attr-defined]
            except FormulaSyntaxError:
                return None
            value = self.component(value, index, node)  # type: ignore[attr-defined]
        return value

    def _at(self, name: str, step: Any) -> Any:
        model = self.vocab.model  # type: ignore[attr-defined]
        initial = dict(model.initial).get(name)
        if initial is not None and step == self.first_step - 1:  # type: ignore[attr-defined]
            return param(initial)
        return node_class(name)(step)
