"""threshold: level / change / percentile modes, crossing vs state, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sig_helpers import assert_no_look_ahead, make_frame

from eventstudy.signals import Threshold, trailing_percentile


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
        ({"level": 1.0, "n": 5}, ValueError, "n only applies to mode='change'"),
        ({"level": 1.0, "mode": "change", "window": 5}, ValueError, "window only applies"),
        ({"level": 1.0, "change_kind": "pct"}, ValueError, "change_kind only applies"),
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
