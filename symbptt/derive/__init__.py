"""The three derivative engines: reference, expansion (eqns 6-10) and backward (delta)."""
