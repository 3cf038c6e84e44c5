"""Hodrick (1992) 1B standard errors for the event regression on overlapping returns."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.evaluation import evaluate, forward_returns
from eventstudy.inference.hodrick import hodrick_test
from eventstudy.inference.run import run_tests
from eventstudy.registry import TESTS


def _series(t: int = 400, h: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Daily log returns (T + h days, day 0 empty), their h-day forward sums on T dates (the
    last h incomplete), and event positions."""
    rng = np.random.default_rng(seed)
    r = np.empty(t + h)
    r[0] = np.nan
    r[1:] = rng.standard_t(5, t + h - 1) * 0.01 + 0.0003
    fwd = np.full(t, np.nan)
    for i in range(t):
        if i + h < t:  # complete when the window ends inside the T dates
            fwd[i] = r[i + 1 : i + h + 1].sum()
    ev = np.sort(rng.choice(np.arange(t - h), 25, replace=False))
    return r, fwd, ev


def _brute_force_se(fwd: np.ndarray, ev: np.ndarray, r: np.ndarray, h: int) -> float:
    """Hodrick (1992), estimator 1B, written out with loops: the slope's influence c_t of each
    complete date, summed for each day s over the dates t = s - h .. s - 1 whose windows hold
    it, times the day's demeaned one-day return, squared and summed."""
    t_len = fwd.size
    complete = [i for i in range(t_len) if np.isfinite(fwd[i])]
    events = set(ev.tolist())
    n1 = sum(1 for i in complete if i in events)
    n0 = len(complete) - n1
    c = {i: (1.0 / n1 if i in events else -1.0 / n0) for i in complete}
    covered = [s for s in range(t_len + h) if any((s - j) in c for j in range(1, h + 1))]
    mean = sum(r[s] for s in covered) / len(covered)
    total = 0.0
    for s in covered:
        cbar = sum(c.get(s - j, 0.0) for j in range(1, h + 1))
        total += (r[s] - mean) ** 2 * cbar**2
    return math.sqrt(total)


def test_against_a_brute_force_computation() -> None:
    """Hodrick (1992, RFS 5(3), eq. 8 with the 1B estimator of the spectral density at zero)
    against loops over days and lags; the slope against statsmodels OLS."""
    import statsmodels.api as sm

    for h, seed in ((1, 1), (5, 2), (10, 3), (21, 4)):
        r, fwd, ev = _series(300, h, seed)
        res = hodrick_test(fwd, ev, h, r)
        se = _brute_force_se(fwd, ev, r, h)
        ok = np.isfinite(fwd)
        d = np.zeros(fwd.size)
        d[ev] = 1.0
        ols = sm.OLS(fwd[ok], sm.add_constant(d[ok])).fit()
        assert res.details["coef"] == pytest.approx(ols.params[1], rel=1e-10)
        assert res.details["se"] == pytest.approx(se, rel=1e-10)
        assert res.statistic == pytest.approx(ols.params[1] / se, rel=1e-10)
        assert res.p_value == pytest.approx(2 * (1 - _norm_cdf(abs(res.statistic))), rel=1e-8)
        assert res.distribution == "N(0, 1)"


def test_simple_returns_are_tested_on_their_log_sums() -> None:
    """Given simple forward returns and one-day log returns, the slope is the OLS slope
    (statsmodels) of the h-day log returns -- the sums of the one-day moves, whose variance 1B
    estimates (Hodrick 1992, eq. 8) -- not of the simple returns; the simple returns only say
    which dates are complete.  Before, the simple-return slope was divided by the log-return
    standard error."""
    import statsmodels.api as sm

    for h, seed in ((5, 12), (21, 13), (63, 14)):
        r, log_fwd, ev = _series(400, h, seed)
        r = r * 3.0  # volatile enough that exp(x) - 1 and x differ visibly
        log_fwd = log_fwd * 3.0
        simple = np.expm1(log_fwd)
        res = hodrick_test(simple, ev, h, r)
        ok = np.isfinite(log_fwd)
        d = np.zeros(log_fwd.size)
        d[ev] = 1.0
        on_logs = sm.OLS(log_fwd[ok], sm.add_constant(d[ok])).fit().params[1]
        on_simple = sm.OLS(simple[ok], sm.add_constant(d[ok])).fit().params[1]
        assert res.details["coef"] == pytest.approx(on_logs, rel=1e-10)
        assert abs(on_simple - on_logs) > 1e-3 * abs(on_logs)
        assert res.details["se"] == pytest.approx(_brute_force_se(log_fwd, ev, r, h), rel=1e-10)
        assert res == hodrick_test(log_fwd, ev, h, r)
    # the forward returns decide completeness: a date dropped there leaves the regression
    r, log_fwd, ev = _series(300, 10, 15)
    holed = log_fwd.copy()
    holed[ev[3]] = np.nan
    assert hodrick_test(holed, ev, 10, r) == hodrick_test(holed, np.delete(ev, 3), 10, r)
    assert hodrick_test(holed, ev, 10, r) != hodrick_test(log_fwd, ev, 10, r)


def _norm_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_one_day_horizon_is_white_with_the_null_residuals() -> None:
    """With h = 1 and an estimated slope of zero, the null's residuals are the OLS residuals,
    and 1B is White's heteroskedasticity-robust (HC0) standard error (statsmodels)."""
    import statsmodels.api as sm

    r, fwd, ev = _series(500, 1, 7)
    ok = np.isfinite(fwd)
    d = np.zeros(fwd.size, dtype=bool)
    d[ev] = True
    # shift the event days' returns so that both group means are equal (slope 0)
    shift = fwd[ok & ~d].mean() - fwd[ev].mean()
    r = r.copy()
    r[ev + 1] += shift
    fwd = fwd.copy()
    fwd[ev] += shift
    res = hodrick_test(fwd, ev, 1, r)
    hc0 = sm.OLS(fwd[ok], sm.add_constant(d[ok].astype(float))).fit(cov_type="HC0")
    assert abs(hc0.params[1]) < 1e-15
    assert res.details["se"] == pytest.approx(hc0.bse[1], rel=1e-9)


def test_size_on_independent_returns() -> None:
    """iid returns, uninformative clustered events (six bursts of 15, four days apart),
    h = 20: the 1B test rejects close to 5% (4.25% in this seeded run; a wide binomial band at
    400 replications), the naive t-test about 30%."""
    rng = np.random.default_rng(11)
    t, h, reps = 1500, 20, 400
    reject = naive = 0
    for _ in range(reps):
        r = np.empty(t + h)
        r[0] = np.nan
        r[1:] = rng.normal(0, 0.01, t + h - 1)
        c = np.concatenate([[0.0], np.cumsum(r[1:])])
        fwd = np.full(t, np.nan)
        fwd[: t - h] = c[h + np.arange(t - h)] - c[np.arange(t - h)]
        starts = rng.choice(t - h - 60, 6, replace=False)
        ev = np.unique(np.concatenate([s + np.arange(0, 60, 4) for s in starts]))
        res = hodrick_test(fwd, ev, h, r)
        reject += res.p_value < 0.05
        naive += run_tests(fwd, ev, h, tests=["naive_t"])["naive_t"].p_value < 0.05
    assert 0.025 <= reject / reps <= 0.085
    assert naive / reps > 0.15


def test_not_applicable_and_bad_input() -> None:
    r, fwd, ev = _series(200, 5, 9)
    few = hodrick_test(fwd, ev[:2], 5, r)
    assert not few.applicable and "only 2 complete events" in few.reason
    holed = r.copy()
    holed[50] = np.nan
    gap = hodrick_test(fwd, ev, 5, holed)
    assert not gap.applicable and gap.reason == "1 one-day returns missing inside complete windows"
    every = hodrick_test(fwd, np.flatnonzero(np.isfinite(fwd)), 5, r)
    assert not every.applicable and every.reason == "no event-free complete date"
    with pytest.raises(ValueError, match=r"daily_returns must have T \+ h = 205 entries"):
        hodrick_test(fwd, ev, 5, r[:-1])
    none = run_tests(fwd, ev, 5, tests=["hodrick"])["hodrick"]
    assert not none.applicable and "no one-day returns were given" in none.reason
    flat = hodrick_test(np.where(np.isfinite(fwd), 0.0, np.nan), ev, 5, np.zeros(205))
    assert not flat.applicable and flat.reason == "one-day returns have no variance"
    # constant but not zero: the demeaned moves are rounding noise (they gave p = 0)
    still = hodrick_test(fwd, ev, 5, np.full(205, 0.001))
    assert not still.applicable and still.reason == "one-day returns have no variance"
    with_daily = run_tests(fwd, ev, 5, tests=["hodrick"], daily_returns=r)["hodrick"]
    assert with_daily == hodrick_test(fwd, ev, 5, r)


def test_registered_with_its_needs() -> None:
    test = TESTS["hodrick"]
    assert {"forward_returns", "events", "horizon", "daily_returns"} <= set(test.needs)
    assert test.overlap_robust and "Hodrick" in test.reference


def test_evaluate_passes_the_sample_and_the_days_after() -> None:
    """evaluate(daily=) hands the test the sample's dates and the h days after them."""
    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2000-01-03", periods=600)
    level = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 600))), index=dates)
    fwd = forward_returns(level, {"1m": 21}, kind="log")
    moves = np.concatenate([[np.nan], np.diff(np.log(level.to_numpy()))])
    ev = np.arange(120, 500, 37)
    out = evaluate(
        fwd,
        ev,
        horizons={"1m": 21},
        tests=["hodrick"],
        sample=(dates[100], dates[520]),
        daily=moves,
    )
    got = out.horizons["1m"].tests["hodrick"]
    y = fwd["1m"].to_numpy()[100:521]
    window = np.full(421 + 21, np.nan)
    window[:] = moves[100 : 100 + 442]
    assert got == hodrick_test(y, ev - 100, 21, window)
    assert got.applicable
    with pytest.raises(ValueError, match="daily must have one entry per date of fwd"):
        evaluate(fwd, ev, horizons={"1m": 21}, tests=["hodrick"], daily=moves[:-1])
    # asked for as the verdict without the moves: say what is missing
    with pytest.raises(
        ValueError, match="^default_test 'hodrick' needs the target's one-day moves"
    ):
        evaluate(fwd, ev, horizons={"1m": 21}, default_test="hodrick")


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_a_study_can_ask_for_it(tmp_path: Path) -> None:
    import eventstudy as es
    from eventstudy.conftest import EXAMPLE_STUDY, write_example_data

    data = write_example_data(tmp_path / "data")
    text = EXAMPLE_STUDY.replace("[inference]\n", '[inference]\ntests = ["hac", "hodrick"]\n')
    result = es.run_study(es.parse_study(text), data_dir=data)
    res = result.variants[0].evaluations["a"].horizons["1m"].tests["hodrick"]
    assert res.applicable and res.distribution == "N(0, 1)"
    es.write_outputs(result, tmp_path / "out", figures=False)
    record = json.loads((tmp_path / "out" / "result.json").read_text())
    assert record["results"][0]["tests"]["hodrick"]["distribution"] == "N(0, 1)"


def test_labels_details_and_messages_are_exact() -> None:
    from eventstudy.inference import hodrick

    r, fwd, ev = _series(200, 5, 9)
    res = hodrick_test(fwd, ev, 5, r)
    assert res.name == "hodrick"
    assert res.method == (
        "OLS of the h-day sums of the one-day moves (log returns for a price) on an event "
        "dummy over all complete dates; Hodrick (1992) 1B variance from the one-day moves and "
        "the regressors summed over the h dates whose windows hold each day; N(0, 1) reference"
    )
    # 195 complete dates (0..194), whose windows hold days 1..199
    assert res.details == {
        "coef": res.details["coef"],
        "se": res.details["se"],
        "n_obs": 195,
        "horizon": 5,
        "days": 199,
    }
    for bad in (
        hodrick_test(fwd, ev[:2], 5, r),
        hodrick_test(fwd, np.flatnonzero(np.isfinite(fwd)), 5, r),
        hodrick_test(np.where(np.isfinite(fwd), 0.0, np.nan), ev, 5, np.zeros(205)),
        hodrick_test(fwd, ev, 5, np.where(np.arange(205) == 50, np.nan, r)),
    ):
        assert bad.name == "hodrick" and bad.distribution == "N(0, 1)" and not bad.applicable
    with pytest.raises(ValueError, match="^horizon_days must be >= 1, got 0$"):
        hodrick_test(fwd, ev, 0, r)
    none = run_tests(fwd, ev, 5, tests=["hodrick"])["hodrick"]
    assert none.name == "hodrick" and none.method == "Hodrick (1992) 1B"
    assert none.distribution == "N(0, 1)" and none.null_hypothesis == hodrick.NULL_HYPOTHESIS
    assert none.reference == hodrick.REFERENCE
    assert none.reason == (
        "no one-day returns were given (evaluate(..., daily=...) or a study supplies them)"
    )
