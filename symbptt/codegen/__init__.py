"""Job D: the verified backward program as code: the NumPy module (``source``, with the
forward pass compiled from the equations in ``forward_code`` and the loop planned in
``loop``), and PyTorch as an outside witness (``crosscheck``, ``torch_cells``)."""
