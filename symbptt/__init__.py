"""symbptt: a symbolic derivation verifier for backpropagation through time.

The public API (everything else is internal and may change):

>>> from symbptt import RNNSpec, verify
>>> verify(RNNSpec(T=3, activation="tanh")).holds
True
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import Any

#: The public names and where they live: imported on first use (PEP 562), so that
#: ``import symbptt`` and the command line start fast.
_EXPORTS = {
    "FormulaCheckResult": (".results", "FormulaCheckResult"),
    "FormulaClaim": (".verifier.claims", "FormulaClaim"),
    "formula_claim": (".verifier.claims", "formula_claim"),
    "assert_equivalent": (".checker.pipeline", "assert_equivalent"),
    "check": (".checker.pipeline", "check"),
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
    "RNNSpec": (".cells.choose", "RNNSpec"),
    "Spec": (".core.spec", "Spec"),
    "ElmanSpec": (".cells.choose", "ElmanSpec"),
    "verify_vector": (".verifier.run", "verify_vector"),
    "model_claims": (".verifier.claims", "model_claims"),
    "CheckResult": (".results", "CheckResult"),
    "Report": (".results", "Report"),
    "verify": (".verifier.run", "verify"),
}


#: Names of the scalar era's formula language, removed: the seeds' formulas are LaTeX
#: claims of the scalar model now.
_REMOVED = {
    "Formulas": "pass claims=model_claims(spec.model, replace={name: latex}) to verify",
    "Definitions": "pass claims=model_claims(spec.model, replace={name: latex}) to verify",
    "BackwardRecursion": "pass claims=model_claims(spec.model, replace={name: latex}) to verify",
    "unroll": "the verifier's reference check differentiates the unrolled model in SymPy",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        value = getattr(importlib.import_module(module, __name__), attribute)
        globals()[name] = value
        return value
    if name in _REMOVED:
        raise AttributeError(f"symbptt.{name} was removed: {_REMOVED[name]}")
    raise AttributeError(f"module 'symbptt' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ACTIVATIONS",
    "CheckResult",
    "Counterexample",
    "ElmanSpec",
    "EvaluationError",
    "Expansion",
    "FormulaCheckResult",
    "FormulaClaim",
    "FormulaSyntaxError",
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
    "model_claims",
    "expand",
    "verify",
    "verify_vector",
]
