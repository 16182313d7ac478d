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

#: The loss a forward pass without a head is given, and how its steps are summed.
DEFAULT_LOSS, DEFAULT_REDUCTION = "generic", "sum"


@dataclass(frozen=True)
class NotesModel:
    """A model read from notes, and what symbptt chose for what they do not say."""

    model: Model
    said: tuple[str, ...] = ()


def notes_model(
    equations: Sequence[str],
    *,
    where: str = "the notes' forward pass",
    name: str = "notes",
    elementwise: tuple[str, ...] = (),
    matrix_product: tuple[str, ...] = (),
) -> NotesModel:
    """The model of a forward pass written as notes write it (see the module docstring);
    ``elementwise``, ``matrix_product``: the symbols the notes declare for them.

    Raises:
        FormulaSyntaxError: an equation that cannot be read (its column in that equation).
        SpecError: quantities whose kinds or shapes contradict, no output to be found.
    """
    cell = CellNames()
    pairs, forms = read_forward(equations, cell, elementwise, matrix_product)
    softmax = {t: e for t, e in pairs if isinstance(e, Apply) and e.role == "softmax"}
    if len(softmax) > 1:
        raise SpecError(f"{where}: more than one softmax ({', '.join(softmax)}): one head")
    pairs = [(t, e) for t, e in pairs if t not in softmax]
    inferred = infer(pairs)
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
    if softmax:
        ((probabilities, head),) = softmax.items()
        output, loss = str(getattr(head.arg, "name", "")), "cross-entropy"
        said.append(
            f"the loss is the softmax cross-entropy of {forms[probabilities].replace('@', 't')}, "
            f"summed over the steps"
        )
    else:
        output, loss = _output(pairs, where), DEFAULT_LOSS
        shown = forms.get(output, output).replace("@", "t")
        said.append(
            f"no loss is marked: the loss is an undefined per-step loss l({shown}, d_t) summed "
            f"over the steps, so a formula holds only if it holds for every loss"
        )
    settings = {
        "activation": "generic",
        "output_activation": "identity",
        "loss": loss,
        "reduction": DEFAULT_REDUCTION,
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
    model = dataclasses.replace(model, notes=True)
    if softmax:
        model = _with_latex(model, "yhat", forms[next(iter(softmax))])
    return NotesModel(model, tuple(said))


def _reader(expr: Expr) -> Callable[[], Expr]:
    return lambda: expr


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


def _with_latex(model: Model, name: str, latex: str) -> Model:
    variables = tuple(
        dataclasses.replace(v, latex=latex) if v.name == name else v for v in model.variables
    )
    return dataclasses.replace(model, variables=variables)
