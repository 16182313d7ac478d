"""Job B: formulas from notes, checked against a model (:func:`check`,
:func:`assert_equivalent`): the pipeline on one page (``pipeline``), one reading in one
layout decided (``decide``), the other readings (``readings``) and single-edit repairs
(``repairs``)."""

from symbptt.checker.pipeline import assert_equivalent, check

__all__ = ["assert_equivalent", "check"]
