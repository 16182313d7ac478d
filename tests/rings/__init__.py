"""Tests of symbptt.rings."""
