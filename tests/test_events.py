"""find_events declustering rules, EventTable, episodes()."""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.events import (
    DEFAULT_MIN_GAP,
    EventTable,
    episode_labels,
    episodes,
    find_events,
    trigger_runs,
)
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


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 299), max_size=80, unique=True),
    st.integers(1, 40),
    st.integers(0, 299),
    st.integers(0, 299),
    st.sampled_from(["first", "episode"]),
)
def test_a_window_keeps_the_events_of_the_whole_history(positions, min_gap, lo, hi, mode):
    # declustering sees every trigger; [start, end] then keeps the events dated inside it (the
    # naive walks above over all triggers, filtered), and counts the triggers inside it
    positions = sorted(positions)
    t = trig(300, positions)
    start, end = t.index[lo], t.index[hi]
    got = find_events(t, min_gap=min_gap, mode=mode, start=start, end=end)
    walk = naive_first if mode == "first" else naive_episode
    assert got.positions.tolist() == [p for p in walk(positions, min_gap) if lo <= p <= hi]
    assert got.n_triggers == sum(lo <= p <= hi for p in positions)


def test_an_episode_begun_before_the_start_yields_no_event_in_its_run():
    # a run of triggers on days 8..14 with start on day 10: the episode began on day 8, so
    # neither rule puts an event on day 10 (the windowed triggers did, the reviewer's
    # 1982-11-12 for an episode begun 1982-11-10); events since a later start are those since
    # an earlier one that fall after it
    t = trig(60, [*range(8, 15), 40])
    for mode in ("first", "episode"):
        got = find_events(t, min_gap=21, mode=mode, start=t.index[10])
        assert got.positions.tolist() == [40]
        assert got.n_triggers == 6
    early = find_events(t, min_gap=21, start=t.index[0]).dates
    assert find_events(t, min_gap=21, start=t.index[9]).dates.equals(early[early >= t.index[9]])
    assert find_events(t, min_gap=21, end=t.index[30]).positions.tolist() == [8]
    # both ends inclusive: an event and a trigger on the end date itself count
    on_end = find_events(t, min_gap=21, start=t.index[8], end=t.index[40])
    assert on_end.positions.tolist() == [8, 40] and on_end.n_triggers == 8


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
    """Windows (t, t+h] overlap iff the events are fewer than h days apart."""
    assert episodes([0, 5, 10, 30], 6) == 2  # gaps 5, 5, 20: only 20 >= 6
    assert episodes([0, 5, 10, 30], 5) == 4  # 5 days apart: windows touch, do not overlap
    assert episodes(np.array([30, 0, 10, 5]), 6) == 2  # order does not matter
    assert episodes([], 5) == 0
    assert episodes([7], 1) == 1
    assert episode_labels([0, 4, 9, 30, 33], 5).tolist() == [0, 0, 1, 2, 2]
    assert episode_labels([], 5).tolist() == []
    with pytest.raises(ValueError, match="horizon_days must be >= 1"):
        episodes([1, 2], 0)


def test_trigger_runs_bridge_short_quiet_spells():
    """Runs: consecutive triggers at most min_gap apart (fewer than min_gap quiet days)."""
    starts, ends = trigger_runs([1, 2, 3, 6, 9, 20], 3)
    assert (starts.tolist(), ends.tolist()) == ([1, 20], [9, 20])
    starts, ends = trigger_runs([1, 2, 3, 6, 9, 20], 2)
    assert (starts.tolist(), ends.tolist()) == ([1, 6, 9, 20], [3, 6, 9, 20])
    empty = trigger_runs([], 3)
    assert empty[0].size == empty[1].size == 0
    with pytest.raises(ValueError, match="min_gap must be >= 1"):
        trigger_runs([1], 0)


# --- declustering at the min_gap boundary, against the brute-force walks above -------------


@pytest.mark.parametrize("gap", [2, 3, 7])
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_first_mode_boundary_gap_minus_one_gap_gap_plus_one(gap: int, delta: int) -> None:
    """Two triggers ``gap + delta`` apart: the second is kept iff ``gap + delta >= gap``."""
    d = gap + delta
    positions = [4, 4 + d, 4 + 2 * d + 1]
    ev = find_events(trig(40, positions), min_gap=gap)
    assert ev.positions.tolist() == naive_first(positions, gap)
    expected_second_kept = delta >= 0
    assert (4 + d in ev.positions.tolist()) is expected_second_kept


@pytest.mark.parametrize("gap", [2, 3, 7])
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_episode_mode_boundary_gap_minus_one_gap_gap_plus_one(gap: int, delta: int) -> None:
    """A new episode starts iff the trigger is *more than* ``gap`` after the previous trigger."""
    d = gap + delta
    positions = [4, 4 + d]
    ev = find_events(trig(40, positions), min_gap=gap, mode="episode")
    assert ev.positions.tolist() == naive_episode(positions, gap)
    assert ev.positions.tolist() == ([4, 4 + d] if delta > 0 else [4])
    assert ev.n_triggers == 2 and ev.mode == "episode" and ev.min_gap == gap


def test_first_and_last_dates_are_events() -> None:
    """Triggers on the very first and the very last date of the index are kept (both modes)."""
    t = trig(30, [0, 29])
    for mode in ("first", "episode"):
        ev = find_events(t, min_gap=5, mode=mode)  # type: ignore[arg-type]
        assert ev.positions.tolist() == [0, 29]
        assert list(ev.dates) == [t.index[0], t.index[-1]]
        assert ev.positions.dtype == np.int64


def test_empty_trigger_series_both_modes() -> None:
    """No triggers: an empty table (int64 positions, float values), both rules."""
    for mode in ("first", "episode"):
        ev = find_events(trig(15, []), min_gap=3, mode=mode)  # type: ignore[arg-type]
        assert ev.n_events == 0 and ev.n_triggers == 0
        assert ev.positions.dtype == np.int64 and ev.values.dtype == np.float64
        assert len(ev.dates) == 0 and isinstance(ev.dates, pd.DatetimeIndex)
        frame = ev.to_frame()
        assert list(frame.columns) == ["date", "position", "value"] and len(frame) == 0


def test_brute_force_random_triggers_dates_values() -> None:
    """Random trigger days and signal values: positions, dates and values of the kept events
    equal the naive walks, for several gaps around the typical spacing."""
    rng = np.random.default_rng(3)
    n = 250
    x = rng.normal(size=n)
    data = pd.DataFrame({"x": x}, index=pd.bdate_range("2010-01-04", periods=n))
    res = Threshold(series="x", level=0.8, cross=False).compute(data)
    trig_pos = np.flatnonzero(res.trigger.to_numpy()).tolist()
    assert len(trig_pos) > 30
    for gap in (1, 2, 3, 5, 8, 13):
        for mode, naive in (("first", naive_first), ("episode", naive_episode)):
            ev = find_events(res, min_gap=gap, mode=mode)  # type: ignore[arg-type]
            kept = naive(trig_pos, gap)
            assert ev.positions.tolist() == kept
            assert list(ev.dates) == list(data.index[kept])
            np.testing.assert_array_equal(ev.values, x[kept])
            assert ev.n_triggers == len(trig_pos)
            assert ev.description == res.description


# --- EventTable text, frame and validation ---------------------------------------------------


def test_summary_first_mode_content() -> None:
    """summary(): description, counts, first..last event dates and the declustering rule."""
    t = trig(40, POS)
    ev = find_events(t, min_gap=5)  # kept 0, 5, 10, 30
    lines = ev.summary().splitlines()
    assert lines[0] == "trigger series"  # a bare series has no description
    assert lines[1].strip() == (
        f"4 events from 7 trigger days, {t.index[0].date()} .. {t.index[30].date()}"
    )
    assert lines[2].strip() == "declustering: first trigger, then none within 5 trading days"
    assert len(lines) == 3


def test_summary_episode_mode_and_signal_description() -> None:
    x = [1.0, 3.0, 3.5, 1.0, 4.0, 1.0, 1.0, 5.0]
    data = pd.DataFrame({"x": x}, index=pd.bdate_range("2001-01-01", periods=8))
    res = Threshold(series="x", level=2.0, cross=False).compute(data)
    ev = find_events(res, min_gap=2, mode="episode")  # triggers 1, 2, 4, 7 -> episodes 1, 7
    assert ev.positions.tolist() == [1, 7]
    lines = ev.summary().splitlines()
    assert lines[0] == res.description
    assert lines[1].strip() == "2 events from 4 trigger days, 2001-01-02 .. 2001-01-10"
    assert lines[2].strip() == (
        "declustering: one event per episode (runs bridged over gaps of < 2 quiet days)"
    )


def test_summary_empty_has_no_date_span() -> None:
    ev = find_events(trig(10, []), min_gap=4)
    lines = ev.summary().splitlines()
    assert lines[1].strip() == "0 events from 0 trigger days"
    assert ".." not in ev.summary()


def test_summary_single_event_span() -> None:
    t = trig(10, [3])
    ev = find_events(t, min_gap=2)
    d = t.index[3].date()
    assert f"1 events from 1 trigger days, {d} .. {d}" in ev.summary()


def test_to_frame_and_html_content() -> None:
    x = [1.0, 3.0, 3.5, 1.0, 4.0, 1.0, 1.0, 5.0]
    data = pd.DataFrame({"x": x}, index=pd.bdate_range("2001-01-01", periods=8))
    ev = find_events(Threshold(series="x", level=2.0, cross=False).compute(data), min_gap=3)
    frame = ev.to_frame()
    assert frame["position"].dtype == np.int64 and frame["value"].dtype == np.float64
    assert frame["position"].tolist() == [1, 4, 7]
    assert list(frame["date"]) == list(data.index[[1, 4, 7]])
    html = ev._repr_html_()
    assert html.count("<tr>") == 3 and html.count("</tr>") == 4  # header + 3 events
    assert "2001-01-05" in html and "<th>position</th>" in html
    assert "<th></th>" not in html  # index=False: no index column


def test_event_table_length_mismatch() -> None:
    d = pd.DatetimeIndex(["2001-01-01", "2001-01-02"])
    with pytest.raises(DataError, match="^dates, positions and values must have the same length$"):
        EventTable(d, np.array([0, 1]), np.array([1.0]), 2, 1, "first")
    with pytest.raises(DataError, match="same length"):
        EventTable(d, np.array([0]), np.array([1.0]), 2, 1, "first")
    ok = EventTable(d, np.array([0, 1]), np.array([1.0, 2.0]), 2, 1, "first")
    assert ok.n_events == 2 and ok.description == ""


def test_error_messages_name_the_offending_value() -> None:
    t = trig(10, [1])
    with pytest.raises(TypeError, match="got list"):
        find_events([True, False])  # type: ignore[arg-type]
    with pytest.raises(DataError, match="without missing values, got float64"):
        find_events(t.astype(float))
    with_na = pd.Series([True, None, False], index=t.index[:3], dtype="boolean")
    with pytest.raises(DataError, match="without missing values, got boolean"):
        find_events(with_na)
    with pytest.raises(DataError, match="DatetimeIndex, got RangeIndex"):
        find_events(pd.Series([True, False]))
    dup = pd.Series(
        [True, False, True], index=pd.DatetimeIndex(["2001-01-01"] * 2 + ["2001-01-03"])
    )
    with pytest.raises(DataError, match="^trigger index must be strictly ascending dates$"):
        find_events(dup)
    with pytest.raises(TypeError, match="min_gap must be an integer"):
        find_events(t, min_gap=2.0)  # type: ignore[arg-type]
    assert find_events(t, min_gap=1).min_gap == 1  # the minimum is allowed


def test_episodes_boundary_and_input_forms() -> None:
    """Brute force: 1 + number of sorted consecutive differences >= h; and the same count as
    the connected components of the graph linking events whose windows overlap."""
    from scipy.sparse.csgraph import connected_components

    pos = [3, 7, 12, 13, 40]
    for h in range(1, 30):
        diffs = [b - a for a, b in itertools.pairwise(pos)]
        assert episodes(pos, h) == 1 + sum(d >= h for d in diffs)
        arr = np.array(pos)
        graph = np.abs(arr[:, None] - arr[None, :]) < h
        assert episodes(pos, h) == connected_components(graph, directed=False)[0]
    assert episodes(pd.Index([12, 3, 40, 7, 13]), 5) == episodes(pos, 5) == 3
    assert episodes(np.array([[3, 7], [12, 13]]), 4) == 3  # raveled: diffs 4, 5, 1
    assert episodes([5, 5], 1) == 1  # the same day overlaps itself
    with pytest.raises(TypeError, match="horizon_days must be an integer"):
        episodes([1], 1.5)  # type: ignore[arg-type]


def test_episode_labels_are_integers() -> None:
    for positions in ([], [3], [0, 4, 9, 30, 33], np.array([5, 1], dtype=np.int32)):
        labels = episode_labels(positions, 5)
        assert labels.dtype == np.int64
        assert labels.shape == (len(positions),)
