"""The layout holds: one package per job over shared floors (the import-linter contract
in pyproject.toml), no import circle even through the imports inside functions, small
modules, no dispatch on spec classes, and no new type errors."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "symbptt"
#: The largest module, in lines.
MAX_LINES = 400
#: mypy's error count per package (tests/mypy-baseline.json): none may grow.
BASELINE = ROOT / "tests" / "mypy-baseline.json"


def modules() -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every module of the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """The lines of ``if TYPE_CHECKING:`` blocks (annotations only, not run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                out.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports, at module level or inside a function
    (a lazy import is an arrow too), annotations-only imports left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", 0) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        out.update(t for t in targets if t in known and t != name)
    return out


def import_graph() -> dict[str, set[str]]:
    found = dict(modules())
    known = set(found)
    graph = {name: imports(name, path, known) for name, path in found.items()}
    # a module's import of its package's __init__ is how Python loads it, not an arrow
    return {n: {t for t in ts if not n.startswith(t + ".")} for n, ts in graph.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_module_imports_itself_back_even_through_a_lazy_import() -> None:
    assert circles(import_graph()) == []


def test_the_packages_keep_their_layers() -> None:
    """pyproject.toml's import-linter contract: cli over the pipeline (build, specfile),
    over the four jobs (verifier, checker, render, codegen: none imports another), over
    formulas and cells, over derive and read, over rings, over core, over the leaves."""
    pytest.importorskip("importlinter")
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_no_module_is_over_400_lines() -> None:
    long = {
        name: n
        for name, path in modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_code_dispatches_on_a_spec_class() -> None:
    """One Spec: what differs between models is the model's data (its family row), never
    the class of its spec. The API boundary checks that it is given a Spec at all."""
    found = []
    for name, path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance":
                classes = ast.unparse(node.args[1]) if len(node.args) == 2 else ""
                if re.search(r"\b(RNNSpec|ElmanSpec|CellSpec|Spec)\b", classes):
                    found.append(f"{name}:{node.lineno}")
    assert found == ["symbptt.core.spec:" + str(_require_spec_line())]


def _require_spec_line() -> int:
    tree = ast.parse((PACKAGE / "core" / "spec.py").read_text(encoding="utf-8"))
    function = next(
        n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "require_spec"
    )
    return next(
        n.lineno
        for n in ast.walk(function)
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "isinstance"
    )


def mypy_errors() -> dict[str, int]:
    """mypy's errors per package (top-level modules count as "symbptt")."""
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--no-error-summary", "symbptt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    counts: dict[str, int] = {}
    for line in run.stdout.splitlines():
        m = re.match(r"symbptt/(\w+)(/|\.py)[^:]*:\d+: error:", line)
        if m:
            key = m.group(1) if m.group(2) == "/" else "symbptt"
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_no_package_has_more_type_errors_than_its_baseline() -> None:
    """mypy over the whole package: no package's error count grows (the baseline was
    341 errors before the packages were laid out per job); fix errors and lower it with
    ``python -m tests.test_architecture``."""
    pytest.importorskip("mypy")
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    now = mypy_errors()
    grown = {p: (baseline.get(p, 0), n) for p, n in now.items() if n > baseline.get(p, 0)}
    assert grown == {}, f"type errors grew (baseline, now): {grown}"


def test_every_python_file_compiles_without_a_warning() -> None:
    """An invalid escape such as ``"\\c"`` in a docstring is a DeprecationWarning on one
    Python and a SyntaxWarning on the next, and the suite turns warnings into errors: CI once
    failed on a truth script that compiled quietly here."""
    import warnings

    tracked = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    paths = [ROOT / name for name in tracked] or sorted(ROOT.glob("**/*.py"))
    noisy = []
    for path in paths:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)
        if caught:
            noisy.append(f"{path.relative_to(ROOT)}: {caught[0].message}")
    assert not noisy, "\n".join(noisy)


if __name__ == "__main__":  # record the baseline
    counts = mypy_errors()
    BASELINE.write_text(json.dumps(counts, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE}: {sum(counts.values())} errors")
