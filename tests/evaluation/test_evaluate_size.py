"""evaluate(..., size_draws=...) attaches each horizon's size on the data, drawn from a seed
stream of its own: the numbers equal size_on_data called with that stream, and the tests'
own numbers do not move."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.evaluation import evaluate, forward_returns
from eventstudy.inference.size import size_on_data


@pytest.fixture()
def fwd() -> pd.DataFrame:
    days = pd.bdate_range("2015-01-01", periods=800)
    rng = np.random.default_rng(5)
    px = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, days.size))), index=days)
    fwd = forward_returns(px, {"1w": 5, "1m": 21})
    fwd.attrs["px"] = px  # the prices, for the one-day moves
    return fwd


EVENTS = [30, 34, 90, 200, 260, 261, 400, 555, 700]


def test_size_uses_its_own_stream_and_leaves_the_tests_alone(fwd: pd.DataFrame) -> None:
    kw = {"tests": ("hac", "naive_t"), "seed": 11}
    plain = evaluate(fwd, EVENTS, **kw)
    sized = evaluate(fwd, EVENTS, size_draws=150, alpha=0.1, power_effect={"1w": 0.01}, **kw)
    streams = np.random.default_rng(11).spawn(4)  # tests: children 0, 1; size: 2, 3
    for i, (label, h) in enumerate((("1w", 5), ("1m", 21))):
        a, b = plain.horizons[label], sized.horizons[label]
        assert a.tests == b.tests and a.size == {}
        want = size_on_data(
            fwd[label].to_numpy(),
            EVENTS,
            h,
            alpha=0.1,
            draws=150,
            effect=0.01 if label == "1w" else None,
            seed=streams[2 + i],
        )
        assert dict(b.size) == want
    assert sized.horizons["1w"].size["hac"].effect == 0.01
    assert np.isnan(sized.horizons["1m"].size["hac"].power)  # no effect stated for 1m
    # one number applies to every horizon; alpha defaults to 5%
    flat = evaluate(fwd, EVENTS, size_draws=100, power_effect=0.02, **kw)
    assert all(hs.size["hac"].effect == 0.02 for hs in flat.horizons.values())
    assert all(hs.size["hac"].alpha == 0.05 for hs in flat.horizons.values())
    with pytest.raises(ValueError, match="^size_draws must be >= 0"):
        evaluate(fwd, EVENTS, size_draws=-1, **kw)


def test_rows_carry_the_size_and_stats_do_not(fwd: pd.DataFrame) -> None:
    ev = evaluate(fwd, EVENTS, tests=("hac",), seed=1, size_draws=100, power_effect={"1w": 0.01})
    frame = ev.to_frame()
    assert "size" not in frame.columns
    row = frame.set_index("horizon")
    for label in ("1w", "1m"):
        sr = ev.horizons[label].size["hac"]
        assert row.loc[label, "hac_size"] == sr.rate
        assert row.loc[label, "hac_size_low"] == sr.ci_low
        assert row.loc[label, "hac_size_high"] == sr.ci_high
        assert row.loc[label, "hac_size_applicable"] == sr.applicable
        assert row.loc[label, "hac_size_flagged"] == sr.flagged
        # the interval brackets the rate, and the count is the shifted sets the test ran on
        assert sr.ci_low <= sr.rate <= sr.ci_high and 0 < sr.applicable <= 100
    w = ev.horizons["1w"].size["hac"]
    assert row.loc["1w", "hac_power"] == w.power
    assert (row.loc["1w", "hac_power_low"], row.loc["1w", "hac_power_high"]) == (
        w.power_low,
        w.power_high,
    )
    assert row.loc["1w", "hac_power_effect"] == 0.01
    # no power values without an effect
    assert np.isnan(row.loc["1m", ["hac_power", "hac_power_low", "hac_power_effect"]]).all()
    assert "size" not in ev.horizons["1w"].stats_dict()


def test_the_shift_test_gets_its_size_when_it_runs(fwd: pd.DataFrame) -> None:
    """With "shift" among the tests its size on the data is computed too, from the same
    shifted sets as the HAC's (same stream); it is about alpha by construction."""
    with_shift = evaluate(fwd, EVENTS, tests=("hac", "shift"), seed=3, size_draws=300)
    without = evaluate(fwd, EVENTS, tests=("hac",), seed=3, size_draws=300)
    for label in ("1w", "1m"):
        a, b = with_shift.horizons[label].size, without.horizons[label].size
        assert set(a) == {"hac", "naive_t", "shift"} and set(b) == {"hac", "naive_t"}
        assert a["hac"] == b["hac"]
        assert abs(a["shift"].rate - 0.05) < 4 * np.sqrt(0.05 * 0.95 / 300)


def test_the_verdict_test_is_measured_with_its_own_settings(fwd: pd.DataFrame) -> None:
    """default_test names the verdict test; its size is measured with the HAC's, the naive
    t's and the shift test's (when it runs) -- as size_on_data with the evaluation's own
    settings (gap, placebo draws, the one-day moves) on the same stream -- and a verdict test
    that is not run is an error."""
    tests = ("hac", "naive_t", "shift", "placebo")
    kw = {"tests": tests, "seed": 12, "size_draws": 120, "min_gap": 2, "draws": 300}
    ev = evaluate(fwd, EVENTS_SPACED, default_test="placebo", **kw)
    assert ev.default_test == "placebo"
    assert evaluate(fwd, EVENTS, tests=("naive_t", "hac"), seed=1).default_test == "hac"
    streams = np.random.default_rng(12).spawn(4)
    want = size_on_data(
        fwd["1m"].to_numpy(),
        EVENTS_SPACED,
        21,
        draws=120,
        tests=("hac", "naive_t", "shift", "placebo"),
        seed=streams[3],
        options={
            "min_gap": 2,
            "draws": 300,
            "bootstrap_reps": 2000,
            "stratify": None,
            "dates": fwd.index,
            "daily_returns": None,
        },
    )
    assert dict(ev.horizons["1m"].size) == want
    assert list(want) == ["hac", "naive_t", "shift", "placebo"]
    with pytest.raises(ValueError, match="default_test 'im' must be one of the tests"):
        evaluate(fwd, EVENTS_SPACED, default_test="im", **kw)
    # the one-day moves reach hodrick's size (without them it cannot run); a test of the
    # printed excess is the verdict's unless hodrick is named
    px = fwd.attrs.get("px")
    daily = np.log(px).diff().to_numpy()
    both = evaluate(fwd, EVENTS, tests=("hac", "hodrick"), seed=3, size_draws=100, daily=daily)
    assert both.default_test == "hac" and "hodrick" not in both.horizons["1m"].size
    hod = (
        evaluate(
            fwd,
            EVENTS,
            tests=("hac", "hodrick"),
            default_test="hodrick",
            seed=3,
            size_draws=100,
            daily=daily,
        )
        .horizons["1m"]
        .size["hodrick"]
    )
    assert hod.applicable > 0 and hod.draws == 100


EVENTS_SPACED = [30, 90, 200, 260, 400, 555, 700]
