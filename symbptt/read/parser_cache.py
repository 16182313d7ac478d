"""The formula parser, kept between processes: Lark builds the LALR tables of the grammar
in about a quarter of a second, every time a process reads its first formula; loading
them back takes a few milliseconds.

The tables are kept in the user's cache directory (``$XDG_CACHE_HOME/symbptt``, else
``~/.cache/symbptt``), in a file whose name is a SHA-256 of everything the tables depend
on: the grammar's text, the parser's options, Lark's version and Python's. A grammar
changed by an edit or an upgrade is another file, so stale tables are never loaded;
the key is also the file's first line and is checked again when it is read.

The file is what ``Lark.save`` writes: a pickle, so it is only loaded from a directory
and a file that belong to the user and that nobody else may write (never from a shared
temporary directory, which is where Lark's own ``cache=True`` puts it). It is written
to a temporary file beside it and renamed over it, so processes that start at the same
time never read half a file; a file that cannot be read is rebuilt. Where there is no
usable cache directory (a read-only home, another owner), the parser is built as
before: the cache only ever saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Bumped when the cache's own format changes.
_FORMAT = "symbptt-lark-1"
#: Larger files are not read (the formula grammar's tables are about 100 KB).
_MAX_BYTES = 8 * 1024 * 1024
#: How many tables files (of several versions of the grammar) are kept.
_KEEP = 8


def cache_dir() -> Path | None:
    """The directory for symbptt's cache, created if missing (mode 700); None if there
    is none that is safe to use: not this user's, writable by others, or not creatable."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
        directory = root / "symbptt"
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(directory)
    except (OSError, RuntimeError):  # no home, read-only file system, ...
        return None
    if not _is_private(info, stat.S_ISDIR):
        return None
    return directory


def _is_private(info: os.stat_result, kind: Callable[[int], bool]) -> bool:
    """Whether a file of this kind belongs to the user and nobody else may write it."""
    return (
        kind(info.st_mode)
        and info.st_uid == os.geteuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def cache_key(grammar: str, options: dict[str, Any]) -> str:
    """The SHA-256 of everything the tables depend on."""
    import lark

    text = "\n".join(
        (_FORMAT, lark.__version__, repr(sys.version_info[:2]), repr(sorted(options.items())))
    )
    return hashlib.sha256((text + "\n" + grammar).encode("utf-8")).hexdigest()


def cached_parser(grammar: str, options: dict[str, Any], build: Callable[[], Any]) -> Any:
    """The parser of ``grammar`` with ``options``: loaded from the cache if it holds
    tables for exactly these, else made by ``build()`` and saved there (if possible).

    Example:
        >>> from lark import Lark
        >>> grammar = 'start: "a"'
        >>> p = cached_parser(grammar, {"parser": "lalr"}, lambda: Lark(grammar, parser="lalr"))
        >>> str(p.parse("a").data)
        'start'
    """
    directory = cache_dir()
    if directory is None:
        return build()
    key = cache_key(grammar, options)
    path = directory / f"grammar-{key}.lark"
    loaded = _load(path, key)
    if loaded is not None:
        return loaded
    parser = build()
    _save(parser, directory, path, key)
    return parser


def _load(path: Path, key: str) -> Any:
    """The parser saved at ``path`` under ``key``, or None (missing, not private, another
    key, truncated or unreadable)."""
    from lark import Lark

    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not _is_private(info, stat.S_ISREG) or info.st_size > _MAX_BYTES:
                return None
            data = handle.read(_MAX_BYTES + 1)
    except OSError:
        return None
    header, _, body = data.partition(b"\n")
    if header != key.encode("ascii"):
        return None
    try:
        return Lark.load(io.BytesIO(body))
    except Exception:  # a damaged file: built again (and saved over it)
        return None


def _save(parser: Any, directory: Path, path: Path, key: str) -> None:
    """Save the tables at ``path`` atomically (a temporary file renamed over it); a
    failure only means no cache."""
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".grammar-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.encode("ascii") + b"\n")
            parser.save(handle)
        os.replace(temporary, path)
    except Exception:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return
    _prune(directory)


def _prune(directory: Path) -> None:
    """Remove all but the newest :data:`_KEEP` tables files (older grammars')."""
    with contextlib.suppress(OSError):
        files = sorted(directory.glob("grammar-*.lark"), key=lambda p: p.stat().st_mtime)
        for old in files[:-_KEEP]:
            with contextlib.suppress(OSError):
                old.unlink()
