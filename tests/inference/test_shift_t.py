"""Studentized circular-shift test (eventstudy.inference.shift_t): every rotation's HAC t
against hac_test run on that rotation, the p-value against a loop, its vectorized size against
the test itself, and its validity where the raw shift test fails."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.inference.hac import hac_test
from eventstudy.inference.run import default_for, run_tests, timeseries_tests
from eventstudy.inference.shift import shift_test
from eventstudy.inference.shift_t import rotation_t, rotation_t_at, shift_t_test
from eventstudy.inference.size import _shift_t_p, size_on_data


def _by_hand(y: np.ndarray, ev: np.ndarray, h: int) -> np.ndarray:
    """hac_test's own t-statistic on the events moved by every rotation (independent code)."""
    t = y.size
    return np.array([hac_test(y, np.sort((ev + k) % t), h).statistic for k in range(t)])


def _overlapping(t: int, h: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.convolve(rng.normal(0, 0.01, t + h - 1), np.ones(h), "valid")


@pytest.mark.parametrize(("t", "n", "h"), [(60, 3, 5), (150, 12, 10), (300, 40, 21)])
def test_every_rotation_is_hac_tests_own_t(t: int, n: int, h: int) -> None:
    """Clustered events, some within the band of each other and some across the seam (the
    pairs whose distance a rotation turns into T - d)."""
    rng = np.random.default_rng(t)
    y = _overlapping(t, h, t)
    starts = rng.choice(t - 3, n // 3 + 1, replace=False)
    ev = np.unique(np.concatenate([starts, starts + 2, [0, t - 1]]))[:n]
    ev = np.unique(np.concatenate([ev, [t - 2, 1]]))
    expected = _by_hand(y, ev, h)
    np.testing.assert_allclose(rotation_t(y, ev, h), expected, rtol=1e-9, atol=1e-12)
    res = shift_t_test(y, ev, h)
    obs = expected[0]
    p = np.count_nonzero(np.abs(expected) >= abs(obs) - 1e-9 * np.abs(expected).max()) / t
    assert res.statistic == pytest.approx(obs, rel=1e-12)
    assert res.p_value == pytest.approx(p, abs=1e-15)
    assert res.details["shifts"] == t and res.details["no_variance"] == 0
    assert res.distribution == f"HAC t over {t} circular shifts of the event dates"
    lo, hi = np.quantile(expected, [0.025, 0.975])
    assert (res.details["null_q025"], res.details["null_q975"]) == pytest.approx((lo, hi))
    assert res.details["percentile"] == pytest.approx(np.mean(expected <= obs + 1e-12))
    d = np.zeros(t, dtype=bool)
    d[ev] = True
    assert res.details["excess"] == pytest.approx(y[d].mean() - y[~d].mean(), rel=1e-12)


def test_a_rotation_without_uniform_variance_takes_the_bartlett_fallback() -> None:
    """A series whose truncated-kernel variance is negative for some sets: those rotations
    get hac_test's Bartlett number, as hac_test itself falls back."""
    t, h = 120, 12
    y = np.where(np.arange(t) % 2 == 0, 1.0, -1.0) + 0.01 * np.sin(np.arange(t))
    ev = np.array([20, 21, 32, 70, 71, 82])  # pairs at odd distances, one beyond the band
    expected = _by_hand(y, ev, h)
    fallbacks = [
        k
        for k in range(t)
        if hac_test(y, np.sort((ev + k) % t), h).details.get("kernel") == "bartlett (fallback)"
    ]
    assert fallbacks  # the case exercises the fallback
    got = rotation_t(y, ev, h)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_size_on_data_uses_the_tests_own_p_values() -> None:
    """The vectorized p-values of the shifted sets equal shift_t_test run on each of them."""
    t, h = 400, 10
    y = _overlapping(t, h, 4)
    ev = np.array([20, 25, 90, 160, 170, 250, 330])
    shifts = np.array([10, 57, 133, 200, 377])
    got = _shift_t_p(y, ev, shifts, h)
    want = [shift_t_test(y, np.sort((ev + k) % t), h).p_value for k in shifts]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
    res = size_on_data(y, ev, h, draws=50, tests=("shift_t", "hac"), effect=0.01, seed=1)
    assert res["shift_t"].applicable > 0 and np.isnan(res["shift_t"].power)
    assert not np.isnan(res["hac"].power)


def test_registered_and_the_default() -> None:
    assert "shift_t" in timeseries_tests()
    assert default_for(("shift", "shift_t", "hac")) == "shift_t"
    assert default_for(("shift", "hac")) == "hac"  # the calibration's order: hac before shift
    y = _overlapping(300, 5, 2)
    out = run_tests(y, np.array([10, 80, 150, 220]), 5, tests=("shift_t",))
    assert out["shift_t"].applicable and out["shift_t"].name == "shift_t"


def test_not_applicable_cases_say_why() -> None:
    y = _overlapping(100, 5, 3)
    assert "only 2 complete events" in shift_t_test(y, [3, 50], 5).reason
    assert "zero variance" in shift_t_test(np.ones(100), [3, 50, 70], 5).reason


@pytest.mark.slow
def test_volatile_events_fool_the_raw_shift_test_not_the_studentized_one() -> None:
    """Events that fire in the volatile stretches of a market without predictability (the
    signal is |return| itself, as a divergence or record signal is): ranked by their raw
    excess against rotations that land in calm times, they are rejected far too often;
    studentized, close to the nominal 5% (Chung & Romano 2013).  300 simulated markets."""
    h, t = 21, 2500
    raw, studentized = [], []
    for rep in range(300):  # a loop over simulated markets: the reference experiment
        rng = np.random.default_rng(rep)
        vol = np.where((np.arange(t + h) // 500) % 2 == 0, 0.005, 0.03)  # calm, wild, ...
        r = rng.normal(0.0, 1.0, t + h) * vol
        y = np.convolve(r, np.ones(h), "valid")[1 : t + 1]  # r[s+1..s+h]: no look-ahead
        trig = np.flatnonzero(np.abs(r[:t]) > 2.0 * 0.03)  # big days: only in wild stretches
        ev, last = [], -(10**9)
        for p in trig:  # declustered, min_gap = h
            if p - last >= h:
                ev.append(p)
                last = p
        if len(ev) < 5:
            continue
        e = np.array(ev)
        raw.append(shift_test(y, e, h).p_value < 0.05)
        studentized.append(shift_t_test(y, e, h).p_value < 0.05)
    assert len(raw) > 250
    assert np.mean(raw) > 0.09  # the raw test over-rejects (13.5% on the first 200)
    assert np.mean(studentized) < 0.09  # 5% +- 3 standard errors of 300 draws


def test_rotations_in_chunks_are_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of a few rotations (each event's slice starting mid-series) give the numbers of
    one chunk; and a pair at distance T - lags, which a rotation brings exactly to the band's
    edge, counts as hac_test counts it."""
    import eventstudy.inference.shift_t as module

    t, h = 60, 5  # lags 4: events 1 and 57 are T - 4 apart
    y = _overlapping(t, h, 8)
    ev = np.array([1, 20, 22, 57])
    whole = rotation_t(y, ev, h)
    np.testing.assert_allclose(whole, _by_hand(y, ev, h), rtol=1e-9, atol=1e-12)
    monkeypatch.setattr(module, "_CHUNK", 7 * (ev.size + 6))
    np.testing.assert_allclose(rotation_t(y, ev, h), whole, rtol=1e-12, atol=1e-14)


def test_every_reason_of_not_applicable_is_shift_ts(monkeypatch: pytest.MonkeyPatch) -> None:
    import eventstudy.inference.shift_t as module

    y = _overlapping(100, 5, 3)
    cases = [
        (shift_t_test(y, [3, 50], 5), "only 2 complete events (need >= 3)"),
        (shift_t_test(np.ones(100), [3, 50, 70], 5), "forward returns have zero variance"),
        (
            shift_t_test(y[:4], [0, 1, 2, 3], 1),
            "every complete date is an event: no comparison dates",
        ),
    ]
    assert shift_t_test(y[:4], [0, 1, 3], 1).applicable  # one comparison date is enough
    monkeypatch.setattr(module, "orbit_t", lambda *a: np.full(100, np.nan))
    cases.append((shift_t_test(y, [3, 50, 70], 5), "the events' HAC variance is not positive"))
    for res, reason in cases:
        assert (res.name, res.applicable, res.reason) == ("shift_t", False, reason)
        assert "HAC t" in res.method and res.reference == module.REFERENCE


def test_the_shifted_sets_without_variance_have_no_p_value() -> None:
    """A constant series: no rotation has a positive variance, so no p-value is made up."""
    assert np.isnan(_shift_t_p(np.ones(50), np.array([3, 20, 40]), np.array([5, 9]), 3)).all()


def test_a_gap_of_exactly_h_at_the_wrap_splits_nothing() -> None:
    """Windows h days apart do not overlap (a new episode), so a wrap in that gap keeps the
    episodes whole; a wrap inside a gap of h - 1 splits one; when every event wraps, none is
    split."""
    from eventstudy.inference.size import _keeps_episodes

    t, h = 100, 10
    positions = np.arange(t)
    at_h = np.array([40, 50, 80])  # 50 - 40 = h: two episodes
    assert _keeps_episodes(positions, at_h, np.array([55]), h).tolist() == [True]
    below = np.array([40, 49, 80])  # 9 < h: one episode across 40 and 49
    assert _keeps_episodes(positions, below, np.array([55]), h).tolist() == [False]
    close = np.array([40, 49, 55])  # every event wraps: the last gap (6) is split by nothing
    assert _keeps_episodes(positions, close, np.array([61, 70]), h).tolist() == [True, True]


@pytest.mark.parametrize(("t", "n", "h"), [(60, 3, 5), (150, 12, 10), (300, 40, 21), (900, 60, 63)])
def test_rotation_t_at_reads_rotation_t_at_the_requested_shifts(t: int, n: int, h: int) -> None:
    """The t-statistics at chosen shifts (unsorted, repeated, 0 and T - 1 among them, and
    shifts beyond T taken modulo T) are rotation_t's at those shifts, to 1e-12 relative:
    the same decomposition, with the pairs that straddle the seam corrected shift by shift
    instead of rotation by rotation."""
    rng = np.random.default_rng(t + n)
    y = _overlapping(t, h, t + 1)
    starts = rng.choice(t - 3, n // 3 + 1, replace=False)
    ev = np.unique(np.concatenate([starts, starts + 2, [0, 1, t - 2, t - 1]]))
    shifts = np.concatenate([rng.integers(0, t, 40), [0, t - 1, 1, 7, 7, t + 3]])
    every = rotation_t(y, ev, h)
    got = rotation_t_at(y, ev, h, shifts)
    np.testing.assert_allclose(got, every[shifts % t], rtol=1e-12, atol=0)
    assert got[-2] == got[-3]  # a repeated shift, the same number
    # every shift at once: the whole orbit
    np.testing.assert_allclose(rotation_t_at(y, ev, h, np.arange(t)), every, rtol=1e-12, atol=0)


def test_rotation_t_at_is_hac_tests_own_t_on_shifted_sets() -> None:
    """Independent of rotation_t: hac_test run on a few shifted sets, among them shifts that
    carry a pair of events across the seam (an event at T - 2 with one at 3 after the
    shift, and the reverse)."""
    t, h = 500, 21
    y = _overlapping(t, h, 9)
    ev = np.array([2, 5, 30, 31, 45, 200, 210, 480, 490, 497])
    shifts = np.array([0, 1, 3, 10, 15, 250, 301, 499])
    want = [hac_test(y, np.sort((ev + k) % t), h).statistic for k in shifts]
    np.testing.assert_allclose(rotation_t_at(y, ev, h, shifts), want, rtol=1e-9, atol=0)


def test_rotation_t_at_takes_the_bartlett_fallback_where_hac_test_does() -> None:
    t, h = 120, 12
    y = np.where(np.arange(t) % 2 == 0, 1.0, -1.0) + 0.01 * np.sin(np.arange(t))
    ev = np.array([20, 21, 32, 70, 71, 82])
    shifts = np.arange(0, t, 3)
    want = np.array([hac_test(y, np.sort((ev + k) % t), h).statistic for k in shifts])
    got = rotation_t_at(y, ev, h, shifts)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True)
    kernels = {hac_test(y, np.sort((ev + k) % t), h).details.get("kernel") for k in shifts}
    assert "bartlett (fallback)" in kernels  # the case exercises the fallback


def test_rotation_t_at_in_blocks_of_shifts_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of a few shifts (the seam's corrections listed per block) give the same bits."""
    import eventstudy.inference.shift_t as shift_t

    y = _overlapping(400, 21, 3)
    ev = np.array([0, 3, 50, 52, 60, 200, 380, 395, 399])
    shifts = np.random.default_rng(1).integers(0, 400, 300)
    whole = rotation_t_at(y, ev, 21, shifts)
    monkeypatch.setattr(shift_t, "_CHUNK", 7 * (ev.size + 20))
    np.testing.assert_array_equal(rotation_t_at(y, ev, 21, shifts), whole)


def test_rotation_t_at_needs_no_fallback_where_the_variance_is_positive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The decomposition itself gives hac_test's t where its uniform variance is positive:
    the Bartlett fallback (which recomputes a shifted set from scratch) is never called. A
    wrong seam correction makes the variance negative at the shifts it touches, and the
    fallback would hide it (a mutation run found this)."""
    import eventstudy.inference.shift_t as shift_t_module

    t, h = 500, 21
    y = _overlapping(t, h, 9)
    ev = np.array([2, 5, 30, 31, 45, 200, 210, 480, 490, 497])
    shifts = np.arange(t)
    want = np.array([hac_test(y, np.sort((ev + k) % t), h).statistic for k in shifts])

    def no_fallback(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fallback ran")

    monkeypatch.setattr(shift_t_module, "_hac_t", no_fallback)
    np.testing.assert_allclose(rotation_t_at(y, ev, h, shifts), want, rtol=1e-9, atol=0)
    np.testing.assert_allclose(rotation_t(y, ev, h), want, rtol=1e-9, atol=0)


def test_neighbours_within_the_band_only_across_the_seam() -> None:
    """Events at 1, 2 and T - 3: the sorted neighbours 2 and T - 3 are at circular distance 5,
    within the band only across the seam (a pair of adjacent indices, which the upper
    triangle of the pairs must keep)."""
    t, h = 200, 10
    y = _overlapping(t, h, 4)
    ev = np.array([1, 2, t - 3])
    shifts = np.arange(t)  # hac_test calls these three events one episode: rotation_t's t
    want = rotation_t(y, ev, h)
    assert np.isfinite(want).all()
    np.testing.assert_allclose(rotation_t_at(y, ev, h, shifts), want, rtol=1e-12, atol=0)


@pytest.mark.parametrize(("t", "lags"), [(40, 25), (300, 9), (1000, 30)])
def test_rotation_t_at_lists_the_pairs_of_the_table(t: int, lags: int) -> None:
    """The pairs within the band on the circle, listed by sorted search (O(n lags)), are the
    n x n table's (``np.nonzero`` of its upper triangle), in its order; at T <= 2 lags a pair
    can be in both lists."""
    from eventstudy.inference.shift_t import _runs

    rng = np.random.default_rng(t)
    ev = np.sort(rng.choice(t, min(t // 3, 60), replace=False))
    n = ev.size
    dist = ev[None, :] - ev[:, None]
    near1, near2 = np.triu(dist <= lags, 1), np.triu(t - dist <= lags, 1)
    idx = np.arange(n)
    got1 = _runs(idx + 1, np.searchsorted(ev, ev + lags, side="right"))
    got2 = _runs(
        np.maximum(np.searchsorted(ev, ev + t - lags, side="left"), idx + 1), np.full(n, n)
    )
    for got, table in ((got1, near1), (got2, near2)):
        want = np.nonzero(table)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
    y = _overlapping(t, 5, 1)
    np.testing.assert_allclose(
        rotation_t_at(y, ev, lags + 1, np.arange(t)), rotation_t(y, ev, lags + 1), rtol=1e-11
    )
