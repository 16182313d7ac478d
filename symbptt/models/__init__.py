"""The built-in models, each a declaration (:class:`symbptt.core.model.Model`) and
nothing else: equations, shapes, notation."""
