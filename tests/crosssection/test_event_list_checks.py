"""Event lists: a repeated event is rejected by name; an event window past the data's end is
dropped and counted, never summed over fewer days under the full window's label."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.crosssection import run_cross_section
from eventstudy.exceptions import DataCoverageWarning, DataError, DroppedEventsWarning


def panel(n_days: int = 300) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(4)
    dates = pd.bdate_range("2020-01-01", periods=n_days)
    m = pd.Series(rng.normal(0, 0.01, n_days), index=dates)
    r = pd.DataFrame(
        {t: 0.9 * m + rng.normal(0, 0.01, n_days) for t in ("AA", "BB", "CC")}, index=dates
    )
    return r, m


def test_repeated_event_is_rejected_naming_it() -> None:
    r, m = panel()
    sunday = pd.Timestamp("2020-09-06")  # moves to Monday 2020-09-07
    events = pd.DataFrame(
        {"ticker": ["AA", "BB", "AA"], "date": [sunday, sunday, pd.Timestamp("2020-09-07")]}
    )
    with pytest.raises(
        DataError, match=r"listed more than once: ticker 'AA' on 2020-09-07 \(rows \[0, 2\]; 2 rows"
    ):
        run_cross_section(r, m, events, estimation=(-120, -11), event_window=(-2, 2))


def test_event_window_past_the_end_is_dropped_and_counted() -> None:
    r, m = panel()
    last = r.index[-1]
    events = pd.DataFrame({"ticker": ["AA", "BB", "CC"], "date": [r.index[200], r.index[-3], last]})
    # window [-2, 5]: the event three days before the end would have days +3..+5 missing, the
    # event on the last day days +1..+5; both leave, counted under their reason
    with pytest.warns(
        DroppedEventsWarning, match="{'event_window_past_data_end': 2}; min_estimation"
    ):
        res = run_cross_section(r, m, events, estimation=(-120, -11), event_window=(-2, 5))
    assert res.n_events == 1
    assert dict(res.dropped_reasons) == {"event_window_past_data_end": 2}
    assert res.events["ticker"].tolist() == ["AA"]
    # boundary: a window that ends exactly on the last date is complete and kept
    fits = pd.DataFrame({"ticker": ["AA", "BB"], "date": [r.index[200], r.index[-6]]})
    res = run_cross_section(r, m, fits, estimation=(-120, -11), event_window=(-2, 5))
    assert res.n_events == 2


def test_event_day_without_any_return_gives_nan_means_silently() -> None:
    """A day of the event window on which no security has a return: AAR, mean BHAR and the
    CAR mean are NaN / carried, with no 'Mean of empty slice' RuntimeWarning (an error here)."""
    r, m = panel()
    r.iloc[210, :] = np.nan  # relative day +1 of events dated at row 209
    events = pd.DataFrame({"ticker": ["AA", "BB", "CC"], "date": [r.index[209]] * 3})
    res = run_cross_section(r, m, events, estimation=(-120, -11), event_window=(-1, 2))
    assert np.isnan(res.caar.loc[1, "mean_bhar"]) and res.caar.loc[1, "n"] == 0
    # every day: the mean of the finite BHARs, as pandas computes it (NaN where none is)
    expected = res.bhar.mean(axis=0).to_numpy(dtype=float)
    np.testing.assert_allclose(res.caar["mean_bhar"].to_numpy(dtype=float), expected, rtol=1e-12)
    assert np.isfinite(expected[:2]).all()


def test_an_infinite_return_is_refused_naming_ticker_and_date() -> None:
    # an infinite return is not a missing one: the rank tests would place it (a -inf ranks
    # first), so it is refused instead of being read as NaN
    r, m = panel()
    events = pd.DataFrame({"ticker": ["AA"], "date": [r.index[200]]})
    bad = r.copy()
    bad.iloc[150, 1] = -np.inf
    bad.iloc[160, 2] = np.inf
    with pytest.raises(
        DataError, match=r"returns has an infinite value: 'BB' on 2020-07-29 \(and 1 more\)"
    ):
        run_cross_section(bad, m, events, estimation=(-120, -11), event_window=(-2, 2))
    m_bad = m.rename("SPX").copy()
    m_bad.iloc[10] = np.inf
    with pytest.raises(DataError, match=r"market has an infinite value: 'SPX' on 2020-01-15;"):
        run_cross_section(r, m_bad, events, estimation=(-120, -11), event_window=(-2, 2))


def test_a_market_hole_inside_the_event_windows_is_warned_with_its_date() -> None:
    """A missing market return on the event day removes every event's day-0 abnormal return,
    and the CARs sum the other days: warned, naming the date and the events. A hole in the
    estimation window only (one observation fewer), or a stock's own missing return
    (counted in the tables' n), is not."""
    r, m = panel()
    events = pd.DataFrame({"ticker": ["AA", "BB", "CC"], "date": [r.index[209]] * 3})
    kw = {"estimation": (-120, -11), "event_window": (-2, 2)}
    hole = m.copy()
    hole.iloc[209] = np.nan
    with pytest.warns(DataCoverageWarning) as caught:
        res = run_cross_section(r, hole, events, **kw)
    (w,) = caught
    assert str(w.message).startswith(
        f"the model's market return or factors are missing on {r.index[209]:%Y-%m-%d}, inside "
        "the event windows of 3 of 3 events"
    )
    assert res.caar.loc[0, "n"] == 0
    quiet = m.copy()
    quiet.iloc[150] = np.nan
    own = r.copy()
    own.iloc[209, 0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataCoverageWarning)
        run_cross_section(r, quiet, events, **kw)
        run_cross_section(own, m, events, **kw)


def test_the_report_leads_with_the_windows_that_differ_from_zero() -> None:
    """The bottom line counts and names the CAR windows whose verdict test (adjusted BMP)
    rejects at 1 - level, as read off the window tests: a +4% jump on day 0 for every stock
    is found in the one-day window; without the jump, the windows the tests reject (if any)."""
    from eventstudy.report.cross_section import bottom_line

    r, m = panel()
    events = pd.DataFrame({"ticker": ["AA", "BB", "CC"], "date": [r.index[209]] * 3})
    kw = {"estimation": (-120, -11), "event_window": (-2, 2), "level": 0.9}
    windows = [(-2, -1), (0, 0), (-2, 2)]
    jump = r.copy()
    jump.iloc[209] += 0.04
    for returns in (jump, r):
        res = run_cross_section(returns, m, events, car_windows=windows, **kw)
        p = {w: res.window_tests[w]["car_adjusted_boehmer"].p_value for w in windows}
        sig = [w for w in windows if p[w] < 0.1]
        line = bottom_line(res)
        if returns is jump:
            assert (0, 0) in sig
        if sig:
            assert line.startswith(f"{len(sig)} of 3 CAR windows' means differ from zero at 10% ")
            assert "(car_adjusted_boehmer) (not corrected for the 3 windows): " in line
            for w in windows:
                assert (f"{w[0]}..{w[1]} (" in line) == (w in sig), w
        else:
            assert line.startswith("No CAR window's mean differs from zero at 10% once")


def test_events_of_one_stock_that_meet_are_counted_against_a_pair_loop() -> None:
    """Overlapping event windows of one stock, and an event window inside a later event's
    estimation window, are warned with counts that a loop over pairs of events gives."""
    import warnings

    from eventstudy.exceptions import OverlappingEventsWarning

    rng = np.random.default_rng(11)
    cal = pd.bdate_range("2015-01-02", periods=700)
    m = pd.Series(rng.normal(0.0004, 0.01, 700), index=cal, name="mkt")
    r = pd.DataFrame(
        {f"S{i}": 0.9 * m.to_numpy() + rng.normal(0, 0.015, 700) for i in range(4)}, index=cal
    )
    est, evw = (-250, -11), (-5, 5)
    cells = rng.choice((np.arange(260, 690)[:, None] * 4 + np.arange(4)).ravel(), 40, replace=False)
    pos, col = cells // 4, cells % 4
    events = pd.DataFrame({"ticker": [f"S{c}" for c in col], "date": cal[pos]})
    overlap = inside = 0
    for i in range(len(pos)):  # every pair: the reference
        same = [j for j in range(len(pos)) if j != i and col[j] == col[i]]
        overlap += any(abs(pos[j] - pos[i]) <= evw[1] - evw[0] for j in same)
        inside += any(
            pos[j] + evw[1] >= pos[i] + est[0] and pos[j] + evw[0] <= pos[i] + est[1] for j in same
        )
    assert overlap and inside
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_cross_section(r, m, events, estimation=est, event_window=evw, workers=1)
    (w,) = [x for x in caught if x.category is OverlappingEventsWarning]
    text = str(w.message)
    assert f"{overlap} event(s) whose event window overlaps another event's" in text
    assert f"{inside} event(s) with an earlier event of the same stock inside" in text
    apart = events.groupby("ticker").head(1)  # one event per stock: nothing to say
    with warnings.catch_warnings():
        warnings.simplefilter("error", OverlappingEventsWarning)
        run_cross_section(r, m, apart, estimation=est, event_window=evw, workers=1)


def test_dates_without_any_return_are_named_and_kept() -> None:
    """Rows without a return for any stock or the market (a calendar-day index) are named with
    the fix, and kept: from returns alone a weekend row cannot be told from the Monday after
    it, whose returns computed from calendar-day prices are missing too, and dropping such
    rows moved Monday events to Tuesday (a review found it). The first row (returns computed
    from prices start with one) is not named."""
    import warnings

    from eventstudy.crosssection.inputs import returns_from_prices
    from eventstudy.exceptions import DataCoverageWarning

    rng = np.random.default_rng(3)
    cal = pd.bdate_range("2015-01-02", periods=500)
    m = pd.Series(rng.normal(0.0004, 0.01, 500), index=cal, name="mkt")
    r = pd.DataFrame(
        {f"S{i}": 0.9 * m.to_numpy() + rng.normal(0, 0.015, 500) for i in range(6)}, index=cal
    )
    r.iloc[0], m.iloc[0] = np.nan, np.nan  # as pct_change leaves them
    events = pd.DataFrame({"ticker": r.columns, "date": pd.Timestamp("2016-03-07")})  # a Monday
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataCoverageWarning)
        plain = run_cross_section(r, m, events, workers=1)
    assert plain.n_moved == 0
    days = pd.date_range(cal[0], cal[-1], freq="D")
    prices = (1 + r.fillna(0)).cumprod().reindex(days)  # closes on weekdays, NaN at weekends
    returns = returns_from_prices(prices)  # a Monday's return spans the weekend: NaN
    market = returns_from_prices((1 + m.fillna(0)).cumprod().reindex(days))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        daily = run_cross_section(returns, market, events, workers=1)
    said = [str(w.message) for w in caught if w.category is DataCoverageWarning]
    assert any(
        re.search(
            r"returns: \d+ date\(s\) without a return .*\(Sat\).*count them as trading days.*"
            r"dropna\(how='all'\)",
            text,
        )
        for text in said
    ), said
    assert daily.n_moved == 0  # the Monday event stays on its Monday
    assert (daily.events["trading_date"] == pd.Timestamp("2016-03-07")).all()


def test_a_bad_event_date_from_python_names_its_row_and_ticker() -> None:
    r, m = panel()
    events = pd.DataFrame(
        {"ticker": ["AA", "BB", "CC"], "date": ["2020-10-01", "2020-13-01", "2020-10-02"]}
    )
    with pytest.raises(
        DataError,
        match=r"events\['date'\] of ticker 'BB' \(row 1\) is not a date: '2020-13-01' \(1 such row\)",
    ):
        run_cross_section(r, m, events, estimation=(-120, -11), event_window=(-2, 2))
