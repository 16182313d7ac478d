"""The IRs and the declaration, pure data with no ring: the model IR (``tensor``; values
over lists in ``linear``), the model declaration (``model``, checked by ``validation``),
the one spec (``spec``; how equality is decided in ``method``), the model options
(``options``), the primitive and loss tables (``primitives``, ``losses``), and the
formula IR (``formula``, with the reader's derivative objects in ``derivatives``)."""
