"""How equality is decided for a spec: canonical forms (``exact``), evaluation modulo a
random prime (``modular``), or ``auto``, which takes exact where the model's exact limits
allow it (:meth:`symbptt.core.spec.Spec.exact_limit`) and says why."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from symbptt import limits
from symbptt.errors import SpecError, choose_from

if TYPE_CHECKING:
    from symbptt.core.spec import Spec

#: How equality is decided: canonical forms ("exact"), evaluation modulo a random prime
#: ("modular"), or "auto": exact where the model's exact limits allow it, else modular.
METHOD_NAMES = ("auto", "exact", "modular")


@dataclass(frozen=True)
class MethodChoice:
    """The method a run uses (``"exact"`` or ``"modular"``) and, when ``--method auto``
    chose it, why: reports and documents print both."""

    name: Literal["exact", "modular"]
    reason: str = ""

    #: How a reason given by ``auto`` starts (:meth:`by_auto`, :meth:`why`).
    _AUTO = re.compile(r"^--method auto chose \w+: ")

    @classmethod
    def by_auto(cls, name: Literal["exact", "modular"], why: str) -> MethodChoice:
        """The method ``--method auto`` chose, and ``why``: the reason says both."""
        return cls(name, f"--method auto chose {name}: {why}")

    @staticmethod
    def why(reason: str) -> str:
        """The bare why of a reason :meth:`by_auto` wrote ("" for another).

        Example:
            >>> MethodChoice.why(MethodChoice.by_auto("exact", "small").reason)
            'small'
        """
        m = MethodChoice._AUTO.match(reason)
        return reason[m.end() :] if m else ""


#: Why auto chose the exact method.
_WITHIN = "the model is within its limits"


def choose_method(spec: Spec, method: str, *, checking: bool = False) -> MethodChoice:
    """The method for ``spec``: ``auto`` takes exact where the spec's exact limits
    (:meth:`Spec.exact_limit`) allow it, else modular; ``exact`` beyond those limits is
    refused.

    Args:
        checking: the limits for checking formulas (``check``) rather than verifying the
            derivation (``verify`` and documents); they differ for the Elman model.

    Raises:
        SpecError: an unknown method, or ``exact`` beyond the exact limits.

    Example:
        >>> from symbptt import RNNSpec
        >>> choose_method(RNNSpec(T=4), "auto").name
        'exact'
        >>> choose_method(RNNSpec(T=400), "auto").reason
        '--method auto chose modular: the exact method handles T <= 300'
    """
    choose_from("method", method, METHOD_NAMES)
    limit = spec.exact_limit(checking=checking)
    if method == "auto":
        if limit is None:
            return MethodChoice.by_auto("exact", _WITHIN)
        return MethodChoice.by_auto("modular", limit)
    if method == "exact" and limit is not None:
        raise SpecError(f"{limit}; {limits.MODULAR_HINT}")
    return MethodChoice("exact" if method == "exact" else "modular")
