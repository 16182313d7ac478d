"""Tests of symbptt.codegen."""
