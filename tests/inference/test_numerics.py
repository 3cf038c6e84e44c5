"""The scipy.special-based routines against the scipy.stats / statsmodels routines they mirror."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from eventstudy.inference._numerics import (
    binom_two_sided_p,
    fdr_bh,
    quantiles,
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


def test_fdr_bh_matches_statsmodels() -> None:
    rng = np.random.default_rng(2)
    for m in (1, 3, 20, 101):
        p = rng.uniform(size=m) ** 2
        p[::5] = p[0]
        np.testing.assert_allclose(fdr_bh(p), multipletests(p, method="fdr_bh")[1], rtol=1e-12)


@pytest.mark.parametrize(
    ("t", "df"), [(0.0, 1), (-0.0, 2), (1e-12, 3), (0.5, 1), (-40.0, 2), (12.0, 1000), (3.0, 0.5)]
)
def test_t_p_value_at_boundaries(t: float, df: float) -> None:
    """2 P(T_df > |t|) against scipy.stats.t.sf at rtol 1e-12, including t = 0 (p = 1),
    one degree of freedom, far tails and a fractional df."""
    expected = 2 * stats.t.sf(abs(t), df)
    assert t_two_sided_p(t, df) == pytest.approx(expected, rel=1e-12, abs=0)
    assert t_two_sided_p(-t, df) == t_two_sided_p(t, df)
    assert t_two_sided_p(t, df) <= 1.0


def test_t_quantile_tails() -> None:
    q = np.array([1e-6, 0.1, 0.9, 1 - 1e-6])
    for df in (1, 2.5, 30):
        np.testing.assert_allclose(t_quantile(q, df), stats.t.ppf(q, df), rtol=1e-10)


@pytest.mark.parametrize(
    ("n", "p"), [(1, 0.5), (2, 0.5), (7, 0.5), (20, 0.5), (11, 0.3), (25, 0.62)]
)
def test_binomial_every_outcome_matches_scipy(n: int, p: float) -> None:
    """Every k = 0..n (k = 0 and k = n included) against scipy.stats.binomtest at rtol 1e-10;
    p = 1/2 makes mirror outcomes equally likely, where the relative tolerance 1e-7 of the
    "no more likely" comparison decides (scipy uses the same)."""
    for k in range(n + 1):
        expected = stats.binomtest(k, n, p=p).pvalue
        assert binom_two_sided_p(k, n, p) == pytest.approx(expected, rel=1e-10), k


def test_binomial_k_equals_mean_and_bad_p() -> None:
    """k = n p exactly: p-value 1 (scipy's special case); p outside (0, 1) rejected."""
    assert binom_two_sided_p(3, 10, 0.3) == 1.0 == stats.binomtest(3, 10, 0.3).pvalue
    assert binom_two_sided_p(5, 10, 0.5) == 1.0
    # summing the whole pmf in floating point gives 1 - 1e-16 here: the special case keeps 1
    assert binom_two_sided_p(1, 5, 0.2) == 1.0 == stats.binomtest(1, 5, 0.2).pvalue
    # ... and 1 + 2e-16 at the mode k = 0 of Binomial(4, 0.1): capped at exactly 1
    assert binom_two_sided_p(0, 4, 0.1) == 1.0 == stats.binomtest(0, 4, 0.1).pvalue
    for bad in (0.0, 1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match=f"p must lie strictly between 0 and 1, got {bad}"):
            binom_two_sided_p(1, 3, bad)


def test_binomial_near_tie_uses_relative_tolerance() -> None:
    """n = 12, p = 0.4: pmf(2) and pmf(7) differ by a relative 3e-2, pmf(k) vs itself only;
    a case where the 1e-7 tolerance is irrelevant and one where the mirror counts."""
    for k, n, p in [(2, 12, 0.4), (7, 12, 0.4), (0, 1, 0.5), (1, 1, 0.5), (49, 100, 0.5)]:
        assert binom_two_sided_p(k, n, p) == pytest.approx(
            stats.binomtest(k, n, p=p).pvalue, rel=1e-10
        )


def test_rank_average_of_many_ties_matches_rankdata() -> None:
    """Long arrays (numpy's default sort is not stable there, and tied values land in any
    order) with heavy ties and both zeros: the same ranks as scipy.stats.rankdata."""
    rng = np.random.default_rng(11)
    a = np.round(rng.normal(0.0, 0.01, 100_000), 4)  # about 800 distinct values
    a[rng.choice(a.size, 500, replace=False)] = -0.0
    ranks, ties = rank_average(a)
    np.testing.assert_array_equal(ranks, stats.rankdata(a))
    assert ties
    b = rng.permutation(np.arange(70_000.0))
    np.testing.assert_array_equal(rank_average(b)[0], b + 1.0)


def test_rank_average_edges() -> None:
    for a in ([5.0], [2.0, 2.0, 2.0], [1.0, 1.0, 3.0, 4.0, 4.0], [0.3, 0.1, 0.2]):
        arr = np.array(a)
        ranks, ties = rank_average(arr)
        np.testing.assert_array_equal(ranks, stats.rankdata(arr))
        assert ties == (np.unique(arr).size < arr.size)


def _pairs(n: int, rng: np.random.Generator) -> np.ndarray:
    """n differences whose absolute values are tied in pairs only (one odd one out if n odd),
    random signs, mostly positive."""
    a = np.repeat(np.arange(1, n // 2 + 1) * 0.25, 2)
    d = a * rng.choice([-1.0, 1.0], size=a.size, p=[0.3, 0.7])
    if n % 2:
        d = np.r_[d, 7.0]
    return rng.permutation(d)


@pytest.mark.parametrize(
    ("case", "n", "method"),
    [
        ("no_ties", 1, "exact"),
        ("no_ties", 13, "exact"),
        ("no_ties", 14, "exact"),
        ("no_ties", 50, "exact"),
        ("no_ties", 51, "asymptotic"),
        ("pairs", 12, "permutation"),
        ("pairs", 13, "permutation"),
        ("pairs", 14, "asymptotic"),
        ("pairs", 50, "asymptotic"),
        ("zeros", 13, "permutation"),
        ("zeros", 14, "asymptotic"),
        ("zeros", 51, "asymptotic"),
    ],
)
def test_wilcoxon_switches_like_scipy(case: str, n: int, method: str) -> None:
    """scipy.stats.wilcoxon(d) with method="auto" switches from the exact distribution (no
    ties or zeros, n <= 50) to an exhaustive sign-flip permutation (ties or zeros, n <= 13)
    to the normal approximation (tie-corrected, no continuity correction); zeros are dropped
    ("wilcox") but count in n for the switch.  Each case is checked against scipy with the
    method spelled out and with the default, at rtol 1e-10."""
    rng = np.random.default_rng(n)
    if case == "no_ties":
        d = rng.normal(0.3, 1.0, n)
    elif case == "pairs":
        d = _pairs(n, rng)
    else:
        d = np.r_[rng.normal(0.4, 1.0, n - 2), 0.0, 0.0]
    statistic, p = wilcoxon_signed_rank(d)
    if method == "permutation":
        # scipy runs stats.permutation_test over all 2^n <= 9999 sign patterns (exhaustive,
        # several seconds); the same enumeration written out: zeros dropped, average ranks,
        # two-sided p = P(|R+ - c| >= |r+ - c|) by symmetry of the sign-flip distribution
        x = d[d != 0]
        ranks = stats.rankdata(np.abs(x))
        signs = np.array(list(itertools.product((0.0, 1.0), repeat=x.size)))
        null = signs @ ranks
        r_plus = ranks[x > 0].sum()
        centre = ranks.sum() / 2
        expected_p = np.mean(np.abs(null - centre) >= abs(r_plus - centre) - 1e-9)
        assert statistic == min(r_plus, 2 * centre - r_plus)
        assert p == pytest.approx(expected_p, rel=1e-10)
        assert abs(stats.wilcoxon(d, correction=False, method="asymptotic").pvalue - p) > 1e-6
        return
    expected = stats.wilcoxon(d, zero_method="wilcox", correction=False, method=method)
    assert stats.wilcoxon(d).pvalue == pytest.approx(expected.pvalue, rel=1e-12)
    assert statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert p == pytest.approx(expected.pvalue, rel=1e-10)
    if n >= 14:  # the method matters here: the other one gives another p
        other = "exact" if method != "exact" else "asymptotic"
        alt = stats.wilcoxon(d, correction=False, method=other).pvalue
        assert abs(alt - p) > 1e-6


def test_wilcoxon_symmetric_p_is_one_and_all_zero() -> None:
    """R+ at the centre of the null distribution: 2 min(sf, cdf) > 1 is capped at 1."""
    for d in ([1.0, -2.0, -3.0, 4.0], [1.0, -1.0, 2.0, -2.0], [0.0, 1.0, -1.0]):
        arr = np.array(d)
        assert wilcoxon_signed_rank(arr)[1] == 1.0 == pytest.approx(stats.wilcoxon(arr).pvalue)
    with pytest.raises(ValueError, match="^every difference is zero$"):
        wilcoxon_signed_rank(np.zeros(4))


def test_wilcoxon_permutation_all_negative() -> None:
    """Ties and a zero, every non-zero difference negative: R+ = 0, the most extreme of the
    2^3 sign patterns of the 3 non-zero differences, p = 2 / 8 (scipy's permutation test
    gives the same)."""
    d = np.array([-1.0, -1.0, -2.0, 0.0])
    statistic, p = wilcoxon_signed_rank(d)
    assert statistic == 0.0
    assert p == 2 / 8
    assert wilcoxon_signed_rank(-d) == (0.0, 2 / 8)


def test_wilcoxon_all_one_sign_small() -> None:
    """Smallest possible p: all 5 differences positive, exact p = 2 / 2^5 (enumeration)."""
    statistic, p = wilcoxon_signed_rank(np.array([0.5, 0.1, 0.3, 0.2, 0.4]))
    assert statistic == 0.0
    assert p == 2 / 32
    statistic, p = wilcoxon_signed_rank(np.array([0.5, 0.1, 0.3, 0.3, 0.4]))  # one tie
    assert p == 2 / 32 == pytest.approx(stats.wilcoxon([0.5, 0.1, 0.3, 0.3, 0.4]).pvalue)


def test_fdr_bh_zero_one_and_ties() -> None:
    for p in ([0.0], [1.0], [0.0, 1.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.5], [0.2, 0.2, 0.9, 0.01]):
        arr = np.array(p)
        np.testing.assert_allclose(
            fdr_bh(arr), multipletests(arr, method="fdr_bh")[1], rtol=1e-12, atol=0
        )


def test_quantiles_match_numpy_bit_for_bit() -> None:
    """quantiles mirrors numpy.quantile (method "linear") exactly: random sizes (1-3,000),
    scales (1e-8 to 1e7), ties, infinities, the end points and the interpolation from either
    side (gamma below and above 1/2); NaN, empty and 2-D inputs go to numpy itself."""
    rng = np.random.default_rng(0)
    for i in range(3000):
        n = int(rng.integers(1, 60)) if i % 2 else int(rng.integers(1, 3000))
        x = rng.normal(size=n) * 10.0 ** int(rng.integers(-8, 8))
        if i % 5 == 0:
            x = np.round(x, 1)  # ties
        q = rng.random(int(rng.integers(1, 4)))
        if i % 7 == 0:
            q = np.array([0.0, 1.0, 0.025, 0.975, 0.5])
        np.testing.assert_array_equal(quantiles(x, q), np.quantile(x, q))
    # gamma = 0.25 and 0.75 on 0..4 at q = 0.0625 and 0.1875 of 5 values: both branches
    x = np.array([0.0, 1.0, 10.0, 100.0, 1000.0])
    np.testing.assert_array_equal(quantiles(x, [0.0625, 0.1875]), [0.25, 0.75])
    np.testing.assert_array_equal(quantiles(x, [0.625, 0.6875]), [55.0, 77.5])
    with np.errstate(invalid="ignore"):
        inf = np.array([1.0, np.inf, -np.inf, 2.0])
        np.testing.assert_array_equal(
            quantiles(inf, [0.1, 0.5, 0.9]), np.quantile(inf, [0.1, 0.5, 0.9])
        )
    nan = np.array([1.0, np.nan, 3.0])
    assert np.isnan(quantiles(nan, [0.0, 0.5])).all()  # numpy's NaN for an array with NaN
    with pytest.raises(IndexError):  # numpy's own error for an empty array
        quantiles(np.array([]), [0.5])
    np.testing.assert_array_equal(
        quantiles(np.arange(6.0).reshape(2, 3), [0.5]),
        np.quantile(np.arange(6.0).reshape(2, 3), [0.5]),
    )
    with pytest.raises(ValueError, match=r"^Quantiles must be in the range \[0, 1\]$"):
        quantiles(x, [0.5, 1.5])
    with pytest.raises(ValueError, match=r"^Quantiles must be in the range \[0, 1\]$"):
        quantiles(x, [-0.1])


def test_quantiles_do_not_dispatch_to_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A finite 1-D array, one value or many, never goes through numpy.quantile."""

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("numpy.quantile called")

    monkeypatch.setattr(np, "quantile", boom)
    assert quantiles(np.array([2.0]), [0.25, 1.0]).tolist() == [2.0, 2.0]
    assert quantiles(np.array([1.0, 3.0]), [0.5]).tolist() == [2.0]


def test_quantiles_signed_zeros_and_other_dtypes_are_numpys() -> None:
    """Outside float64 input and float quantiles, and for a zero result (whose sign depends
    on numpy's partition), the result is numpy's own (helper review, 2026-12-07)."""
    rng = np.random.default_rng(5)
    for _ in range(500):
        x = rng.choice(np.array([-0.0, 0.0, 1.0, -1.0]), size=int(rng.integers(1, 9)))
        q = rng.random(2)
        got, want = quantiles(x, q), np.quantile(x, q)
        np.testing.assert_array_equal(got, want)
        assert (np.signbit(got) == np.signbit(want)).all()
    x32 = rng.normal(size=50).astype(np.float32)
    got, want = quantiles(x32, [0.3]), np.quantile(x32, [0.3])
    assert got.dtype == want.dtype and got.tolist() == want.tolist()
    x = rng.normal(size=50)
    q32 = np.array([0.3], dtype=np.float32)
    assert quantiles(x, q32).tolist() == np.quantile(x, q32).tolist()
    assert quantiles(np.arange(5), [0.5]).tolist() == [2.0]
