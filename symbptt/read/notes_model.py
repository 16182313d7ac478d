r"""The model that notes state: their forward pass (and loss) read as a cell, in their names.

Notes state their model before they differentiate it (issue 27). The displays marked
``% symbptt: model`` hold its equations in the notes' notation; they are read by
:func:`symbptt.read.forward.read_forward`, their quantities' kinds and shapes inferred
by :func:`symbptt.read.forward_kinds.infer`, and the result is assembled by the same
code as a ``[cell]`` table's (:func:`symbptt.read.cell.normalize`,
:func:`symbptt.read.cell_meta.assemble`), so that every engine works on it unchanged.
Every variable keeps the LaTeX the notes write it with (``\Gamma_f^{\langle @ \rangle}``),
which is how formulas about the model name it (:mod:`symbptt.read.written`).

The head:

- an equation ``\hat y_t = \operatorname{softmax}(z)`` makes ``z`` the output and the loss
  the softmax cross-entropy of the probabilities ``\hat y_t``;
- else the output is the one quantity the equations compute and never read at the same
  step (the LSTM's h_t, not c_t, which h_t reads); the loss is then an undefined
  differentiable per-step loss l(output, target), so that a formula holds only if it
  holds whatever the loss is; the steps' losses are summed.

Both are said in the model's :data:`NotesModel.said`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from symbptt.core.model import Model, Variable
from symbptt.core.tensor import Apply, Expr, Var, subexpressions
from symbptt.errors import SpecError
from symbptt.read.cell import normalize
from symbptt.read.cell_equations import CellNames, Locator
from symbptt.read.cell_meta import assemble
from symbptt.read.forward import read_forward
from symbptt.read.forward_kinds import infer

#: How the squared errors are written (with and without the half).
_SQUARED = {"squared": "(1/2)||.||^2", "sum-squared": "||.||^2"}
#: The loss a forward pass without a head is given, and how its steps are summed.
DEFAULT_LOSS, DEFAULT_REDUCTION = "generic", "sum"


@dataclass(frozen=True)
class NotesModel:
    """A model read from notes, and what symbptt chose for what they do not say."""

    model: Model
    said: tuple[str, ...] = ()
    #: the notes write vectors as rows (h_{t-1} W): read here as columns
    rows: bool = False


def notes_model(
    equations: Sequence[str],
    *,
    where: str = "the notes' forward pass",
    name: str = "notes",
    elementwise: tuple[str, ...] = (),
    matrix_product: tuple[str, ...] = (),
    reduction: str | None = None,
    loss: str | None = None,
    unit: bool = False,
    functions: tuple[str, ...] = (),
    output: str | None = None,
) -> NotesModel:
    """The model of a forward pass written as notes write it (see the module docstring);
    ``elementwise``, ``matrix_product``: the symbols the notes declare for them;
    ``reduction``: how the notes' loss display sums the steps' losses (None: not marked,
    summed); ``loss``: the step loss to take (None: as the module docstring says);
    ``unit``: the notes are written for one unit (``hidden = 1``): every size is 1;
    ``functions``: the names the notes declare functions of their own (``f``, ``\\tau``);
    ``output``: the quantity the notes' loss display writes the loss of (``\\ell(h_t, y_t)``),
    where it names one the forward pass computes.

    Raises:
        FormulaSyntaxError: an equation that cannot be read (its column in that equation).
        SpecError: quantities whose kinds or shapes contradict, no output to be found.
    """
    cell = CellNames()
    pairs, forms = read_forward(equations, cell, elementwise, matrix_product, functions)
    softmax = {t: e for t, e in pairs if isinstance(e, Apply) and e.role == "softmax"}
    if len(softmax) > 1:
        raise SpecError(f"{where}: more than one softmax ({', '.join(softmax)}): one head")
    pairs = _in_order([(t, e) for t, e in pairs if t not in softmax], where)
    inferred = infer(pairs, unit=unit)
    said: list[str] = []
    variables: list[Variable] = []
    for var, kind in inferred.kinds.items():
        cell.kinds[var], cell.shapes[var] = kind, inferred.shapes[var]
        cell.latex[var] = forms.get(var, var)
        if kind in ("state", "input", "parameter"):
            variables.append(Variable(var, kind, inferred.shapes[var], cell.latex[var], kind))
    for var in [v.name for v in variables if v.kind == "state"]:
        init = _fresh(f"{var}_0", cell)
        cell.kinds[init], cell.shapes[init] = "parameter", cell.shapes[var]
        latex = cell.latex[var].replace("@", "0")
        variables.append(Variable(init, "parameter", cell.shapes[var], latex, f"initial {var}"))
    loc = Locator(where, "\n".join(equations), "")
    items = [(number, target, _reader(expr)) for number, (target, expr) in enumerate(pairs, 1)]
    model_equations = normalize(items, cell, loc)
    for eq in model_equations:
        if eq.target not in {v.name for v in variables}:
            kind = cell.kinds[eq.target]
            kind = kind if kind == "state" else "intermediate"
            variables.append(
                Variable(eq.target, kind, cell.shapes[eq.target], cell.latex[eq.target])
            )
    summed = "averaged over" if reduction == "mean" else "summed over"
    if softmax:
        ((probabilities, head),) = softmax.items()
        output, loss = str(getattr(head.arg, "name", "")), "cross-entropy"
        shown = forms[probabilities]
        said.append(
            f"the loss is the softmax cross-entropy of {shown.replace('@', 't')}, {summed} "
            "the steps"
        )
    else:
        if output is None or output not in {target for target, _ in pairs}:
            output = _output(pairs, where)  # else the quantity the notes' loss is of
        shown = forms.get(output, output)
        loss = loss or DEFAULT_LOSS
        said.append(
            f"the loss is an undefined per-step loss l({shown.replace('@', 't')}, d_t) {summed} "
            f"the steps (no step loss is marked), so a formula holds only if it holds for "
            "every loss"
            if loss == "generic"
            else f"the loss is the squared error {_SQUARED[loss]} of {shown.replace('@', 't')}, "
            f"{summed} the steps"
        )
    target = _unhatted(shown, forms)
    if target is not None:
        said.append(f"the target is {target.replace('@', 't')}")
    settings = {
        "activation": "generic",
        "output_activation": "identity",
        "loss": loss,
        "reduction": reduction or DEFAULT_REDUCTION,
        "initial": "parameter",
    }
    model = assemble(
        {"name": name},
        variables,
        model_equations,
        cell,
        output,
        where,
        settings=settings,
        sizes={},
        size=lambda text, what: (0, 0),
    )
    model = _own_names(dataclasses.replace(model, notes=True), forms)
    if softmax:
        model = _with_latex(model, "yhat", forms[next(iter(softmax))])
    if target is not None:
        model = _with_latex(model, "d", target)
    rows = cell.rows and not unit  # one unit's row is its column
    if rows and cell.columns:
        raise SpecError(
            f"{where} multiplies both a matrix by a column (W h) and a row by a matrix (h W): "
            "which vectors are rows is not one thing"
        )
    if rows:
        model = dataclasses.replace(model, rows=True)
        said.append(
            "the notes write vectors as rows (h W): so are a formula's vectors and "
            "its gradients by vectors"
        )
    return NotesModel(model, tuple(said), rows)


def _unhatted(form: str, forms: dict[str, str]) -> str | None:
    """The target's LaTeX where the notes write the prediction with a hat (``\\hat y_t``,
    ``\\hat{y}^{\\langle t \\rangle}``): the same without it, if no quantity of the forward
    pass is written so; else None (the target stays d_t)."""
    hat = r"\\(?:hat|widehat)\s*(?:\{((?:[^{}]|\{[^{}]*\})*)\}|(\\?[A-Za-z]))"
    bare = re.sub(hat, r"\1\2", form, count=1)
    if bare == form or bare in forms.values():
        return None
    return bare


def _reader(expr: Expr) -> Callable[[], Expr]:
    return lambda: expr


def _in_order(pairs: list[tuple[str, Expr]], where: str) -> list[tuple[str, Expr]]:
    """The equations in an order that computes what each reads at step t before it
    (notes may state the candidate before the gate it reads); their own order where it
    does. A quantity that reads itself at t, through others, is refused."""
    computed = {target for target, _ in pairs}
    needs = {
        target: {
            e.name
            for e in subexpressions(expr)
            if isinstance(e, Var) and e.shift == 0 and e.name in computed and e.name != target
        }
        for target, expr in pairs
    }
    done: list[tuple[str, Expr]] = []
    left = list(pairs)
    while left:
        ready = next((k for k, (t, _) in enumerate(left) if needs[t] <= {d for d, _ in done}), None)
        if ready is None:
            cycle = ", ".join(t for t, _ in left)
            raise SpecError(f"{where}: {cycle} read each other at the same step")
        done.append(left.pop(ready))
    return done


def _fresh(base: str, cell: CellNames) -> str:
    name, k = base, 1
    while name in cell.kinds:
        k += 1
        name = f"{base}{k}"
    return name


def _output(pairs: Sequence[tuple[str, Expr]], where: str) -> str:
    """The one quantity computed and never read at the same step."""
    read_now = {
        e.name
        for _, expr in pairs
        for e in subexpressions(expr)
        if isinstance(e, Var) and e.shift == 0
    }
    unread = [target for target, _ in pairs if target not in read_now]
    if len(unread) != 1:
        listed = ", ".join(unread) or "none"
        raise SpecError(
            f"{where}: the output is the quantity computed and not read at the same step; "
            f"found {len(unread)} ({listed}): mark the loss display, or a softmax head"
        )
    return unread[0]


def _own_names(model: Model, forms: dict[str, str]) -> Model:
    """The names symbptt gives what the notes do not name: a function's argument is
    ``z_{a}`` with the step written as the notes write a's (where the notes use no z),
    else upright from the identifier, as the adjoints are, so that no name symbptt makes
    up is one the notes might write for something else."""

    taken = {v.latex for v in model.variables}
    # z for a pre-activation, unless the notes write a name with z (a GRU's update gate)
    letters = "".join(forms.values())
    free_z = not re.search(r"(?<![A-Za-z\\])z(?![A-Za-z])", letters)

    def named(letter: str, name: str, of: str, bold: str, written: dict[str, str]) -> str:
        """``z_{a}^{\\langle @ \\rangle}`` for a's pre-activation when the notes write a
        with its step as a superscript (``z^{a}_{@}`` as a subscript), else upright."""
        base, script = _step_script(written.get(of, ""))
        if base and script and letter and (letter != "z" or free_z):
            label = f"_{{{base}}}" if script.startswith("^") else f"^{{{base}}}"
            latex = f"{letter}{label}{script}"
            if latex not in taken:
                return latex
        return rf"{bold}^{{\mathrm{{{name.replace('_', chr(92) + '_')}}}}}_{{@}}"

    def target_of(name: str) -> str:
        return re.sub(r"_(pre|logits)$", "", name)

    variables = tuple(
        dataclasses.replace(v, latex=named("z", v.name, target_of(v.name), r"\mathbf{u}", forms))
        if v.kind == "intermediate" and v.name not in forms and v.name != "yhat"
        else v
        for v in model.variables
    )
    # the adjoints stay upright (\delta^{\mathrm{a}}_t): notes write \delta_a for their
    # own quantities (often the pre-activation's gradient), and a formula that writes one
    # must not be read as symbptt's
    adjoints = tuple(
        dataclasses.replace(a, latex=named("", a.of, "", r"\boldsymbol{\delta}", {}))
        for a in model.adjoints
    )
    return dataclasses.replace(model, variables=variables, adjoints=adjoints)


def _step_script(form: str) -> tuple[str, str]:
    """(the name without its step, the step's script) of a form the notes write with
    ``@`` for the step (``a^{\\langle @ \\rangle}``: ``a``, ``^{\\langle @ \\rangle}``),
    or ("", "") when the step is not the form's last script."""
    found = re.fullmatch(r"(.+?)([_^]\{[^{}]*@[^{}]*\}|[_^]@)", form.strip())
    if found is None or "@" in found.group(1) or re.search(r"[_^]\{?$", found.group(1)):
        return "", ""
    return found.group(1), found.group(2)


def _with_latex(model: Model, name: str, latex: str) -> Model:
    variables = tuple(
        dataclasses.replace(v, latex=latex) if v.name == name else v for v in model.variables
    )
    return dataclasses.replace(model, variables=variables)
