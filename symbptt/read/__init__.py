"""Text in: the formula grammar and reader (``parse``, ``meaning`` and its helpers), a
model's names (``vocabulary``, ``formula``, ``functions``, ``entries``), a cell's
``[cell]`` table (``cell``, ``cell_meta``, ``cell_options``, ``cell_claims``,
``cell_equations``), macros (``macros``, ``expansion``, ``tex_arguments``), displays of
notes in LaTeX, Markdown and notebooks (``display``, ``texfile``, ``markdown``,
``notebook``), the notes' own forward pass (``forward``, ``forward_kinds``) and notation
profiles (``profiles``)."""
