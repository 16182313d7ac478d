"""An independent cross-check against PyTorch: the check that no one here wrote.

The same weights go into the witness the cell file names (``witness``):
``torch.nn.RNN`` (tanh), ``torch.nn.LSTM`` or ``torch.nn.GRU``, or Cho et al.'s GRU
written out by hand (:mod:`symbptt.codegen.torch_cells`), with a ``Linear`` output layer
and the squared loss or ``torch.nn.functional.cross_entropy``; the loss gradient comes
from autograd in float64. (A cell may instead name its own equations run in torch
operations: that witness shares symbptt's reading of the equations, so it checks the
derived backward program only.) symbptt's backward recursion (the engine code
verified exactly by :func:`symbptt.verifier.run.verify_vector`) is evaluated at those
weights, converted exactly to rationals, in rigorous interval arithmetic, and the largest
difference per parameter is reported. torch's two hidden biases b_ih and b_hh enter as
their sum b_h, so each has the gradient of b_h.

The verdict is read from the enclosures, never from their midpoints: a parameter agrees
when every entry's whole enclosure lies within the tolerance of torch's value, and
disagrees when some entry's enclosure lies wholly outside it. Rounding widens the
enclosures step by step (at 120 bits, n = 32 and T = 100 they are 1e45 wide), so the
precision starts from the sizes (:func:`start_precision`) and is raised from the widths
seen until every entry is decided, up to :data:`MAX_PRECISION` bits; an entry still
undecided there makes the comparison inconclusive (:attr:`CrossCheck.inconclusive`),
never a disagreement.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from symbptt.core.spec import Spec
from symbptt.derive.chains import backward
from symbptt.derive.forward import forward, parameter_values
from symbptt.errors import SymbpttError, WorkLimitError
from symbptt.limits import CROSSCHECK_MAX_EVALUATIONS as MAX_EVALUATIONS
from symbptt.limits import CROSSCHECK_MAX_PRECISION as MAX_PRECISION
from symbptt.limits import MAX_WORK
from symbptt.rings.points import PointRing

TOLERANCE = 1e-10
#: Work units of one parameter entry at one step of the interval evaluation (forward
#: and backward; about 40 microseconds on a 2-core machine), against
#: :data:`symbptt.limits.MAX_WORK`.
ENTRY_STEP_UNITS = 40


@dataclass(frozen=True)
class CrossCheck:
    """Largest absolute difference per parameter between symbptt and PyTorch (from the
    enclosures' midpoints), and what the enclosures decide.

    ``undecided`` names the parameters some entry of which the enclosures could not
    decide at :attr:`precision` bits (the enclosure reaches both within and beyond the
    tolerance); ``disagreeing`` those some entry of which certainly differs from
    torch's by more than the tolerance.
    """

    spec: Spec
    seed: int
    differences: dict[str, float]
    tolerance: float
    undecided: tuple[str, ...] = ()
    disagreeing: tuple[str, ...] = ()
    #: bits of the interval arithmetic of the last evaluation, and its widest enclosure
    precision: int = 0
    width: float = 0.0
    widths: dict[str, float] = field(default_factory=dict)

    @property
    def agrees(self) -> bool:
        """Every entry is certainly within the tolerance of torch's value."""
        return not self.undecided and not self.disagreeing

    @property
    def inconclusive(self) -> bool:
        """No entry certainly disagrees, but some could not be decided."""
        return bool(self.undecided) and not self.disagreeing


@dataclass(frozen=True)
class TorchRun:
    """One run of torch.nn.RNN(tanh) + Linear with autograd, as NumPy float64 arrays:
    the weights in symbptt's shapes (b_h = b_ih + b_hh), the data X (T x m) and D (T x k),
    the loss and the gradients of every parameter and of w_h."""

    params: dict[str, Any]
    X: Any
    D: Any
    loss: float
    grads: dict[str, Any]


def torch_run(spec: Spec, *, seed: int = 0) -> TorchRun:
    """Random weights and data (torch.manual_seed(seed)) through PyTorch, float64:
    torch.nn.RNN for the Elman model, the witnesses of :mod:`symbptt.codegen.torch_cells`
    for the LSTM and the GRU.

    Raises:
        SymbpttError: PyTorch is not installed, or the model is not the one
            torch.nn.RNN computes (tanh, identity output), or torch's two hidden biases
            got different gradients.
    """
    for module in ("torch", "numpy"):
        try:
            __import__(module)
        except ImportError:
            raise SymbpttError(
                f"the cross-check needs PyTorch and NumPy, and {module} is not installed: "
                "on a machine without a GPU, first the CPU build of PyTorch (pip install "
                "torch --index-url https://download.pytorch.org/whl/cpu; plain pip install "
                "torch downloads a CUDA build of several GB), then pip install "
                "'symbptt[crosscheck]'"
            ) from None
    import torch

    from symbptt.codegen.torch_cells import cho_gru_run, equations_run, gated_run

    witness = dict(spec.model.witness).get("torch")
    if witness is None:
        raise SymbpttError(
            f"the cross-check needs PyTorch's version of the {spec.model.name}: its cell file "
            'names none (witness = { torch = "equations" } runs its own equations in torch)'
        )
    if witness != "RNN" and spec.output_activation != "identity":
        raise SymbpttError(
            "the cross-check compares PyTorch's cell with a Linear output: use an "
            "identity output activation"
        )
    if witness == "equations":  # independent of the derived backward program only
        return TorchRun(*equations_run(spec, seed))
    if witness == "cho-gru":
        return TorchRun(*cho_gru_run(spec, seed))
    if witness != "RNN":
        return TorchRun(*gated_run(spec, seed))
    if spec.activation != "tanh" or spec.output_activation != "identity":
        raise SymbpttError(
            "the cross-check compares torch.nn.RNN(tanh) with a Linear "
            "output: use --activation tanh and an identity output"
        )
    n, m, k, T = spec.hidden, spec.inputs, spec.outputs, spec.T
    torch.manual_seed(seed)
    rnn = torch.nn.RNN(m, n, nonlinearity="tanh", dtype=torch.float64)
    out_layer = torch.nn.Linear(n, k, dtype=torch.float64)
    x = torch.randn(T, 1, m, dtype=torch.float64)
    d = torch.randn(T, k, dtype=torch.float64)
    h0 = torch.randn(1, 1, n, dtype=torch.float64, requires_grad=True)
    states, _ = rnn(x, h0)
    o = out_layer(states[:, 0, :])
    if spec.loss == "cross-entropy":  # a class index per step; D holds its one-hot rows
        classes = torch.randint(k, (T,))
        d = torch.nn.functional.one_hot(classes, k).to(torch.float64)
        per_step = torch.nn.functional.cross_entropy(o, classes, reduction="none")
    else:
        per_step = 0.5 * ((o - d) ** 2).sum(dim=1)
    loss = per_step.mean() if spec.reduction == "mean" else per_step.sum()
    loss.backward()
    if not torch.allclose(rnn.bias_ih_l0.grad, rnn.bias_hh_l0.grad, rtol=0, atol=1e-12):
        raise SymbpttError("torch gave the two hidden biases different gradients")
    grads = {
        "W_hh": rnn.weight_hh_l0.grad,
        "W_xh": rnn.weight_ih_l0.grad,
        "b_h": rnn.bias_ih_l0.grad.reshape(n, 1),
        "W_hy": out_layer.weight.grad,
        "b_y": out_layer.bias.grad.reshape(k, 1),
        "h_0": h0.grad.reshape(n, 1),
        "w_h": torch.cat([rnn.weight_ih_l0.grad, rnn.weight_hh_l0.grad], dim=1).T,
    }
    weights = {
        "W_hh": rnn.weight_hh_l0,
        "W_xh": rnn.weight_ih_l0,
        "b_h": (rnn.bias_ih_l0 + rnn.bias_hh_l0).reshape(n, 1),
        "W_hy": out_layer.weight,
        "b_y": out_layer.bias.reshape(k, 1),
        "h_0": h0.reshape(n, 1),
    }
    return TorchRun(
        {name: w.detach().numpy().copy() for name, w in weights.items()},
        x[:, 0, :].numpy().copy(),
        d.numpy().copy(),
        float(loss.item()),
        {name: g.detach().numpy().copy() for name, g in grads.items()},
    )


def crosscheck(
    spec: Spec,
    *,
    seed: int = 0,
    tolerance: float = TOLERANCE,
    progress: Callable[[str], None] | None = None,
) -> CrossCheck:
    """Compare symbptt's gradients with PyTorch autograd for random weights and data.

    ``progress`` is called with the name of each stage as it starts (PyTorch's run,
    each interval evaluation of symbptt's backward program).

    Raises:
        SymbpttError: see :func:`torch_run`.
        WorkLimitError: the interval evaluation would take longer than the limits allow
            (before anything is computed).
    """
    say = progress or (lambda stage: None)
    require_crosscheck_work(spec)
    say("PyTorch autograd")
    run = torch_run(spec, seed=seed)
    values = atoms(spec, run.params, run.X, run.D)
    precision = start_precision(spec)
    spent = 0
    for attempt in range(MAX_EVALUATIONS):
        say(f"symbptt's backward program in {precision}-bit interval arithmetic")
        spent += evaluation_work(spec, precision)
        enclosures = enclosures_at(spec, values, seed=seed, prec=precision)
        result = _decide(spec, seed, run, enclosures, tolerance, precision)
        if (
            not result.undecided
            or result.disagreeing  # a certain disagreement is a verdict
            or precision >= MAX_PRECISION
            or attempt == MAX_EVALUATIONS - 1
        ):
            return result
        # rounding widens an enclosure by 2^-bits times a growth of the computation's
        # own: the bits that bring the widest one well within the tolerance
        wide = result.width if math.isfinite(result.width) else 2.0**precision
        wanted = math.log2(max(wide, 1e-300) / (max(tolerance, 1e-300) / 64))
        precision = min(MAX_PRECISION, max(2 * precision, precision + math.ceil(wanted) + 16))
        if spent + evaluation_work(spec, precision) > MAX_WORK:
            return result  # inconclusive: a finer evaluation would pass the work limit
    raise AssertionError("unreachable")  # pragma: no cover


def start_precision(spec: Spec) -> int:
    """The bits the interval arithmetic starts with: 120, and 4 more per step
    (rounding grows by about 3 bits per step at n = 32 in the Elman RNN)."""
    return min(MAX_PRECISION, 120 + 4 * spec.T)


def crosscheck_work(spec: Spec) -> int:
    """The work units of the interval evaluation: parameter entries x T x
    :data:`ENTRY_STEP_UNITS`."""
    return spec.model.parameter_entries * spec.T * ENTRY_STEP_UNITS


def evaluation_work(spec: Spec, precision: int) -> int:
    """The work units of one interval evaluation at ``precision`` bits: about
    :func:`crosscheck_work` at 256 bits, growing linearly beyond (measured at n = 16,
    T = 100: 0.9 s at 520 bits, 4.7 s at 4096). Every evaluation of a cross-check is
    charged, so that raising the precision cannot pass :data:`symbptt.limits.MAX_WORK`
    (the result is inconclusive instead)."""
    return int(crosscheck_work(spec) * (0.5 + precision / 512))


def require_crosscheck_work(spec: Spec) -> None:
    """Refuse, before torch or the interval arithmetic runs, a cross-check whose first
    evaluation would pass :data:`symbptt.limits.MAX_WORK`.

    Raises:
        WorkLimitError: naming the estimate and the limit.
    """
    work = evaluation_work(spec, start_precision(spec))
    if work > MAX_WORK:
        raise WorkLimitError(
            f"the cross-check's interval evaluation would take about {work} work units "
            f"(about {work / 1e6:.0f} s), above the limit of {MAX_WORK} (about "
            f"{MAX_WORK / 1e6:.0f} s); use a smaller n or T"
        )


def _decide(
    spec: Spec,
    seed: int,
    run: TorchRun,
    enclosures: dict[str, list[list[Any]]],
    tolerance: float,
    precision: int,
) -> CrossCheck:
    """The differences and verdicts from the enclosures of symbptt's gradients."""
    differences, widths, undecided, disagreeing = {}, {}, [], []
    for name in spec.gradients:
        rows, cols = spec.shape(name)
        worst = width = 0.0
        decided, differs = True, False
        for r in range(rows):
            for c in range(cols):
                box = enclosures[name][r][c]
                theirs = Fraction(float(run.grads[name][r, c]))
                ends = _ends(box)
                if ends is None:  # an unbounded enclosure decides nothing
                    decided, width = False, math.inf
                    continue
                lo, hi = ends
                near = max(lo - theirs, theirs - hi, 0)  # from torch's value to the box
                far = max(hi - theirs, theirs - lo)
                worst = max(worst, abs(float(box.mid.a) - float(theirs)))
                width = max(width, float(hi - lo))
                if near > tolerance:
                    differs = True
                elif far > tolerance:
                    decided = False
        differences[name], widths[name] = worst, width
        if differs:
            disagreeing.append(name)
        elif not decided:
            undecided.append(name)
    return CrossCheck(
        spec,
        seed,
        differences,
        tolerance,
        tuple(undecided),
        tuple(disagreeing),
        precision,
        max(widths.values(), default=0.0),
        widths,
    )


def _ends(box: Any) -> tuple[Fraction, Fraction] | None:
    """The exact ends of an interval (``mpmath.iv``), or None if one is not finite."""
    from mpmath.libmp import finf, fnan, fninf, to_rational

    ends = box._mpi_
    if any(e in (finf, fninf, fnan) for e in ends):
        return None
    return tuple(Fraction(*to_rational(e)) for e in ends)  # type: ignore[return-value]


def enclosures_at(
    spec: Spec, values: dict, *, seed: int = 0, prec: int = 120
) -> dict[str, list[list[Any]]]:
    """symbptt's gradients (the verified backward program) at exact input values (see
    :func:`atoms`), as enclosures of ``prec``-bit interval arithmetic (``mpmath.iv``)."""
    from mpmath import iv

    saved = iv.prec
    iv.prec = prec
    try:
        ring = PointRing(random.Random(seed), interval=True, values=values, prec=prec)
        params = parameter_values(spec.model, ring)
        return backward(spec, ring, params, forward(spec.model, spec.T, ring, params))
    finally:
        iv.prec = saved


def gradients_at(spec: Spec, values: dict, *, seed: int = 0) -> dict[str, list[list[float]]]:
    """symbptt's gradients (the verified backward program) at exact input values
    (see :func:`atoms`), evaluated in interval arithmetic of :func:`start_precision`
    bits, as floats (the enclosures' midpoints)."""
    ours = enclosures_at(spec, values, seed=seed, prec=start_precision(spec))
    return {
        name: [[float(v.mid.a) for v in row] for row in matrix] for name, matrix in ours.items()
    }


def atoms(spec: Spec, params: dict[str, Any], x: Any, d: Any) -> dict:
    """Every input atom of the engine, as the exact rational value of a float64 array
    entry: parameters in their shapes, x as T x m and d as T x k (row t-1 is step t)."""
    out: dict = {}
    for name, t in params.items():
        rows, cols = spec.shape(name)
        for r in range(rows):
            for c in range(cols):
                out[(name, (r, c))] = Fraction(float(t[r, c]))
    for t in range(1, spec.T + 1):
        for c in range(spec.inputs):
            out[("x", (t, c))] = Fraction(float(x[t - 1, c]))
        for q in range(spec.outputs):
            out[("d", (t, q))] = Fraction(float(d[t - 1, q]))
    return out
