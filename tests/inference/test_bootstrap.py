"""Stationary block bootstrap: vectorized block sums, CI, p-value, seeding."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.inference import block_bootstrap_test
from eventstudy.inference.bootstrap import bootstrap_block_length, stationary_block_sums


def test_block_sums_unbiased_and_length_t() -> None:
    """Circular stationary bootstrap: every date equally likely, so E[sum*] = sum (Politis &
    Romano 1994); summing a column of ones returns exactly T."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 1))
    data = np.hstack([x, np.ones((500, 1))])
    sums = stationary_block_sums(data, 20.0, 4000, rng)
    np.testing.assert_array_equal(sums[:, 1], 500.0)
    se = sums[:, 0].std() / np.sqrt(4000)
    assert abs(sums[:, 0].mean() - x.sum()) < 4 * se


def test_planted_effect_and_seeding() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(0, 0.05, 3000)
    ev = np.arange(20, 2900, 70)
    y[ev] += 0.1
    a = block_bootstrap_test(y, ev, 5, reps=500, seed=3)
    b = block_bootstrap_test(y, ev, 5, reps=500, seed=3)
    assert a == b
    assert a.p_value < 0.01
    assert a.p_value >= 1 / 501
    assert a.details["ci_low"] < a.statistic < a.details["ci_high"]
    assert a.details["ci_low"] > 0
    assert a.details["block_length"] >= 5


def test_block_length_floor() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(size=1000)
    assert bootstrap_block_length(y, 63) == 63.0


def test_not_applicable() -> None:
    y = np.linspace(0, 1, 100)
    res = block_bootstrap_test(y, [1, 2], 5, seed=0)
    assert not res.applicable
    assert "only 2 complete events" in res.reason
    res = block_bootstrap_test(y, [1, 2, 3], 50, seed=0)
    assert "episode" in res.reason
    with pytest.raises(ValueError, match="reps must be >= 1"):
        block_bootstrap_test(y, [1, 20, 40], 5, reps=0)


def acov(x: np.ndarray, k: int) -> float:
    """Sample autocovariance at lag k, divisor T (Politis & Romano 1994, Lemma 1)."""
    c = x - x.mean()
    return float(np.sum(c[: x.size - k] * c[k:]) / x.size)


def test_block_sums_variance_matches_politis_romano() -> None:
    """Politis & Romano (1994), Lemma 1: conditional on the data, the stationary bootstrap
    sum has variance T [c(0) + 2 sum_{i=1}^{T-1} b(i) c(i)], b(i) = (1 - i/T) q^i +
    (i/T) q^(T-i), q = 1 - 1 / block length, c the sample autocovariances.  The sample
    variance over 4,000 resamples (near-normal sums) has relative sd sqrt(2 / 3999) = 2.2%:
    tolerance 4 sd.
    """
    rng = np.random.default_rng(10)
    t, block = 150, 6.0
    x = np.convolve(rng.normal(size=t + 4), np.ones(5), "valid")  # positively correlated
    q = 1 - 1 / block
    b = [(1 - i / t) * q**i + (i / t) * q ** (t - i) for i in range(1, t)]
    var = t * (acov(x, 0) + 2 * sum(b[i - 1] * acov(x, i) for i in range(1, t)))
    sums = stationary_block_sums(x[:, None], block, 4000, rng)[:, 0]
    assert np.var(sums, ddof=1) == pytest.approx(var, rel=4 * np.sqrt(2 / 3999))
    # block length 1: i.i.d. resampling, Var = T * population variance
    iid = stationary_block_sums(x[:, None], 1.0, 4000, rng)[:, 0]
    assert np.var(iid, ddof=1) == pytest.approx(t * np.var(x), rel=4 * np.sqrt(2 / 3999))


def test_block_sums_single_circular_block() -> None:
    """An expected block length far above T gives one block of T dates from a random start,
    wrapped circularly: every resample sums to the full-sample sum."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(37, 2))
    sums = stationary_block_sums(x, 1e12, 50, rng)
    np.testing.assert_allclose(sums, np.tile(x.sum(axis=0), (50, 1)), rtol=1e-10)


def test_p_value_ci_and_details_from_the_same_resamples() -> None:
    """The reported numbers recomputed from the same resamples (same seed, same block
    sums): add-one two-sided p = (1 + #{|e* - e| >= |e|}) / (B + 1) over resamples with at
    least one event, percentile intervals at the requested level, sd of e*."""
    rng = np.random.default_rng(12)
    y = np.r_[rng.normal(0.0, 0.02, 400), np.full(5, np.nan)]
    ev = np.array([10, 11, 60, 130, 190, 250, 251, 330, 390, 403])  # 403: incomplete
    y[ev[:-1]] += 0.01
    res = block_bootstrap_test(y, ev, 5, reps=300, block_length=8.0, level=0.9, seed=7)
    yc = y[:400]
    d = np.isin(np.arange(400), ev)
    sums = stationary_block_sums(
        np.column_stack([yc, yc * d, d]), 8.0, 300, np.random.default_rng(7)
    )
    ok = sums[:, 2] > 0
    ev_mean = sums[ok, 1] / sums[ok, 2]
    excess = ev_mean - sums[ok, 0] / 400
    obs = yc[d].mean() - yc.mean()
    p = (1 + np.sum(np.abs(excess - obs) >= abs(obs))) / (ok.sum() + 1)
    assert res.statistic == pytest.approx(obs, rel=1e-12)
    assert res.p_value == pytest.approx(p, rel=1e-12)
    assert res.details["ci_low"] == pytest.approx(np.quantile(excess, 0.05), rel=1e-12)
    assert res.details["ci_high"] == pytest.approx(np.quantile(excess, 0.95), rel=1e-12)
    assert res.details["mean"] == pytest.approx(yc[d].mean(), rel=1e-12)
    assert res.details["mean_ci_low"] == pytest.approx(np.quantile(ev_mean, 0.05), rel=1e-12)
    assert res.details["mean_ci_high"] == pytest.approx(np.quantile(ev_mean, 0.95), rel=1e-12)
    assert res.details["se"] == pytest.approx(np.std(excess, ddof=1), rel=1e-12)
    assert res.details["block_length"] == 8.0
    assert res.details["reps"] == ok.sum()
    assert res.details["level"] == 0.9
    assert res.distribution == f"stationary bootstrap ({ok.sum()} resamples)"
    assert res.null_hypothesis == "event mean forward return equals the unconditional baseline mean"
    assert "Politis, D. N. & Romano, J. P. (1994)" in res.reference
    assert "null-centred bootstrap distribution of the excess with the add-one rule" in res.method


def test_resamples_without_events_are_dropped() -> None:
    """3 events in 200 dates, block length 1 (i.i.d.): a resample misses every event with
    probability (197/200)^200 = 4.9%; those are not counted in reps."""
    rng = np.random.default_rng(13)
    y = rng.normal(size=200)
    res = block_bootstrap_test(y, [20, 100, 180], 1, reps=2000, block_length=1.0, seed=1)
    miss = (197 / 200) ** 200
    dropped = 2000 - res.details["reps"]
    assert abs(dropped - 2000 * miss) <= 4 * np.sqrt(2000 * miss * (1 - miss))
    assert dropped > 0


def test_default_block_length_floor_cap_and_fallback() -> None:
    """max(Politis-White, h, 1), capped at T / 3; a non-finite optimum (constant series)
    falls back to 1."""
    from eventstudy.inference.block_length import optimal_block_length  # = arch's, see
    # tests/inference/test_block_length.py

    rng = np.random.default_rng(14)
    x = np.convolve(rng.normal(size=620), np.ones(21), "valid")  # 600 obs, optimum > 1
    opt = optimal_block_length(x)[0]
    assert 1 < opt < 200
    assert bootstrap_block_length(x, 1) == pytest.approx(opt, rel=1e-10)
    assert bootstrap_block_length(x, 150) == 150.0
    assert bootstrap_block_length(x, 250) == 200.0  # T / 3
    huge = rng.normal(0.0, 1e160, 100)  # autocovariances overflow: NaN optimum
    with np.errstate(over="ignore", invalid="ignore"):
        assert bootstrap_block_length(huge, 1) == 1.0
        assert bootstrap_block_length(huge, 4) == 4.0
    res = block_bootstrap_test(x, [10, 200, 400], 1, reps=20, seed=0)
    assert res.details["block_length"] == pytest.approx(opt, rel=1e-10)


def test_validation_and_not_applicable_reasons() -> None:
    y = np.linspace(0, 1, 100)
    assert block_bootstrap_test(y, [1, 2], 5).reason == "only 2 complete events (need >= 3)"
    one = block_bootstrap_test(y, [1, 2, 3], 50)
    assert one.reason == "only 1 non-overlapping episode(s) (need >= 2)"
    assert block_bootstrap_test(y, [1, 50, 99], 1, reps=10, seed=0).applicable
    flat = block_bootstrap_test(np.ones(100), [1, 50, 90], 5)
    assert flat.summary() == "bootstrap: not applicable (forward returns have zero variance)"
    assert "circular stationary block bootstrap" in flat.method
    assert one.name == "bootstrap"
    assert block_bootstrap_test(y, [1, 2], 5).name == "bootstrap"
    with pytest.raises(ValueError, match="^level must be > 0.0, got 0.0$"):
        block_bootstrap_test(y, [1, 20, 40], 5, level=0.0)
    with pytest.raises(ValueError, match="^level must be <= 1.0, got 1.5$"):
        block_bootstrap_test(y, [1, 20, 40], 5, level=1.5)
    with pytest.raises(ValueError, match="^block_length must be >= 1.0, got 0.5$"):
        block_bootstrap_test(y, [1, 20, 40], 5, block_length=0.5)
    with pytest.raises(ValueError, match="^horizon_days must be >= 1, got 0$"):
        block_bootstrap_test(y, [1, 20, 40], 0)
    full = block_bootstrap_test(y, [1, 20, 40], 1, reps=50, level=1.0, seed=0)
    assert full.details["level"] == 1.0  # level 1: min and max of the resamples
    # 2,000 replications by default (every resample holds an event: one date in five is one)
    dense = block_bootstrap_test(y, np.arange(0, 100, 5), 1, seed=0)
    assert dense.details["reps"] == 2000


def test_bootstrap_episode_boundary_defaults_and_labels() -> None:
    """Exactly two episodes (clusters of overlapping windows) is enough, one is not; the
    default number of resamples is 2000 (``details["reps"]`` counts the valid ones); the result names and describes the method."""
    y = np.random.default_rng(8).normal(0.0, 0.01, 400)
    two = block_bootstrap_test(y, [10, 12, 14, 200], 5, reps=50, seed=1)  # {10,12,14}, {200}
    assert two.applicable and two.name == "bootstrap"
    one = block_bootstrap_test(y, [10, 12, 14], 5, reps=50, seed=1)
    assert not one.applicable and one.name == "bootstrap"
    assert "only 1 non-overlapping episode(s) (need >= 2)" in one.reason
    default = block_bootstrap_test(y, [10, 100, 200, 300], 5, seed=1)
    assert 1900 < default.details["reps"] <= 2000  # valid resamples out of the default 2000
    assert default.method.startswith(
        "circular stationary block bootstrap of (forward return, event dummy)"
    )
    assert (
        "dates (vectorized block sums); percentile intervals; two-sided p-value from the"
        in default.method
    )
    assert default.method.endswith(
        "null-centred bootstrap distribution of the excess with the add-one rule"
    )
    with pytest.raises(ValueError, match="horizon_days must be >= 1"):
        block_bootstrap_test(y, [10, 100, 200], 0)


class _ShortFirst:
    """A generator whose first geometric draw is all ones, so the first set of blocks is too
    short to cover the sample and stationary_blocks must extend every resample."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.first = True

    def geometric(self, p: float, size: tuple[int, int]) -> np.ndarray:
        if self.first:
            self.first = False
            return np.ones(size, dtype=np.int64)
        return self.rng.geometric(p, size=size)

    def integers(self, low: int, high: int, size: tuple[int, int]) -> np.ndarray:
        return self.rng.integers(low, high, size=size)


def test_blocks_are_extended_until_they_cover_the_sample() -> None:
    """Every resample covers exactly T dates with blocks inside the doubled series, even when
    the first set of blocks falls short (forced here); column sums of ones are T."""
    from eventstudy.inference.bootstrap import block_sums, stationary_blocks

    t = 400
    begin, end = stationary_blocks(t, 5.0, 30, _ShortFirst(3))  # type: ignore[arg-type]
    nblocks = int(np.ceil(t / 5.0 + 8.0 * np.sqrt(t / 5.0) + 10))
    assert begin.shape == end.shape and begin.shape[0] == 30
    assert begin.shape[1] > nblocks  # extended
    assert ((end - begin) >= 0).all() and (begin >= 0).all() and (begin < t).all()
    assert (end <= 2 * t).all()
    np.testing.assert_array_equal((end - begin).sum(axis=1), t)
    sums = block_sums(np.ones((t, 1)), begin, end)
    np.testing.assert_array_equal(sums[:, 0], t)


def test_compact_blocks_keep_every_date_and_pair_sums_match_block_sums() -> None:
    """The compact blocks cover the same dates as the drawn ones (the empty blocks dropped),
    their sums equal a direct sum over the resampled dates, and the paired sums of two columns
    have exactly the digits of each column summed alone."""
    from eventstudy.inference.bootstrap import (
        block_sums,
        compact_blocks,
        pair_sums,
        stationary_blocks,
    )

    rng = np.random.default_rng(11)
    t = 300
    x, d = rng.normal(size=t), (rng.random(t) < 0.1).astype(float)
    begin, end = stationary_blocks(t, 7.0, 40, rng)
    first, last, offsets = compact_blocks(begin, end)
    assert (last > first).all() and first.size == int((end > begin).sum())
    for r in (0, 17, 39):  # the resample's dates, block by block
        stop = offsets[r + 1] if r + 1 < offsets.size else first.size
        dates = np.concatenate(
            [
                np.arange(a, b) % t
                for a, b in zip(first[offsets[r] : stop], last[offsets[r] : stop], strict=True)
            ]
        )
        assert dates.size == t
        np.testing.assert_allclose(
            block_sums(x[:, None], begin, end)[r, 0], x[dates].sum(), rtol=1e-12
        )
    xs, ds = pair_sums(x * d, d, (first, last, offsets))
    alone = block_sums(np.column_stack([x * d, d]), begin, end)
    assert np.array_equal(xs, alone[:, 0]) and np.array_equal(ds, alone[:, 1])
