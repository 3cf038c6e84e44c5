"""Reference tests against the R package estudy2 0.10.0.

Source: estudy2 0.10.0 vignette "Introduction to estudy2" (Rudnytskyi), COVID-19 lockdown case,
7 stocks, market model, estimation 2019-04-01..2020-03-13, event window 2020-03-16..2020-03-20;
numbers computed in R 4.2.2 (expected.json of the shared reference case).  Every statistic must
match to 1e-10 relative with ``convention="estudy2"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.crosssection import run_cross_section
from eventstudy.crosssection.battery import ESTUDY2_NAMES

DATES = ["2020-03-16", "2020-03-17", "2020-03-18", "2020-03-19", "2020-03-20"]
RTOL = 1e-10
pytestmark = pytest.mark.integration


# function scope: each test runs the battery itself, so mutation testing (which runs only the
# tests that reach a function) exercises every comparison below
@pytest.fixture
def result(estudy2_case):
    ev = pd.DataFrame({"ticker": estudy2_case["tickers"], "date": pd.Timestamp("2020-03-16")})
    # 240 trading days 2019-04-02..2020-03-13 before day 0 = 2020-03-16; window days 0..4
    return run_cross_section(
        estudy2_case["returns"],
        estudy2_case["market"],
        ev,
        estimation=(-240, -1),
        event_window=(0, 4),
        min_estimation=100,
        convention="estudy2",
        return_kind="log",
    )


def test_model_fit_matches_estudy2(result, estudy2_case):
    fit = estudy2_case["expected"]["model_fit"]
    ev = result.events.set_index("ticker")
    for t, f in fit.items():
        assert ev.loc[t, "param_const"] == pytest.approx(f["alpha"], rel=RTOL)
        assert ev.loc[t, "param_market"] == pytest.approx(f["beta"], rel=RTOL)
        assert ev.loc[t, "n_estimation"] == f["estimation_length"]
        assert ev.loc[t, "sigma"] == pytest.approx(f["ols_sigma_ddof2"], rel=RTOL)
    # IPOs inside the estimation window (vignette): ZM 227 and UBER 212 observations
    assert ev.loc["ZM", "n_estimation"] == 227
    assert ev.loc["UBER", "n_estimation"] == 212


def test_abnormal_returns_match_estudy2(result, estudy2_case):
    arx = estudy2_case["expected"]["abnormal_returns"]
    vals = np.array(arx["values"], dtype=float)  # None -> nan
    tickers = arx["tickers"]
    got = result.ar.T  # relative day x event
    got.columns = result.events["ticker"]
    exp_evt = vals[-5:]
    np.testing.assert_allclose(got[tickers].to_numpy(), exp_evt, rtol=RTOL)


def test_daily_tests_match_estudy2(result, estudy2_case):
    exp = estudy2_case["expected"]["daily_tests"]
    assert len(exp) == 12
    for name, block in exp.items():
        for j, d in enumerate(DATES):
            e = block["by_date"][d]
            r = result.daily_tests[j][ESTUDY2_NAMES[name]]
            assert r.statistic == pytest.approx(e["statistic"], rel=RTOL), (name, d)
            assert r.p_value == pytest.approx(e["p_value_two_sided"], rel=1e-8), (name, d)


def test_published_vignette_values(result):
    # the numbers printed in the estudy2 0.10.0 vignette for 2020-03-16 (6 significant digits)
    day0 = result.daily_tests[0]
    assert day0["ar_brown_warner_1980"].statistic == pytest.approx(2.486449, abs=1e-6)
    assert day0["ar_brown_warner_1985"].statistic == pytest.approx(1.858514, abs=1e-6)
    assert day0["ar_t"].statistic == pytest.approx(1.394150, abs=1e-6)
    assert day0["ar_patell"].statistic == pytest.approx(2.550740, abs=1e-6)
    assert day0["ar_boehmer"].statistic == pytest.approx(1.204712, abs=1e-6)
    assert result.window_tests[(0, 4)]["car_brown_warner_1985"].statistic == pytest.approx(
        3.948093, abs=1e-6
    )


def test_car_tests_match_estudy2(result, estudy2_case):
    exp = estudy2_case["expected"]["car_tests"]
    wt = result.window_tests[(0, 4)]
    for r_name, e in exp.items():
        name = ESTUDY2_NAMES[r_name]
        assert wt[name].statistic == pytest.approx(e["statistic"], rel=RTOL), name
        assert wt[name].p_value == pytest.approx(e["p_value_two_sided"], rel=1e-8), name
        if "car_mean" in e:  # estudy2's car_mean is CAAR / D, not the CAAR
            assert wt[name].details["car_mean"] == pytest.approx(e["car_mean"], rel=RTOL)
    caar = exp["car_brown_warner_1985"]["car_mean"] * 5  # estudy2 and eventstudy name alike
    assert result.caar["caar"].iloc[-1] == pytest.approx(caar, rel=RTOL)


def test_intermediates_match(result, estudy2_case):
    im = estudy2_case["expected"]["intermediates"]
    day0 = result.daily_tests[0]
    assert day0["ar_brown_warner_1985"].details["sigma"] == pytest.approx(
        im["brown_warner_1985_denominator"], rel=RTOL
    )
    assert day0["ar_generalized_sign"].details["p_hat"] == pytest.approx(
        im["generalized_sign_p_hat"], rel=RTOL
    )


def test_base_r_crosschecks(result, estudy2_case):
    # base R t.test / wilcox.test(exact) on the estudy2 ARs (expected.json base_r_crosscheck)
    br = estudy2_case["expected"]["base_r_crosscheck"]
    for j, d in enumerate(DATES):
        e = br["per_day"][d]
        assert result.daily_tests[j]["ar_t"].p_value == pytest.approx(
            e["t_test"]["p_value"], rel=1e-8
        )
        w = result.daily_tests[j]["ar_wilcoxon"]
        assert w.statistic == e["wilcox_signed_rank_exact"]["V"]
        assert w.p_value == pytest.approx(e["wilcox_signed_rank_exact"]["p_value"], rel=1e-10)
    car = br["car_cross_sectional"]
    got = result.car.iloc[:, -1].set_axis(result.events["ticker"])
    for t, v in car["car_by_ticker"].items():
        assert got[t] == pytest.approx(v, rel=RTOL)
    wt = result.window_tests[(0, 4)]
    assert wt["car_t"].statistic == pytest.approx(car["t_test"]["statistic"], rel=RTOL)
    assert wt["car_t"].p_value == pytest.approx(car["t_test"]["p_value"], rel=1e-8)
    assert wt["car_wilcoxon"].statistic == car["wilcox_signed_rank_exact"]["V"]
    assert wt["car_wilcoxon"].p_value == pytest.approx(
        car["wilcox_signed_rank_exact"]["p_value"], rel=1e-10
    )


def test_textbook_convention_differs_only_where_documented(result, estudy2_case):
    ev = pd.DataFrame({"ticker": estudy2_case["tickers"], "date": pd.Timestamp("2020-03-16")})
    tb = run_cross_section(
        estudy2_case["returns"],
        estudy2_case["market"],
        ev,
        estimation=(-240, -1),
        event_window=(0, 4),
        min_estimation=100,
        convention="textbook",
    )
    for j in range(5):
        for name in ("ar_t", "ar_brown_warner_1985", "ar_sign", "ar_wilcoxon"):
            assert tb.daily_tests[j][name].statistic == pytest.approx(
                result.daily_tests[j][name].statistic, rel=RTOL
            )
        # Patell differs (σ with ddof 2, own-date index terms, (L-K)/(L-K-2)) but only slightly
        assert tb.daily_tests[j]["ar_patell"].statistic == pytest.approx(
            result.daily_tests[j]["ar_patell"].statistic, rel=2e-2
        )
