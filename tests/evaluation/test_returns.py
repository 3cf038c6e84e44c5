"""Forward returns: alignment (close t -> close t+h), incomplete marking, relative targets."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import eventstudy.evaluation.returns as returns_module
from eventstudy.evaluation import DEFAULT_HORIZONS, forward_returns, relative_forward_returns
from eventstudy.evaluation.returns import validate_prices
from eventstudy.exceptions import DataCoverageWarning, DataError


def _assert_warned_at_caller(w: warnings.WarningMessage, module: ModuleType) -> None:
    """The warning is attributed to the caller of the public function (its ``stacklevel``),
    not to the library.  Under mutmut every function is wrapped in a trampoline that adds two
    frames, so there only "not inside the library module" can be checked."""
    assert Path(w.filename).name != Path(module.__file__ or "").name
    if not any("__mutmut_" in name for name in vars(module)):  # plain (uninstrumented) run
        assert w.filename == __file__


def _prices(values: list[float], start: str = "2020-01-01") -> pd.Series:
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype=float)


def test_forward_returns_hand_computed() -> None:
    p = _prices([100.0, 110.0, 121.0, 133.1, 100.0])
    f = forward_returns(p, {"a": 1, "b": 2})
    # close t -> close t+1: 110/100-1, 121/110-1, 133.1/121-1, 100/133.1-1, incomplete
    np.testing.assert_allclose(f["a"].to_numpy()[:4], [0.1, 0.1, 0.1, 100 / 133.1 - 1], rtol=1e-10)
    np.testing.assert_allclose(f["b"].to_numpy()[:3], [0.21, 0.21, 100 / 121 - 1], rtol=1e-10)
    assert np.isnan(f["a"].iloc[4])
    assert f["b"].iloc[3:].isna().all()
    assert f.index.equals(p.index)
    assert f.attrs["horizon_days"] == {"a": 1, "b": 2}


def test_forward_returns_log_and_horizon_past_end() -> None:
    p = _prices([100.0, 110.0, 99.0])
    f = forward_returns(p, {"x": 2, "long": 5}, kind="log")
    assert f["x"].iloc[0] == pytest.approx(np.log(0.99), rel=1e-10)
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
    np.testing.assert_allclose(d["h1"].to_numpy()[:2], [0.1 - 0.0, 0.1 - 0.1], rtol=1e-10)
    np.testing.assert_allclose(r["h1"].to_numpy()[:2], [1.1 / 1.0 - 1, 1.1 / 1.1 - 1], rtol=1e-10)
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


# --- brute force over dates -------------------------------------------------------------------


def _brute_forward(values: np.ndarray, h: int, kind: str) -> np.ndarray:
    """Loop over dates: P[t+h]/P[t] - 1 (or its log) where t + h exists, NaN otherwise."""
    out = np.full(len(values), np.nan)
    for t in range(len(values)):
        if t + h <= len(values) - 1:
            r = values[t + h] / values[t]
            out[t] = np.log(r) if kind == "log" else r - 1.0
    return out


@pytest.mark.parametrize("kind", ["simple", "log"])
def test_forward_returns_brute_force_loop(kind: str) -> None:
    """Every horizon from 1 to past the end, simple and log, against a loop over dates;
    the last h dates are NaN (incomplete), h = T - 1 leaves one value, h >= T none."""
    rng = np.random.default_rng(11)
    n = 40
    vals = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
    p = _prices(list(vals))
    hz = {f"h{h}": h for h in (1, 2, 5, 17, n - 2, n - 1, n, n + 3)}
    f = forward_returns(p, hz, kind=kind)  # type: ignore[arg-type]
    assert list(f.columns) == list(hz) and f.index.equals(p.index)
    for label, h in hz.items():
        expected = _brute_forward(vals, h, kind)
        np.testing.assert_allclose(f[label].to_numpy(), expected, rtol=1e-10)
        assert int(f[label].notna().sum()) == max(n - h, 0)
        assert f[label].dtype == np.float64
    assert f.attrs["horizon_days"] == hz


def test_forward_returns_single_date_and_integer_prices() -> None:
    """A one-date series has no complete horizon; integer prices are read as floats."""
    one = forward_returns(_prices([100.0]), {"a": 1})
    assert one["a"].isna().all() and len(one) == 1
    ints = pd.Series([2, 3, 6], index=pd.bdate_range("2020-01-01", periods=3))
    f = forward_returns(ints, {"a": 1})
    np.testing.assert_allclose(f["a"].to_numpy()[:2], [0.5, 1.0], rtol=1e-10)


def test_relative_forward_returns_brute_force_on_common_calendar() -> None:
    """A minus B (and the ratio form) on the common dates, horizons counted on the common
    calendar, against a loop; the warning counts dates of either series not in the other."""
    rng = np.random.default_rng(5)
    idx = pd.bdate_range("2019-01-01", periods=30)
    a_full = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 30))), index=idx)
    b_full = pd.Series(80 * np.exp(np.cumsum(rng.normal(0, 0.01, 30))), index=idx)
    a = a_full.drop(idx[[3, 17]])  # a lacks 2 dates, b lacks 1 other date
    b = b_full.drop(idx[[9]])
    common = idx.drop(idx[[3, 9, 17]])
    hz = {"x": 1, "y": 4}
    with pytest.warns(DataCoverageWarning, match=r"^relative_forward_returns: 3 dates not") as w:
        d = relative_forward_returns(a, b, hz)
    _assert_warned_at_caller(w[0], returns_module)
    with pytest.warns(DataCoverageWarning):
        r = relative_forward_returns(a, b, hz, mode="ratio")
    assert d.index.equals(common) and r.index.equals(common)
    av, bv = a_full[common].to_numpy(), b_full[common].to_numpy()
    for label, h in hz.items():
        fa, fb = _brute_forward(av, h, "simple"), _brute_forward(bv, h, "simple")
        np.testing.assert_allclose(d[label].to_numpy(), fa - fb, rtol=1e-10)
        np.testing.assert_allclose(r[label].to_numpy(), (1 + fa) / (1 + fb) - 1, rtol=1e-10)
        assert d[label].isna().sum() == h and r[label].isna().sum() == h
    assert d.attrs["horizon_days"] == hz and r.attrs["horizon_days"] == hz


def test_relative_forward_returns_aligned_no_warning_and_disjoint() -> None:

    a = _prices([100.0, 110.0, 121.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = relative_forward_returns(a, a * 2.0, {"h": 1})
    np.testing.assert_array_equal(out["h"].to_numpy()[:2], [0.0, 0.0])
    later = _prices([1.0, 2.0], start="2021-01-01")
    with (
        pytest.warns(DataCoverageWarning, match="5 dates not common"),
        pytest.raises(DataError, match="^a and b have no dates in common$"),
    ):
        relative_forward_returns(a, later, {"h": 1})


def test_validate_prices_messages_name_the_series_and_date() -> None:
    good = _prices([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="b must be a pandas Series of prices, got list"):
        relative_forward_returns(good, [1.0], {"h": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a must have a DatetimeIndex, got RangeIndex"):
        relative_forward_returns(pd.Series([1.0, 2.0]), good, {"h": 1})
    dup = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2020-01-01", "2020-01-01"]))
    with pytest.raises(DataError, match="prices: the index must be ascending trading dates"):
        forward_returns(dup, {"a": 1})
    for bad_value in (0.0, -1.0, np.nan, np.inf):
        p = _prices([1.0, 2.0, bad_value, 4.0])
        with pytest.raises(
            DataError, match=r"prices: prices must be finite and > 0; first bad value on 2020-01-03"
        ):
            forward_returns(p, {"a": 1})
    tiny = forward_returns(_prices([1e-300, 2e-300]), {"a": 1})  # > 0 is enough
    assert tiny["a"].iloc[0] == pytest.approx(1.0, rel=1e-10)


def test_validate_horizons_messages() -> None:
    p = _prices([1.0, 2.0])
    with pytest.raises(
        TypeError, match="horizons must be a mapping label -> trading days, got list"
    ):
        forward_returns(p, [1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^horizons must not be empty$"):
        forward_returns(p, {})
    with pytest.raises(TypeError, match="horizon labels must be strings, got 5"):
        forward_returns(p, {5: 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"horizons\['a'\] must be an integer"):
        forward_returns(p, {"a": 1.0})  # type: ignore[dict-item]
    f = forward_returns(p, {"a": 1})  # the minimum horizon is one day
    assert f["a"].iloc[0] == pytest.approx(1.0, rel=1e-10)


def test_validate_prices_returns_a_float_series_with_name() -> None:
    """Integer or object-dtype prices come back as float64, index and name kept."""
    idx = pd.bdate_range("2020-01-01", periods=3)
    for raw in (
        pd.Series([1, 2, 4], index=idx, name="SPX"),
        pd.Series([1.0, 2.0, 4.0], index=idx, name="SPX", dtype=object),
    ):
        out = validate_prices("prices", raw)
        assert out.dtype == np.float64 and out.name == "SPX" and out.index.equals(idx)
        np.testing.assert_array_equal(out.to_numpy(), [1.0, 2.0, 4.0])
    na = pd.Series([1.0, None, 4.0], index=idx, dtype="Float64")
    with pytest.raises(DataError, match="first bad value on 2020-01-02"):
        validate_prices("prices", na)


def test_an_unsorted_or_repeated_index_names_the_first_offending_date() -> None:
    from eventstudy.evaluation.returns import validate_prices
    from eventstudy.exceptions import DataError

    idx = pd.DatetimeIndex(["2020-01-02", "2020-01-03", "2020-01-03", "2020-01-06"])
    px = pd.Series([1.0, 2.0, 3.0, 4.0], index=idx)
    with pytest.raises(DataError, match=r"prices: .*2020-01-03 \(row 2\) repeats the date above"):
        validate_prices("prices", px)
    back = pd.Series(
        [1.0, 2.0, 3.0], index=pd.DatetimeIndex(["2020-01-02", "2020-01-06", "2020-01-03"])
    )
    with pytest.raises(
        DataError, match=r"2020-01-03 \(row 2\) comes before the date above it, 2020-01-06"
    ):
        validate_prices("prices", back)
