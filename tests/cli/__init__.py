"""Tests of symbptt.cli."""
