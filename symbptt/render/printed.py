r"""A model printed in a source's notation: the same declaration, its variables' LaTeX
replaced by a notation profile's names (``pdf --notation goodfellow`` prints U, W, V, b,
c, a^{(t)} and h^{(t)} where symbptt's own documents print W_{xh}, W_{hh}, W_{hy},
\mathbf{b}_h, \mathbf{b}_y, \mathbf{s}_t and \mathbf{h}_t). Only names change: the
document shows the objects that were verified.
"""

from __future__ import annotations

import dataclasses
import re

from symbptt.core.model import Model
from symbptt.read.profiles import Profile

#: Letters for a quantity whose own letter a profile gives to another (Britz's s_t is
#: the model's state h_t: the model's pre-activation s_t is then printed a_t).
FRESH_LETTERS = ("a", "u", "q", "r", "g", "v")


def printed_letters(model: Model, profile: Profile) -> dict[str, str]:
    """The letter each quantity at a step is printed with: the profile's for those it
    names; the model's own for the others, unless the profile gives that letter to
    another quantity (d2l's o_t is the model's z_t, so the model's o_t = theta(z_t)
    takes a fresh letter, as does the model's s_t where Britz's s_t is the state)."""
    from symbptt.read.vocabulary import latex_key

    quantities = (*model.variables, *model.views, *model.adjoints)
    keys = [found for v in quantities if (found := latex_key(v.latex))]
    timed = list(
        dict.fromkeys(
            found[0] for v in quantities if "@" in v.latex and (found := latex_key(v.latex))
        )
    )
    letters = {k: profile.printed_vectors.get(k, k) for k in timed}
    given = {letters[k] for k in timed if k in profile.printed_vectors}
    used = {key for key, _ in keys} | set(letters.values()) | set(profile.vectors)
    used |= {found[0] for t in profile.printed.values() if (found := latex_key(t))}
    for k in timed:
        if k not in profile.printed_vectors and k in given:
            letters[k] = next(c for c in FRESH_LETTERS if c not in used)
            used.add(letters[k])
    return letters


def printed_model(model: Model, profile: Profile) -> Model:
    """``model`` with its LaTeX in ``profile``'s names (unchanged where the profile has
    none), time as a superscript ``h^{(t)}`` where the profile writes it so; the initial
    state h_0 takes its state's letter."""
    from symbptt.read.vocabulary import latex_key

    letters = printed_letters(model, profile)

    def relettered(latex: str, key: str) -> str:
        if letters.get(key, key) == key:
            return latex
        return re.sub(
            r"(\\mathbf\{|\\boldsymbol\{|^)" + re.escape(key) + r"(?=[}_^])",
            lambda m: m.group(1) + letters[key],
            latex,
            count=1,
        )

    def renamed(latex: str) -> str:
        found = latex_key(latex)
        if found is None:
            return latex
        key, sub = found[0], found[1] or ""
        timed = "@" in latex
        if not timed and (key, sub) in profile.printed:
            source = profile.printed[(key, sub)]
            if latex.startswith(("\\mathbf{", "\\boldsymbol{")) and "\\" not in source:
                base, _, rest = source.partition("_")  # bold as the model's own: b_q
                return rf"\mathbf{{{base}}}" + (f"_{rest}" if rest else "")
            return source
        if not timed and sub == "0":  # the initial state: h_0, s_0, h^{(0)}, s_{-1}
            latex = relettered(latex, key)
            before = "-1" if profile.first == 0 and not model.scalar else "0"  # Britz's s_-1
            if profile.time != "subscript":
                return "{" + latex.replace("_{0}", "^{" + _stepped(profile, before) + "}") + "}"
            return latex.replace("_{0}", f"_{{{before}}}")
        if timed:
            latex = relettered(latex, key)
        if timed and profile.time != "subscript":
            latex = "{" + latex.replace("_{@}", "^{" + _stepped(profile, "@") + "}") + "}"
        return latex

    return dataclasses.replace(
        model,
        variables=tuple(dataclasses.replace(v, latex=renamed(v.latex)) for v in model.variables),
        views=tuple(dataclasses.replace(v, latex=renamed(v.latex)) for v in model.views),
        adjoints=tuple(dataclasses.replace(a, latex=renamed(a.latex)) for a in model.adjoints),
    )


def _stepped(profile: Profile, step: str) -> str:
    """A step as a superscript's content in the profile's style: (t), or <t> in angle
    brackets (deeplearning.ai's a^{\\langle t \\rangle})."""
    if profile.time == "angle":
        return rf"\langle {step} \rangle"
    return f"({step})"
