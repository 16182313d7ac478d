"""Rendering: the project's LaTeX printer, line breaking, Jinja templates and TeX build."""

#: The title of a document when none is given (a constant here so that the command line
#: can show it without importing the document machinery).
DEFAULT_TITLE = "Backpropagation through time, checked"

#: How the immediate partial d+ is written.
IMMEDIATE_STYLES = {
    "plus": r"\partial^{+}",
    "bar": r"\bar{\partial}",
    "subscript": r"\partial_{\mathrm{imm}}",
}
