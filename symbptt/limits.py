"""Work limits: a formula of a few thousand characters must not ask for unbounded work.

The promise: every check is answered or refused within about 10 s and 1 GB (the whole
process, Python's start-up included). Three layers, each raising
:class:`~symbptt.errors.WorkLimitError` with a message that names the limit:

* :func:`symbptt.formulas.estimate.estimate` (before anything is computed, in well under a
  second): every exponent is at most :data:`MAX_EXPONENT`, every sum or product runs over at most
  :data:`MAX_RANGE` steps, and the number of evaluations that nested sums, products and
  powers ask for, over every t, is at most :data:`MAX_EVALUATIONS`; and
  :func:`require_work`: the forward-mode passes a formula's derivatives ask for (counted
  by :func:`symbptt.formulas.work.estimate_passes`) cost at most :data:`MAX_WORK` units.
* while a formula is evaluated, before each operation that could be large: an exact
  product of two polynomials may cost at most :data:`MAX_PRODUCT_TERMS` term
  multiplications, a canonical form may have at most :data:`MAX_TERMS` terms and take at
  most :data:`MAX_FORM_BYTES` (a sum or product whose result could be larger is refused
  before it is formed, so that no single canonical form explodes, e.g.
  ``(w+v+h_0+x_1+x_2+x_3+x_4)^{30}``, and FLINT never runs out of memory), and the work
  of every forward-mode pass and matrix product is charged (:func:`charge`) against
  :data:`MAX_WORK` before it is done.
* a :func:`budget`: the whole check at most :data:`MAX_SECONDS` seconds, a last resort
  for what the estimates cannot see (the exact ring's growing polynomials); legitimate
  checks at the largest T take less.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import time
from collections.abc import Iterator
from typing import Any

from symbptt.errors import WorkLimitError

#: Largest exponent of a power in a formula.
MAX_EXPONENT = 1000
#: Most steps of one sum or product.
MAX_RANGE = 10_000
#: Most evaluations (the innermost bodies of nested sums, products and powers, over
#: every t and component) one formula may ask for.
MAX_EVALUATIONS = 20_000_000
#: Most term-by-term multiplications of one exact product (len(a) * len(b)).
MAX_PRODUCT_TERMS = 4_000_000
#: Most terms of one exact canonical form met while evaluating a formula.
MAX_TERMS = 100_000
#: Largest memory of one exact canonical form (or of the largest one a sum or product
#: could make), estimated from its terms and the ring's generators (:func:`form_bytes`).
MAX_FORM_BYTES = 256 * 2**20
#: Most work units one check may ask for: a unit is about a microsecond on a 2-core
#: machine (one modular multiplication with its bookkeeping); one step of a
#: forward-mode pass costs :data:`STEP_UNITS` plus :data:`ENTRY_UNITS` per parameter
#: entry, a product of matrices one unit per multiplication of entries.
MAX_WORK = 8_000_000
#: The work units of one step of a forward-mode pass: a fixed part, and per parameter
#: entry (measured for the modular ring: about 20 + 4.5 x entries microseconds per step,
#: 25 for the scalar model, 1,700 for the Elman model at n = 16).
STEP_UNITS = 20
ENTRY_UNITS = 4.5
#: Longest time one check may take before it is stopped: the promise is 10 s for the
#: whole process, of which start-up takes about a second; the estimates refuse what
#: would take longer before it is started, so this is only a last resort (the heaviest
#: legitimate checks, such as dL/dw = sum_t dL/ds_t h_(t-1) exact at T = 300, take 8 s).
MAX_SECONDS = 9.0
#: What a refusal during a check suggests.
HINT = "use a smaller model or T"

# -- repairs, the cross-check, files and documents ----------------------------------------
#: A formula that does not hold: at most this many single edits are tried as repairs,
#: within this many seconds.
REPAIR_MAX_EDITS = 120
REPAIR_MAX_SECONDS = 8.0
#: The PyTorch cross-check's interval arithmetic: at most this many bits (beyond, an
#: undecided comparison is inconclusive), and at most this many evaluations at rising
#: precisions (the start precision usually decides at once; each takes as long as the
#: first).
CROSSCHECK_MAX_PRECISION = 4096
CROSSCHECK_MAX_EVALUATIONS = 3
#: Largest input file read (spec files, templates, LaTeX sources for ``check --file``).
MAX_INPUT_BYTES = 20 * 1024 * 1024
#: Deepest nesting of arrays and inline tables accepted in a spec file.
MAX_TOML_NESTING = 20
#: Longest title or author line accepted.
MAX_TEXT_LENGTH = 500

# -- models: T, sizes and the exact method (symbptt.core.spec asks these) -----------------
#: The largest T of the scalar model (its passes are cheap); the README states the time.
MAX_T = 5000
#: The largest T of a vector model or cell (the modular work limit below bounds it too).
MAX_T_VECTOR = 200
#: The largest size (hidden, inputs, outputs; a cell's size letters) of a vector model.
MAX_SIZE = 64
#: The largest T of the exact method on the scalar model (canonical forms grow with T).
EXACT_MAX_T = 300
#: The scalar model's second reference (SymPy's derivatives of the unrolled model) up to
#: this T.
SYMPY_REFERENCE_MAX_T = 3
#: The Elman model's exact method: n and T at most these (canonical forms grow fast with
#: both); a fully linear model (both activations the identity) has no activation atoms,
#: its states expand into large polynomials in the weights (n = 3, T = 6 takes ~100 s).
EXACT_MAX_HIDDEN = 3
EXACT_MAX_T_ELMAN = 6
EXACT_MAX_T_LINEAR = 4
#: The Elman model's SymPy reference: n and T at most these.
SYMPY_MAX_HIDDEN = 2
SYMPY_MAX_T = 3
#: A cell's exact method: (state size) x T and T at most these (a built-in cell may
#: state its own measured work, ``Model.exact_work``).
CELL_EXACT_MAX_WORK = 6
CELL_EXACT_MAX_T = 4
#: A cell's SymPy reference: (state size) x T at most this.
CELL_SYMPY_MAX_WORK = 3
#: Largest work of a modular verification, in units of parameter entries x work of one
#: step x T^2 (the measure of one forward-mode pass per parameter entry; the passes run
#: as one batched pass, and the measure follows the time within a factor of about 5:
#: 4e-8 to 2.3e-7 s of CPU per unit, measured on a 2-core machine). At most about 7 s of
#: CPU: n = 8, T = 100 (3.4 s) or n = 16, T = 30 (6.8 s) or n = 4, T = 300 (0.5 s)
#: (m = k = 1) fit, and the LSTM at n = 8, T = 20 (3.6 s).
MODULAR_MAX_WORK = 100_000_000
#: What a refusal of the exact method tells the user to do instead.
MODULAR_HINT = "use the modular method (--method modular, or --method auto)"

# -- reading notes (symbptt.read): bounds on untrusted LaTeX, Markdown and profiles --
#: Longest a formula may grow when its macros are expanded, in characters; the size is
#: computed before an expansion is written out, so a 2 MB macro used 1,900 times is
#: refused at once, not built.
MAX_EXPANDED = 20_000
#: Most characters of macro bodies one formula's expansion may read, over every use and
#: level (a macro of a million ``#1`` given empty arguments grows nothing but costs).
MAX_EXPANSION_WORK = 1_000_000
#: Longest notes read for their displays and macro definitions, in characters: a
#: ``check --file`` LaTeX or Markdown file (a notebook: its markdown cells), and the
#: definitions of a ``--preamble`` (or ``macros=``); they are read in a few seconds.
MAX_NOTES_CHARACTERS = 2_500_000
#: Longest display of a notes file (``check --file``), in characters: twice a formula's
#: limit (a display's comments, labels and macros count in its length), so that each
#: display's end is looked for in a bounded window and reading stays linear.
MAX_DISPLAY = 8_000
#: Most characters of equations read from one notes file: each equation of a display
#: keeps the display's length (for its lines and columns), so a display of many
#: equations costs its length for each.
MAX_READ_CHARACTERS = 20_000_000
#: Most characters of macro definitions that the displays of one notes file carry
#: (those in effect at a display, counted again where they differ from the previous
#: display's: each check reads them).
MAX_DEFINITIONS_READ = 2_000_000
#: Longest formula accepted, in characters, and its deepest nesting.
MAX_FORMULA_LENGTH = 4000
FORMULA_MAX_DEPTH = 60
#: How deep macros may expand inside one another (how long an expansion may grow is
#: :data:`MAX_EXPANDED`).
MACRO_MAX_DEPTH = 20
#: The most entries a list with an ellipsis may stand for (a vector of the model is at
#: most :data:`MAX_SIZE` long).
MAX_LISTED = 256
#: Most names a notation profile may map, over its tables (the built-in ones map a few
#: dozen; each name is parsed by the formula grammar).
MAX_PROFILE_NAMES = 1_000
#: Largest notation profile file, in bytes.
MAX_PROFILE_BYTES = 1024 * 1024


class Budget:
    """The deadline of one check (see :func:`budget`), in the process's CPU time (a
    busy machine slows a check down without making it more work, and must not refuse
    it); the clock is read every :data:`TICKS` calls, so hot loops pay almost nothing."""

    def __init__(self, seconds: float, work: int) -> None:
        self.seconds = seconds
        self.deadline = time.process_time() + seconds
        self.calls = 0
        #: the work units charged so far (:func:`charge`), and the most allowed
        self.work, self.max_work = 0, work

    def tick(self) -> None:
        self.calls += 1
        if self.calls % TICKS == 0 and time.process_time() > self.deadline:
            raise WorkLimitError(
                f"the check took longer than the limit of {self.seconds:.0f} s and was stopped; "
                f"try a smaller T or the modular method"
            )


#: How many loop steps or products pass between two readings of the clock.
TICKS = 256

_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("budget", default=None)


@contextlib.contextmanager
def budget(seconds: float | None = None) -> Iterator[Budget]:
    """Run the enclosed check under a deadline (default :data:`MAX_SECONDS`) and the
    work limit :data:`MAX_WORK` (nested budgets keep the outer one)."""
    outer = _CURRENT.get()
    if outer is not None:
        yield outer
        return
    budget = Budget(MAX_SECONDS if seconds is None else seconds, MAX_WORK)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def tick() -> None:
    """Raise WorkLimitError if the current check is past its deadline."""
    current = _CURRENT.get()
    if current is not None:
        current.tick()


def remaining() -> float:
    """CPU seconds left before the current check's deadline (infinity outside a check)."""
    current = _CURRENT.get()
    return float("inf") if current is None else current.deadline - time.process_time()


def charge(units: float, what: str) -> None:
    """Count ``units`` of work about to be done in the current check (nothing outside a
    check), refusing it before it is done if the check's work would pass
    :data:`MAX_WORK`: a deterministic bound for what :func:`require_work`'s estimate
    did not foresee.

    Raises:
        WorkLimitError: naming ``what`` asked for the work.
    """
    current = _CURRENT.get()
    if current is None:
        return
    current.work += int(units)
    if current.work > current.max_work:
        raise WorkLimitError(
            f"the check needs more than {current.max_work} work units (about "
            f"{current.max_work / 1e6:.0f} s; {what} took it past the limit); {HINT}"
        )
    current.tick()


def require_work(units: float, what: str) -> None:
    """Refuse, before anything is computed, a check whose estimated work is above
    :data:`MAX_WORK` units.

    Raises:
        WorkLimitError: naming the estimate, the limit and what asks for the work.

    Example:
        >>> require_work(10**9, "2000 forward-mode passes")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        symbptt.errors.WorkLimitError: the check would take about 1000000000 work units ...
    """
    if units > MAX_WORK:
        raise WorkLimitError(
            f"the check would take about {int(units)} work units ({what}; about "
            f"{units / 1e6:.0f} s), above the limit of {MAX_WORK} (about "
            f"{MAX_WORK / 1e6:.0f} s); use a smaller model or T"
        )


def step_units(entries: int) -> float:
    """The work units of one step of a forward-mode pass of a model with this many
    parameter entries."""
    return STEP_UNITS + ENTRY_UNITS * entries


@functools.cache
def _polynomial_type() -> Any:
    """FLINT's polynomial type, imported on first use (the command line reads this
    module's limits at start-up and does not need FLINT for them)."""
    import flint

    return flint.fmpq_mpoly


def size(value: Any) -> int:
    """How many terms a value has: a polynomial's term count, a matrix's largest entry's,
    1 for anything else (numbers, residues, intervals)."""
    if type(value) is _polynomial_type():
        return max(len(value), 1)
    rows = getattr(value, "rows", None)
    if isinstance(rows, tuple):
        return max((size(x) for row in rows for x in row), default=1)
    return 1


def _polynomial_in(value: Any) -> Any:
    """A polynomial entry of a value (for its ring's generators), or None."""
    polynomial = _polynomial_type()
    if type(value) is polynomial:
        return value
    rows = getattr(value, "rows", None)
    if isinstance(rows, tuple):
        for row in rows:
            for x in row:
                if type(x) is polynomial:
                    return x
    return None


def term_bytes(*values: Any) -> int:
    """The memory of one term of the values' canonical forms: FLINT packs a term's
    exponents into a byte per generator of the ring (measured: the generators plus
    about 16 bytes), so the terms of a form over the 2,400 generators of the scalar
    model at T = 300 take kilobytes each. 16 for values that are not polynomials."""
    for value in values:
        poly = _polynomial_in(value)
        if poly is not None:
            return poly.context().nvars() + 16
    return 16


def form_bytes(terms: int, *values: Any) -> int:
    """The memory of a canonical form of ``terms`` terms in the ring of ``values``."""
    return terms * term_bytes(*values)


def _refuse_form(terms: int, what: str, *values: Any) -> None:
    """Refuse a canonical form of (up to) ``terms`` terms before it is made."""
    if terms > MAX_TERMS:
        raise WorkLimitError(
            f"an exact canonical form in this formula {what} {terms} terms, above the "
            f"limit of {MAX_TERMS}; use the modular method (--method modular) or a smaller T"
        )
    memory = form_bytes(terms, *values)
    if memory > MAX_FORM_BYTES:
        raise WorkLimitError(
            f"an exact canonical form in this formula {what} {terms} terms of "
            f"{term_bytes(*values)} bytes each ({memory / 2**20:.0f} MB), above the limit "
            f"of {MAX_FORM_BYTES // 2**20} MB; use the modular method (--method modular) "
            f"or a smaller T"
        )


def check_product(a: Any, b: Any) -> None:
    """Refuse a product whose term-by-term cost is above :data:`MAX_PRODUCT_TERMS`,
    whose factors are above :data:`MAX_TERMS`, or whose result could take more than
    :data:`MAX_FORM_BYTES` (and check the deadline)."""
    current = _CURRENT.get()
    if current is None:
        return
    current.tick()
    sa, sb = size(a), size(b)
    if max(sa, sb) > MAX_TERMS:
        _refuse_form(max(sa, sb), "has", a, b)
    if sa * sb > MAX_PRODUCT_TERMS:
        raise WorkLimitError(
            f"an exact product in this formula would multiply {sa} by {sb} terms, "
            f"above the limit of {MAX_PRODUCT_TERMS} term products; use the modular method "
            f"(--method modular) or a smaller T"
        )
    if sa * sb > 1 and form_bytes(sa * sb, a, b) > MAX_FORM_BYTES:
        _refuse_form(sa * sb, "could have", a, b)


def check_sum(a: Any, b: Any) -> None:
    """Refuse a sum of exact canonical forms whose result could be above
    :data:`MAX_TERMS` terms or :data:`MAX_FORM_BYTES` (before it is formed)."""
    if _CURRENT.get() is None:
        return
    terms = size(a) + size(b)
    if terms > 1_000:  # small sums are not worth a look
        _refuse_form(terms, "could have", a, b)
