"""threshold: level / change / percentile modes, crossing vs state, by hand."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from eventstudy.signals import Threshold, trailing_percentile
from tests.signals.sig_helpers import assert_no_look_ahead, make_frame


def test_level_crossing_and_state():
    data = make_frame(x=[1.0, 2.0, 3.0, 2.0, 4.0, 5.0, 1.0])
    up = Threshold(series="x", level=2.5).compute(data)
    assert up.trigger.tolist() == [False, False, True, False, True, False, False]
    state = Threshold(series="x", level=2.5, cross=False).compute(data)
    assert state.trigger.tolist() == [False, False, True, False, True, True, False]
    down = Threshold(series="x", level=2.5, direction="below").compute(data)
    assert down.trigger.tolist() == [False, False, False, True, False, False, True]
    assert up.value.tolist() == data["x"].tolist()
    assert up.threshold == 2.5


def test_level_boundary_from_equal():
    # "from <= level to > level": sitting exactly on the level then rising is a crossing
    data = make_frame(x=[2.5, 2.5, 3.0, 2.5])
    assert Threshold(series="x", level=2.5).compute(data).trigger.tolist() == [
        False,
        False,
        True,
        False,
    ]
    down = Threshold(series="x", level=2.5, direction="below").compute(data)
    assert not down.trigger.any()  # 2.5 is not below 2.5


def test_nan_previous_day_is_not_a_crossing():
    data = make_frame(x=[1.0, np.nan, 3.0])
    assert not Threshold(series="x", level=2.0).compute(data).trigger.any()
    assert Threshold(series="x", level=2.0, cross=False).compute(data).trigger.tolist() == [
        False,
        False,
        True,
    ]


def test_change_difference_yield_up_half_point():
    data = make_frame(y=[4.0, 4.1, 4.3, 4.6, 4.5, 4.0])
    res = Threshold(series="y", level=0.45, mode="change", n=2).compute(data)
    # 2-day differences: -, -, .3, .5, .2, -.6
    np.testing.assert_allclose(res.value.to_numpy()[2:], [0.3, 0.5, 0.2, -0.6], atol=1e-12)
    assert res.trigger.tolist() == [False, False, False, True, False, False]
    assert res.description == "2-day change of y crosses above 0.45"


def test_change_pct():
    data = make_frame(x=[100.0, 100.0, 80.0, 75.0])
    res = Threshold(
        series="x", level=-0.15, mode="change", n=1, change_kind="pct", direction="below"
    ).compute(data)
    np.testing.assert_allclose(res.value.to_numpy()[1:], [0.0, -0.2, -0.0625], atol=1e-12)
    assert res.trigger.tolist() == [False, False, True, False]


def test_change_default_n_is_20():
    data = make_frame(x=np.arange(25.0))
    res = Threshold(series="x", level=0.0, mode="change").compute(data)
    assert res.value.isna().sum() == 20
    assert res.value.iloc[20] == 20.0


def test_trailing_percentile_by_hand():
    x = pd.Series([1.0, 2.0, 3.0, 2.5, 4.0, 1.0, 4.0], index=pd.bdate_range("2000", periods=7))
    r = trailing_percentile(x, 2)
    # t=2: 3 vs [1,2] -> 1; t=3: 2.5 vs [2,3] -> .5; t=4: 4 vs [3,2.5] -> 1; t=5: 1 vs [2.5,4] -> 0
    # t=6: 4 vs [4,1] -> (1 + .5)/2 = .75 (tie counts half)
    np.testing.assert_allclose(r.to_numpy(), [np.nan, np.nan, 1.0, 0.5, 1.0, 0.0, 0.75])


def test_trailing_percentile_nan_in_window_and_chunks():
    rng = np.random.default_rng(0)
    v = rng.normal(size=9000)
    v[5000] = np.nan
    x = pd.Series(v, index=pd.bdate_range("2000", periods=len(v)))
    r = trailing_percentile(x, 10).to_numpy()
    assert np.isnan(r[5000:5011]).all() and not np.isnan(r[5011])
    for t in (10, 4095, 4096, 4107, 8999):  # independent check across chunk boundaries
        past = v[t - 10 : t]
        assert r[t] == ((past < v[t]).sum() + 0.5 * (past == v[t]).sum()) / 10


def test_percentile_mode_trigger():
    data = make_frame(x=[1.0, 2.0, 3.0, 2.5, 4.0, 1.0])
    res = Threshold(series="x", level=0.9, mode="percentile", window=2).compute(data)
    # ranks: -, -, 1, .5, 1, 0 -> crossing above .9 only at t=4 (t=2 has no defined previous)
    assert res.trigger.tolist() == [False, False, False, False, True, False]
    state = Threshold(series="x", level=0.9, mode="percentile", window=2, cross=False)
    assert state.compute(data).trigger.tolist() == [False, False, True, False, True, False]


@pytest.mark.parametrize(
    "params",
    [
        {"level": 100.0},
        {"level": 0.05, "mode": "change", "n": 10, "change_kind": "pct"},
        {"level": 0.8, "mode": "percentile", "window": 30, "cross": False},
        {"level": 0.2, "mode": "percentile", "window": 15, "direction": "below"},
    ],
)
def test_no_look_ahead(walk, params):
    assert_no_look_ahead(Threshold(series="b", **params).compute, walk, cuts=[14, 31, 200, 398])


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"level": 1.5, "mode": "percentile"}, ValueError, "level must be <= 1.0"),
        ({"level": 1.0, "n": 5}, ValueError, "^n only applies to mode='change'$"),
        ({"level": 1.0, "mode": "change", "window": 5}, ValueError, "window only applies"),
        (
            {"level": 1.0, "change_kind": "pct"},
            ValueError,
            "^change_kind only applies to mode='change'$",
        ),
        ({"level": 1.0, "mode": "change", "change_kind": "log"}, ValueError, "change_kind must"),
        ({"level": 1.0, "direction": "both"}, ValueError, r"direction must be one of"),
        ({"level": 1.0, "mode": "rank"}, ValueError, r"mode must be one of \['level'"),
        ({"level": 1.0, "cross": "yes"}, TypeError, "cross must be true or false"),
        ({"level": float("nan")}, ValueError, "level must be finite"),
    ],
)
def test_bad_parameters(params, exc, match):
    with pytest.raises(exc, match=match):
        Threshold(series="x", **params)


# ----------------------------------------------------------------------------- brute force


def brute_percentile(v: np.ndarray, window: int) -> np.ndarray:
    """Mid-rank of v[t] among v[t-window .. t-1], with explicit loops; NaN if any is NaN."""
    out = np.full(len(v), np.nan)
    for t in range(window, len(v)):
        past = v[t - window : t]
        if np.isnan(v[t]) or np.isnan(past).any():
            continue
        below = int((past < v[t]).sum())
        ties = int((past == v[t]).sum())
        out[t] = (below + 0.5 * ties) / window
    return out


def brute_crossing(value: np.ndarray, level: float, direction: str, cross: bool) -> np.ndarray:
    trig = np.zeros(len(value), dtype=bool)
    for t in range(len(value)):
        v = value[t]
        if np.isnan(v):
            continue
        now = v > level if direction == "above" else v < level
        if cross:
            prev = value[t - 1] if t > 0 else np.nan
            was = prev <= level if direction == "above" else prev >= level
            now = now and not np.isnan(prev) and was
        trig[t] = now
    return trig


def _rounded_walk(n: int, seed: int) -> np.ndarray:
    """A random walk rounded to 0.5 so that ties occur; a few NaNs."""
    rng = np.random.default_rng(seed)
    v = np.round(np.cumsum(rng.normal(0, 1.0, n)) * 2) / 2 + 50.0
    v[[30, 31, 150]] = np.nan
    return v


@pytest.mark.parametrize("window", [1, 5, 37, 252])
def test_trailing_percentile_brute_force(window):
    v = _rounded_walk(700, seed=12)
    r = trailing_percentile(pd.Series(v, index=pd.bdate_range("2000", periods=len(v))), window)
    np.testing.assert_allclose(r.to_numpy(), brute_percentile(v, window), rtol=1e-10)


def test_trailing_percentile_length_boundaries_and_name():
    idx = pd.bdate_range("2000", periods=4)
    x = pd.Series([3.0, 1.0, 2.0, 2.0], index=idx, name="vix")
    r = trailing_percentile(x, 3)
    # len 4 > window 3: one value, 2 vs [3, 1, 2] -> (1 + .5) / 3
    np.testing.assert_allclose(r.to_numpy(), [np.nan, np.nan, np.nan, 0.5], rtol=1e-12)
    assert r.name == "vix" and r.index.equals(idx)
    assert trailing_percentile(x, 4).isna().all()  # len == window: nothing defined
    assert trailing_percentile(x, 9).isna().all()


def test_trailing_percentile_chunk_boundaries():
    """Several 4096-date chunks with a window spanning the boundary; ties from rounding."""
    v = _rounded_walk(8300, seed=5)
    r = trailing_percentile(pd.Series(v, index=pd.bdate_range("1990", periods=len(v))), 300)
    expected = brute_percentile(v, 300)
    np.testing.assert_allclose(r.to_numpy(), expected, rtol=1e-10)


@pytest.mark.parametrize(
    "params",
    [
        {"level": 52.0},
        {"level": 48.0, "direction": "below", "cross": False},
        {"level": 0.5, "mode": "change", "n": 3},
        {"level": -0.04, "mode": "change", "n": 1, "change_kind": "pct", "direction": "below"},
        {"level": 0.8, "mode": "percentile", "window": 20},
        {"level": 0.1, "mode": "percentile", "direction": "below", "cross": False},
    ],
)
def test_against_brute_force(params):
    v = _rounded_walk(700, seed=12)
    data = make_frame(x=v)
    res = Threshold(series="x", **params).compute(data)
    mode = params.get("mode", "level")
    if mode == "level":
        value = v.copy()
    elif mode == "change":
        n = params["n"]
        value = np.full(len(v), np.nan)
        for t in range(n, len(v)):
            if params.get("change_kind") == "pct":
                value[t] = v[t] / v[t - n] - 1.0
            else:
                value[t] = v[t] - v[t - n]
    else:
        value = brute_percentile(v, params.get("window", 252))
    # changes are rounded to 14 significant digits of the data (signals._base.exact)
    np.testing.assert_allclose(res.value.to_numpy(), value, rtol=1e-10, atol=1e-13)
    assert res.value.index.equals(data.index)
    if mode == "change":
        # the walk has two decimals: compare the exact decimal change with the level (a change
        # equal to it is not beyond it, whatever residue its float carries)
        n = params["n"]
        exact_value = value.copy()
        for t in range(n, len(v)):
            if not (np.isfinite(v[t - n]) and np.isfinite(v[t])):
                continue
            a, b = Fraction(repr(float(v[t - n]))), Fraction(repr(float(v[t])))
            change = b / a - 1 if params.get("change_kind") == "pct" else b - a
            if change == Fraction(repr(params["level"])):
                exact_value[t] = params["level"]
        value = exact_value
    trig = brute_crossing(
        value, params["level"], params.get("direction", "above"), params.get("cross", True)
    )
    np.testing.assert_array_equal(res.trigger.to_numpy(), trig)
    assert trig.any()
    assert res.threshold == params["level"] and res.look_ahead is False


def test_change_edge_cases():
    data = make_frame(x=[0.0, 2.0, 1.0, np.nan, 4.0])
    pct = Threshold(series="x", level=0.0, mode="change", n=1, change_kind="pct").compute(data)
    # 2/0 - 1 is infinite -> NaN; 1/2 - 1; NaN neighbours -> NaN
    np.testing.assert_allclose(pct.value.to_numpy(), [np.nan, np.nan, -0.5, np.nan, np.nan])
    diff = Threshold(series="x", level=0.0, mode="change", n=2, change_kind="difference").compute(
        data
    )
    np.testing.assert_allclose(diff.value.to_numpy(), [np.nan, np.nan, 1.0, np.nan, 3.0])
    zz = make_frame(x=[0.0, 0.0, 3.0])
    zres = Threshold(series="x", level=0.0, mode="change", n=1, change_kind="pct").compute(zz)
    assert zres.value.isna().all()  # 0/0 and 3/0: NaN, no RuntimeWarning (an error here)
    assert zres.value.index.equals(zz.index)
    short = Threshold(series="x", level=0.0, mode="change", n=5).compute(data)
    assert short.value.isna().all()  # len == n: nothing defined
    four = Threshold(series="x", level=0.0, mode="change", n=4).compute(data)
    assert four.value.tolist()[-1] == 4.0


def test_percentile_default_window_is_252():
    v = _rounded_walk(300, seed=3)
    v[np.isnan(v)] = 50.0  # no holes: the first rank is at position 252
    res = Threshold(series="x", level=0.5, mode="percentile").compute(make_frame(x=v))
    np.testing.assert_allclose(res.value.to_numpy(), brute_percentile(v, 252), rtol=1e-10)
    assert res.value.iloc[:252].isna().all() and not np.isnan(res.value.iloc[252])


def test_truncated_data_give_the_same_past():
    v = _rounded_walk(400, seed=8)
    data = make_frame(x=v)
    for params in (
        {"level": 0.7, "mode": "percentile", "window": 25},
        {"level": 1.0, "mode": "change", "n": 4, "direction": "below"},
    ):
        sig = Threshold(series="x", **params)
        full = sig.compute(data)
        for t in (24, 25, 26, 180, 398):
            part = sig.compute(data.iloc[: t + 1])
            np.testing.assert_allclose(part.value.to_numpy(), full.value.to_numpy()[: t + 1])
            np.testing.assert_array_equal(part.trigger.to_numpy(), full.trigger.to_numpy()[: t + 1])


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"level": 30.0}, "x crosses above 30"),
        ({"level": 12.5, "direction": "below", "cross": False}, "x below 12.5"),
        ({"level": 0.5, "mode": "change"}, "20-day change of x crosses above 0.5"),
        (
            {"level": -0.1, "mode": "change", "n": 5, "change_kind": "pct", "direction": "below"},
            "5-day pct change of x crosses below -0.1",
        ),
        (
            {"level": 0.9, "mode": "percentile", "cross": False},
            "percentile rank of x among the previous 252 days above 0.9",
        ),
        (
            {"level": 0.05, "mode": "percentile", "window": 60, "direction": "below"},
            "percentile rank of x among the previous 60 days crosses below 0.05",
        ),
    ],
)
def test_descriptions(params, text):
    res = Threshold(series="x", **params).compute(make_frame(x=[1.0, 2.0, 3.0]))
    assert res.description == text


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"level": -0.1, "mode": "percentile"}, ValueError, "level must be >= 0.0, got -0.1"),
        ({"level": 1.0, "mode": "percentile", "window": 0}, ValueError, "window must be >= 1"),
        ({"level": 1.0, "mode": "change", "n": 0}, ValueError, "n must be >= 1, got 0"),
        ({"level": 1.0, "mode": "change", "n": 2.0}, TypeError, "n must be an integer"),
        ({"level": 1.0, "mode": "percentile", "n": 5}, ValueError, "n only applies to mode="),
        (
            {"level": 1.0, "mode": "percentile", "change_kind": "pct"},
            ValueError,
            "change_kind only",
        ),
        ({"level": 1.0, "window": 5}, ValueError, "^window only applies to mode='percentile'$"),
        ({"level": "1"}, TypeError, "level must be a number"),
        ({"level": 1.0, "mode": 3}, TypeError, "mode must be a string"),
    ],
)
def test_more_bad_parameters(params, exc, match):
    with pytest.raises(exc, match=match):
        Threshold(series="x", **params)


def test_valid_extremes_and_float_level():
    assert Threshold(series="x", level=0, mode="percentile").level == 0.0
    assert Threshold(series="x", level=1, mode="percentile", window=1).level == 1.0
    sig = Threshold(series="x", level=3)
    assert isinstance(sig.level, float)
    with pytest.raises(ValueError, match="series must be a non-empty column name"):
        Threshold(series="", level=1.0)


def test_trailing_percentile_nullable_float_input():
    """A pandas nullable Float64 series: <NA> is treated as NaN (it poisons its windows)."""
    vals = [1.0, 3.0, None, 2.0, 5.0, 4.0, 0.5]
    x = pd.Series(pd.array(vals, dtype="Float64"), index=pd.bdate_range("2000", periods=7))
    r = trailing_percentile(x, 2)
    v = np.array([np.nan if q is None else q for q in vals])
    np.testing.assert_allclose(r.to_numpy(dtype=float), brute_percentile(v, 2), rtol=1e-10)
    assert r.to_numpy(dtype=float)[5] == 0.5  # 4 vs [2, 5]


def test_an_exact_change_is_the_threshold_on_every_date() -> None:
    """DGS10 quotes two decimals: 20-day changes of exactly 50 bp computed in floating point
    are 0.5, 0.5000000000000002 (1.66 -> 2.16) or -0.5000000000000004 (4.28 -> 3.78). None
    crosses a strict 0.5 (or -0.5); 0.51 does. The snapshot's own three dates (2013-05-31,
    1991-08-20, 2024-08-05) triggered on the residue alone."""
    assert 2.16 - 1.66 > 0.5 and 3.78 - 4.28 < -0.5  # the residue this guards against
    idx = pd.bdate_range("2020-01-01", periods=8)
    for pair, level, direction in (
        ((1.66, 2.16), 0.5, "above"),
        ((4.28, 3.78), -0.5, "below"),
        ((1.00, 1.50), 0.5, "above"),
    ):
        x = pd.Series([pair[0]] * 4 + [pair[1]] * 4, index=idx)
        res = Threshold(series="x", level=level, mode="change", n=2, direction=direction).compute(
            pd.DataFrame({"x": x})
        )
        assert not res.trigger.any(), pair
        assert np.nanmax(np.abs(res.value.to_numpy())) == 0.5
    moved = pd.Series([1.66] * 4 + [2.17] * 4, index=idx)
    res = Threshold(series="x", level=0.5, mode="change", n=2).compute(pd.DataFrame({"x": moved}))
    assert res.trigger.sum() == 1
    pct = pd.Series([100.0] * 4 + [104.0] * 4, index=idx)  # 104/100 - 1 = 0.040000000000000036
    res = Threshold(series="x", level=0.04, mode="change", n=2, change_kind="pct").compute(
        pd.DataFrame({"x": pct})
    )
    assert not res.trigger.any() and np.nanmax(res.value.to_numpy()) == 0.04


def test_the_rounding_follows_the_size_of_the_data() -> None:
    """An index near 1,000 with two decimals: 1023.68 -> 1024.18 is 0.5 plus 1.1e-13 in
    floating point, past the residue a fixed 14 decimals would keep; rounded at 14 significant
    digits of the series' size it is 0.5 and does not cross a strict 0.5. A series of zeros
    (size 0) and one of NaN pass through."""
    assert 1024.18 - 1023.68 > 0.5 + 1e-14
    idx = pd.bdate_range("2020-01-01", periods=6)
    x = pd.Series([1023.68] * 3 + [1024.18] * 3, index=idx)
    res = Threshold(series="x", level=0.5, mode="change", n=2).compute(pd.DataFrame({"x": x}))
    assert np.nanmax(res.value.to_numpy()) == 0.5 and not res.trigger.any()
    for flat in (np.zeros(6), np.full(6, np.nan)):
        z = pd.DataFrame({"x": flat}, index=idx)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = Threshold(series="x", level=0.5, mode="change", n=2).compute(z)
        assert not out.trigger.any()
