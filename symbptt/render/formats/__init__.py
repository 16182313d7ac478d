"""The output formats of a derivation document, one exporter each (nbconvert's pattern):
an :class:`Exporter` names its format, its files' extension, its template folder (under
the top-level ``templates/``) and the measure its displays are broken to; the document
is made once, as data (:func:`symbptt.render.sections.build_document`), and each
exporter prints it. Adding a format is adding one module here and one template folder.
"""

from __future__ import annotations

from dataclasses import dataclass

from symbptt.errors import SpecError, choose_from


@dataclass(frozen=True)
class Exporter:
    """What a format is: its name (``--format``), its files' extension, its template
    folder and main template, and the width (in em of the math font) its displays are
    broken at; None: no breaking (the reader's window wraps, as on the web)."""

    name: str
    extension: str
    folder: str
    template: str
    line_width: float | None


#: Every format, by name (filled by the format modules as they are imported).
EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    """Add a format to :data:`EXPORTERS`.

    Raises:
        SpecError: a format of that name is registered already.
    """
    if exporter.name in EXPORTERS:
        raise SpecError(f"two output formats are named {exporter.name!r}")
    EXPORTERS[exporter.name] = exporter
    return exporter


def exporter(name: str) -> Exporter:
    """The format ``name``.

    Raises:
        SpecError: no such format (the message lists them).
    """
    from symbptt.render.formats import latex  # noqa: F401 - registers the LaTeX article

    return EXPORTERS[choose_from("output format", name, EXPORTERS)]
