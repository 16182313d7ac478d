"""Today's behaviour stays: the pinned reports, formula verdicts and generated code.

Pinned before the model-core rebuild (issue 10) by ``python -m tests.pinned.record`` (see
tests/pinned/record.py): the reports of a grid of scalar and vector specs, the verdict of
every formula the test suite checks, and the generated NumPy modules. A difference is
either a regression or an intended change, which is then re-recorded and stated.
"""

from __future__ import annotations

import json

import pytest

from tests.pinned import record

REPORTS = json.loads(record.REPORTS.read_text(encoding="utf-8"))
CHECKS = json.loads(record.CHECKS.read_text(encoding="utf-8")) if record.CHECKS.exists() else []
CODEGEN = json.loads(record.CODEGEN.read_text(encoding="utf-8"))


def _id(entry: dict) -> str:
    spec = entry["spec"]
    sizes = f"n{spec['hidden']}" if "hidden" in spec else ""
    return f"{spec['class']}{sizes}-T{spec['T']}-{spec['activation']}-{entry['method']}"


@pytest.mark.parametrize("entry", REPORTS, ids=[_id(e) for e in REPORTS])
def test_reports_are_unchanged(entry: dict) -> None:
    spec = record.spec_from_dict(entry["spec"])
    assert record.report_record(spec, entry["method"]) == entry


def test_every_check_of_the_suite_is_pinned() -> None:
    assert len(CHECKS) > 150
    assert any(c["result"].get("holds") is False for c in CHECKS)
    assert any(c["result"].get("error") for c in CHECKS)


@pytest.mark.slow  # hundreds of formulas: the full suite's, not the fast tier's
@pytest.mark.parametrize("entry", CHECKS, ids=[str(n) for n in range(len(CHECKS))])
def test_formula_verdicts_are_unchanged(entry: dict) -> None:
    assert record.result_record(entry["call"]) == entry


@pytest.mark.parametrize("key", sorted(CODEGEN))
def test_generated_code_is_unchanged(key: str) -> None:
    assert record.generated(*key.split("/")) == CODEGEN[key]
