"""move: level modes and record modes by hand; no look-ahead; validation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eventstudy.signals import Move
from tests.signals.sig_helpers import assert_no_look_ahead, make_frame


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
    assert res.look_ahead is False and res.threshold is None
    low = Move(series="x", n=1, mode="record_low", since="2000-01-05").compute(frame)
    # t=3 .25 < .5 record; afterwards nothing below .25 (t=6 ties .25)
    assert low.trigger.tolist() == [False, False, False, True, False, False, False, False]
    assert_no_look_ahead(
        lambda d: Move(series="x", n=1, mode="record_high", since="2000-01-05").compute(d),
        frame,
        [3, 5],
    )


def test_since_validation():
    with pytest.raises(ValueError, match="^give lookback or since, not both$"):
        Move(series="x", mode="record_high", lookback=10, since="2020-04-01")
    with pytest.raises(
        ValueError, match="^lookback and since only apply to mode 'record_high' / 'record_low'$"
    ):
        Move(series="x", mode="above", level=0.1, since="2020-04-01")
    with pytest.raises(ValueError, match="since must be a date"):
        Move(series="x", mode="record_high", since="April")


# ----------------------------------------------------------------------------- brute force


def _returns(p: np.ndarray, n: int, kind: str) -> np.ndarray:
    out = np.full(len(p), np.nan)
    for t in range(n, len(p)):
        if p[t] > 0 and p[t - n] > 0:  # NaN compares False
            out[t] = math.log(p[t] / p[t - n]) if kind == "log" else p[t] / p[t - n] - 1.0
    return out


def _walk(n: int, seed: int, holes: tuple[int, ...] = (50, 51, 333)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
    x[list(holes)] = np.nan
    return make_frame(x=x)


def brute_record(r: np.ndarray, lookback: int, high: bool) -> np.ndarray:
    """Record over the ``lookback`` returns before t, all of them defined; a tie is no record."""
    trig = np.zeros(len(r), dtype=bool)
    for t in range(lookback, len(r)):
        past = r[t - lookback : t]
        if np.isnan(r[t]) or np.isnan(past).any():
            continue
        trig[t] = r[t] > max(past) if high else r[t] < min(past)
    return trig


def brute_since(r: np.ndarray, dates: pd.DatetimeIndex, since: str, high: bool) -> np.ndarray:
    """Record over every defined return from ``since`` to t-1; nothing on or before ``since``."""
    s = pd.Timestamp(since)
    trig = np.zeros(len(r), dtype=bool)
    for t in range(len(r)):
        if dates[t] <= s or np.isnan(r[t]):
            continue
        past = [r[u] for u in range(t) if dates[u] >= s and not np.isnan(r[u])]
        if past:
            trig[t] = r[t] > max(past) if high else r[t] < min(past)
    return trig


@pytest.mark.parametrize(
    "params",
    [
        {"n": 1, "mode": "above", "level": 0.02},
        {"n": 3, "mode": "below", "level": -0.03, "return_kind": "log"},
        {"n": 1, "mode": "record_high", "lookback": 20},
        {"n": 5, "mode": "record_low", "lookback": 40, "return_kind": "log"},
        {"n": 2, "mode": "record_high"},
        {"n": 1, "mode": "record_low"},
    ],
)
def test_against_brute_force(params):
    # the default lookback (756) needs 756 defined returns: holes early in the data only
    holes = (50, 51, 333) if "lookback" in params or "level" in params else (3, 4)
    data = _walk(900, seed=17, holes=holes)
    data.iloc[850:] *= 1.3  # a jump and a crash late in the sample: 3-year records
    data.iloc[870:] *= 0.6
    res = Move(series="x", **params).compute(data)
    kind = params.get("return_kind", "simple")
    r = _returns(data["x"].to_numpy(), params["n"], kind)
    # the returns are rounded to 14 decimals (signals._base.exact): atol 1e-14
    np.testing.assert_allclose(res.value.to_numpy(), r, rtol=1e-10, atol=1e-14)
    mode = params["mode"]
    if mode in ("above", "below"):
        lvl = params["level"]
        trig = (
            np.nan_to_num(r, nan=lvl) > lvl if mode == "above" else np.nan_to_num(r, nan=lvl) < lvl
        )
    else:
        trig = brute_record(r, params.get("lookback", 756), mode == "record_high")
    np.testing.assert_array_equal(res.trigger.to_numpy(), trig)
    assert trig.any()
    assert res.look_ahead is False


@pytest.mark.parametrize(("since", "high"), [("2000-06-01", True), ("2000-02-15", False)])
def test_since_against_brute_force(since, high):
    data = _walk(300, seed=2, holes=(50, 51, 120, 200))
    mode = "record_high" if high else "record_low"
    res = Move(series="x", n=1, mode=mode, since=since).compute(data)
    r = _returns(data["x"].to_numpy(), 1, "simple")
    trig = brute_since(r, data.index, since, high)
    np.testing.assert_array_equal(res.trigger.to_numpy(), trig)
    assert trig.sum() >= 2


def test_since_record_right_after_a_missing_day():
    """A missing return on t-1 does not hide a record on t (max over the defined returns)."""
    prices = [10.0, 11.0, 12.1, np.nan, 13.31, 26.62]
    # r: -, .1, .1, NaN, NaN, 1.0 -> position 5 beats every defined return since the first
    res = Move(series="x", n=1, mode="record_high", since="2000-01-04").compute(
        make_frame(x=prices)
    )
    assert res.trigger.tolist() == [False] * 5 + [True]


def test_since_weekend_date_and_first_day():
    # 2000-01-08 is a Saturday: the first return compared is Monday 2000-01-10's
    prices = [1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 30.0, 90.0, 80.0]
    frame = make_frame(x=prices)  # 2000-01-03 .. 2000-01-13
    res = Move(series="x", n=1, mode="record_high", since="2000-01-08").compute(frame)
    r = _returns(frame["x"].to_numpy(), 1, "simple")
    np.testing.assert_array_equal(
        res.trigger.to_numpy(), brute_since(r, frame.index, "2000-01-08", True)
    )
    # 01-10 (r=1) is the first in the sample, 01-11 (r=2) beats it, 01-12 (r=2) ties
    assert res.trigger.tolist() == [False] * 6 + [True, False, False]


def test_lookback_exactly_filled_and_ties():
    # r: -, .5, .25, .5, .75 ; lookback 3 -> first comparison at t=4 (window .5, .25, .5)
    prices = [4.0, 6.0, 7.5, 11.25, 19.6875]
    res = Move(series="x", n=1, mode="record_high", lookback=3).compute(make_frame(x=prices))
    assert res.trigger.tolist() == [False, False, False, False, True]
    # lookback 4 on 4 returns: no window is ever filled, the signal could never fire
    with pytest.raises(ValueError, match=r"^lookback = 4 needs 4 earlier 1-day returns of 'x'"):
        Move(series="x", n=1, mode="record_high", lookback=4).compute(make_frame(x=prices))
    # a level exactly equal is not beyond it
    lvl = Move(series="x", n=1, mode="above", level=0.5).compute(make_frame(x=prices))
    assert lvl.trigger.tolist() == [False, False, False, False, True]
    low = Move(series="x", n=1, mode="below", level=0.25).compute(make_frame(x=prices))
    assert not low.trigger.any()


def test_truncated_data_give_the_same_past():
    data = _walk(500, seed=9)
    for params in (
        {"mode": "record_high", "lookback": 30, "n": 2},
        {"mode": "record_low", "since": "2000-03-01"},
    ):
        sig = Move(series="x", **params)
        full = sig.compute(data)
        for t in (30, 33, 120, 400):
            if (t == 30 and "lookback" in params) or (t < 45 and "since" in params):
                # 29 returns for a 30-day lookback; data ending before since: refused
                with pytest.raises(ValueError, match="could never fire"):
                    sig.compute(data.iloc[: t + 1])
                continue
            part = sig.compute(data.iloc[: t + 1])
            np.testing.assert_allclose(part.value.to_numpy(), full.value.to_numpy()[: t + 1])
            np.testing.assert_array_equal(part.trigger.to_numpy(), full.trigger.to_numpy()[: t + 1])


@pytest.mark.parametrize(
    ("params", "text", "threshold"),
    [
        ({"n": 5, "mode": "above", "level": 0.05}, "5-day simple return of x above 0.05", 0.05),
        (
            {"n": 1, "mode": "below", "level": -0.1, "return_kind": "log"},
            "1-day log return of x below -0.1",
            -0.1,
        ),
        (
            {"mode": "record_high"},
            "5-day simple return of x the largest in the past 756 trading days",
            None,
        ),
        (
            {"n": 2, "mode": "record_low", "lookback": 10},
            "2-day simple return of x the smallest in the past 10 trading days",
            None,
        ),
        (
            {"mode": "record_low", "since": "2000-01-10"},  # the first 5-day return
            "5-day simple return of x the smallest since 2000-01-10",
            None,
        ),
    ],
)
def test_descriptions_and_thresholds(params, text, threshold):
    # 800 dates: long enough for the default lookback, so a record could fire
    res = Move(series="x", **params).compute(_walk(800, seed=1, holes=()))
    assert res.description == text
    assert res.threshold == threshold


def test_since_normalised_and_level_stored_as_float():
    import datetime as dt

    sig = Move(series="x", mode="record_high", since=dt.date(2020, 4, 1))
    assert sig.since == "2020-04-01"
    assert sig.to_config()["since"] == "2020-04-01"
    lvl = Move(series="x", level=1)
    assert lvl.level == 1.0 and isinstance(lvl.level, float)


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"mode": "below"}, ValueError, "level is required for mode='below'"),
        ({"mode": "below", "level": 0.1, "since": "2020-01-01"}, ValueError, "lookback and since"),
        (
            {"mode": "record_low", "level": 0.1},
            ValueError,
            r"level does not apply to mode='record_low'; use lookback",
        ),
        ({"mode": "record_high", "lookback": 2.0}, TypeError, "lookback must be an integer"),
        (
            {"mode": "record_high", "since": "2020-13-01"},
            ValueError,
            "since must be a date YYYY-MM-DD, got '2020-13-01'",
        ),
        ({"level": 0.1, "n": 0}, ValueError, "n must be >= 1, got 0"),
        (
            {"level": 0.1, "return_kind": "pct"},
            ValueError,
            r"return_kind must be one of \['log', 'simple'\]",
        ),
        ({"level": float("inf")}, ValueError, "level must be finite"),
    ],
)
def test_more_bad_parameters(params, exc, match):
    with pytest.raises(exc, match=match):
        Move(series="x", **params)
    with pytest.raises(ValueError, match="series must be a non-empty column name"):
        Move(series="", level=0.1)


def test_record_low_tie_is_not_a_record():
    # r: -, -.5, -.25, -.5 (exact binary fractions); lookback 2 -> t=3 ties the minimum
    res = Move(series="x", n=1, mode="record_low", lookback=2).compute(
        make_frame(x=[8.0, 4.0, 3.0, 1.5])
    )
    assert not res.trigger.any()
    lower = Move(series="x", n=1, mode="record_low", lookback=2).compute(
        make_frame(x=[8.0, 4.0, 3.0, 1.4])
    )
    assert lower.trigger.tolist() == [False, False, False, True]


def test_equal_returns_are_equal_against_a_level_and_a_record() -> None:
    """104/100 - 1 is 0.040000000000000036 in floating point: not above a 4% level once
    rounded (signals._base.exact); and a return equal to the record is no new record, whichever
    closes produced it (3.3/3.0 - 1 and 1.1/1.0 - 1 are both 10%, apart by residue alone)."""
    assert 104.0 / 100.0 - 1 > 0.04 and 1.1 / 1.0 - 1 > 3.3 / 3.0 - 1
    idx = pd.bdate_range("2020-01-01", periods=5)
    up = pd.DataFrame({"x": [100.0, 104.0, 104.0, 104.0, 104.0]}, index=idx)
    res = Move(series="x", n=1, mode="above", level=0.04).compute(up)
    assert not res.trigger.any() and res.value.iloc[1] == 0.04
    rec = pd.DataFrame({"x": [3.0, 3.3, 3.3, 1.0, 1.1]}, index=idx)
    res = Move(series="x", n=1, mode="record_high", since="2020-01-02").compute(rec)
    assert res.value.iloc[1] == res.value.iloc[4] == 0.1
    assert not res.trigger.any()
