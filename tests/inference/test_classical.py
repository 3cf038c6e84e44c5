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
    assert res.statistic == pytest.approx(t)
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(t), 4))
    assert res.distribution == "t(4)"
    assert "IGNORES overlap" in res.method


def test_sign_test_exact_binomial() -> None:
    """Two-sided exact binomial p: sum of pmf over outcomes no more likely than observed."""
    res = sign_test(Y, EV)
    p0 = np.mean(Y[:10] > 0)
    k, n = 5, 5
    pmf = stats.binom.pmf(np.arange(n + 1), n, p0)
    p = pmf[pmf <= pmf[k] * (1 + 1e-7)].sum()
    assert res.statistic == k
    assert res.p_value == pytest.approx(min(p, 1.0))
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
    assert res.p_value == pytest.approx(p)


@pytest.mark.parametrize("fn", [naive_t_test, sign_test, wilcoxon_test])
def test_not_applicable_too_few_events(fn) -> None:
    res = fn(Y, [0, 2])
    assert not res.applicable
    assert np.isnan(res.p_value)
    assert "only 2 complete events" in res.reason


def test_not_applicable_zero_variance() -> None:
    y = np.array([0.01, 0.01, 0.01, 0.02, 0.03])
    assert "zero variance" in naive_t_test(y, [0, 1, 2]).reason
    z = np.array([0.01, 0.02, 0.03, 0.04])
    assert "baseline hit rate is 100%" in sign_test(z, [0, 1, 2]).reason
    w = np.array([0.02, 0.02, 0.02, 0.02])
    assert "equals the baseline mean" in wilcoxon_test(w, [0, 1, 2]).reason


def test_bad_positions() -> None:
    with pytest.raises(ValueError, match="sorted ascending"):
        naive_t_test(Y, [3, 1, 2])
    with pytest.raises(ValueError, match=r"must lie in \[0, 12\)"):
        naive_t_test(Y, [0, 1, 12])
    with pytest.raises(TypeError, match="integer positions"):
        naive_t_test(Y, [0.0, 1.0, 2.0])
