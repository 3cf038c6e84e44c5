"""Boundaries and not-applicable branches of the cross-section battery.

Independent values: the exact signed-rank law by enumerating all 2^n sign vectors and
scipy.stats.wilcoxon (exact / normal approximation without continuity correction),
scipy.stats.t / norm, and the Campbell, Lo & MacKinlay (1997, eq. 4.4.10) CAR variance
recomputed with numpy.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.crosssection import run_cross_section
from eventstudy.crosssection.battery import (
    _REF,
    DAILY_TESTS,
    WINDOW_TESTS,
    BatteryInputs,
    _p_norm,
    _p_t,
    _result,
    _signrank_p,
    _wilcoxon_v,
    car_variance,
    car_variance_path,
    daily_tests,
    window_tests,
)
from eventstudy.crosssection.engine import EventPanel, estimate_panel

RTOL = 1e-10
UNDEFINED = "statistic undefined (too few securities, zero variance or no data)"


def _enumerated_p(v: float, n: int) -> float:
    """Two-sided exact p of V = sum of positive ranks 1..n: all 2^n sign patterns."""
    dist = np.array(
        [sum(k + 1 for k in range(n) if s[k]) for s in itertools.product([0, 1], repeat=n)]
    )
    return min(1.0, 2 * min(np.mean(dist <= v + 1e-9), np.mean(dist >= v - 1e-9)))


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_signrank_exact_p_equals_enumeration_for_every_v(n):
    maxv = n * (n + 1) // 2
    for v in np.arange(0.0, maxv + 0.5, 0.5):  # integers and the half-integers of tied ranks
        assert _signrank_p(float(v), n) == pytest.approx(_enumerated_p(v, n), rel=RTOL), v
    assert _signrank_p(0.0, n) == pytest.approx(min(1.0, 2 / 2**n), rel=RTOL)
    assert _signrank_p(float(maxv), n) == pytest.approx(min(1.0, 2 / 2**n), rel=RTOL)


def test_signrank_exact_up_to_50_then_normal_approximation():
    # n = 50: exact (scipy's exact law); n = 51: normal approximation without continuity
    # correction, z = (V - n(n+1)/4) / sqrt(n(n+1)(2n+1)/24)
    for n in (50, 51):
        x = np.arange(1.0, n + 1) * np.where(np.arange(n) % 3 == 0, -1.0, 1.0)
        v, nv = _wilcoxon_v(x)
        assert nv == n and v == x[x > 0].sum()
        got = _signrank_p(v, nv)
        if n == 50:
            exp = stats.wilcoxon(x, method="exact").pvalue
        else:
            exp = stats.wilcoxon(x, method="approx", correction=False).pvalue
            z = (v - n * (n + 1) / 4) / math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
            assert got == pytest.approx(2 * stats.norm.sf(abs(z)), rel=RTOL)
        assert got == pytest.approx(exp, rel=RTOL)
    assert math.isnan(_signrank_p(0.0, 0))


def test_wilcoxon_v_drops_zeros_and_nan():
    v, n = _wilcoxon_v(np.array([0.0, -1.0, np.nan, 3.0, 2.0, 0.0]))
    assert (v, n) == (5.0, 3)  # ranks of |-1|, 3, 2 = 1, 3, 2; positive: 3 + 2
    v, n = _wilcoxon_v(np.array([0.0, np.nan]))
    assert math.isnan(v) and n == 0


def test_p_value_helpers():
    assert _p_t(1.7, 1.0) == pytest.approx(2 * stats.t.sf(1.7, 1.0), rel=RTOL)
    assert _p_t(-2.3, 7.5) == pytest.approx(2 * stats.t.sf(2.3, 7.5), rel=RTOL)
    assert math.isnan(_p_t(1.0, 0.0)) and math.isnan(_p_t(math.inf, 5.0))
    assert math.isnan(_p_t(math.nan, 5.0))
    assert _p_norm(-1.3) == pytest.approx(2 * stats.norm.sf(1.3), rel=RTOL)
    assert math.isnan(_p_norm(math.inf)) and math.isnan(_p_norm(math.nan))


def test_result_not_applicable_keeps_labels():
    r = _result("ar_patell", math.nan, "N(0,1)", method="m", ref=_REF["patell"], details={"n": 1})
    assert not r.applicable and r.reason == UNDEFINED
    assert math.isnan(r.statistic) and math.isnan(r.p_value)
    assert r.name == "ar_patell" and r.distribution == "N(0,1)" and r.method == "m"
    assert r.reference.startswith("Patell, J. M. (1976)")
    assert r.null_hypothesis == "mean abnormal return on the day is zero"
    assert r.details == {"n": 1}
    r = _result("car_t", 2.0, "t(3)", df=3.0, ref=_REF["t"], null="H")
    assert r.applicable and r.null_hypothesis == "H" and r.details == {} and r.method == ""
    assert r.p_value == pytest.approx(2 * stats.t.sf(2.0, 3.0), rel=RTOL)
    assert r.reference.startswith("Cross-sectional t test")
    r = _result("ar_sign", 2.0, "N(0,1)", ref=_REF["sign"], p=0.25)
    assert r.p_value == 0.25 and r.statistic == 2.0


REFS = {
    "ar_t": ("Cross-sectional t test; Campbell, Lo & MacKinlay (1997)", "ch. 4"),
    "ar_brown_warner_1980": ("Brown, S. J. & Warner, J. B. (1980), JFE 8(3)", "205-258"),
    "ar_brown_warner_1985": ("Brown, S. J. & Warner, J. B. (1985), JFE 14(1)", "3-31"),
    "ar_patell": ("Patell, J. M. (1976), J. Accounting Research 14(2)", "246-276"),
    "ar_boehmer": ("Boehmer, E., Musumeci, J. & Poulsen, A. B. (1991), JFE 30(2)", "253-272"),
    "ar_adjusted_patell": ("Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11)", "3996-4025"),
    "ar_adjusted_boehmer": ("Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11)", "3996-4025"),
    "ar_lamb": ("Lamb, R. P. (1995), J. Risk and Insurance 62(1)", "111-127"),
    "ar_sign": ("Binomial sign test", "Boehmer, Musumeci & Poulsen (1991)"),
    "ar_generalized_sign": ("Cowan, A. R. (1992)", "2:343-358"),
    "ar_corrado_sign": ("Corrado, C. J. & Zivney, T. L. (1992), JFQA 27(3)", "465-478"),
    "ar_rank": ("Corrado, C. J. (1989), JFE 23(2)", "385-395"),
    "ar_modified_rank": ("Corrado, C. J. & Zivney, T. L. (1992), JFQA 27(3)", "465-478"),
    "ar_wilcoxon": ("Wilcoxon, F. (1945), Biometrics Bulletin 1(6)", "80-83"),
}


def _panel(n: int = 8, seed: int = 1, **kw):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2020-01-01", periods=120)
    m = rng.normal(0, 0.01, 120)
    r = m[:, None] + rng.normal(0, 0.02, (120, n))
    cols = [f"S{i}" for i in range(n)]
    ev = pd.DataFrame({"ticker": cols, "date": dates[100]})
    return pd.DataFrame(r, index=dates, columns=cols), pd.Series(m, index=dates), ev


def test_references_name_the_cited_papers():
    r, m, ev = _panel()
    res = run_cross_section(r, m, ev, estimation=(-60, -6), event_window=(-1, 1), min_estimation=20)
    for name, (head, tail) in REFS.items():
        ref = res.daily_tests[0][name].reference
        assert ref.startswith(head) and ref.endswith(tail), name
        car = res.window_tests[(-1, 1)].get(name.replace("ar_", "car_", 1))
        if car is not None:
            assert car.reference == ref, name
    assert set(DAILY_TESTS) == set(REFS)
    assert {n.replace("ar_", "car_", 1) for n in REFS} >= set(WINDOW_TESTS)


@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_single_event_marks_cross_sectional_tests_not_applicable(convention):
    # one security: no cross-sectional sd (t, BMP), no cross-correlation (Kolari–Pynnönen)
    r, m, ev = _panel(1)
    res = run_cross_section(
        r,
        m,
        ev,
        estimation=(-60, -6),
        event_window=(0, 1),
        min_estimation=20,
        convention=convention,
    )
    day = res.daily_tests[0]
    na = {"ar_t", "ar_boehmer", "ar_adjusted_patell", "ar_adjusted_boehmer"}
    for name in DAILY_TESTS:
        assert day[name].applicable == (name not in na), name
        if name in na:
            assert day[name].reason == UNDEFINED
            assert math.isnan(day[name].statistic) and math.isnan(day[name].p_value)
    assert math.isnan(day["ar_adjusted_patell"].details["r_bar"])
    wt = res.window_tests[(0, 1)]
    na_car = {"car_t", "car_boehmer", "car_adjusted_patell", "car_adjusted_boehmer"}
    for name in WINDOW_TESTS:
        assert wt[name].applicable == (name not in na_car), name
    assert wt["car_t"].distribution == "t(0)"
    # with one security Patell is SAR / sqrt((L-K)/(L-K-2)), the CAR version likewise
    assert wt["car_sign"].statistic == pytest.approx(
        1.0 if res.car.iloc[0, -1] > 0 else -1.0, rel=RTOL
    )


@pytest.mark.parametrize("n", [10, 11])
def test_estudy2_car_window_days_need_more_than_90_percent(n):
    # one security missing on every window day: 9 of 10 is 90 %, not "more than 90 %", so
    # estudy2's CAR Brown–Warner and Lamb statistics have no day to sum and are not applicable;
    # 10 of 11 is 90.9 %, and both days count
    r, m, ev = _panel(n)
    r.iloc[100, 0] = np.nan
    r.iloc[101, 1] = np.nan
    res = run_cross_section(
        r, m, ev, estimation=(-60, -6), event_window=(0, 1), min_estimation=20, convention="estudy2"
    )
    wt = res.window_tests[(0, 1)]
    if n == 11:
        daily = [res.daily_tests[d]["ar_brown_warner_1985"].statistic for d in (0, 1)]
        assert wt["car_brown_warner_1985"].statistic == pytest.approx(sum(daily) / math.sqrt(2))
        return
    for name in ("car_brown_warner_1985", "car_lamb"):
        assert not wt[name].applicable and wt[name].reason == UNDEFINED
    assert wt["car_t"].applicable and wt["car_rank"].applicable
    tb = run_cross_section(r, m, ev, estimation=(-60, -6), event_window=(0, 1), min_estimation=20)
    assert tb.window_tests[(0, 1)]["car_brown_warner_1985"].applicable


def _market_adjusted_panel(est_days: int):
    """The market-adjusted panel of ``_panel(5)``'s events with ``est_days`` estimation days
    before day 0 (fewer than ``run_cross_section``'s ``min_estimation`` allows: reachable only
    from a panel built by hand)."""
    r, m, _ = _panel(5)
    rv, mv = r.to_numpy(), m.to_numpy()
    panel = estimate_panel(
        rv,
        mv,
        mv,
        np.empty((mv.size, 0)),
        np.arange(5),
        np.full(5, 100),
        np.arange(-est_days, 0),
        np.array([0]),
    )
    ar = rv[100] - mv[100]
    assert np.allclose(panel.ar_event[:, 0], ar, rtol=RTOL)
    return r, m, panel, ar


@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_one_estimation_day_leaves_brown_warner_1985_undefined(convention):
    # σ_BW85 is the sd of estimation-day mean ARs: undefined with a single estimation day
    with pytest.raises(ValueError, match="min_estimation must be >= "):
        r, m, ev = _panel(5)
        run_cross_section(
            r, m, ev, model="market_adjusted", estimation=(-1, -1), event_window=(0, 0),
            min_estimation=1, convention=convention,
        )  # fmt: skip
    _, _, panel, ar = _market_adjusted_panel(1)
    day = daily_tests(panel, convention=convention)[0]
    assert not day["ar_brown_warner_1985"].applicable and not day["ar_lamb"].applicable
    assert math.isnan(day["ar_brown_warner_1985"].details["sigma"])
    # nor has any event an estimation sd: no Kolari–Pynnönen r̄ (was a ZeroDivisionError)
    assert math.isnan(day["ar_adjusted_patell"].details["r_bar"])
    assert not day["ar_adjusted_patell"].applicable and not day["ar_adjusted_boehmer"].applicable
    assert day["ar_t"].applicable and day["ar_sign"].applicable
    assert day["ar_t"].statistic == pytest.approx(stats.ttest_1samp(ar, 0.0).statistic, rel=RTOL)
    # estudy2's CAR Brown–Warner and Lamb sum the daily statistics, all NaN here: not applicable
    wt = window_tests(panel, (0, 0), convention=convention)
    assert not wt["car_brown_warner_1985"].applicable and not wt["car_lamb"].applicable


def _direct_panel(seed: int = 4):
    rng = np.random.default_rng(seed)
    t_cal, n = 80, 6
    m = rng.normal(0, 0.01, t_cal)
    r = m[:, None] * 1.2 + rng.normal(0, 0.02, (t_cal, n))
    r[62, 1] = np.nan
    r[60, 2] = np.nan
    design = np.column_stack([np.ones(t_cal), m])
    return estimate_panel(
        r,
        m,
        np.zeros(t_cal),
        design,
        np.arange(n),
        np.full(n, 60),
        np.arange(-50, -5),
        np.arange(-2, 4),
    )


@pytest.mark.parametrize("block", [1, 4, 1024])
def test_car_variance_is_the_clm_prediction_error_variance(monkeypatch, block):
    # CLM (1997, eq. 4.4.10): σ²(D_i + s_i'(X'X)^-1 s_i), s_i = sum of the available design
    # rows; computed on blocks of 1, 4 (the last one shorter) and all the events
    from eventstudy.crosssection import battery

    monkeypatch.setattr(battery, "_BLOCK", block)
    p = _direct_panel()
    path = car_variance_path(p)
    np.testing.assert_array_equal(car_variance_path(p, 3), path)  # three threads: the same bits
    for i in range(p.n_events):
        ok = np.isfinite(p.ar_event[i])
        for j in range(p.event_days.size):
            cols = np.arange(j + 1)
            okc = ok[cols]
            s = p.x_event[i, cols][okc].sum(axis=0)
            exp = p.sigma2[i] * (okc.sum() + s @ p.xtx_inv[i] @ s)
            assert path[i, j] == pytest.approx(exp, rel=RTOL)
            assert car_variance(p, cols)[i] == pytest.approx(exp, rel=RTOL)
        cols = np.array([2, 3, 4])
        okc = ok[cols]
        s = p.x_event[i, cols][okc].sum(axis=0)
        exp = p.sigma2[i] * (okc.sum() + s @ p.xtx_inv[i] @ s)
        assert car_variance(p, cols)[i] == pytest.approx(exp, rel=RTOL)


@pytest.mark.parametrize("block", [2, 1024])
def test_car_variance_without_parameters_is_sigma2_times_days(monkeypatch, block):
    from eventstudy.crosssection import battery

    monkeypatch.setattr(battery, "_BLOCK", block)
    rng = np.random.default_rng(5)
    r = rng.normal(0, 0.02, (80, 3))
    r[61, 0] = np.nan
    p = estimate_panel(
        r,
        np.zeros(80),
        np.zeros(80),
        np.empty((80, 0)),
        np.arange(3),
        np.full(3, 60),
        np.arange(-50, -5),
        np.arange(0, 3),
    )
    np.testing.assert_allclose(car_variance(p, np.arange(3)), p.sigma2 * [2, 3, 3], rtol=RTOL)
    np.testing.assert_allclose(
        car_variance_path(p), p.sigma2[:, None] * [[1, 1, 2], [1, 2, 3], [1, 2, 3]], rtol=RTOL
    )


def test_window_tests_defaults_and_window_errors():
    p = _direct_panel()
    daily = daily_tests(p)  # default convention: textbook
    wt = window_tests(p, (-1, 2))  # computes the daily battery itself
    ref = window_tests(p, (-1, 2), convention="textbook")
    for name in WINDOW_TESTS:
        assert wt[name].statistic == pytest.approx(ref[name].statistic, rel=RTOL, nan_ok=True)
    est2 = daily_tests(p, convention="estudy2")
    # without shared inputs the estudy2 battery equals the one run_cross_section uses
    est2_w = window_tests(p, (-1, 2), convention="estudy2")
    inputs = BatteryInputs(p, "estudy2")
    ref2 = daily_tests(p, inputs=inputs)
    ref2_w = window_tests(p, (-1, 2), inputs=inputs)
    for day in ref2:
        for name in DAILY_TESTS:
            assert est2[day][name].statistic == pytest.approx(
                ref2[day][name].statistic, rel=RTOL, nan_ok=True
            )
    for name in WINDOW_TESTS:
        assert est2_w[name].statistic == pytest.approx(ref2_w[name].statistic, rel=RTOL)
    assert daily[0]["ar_patell"].statistic != pytest.approx(
        est2[0]["ar_patell"].statistic, rel=1e-6
    )
    # a window reaching past the event window uses the overlapping days only
    assert window_tests(p, (2, 9))["car_t"].details["days"] == 2
    with pytest.raises(
        ValueError, match=r"window \(4, 6\) does not overlap the event window -2\.\.3"
    ):
        window_tests(p, (4, 6))
    with pytest.raises(ValueError, match=r"window \(-9, -3\) does not overlap"):
        window_tests(p, (-9, -3))


@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_event_day_without_any_return_is_not_applicable(convention):
    # day 3 has no return for any security: every daily test and every CAR test over 3..3 is
    # not applicable (no RuntimeWarning; the CAR Brown–Warner statistic was 0 with p = 1)
    rng = np.random.default_rng(6)
    r = rng.normal(0, 0.02, (80, 5))
    r[63, :] = np.nan
    m = rng.normal(0, 0.01, 80)
    p = estimate_panel(
        r,
        m,
        np.zeros(80),
        np.column_stack([np.ones(80), m]),
        np.arange(5),
        np.full(5, 60),
        np.arange(-50, -5),
        np.arange(0, 4),
    )
    daily = daily_tests(p, convention=convention)
    for name in DAILY_TESTS:
        assert not daily[3][name].applicable and daily[3][name].reason == UNDEFINED, name
        assert daily[3][name].details["n"] == 0
        assert daily[2][name].applicable, name
    wt = window_tests(p, (3, 3), convention=convention)
    for name in WINDOW_TESTS:
        assert not wt[name].applicable and wt[name].reason == UNDEFINED, name
    assert wt["car_t"].details["n"] == 0 and math.isnan(wt["car_t"].details["mean_car"])
    assert window_tests(p, (2, 3), convention=convention)["car_brown_warner_1985"].applicable


METHODS = {  # the formula each test reports (summary / to_frame): its start and end
    "ar_t": ("AAR / (cross-sectional sd", "sqrt(N_t))"),
    "ar_brown_warner_1980": ("AAR / (sqrt(sum_i var(AR_i,est)) / N)", "independence"),
    "ar_brown_warner_1985": ("AAR / sd of the estimation-window mean AR", "adjustment)"),
    "ar_patell": ("sum of prediction-error standardized ARs", "sqrt(sum (L-K)/(L-K-2))"),
    "ar_boehmer": ("mean SAR / (cross-sectional sd of SAR", "sqrt(N_t))"),
    "ar_adjusted_patell": (
        "Patell x sqrt((1 - r̄)/(1 + (N_t-1) r̄))",
        "(relative-day aligned, pairs weighted by their common days)",
    ),
    "ar_adjusted_boehmer": ("BMP x sqrt((1 - r̄)", "(N_t-1) r̄))"),
    "ar_lamb": ("AAR / (BW1985 sigma", "prediction-error factor)"),
    "ar_sign": ("(#positive - N_t/2)", "sqrt(N_t/4)"),
    "ar_generalized_sign": ("(#positive - N_t p̂)", "p̂ from the estimation window"),
    "ar_corrado_sign": ("signs of AR minus each security's median", "estimation+event window"),
    "ar_rank": ("mean centred rank / sd", "daily mean centred rank"),
    "ar_modified_rank": ("standardised ranks K/(T_i+1) - 1/2", "1/sqrt(n_t) scaling"),
    "ar_wilcoxon": ("V = sum of ranks of |AR| over positive ARs", "exact p (n <= 50)"),
    "car_t": ("mean CAR / (sd(CAR)", "sqrt(N))"),
    "car_patell": ("sum of CARs standardised by sqrt(σ²(D + s'(X'X)^-1 s))", "(L-K)/(L-K-2))"),
    "car_boehmer": ("mean SCAR / (sd(SCAR)", "sqrt(N))"),
    "car_adjusted_patell": ("car_patell x sqrt((1 - r̄)", "(N-1) r̄))"),
    "car_adjusted_boehmer": ("car_boehmer x sqrt((1 - r̄)", "(N-1) r̄))"),
    "car_brown_warner_1985": ("CAAR / (sqrt(D)", "σ_BW85)"),
    "car_lamb": ("sum of daily Lamb statistics", "/ sqrt(D)"),
    "car_rank": ("sqrt(D) x mean centred rank in the window", "/ S_K"),
    "car_sign": ("(#CAR > 0 - N/2)", "sqrt(N/4)"),
    "car_generalized_sign": ("(#CAR > 0 - N p̂)", "(1-p̂))"),
    "car_wilcoxon": ("V = sum of ranks of |CAR|", "over positive CARs"),
}


def test_methods_state_the_formula():
    p = _direct_panel()
    tests = {**daily_tests(p)[0], **window_tests(p, (0, 2))}
    assert set(tests) == set(METHODS)
    for name, (head, tail) in METHODS.items():
        method = tests[name].method
        assert method.startswith(head) and method.endswith(tail), (name, method)
        assert tests[name].name == name


def test_two_estimation_days_define_the_brown_warner_1985_sigma():
    # σ_BW85 = sd (ddof 1) of the estimation-day mean ARs: defined from two days on
    r, m, panel, ar0 = _market_adjusted_panel(2)
    ar = (r.to_numpy() - m.to_numpy()[:, None])[[98, 99]]
    sigma = np.std(ar.mean(axis=1), ddof=1)
    day = daily_tests(panel)[0]
    assert day["ar_brown_warner_1985"].details["sigma"] == pytest.approx(sigma, rel=RTOL)
    assert day["ar_brown_warner_1985"].statistic == pytest.approx(ar0.mean() / sigma, rel=RTOL)
    assert day["ar_brown_warner_1985"].distribution == "t(1)"  # mean L - 1


@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_too_short_estimation_leaves_the_event_out_of_the_car_patell(convention):
    # (L-K)/(L-K-2), the variance of a t(L-K) SAR, exists only for L - K > 2: an event with
    # L = 4 under the market model is left out of the CAR Patell statistic.  BMP, a t-test
    # across the standardised CARs, does not need that variance: it keeps the event, as the
    # daily BMP keeps its SARs
    rng = np.random.default_rng(4)
    m_cal = rng.normal(0, 0.01, 80)
    r_cal = m_cal[:, None] * 1.2 + rng.normal(0, 0.02, (80, 7))
    r_cal[62, 1] = np.nan
    r_cal[60, 2] = np.nan
    r_cal[:57, 5] = np.nan  # the 6th event: 5 estimation returns, L - K = 3 (kept)
    r_cal[[15, 20, 30, 40, 50], 5] = rng.normal(0, 0.02, 5)
    r_cal[:57, 6] = np.nan  # the 7th event: 4 estimation returns, L - K = 2 (left out)
    r_cal[[20, 30, 40, 50], 6] = rng.normal(0, 0.02, 4)
    q = estimate_panel(
        r_cal,
        m_cal,
        np.zeros(80),
        np.column_stack([np.ones(80), m_cal]),
        np.arange(7),
        np.full(7, 60),
        np.arange(-50, -5),
        np.arange(-2, 4),
    )
    assert q.n_est[6] == 4 and q.n_est[5] == 5 and (q.n_est[:5] > 5).all()
    cols = np.arange(6)
    wt = window_tests(q, (-2, 3), convention=convention)
    car = np.nansum(q.ar_event, axis=1)
    scar = car / np.sqrt(car_variance(q, cols))
    var = (q.n_est[:6] - 2.0) / (q.n_est[:6] - 4.0)
    assert wt["car_patell"].statistic == pytest.approx(
        scar[:6].sum() / np.sqrt(var.sum()), rel=RTOL
    )
    assert wt["car_boehmer"].statistic == pytest.approx(
        stats.ttest_1samp(scar, 0.0).statistic, rel=RTOL
    )
    assert wt["car_boehmer"].distribution == "t(6)"
    assert wt["car_patell"].details["n"] == 6
    assert wt["car_patell"].details["n_without_patell_variance"] == 1
    assert wt["car_boehmer"].details["n"] == 7
    assert wt["car_t"].distribution == "t(6)"  # the CAR t test keeps all 7 events
    if convention == "estudy2":
        # the daily Patell denominator sums (L-2)/(L-4) over the events that have it, so the
        # L = 4 event (an infinite variance) is not in it; the numerator is estudy2's, the mean
        # SAR over the day's securities times N
        day = daily_tests(q, convention="estudy2")[0]
        mbar, ss = q.market_est_mean, q.market_est_ss
        j = list(q.event_days).index(0)
        fac = 1 + 1 / q.n_est + (q.market[:, j] - mbar) ** 2 / ss
        sar = q.ar_event[:, j] / (q.sd_ddof1 * np.sqrt(fac))
        ok = np.isfinite(sar)
        num = sar[ok].mean() * 7
        den = np.sqrt(np.sum((q.n_est[:6] - 2.0) / (q.n_est[:6] - 4.0)))
        assert day["ar_patell"].statistic == pytest.approx(num / den, rel=RTOL)


def test_two_events_have_a_kolari_pynnonen_correlation():
    # r̄ = Σ_t z_1t z_2t / (L_12 - 1) over the L_12 days both have, z = standardised estimation
    # ARs (ddof 1); two events suffice (event 1 misses one day: 44 in common, not the mean 44.5)
    rng = np.random.default_rng(12)
    m = rng.normal(0, 0.01, 80)
    r = m[:, None] + rng.normal(0, 0.02, (80, 2))
    r[30, 1] = np.nan
    p = estimate_panel(
        r,
        m,
        np.zeros(80),
        np.column_stack([np.ones(80), m]),
        np.arange(2),
        np.full(2, 60),
        np.arange(-50, -5),
        np.arange(0, 2),
    )
    a = p.ar_est
    z = (a - np.nanmean(a, axis=1)[:, None]) / np.nanstd(a, axis=1, ddof=1)[:, None]
    common = int(np.sum(np.isfinite(z[0]) & np.isfinite(z[1])))
    assert common == 44 and p.n_est.tolist() == [45, 44]
    r_bar = np.nansum(z[0] * z[1]) / (common - 1)
    day = daily_tests(p)[0]
    assert day["ar_adjusted_patell"].details["r_bar"] == pytest.approx(r_bar, rel=RTOL)
    kp = math.sqrt((1 - r_bar) / (1 + r_bar))
    assert day["ar_adjusted_patell"].statistic == pytest.approx(
        day["ar_patell"].statistic * kp, rel=RTOL
    )


def test_two_events_give_a_car_boehmer_statistic():
    # BMP needs the sd of the standardised CARs: two of them are enough (ddof 1)
    r, m, ev = _panel(2)
    res = run_cross_section(r, m, ev, estimation=(-60, -6), event_window=(0, 1), min_estimation=20)
    got = res.window_tests[(0, 1)]["car_boehmer"]
    assert got.applicable and math.isfinite(got.statistic) and got.distribution == "t(1)"


def test_car_variances_on_blocks_are_the_whole_arrays_bits(monkeypatch):
    """Blocks of events give each event the bits of the whole-array formula (the code before
    the blocks), also when the events are one more than a multiple of the block: numpy's einsum
    sums a lone event's quadratic form in another order (one ulp apart in about a fifth of the
    rows, 2026-12-07), so the last event joins the block before it."""
    from eventstudy.crosssection import battery

    monkeypatch.setattr(battery, "_BLOCK", 2)
    # loop over random panels: 7 events in blocks of 2, 2 and 3; 3 events in one block
    for seed, e in itertools.product(range(40), (3, 7)):
        rng = np.random.default_rng(seed)
        d, k = 4, 2
        x = rng.normal(size=(e, d, k)) * 10 ** rng.uniform(-3, 3, size=(e, d, k))
        inv = rng.normal(size=(e, k, k))
        inv = inv @ inv.transpose(0, 2, 1)
        ar = rng.normal(size=(e, 3 + d))
        ar[:, 3:][rng.random((e, d)) < 0.2] = np.nan
        p = EventPanel(
            est_days=np.arange(-5, -2),
            event_days=np.arange(d),
            ar=ar,
            returns=np.zeros((e, d)),
            market=np.zeros((e, d)),
            market_est_mean=np.zeros(e),
            market_est_ss=np.ones(e),
            n_est=np.full(e, 3),
            params=np.zeros((e, k)),
            xtx_inv=inv,
            x_event=x,
            sigma2=rng.uniform(0.5, 2.0, e),
            sd_ddof1=np.ones(e),
            n_params=k,
        )
        ok = np.isfinite(p.ar_event)
        xx = np.where(ok[..., None], x, 0.0)
        np.cumsum(xx, axis=1, out=xx)
        path = np.cumsum(ok, axis=1, dtype=float)
        path += np.einsum("edk,ekl,edl->ed", xx, inv, xx)
        path *= p.sigma2[:, None]
        assert car_variance_path(p).tobytes() == path.tobytes(), seed
        s = np.where(ok[..., None], x, 0.0).sum(axis=1)
        whole = p.sigma2 * (ok.sum(axis=1) + np.einsum("ek,ekl,el->e", s, inv, s))
        assert car_variance(p, np.arange(d)).tobytes() == whole.tobytes(), seed
        h = battery._prediction_factor(p, 2)  # the textbook standardisation's, on two threads
        assert h.tobytes() == p.prediction_factor.tobytes(), seed


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.DataCoverageWarning")
def test_a_security_without_dispersion_leaves_the_standardised_tests():
    """S0's returns are exactly zero through its estimation window (sigma = 0) and move in the
    event window: its standardised AR is undefined (+-inf), so Patell, BMP and their
    Kolari-Pynnonen versions are those of the other seven securities (textbook convention;
    the same statistics with S0 left out of the event list), and a one-day CAR's BMP equals
    the day's."""
    r, m, ev = _panel(8, seed=3)
    r.iloc[:95, 0] = 0.0
    kw = {"estimation": (-60, -6), "event_window": (0, 1), "min_estimation": 20}
    res = run_cross_section(r, m, ev, **kw)
    rest = run_cross_section(r, m, ev[ev.ticker != "S0"], **kw)
    for name in ("ar_patell", "ar_boehmer", "ar_adjusted_patell", "ar_adjusted_boehmer"):
        got, want = res.daily_tests[0][name], rest.daily_tests[0][name]
        assert got.statistic == pytest.approx(want.statistic, rel=1e-12), name
        assert got.distribution == want.distribution, name
    assert res.daily_tests[0]["ar_boehmer"].distribution == "t(6)"
    assert res.daily_tests[0]["ar_t"].distribution == "t(7)"  # S0's AR itself is there
    one = run_cross_section(r, m, ev, car_windows=[(0, 0)], **kw)
    assert one.window_tests[(0, 0)]["car_boehmer"].statistic == pytest.approx(
        one.daily_tests[0]["ar_boehmer"].statistic, rel=1e-12
    )


def test_a_security_without_dispersion_is_counted_out_of_the_standardised_tests() -> None:
    """A stale price in the estimation window (zero residual variance) has no standardised
    abnormal return: Patell, BMP and their Kolari-Pynnönen versions leave it out, and their n
    says so (BMP's t(n - 1) already did), warned; the other tests keep all ten."""
    import warnings

    import pandas as pd

    from eventstudy.crosssection import run_cross_section
    from eventstudy.exceptions import DataCoverageWarning

    rng = np.random.default_rng(3)
    cal = pd.bdate_range("2015-01-02", periods=500)
    m = pd.Series(rng.normal(0.0004, 0.01, 500), index=cal, name="mkt")
    r = pd.DataFrame(
        {f"S{i}": 0.9 * m.to_numpy() + rng.normal(0, 0.015, 500) for i in range(10)}, index=cal
    )
    r["S0"] = 0.0
    r.iloc[300:306, 0] = 0.05
    events = pd.DataFrame({"ticker": r.columns, "date": cal[300]})
    with pytest.warns(
        DataCoverageWarning, match=r"1 event\(s\) have no residual dispersion .*'S0'"
    ):
        res = run_cross_section(r, m, events, workers=1, car_windows=[(0, 0)])
    for name in ("ar_patell", "ar_boehmer", "ar_adjusted_patell", "ar_adjusted_boehmer"):
        d = res.daily_tests[0][name].details
        assert (d["n"], d["n_without_dispersion"]) == (9, 1), name
    assert res.daily_tests[0]["ar_boehmer"].distribution == "t(8)"
    assert res.daily_tests[0]["ar_t"].details["n"] == 10
    for name in ("car_patell", "car_boehmer", "car_adjusted_boehmer"):
        d = res.window_tests[(0, 0)][name].details
        assert (d["n"], d["n_without_dispersion"]) == (9, 1), name
    assert res.window_tests[(0, 0)]["car_t"].details["n"] == 10
    ok = r.drop(columns="S0")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataCoverageWarning)
        clean = run_cross_section(ok, m, events[events["ticker"] != "S0"], workers=1)
    assert "n_without_dispersion" not in clean.daily_tests[0]["ar_patell"].details
    assert "n_without_dispersion" not in clean.window_tests[(-5, 5)]["car_boehmer"].details
