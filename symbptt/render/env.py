"""The Jinja environment for LaTeX templates (the only module that imports jinja2).

Delimiters that do not collide with LaTeX: ``\\BLOCK{...}``, ``\\VAR{...}``,
``\\#{...}``; no line statements (``%`` is LaTeX's comment). Two filters: ``tex``
prints an expression through the project's printer, ``e`` escapes plain text.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

from .printer import latex

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


def escape(text: object) -> str:
    """Plain text made safe for LaTeX: every special character printed literally.

    Example:
        >>> escape(r"\\input{/etc/passwd} 100%")
        '\\\\textbackslash{}input\\\\{/etc/passwd\\\\} 100\\\\%'
    """
    return "".join(_SPECIAL.get(c, c) for c in str(text))


def templates_dir() -> Path:
    """Where the shipped templates are (inside the installed package)."""
    return Path(str(resources.files("symbptt.templates")))


def environment(extra_dirs: tuple[Path, ...] = ()) -> jinja2.Environment:
    """A LaTeX-safe Jinja environment searching ``extra_dirs`` then the shipped templates."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*map(str, extra_dirs), str(templates_dir())]),
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        line_statement_prefix=None,
        line_comment_prefix=None,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["tex"] = latex
    env.filters["e"] = escape
    return env
