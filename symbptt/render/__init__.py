"""Rendering: the project's LaTeX printer, line breaking, Jinja templates and TeX build."""

#: The title of a document when none is given (a constant here so that the command line
#: can show it without importing the document machinery).
DEFAULT_TITLE = "Backpropagation through time, checked"
