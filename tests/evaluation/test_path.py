"""average_path(): hand-computed cumulative paths, per-offset n at the edges, band, drift."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.evaluation import average_path
from eventstudy.exceptions import DataError


def test_path_hand_computed() -> None:
    vals = [100.0, 102.0, 100.0, 105.0, 110.0, 99.0]
    p = pd.Series(vals, index=pd.bdate_range("2020-01-01", periods=6))
    res = average_path(p, [2, 4], pre=1, post=2)
    np.testing.assert_array_equal(res.offsets, [-1, 0, 1, 2])
    # event 2: 102/100-1, 0, 105/100-1, 110/100-1; event 4: 105/110-1, 0, 99/110-1, (none)
    e1 = np.array([0.02, 0.0, 0.05, 0.10])
    e2 = np.array([105 / 110 - 1, 0.0, 99 / 110 - 1, np.nan])
    np.testing.assert_array_equal(res.n, [2, 2, 2, 1])
    np.testing.assert_allclose(res.mean, np.nanmean([e1, e2], axis=0), rtol=1e-10)
    sd = np.std([e1[2], e2[2]], ddof=1)
    half = stats.t.ppf(0.975, 1) * sd / np.sqrt(2)
    assert res.upper[2] == pytest.approx(res.mean[2] + half, rel=1e-10)
    assert np.isnan(res.lower[3])  # one event only: no band
    # drift at +1: mean of P[t+1]/P[t]-1 over all t; at -1: mean of P[t-1]/P[t]-1
    a = np.array(vals)
    assert res.drift[2] == pytest.approx(np.mean(a[1:] / a[:-1] - 1), rel=1e-10)
    assert res.drift[0] == pytest.approx(np.mean(a[:-1] / a[1:] - 1), rel=1e-10)
    assert res.drift[1] == 0.0
    assert len(res.to_frame()) == 4
    assert "band:" in res.summary()


def test_path_log_and_validation() -> None:
    p = pd.Series([100.0, 110.0, 121.0], index=pd.bdate_range("2020-01-01", periods=3))
    res = average_path(p, [0], pre=0, post=2, kind="log")
    np.testing.assert_allclose(res.mean, [0.0, np.log(1.1), np.log(1.21)], rtol=1e-10)
    with pytest.raises(ValueError, match="band must be < 1"):
        average_path(p, [0], band=1.0)
    with pytest.raises(ValueError, match="pre must be >= 0"):
        average_path(p, [0], pre=-1)


# --- brute force over events and offsets --------------------------------------------------------


def _brute_path(
    vals: np.ndarray,
    events: list[int],
    pre: int,
    post: int,
    kind: str,
    band: float,
    second: np.ndarray | None = None,
    lo: int = 0,
    hi: int | None = None,
):
    """Loop over offsets and events: path values where t+k exists (minus the second series'
    return over the same days when given), then mean, sd (ddof 1), the t band from
    scipy.stats.t, and the unconditional drift by a loop over the dates lo..hi-1."""
    T = len(vals)
    hi = T if hi is None else hi
    offsets = list(range(-pre, post + 1))
    out = {k: np.full(len(offsets), np.nan) for k in ("mean", "std", "lower", "upper", "drift")}
    n = np.zeros(len(offsets), dtype=np.int64)

    def ret(t: int, k: int) -> float:
        r = vals[t + k] / vals[t]
        x = np.log(r) if kind == "log" else r - 1.0
        if second is not None:
            s = second[t + k] / second[t]
            x -= np.log(s) if kind == "log" else s - 1.0
        return float(x)

    for j, k in enumerate(offsets):
        xs = []
        for t in events:
            if 0 <= t + k < T:
                xs.append(ret(t, k))
        n[j] = len(xs)
        if xs:
            out["mean"][j] = np.mean(xs)
        if len(xs) > 1:
            sd = np.std(xs, ddof=1)
            half = stats.t.ppf(0.5 + band / 2, len(xs) - 1) * sd / np.sqrt(len(xs))
            out["std"][j] = sd
            out["lower"][j] = np.mean(xs) - half
            out["upper"][j] = np.mean(xs) + half
        ds = []
        for t in range(lo, hi):
            if 0 <= t + k < T:
                ds.append(ret(t, k))
        if ds:
            out["drift"][j] = np.mean(ds)
    return np.array(offsets), n, out


@pytest.mark.parametrize("kind", ["simple", "log"])
@pytest.mark.parametrize("band", [0.5, 0.9])
def test_path_brute_force_with_edges(kind: str, band: float) -> None:
    """Events at the first and last date and near both edges; offsets reaching past the data
    on both sides (n = 0, 1, 2, ... per offset), against a loop (rtol 1e-10)."""
    rng = np.random.default_rng(17)
    T = 30
    vals = 20 * np.exp(np.cumsum(rng.normal(0, 0.03, T)))
    p = pd.Series(vals, index=pd.bdate_range("2020-01-01", periods=T))
    events = [0, 2, 9, 15, 27, 29]
    pre, post = 31, 33  # beyond the data on both sides: n = 0 at the extremes
    res = average_path(p, events, pre=pre, post=post, kind=kind, band=band)  # type: ignore[arg-type]
    offsets, n, exp = _brute_path(vals, events, pre, post, kind, band)
    np.testing.assert_array_equal(res.offsets, offsets)
    assert res.offsets.dtype == np.int64 and res.n.dtype == np.int64
    np.testing.assert_array_equal(res.n, n)
    assert n.min() == 0 and 1 in n  # the NaN branches are exercised
    for name in ("mean", "std", "lower", "upper", "drift"):
        got = getattr(res, name)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(exp[name]), err_msg=name)
        np.testing.assert_allclose(got, exp[name], rtol=1e-10, atol=1e-15, err_msg=name)
    assert res.kind == kind and res.band == band and res.n_events == len(events)
    assert f"({band:.0%}, events treated as independent)" in res.band_method


@pytest.mark.parametrize("kind", ["simple", "log"])
def test_a_relative_path_in_a_sample_by_brute_force(kind: str) -> None:
    """With a second series B and the sample 2020-01-10..2020-02-07 (rows 7..27): each event's
    path is its return minus B's over the same days, the drift the mean of that over the
    sample's dates (events at and past both edges; against the loop, rtol 1e-10)."""
    rng = np.random.default_rng(23)
    T = 40
    idx = pd.bdate_range("2020-01-01", periods=T)
    a = 20 * np.exp(np.cumsum(rng.normal(0, 0.03, T)))
    b = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, T)))
    events = [7, 9, 15, 26, 27]
    pre, post = 9, 14
    res = average_path(
        pd.Series(a, index=idx),
        events,
        pre=pre,
        post=post,
        kind=kind,  # type: ignore[arg-type]
        band=0.9,
        relative_to=pd.Series(b, index=idx),
        start=idx[7],
        end=idx[27],
    )
    offsets, n, exp = _brute_path(a, events, pre, post, kind, 0.9, second=b, lo=7, hi=28)
    np.testing.assert_array_equal(res.offsets, offsets)
    np.testing.assert_array_equal(res.n, n)
    for name in ("mean", "std", "lower", "upper", "drift"):
        got = getattr(res, name)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(exp[name]), err_msg=name)
        np.testing.assert_allclose(got, exp[name], rtol=1e-10, atol=1e-15, err_msg=name)
    # open ends: every date counts
    whole = average_path(pd.Series(a, index=idx), events, pre=pre, post=post, kind=kind)  # type: ignore[arg-type]
    np.testing.assert_allclose(
        whole.drift, _brute_path(a, events, pre, post, kind, 0.95)[2]["drift"], rtol=1e-10
    )


def test_relative_to_is_checked() -> None:
    idx = pd.bdate_range("2020-01-01", periods=5)
    a = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=idx)
    with pytest.raises(ValueError, match="^relative_to must be on the same dates as prices$"):
        average_path(a, [1], pre=0, post=1, relative_to=a.iloc[1:])
    with pytest.raises(
        ValueError, match=r"^relative_to goes with returns \(kind 'simple' or 'log'\), not changes$"
    ):
        average_path(a, [1], pre=0, post=1, kind="change", relative_to=a)
    with pytest.raises(DataError, match="^relative_to: prices must be finite and > 0"):
        average_path(a, [1], pre=0, post=1, relative_to=a * 0.0)
    same = average_path(a, [1, 2], pre=1, post=2, relative_to=a)
    assert not np.nanmax(np.abs(same.mean)) and not np.nanmax(np.abs(same.drift))


def test_path_defaults_and_no_events() -> None:
    """Default window -21..252 and band 0.95; no events: n = 0 and NaN everywhere but drift."""
    rng = np.random.default_rng(2)
    vals = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))
    p = pd.Series(vals, index=pd.bdate_range("2000-01-03", periods=300))
    res = average_path(p, [30, 100])
    assert res.offsets[0] == -21 and res.offsets[-1] == 252 and res.band == 0.95
    assert res.kind == "simple"
    empty = average_path(p, [], pre=2, post=3)
    assert empty.n_events == 0 and (empty.n == 0).all()
    assert np.isnan(empty.mean).all() and np.isnan(empty.upper).all()
    np.testing.assert_allclose(empty.drift[3], np.mean(vals[1:] / vals[:-1] - 1), rtol=1e-10)
    zero = average_path(p, [5, 50], pre=0, post=0)  # a one-offset window at the event
    np.testing.assert_array_equal(zero.mean, [0.0]) and np.testing.assert_array_equal(zero.n, [2])


def test_path_result_frame_summary_html() -> None:
    vals = [100.0, 102.0, 100.0, 105.0, 110.0, 99.0, 101.0]
    p = pd.Series(vals, index=pd.bdate_range("2020-01-01", periods=7))
    res = average_path(p, [1, 3], pre=1, post=3)
    frame = res.to_frame()
    assert list(frame.columns) == [
        *["offset", "mean", "std", "lower", "upper", "n", "drift", "applicable", "reason"]
    ]
    assert frame["applicable"].all() and frame["reason"].eq("").all()
    np.testing.assert_array_equal(frame["offset"], [-1, 0, 1, 2, 3])
    np.testing.assert_array_equal(frame["n"], [2, 2, 2, 2, 2])
    for col in ("mean", "std", "lower", "upper", "drift"):
        np.testing.assert_array_equal(frame[col].to_numpy(), getattr(res, col))
    # at +3: events 1 and 3 -> 110/102 - 1 and 101/105 - 1
    m = ((110 / 102 - 1) + (101 / 105 - 1)) / 2
    s = res.summary()
    assert s.startswith("Average simple path of 2 events, offsets -1..3: at +3 mean ")
    assert f"mean {m * 100:+.2f}% [{res.lower[-1] * 100:+.2f}%, {res.upper[-1] * 100:+.2f}%]" in s
    assert f"(n=2), unconditional drift {res.drift[-1] * 100:+.2f}%; band: " in s
    assert s.endswith(f"band: {res.band_method}")
    assert "mean +/- t(n-1) quantile x sd / sqrt(n) per offset (95%" in s
    html = res._repr_html_()
    assert html.startswith(f"<p>{s}</p><table")
    assert html.count("<tr>") == 5 and "<th>drift</th>" in html
    assert re.findall(r"<th>(.*?)</th>", html) == ["offset", "n", "mean", "lower", "upper", "drift"]
    assert f"<td>{m * 100:+.2f}%</td>" in html and f"<td>{res.drift[-1] * 100:+.2f}%</td>" in html
    assert "<th></th>" not in html  # no index column
    long = average_path(p, [1], pre=1, post=40)  # 42 rows: truncated to 30 in the html
    long_html = long._repr_html_()
    assert "..." in long_html and long_html.count("<tr>") == 31
    assert f"<p>{long.summary()}</p>" in long_html
    rows31 = average_path(p, [1], pre=0, post=30)._repr_html_()  # 31 rows: one too many
    assert "..." in rows31 and rows31.count("<tr>") == 31
    rows30 = average_path(p, [1], pre=0, post=29)._repr_html_()  # 30 rows: all shown
    assert "..." not in rows30 and rows30.count("<tr>") == 30
    # per-offset n differs at the end: events 1 and 5 with post = 2 -> n = 2, 2, 1 (event 5
    # has no +2); the summary reports the last offset's n
    edge = average_path(p, [1, 5], pre=0, post=2)
    np.testing.assert_array_equal(edge.n, [2, 2, 1])
    ef = edge.to_frame()
    assert ef["applicable"].tolist() == [True, True, False]
    assert ef["reason"].tolist() == ["", "", "a single event at this offset: no band"]
    none = average_path(p, [5], pre=0, post=2).to_frame()  # event 5 has no +2 at all
    assert none["applicable"].tolist() == [False, False, False]
    assert none["reason"].iloc[2] == "no event has data at this offset"
    assert "(n=1), unconditional drift" in edge.summary()
    edge2 = average_path(p, [1, 5], pre=1, post=1)  # n = 2, 2, 2 -> then n=2
    assert "(n=2)" in edge2.summary()
    edge3 = average_path(p, [0, 1, 5], pre=1, post=2)  # n = 2, 3, 3, 2 at -1, 0, +1, +2
    np.testing.assert_array_equal(edge3.n, [2, 3, 3, 2])
    assert "(n=2), unconditional drift" in edge3.summary()
    assert "Average log path" in average_path(p, [1], pre=0, post=1, kind="log").summary()


def test_path_validation_messages() -> None:
    p = pd.Series([100.0, 110.0, 121.0], index=pd.bdate_range("2020-01-01", periods=3))
    with pytest.raises(ValueError, match="post must be >= 0"):
        average_path(p, [0], post=-1)
    with pytest.raises(ValueError, match="band must be > 0"):
        average_path(p, [0], band=0.0)
    with pytest.raises(ValueError, match="band must be < 1, got 1.0"):
        average_path(p, [0], band=1.0)
    with pytest.raises(ValueError, match="band must be <= 1.0, got 1.5"):
        average_path(p, [0], band=1.5)
    with pytest.raises(ValueError, match="kind must be one of"):
        average_path(p, [0], kind="pct")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="prices must be a pandas Series"):
        average_path(list(p), [0])  # type: ignore[arg-type]
    with pytest.raises(DataError, match=r"must lie in \[0, 3\)"):
        average_path(p, [3])
    tiny = average_path(p, [0, 1], pre=0, post=1, band=1e-9)  # just above 0 is allowed
    assert tiny.upper[1] - tiny.lower[1] < 1e-8
