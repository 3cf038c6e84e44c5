"""Tests of eventstudy.breadth on hand-computed cases and the S&P 500 panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.breadth import (
    advance_decline_line,
    share_above_moving_average,
    share_at_high,
    share_at_low,
)

NAN = np.nan


@pytest.fixture
def prices() -> pd.DataFrame:
    idx = pd.bdate_range("2020-01-01", periods=5)
    return pd.DataFrame(
        {
            "A": [1.0, 2.0, 3.0, 2.0, 4.0],
            "B": [5.0, 4.0, 3.0, 4.0, 4.0],
            "C": [NAN, NAN, 1.0, 2.0, 3.0],  # joins on day 3
        },
        index=idx,
    )


def test_share_above_ma_hand_computed(prices):
    s = share_above_moving_average(prices, window=3)
    # day 3: MA(A)=2 (3>2 yes), MA(B)=4 (3<4 no); C has 1 close -> not counted -> 1/2
    # day 4: MA(A)=7/3 (2 no), MA(B)=11/3 (4 yes) -> 1/2
    # day 5: MA(A)=3 (4 yes), MA(B)=11/3 (4 yes), MA(C)=2 (3 yes) -> 3/3
    np.testing.assert_allclose(s.to_numpy(), [NAN, NAN, 0.5, 0.5, 1.0])
    assert s.name == "share_above_ma3"


def test_no_look_ahead(prices):
    # changing a later price never changes an earlier value
    full = share_above_moving_average(prices, window=3)
    changed = prices.copy()
    changed.iloc[4] = [100.0, 0.5, 50.0]
    again = share_above_moving_average(changed, window=3)
    pd.testing.assert_series_equal(full.iloc[:4], again.iloc[:4])
    pd.testing.assert_series_equal(
        share_at_high(prices, window=2).iloc[:4], share_at_high(changed, window=2).iloc[:4]
    )


def test_share_at_high_low(prices):
    hi = share_at_high(prices, window=2)
    lo = share_at_low(prices, window=2)
    # day 2: A 2>=max(1,2) yes, B 4 vs max 5 no -> 1/2 ; lows: A no, B yes -> 1/2
    # day 3: A yes, B no (3<4), C has 1 close -> 1/2 ; lows: B yes -> 1/2
    # day 4: A 2<3 no, B 4 yes, C 2 yes -> 2/3 ; lows: A yes -> 1/3
    # day 5: A yes, B 4>=4 yes, C yes -> 1 ; lows: B 4<=4 yes -> 1/3
    np.testing.assert_allclose(hi.to_numpy(), [NAN, 0.5, 0.5, 2 / 3, 1.0])
    np.testing.assert_allclose(lo.to_numpy(), [NAN, 0.5, 0.5, 1 / 3, 1 / 3])


def test_advance_decline(prices):
    ad = advance_decline_line(prices)
    # day2: A up, B down -> 0; day3: A up, B down -> 0; day4: A down, B up, C up -> +1;
    # day5: A up, B flat, C up -> +2
    np.testing.assert_allclose(ad.to_numpy(), [0, 0, 0, 1, 3])


def test_validation(prices):
    with pytest.raises(ValueError, match="window must be >= 1"):
        share_above_moving_average(prices, window=0)
    with pytest.raises(TypeError, match="prices must be"):
        advance_decline_line(prices["A"])  # type: ignore[arg-type]


@pytest.mark.integration
def test_sp500_panel_breadth_plausible(snapshot_dir):
    path = snapshot_dir / "panel" / "sp500_pit_daily_2013_2018.csv"
    long = pd.read_csv(path, usecols=["date", "ticker", "close"], parse_dates=["date"])
    px = long.pivot(index="date", columns="ticker", values="close").sort_index()
    s = share_above_moving_average(px)
    assert s.iloc[:199].isna().all()  # no stock has 200 closes before the 200th date
    later = s.iloc[250:]
    assert later.notna().all()
    assert later.between(0.0, 1.0).all()
    assert 0.2 < later.mean() < 0.9
    hi = share_at_high(px).iloc[300:]
    assert hi.between(0.0, 0.5).all()
    ad = advance_decline_line(px)
    assert ad.notna().all()
