"""Shared fixtures: the activations and small horizons every engine is tested over."""

from __future__ import annotations

import pytest

from symbptt.model import ACTIVATIONS

ALL_ACTIVATIONS = list(ACTIVATIONS)
SMALL_T = list(range(1, 9))


@pytest.fixture(params=ALL_ACTIVATIONS)
def activation(request: pytest.FixtureRequest) -> str:
    """Each activation in turn."""
    return request.param
