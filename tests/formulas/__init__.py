"""Tests of symbptt.formulas."""
