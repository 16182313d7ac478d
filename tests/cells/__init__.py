"""Tests of symbptt.cells."""
