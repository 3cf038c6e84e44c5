"""HAC regression test: statsmodels cross-check, a numpy sandwich, and the exact variance of
overlapping h-day sums under i.i.d. returns (Hansen & Hodrick 1980)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from eventstudy.inference import block_bootstrap_test, default_hac_lags, hac_test
from eventstudy.inference._common import n_episodes
from eventstudy.inference.hac import _fit


def overlapping(r: np.ndarray, h: int) -> np.ndarray:
    """h-day forward sums y_t = r_{t+1} + ... + r_{t+h}, NaN for the last h dates."""
    c = np.concatenate([[0.0], np.cumsum(r)])
    y = np.full(r.size, np.nan)
    y[: r.size - h] = c[h + 1 :] - c[1 : r.size - h + 1]
    return y


def exact_sd_of_b(t_complete: int, events: np.ndarray, h: int, sigma: float) -> float:
    """Exact sd of b = mean(y | event) - mean(y | other) when y_t sums h i.i.d. N(0, sigma^2)
    daily returns: b = w'y = (A'w)'r with A the window matrix, so Var(b) = sigma^2 ||A'w||^2
    and A'w is the convolution of w with a length-h box (Hansen & Hodrick 1980, overlapping
    observations with MA(h-1) errors)."""
    d = np.zeros(t_complete)
    d[events] = 1.0
    w = np.where(d == 1, 1.0 / d.sum(), -1.0 / (t_complete - d.sum()))
    return float(sigma * np.sqrt(np.sum(np.convolve(w, np.ones(h)) ** 2)))


def test_matches_direct_statsmodels_and_numpy_sandwich() -> None:
    rng = np.random.default_rng(3)
    h, n_obs = 21, 1500
    y = overlapping(rng.normal(0, 0.01, n_obs + h), h)[:n_obs]
    ev = np.arange(10, 1400, 45)
    res = hac_test(y, ev, h, lags=30, kernel="bartlett")
    x = np.column_stack([np.ones(n_obs), np.isin(np.arange(n_obs), ev)])
    fit = sm.OLS(y, x).fit(
        cov_type="HAC", cov_kwds={"maxlags": 30, "kernel": "bartlett", "use_correction": True}
    )
    assert res.details["coef"] == pytest.approx(fit.params[1])
    assert res.details["se"] == pytest.approx(fit.bse[1])
    # independent numpy sandwich: (X'X)^-1 S (X'X)^-1, S = sum_j w_j (G_j + G_j'), Bartlett
    u = x * (y - x @ fit.params)[:, None]
    s = u.T @ u
    for j in range(1, 31):
        g = u[j:].T @ u[:-j]
        s += (1 - j / 31) * (g + g.T)
    xtx_inv = np.linalg.inv(x.T @ x)
    cov = xtx_inv @ s @ xtx_inv * n_obs / (n_obs - 2)
    assert res.details["se"] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-10)
    k = res.details["n_episodes"]
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(res.statistic), k - 1))
    assert res.details["lags"] == 30
    # Hansen-Hodrick truncated kernel: all weights 1 up to the lag
    hh = hac_test(y, ev, h, lags=h - 1)
    s = u.T @ u
    for j in range(1, h):
        g = u[j:].T @ u[:-j]
        s += g + g.T
    cov = xtx_inv @ s @ xtx_inv * n_obs / (n_obs - 2)
    assert hh.details["kernel"] == "uniform"
    assert hh.details["se"] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-10)
    # the event mean a + b: its variance [1, 1] cov [1, 1]', and statsmodels' HAC standard
    # error of the first coefficient of the design [d, 1 - d] (the event mean itself)
    assert hh.details["se_mean"] == pytest.approx(np.sqrt(cov.sum()), rel=1e-10)
    d = x[:, 1]
    for kernel, lags, r in (("uniform", h - 1, hh), ("bartlett", 30, res)):
        two = sm.OLS(y, np.column_stack([d, 1 - d])).fit(
            cov_type="HAC", cov_kwds={"maxlags": lags, "kernel": kernel, "use_correction": True}
        )
        assert r.details["se_mean"] == pytest.approx(two.bse[0], rel=1e-10), kernel
        assert two.params[0] == pytest.approx(r.details["intercept"] + r.details["coef"], rel=1e-12)
    assert hh.details["se_mean"] > hh.details["se"]  # the shared dates' covariance


def test_hac_and_bootstrap_se_match_exact_overlap_variance() -> None:
    """Average HAC / bootstrap SEs over simulated i.i.d. paths vs the exact sd of b."""
    h, n_obs, sigma = 21, 4000, 0.01
    ev = np.arange(30, 3900, 60)  # isolated events (spacing > lag)
    exact = exact_sd_of_b(n_obs, ev, h, sigma)
    hac_se, hac_bartlett_se, boot_se = [], [], []
    for seed in range(12):  # a handful of simulated paths
        rng = np.random.default_rng(seed)
        y = overlapping(rng.normal(0, sigma, n_obs + h), h)[:n_obs]
        r = hac_test(y, ev, h)
        hac_se.append(r.details["se"])
        hac_bartlett_se.append(hac_test(y, ev, h, kernel="bartlett").details["se"])
        b = block_bootstrap_test(y, ev, h, reps=300, seed=seed)
        boot_se.append(b.details["se"] / (1 - ev.size / n_obs))  # excess = (1 - n/T) b
    assert np.mean(hac_se) == pytest.approx(exact, rel=0.1)
    assert np.mean(hac_bartlett_se) == pytest.approx(exact, rel=0.12)
    assert np.mean(boot_se) == pytest.approx(exact, rel=0.15)


def test_exact_overlap_sd_matches_simulated_sd_of_b() -> None:
    """The exact sd of b (exact_sd_of_b) against the sd of b over 1,000 simulated paths.

    b is a linear function of Gaussian returns, so the sample sd over n paths has relative
    sampling sd 1 / sqrt(2 (n - 1)) = 0.0224 for n = 1,000: tolerance 4 of those, 9%.  b is
    computed in closed form per path (mean over events - mean over other dates), and checked
    against hac_test's coefficient on the first paths.
    """
    h, n_obs, sigma, paths = 21, 4000, 0.01, 1000
    ev = np.arange(30, 3900, 60)
    exact = exact_sd_of_b(n_obs, ev, h, sigma)
    rng = np.random.default_rng(2024)
    r = rng.normal(0, sigma, (paths, n_obs + h))
    c = np.cumsum(r, axis=1)
    y = c[:, h : n_obs + h] - c[:, :n_obs]  # y_t = r_{t+1} + ... + r_{t+h}
    d = np.isin(np.arange(n_obs), ev)
    b = y[:, d].mean(axis=1) - y[:, ~d].mean(axis=1)
    for k in range(3):
        assert hac_test(y[k], ev, h).details["coef"] == pytest.approx(b[k], rel=1e-10)
    tol = 4 / np.sqrt(2 * (paths - 1))
    assert np.std(b, ddof=1) == pytest.approx(exact, rel=tol)
    assert abs(np.mean(b)) < 4 * exact / np.sqrt(paths)


def test_default_lags_and_options() -> None:
    assert default_hac_lags(252) == 251
    assert default_hac_lags(252, "bartlett") == 378
    assert default_hac_lags(1, "bartlett") == 2
    rng = np.random.default_rng(0)
    y = overlapping(rng.normal(0, 0.01, 800), 5)
    res = hac_test(y, [10, 100, 200, 300], 5, kernel="bartlett", df="normal", lags=4)
    assert res.distribution == "N(0,1)"
    assert res.p_value == pytest.approx(2 * stats.norm.sf(abs(res.statistic)))
    with pytest.raises(ValueError, match="lags must be >= 4"):
        hac_test(y, [10, 100, 200], 5, lags=3)
    with pytest.raises(ValueError, match="kernel must be one of"):
        hac_test(y, [10, 100, 200], 5, kernel="parzen")  # type: ignore[arg-type]


def test_not_applicable() -> None:
    y = np.linspace(-0.01, 0.02, 300)
    assert "only 2 complete events" in hac_test(y, [1, 50], 10).reason
    one_episode = hac_test(y, [1, 3, 5, 7], 10)
    assert not one_episode.applicable
    assert "only 1 non-overlapping episode" in one_episode.reason


def clusters_by_graph(pos: np.ndarray, h: int) -> int:
    """Independent count of clusters: connected components of the graph linking two events
    whose h-day windows [p+1, p+h] overlap (|p_i - p_j| < h)."""
    from scipy.sparse.csgraph import connected_components

    adj = np.abs(pos[:, None] - pos[None, :]) < h
    return int(connected_components(adj, directed=False)[0])


def test_default_reference_is_t_clusters_minus_one() -> None:
    """Bester, Conley & Hansen (2011), Theorem 1 / Cameron & Miller (2015), Sec. VI.D:
    a cluster-type variance from G clusters is referred to t(G - 1)."""
    rng = np.random.default_rng(11)
    h, n_obs = 21, 3000
    y = overlapping(rng.normal(0, 0.01, n_obs + h), h)[:n_obs]
    # clustered events; 321 - 300 = 1531 - 1510 = h: touching windows do not overlap
    ev = np.array([40, 50, 65, 70, 300, 321, 330, 900, 1500, 1510, 1531, 2400, 2405])
    g = clusters_by_graph(ev, h)
    # by hand: {40..70}, {300}, {321, 330}, {900}, {1500, 1510}, {1531}, {2400, 2405}
    assert g == 7
    res = hac_test(y, ev, h)
    assert res.details["n_episodes"] == g
    assert res.details["episode_rule"] == "clusters"
    assert res.distribution == f"t({g - 1})"
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(res.statistic), g - 1), rel=1e-10)
    # the statistic itself does not depend on the episode rule
    old = hac_test(y, ev, h, episodes="greedy")
    assert old.statistic == res.statistic
    assert old.details["n_episodes"] > g
    assert old.p_value < res.p_value
    assert "G = clusters" in res.method and "greedy" in old.method


@pytest.mark.parametrize("seed", range(5))
def test_cluster_count_matches_graph_components(seed: int) -> None:
    rng = np.random.default_rng(seed)
    h = int(rng.integers(2, 60))
    ev = np.unique(rng.integers(0, 2000, size=int(rng.integers(3, 80))))
    y = rng.normal(0, 0.01, 2100)
    res = hac_test(y, ev, h)
    assert res.details["n_episodes"] == clusters_by_graph(ev, h)
    assert res.details["n_episodes"] <= hac_test(y, ev, h, episodes="greedy").details["n_episodes"]


def test_one_chain_is_one_cluster() -> None:
    y = np.random.default_rng(1).normal(0, 0.01, 600)
    chain = np.arange(20, 400, 5)  # 76 events 5 days apart: one cluster at h = 10
    res = hac_test(y, chain, 10)
    assert not res.applicable
    assert "only 1 non-overlapping episode" in res.reason
    assert hac_test(y, chain, 10, episodes="greedy").applicable
    assert hac_test(y, chain, 10, df="normal").applicable
    with pytest.raises(ValueError, match="episodes must be one of"):
        hac_test(y, chain, 10, episodes="neighbour")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rule must be 'greedy' or 'clusters'"):
        n_episodes(chain, 10, rule="neighbour")  # type: ignore[arg-type]


def statsmodels_hac(y: np.ndarray, ev: np.ndarray, nlags: int, kernel: str) -> Any:
    """statsmodels OLS of the complete forward returns on [1, event dummy], HAC covariance
    with the small-sample correction T / (T - 2) (``use_correction=True``)."""
    keep = np.isfinite(y)
    d = np.zeros(y.size)
    d[ev] = 1.0
    x = np.column_stack([np.ones(int(keep.sum())), d[keep]])
    return sm.OLS(y[keep], x).fit(
        cov_type="HAC", cov_kwds={"maxlags": nlags, "kernel": kernel, "use_correction": True}
    )


@pytest.mark.parametrize("kernel", ["bartlett", "uniform"])
@pytest.mark.parametrize("df", ["episodes", "normal"])
def test_statistic_coef_intercept_se_and_p_match_statsmodels(kernel: str, df: str) -> None:
    """t = b / se(b), b, a and se(b) from statsmodels OLS HAC at rtol 1e-10; the p-value from
    scipy.stats.t with G - 1 df (G = graph components of overlapping windows) or N(0, 1)."""
    rng = np.random.default_rng(21)
    h, n = 10, 700
    y = np.r_[overlapping(rng.normal(0.0004, 0.01, n + h), h)[:n], np.full(h, np.nan)]
    ev = np.array([15, 18, 60, 140, 147, 300, 430, 433, 436, 600, 705])  # 705: incomplete
    ev_c = ev[ev < n]
    y[ev_c] += 0.04  # a planted effect so that |t| is far from 0 and 1
    lags = default_hac_lags(h, kernel)
    res = hac_test(y, ev, h, kernel=kernel, df=df)  # type: ignore[arg-type]
    fit = statsmodels_hac(y, ev_c, lags, kernel)
    assert res.applicable
    assert res.details["kernel"] == kernel
    assert res.details["lags"] == lags == (h - 1 if kernel == "uniform" else 15)
    assert res.details["coef"] == pytest.approx(fit.params[1], rel=1e-10)
    assert res.details["intercept"] == pytest.approx(fit.params[0], rel=1e-10)
    assert res.details["se"] == pytest.approx(fit.bse[1], rel=1e-10)
    assert res.statistic == pytest.approx(fit.tvalues[1], rel=1e-10)
    assert abs(res.statistic) > 1.5
    assert res.details["n_obs"] == n
    assert res.details["n_events"] == ev_c.size
    g = clusters_by_graph(ev_c, h)
    assert g == 6  # by hand: {15, 18}, {60}, {140, 147}, {300}, {430, 433, 436}, {600}
    if df == "episodes":
        assert res.distribution == f"t({g - 1})"
        expected = 2 * stats.t.sf(abs(fit.tvalues[1]), g - 1)
        assert "t(G - 1) reference" in res.method
    else:
        assert res.distribution == "N(0,1)"
        expected = fit.pvalues[1]  # statsmodels HAC p-values use the normal reference
        assert "normal reference" in res.method
    assert res.p_value == pytest.approx(expected, rel=1e-10)
    assert f"{kernel} kernel HAC covariance with {lags} lags" in res.method
    assert res.null_hypothesis == (
        "mean forward return on event dates equals that on other dates (b = 0)"
    )
    assert res.reference.startswith("Newey, W. K. & West, K. D. (1987)")
    assert "Bester, C. A., Conley, T. G. & Hansen, C. B. (2011)" in res.reference
    assert res.method.startswith(
        "OLS of forward return on an event dummy over all complete dates; "
    )
    assert "(as statsmodels cov_type='HAC', use_correction=True); " in res.method
    greedy = hac_test(y, ev, h, kernel=kernel, df=df, episodes="greedy")  # type: ignore[arg-type]
    if df == "episodes":
        assert greedy.method.endswith("t(n_episodes - 1) reference, greedy episode count")
        assert res.method.endswith(
            "t(G - 1) reference, G = clusters of events with overlapping h-day windows"
        )
    else:
        assert greedy.method == res.method
        assert res.method.endswith("normal reference")
    text = res.summary()
    assert text.startswith(f"hac: statistic = {res.statistic:.4f} ~ {res.distribution}")


@pytest.mark.parametrize("kernel", ["bartlett", "uniform"])
def test_one_day_horizon(kernel: str) -> None:
    """h = 1: no overlap, the uniform kernel has 0 lags (White's HC0 with the T / (T - 2)
    correction), Bartlett ceil(1.5) = 2; checked against statsmodels at rtol 1e-10."""
    rng = np.random.default_rng(5)
    y = rng.normal(0.0, 0.01, 120)
    ev = np.array([3, 4, 40, 41, 90])  # adjacent events are separate clusters at h = 1
    y[ev] += 0.02
    res = hac_test(y, ev, 1, kernel=kernel)  # type: ignore[arg-type]
    lags = 0 if kernel == "uniform" else 2
    assert res.details["lags"] == lags
    fit = statsmodels_hac(y, ev, lags, kernel)
    assert res.details["se"] == pytest.approx(fit.bse[1], rel=1e-10)
    assert res.statistic == pytest.approx(fit.tvalues[1], rel=1e-10)
    assert res.details["n_episodes"] == 5
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(fit.tvalues[1]), 4), rel=1e-10)
    if kernel == "uniform":  # 0 lags: the HC0 sandwich, written out
        x = np.column_stack([np.ones(y.size), np.isin(np.arange(y.size), ev)])
        xtx_inv = np.linalg.inv(x.T @ x)
        u = x * (y - x @ fit.params)[:, None]
        cov = xtx_inv @ (u.T @ u) @ xtx_inv * y.size / (y.size - 2)
        assert res.details["se"] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-10)


def test_exactly_min_events() -> None:
    """MIN_EVENTS = 3 complete events: 3 is applicable, 2 is not (an incomplete third event
    does not count)."""
    rng = np.random.default_rng(8)
    y = np.r_[rng.normal(0.0, 0.01, 200), np.full(5, np.nan)]
    three = hac_test(y, [20, 90, 160], 5)
    fit = statsmodels_hac(y, np.array([20, 90, 160]), 4, "uniform")
    assert three.applicable
    assert three.details["n_events"] == 3
    assert three.statistic == pytest.approx(fit.tvalues[1], rel=1e-10)
    assert three.distribution == "t(2)"
    two = hac_test(y, [20, 90, 202], 5)
    assert not two.applicable
    assert two.reason == "only 2 complete events (need >= 3)"
    assert np.isnan(two.p_value)
    assert np.isnan(two.statistic)
    assert two.details == {
        "lags": 4,
        "kernel": "uniform",
        "n_episodes": 2,
        "episode_rule": "clusters",
    }
    assert two.summary() == "hac: not applicable (only 2 complete events (need >= 3))"
    assert two.null_hypothesis == three.null_hypothesis
    assert two.method == three.method
    assert two.reference == three.reference
    assert not hac_test(y, [], 5).applicable


def test_two_episodes_are_enough() -> None:
    """df='episodes' needs G >= 2 clusters: exactly 2 gives t(1)."""
    rng = np.random.default_rng(9)
    y = rng.normal(0.0, 0.01, 300)
    res = hac_test(y, [10, 12, 200], 5)
    assert res.applicable
    assert res.details["n_episodes"] == 2
    assert res.distribution == "t(1)"
    fit = statsmodels_hac(y, np.array([10, 12, 200]), 4, "uniform")
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(fit.tvalues[1]), 1), rel=1e-10)
    one = hac_test(y, [10, 12, 14], 5)
    assert one.reason == "only 1 non-overlapping episode(s) (need >= 2)"
    assert one.name == "hac"
    assert one.details["n_episodes"] == 1


def test_uniform_kernel_falls_back_to_bartlett() -> None:
    """Strongly negatively autocorrelated scores make the truncated-kernel variance negative.

    Non-event returns are 0 (zero residuals); the events come in two runs of three adjacent
    dates with residuals +1, -1, +1 and -1, +1, -1 around the event mean 0.5.  With weights
    w = 1/6 on the event residuals, the uniform kernel with h - 1 = 1 lag gives
    (6 - 2 * 4) / 36 < 0, so the Newey-West Bartlett kernel with ceil(1.5 h) = 3 lags is
    used: (6 - 2 * 0.75 * 4 + 2 * 0.5 * 2) / 36 > 0.
    """
    y = np.zeros(60)
    y[[10, 11, 12]] = [1.5, -0.5, 1.5]
    y[[30, 31, 32]] = [-0.5, 1.5, -0.5]
    ev = np.array([10, 11, 12, 30, 31, 32])
    assert statsmodels_hac(y, ev, 1, "uniform").cov_params()[1, 1] < 0
    res = hac_test(y, ev, 2)
    assert res.applicable
    assert res.details["kernel"] == "bartlett (fallback)"
    assert res.details["lags"] == 3
    fit = statsmodels_hac(y, ev, 3, "bartlett")
    assert res.details["coef"] == pytest.approx(0.5, rel=1e-10)
    assert res.details["se"] == pytest.approx(fit.bse[1], rel=1e-10)
    assert res.statistic == pytest.approx(fit.tvalues[1], rel=1e-10)
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(fit.tvalues[1]), 1), rel=1e-10)
    # written out: Var(b) = sum_{|l| <= 3} (1 - |l| / 4) sum_t v_t v_{t-l} * T / (T - 2)
    assert res.details["se"] ** 2 == pytest.approx(2 / 36 * 60 / 58, rel=1e-10)
    # the method says what was computed (it said "uniform kernel ... 1 lags", the kernel
    # asked for, beside a Bartlett number: an independent review found it on the flagship's
    # 2020s 12-month sub-period)
    assert res.method.startswith(
        "OLS of forward return on an event dummy over all complete dates; Bartlett (fallback: "
        "the uniform kernel's variance was not positive; Bartlett with ceil(1.5 h) lags keeps "
        "about 78% of an overlap's variance, so this p-value is optimistic) kernel HAC "
        "covariance with 3 lags"
    )
    assert "uniform" not in hac_test(y, ev, 2, kernel="bartlett").method
    # the Bartlett kernel requested directly is not a fallback
    assert hac_test(y, ev, 2, kernel="bartlett").details["kernel"] == "bartlett"


@pytest.mark.parametrize("kernel", ["bartlett", "uniform"])
def test_non_positive_variance_not_applicable(kernel: str) -> None:
    """Forward returns constant within each group (events 1, other dates 0): zero residuals,
    zero HAC variance under either kernel; constant forward returns do not run at all."""
    y = np.zeros(50)
    y[[5, 20, 40]] = 1.0
    res = hac_test(y, [5, 20, 40], 3, kernel=kernel)  # type: ignore[arg-type]
    assert not res.applicable
    assert res.reason == "non-positive HAC variance (0)"
    flat = hac_test(np.zeros(50), [5, 20, 40], 3, kernel=kernel)  # type: ignore[arg-type]
    assert flat.reason == "the forward returns have no variation" and flat.name == "hac"
    assert flat.details["lags"] == {"uniform": 2, "bartlett": 5}[kernel] and not flat.applicable
    assert res.name == "hac"
    if kernel == "uniform":  # tried the Bartlett fallback first
        assert res.details["kernel"] == "bartlett (fallback)"
        assert res.details["lags"] == 5
    else:
        assert res.details["kernel"] == "bartlett"
        assert res.details["lags"] == 5


def test_non_finite_variance_not_applicable() -> None:
    """Returns near the float64 limit overflow the score products: NaN variance."""
    y = np.random.default_rng(1).normal(0.0, 1e200, 30)
    with np.errstate(over="ignore", invalid="ignore"):
        res = hac_test(y, [2, 10, 20], 1)
    assert not res.applicable
    assert res.reason == "non-positive HAC variance (nan)"


def test_every_complete_date_is_an_event() -> None:
    y = np.array([0.01, -0.02, 0.03, 0.005, np.nan])
    res = hac_test(y, [0, 1, 2, 3, 4], 1)
    assert not res.applicable
    assert res.reason == "every complete date is an event: no comparison dates"
    assert res.name == "hac"
    assert res.details["episode_rule"] == "clusters"
    assert res.details["n_episodes"] == 4
    # one comparison date is enough to run
    assert hac_test(y, [0, 1, 2], 1).applicable


def test_default_lags_validation_and_small_h() -> None:
    """h - 1 for the uniform kernel, ceil(1.5 h) for Bartlett, at the smallest horizons."""
    assert [default_hac_lags(h) for h in (1, 2, 3)] == [0, 1, 2]
    assert [default_hac_lags(h, "bartlett") for h in (1, 2, 3, 4)] == [2, 3, 5, 6]
    with pytest.raises(ValueError, match="^horizon_days must be >= 1, got 0$"):
        default_hac_lags(0)
    with pytest.raises(TypeError, match="^horizon_days must be an integer"):
        default_hac_lags(2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^kernel must be one of \['bartlett', 'uniform'\]"):
        default_hac_lags(5, "parzen")
    y = np.random.default_rng(0).normal(size=50)
    with pytest.raises(ValueError, match="^horizon_days must be >= 1, got 0$"):
        hac_test(y, [1, 20, 40], 0)
    with pytest.raises(ValueError, match="^horizon_days must be >= 1, got 0$"):
        hac_test(y, [1, 20, 40], 0, lags=3)  # not only through the default lag
    with pytest.raises(ValueError, match="^horizon_days must be >= 1, got 0$"):
        hac_test(y, [1, 20, 40], 0, lags=3, episodes="greedy")  # checked before counting
    with pytest.raises(ValueError, match=r"^df must be one of \['episodes', 'normal'\]"):
        hac_test(y, [1, 20, 40], 1, df="student")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^lags must be an integer"):
        hac_test(y, [1, 20, 40], 1, lags=1.5)  # type: ignore[arg-type]
    assert hac_test(y, [1, 20, 40], 1, lags=0).details["lags"] == 0


def sandwich(y: np.ndarray, x: np.ndarray, nlags: int, kernel: str) -> np.ndarray:
    """The HAC covariance written out: (X'X)^-1 S (X'X)^-1 T / (T - k) with
    S = sum_{|l| <= L} w_l sum_t u_t u_{t-l}', u_t = x_t e_t, Bartlett w_l = 1 - l / (L + 1),
    uniform w_l = 1 (Newey & West 1987; Hansen & Hodrick 1980)."""
    t, k = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    u = x * (y - x @ (xtx_inv @ x.T @ y))[:, None]
    s = np.zeros((k, k))
    for i in range(t):
        for j in range(t):
            lag = abs(i - j)
            if lag <= nlags:
                s += (1 - lag / (nlags + 1) if kernel == "bartlett" else 1.0) * np.outer(u[i], u[j])
    return xtx_inv @ s @ xtx_inv * t / (t - k)


@pytest.mark.parametrize("kernel", ["bartlett", "uniform"])
def test_fit_matches_statsmodels_ols_hac(kernel: str) -> None:
    """_fit against statsmodels OLS(...).fit(cov_type="HAC", use_correction=True) at rtol
    1e-10: T = 2000 with MA(h-1) errors, 40 events."""
    rng = np.random.default_rng(7)
    n, h = 2000, 21
    y = np.convolve(rng.normal(size=n + h - 1), np.ones(h), "valid")
    d = np.zeros(n)
    d[rng.choice(n, 40, replace=False)] = 1.0
    x = np.column_stack([np.ones(n), d])
    coef, var, intercept, var_mean = _fit(y, x, h - 1, kernel)
    kw = {"maxlags": h - 1, "kernel": kernel, "use_correction": True}
    fit = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds=kw)
    assert (intercept, coef) == pytest.approx(tuple(fit.params), rel=1e-10)
    assert var == pytest.approx(fit.cov_params()[1, 1], rel=1e-10)
    # the event mean: the first coefficient of the two-indicator design
    two = sm.OLS(y, np.column_stack([d, 1 - d])).fit(cov_type="HAC", cov_kwds=kw)
    assert var_mean == pytest.approx(two.cov_params()[0, 0], rel=1e-10)


@pytest.mark.parametrize(
    ("kernel", "nlags"),
    [
        ("bartlett", 0),
        ("bartlett", 1),
        ("bartlett", 7),
        ("bartlett", 12),
        ("uniform", 0),
        ("uniform", 3),
        ("uniform", 6),
    ],
)
def test_fit_lags_up_to_and_past_the_sample(kernel: str, nlags: int) -> None:
    """T = 8: lag 7 is the last with a cross product; 12 lags add nothing more. Checked
    against statsmodels and against the double sum over all date pairs, at rtol 1e-10."""
    rng = np.random.default_rng(4)
    y = rng.normal(size=8)
    x = np.column_stack([np.ones(8), [1, 0, 0, 1, 0, 0, 0, 1]])
    coef, var, intercept, var_mean = _fit(y, x, nlags, kernel)
    fit = sm.OLS(y, x).fit(
        cov_type="HAC", cov_kwds={"maxlags": nlags, "kernel": kernel, "use_correction": True}
    )
    assert (intercept, coef) == pytest.approx(tuple(fit.params), rel=1e-10)
    assert var == pytest.approx(fit.cov_params()[1, 1], rel=1e-10)
    cov = sandwich(y, x, nlags, kernel)
    assert var == pytest.approx(cov[1, 1], rel=1e-10)
    assert var_mean == pytest.approx(cov.sum(), rel=1e-10)  # a + b: [1, 1] cov [1, 1]'
    assert coef == pytest.approx(y[x[:, 1] == 1].mean() - y[x[:, 1] == 0].mean(), rel=1e-12)


def test_fit_uniform_over_the_whole_sample_is_zero() -> None:
    """Uniform weights on every lag 0..T-1 sum all cross products: S = (sum u)(sum u)' = 0
    because OLS residuals are orthogonal to X (X'e = 0)."""
    rng = np.random.default_rng(4)
    y = rng.normal(size=8)
    x = np.column_stack([np.ones(8), [1, 0, 0, 1, 0, 0, 0, 1]])
    assert abs(_fit(y, x, 7, "uniform")[1]) < 1e-14
    assert abs(_fit(y, x, 6, "uniform")[1]) > 1e-3  # lag 7 still carries weight


def test_hac_imports_neither_statsmodels_nor_scipy_stats() -> None:
    """The one-pass HAC fit needs only numpy: neither statsmodels (whose per-lag BLAS
    products made results depend on the thread count) nor scipy.stats (552 ms,
    benchmarks/bench_libraries.py) is imported on the time-series path."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from eventstudy.inference import hac_test\n"
        "y = np.random.default_rng(0).normal(0.0, 0.01, 400)\n"
        "assert hac_test(y, [20, 120, 220, 320], 5).applicable\n"
        "print(sorted(m for m in ('scipy.stats', 'statsmodels') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("kernel", ["bartlett", "uniform"])
def test_fit_is_identical_for_any_blas_thread_count(kernel: str) -> None:
    """The same bytes under OPENBLAS_NUM_THREADS=1 and =2 (T = 6,000, 251 lags)."""
    import subprocess
    import sys

    code = (
        "import numpy as np\n"
        "from eventstudy.inference.hac import _fit\n"
        "rng = np.random.default_rng(3)\n"
        "y = np.convolve(rng.normal(size=6251), np.ones(252), 'valid')\n"
        "x = np.column_stack([np.ones(6000), rng.uniform(size=6000) < 0.05])\n"
        f"print([float(v).hex() for v in _fit(y, x.astype(float), 251, {kernel!r})])"
    )
    outs = {
        n: subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**__import__("os").environ, "OPENBLAS_NUM_THREADS": n},
        ).stdout
        for n in ("1", "2")
    }
    assert outs["1"] == outs["2"]
    assert outs["1"].count("0x") == 4


def test_fallback_uses_the_bartlett_default_lag() -> None:
    """h = 4: two runs of six adjacent events with residuals +1, -1, ... around the event
    mean 0.5, non-event returns 0. With v_t = e_t / 12 on the events, each run contributes
    6 + 2 sum_{l <= L} w_l (-1)^l (6 - l): the uniform kernel with h - 1 = 3 lags gives
    2 (6 - 2 * 4) / 144 < 0, so Bartlett with ceil(1.5 h) = 6 lags is used, w_l = 1 - l / 7:
    2 (6 - 36 / 7) / 144, times T / (T - 2). With statsmodels' automatic lag for T = 60 (3
    Bartlett lags) it would be 2 (6 - 5) / 144 instead."""
    y = np.zeros(60)
    ev = np.r_[np.arange(10, 16), np.arange(30, 36)]
    y[ev] = 0.5 + np.tile([1.0, -1.0], 6)
    assert statsmodels_hac(y, ev, 3, "uniform").cov_params()[1, 1] < 0
    res = hac_test(y, ev, 4)
    assert res.details["kernel"] == "bartlett (fallback)"
    assert res.details["lags"] == 6
    assert res.details["coef"] == pytest.approx(0.5, rel=1e-12)
    assert res.details["se"] ** 2 == pytest.approx(12 / 7 / 144 * 60 / 58, rel=1e-10)
    assert res.details["se"] == pytest.approx(statsmodels_hac(y, ev, 6, "bartlett").bse[1])
    assert statsmodels_hac(y, ev, 3, "bartlett").bse[1] ** 2 == pytest.approx(2 / 144 * 60 / 58)


def test_event_mean_se_is_nan_when_the_event_returns_do_not_vary() -> None:
    """Every event date with the same forward return: the event mean's HAC variance is exactly
    0, and its standard error is NaN (no interval), not 0 (an interval of zero width); the
    excess's own test still runs on the other dates' variation."""
    rng = np.random.default_rng(8)
    n, h = 600, 5
    y = rng.normal(0, 0.01, n)
    ev = np.arange(20, 560, 60)
    y[ev] = 0.02
    res = hac_test(y, ev, h)
    assert res.applicable and np.isnan(res.details["se_mean"])


@pytest.mark.parametrize("h", [1, 5, 21, 126, 252])
def test_bartlett_share_of_the_overlap_variance(h: int) -> None:
    """The share of an MA(h-1) sum of h equal shocks' long-run variance (h**2) that Bartlett
    weights keep, from statsmodels' own weights (sandwich_covariance.weights_bartlett) on the
    theoretical autocovariances h - |j|; the docstring's 78% at h = 126."""
    from statsmodels.stats.sandwich_covariance import weights_bartlett

    from eventstudy.inference.hac import bartlett_share_of_overlap_variance, default_hac_lags

    lags = default_hac_lags(h, "bartlett")
    w = weights_bartlett(lags)  # w[j] for j = 0..lags
    gamma = np.array([max(h - j, 0) for j in range(lags + 1)], dtype=float)
    expected = (w[0] * gamma[0] + 2 * np.sum(w[1:] * gamma[1:])) / h**2
    assert bartlett_share_of_overlap_variance(h) == pytest.approx(expected, rel=1e-12)
    if h >= 21:
        assert 0.77 < bartlett_share_of_overlap_variance(h) < 0.79
    # h - 1 Bartlett lags keep about two thirds, the docstring's other number
    assert bartlett_share_of_overlap_variance(h, h - 1) == pytest.approx(
        (2 * h**2 + 1) / (3 * h**2), rel=1e-12
    )


def test_bartlett_share_checks_its_horizon_and_clips_the_weights() -> None:
    from eventstudy.inference.hac import bartlett_share_of_overlap_variance

    with pytest.raises(ValueError, match="horizon_days must be >= 1"):
        bartlett_share_of_overlap_variance(0)
    with pytest.raises(TypeError, match="horizon_days must be an integer"):
        bartlett_share_of_overlap_variance(2.5)  # type: ignore[arg-type]
    # 2 lags for h = 10: the weights past the lags are 0, not negative
    gamma = np.array([10 - j for j in range(3)], dtype=float)
    w = 1.0 - np.arange(3) / 3.0
    expected = (gamma[0] + 2 * np.sum(w[1:] * gamma[1:])) / 100
    assert bartlett_share_of_overlap_variance(10, 2) == pytest.approx(expected, rel=1e-12)
