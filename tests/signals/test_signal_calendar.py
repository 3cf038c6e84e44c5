"""calendar: best / worst month or quarter since a year, by hand on piecewise-constant prices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sig_helpers import assert_no_look_ahead, random_walk

from eventstudy.signals import Calendar

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
    assert trig_dates(Calendar(series="x", month=8, since=2003).compute(data)) == ["2004-08-31"]
    worst = Calendar(series="x", month=8, rank="worst", since=2000).compute(data)
    assert trig_dates(worst) == ["2001-08-31"]
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
        ({"month": 3, "quarter": 1}, ValueError, "at most one of month and quarter"),
        ({"rank": "top"}, ValueError, r"rank must be one of \['best', 'worst'\]"),
        ({"since": 99}, ValueError, "since must be >= 1000"),
        ({"top_n": 0}, ValueError, "top_n must be >= 1"),
        ({"month": "Aug"}, TypeError, "month must be an integer"),
    ],
)
def test_bad_parameters(params, exc, match):
    with pytest.raises(exc, match=match):
        Calendar(series="x", **params)


@pytest.mark.parametrize("params", [{}, {"quarter": 1}])
def test_empty_data(params):
    """Empty data give an empty result (crashed before: period index without a freq)."""
    empty = pd.DataFrame({"x": np.array([], dtype=float)}, index=pd.DatetimeIndex([]))
    out = Calendar(series="x", **params).compute(empty)
    assert len(out.value) == 0 and out.n_triggers == 0
