"""Small helpers on Lark's trees that the readers share."""

from __future__ import annotations

from typing import Any

from lark import Token, Tree


def single(node: Any) -> Any:
    """A tree without its one-child wrappers (term, expression)."""
    while (
        isinstance(node, Tree) and node.data in ("term", "expression") and len(node.children) == 1
    ):
        node = node.children[0]
    return node


def meta_before(node: Any) -> Any:
    """Positions for a subscript made of ``node`` (a superscript step read as one):
    :meth:`Reader.subscript_text` skips the character before it, as it skips ``_``."""
    from lark.tree import Meta

    meta = Meta()
    if isinstance(node, Token):
        meta.start_pos, meta.end_pos = node.start_pos - 1, node.end_pos
        meta.line, meta.column = node.line, node.column
    else:
        meta.start_pos, meta.end_pos = node.meta.start_pos - 1, node.meta.end_pos
        meta.line, meta.column = node.meta.line, node.meta.column
    meta.empty = False
    return meta
