"""divergence: hand-computed z-scores for every σ method, look-ahead, validation."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import DataError
from eventstudy.signals import Divergence
from tests.signals.sig_helpers import assert_no_look_ahead, make_frame, random_walk

# a moves 0, +10 %, -10 %, 0, +10 %; b is flat, so the 1-day simple spread is a's return.
A = [100.0, 110.0, 99.0, 99.0, 108.9]
X = [0.10, -0.10, 0.0, 0.10]  # hand: 110/100-1, 99/110-1, 99/99-1, 108.9/99-1


@pytest.fixture
def data():
    return make_frame(a=A, b=[50.0] * 5)


def test_full_sigma_hand_case(data):
    mu, sd = statistics.mean(X), statistics.stdev(X)  # ddof=1; mu=0.025, sd=0.0957427
    assert sd == pytest.approx(math.sqrt(0.0275 / 3))
    res = Divergence(a="a", b="b", n=1, k=0.5, return_kind="simple").compute(data)
    expected = [np.nan] + [(x - mu) / sd for x in X]
    np.testing.assert_allclose(res.value.to_numpy(), expected, rtol=1e-12, atol=1e-12)
    # z = 0.783, -1.306, -0.261, 0.783 -> above 0.5 on positions 1 and 4
    assert res.trigger.tolist() == [False, True, False, False, True]
    assert res.look_ahead is True
    assert res.threshold == 0.5
    assert "full-sample σ" in res.description


def test_full_sigma_sample_window_and_no_demean(data):
    start = data.index[3]
    res = Divergence(
        a="a", b="b", n=1, k=1.0, return_kind="simple", sigma_start=start, demean=False
    ).compute(data)
    sd = statistics.stdev([0.0, 0.10])  # only positions 3, 4 are in the sample
    np.testing.assert_allclose(
        res.value.to_numpy()[1:], [x / sd for x in X], rtol=1e-12, atol=1e-12
    )
    assert "since " + start.date().isoformat() in res.description


def test_directions(data):
    mu, sd = statistics.mean(X), statistics.stdev(X)
    z = [(x - mu) / sd for x in X]
    below = Divergence(a="a", b="b", n=1, k=1.0, return_kind="simple", direction="below")
    res = below.compute(data)
    assert res.trigger.tolist()[1:] == [v < -1.0 for v in z]
    assert res.threshold == -1.0
    both = Divergence(a="a", b="b", n=1, k=0.7, return_kind="simple", direction="both")
    assert both.compute(data).trigger.tolist()[1:] == [abs(v) > 0.7 for v in z]


def test_log_returns_two_day(data):
    res = Divergence(a="a", b="b", n=2, k=0.0, demean=False).compute(data)
    x = [math.log(99 / 100), math.log(99 / 110), math.log(108.9 / 99)]
    sd = statistics.stdev(x)
    np.testing.assert_allclose(
        res.value.to_numpy()[2:], [v / sd for v in x], rtol=1e-12, atol=1e-12
    )
    assert np.isnan(res.value.to_numpy()[:2]).all()


def test_expanding_uses_only_strictly_past_values():
    prices = [100.0, 110.0, 99.0, 99.0, 108.9, 98.01]
    x = [0.10, -0.10, 0.0, 0.10, -0.10]
    data = make_frame(a=prices, b=[1.0] * 6)
    res = Divergence(
        a="a", b="b", n=1, k=0.0, return_kind="simple", sigma="expanding", min_periods=2
    ).compute(data)
    expected = [np.nan, np.nan, np.nan]  # t=1,2: fewer than 2 past spreads
    for t in (3, 4, 5):
        past = x[: t - 1]  # spreads at positions 1..t-1
        expected.append((x[t - 1] - statistics.mean(past)) / statistics.stdev(past))
    np.testing.assert_allclose(res.value.to_numpy(), expected, rtol=1e-12, atol=1e-12)
    assert res.look_ahead is False


def test_rolling_window():
    prices = [100.0, 110.0, 99.0, 99.0, 108.9, 98.01]
    x = [0.10, -0.10, 0.0, 0.10, -0.10]
    data = make_frame(a=prices, b=[1.0] * 6)
    res = Divergence(
        a="a", b="b", n=1, k=0.0, return_kind="simple", sigma="rolling", window=2
    ).compute(data)
    expected = [np.nan, np.nan, np.nan]
    for t in (3, 4, 5):
        past = x[t - 3 : t - 1]  # the 2 spreads before t
        expected.append((x[t - 1] - statistics.mean(past)) / statistics.stdev(past))
    np.testing.assert_allclose(res.value.to_numpy(), expected, rtol=1e-12, atol=1e-12)
    assert "rolling σ of the past 2 values" in res.description


def test_zero_sigma_gives_nan():
    data = make_frame(a=[1.0, 2.0, 4.0, 8.0, 16.0], b=[1.0] * 5)  # spread is exactly 1.0 always
    res = Divergence(a="a", b="b", n=1, return_kind="simple", sigma="rolling", window=2).compute(
        data
    )
    assert res.value.isna().all()
    assert not res.trigger.any()


@pytest.mark.parametrize(
    "params",
    [
        {"sigma": "expanding", "min_periods": 30},
        {"sigma": "rolling", "window": 40, "n": 5},
        {"sigma": "rolling", "window": 20, "direction": "both", "k": 1.0, "demean": False},
    ],
)
def test_trailing_methods_have_no_look_ahead(walk, params):
    sig = Divergence(a="a", b="b", **params)
    assert_no_look_ahead(sig.compute, walk, cuts=[35, 60, 150, 398])


def test_full_sigma_does_look_ahead(walk):
    sig = Divergence(a="a", b="b")
    base = sig.compute(walk)
    other = walk.copy()
    other.iloc[200:, 0] *= 1.5
    assert base.look_ahead
    assert not np.allclose(sig.compute(other).value.iloc[10:100], base.value.iloc[10:100])


def test_sigma_sample_too_small(data):
    sig = Divergence(a="a", b="b", sigma_start="2030-01-01")
    with pytest.raises(DataError, match=r"fewer than 2 values.*since 2030-01-01"):
        sig.compute(data)


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"k": -1.0}, ValueError, "k must be >= 0"),
        ({"k": "3"}, TypeError, "k must be a number"),
        ({"n": 0}, ValueError, "n must be >= 1"),
        ({"direction": "up"}, ValueError, r"direction must be one of"),
        ({"return_kind": "pct"}, ValueError, r"return_kind must be one of \['log', 'simple'\]"),
        ({"sigma": "ewm"}, ValueError, r"sigma must be one of \['full', 'expanding', 'rolling'\]"),
        (
            {"sigma": "rolling", "sigma_start": "1980"},
            ValueError,
            "^sigma_start/sigma_end only apply to sigma='full'$",
        ),
        ({"window": 10}, ValueError, "^window only applies to sigma='rolling'$"),
        ({"min_periods": 10}, ValueError, "^min_periods only applies to sigma='expanding'$"),
        ({"sigma": "rolling", "window": 1}, ValueError, "window must be >= 2"),
        ({"sigma_start": "2000", "sigma_end": "1990"}, ValueError, "before sigma_start"),
        ({"sigma_start": "not a date"}, ValueError, "sigma_start must be a date"),
        ({"demean": 1}, TypeError, "demean must be true or false"),
        ({"b": "a"}, ValueError, "a and b must be different"),
    ],
)
def test_bad_parameters(params, exc, match):
    kw = {"a": "a", "b": "b", **params}
    with pytest.raises(exc, match=match):
        Divergence(**kw)


# ----------------------------------------------------------------------------- brute force


def _walk_with_holes(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
    b = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    a[[40, 41, 300]] = np.nan  # missing levels: the spread is NaN on the affected days
    b[[120]] = np.nan
    return make_frame(a=a, b=b)


def _ret(p: np.ndarray, t: int, n: int, kind: str) -> float:
    if t < n or np.isnan(p[t]) or np.isnan(p[t - n]):
        return math.nan
    return math.log(p[t] / p[t - n]) if kind == "log" else p[t] / p[t - n] - 1.0


def brute_divergence(
    data: pd.DataFrame,
    *,
    n: int,
    kind: str,
    sigma: str,
    demean: bool = True,
    mp: int = 252,
    w: int = 252,
    start: str | None = None,
    end: str | None = None,
) -> np.ndarray:
    """z_t with explicit loops: statistics.mean / statistics.stdev (ddof=1) of the past."""
    pa, pb = data["a"].to_numpy(), data["b"].to_numpy()
    x = [_ret(pa, t, n, kind) - _ret(pb, t, n, kind) for t in range(len(pa))]
    dates = list(data.index)
    out = np.full(len(x), np.nan)
    if sigma == "full":
        sample = [
            v
            for d, v in zip(dates, x, strict=True)
            if not math.isnan(v)
            and (start is None or d >= pd.Timestamp(start))
            and (end is None or d <= pd.Timestamp(end))
        ]
        mu, sd = statistics.mean(sample), statistics.stdev(sample)
    for t in range(len(x)):
        if sigma == "expanding":
            past = [v for v in x[:t] if not math.isnan(v)]
            if len(past) < mp:
                continue
        elif sigma == "rolling":
            past = x[t - w : t] if t >= w else []
            if len(past) < w or any(math.isnan(v) for v in past):
                continue
        if sigma != "full":
            mu, sd = statistics.mean(past), statistics.stdev(past)
        if math.isnan(x[t]) or sd <= 1e-12:
            continue
        out[t] = ((x[t] - mu) if demean else x[t]) / sd
    return out


@pytest.mark.parametrize(
    "params",
    [
        {"n": 1, "return_kind": "simple"},
        {"n": 3, "demean": False},
        {"n": 5, "sigma_start": "2000-03-01", "sigma_end": "2000-09-29"},
        {"n": 2, "sigma_end": "2000-06-30", "return_kind": "simple"},
        {"n": 1, "sigma": "expanding"},
        {"n": 4, "sigma": "expanding", "min_periods": 30, "demean": False},
        {"n": 1, "sigma": "rolling", "window": 60},
        {"n": 2, "sigma": "rolling", "window": 25, "return_kind": "simple"},
    ],
)
def test_against_brute_force(params):
    data = _walk_with_holes(400, seed=21)
    res = Divergence(a="a", b="b", k=1.0, **params).compute(data)
    expected = brute_divergence(
        data,
        n=params["n"],
        kind=params.get("return_kind", "log"),
        sigma=params.get("sigma", "full"),
        demean=params.get("demean", True),
        mp=params.get("min_periods", 252),
        w=params.get("window", 252),
        start=params.get("sigma_start"),
        end=params.get("sigma_end"),
    )
    # |z| is O(1): an absolute 1e-12 covers cancellation in x - mu for z near 0
    np.testing.assert_allclose(res.value.to_numpy(), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(res.trigger.to_numpy(), np.nan_to_num(expected) > 1.0)
    assert np.isfinite(expected).sum() > 50


@pytest.mark.parametrize(
    ("params", "first"),
    [
        # x defined from position n; expanding needs mp past values: first z at n + mp
        ({"n": 3, "sigma": "expanding", "min_periods": 10}, 13),
        # rolling needs the w values before t, all defined: first z at n + w
        ({"n": 2, "sigma": "rolling", "window": 7}, 9),
        ({"n": 1, "sigma": "expanding"}, 253),
        ({"n": 1, "sigma": "rolling"}, 253),
    ],
)
def test_first_valid_date(params, first):
    data = random_walk(300, seed=4)
    res = Divergence(a="a", b="b", **params).compute(data)
    assert res.value.iloc[:first].isna().all()
    assert not np.isnan(res.value.iloc[first])
    expected = brute_divergence(
        data,
        n=params["n"],
        kind="log",
        sigma=params["sigma"],
        mp=params.get("min_periods", 252),
        w=params.get("window", 252),
    )
    np.testing.assert_allclose(res.value.to_numpy(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "params",
    [
        {"sigma": "expanding", "min_periods": 20, "n": 2},
        {"sigma": "rolling", "window": 15, "n": 3, "direction": "both"},
    ],
)
def test_truncated_data_give_the_same_past(params):
    """No look-ahead: computing on data cut after t reproduces value and trigger up to t."""
    data = _walk_with_holes(400, seed=8)
    sig = Divergence(a="a", b="b", k=1.0, **params)
    full = sig.compute(data)
    for t in (20, 23, 60, 299, 398):
        part = sig.compute(data.iloc[: t + 1])
        np.testing.assert_allclose(part.value.to_numpy(), full.value.to_numpy()[: t + 1])
        np.testing.assert_array_equal(part.trigger.to_numpy(), full.trigger.to_numpy()[: t + 1])


def test_full_sigma_sample_bounds_are_inclusive():
    data = make_frame(a=A, b=[50.0] * 5)
    d = data.index
    # sample = positions 2..3 inclusive: X[1], X[2] = -0.10, 0.0
    res = Divergence(
        a="a", b="b", n=1, return_kind="simple", sigma_start=d[2], sigma_end=d[3]
    ).compute(data)
    mu, sd = statistics.mean(X[1:3]), statistics.stdev(X[1:3])
    np.testing.assert_allclose(res.value.to_numpy()[1:], [(v - mu) / sd for v in X], rtol=1e-10)
    text = f"full-sample σ ({d[2].date()} to {d[3].date()}, look-ahead)"
    assert text in res.description
    # a one-value sample is too small; the message gives the window
    with pytest.raises(
        DataError,
        match=rf"fewer than 2 values of the 1-day return spread a-b in the sigma sample "
        rf"\({d[2].date()} to {d[2].date()}\)",
    ):
        Divergence(a="a", b="b", n=1, sigma_start=d[2], sigma_end=d[2]).compute(data)
    with pytest.raises(DataError, match=rf"\(up to {d[1].date()}\)"):
        Divergence(a="a", b="b", n=1, sigma_end=d[1]).compute(data)
    with pytest.raises(
        DataError, match=r"2-day return spread a-b in the sigma sample \(all data\)"
    ):
        Divergence(a="a", b="b", n=2).compute(data.iloc[:3])
    # exactly two values (log .99 and log .9) are enough
    two = Divergence(a="a", b="b", n=2).compute(data.iloc[:4])
    assert np.isfinite(two.value.to_numpy()[2:]).all()


def test_sigma_floor():
    """σ at or below 1e-12 counts as zero; a small but real σ does not."""
    tiny = [1.0, 1.0 + 1e-9, 1.0, 1.0 + 1e-9, 1.0, 1.0 + 1e-9]
    data = make_frame(a=tiny, b=[1.0] * 6)
    res = Divergence(a="a", b="b", n=1, return_kind="simple", demean=False).compute(data)
    expected = brute_divergence(data, n=1, kind="simple", sigma="full", demean=False)
    assert np.isfinite(expected[1:]).all()
    # returns of 1e-9 carry ~1e-7 relative rounding, and pandas' rolling sums differ from
    # statistics.stdev at that level: rtol 1e-6 is what the data can support here
    np.testing.assert_allclose(res.value.to_numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize(
    ("params", "text"),
    [
        (
            {},
            "5-day log return of a minus b, z-scored by full-sample σ (all data, look-ahead), "
            "above 2σ",
        ),
        (
            {"n": 1, "k": 1.5, "direction": "below", "demean": False, "return_kind": "simple"},
            "1-day simple return of a minus b, scaled by full-sample σ (all data, look-ahead), "
            "below -1.5σ",
        ),
        (
            {"sigma_end": "2001-02-03", "direction": "both"},
            "z-scored by full-sample σ (up to 2001-02-03, look-ahead), beyond ±2σ",
        ),
        ({"sigma": "expanding"}, "z-scored by expanding σ of past values (min 252), above 2σ"),
        ({"sigma": "expanding", "min_periods": 9}, "expanding σ of past values (min 9)"),
        ({"sigma": "rolling"}, "z-scored by rolling σ of the past 252 values, above 2σ"),
    ],
)
def test_descriptions(params, text):
    assert text in Divergence(a="a", b="b", **params)._describe()


def test_thresholds_and_look_ahead_flags(walk):
    for direction, level in (("above", 1.5), ("below", -1.5), ("both", 1.5)):
        res = Divergence(a="a", b="b", k=1.5, direction=direction).compute(walk)
        assert res.threshold == level and res.look_ahead is True
    for sigma in ("expanding", "rolling"):
        res = Divergence(a="a", b="b", sigma=sigma).compute(walk)
        assert res.look_ahead is False
        assert "look-ahead" not in res.summary()


def test_k_is_stored_as_float_and_zero_allowed():
    sig = Divergence(a="a", b="b", k=3)
    assert sig.k == 3.0 and isinstance(sig.k, float)
    assert Divergence(a="a", b="b", k=0).k == 0.0
    same = Divergence(a="a", b="b", sigma_start="2000-01-01", sigma_end="2000-01-01")
    assert same.sigma_start == same.sigma_end == pd.Timestamp("2000-01-01")


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"sigma": "expanding", "min_periods": 1}, ValueError, "min_periods must be >= 2, got 1"),
        ({"sigma": "rolling", "window": 2.0}, TypeError, "window must be an integer"),
        ({"sigma": "expanding", "sigma_end": "1990"}, ValueError, "sigma_start/sigma_end only"),
        ({"sigma": "rolling", "min_periods": 5}, ValueError, "min_periods only applies to sigma="),
        ({"sigma": "expanding", "window": 5}, ValueError, "window only applies to sigma='rolling'"),
        (
            {"sigma_start": "2000-01-02", "sigma_end": "1990-03-04"},
            ValueError,
            "sigma_end 1990-03-04 is before sigma_start 2000-01-02",
        ),
        ({"sigma_end": 5}, TypeError, "sigma_end must be a date string"),
        ({"b": "a"}, ValueError, "a and b must be different columns, got 'a' twice"),
        ({"a": ""}, ValueError, "a must be a non-empty column name"),
        ({"b": 2}, TypeError, "b must be a column name"),
        ({"n": 1.0}, TypeError, "n must be an integer"),
        ({"return_kind": 1}, TypeError, "return_kind must be a string"),
    ],
)
def test_more_bad_parameters(params, exc, match):
    kw = {"a": "a", "b": "b", **params}
    with pytest.raises(exc, match=match):
        Divergence(**kw)


def test_values_and_from_values_split_compute() -> None:
    """compute is from_values(values): the value does not depend on k or direction, so a
    value computed once serves every threshold (what a sweep does)."""
    idx = pd.bdate_range("2020-01-01", periods=400)
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {"a": 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 400))), "b": 100 + np.arange(400.0)},
        index=idx,
    )
    base = Divergence(a="a", b="b", n=5, k=1.0, sigma="rolling", window=60)
    assert Divergence.threshold_params == ("k", "direction")
    z = base.values(data)
    for k, direction in ((1.0, "above"), (0.5, "below"), (1.5, "both")):
        other = Divergence(a="a", b="b", n=5, k=k, direction=direction, sigma="rolling", window=60)
        pd.testing.assert_series_equal(other.values(data), z)
        got, want = other.from_values(z), other.compute(data)
        pd.testing.assert_series_equal(got.trigger, want.trigger)
        pd.testing.assert_series_equal(got.value, want.value)
        assert (got.threshold, got.description) == (want.threshold, want.description)
    assert base.from_values(z).trigger.any()
