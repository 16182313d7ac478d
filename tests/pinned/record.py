"""Today's behaviour, recorded so that the model-core rebuild (issue 10) can be compared.

What is pinned (tests/test_pinned.py compares all of it):

* ``reports.json``: the verification report, without timings, of every spec of a grid of
  scalar and vector models (every check's name, verdict, method, number of comparisons,
  first failure, error bound and counterexample);
* ``checks.json``: the verdict of every formula that the test suite checks (through
  ``check``, ``assert_equivalent`` or ``symbptt check``): holds, method, per-t results,
  explanation, counterexample, warnings and notes, or the error it raises;
* ``codegen.json``: the NumPy module ``symbptt codegen`` writes for each option.

Regenerate after an intended change (then review the diff):

    python -m tests.pinned.record            # everything
    python -m tests.pinned.record --reports  # one part (--checks, --codegen)

The formulas of ``checks.json`` are collected by running the test suite with
``SYMBPTT_RECORD_CHECKS=FILE`` (see tests/conftest.py), which logs each call's inputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REPORTS = HERE / "reports.json"
CHECKS = HERE / "checks.json"
CODEGEN = HERE / "codegen.json"


def spec_to_dict(spec: Any) -> dict[str, Any]:
    """A model spec as JSON: the factory that made it (RNNSpec, ElmanSpec) and its
    options; a spec made from a declaration (a cell) is "Spec" with none."""
    factory = {"scalar": "RNNSpec", "elman": "ElmanSpec"}.get(spec.model.family, "Spec")
    return {"class": factory, **spec.record()}


def spec_from_dict(data: dict[str, Any]) -> Any:
    from symbptt import ElmanSpec, RNNSpec

    fields = dict(data)
    cls = {"RNNSpec": RNNSpec, "ElmanSpec": ElmanSpec}[fields.pop("class")]
    return cls(**fields)


# -- reports --------------------------------------------------------------------------------
def report_grid() -> list[tuple[Any, str]]:
    """(spec, method) pairs: every scalar option at small T, vector models of each kind."""
    from symbptt import ElmanSpec, RNNSpec
    from symbptt.core.primitives import ACTIVATIONS

    grid: list[tuple[Any, str]] = []
    for activation in ACTIVATIONS:
        for output_activation in ("generic", "tanh", "identity"):
            for loss in ("generic", "squared"):
                for reduction in ("mean", "sum"):
                    for h0 in ("symbol", "zero"):
                        spec = RNNSpec(
                            T=3,
                            activation=activation,
                            output_activation=output_activation,
                            loss=loss,
                            reduction=reduction,
                            h0=h0,
                        )
                        grid.append((spec, "exact"))
    for T in (1, 2, 5, 8):
        grid.append((RNNSpec(T=T, activation="tanh", loss="squared"), "exact"))
    grid.append((RNNSpec(T=30, activation="sigmoid"), "modular"))
    for hidden, T, inputs, outputs in ((1, 1, 1, 1), (2, 3, 2, 1), (3, 4, 1, 2), (2, 5, 2, 2)):
        for activation, output_activation in (
            ("tanh", "identity"),
            ("generic", "generic"),
            ("sigmoid", "tanh"),
            ("softplus", "identity"),
        ):
            for reduction in ("mean", "sum"):
                spec = ElmanSpec(
                    hidden=hidden,
                    T=T,
                    inputs=inputs,
                    outputs=outputs,
                    activation=activation,
                    output_activation=output_activation,
                    reduction=reduction,
                )
                grid.append((spec, "exact"))
    grid.append((ElmanSpec(hidden=4, T=6, inputs=2, outputs=2, activation="tanh"), "modular"))
    grid.append(
        (ElmanSpec(hidden=2, T=4, activation="identity", output_activation="identity"), "exact")
    )
    return grid


def report_record(spec: Any, method: str) -> dict[str, Any]:
    """The report of ``verify`` without what varies between runs (times, versions)."""
    from symbptt import verify

    report = verify(spec, method=method).to_dict()
    for check in report["checks"]:
        check.pop("seconds")
    for key in ("symbptt", "sympy", "model"):
        report.pop(key)
    return {"spec": spec_to_dict(spec), "method": method, "report": report}


def record_reports() -> None:
    records = [report_record(spec, method) for spec, method in report_grid()]
    REPORTS.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {REPORTS} ({len(records)} reports)")


# -- checks ---------------------------------------------------------------------------------
def result_record(call: dict[str, Any]) -> dict[str, Any]:
    """What ``check`` or ``assert_equivalent`` gives for one recorded call."""
    import symbptt

    model = spec_from_dict(call["model"]) if call.get("model") else None
    kwargs = {"model": model, "T": call.get("T"), "method": call.get("method", "auto")}
    try:
        if call["kind"] == "check":
            result = symbptt.check(call["equation"], seed=call.get("seed", 0), **kwargs)
            out = {
                "holds": result.holds,
                "method": result.method,
                "results": [[r.t, r.component, r.holds] for r in result.results],
                "explanation": result.explanation,
                "counterexample": result.counterexample.to_dict()
                if result.counterexample
                else None,
                "warnings": list(result.warnings),
                "notes": list(result.notes),
            }
        else:
            symbptt.assert_equivalent(call["lhs"], call["rhs"], **kwargs)
            out = {"holds": True}
    except symbptt.NotEquivalentError as err:
        out = {"holds": False, "error": str(err)}
    except symbptt.SymbpttError as err:
        out = {"error": type(err).__name__, "message": str(err)}
    return {"call": call, "result": out}


def collect_calls() -> list[dict[str, Any]]:
    """Run the test suite with the recording hook; the distinct calls it made."""
    with tempfile.TemporaryDirectory() as work:
        log = Path(work, "calls.jsonl")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests",
                "--ignore=tests/test_pinned.py",
                "-k",
                "not robustness and not fuzz and not soundness",
            ],
            cwd=ROOT,
            env={**os.environ, "SYMBPTT_RECORD_CHECKS": str(log)},
            check=True,
        )
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    calls = {line: json.loads(line) for line in lines}
    # a user's cell (a Spec of a declaration) holds a declaration, not options: its verdicts are
    # pinned by tests/cells/test_cell.py
    calls = {
        line: call
        for line, call in calls.items()
        if (call.get("model") or {}).get("class", "RNNSpec") in ("RNNSpec", "ElmanSpec")
    }
    return sorted(calls.values(), key=lambda c: json.dumps(c, sort_keys=True))


def record_checks() -> None:
    records = [result_record(call) for call in collect_calls()]
    CHECKS.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {CHECKS} ({len(records)} formulas)")


# -- generated code -------------------------------------------------------------------------
CODEGEN_OPTIONS = [
    (activation, output_activation, reduction)
    for activation in ("tanh", "sigmoid", "identity", "softplus")
    for output_activation in ("identity", "tanh", "sigmoid", "softplus")
    for reduction in ("mean", "sum")
]


def generated(activation: str, output_activation: str, reduction: str) -> str:
    from symbptt.codegen.source import numpy_source, verification_spec

    return numpy_source(verification_spec(activation, output_activation, reduction))


def record_codegen() -> None:
    records = {"/".join(key): generated(*key) for key in CODEGEN_OPTIONS}
    CODEGEN.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {CODEGEN} ({len(records)} modules)")


if __name__ == "__main__":
    parts = {"--reports": record_reports, "--checks": record_checks, "--codegen": record_codegen}
    chosen = [parts[a] for a in sys.argv[1:] if a in parts] or list(parts.values())
    for part in chosen:
        part()
