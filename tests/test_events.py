"""find_events declustering rules, EventTable, episodes()."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.events import DEFAULT_MIN_GAP, EventTable, episodes, find_events
from eventstudy.exceptions import DataError
from eventstudy.signals import Threshold


def trig(n: int, positions) -> pd.Series:
    t = np.zeros(n, dtype=bool)
    t[list(positions)] = True
    return pd.Series(t, index=pd.bdate_range("2001-01-01", periods=n))


POS = [0, 1, 2, 5, 10, 11, 30]


def naive_first(positions: list[int], min_gap: int) -> list[int]:
    """Independent reference: walk every trigger, keep if >= min_gap after the last kept."""
    kept: list[int] = []
    for p in positions:
        if not kept or p - kept[-1] >= min_gap:
            kept.append(p)
    return kept


def naive_episode(positions: list[int], min_gap: int) -> list[int]:
    starts: list[int] = []
    prev = None
    for p in positions:
        if prev is None or p - prev > min_gap:
            starts.append(p)
        prev = p
    return starts


def test_default_min_gap_is_21():
    assert DEFAULT_MIN_GAP == 21
    assert inspect.signature(find_events).parameters["min_gap"].default == 21


def test_first_mode_boundary_exactly_min_gap():
    # gap 5: 0 kept; 1, 2 too close; 5 is exactly 5 after 0 -> kept; 10 exactly 5 after 5 -> kept
    ev = find_events(trig(40, POS), min_gap=5)
    assert ev.positions.tolist() == [0, 5, 10, 30]
    ev6 = find_events(trig(40, POS), min_gap=6)
    assert ev6.positions.tolist() == [0, 10, 30]  # 5 is 5 < 6 after 0; 10 >= 6; 11 < 6 after 10
    assert ev.n_triggers == 7 and ev.n_events == 4 and ev.mode == "first" and ev.min_gap == 5


def test_first_mode_long_run_repeats_every_min_gap():
    ev = find_events(trig(60, range(50)), min_gap=21)
    assert ev.positions.tolist() == [0, 21, 42]


def test_min_gap_one_keeps_every_trigger():
    assert find_events(trig(40, POS), min_gap=1).positions.tolist() == POS


def test_episode_mode():
    # min_gap 3: diffs 1,1,3,5,1,19 -> new episode when diff > 3 (i.e. >= 3 quiet days)
    ev = find_events(trig(40, POS), min_gap=3, mode="episode")
    assert ev.positions.tolist() == [0, 10, 30]
    # min_gap 1: exactly the contiguous runs {0,1,2}, {5}, {10,11}, {30}
    assert find_events(trig(40, POS), min_gap=1, mode="episode").positions.tolist() == [
        0,
        5,
        10,
        30,
    ]
    # a long run is one episode, unlike mode="first"
    assert find_events(trig(60, range(50)), mode="episode").positions.tolist() == [0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 299), max_size=80, unique=True),
    st.integers(1, 40),
)
def test_against_naive_walk(positions, min_gap):
    positions = sorted(positions)
    t = trig(300, positions)
    assert find_events(t, min_gap=min_gap).positions.tolist() == naive_first(positions, min_gap)
    ep = find_events(t, min_gap=min_gap, mode="episode").positions.tolist()
    assert ep == naive_episode(positions, min_gap)
    assert all(np.diff(ep) >= min_gap)


def test_from_signal_result_values_dates_and_frame():
    x = [1.0, 3.0, 3.5, 1.0, 4.0, 1.0, 1.0, 5.0]
    data = pd.DataFrame({"x": x}, index=pd.bdate_range("2001-01-01", periods=8))
    res = Threshold(series="x", level=2.0, cross=False).compute(data)
    ev = find_events(res, min_gap=3)
    # triggers at 1, 2, 4, 7 -> keep 1, 4 (3 after 1), 7 (3 after 4)
    assert ev.positions.tolist() == [1, 4, 7]
    assert ev.values.tolist() == [3.0, 4.0, 5.0]
    assert list(ev.dates) == list(data.index[[1, 4, 7]])
    frame = ev.to_frame()
    assert list(frame.columns) == ["date", "position", "value"]
    assert frame["value"].tolist() == [3.0, 4.0, 5.0]
    assert "3 events from 4 trigger days" in ev.summary()
    assert "x above 2" in ev.summary()
    assert "<table" in ev._repr_html_()


def test_bare_series_has_nan_values_and_empty_case():
    ev = find_events(trig(10, [3]), min_gap=2)
    assert np.isnan(ev.values).all() and ev.n_events == 1
    empty = find_events(trig(10, []))
    assert empty.n_events == 0 and empty.n_triggers == 0
    assert "0 events" in empty.summary()


def test_event_table_is_frozen():
    ev = find_events(trig(10, [3]))
    assert isinstance(ev, EventTable)
    with pytest.raises(AttributeError):
        ev.min_gap = 3  # type: ignore[misc]


def test_errors():
    t = trig(10, [1])
    with pytest.raises(ValueError, match="min_gap must be >= 1"):
        find_events(t, min_gap=0)
    with pytest.raises(ValueError, match=r"mode must be one of \['first', 'episode'\]"):
        find_events(t, mode="last")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="trigger must be a boolean series"):
        find_events(t.astype(float))
    with pytest.raises(DataError, match="DatetimeIndex"):
        find_events(pd.Series([True, False]))
    with pytest.raises(DataError, match="ascending"):
        find_events(t.iloc[::-1])
    with pytest.raises(TypeError, match="SignalResult or a boolean pandas Series"):
        find_events([True, False])  # type: ignore[arg-type]


def test_episodes_count():
    assert episodes([0, 5, 10, 30], 5) == 2  # gaps 5, 5, 20: only 20 > 5
    assert episodes([0, 5, 10, 30], 4) == 4
    assert episodes(np.array([30, 0, 10, 5]), 5) == 2  # order does not matter
    assert episodes([], 5) == 0
    assert episodes([7], 0) == 1
    with pytest.raises(ValueError, match="gap must be >= 0"):
        episodes([1, 2], -1)
