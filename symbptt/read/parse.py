"""Parsing a formula: the Lark grammar, bounds on untrusted input, syntax errors with
line and column, and the driver that hands the tree to a model's reader
(:class:`symbptt.read.meaning.Reader` or a subclass) for its meaning.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp
from lark import Lark, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from symbptt.errors import FormulaSyntaxError
from symbptt.limits import FORMULA_MAX_DEPTH as MAX_DEPTH
from symbptt.limits import MAX_FORMULA_LENGTH as MAX_LENGTH

#: The parser's options (part of the cache's key).
_OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "propagate_positions": True,
    "start": ["start", "expression"],
}


@functools.cache
def parser() -> Lark:
    """The formula grammar's parser (LALR, with positions for error messages), built on
    first use, and kept between processes in the user's cache directory
    (:func:`symbptt.read.parser_cache.cached_parser`): building it takes a quarter
    of a second, loading it a few milliseconds; commands that read no formula
    (``symbptt verify`` on the built-in models) pay neither."""
    from symbptt.read.parser_cache import cached_parser

    grammar = (Path(__file__).with_name("grammar.lark")).read_text(encoding="utf-8")
    return cached_parser(grammar, _OPTIONS, lambda: Lark(grammar, **_OPTIONS))


@dataclass
class Parsed:
    """A parsed equation: its sides, and notes and warnings about how it was read."""

    sides: list[sp.Expr]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: in a chain A = B = C, the sides that could not be read (their place counted from
    #: 1, and why); ``sides`` holds the others
    missing: list[tuple[int, FormulaSyntaxError]] = field(default_factory=list)
    #: the renamings a notation profile made, as written: ("W_hx", "W_xh"), ("x_t", "s_t")
    renamings: list[tuple[str, str]] = field(default_factory=list)
    #: whether a \prod had trailing factors that do not depend on its index, so that
    #: reading them inside it is another reading (:attr:`Reader.product_scope`)
    scoped: bool = False
    #: whether a sum's limits were written from the larger down, so that reading them as
    #: written is another reading (:attr:`Reader.sum_direction`)
    reversed: bool = False
    #: the notation profile the names were read in (None: the model's own)
    profile: Any = None


def parse_tree(text: str, make_reader: Callable[[str], Any], *, expression: bool = False) -> Parsed:
    """Parse with bounds on length and nesting, then give the tree its meaning with
    the reader ``make_reader`` makes for the text (:func:`symbptt.read.formula.reader_for`:
    a reader with a model's names and a profile's notation)."""
    if not isinstance(text, str):
        raise FormulaSyntaxError("a formula must be a string")
    if len(text) > MAX_LENGTH:
        raise FormulaSyntaxError(f"the formula is longer than {MAX_LENGTH} characters")
    depth = 0
    for n, c in enumerate(text):
        depth += c in "({["
        depth -= c in ")}]"
        if depth > MAX_DEPTH:
            raise FormulaSyntaxError(
                f"the formula nests deeper than {MAX_DEPTH} levels", text=text, line=1, column=n + 1
            )
    try:
        tree = parser().parse(text, start="expression" if expression else "start")
    except UnexpectedInput as err:
        raise syntax_error(err, text) from None
    except RecursionError:
        raise FormulaSyntaxError("the formula nests too deeply") from None
    reader = make_reader(text)
    trees = [side for side in tree.children if isinstance(side, Tree) and side.data != "annotation"]
    sides, missing = [], []
    for place, side in enumerate(trees, 1):
        try:
            sides.append(reader.value(side))
        except RecursionError:
            raise FormulaSyntaxError("the formula nests too deeply") from None
        except FormulaSyntaxError as err:
            missing.append((place, err))
    if missing and len(sides) < 2:  # nothing left to compare: the first error stands
        raise missing[0][1]
    free = set().union(*(side.free_symbols for side in sides))
    for var, node in reader.bound_by.items():
        if var in free:
            raise reader.fail(
                f"the index {var} is bound by this sum or product and also used outside "
                f"it, where it means every t; use another letter for one of them",
                node,
            )
    reader.finish()
    renamings = [tuple(r.split(" = ", 1)) for r in getattr(reader, "renamings", [])]
    return Parsed(
        sides,
        reader.notes,
        reader.warnings,
        missing,
        renamings,
        scoped=reader.scoped,
        reversed=reader.reversed,
        profile=getattr(reader, "profile", None),
    )


def syntax_error(err: UnexpectedInput, text: str) -> FormulaSyntaxError:
    line, column = getattr(err, "line", 1) or 1, getattr(err, "column", 1) or 1
    if isinstance(err, UnexpectedCharacters):
        what = f"unexpected character {text[err.pos_in_stream]!r}"
    elif isinstance(err, UnexpectedEOF) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END"
    ):
        what = "the formula ends too early"
        lines = text.rstrip().split("\n")  # just after the last thing written
        line, column = len(lines), len(lines[-1]) + 1
    else:
        what = f"unexpected {err.token!s}"
    return FormulaSyntaxError(what, text=text, line=line, column=column)
