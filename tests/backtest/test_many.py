"""Many strategies at once equal one backtest each."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.backtest import backtest
from eventstudy.backtest.many import trade_many


@pytest.mark.parametrize("rule,slices", [("extend", 1), ("ignore", 1), ("stack", 3)])
@pytest.mark.parametrize("short,cash", [(False, False), (True, True)])
def test_equals_one_backtest_each(rule: str, slices: int, short: bool, cash: bool) -> None:
    rng = np.random.default_rng(21)
    n = 900
    dates = pd.bdate_range("2001-01-01", periods=n)
    a = pd.Series(100 * np.cumprod(1 + rng.normal(0.0003, 0.012, n)), index=dates)
    b = pd.Series(100 * np.cumprod(1 + rng.normal(0.0002, 0.01, n)), index=dates)
    rf = pd.Series(rng.uniform(0, 0.0002, n), index=dates) if cash else None
    events, starts, ends = [], [], []
    for i in range(12):
        events.append(dates[np.sort(rng.choice(n, int(rng.integers(0, 25)), replace=False))])
        starts.append(None if i % 3 == 0 else dates[int(rng.integers(0, 200))])
        ends.append(None if i % 4 else dates[int(rng.integers(700, n))])
    events.append(events[1])  # a duplicate strategy has the same key
    starts.append(starts[1])
    ends.append(ends[1])
    rules = {
        "hold": 30,
        "short": b if short else None,
        "overlap": rule,
        "max_slices": slices,
        "cost_bps": 7.0,
        "cash": rf,
    }
    table, keys = trade_many(a, events, starts, ends, **rules)  # type: ignore[arg-type]
    assert len(table) == 13 and keys[1] == keys[12] and len(set(keys[:12])) >= 11
    for i in range(13):
        one = backtest(a, events[i], start=starts[i], end=ends[i], placebo_draws=0, **rules)  # type: ignore[arg-type]
        row = table.iloc[i]
        perf = one.performance["strategy"]
        if one.sharpe is None:
            assert np.isnan(row["sharpe"])
        else:
            assert row["sharpe"] == pytest.approx(perf["sharpe"], rel=1e-10)
            assert row["sharpe_daily"] == pytest.approx(one.sharpe.sharpe, rel=1e-10)
        assert row["annual_return"] == pytest.approx(perf["annual_return"], rel=1e-10, abs=1e-14)
        assert row["max_drawdown"] == pytest.approx(perf["max_drawdown"], rel=1e-10, abs=1e-14)
        assert row["exposure"] == pytest.approx(one.activity["exposure"], rel=1e-12)
        assert row["trades"] == one.activity["trades"]


def test_a_cash_gap_inside_a_sample_is_an_error_as_in_one_backtest() -> None:
    """Cash quoted from 2001-03-01 on (as FRED's DGS3MO starts in 1981): a strategy whose
    sample starts earlier is refused, as backtest() refuses it, instead of a NaN Sharpe that
    the sweep took for a strategy never traded; samples inside the quotes are fine."""
    from eventstudy.exceptions import DataError

    n = 300
    dates = pd.bdate_range("2001-01-01", periods=n)
    a = pd.Series(100 * np.cumprod(np.full(n, 1.0004)), index=dates)
    cash = pd.Series(0.0001, index=dates[dates >= "2001-03-01"])
    events = [dates[[100, 150]], dates[[120]]]
    with pytest.raises(DataError, match="no rate for 2001-01-02"):
        backtest(a, events[0], hold=20, cash=cash, placebo_draws=0)
    with pytest.raises(
        DataError, match="cash has no rate for 2001-01-02, inside a sample that starts 2001-01-01"
    ):
        trade_many(a, events, [None, dates[60]], [None, None], hold=20, cash=cash)
    table, _ = trade_many(a, events, [dates[50], dates[60]], [None, None], hold=20, cash=cash)
    assert np.isfinite(table["sharpe"]).all() and table["trades"].dtype == np.int64
    # one missing rate, the first return day's (2001-01-02), and one inside a later sample
    first_only = pd.Series(0.0001, index=dates.delete(1))
    with pytest.raises(DataError, match="no rate for 2001-01-02, inside a sample that starts 2001"):
        trade_many(a, events[:1], [None], [None], hold=20, cash=first_only)
    hole = pd.Series(0.0001, index=dates.delete(150))
    with pytest.raises(
        DataError,
        match=f"no rate for {dates[150]:%Y-%m-%d}, inside a sample that starts {dates[60]:%Y-%m-%d}",
    ):
        trade_many(a, events, [dates[160], dates[60]], [None, None], hold=20, cash=hole)
