"""rebound: rise from the trailing low / fall from the trailing high, by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sig_helpers import assert_no_look_ahead, make_frame

from eventstudy.signals import Rebound


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
