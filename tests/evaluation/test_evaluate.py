"""evaluate(): per-horizon event statistics, baseline, sample restriction, result objects."""

from __future__ import annotations

import importlib
import re
import warnings
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.evaluation import evaluate, forward_returns
from eventstudy.exceptions import DataError, DroppedEventsWarning, IncompleteHorizonWarning
from eventstudy.inference import ALL_TESTS

FAST = ("naive_t", "hac", "sign", "wilcoxon")
# the module (the package attribute `evaluate` is the function of the same name)
evaluate_module = importlib.import_module("eventstudy.evaluation.evaluate")


def _assert_warned_at_caller(w: warnings.WarningMessage, module: ModuleType) -> None:
    """The warning is attributed to the caller of the public function (its ``stacklevel``),
    not to the library.  Under mutmut every function is wrapped in a trampoline that adds two
    frames, so there only "not inside the library module" can be checked."""
    assert Path(w.filename).name != Path(module.__file__ or "").name
    if not any("__mutmut_" in name for name in vars(module)):  # plain (uninstrumented) run
        assert w.filename == __file__


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
    assert hs.mean == pytest.approx(0.0325, rel=1e-10)
    assert hs.median == pytest.approx(0.035, rel=1e-10)
    assert hs.std == pytest.approx(np.std(ev, ddof=1), rel=1e-10)
    assert (hs.min, hs.max, hs.hit_rate) == (0.01, 0.05, 1.0)
    assert hs.q25 == pytest.approx(np.quantile(ev, 0.25), rel=1e-10)
    assert hs.baseline_n == 8
    assert hs.baseline_mean == pytest.approx(base.mean(), rel=1e-10)
    assert hs.baseline_median == pytest.approx(0.015, rel=1e-10)
    assert hs.baseline_hit_rate == pytest.approx(5 / 8, rel=1e-10)
    assert hs.excess_mean == pytest.approx(0.0325 - base.mean(), rel=1e-10)
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
    assert hs.baseline_mean == pytest.approx(0.03, rel=1e-10)
    assert hs.n == 3
    assert hs.mean == pytest.approx(0.03, rel=1e-10)
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
    assert len(a.tests_frame()) == 2 * len(ALL_TESTS)
    assert "shift_t p=" in a.summary()  # the default test gives the verdicts
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


# --- statistics against direct computations (numpy / pandas / scipy) -------------------------


def _overlap_clusters(positions: list[int], h: int) -> int:
    """Brute force: flood-fill events linked when their h-day windows overlap (|p - q| < h),
    the HAC test's G (one definition of episodes everywhere)."""
    seen: set[int] = set()
    count = 0
    for start in positions:
        if start in seen:
            continue
        count += 1
        stack = [start]
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            stack += [q for q in positions if abs(q - p) < h and q not in seen]
    return count


def _random_fwd(n: int, seed: int, horizons: dict[str, int]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2015-01-01", periods=n)
    cols = {}
    for label, h in horizons.items():
        v = rng.normal(0.001, 0.02, n)
        v[n - h :] = np.nan  # incomplete tail, as forward_returns leaves it
        cols[label] = v
    f = pd.DataFrame(cols, index=idx)
    f.attrs["horizon_days"] = dict(horizons)
    return f


def test_event_and_baseline_statistics_against_direct_computation() -> None:
    """Every scalar of HorizonStats for two horizons: events (complete ones only) with numpy
    and pandas, the baseline over every complete date, episodes by a greedy loop, and the
    naive t against scipy.stats.ttest_1samp around the baseline mean (rtol 1e-10)."""
    hz = {"short": 3, "long": 9}
    n = 120
    f = _random_fwd(n, 42, hz)
    f.iloc[[10, 11, 12], 0] = 0.0  # ties at zero: a zero return is not a hit
    events = [2, 5, 10, 12, 30, 33, 60, 95, 112, 115]  # 112, 115 incomplete for "long"
    with pytest.warns(IncompleteHorizonWarning):
        res = evaluate(f, events, target_name="Z", tests=("naive_t",))
    assert list(res.horizons) == ["short", "long"]
    assert res.n_events == len(events)
    assert res.sample_start == f.index[0] and res.sample_end == f.index[-1]
    # the verdict's test: the default when it runs, else hac when it runs, else the first
    assert res.target == "Z" and res.default_test == "naive_t"
    for label, h in hz.items():
        hs = res.horizons[label]
        col = f[label]
        ev_all = col.iloc[events]
        ev = ev_all.dropna()
        base = col.dropna()
        x, b = ev.to_numpy(), base.to_numpy()
        assert (hs.horizon, hs.horizon_days) == (label, h)
        assert hs.n == len(ev) and hs.n_incomplete == int(ev_all.isna().sum())
        assert hs.baseline_n == len(base) == n - h
        assert hs.mean == pytest.approx(ev.mean(), rel=1e-10)
        assert hs.median == pytest.approx(ev.median(), rel=1e-10)
        assert hs.std == pytest.approx(ev.std(ddof=1), rel=1e-10)
        assert hs.min == ev.min() and hs.max == ev.max()
        assert hs.hit_rate == pytest.approx(sum(v > 0 for v in x) / len(x), rel=1e-10)
        for q, name in ((0.05, "q05"), (0.25, "q25"), (0.75, "q75"), (0.95, "q95")):
            assert getattr(hs, name) == pytest.approx(ev.quantile(q), rel=1e-10)
        assert hs.baseline_mean == pytest.approx(sum(b) / len(b), rel=1e-10)
        assert hs.baseline_median == pytest.approx(base.median(), rel=1e-10)
        assert hs.baseline_hit_rate == pytest.approx(sum(v > 0 for v in b) / len(b), rel=1e-10)
        assert hs.baseline_std == pytest.approx(base.std(ddof=1), rel=1e-10)
        assert hs.excess_mean == pytest.approx(ev.mean() - sum(b) / len(b), rel=1e-10)
        kept = [p for p in events if not np.isnan(col.iloc[p])]
        assert hs.n_episodes == _overlap_clusters(kept, h)
        if "hac" in hs.tests:  # the verdict's G is the G of the HAC reference
            assert hs.tests["hac"].details["n_episodes"] == hs.n_episodes
        t = stats.ttest_1samp(x, popmean=b.mean())
        assert hs.tests["naive_t"].statistic == pytest.approx(t.statistic, rel=1e-10)
        assert hs.tests["naive_t"].p_value == pytest.approx(t.pvalue, rel=1e-10)
    assert res.horizons["short"].hit_rate < 1.0  # the zero ties count as misses
    assert res.horizons["long"].n_incomplete == 2


def test_one_and_zero_complete_events_and_one_baseline_date() -> None:
    """n = 1: moments defined, std NaN; n = 0: every event statistic NaN, baseline still
    computed; a single complete date: baseline_std NaN."""
    y = [0.02, -0.01, 0.04, np.nan, np.nan]
    with pytest.warns(IncompleteHorizonWarning):
        one = evaluate(_fwd(y, 2), [1, 3], tests=()).horizons["h"]
    assert (one.n, one.n_incomplete) == (1, 1)
    assert (one.mean, one.median, one.min, one.max, one.hit_rate) == (-0.01,) * 4 + (0.0,)
    assert one.q05 == one.q95 == -0.01
    assert np.isnan(one.std)
    assert one.baseline_std == pytest.approx(np.std([0.02, -0.01, 0.04], ddof=1), rel=1e-10)
    assert one.n_episodes == 1
    with pytest.warns(IncompleteHorizonWarning, match="2 event"):
        zero = evaluate(_fwd(y, 2), [3, 4], tests=()).horizons["h"]
    assert (zero.n, zero.n_incomplete, zero.n_episodes) == (0, 2, 0)
    for name in ("mean", "median", "std", "min", "max", "hit_rate", "q05", "q25", "q75", "q95"):
        assert np.isnan(getattr(zero, name)), name
    assert np.isnan(zero.excess_mean)
    assert zero.baseline_mean == pytest.approx(0.05 / 3, rel=1e-10)
    assert zero.baseline_hit_rate == pytest.approx(2 / 3, rel=1e-10)
    single = evaluate(_fwd([0.03, np.nan], 1), [0], tests=()).horizons["h"]
    assert single.baseline_n == 1 and single.baseline_mean == 0.03
    assert np.isnan(single.baseline_std) and np.isnan(single.std)
    assert single.excess_mean == 0.0


def test_no_events_at_all() -> None:
    res = evaluate(_fwd([0.01, 0.02, np.nan], 1), [], tests=())
    hs = res.horizons["h"]
    assert (res.n_events, hs.n, hs.n_incomplete, hs.n_episodes) == (0, 0, 0, 0)
    assert np.isnan(hs.mean) and hs.baseline_mean == pytest.approx(0.015, rel=1e-10)
    assert res.tests_frame().empty


def test_incomplete_warning_text_and_location() -> None:
    y = [0.01, 0.02, 0.03, np.nan, np.nan]
    with pytest.warns(IncompleteHorizonWarning) as w:
        evaluate(_fwd(y, 2), [0, 3, 4], target_name="SPX", tests=())
    assert str(w[0].message) == ("SPX h: 2 event(s) with an incomplete 2-day horizon were excluded")
    _assert_warned_at_caller(w[0], evaluate_module)


def test_explicit_horizons_override_attrs_and_pick_columns() -> None:
    f = _random_fwd(60, 1, {"a": 2, "b": 5})
    res = evaluate(f, [3, 20], horizons={"b": 5}, tests=())
    assert list(res.horizons) == ["b"]
    assert res.horizons["b"].mean == pytest.approx(f["b"].iloc[[3, 20]].mean(), rel=1e-10)
    g = f.copy()
    g.attrs = {}
    res2 = evaluate(g, [3, 20], horizons={"a": 2}, tests=())
    assert res2.horizons["a"].horizon_days == 2
    with pytest.raises(ValueError, match=r"fwd has no column\(s\) \['zz'\]; columns: \['a', 'b'\]"):
        evaluate(f, [0], horizons={"a": 2, "zz": 1})


# --- sample restriction ------------------------------------------------------------------------


def test_sample_bounds_inclusive_and_open_ends() -> None:
    """Start and end are inclusive; None leaves an end open; events are re-indexed into the
    sample; baseline = complete dates inside the sample (direct pandas slice)."""
    f = _random_fwd(50, 9, {"h": 2})
    events = [1, 10, 20, 30, 40]
    d = f.index
    cases = [
        ((d[10], d[30]), 10, 31),
        ((None, d[20]), 0, 21),
        ((d[10], None), 10, 50),
        ((None, None), 0, 50),
        ([d[10].strftime("%Y-%m-%d"), d[30].strftime("%Y-%m-%d")], 10, 31),
    ]
    for sample, lo, hi in cases:
        inside = [p for p in events if lo <= p < hi]
        if len(inside) < len(events):
            with pytest.warns(DroppedEventsWarning) as w:
                res = evaluate(f, events, sample=sample, tests=())  # type: ignore[arg-type]
            assert str(w[0].message).startswith(f"{len(events) - len(inside)} events outside")
            _assert_warned_at_caller(w[0], evaluate_module)
        else:
            res = evaluate(f, events, sample=sample, tests=())  # type: ignore[arg-type]
        hs = res.horizons["h"]
        sub = f["h"].iloc[lo:hi]
        assert res.sample_start == d[lo] and res.sample_end == d[hi - 1]
        assert res.n_events == len(inside)
        assert hs.baseline_n == int(sub.notna().sum())
        assert hs.baseline_mean == pytest.approx(sub.mean(), rel=1e-10)
        ev = f["h"].iloc[inside].dropna()
        assert hs.n == len(ev) and hs.mean == pytest.approx(ev.mean(), rel=1e-10)


def test_sample_between_dates_and_errors() -> None:
    """Bounds that fall between trading days: the sample is the dates inside them."""
    f = _random_fwd(20, 4, {"h": 1})
    d = f.index
    start = d[4] + pd.Timedelta(hours=12)  # after d[4] -> first date d[5]
    end = d[9] + pd.Timedelta(hours=12)  # after d[9] -> last date d[9]
    res = evaluate(f, [5, 9], sample=(start, end), tests=())
    assert res.sample_start == d[5] and res.sample_end == d[9]
    assert res.horizons["h"].baseline_n == 5
    with pytest.raises(ValueError, match="sample .* contains no dates of fwd"):
        evaluate(f, [5], sample=(d[9], d[5]), tests=())
    with pytest.raises(ValueError, match="contains no dates"):
        evaluate(f, [5], sample=(d[-1] + pd.Timedelta(days=1), None), tests=())
    one = evaluate(f, [5], sample=(d[5], d[5]), tests=())  # a one-date sample is allowed
    assert one.horizons["h"].baseline_n == 1
    with pytest.raises(TypeError, match=r"sample must be a \(start, end\) pair"):
        evaluate(f, [5], sample=(d[1], d[2], d[3]), tests=())  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"^sample must be a \(start, end\) pair of dates \(None for open ends\)$"
    ):
        evaluate(f, [5], sample=d[1], tests=())  # type: ignore[arg-type]


# --- wiring of the tests -----------------------------------------------------------------------


def test_arguments_reach_the_tests_and_seed_streams() -> None:
    """draws, bootstrap_reps, min_gap, stratify and progress reach the tests; a seed gives
    the same numbers as the same seed passed as a Generator; horizons get distinct streams."""
    f = _random_fwd(400, 8, {"a": 5, "b": 5})
    f["b"] = f["a"]  # identical data: only the seed stream differs between horizons
    events = list(range(10, 380, 25))
    calls: list[tuple[int, int]] = []
    kw = {"tests": ("placebo", "bootstrap"), "draws": 37, "bootstrap_reps": 41, "min_gap": 20}
    res = evaluate(
        f, events, stratify="year", seed=3, progress=lambda d, t: calls.append((d, t)), **kw
    )  # type: ignore[arg-type]
    plac = res.horizons["a"].tests["placebo"]
    assert plac.details["draws"] == 37 and plac.details["min_gap"] == 20
    assert plac.details["stratify"] == "year"
    assert res.horizons["a"].tests["bootstrap"].details["reps"] == 41
    assert calls and calls[-1] == (37, 37)
    again = evaluate(f, events, stratify="year", seed=np.random.default_rng(3), **kw)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(res.to_frame(), again.to_frame())
    a, b = res.horizons["a"].tests, res.horizons["b"].tests
    assert a["placebo"].details["placebo_mean"] != b["placebo"].details["placebo_mean"]
    with pytest.raises(DataError, match="closer than min_gap=30"):
        evaluate(f, events, tests=("placebo",), min_gap=30, draws=5)


def test_argument_errors() -> None:
    f = _fwd([0.1, 0.2, np.nan], 1)
    with pytest.raises(TypeError, match="fwd must be a DataFrame of forward returns, got Series"):
        evaluate(f["h"], [0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="target_name must be a string, got 3"):
        evaluate(f, [0], target_name=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_gap must be >= 1"):
        evaluate(f, [0], min_gap=0, tests=())  # checked here, not only by the placebo test
    g = f.copy()
    g.attrs = {}
    with pytest.raises(
        ValueError,
        match=r"^horizons unknown: pass horizons= \(label -> trading days\) or fwd from forward_returns$",
    ):
        evaluate(g, [0])
    with pytest.raises(DataError, match=r"must lie in \[0, 3\)"):
        evaluate(f, [3])


# --- result objects: frames and text ----------------------------------------------------------


def _two_horizon_result() -> tuple[pd.DataFrame, list[int], object]:
    f = _random_fwd(200, 21, {"1w": 5, "2w": 10})
    events = list(range(5, 190, 12))
    res = evaluate(f, events, target_name="IDX", tests=("naive_t", "hac", "sign"), seed=0)
    return f, events, res


def test_to_frame_columns_and_values() -> None:
    _, _, res = _two_horizon_result()
    frame = res.to_frame()  # type: ignore[attr-defined]
    stat_cols = list(res.horizons["1w"].stats_dict())  # type: ignore[attr-defined]
    test_cols = [
        f"{t}_{c}"
        for t in ("naive_t", "hac", "sign")
        for c in ("stat", "p", "distribution", "applicable", "reason")
    ]
    assert list(frame.columns) == ["target", *stat_cols, "applicable", "reason", *test_cols]
    assert frame["applicable"].tolist() == [True, True] and frame["reason"].tolist() == ["", ""]
    assert "tests" not in stat_cols and stat_cols[0] == "horizon"
    assert frame["target"].tolist() == ["IDX", "IDX"]
    assert frame["horizon"].tolist() == ["1w", "2w"]
    for i, hs in enumerate(res.horizons.values()):  # type: ignore[attr-defined]
        row = frame.iloc[i]
        for k, v in hs.stats_dict().items():
            assert row[k] == v or (np.isnan(row[k]) and np.isnan(v)), k
        for name, tr in hs.tests.items():
            assert row[f"{name}_stat"] == tr.statistic and row[f"{name}_p"] == tr.p_value
            assert row[f"{name}_applicable"] == tr.applicable
            assert row[f"{name}_reason"] == tr.reason
            assert row[f"{name}_distribution"] == tr.distribution
        assert row["hac_distribution"] == f"t({hs.tests['hac'].details['n_episodes'] - 1})"


def test_to_frame_says_why_a_statistic_is_missing() -> None:
    """A horizon without complete events, or with one, and a test that cannot run: each row
    carries applicable and a non-empty reason instead of a bare NaN."""
    y = [0.01, 0.03, -0.02, 0.04, 0.0, 0.02, np.nan, np.nan]
    with pytest.warns(IncompleteHorizonWarning):
        none = evaluate(_fwd(y, 1), [6, 7], target_name="T", tests=("hac", "sign"))
    row = none.to_frame().iloc[0]
    assert not row["applicable"] and row["reason"] == "no complete events (2 incomplete)"
    assert np.isnan(row["mean"]) and not row["hac_applicable"] and row["hac_reason"]
    one = evaluate(_fwd(y, 1), [2], target_name="T", tests=("hac",)).to_frame().iloc[0]
    assert one["applicable"] and np.isnan(one["std"])
    assert one["reason"] == "a single complete event: no standard deviation"
    assert not one["hac_applicable"] and one["hac_reason"].startswith("only 1 complete")


def test_tests_frame_long_format() -> None:
    _, _, res = _two_horizon_result()
    tf = res.tests_frame()  # type: ignore[attr-defined]
    assert len(tf) == 6
    assert list(tf.columns[:4]) == ["target", "horizon", "horizon_days", "name"]
    assert tf["target"].eq("IDX").all()
    assert tf["horizon"].tolist() == ["1w"] * 3 + ["2w"] * 3
    assert tf["horizon_days"].tolist() == [5] * 3 + [10] * 3
    assert tf["name"].tolist() == ["naive_t", "hac", "sign"] * 2
    hs = res.horizons["2w"]  # type: ignore[attr-defined]
    assert tf["statistic"].iloc[4] == hs.tests["hac"].statistic
    assert tf["p_value"].iloc[5] == hs.tests["sign"].p_value
    assert tf.index.tolist() == list(range(6))  # ignore_index


def test_verdict_and_summary_text() -> None:
    f, events, res = _two_horizon_result()
    hs = res.horizons["1w"]  # type: ignore[attr-defined]
    line = res.verdict("1w")  # type: ignore[attr-defined]
    head = (
        f"IDX 1w: mean {hs.mean * 100:+.2f}% vs baseline {hs.baseline_mean * 100:+.2f}% "
        f"(excess {hs.excess_mean * 100:+.2f}%, n={hs.n}, episodes={hs.n_episodes})"
    )
    assert line == f"{head}; hac p={hs.tests['hac'].p_value:.3g}"
    lines = res.summary().splitlines()  # type: ignore[attr-defined]
    assert lines[0] == (
        f"Event study of IDX: {len(events)} events, sample "
        f"{f.index[0].date()}..{f.index[-1].date()} (verdict test: hac)"
    )
    assert lines[1] == "  " + line and lines[2] == "  " + res.verdict("2w")  # type: ignore[attr-defined]
    assert len(lines) == 3
    html = res._repr_html_()  # type: ignore[attr-defined]
    assert html.startswith(f"<p>{lines[0]}</p><table")
    cols = ["target", "horizon", "n", "mean", "baseline", "excess", "hac p", "verdict (5%)"]
    assert re.findall(r"<th>(.*?)</th>", html) == cols  # compact; no index column
    disp = res.display_frame()  # type: ignore[attr-defined]
    assert disp["mean"].iloc[0] == f"{hs.mean * 100:+.2f}%"
    assert disp["baseline"].iloc[1] == f"{res.horizons['2w'].baseline_mean * 100:+.2f}%"  # type: ignore[attr-defined]
    assert disp["excess"].iloc[0] == f"{hs.excess_mean * 100:+.2f}%"
    assert disp["hac p"].iloc[0] == f"{hs.tests['hac'].p_value:.3g}"
    p = hs.tests["hac"].p_value
    assert disp["verdict (5%)"].iloc[0] == ("differs" if p < 0.05 else "does not differ") + " at 5%"
    assert f"<td>{hs.mean * 100:+.2f}%</td>" in html


def test_display_frame_branches() -> None:
    """The compact notebook table: no complete events, default test absent, not applicable,
    and the 5% boundary (a p-value of exactly 0.05 does not differ)."""
    y = [0.01, 0.03, -0.02, 0.04, 0.0, 0.02, np.nan, np.nan]
    with pytest.warns(IncompleteHorizonWarning):
        none = evaluate(_fwd(y, 1), [6, 7], target_name="T", tests=("hac",))
    row = none.display_frame().iloc[0]
    assert row["verdict (5%)"] == "no complete events (2 incomplete)" and row["mean"] == "n/a"
    ran_sign = evaluate(_fwd(y, 1), [1, 3], target_name="T", tests=("sign",))
    absent = replace(ran_sign, default_test="hac").display_frame()
    assert absent["verdict (5%)"].iloc[0] == "hac not run" and absent["hac p"].iloc[0] == "n/a"
    assert absent["n"].iloc[0] == 2 and absent["target"].iloc[0] == "T"
    na = evaluate(_fwd(y, 1), [1, 3], target_name="T", tests=("hac",))
    reason = na.horizons["h"].tests["hac"].reason
    assert na.display_frame()["verdict (5%)"].iloc[0] == f"not applicable: {reason}"
    _, _, res = _two_horizon_result()
    hs = res.horizons["1w"]  # type: ignore[attr-defined]
    for p, verdict in ((0.05, "does not differ at 5%"), (0.0499, "differs at 5%")):
        tests = {"hac": replace(hs.tests["hac"], p_value=p)}
        one = replace(res, horizons={"1w": replace(hs, tests=tests)})
        assert one.display_frame()["verdict (5%)"].tolist() == [verdict]
        assert one.display_frame()["hac p"].tolist() == [f"{p:.3g}"]
    # the table judges at the study's alpha, not at a fixed 5%
    tests = {"hac": replace(hs.tests["hac"], p_value=0.07)}
    at_10 = replace(res, horizons={"1w": replace(hs, tests=tests)}, alpha=0.1)
    assert at_10.display_frame()["verdict (10%)"].tolist() == ["differs at 10%"]
    at_1 = replace(res, horizons={"1w": replace(hs, tests=tests)}, alpha=0.01)
    assert at_1.display_frame()["verdict (1%)"].tolist() == ["does not differ at 1%"]
    at_7 = replace(res, horizons={"1w": replace(hs, tests=tests)}, alpha=0.07)  # 7.000...1
    assert at_7.display_frame()["verdict (7%)"].tolist() == ["does not differ at 7%"]
    odd = replace(res, horizons={"1w": replace(hs, tests=tests)}, alpha=0.075)
    assert odd.display_frame()["verdict (0.075)"].tolist() == ["differs at 0.075"]


def test_verdict_branches_without_and_not_applicable_default_test() -> None:
    """Default test absent: the head only; default test not applicable: its reason."""
    y = [0.01, 0.03, -0.02, 0.04, 0.0, 0.02, np.nan]
    r1 = replace(evaluate(_fwd(y, 1), [1, 3], target_name="T", tests=("sign",)), default_test="hac")
    hs = r1.horizons["h"]
    assert r1.verdict("h") == (
        f"T h: mean +3.50% vs baseline {hs.baseline_mean * 100:+.2f}% "
        f"(excess {hs.excess_mean * 100:+.2f}%, n=2, episodes=2)"
    )
    r2 = evaluate(_fwd(y, 1), [1, 3], target_name="T", tests=("hac",))
    reason = r2.horizons["h"].tests["hac"].reason
    assert reason.startswith("only 2 complete events")
    assert r2.verdict("h").endswith(f"; hac: not applicable ({reason})")
    assert "p=" not in r2.verdict("h")


def test_event_at_the_sample_end_boundary() -> None:
    """An event on the first date after the sample is outside it (end is inclusive)."""
    f = _random_fwd(40, 13, {"h": 1})
    d = f.index
    with pytest.warns(DroppedEventsWarning, match="^1 events outside the sample"):
        res = evaluate(f, [10, 20, 21], sample=(d[10], d[20]), tests=())
    assert res.n_events == 2 and res.horizons["h"].n == 2
    assert res.horizons["h"].mean == pytest.approx(f["h"].iloc[[10, 20]].mean(), rel=1e-10)


def test_two_events_and_two_baseline_dates_have_a_std() -> None:
    """The sample standard deviation needs two values: n = 2 gives it (ddof = 1)."""
    y = [0.01, 0.05, np.nan]
    hs = evaluate(_fwd(y, 1), [0, 1], tests=()).horizons["h"]
    assert hs.n == 2 and hs.baseline_n == 2
    assert hs.std == pytest.approx(
        np.sqrt(((0.01 - 0.03) ** 2 + (0.05 - 0.03) ** 2) / 1), rel=1e-10
    )
    assert hs.baseline_std == pytest.approx(hs.std, rel=1e-10)


def test_no_complete_date_gives_nan_without_numpy_warnings() -> None:
    """A horizon longer than the data: every statistic NaN, baseline_n 0, and no numpy
    'mean of empty slice' RuntimeWarning leaks to the user."""
    f = _fwd([np.nan, np.nan, np.nan], 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", IncompleteHorizonWarning)
        hs = evaluate(f, [0, 2], tests=()).horizons["h"]
    assert hs.baseline_n == 0 and hs.n == 0 and hs.n_incomplete == 2
    for name in ("baseline_mean", "baseline_median", "baseline_hit_rate", "baseline_std"):
        assert np.isnan(getattr(hs, name)), name


def test_defaults_target_name_min_gap_draws_and_reps() -> None:
    """Documented defaults: target "target", min_gap 1 (adjacent events are allowed in the
    placebo draws), 10,000 placebo draws and 2,000 bootstrap replications."""
    rng = np.random.default_rng(0)
    f = pd.DataFrame({"h": rng.normal(0, 0.01, 60)}, index=pd.bdate_range("2020-01-01", periods=60))
    f.attrs["horizon_days"] = {"h": 1}
    events = sorted({*range(0, 59, 3), 10})  # 9 and 10 adjacent; 21 events in 60 dates, so
    # every bootstrap resample contains events and all 2,000 are valid
    res = evaluate(f, events, tests=("placebo", "bootstrap"), seed=1)
    tests = res.horizons["h"].tests
    assert tests["placebo"].details["draws"] == 10_000
    assert tests["placebo"].details["min_gap"] == 1
    assert tests["bootstrap"].details["reps"] == 2000
    assert res.target == "target"
    assert res.to_frame()["target"].tolist() == ["target"]
    assert res.summary().startswith("Event study of target: 21 events")


def test_the_result_keeps_the_alpha_it_was_evaluated_at() -> None:
    rng = np.random.default_rng(2)
    dates = pd.bdate_range("2010-01-04", periods=600)
    px = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 600))), index=dates)
    fwd = forward_returns(px, {"1m": 21})
    res = evaluate(fwd, np.array([50, 150, 250, 350]), tests=["hac"], alpha=0.1, seed=0)
    assert res.alpha == 0.1 and "verdict (10%)" in res.display_frame()
