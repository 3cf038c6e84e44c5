"""Inference across specifications: the circular-shift joint null, reality check, SPA,
Romano–Wolf stepdown and specification-curve tests, each against an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eventstudy.inference.search import (
    circular_shift_null,
    reality_check,
    romano_wolf,
    spa,
    specification_curve_test,
)

RTOL = 1e-12


def test_circular_shift_null_equals_shifting_by_hand() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=257)
    sets = [
        np.array([3, 50, 51, 200]),
        np.array([0, 256]),
        np.array([], dtype=int),
        np.arange(0, 257, 7),
    ]
    shifts = np.array([1, 5, 128, 256, 300])
    obs, null = circular_shift_null(y, sets, shifts)
    for j, e in enumerate(sets):
        if e.size == 0:
            assert math.isnan(obs[j]) and np.all(np.isnan(null[:, j]))
            continue
        assert obs[j] == pytest.approx(y[e].mean() - y.mean(), rel=RTOL, abs=1e-14)
        for d, s in enumerate(shifts):
            moved = (e + s) % y.size
            assert null[d, j] == pytest.approx(y[moved].mean() - y.mean(), rel=1e-10, abs=1e-13)
    # over all T shifts the null excess averages to zero exactly (each date is hit equally)
    _, every = circular_shift_null(y, sets[:1], np.arange(y.size))
    assert every.mean() == pytest.approx(0.0, abs=1e-14)
    with pytest.raises(ValueError, match="event positions must lie in 0..256"):
        circular_shift_null(y, [np.array([257])], shifts)
    with pytest.raises(ValueError, match="without NaN"):
        circular_shift_null(np.array([1.0, np.nan]), [np.array([0])], [1])


def _brute_romano_wolf(obs: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Stepdown written out: at step k compare obs of the k-th largest with the null maximum
    over the not-yet-rejected set; enforce monotonicity (Romano & Wolf 2005, algorithm 4.1)."""
    order = list(np.argsort(-obs, kind="stable"))
    out = np.empty(obs.size)
    prev = 0.0
    for k, j in enumerate(order):
        rest = order[k:]
        m = null[:, rest].max(axis=1)
        p = (np.sum(m >= obs[j]) + 1) / (null.shape[0] + 1)
        prev = max(prev, p)
        out[j] = prev
    return out


def test_romano_wolf_and_reality_check_by_hand() -> None:
    rng = np.random.default_rng(1)
    null = rng.normal(size=(999, 12))
    obs = rng.normal(size=12)
    obs[3] = 4.0  # one clear effect
    got = romano_wolf(obs, null)
    np.testing.assert_allclose(got, _brute_romano_wolf(obs, null), rtol=RTOL)
    assert got[3] == (np.sum(null.max(axis=1) >= 4.0) + 1) / 1000
    assert reality_check(obs, null) == got[3]  # the first step of the stepdown is the RC
    neg = romano_wolf(-obs, -null, "negative")
    np.testing.assert_allclose(neg, got, rtol=RTOL)
    two = romano_wolf(obs, null, "two-sided")
    np.testing.assert_allclose(two, _brute_romano_wolf(np.abs(obs), np.abs(null)), rtol=RTOL)
    obs2 = obs.copy()
    obs2[0] = np.nan
    assert np.isnan(romano_wolf(obs2, null)[0])
    with pytest.raises(ValueError, match="direction must be"):
        romano_wolf(obs, null, "up")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"obs must be \(J,\) and null \(D, J\)"):
        reality_check(obs[:5], null)


def test_reality_check_and_spa_agree_with_arch() -> None:
    # arch's SPA on loss differentials: its simulated values (re-centred bootstrap means) are
    # a joint null; the same maximum rule must give arch's p-values ("upper" = White's RC,
    # "lower" leaves specifications below zero uncentred)
    from arch.bootstrap import SPA

    rng = np.random.default_rng(2)
    t, k = 500, 6
    benchmark = rng.normal(1.0, 1.0, t)
    models = (
        benchmark[:, None] + rng.normal(0.0, 1.0, (t, k)) + np.array([0.05, 0, -0.1, 0, 0, -0.3])
    )
    spa_arch = SPA(benchmark, models, reps=999, seed=3, studentize=False)
    spa_arch.compute()
    loss_diff = benchmark[:, None] - models
    obs = loss_diff.mean(axis=0)
    sim = spa_arch._simulated_vals  # (k, reps, [lower, consistent, upper])
    upper = sim[:, :, 2].T
    # arch: share of draws with max > observed max (strict, no add-one)
    arch_p = float(spa_arch.pvalues["upper"])
    ours_count = (reality_check(obs, upper) * 1000) - 1  # add-one rule, >= instead of >
    assert ours_count == pytest.approx(np.sum(upper.max(axis=1) >= obs.max()))
    assert arch_p == pytest.approx(np.mean(upper.max(axis=1) > obs.max()), rel=RTOL)
    assert abs(reality_check(obs, upper) - arch_p) <= 2 / 1000
    # SPA's consistent centring leaves clearly worse models out: never above the RC p-value
    assert spa(obs, upper) <= reality_check(obs, upper)


def test_specification_curve_test_by_hand() -> None:
    rng = np.random.default_rng(4)
    null = rng.normal(size=(1999, 30))
    obs = rng.normal(size=30) + 0.8
    res = specification_curve_test(obs, null, alpha=0.05)
    med_null = np.median(null, axis=1)
    assert res["median"] == pytest.approx(np.median(obs), rel=RTOL)
    assert res["p_median"] == (np.sum(med_null >= np.median(obs)) + 1) / 2000
    crit = np.array([np.sort(null[:, j])[math.ceil(0.95 * 1999) - 1] for j in range(30)])
    n_sig = int(np.sum(obs > crit))
    assert res["n_significant"] == n_sig
    assert res["p_share"] == (np.sum((null > crit).sum(axis=1) >= n_sig) + 1) / 2000
    assert res["p_median"] < 0.01 and res["p_share"] < 0.01 and res["n"] == 30
