"""Model -> derived objects: the forward pass in any ring and forward mode (``forward``),
one step's Jacobians and immediate partials (``jvp``), the backward program (``adjoint``),
the chain-rule expansion of note 000 (``expansion``), Jacobian chains and reference
gradients (``chains``) and SymPy's derivatives as a second reference (``reference``)."""
