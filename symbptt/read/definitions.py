r"""Names the notes define, and d-prefixed names (issue 27).

A definition (``\delta_t := \frac{\partial L}{\partial h_t}``, ``da_{next} \equiv
\frac{\partial J}{\partial a^{\langle t \rangle}}``, a display marked ``symbptt: define``)
gives a name a meaning from where it stands on: a later formula that writes the name
is read as its right-hand side, its index letters bound to the indices written
(``\delta_{t+1}`` is dL/dh_(t+1); in ``\gamma_t^{(k)}`` both t and k are bound). A
definition is read with the definitions before it only, so none can refer to itself.

``dX`` (a d glued to a name) means what the notes' ``d-prefix`` convention says:
``total``: the derivative of the loss by X, read as ``\frac{\partial L}{\partial X}``;
``step`` (the part of it that one step passes back, code-like notes' ``dc_next``) is
not read yet. Undeclared, a d-prefixed name is refused, naming the two readings.

A part of :class:`symbptt.read.formula.VectorReader` (a mixin: it uses the reader's
``profile``, ``vocab``, ``text``, ``index``, ``fail`` and its configuration).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Any

import sympy as sp
from lark import Token, Tree
from lark.exceptions import LarkError

from symbptt.core import derivatives as E
from symbptt.errors import FormulaSyntaxError
from symbptt.read.names import INDEX_LETTERS
from symbptt.read.trees import single
from symbptt.read.written import name_parts, step_index, unbold

_NOISE = re.compile(r"[{}\s]|\\mathrm|\\text|\\mathit|\\mathbf|\\boldsymbol|\\left|\\right")
_BRACKETS = re.compile(r"\\langle|\\rangle|[<>()]")
#: The operators that define rather than claim.
DEFINING = re.compile(
    r":=|=:|\\triangleq|\\equiv|\\coloneqq|\\eqqcolon|\\stackrel\{\\mathrm\{def\}\}\{=\}"
)


@dataclass(frozen=True)
class Pattern:
    """A defined name's left-hand side: ``d`` glued before it or not, its base's key, and
    each script as ``("bind", letter)`` (an index letter, bound where the name is used) or
    ``("text", text)`` (written the same where it is used), or None."""

    dprefix: bool
    key: str
    sub: tuple[str, str] | None
    sup: tuple[str, str] | None


def _glued(reader: Any, factors: list[Any], n: int) -> bool:
    """Whether factors n and n+1 are a d glued to a name (``da_{next}``, ``dW_f``)."""
    if n + 1 >= len(factors):
        return False
    first, second = single(factors[n]), single(factors[n + 1])
    if not (isinstance(first, Tree) and first.data == "name" and len(first.children) == 1):
        return False
    letter = first.children[0]
    if not (isinstance(second, Tree) and second.data in ("name", "superscript", "sup_sub")):
        return False
    profile = getattr(reader, "profile", None)
    if str(letter) == "\\delta" and profile is not None and profile.delta_prefix:
        return True  # \delta h_t, where the notes declare the prefix (a space between)
    if not (isinstance(letter, Token) and str(letter) == "d"):
        return False
    return bool(first.meta.end_pos == second.meta.start_pos)


def _after_d(reader: Any, side: Any) -> Any:
    """What a fraction's side differentiates when it is d (or \\mathrm{d}) and one name
    or group after it, else None."""
    node = single(side)
    if not (isinstance(node, Tree) and node.data == "term" and len(node.children) == 2):
        return None
    first = node.children[0]
    written = reader.text[first.meta.start_pos : first.meta.end_pos].replace(" ", "")
    if written not in ("d", "\\mathrm{d}", "\\text{d}", "\\operatorname{d}"):
        return None
    return node.children[1]


def _script(reader: Any, script: Any) -> tuple[str, str]:
    text = reader.text[script.meta.start_pos : script.meta.end_pos].lstrip("_^")
    plain = _BRACKETS.sub("", _NOISE.sub("", text))
    if len(plain) == 1 and plain in INDEX_LETTERS:
        return ("bind", plain)
    return ("text", _NOISE.sub("", text))


@functools.lru_cache(maxsize=256)
def pattern_of(lhs: str) -> Pattern:
    """The pattern of a definition's left-hand side (ValueError: not a name)."""
    from symbptt.read.meaning import Reader
    from symbptt.read.parse import parser

    try:
        tree = parser().parse(lhs, start="expression")
    except LarkError:
        raise ValueError(
            "the defined side must be a name, such as \\delta_t or da_{next}"
        ) from None
    reader = Reader(lhs)
    node = single(tree)
    dprefix = False
    if isinstance(node, Tree) and node.data == "term" and len(node.children) == 2:
        if not _glued(reader, list(node.children), 0):
            raise ValueError("the defined side must be one name, such as \\delta_t or da_{next}")
        dprefix, node = True, single(node.children[1])
    found = name_parts(reader, node)
    if found is None:
        raise ValueError("the defined side must be one name, such as \\delta_t or da_{next}")
    key, sub, sup = found
    return Pattern(
        dprefix,
        unbold(key),
        _script(reader, sub) if sub is not None else None,
        _script(reader, sup) if sup is not None else None,
    )


class Defined:
    """The reader's methods for defined and d-prefixed names."""

    def r_name(self, node: Tree) -> Any:
        found = self.defined(node, False)
        return found if found is not None else super().r_name(node)  # type: ignore[misc]

    def r_superscript(self, node: Tree) -> Any:
        found = self.defined(node, False)
        return found if found is not None else super().r_superscript(node)  # type: ignore[misc]

    def r_sup_sub(self, node: Tree) -> Any:
        found = self.defined(node, False)
        return found if found is not None else super().r_sup_sub(node)  # type: ignore[misc]

    def r_fraction(self, node: Tree) -> Any:
        """``\\frac{dL}{dh_t}``, ``\\frac{\\mathrm{d} h_t}{\\mathrm{d} h_{t-1}}``: Leibniz's
        upright d, the derivative (as with \\partial), not two d-prefixed names."""
        top, bottom = _after_d(self, node.children[1]), _after_d(self, node.children[2])
        if top is None or bottom is None:
            return super().r_fraction(node)  # type: ignore[misc]
        got = E.TotalDerivative(self.read(top), self.value(bottom))  # type: ignore[attr-defined]
        return self.wrap_derivative(got, node)  # type: ignore[attr-defined]

    def factor_values(self, factors: list[Any], node: Any) -> list[Any]:
        """The factors' values, a d glued to a name read as that d-prefixed name."""
        glued = [n for n in range(len(factors)) if _glued(self, factors, n)]
        if not glued:
            return super().factor_values(factors, node)  # type: ignore[misc]
        values: list[Any] = []
        start = 0
        for n in glued:
            if n < start:
                continue
            if factors[start:n]:
                values.extend(super().factor_values(factors[start:n], node))  # type: ignore[misc]
            prefix = str(single(factors[n]).children[0])
            values.append(self.d_prefixed(factors[n + 1], node, prefix))
            start = n + 2
        if factors[start:]:
            values.extend(super().factor_values(factors[start:], node))  # type: ignore[misc]
        return values

    def d_prefixed(self, name: Any, node: Any, prefix: str = "d") -> Any:
        """``dX``: as the notes define it, else as their d-prefix convention reads it;
        ``\\delta X`` as their delta-prefix convention does."""
        profile = self.profile  # type: ignore[attr-defined]
        written = self.text[name.meta.start_pos : name.meta.end_pos]  # type: ignore[attr-defined]
        if prefix != "d":
            loss = profile.loss_letters[0] if profile.loss_letters else "L"
            return self._read(rf"\frac{{\partial {loss}}}{{\partial {written}}}", profile, {}, node)
        found = self.defined(single(name), True)
        if found is not None:
            return found
        if profile.d_prefix == "total":
            loss = profile.loss_letters[0] if profile.loss_letters else "L"
            return self._read(rf"\frac{{\partial {loss}}}{{\partial {written}}}", profile, {}, node)
        if profile.d_prefix == "step":
            raise self.fail(  # type: ignore[attr-defined]
                f"d{written}: d-prefix = step (the part of the gradient one step passes "
                "back) is not read yet",
                node,
            )
        raise self.fail(  # type: ignore[attr-defined]
            f"d{written} may be the derivative of the loss by {written} or the part of it "
            "that one step passes back: declare d-prefix = total or d-prefix = step "
            "(symbptt: conventions), or define it",
            node,
        )

    def defined(self, node: Any, dprefix: bool) -> Any:
        """The value of a name the notes define, or None."""
        definitions = self.profile.definitions  # type: ignore[attr-defined]
        if not definitions:
            return None
        found = name_parts(self, node)
        if found is None:
            return None
        key, sub, sup = found
        for k in range(len(definitions) - 1, -1, -1):  # the latest definition wins
            lhs, rhs = definitions[k]
            try:
                pattern = pattern_of(lhs)
            except ValueError:
                continue
            if pattern.dprefix != dprefix or pattern.key != unbold(key):
                continue
            bound = self._bound(pattern, sub, sup)
            if bound is not None:
                profile = self.profile  # type: ignore[attr-defined]
                earlier = dataclasses.replace(profile, definitions=definitions[:k])
                return self._read(rhs, earlier, bound, node)
        return None

    def _bound(self, pattern: Pattern, sub: Any, sup: Any) -> dict[str, Any] | None:
        bound: dict[str, Any] = {}
        for wanted, script in ((pattern.sub, sub), (pattern.sup, sup)):
            if (wanted is None) != (script is None):
                return None
            if wanted is None:
                continue
            if wanted[0] == "text":
                if _script(self, script) != wanted:
                    return None
                continue
            index = step_index(self, script)  # \delta_{t,2} is no \delta_t: no binding
            if index is None:
                return None
            bound[wanted[1]] = index
        return bound

    def _read(self, text: str, profile: Any, bound: dict[str, Any], node: Any) -> Any:
        """``text`` read as this formula's reader reads it, its letters ``bound``."""
        from symbptt.read.parse import parse_tree

        config = dataclasses.replace(self.config, profile=profile)  # type: ignore[attr-defined]
        try:
            read = parse_tree(text, lambda t: type(self)(t, config), expression=True)  # type: ignore[call-arg]
        except FormulaSyntaxError as err:
            why = f"{text.strip()} cannot be read: {err.reason}"
            raise self.fail(why, node) from None  # type: ignore[attr-defined]
        value = read.sides[0]
        if isinstance(value, sp.Basic) and bound:
            names = {s: bound[s.name] for s in value.free_symbols if s.name in bound}
            value = value.subs(names, simultaneous=True)
        return value
