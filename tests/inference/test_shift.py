"""Circular-shift randomization test (eventstudy.inference.shift)."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.inference.shift import shift_test


def _rotations(y: np.ndarray, ev: np.ndarray) -> np.ndarray:
    """The excess of the event set moved by every rotation, by hand."""
    t = y.size
    return np.array([y[(ev + s) % t].mean() - y.mean() for s in range(t)])


def _brute(y: np.ndarray, ev: np.ndarray) -> tuple[float, float]:
    """Excess and p-value by moving the event set through every rotation by hand."""
    excess = _rotations(y, ev)
    return float(excess[0]), float(np.mean(np.abs(excess) >= abs(excess[0]) - 1e-12))


def test_matches_every_rotation_by_hand() -> None:
    """Statistic and p-value equal a direct loop over all T rotations (independent code)."""
    rng = np.random.default_rng(3)
    for t, n in ((40, 3), (97, 10), (250, 30)):
        y = rng.normal(size=t) + np.sin(np.arange(t) / 7.0)
        ev = np.sort(rng.choice(t, n, replace=False))
        res = shift_test(y, ev, 5)
        obs, p = _brute(y, ev)
        assert res.statistic == pytest.approx(obs, abs=1e-12)
        assert res.p_value == pytest.approx(p, abs=1e-15)
        excess = _rotations(y, ev)
        d = res.details
        assert d["shifts"] == t
        assert d["null_std"] == pytest.approx(excess.std(ddof=1), rel=1e-9)
        lo, hi = np.quantile(excess, [0.025, 0.975])
        assert (d["null_q025"], d["null_q975"]) == pytest.approx((lo, hi), rel=1e-9, abs=1e-12)
        assert d["percentile"] == pytest.approx(np.mean(excess <= obs + 1e-12), abs=1e-15)
        assert (
            res.name == "shift"
            and res.distribution == f"excess over {t} circular shifts of the event dates"
        )
        assert f"over the {t} complete dates" in res.method


def test_only_complete_dates_rotate() -> None:
    """The last h dates (NaN forward returns) are outside the circle; an event on them is
    incomplete and does not count."""
    rng = np.random.default_rng(4)
    y = rng.normal(size=60)
    y[-5:] = np.nan
    res = shift_test(y, [3, 20, 41, 57], 5)
    obs, p = _brute(y[:55], np.array([3, 20, 41]))
    assert res.p_value == pytest.approx(p, abs=1e-15)
    assert res.statistic == pytest.approx(obs, abs=1e-12)
    assert res.details["shifts"] == 55


def test_size_is_exact_for_rotated_event_sets() -> None:
    """A clustered event pattern placed at a uniformly random rotation of serially dependent
    returns (AR(1), phi 0.9): the test rejects at 5% in 5% of 2,000 replications (exact up to
    the count of rotations; 4 sd band), where a naive t-test on the same clustered, overlapping
    events rejects far more often."""
    rng = np.random.default_rng(5)
    t, reps = 400, 2000
    pattern = np.array([0, 3, 6, 9, 60, 63, 66, 200, 203])
    reject = 0
    for _ in range(reps):  # loop over replications of a test of the test
        e = rng.normal(size=t)
        y = np.empty(t)
        y[0] = e[0]
        for i in range(1, t):
            y[i] = 0.9 * y[i - 1] + e[i]
        ev = np.sort((pattern + rng.integers(t)) % t)
        reject += shift_test(y, ev, 1).p_value <= 0.05
    rate = reject / reps
    assert abs(rate - 0.05) < 4 * np.sqrt(0.05 * 0.95 / reps)


def test_planted_effect_is_found_and_not_applicable() -> None:
    rng = np.random.default_rng(6)
    y = rng.normal(0, 0.05, 3000)
    ev = np.arange(100, 2900, 150)
    y[ev] += 0.1
    res = shift_test(y, ev, 1)
    assert res.p_value < 0.01 and res.statistic > 0.05
    assert res.details["null_q025"] < 0 < res.details["null_q975"]
    none = shift_test(y, [5, 9], 1)
    assert not none.applicable and none.name == "shift"
    assert none.reason == "only 2 complete events (need >= 3)"
    flat = shift_test(np.full(50, 0.01), [5, 9, 30], 1)
    assert not flat.applicable and flat.name == "shift"
    assert flat.reason == "forward returns have zero variance"
    assert flat.method.endswith("two-sided randomization p-value of the excess")
