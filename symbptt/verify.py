"""The verifier's public face, :func:`verify` (the formulas under test are in
:mod:`symbptt.formulas`, the report in :mod:`symbptt.results`).

:func:`verify` returns an immutable :class:`Report` of named checks for any model: the
model core's verifier (:func:`symbptt.engine.verify.verify_vector`) checks the backward
program derived from the model's equations, the expansion and the sums of products
against forward mode, and each claim; for the scalar model of the seeds its
:class:`Formulas` (note 000's definitions and boxed formula, eqns 4-5, question 002's
recursion) are such claims (:func:`symbptt.claims.seed_claims`). Each check is a stream
of comparisons evaluated in one ring; the ring decides equality and names the method. A
failing check carries the first failing comparison and a counterexample at concrete
inputs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from .core.spec import Spec, require_spec
from .errors import SpecError
from .formulas import DEFAULT_FORMULAS, Formulas
from .results import Report


def verify(
    spec: Spec,
    *,
    method: str = "auto",
    formulas: Formulas = DEFAULT_FORMULAS,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Check every claim of the BPTT derivation for ``spec`` against the reference.

    Args:
        spec: the model and T (a :class:`~symbptt.core.spec.Spec`: ``RNNSpec(...)``,
            ``ElmanSpec(...)``, a cell's spec).
        method: ``"auto"`` (exact within the model's exact limits, else modular; the
            report says which and why), ``"exact"`` (canonical polynomial forms,
            deterministic, within the model's exact limits) or ``"modular"`` (random
            evaluation modulo a random 127-bit prime, with an error bound).
        formulas: the formulas under test (replace one to see the verifier object);
            for the models of the core only ``program`` and ``claims``.
        seed: seeds the modular method and the counterexample search.
        progress: called as ``progress(check_name, n, 0)`` when the n-th check starts.

    Returns:
        A :class:`Report`; ``report.holds`` is True iff every check holds.

    Raises:
        SpecError: unknown method, T too large for the exact method, or a claim
            without a meaning in the model.
        WorkLimitError: the modular method beyond the work limit.

    Example:
        >>> from symbptt import RNNSpec
        >>> verify(RNNSpec(T=3)).holds
        True
    """
    require_spec(spec)
    from .claims import seed_claims
    from .engine.verify import verify_vector

    if spec.model.scalar:  # the seeds' model: their formulas are claims about it
        claims = seed_claims(formulas, spec.model) + formulas.claims
    elif dataclasses.replace(formulas, program=None, claims=()) != DEFAULT_FORMULAS:
        raise SpecError(
            "the vector model's claims are its backward program (program=) and formula "
            "claims (claims=)"
        )
    else:
        claims = formulas.claims
    report = verify_vector(
        spec,
        method=method,
        seed=seed,
        progress=progress,
        program=formulas.program,
        claims=claims,
    )
    program = report.formulas.program
    return dataclasses.replace(report, formulas=dataclasses.replace(formulas, program=program))
