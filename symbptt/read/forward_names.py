"""The names a model display computes and reads, without reading its equations whole:
what tells two models of one notes file apart (:func:`symbptt.cli.notes_input.model_segments`)
and which quantity a loss display is of."""

from __future__ import annotations

from itertools import takewhile

from lark import Tree
from lark.exceptions import UnexpectedInput

from symbptt.errors import FormulaSyntaxError
from symbptt.read.forward import _NAMED, ForwardReader, _computed, _is_named
from symbptt.read.parse import parser


def display_names(display: str) -> tuple[set[str], set[str]]:
    """The names a model display computes (the left sides of its equations) and the
    quantities of a step its right sides read, without reading the equations whole; a
    display that cannot be parsed gives none (its reading in the model says why)."""
    from symbptt.read.display import equations

    computed: set[str] = set()
    read: set[str] = set()
    for text in equations(display):
        try:
            tree = parser().parse(text, start="start")
        except UnexpectedInput:
            continue
        sides = [c for c in tree.children if isinstance(c, Tree) and c.data != "annotation"]
        reader = ForwardReader(text)
        lead = list(takewhile(_is_named, sides[:-1]))
        for side in lead:
            try:
                computed.add(_computed(reader, side)[0])
            except FormulaSyntaxError:
                break
        for side in sides[len(lead) :]:
            for node in side.iter_subtrees():
                if node.data in _NAMED:
                    try:
                        name, step = reader.named(node)
                    except FormulaSyntaxError:
                        continue
                    if step is not None:
                        read.add(name)
    return computed, read


def computed_names(display: str) -> set[str]:
    """The names a model display computes (see :func:`display_names`)."""
    return display_names(display)[0]
