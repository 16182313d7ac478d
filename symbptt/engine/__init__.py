"""The engines over any model of the core: the verifier, the formula checker, codegen.

Every module here is generic over a model's declaration (:class:`symbptt.core.model.
Model`): the scalar RNN of the seeds, the Elman RNN and a user's cell are instances, not
cases (each paired with T in one :class:`symbptt.core.spec.Spec`); ``chains``, ``checks``,
``reference`` and ``verify``
are the verifier; ``vocabulary``, ``nodes``, ``formula``, ``compile``, ``evaluate``,
``matrices`` and ``check`` the formula checker; ``forward_code``, ``codegen`` and
``crosscheck`` the generated NumPy code and the PyTorch cross-check.

Layout convention (stated once, used everywhere): **denominator layout** for gradients of
the scalar loss, so dL/dW has the shape of W (dL/dW_hh[r, c] = dL/dW_hh,rc); Jacobians of
vectors by vectors are in numerator layout, dh_t/dh_{t-1} = diag(phi'(s_t)) W_hh (rows
follow h_t), multiplied latest on the left.
"""
