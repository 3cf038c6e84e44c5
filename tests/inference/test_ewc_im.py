"""The EWC regression test and the Ibragimov–Müller test, each against an independent
computation: the EWC variance from an explicit cosine matrix (Lazarus et al. 2018, eq. 4:
``Omega = (1/nu) sum_j Lambda_j^2``, ``Lambda_j = sqrt(2/T) sum_t cos(pi j (t - 1/2)/T) z_t``)
and statsmodels' OLS for the coefficient; the IM test from ``scipy.stats.ttest_1samp`` over
the per-episode estimates computed with pandas (Ibragimov & Müller 2010, section 3)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.events import episode_labels
from eventstudy.inference.ewc import default_ewc_cosines, ewc_test
from eventstudy.inference.im import im_test


def _data(t: int = 1200, h: int = 21, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    r = rng.normal(0.0004, 0.01, t + h)
    c = np.concatenate([[0.0], np.cumsum(r)])
    fwd = c[h : h + t] - c[:t]
    fwd[t - h :] = np.nan
    events = np.array([40, 45, 47, 300, 302, 520, 700, 715, 716, 900, 1100, 1170])
    return fwd, events


def test_ewc_against_a_cosine_matrix_and_statsmodels_ols() -> None:
    import statsmodels.api as sm

    fwd, events = _data()
    res = ewc_test(fwd, events, 21)
    ok = np.isfinite(fwd)
    y = fwd[ok]
    d = np.zeros(fwd.size)
    d[events] = 1.0
    x = sm.add_constant(d[ok])
    fit = sm.OLS(y, x).fit()
    t = y.size
    # the slope's score: row 2 of (X'X)^-1 times x_t e_t
    xtx_inv = np.linalg.inv(x.T @ x)
    z = (x @ xtx_inv[1]) * fit.resid
    nu = t // (2 * 21)
    j = np.arange(1, nu + 1)[:, None]
    tt = np.arange(1, t + 1)[None, :]
    lam = math.sqrt(2.0 / t) * (np.cos(math.pi * j * (tt - 0.5) / t) @ z)
    var = t * np.sum(lam**2) / nu
    assert res.details["coef"] == pytest.approx(fit.params[1], rel=1e-10)
    assert res.statistic == pytest.approx(fit.params[1] / math.sqrt(var), rel=1e-9)
    assert res.name == "ewc" and res.method.startswith("OLS of forward return on an event")
    assert res.details["se"] == pytest.approx(math.sqrt(var), rel=1e-9)
    assert res.details["cosines"] == nu == default_ewc_cosines(t, 21)
    assert res.distribution == f"t({nu})"
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(res.statistic), nu), rel=1e-9)
    assert res.details["n_obs"] == t and res.details["n_events"] == events.size
    other = ewc_test(fwd, events, 21, cosines=7)
    assert other.distribution == "t(7)" and other.details["cosines"] == 7


def _na(res, name: str, reason: str, **details: object) -> None:  # type: ignore[no-untyped-def]
    assert not res.applicable and res.name == name and res.reason == reason
    for key, value in details.items():
        assert res.details[key] == value


def test_argument_errors_name_the_argument() -> None:
    fwd, events = _data()
    for call, match in (
        (lambda: ewc_test(fwd, events, 0), "^horizon_days must be >= 1"),
        (lambda: ewc_test(fwd, events, 21, cosines=0), "^cosines must be >= 1"),
        (lambda: default_ewc_cosines(0, 5), "^n_obs must be >= 1"),
        (lambda: default_ewc_cosines(5, 0), "^horizon_days must be >= 1"),
        (lambda: im_test(fwd, events, 0), "^horizon_days must be >= 1"),
    ):
        with pytest.raises(ValueError, match=match):
            call()
    assert (
        default_ewc_cosines(1, 1) == 2
        and ewc_test(fwd, events, 21, cosines=1).distribution == "t(1)"
    )
    assert im_test(fwd, events, 1).applicable


def test_ewc_defaults_and_edge_cases() -> None:
    assert default_ewc_cosines(11000, 126) == 43
    assert default_ewc_cosines(11000, 252) == 21
    assert default_ewc_cosines(100, 126) == 2
    fwd, events = _data()
    nu = default_ewc_cosines(int(np.isfinite(fwd).sum()), 21)
    _na(ewc_test(fwd, events[:2], 21), "ewc", "only 2 complete events (need >= 3)", cosines=nu)
    flat = np.where(np.isfinite(fwd), 0.01, np.nan)
    _na(ewc_test(flat, events, 21), "ewc", "the forward returns have no variation", n_events=12)
    grouped = np.where(np.isfinite(fwd), 0.0, np.nan)
    grouped[events] = 1.0  # exactly representable: zero residuals
    _na(
        ewc_test(grouped, events, 21),
        "ewc",
        "zero long-run variance (constant within events and other dates)",
        cosines=nu,
    )
    every = np.array([0.01, 0.02, 0.03, 0.04, 0.05])
    _na(
        ewc_test(every, [0, 1, 2, 3, 4], 1),
        "ewc",
        "every complete date is an event: no comparison dates",
        n_events=5,
    )
    _na(
        ewc_test(fwd[:60], [1, 2, 3], 1, cosines=60),
        "ewc",
        "60 cosines need more than 60 dates",
        cosines=60,
    )
    with pytest.raises(ValueError):
        ewc_test(fwd, events, 21, cosines=0)


def test_im_against_scipy_over_pandas_episode_means() -> None:
    fwd, events = _data()
    res = im_test(fwd, events, 21)
    ok = np.isfinite(fwd)
    base = fwd[ok].mean()
    frame = pd.DataFrame({"y": fwd[events], "g": episode_labels(events, 21)})
    est = frame.groupby("g")["y"].mean() - base
    ref = stats.ttest_1samp(est.to_numpy(), 0.0)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.distribution == f"t({est.size - 1})"
    np.testing.assert_allclose(res.details["episode_means"], est.to_numpy(), rtol=1e-12)
    assert res.details["n_episodes"] == est.size == 7
    assert res.details["baseline_mean"] == pytest.approx(base, rel=1e-12)


def test_im_edge_cases() -> None:
    fwd, events = _data()
    _na(im_test(fwd, events[:2], 21), "im", "only 2 complete events (need >= 3)", n_episodes=1)
    _na(im_test(fwd, [], 21), "im", "only 0 complete events (need >= 3)", n_episodes=0)
    _na(im_test(fwd, events[:3], 21), "im", "only 1 episode(s) (need >= 2)", n_events=3)
    flat = np.where(np.isfinite(fwd), 0.01, np.nan)
    _na(im_test(flat, events, 21), "im", "the episode estimates have no variance", n_episodes=7)
    two = im_test(fwd, [40, 45, 300], 21)  # exactly two episodes: t(1)
    assert two.applicable and two.distribution == "t(1)" and two.name == "im"
    res = im_test(fwd, events, 21)
    assert res.details["n_events"] == events.size
    assert res.method == (
        "one-sample t-test of the per-episode mean excess forward returns (episodes: clusters "
        "of events with overlapping h-day windows), t(G - 1) reference"
    )


def test_both_are_registered_and_run_in_a_study_by_name() -> None:
    from eventstudy.inference.run import ALL_TESTS, run_tests, timeseries_tests

    assert {"ewc", "im"} <= set(timeseries_tests()) and not {"ewc", "im"} & set(ALL_TESTS)
    fwd, events = _data()
    out = run_tests(fwd, events, 21, tests=("ewc", "im"), seed=1)
    assert out["ewc"].p_value == ewc_test(fwd, events, 21).p_value
    assert out["im"].p_value == im_test(fwd, events, 21).p_value
