"""average_path(): hand-computed cumulative paths, per-offset n at the edges, band, drift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.evaluation import average_path


def test_path_hand_computed() -> None:
    vals = [100.0, 102.0, 100.0, 105.0, 110.0, 99.0]
    p = pd.Series(vals, index=pd.bdate_range("2020-01-01", periods=6))
    res = average_path(p, [2, 4], pre=1, post=2)
    np.testing.assert_array_equal(res.offsets, [-1, 0, 1, 2])
    # event 2: 102/100-1, 0, 105/100-1, 110/100-1; event 4: 105/110-1, 0, 99/110-1, (none)
    e1 = np.array([0.02, 0.0, 0.05, 0.10])
    e2 = np.array([105 / 110 - 1, 0.0, 99 / 110 - 1, np.nan])
    np.testing.assert_array_equal(res.n, [2, 2, 2, 1])
    np.testing.assert_allclose(res.mean, np.nanmean([e1, e2], axis=0))
    sd = np.std([e1[2], e2[2]], ddof=1)
    half = stats.t.ppf(0.975, 1) * sd / np.sqrt(2)
    assert res.upper[2] == pytest.approx(res.mean[2] + half)
    assert np.isnan(res.lower[3])  # one event only: no band
    # drift at +1: mean of P[t+1]/P[t]-1 over all t; at -1: mean of P[t-1]/P[t]-1
    a = np.array(vals)
    assert res.drift[2] == pytest.approx(np.mean(a[1:] / a[:-1] - 1))
    assert res.drift[0] == pytest.approx(np.mean(a[:-1] / a[1:] - 1))
    assert res.drift[1] == 0.0
    assert len(res.to_frame()) == 4
    assert "band:" in res.summary()


def test_path_log_and_validation() -> None:
    p = pd.Series([100.0, 110.0, 121.0], index=pd.bdate_range("2020-01-01", periods=3))
    res = average_path(p, [0], pre=0, post=2, kind="log")
    np.testing.assert_allclose(res.mean, [0.0, np.log(1.1), np.log(1.21)])
    with pytest.raises(ValueError, match="band must be < 1"):
        average_path(p, [0], band=1.0)
    with pytest.raises(ValueError, match="pre must be >= 0"):
        average_path(p, [0], pre=-1)
