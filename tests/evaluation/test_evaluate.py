"""evaluate(): per-horizon event statistics, baseline, sample restriction, result objects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.evaluation import evaluate, forward_returns
from eventstudy.exceptions import DroppedEventsWarning, IncompleteHorizonWarning

FAST = ("naive_t", "hac", "sign", "wilcoxon")


def _fwd(values: list[float], h: int) -> pd.DataFrame:
    idx = pd.bdate_range("2021-01-01", periods=len(values))
    f = pd.DataFrame({"h": values}, index=idx)
    f.attrs["horizon_days"] = {"h": h}
    return f


def test_statistics_hand_computed() -> None:
    y = [0.01, -0.02, 0.03, 0.05, -0.01, 0.02, 0.04, 0.00, np.nan, np.nan]
    events = [0, 2, 3, 6, 8]  # event 8 is incomplete
    with pytest.warns(IncompleteHorizonWarning, match="1 event"):
        res = evaluate(_fwd(y, 2), events, target_name="T", tests=("naive_t", "sign"))
    hs = res.horizons["h"]
    ev = np.array([0.01, 0.03, 0.05, 0.04])
    base = np.array(y[:8])
    assert (hs.n, hs.n_incomplete, hs.horizon_days) == (4, 1, 2)
    assert hs.mean == pytest.approx(0.0325)
    assert hs.median == pytest.approx(0.035)
    assert hs.std == pytest.approx(np.std(ev, ddof=1))
    assert (hs.min, hs.max, hs.hit_rate) == (0.01, 0.05, 1.0)
    assert hs.q25 == pytest.approx(np.quantile(ev, 0.25))
    assert hs.baseline_n == 8
    assert hs.baseline_mean == pytest.approx(base.mean())
    assert hs.baseline_median == pytest.approx(0.015)
    assert hs.baseline_hit_rate == pytest.approx(5 / 8)
    assert hs.excess_mean == pytest.approx(0.0325 - base.mean())
    # episodes with h = 2: 0 | 2,3 | 6 -> 3 non-overlapping windows
    assert hs.n_episodes == 3
    assert set(hs.tests) == {"naive_t", "sign"}
    assert res.n_events == 5


def test_sample_restricts_baseline_and_drops_events() -> None:
    y = [0.10, 0.20, 0.01, 0.02, 0.03, 0.04, 0.05, np.nan]
    f = _fwd(y, 1)
    start, end = f.index[2], f.index[6]
    with pytest.warns(DroppedEventsWarning, match="1 events outside"):
        res = evaluate(f, [0, 3, 4, 5], sample=(start, end), tests=())
    hs = res.horizons["h"]
    assert hs.baseline_mean == pytest.approx(0.03)
    assert hs.n == 3
    assert hs.mean == pytest.approx(0.03)
    assert res.sample_start == start


def test_result_objects_and_reproducibility() -> None:
    rng = np.random.default_rng(0)
    idx = pd.bdate_range("2000-01-03", periods=2000)
    p = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, 2000))), index=idx)
    f = forward_returns(p, {"1m": 21, "3m": 63})
    ev = np.arange(50, 1900, 60)
    kw = {"target_name": "X", "min_gap": 21, "draws": 500, "bootstrap_reps": 200, "seed": 7}
    a = evaluate(f, ev, **kw)  # type: ignore[arg-type]
    b = evaluate(f, ev, **kw)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    frame = a.to_frame()
    assert list(frame[["target", "horizon", "horizon_days"]].iloc[0]) == ["X", "1m", 21]
    assert {"hac_p", "placebo_p", "bootstrap_p", "baseline_mean", "n_episodes"} <= set(frame)
    assert len(a.tests_frame()) == 2 * 6
    assert "hac p=" in a.summary()
    assert "<table" in a._repr_html_()


def test_errors() -> None:
    f = _fwd([0.1, 0.2, np.nan], 1)
    with pytest.raises(TypeError, match="fwd must be a DataFrame"):
        evaluate(f["h"], [0])  # type: ignore[arg-type]
    g = f.copy()
    g.attrs = {}
    with pytest.raises(ValueError, match="horizons unknown"):
        evaluate(g, [0])
    with pytest.raises(ValueError, match="no column"):
        evaluate(f, [0], horizons={"zz": 1})
    with pytest.raises(ValueError, match="sorted ascending and unique"):
        evaluate(f, [1, 0])


def test_verdict_without_complete_events() -> None:
    prices = pd.Series(np.linspace(100, 130, 60), index=pd.bdate_range("2020-01-01", periods=60))
    fwd = forward_returns(prices, {"1m": 21})
    with pytest.warns(IncompleteHorizonWarning):
        res = evaluate(fwd, [50, 55], target_name="x", tests=("hac",), seed=0)
    line = res.verdict("1m")
    assert line.startswith("x 1m: no complete events (2 incomplete); baseline +")
    assert "nan" not in line
