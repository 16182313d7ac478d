"""The values of vector formulas and their algebra: matrices of ring elements, families
of vectors (a vector's derivative by each entry of a matrix), and the empty sum and
product; sums, products, transposes, diag(.), block matrices and elementwise products
with their shape rules. A value whose shapes do not fit raises :class:`ShapeError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from symbptt.core.linear import matmul
from symbptt.errors import EvaluationError
from symbptt.limits import charge, check_product, check_sum, tick
from symbptt.rings.algebra import PolynomialRing, Ring


class ShapeError(EvaluationError):
    """Two values whose shapes do not fit (a missing transpose, a product the wrong way
    round): the formula has no value, so it does not hold."""


# -- values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mat:
    """A matrix of ring elements (vectors are columns, scalars 1 x 1)."""

    rows: tuple[tuple[Any, ...], ...]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.rows[0]) if self.rows else 0

    @classmethod
    def from_columns(cls, columns: list[list[Any]]) -> Mat:
        """The matrix with these columns."""
        return cls(tuple(zip(*columns)))

    def combine(self, other: Mat, op: Callable[[Any, Any], Any]) -> Mat:
        """Entry by entry (same shapes)."""
        return Mat(
            tuple(tuple(op(x, y) for x, y in zip(ra, rb)) for ra, rb in zip(self.rows, other.rows))
        )

    def entries(self) -> list[tuple[str, Any]]:
        return [(f"[{r},{c}]", v) for r, row in enumerate(self.rows) for c, v in enumerate(row)]


class Number(Mat):
    """A number written in the formula (the 1 of 1 - z_t): 1 x 1, and added to a column
    vector it stands for that number in every entry, as textbooks write
    diag(1 - h_t^2) and (1 - z_t) * n_t with 1 the all-ones vector."""

    def spread(self, shape: tuple[int, int]) -> Mat:
        """The number in every entry of a matrix of ``shape``."""
        value = self.rows[0][0]
        return Mat(tuple(tuple(value for _ in range(shape[1])) for _ in range(shape[0])))


@dataclass(frozen=True)
class Family:
    """d v / d P for a vector v and a matrix parameter P: one vector per entry (a, b)
    of P. (With respect to a vector parameter, b_h or h_0, it is the Jacobian.)"""

    param: str
    members: dict[tuple[int, int], Mat]

    def entries(self) -> list[tuple[str, Any]]:
        return [
            (f"d/d{self.param}[{a},{b}]{where}", v)
            for (a, b), m in self.members.items()
            for where, v in m.entries()
        ]


def gradient(family: Family) -> Family | Mat:
    """A family of numbers, the derivative of a scalar by each entry of a matrix P, is the
    gradient: the matrix of P's shape with those entries (denominator layout, as the
    documents write dL/dW). So the chain rule through a vector-by-matrix derivative,
    (d o_t / d W)^T dL/do_t, is dL/dW as the literature means it. A family is kept as
    such inside a formula (the derivative of a scalar o_t by W is transposed as a family,
    not as a matrix) and read as the gradient where it meets a matrix: added to one or
    compared with one."""
    if not all(m.shape == (1, 1) for m in family.members.values()):
        return family
    rows = 1 + max(a for a, _ in family.members)
    cols = 1 + max(b for _, b in family.members)
    return Mat(
        tuple(tuple(family.members[(a, b)].rows[0][0] for b in range(cols)) for a in range(rows))
    )


class _Zero:
    """The empty sum: adds to anything as its identity."""


class _One:
    """The empty product: multiplies anything as its identity."""


ZERO, ONE = _Zero(), _One()


def shape_of(value: Any) -> str:
    """A value's shape for messages: 3x1, or one vector per entry of W_hh."""
    if isinstance(value, Mat):
        return "{}x{}".format(*value.shape)
    if isinstance(value, Family):  # the members' shape counts: a row is not a column
        shapes = sorted({"{}x{}".format(*m.shape) for m in value.members.values()})
        return f"one {' or '.join(shapes)} per entry of {value.param}"
    return "an empty product (the identity)" if value is ONE else "an empty sum (0)"


class MatrixAlgebra:
    """Sums and products of vector-formula values in one ring (the shape rules of
    :mod:`symbptt.verifier`)."""

    ring: Ring
    layout: str = "mixed"

    @property
    def rows(self) -> bool:
        """Whether the formula's vectors are rows (notes that write ``h W``)."""
        return False

    def _vector(self, a: Any) -> bool:
        """Whether ``a`` is a vector as the formula writes them: a column, or a row where
        the formula's vectors are rows."""
        return isinstance(a, Mat) and (a.shape[1] == 1 or self.rows and a.shape[0] == 1)

    def as_gradient(self, value: Any) -> Any:
        """A family of numbers as the gradient it is (:func:`gradient`), laid out as the
        formula's derivatives are: transposed in the numerator layout."""
        if not isinstance(value, Family):
            return value
        out = gradient(value)
        return self.transpose(out) if isinstance(out, Mat) and self.layout == "numerator" else out

    def add(self, a: Any, b: Any) -> Any:
        if type(a) is Mat and type(b) is Mat and len(a.rows) == len(b.rows) == 1:
            (ra,), (rb,) = a.rows, b.rows
            if len(ra) == len(rb) == 1:  # two numbers: the scalar model's hot path
                self._check_sum(ra[0], rb[0])
                return Mat(((ra[0] + rb[0],),))
        if a is ZERO:
            return b
        if b is ZERO:
            return a
        if isinstance(a, Number) and self._vector(b):
            a = a.spread(b.shape)  # 1 + v: the all-ones vector (a vector only)
        if isinstance(b, Number) and self._vector(a):
            b = b.spread(a.shape)
        if isinstance(a, Mat) and isinstance(b, Mat) and a.shape == b.shape:
            self._check_sum(a, b)
            return a.combine(b, lambda x, y: x + y)
        if isinstance(a, Family) and isinstance(b, Family) and a.param == b.param:
            return Family(a.param, {k: self.add(a.members[k], b.members[k]) for k in a.members})
        if isinstance(a, Family) != isinstance(b, Family):  # a gradient, added to a matrix
            a, b = self.as_gradient(a), self.as_gradient(b)
            if isinstance(a, Mat) and isinstance(b, Mat) and a.shape == b.shape:
                return a.combine(b, lambda x, y: x + y)
        raise ShapeError(f"cannot add {shape_of(a)} and {shape_of(b)}")

    def _check_sum(self, a: Any, b: Any) -> None:
        """The size limits of a sum where values grow (exact canonical forms)."""
        if isinstance(self.ring, PolynomialRing):
            check_sum(a, b)

    def _check_product(self, a: Any, b: Any) -> None:
        """The work limits of a product: sizes where values grow (exact canonical
        forms), the deadline alone where they cannot."""
        if isinstance(self.ring, PolynomialRing):
            check_product(a, b)
        else:
            tick()

    def scale(self, c: Any, a: Any) -> Any:
        if isinstance(a, Mat):
            self._check_product(c, a)
            return Mat(tuple(tuple(c * x for x in row) for row in a.rows))
        if isinstance(a, Family):
            return Family(a.param, {k: self.scale(c, m) for k, m in a.members.items()})
        return a

    def mul(self, a: Any, b: Any) -> Any:
        if type(a) is Mat and type(b) is Mat and len(a.rows) == len(b.rows) == 1:
            (ra,), (rb,) = a.rows, b.rows
            if len(ra) == len(rb) == 1:  # two numbers: the scalar model's hot path
                self._check_product(ra[0], rb[0])
                return Mat(((ra[0] * rb[0],),))
        if a is ONE:
            return b
        if b is ONE:
            return a
        if a is ZERO or b is ZERO:
            return ZERO
        if isinstance(a, Mat) and a.shape == (1, 1):
            return self.scale(a.rows[0][0], b)
        if isinstance(b, Mat) and b.shape == (1, 1):
            return self.scale(b.rows[0][0], a)
        if isinstance(a, Mat) and isinstance(b, Mat):
            (r, k), (k2, c) = a.shape, b.shape
            if k != k2:
                raise ShapeError(f"cannot multiply a {r}x{k} matrix by a {k2}x{c} matrix")
            self._check_product(a, b)
            if r * k * c > 1:
                charge(r * k * c, f"a product of a {r}x{k} and a {k}x{c} matrix")
            return Mat(tuple(map(tuple, matmul(a.rows, b.rows, self.ring.zero))))
        if isinstance(a, Mat) and isinstance(b, Family):
            return Family(b.param, {k: self.mul(a, m) for k, m in b.members.items()})
        if isinstance(a, Family) and isinstance(b, Mat):
            return Family(a.param, {k: self.mul(m, b) for k, m in a.members.items()})
        raise ShapeError(f"cannot multiply {shape_of(a)} by {shape_of(b)}")

    def prod(self, a: Any, b: Any) -> Any:
        """d2l.ai's prod(A, B) (:class:`symbptt.core.formula.Prod`): B^T A, else A B,
        else B A, the first whose shapes fit."""
        tried = []
        for left, right in ((lambda: self.transpose(b), lambda: a), (lambda: a, lambda: b)):
            try:
                return self.mul(left(), right())
            except ShapeError as err:
                tried.append(str(err))
        try:
            return self.mul(b, a)
        except ShapeError as err:
            tried.append(str(err))
        raise ShapeError(f"prod(A, B) fits no way round ({'; '.join(tried)})")

    def transpose(self, a: Any) -> Any:
        if isinstance(a, Mat):
            return Mat(tuple(zip(*a.rows)))
        if isinstance(a, Family):
            return Family(a.param, {k: self.transpose(m) for k, m in a.members.items()})
        raise ShapeError(f"cannot transpose {shape_of(a)}")

    def diag(self, a: Any) -> Mat:
        if not self._vector(a):
            raise ShapeError(f"diag takes a column vector, not {shape_of(a)}")
        if a.shape[1] != 1:  # a row, where the formula's vectors are rows
            a = self.transpose(a)
        n, zero = a.shape[0], self.ring.zero
        return Mat(
            tuple(tuple(a.rows[r][0] if r == c else zero for c in range(n)) for r in range(n))
        )

    def block(self, rows: int, cols: int, cells: list[Any]) -> Mat:
        """[A B; C D]: the cells of a row side by side, the rows stacked."""
        if not all(isinstance(c, Mat) for c in cells):
            raise ShapeError(
                "a block matrix takes matrices and vectors, not derivatives by a matrix"
            )
        out: list[tuple[Any, ...]] = []
        for r in range(rows):
            row = cells[r * cols : (r + 1) * cols]
            heights = {c.shape[0] for c in row}
            if len(heights) != 1:
                raise ShapeError(
                    "the blocks of a row have different heights: "
                    + ", ".join(shape_of(c) for c in row)
                )
            for i in range(heights.pop()):
                out.append(tuple(v for c in row for v in c.rows[i]))
        if len({len(r) for r in out}) != 1:
            raise ShapeError("the rows of a block matrix have different widths")
        return Mat(tuple(out))

    def hadamard(self, a: Any, b: Any) -> Any:
        if isinstance(a, Family) and isinstance(b, Mat):
            a, b = b, a
        if isinstance(a, Mat) and isinstance(b, Family):
            return Family(b.param, {k: self.hadamard(a, m) for k, m in b.members.items()})
        if isinstance(a, Mat) and isinstance(b, Mat) and a.shape == b.shape:
            check_product(a, b)
            return a.combine(b, lambda x, y: x * y)
        raise ShapeError(f"cannot multiply {shape_of(a)} and {shape_of(b)} elementwise")
