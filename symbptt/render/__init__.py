"""Rendering: the project's LaTeX printer, line breaking, Jinja templates and TeX build."""
