"""all_of / any_of / not: combined triggers, values, look-ahead propagation, configs."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.exceptions import ConfigError
from eventstudy.signals import (
    AllOf,
    AnyOf,
    Not,
    Threshold,
    all_of,
    any_of,
    make_signal,
    not_,
)
from tests.signals.sig_helpers import make_frame

A = Threshold(series="x", level=2.0, cross=False)  # x > 2
B = Threshold(series="y", level=1.0, cross=False)  # y > 1


@pytest.fixture
def data():
    return make_frame(x=[np.nan, 3.0, 1.0, 3.0, 3.0], y=[5.0, 5.0, 0.0, 0.0, 5.0])


def test_all_of(data):
    res = all_of(A, B).compute(data)
    assert res.trigger.tolist() == [False, True, False, False, True]
    np.testing.assert_array_equal(res.value.to_numpy(), data["x"].to_numpy())
    assert res.threshold == 2.0
    assert res.description == "all of: x above 2; y above 1"


def test_any_of(data):
    res = any_of(A, B).compute(data)
    assert res.trigger.tolist() == [True, True, False, True, True]
    np.testing.assert_array_equal(res.value.to_numpy(), [1.0, 2.0, 0.0, 1.0, 2.0])
    assert res.threshold is None


def test_any_of_value_nan_where_all_children_undefined():
    data = make_frame(x=[np.nan, 3.0], y=[np.nan, 0.0])
    res = any_of(A, B).compute(data)
    assert np.isnan(res.value.iloc[0]) and res.value.iloc[1] == 1.0


def test_not(data):
    res = not_(A).compute(data)
    # position 0: x undefined -> no trigger
    assert res.trigger.tolist() == [False, False, True, False, False]
    assert res.description == "not (x above 2)"


def test_look_ahead_propagates():
    data = make_frame(x=[1.0, 2.0, 4.0, 3.0, 5.0], y=[1.0, 1.5, 1.0, 2.0, 1.0])
    div = {"type": "divergence", "a": "x", "b": "y", "n": 1, "k": 0.0}
    assert make_signal({"type": "all_of", "signals": [div, A]}).compute(data).look_ahead
    assert make_signal({"type": "any_of", "signals": [A, div]}).compute(data).look_ahead
    assert make_signal({"type": "not", "signal": div}).compute(data).look_ahead
    assert not all_of(A, B).compute(data).look_ahead


def test_nested_config_and_round_trip(data):
    cfg = {
        "type": "all_of",
        "signals": [
            {"type": "threshold", "series": "x", "level": 2.0, "cross": False},
            {
                "type": "not",
                "signal": {"type": "threshold", "series": "y", "level": 1.0, "cross": False},
            },
        ],
    }
    sig = make_signal(cfg)
    assert isinstance(sig, AllOf) and isinstance(sig.signals[1], Not)
    assert sig.compute(data).trigger.tolist() == [False, False, False, True, False]
    assert make_signal(sig.to_config()) == sig
    assert isinstance(make_signal({"type": "any_of", "signals": [cfg]}), AnyOf)


def test_errors():
    with pytest.raises(ValueError, match="signals must hold at least one signal"):
        AllOf(signals=())
    with pytest.raises(TypeError, match="signals must be a list of signals"):
        AnyOf(signals={"type": "threshold"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="signal must be a signal or a signal config"):
        Not(signal=[A])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"unknown signal type 'bogus'.*all_of"):
        make_signal({"type": "all_of", "signals": [{"type": "bogus"}]})
    with pytest.raises(ConfigError, match=r"unknown parameter 'signals' for signal type 'not'"):
        make_signal({"type": "not", "signals": [A]})


# ----------------------------------------------------------------------------- brute force


def _children_data():
    rng = np.random.default_rng(4)
    x = rng.normal(0, 1, 60)
    y = rng.normal(0, 1, 60)
    z = rng.normal(0, 1, 60)
    x[[0, 5, 6, 7]] = np.nan
    y[[5, 6, 9]] = np.nan
    z[[5, 8, 9]] = np.nan  # position 5: every child undefined
    return make_frame(x=x, y=y, z=z)


KIDS = (
    Threshold(series="x", level=0.3, cross=False),
    Threshold(series="y", level=-0.2, direction="below", cross=False),
    Threshold(series="z", level=0.0, cross=True),
)


def test_any_of_count_and_trigger_brute_force():
    data = _children_data()
    res = AnyOf(signals=KIDS).compute(data)
    kids = [k.compute(data) for k in KIDS]
    exp_val, exp_trig = [], []
    for t in range(len(data)):
        defined = [not np.isnan(k.value.iloc[t]) for k in kids]
        fired = [bool(k.trigger.iloc[t]) for k in kids]
        exp_val.append(float(sum(fired)) if any(defined) else np.nan)
        exp_trig.append(any(fired))
    np.testing.assert_array_equal(res.value.to_numpy(), exp_val)
    assert res.trigger.tolist() == exp_trig
    assert np.isnan(res.value.iloc[5])
    assert max(exp_val[1:]) >= 2  # several children trigger on some day
    assert res.value.index.equals(data.index)
    assert res.description == "any of: " + "; ".join(k.description for k in kids)
    assert res.look_ahead is False


def test_all_of_and_not_brute_force():
    data = _children_data()
    kids = [k.compute(data) for k in KIDS]
    res = AllOf(signals=KIDS[:2]).compute(data)
    exp = [
        bool(kids[0].trigger.iloc[t]) and bool(kids[1].trigger.iloc[t]) for t in range(len(data))
    ]
    assert res.trigger.tolist() == exp and any(exp)
    np.testing.assert_array_equal(res.value.to_numpy(), kids[0].value.to_numpy())
    assert res.threshold == 0.3
    neg = Not(signal=KIDS[1]).compute(data)
    exp_not = [
        (not np.isnan(kids[1].value.iloc[t])) and not bool(kids[1].trigger.iloc[t])
        for t in range(len(data))
    ]
    assert neg.trigger.tolist() == exp_not
    np.testing.assert_array_equal(neg.value.to_numpy(), kids[1].value.to_numpy())
    assert neg.threshold == -0.2
    assert neg.look_ahead is False


def test_look_ahead_of_not_and_any_of_follow_children():
    data = make_frame(x=[1.0, 2.0, 4.0, 3.0, 5.0], y=[1.0, 1.5, 1.0, 2.0, 1.0])
    div = {"type": "divergence", "a": "x", "b": "y", "n": 1, "k": 0.0}
    assert not any_of(A, B).compute(data).look_ahead
    assert not_(div).compute(data).look_ahead is True
    assert not not_(A).compute(data).look_ahead
    res = any_of(div, A).compute(data)
    assert res.look_ahead is True and res.threshold is None
    assert all_of(A, div).compute(data).look_ahead is True


def test_constructors_accept_configs_and_signals():
    cfg = {"type": "threshold", "series": "x", "level": 2.0, "cross": False}
    assert all_of(cfg, B).signals == (A, B)
    assert any_of(A, cfg).signals == (A, A)
    assert not_(cfg).signal == A
    assert Not(signal=cfg).signal == A
    assert AnyOf(signals=[cfg, B]).signals == (A, B)
    assert AllOf(signals=(A,)).signals == (A,)


@pytest.mark.parametrize("bad", ["xy", b"xy", 5, A])
def test_signals_must_be_a_list(bad):
    with pytest.raises(TypeError, match="signals must be a list of signals or signal configs"):
        AllOf(signals=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="signals must be a list of signals or signal configs"):
        AnyOf(signals=bad)  # type: ignore[arg-type]


def test_empty_lists_and_bad_not_child():
    with pytest.raises(ValueError, match="signals must hold at least one signal"):
        AnyOf(signals=[])
    with pytest.raises(TypeError, match="signal must be a signal or a signal config, got 'x'"):
        Not(signal="x")  # type: ignore[arg-type]


def test_any_of_on_one_value_keeps_the_value_and_both_levels() -> None:
    """Thresholds on one statistic (a change above +0.5 or below -0.5): the combined value is
    that statistic, not a 0/1 count, and both levels are kept for the plot and the summary."""
    x = [np.nan, 0.0, 0.7, -0.6, 0.2, -0.1]
    data = make_frame(x=x, y=[1.0] * 6)
    up = Threshold(series="x", level=0.5, direction="above", cross=False)
    down = Threshold(series="x", level=-0.5, direction="below", cross=False)
    res = any_of(up, down).compute(data)
    np.testing.assert_array_equal(res.value.to_numpy(), x)
    assert res.trigger.tolist() == [False, False, True, True, False, False]
    assert res.threshold is None and res.levels == (0.5, -0.5)
    assert "threshold: 0.5, -0.5" in res.summary()
    # the same level twice is one threshold, no list
    twice = any_of(up, Threshold(series="x", level=0.5, cross=True)).compute(data)
    assert twice.threshold == 0.5 and twice.levels == ()
    np.testing.assert_array_equal(twice.value.to_numpy(), x)
    # values that differ anywhere (here only where one is undefined) still count triggers
    other = any_of(up, Threshold(series="y", level=0.5, cross=False)).compute(data)
    np.testing.assert_array_equal(other.value.to_numpy(), [1.0, 1.0, 2.0, 1.0, 1.0, 1.0])
    assert other.threshold is None and other.levels == ()


def test_levels_must_be_numbers() -> None:
    from eventstudy.signals import SignalResult

    data = make_frame(x=[1.0, 2.0], y=[1.0, 1.0])
    base = A.compute(data)
    for bad in ([0.5], (0.5, "1"), (True,)):
        with pytest.raises(TypeError, match="^levels must be a tuple of numbers, got "):
            SignalResult(
                value=base.value,
                trigger=base.trigger,
                threshold=None,
                look_ahead=False,
                description="d",
                levels=bad,  # type: ignore[arg-type]
            )


def test_any_of_one_value_keeps_look_ahead_and_a_lone_child() -> None:
    """The shared-value branch keeps the children's look-ahead, and one child alone is its
    own value and threshold."""
    data = make_frame(x=[1.0, 2.0, 4.0, 3.0, 5.0], y=[1.0, 1.5, 1.0, 2.0, 1.0])
    div = {"type": "divergence", "a": "x", "b": "y", "n": 1, "k": 0.0}
    both = any_of(div, div).compute(data)
    assert both.look_ahead is True
    np.testing.assert_array_equal(both.value.to_numpy(), make_signal(div).compute(data).value)
    alone = any_of(A).compute(data)
    np.testing.assert_array_equal(alone.value.to_numpy(), data["x"].to_numpy())
    assert alone.threshold == 2.0 and alone.levels == () and alone.look_ahead is False
