"""calendar: best / worst month or quarter since a year, by hand on piecewise-constant prices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.signals import Calendar
from tests.signals.sig_helpers import assert_no_look_ahead, random_walk

# August closes by year; every other month closes at 100.  So the August return is
# c/100 - 1 (July closed at 100) and September's is 100/c - 1.
AUG = {2000: 102.0, 2001: 99.0, 2002: 103.0, 2003: 101.0, 2004: 104.0}


def august_frame(end: str = "2004-12-31") -> pd.DataFrame:
    idx = pd.bdate_range("2000-01-03", end)
    px = np.where(idx.month == 8, [AUG.get(y, 100.0) for y in idx.year], 100.0)
    return pd.DataFrame({"x": px.astype(float)}, index=idx)


def trig_dates(res) -> list[str]:
    return [d.date().isoformat() for d in res.trigger.index[res.trigger.to_numpy()]]


def test_best_august_all_history():
    res = Calendar(series="x", month=8).compute(august_frame())
    # 2000: no past August; 2001 -1% < 2%; 2002 3% best; 2003 1% no; 2004 4% best
    assert trig_dates(res) == ["2002-08-30", "2004-08-31"]
    vals = res.value.dropna()
    assert [d.date().isoformat() for d in vals.index] == [
        "2000-08-31",
        "2001-08-31",
        "2002-08-30",
        "2003-08-29",
        "2004-08-31",
    ]
    np.testing.assert_allclose(vals.to_numpy(), [0.02, -0.01, 0.03, 0.01, 0.04], atol=1e-12)
    assert res.threshold is None and res.look_ahead is False
    assert res.description.startswith("x August return (last close to last close) is the best")


def test_best_since_year_and_worst_and_top_n():
    data = august_frame()
    # since is left out: 2004 (+4%) against 2003 (+1%) only
    assert trig_dates(Calendar(series="x", month=8, since=2002).compute(data)) == ["2004-08-31"]
    # 2004 has no August after 2003 before it: nothing to be the best of, ever
    with pytest.raises(ValueError, match="^since = 2003 leaves no August with 1 compared"):
        Calendar(series="x", month=8, since=2003).compute(data)
    worst = Calendar(series="x", month=8, rank="worst", since=1999).compute(data)
    assert trig_dates(worst) == ["2001-08-31"]
    # "the worst August since 2000": 2001 is compared with no August (2000 is left out)
    since_2000 = Calendar(series="x", month=8, rank="worst", since=2000).compute(data)
    assert trig_dates(since_2000) == []
    # top 2 needs >= 2 past Augusts: 2002 (beats both), 2003 (1% < 2%, 3% -> 3rd) no, 2004 yes
    top2 = Calendar(series="x", month=8, top_n=2).compute(data)
    assert trig_dates(top2) == ["2002-08-30", "2004-08-31"]


def test_every_month_vs_same_month():
    res = Calendar(series="x").compute(august_frame())
    # flat months tie (0 % each year) and a tie is not a new best; Sept 2001 = 100/99-1 beats
    # Sept 2000 = 100/102-1; later Septembers do not beat 2001.
    assert trig_dates(res) == ["2001-09-28", "2002-08-30", "2004-08-31"]
    assert res.value.notna().sum() == 59  # Feb 2000 .. Dec 2004 (Jan 2000 has no prior close)


def test_quarter():
    g = {2000: 0.05, 2001: 0.02, 2002: 0.06, 2003: -0.01}
    idx = pd.bdate_range("2000-01-03", "2003-12-31")
    px = np.where(idx.quarter == 3, [100 * (1 + g[y]) for y in idx.year], 100.0)
    data = pd.DataFrame({"x": px}, index=idx)
    best = Calendar(series="x", quarter=3).compute(data)
    assert trig_dates(best) == ["2002-09-30"]
    np.testing.assert_allclose(best.value.dropna().to_numpy(), [0.05, 0.02, 0.06, -0.01])
    worst = Calendar(series="x", quarter=3, rank="worst").compute(data)
    assert trig_dates(worst) == ["2001-09-28", "2003-09-30"]


def test_incomplete_final_month_dropped():
    res = Calendar(series="x", month=8).compute(august_frame(end="2004-08-20"))
    assert trig_dates(res) == ["2002-08-30"]
    assert np.isnan(res.value.iloc[-1])
    full = Calendar(series="x", month=8).compute(august_frame(end="2004-08-31"))
    assert trig_dates(full)[-1] == "2004-08-31"


def test_missing_previous_month_gives_nan():
    data = august_frame()
    data = data[~((data.index.year == 2001) & (data.index.month == 7))]
    res = Calendar(series="x", month=8).compute(data)
    assert np.isnan(res.value.loc["2001-08-31"])
    assert res.value.loc["2002-08-30"] == pytest.approx(0.03)


def test_no_look_ahead():
    data = random_walk(900, seed=3)
    sig = Calendar(series="a", rank="worst")
    assert_no_look_ahead(sig.compute, data, cuts=[100, 400, 650, 898])


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"month": 13}, ValueError, "month must be <= 12"),
        ({"quarter": 0}, ValueError, "quarter must be >= 1"),
        ({"month": 3, "quarter": 1}, ValueError, "^give at most one of month and quarter$"),
        ({"rank": "top"}, ValueError, r"rank must be one of \['best', 'worst'\]"),
        ({"since": 99}, ValueError, "since must be >= 1000"),
        ({"top_n": 0}, ValueError, "top_n must be >= 1"),
        ({"month": "Aug"}, TypeError, "month must be an integer"),
    ],
)
def test_bad_parameters(params, exc, match):
    with pytest.raises(exc, match=match):
        Calendar(series="x", **params)


# ----------------------------------------------------------------------------- brute force


def _last_bday(year: int, month: int) -> pd.Timestamp:
    """Last Monday-Friday of a calendar month, by stepping back from the month's last day."""
    d = pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)
    while d.weekday() >= 5:
        d -= pd.Timedelta(days=1)
    return d


def brute_calendar(
    x: pd.Series,
    *,
    quarterly: bool = False,
    wanted: int | None = None,
    rank: str = "best",
    since: int | None = None,
    top_n: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Calendar value / trigger with explicit loops (class docstring of Calendar)."""
    dates, px = list(x.index), x.to_numpy(dtype=float)

    def key(d: pd.Timestamp) -> tuple[int, int]:
        return (d.year, (d.month - 1) // 3 + 1) if quarterly else (d.year, d.month)

    last: dict[tuple[int, int], int] = {}
    for i, d in enumerate(dates):
        last[key(d)] = i  # ascending dates: the final assignment is the period's last day
    keys = sorted(last)
    y_end, s_end = keys[-1]
    month_end = 3 * s_end if quarterly else s_end
    if dates[-1] < _last_bday(y_end, month_end):
        keys = keys[:-1]  # incomplete final period
    ret: dict[tuple[int, int], float] = {}
    for y, s in keys:
        prev = (y, s - 1) if s > 1 else (y - 1, 4 if quarterly else 12)
        r = np.nan
        if prev in last:
            with np.errstate(divide="ignore", invalid="ignore"):
                r = px[last[(y, s)]] / px[last[prev]] - 1.0
            if not np.isfinite(r):
                r = np.nan
        ret[(y, s)] = r
    value = np.full(len(px), np.nan)
    trig = np.zeros(len(px), dtype=bool)
    for y, s in keys:
        if wanted is not None and s != wanted:
            continue
        r = ret[(y, s)]
        value[last[(y, s)]] = r
        past = [
            ret[(y2, s2)]
            for (y2, s2) in keys
            if s2 == s and y2 < y and (since is None or y2 > since) and not np.isnan(ret[(y2, s2)])
        ]
        beats = sum(1 for q in past if (q >= r if rank == "best" else q <= r))
        trig[last[(y, s)]] = (not np.isnan(r)) and len(past) >= top_n and beats < top_n
    return value, trig


def _walk_with_gap(seed: int) -> pd.DataFrame:
    """Random walk 1994-2003 with a missing month (no prior close for the next month)."""
    idx = pd.bdate_range("1994-01-03", "2003-12-31")
    rng = np.random.default_rng(seed)
    px = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx))))
    frame = pd.DataFrame({"x": px}, index=idx)
    return frame[~((frame.index.year == 1998) & (frame.index.month == 6))]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"month": 7},
        {"month": 1, "rank": "worst"},
        {"rank": "worst", "since": 1997, "top_n": 2},
        {"month": 3, "top_n": 3},
        {"quarter": 2},
        {"quarter": 4, "rank": "worst", "since": 1995},
        {"quarter": 1, "top_n": 2, "since": 1995},
    ],
)
def test_random_walk_against_brute_force(params):
    data = _walk_with_gap(11)
    res = Calendar(series="x", **params).compute(data)
    value, trig = brute_calendar(
        data["x"],
        quarterly="quarter" in params,
        wanted=params.get("month", params.get("quarter")),
        rank=params.get("rank", "best"),
        since=params.get("since"),
        top_n=params.get("top_n", 1),
    )
    np.testing.assert_allclose(res.value.to_numpy(), value, rtol=1e-10)
    np.testing.assert_array_equal(res.trigger.to_numpy(), trig)
    assert trig.any()  # the case exercises the trigger
    assert res.value.index.equals(data.index)


@pytest.mark.parametrize("params", [{}, {"rank": "worst"}, {"month": 8, "rank": "worst"}])
def test_ties_against_brute_force(params):
    data = august_frame()
    res = Calendar(series="x", **params).compute(data)
    value, trig = brute_calendar(
        data["x"], wanted=params.get("month"), rank=params.get("rank", "best")
    )
    np.testing.assert_allclose(res.value.to_numpy(), value, rtol=1e-10)
    np.testing.assert_array_equal(res.trigger.to_numpy(), trig)


def test_truncation_never_changes_earlier_values():
    """The value and trigger on date t use data up to t only: truncate after t and compare."""
    data = _walk_with_gap(5)
    sig = Calendar(series="x", rank="worst", top_n=2)
    full = sig.compute(data)
    month_ends = [data.index.get_loc(d) for d in ["1996-05-31", "1999-12-31", "2001-08-31"]]
    for t in [*month_ends, 900, 1700]:
        part = sig.compute(data.iloc[: t + 1])
        np.testing.assert_allclose(part.value.to_numpy(), full.value.to_numpy()[: t + 1])
        np.testing.assert_array_equal(part.trigger.to_numpy(), full.trigger.to_numpy()[: t + 1])
    # a month ending exactly on its last business day is complete and kept
    cut = data.loc[:"1996-05-31"]
    assert not np.isnan(sig.compute(cut).value.iloc[-1])
    assert np.isnan(sig.compute(data.loc[:"1996-05-30"]).value.iloc[-1])


def test_final_month_ending_on_a_weekend():
    # August 2003 ends on Sunday 31st: Friday 29th is its last business day, so data ending
    # on the 29th hold a complete August; a quarter ending Sunday 2003-08-31 is not relevant.
    idx = pd.bdate_range("2003-06-02", "2003-08-29")
    data = pd.DataFrame({"x": np.linspace(100.0, 110.0, len(idx))}, index=idx)
    res = Calendar(series="x", month=8).compute(data)
    value, _ = brute_calendar(data["x"], wanted=8)
    assert res.value.iloc[-1] == pytest.approx(data["x"].iloc[-1] / data.loc["2003-07-31", "x"] - 1)
    np.testing.assert_allclose(res.value.to_numpy(), value, rtol=1e-10)
    # one day short of the last business day: the month is incomplete
    assert res.value.iloc[:-1].isna().all()
    assert Calendar(series="x", month=8).compute(data.iloc[:-1]).value.isna().all()


def test_zero_previous_close_and_empty_data():
    idx = pd.bdate_range("2000-01-03", "2000-03-31")
    px = np.where(idx.month == 1, 0.0, 5.0)
    res = Calendar(series="x").compute(pd.DataFrame({"x": px}, index=idx))
    # February return 5/0 - 1 is infinite -> NaN; March 5/5 - 1 = 0
    assert res.value.dropna().tolist() == [0.0]
    assert res.value.loc["2000-03-31"] == 0.0


@pytest.mark.parametrize("params", [{}, {"quarter": 1}])
def test_empty_data(params):
    """Empty data give an empty result (crashed before: period index without a freq)."""
    empty = pd.DataFrame({"x": np.array([], dtype=float)}, index=pd.DatetimeIndex([]))
    out = Calendar(series="x", **params).compute(empty)
    assert len(out.value) == 0 and out.n_triggers == 0


def test_period_returns_frame():
    from eventstudy.signals.calendar import period_returns

    data = august_frame(end="2000-10-31")["x"]
    pr = period_returns(data, "M")
    assert list(pr.columns) == ["pos", "ret"]
    assert [str(p) for p in pr.index] == [f"2000-{m:02d}" for m in range(1, 11)]
    assert pr["pos"].tolist() == [
        data.index.get_loc(d) for d in data.groupby(data.index.to_period("M")).tail(1).index
    ]
    assert np.isnan(pr["ret"].iloc[0])
    assert pr["ret"].iloc[7] == pytest.approx(0.02, rel=1e-10)  # August 2000: 102/100 - 1
    assert pr["ret"].iloc[8] == pytest.approx(100 / 102 - 1, rel=1e-10)
    empty = period_returns(data.iloc[:0], "M")
    assert list(empty.columns) == ["pos", "ret"] and len(empty) == 0
    assert empty["pos"].dtype == np.int64 and empty["ret"].dtype == np.float64
    assert isinstance(empty.index, pd.PeriodIndex)


def test_zero_over_zero_month_is_nan_without_warnings():
    """0/0 and x/0 month returns are NaN (RuntimeWarnings are errors in this test suite)."""
    idx = pd.bdate_range("2000-01-03", "2000-04-28")
    px = np.select([idx.month <= 2, idx.month == 3], [0.0, 5.0], 6.0)
    res = Calendar(series="x").compute(pd.DataFrame({"x": px}, index=idx))
    # Feb: 0/0, Mar: 5/0 -> NaN; Apr: 6/5 - 1
    assert res.value.dropna().index.tolist() == [pd.Timestamp("2000-04-28")]
    assert res.value.iloc[-1] == pytest.approx(0.2, rel=1e-10)


@pytest.mark.parametrize(
    ("params", "text"),
    [
        (
            {"month": 8, "since": 2000},
            "x August return (last close to last close) is the best August since 2000",
        ),
        (
            {"month": 1, "rank": "worst", "top_n": 3},
            "x January return (last close to last close) is the worst 3 January in the data",
        ),
        (
            {"month": 12},
            "x December return (last close to last close) is the best December in the data",
        ),
        (
            {"quarter": 2, "top_n": 2, "since": 1990},
            "x Q2 return (last close to last close) is the best 2 Q2 since 1990",
        ),
        (
            {},
            "x monthly return (last close to last close) is the best for its calendar month "
            "in the data",
        ),
    ],
)
def test_description(params, text):
    # 1990-2004: covers every since of the cases, and the years after it
    idx = pd.bdate_range("1990-01-01", "2004-12-31")
    walk = np.exp(np.cumsum(np.random.default_rng(3).normal(0, 0.01, len(idx))))
    res = Calendar(series="x", **params).compute(pd.DataFrame({"x": 100 * walk}, index=idx))
    assert res.description == text
    assert res.summary().startswith(text + "\n")


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"month": 0}, ValueError, "month must be >= 1, got 0"),
        ({"quarter": 5}, ValueError, "quarter must be <= 4, got 5"),
        ({"since": 10000}, ValueError, "since must be <= 9999"),
        ({"top_n": 2.0}, TypeError, "top_n must be an integer"),
        ({"quarter": "2"}, TypeError, "quarter must be an integer"),
        ({"since": "2000"}, TypeError, "since must be an integer"),
        ({"series": ""}, ValueError, "series must be a non-empty column name"),
    ],
)
def test_more_bad_parameters(params, exc, match):
    kw = {"series": "x", **params}
    with pytest.raises(exc, match=match):
        Calendar(**kw)


def test_valid_extremes_accepted():
    for kw in ({"month": 1}, {"month": 12}, {"quarter": 1}, {"quarter": 4}, {"since": 1000}):
        Calendar(series="x", **kw)
    Calendar(series="x", since=9999, top_n=1)


def test_the_signal_and_the_calendar_rank_fact_read_since_alike():
    """ "The best August since YEAR" fires on the signal exactly when the calendar_rank fact
    reproduces it (rank 1, no tie, at least one year compared), for every August and YEAR of a
    random walk: both leave YEAR itself out."""
    from eventstudy.facts.compute import calendar_rank

    data = random_walk(n=2600, seed=11, cols=("x",))
    closes = data["x"]
    years = sorted({d.year for d in data.index if d.month == 8})[1:]
    reproduced = 0
    for order in ("best", "worst"):
        # since from the year before the first August to two years before the last (later
        # ones could never fire and are refused)
        for since in range(years[0] - 2, years[-1] - 1):
            fired = set(
                trig_dates(Calendar(series="x", month=8, rank=order, since=since).compute(data))
            )
            for year in years:
                cr = calendar_rank(closes, f"{year}-08", since=since, order=order)
                fact = cr.rank == 1 and not cr.tied and cr.compared > 1
                assert (cr.end.date.strftime("%Y-%m-%d") in fired) == fact, (order, since, year)
                reproduced += fact
    assert reproduced >= 10  # both answers occur
