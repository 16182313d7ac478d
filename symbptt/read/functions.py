"""Functions applied in a formula: the model's activations (phi, theta, tanh, sigma as
the model's), f(x_t, h_(t-1), w_h) the one-step map, the step loss l(y_t, o_t), d2l's
prod(A, B), diag(v), softmax(o_t) the cross-entropy head's probabilities, and an
activation of its argument written out (tanh(W_hh h_(t-1) + W_xh x_t + b_h) is
tanh(s_t)).

A part of :class:`symbptt.read.formula.VectorReader` (a mixin before the scalar
:class:`symbptt.read.meaning.Reader`, whose refusals its methods override).
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from lark import Tree

from symbptt.core import derivatives as E
from symbptt.core.derivatives import OneStep
from symbptt.core.formula import (
    Block,
    Component,
    Diag,
    LogProbability,
    Node,
    Prod,
    activation,
    core_at,
    node_class,
)
from symbptt.core.tensor import variables
from symbptt.errors import FormulaSyntaxError

#: How notes write "the parameters" as a loss's argument: J(\theta), L^{(t)}(\boldsymbol\theta).
THETA = re.compile(r"(\\(boldsymbol|bm|mathbf)\s*\{?\s*)?\\(theta|Theta)\s*\}?")


class Functions:
    """The vector reader's methods for applied functions."""

    def of_parameters(self, args: list[Tree]) -> bool:
        """Whether a loss's arguments are only \\theta, the parameters (``J(\\theta)``): the
        loss as a function of them is the loss. Not where the model names a quantity so."""
        if len(args) != 1:
            return False
        text = self.text[args[0].meta.start_pos : args[0].meta.end_pos]  # type: ignore[attr-defined]
        named = any("theta" in key.lower() for key in self.vocab.vectors)  # type: ignore[attr-defined]
        return bool(THETA.fullmatch(text.strip())) and not named

    def _powered_times_group(self, node: Tree, group_sup: Any) -> Any:
        """``J^{(t)}(\\theta)``: the step loss (a function of the parameters)."""
        if group_sup is None and self.of_parameters(self.arguments(node.children[2])):  # type: ignore[attr-defined]
            sup = Tree("superscript", node.children[:2], node.meta)
            powered = self.r_superscript(sup)  # type: ignore[attr-defined]
            if powered == E.L or isinstance(powered, E.StepLoss):
                return powered
        return super()._powered_times_group(node, group_sup)  # type: ignore[misc]

    def apply(self, fn: Any, order: int, args: list[Tree], node: Any) -> Any:
        if (fn == E.L or isinstance(fn, E.StepLoss)) and not order and self.of_parameters(args):
            return fn  # J(\theta): the loss
        if fn == "f":  # the one-step map f(x_t, h_{t-1}, w_h) of a one-state model
            values = [self.value(a) for a in args]
            hidden = self.vocab.arguments("phi")
            if (
                len(values) == 1
                and isinstance(values[0], Node)
                and values[0].kind in hidden
                and "phi" in self.vocab.roles.values()
            ):  # f(s_t), f'(s_t): the hidden activation, as many notes name it
                return activation("phi", order)(values[0])
            states = [a for a in values if isinstance(a, Node) and a.kind in self.vocab.states]
            if order or len(states) != 1 or len(self.vocab.states) != 1:
                raise self.fail(
                    "f takes (x_t, h_{t-1}, w_h): the previous state among its arguments", node
                )
            return OneStep(states[0].args[0] + 1)
        if fn in ("l", "\\ell"):  # the step loss with its arguments: l(y_t, o_t)
            steps = set()
            for a in args:
                try:
                    v = self.value(a)
                except FormulaSyntaxError:  # the target, named as the source names it
                    steps.add(self.target_step(a))
                    continue
                if isinstance(v, Node) and v.kind not in self.vocab.adjoints:
                    steps.add(v.args[0])
            if order or len(steps) != 1:
                raise self.fail(
                    f"{fn} takes the output and the target at one step, as l(y_t, o_t)", node
                )
            return E.StepLoss(steps.pop())
        if fn == "prod":  # d2l's prod(A, B): the product that the shapes call for
            if order or len(args) != 2:
                raise self.fail("prod takes two arguments, as prod(dL/do_t, do_t/dh_t)", node)
            return Prod(self.value(args[0]), self.value(args[1]))
        if fn == "softmax":
            return self.softmax(args, order, node)
        if fn == "log":  # log yhat_t, log yhat_{t,k}: o - logsumexp(o)
            value = self.value(args[0]) if len(args) == 1 and not order else None
            of = value.args[0] if isinstance(value, Component) else value
            if not (isinstance(of, Node) and of.kind == "yhat"):
                raise self.fail("\\log is read of the softmax's probabilities only", node)
            return LogProbability(value)
        if fn == "diag":
            if order:
                raise self.fail("diag takes one vector", node)
            if len(args) > 1:  # diag(a_1, a_2, \cdots, a_n): the vector of those entries
                entries = self.listed(args, node)
                return Diag(Block(sp.Integer(len(entries)), sp.Integer(1), *entries))
            return Diag(self.value(args[0]))
        if fn in self.vocab.roles.values():
            if len(args) != 1:
                raise self.fail(f"\\{fn} takes one argument", node)
            arg = self.value(args[0])
            if not isinstance(arg, Node):  # tanh(W_hh h_(t-1) + W_xh x_t + b_h) is tanh(s_t)
                arg = self.written_out(self.vocab.arguments(fn), arg) or arg
            if not (isinstance(arg, Node) and arg.kind not in self.vocab.adjoints):
                allowed = self.vocab.arguments(fn)
                at = allowed[0] if allowed else "s"
                raise self.fail(
                    f"\\{fn} is known at a variable of the model at some step, such as "
                    f"{at}_k, not at {arg}",
                    node,
                )
            return activation(fn, order)(arg)
        if isinstance(fn, str):  # a function name the model does not apply (sigma of
            # the Elman notation in an LSTM, whose gates' function is its own)
            known = ", ".join(f"\\{r}" for r in sorted(set(self.vocab.roles.values())))
            raise self.fail(
                f"\\{fn} is not a function of this model"
                + (f" (its functions: {known})" if known else ""),
                node,
            )
        if order or len(args) != 1:
            raise self.fail(f"{fn} is not a function", node)
        return sp.Mul(fn, self.value(args[0]), evaluate=False)  # juxtaposition

    def softmax(self, args: list[Tree], order: int, node: Any) -> Node:
        """softmax(o_t), the cross-entropy head's probabilities yhat_t: of the head's
        output, of its pre-activation where theta is the identity, or of either written
        out (softmax(W_hy h_t + b_y))."""
        model = self.vocab.model
        if model.head is None or model.head.loss != "cross-entropy":
            raise self.fail(
                "softmax is read as the cross-entropy head's probabilities "
                "(--step-loss cross-entropy)",
                node,
            )
        if order or len(args) != 1:
            raise self.fail("softmax takes one vector, the head's output", node)
        names = [model.head.output]
        if dict((role, p) for role, p, _ in model.functions).get("theta") == "identity":
            names += self.vocab.arguments("theta")
        arg = self.value(args[0])
        if not isinstance(arg, Node):  # softmax(W_hy h_t + b_y)
            arg = self.written_out(names, arg) or arg
        if not (isinstance(arg, Node) and arg.kind in names):
            raise self.fail(f"softmax is read of the head's output ({names[0]}_t) only", node)
        return node_class("yhat")(arg.args[0])

    def written_out(self, names: list[str], arg: Any) -> Node | None:
        """The variable among ``names`` whose model equation ``arg`` is, written out (the
        pre-activation W_hh h_(t-1) + W_xh x_t + b_h is s_t); or None."""
        if not isinstance(arg, sp.Expr):
            return None
        equations = {eq.target: eq.expr for eq in self.vocab.model.equations}
        nodes = arg.atoms(Node)
        for name in (n for n in names if n in equations):
            read = list(variables(equations[name]))  # h_(t-1) in arg makes t a candidate
            steps = {n.args[0] - v.shift for n in nodes for v in read if v.name == n.kind}
            for step in steps:
                expected = core_at(equations[name], step)
                if expected is not None and sp.expand(arg - expected) == 0:
                    return node_class(name)(step)
        return None
