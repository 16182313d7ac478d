"""Job C, rendering: a model, its report and its program as a format-neutral document
(``blocks``, built by ``sections`` from ``model_document``, ``model_derivatives``,
``claims``, ``figure`` and ``certificate``), the model IR printed in matrix notation
(``matrix``, ``latex_style``, ``terms``, ``layout``), names in a source's notation
(``printed``), one exporter per format (``formats``, with Jinja's ``env``) and the TeX
build (``texbuild``)."""

import re

#: The title of a document when none is given (a constant here so that the command line
#: can show it without importing the document machinery).
DEFAULT_TITLE = "Backpropagation through time, checked"

#: How the immediate partial d+ is written.
IMMEDIATE_STYLES = {
    "plus": r"\partial^{+}",
    "bar": r"\bar{\partial}",
    "subscript": r"\partial_{\mathrm{imm}}",
}

#: The sectioning commands a document's headings may use (``tex --top-level``): section
#: (symbptt's own document, or a fragment in an article), subsection (the derivation as
#: part of a section of notes), chapter (a fragment in a book or report).
TOP_LEVELS = ("section", "subsection", "chapter")

#: What a label prefix may hold (``tex --label-prefix``): characters that are safe in
#: ``\\label`` and ``\\ref`` with or without hyperref and babel.
LABEL_PREFIX = re.compile(r"[A-Za-z0-9:._-]*")
