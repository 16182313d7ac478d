r"""The per-step losses of an output head, one row each: value in any ring, gradient with
respect to the head's output as an expression, and how documents write them.

* ``squared``: l_t = (1/2) ||o_t - d_t||^2, dl_t/do_t = o_t - d_t.
* ``cross-entropy``: yhat_t = softmax(o_t), l_t = -log yhat_t[y_t]
  = logsumexp(o_t) - o_t[y_t], dl_t/do_t = yhat_t - onehot(y_t).
* ``generic``: an unknown differentiable l_t = l(o_t, d_t) (the seeds' scalar model):
  l_t and each entry of its gradient l'(o_t, d_t) = dl_t/do_t are atoms of their own,
  so an identity that holds holds for every differentiable loss.

Exactness of the cross-entropy head: the target enters as the vector d_t = onehot(y_t)
of indeterminates, softmax(o_t)[q] and logsumexp(o_t) are atoms with the derivative rules
d logsumexp(o) = softmax(o) . do and d softmax(o)_q = softmax(o)_q (do_q - softmax(o) .
do). The target's entries sum to 1 (its last entry is 1 minus the others, see
:func:`target_entries`), as a one-hot vector's do; on that plane the loss is
-d_t . log yhat_t, so dl_t/dyhat_t = -d_t / yhat_t (:func:`probability_gradient`, with
reciprocal atoms 1/yhat_t[q]) is its derivative by the probabilities. An identity that
holds in these atoms holds for every class index y_t (d_t is then one-hot) and every
o_t (where the atoms take their real values); counterexamples are sought only at
one-hot targets, with softmax and logsumexp evaluated for real in interval arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from symbptt.core.tensor import Add, Expr, Sub, Var


@dataclass(frozen=True)
class StepLoss:
    """One loss of the table.

    Attributes:
        name: as on the command line (``--step-loss``) and in spec files.
        description: one line for help texts.
        probabilities: the series the head computes besides the loss, or None: the
            softmax ``yhat`` of cross-entropy, the gradient ``lgrad`` of a generic loss.
        gradient: dl_t/do_t as an expression, given the output and target names.
        latex: the step loss in LaTeX, given the LaTeX of the output and target at t.
    """

    name: str
    description: str
    probabilities: str | None
    gradient: Callable[[str, str], Expr]
    latex: Callable[[str, str], str]


LOSS_TABLE: dict[str, StepLoss] = {
    loss.name: loss
    for loss in (
        StepLoss(
            "squared",
            "(1/2) ||o_t - d_t||^2",
            None,
            lambda out, target: Sub(Var(out), Var(target)),
            lambda o, d: rf"\tfrac{{1}}{{2}} \left\lVert {o} - {d} \right\rVert^{{2}}",
        ),
        StepLoss(
            "sum-squared",
            "||o_t - d_t||^2 (notes' (y_t - yhat_t)^2, without the half)",
            None,
            lambda out, target: Add(Sub(Var(out), Var(target)), Sub(Var(out), Var(target))),
            lambda o, d: rf"\left\lVert {o} - {d} \right\rVert^{{2}}",
        ),
        StepLoss(
            "cross-entropy",
            "-log softmax(o_t)[y_t], the target a class index per step",
            "yhat",
            lambda out, target: Sub(Var("yhat"), Var(target)),
            lambda o, d: rf"-\log \operatorname{{softmax}}\!\left({o}\right)_{{{class_index(d)}}}",
        ),
        StepLoss(
            "generic",
            "an unknown differentiable per-step loss l(o_t, d_t)",
            "lgrad",
            lambda out, target: Var("lgrad"),
            lambda o, d: rf"l\left({o}, {d}\right)",
        ),
    )
}


def class_index(target: str) -> str:
    r"""The class index in the LaTeX of a one-hot target: y_{t} in \mathbf{e}_{y_{t}}
    (the target itself if it is not written as a unit vector)."""
    if target.startswith("{") and target.endswith("}"):  # {\mathbf{e}_{y^{(t)}}}
        target = target[1:-1]
    for bold in (r"\mathbf{e}_", r"\boldsymbol{e}_"):
        if target.startswith(bold + "{") and target.endswith("}"):
            return target[len(bold) + 1 : -1]
    return target


#: Losses that only notes' own models take (read from their step-loss display): not a
#: choice of the command line or of a [cell] table, so not in the generated code either.
NOTES_LOSSES = ("sum-squared",)
#: The losses whose value and gradient have a concrete form (NumPy, PyTorch).
CONCRETE_LOSSES = tuple(
    name for name in LOSS_TABLE if name != "generic" and name not in NOTES_LOSSES
)


#: The per-step losses the options name (the scalar model's generic one included).
LOSSES: dict[str, str] = {
    "generic": "an undefined differentiable per-step loss l(yhat, d)",
    "squared": "l(yhat, d) = (yhat - d)^2 / 2",
    "cross-entropy": "-log softmax(o_t)[y_t], the target a class index (vector model)",
}

#: How the per-step losses are summed into L.
REDUCTIONS: dict[str, str] = {
    "mean": "L = (1/T) sum_t l_t, eqn (1) of note 000",
    "sum": "L = sum_t l_t, as in question 002",
}

#: The initial state of the scalar model.
H0_CHOICES: dict[str, str] = {
    "symbol": "h_0 is a given symbol",
    "zero": "h_0 = 0",
}


def step_loss(
    name: str, ring: Any, t: int, output: list[Any], target: list[Any], zero: Any, dual: Any
) -> tuple[Any, list[Any] | None]:
    """(l_t, the head's probabilities or None) in ``ring``, summed onto ``zero`` (the
    ring's zero, or a dual zero); ``dual`` is the dual-number class when the values carry
    tangents (else None)."""
    if name in ("squared", "sum-squared"):
        half = ring.const(Fraction(1, 2) if name == "squared" else Fraction(1))
        total = zero
        for o, d in zip(output, target):
            total = total + (o - d) * (o - d) * half
        return total, None
    if name == "generic":  # atoms at the node (o_t, d_t), one per gradient entry
        point = tuple(x.val if dual else x for x in (*output, *target))
        nodes = (
            [("step", t)] if len(output) == 1 else [("step", (t, q)) for q in range(len(output))]
        )
        step = ring.atom(("l", 0, ("step", t)), point)
        grad = [ring.atom(("l", 1, node), point) for node in nodes]
        if dual:
            step = dual(step, _dot(grad, [o.tan for o in output]))
        return zero + step, grad
    values = tuple(o.val if dual else o for o in output)
    p = [ring.atom(probability_key(t, q), values) for q in range(len(output))]
    lse = log_normalizer(ring, t, values)
    if dual:
        slope = _dot(p, [o.tan for o in output])
        lse = dual(lse, slope)
        p = [dual(pq, pq * (o.tan - slope)) for pq, o in zip(p, output)]
    loss = zero + lse
    for o, d in zip(output, target):
        loss = loss - d * o
    return loss, p


def target_entries(name: str, one: Any, atoms: list[Any]) -> list[Any]:
    """The target d_t as the head reads it, from one atom per entry (``one``: the unit
    of the ring, or SymPy's 1): for the cross-entropy the last entry is 1 minus the
    others (the entries of a one-hot vector sum to 1, which is what makes
    logsumexp(o) - d . o equal -d . log softmax(o)); for the other losses the atoms."""
    if name != "cross-entropy":
        return atoms
    last = one
    for d in atoms[:-1]:
        last = last - d
    return [*atoms[:-1], last]


def probability_gradient(ring: Any, t: int, output: list[Any], target: list[Any]) -> list[Any]:
    """dl_t/dyhat_t = -d_t / yhat_t entrywise, the cross-entropy's derivative by the
    probabilities yhat_t = softmax(o_t) (``output``: the values of o_t), with the
    reciprocal atoms 1/yhat_t[q] of :meth:`symbptt.rings.algebra.Ring.reciprocal`."""
    return [-(d * probability_reciprocal(ring, t, q, output)) for q, d in enumerate(target)]


def probability_reciprocal(ring: Any, t: int, q: int, output: list[Any]) -> Any:
    """1 / yhat_t[q] (q from 0), given the values of o_t: the reciprocal atom of the
    softmax's entry (:meth:`symbptt.rings.algebra.Ring.reciprocal`)."""
    return ring.reciprocal(probability_key(t, q), tuple(output))


def log_normalizer(ring: Any, t: int, output: Any) -> Any:
    """logsumexp(o_t), the atom the cross-entropy's value and log yhat_t = o_t - it share,
    given the values of o_t."""
    return ring.atom(("logsumexp", 0, ("o", t)), tuple(output))


def probability_key(t: int, q: int) -> tuple:
    """The atom of yhat_t[q] (q from 0), the softmax's probability at step t."""
    return ("softmax", 0, ("o", (t, q)))


def probability_position(key: Any) -> tuple[int, int] | None:
    """(t, q) of a probability's atom (:func:`probability_key`), None for another atom.
    A softmax's entries sum to 1, so one of them is 1 minus the others: the rings
    decide which (the last, or one whose reciprocal is not in use)."""
    if isinstance(key, tuple) and len(key) == 3 and key[0] == "softmax" and key[1] == 0:
        return key[2][1]
    return None


def _dot(a: list[Any], b: list[Any]) -> Any:
    out = a[0] * b[0]
    for x, y in zip(a[1:], b[1:]):
        out = out + x * y
    return out
