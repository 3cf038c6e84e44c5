"""naive t, sign and Wilcoxon tests against independent computations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from eventstudy.inference import naive_t_test, sign_test, wilcoxon_test

Y = np.array([0.05, -0.01, 0.03, 0.04, 0.02, -0.02, 0.06, 0.01, 0.00, 0.03, np.nan, np.nan])
EV = [0, 2, 3, 6, 9, 10]  # 10 is incomplete


def test_naive_t_formula() -> None:
    """t = (mean - mu0) / (s / sqrt(n)), Student (1908)."""
    x = Y[[0, 2, 3, 6, 9]]
    mu0 = np.nanmean(Y)
    t = (x.mean() - mu0) / (x.std(ddof=1) / np.sqrt(5))
    res = naive_t_test(Y, EV)
    assert res.statistic == pytest.approx(t, rel=1e-10)
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(t), 4), rel=1e-10)
    assert res.distribution == "t(4)"
    assert res.name == "naive_t"
    assert "IGNORES overlap" in res.method


def test_sign_test_exact_binomial() -> None:
    """Two-sided exact binomial p: sum of pmf over outcomes no more likely than observed."""
    res = sign_test(Y, EV)
    p0 = np.mean(Y[:10] > 0)
    k, n = 5, 5
    pmf = stats.binom.pmf(np.arange(n + 1), n, p0)
    p = pmf[pmf <= pmf[k] * (1 + 1e-7)].sum()
    assert res.statistic == k
    assert res.p_value == pytest.approx(min(p, 1.0), rel=1e-10)
    assert res.details["baseline_hit_rate"] == pytest.approx(p0)


def test_wilcoxon_exact_enumeration() -> None:
    """Exact signed-rank null distribution by enumerating all 2^n sign patterns (Wilcoxon 1945)."""
    y = np.array([0.031, -0.012, 0.047, 0.022, -0.005, 0.018, 0.039, 0.026, 0.0])
    ev = [0, 1, 2, 3, 4, 5, 6, 7]
    res = wilcoxon_test(y, ev)
    d = y[ev] - y.mean()
    ranks = stats.rankdata(np.abs(d))
    w_plus = ranks[d > 0].sum()
    sums = np.array(
        [ranks[list(s)].sum() for r in range(9) for s in itertools.combinations(range(8), r)]
    )
    center = ranks.sum() / 2
    p = np.mean(np.abs(sums - center) >= abs(w_plus - center) - 1e-12)
    assert res.statistic == pytest.approx(min(w_plus, ranks.sum() - w_plus))
    assert res.p_value == pytest.approx(p, rel=1e-10)


@pytest.mark.parametrize("fn", [naive_t_test, sign_test, wilcoxon_test])
def test_not_applicable_too_few_events(fn) -> None:
    res = fn(Y, [0, 2])
    assert not res.applicable
    assert np.isnan(res.p_value)
    assert res.reason == "only 2 complete events (need >= 3)"
    name = {naive_t_test: "naive_t", sign_test: "sign", wilcoxon_test: "wilcoxon"}[fn]
    assert res.name == name
    assert res.summary() == f"{name}: not applicable (only 2 complete events (need >= 3))"
    assert res.method and res.null_hypothesis and res.reference


def test_not_applicable_zero_variance() -> None:
    y = np.array([0.01, 0.01, 0.01, 0.02, 0.03])
    flat = naive_t_test(y, [0, 1, 2])
    assert flat.summary() == "naive_t: not applicable (event returns have zero variance)"
    assert flat.method == naive_t_test(y, [0, 1, 3]).method
    assert naive_t_test(y, [0, 1, 3]).applicable  # smallest non-zero spread
    z = np.array([0.01, 0.02, 0.03, 0.04])
    hit = sign_test(z, [0, 1, 2])
    assert hit.summary() == "sign: not applicable (baseline hit rate is 100%: no variation)"
    assert "as scipy.stats.binomtest" in hit.method
    w = np.array([0.02, 0.02, 0.02, 0.02])
    same = wilcoxon_test(w, [0, 1, 2])
    assert (
        same.summary() == "wilcoxon: not applicable (every event return equals the baseline mean)"
    )
    assert "as scipy.stats.wilcoxon" in same.method
    # one event at the baseline mean is dropped as a zero difference, the others still count
    v = np.array([0.02, 0.01, 0.03, 0.02, 0.0, 0.04])
    res = wilcoxon_test(v, [0, 2, 5])
    assert res.p_value == pytest.approx(stats.wilcoxon(v[[0, 2, 5]] - v.mean()).pvalue, rel=1e-10)


def test_bad_positions() -> None:
    with pytest.raises(ValueError, match="sorted ascending"):
        naive_t_test(Y, [3, 1, 2])
    with pytest.raises(ValueError, match=r"must lie in \[0, 12\)"):
        naive_t_test(Y, [0, 1, 12])
    with pytest.raises(TypeError, match="integer positions"):
        naive_t_test(Y, [0.0, 1.0, 2.0])


def test_naive_t_matches_ttest_1samp_at_three_events() -> None:
    """Exactly MIN_EVENTS = 3 complete events: scipy.stats.ttest_1samp against the baseline
    mean of all complete dates, at rtol 1e-10."""
    y = np.array([0.02, -0.01, 0.035, 0.004, 0.011, -0.006, np.nan])
    res = naive_t_test(y, [0, 2, 4, 6])  # 6 is incomplete
    mu0 = np.nanmean(y)
    ref = stats.ttest_1samp(y[[0, 2, 4]], mu0)
    assert res.applicable
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert res.distribution == "t(2)"
    assert res.details == {
        "n": 3,
        "mean": pytest.approx(np.mean(y[[0, 2, 4]]), rel=1e-12),
        "baseline_mean": pytest.approx(mu0, rel=1e-12),
    }
    assert res.null_hypothesis == "mean event forward return equals the unconditional baseline mean"
    assert "Student (1908)" in res.reference
    assert "as scipy.stats.ttest_1samp" in res.method
    two = naive_t_test(y, [0, 2, 6])
    assert two.reason == "only 2 complete events (need >= 3)"


def test_sign_test_counts_strict_positives_against_scipy() -> None:
    """Zeros are not hits, in the events and in the baseline; p from scipy.stats.binomtest."""
    y = np.array([0.0, 0.01, -0.02, 0.0, 0.03, 0.02, -0.01, 0.04, 0.0, np.nan])
    ev = [0, 1, 3, 4, 7, 9]
    res = sign_test(y, ev)
    p0 = 4 / 9  # 0.01, 0.03, 0.02, 0.04 of the 9 complete dates
    k = 3  # 0.01, 0.03, 0.04; the zeros at 0 and 3 are not hits
    assert res.statistic == k
    assert res.p_value == pytest.approx(stats.binomtest(k, 5, p0).pvalue, rel=1e-10)
    assert res.distribution == f"Binomial(5, {p0:.4f})" == "Binomial(5, 0.4444)"
    assert res.name == "sign"
    assert res.null_hypothesis == "event hit rate (share > 0) equals the baseline hit rate"
    assert res.details == {
        "n": 5,
        "hit_rate": pytest.approx(0.6, rel=1e-12),
        "baseline_hit_rate": pytest.approx(p0, rel=1e-12),
    }
    assert "as scipy.stats.binomtest" in res.method
    assert "Cowan" in res.reference
    zero = sign_test(np.array([0.0, -0.01, -0.02, 0.0]), [0, 1, 2])
    assert zero.reason == "baseline hit rate is 0%: no variation"
    assert sign_test(y, [0, 1]).reason == "only 2 complete events (need >= 3)"


def test_wilcoxon_test_matches_scipy() -> None:
    """Event returns minus the baseline mean into scipy.stats.wilcoxon (defaults): 6 events,
    no ties, exact distribution; 3 events are the minimum."""
    rng = np.random.default_rng(12)
    y = np.r_[rng.normal(0.001, 0.01, 40), np.nan]
    ev = [1, 5, 9, 20, 33, 38, 40]
    res = wilcoxon_test(y, ev)
    d = y[ev[:-1]] - np.nanmean(y)
    ref = stats.wilcoxon(d)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert res.distribution == "Wilcoxon signed-rank"
    assert res.name == "wilcoxon"
    assert res.null_hypothesis == (
        "event forward returns are symmetric around the unconditional baseline mean"
    )
    assert res.details == {"n": 6, "median_difference": pytest.approx(np.median(d), rel=1e-12)}
    three = wilcoxon_test(y, [1, 5, 9])
    assert three.applicable
    assert three.p_value == pytest.approx(stats.wilcoxon(y[[1, 5, 9]] - np.nanmean(y)).pvalue)
    assert "as scipy.stats.wilcoxon" in res.method
    assert "Wilcoxon, F. (1945)" in res.reference
