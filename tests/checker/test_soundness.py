"""The soundness fuzzer's bounded slice (issue 24): no false formula holds, no true formula
fails, no internal error; refusals are allowed.

The truth comes from tests/soundness_oracle.py, which imports nothing from symbptt; the
oracle itself is checked here against SymPy's derivative of the whole unrolled scalar
model and against PyTorch autograd. The large run is ``python
benchmarks/fuzz_soundness.py --mutants 5000``; every wrong verdict it finds goes to
tests/soundness_regressions.py.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator

import mpmath as mp
import pytest
import sympy as sp

from tests.conftest import TORCH_MISSING
from tests.soundness import CONFIGS, VOCABS, Outcome, Runner, latex, mutants
from tests.soundness_oracle import ORACLE_MODELS, World, build_graph, close
from tests.soundness_regressions import REGRESSIONS, Regression

#: Mutants per configuration in the random slice (the gated cells' checks are slower).
SLICE = {"lstm": 6, "gru": 5, "gru-cho": 5, "mgu": 8}
SLICE_DEFAULT = 14
SEED = 24


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    """One runner (its oracle worlds built once per configuration), with symbptt's
    search for repair suggestions bounded: repairs never change a verdict."""
    import symbptt.checker.repairs as repairs

    saved = getattr(repairs, "MAX_SECONDS", None)
    if saved is not None:
        repairs.MAX_SECONDS = 0.5
    yield Runner()
    if saved is not None:
        repairs.MAX_SECONDS = saved


def _explain(outcome: Outcome) -> str:
    return (
        f"{outcome.wrong}: {outcome.config} {outcome.base!r} {list(outcome.edits)}\n"
        f"  oracle {outcome.truth}, symbptt {outcome.verdict}: {outcome.detail[:400]}\n"
        f"  {outcome.command()}"
    )


# --------------------------------------------------------------------------- the oracle


def test_the_oracle_agrees_with_sympy_on_the_whole_unrolled_scalar_model() -> None:
    """sympy.diff of the unrolled forward pass (no chain rule of ours) at the same point."""
    T = 3
    model = ORACLE_MODELS["scalar"](
        T=T, activation="tanh", output_activation="sigmoid", step_loss="squared", reduction="sum"
    )
    world = World(build_graph(model), seed=5)
    value = {k: sp.Rational(str(world.values[k])) for k, how in world.compiled.graph.leaves.items()}
    w, v, h0 = (value[(n, s, 0, 0)] for n, s in (("w", None), ("v", None), ("h", 0)))
    W = sp.Symbol("W")
    h, hs, ss, L = h0, [h0], [], sp.Integer(0)
    for t in range(1, T + 1):
        s = W * h + v * value[("x", t, 0, 0)]
        h = sp.tanh(s)
        ss.append(s)
        hs.append(h)
        L += (1 / (1 + sp.exp(-h)) - value[("d", t, 0, 0)]) ** 2 / 2
    dL_dw = sp.diff(L, W).subs(W, w).evalf(50)
    oracle = world.derivative(("L", None), ("w", None))[0, 0]
    assert abs(oracle - mp.mpf(str(dL_dw))) < mp.mpf(10) ** -35
    dh3_dw = sp.diff(hs[3], W).subs(W, w).evalf(50)
    assert abs(world.derivative(("h", 3), ("w", None))[0, 0] - mp.mpf(str(dh3_dw))) < 1e-35
    # the immediate partial d+h_2/dw = tanh'(s_2) h_1
    immediate = (1 - sp.tanh(ss[1]) ** 2) * hs[1]
    got = world.derivative(("h", 2), ("w", None), immediate=True)[0, 0]
    assert abs(got - mp.mpf(str(immediate.subs(W, w).evalf(50)))) < 1e-35


@pytest.mark.torch
def test_the_oracle_agrees_with_torch_autograd_on_the_lstm() -> None:
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    model = ORACLE_MODELS["lstm"](T=3, output_activation="identity", step_loss="squared")
    world = World(build_graph(model), seed=3)

    def tensor(name: str, step: int | None = None):
        m = world.value(name, step)
        return torch.tensor(
            [[float(m[a, b]) for b in range(m.cols)] for a in range(m.rows)],
            dtype=torch.float64,
            requires_grad=step is None or name == "h" and step == 0,
        )

    params = {
        n: tensor(n) for (n, s) in world.compiled.graph.quantities if s is None and n[0] in "Wb"
    }
    h, c = tensor("h", 0), tensor("c", 0)
    loss = torch.zeros((), dtype=torch.float64)
    for t in range(1, 4):
        x = tensor("x", t)
        gate = {
            q: params[f"W_i{q}"] @ x + params[f"b_i{q}"] + params[f"W_h{q}"] @ h + params[f"b_h{q}"]
            for q in "ifgo"
        }
        i, f, o = (torch.sigmoid(gate[q]) for q in "ifo")
        c = f * c + i * torch.tanh(gate["g"])
        h = o * torch.tanh(c)
        y = params["W_hy"] @ h + params["b_y"]
        loss = loss + ((y - tensor("d", t)) ** 2).sum() / 2
    (loss / 3).backward()
    for name in ("W_hf", "W_ii", "b_ho", "W_hy"):
        ours = world.derivative(("L", None), (name, None))
        theirs = params[name].grad
        for a in range(ours.rows):
            for b in range(ours.cols):
                assert abs(float(ours[a, b]) - float(theirs[a, b])) < 1e-12


def test_the_oracle_reads_a_state_as_the_next_step_does() -> None:
    """dc_t/dc_{t-1} = diag(f_t) holds h_{t-1} fixed; dL/dc_t is total (through h_t)."""
    world = World(build_graph(ORACLE_MODELS["lstm"](T=3, output_activation="identity")), seed=1)
    f = world.value("f", 2)
    assert close(world.derivative(("c", 2), ("c", 1)), mp.diag([f[0, 0], f[1, 0]]))
    through_h = world.derivative(("L", None), ("c", 3))
    assert any(abs(through_h[a, 0]) > 1e-10 for a in range(2))


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_base_formula_is_true_and_never_fails(runner: Runner, name: str) -> None:
    config = CONFIGS[name]
    for base in config.bases:
        outcome = runner.run(config, base.name, (), base.formula)
        assert outcome.truth.verdict == "true", f"{name} {base.name}: {outcome.truth}"
        assert outcome.wrong is None, _explain(outcome)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CONFIGS))
def test_a_random_slice_of_mutants_obeys_the_rule(runner: Runner, name: str) -> None:
    config = CONFIGS[name]
    count = SLICE.get(name, SLICE_DEFAULT)
    wrong = []
    for m in mutants(config, count=count, rng=random.Random(f"{SEED}:{name}")):
        outcome = runner.run(config, m.base, m.edits, m.formula)
        if outcome.wrong and not _known(outcome):
            wrong.append(_explain(outcome))
    assert not wrong, "\n".join(wrong)


def _known(outcome: Outcome) -> bool:
    """A wrong verdict already kept (and expected to fail) in the regression list."""
    return any(
        r.known_bug and r.config == outcome.config and r.latex == outcome.latex for r in REGRESSIONS
    )


def test_mutants_are_deterministic() -> None:
    config = CONFIGS["scalar-generic"]
    a = mutants(config, count=20, rng=random.Random(1))
    b = mutants(config, count=20, rng=random.Random(1))
    assert [latex(m.formula, VOCABS["scalar"]) for m in a] == [
        latex(m.formula, VOCABS["scalar"]) for m in b
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["scalar-tanh-sum", "elman-ce", "lstm", "jordan"])
def test_the_command_line_exits_0_1_or_2_as_the_truth_allows(runner: Runner, name: str) -> None:
    """A small slice through ``symbptt check``: never exit 3; 0 only for what is not
    false, 1 only for what is not true."""
    config = CONFIGS[name]
    cases = [(b.name, (), b.formula) for b in config.bases[:2]]
    cases += [
        (m.base, m.edits, m.formula)
        for m in mutants(config, count=3, rng=random.Random(f"cli:{SEED}:{name}"))
    ]
    for base, edits, formula in cases:
        text = latex(formula, VOCABS[config.vocab])
        truth = runner.truth(config, formula)
        done = subprocess.run(
            [sys.executable, "-m", "symbptt", "check", *config.cli_args(), text],
            capture_output=True,
            text=True,
            timeout=300,
        )
        where = f"{name} {base!r} {list(edits)}: {text}\n{done.stdout}{done.stderr}"
        assert done.returncode in (0, 1, 2), where
        if truth.verdict in ("false", "ill-typed"):
            assert done.returncode != 0, where
        if truth.verdict == "true":
            assert done.returncode != 1, where


# --------------------------------------------------------------------------- regressions


def _regression_params() -> list:
    return [
        pytest.param(
            r,
            id=f"{r.config}:{k}",
            marks=[pytest.mark.xfail(strict=True, reason=r.known_bug)] if r.known_bug else [],
        )
        for k, r in enumerate(REGRESSIONS)
    ]


@pytest.mark.parametrize("case", _regression_params())
def test_regression(runner: Runner, case: Regression) -> None:
    config = CONFIGS[case.config]
    verdict, detail = runner.verdict(config, case.latex)
    assert verdict != "internal", detail
    if case.truth == "true":
        assert verdict != "fails", detail
    else:
        assert verdict != "holds", detail
