"""The Jinja environment of the templates (the only modules importing jinja2 are here
and :mod:`symbptt.render.formats.latex`).

Delimiters that do not collide with LaTeX: ``\\BLOCK{...}``, ``\\VAR{...}``,
``\\#{...}``; no line statements (``%`` is LaTeX's comment). Filters: ``e`` escapes
plain text, ``e_lines`` escapes text line by line (an author and an affiliation).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from symbptt.files import read_text
from symbptt.render.plaintext import escape, escape_lines


def templates_dir(folder: str) -> Path:
    """Where the shipped templates of one format are (``templates/<folder>/``, inside the
    installed package)."""
    return Path(str(resources.files("symbptt.templates"))) / folder


#: The name under which the user's own template is loaded (shipped names cannot shadow it,
#: and it cannot shadow them).
USER_PREFIX = "user:"


class _Loader(jinja2.BaseLoader):
    """The shipped templates first, then the user's template directory; the user's own
    template under ``user:NAME``. So a ``base.tex.j2`` or ``macros.tex.j2`` lying next
    to a user's template never replaces the shipped one, and a user template named
    ``base.tex.j2`` that extends ``base.tex.j2`` gets the shipped base. Sources are read
    through :func:`symbptt.files.read_text` (regular UTF-8 files, a BOM accepted)."""

    def __init__(self, folder: str, user_dir: Path | None) -> None:
        self.dirs = [templates_dir(folder)] + ([user_dir] if user_dir else [])
        self.user_dir = user_dir

    def get_source(self, environment: jinja2.Environment, template: str):  # noqa: ANN201
        name = template.removeprefix(USER_PREFIX)
        if "/" in name or ".." in name:  # only names of files in the directories above
            raise jinja2.TemplateNotFound(template)
        if name != template and self.user_dir is not None:
            candidates = [self.user_dir / name]
        else:
            candidates = [d / template for d in self.dirs]
        for path in candidates:
            if path.is_file():
                source = read_text(path, what="template")
                mtime = path.stat().st_mtime
                return source, str(path), lambda p=path, m=mtime: p.stat().st_mtime == m
        raise jinja2.TemplateNotFound(template)


def environment(folder: str = "latex", user_dir: Path | None = None) -> jinja2.Environment:
    """A sandboxed, LaTeX-safe Jinja environment for one format's templates (``folder``
    of ``templates/``; see :class:`_Loader` for where templates are found). The sandbox
    refuses access to Python internals, so a template
    cannot run commands or read files."""
    env = SandboxedEnvironment(
        loader=_Loader(folder, user_dir),
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
    env.filters["e"] = escape
    env.filters["e_lines"] = escape_lines
    return env
