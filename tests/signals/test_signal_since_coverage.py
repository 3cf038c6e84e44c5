"""A record or a calendar rank "since" a date the series does not reach is refused, and so are
settings under which the signal could never fire (review 2026-12, findings 1.1 and 2.4).

Before, "the largest 5-day gain since 1970" on a series from 1987 was judged against the
returns from 1987 only, and a lookback or a since beyond the data reported "never fired".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.signals import Calendar, Move


def walk(start: str, end: str, seed: int = 5) -> pd.DataFrame:
    idx = pd.bdate_range(start, end)
    steps = np.random.default_rng(seed).normal(0, 0.01, len(idx))
    return pd.DataFrame({"x": 100 * np.exp(np.cumsum(steps))}, index=idx)


def test_move_since_before_the_series_is_refused_naming_both_dates():
    data = walk("2000-01-03", "2003-12-31")
    data.iloc[:2] = np.nan  # the series itself starts on its third date
    first = data["x"].first_valid_index()  # independent: pandas' first non-NaN date
    assert f"{first:%Y-%m-%d}" == "2000-01-05"
    with pytest.raises(
        ValueError,
        match=r"^since = 1999-06-01 is before the first date of series 'x' \(2000-01-05\)",
    ):
        Move(series="x", n=5, mode="record_high", since="1999-06-01").compute(data)
    # from the first date, the first five 5-day returns are missing (it was accepted, the
    # record silently judged from 2000-01-12): refused, as the move fact is not checkable
    # (eventstudy.data.first_change_after); from the first 5-day return on it is computed
    first_return = data["x"].pct_change(5, fill_method=None).first_valid_index()
    assert f"{first_return:%Y-%m-%d}" == "2000-01-12"
    with pytest.raises(
        ValueError,
        match=r"^since = 2000-01-05 is before the first 5-day return of series 'x' "
        r"\(2000-01-12; its data start 2000-01-05\)",
    ):
        Move(series="x", n=5, mode="record_high", since="2000-01-05").compute(data)
    res = Move(series="x", n=5, mode="record_high", since="2000-01-12").compute(data)
    assert res.trigger.any()


def test_move_since_after_the_data_or_a_lookback_longer_than_the_data_is_refused():
    data = walk("2000-01-03", "2003-12-31")
    with pytest.raises(ValueError, match=r"since = 2030-01-01 leaves 0 5-day return\(s\)"):
        Move(series="x", n=5, mode="record_low", since="2030-01-01").compute(data)
    # independent: pandas counts the 5-day returns the data hold
    n_returns = int(data["x"].pct_change(5).notna().sum())
    assert n_returns == len(data) - 5
    with pytest.raises(
        ValueError, match=rf"lookback = 20000 needs 20000 earlier .* the data hold {n_returns:,} "
    ):
        Move(series="x", n=5, mode="record_high", lookback=20000).compute(data)
    # one return more than the lookback: it can fire, and is computed
    Move(series="x", n=5, mode="record_high", lookback=n_returns - 1).compute(data)


def test_calendar_since_before_the_series_is_refused_naming_its_first_period():
    data = walk("2000-03-15", "2006-12-29")
    # independent: month-end closes; the first August with a July close before it
    month_end = data["x"].resample("ME").last()
    aug = month_end.pct_change()[month_end.index.month == 8].dropna()
    assert f"{aug.index[0]:%Y-%m}" == "2000-08"
    with pytest.raises(
        ValueError,
        match=r"^since = 1950 compares the Augusts of 1951 on, but series 'x' starts "
        r"2000-03-15 and its first August return is 2000-08",
    ):
        Calendar(series="x", month=8, since=1950).compute(data)
    # since 1999 compares the Augusts from 2000 on: all held
    Calendar(series="x", month=8, since=1999).compute(data)
    # every month: January 2000 has no December close before it
    with pytest.raises(ValueError, match=r"first month return is 2000-04"):
        Calendar(series="x", since=1999).compute(data)


def test_calendar_since_that_can_never_fire_is_refused():
    data = walk("2000-01-03", "2006-12-29")
    with pytest.raises(
        ValueError, match=r"since = 2030 leaves no August .*\(its data end 2006-12-29"
    ):
        Calendar(series="x", month=8, since=2030).compute(data)
    # top 2 needs two compared years before the current one: 2004, 2005 -> 2006 can fire
    Calendar(series="x", month=8, since=2003, top_n=2).compute(data)
    with pytest.raises(ValueError, match=r"since = 2004 leaves no August with 2 compared"):
        Calendar(series="x", month=8, since=2004, top_n=2).compute(data)
