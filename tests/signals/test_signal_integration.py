"""Signals on the real data snapshot (skipped unless EVENTSTUDY_DATA is set)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.events import find_events
from eventstudy.signals import Calendar, Divergence, Move

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def spx(snapshot_dir: Path) -> pd.DataFrame:
    path = snapshot_dir / "series" / "yahoo" / "GSPC.csv"
    df = pd.read_csv(path, parse_dates=["date"], index_col="date")
    return df[["close"]].rename(columns={"close": "spx"}).dropna()


def test_black_monday_is_a_record_one_day_fall(spx):
    # Published S&P 500 closes: 1987-10-16 282.70, 1987-10-19 224.84 (-20.47 %)
    res = Move(series="spx", n=1, mode="record_low", lookback=756).compute(spx)
    assert res.value.loc["1987-10-19"] == pytest.approx(224.84 / 282.70 - 1, abs=1e-4)
    assert res.trigger.loc["1987-10-19"]


def test_august_1982(spx):
    # Published closes: 1982-07-30 107.09, 1982-08-31 119.51 (+11.6 %)
    res = Calendar(series="spx", month=8, since=1950).compute(spx)
    assert res.value.loc["1982-08-31"] == pytest.approx(119.51 / 107.09 - 1, abs=1e-4)
    assert res.trigger.loc["1982-08-31"]


def test_declustered_divergence_runs_fast(spx):
    data = spx.assign(lag=spx["spx"].shift(3)).dropna()
    res = Divergence(a="spx", b="lag", n=5, k=3.0, sigma="rolling", window=252).compute(data)
    ev = find_events(res)
    assert 0 < ev.n_events <= ev.n_triggers
