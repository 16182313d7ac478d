"""Every wrong verdict the soundness fuzzer found, kept as a regression case.

Each case is a formula as printed by the fuzzer, the configuration whose model options it
was checked with (``tests.soundness.CONFIGS``; its ``cli_args()`` are the command line),
the truth the independent oracle gave it (``true``, ``false`` or ``ill-typed``: no value
in the mixed layout, so it must not hold), and, while symbptt still gets it wrong, the
reason (the test is then an expected failure, ``strict=True``, and turns green when the
bug is fixed: remove the reason then).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Regression:
    """A formula, its configuration, its truth, and why symbptt gets it wrong today."""

    config: str
    latex: str
    truth: str
    found: str
    known_bug: str | None = None


REGRESSIONS: tuple[Regression, ...] = (
    Regression(
        "elman-tanh",
        r"\left(\frac{\partial \mathbf{h}_{t}}{\partial W_{hh}}\right)^\top = \sum_{i=1}^{t} "
        r"\left(\prod_{j=i+1}^{t} \frac{\partial \mathbf{h}_{j}}{\partial \mathbf{h}_{j-1}}"
        r"\right) \frac{\partial^+ \mathbf{h}_{i}}{\partial W_{hh}}",
        "ill-typed",
        "sum of products W_hh, transpose added: the transpose of a vector's derivative by "
        "a matrix entry (a row) was equated with a column and held; fixed in f3d6930",
    ),
    Regression(
        "elman-identity",
        r"\left(\frac{\partial^+ \mathbf{h}_{t}}{\partial W_{xh}}\right)^\top = "
        r"\operatorname{diag}\left(\phi'\left(\mathbf{s}_{t}\right)\right) "
        r"\frac{\partial^+ \mathbf{s}_{t}}{\partial W_{xh}}",
        "ill-typed",
        "immediate W_hh, transpose added: the transpose of an immediate partial by a "
        "matrix entry (a row) was equated with a column and held; fixed in f3d6930",
    ),
    Regression(
        "elman-tanh",
        r"\left(\frac{\partial \mathbf{h}_{t}}{\partial W_{hh}}\right)^\top = "
        r"\frac{\partial \mathbf{h}_{t}}{\partial W_{hh}}",
        "ill-typed",
        "minimal form of the two above; fixed in f3d6930",
    ),
)
