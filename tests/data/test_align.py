"""Alignment: a series that ends early is an error naming it, unless the config sets an end."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.data.align import align
from eventstudy.data.records import LoadedSeries, SeriesInfo
from eventstudy.exceptions import DataError


def _series(name: str, start: str, end: str) -> LoadedSeries:
    idx = pd.bdate_range(start, end)
    s = pd.Series(range(1, len(idx) + 1), index=idx, dtype="float64", name=name)
    return LoadedSeries(
        s, SeriesInfo.of(name, idx, source=f"{name}.csv", column="close", sha256="0")
    )


def test_a_series_that_ends_early_is_named_with_its_last_date() -> None:
    long = _series("yahoo:GSPC", "2010-01-01", "2026-08-21")
    short = _series("fred:OLD", "2010-01-01", "2019-01-10")
    with pytest.raises(
        DataError,
        match=r"series 'old' \(fred:OLD\) ends on 2019-01-10, before the others \(latest "
        r"2026-08-21\).*\[data\] end = 2019-01-10",
    ):
        align({"spx": long, "old": short})
    ok = align({"spx": long, "old": short}, end="2019-01-10")  # the config accepts it
    assert ok.frame.index[-1] == pd.Timestamp("2019-01-10")
    # a week of difference is tolerated (a holiday, a late update)
    near = _series("fred:NEAR", "2010-01-01", "2026-08-17")
    assert align({"spx": long, "near": near}).frame.index[-1] == pd.Timestamp("2026-08-17")
    assert align({"old": short}).frame.index[-1] == pd.Timestamp("2019-01-10")
