"""Tests of symbptt.render."""
