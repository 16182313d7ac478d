"""Tests of symbptt.core."""
