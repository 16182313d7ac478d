r"""The metadata of a ``[cell]`` table: how its variables are written and called, the
adjoints, views and claims of its derivation, and what the verifier and the documents
need to know of it. None of it changes what the cell computes. Keys:

``variables``
    ``[cell.variables]``, an entry per variable, in the order the model lists them (the
    variables not listed follow): ``h = { latex = '\mathbf{h}_{@}', prose = "hidden
    state", aliases = ['\hat h'] }``. ``latex`` is how documents write it (``@`` is the
    time index); a left-hand side written so in the equations (``\mathbf{a}^{g}_t``) is
    that variable. ``prose`` is what text calls it, ``aliases`` other LaTeX a formula may
    name it by. ``slope = "dphi"`` names the slopes of an equation h_t = f(s_t) (default:
    ``dh``). ``size = "1"`` declares an intermediate that no equation computes (the
    generic loss's slope ``lgrad``). An entry for an initial value (``h_0``) or the
    cross-entropy head's probabilities (``yhat``) applies when the model has it.
``functions``
    ``{ sigma = "sigmoid" }``: the role names of the primitives the equations apply
    (default: the primitive's own name).
``adjoints``
    ``{ g = { of = "z", latex = '\mathbf{g}_{@}' } }``: the adjoints dL/d(of)_t that the
    backward program keeps, by name (default: one per state and intermediate).
``views``
    ``{ w_h = { parts = ["W_xh", "W_hh"], latex = "w_{h}" } }``: a parameter made of
    others, their transposes stacked (note 000's w_h = [W_xh W_hh]^T).
``scalar``
    ``true``: every variable is a number, written in scalar notation (not bold).

What the cell claims and how its reports are named (``claims``, ``identities``,
``slug``, ``exact_work``, ``family``) is read by :mod:`symbptt.read.cell_claims`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from symbptt.core.model import Adjoint, Equation, Head, Model, Variable, View
from symbptt.errors import SpecError
from symbptt.read.cell_claims import (
    claims,
    entry_of,
    exact_work,
    family,
    identities,
    latex_of,
    slug,
    table_of,
    witness,
)
from symbptt.read.cell_equations import PRIMITIVE_KEYS, CellNames
from symbptt.read.names import compact

META_KEYS = (
    "variables",
    "functions",
    "adjoints",
    "views",
    "claims",
    "scalar",
    "slug",
    "exact_work",
    "identities",
    "family",
    "witness",
)
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_ENTRY_KEYS = ("latex", "prose", "aliases", "slope", "size")


@dataclass(frozen=True)
class Entry:
    """What ``[cell] variables`` says of one variable (None: not said)."""

    latex: str | None = None
    prose: str | None = None
    aliases: tuple[str, ...] | None = None
    slope: str | None = None
    size: str | None = None


def default_latex(name: str, timed: bool, scalar: bool = False) -> str:
    """The LaTeX of a declared name: W_f -> W_{f}; a time-indexed h -> \\mathbf{h}_{@}
    (h_{@} in scalar notation)."""
    base, _, sub = name.partition("_")
    if timed:
        if scalar:
            return f"{base}_{{@}}" if not sub else f"{base}^{{{sub}}}_{{@}}"
        return rf"\mathbf{{{base}}}_{{@}}" if not sub else rf"\mathbf{{{base}}}^{{{sub}}}_{{@}}"
    if len(base) == 1 and base.islower() and not sub and not scalar:
        return rf"\mathbf{{{base}}}"
    return f"{base}_{{{sub}}}" if sub else base


def entries(table: dict, where: str) -> dict[str, Entry]:
    """The ``variables`` entries, checked."""
    out = {}
    for name, spec in table_of(table, "variables", where, "name = { latex, prose, ... }").items():
        here = f"{where}: [cell] variables.{name}"
        if not NAME.fullmatch(name):
            raise SpecError(f"{here}: {name!r} is not a name")
        entry_of(spec, here, _ENTRY_KEYS, "{ latex = '...', prose = '...' }")
        aliases = spec.get("aliases")
        if aliases is not None and not (
            isinstance(aliases, list) and all(isinstance(a, str) and a.strip() for a in aliases)
        ):
            raise SpecError(f"{here}.aliases must be a list of LaTeX strings")
        prose = spec.get("prose")
        if prose is not None and not isinstance(prose, str):
            raise SpecError(f"{here}.prose must be a string")
        slope = spec.get("slope")
        if slope is not None and not (isinstance(slope, str) and NAME.fullmatch(slope)):
            raise SpecError(f"{here}.slope must be a name such as dphi")
        out[name] = Entry(
            latex=latex_of(spec["latex"], f"{here}.latex") if "latex" in spec else None,
            prose=prose,
            aliases=tuple(aliases) if aliases is not None else None,
            slope=slope,
            size=spec.get("size"),
        )
    return out


def prepare(cell: CellNames, table: dict, described: dict[str, Entry], where: str) -> None:
    """Tell the equations' reader the names the metadata gives: the role names of the
    primitives, the variables' LaTeX (a left-hand side written so is that variable) and
    the slopes' names."""
    roles: dict[str, str] = {}
    for role, primitive in table_of(table, "functions", where, "role = primitive").items():
        here = f"{where}: [cell] functions.{role}"
        if primitive not in PRIMITIVE_KEYS.values():
            known = ", ".join(PRIMITIVE_KEYS.values())
            raise SpecError(f"{here} must be a primitive the equations write: {known}")
        taken = role in ("phi", "theta") or (role in PRIMITIVE_KEYS.values() and role != primitive)
        if not NAME.fullmatch(role) or taken or role in roles.values():
            raise SpecError(f"{here}: {role!r} is not a free role name")
        roles[primitive] = role
    cell.role_names.update(roles)
    for name, entry in described.items():
        if entry.slope is not None:
            cell.slopes[name] = entry.slope
        if entry.latex is None:
            continue
        cell.given[name] = entry.latex
        if entry.latex.endswith("_{@}"):
            key = compact(entry.latex)
            if cell.written.get(key, name) != name:
                raise SpecError(
                    f"{where}: [cell] variables: {cell.written[key]} and {name} have the same LaTeX"
                )
            cell.written[key] = name


def assemble(
    table: dict,
    variables: list[Variable],
    equations: list[Equation],
    cell: CellNames,
    output: str,
    where: str,
    *,
    settings: dict[str, str],
    sizes: dict[str, int],
    size: Callable[[Any, str], tuple[int, int]],
) -> Model:
    """The declaration, with the head's target (and probabilities), the initial states,
    the functions, the named adjoints and the metadata."""
    name = table.get("name", "cell")
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise SpecError(f"{where}: [cell] name must be a short string")
    scalar = table.get("scalar", False)
    if not isinstance(scalar, bool):
        raise SpecError(f"{where}: [cell] scalar must be true or false")
    loss = settings["loss"]
    for reserved in ("d", "yhat") if loss == "cross-entropy" else ("d",):
        if reserved in cell.kinds:
            raise SpecError(f"{where}: {reserved!r} is the head's; rename the variable")
    k = cell.shapes[output][0]
    variables.append(Variable("d", "target", (k, 1), default_latex("d", True, scalar), "target"))
    if loss == "cross-entropy":
        variables.append(
            Variable("yhat", "intermediate", (k, 1), r"\hat{\mathbf{y}}_{@}", "probabilities")
        )
    options = {"phi": settings["activation"], "theta": settings["output_activation"]}
    functions = tuple(
        (role, options.get(role) or cell.primitives.get(role, role), latex)
        for role, latex in cell.roles.items()
    )
    states = [v.name for v in variables if v.kind == "state"]
    for v in variables:
        if v.kind == "state":
            cell.latex.setdefault(v.name, v.latex)
    described = _described(variables, entries(table, where), cell, equations, size, scalar, where)
    views = _views(table, described, where)
    zero = settings["initial"] == "zero"
    said = dict(
        adjoints=_adjoints(table, cell, equations, output, states, described, views, where),
        claims=claims(table, where),
        slug=slug(table, sizes, where),
        exact_work=exact_work(table, where),
        identities=identities(table, where),
        family=family(table, where),
        witness=witness(table, where),
    )
    try:
        return Model(
            name=name,
            variables=tuple(described),
            equations=tuple(equations),
            initial=tuple((s, None if zero else f"{s.partition('_')[0]}_0") for s in states),
            functions=functions,
            head=Head(output=output, target="d", loss=loss),
            reduction=settings["reduction"],
            views=views,
            scalar=scalar,
            **said,
        )
    except SpecError as err:
        raise SpecError(f"{where}: [cell]: {err}") from None


def _described(
    variables: list[Variable],
    described: dict[str, Entry],
    cell: CellNames,
    equations: list[Equation],
    size: Callable[[Any, str], tuple[int, int]],
    scalar: bool,
    where: str,
) -> list[Variable]:
    """The variables with the metadata's LaTeX, prose and aliases (else the LaTeX as the
    equations write it), its undeclared intermediates, in its order."""
    by_name = {v.name: v for v in variables}
    states = [v.name for v in variables if v.kind == "state"]
    optional = {f"{s.partition('_')[0]}_0" for s in states} | {"yhat"}
    for name, entry in described.items():
        here = f"{where}: [cell] variables.{name}"
        if entry.size is not None:
            if name in by_name or name in cell.kinds:
                raise SpecError(f"{here}: {name} is declared already (size is for one that is not)")
            shape = size(entry.size, name)
            latex = default_latex(name, True, scalar)
            by_name[name] = Variable(name, "intermediate", shape, latex, "")
        elif name not in by_name and name not in optional:
            raise SpecError(
                f"{here}: the cell has no variable {name!r} (give its size to declare an "
                f"intermediate that no equation computes)"
            )
        if entry.slope is not None and not any(
            eq.target == name and eq.slope == entry.slope for eq in equations
        ):
            raise SpecError(f"{here}.slope: no equation computes {name} as a function of a vector")
    order = [n for n in described if n in by_name] + [n for n in by_name if n not in described]
    out = []
    for name in order:
        v, entry = by_name[name], described.get(name, Entry())
        out.append(
            dataclasses.replace(
                v,
                latex=entry.latex if entry.latex is not None else cell.latex.get(name, v.latex),
                prose=entry.prose if entry.prose is not None else v.prose,
                aliases=entry.aliases if entry.aliases is not None else v.aliases,
            )
        )
    return out


def base_latex(latex: str) -> str:
    """A time-indexed LaTeX without its index: \\mathbf{h}_{@} -> \\mathbf{h}."""
    return latex.removesuffix("_{@}")


def _adjoints(
    table: dict,
    cell: CellNames,
    equations: list[Equation],
    output: str,
    states: list[str],
    variables: list[Variable],
    views: tuple[View, ...],
    where: str,
) -> tuple[Adjoint, ...]:
    """The named adjoints: as the table gives them, else one per state and intermediate
    (the head's output is written inline), so that the backward program reads as
    textbooks write it, one step per quantity."""
    if "adjoints" not in table:
        named = [eq.target for eq in equations if eq.target != output or eq.target in states]
        bases = {v: base_latex(cell.latex[v]) for v in named}
        return tuple(
            Adjoint(v, f"delta_{v}", rf"\boldsymbol{{\delta}}^{{{bases[v]}}}_{{@}}")
            for v in reversed(named)
        )
    computed = {eq.target for eq in equations}
    taken = {*cell.kinds, *(v.name for v in variables), *(w.name for w in views)}
    out = []
    for name, spec in table_of(table, "adjoints", where, "name = { of, latex }").items():
        here = f"{where}: [cell] adjoints.{name}"
        if not NAME.fullmatch(name) or name in taken or name in (a.name for a in out):
            raise SpecError(f"{here}: {name!r} is not a free name")
        if not isinstance(spec, dict) or set(spec) != {"of", "latex"}:
            raise SpecError(f"{here} must be a table {{ of = <variable>, latex = '...' }}")
        if spec["of"] not in computed:
            raise SpecError(f"{here}.of must name a state or intermediate the equations compute")
        out.append(Adjoint(spec["of"], name, latex_of(spec["latex"], f"{here}.latex")))
    return tuple(out)


def _views(table: dict, variables: list[Variable], where: str) -> tuple[View, ...]:
    declared = {v.name: v for v in variables}
    out = []
    for name, spec in table_of(table, "views", where, "name = { parts, latex }").items():
        here = f"{where}: [cell] views.{name}"
        if not NAME.fullmatch(name) or name in declared:
            raise SpecError(f"{here}: {name!r} is not a free name")
        if not isinstance(spec, dict) or set(spec) != {"parts", "latex"}:
            raise SpecError(f"{here} must be a table {{ parts = [<parameters>], latex = '...' }}")
        parts = spec["parts"]
        if not (isinstance(parts, list) and parts) or any(
            getattr(declared.get(p), "kind", None) != "parameter" for p in parts
        ):
            raise SpecError(f"{here}.parts must list parameters of the cell")
        if len({declared[p].shape[0] for p in parts}) != 1:
            raise SpecError(f"{here}.parts must have as many rows each")
        out.append(View(name, tuple(parts), latex_of(spec["latex"], f"{here}.latex")))
    return tuple(out)
