"""A document's notation: how the immediate partial, the total derivative and the loss
are written (settings of the printers, :class:`symbptt.render.matrix.MatrixNotation` and
the claims' displays, not a printer of their own)."""

from __future__ import annotations

from dataclasses import dataclass

from symbptt.errors import SpecError
from symbptt.render import IMMEDIATE_STYLES

__all__ = ["IMMEDIATE_STYLES", "Notation"]


@dataclass(frozen=True)
class Notation:
    """Choices of notation for a document.

    Attributes:
        immediate: key of :data:`IMMEDIATE_STYLES` (default ``plus``: d+h_t/dw).
        total: the symbol of total derivatives (``\\partial`` as in the seeds, or ``d``).
        loss: LaTeX of the total loss.
    """

    immediate: str = "plus"
    total: str = r"\partial"
    loss: str = "L"

    def __post_init__(self) -> None:
        for key in ("immediate", "total", "loss"):
            if not isinstance(getattr(self, key), str):
                raise SpecError(
                    f"the notation {key} must be a string, got {type(getattr(self, key)).__name__}"
                )
        if self.immediate not in IMMEDIATE_STYLES:
            raise SpecError(
                f"unknown immediate-partial style {self.immediate!r}; expected one of: "
                f"{', '.join(IMMEDIATE_STYLES)}"
            )
        if self.total not in (r"\partial", "d"):
            raise SpecError(r"total derivatives are written \partial or d")
        if self.loss not in ("L", r"\hat{L}", r"\mathcal{L}"):
            raise SpecError(r"the loss is written L, \hat{L} or \mathcal{L}")
