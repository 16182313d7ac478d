r"""Formulas under test as claims of the verifier.

A :class:`FormulaClaim` is an identity between formulas about the model (both sides read
by the one formula reader, :func:`symbptt.vector.formula.parse_vector`), claimed for
every t at which its indices lie in the model. ``verify`` checks each claim as a check of
its report, in the report's ring, beside the checks of the derived objects; a document
prints the claims the report verified. This is the seam through which a textbook's
formula (or a deliberately wrong one, in the fault tests) enters a verification.

Example:
    >>> from symbptt import ElmanSpec, verify_vector
    >>> spec = ElmanSpec(hidden=2, T=3)
    >>> jacobian = formula_claim(
    ...     "Jacobian", r"\frac{\partial \mathbf{h}_t}{\partial \mathbf{h}_{t-1}}"
    ...     r" = \operatorname{diag}(\phi'(\mathbf{s}_t)) W_{hh}", spec.model)
    >>> verify_vector(spec, claims=(jacobian,)).holds
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from .errors import SpecError

if TYPE_CHECKING:
    from .core.model import Model


@dataclass(frozen=True)
class FormulaClaim:
    """An identity claimed for every t, checked as the check ``name``.

    Attributes:
        name: the check's name in the report (unique among its checks).
        sides: the formula's sides as formula objects (two or more: A = B = C).
        description: what is claimed, in words, for the report and the certificate.
        latex: the formula as it was written, when it was read from LaTeX.
    """

    name: str
    sides: tuple[sp.Expr, ...]
    description: str = ""
    latex: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SpecError(f"a claim needs a name, got {self.name!r}")
        if len(self.sides) < 2 or not all(isinstance(s, sp.Basic) for s in self.sides):
            raise SpecError(f"the claim {self.name!r} needs two or more formula sides")


def formula_claim(name: str, latex: str, model: Model, description: str = "") -> FormulaClaim:
    """A claim read from LaTeX (``A = B``) with the names of ``model``.

    Raises:
        FormulaSyntaxError: the formula cannot be read (with its column).
    """
    from .vector.formula import parse_vector

    parsed = parse_vector(latex, model=model)
    return FormulaClaim(name, tuple(parsed.sides), description or f"{latex}, for every t", latex)
