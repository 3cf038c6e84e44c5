"""rebound: rise from the trailing low / fall from the trailing high, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.signals import Rebound
from tests.signals.sig_helpers import assert_no_look_ahead, make_frame


def test_up_from_low_hand_case():
    data = make_frame(x=[100.0, 90.0, 80.0, 85.0, 100.0, 104.0, 125.0])
    res = Rebound(series="x", pct=0.25, window=3).compute(data)
    # lows over [t-2, t]: t=2: 80, t=3: 80, t=4: 80, t=5: 85, t=6: 100
    expected = [np.nan, np.nan, 0.0, 85 / 80 - 1, 0.25, 104 / 85 - 1, 0.25]
    np.testing.assert_allclose(res.value.to_numpy(), expected, rtol=1e-12)
    # >= 25 %: t=4 (exactly 1.25x, prev .0625 -> crossing) and t=6 (prev .22 -> crossing)
    assert res.trigger.tolist() == [False, False, False, False, True, False, True]
    assert res.threshold == 0.25
    assert res.look_ahead is False


def test_state_vs_cross():
    data = make_frame(x=[100.0, 80.0, 100.0, 110.0, 120.0])
    cross = Rebound(series="x", pct=0.25, window=2).compute(data)
    state = Rebound(series="x", pct=0.25, window=2, cross=False).compute(data)
    # values: -, 0, .25, .1, 120/110-1 ; only t=2 qualifies
    assert cross.trigger.tolist() == [False, False, True, False, False]
    assert state.trigger.tolist() == [False, False, True, False, False]
    # lows over 4 days: t=3: 80 (.125), t=4: 80 (.25, crossing), t=5: 80 (.25, still there)
    data2 = make_frame(x=[80.0, 85.0, 80.0, 90.0, 100.0, 100.0])
    s2 = Rebound(series="x", pct=0.25, window=4, cross=False).compute(data2)
    c2 = Rebound(series="x", pct=0.25, window=4).compute(data2)
    assert s2.trigger.tolist() == [False] * 4 + [True, True]
    assert c2.trigger.tolist() == [False] * 4 + [True, False]


def test_down_from_high_hand_case():
    data = make_frame(x=[100.0, 110.0, 120.0, 100.0, 90.0])
    res = Rebound(series="x", pct=0.25, window=3, direction="down").compute(data)
    expected = [np.nan, np.nan, 0.0, 100 / 120 - 1, -0.25]
    np.testing.assert_allclose(res.value.to_numpy(), expected, rtol=1e-12)
    assert res.trigger.tolist() == [False, False, False, False, True]
    assert res.threshold == -0.25
    assert "down 25% or more from its 3-day high" in res.description


@pytest.mark.parametrize("direction", ["up", "down"])
def test_no_look_ahead(walk, direction):
    sig = Rebound(series="a", pct=0.05, window=20, direction=direction)
    assert_no_look_ahead(sig.compute, walk, cuts=[19, 40, 250, 398])


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"pct": 0.0}, ValueError, "pct must be > 0"),
        ({"pct": 0.2, "window": 1}, ValueError, "window must be >= 2"),
        ({"pct": 0.2, "direction": "above"}, ValueError, r"direction must be one of \['up'"),
    ],
)
def test_bad_parameters(params, exc, match):
    with pytest.raises(exc, match=match):
        Rebound(series="x", **params)


# ----------------------------------------------------------------------------- brute force


def brute_rebound(x: np.ndarray, pct: float, window: int, direction: str, cross: bool):
    """Value and trigger with explicit loops over dates (class docstring of Rebound)."""
    value = np.full(len(x), np.nan)
    for t in range(window - 1, len(x)):
        win = x[t - window + 1 : t + 1]
        if all(v > 0 for v in win):  # NaN and non-positive levels fail
            ref = min(win) if direction == "up" else max(win)
            value[t] = x[t] / ref - 1.0
    trig = np.zeros(len(x), dtype=bool)
    for t in range(len(x)):
        if np.isnan(value[t]):
            continue
        there = value[t] >= pct if direction == "up" else value[t] <= -pct
        if cross:
            prev = value[t - 1] if t > 0 else np.nan
            before = (prev < pct) if direction == "up" else (prev > -pct)
            there = there and not np.isnan(prev) and before
        trig[t] = there
    return value, trig


@pytest.mark.parametrize(
    "params",
    [
        {"pct": 0.08, "window": 20},
        {"pct": 0.05, "window": 10, "cross": False},
        {"pct": 0.08, "window": 20, "direction": "down"},
        {"pct": 0.06, "window": 15, "direction": "down", "cross": False},
        {"pct": 0.2, "window": 252},
    ],
)
def test_against_brute_force(params):
    rng = np.random.default_rng(31)
    x = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 600)))
    x[[40, 41]] = np.nan
    x[60] = 0.0
    x[80] = -1.0
    x[450:] *= 0.5  # a crash and a rebound: crossings for the one-year window too
    x[520:] *= 1.8
    data = make_frame(x=x)
    res = Rebound(series="x", **params).compute(data)
    value, trig = brute_rebound(
        x,
        params["pct"],
        params["window"],
        params.get("direction", "up"),
        params.get("cross", True),
    )
    np.testing.assert_allclose(res.value.to_numpy(), value, rtol=1e-10)
    np.testing.assert_array_equal(res.trigger.to_numpy(), trig)
    assert trig.sum() >= 2
    assert res.value.index.equals(data.index)
    assert res.threshold == (
        params["pct"] if params.get("direction", "up") == "up" else -params["pct"]
    )


def test_non_positive_levels_give_nan():
    data = make_frame(x=[1.0, 2.0, 0.0, 2.0, 3.0, -1.0, 4.0, 5.0])
    res = Rebound(series="x", pct=0.1, window=2, cross=False).compute(data)
    # windows holding a zero or negative level are undefined
    expected = [np.nan, 1.0, np.nan, np.nan, 0.5, np.nan, np.nan, 0.25]
    np.testing.assert_allclose(res.value.to_numpy(), expected, rtol=1e-12)
    assert res.trigger.tolist() == [False, True, False, False, True, False, False, True]


def test_exact_threshold_and_crossing_boundaries():
    # up: 80 -> 100 is exactly +25 %; down: 100 -> 75 is exactly -25 %
    up = make_frame(x=[80.0, 100.0, 100.0, 80.0, 100.0])
    cross = Rebound(series="x", pct=0.25, window=2).compute(up)
    # values: -, .25, 0, 0, .25 ; t=1 has an undefined previous value -> no crossing
    assert cross.trigger.tolist() == [False, False, False, False, True]
    assert Rebound(series="x", pct=0.25, window=2, cross=False).compute(up).trigger.tolist() == [
        False,
        True,
        False,
        False,
        True,
    ]
    down = make_frame(x=[100.0, 75.0, 75.0, 100.0, 75.0, 70.0])
    res = Rebound(series="x", pct=0.25, window=2, direction="down").compute(down)
    # values: -, -.25, 0, 0, -.25, -1/15 ; crossing only at t=4
    assert res.trigger.tolist() == [False, False, False, False, True, False]
    state = Rebound(series="x", pct=0.25, window=2, direction="down", cross=False).compute(down)
    assert state.trigger.tolist() == [False, True, False, False, True, False]
    # staying beyond the level: no second crossing while the previous value is already there
    stay = make_frame(x=[100.0, 75.0, 56.25, 42.1875])
    s = Rebound(series="x", pct=0.25, window=2, direction="down").compute(stay)
    assert s.trigger.tolist() == [False, False, False, False]


def test_truncated_data_give_the_same_past(walk):
    for params in ({"window": 30, "direction": "down"}, {"window": 12, "cross": False}):
        sig = Rebound(series="a", pct=0.05, **params)
        full = sig.compute(walk)
        for t in (11, 29, 30, 200, 398):
            part = sig.compute(walk.iloc[: t + 1])
            np.testing.assert_allclose(part.value.to_numpy(), full.value.to_numpy()[: t + 1])
            np.testing.assert_array_equal(part.trigger.to_numpy(), full.trigger.to_numpy()[: t + 1])


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"pct": 0.2}, "x up 20% or more from its 252-day low (crossing day)"),
        ({"pct": 0.125, "window": 5, "cross": False}, "x up 12.5% or more from its 5-day low"),
        (
            {"pct": 0.1, "window": 20, "direction": "down"},
            "x down 10% or more from its 20-day high (crossing day)",
        ),
    ],
)
def test_descriptions(params, text):
    res = Rebound(series="x", **params).compute(make_frame(x=[1.0, 2.0, 3.0]))
    assert res.description == text
    assert res.look_ahead is False


def test_more_bad_parameters():
    with pytest.raises(ValueError, match="pct must be > 0.0, got -0.1"):
        Rebound(series="x", pct=-0.1)
    with pytest.raises(TypeError, match="pct must be a number"):
        Rebound(series="x", pct="10%")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="window must be an integer"):
        Rebound(series="x", pct=0.1, window=2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cross must be true or false"):
        Rebound(series="x", pct=0.1, cross=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="series must be a non-empty column name"):
        Rebound(series="", pct=0.1)
    sig = Rebound(series="x", pct=1, window=2)
    assert sig.pct == 1.0 and isinstance(sig.pct, float)
