"""Formula objects (the formula IR of :mod:`symbptt.core.formula`) given values in a ring
at every t: compiled into closures (``compile``), evaluated by the layout convention
(``evaluate``, ``matrices``, ``sums``, ``probabilities``), turned into the comparisons a
formula makes (``comparisons``), and their work estimated before any is done
(``estimate``, ``work``)."""
