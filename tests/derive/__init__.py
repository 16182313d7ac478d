"""Tests of symbptt.derive."""
