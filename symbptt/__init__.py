"""symbptt: a symbolic derivation verifier for backpropagation through time.

The public API (everything else is internal and may change):

>>> from symbptt import RNNSpec, verify
>>> verify(RNNSpec(T=3, activation="tanh")).holds
True
"""

from __future__ import annotations

__version__ = "0.1.0"

from .checker import CheckResult as FormulaCheckResult
from .checker import assert_equivalent as assert_equivalent
from .checker import check as check
from .derive.backward import BackwardRecursion as BackwardRecursion
from .derive.expansion import Expansion as Expansion
from .derive.expansion import expand as expand
from .equivalence import Counterexample as Counterexample
from .errors import EvaluationError as EvaluationError
from .errors import FormulaSyntaxError as FormulaSyntaxError
from .errors import NotEquivalentError as NotEquivalentError
from .errors import SpecError as SpecError
from .errors import SymbpttError as SymbpttError
from .model import ACTIVATIONS as ACTIVATIONS
from .model import MAX_T as MAX_T
from .model import RNNSpec as RNNSpec
from .semantics import Definitions as Definitions
from .unroll import unroll as unroll
from .vector.model import ElmanSpec as ElmanSpec
from .vector.verify import verify_vector as verify_vector
from .verify import CheckResult as CheckResult
from .verify import Formulas as Formulas
from .verify import Report as Report
from .verify import verify as verify

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
    "FormulaSyntaxError",
    "Formulas",
    "MAX_T",
    "NotEquivalentError",
    "RNNSpec",
    "Report",
    "SpecError",
    "SymbpttError",
    "__version__",
    "assert_equivalent",
    "check",
    "expand",
    "unroll",
    "verify",
    "verify_vector",
]
