"""Tests of symbptt.verifier."""
