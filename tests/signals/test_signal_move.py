"""move: level modes and record modes by hand; no look-ahead; validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sig_helpers import assert_no_look_ahead, make_frame

from eventstudy.signals import Move


def test_above_and_below_two_day_simple():
    data = make_frame(x=[100.0, 100.0, 110.0, 104.5, 99.0])
    # 2-day returns by hand: t=2: 110/100-1 = .10, t=3: 104.5/100-1 = .045, t=4: 99/110-1 = -.10
    res = Move(series="x", n=2, mode="above", level=0.05).compute(data)
    np.testing.assert_allclose(res.value.to_numpy()[2:], [0.10, 0.045, -0.10], rtol=1e-12)
    assert res.value.isna().tolist() == [True, True, False, False, False]
    assert res.trigger.tolist() == [False, False, True, False, False]
    assert res.threshold == 0.05
    below = Move(series="x", n=2, mode="below", level=-0.05).compute(data)
    assert below.trigger.tolist() == [False, False, False, False, True]
    assert below.look_ahead is False


def test_log_kind():
    data = make_frame(x=[100.0, 120.0])
    res = Move(series="x", n=1, level=0.1, return_kind="log").compute(data)
    assert res.value.iloc[1] == pytest.approx(math.log(1.2))


def test_record_high_hand_case():
    # 1-day returns are exact binary fractions: 1, .5, .25 (ratios 2, 1.5, 1.25) ...
    prices = [8.0, 16.0, 24.0, 30.0, 60.0, 120.0, 150.0, 450.0]
    # r: -, 1.0, .5, .25, 1.0, 1.0, .25, 2.0
    res = Move(series="x", n=1, mode="record_high", lookback=3).compute(make_frame(x=prices))
    # windows of 3 past returns exist from t=4:
    # t=4: 1.0 vs max(1,.5,.25)=1 tie -> no; t=5: 1.0 vs max(.5,.25,1) -> no (tie)
    # t=6: .25 vs 1 -> no; t=7: 2.0 vs max(1,1,.25) -> record
    assert res.trigger.tolist() == [False] * 7 + [True]
    assert res.threshold is None
    assert "largest in the past 3 trading days" in res.description


def test_record_low_hand_case():
    prices = [100.0, 50.0, 25.0, 20.0, 18.0, 9.0]
    # r: -, -.5, -.5, -.2, -.1, -.5 ; lookback 2
    res = Move(series="x", n=1, mode="record_low", lookback=2).compute(make_frame(x=prices))
    # t=3: -.2 vs min(-.5,-.5) no; t=4: -.1 no; t=5: -.5 vs min(-.2,-.1) -> record low
    assert res.trigger.tolist() == [False] * 5 + [True]


def test_record_needs_full_lookback():
    prices = [1.0, 2.0, 8.0, 64.0]  # r: -, 1, 3, 7 (each a new high)
    res = Move(series="x", n=1, mode="record_high", lookback=2).compute(make_frame(x=prices))
    assert res.trigger.tolist() == [False, False, False, True]


@pytest.mark.parametrize(
    "params",
    [
        {"mode": "record_high", "lookback": 30, "n": 5},
        {"mode": "record_low", "lookback": 50},
        {"mode": "above", "level": 0.01, "n": 3},
    ],
)
def test_no_look_ahead(walk, params):
    assert_no_look_ahead(Move(series="a", **params).compute, walk, cuts=[20, 90, 200, 398])


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"mode": "above"}, ValueError, "level is required for mode='above'"),
        ({"mode": "record_high", "level": 0.1}, ValueError, "level does not apply"),
        (
            {"mode": "above", "level": 0.1, "lookback": 5},
            ValueError,
            "lookback and since only apply",
        ),
        ({"mode": "record_low", "lookback": 0}, ValueError, "lookback must be >= 1"),
        ({"mode": "max"}, ValueError, r"mode must be one of \['above', 'below', 'record_high'"),
        ({"level": "5%"}, TypeError, "level must be a number"),
        ({"level": 0.1, "n": 2.5}, TypeError, "n must be an integer"),
    ],
)
def test_bad_parameters(params, exc, match):
    with pytest.raises(exc, match=match):
        Move(series="x", **params)


def test_record_since_a_date_hand_case():
    # dates 2000-01-03 (Mon) .. 2000-01-12; 1-day returns r_t: -, 1.0, .5, .25, 1.0, 1.0, .25, 2.0
    prices = [8.0, 16.0, 24.0, 30.0, 60.0, 120.0, 150.0, 450.0]
    frame = make_frame(x=prices)
    res = Move(series="x", n=1, mode="record_high", since="2000-01-05").compute(frame)
    # from 2000-01-05 (t=2, r=.5): t=3 .25 < .5 no; t=4 1.0 > .5 record; t=5 1.0 tie no;
    # t=6 .25 no; t=7 2.0 > 1.0 record. Nothing on or before the since date.
    assert res.trigger.tolist() == [False, False, False, False, True, False, False, True]
    assert "largest since 2000-01-05" in res.description
    low = Move(series="x", n=1, mode="record_low", since="2000-01-05").compute(frame)
    # t=3 .25 < .5 record; afterwards nothing below .25 (t=6 ties .25)
    assert low.trigger.tolist() == [False, False, False, True, False, False, False, False]
    assert_no_look_ahead(
        lambda d: Move(series="x", n=1, mode="record_high", since="2000-01-05").compute(d),
        frame,
        [3, 5],
    )


def test_since_validation():
    with pytest.raises(ValueError, match="give lookback or since, not both"):
        Move(series="x", mode="record_high", lookback=10, since="2020-04-01")
    with pytest.raises(ValueError, match="only apply to mode 'record_high'"):
        Move(series="x", mode="above", level=0.1, since="2020-04-01")
    with pytest.raises(ValueError, match="since must be a date"):
        Move(series="x", mode="record_high", since="April")


def test_since_record_right_after_a_missing_day():
    """A missing return on t-1 does not hide a record on t (max over the defined returns)."""
    prices = [10.0, 11.0, 12.1, np.nan, 13.31, 26.62]
    # r: -, .1, .1, NaN, NaN, 1.0 -> position 5 beats every defined return since the start
    res = Move(series="x", n=1, mode="record_high", since="2000-01-03").compute(
        make_frame(x=prices)
    )
    assert res.trigger.tolist() == [False] * 5 + [True]
