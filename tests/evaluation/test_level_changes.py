"""Changes of a level (``kind="change"``): forward moves, average paths and the placebo path
band of a yield or a spread, which may be zero or negative.

Each is checked against an independent computation: pandas' ``shift`` for forward changes,
and the identity ``log(exp(a) / exp(b)) = a - b``, which makes the change path of a level
equal to the log path of its exponential (same events, same seed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.evaluation import average_path, forward_returns
from eventstudy.evaluation.placebo_path import placebo_path_band
from eventstudy.evaluation.returns import move
from eventstudy.exceptions import DataError


@pytest.fixture()
def spread() -> pd.Series:
    """A spread that crosses zero (a level, not a price)."""
    days = pd.bdate_range("2020-01-01", periods=300)
    rng = np.random.default_rng(7)
    walk = np.cumsum(rng.normal(0, 0.1, days.size))
    return pd.Series(walk - np.median(walk), index=days)


def test_move_kinds() -> None:
    a, b = np.array([110.0, 90.0]), np.array([100.0, 100.0])
    np.testing.assert_allclose(move(a, b, "simple"), [0.1, -0.1])
    np.testing.assert_allclose(move(a, b, "log"), np.log([1.1, 0.9]))
    np.testing.assert_allclose(move(a, b, "change"), [10.0, -10.0])


def test_forward_changes_equal_shifted_differences(spread: pd.Series) -> None:
    assert (spread < 0).any() and (spread > 0).any()
    got = forward_returns(spread, {"1w": 5, "1m": 21}, kind="change")
    for label, h in (("1w", 5), ("1m", 21)):
        np.testing.assert_allclose(
            got[label].to_numpy(), (spread.shift(-h) - spread).to_numpy(), equal_nan=True
        )
    assert got.attrs["horizon_days"] == {"1w": 5, "1m": 21}
    with pytest.raises(DataError, match="prices must be finite and > 0"):
        forward_returns(spread, {"1w": 5})  # a level is no price
    bad = spread.copy()
    bad.iloc[10] = np.inf
    with pytest.raises(DataError, match="levels must be finite; first bad value on 2020-01-15"):
        forward_returns(bad, {"1w": 5}, kind="change")
    with pytest.raises(ValueError, match="kind"):
        forward_returns(spread, {"1w": 5}, kind="diff")  # type: ignore[arg-type]


def test_change_path_is_the_log_path_of_the_exponential(spread: pd.Series) -> None:
    events = np.array([3, 40, 41, 150, 290])
    change = average_path(spread, events, pre=5, post=20, kind="change")
    log = average_path(np.exp(spread), events, pre=5, post=20, kind="log")
    for field in ("mean", "std", "lower", "upper", "drift"):
        np.testing.assert_allclose(getattr(change, field), getattr(log, field), rtol=1e-10)
    np.testing.assert_array_equal(change.n, log.n)
    assert change.kind == "change"
    # by hand at offset +7: the mean change over the events that have it
    k = int(np.flatnonzero(change.offsets == 7)[0])
    v = spread.to_numpy()
    ok = events + 7 < v.size
    assert change.mean[k] == pytest.approx(np.mean(v[events[ok] + 7] - v[events[ok]]))
    assert change.drift[k] == pytest.approx(np.mean(v[7:] - v[:-7]))
    with pytest.raises(DataError, match="prices must be finite and > 0"):
        average_path(spread, events, kind="simple")


def test_change_placebo_band_is_the_log_band_of_the_exponential(spread: pd.Series) -> None:
    args = {"min_gap": 5, "pre": 3, "post": 10, "draws": 50}
    change = placebo_path_band(spread, 4, kind="change", seed=3, **args)
    log = placebo_path_band(np.exp(spread), 4, kind="log", seed=3, **args)
    assert change.draws == 50
    np.testing.assert_allclose(change.lower, log.lower, rtol=1e-10)
    np.testing.assert_allclose(change.upper, log.upper, rtol=1e-10)
    with pytest.raises(DataError, match="prices must be finite and > 0"):
        placebo_path_band(spread, 4, kind="simple", seed=3, **args)


def test_validate_prices_refuses_non_positive_prices_by_default(spread: pd.Series) -> None:
    from eventstudy.evaluation.returns import validate_prices

    with pytest.raises(DataError, match="p: prices must be finite and > 0; first bad value"):
        validate_prices("p", spread)
    assert validate_prices("p", spread, positive=False).equals(spread)


@pytest.mark.parametrize(("units", "suffix"), [("bp", " bp"), ("points", " pt"), ("return", "%")])
def test_verdict_shows_every_value_in_the_target_units(
    spread: pd.Series, units: str, suffix: str
) -> None:
    """mean, baseline and excess (and the baseline of a horizon without complete events) in
    the target's units."""
    from dataclasses import replace

    from eventstudy.evaluation import evaluate

    fwd = forward_returns(spread, {"1w": 5, "1y": 280}, kind="change")
    ev = replace(evaluate(fwd, [3, 8, 13], tests=("hac",), seed=1), units=units)
    hs = ev.horizons["1w"]
    from eventstudy._units import fmt_value

    mean, base, excess = (fmt_value(x, units) for x in (hs.mean, hs.baseline_mean, hs.excess_mean))
    assert all(v.endswith(suffix) for v in (mean, base, excess))
    assert ev.verdict("1w").startswith(
        f"target 1w: mean {mean} vs baseline {base} (excess {excess}, n=3, episodes="
    )
    with pytest.warns(Warning):
        empty = replace(evaluate(fwd, [295], tests=("hac",), seed=1), units=units)
    line = empty.verdict("1y")
    assert line == (
        "target 1y: no complete events (1 incomplete); baseline "
        + fmt_value(empty.horizons["1y"].baseline_mean, units)
    )
    assert line.endswith(suffix)
