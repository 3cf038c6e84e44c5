"""divergence: hand-computed z-scores for every σ method, look-ahead, validation."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from sig_helpers import assert_no_look_ahead, make_frame

from eventstudy.exceptions import DataError
from eventstudy.signals import Divergence

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
        ({"sigma": "rolling", "sigma_start": "1980"}, ValueError, "sigma_start/sigma_end only"),
        ({"window": 10}, ValueError, "window only applies to sigma='rolling'"),
        ({"min_periods": 10}, ValueError, "min_periods only applies"),
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
