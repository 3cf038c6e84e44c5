"""SignalResult invariants, data validation and the registry."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sig_helpers import make_frame

from eventstudy.exceptions import ConfigError, DataError
from eventstudy.signals import (
    Divergence,
    SignalResult,
    Threshold,
    make_signal,
    signal_types,
)


def test_registry_names():
    assert set(signal_types()) == {
        "divergence",
        "move",
        "threshold",
        "calendar",
        "rebound",
        "all_of",
        "any_of",
        "not",
    }


def test_unknown_type_lists_valid_names():
    with pytest.raises(ConfigError, match=r"unknown signal type 'foo'.*divergence.*rebound"):
        make_signal({"type": "foo"})


def test_missing_type():
    with pytest.raises(ConfigError, match=r"missing key 'type'.*valid types"):
        make_signal({"series": "x"})


def test_unknown_param_names_key_and_valid_ones():
    with pytest.raises(ConfigError, match=r"unknown parameter 'kk'.*valid parameters.*'k'"):
        make_signal({"type": "divergence", "a": "x", "b": "y", "kk": 3})


def test_missing_required_param():
    with pytest.raises(ConfigError, match=r"missing required parameter 'b'"):
        make_signal({"type": "divergence", "a": "x"})


def test_bad_value_from_config_raises_from_validation():
    with pytest.raises(ValueError, match=r"direction must be one of \['above', 'below', 'both'\]"):
        make_signal({"type": "divergence", "a": "x", "b": "y", "direction": "up"})


def test_config_round_trip():
    cfg = {"type": "divergence", "a": "rut", "b": "spx", "k": 3.0, "sigma_start": "1980-01-01"}
    sig = make_signal(cfg)
    assert isinstance(sig, Divergence)
    assert sig.to_config()["sigma_start"] == "1980-01-01"
    assert make_signal(sig.to_config()) == sig


def test_signals_are_frozen_and_slotted():
    sig = Threshold(series="x", level=1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sig.level = 2.0  # type: ignore[misc]
    assert not hasattr(sig, "__dict__")


def test_missing_column_names_column_and_available():
    data = make_frame(x=[1.0, 2.0], y=[1.0, 2.0])
    with pytest.raises(DataError, match=r"column 'z' not in data; available columns: \['x', 'y'\]"):
        Threshold(series="z", level=1.0).compute(data)


def test_data_must_have_ascending_datetime_index():
    data = make_frame(x=[1.0, 2.0, 3.0]).iloc[::-1]
    with pytest.raises(DataError, match="ascending"):
        Threshold(series="x", level=1.0).compute(data)
    with pytest.raises(DataError, match="DatetimeIndex"):
        Threshold(series="x", level=1.0).compute(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(TypeError, match="DataFrame"):
        Threshold(series="x", level=1.0).compute([1.0])  # type: ignore[arg-type]


def test_series_name_type_checked():
    with pytest.raises(TypeError, match="series must be a column name"):
        Threshold(series=3, level=1.0)  # type: ignore[arg-type]


def test_signal_result_rejects_trigger_on_nan_value():
    idx = pd.bdate_range("2000-01-03", periods=2)
    with pytest.raises(DataError, match="trigger is True where value is NaN"):
        SignalResult(
            value=pd.Series([np.nan, 1.0], index=idx),
            trigger=pd.Series([True, False], index=idx),
            threshold=None,
            look_ahead=False,
            description="x",
        )


def test_signal_result_summary_and_frame():
    data = make_frame(x=[1.0, 3.0, 1.0, 3.0])
    res = Threshold(series="x", level=2.0).compute(data)
    frame = res.to_frame()
    assert list(frame.columns) == ["value", "trigger"]
    assert frame["trigger"].tolist() == [False, True, False, True]
    text = res.summary()
    assert "x crosses above 2" in text
    assert "trigger days: 2" in text
    assert res.n_triggers == 2
    assert "<pre>" in res._repr_html_()
