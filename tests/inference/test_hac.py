"""HAC regression test: statsmodels cross-check, a numpy sandwich, and the exact variance of
overlapping h-day sums under i.i.d. returns (Hansen & Hodrick 1980)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from eventstudy.inference import block_bootstrap_test, default_hac_lags, hac_test
from eventstudy.inference._common import n_episodes


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


def test_hac_and_bootstrap_se_match_exact_overlap_variance() -> None:
    """Average HAC / bootstrap SEs over simulated i.i.d. paths vs the exact sd of b."""
    h, n_obs, sigma = 21, 4000, 0.01
    ev = np.arange(30, 3900, 60)  # isolated events (spacing > lag)
    exact = exact_sd_of_b(n_obs, ev, h, sigma)
    hac_se, hac_bartlett_se, boot_se, coefs = [], [], [], []
    for seed in range(12):  # a handful of simulated paths
        rng = np.random.default_rng(seed)
        y = overlapping(rng.normal(0, sigma, n_obs + h), h)[:n_obs]
        r = hac_test(y, ev, h)
        coefs.append(r.details["coef"])
        hac_se.append(r.details["se"])
        hac_bartlett_se.append(hac_test(y, ev, h, kernel="bartlett").details["se"])
        b = block_bootstrap_test(y, ev, h, reps=300, seed=seed)
        boot_se.append(b.details["se"] / (1 - ev.size / n_obs))  # excess = (1 - n/T) b
    assert np.mean(hac_se) == pytest.approx(exact, rel=0.1)
    assert np.mean(hac_bartlett_se) == pytest.approx(exact, rel=0.12)
    assert np.std(coefs, ddof=1) == pytest.approx(exact, rel=0.5)  # sanity of the formula
    assert np.mean(boot_se) == pytest.approx(exact, rel=0.15)


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
