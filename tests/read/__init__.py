"""Tests of symbptt.read."""
