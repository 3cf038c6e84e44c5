"""Forward returns: alignment (close t -> close t+h), incomplete marking, relative targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.evaluation import DEFAULT_HORIZONS, forward_returns, relative_forward_returns
from eventstudy.exceptions import DataCoverageWarning, DataError


def _prices(values: list[float], start: str = "2020-01-01") -> pd.Series:
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype=float)


def test_forward_returns_hand_computed() -> None:
    p = _prices([100.0, 110.0, 121.0, 133.1, 100.0])
    f = forward_returns(p, {"a": 1, "b": 2})
    # close t -> close t+1: 110/100-1, 121/110-1, 133.1/121-1, 100/133.1-1, incomplete
    np.testing.assert_allclose(f["a"].to_numpy()[:4], [0.1, 0.1, 0.1, 100 / 133.1 - 1])
    np.testing.assert_allclose(f["b"].to_numpy()[:3], [0.21, 0.21, 100 / 121 - 1])
    assert np.isnan(f["a"].iloc[4])
    assert f["b"].iloc[3:].isna().all()
    assert f.index.equals(p.index)
    assert f.attrs["horizon_days"] == {"a": 1, "b": 2}


def test_forward_returns_log_and_horizon_past_end() -> None:
    p = _prices([100.0, 110.0, 99.0])
    f = forward_returns(p, {"x": 2, "long": 5}, kind="log")
    assert f["x"].iloc[0] == pytest.approx(np.log(0.99))
    assert f["long"].isna().all()


def test_default_horizons_and_incomplete_count() -> None:
    rng = np.random.default_rng(1)
    p = _prices(list(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))))
    f = forward_returns(p)
    assert list(f.columns) == list(DEFAULT_HORIZONS)
    for label, h in DEFAULT_HORIZONS.items():
        assert f[label].isna().sum() == h  # the last h dates are incomplete
        assert f[label].iloc[: 300 - h].notna().all()


def test_relative_forward_returns_difference_and_ratio() -> None:
    a = _prices([100.0, 110.0, 121.0])
    b = _prices([50.0, 50.0, 55.0])
    d = relative_forward_returns(a, b, {"h1": 1})
    r = relative_forward_returns(a, b, {"h1": 1}, mode="ratio")
    np.testing.assert_allclose(d["h1"].to_numpy()[:2], [0.1 - 0.0, 0.1 - 0.1])
    np.testing.assert_allclose(r["h1"].to_numpy()[:2], [1.1 / 1.0 - 1, 1.1 / 1.1 - 1])
    assert d["h1"].isna().iloc[2]
    assert d.attrs["horizon_days"] == {"h1": 1}


def test_relative_forward_returns_warns_on_dropped_dates() -> None:
    a = _prices([100.0, 110.0, 121.0, 130.0])
    b = _prices([50.0, 50.0, 55.0])
    with pytest.warns(DataCoverageWarning, match="1 dates not common"):
        out = relative_forward_returns(a, b, {"h1": 1})
    assert len(out) == 3


def test_validation_errors() -> None:
    with pytest.raises(TypeError, match="prices must be a pandas Series"):
        forward_returns([1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(DataError, match="finite and > 0"):
        forward_returns(_prices([1.0, -2.0, 3.0]), {"a": 1})
    bad = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2020-01-02", "2020-01-01"]))
    with pytest.raises(DataError, match="ascending"):
        forward_returns(bad, {"a": 1})
    with pytest.raises(ValueError, match=r"horizons\['a'\] must be >= 1"):
        forward_returns(_prices([1.0, 2.0]), {"a": 0})
    with pytest.raises(ValueError, match="kind must be one of"):
        forward_returns(_prices([1.0, 2.0]), {"a": 1}, kind="pct")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode must be one of"):
        relative_forward_returns(
            _prices([1.0, 2.0]),
            _prices([1.0, 2.0]),
            {"a": 1},
            mode="x",  # type: ignore[arg-type]
        )
