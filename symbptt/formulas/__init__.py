"""Formula objects (the formula IR of :mod:`symbptt.core.formula`) given values in a ring
at every t: compiled into closures (``compile``), evaluated by the layout convention
(``evaluate``, ``matrices``, ``sums``, ``probabilities``), turned into the comparisons a
formula makes (``comparisons``), and their work estimated before any is done
(``estimate``, ``work``).

Layout convention (stated once, used everywhere): **denominator layout** for gradients of
the scalar loss, so dL/dW has the shape of W (dL/dW_hh[r, c] = dL/dW_hh,rc); Jacobians of
vectors by vectors are in numerator layout, dh_t/dh_{t-1} = diag(phi'(s_t)) W_hh (rows
follow h_t), multiplied latest on the left.
"""
