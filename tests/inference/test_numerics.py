"""The scipy.special-based routines against the scipy.stats / statsmodels routines they mirror."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.multitest import multipletests

from eventstudy.inference._numerics import (
    binom_two_sided_p,
    fdr_bh,
    ols_hac,
    rank_average,
    t_quantile,
    t_two_sided_p,
    wilcoxon_signed_rank,
)


def test_t_distribution() -> None:
    for t, df in [(0.0, 3), (1.7, 5), (-2.5, 27.5), (8.0, 200)]:
        assert t_two_sided_p(t, df) == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-12)
    q = np.array([0.025, 0.5, 0.975])
    np.testing.assert_allclose(t_quantile(q, 7), stats.t.ppf(q, 7), rtol=1e-12)


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [(3, 10, 0.5), (9, 28, 0.55), (20, 28, 0.55), (0, 5, 0.3), (14, 28, 0.5), (40, 60, 0.62)],
)
def test_binomial_matches_scipy_binomtest(k: int, n: int, p: float) -> None:
    expected = stats.binomtest(k, n, p=p, alternative="two-sided").pvalue
    assert binom_two_sided_p(k, n, p) == pytest.approx(expected, rel=1e-10)


def test_rank_average_matches_rankdata() -> None:
    a = np.array([3.0, 1.0, 2.0, 2.0, 5.0, 1.0, 2.0])
    ranks, ties = rank_average(a)
    np.testing.assert_array_equal(ranks, stats.rankdata(a))
    assert ties
    assert not rank_average(np.array([0.3, 0.1, 0.2]))[1]


@pytest.mark.parametrize(
    "case", ["exact_small", "exact_large", "ties_small", "zeros_small", "ties_large"]
)
def test_wilcoxon_matches_scipy(case: str) -> None:
    rng = np.random.default_rng(3)
    d = {
        "exact_small": lambda: rng.normal(0.3, 1, 9),
        "exact_large": lambda: rng.normal(0.1, 1, 80),
        "ties_small": lambda: np.round(rng.normal(0.2, 1, 11), 1),
        "zeros_small": lambda: np.r_[0.0, 0.0, rng.normal(0.5, 1, 8)],
        "ties_large": lambda: np.round(rng.normal(0.2, 1, 40), 1),
    }[case]()
    expected = stats.wilcoxon(d)
    statistic, p = wilcoxon_signed_rank(d)
    assert statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert p == pytest.approx(expected.pvalue, rel=1e-9)


@pytest.mark.parametrize("kernel", ["bartlett", "uniform"])
def test_hac_matches_statsmodels(kernel: str) -> None:
    rng = np.random.default_rng(7)
    n, h = 2000, 21
    y = np.convolve(rng.normal(size=n + h - 1), np.ones(h), "valid")  # MA(h-1) errors
    d = np.zeros(n)
    d[rng.choice(n, 40, replace=False)] = 1.0
    x = np.column_stack([np.ones(n), d])
    beta, cov = ols_hac(y, x, nlags=h - 1, kernel=kernel)
    fit = OLS(y, x).fit(
        cov_type="HAC", cov_kwds={"maxlags": h - 1, "kernel": kernel, "use_correction": True}
    )
    np.testing.assert_allclose(beta, fit.params, rtol=1e-10)
    np.testing.assert_allclose(cov, fit.cov_params(), rtol=1e-9)


def test_fdr_bh_matches_statsmodels() -> None:
    rng = np.random.default_rng(2)
    for m in (1, 3, 20, 101):
        p = rng.uniform(size=m) ** 2
        p[::5] = p[0]
        np.testing.assert_allclose(fdr_bh(p), multipletests(p, method="fdr_bh")[1], rtol=1e-12)
