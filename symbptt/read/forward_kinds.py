"""What the notes' own forward pass says about its quantities, before it is a model: which
are states, inputs, parameters and intermediates, and their shapes.

Notes state their model as equations and rarely declare its quantities, so symbptt
infers them from the equations (issue 27), never from a name's look:

- a quantity that some equation computes is a *state* if any equation reads it at the
  previous step (``c_{t-1}``), else an *intermediate*;
- a quantity with a time index that no equation computes is an *input* (read at the
  previous step it is refused: a state must be computed);
- a quantity without a time index is a *parameter*: a matrix where it multiplies a
  vector, a vector where it is added.

Shapes are solved by unification: the two sides of ``+``, ``-``, an elementwise product
and an equation have one size; ``W v`` takes v's size as W's columns and gives W's rows;
a stacked ``[a; b]`` has the sum of its parts' sizes. Sizes the equations leave free are
symbptt's to choose (a formula about the model must hold at every size): the states'
classes get :data:`HIDDEN`, the inputs' :data:`INPUT`, and any other class its own size
from :data:`OTHERS`, distinct so that no transpose or stacking order is hidden by equal
sizes. Equations whose sizes contradict each other are refused, naming the quantity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from symbptt.core.tensor import (
    Add,
    Concat,
    Expr,
    Had,
    MatVec,
    Param,
    Sub,
    Transpose,
    Var,
    children,
    matrix_name,
    subexpressions,
)
from symbptt.errors import SpecError

#: The size of every state that the equations do not tie to another size.
HIDDEN = 3
#: The size of every input the equations leave free.
INPUT = 2
#: Sizes for the other free classes (an output, a gate of its own size), in turn.
OTHERS = (4, 5, 6, 7)


@dataclass(frozen=True)
class Inferred:
    """The kinds (state, input, parameter, intermediate) and shapes (rows, columns) of
    every quantity a forward pass names."""

    kinds: dict[str, str]
    shapes: dict[str, tuple[int, int]]


class _Sizes:
    """Union-find over size variables, some bound to numbers, with sums (a stacked
    vector's size is the sum of its parts') solved as their terms become known."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.value: dict[str, int] = {}
        self.sums: list[tuple[str, str, str]] = []  # total = left + right
        self.fresh = 0

    def new(self, name: str | None = None) -> str:
        if name is None:
            self.fresh += 1
            name = f"#{self.fresh}"
        self.parent.setdefault(name, name)
        return name

    def find(self, a: str) -> str:
        self.new(a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def same(self, a: str, b: str, why: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        va, vb = self.value.get(ra), self.value.get(rb)
        if va is not None and vb is not None and va != vb:
            raise SpecError(f"the forward pass's shapes do not fit: {why} ({va} vs {vb})")
        self.parent[rb] = ra
        if va is None and vb is not None:
            self.value[ra] = vb

    def bind(self, a: str, n: int, why: str) -> None:
        ra = self.find(a)
        if self.value.get(ra, n) != n:
            raise SpecError(
                f"the forward pass's shapes do not fit: {why} ({self.value[ra]} vs {n})"
            )
        self.value[ra] = n

    def get(self, a: str) -> int | None:
        return self.value.get(self.find(a))

    def settle_sums(self) -> None:
        """Solve every sum whose terms (or total and one term) are known."""
        changed = True
        while changed:
            changed = False
            for total, left, right in self.sums:
                t, lo, r = self.get(total), self.get(left), self.get(right)
                if t is None and lo is not None and r is not None:
                    self.bind(total, lo + r, "a stacked vector")
                    changed = True
                elif t is not None and lo is not None and r is None:
                    if t - lo < 1:
                        raise SpecError("the forward pass's shapes do not fit: a stacked vector")
                    self.bind(right, t - lo, "a stacked vector")
                    changed = True
                elif t is not None and r is not None and lo is None:
                    if t - r < 1:
                        raise SpecError("the forward pass's shapes do not fit: a stacked vector")
                    self.bind(left, t - r, "a stacked vector")
                    changed = True


def infer(equations: Sequence[tuple[str, Expr]], *, unit: bool = False) -> Inferred:
    """The kinds and shapes of the quantities of a forward pass: ``equations`` are
    (computed name, right-hand side at step t) in the notes' order.

    Raises:
        SpecError: a quantity computed twice, read at the previous step but never
            computed, used both as a matrix and as a vector, or sizes that contradict.

    Example:
        >>> from symbptt.core.tensor import Add, Apply, MatVec, Param, Var
        >>> eqs = [("s", Add(MatVec(Param("W"), Var("h", -1)), MatVec(Param("U"), Var("x")))),
        ...        ("h", Apply("tanh", Var("s")))]
        >>> inferred = infer(eqs)
        >>> inferred.kinds["h"], inferred.kinds["x"], inferred.shapes["U"]
        ('state', 'input', (3, 2))
    """
    computed: dict[str, int] = {}
    for k, (target, _) in enumerate(equations):
        if target in computed:
            raise SpecError(f"the forward pass computes {target} twice")
        computed[target] = k
    previous: set[str] = set()
    variables: set[str] = set()
    matrices: set[str] = set()
    vectors: set[str] = set()
    for _, expr in equations:
        _names(expr, previous, variables, matrices, vectors)
    both = matrices & vectors
    if both:
        raise SpecError(f"{sorted(both)[0]} is used both as a matrix and as a vector")
    for name in sorted(previous - set(computed)):
        raise SpecError(f"{name} is read at the previous step but no equation computes it")
    kinds = {name: "state" if name in previous else "intermediate" for name in computed}
    kinds.update({name: "input" for name in sorted(variables - set(computed))})
    kinds.update({name: "parameter" for name in sorted(matrices | vectors)})
    clash = set(kinds) & (matrices | vectors) & (variables | set(computed))
    if clash:
        raise SpecError(f"{sorted(clash)[0]} is used with and without a time index")
    sizes = _Sizes()
    for target, expr in equations:
        sizes.same(f"v:{target}", _size(expr, sizes), f"the two sides of {target}'s equation")
    for name in vectors:
        sizes.bind(f"c:{name}", 1, name)
    _choose(sizes, kinds, unit)
    shapes: dict[str, tuple[int, int]] = {}
    for name, kind in kinds.items():
        if kind == "parameter":
            shapes[name] = (_known(sizes, f"r:{name}"), _known(sizes, f"c:{name}"))
        else:
            shapes[name] = (_known(sizes, f"v:{name}"), 1)
    return Inferred(kinds, shapes)


def _names(expr: Expr, previous: set, variables: set, matrices: set, vectors: set) -> None:
    """Collect the names an expression reads, by how it reads them."""
    for e in subexpressions(expr):
        if isinstance(e, Var):
            variables.add(e.name)
            if e.shift == -1:
                previous.add(e.name)
            elif e.shift != 0:
                raise SpecError(
                    f"{e.name} is read at step t{e.shift:+d}: a forward pass reads the "
                    "previous step only"
                )
        elif isinstance(e, Param):  # a matrix is no subexpression: a Param here is added
            vectors.add(e.name)
        elif isinstance(e, MatVec):
            matrices.add(matrix_name(e.matrix))


def _size(expr: Expr, sizes: _Sizes) -> str:
    """The size variable of an expression's value, with its constraints recorded."""
    if isinstance(expr, Var):
        return sizes.new(f"v:{expr.name}")
    if isinstance(expr, Param):
        return sizes.new(f"r:{expr.name}")
    if isinstance(expr, MatVec):
        inner = _size(expr.vector, sizes)
        if isinstance(expr.matrix, Transpose):
            name = expr.matrix.arg.name
            sizes.same(f"r:{name}", inner, f"{name}^T times a vector")
            return sizes.new(f"c:{name}")
        name = expr.matrix.name
        sizes.same(f"c:{name}", inner, f"{name} times a vector")
        return sizes.new(f"r:{name}")
    if isinstance(expr, Add | Sub | Had):
        left, right = _size(expr.left, sizes), _size(expr.right, sizes)
        sizes.same(left, right, "the two operands of an entrywise operation")
        return left
    if isinstance(expr, Concat):
        total = sizes.new()
        sizes.sums.append((total, _size(expr.top, sizes), _size(expr.bottom, sizes)))
        return total
    return _size(children(expr)[0], sizes)


def _choose(sizes: _Sizes, kinds: dict[str, str], unit: bool = False) -> None:
    """Give the free classes sizes: states HIDDEN, inputs INPUT, others their own (all
    1 where the notes are written for one unit, ``unit``)."""
    sizes.settle_sums()
    for wanted, size in (("state", 1 if unit else HIDDEN), ("input", 1 if unit else INPUT)):
        for name, kind in sorted(kinds.items()):
            if kind == wanted and sizes.get(f"v:{name}") is None:
                sizes.bind(f"v:{name}", size, name)
                sizes.settle_sums()
    others = iter((1,) * 64 if unit else OTHERS)
    for name in sorted(kinds):
        for var in (f"v:{name}", f"r:{name}", f"c:{name}"):
            if var in sizes.parent and sizes.get(var) is None:
                try:
                    sizes.bind(var, next(others), name)
                except StopIteration:
                    raise SpecError("the forward pass has too many free sizes") from None
                sizes.settle_sums()


def _known(sizes: _Sizes, var: str) -> int:
    size = sizes.get(var)
    if size is None:  # pragma: no cover - every class gets a size in _choose
        raise SpecError(f"no size for {var}")
    return size
