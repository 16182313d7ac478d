"""symbptt: a symbolic derivation verifier for backpropagation through time.

The public API (everything else is internal and may change):

>>> from symbptt import RNNSpec, verify
>>> verify(RNNSpec(T=3, activation="tanh")).holds
True
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
import sys
import types
from typing import Any

#: The public names and where they live: imported on first use (PEP 562), so that
#: ``import symbptt`` and the command line start fast.
_EXPORTS = {
    "FormulaCheckResult": (".results", "FormulaCheckResult"),
    "FormulaClaim": (".claims", "FormulaClaim"),
    "formula_claim": (".claims", "formula_claim"),
    "assert_equivalent": (".checker", "assert_equivalent"),
    "check": (".checker", "check"),
    "BackwardRecursion": (".derive.backward", "BackwardRecursion"),
    "Expansion": (".derive.expansion", "Expansion"),
    "expand": (".derive.expansion", "expand"),
    "Counterexample": (".results", "Counterexample"),
    "EvaluationError": (".errors", "EvaluationError"),
    "FormulaSyntaxError": (".errors", "FormulaSyntaxError"),
    "NotEquivalentError": (".errors", "NotEquivalentError"),
    "SpecError": (".errors", "SpecError"),
    "SymbpttError": (".errors", "SymbpttError"),
    "WorkLimitError": (".errors", "WorkLimitError"),
    "ACTIVATIONS": (".core.primitives", "ACTIVATIONS"),
    "MAX_T": (".limits", "MAX_T"),
    "RNNSpec": (".models.choose", "RNNSpec"),
    "Spec": (".core.spec", "Spec"),
    "Definitions": (".semantics", "Definitions"),
    "unroll": (".unroll", "unroll"),
    "ElmanSpec": (".models.choose", "ElmanSpec"),
    "verify_vector": (".engine.verify", "verify_vector"),
    "CheckResult": (".results", "CheckResult"),
    "Formulas": (".formulas", "Formulas"),
    "Report": (".results", "Report"),
    "verify": (".verify", "verify"),
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        value = getattr(importlib.import_module(module, __name__), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'symbptt' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(types.ModuleType):
    """The package module: importing the submodule ``symbptt.verify`` (or ``unroll``)
    must not replace the public function of the same name, as Python's import system
    would by setting the package attribute."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "ACTIVATIONS",
    "BackwardRecursion",
    "CheckResult",
    "Counterexample",
    "Definitions",
    "ElmanSpec",
    "EvaluationError",
    "Expansion",
    "FormulaCheckResult",
    "FormulaClaim",
    "FormulaSyntaxError",
    "Formulas",
    "MAX_T",
    "NotEquivalentError",
    "RNNSpec",
    "Report",
    "Spec",
    "SpecError",
    "SymbpttError",
    "WorkLimitError",
    "__version__",
    "assert_equivalent",
    "check",
    "formula_claim",
    "expand",
    "unroll",
    "verify",
    "verify_vector",
]
