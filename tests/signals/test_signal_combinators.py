"""all_of / any_of / not: combined triggers, values, look-ahead propagation, configs."""

from __future__ import annotations

import numpy as np
import pytest
from sig_helpers import make_frame

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
