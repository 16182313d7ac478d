r"""The conventions notes declare once (issue 27): ``% symbptt: conventions time = angle,
elementwise = *, d-prefix = total`` (``<!-- ... -->`` in Markdown), or ``check
--conventions``. The keys are those of ``shared/design/notes-markers.md``.

A convention changes how a formula is read, so one that symbptt cannot act on yet is
refused (:data:`NOT_YET`) rather than ignored: reading a formula in another meaning than
the one its notes declare could pass it wrongly. Conventions that only name what symbptt
reads anyway (``transpose = \top``) are accepted, and so is ``batch = 1``: symbptt's
formulas are about one example, and a sum over a batch's letter is refused as unknown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from symbptt.read.names import compact
from symbptt.read.profiles import Profile

#: Each key, with the values it takes (None: a name, such as the horizon's letter).
KEYS: dict[str, tuple[str, ...] | None] = {
    "d-prefix": ("total", "step"),
    # dL/dh_{t-1}, dL/dW: the total derivative (every use), never one step's part
    "gradients": ("total",),
    # \delta h_t: the derivative of the loss by h_t (a prefix, as d is)
    "delta-prefix": ("total",),
    # the symbol the notes write for the gradient: \Delta_{h_t} L is \nabla_{h_t} L
    "nabla": ("\\Delta", "\\delta"),
    "layout": ("numerator", "denominator", "mixed"),
    "first": ("0", "1"),
    "time": ("subscript", "superscript", "angle"),
    "horizon": None,
    "elementwise": ("*", "\\circ", "\\odot", "\\otimes", "\\cdot", "\\bullet", "\\ast"),
    "matrix-product": ("*", "\\ast", "\\times", "\\cdot"),
    "scalar-product": ("\\times", "*", "\\cdot"),
    "outer": ("\\otimes",),
    "transpose": ("T", "\\top", "Tr", "\\intercal"),
    "entry": ("[i]", "_i"),
    "partial": ("total", "immediate"),
    "hidden": ("1",),
    "batch": ("1",),
    "braces": ("parentheses",),
    "next": ("t", "t+1"),
    # names the notes apply as functions (f(W h)): any differentiable function, entrywise
    "functions": None,
    # the letters (or |V|) the notes write for a size, as a sum's upper limit
    "outputs": None,
    "inputs": None,
    "hidden-size": None,
}
#: Values symbptt does not act on yet: a display of notes declaring one is refused.
NOT_YET: dict[str, tuple[str, ...]] = {
    "braces": ("parentheses",),
    "transpose": ("Tr",),
    "entry": ("[i]",),
}


@dataclass(frozen=True)
class Conventions:
    """The declared conventions, key -> value, with where each was declared."""

    values: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        return dict(self.values).get(key)

    def unsupported(self) -> str | None:
        """Why a formula of these notes cannot be read yet, or None."""
        for key, value in self.values:
            if value in NOT_YET.get(key, ()):
                return (
                    f"the notes declare {key} = {value}, which symbptt does not read yet: "
                    f"a formula is not read in another meaning than the declared one"
                )
        return None

    def profile(self, definitions: tuple[tuple[str, str], ...] = ()) -> Profile:
        """The notation profile that reads formulas as these notes write them."""
        time = self.get("time") or "subscript"
        horizon = self.get("horizon")
        symbols = (self.get("elementwise") or "").split()
        products = [self.get(k) for k in ("matrix-product", "scalar-product")]
        return replace(
            Profile(name="notes", title="the notes' own names and conventions"),
            time=time,
            first=int(self.get("first") or 1),
            horizon=("T", compact(horizon)) if horizon else ("T",),
            elementwise=tuple(s for s in symbols if s and s != "\\odot"),
            matrix_product=tuple(p for p in products if p),
            definitions=definitions,
            d_prefix=self.get("d-prefix"),
            delta_prefix=self.get("delta-prefix"),
            gradients=self.get("gradients"),
            nabla=tuple((self.get("nabla") or "").split()),
            next_step=self.get("next"),
            partial=self.get("partial"),
            batch=self.get("batch") == "1",
            generic_functions=tuple(compact(f) for f in (self.get("functions") or "").split()),
            sizes={
                compact(letter): size.removesuffix("-size")
                for size in ("outputs", "inputs", "hidden-size")
                if (letter := self.get(size))
            },
        )


def read_conventions(lines: Sequence[tuple[int, str]]) -> Conventions:
    """The conventions of notes' ``conventions`` lines ((line, text after the word)).

    Raises:
        ValueError: an unknown key, a value the key does not take, or a key given two
            values (with the line).
    """
    values: dict[str, str] = {}
    for line, text in lines:
        for part in (p for p in re.split(r",(?![^{]*\})", text) if p.strip()):
            key, eq, value = (s.strip() for s in part.partition("="))
            if not eq or not value:
                raise ValueError(f"line {line}: a convention is KEY = VALUE, got {part.strip()!r}")
            if key not in KEYS:
                raise ValueError(
                    f"line {line}: unknown convention {key!r}; known: {', '.join(KEYS)}"
                )
            allowed = KEYS[key]
            if key == "elementwise":  # notes may write it two ways (\circ and \cdot)
                symbols = [*values.get(key, "").split(), *value.split()]
                if allowed is not None and any(s not in allowed for s in symbols):
                    raise ValueError(
                        f"line {line}: {key} is one of {', '.join(allowed)}, not {value!r}"
                    )
                values[key] = " ".join(dict.fromkeys(symbols))
                continue
            if allowed is not None and value not in allowed:
                raise ValueError(
                    f"line {line}: {key} is one of {', '.join(allowed)}, not {value!r}"
                )
            if key == "functions" and not re.fullmatch(
                r"(\\?[A-Za-z]+(_\{?[A-Za-z0-9]+\}?)?\s*)+", value
            ):
                raise ValueError(
                    f"line {line}: functions are names separated by spaces, such as f g"
                )
            sized = key in ("outputs", "inputs", "hidden-size") and re.fullmatch(
                r"\|\s*[A-Za-z]\s*\|", value
            )
            if (
                allowed is None
                and key != "functions"
                and not sized
                and not re.fullmatch(r"\\?[A-Za-z]+'?(_\{?[A-Za-z0-9]+\}?)?", value)
            ):
                raise ValueError(f"line {line}: {key} must be a name, such as T or \\tau")
            if values.get(key, value) != value:
                raise ValueError(
                    f"line {line}: {key} is declared {values[key]} before, and {value} here"
                )
            values[key] = value
    if values.get("matrix-product") in values.get("elementwise", "").split():
        raise ValueError(
            f"{values['matrix-product']} cannot be both the elementwise and the matrix product"
        )
    return Conventions(tuple(values.items()))
