"""Tests of symbptt.checker."""
