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
    assert res.details["se"] == pytest.approx(math.sqrt(var), rel=1e-9)
    assert res.details["cosines"] == nu == default_ewc_cosines(t, 21)
    assert res.distribution == f"t({nu})"
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(res.statistic), nu), rel=1e-9)
    assert res.details["n_obs"] == t and res.details["n_events"] == events.size
    other = ewc_test(fwd, events, 21, cosines=7)
    assert other.distribution == "t(7)" and other.details["cosines"] == 7


def test_ewc_defaults_and_edge_cases() -> None:
    assert default_ewc_cosines(11000, 126) == 43
    assert default_ewc_cosines(11000, 252) == 21
    assert default_ewc_cosines(100, 126) == 2
    fwd, events = _data()
    assert not ewc_test(fwd, events[:2], 21).applicable
    assert "only 2 complete events" in ewc_test(fwd, events[:2], 21).reason
    flat = np.where(np.isfinite(fwd), 0.01, np.nan)
    assert "no variation" in ewc_test(flat, events, 21).reason
    every = np.full(5, 0.01)
    assert "no comparison dates" in ewc_test(every, [0, 1, 2, 3, 4], 1).reason
    assert "cosines need more than" in ewc_test(fwd[:60], [1, 2, 3], 1, cosines=60).reason
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
    assert "only 2 complete events" in im_test(fwd, events[:2], 21).reason
    assert "only 1 episode(s)" in im_test(fwd, events[:3], 21).reason
    flat = np.where(np.isfinite(fwd), 0.01, np.nan)
    assert "no variance" in im_test(flat, events, 21).reason
    assert im_test(fwd, events, 21).details["n_events"] == events.size


def test_both_are_registered_and_run_in_a_study_by_name() -> None:
    from eventstudy.inference.run import ALL_TESTS, run_tests, timeseries_tests

    assert {"ewc", "im"} <= set(timeseries_tests()) and not {"ewc", "im"} & set(ALL_TESTS)
    fwd, events = _data()
    out = run_tests(fwd, events, 21, tests=("ewc", "im"), seed=1)
    assert out["ewc"].p_value == ewc_test(fwd, events, 21).p_value
    assert out["im"].p_value == im_test(fwd, events, 21).p_value
