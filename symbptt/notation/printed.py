r"""A model printed in a source's notation: the same declaration, its variables' LaTeX
replaced by a notation profile's names (``pdf --notation goodfellow`` prints U, W, V, b,
c, a^{(t)} and h^{(t)} where symbptt's own documents print W_{xh}, W_{hh}, W_{hy},
\mathbf{b}_h, \mathbf{b}_y, \mathbf{s}_t and \mathbf{h}_t). Only names change: the
document shows the objects that were verified.
"""

from __future__ import annotations

import dataclasses
import re

from ..core.model import Model
from .profiles import Profile


def printed_model(model: Model, profile: Profile) -> Model:
    """``model`` with its LaTeX in ``profile``'s names (unchanged where the profile has
    none), time as a superscript ``h^{(t)}`` where the profile writes it so."""
    from ..engine.vocabulary import latex_key

    # a letter the model uses itself is not given to another of its quantities (d2l's
    # o_t = W_qh h_t is the model's z_t, but the model's o_t = theta(z_t) keeps o)
    taken = {found[0] for v in model.variables if (found := latex_key(v.latex)) and "@" in v.latex}

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
        if not timed and sub == "0" and profile.time == "superscript":  # h_0 is h^{(0)}
            return "{" + latex.replace("_{0}", "^{(0)}") + "}"
        if timed and key in profile.printed_vectors and profile.printed_vectors[key] not in taken:
            latex = re.sub(
                r"(\\mathbf\{|\\boldsymbol\{|^)" + re.escape(key) + r"(?=[}_^])",
                lambda m: m.group(1) + profile.printed_vectors[key],
                latex,
                count=1,
            )
        if timed and profile.time == "superscript":
            latex = "{" + latex.replace("_{@}", "^{(@)}") + "}"
        return latex

    return dataclasses.replace(
        model,
        variables=tuple(dataclasses.replace(v, latex=renamed(v.latex)) for v in model.variables),
        views=tuple(dataclasses.replace(v, latex=renamed(v.latex)) for v in model.views),
        adjoints=tuple(dataclasses.replace(a, latex=renamed(a.latex)) for a in model.adjoints),
    )
