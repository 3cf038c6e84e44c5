"""A series whose early history is month-end closes starts where it turns daily (review
2026-12, finding 1.4): on FRED's RU2000GPR, the "1m" return of an event on 1979-05-31 ran 21
months (+82.3%), and a "5-day" move was a 5-month one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.api import parse_study, run_study
from eventstudy.data import DataStore
from eventstudy.data.align import sparse_stretches
from eventstudy.exceptions import DataError

STUDY = """
[study]
name = "monthly_head"
seed = 1
[data.series]
g = "test:G"
[signal]
type = "move"
series = "g"
n = 5
mode = "above"
level = 0.02
[events]
min_gap = 21
[evaluation]
horizons = { "1m" = 21 }
targets = [{ series = "g" }]
[inference]
tests = ["hac"]
"""


def write(tmp_path: Path, dates: pd.DatetimeIndex, seed: int = 3) -> DataStore:
    folder = tmp_path / "data" / "series" / "test"
    folder.mkdir(parents=True, exist_ok=True)
    prices = 100 * np.exp(np.cumsum(np.random.default_rng(seed).normal(0, 0.01, dates.size)))
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "close": prices}).to_csv(
        folder / "G.csv", index=False
    )
    return DataStore(tmp_path / "data")


def month_end_then_daily() -> pd.DatetimeIndex:
    monthly = pd.date_range("1995-01-31", "1999-12-31", freq="ME")  # calendar month ends
    daily = pd.bdate_range("2000-01-03", "2004-12-31")
    return monthly.append(daily)


def test_sparse_stretches_finds_the_month_end_history_only() -> None:
    dates = month_end_then_daily()
    # a lone 9-day closure in the daily part is a gap, not a stretch
    dates = dates[(dates < "2001-09-11") | (dates > "2001-09-19")]
    st = sparse_stretches(dates)
    assert len(st) == 1
    # independent: the stretch ends at the date after the last gap of > 5 calendar days
    # before the closure, and holds every date up to it
    gap = np.asarray((dates[1:] - dates[:-1]).days)
    end = dates[int(np.flatnonzero((gap > 5) & (dates[:-1] < pd.Timestamp("2001-01-01")))[-1]) + 1]
    assert end == pd.Timestamp("1999-12-31")
    assert st["first"].iloc[0] == dates[0] and st["last"].iloc[0] == end
    assert st["rows"].iloc[0] == int((dates <= end).sum()) == 60  # month ends 1995-01..1999-12


def test_a_month_end_head_is_cut_counted_and_said(tmp_path: Path) -> None:
    dates = month_end_then_daily()
    result = run_study(parse_study(STUDY), store=write(tmp_path, dates))
    frame = result.data.aligned.frame
    # the last month end before the daily part: 1999-12-31; the series starts there
    assert frame.index[0] == pd.Timestamp("1999-12-31")
    n_cut = int((dates < pd.Timestamp("1999-12-31")).sum())
    assert n_cut == 59
    note = next(n for n in result.data.notes if "not daily" in n)
    assert note.startswith(
        "Series 'g' (test:G) is not daily from 1995-01-31 to 1999-12-31 (median gap 31 "
        "calendar days, 60 dates)"
    )
    assert f"its {n_cut} dates before 1999-12-31 are dropped" in note
    assert any("not daily" in c for c in result.caveats)
    # every event's 1m return is 21 trading days: recomputed with pandas on the daily data
    g = pd.read_csv(tmp_path / "data" / "series" / "test" / "G.csv", index_col=0, parse_dates=True)
    g = g["close"].loc["1999-12-31":]
    ev = result.variants[0].events
    expected = (g.shift(-21) / g - 1.0).loc[ev.dates].dropna().mean()
    assert result.variants[0].evaluations["g"].horizons["1m"].mean == pytest.approx(expected)


def test_a_series_not_daily_to_its_end_or_a_start_inside_the_stretch_is_refused(
    tmp_path: Path,
) -> None:
    weekly = pd.date_range("2000-01-07", "2010-12-31", freq="W-FRI")
    with pytest.raises(
        DataError,
        match=r"is not daily from 2000-01-07 to 2010-12-31 .* up to "
        "its last date",
    ):
        run_study(parse_study(STUDY), store=write(tmp_path / "w", weekly))
    started = STUDY.replace("[data.series]", "[data]\nstart = 1997-01-01\n[data.series]")
    with pytest.raises(DataError, match=r"\[data\] start = 1997-01-01 asks for that stretch"):
        run_study(parse_study(started), store=write(tmp_path / "m", month_end_then_daily()))


def test_a_weekly_patch_in_the_middle_is_a_gap_not_a_cut(tmp_path: Path) -> None:
    # five weeks of weekly closes in 2005 inside daily history: the early years are daily, so
    # nothing is cut (the first version cut at the patch and dropped 1,351 of 2,850 rows)
    daily = pd.bdate_range("2000-01-03", "2010-12-31")
    patch = (daily > "2005-03-01") & (daily < "2005-04-08") & (daily.day_of_week != 4)
    dates = daily[~patch]
    assert len(sparse_stretches(dates)) == 1  # the patch is a stretch of its own
    from eventstudy.exceptions import DataCoverageWarning

    with pytest.warns(DataCoverageWarning, match=r"is not daily from 2005-03-04 to 2005-04-08"):
        result = run_study(parse_study(STUDY), store=write(tmp_path, dates))  # said, not cut
    assert len(result.data.aligned.frame) == len(dates)
    assert not any("not daily" in n for n in result.data.notes)


def test_forward_returns_from_python_say_the_month_end_stretch() -> None:
    # the study's loader cuts the stretch; from Python the horizons would run 21 months there
    # (RU2000GPR's +82% "1m" return), and forward_returns says so
    from eventstudy.evaluation import forward_returns
    from eventstudy.exceptions import DataCoverageWarning

    dates = month_end_then_daily()
    prices = pd.Series(np.linspace(100, 200, dates.size), index=dates, name="g")
    with pytest.warns(DataCoverageWarning, match=r"g is not daily from 1995-01-31 to 1999-12-31"):
        forward_returns(prices, {"1m": 21})
    forward_returns(prices.loc["1999-12-31":], {"1m": 21})  # daily: nothing to say
