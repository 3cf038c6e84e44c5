"""The cross-section battery as registry entries: selection, plugins, conventions, and the
fixes that came with the table (estudy2 sub-window ranks, Patell with L - K <= 2, r-bar with a
zero-variance security)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from eventstudy.crosssection import run_cross_section
from eventstudy.crosssection.battery import (
    CONVENTIONS,
    DAILY_TESTS,
    ESTUDY2_NAMES,
    WINDOW_TESTS,
    BatteryInputs,
    WindowInputs,
    daily_tests,
    window_tests,
)
from eventstudy.crosssection.engine import estimate_panel
from eventstudy.registry import TESTS, register_test, tests_for
from eventstudy.results import TestResult

RTOL = 1e-10


def _panel(n: int = 12, seed: int = 5) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2020-01-01", periods=140)
    m = rng.normal(0, 0.01, dates.size)
    r = m[:, None] * rng.uniform(0.5, 1.5, n) + rng.normal(0, 0.02, (dates.size, n))
    cols = [f"S{i}" for i in range(n)]
    ev = pd.DataFrame({"ticker": cols, "date": dates[110]})
    return pd.DataFrame(r, index=dates, columns=cols), pd.Series(m, index=dates), ev


def _run(**kw):
    r, m, ev = _panel()
    args = {"estimation": (-80, -6), "event_window": (-2, 3), "min_estimation": 40}
    return run_cross_section(r, m, ev, **{**args, **kw})


def test_registry_holds_the_battery_in_order() -> None:
    assert tuple(tests_for("cross_section", "day"))[: len(DAILY_TESTS)] == DAILY_TESTS
    assert tuple(tests_for("cross_section", "window"))[: len(WINDOW_TESTS)] == WINDOW_TESTS
    assert all(n.startswith("ar_") for n in DAILY_TESTS)
    assert all(n.startswith("car_") for n in WINDOW_TESTS)
    assert set(ESTUDY2_NAMES.values()) <= set(DAILY_TESTS) | set(WINDOW_TESTS)
    assert len(ESTUDY2_NAMES) == 15  # 12 daily + 3 CAR tests in estudy2 0.10.0
    assert set(CONVENTIONS) == {"textbook", "estudy2"}
    with pytest.raises(ValueError, match="convention must be one of"):
        BatteryInputs(_direct(), "R")


def test_selected_tests_equal_the_full_battery() -> None:
    full = _run(car_windows=[(0, 1)])
    some = _run(car_windows=[(0, 1)], tests=["car_patell", "ar_rank", "car_t"])
    assert list(some.window_tests[(0, 1)]) == ["car_patell", "car_t"]
    assert all(list(day) == ["ar_rank"] for day in some.daily_tests.values())
    for name in ("car_patell", "car_t"):
        assert some.window_tests[(0, 1)][name] == full.window_tests[(0, 1)][name]
    assert some.daily_tests[0]["ar_rank"] == full.daily_tests[0]["ar_rank"]
    with pytest.raises(ValueError, match=r"unknown cross-section tests \['hac'\]"):
        _run(tests=["hac"])
    with pytest.raises(TypeError, match="not a string"):
        _run(tests="car_t")


@dataclass(frozen=True)
class _MaxCar:
    name: str = "car_max"
    design: str = "cross_section"
    scope: str = "window"
    needs: frozenset[str] = frozenset({"panel"})
    null_hypothesis: str = "none"
    reference: str = "none"
    summary: str = "largest CAR"

    def run(self, w: WindowInputs) -> TestResult:
        return TestResult(self.name, float(np.max(w.carv)), 1.0, "", "", "")


@dataclass(frozen=True)
class _ShortDaily:
    name: str = "ar_short"
    design: str = "cross_section"
    scope: str = "day"
    needs: frozenset[str] = frozenset({"panel"})
    null_hypothesis: str = "none"
    reference: str = "none"
    summary: str = "one result for a whole window: wrong"

    def run(self, x: BatteryInputs) -> tuple[TestResult, ...]:
        return (TestResult(self.name, 0.0, 1.0, "", "", ""),)


def test_plugins_run_in_the_battery() -> None:
    register_test(_MaxCar())
    register_test(_ShortDaily())
    try:
        res = _run(tests=["car_max", "car_t"], car_windows=[(-2, 3)])
        car = res.car.iloc[:, -1]
        assert res.window_tests[(-2, 3)]["car_max"].statistic == pytest.approx(car.max())
        with pytest.raises(TypeError, match="one TestResult per event-window day"):
            _run(tests=["ar_short"])
    finally:
        TESTS.unregister("car_max")
        TESTS.unregister("ar_short")


@dataclass(frozen=True)
class _Where(_MaxCar):
    """Records the thread it runs in."""

    seen: list = field(default=None, compare=False)  # type: ignore[assignment]  # a spy: not a setting
    name: str = "car_where"
    summary: str = "the thread a plugin runs in"

    def run(self, w: WindowInputs) -> TestResult:
        import threading

        self.seen.append(threading.get_ident())
        return TestResult(self.name, 0.0, 1.0, "", "", "")


def test_plugins_run_in_the_callers_thread_while_a_helper_makes_the_tables() -> None:
    import threading

    seen: list[int] = []
    register_test(_Where(seen=seen))
    try:
        res = _run(tests=["car_where", "car_t"], workers=2)
    finally:
        TESTS.unregister("car_where")
    assert seen == [threading.get_ident()]
    assert res.car.shape == (12, 6) and np.isfinite(res.caar["se"]).all()


@pytest.mark.parametrize("model", ["market_model", "mean_adjusted"])
def test_estudy2_car_rank_over_a_sub_window_ranks_estimation_plus_that_window(model) -> None:
    # estudy2's car_nonparametric_tests ranks over the estimation window and the CAR window
    # only: a (0, 1) window inside a (-2, 3) event window gives the car_rank of a study whose
    # event window *is* (0, 1).  The textbook convention ranks over the whole event window.
    kw = {"model": model, "car_windows": [(0, 1)]}
    wide = _run(convention="estudy2", **kw)
    narrow = _run(convention="estudy2", event_window=(0, 1), **kw)
    got = wide.window_tests[(0, 1)]["car_rank"].statistic
    assert got == pytest.approx(narrow.window_tests[(0, 1)]["car_rank"].statistic, rel=RTOL)
    tb_wide = _run(**kw).window_tests[(0, 1)]["car_rank"].statistic
    tb_narrow = _run(event_window=(0, 1), **kw).window_tests[(0, 1)]["car_rank"].statistic
    assert tb_wide != pytest.approx(tb_narrow, rel=1e-6)
    # over the whole event window both rankings coincide
    whole = _run(convention="estudy2", model=model).window_tests[(-2, 3)]["car_rank"]
    inputs = BatteryInputs(_direct(), "estudy2")
    assert np.isfinite(whole.statistic)
    assert window_tests(inputs.panel, (-2, 3), inputs=inputs)["car_rank"].applicable


def _direct(est_obs: int | None = None, constant: bool = False):
    rng = np.random.default_rng(4)
    t_cal, n = 80, 6
    m = rng.normal(0, 0.01, t_cal)
    r = m[:, None] * 1.2 + rng.normal(0, 0.02, (t_cal, n))
    if est_obs is not None:  # security 0 keeps only est_obs estimation returns
        r[10 : 55 - est_obs, 0] = np.nan
    if constant:  # security 1 always returns 0.1 %: zero residual variance
        r[:, 1] = 0.001
    design = np.column_stack([np.ones(t_cal)] if constant else [np.ones(t_cal), m])
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


def test_textbook_patell_leaves_out_events_with_undefined_variance() -> None:
    # L - K = 2 for security 0: its Patell variance (L-K)/(L-K-2) is undefined, so it leaves
    # the numerator as it leaves the denominator: the statistic equals the one without it
    p = _direct(est_obs=4)
    assert int(p.n_est[0]) == 4
    full = daily_tests(p, tests=["ar_patell"])
    rest = daily_tests(p.subset(np.arange(1, 6)), tests=["ar_patell"])
    for day in full:
        assert full[day]["ar_patell"].statistic == pytest.approx(
            rest[day]["ar_patell"].statistic, rel=RTOL
        )


def test_r_bar_leaves_out_a_security_with_zero_residual_variance() -> None:
    p = _direct(constant=True)
    assert p.sd_ddof1[1] == 0.0
    keep = np.array([0, 2, 3, 4, 5])
    got = daily_tests(p, tests=["ar_adjusted_patell"])[0]["ar_adjusted_patell"]
    ref = daily_tests(p.subset(keep), tests=["ar_adjusted_patell"])[0]["ar_adjusted_patell"]
    assert np.isfinite(got.details["r_bar"])
    assert got.details["r_bar"] == pytest.approx(ref.details["r_bar"], rel=RTOL)


def test_selection_errors_and_inputs_defaults() -> None:
    p = _direct()
    with pytest.raises(TypeError, match="tests must be a sequence of test names, not a string"):
        daily_tests(p, tests="ar_t")
    with pytest.raises(
        ValueError, match=r"unknown cross-section tests \['hac', 'nope'\]; valid: \['ar_t', "
    ):
        window_tests(p, (0, 1), tests=["car_t", "hac", "nope"])
    x = BatteryInputs(p)
    assert x.convention == "textbook" and x.rules is CONVENTIONS["textbook"]
    assert BatteryInputs(p, "estudy2").convention == "estudy2"

    @dataclass(frozen=True)
    class _Bad(_MaxCar):
        name: str = "car_bad"

        def run(self, w: WindowInputs) -> TestResult:
            return 1.0  # type: ignore[return-value]

    register_test(_Bad())
    try:
        with pytest.raises(TypeError, match="window test 'car_bad' returned float, not TestResult"):
            window_tests(p, (0, 1), tests=["car_bad"])
    finally:
        TESTS.unregister("car_bad")


def test_car_t_with_two_events_and_with_identical_cars() -> None:
    from scipy import stats

    p = _direct().subset(np.array([0, 1]))
    car_t = window_tests(p, (0, 1), tests=["car_t"])["car_t"]
    cars = np.nansum(p.ar_event[:, 2:4], axis=1)
    assert car_t.statistic == pytest.approx(stats.ttest_1samp(cars, 0.0).statistic, rel=RTOL)
    # identical CARs have no spread: the t statistic is undefined, not infinite
    same = p.subset(np.array([0, 0]))
    assert not window_tests(same, (0, 1), tests=["car_t"])["car_t"].applicable


@pytest.mark.parametrize("convention", ["textbook", "estudy2"])
def test_car_rank_skips_a_day_without_any_return(convention: str) -> None:
    # a day on which no security has a return has no mean rank: it is left out of S_K, so the
    # CAR rank test over a window containing it stays defined
    rng = np.random.default_rng(6)
    r = rng.normal(0, 0.02, (80, 5))
    m = rng.normal(0, 0.01, 80)
    kw = dict(offset=np.zeros(80), design=np.column_stack([np.ones(80), m]))
    full = estimate_panel(
        r,
        m,
        kw["offset"],
        kw["design"],
        np.arange(5),
        np.full(5, 60),
        np.arange(-50, -5),
        np.arange(0, 4),
    )
    r2 = r.copy()
    r2[63, :] = np.nan
    holed = estimate_panel(
        r2,
        m,
        kw["offset"],
        kw["design"],
        np.arange(5),
        np.full(5, 60),
        np.arange(-50, -5),
        np.arange(0, 4),
    )
    got = window_tests(holed, (0, 3), convention=convention, tests=["car_rank"])["car_rank"]
    assert got.applicable and np.isfinite(got.statistic)
    ref = window_tests(full, (0, 3), convention=convention, tests=["car_rank"])["car_rank"]
    assert got.statistic != pytest.approx(ref.statistic, rel=1e-6)


def test_textbook_patell_without_estimated_parameters() -> None:
    # market-adjusted model (K = 0): SAR = AR / sigma (no prediction-error term), Patell variance
    # L / (L - 2)
    r, m, ev = _panel(n=6)
    res = run_cross_section(
        r,
        m,
        ev,
        model="market_adjusted",
        estimation=(-80, -6),
        event_window=(0, 1),
        min_estimation=40,
        tests=["ar_patell"],
    )
    ar = (r.sub(m, axis=0)).to_numpy()
    i0 = 110
    sar, var = [], []
    for j in range(6):
        est = ar[i0 - 80 : i0 - 5, j]
        sigma = est.std(ddof=1)
        sar.append(ar[i0, j] / sigma)
        var.append(est.size / (est.size - 2))
    assert res.daily_tests[0]["ar_patell"].statistic == pytest.approx(
        sum(sar) / np.sqrt(sum(var)), rel=1e-10
    )


@pytest.mark.parametrize(
    "panel",
    [_direct(est_obs=4), _direct(constant=True)],
    ids=["thin_estimation_window", "no_dispersion"],
)
def test_a_one_day_window_gives_the_days_standardised_tests(panel) -> None:
    # Over the single day 0 a CAR is that day's AR and the CLM variance of the CAR is the
    # prediction-error variance of the AR, so each standardised CAR test equals the day's own
    # test, with the same securities left out and the same count.  The CAR BMP had left out a
    # security with L - K <= 2 (which BMP, a cross-sectional t, does not need Patell's
    # variance for) and the adjusted tests had used every CAR's count for Kolari–Pynnönen.
    day = daily_tests(panel)[0]
    car = window_tests(panel, (0, 0))
    for test in ("patell", "boehmer", "adjusted_patell", "adjusted_boehmer"):
        d, c = day[f"ar_{test}"], car[f"car_{test}"]
        assert np.isfinite(d.statistic)
        assert c.statistic == pytest.approx(d.statistic, rel=RTOL), test
        assert c.details["n"] == d.details["n"], test
        assert c.distribution == d.distribution, test
        assert c.p_value == pytest.approx(d.p_value, rel=RTOL), test
        for key in ("n_without_dispersion", "n_without_patell_variance"):
            assert c.details.get(key) == d.details.get(key), (test, key)
