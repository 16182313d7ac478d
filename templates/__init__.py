"""The shipped Jinja templates (a data package: *.tex.j2)."""
