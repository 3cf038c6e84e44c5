"""Input preparation shared by every test: validation messages, NaN policy, episode counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.events import episodes
from eventstudy.exceptions import DataError
from eventstudy.inference._common import as_float_array, as_positions, n_episodes, prepare


def test_as_float_array_shapes_and_series() -> None:
    s = pd.Series([1, 2, 3], index=pd.bdate_range("2020-01-01", periods=3))
    out = as_float_array("fwd_h", s)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"^fwd_h must be one-dimensional \(one horizon\), got a"):
        as_float_array("fwd_h", pd.DataFrame({"a": [1.0], "b": [2.0]}))
    with pytest.raises(ValueError, match=r"^xs must be one-dimensional, got shape \(2, 3\)$"):
        as_float_array("xs", np.zeros((2, 3)))
    # prepare names its argument fwd_h
    with pytest.raises(TypeError, match=r"^fwd_h must be one-dimensional \(one horizon\)"):
        prepare(pd.DataFrame({"a": [1.0], "b": [2.0]}), [0])
    with pytest.raises(ValueError, match=r"^fwd_h must be one-dimensional, got shape \(2, 2\)$"):
        prepare(np.zeros((2, 2)), [0])


def test_as_positions_validation_messages() -> None:
    empty = as_positions([], 5)
    assert empty.dtype == np.int64
    assert empty.shape == (0,)
    ok = as_positions(np.array([0, 4, 11], dtype=np.int32), 12)  # both ends of [0, 12)
    assert ok.dtype == np.int64
    np.testing.assert_array_equal(ok, [0, 4, 11])
    with pytest.raises(ValueError, match=r"^event_positions must be one-dimensional, got shape"):
        as_positions([[1, 2]], 5)
    with pytest.raises(TypeError, match=r"^event_positions must be integer positions, got dtype"):
        as_positions([1.0, 2.0], 5)
    # out of range anywhere (also in the middle of an unsorted array) is a range error
    for bad, lo, hi in (
        ([-1, 3], -1, 3),
        ([0, 12], 0, 12),
        ([5, -1, 3], -1, 5),
        ([0, 12, 3], 0, 12),
    ):
        with pytest.raises(DataError, match=rf"must lie in \[0, 12\), got range \[{lo}, {hi}\]"):
            as_positions(bad, 12)
    for bad in ([3, 1, 2], [1, 1, 2]):
        with pytest.raises(
            DataError, match="^event_positions must be sorted ascending and unique$"
        ):
            as_positions(bad, 12)


def test_prepare_nan_policy() -> None:
    """NaN = incomplete horizon: the date leaves the baseline, an event there counts in
    n_incomplete; events index the complete-date array."""
    y = np.array([0.1, np.nan, 0.3, -0.2, np.nan, 0.5, 0.0])
    s = prepare(y, [1, 2, 5, 6])
    np.testing.assert_array_equal(s.y, [0.1, 0.3, -0.2, 0.5, 0.0])
    np.testing.assert_array_equal(s.positions, [0, 2, 3, 5, 6])
    np.testing.assert_array_equal(s.events, [1, 3, 4])
    np.testing.assert_array_equal(s.event_positions, [2, 5, 6])
    assert s.events.dtype == np.int64
    assert s.positions.dtype == np.int64
    assert s.n == 3
    assert s.n_incomplete == 1
    assert s.length == 7
    np.testing.assert_array_equal(s.values, [0.3, 0.5, 0.0])
    assert s.baseline_mean == pytest.approx(np.mean([0.1, 0.3, -0.2, 0.5, 0.0]), rel=1e-15)
    np.testing.assert_array_equal(s.dummy, [0.0, 1.0, 0.0, 1.0, 1.0])
    empty = prepare(np.full(3, np.nan), [0])
    assert np.isnan(empty.baseline_mean)
    assert empty.n == 0
    assert empty.n_incomplete == 1
    for inf in (np.inf, -np.inf):
        with pytest.raises(DataError, match="^fwd_h contains infinite forward returns$"):
            prepare(np.array([0.1, inf, 0.2]), [0])


def greedy_by_loop(pos: np.ndarray, h: int) -> int:
    """Greedy episodes written as a loop: a new episode starts >= h days after the start of
    the current one."""
    count, start = 0, None
    for p in pos.tolist():
        if start is None or p - start >= h:
            count, start = count + 1, p
    return count


@pytest.mark.parametrize("seed", range(6))
def test_n_episodes_greedy_and_clusters_by_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    h = int(rng.integers(1, 30))
    pos = np.unique(rng.integers(0, 500, size=int(rng.integers(1, 60))))
    assert n_episodes(pos, h, rule="greedy") == greedy_by_loop(pos, h)
    assert n_episodes(pos, h, rule="clusters") == 1 + int(np.sum(np.diff(pos) >= h))
    assert n_episodes(pos, h) == episodes(pos, h)  # the default is the one definition


def test_n_episodes_boundaries() -> None:
    """Exactly h days apart starts a new episode (windows [p+1, p+h] touch, not overlap)."""
    assert n_episodes(np.array([], dtype=np.int64), 5, rule="greedy") == 0
    assert n_episodes(np.array([], dtype=np.int64), 5) == 0
    assert n_episodes(np.array([7]), 5, rule="greedy") == 1
    assert n_episodes(np.array([0, 5, 10]), 5, rule="greedy") == 3
    assert n_episodes(np.array([0, 4, 8]), 5, rule="greedy") == 2  # greedy: 0 | 8 (8 - 0 >= 5)
    assert n_episodes(np.array([0, 4, 8]), 5) == 1  # clusters: one chain
    assert n_episodes(np.array([0, 5, 10]), 5, rule="clusters") == 3
    assert n_episodes(np.arange(10), 1, rule="greedy") == 10
