"""Fixtures for the signals tests."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.signals.sig_helpers import random_walk


@pytest.fixture
def walk() -> pd.DataFrame:
    """Two 400-day random-walk level series, columns ``a`` and ``b``."""
    return random_walk(400, seed=7)
