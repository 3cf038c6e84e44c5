"""Placebo path band: hand-computed on a constant-growth series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.evaluation.placebo_path import placebo_path_band


def test_constant_growth_gives_a_degenerate_band() -> None:
    # P_t = 1.001^t: every path is 1.001^k - 1 whatever the event date
    idx = pd.bdate_range("2000-01-03", periods=400)
    prices = pd.Series(1.001 ** np.arange(400), index=idx)
    band = placebo_path_band(prices, 5, min_gap=10, pre=3, post=20, draws=50, seed=1)
    expected = 1.001 ** np.arange(-3, 21) - 1
    np.testing.assert_allclose(band.lower, expected, rtol=1e-10)
    np.testing.assert_allclose(band.upper, expected, rtol=1e-10)
    log_band = placebo_path_band(
        prices, 5, min_gap=10, pre=3, post=20, draws=50, seed=1, kind="log"
    )
    np.testing.assert_allclose(log_band.lower, np.arange(-3, 21) * np.log(1.001), rtol=1e-10)


def test_band_brackets_zero_at_the_event_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    idx = pd.bdate_range("2000-01-03", periods=2000)
    prices = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 2000))), index=idx)
    a = placebo_path_band(prices, 20, min_gap=21, pre=5, post=60, draws=300, seed=7)
    b = placebo_path_band(prices, 20, min_gap=21, pre=5, post=60, draws=300, seed=7)
    np.testing.assert_array_equal(a.lower, b.lower)
    zero = list(a.offsets).index(0)
    assert a.lower[zero] == 0.0 and a.upper[zero] == 0.0
    assert np.all(a.lower <= a.upper)
    assert a.upper[-1] > 0 > a.lower[-1]


def test_no_band_for_too_few_events() -> None:
    prices = pd.Series(np.linspace(1, 2, 50), index=pd.bdate_range("2000-01-03", periods=50))
    assert placebo_path_band(prices, 1, min_gap=5, pre=2, post=5).draws == 0
    assert placebo_path_band(prices, 10, min_gap=30, pre=2, post=5).draws == 0
