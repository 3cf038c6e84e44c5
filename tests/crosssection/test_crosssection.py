"""Unit and equivalence tests of the cross-sectional event study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from eventstudy.crosssection import (
    MODELS,
    factors_from_percent,
    get_model,
    plot_caar,
    returns_from_prices,
    run_cross_section,
    to_wide,
)
from eventstudy.exceptions import DataError, DroppedEventsWarning
from eventstudy.results import TestResult


def _events(returns: pd.DataFrame, day: int) -> pd.DataFrame:
    return pd.DataFrame({"ticker": list(returns.columns), "date": returns.index[day]})


def test_market_model_params_match_statsmodels(make_panel):
    r, m = make_panel(5, 300, seed=1)
    ev = _events(r, 280)
    res = run_cross_section(r, m, ev, estimation=(-250, -11), event_window=(-5, 5))
    for i, t in enumerate(r.columns):
        y = r[t].iloc[30:270]
        x = sm.add_constant(m.iloc[30:270].to_numpy())
        fit = sm.OLS(y.to_numpy(), x).fit()
        assert res.events.loc[i, "param_const"] == pytest.approx(fit.params[0], rel=1e-10)
        assert res.events.loc[i, "param_market"] == pytest.approx(fit.params[1], rel=1e-10)
        assert res.events.loc[i, "sigma"] == pytest.approx(np.sqrt(fit.scale), rel=1e-10)
        # CLM (1997) prediction-error variance of the 11-day CAR: σ²(D + s'(X'X)^-1 s)
        xs = sm.add_constant(m.iloc[275:286].to_numpy()).sum(axis=0)
        v = fit.scale * (11 + xs @ np.linalg.inv(x.T @ x) @ xs)
        assert res.car_variance.iloc[i] == pytest.approx(v, rel=1e-10)


def test_market_model_with_alpha0_beta1_equals_market_adjusted(make_panel):
    r, m = make_panel(4, 300, seed=2)
    # make R = Rm + e with e orthogonal to [1, Rm] on the estimation window -> OLS alpha=0, beta=1
    est = slice(280 - 250, 280 - 10)
    x = np.column_stack([np.ones(240), m.iloc[est].to_numpy()])
    for t in r.columns:
        e = r[t].iloc[est].to_numpy()
        e = e - x @ np.linalg.lstsq(x, e, rcond=None)[0]
        r.loc[r.index[est], t] = m.iloc[est].to_numpy() + e
    ev = _events(r, 280)
    mm = run_cross_section(r, m, ev, model="market_model")
    ma = run_cross_section(r, m, ev, model="market_adjusted")
    np.testing.assert_allclose(mm.events["param_const"], 0.0, atol=1e-15)
    np.testing.assert_allclose(mm.events["param_market"], 1.0, rtol=1e-12)
    np.testing.assert_allclose(mm.ar.to_numpy(), ma.ar.to_numpy(), rtol=1e-10, atol=1e-15)


def test_one_day_car_equals_ar(make_panel):
    r, m = make_panel(10, 300, seed=3)
    res = run_cross_section(r, m, _events(r, 280), event_window=(0, 0))
    np.testing.assert_array_equal(res.car.to_numpy(), res.ar.to_numpy())
    assert res.window_tests[(0, 0)]["car_t"].statistic == pytest.approx(
        res.daily_tests[0]["ar_t"].statistic, rel=1e-12
    )
    assert res.window_tests[(0, 0)]["car_patell"].statistic == pytest.approx(
        res.daily_tests[0]["ar_patell"].statistic, rel=1e-12
    )


def test_bmp_equals_patell_when_sar_cross_sectional_variance_is_one(make_panel):
    # Patell = sum SAR / sqrt(sum (L-K)/(L-K-2)); BMP = mean SAR / (sd SAR / sqrt N).
    # Scale the event-day returns so that SARs have cross-sectional sd equal to
    # sqrt((L-K)/(L-K-2)) (unit variance of the t-distributed SAR): then BMP == Patell.
    r, m = make_panel(12, 300, seed=4)
    ev = _events(r, 280)
    base = run_cross_section(r, m, ev, event_window=(0, 0))
    sar_scale = np.sqrt(base.car_variance.to_numpy())  # σ_i sqrt(1 + h_i) for a one-day window
    target = np.linspace(-1.0, 2.5, 12)
    target = (target - target.mean()) / target.std(ddof=1)
    k = np.sqrt((240 - 2) / (240 - 4))
    target = target * k + 0.7  # cross-sectional sd of SAR = sqrt(238/236)
    fitted = base.events["param_const"] + base.events["param_market"] * m.iloc[280]
    r.iloc[280] = (fitted + target * sar_scale).to_numpy()
    res = run_cross_section(r, m, ev, event_window=(0, 0))
    assert res.daily_tests[0]["ar_boehmer"].statistic == pytest.approx(
        res.daily_tests[0]["ar_patell"].statistic, rel=1e-10
    )


def test_invariance_to_price_scaling(make_panel):
    r, m = make_panel(8, 300, seed=5)
    prices = (1 + r).cumprod() * 50
    ev = _events(r, 280)
    a = run_cross_section(returns_from_prices(prices), m, ev)
    b = run_cross_section(returns_from_prices(prices * 1000.0), m, ev)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), rtol=1e-9)


def test_returns_from_prices_log_and_simple():
    p = pd.DataFrame(
        {"A": [100.0, 110.0, np.nan, 121.0]}, index=pd.bdate_range("2020-01-01", periods=4)
    )
    s = returns_from_prices(p)
    assert s["A"].iloc[1] == pytest.approx(0.1)
    assert np.isnan(s["A"].iloc[2]) and np.isnan(s["A"].iloc[3])  # gaps are not bridged
    lg = returns_from_prices(p, kind="log")
    assert lg["A"].iloc[1] == pytest.approx(np.log(1.1))
    with pytest.raises(DataError, match="'A'"):
        returns_from_prices(p.replace(110.0, 0.0))


def test_to_wide_and_factors():
    long = pd.DataFrame(
        {
            "date": ["2020-01-02", "2020-01-02", "2020-01-03"],
            "ticker": ["A", "B", "A"],
            "close": [1.0, 2.0, 3.0],
        }
    )
    w = to_wide(long)
    assert w.shape == (2, 2) and np.isnan(w.loc["2020-01-03", "B"])
    with pytest.raises(DataError, match="duplicate row for ticker 'A'"):
        to_wide(pd.concat([long, long.iloc[[0]]]))
    ff = pd.DataFrame(
        {"date": ["2020-01-02"], "mkt_rf": [0.5], "smb": [-0.1], "hml": [0.2], "rf": [0.01]}
    )
    out = factors_from_percent(ff)
    assert out.loc["2020-01-02", "mkt_rf"] == pytest.approx(0.005)
    assert out.loc["2020-01-02", "rf"] == pytest.approx(0.0001)
    with pytest.raises(DataError, match="hml"):
        factors_from_percent(ff.drop(columns="hml"))


def test_ff3_equals_regression_on_excess_returns(make_panel):
    r, m = make_panel(3, 300, seed=6)
    rng = np.random.default_rng(606)
    fac = pd.DataFrame(
        {
            "mkt_rf": m - 0.0001,
            "smb": rng.normal(0, 0.005, 300),
            "hml": rng.normal(0, 0.005, 300),
            "rf": 0.0001,
        },
        index=r.index,
    )
    res = run_cross_section(r, m, _events(r, 280), model="ff3", factors=fac)
    y = r.iloc[30:270, 0] - 0.0001
    x = sm.add_constant(fac[["mkt_rf", "smb", "hml"]].iloc[30:270])
    fit = sm.OLS(y, x).fit()
    got = res.events.loc[0, ["param_const", "param_mkt_rf", "param_smb", "param_hml"]].to_numpy(
        float
    )
    np.testing.assert_allclose(got, fit.params.to_numpy(), rtol=1e-9)
    ar0 = r.iloc[280, 0] - 0.0001 - fit.params @ np.r_[1.0, fac[["mkt_rf", "smb", "hml"]].iloc[280]]
    assert res.ar.loc[0, 0] == pytest.approx(ar0, rel=1e-9)
    bad = fac.copy()
    bad.iloc[7, 1] = np.inf
    with pytest.raises(DataError, match=r"factors has an infinite value: 'smb' on "):
        run_cross_section(r, m, _events(r, 280), model="ff3", factors=bad)
    with pytest.raises(DataError, match="needs factors"):
        run_cross_section(r, m, _events(r, 280), model="carhart4")


def test_mean_adjusted_model(make_panel):
    r, m = make_panel(3, 300, seed=7)
    res = run_cross_section(r, m, _events(r, 280), model="mean_adjusted")
    mu = r.iloc[30:270].mean()
    assert res.ar.loc[1, 0] == pytest.approx(r.iloc[280, 1] - mu.iloc[1], rel=1e-10)


def test_unknown_model_lists_valid_names():
    with pytest.raises(ValueError, match="market_model"):
        get_model("capm2")
    assert set(MODELS) == {
        "mean_adjusted",
        "market_adjusted",
        "market_model",
        "ff3",
        "carhart4",
        "ff5",
    }


def test_errors_name_ticker_and_date(make_panel):
    r, m = make_panel(3, 300)
    with pytest.raises(DataError, match="unknown ticker 'ZZZ'"):
        run_cross_section(r, m, pd.DataFrame({"ticker": ["ZZZ"], "date": [r.index[280]]}))
    with pytest.raises(DataError, match=r"T000.*outside the data"):
        run_cross_section(r, m, pd.DataFrame({"ticker": ["T000"], "date": ["2030-01-01"]}))
    with pytest.raises(ValueError, match="fewer than min_estimation"):
        run_cross_section(r, m, _events(r, 280), estimation=(-20, -11), min_estimation=50)
    with pytest.raises(ValueError, match="must end before"):
        run_cross_section(r, m, _events(r, 280), estimation=(-250, 0))


@pytest.mark.parametrize(
    ("model", "convention", "fewest"),
    [
        ("market_model", "textbook", 5),  # K = 2 parameters: L - K > 2
        ("mean_adjusted", "textbook", 4),
        ("market_adjusted", "textbook", 3),
        ("market_adjusted", "estudy2", 5),  # estudy2's Patell variance uses L - 2
    ],
)
def test_min_estimation_leaves_every_kept_event_a_patell_variance(
    make_panel, model, convention, fewest
):
    # (L - K)/(L - K - 2) exists only for L > K + 2; a lower min_estimation let Patell leave
    # events out that BMP kept
    r, m = make_panel(4, 300)
    kw = {"model": model, "convention": convention, "estimation": (-30, -6)}
    with pytest.raises(ValueError, match=rf"min_estimation must be >= {fewest} for the {model}"):
        run_cross_section(r, m, _events(r, 280), min_estimation=fewest - 1, **kw)
    r.iloc[: 280 - 30 + (25 - fewest), 0] = np.nan  # T000 keeps exactly `fewest` returns
    res = run_cross_section(r, m, _events(r, 280), min_estimation=fewest, **kw)
    assert res.events.loc[0, "n_estimation"] == fewest
    patell = next(iter(res.window_tests.values()))["car_patell"]
    assert patell.details["n"] == 4 and "n_without_patell_variance" not in patell.details


def test_short_estimation_dropped_with_warning(make_panel):
    r, m = make_panel(5, 300)
    r.iloc[:200, 0] = np.nan  # "IPO" inside the estimation window: 70 observations left
    with pytest.warns(DroppedEventsWarning, match="dropped 1 of 5") as caught:
        res = run_cross_section(r, m, _events(r, 280), min_estimation=100)
    assert caught[0].filename == __file__  # the warning points at the caller's line
    assert res.n_dropped == 1 and res.n_events == 4
    assert "T000" not in set(res.events["ticker"])
    # with a lower threshold the IPO stock is kept with its own shorter estimation sample
    res2 = run_cross_section(r, m, _events(r, 280), min_estimation=50)
    assert res2.events.loc[0, "n_estimation"] == 70


def test_weekend_event_moves_to_next_trading_day(make_panel):
    r, m = make_panel(2, 300)
    d = r.index[275]
    sat = d + pd.Timedelta(days=(5 - d.day_of_week) % 7)  # the next Saturday
    assert sat.day_of_week == 5
    day0 = sat + pd.Timedelta(days=2)  # the Monday after
    assert day0 in r.index
    ev = pd.DataFrame({"ticker": ["T000", "T001"], "date": [sat, day0]})
    res = run_cross_section(r, m, ev)
    assert (res.events["trading_date"] == day0).all()
    assert res.n_moved == 1
    assert res.events["moved"].tolist() == [True, False]
    # a moved event that is then dropped (T000 lists too late) is not counted as moved: the
    # count is of the events used, as the events table's column
    late = r.copy()
    late.iloc[:200, 0] = np.nan
    with pytest.warns(DroppedEventsWarning):
        res = run_cross_section(late, m, ev)
    assert res.n_dropped == 1 and res.n_moved == 0 and not res.events["moved"].any()


def test_battery_all_applicable_with_summary_and_html(make_panel):
    # events on 40 different dates: every test applies, the band brackets the CAAR, the
    # summary names each CAR window and the HTML repr is a table
    r, m = make_panel(60, 320, seed=8)
    ev = pd.DataFrame(
        {"ticker": list(r.columns), "date": [r.index[270 + (i % 40)] for i in range(60)]}
    )
    res = run_cross_section(r, m, ev, car_windows=[(-1, 1), (-5, 5)])
    assert set(res.daily_tests) == set(range(-5, 6))
    for tests in [*res.daily_tests.values(), *res.window_tests.values()]:
        for t in tests.values():
            assert isinstance(t, TestResult) and t.applicable
    assert res.caar["lower"].le(res.caar["caar"]).all()
    assert "CAR window -1..1" in res.summary()
    assert "<table" in res._repr_html_()


@pytest.mark.slow
def test_parametric_tests_have_nominal_size_under_the_null():
    """Measured 5 % rejection rates under H0 over R = 1000 simulated cross-sections.

    i.i.d. normal market-model returns, no event effect, 30 events, L = 100, event window 0..2.
    Conditional on the (shared) market series every study is independent and the t, BW 1980,
    Patell and BMP statistics have their nominal null distribution (exact for the t-based
    ones, N(0,1) to O(1/L) for Patell), so each rejection count is Binomial(R, 0.05): the rate
    must lie within 0.05 +- 4 sqrt(0.05 x 0.95 / R) = 0.05 +- 0.0276.
    """
    from eventstudy.crosssection.battery import BatteryInputs, daily_tests, window_tests
    from eventstudy.crosssection.engine import estimate_panel

    rng = np.random.default_rng(20240607)
    n_rep, n, t_days = 1000, 30, 103
    m = rng.normal(0.0, 0.01, t_days)
    r = m[:, None] * rng.uniform(0.5, 1.5, n_rep * n) + rng.normal(0.0, 0.02, (t_days, n_rep * n))
    panel = estimate_panel(
        r,
        m,
        np.zeros(t_days),
        np.column_stack([np.ones(t_days), m]),
        np.arange(n_rep * n),
        np.full(n_rep * n, 100),
        np.arange(-100, 0),
        np.arange(0, 3),
    )
    daily = ("ar_t", "ar_brown_warner_1980", "ar_patell", "ar_boehmer")
    car = ("car_t", "car_patell", "car_boehmer")
    rejections = dict.fromkeys(daily + car, 0)
    for k in range(n_rep):  # one cross-section per replication
        sub = panel.subset(np.arange(k * n, (k + 1) * n))
        inputs = BatteryInputs(sub)
        dt = daily_tests(sub, tests=daily, inputs=inputs)
        wt = window_tests(sub, (0, 2), tests=car, inputs=inputs)
        for name in daily:
            rejections[name] += dt[0][name].p_value < 0.05
        for name in car:
            rejections[name] += wt[name].p_value < 0.05
    tol = 4 * np.sqrt(0.05 * 0.95 / n_rep)
    for name, count in rejections.items():
        assert abs(count / n_rep - 0.05) <= tol, (name, count / n_rep)


def test_rank_test_matches_scipy_ranks(make_panel):
    # Corrado (1989) statistic recomputed independently with scipy.stats.rankdata
    r, m = make_panel(15, 300, seed=9)
    res = run_cross_section(r, m, _events(r, 280), estimation=(-250, -11), event_window=(-2, 2))
    full = np.column_stack([res.ar.to_numpy()])  # event ARs
    # rebuild estimation ARs from the fitted parameters
    est = np.arange(280 - 250, 280 - 10)
    ar_est = (
        r.iloc[est].to_numpy()
        - res.events["param_const"].to_numpy()
        - np.outer(m.iloc[est].to_numpy(), res.events["param_market"].to_numpy())
    ).T
    allar = np.hstack([ar_est, full])
    k = stats.rankdata(allar, axis=1) - (allar.shape[1] + 1) / 2
    sk = np.sqrt(np.mean(k.mean(axis=0) ** 2))
    expected = k.mean(axis=0)[-5:] / sk
    got = [res.daily_tests[d]["ar_rank"].statistic for d in range(-2, 3)]
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_bhar_buy_and_hold(make_panel):
    r, m = make_panel(3, 300, seed=10)
    res = run_cross_section(r, m, _events(r, 280), event_window=(0, 2))
    exp = np.prod(1 + r.iloc[280:283, 2]) - np.prod(1 + m.iloc[280:283])
    assert res.bhar.loc[2, 2] == pytest.approx(exp, rel=1e-12)


def test_plot_caar_agg_safe(make_panel):
    r, m = make_panel(5, 300)
    res = run_cross_section(r, m, _events(r, 280))
    fig = plot_caar(res)
    assert fig.axes and len(fig.axes[0].lines) >= 1


def test_missing_event_day_textbook_sums_over_available(make_panel):
    # a stock without a return on day 0: N_t drops, the CAR sums the available days
    r, m = make_panel(10, 300, seed=11)
    r.iloc[280, 3] = np.nan
    res = run_cross_section(r, m, _events(r, 280), event_window=(0, 2))
    assert res.daily_tests[0]["ar_t"].details["n"] == 9
    assert res.daily_tests[1]["ar_t"].details["n"] == 10
    assert res.car.loc[3, 2] == pytest.approx(res.ar.loc[3, 1] + res.ar.loc[3, 2])
    ar0 = res.ar[0].dropna()
    assert res.daily_tests[0]["ar_t"].statistic == pytest.approx(
        stats.ttest_1samp(ar0, 0.0).statistic, rel=1e-12
    )


def test_convention_is_validated(make_panel):
    r, m = make_panel(3, 300)
    with pytest.raises(ValueError, match="textbook"):
        run_cross_section(r, m, _events(r, 280), convention="R")  # type: ignore[arg-type]


def test_a_cross_section_does_not_import_scipy_stats() -> None:
    """The battery's p-values come from scipy.special (the same digits as scipy.stats, checked
    in tests/crosssection/test_battery_edges.py): importing scipy.stats took 0.55 s, most of a
    cross-section's first call."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, pandas as pd\n"
        "from eventstudy.crosssection import run_cross_section\n"
        "rng = np.random.default_rng(0)\n"
        "d = pd.bdate_range('2020-01-01', periods=400)\n"
        "m = pd.Series(rng.normal(0, 0.01, 400), index=d)\n"
        "r = pd.DataFrame({'A': m + rng.normal(0, 0.01, 400), 'B': m + rng.normal(0, 0.01, 400),"
        " 'C': m + rng.normal(0, 0.01, 400)}, index=d)\n"
        "ev = pd.DataFrame({'ticker': ['A', 'B', 'C'], 'date': [d[300], d[320], d[340]]})\n"
        "res = run_cross_section(r, m, ev, estimation=(-250, -11), event_window=(-5, 5))\n"
        "assert res.n_events == 3 and res.window_tests[(-5, 5)]['car_t'].p_value == "
        "res.window_tests[(-5, 5)]['car_t'].p_value\n"
        "print('scipy.stats' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.OverlappingEventsWarning")
@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
@pytest.mark.parametrize("workers", [2, 3])
def test_threads_give_the_same_result_bit_for_bit(make_panel, monkeypatch, workers, convention):
    """Chunks of events fitted, and blocks ranked and summed, by several threads: every
    frame and test statistic equal to one thread's, with missing returns, a short CAR window
    (ranked on its own columns) and many small chunks and blocks."""
    from eventstudy.crosssection import battery, engine

    monkeypatch.setattr(engine, "_CHUNK_ELEMENTS", 2_000)
    monkeypatch.setattr(battery, "_BLOCK", 7)
    returns, market = make_panel(40, 420, seed=5)
    returns = returns.mask(np.random.default_rng(5).random(returns.shape) < 0.03)
    rng = np.random.default_rng(6)
    events = pd.DataFrame(
        {
            "ticker": rng.choice(returns.columns, 90),
            "date": returns.index[rng.choice(np.arange(300, 400), 90, replace=False)],
        }
    ).drop_duplicates()
    kw = dict(estimation=(-250, -11), event_window=(-5, 5), car_windows=[(-5, 5), (0, 2)])
    kw["convention"] = convention
    one = run_cross_section(returns, market, events, workers=1, **kw)
    many = run_cross_section(returns, market, events, workers=workers, **kw)
    for name in ("events", "ar", "car", "bhar", "caar"):
        pd.testing.assert_frame_equal(getattr(many, name), getattr(one, name), check_exact=True)
        for col in getattr(one, name).select_dtypes("number"):  # bits: -0.0 is not 0.0
            a, b = getattr(many, name)[col].to_numpy(), getattr(one, name)[col].to_numpy()
            assert a.tobytes() == b.tobytes(), (name, col)
    assert many.car_variance.to_numpy().tobytes() == one.car_variance.to_numpy().tobytes()
    assert repr(many.daily_tests) == repr(one.daily_tests)
    assert repr(many.window_tests) == repr(one.window_tests)


def test_workers_is_checked(make_panel):
    returns, market = make_panel()
    with pytest.raises(ValueError, match="workers must be >= 1, got 0"):
        run_cross_section(returns, market, _events(returns, 300), workers=0)
    with pytest.raises(TypeError, match="workers must be an integer, got float 2.0"):
        run_cross_section(returns, market, _events(returns, 300), workers=2.0)


def test_events_that_are_not_a_frame_are_named_as_such(make_panel):
    returns, market = make_panel()
    with pytest.raises(TypeError, match="events must be a DataFrame with columns ticker,date"):
        run_cross_section(returns, market, None)


@pytest.mark.parametrize(("chunk", "chunks"), [(1, 20), (3, 7)])
def test_workers_reach_every_pass_over_blocks(make_panel, monkeypatch, chunk, chunks):
    """The fit, the full-sample pass, the ranks of a CAR sub-window and the CAR variance
    path each share their blocks among the threads asked for."""
    from eventstudy.crosssection import battery, engine

    monkeypatch.setattr(engine, "_CHUNK_ELEMENTS", chunk * 251 * 4)  # 251 days x 4 each
    monkeypatch.setattr(battery, "_BLOCK", 5)
    asked: list[tuple[str, int, int]] = []

    def spy(where, real):
        def map_blocks(fn, items, threads):
            asked.append((where, threads, len(items)))
            return real(fn, items, threads)

        return map_blocks

    monkeypatch.setattr(engine, "map_blocks", spy("engine", engine.map_blocks))
    monkeypatch.setattr(battery, "map_blocks", spy("battery", battery.map_blocks))
    returns, market = make_panel(30, 400, seed=2)
    rng = np.random.default_rng(3)
    events = pd.DataFrame(
        {"ticker": returns.columns[:20], "date": returns.index[rng.choice(110, 20) + 280]}
    )
    run_cross_section(  # estudy2 ranks a CAR sub-window on its own columns
        returns,
        market,
        events,
        workers=3,
        estimation=(-250, -11),
        car_windows=[(0, 2)],
        convention="estudy2",
    )
    # the fit (20 events in chunks of 1 or 3), then the full-sample pass, the sub-window's
    # ranks and the CAR variance path (blocks of 5 events), and the daily Wilcoxon test's
    # days; the CAR variance path is made beside the tests, in either order with them
    assert asked[:2] == [("engine", 3, chunks), ("battery", 3, 4)]
    assert sorted(asked[2:]) == [("battery", 3, 4)] * 2 + [("battery", 3, 11)]
