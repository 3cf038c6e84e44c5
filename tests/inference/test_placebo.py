"""Random-date placebo: spacing rule, uniformity, p-values, stratification, progress, seeds."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.exceptions import DataError
from eventstudy.inference import draw_spaced_positions, placebo_test


def decluster(triggers: np.ndarray, gap: int) -> list[int]:
    """The declustering rule: keep a trigger if it is >= gap days after the last kept one."""
    kept: list[int] = []
    for t in triggers.tolist():
        if not kept or t - kept[-1] >= gap:
            kept.append(t)
    return kept


def test_draws_respect_spacing_and_range() -> None:
    rng = np.random.default_rng(0)
    pos = draw_spaced_positions(1000, 40, 21, 3000, rng)
    assert pos.shape == (3000, 40)
    assert pos.min() >= 0
    assert pos.max() <= 999
    assert (np.diff(pos, axis=1) >= 21).all()
    # every draw is a fixed point of the declustering rule
    for row in pos[:50]:
        assert decluster(row, 21) == row.tolist()


def test_draws_uniform_over_admissible_sets() -> None:
    """Chi-square: all sets of 3 positions in range(12) with spacing >= 3 equally likely."""
    admissible = [c for c in itertools.combinations(range(12), 3) if np.all(np.diff(c) >= 3)]
    rng = np.random.default_rng(1)
    draws = draw_spaced_positions(12, 3, 3, 20000, rng)
    counts = Counter(map(tuple, draws.tolist()))
    assert set(counts) == set(admissible)
    obs = np.array([counts[c] for c in admissible])
    assert stats.chisquare(obs).pvalue > 0.001


def test_dense_case_and_impossible() -> None:
    rng = np.random.default_rng(2)
    pos = draw_spaced_positions(30, 10, 3, 500, rng)  # dense: M = 12, n = 10
    assert (np.diff(pos, axis=1) >= 3).all()
    assert pos.max() <= 29
    with pytest.raises(ValueError, match="cannot place 11 events"):
        draw_spaced_positions(30, 11, 3, 1, rng)


def test_planted_effect_small_p_and_seeds() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(0, 0.05, 5000)
    ev = np.arange(100, 4900, 120)
    y[ev] += 0.05
    calls: list[tuple[int, int]] = []
    a = placebo_test(
        y, ev, 1, min_gap=21, draws=2000, seed=5, progress=lambda d, t: calls.append((d, t))
    )
    b = placebo_test(y, ev, 1, min_gap=21, draws=2000, seed=5)
    assert a == b
    assert a.p_value == pytest.approx(1 / 2001)  # add-one rule: never zero
    assert calls[-1] == (2000, 2000)
    assert 3 <= len(calls) <= 20
    assert a.details["placebo_mean"] == pytest.approx(np.mean(y), abs=0.003)


def admissible_means(y: np.ndarray, n: int, gap: int) -> np.ndarray:
    """Event means of EVERY admissible placebo set: n positions of range(len(y)) whose
    consecutive positions are >= gap apart (exhaustive enumeration)."""
    sets = [c for c in itertools.combinations(range(y.size), n) if np.all(np.diff(c) >= gap)]
    return np.array([y[list(c)].mean() for c in sets])


def test_p_value_add_one_rule_by_hand() -> None:
    """Exhaustive enumeration: y alternates 0, 1 on 8 dates; 3 events >= 2 apart admit
    C(6, 3) = 20 sets.  Observed events on zeros: mean 0, mu0 = 0.5, so a placebo set is
    as extreme when its mean is 0 or 1 (4 + 4 sets): q = 8 / 20 = 0.4 exactly.

    Add-one rule (Phipson & Smyth 2010): p = (1 + X) / (D + 1) with X ~ Binomial(D, q).
    With D = 1 draw p is 1/2 (X = 0) or 1 (X = 1), never 0 or 1 / 1; over 400 seeds the
    number of p = 1 is Binomial(400, 0.4): tolerance 4 sd = 4 * sqrt(400 * 0.4 * 0.6) = 39.
    """
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    means = admissible_means(y, 3, 2)
    assert means.size == 20
    q = float(np.mean(np.abs(means - 0.5) >= 0.5))
    assert q == 0.4
    ones = 0
    for seed in range(400):
        res = placebo_test(y, [0, 2, 4], 1, min_gap=2, draws=1, seed=seed)
        assert res.p_value in (0.5, 1.0)
        ones += res.p_value == 1.0
    assert abs(ones - 400 * q) <= 4 * np.sqrt(400 * q * (1 - q))
    res = placebo_test(y, [0, 2, 4], 1, min_gap=2, draws=999, seed=0)
    assert res.statistic == 0.0
    assert res.details["baseline_mean"] == 0.5
    extreme = res.p_value * 1000 - 1  # X, an integer in [0, 999]
    assert extreme == pytest.approx(round(extreme), abs=1e-9)
    assert abs(extreme - 999 * q) <= 4 * np.sqrt(999 * q * (1 - q))
    # the placebo distribution: means 0 and 1 each have probability 4 / 20 = 0.2
    assert res.details["placebo_q025"] == 0.0
    assert res.details["placebo_q975"] == 1.0
    assert abs(res.details["percentile"] - 0.2) <= 4 * np.sqrt(0.2 * 0.8 / 999)
    se_mean = means.std() / np.sqrt(999)
    assert abs(res.details["placebo_mean"] - means.mean()) <= 4 * se_mean


def test_p_value_matches_enumeration_distinct_values() -> None:
    """Distinct returns, observed mean inside the placebo distribution: the exact probability
    q of a placebo set at least as far from mu0 (two-sided) by enumerating all admissible
    sets; p = (1 + X) / (D + 1) within 4 binomial sd of 1 + D q (D = 20,000)."""
    y = np.array([0.3, -1.2, 0.8, 2.0, -0.4, 0.1, 1.5, -0.7, 0.9, -0.2, 0.6])
    ev = [1, 4, 8]
    mu0 = y.mean()
    obs = y[ev].mean()
    means = admissible_means(y, 3, 2)
    q = float(np.mean(np.abs(means - mu0) >= abs(obs - mu0)))
    assert 0.2 < q < 0.9
    d = 20_000
    res = placebo_test(y, ev, 1, min_gap=2, draws=d, seed=3)
    assert res.statistic == pytest.approx(obs, rel=1e-12)
    assert res.details["baseline_mean"] == pytest.approx(mu0, rel=1e-12)
    extreme = res.p_value * (d + 1) - 1
    assert abs(extreme - d * q) <= 4 * np.sqrt(d * q * (1 - q))
    below = float(np.mean(means <= obs))
    assert abs(res.details["percentile"] - below) <= 4 * np.sqrt(below * (1 - below) / d)
    assert abs(res.details["placebo_mean"] - means.mean()) <= 4 * means.std() / np.sqrt(d)
    # sd of the placebo means: relative sampling sd of a sample sd <= ~sqrt(kurtosis-ish / d);
    # 4 * 2 / sqrt(2 d) = 0.04 is a generous bound for this bounded 1-D distribution
    assert res.details["placebo_std"] == pytest.approx(means.std(), rel=0.04)
    # sample a-quantiles lie between the exact quantiles at a -/+ 4 sd of an empirical cdf
    for key, a in (("placebo_q025", 0.025), ("placebo_q975", 0.975)):
        band = 4 * np.sqrt(a * (1 - a) / d)
        lo, hi = np.quantile(means, [a - band, a + band], method="inverted_cdf")
        assert lo <= res.details[key] <= hi
    assert res.details["draws"] == d
    assert res.details["min_gap"] == 2
    assert res.details["stratify"] == "none"
    assert res.distribution == f"placebo distribution of the mean ({d} draws)"
    assert "20000 uniform pseudo-event sets with the same count, spacing >= 2 dates" in res.method


def test_stratified_keeps_counts_per_year() -> None:
    idx = pd.bdate_range("2000-01-03", periods=1300)
    rng = np.random.default_rng(4)
    y = pd.Series(rng.normal(0, 0.02, 1300), index=idx)
    ev = np.array([10, 40, 80, 300, 700, 730, 1100])
    res = placebo_test(y, ev, 1, min_gap=21, draws=300, stratify="year", seed=1)
    assert res.applicable
    assert res.details["stratify"] == "year"
    from eventstudy.inference.placebo import _draw_stratified

    codes = np.asarray(idx.year)
    pos = _draw_stratified(codes, ev, 21, 300, np.random.default_rng(0))
    want = Counter(codes[ev].tolist())
    for row in pos[:20]:
        assert Counter(codes[row].tolist()) == want
    assert (np.diff(pos, axis=1) >= 21).all()


def test_errors_and_not_applicable() -> None:
    y = np.linspace(0, 1, 200)
    with pytest.raises(DataError, match="closer than min_gap=21"):
        placebo_test(y, [0, 10, 50], 1, min_gap=21)
    with pytest.raises(ValueError, match="stratify needs dates"):
        placebo_test(y, [0, 30, 60], 1, stratify="year")
    assert not placebo_test(y, [0, 30], 1).applicable


@pytest.mark.slow
def test_uniform_p_values_under_null() -> None:
    """Under the null (events drawn like the placebo sets, i.i.d. returns) the randomization
    p-value is valid: KS test of uniformity over 300 seeds."""
    ps = []
    for seed in range(300):
        rng = np.random.default_rng(seed)
        y = rng.standard_t(4, 2000)
        ev = draw_spaced_positions(2000, 30, 10, 1, rng)[0]
        ps.append(placebo_test(y, ev, 1, min_gap=10, draws=999, seed=rng).p_value)
    assert stats.kstest(ps, "uniform").pvalue > 0.01
