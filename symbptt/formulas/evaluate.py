"""Values of formulas in a ring, by the layout convention of :mod:`symbptt.formulas`.

dL/dP has the shape of P (denominator layout); dv/du for vectors is the Jacobian with
rows following v (numerator layout); dv/dP for a vector v and a matrix parameter P is a
:class:`Family`, one vector per entry of P (the entrywise layout of the document).
Every derivative comes from forward mode on the unrolled model
(:func:`symbptt.derive.forward.forward`, seeded at parameters or at nodes), never from
the formula under test.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from symbptt.core import derivatives as E
from symbptt.core.formula import Activation, Node, ParamAt, StateAt, param
from symbptt.core.primitives import PRIMITIVES
from symbptt.core.spec import Spec
from symbptt.derive.chains import immediate, jacobian
from symbptt.derive.forward import Trajectory, forward, parameter_values
from symbptt.derive.jvp import state_parameters
from symbptt.errors import EvaluationError, OutsideModelError
from symbptt.formulas.compile import Compiler
from symbptt.formulas.matrices import Family, Mat
from symbptt.formulas.probabilities import Probabilities
from symbptt.formulas.step_parts import StepParts
from symbptt.limits import charge, step_units
from symbptt.read.vocabulary import vocabulary
from symbptt.rings.algebra import Ring
from symbptt.rings.values import activation_value, function_name


class Evaluator(StepParts, Probabilities, Compiler):
    """Compiles vector formulas (:class:`Compiler`) and evaluates them in one ring, with
    the values of the model's quantities from its forward passes.

    Args:
        spec: the vector model.
        ring: where values live.
        order: how a \\prod of matrices is read: ``"latest-left"`` (the factor with the
            largest index on the left, as Jacobian chains are written) or
            ``"earliest-left"``.
        layout: how the formula's derivatives are laid out
            (:data:`symbptt.formulas.compile.LAYOUTS`).
    """

    def __init__(
        self,
        spec: Spec,
        ring: Ring,
        order: str = "latest-left",
        shared: tuple[dict, Trajectory, dict] | None = None,
        layout: str = "mixed",
    ) -> None:
        self.spec, self.ring, self.order, self.layout = spec, ring, order, layout
        self.vocab = vocabulary(spec.model)
        #: initial-state parameters -> their states (h_0 -> h)
        self.initial = spec.model.initial_parameters
        if shared is None:  # the parameters, the forward pass and its seeded passes
            params = parameter_values(spec.model, ring)
            shared = (params, forward(spec.model, spec.T, ring, params), {})
        self.params, self.fwd, self.runs = shared
        #: the model's parameter entries (the work of one step of a pass)
        self._entries = spec.model.parameter_entries
        #: derivatives given by a recursion being solved (:meth:`solve`), by (num, den)
        self.known: dict[tuple[Any, Any], Any] = {}
        #: while solving: the derivatives the recursion defines (num, den kind) and the
        #: step being computed, before which none of them is known yet
        self.solving: tuple[Any, str, int] | None = None

    # -- truth, by forward mode --------------------------------------------------------------
    def run(self, seed: tuple, needs: str | None = None) -> Trajectory:
        """The forward-mode pass seeded at ``seed``, keeping the series of ``needs`` (a
        variable, or ``"l"`` for the step losses) besides any kept before: the passes
        shared with the verifier keep only what is read (see :func:`forward`)."""
        run = self.runs.get(seed)
        if run is None or (needs is not None and not run.has(needs)):
            start = seed[2] if seed[0] in ("node", "prev", "copy") else 1
            steps = self.spec.T - start + 1
            charge(steps * step_units(self._entries), f"a forward-mode pass of {steps} steps")
            keep = frozenset(() if needs is None else (needs,))
            if run is not None and run.kept is not None:
                keep |= run.kept
            run = self.runs[seed] = forward(
                self.spec.model,
                self.spec.T,
                self.ring,
                self.params,
                seed=seed,
                base=self.fwd,
                keep=keep,
            )
        return run

    def size(self, kind: str) -> int:
        """The length of a time-indexed vector (an adjoint has its variable's)."""
        return self.spec.model.shape(self.vocab.adjoints.get(kind, kind))[0]

    def column(self, values: list[Any]) -> Mat:
        return Mat(tuple((v,) for v in values))

    def node(self, kind: str, t: int) -> Mat:
        T, zero = self.spec.T, self.ring.zero
        if kind in self.vocab.adjoints:  # dL/dz_t, dL/ds_t; nothing after T depends on L
            if t == T + 1:
                return self.column([zero] * self.size(kind))
            self._in_model(t, 1, T, kind)
            at = self.vocab.adjoints[kind]
            return self.column([self.run(("node", at, t, r)).L.tan for r in range(self.size(kind))])
        self._in_model(t, 0 if kind in self.vocab.states else 1, T, kind)
        return self.column(list(self.fwd[kind][t]))

    def _in_model(self, t: int, low: int, high: int, kind: str) -> None:
        if not low <= t <= high:
            raise OutsideModelError(f"{kind}_{t} is outside the model (t = {low}..{high})")

    def param(self, name: str) -> Mat:
        if name == "w_h":
            rows, cols = self.spec.shape(name)
            return Mat(
                tuple(
                    tuple(
                        self.params[p][r][c]
                        for p, r, c in (self.spec.source(name, i, j) for j in range(cols))
                    )
                    for i in range(rows)
                )
            )
        return Mat(tuple(tuple(row) for row in self.params[name]))

    def tangent_along(self, seed: tuple, num: Any) -> list[Any]:
        """The derivative of a numerator (L, l_t or a node vector) along ``seed``."""
        return self.tangent(self.run(seed, _series_of(num, self.initial)), num)

    def tangent(self, run: Trajectory, num: Any) -> list[Any]:
        """The derivative carried by ``run`` of a numerator (L, l_t or a node vector)."""
        if num == E.L:
            return [run.L.tan]
        if isinstance(num, E.StepLoss):
            t = int(num.args[0])
            self._in_model(t, 1, self.spec.T, "l")
            return [self.ring.zero if run.loss_is_constant(t) else run.losses[t].tan]
        if _name(num) in self.initial:  # h_0 as a numerator: it depends only on itself
            return [v.tan for v in run[self.initial[_name(num)]][0]]
        if self._is_zero_state(num):  # a zero initial state is a constant
            return [self.ring.zero] * self.size(num.kind)
        if isinstance(num, Node) and num.kind in self.vocab.computed:
            t = int(num.args[0])
            self._in_model(t, 1, self.spec.T, num.kind)
            if run.is_constant(t):  # before the seeded node
                return [self.ring.zero] * len(run[num.kind][t])
            return [v.tan for v in run[num.kind][t]]
        names = ", ".join(f"{k}_t" for k in self.vocab.computed)
        raise EvaluationError(f"cannot differentiate {num}: use L, l_t, {names}")

    def total(self, num: Any, den: Any) -> Any:
        if isinstance(den, ParamAt):
            return self.by_copy(num, den)
        if isinstance(den, StateAt):
            return self.by_step_read(num, den)
        scalar = num == E.L or isinstance(num, E.StepLoss)
        if isinstance(num, Node) and num.kind in self.vocab.computed:
            # a numerator past T does not exist: the step is not one of the formula's
            # (only a denominator past T is a convention, dL/ds_(T+1) = 0)
            self._in_model(int(num.args[0]), 0, self.spec.T, num.kind)
        if isinstance(den, E.StepLoss):  # dL/dl_t: 1 (or 1/T for the mean), dl_t/dl_t = 1
            k = int(den.args[0])
            self._in_model(k, 1, self.spec.T, "l")
            value = self.loss_weight(num, k)
            if value is None:
                raise EvaluationError(f"only L and the losses l_t are differentiated by l_{k}")
            return Mat(((value,),))
        if self._is_zero_state(den) and not self._is_one_step(num, den):
            # the zero initial state is still an input of step 1: dL/dh_0 is how L
            # changes with it (step 1 reads it perturbed; nothing else is)
            width = self.size(den.kind)
            cols = [self.tangent_along(("prev", den.kind, 0, r), num) for r in range(width)]
            return self.column([c[0] for c in cols]) if scalar else Mat.from_columns(cols)
        if _name(den) in self.spec.gradients:
            name = _name(den)
            rows, cols = self.spec.shape(name)
            per = {
                (a, b): self.tangent_along(self.spec.source(name, a, b), num)
                for a in range(rows)
                for b in range(cols)
            }
            if scalar:  # denominator layout: the shape of the parameter
                return Mat(tuple(tuple(per[(a, b)][0] for b in range(cols)) for a in range(rows)))
            return self._by_entry(name, per)
        if isinstance(den, Node) and den.kind == self._read_off():
            return self.by_probabilities(num, den)
        if isinstance(den, Node) and den.kind in self.vocab.computed:
            k = int(den.args[0])
            width = self.size(den.kind)
            if self._is_one_step(num, den):  # dh_k/dh_(k-1): the one-step Jacobian J_k
                return self.immediate(num, den)
            if k > self.spec.T:  # nothing depends on a node past T
                cols = [[self.ring.zero] * len(self._shape_of(num)) for _ in range(width)]
            else:
                self._in_model(k, 1, self.spec.T, den.kind)
                kind = "prev" if self._by_previous_state(num, den) else "node"
                cols = [self.tangent_along((kind, den.kind, k, r), num) for r in range(width)]
            # numerator layout: rows follow the numerator (a column for scalar L)
            if scalar:
                return self.column([c[0] for c in cols])
            return Mat.from_columns(cols)
        names = ", ".join(f"{k}_k" for k in self.vocab.computed)
        raise EvaluationError(
            f"cannot differentiate with respect to {den}: use a parameter or {names}"
        )

    def loss_weight(self, num: Any, k: int) -> Any:
        """dnum/dl_k for a loss as the numerator: 1/T (the mean) or 1 for L, 1 for l_k and
        0 for another step's loss; None for anything else."""
        if num == E.L:
            mean = self.spec.model.reduction == "mean"
            return self.ring.const(Fraction(1, self.spec.T) if mean else 1)
        if isinstance(num, E.StepLoss):
            return self.ring.one if int(num.args[0]) == k else self.ring.zero
        return None

    def _is_zero_state(self, node: Any) -> bool:
        """Whether ``node`` is a state at step 0 that is the zero vector (``--h0 zero``):
        a state node at step 0 is one only then, for :meth:`_subs` reads an initial state
        that is a parameter as that parameter (h_0), never as a node."""
        return isinstance(node, Node) and node.kind in self.vocab.states and node.args[0] == 0

    def _is_one_step(self, num: Any, den: Any) -> bool:
        """Whether num/den is h_k/h_(k-1) of a one-state model within 1..T: every path
        from h_(k-1) to h_k is one step, so the total derivative is the Jacobian J_k
        (one step of the equations) and needs no forward-mode pass from h_(k-1)."""
        states = self.vocab.states
        return (
            len(states) == 1
            and isinstance(num, Node)
            and num.kind == den.kind == states[0]
            and 1 <= int(num.args[0]) == int(den.args[0]) + 1 <= self.spec.T
        )

    def _by_previous_state(self, num: Any, den: Any) -> bool:
        """Whether num/den is a derivative of a later node by a state: as in the
        literature, the state of step k is then one block of the stacked state that step
        k + 1 reads, the other states of step k held fixed (dc_t/dc_(t-1) = diag(f_t) for
        the LSTM, not the total derivative through h_(t-1) = o_(t-1) tanh(c_(t-1))). A
        derivative of L or l_t by a state stays total (dL/dc_t includes the path through
        h_t), and so does one of a node of the same step."""
        return (
            den.kind in self.vocab.states
            and isinstance(num, Node)
            and num.kind in self.vocab.computed
            and int(num.args[0]) > int(den.args[0])
        )

    def _by_entry(self, name: str, per: dict[tuple[int, int], list[Any]]) -> Mat | Family:
        """A vector's derivatives by each entry of a parameter: for a vector parameter
        (b_h, h_0) the Jacobian, rows following the numerator; for a matrix, a Family."""
        if self.spec.shape(name)[1] == 1:
            return Mat.from_columns([per[(a, 0)] for a in range(self.spec.shape(name)[0])])
        return Family(name, {key: self.column(v) for key, v in per.items()})

    def _shape_of(self, num: Any) -> list[None]:
        if num == E.L or isinstance(num, E.StepLoss):
            return [None]
        if _name(num) in self.initial:
            return [None] * self.spec.model.shape(_name(num))[0]
        return [None] * self.size(num.kind)

    def immediate(self, num: Any, den: Any) -> Any:
        (state,) = self.vocab.states[:1] or ("h",)
        if (
            isinstance(num, Node)
            and num.kind in self._before_state()
            and _name(den) in state_parameters(self.spec.model)
        ):
            return self._immediate_before_state(num, _name(den))
        initial = self.spec.model.initial_of(state)
        if (initial is not None and _name(num) == initial) or self._is_zero_state(num):
            # h_0 is given, not computed by a step: its immediate partial by a weight is 0
            name = _name(den)
            if name not in state_parameters(self.spec.model):
                raise EvaluationError(
                    f"the immediate partial of {state}_0 is taken by a parameter of the step"
                )
            rows, cols = self.spec.shape(name)
            width = self.size(state)
            zeros = {(a, b): [self.ring.zero] * width for a in range(rows) for b in range(cols)}
            return self._by_entry(name, zeros)
        if not (
            isinstance(num, E.HiddenState | Node)
            and len(self.vocab.states) == 1
            and getattr(num, "kind", state) == state
        ):
            raise EvaluationError(f"immediate partials are of {state}_t (or f(...)) here")
        t = int(num.args[0])
        self._in_model(t, 1, self.spec.T, state)
        if _name(den) in state_parameters(self.spec.model):
            name = _name(den)
            rows, cols = self.spec.shape(name)
            per = {
                (a, b): immediate(self.spec, self.ring, self.params, self.fwd, t, name, a, b)
                for a in range(rows)
                for b in range(cols)
            }
            return self._by_entry(name, per)
        if (isinstance(den, Node) and den.kind == state and int(den.args[0]) == t - 1) or (
            t == 1 and self.initial.get(_name(den)) == state
        ):
            return Mat(
                tuple(
                    tuple(row) for row in jacobian(self.spec, self.ring, self.params, self.fwd, t)
                )
            )
        raise EvaluationError(
            f"the immediate partial of {state}_t is defined with respect to "
            f"{', '.join(state_parameters(self.spec.model))} and {state}_{{t-1}}"
        )

    def _activation(self, e: Activation, t: int) -> Mat:
        """phi(s_t) or phi'(s_t) from the forward pass where the model applies phi to
        s_t; elsewhere (phi'(h_t)) the function's value at that node: a polynomial in
        the value for tanh and sigmoid, an atom of its own for a generic function."""
        kind = e.args[0].kind
        self._in_model(t, 0 if kind in self.vocab.states else 1, self.spec.T, kind)
        if (e.role, kind) in self.vocab.applied:
            value, slope = self.vocab.applied[(e.role, kind)]
            computed = self.fwd[slope if e.order else value][t]
            if computed is not None:  # theta(h_0): the model never applies it at step 0
                return self.column(list(computed))
        act = PRIMITIVES[self.spec.model.primitive(e.role)]
        fn = function_name(act, e.role)
        return self.column(
            [
                activation_value(self.ring, act, fn, e.order, (kind, (t, r)), x)
                for r, x in enumerate(self.fwd[kind][t])
            ]
        )

    def _subs(self, e: Any, env: dict, t: int | None = None) -> Any:
        """A derivative's numerator or denominator with its index evaluated (or at t)."""
        if isinstance(e, Node | E.StepLoss | E.HiddenState):
            t = self._index(e.args[0], env) if t is None else t
            if isinstance(e, Node) and e.kind in self.vocab.states and t == 0:
                init = self.spec.model.initial_of(e.kind)
                # a zero initial state is no parameter: only J_1 = dh_1/dh_0 is taken by it
                return type(e)(sp.Integer(0)) if init is None else param(init)
            return type(e)(sp.Integer(t))
        return e


def _name(e: Any) -> str | None:
    """The name of a parameter symbol (w, W_hh, h_0), or None for anything else."""
    return e.name if isinstance(e, sp.Symbol) else None


def _series_of(num: Any, initial: dict[str, str]) -> str | None:
    """The series a forward-mode pass must keep to give the derivative of ``num``: the
    step losses (``"l"``) for l_t, the state for an initial state, the node's own kind;
    None for L (every pass carries it)."""
    if isinstance(num, E.StepLoss):
        return "l"
    if _name(num) in initial:
        return initial[_name(num)]
    if isinstance(num, Node):
        return num.kind
    return None
