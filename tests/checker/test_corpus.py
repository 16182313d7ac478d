"""Formulas from real textbooks and notes (tests/corpus.py): each is read as written and
gets the verdict its truth calls for, established independently with PyTorch autograd;
what symbptt cannot read yet is refused (exit 2), never called false.
"""

from __future__ import annotations

from collections import Counter

import pytest

from symbptt import ElmanSpec, FormulaSyntaxError, RNNSpec, check
from tests.conftest import TORCH_MISSING
from tests.corpus import FORMULAS, SOURCES, Formula, truth

IDS = [f.id for f in FORMULAS]


def spec_of(formula: Formula) -> RNNSpec | ElmanSpec:
    if formula.model == "scalar":
        return RNNSpec(T=formula.T)
    if formula.model == "scalar-sum":  # the 2019 d2l's L = sum_t l(y_t, o_t)
        return RNNSpec(T=formula.T, reduction="sum")
    return ElmanSpec(hidden=2, inputs=1, outputs=2, T=formula.T, **formula.model)


def verdict(formula: Formula) -> tuple[str, str]:
    """symbptt's verdict ("holds", "fails" or "refused") and what it said."""
    try:
        result = check(
            formula.latex, model=spec_of(formula), notation=formula.notation, macros=formula.macros
        )
    except FormulaSyntaxError as err:
        return "refused", str(err).splitlines()[0]
    return ("holds" if result.holds else "fails"), result.explanation


def test_the_corpus_has_its_sources_and_citations() -> None:
    assert len({f.id for f in FORMULAS}) == len(FORMULAS)
    for f in FORMULAS:
        assert f.source in SOURCES and f.where and f.latex.strip(), f.id
        assert f.expect in ("holds", "fails", "refused"), f.id
        assert f.expect != "refused" or f.note, f"{f.id}: say what is not read yet"


@pytest.mark.parametrize("formula", FORMULAS, ids=IDS)
@pytest.mark.torch
def test_the_truth_of_each_formula_is_computed_by_autograd(formula: Formula) -> None:
    """The truth used below, from the model in PyTorch: what holds is true, what fails
    is false (and a formula whose shapes do not fit has no value)."""
    pytest.importorskip("torch", reason=TORCH_MISSING)
    true = truth(formula)
    if formula.expect == "holds":
        assert true is True
    elif formula.expect == "fails":
        assert true is False


@pytest.mark.parametrize("formula", FORMULAS, ids=IDS)
def test_each_formula_gets_its_verdict(formula: Formula) -> None:
    got, said = verdict(formula)
    assert got == formula.expect, said


@pytest.mark.slow
@pytest.mark.torch
def test_no_verdict_contradicts_the_truth_and_the_figures() -> None:
    """The figures the README reports: how many formulas, from how many sources, are read
    as written, and that no true formula is called false nor a false one true."""
    pytest.importorskip("torch", reason=TORCH_MISSING)
    tally: Counter[str] = Counter()
    for formula in FORMULAS:
        got, said = verdict(formula)
        true = truth(formula)
        if got == "holds":
            assert true is True, formula.id
        if got == "fails":
            assert true is not True, f"{formula.id}: a true formula called false ({said})"
        tally[got] += 1
    print(
        f"\ncorpus: {len(FORMULAS)} formulas from {len({f.source for f in FORMULAS})} "
        f"sources; {tally['holds']} hold, {tally['fails']} fail, {tally['refused']} refused"
    )
