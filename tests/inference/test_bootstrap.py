"""Stationary block bootstrap: vectorized block sums, CI, p-value, seeding."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.inference import block_bootstrap_test
from eventstudy.inference.bootstrap import bootstrap_block_length, stationary_block_sums


def test_block_sums_unbiased_and_length_t() -> None:
    """Circular stationary bootstrap: every date equally likely, so E[sum*] = sum (Politis &
    Romano 1994); summing a column of ones returns exactly T."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 1))
    data = np.hstack([x, np.ones((500, 1))])
    sums = stationary_block_sums(data, 20.0, 4000, rng)
    np.testing.assert_array_equal(sums[:, 1], 500.0)
    se = sums[:, 0].std() / np.sqrt(4000)
    assert abs(sums[:, 0].mean() - x.sum()) < 4 * se


def test_planted_effect_and_seeding() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(0, 0.05, 3000)
    ev = np.arange(20, 2900, 70)
    y[ev] += 0.1
    a = block_bootstrap_test(y, ev, 5, reps=500, seed=3)
    b = block_bootstrap_test(y, ev, 5, reps=500, seed=3)
    assert a == b
    assert a.p_value < 0.01
    assert a.p_value >= 1 / 501
    assert a.details["ci_low"] < a.statistic < a.details["ci_high"]
    assert a.details["ci_low"] > 0
    assert a.details["block_length"] >= 5


def test_block_length_floor() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(size=1000)
    assert bootstrap_block_length(y, 63) == 63.0


def test_not_applicable() -> None:
    y = np.linspace(0, 1, 100)
    res = block_bootstrap_test(y, [1, 2], 5, seed=0)
    assert not res.applicable
    assert "only 2 complete events" in res.reason
    res = block_bootstrap_test(y, [1, 2, 3], 50, seed=0)
    assert "episode" in res.reason
    with pytest.raises(ValueError, match="reps must be >= 1"):
        block_bootstrap_test(y, [1, 20, 40], 5, reps=0)
