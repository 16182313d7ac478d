"""The model declaration: a recurrent cell as data.

A :class:`Model` lists its variables (with kind, shape and notation), its one-step
equations over the expression type of :mod:`symbptt.core.tensor`, the initial value of
each state, the primitive each function role stands for, its output head and loss, and
the names of the adjoints the backward program keeps. Everything else (the forward pass
in any ring, the backward program, the printers, the NumPy compiler) is generic over
this declaration; the built-in models are cell files in :mod:`symbptt.cells`.

Example:
    >>> from symbptt import cells
    >>> cells.declare("elman", hidden=2).shape("W_hh")
    (2, 2)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields

from symbptt.core.tensor import (
    Apply,
    Expr,
    MatVec,
    matrix_name,
    subexpressions,
    variables,
)
from symbptt.core.validation import KINDS, validate
from symbptt.errors import SpecError

__all__ = ["KINDS", "Adjoint", "Equation", "Head", "Identity", "Model", "Variable", "View"]


@dataclass(frozen=True)
class Variable:
    """A variable of the cell.

    Attributes:
        name: its name in equations (``h``, ``W_hh``).
        kind: one of :data:`KINDS`.
        shape: (rows, columns); vectors are columns, a scalar is (1, 1).
        latex: its LaTeX; for time-indexed variables ``@`` stands for the index.
        prose: what it is called in text ("hidden state").
    """

    name: str
    kind: str
    shape: tuple[int, int]
    latex: str
    prose: str = ""
    #: other LaTeX keys a formula may name it by (``\\hat y`` for an output o_t)
    aliases: tuple[str, ...] = ()

    @property
    def timed(self) -> bool:
        """Whether the variable has a value per step."""
        return self.kind != "parameter"


@dataclass(frozen=True)
class Equation:
    """``target``_t = ``expr``; an equation ``target = role(arg)`` names the series of
    slopes role'(arg_t) in ``slope`` (``dphi`` for h_t = phi(s_t))."""

    target: str
    expr: Expr
    slope: str | None = None


@dataclass(frozen=True)
class View:
    """A parameter made of others, such as note 000's w_h = [W_xh W_hh]^T: ``parts``
    are the matrices whose transposes are stacked (each multiplies one vector of the same
    sum)."""

    name: str
    parts: tuple[str, ...]
    latex: str


@dataclass(frozen=True)
class Head:
    """The output head's loss: ``loss`` of ``output``_t against ``target``_t."""

    output: str
    target: str
    loss: str = "squared"


@dataclass(frozen=True)
class Adjoint:
    """A named adjoint dL/d``of``_t that the backward program keeps as a step."""

    of: str
    name: str
    latex: str


#: The document sections that show a model's identities.
IDENTITY_SECTIONS = ("model", "sum_of_products", "backward")


@dataclass(frozen=True)
class Identity:
    r"""A formula the model's documents claim and its verification checks, written in
    LaTeX in the model's own names (the seeds' boxed formula, for the scalar model), read
    by the one formula reader like any user's formula.

    Attributes:
        name: the check's name (``boxed formula dh_t/dw``).
        latex: ``A = B`` claimed for every t; for a recursion, the adjoint's step
            (``\frac{\partial L}{\partial s_t} = ...``), solved from zero after T.
        description: what the certificate says it claims.
        section: the document section that shows it (``model``, ``sum_of_products``,
            ``backward``).
        display: the label of the display it is shown in (identities of one display
            are shown together, in order).
        prose: what the display is, in words ("the boxed formula of note 000").
        gradients: for a recursion, ``(label, "dL/dP = sum ...")``: the gradients it
            gives, each checked against the true one.
        base: for a recursion, its base case as printed (``\delta_{T+1} = 0``).
    """

    name: str
    latex: str
    description: str = ""
    section: str = "model"
    display: str = ""
    prose: str = ""
    gradients: tuple[tuple[str, str], ...] = ()
    base: str = ""


@dataclass(frozen=True)
class Model:
    """A recurrent cell with its output head and loss (validated on construction)."""

    name: str
    variables: tuple[Variable, ...]
    equations: tuple[Equation, ...]
    #: (state, the parameter that is its value at t = 0, or None for the zero vector)
    initial: tuple[tuple[str, str | None], ...]
    functions: tuple[tuple[str, str, str], ...]  # (role, primitive name, LaTeX of the role)
    head: Head
    reduction: str = "mean"
    adjoints: tuple[Adjoint, ...] = ()
    views: tuple[View, ...] = ()
    #: what the verifier's checks claim, in the model's own words (check kind -> text),
    #: where a generic description would say less
    claims: tuple[tuple[str, str], ...] = ()
    #: every variable is a number, written in scalar notation (the seeds' model): results
    #: name values as the seeds do (w, x_2, phi'(s_2)), and bold letters, transposes,
    #: diag and the elementwise product in a formula are refused as vector notation
    scalar: bool = False
    #: the short name of its documents' files (``lstm-n3``; empty: made from ``name``)
    slug: str = ""
    #: the largest (state size) x T of exact verification, where measured for this cell
    #: (0: the limit for any cell, :data:`symbptt.limits.CELL_EXACT_MAX_WORK`)
    exact_work: int = 0
    #: the formulas its documents claim, in LaTeX, each checked by the verifier
    identities: tuple[Identity, ...] = ()
    #: how PyTorch computes it, for the cross-check (``(("torch", "LSTM"), ("gates",
    #: "ifgo"))``: torch's module and its stacking order of the gate weights;
    #: ``(("torch", "equations"),)``: its own equations in torch operations); empty: none
    witness: tuple[tuple[str, str], ...] = ()
    #: the row of :data:`symbptt.core.spec.FAMILIES` that gives its limits, description
    #: and file names: ``"scalar"`` (the seeds' model), ``"elman"`` or ``"cell"``
    family: str = "cell"
    #: read from notes (their forward pass): every variable's LaTeX is how the notes write
    #: it, and formulas name it so (:mod:`symbptt.read.written`)
    notes: bool = False
    #: read from notes that write vectors as rows (``h_{t-1} W``): the equations hold the
    #: columns (W^T h), and a formula's vectors, and its gradients by vectors, are rows
    #: (:attr:`row_vectors`); its matrices are the model's
    rows: bool = False

    def __post_init__(self) -> None:
        validate(self)

    def __hash__(self) -> int:
        """Hashed once: engines cache what they derive from a model by the model."""
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, f.name) for f in fields(self)))
            object.__setattr__(self, "_hash", cached)
        return cached

    def variable(self, name: str) -> Variable:
        """The declared variable ``name``."""
        for v in self.variables:
            if v.name == name:
                return v
        raise SpecError(f"{self.name}: unknown variable {name!r}")

    def shape(self, name: str) -> tuple[int, int]:
        """(rows, columns) of a variable or a view."""
        for view in self.views:
            if view.name == name:
                rows = sum(self.shape(p)[1] for p in view.parts)
                return rows, self.shape(view.parts[0])[0]
        return self.variable(name).shape

    def source(self, name: str, r: int, c: int) -> tuple[str, int, int]:
        """The parameter entry that entry (r, c) of a parameter or a view is: a view
        stacks its parts' transposes, so w_h = [W_xh W_hh]^T has w_h[i, j] = W_xh[j, i]
        for i < m and W_hh[j, i - m] after."""
        for view in self.views:
            if view.name == name:
                for part in view.parts:
                    cols = self.shape(part)[1]
                    if r < cols:
                        return part, c, r
                    r -= cols
                raise SpecError(f"{self.name}: {name} has no row {r}")
        return name, r, c

    def of_kind(self, kind: str) -> tuple[str, ...]:
        """The names of the variables of one kind, in declaration order."""
        return tuple(v.name for v in self.variables if v.kind == kind)

    @property
    def parameters(self) -> tuple[str, ...]:
        """The parameters, in declaration order."""
        return self.of_kind("parameter")

    @property
    def states(self) -> tuple[str, ...]:
        """The states, in declaration order."""
        return self.of_kind("state")

    @functools.cached_property
    def row_vectors(self) -> frozenset[str]:
        """The parameters that a model read from rows (:attr:`rows`) holds as columns but
        its notes write as rows: the vectors no product takes as its matrix (the bias of
        ``h W + b``; not the ``v`` of ``h v``, a matrix of one column)."""
        if not self.rows:
            return frozenset()
        matrices = {
            matrix_name(e.matrix)
            for eq in self.equations
            for e in subexpressions(eq.expr)
            if isinstance(e, MatVec)
        }
        return frozenset(p for p in self.parameters if self.shape(p)[1] == 1 and p not in matrices)

    @functools.cached_property
    def parameter_entries(self) -> int:
        """How many numbers the parameters hold (the work of one step of a pass counts
        them)."""
        return sum(r * c for r, c in map(self.shape, self.parameters))

    @property
    def state_size(self) -> int:
        """The length of the stacked state (h_t, or (h_t, c_t) one above the other)."""
        return sum(self.shape(s)[0] for s in self.states)

    @functools.cached_property
    def read(self) -> frozenset[str]:
        """The variables some equation reads (at t or t - 1)."""
        return frozenset(v.name for eq in self.equations for v in variables(eq.expr))

    def primitive(self, role: str) -> str:
        """The primitive-table name a function role stands for."""
        for name, primitive, _ in self.functions:
            if name == role:
                return primitive
        raise SpecError(f"{self.name}: no function {role!r}")

    def equation(self, target: str) -> Equation:
        """The equation of ``target``."""
        for eq in self.equations:
            if eq.target == target:
                return eq
        raise SpecError(f"{self.name}: no equation for {target!r}")

    def initial_of(self, state: str) -> str | None:
        """The parameter that is the state's value at t = 0 (None: it is zero)."""
        return dict(self.initial)[state]

    @property
    def initial_parameters(self) -> dict[str, str]:
        """The parameters that are initial states, with their states (h_0 -> h)."""
        return {init: state for state, init in self.initial if init is not None}

    def latex(self) -> dict[str, str]:
        """The LaTeX of every variable, view, slope series and named adjoint (``@`` is
        the time index of time-indexed ones)."""
        out = {v.name: v.latex for v in self.variables}
        out.update({view.name: view.latex for view in self.views})
        out.update({a.name: a.latex for a in self.adjoints})
        roles = {role: tex for role, _, tex in self.functions}
        for eq in self.equations:
            if eq.slope is not None and isinstance(eq.expr, Apply):
                out[eq.slope] = f"{roles[eq.expr.role]}'({out[eq.expr.arg.name]})"
        return out
