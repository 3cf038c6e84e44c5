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
    assert calls == [(2000, 2000)]  # 2,000 sets of 40 events: one chunk
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
    assert res.name == "placebo"
    assert res.details["min_gap"] == 2
    assert res.details["stratify"] == "none"
    assert res.distribution == f"placebo distribution of the mean ({d} draws)"
    assert res.method == (
        "random-date placebo: 20000 uniform pseudo-event sets with the same count, spacing >= 2 "
        "dates; two-sided add-one empirical p-value around the baseline mean"
    )
    assert res.null_hypothesis == (
        "the event dates are as good as random dates with the same count and spacing "
        "(event mean = placebo mean)"
    )
    assert "Phipson, B. & Smyth, G. K. (2010)" in res.reference
    few = placebo_test(y, [1, 4], 1, min_gap=2)
    assert few.summary() == "placebo: not applicable (only 2 complete events (need >= 3))"
    assert few.method.startswith("random-date placebo: 10000 uniform")


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
    with pytest.raises(DataError, match="^event_positions are closer than min_gap=21 dates; dec"):
        placebo_test(y, [0, 10, 50], 1, min_gap=21)
    with pytest.raises(
        ValueError, match="^stratify needs dates: pass dates= or a Series with a DatetimeIndex$"
    ):
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


def test_strata_codes_partition_by_calendar() -> None:
    """Codes define the strata: two dates share a code iff same year (or same year and
    month); codes never decrease over time (the draws concatenate strata in code order)."""
    from eventstudy.inference.placebo import _strata_codes

    dates = pd.bdate_range("2019-11-25", periods=90)
    for stratify, key in (("year", dates.year), ("month", dates.to_period("M"))):
        codes = _strata_codes(dates, stratify)
        assert codes.dtype == np.int64
        assert (np.diff(codes) >= 0).all()
        same_code = codes[:, None] == codes[None, :]
        same_key = np.asarray(key)[:, None] == np.asarray(key)[None, :]
        np.testing.assert_array_equal(same_code, same_key)
    assert np.unique(_strata_codes(dates, "month")).size == 5  # Nov 2019 .. Mar 2020
    assert np.unique(_strata_codes(dates, "year")).size == 2


def test_stratified_draws_uniform_over_admissible_sets() -> None:
    """Exhaustive enumeration: 12 dates in strata {0..5}, {6..11}; events 2 in the first,
    1 in the second, spacing >= 2 everywhere (also across the boundary).  Every admissible
    set must come up, nothing else, uniformly (chi-square, 30,000 draws); rejection of rows
    that break the spacing across the boundary must not bias the draws."""
    from eventstudy.inference.placebo import _draw_stratified

    codes = np.array([7] * 6 + [9] * 6, dtype=np.int64)
    admissible = [
        c
        for c in itertools.combinations(range(12), 3)
        if c[1] < 6 <= c[2] and np.all(np.diff(c) >= 2)
    ]
    assert len(admissible) == 10 * 6 - 4  # C(5, 2) pairs x 6 singles, minus (i, 5) with 6
    draws = _draw_stratified(codes, np.array([0, 3, 8]), 2, 30_000, np.random.default_rng(5))
    counts = Counter(map(tuple, draws.tolist()))
    assert set(counts) == set(admissible)
    obs = np.array([counts[c] for c in admissible])
    assert stats.chisquare(obs).pvalue > 0.001


def test_stratified_month_keeps_counts_and_impossible_raises() -> None:
    idx = pd.bdate_range("2001-01-01", periods=130)
    rng = np.random.default_rng(6)
    y = pd.Series(rng.normal(0, 0.02, 130), index=idx)
    ev = np.array([2, 30, 60, 100])
    res = placebo_test(y, ev, 1, min_gap=5, draws=200, stratify="month", seed=2)
    assert res.details["stratify"] == "month"
    assert ", same count per month;" in res.method
    # explicit dates for an array input give the same draws
    same = placebo_test(
        y.to_numpy(), ev, 1, min_gap=5, draws=200, stratify="month", dates=idx, seed=2
    )
    assert same.p_value == res.p_value
    assert same.details == res.details
    with pytest.raises(
        ValueError, match=r"dates must have one entry per forward return \(130\), got 129"
    ):
        placebo_test(y.to_numpy(), ev, 1, stratify="year", dates=idx[:-1])
    with pytest.raises(
        ValueError, match="^stratify needs dates: pass dates= or a Series with a DatetimeIndex$"
    ):
        placebo_test(pd.Series(y.to_numpy()), ev, 1, stratify="year")
    with pytest.raises(ValueError, match="stratify must be one of"):
        placebo_test(y, ev, 1, stratify="week")  # type: ignore[arg-type]
    # Jan 1 (0) and the last business day of Feb (42) are the only pair 42 apart in those
    # month strata: a row is accepted with probability ~ 1/23 * 1/20 * 2/21, so 50 rounds
    # of redraws cannot fill 5 rows
    msg = "^stratified placebo: could not respect min_gap across stratum boundaries; use stratify=None$"
    with pytest.raises(DataError, match=msg):
        placebo_test(y, [0, 42, 85], 1, min_gap=42, draws=5, stratify="month", seed=0)


def test_dense_draws_uniform_and_exact_fit() -> None:
    """Dense branch (n^2 >= 2 M): 4 positions >= 2 apart in range(9), M = 6, C(6, 4) = 15
    admissible sets, uniform (chi-square); n events exactly filling the range have a single
    admissible set; no events give empty rows; min_gap 0 means 1."""
    admissible = [c for c in itertools.combinations(range(9), 4) if np.all(np.diff(c) >= 2)]
    assert len(admissible) == 15
    rng = np.random.default_rng(7)
    counts = Counter(map(tuple, draw_spaced_positions(9, 4, 2, 15_000, rng).tolist()))
    assert set(counts) == set(admissible)
    assert stats.chisquare([counts[c] for c in admissible]).pvalue > 0.001
    only = draw_spaced_positions(7, 4, 2, 5, rng)
    assert only.dtype == np.int64  # positions index arrays
    np.testing.assert_array_equal(only, np.tile([0, 2, 4, 6], (5, 1)))
    none = draw_spaced_positions(7, 0, 2, 3, rng)
    assert none.shape == (3, 0)
    assert none.dtype == np.int64
    np.testing.assert_array_equal(np.sort(draw_spaced_positions(3, 3, 0, 2, rng)), [[0, 1, 2]] * 2)
    with pytest.raises(
        ValueError, match=r"cannot place 5 events 2 days apart in 8 dates \(need 9\)"
    ):
        draw_spaced_positions(8, 5, 2, 1, rng)


def test_dense_branch_keeps_the_n_smallest_keys() -> None:
    """The dense branch is "the n smallest of m uniform keys" (its docstring): the same keys
    drawn again and fully sorted give the same sets, chunk after chunk (2,000 rows each)."""
    from eventstudy.inference.placebo import _distinct_sorted

    m, n, size = 2000, 600, 2500
    got = _distinct_sorted(m, n, size, np.random.default_rng(11))
    keys = np.random.default_rng(11).random((size, m))  # the chunks take consecutive rows
    expected = np.sort(np.argsort(keys, axis=1)[:, :n], axis=1)
    np.testing.assert_array_equal(got, expected)


def test_dense_draws_in_several_chunks() -> None:
    """M = 2000 slots: 2,500 draws span two chunks of 2,000 rows of keys in the dense branch
    (600 events, 4n > M), and the middle branch (70 events) draws them at once; every row is n
    distinct sorted positions and each position is equally likely (4 sd band)."""
    for n in (600, 70):
        rng = np.random.default_rng(8)
        pos = draw_spaced_positions(2000, n, 1, 2500, rng)
        assert pos.shape == (2500, n)
        assert pos.dtype == np.int64
        assert (np.diff(pos, axis=1) >= 1).all()
        first_half = np.mean(pos < 1000)
        # positions in a row are negatively correlated (sampling without replacement), so
        # the binomial band is conservative
        assert abs(first_half - 0.5) < 4 * np.sqrt(0.25 / (2500 * n))


def test_progress_chunks_and_single_draw() -> None:
    """Chunks of 100,000 positions (33,333 sets of 3 events), progress after every chunk."""
    y = np.random.default_rng(9).normal(size=300)
    calls: list[tuple[int, int]] = []
    many = placebo_test(
        y,
        [10, 100, 200],
        1,
        min_gap=2,
        draws=70_000,
        seed=1,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(33_333, 70_000), (66_666, 70_000), (70_000, 70_000)]
    small = placebo_test(
        y,
        [10, 100, 200],
        1,
        min_gap=2,
        draws=95,
        seed=1,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[-1] == (95, 95) and len(calls) == 4
    assert small.p_value != many.p_value
    one = placebo_test(y, [10, 100, 200], 1, draws=1, seed=1)
    assert one.details["draws"] == 1
    assert np.isnan(one.details["placebo_std"])
    assert one.details["placebo_q025"] == one.details["placebo_q975"] == one.details["placebo_mean"]
    two = placebo_test(y, [10, 100, 200], 1, draws=2, seed=3).details
    # two placebo means a < b: sd (ddof 1) = (b - a) / sqrt(2), q975 - q025 = 0.95 (b - a)
    assert two["placebo_q975"] > two["placebo_q025"]
    spread = (two["placebo_q975"] - two["placebo_q025"]) / 0.95
    assert two["placebo_std"] == pytest.approx(spread / np.sqrt(2), rel=1e-10)
    with pytest.raises(ValueError, match="draws must be >= 1"):
        placebo_test(y, [10, 100, 200], 1, draws=0)
    with pytest.raises(ValueError, match="min_gap must be >= 1"):
        placebo_test(y, [10, 100, 200], 1, min_gap=0)
    with pytest.raises(ValueError, match="horizon_days must be >= 1"):
        placebo_test(y, [10, 100, 200], 0)


def test_sparse_and_dense_branches_stay_fast() -> None:
    """The branch choice is what keeps both extremes fast: 20 events filling 20 slots
    (rejection sampling would almost never draw 20 distinct values: 20! / 20^20 = 2e-8) and
    3 events among a million slots (a key per slot per draw would be 3e9 random numbers).
    Each takes milliseconds; the bound of 5 s only guards against the wrong branch."""
    import time

    rng = np.random.default_rng(15)
    start = time.perf_counter()
    full = draw_spaced_positions(20, 20, 1, 50, rng)
    sparse = draw_spaced_positions(1_000_000, 3, 1, 3000, rng)
    assert time.perf_counter() - start < 5.0
    np.testing.assert_array_equal(full, np.tile(np.arange(20), (50, 1)))
    assert sparse.shape == (3000, 3)
    assert (np.diff(sparse, axis=1) > 0).all()
    assert abs(np.mean(sparse < 500_000) - 0.5) < 4 * np.sqrt(0.25 / 9000)


def test_default_min_gap_is_one_day() -> None:
    """min_gap defaults to 1: adjacent events are allowed, and adjacent placebo positions are
    drawn, stratified or not (all 3 pairs of range(3) in a 3-date stratum)."""
    from eventstudy.inference.placebo import _draw_stratified

    y = np.random.default_rng(16).normal(size=40)
    res = placebo_test(y, [10, 11, 12], 1, draws=10, seed=0)
    assert res.details["min_gap"] == 1
    assert "spacing >= 1 dates" in res.method
    codes = np.array([4, 4, 4, 6, 6, 6], dtype=np.int64)
    pairs = _draw_stratified(codes, np.array([0, 1]), 1, 300, np.random.default_rng(1))
    assert set(map(tuple, pairs.tolist())) == {(0, 1), (0, 2), (1, 2)}


def test_dates_alone_do_not_stratify_and_year_is_not_month() -> None:
    """dates= without stratify leaves the draws unstratified (same numbers as without dates);
    stratify="year" keeps one stratum per year, where month strata would be impossible
    (0 and 42 are the only pair 42 days apart in Jan / Feb 2001)."""
    idx = pd.bdate_range("2001-01-01", periods=130)
    y = np.random.default_rng(17).normal(size=130)
    plain = placebo_test(y, [0, 42, 85], 1, min_gap=42, draws=50, seed=3)
    with_dates = placebo_test(y, [0, 42, 85], 1, min_gap=42, draws=50, dates=idx, seed=3)
    assert with_dates == plain
    assert with_dates.details["stratify"] == "none"
    yearly = placebo_test(y, [0, 42, 85], 1, min_gap=42, draws=50, stratify="year", dates=idx)
    assert yearly.applicable
    assert yearly.details["stratify"] == "year"


def test_oversampled_branch_is_uniform() -> None:
    """Middle branch (m <= n^2, 4 n <= m): 4 of range(16) by oversampling with replacement,
    dropping repeats and then the extra distinct values at random. All C(16, 4) = 1,820
    subsets appear and none is favoured (chi-square, 200,000 draws); the branch is also exact
    on a single-row redraw (k draws that leave fewer than n distinct values are redrawn,
    never padded)."""
    from eventstudy.inference.placebo import _distinct_sorted, _oversample

    rng = np.random.default_rng(21)
    assert 4 * 4 >= 16 and 4 * 4 <= 16  # the middle branch
    rows = _distinct_sorted(16, 4, 200_000, rng)
    assert rows.dtype == np.int64
    assert (np.diff(rows, axis=1) > 0).all()
    counts = Counter(map(tuple, rows.tolist()))
    assert len(counts) == 1820
    assert stats.chisquare(list(counts.values())).pvalue > 0.001
    # k covers the expected repeats with room: for n = 300 of 11,000 about 4 repeats
    assert 300 + 4 < _oversample(11_000, 300) < 300 + 20
    many = _distinct_sorted(10, 2, 5000, rng)  # k is close to m: some rows are redrawn
    assert (np.diff(many, axis=1) > 0).all() and many.max() <= 9


def test_drop_columns_picks_distinct_values_uniformly() -> None:
    """_drop_columns draws each row's e distinct values (one column per value, the first
    copy) without replacement and uniformly: in a row with values a a b c c c d, dropping 2
    picks each of the C(4, 2) = 6 pairs equally often, whatever the copies (chi-square)."""
    from eventstudy.inference.placebo import _drop_columns

    fresh = np.array([[1, 0, 1, 1, 0, 0, 1], [1, 1, 1, 1, 1, 1, 1]], dtype=bool)
    e = np.array([2, 0])
    rng = np.random.default_rng(4)
    picks = _drop_columns(np.repeat(fresh, 3000, axis=0), np.repeat(e, 3000), rng)
    first, second = picks[:3000], picks[3000:]
    assert (second == -1).all()  # nothing to drop in the second row
    assert fresh[0][first].all() and (first[:, 0] != first[:, 1]).all()
    counts = Counter(tuple(sorted(r)) for r in first.tolist())
    assert set(counts) == {(0, 2), (0, 3), (0, 6), (2, 3), (2, 6), (3, 6)}
    assert stats.chisquare(list(counts.values())).pvalue > 0.001


def test_sparse_branch_redraws_rows_with_repeats() -> None:
    """Sparse branch (5 n^2 < m): 10 of range(600) draw a repeat in about 7% of rows; every
    row comes out strictly increasing and every position is equally likely (chi-square over
    600 cells, 6,000 rows)."""
    from eventstudy.inference.placebo import _distinct_sorted

    rng = np.random.default_rng(31)
    rows = _distinct_sorted(600, 10, 6000, rng)
    assert rows.shape == (6000, 10) and rows.dtype == np.int64
    assert (np.diff(rows, axis=1) > 0).all()
    counts = np.bincount(rows.ravel(), minlength=600)
    assert stats.chisquare(counts).pvalue > 0.001
    assert rows.min() == 0 and rows.max() == 599


def test_oversampled_branch_redraws_short_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the oversampling margin removed (k = n + 1 draws), most rows hold a repeat and
    many fewer than n distinct values: they are redrawn, never padded, and the subsets stay
    uniform (chi-square over the C(16, 4) = 1,820 subsets)."""
    import eventstudy.inference.placebo as placebo

    monkeypatch.setattr(placebo, "_oversample", lambda m, n: n + 1)
    rng = np.random.default_rng(5)
    rows = placebo._distinct_sorted(16, 4, 182_000, rng)
    assert (np.diff(rows, axis=1) > 0).all()
    counts = Counter(map(tuple, rows.tolist()))
    assert len(counts) == 1820
    assert stats.chisquare(list(counts.values())).pvalue > 0.001


def test_nested_draws_every_prefix_uniform() -> None:
    """nested_draws: the first n columns of a row are a uniform random n-subset in a uniform
    random order, for every n up to cap, by both methods -- the stream of draws with
    replacement read in order (16 values, cap 4: 4 cap <= m) and the key permutation (6
    values, cap 4).  Chi-square over all ordered n-tuples of distinct values (16 * 15 = 240
    pairs, 6 * 5 * 4 = 120 triples) and all subsets of the full row (C(6, 4) = 15)."""
    from eventstudy.inference.placebo import nested_draws

    for m, cap, n_rows in ((16, 4, 60_000), (6, 4, 24_000)):
        rows = nested_draws(m, cap, n_rows, np.random.default_rng(m))
        assert rows.shape == (n_rows, cap) and rows.dtype == np.int64
        assert rows.min() == 0 and rows.max() == m - 1
        assert all(len(set(r)) == cap for r in rows[:2000].tolist())
        assert stats.chisquare(np.bincount(rows[:, 0], minlength=m)).pvalue > 0.001
        pairs = Counter(map(tuple, rows[:, :2].tolist()))
        assert len(pairs) == m * (m - 1)
        assert stats.chisquare(list(pairs.values())).pvalue > 0.001
        if m == 6:
            triples = Counter(map(tuple, rows[:, :3].tolist()))
            assert len(triples) == 120
            assert stats.chisquare(list(triples.values())).pvalue > 0.001
            subsets = Counter(tuple(sorted(r)) for r in rows.tolist())
            assert len(subsets) == 15
            assert stats.chisquare(list(subsets.values())).pvalue > 0.001
    whole = nested_draws(5, 5, 100, np.random.default_rng(0))  # a full permutation per row
    assert (np.sort(whole, axis=1) == np.arange(5)).all()
    assert len({tuple(r) for r in whole.tolist()}) > 50
    with pytest.raises(ValueError, match=r"^cap must be in \[1, 5\], got 6$"):
        nested_draws(5, 6, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^cap must be in \[1, 5\], got 0$"):
        nested_draws(5, 0, 1, np.random.default_rng(0))


def test_nested_draws_extend_short_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no oversampling margin (k = cap draws), most rows repeat a value and hold fewer
    than cap distinct ones: every row's stream is extended, the rows stay distinct, and
    their prefixes stay uniform (chi-square over the 20 * 19 ordered pairs of range(20))."""
    import eventstudy.inference.placebo as placebo

    monkeypatch.setattr(placebo, "_oversample", lambda m, n: n)
    rows = placebo.nested_draws(20, 5, 38_000, np.random.default_rng(8))
    assert all(len(set(r)) == 5 for r in rows.tolist())
    pairs = Counter(map(tuple, rows[:, :2].tolist()))
    assert len(pairs) == 380
    assert stats.chisquare(list(pairs.values())).pvalue > 0.001


def test_first_in_order_matches_a_loop() -> None:
    """_first_in_order marks the first copy of each value along a row, as a loop over the
    row does, with 32-bit packed keys and with 64-bit ones (values too large to share 32
    bits with the column)."""
    from eventstudy.inference.placebo import _first_in_order

    rng = np.random.default_rng(3)
    for m, k in ((7, 12), (2**30, 5), (50, 1)):
        a = rng.integers(0, min(m, 9), size=(200, k)) * (m // min(m, 9))
        want = np.zeros(a.shape, dtype=bool)
        for r, row in enumerate(a.tolist()):
            seen: set[int] = set()
            for c, v in enumerate(row):
                want[r, c] = v not in seen
                seen.add(v)
        np.testing.assert_array_equal(_first_in_order(a, m), want)


def test_nested_placebo_without_spacing_matches_enumeration() -> None:
    """min_gap = 1 (the nested draws): p-value, percentile and mean of the placebo
    distribution within 4 binomial sd of the exact values from all C(11, 3) = 165 sets."""
    y = np.array([0.3, -1.2, 0.8, 2.0, -0.4, 0.1, 1.5, -0.7, 0.9, -0.2, 0.6])
    ev = [1, 4, 8]
    mu0, obs = y.mean(), y[ev].mean()
    means = admissible_means(y, 3, 1)
    assert means.size == 165
    q = float(np.mean(np.abs(means - mu0) >= abs(obs - mu0)))
    d = 20_000
    res = placebo_test(y, ev, 1, draws=d, seed=3)
    extreme = res.p_value * (d + 1) - 1
    assert abs(extreme - d * q) <= 4 * np.sqrt(d * q * (1 - q))
    below = float(np.mean(means <= obs))
    assert abs(res.details["percentile"] - below) <= 4 * np.sqrt(below * (1 - below) / d)
    assert abs(res.details["placebo_mean"] - means.mean()) <= 4 * means.std() / np.sqrt(d)
    assert res.details["min_gap"] == 1


def test_nested_placebo_chunks_and_budget() -> None:
    """Nested draws come in chunks of 100,000 // cap rows (3 events: cap 16, 6,250 rows);
    above draws x cap = 4,194,304 the spaced draws are used (600 events: cap 1,024, 10,000
    draws; chunks of 100,000 // 600 = 166 rows)."""
    y = np.random.default_rng(9).normal(size=3000)
    calls: list[tuple[int, int]] = []
    placebo_test(
        y, [10, 100, 200], 1, draws=70_000, seed=1, progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(min(6250 * i, 70_000), 70_000) for i in range(1, 13)]
    calls.clear()
    ev = np.arange(0, 3000, 5)
    placebo_test(y, ev, 1, draws=10_000, seed=1, progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (166, 10_000)
    calls.clear()
    placebo_test(y, ev, 1, draws=4096, seed=1, progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (97, 4096)  # 4,096 x 1,024 is within the budget: nested


def test_nested_placebo_mean_is_the_mean_of_the_first_dates() -> None:
    """Each placebo mean is the mean of y over the first n dates of its nested row (the
    draws of the same stream, recomputed here), so counts in one class share rows."""
    from eventstudy.inference.placebo import _capacity, nested_draws

    y = np.random.default_rng(2).normal(size=500)
    assert [_capacity(n, 500) for n in (3, 16, 17, 32, 33, 400)] == [16, 16, 32, 32, 64, 500]
    assert _capacity(5, 10) == 10
    for ev in ([5, 50, 90], np.arange(0, 500, 25), np.arange(1, 500, 26)):
        n = len(ev)
        res = placebo_test(y, ev, 1, draws=300, seed=np.random.default_rng(4))
        rows = nested_draws(500, _capacity(n, 500), 300, np.random.default_rng(4))
        means = y[rows[:, :n]].mean(axis=1)
        assert res.details["placebo_mean"] == pytest.approx(means.mean(), rel=1e-12)
        assert res.details["placebo_q025"] == pytest.approx(np.quantile(means, 0.025), rel=1e-12)


def _stream_reference(m: int, cap: int, size: int, rng: np.random.Generator, extra: int) -> list:
    """nested_draws' stream method, row by row: int32 draws read in order, first copies
    kept; while a row lacks cap distinct values, every row gets ``extra`` more draws."""
    a = rng.integers(0, m, size=(size, _oversample_ref(m, cap)), dtype=np.int32)
    while min(len(dict.fromkeys(r)) for r in a.tolist()) < cap:
        a = np.hstack([a, rng.integers(0, m, size=(size, extra), dtype=np.int32)])
    return [list(dict.fromkeys(r))[:cap] for r in a.tolist()]


def _oversample_ref(m: int, n: int) -> int:
    from eventstudy.inference.placebo import _oversample

    return _oversample(m, n)


def test_nested_draws_are_the_documented_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exact numbers of both methods, recomputed from the same seed: the stream method
    reads int32 draws in order (4 cap <= m, so 8 of 32 values), extended by max(8, k // 8)
    draws when a row lacks values (forced by k = cap); the key method keeps the values with
    the cap smallest of m uniform keys, in key order (4 cap > m, so 9 of 32).  The generator
    is left where the reference leaves it."""
    import eventstudy.inference.placebo as placebo

    for m, cap in ((32, 8), (32, 1), (400, 100), (4, 1)):  # (4, 1): rows of one value
        rng, ref = np.random.default_rng(m + cap), np.random.default_rng(m + cap)
        got = placebo.nested_draws(m, cap, 300, rng)
        k = placebo._oversample(m, cap)
        assert got.tolist() == _stream_reference(m, cap, 300, ref, max(8, k // 8))
        assert rng.random() == ref.random()
    # 400 keys: the partition does not sort them all, and partitioning at another place
    # leaves a wrong key among the first 150 in about 1.5% of rows
    for m, cap, size in ((32, 9, 300), (400, 150, 2000)):
        rng, ref = np.random.default_rng(1), np.random.default_rng(1)
        got = placebo.nested_draws(m, cap, size, rng)
        want = np.argsort(ref.random((size, m)), axis=1)[:, :cap]
        np.testing.assert_array_equal(got, want)
        assert rng.random() == ref.random()
    rng = np.random.default_rng(2)
    got = placebo.nested_draws(12, 3, 500, rng)  # the boundary 4 cap = m: the stream method
    ref = np.random.default_rng(2)
    assert got.tolist() == _stream_reference(12, 3, 500, ref, 8)
    monkeypatch.setattr(placebo, "_oversample", lambda m, n: n)
    # extensions of 8 and of 80 // 8 = 10 draws; none when every row holds its one value
    for m, cap in ((40, 5), (400, 80), (4, 1)):
        rng, ref = np.random.default_rng(3), np.random.default_rng(3)
        got = placebo.nested_draws(m, cap, 200, rng)
        assert got.tolist() == _stream_reference(m, cap, 200, ref, max(8, cap // 8))
        assert rng.random() == ref.random()


def test_nested_draws_beyond_32_bits() -> None:
    """From 2^31 values on the draws are 64-bit integers (int32 cannot hold them)."""
    from eventstudy.inference.placebo import _oversample, nested_draws

    for m in (2**31, 2**31 + 5):
        rng, ref = np.random.default_rng(7), np.random.default_rng(7)
        got = nested_draws(m, 2, 3, rng)
        want = ref.integers(0, m, size=(3, _oversample(m, 2)), dtype=np.int64)[:, :2]
        np.testing.assert_array_equal(got, want)
        assert got.max() < m


def test_first_in_order_does_not_overflow_packed_keys() -> None:
    """Values that agree in their low 29 bits (0 and 2^29 among 2^30) stay apart: packed
    with 3 column bits they would collide in 32-bit integers."""
    from eventstudy.inference.placebo import _first_in_order

    a = np.array([[0, 2**29, 0, 2**29, 5]])
    np.testing.assert_array_equal(_first_in_order(a, 2**30), [[True, True, False, False, True]])


def test_ties_count_however_the_sums_are_rounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve dates whose 3-date sums tie often: the exact p-value (all 220 sets, sums in
    exact arithmetic) is matched within 4 binomial sd by the nested draws and by the
    spaced draws, which add the same dates in other orders (helper review, 2026-12-07)."""
    import math

    import eventstudy.inference.placebo as placebo

    base = np.array([0.7, 0.34, 0.45, 0.7, 0.35, 0.09, -0.07, 0.81, 0.17, 0.32, -0.01, 0.31])
    ev = np.array([2, 4, 11])
    d = 20_000
    # the tolerance follows the deviations' scale (2^20: the same roundings, larger numbers)
    # and not the level (an offset of 1e7 leaves the deviations as they were)
    for y in (base, base * 2.0**20, base + 1e7):
        mu0, obs = y.mean(), y[ev].mean()
        sums = [math.fsum(y[list(c)]) / 3 for c in itertools.combinations(range(12), 3)]
        scale = max(abs(m - mu0) for m in sums)
        q = float(np.mean([abs(m - mu0) >= abs(obs - mu0) - 1e-12 * scale for m in sums]))
        for budget in (placebo._NESTED_BUDGET, 0):  # nested, then spaced
            monkeypatch.setattr(placebo, "_NESTED_BUDGET", budget)
            res = placebo_test(y, ev, 1, draws=d, seed=1)
            extreme = res.p_value * (d + 1) - 1
            assert abs(extreme - d * q) <= 4 * np.sqrt(d * q * (1 - q)), (budget, y[0])


def test_a_missing_stretch_between_events_does_not_bring_them_closer() -> None:
    """Events 21 dates apart with 10 missing forward returns between them were declustered
    with min_gap = 21 on the input's calendar; the placebo must not call them too close
    (it raised, and with it every test of run_tests)."""
    from eventstudy.inference.run import run_tests

    rng = np.random.default_rng(0)
    y = rng.normal(0.0, 0.05, 3000)
    y[1000:1010] = np.nan
    pos = np.array([995, 1016, 2000, 2500])
    res = placebo_test(y, pos, 21, min_gap=21, draws=99, seed=1)
    assert res.applicable
    assert set(run_tests(y, pos, 21, tests=("placebo", "hac"), draws=99, min_gap=21, seed=1))
    with pytest.raises(DataError, match="closer than min_gap=21"):
        placebo_test(y, np.array([995, 1015, 2000, 2500]), 21, min_gap=21, draws=99, seed=1)


def test_a_constant_series_is_not_applicable() -> None:
    """Forward returns without variation: every placebo set ties the events, and p = 1 was
    returned as an applicable result while the other tests refuse (independent review)."""
    from eventstudy.inference.hac import hac_test
    from eventstudy.inference.placebo import placebo_test

    y = np.full(300, 0.01)
    ev = np.array([20, 80, 140, 200])
    res = placebo_test(y, ev, 21, draws=50, seed=1)
    assert not res.applicable and res.reason == "the forward returns have no variation"
    assert hac_test(y, ev, 21).reason == res.reason
