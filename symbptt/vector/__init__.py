"""The vector (Elman) RNN of note 000, eqns 2-3: matrices, Jacobian products, gradients.

Layout convention (stated once, used everywhere): **denominator layout** for gradients of
the scalar loss, so dL/dW has the shape of W (dL/dW_hh[r, c] = dL/dW_hh,rc); Jacobians of
vectors by vectors are in numerator layout, dh_t/dh_{t-1} = diag(phi'(s_t)) W_hh (rows
follow h_t), multiplied latest on the left.
"""
