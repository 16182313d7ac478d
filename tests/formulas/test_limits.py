"""Work limits (symbptt.limits): large but valid formulas answer or are refused, never hang.

A bounded hypothesis fuzz builds syntactically valid formulas with big exponents, long
ranges and deep nests of sums and products, for the scalar and the vector model, and
checks that each one either gets a verdict or is refused with the project's own error
(a WorkLimitError naming the limit, or a FormulaSyntaxError for what has no meaning),
within the check's time budget.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symbptt
from symbptt import ElmanSpec, RNNSpec
from symbptt.errors import FormulaSyntaxError, SpecError, WorkLimitError
from symbptt.limits import MAX_EXPONENT, MAX_RANGE, MAX_SECONDS

SCALAR_ATOMS = ["w", "v", "h_t", "s_t", "h_{t-1}", "x_t", "\\phi'(s_t)", "h_0"]
SCALAR_HEAVY = ["\\frac{\\partial L}{\\partial s_t}", "\\frac{\\partial h_t}{\\partial w}"]
VECTOR_ATOMS = ["W_{hh}", "\\mathbf{h}_t", "\\mathbf{s}_t", "W_{hh}^\\top"]
EXPONENTS = [0, 1, 2, 3, 17, 64, MAX_EXPONENT, MAX_EXPONENT + 1, 10**6, 10**12]
BOUNDS = ["1", "t", "T", "2", "50", str(MAX_RANGE), str(MAX_RANGE + 7), "1000000000"]
LETTERS = "ijk"
ALLOWED = (WorkLimitError, FormulaSyntaxError, SpecError)


@st.composite
def formulas(draw: st.DrawFn, atoms: list[str]) -> str:
    """A formula built from atoms with powers, parenthesised sums and nested big
    operators."""
    depth = draw(st.integers(0, 3))
    body = draw(st.sampled_from(atoms))
    for level in range(depth):
        kind = draw(st.sampled_from(["pow", "sum", "prod", "paren"]))
        if kind == "pow":
            body = f"({body})^{{{draw(st.sampled_from(EXPONENTS))}}}"
        elif kind == "paren":
            other = draw(st.sampled_from(atoms))
            body = f"({body} + {other} + {draw(st.sampled_from(atoms))})"
        else:
            letter = LETTERS[level]
            op = "\\sum" if kind == "sum" else "\\prod"
            low = draw(st.sampled_from(["1", "2"]))
            high = draw(st.sampled_from(BOUNDS))
            body = f"{op}_{{{letter}={low}}}^{{{high}}} {body}"
    return body


def bounded(run) -> None:
    """Run a check: a verdict or one of the project's errors, within the budget."""
    start = time.monotonic()
    try:
        result = run()
        assert result.holds in (True, False)
    except ALLOWED:
        pass
    # the budget stops a check after MAX_SECONDS; one last operation may finish first
    assert time.monotonic() - start < 3 * MAX_SECONDS


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    lhs=formulas(SCALAR_ATOMS + SCALAR_HEAVY),
    rhs=formulas(SCALAR_ATOMS),
    method=st.sampled_from(["exact", "modular"]),
)
def test_large_scalar_formulas_answer_or_are_refused(lhs: str, rhs: str, method: str) -> None:
    bounded(lambda: symbptt.check(f"{lhs} = {rhs}", model=RNNSpec(T=3), method=method))


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    lhs=formulas(VECTOR_ATOMS),
    method=st.sampled_from(["exact", "modular"]),
)
def test_large_vector_formulas_answer_or_are_refused(lhs: str, method: str) -> None:
    spec = ElmanSpec(hidden=2, T=3)
    bounded(lambda: symbptt.check(f"{lhs} = {lhs}", model=spec, method=method))


@pytest.mark.parametrize(
    "formula, limit",
    [
        ("w^{1001} = 1", "exponent 1001 is above the limit 1000"),
        ("\\sum_{i=1}^{10001} w = 1", "10001 steps, above the limit 10000"),
        ("\\sum_{i=1}^{5000} \\sum_{j=1}^{5000} w = 1", "evaluations"),
        ("(w+v+h_0+x_1+x_2)^{60} = 1", "terms"),
    ],
)
def test_each_limit_is_named(formula: str, limit: str) -> None:
    with pytest.raises(WorkLimitError, match=limit):
        symbptt.check(formula, method="exact")


def test_the_same_formulas_within_the_limits_are_checked() -> None:
    assert symbptt.check("w^{1000} = w^{999} w").holds
    assert symbptt.check("\\sum_{i=1}^{10000} w = 10000 w").holds
    assert symbptt.check("(w+v)^{60} = (v+w)^{60}").holds
    assert symbptt.check("(w+v+h_0+x_1+x_2)^{60} = 1", method="modular").holds is False


def test_vector_verification_reports_progress() -> None:
    seen: list[str] = []
    symbptt.verify_vector(
        ElmanSpec(hidden=2, T=2),
        method="modular",
        progress=lambda name, n, total: seen.append(name),
    )
    assert len(seen) > 5 and len(set(seen)) == len(seen)


def test_the_documented_sizes_are_within_the_estimate() -> None:
    """The boxed sum of products at T = 1000 (the benchmark's modular case) is estimated
    below the limit: its running products are shared by every t."""
    from symbptt import RNNSpec
    from symbptt.core import derivatives as E
    from symbptt.formulas.estimate import estimate
    from symbptt.limits import MAX_EVALUATIONS
    from symbptt.read.formula import parse_vector

    boxed = (
        r"\frac{\partial h_t}{\partial w} = \frac{\partial^+ h_t}{\partial w} + "
        r"\sum_{i=1}^{t-1} \left(\prod_{j=i+1}^{t} \frac{\partial h_j}{\partial h_{j-1}}"
        r"\right) \frac{\partial^+ h_i}{\partial w}"
    )
    sides = parse_vector(boxed, model=RNNSpec(T=4).model).sides
    assert estimate(sides, 1000, T_symbol=E.T, memoized_products=True) < MAX_EVALUATIONS
    with pytest.raises(WorkLimitError):
        estimate(sides, 1000, T_symbol=E.T, memoized_products=False)
