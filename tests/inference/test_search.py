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


@pytest.fixture(params=["as configured", "transform only"])
def _method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test of circular_shift_null runs as configured (small sets summed directly) and
    with every set transformed by FFT."""
    if request.param == "transform only":
        import eventstudy.inference.search as search

        monkeypatch.setattr(search, "_DIRECT", 0)
    return str(request.param)


def test_circular_shift_null_equals_shifting_by_hand(_method: str) -> None:
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


def _uninformative_sets(rng: np.random.Generator, t: int, h: int, n_specs: int) -> list[np.ndarray]:
    """Event sets of a persistent signal independent of the returns: an AR(1) crossing
    thresholds, declustered by different gaps (bursty, overlapping windows)."""
    x = np.empty(t)
    x[0] = 0.0
    e = rng.normal(size=t)
    for i in range(1, t):  # the signal path, built once per replication
        x[i] = 0.97 * x[i - 1] + e[i]
    sets = []
    levels = np.linspace(1.0, 3.0, n_specs // 2)
    for k, level in enumerate(np.repeat(levels, 2)):
        gap = (5, 21)[k % 2]
        trig = np.flatnonzero(x[: t - h] > level * x.std())
        keep, last = [], -(10**9)
        for p in trig:
            if p - last >= gap:
                keep.append(p)
                last = p
        sets.append(np.asarray(keep, dtype=np.int64))
    return sets


@pytest.mark.slow
def test_family_wise_error_is_controlled_and_a_planted_effect_is_found() -> None:
    # 300 replications of 40 uninformative specifications on overlapping 21-day forward returns
    # of i.i.d. daily returns: Romano–Wolf / reality check reject in <= 5% of replications
    # (+ 3 binomial standard errors), while rejecting any specification at its own 5% level
    # happens far more often; a +2% planted effect in 4 specifications is found.
    rng = np.random.default_rng(20261122)
    reps, t, h, j = 300, 2500, 21, 40
    any_naive = rw_any = rc_any = 0
    found = []
    for _ in range(reps):  # replications of the whole search
        r = rng.normal(0.0003, 0.01, t + h)
        y = np.convolve(r, np.ones(h), mode="valid")[1 : t + 1]  # overlapping h-day sums
        sets = [s for s in _uninformative_sets(rng, t, h, j) if s.size >= 3]
        shifts = np.unique(np.round(np.linspace(1, t - 1, 500)).astype(int))
        obs, null = circular_shift_null(y, sets, shifts)
        sd = null.std(axis=0, ddof=1)
        z, zn = obs / sd, null / sd
        marginal = (np.sum(np.abs(zn) >= np.abs(z), axis=0) + 1) / (shifts.size + 1)
        any_naive += bool(np.any(marginal < 0.05))
        rw_any += bool(np.any(romano_wolf(z, zn, "two-sided") < 0.05))
        rc_any += reality_check(z, zn, "two-sided") < 0.05
        planted = y.copy()
        for s in sets[:4]:
            planted[s] += 0.02  # +2% on the forward return of each event of the first four
        obs_p, null_p = circular_shift_null(planted, sets, shifts)
        sd_p = null_p.std(axis=0, ddof=1)
        found.append(np.mean(romano_wolf(obs_p / sd_p, null_p / sd_p, "positive")[:4] < 0.05))
    se = math.sqrt(0.05 * 0.95 / reps)
    print(
        f"FWER naive {any_naive / reps:.3f}, RW {rw_any / reps:.3f}, RC {rc_any / reps:.3f}, "
        f"power {np.mean(found):.3f}"
    )
    assert rw_any / reps <= 0.05 + 3 * se, rw_any / reps
    assert rc_any / reps <= 0.05 + 3 * se, rc_any / reps
    assert any_naive / reps > 0.3  # the uncontrolled search finds "something" most times
    assert np.mean(found) > 0.8


def test_ties_count_as_at_least_as_extreme() -> None:
    # a null draw equal to the observed statistic counts (>=), in every test
    obs = np.array([1.0, 0.0])
    null = np.array([[1.0, 0.0], [0.0, 0.0], [-1.0, 0.0]])
    assert reality_check(obs, null) == 2 / 4  # draws 0 (tie) and the observed itself
    assert spa(obs, null) == 2 / 4
    np.testing.assert_allclose(romano_wolf(obs, null), [2 / 4, 1.0])
    res = specification_curve_test(np.array([1.0, 1.0]), np.array([[1.0, 1.0], [0.0, 0.0]]))
    assert res["p_median"] == 2 / 3
    # critical value = the higher 95% quantile of each null: 1.0; obs must exceed it strictly
    assert res["n_significant"] == 0 and res["p_share"] == 1.0


def test_nan_specifications_are_left_out_everywhere() -> None:
    rng = np.random.default_rng(5)
    null = rng.normal(size=(199, 4))
    obs = np.array([3.0, 0.5, -0.2, 1.0])
    null_nan = null.copy()
    null_nan[7, 1] = np.nan  # a specification whose null has a gap
    obs_nan = obs.copy()
    obs_nan[3] = np.nan
    keep = [0, 2]
    assert reality_check(obs_nan, null_nan) == reality_check(obs[keep], null[:, keep])
    assert spa(obs_nan, null_nan) == spa(obs[keep], null[:, keep])
    rw = romano_wolf(obs_nan, null_nan)
    assert np.isnan(rw[1]) and np.isnan(rw[3])
    np.testing.assert_allclose(rw[keep], romano_wolf(obs[keep], null[:, keep]), rtol=RTOL)
    curve = specification_curve_test(obs_nan, null_nan)
    assert curve == specification_curve_test(obs[keep], null[:, keep])
    assert curve["n"] == 2
    empty = specification_curve_test(np.array([np.nan]), np.zeros((5, 1)))
    assert empty["n"] == 0 and set(empty) == {"median", "p_median", "n_significant", "p_share", "n"}
    assert all(math.isnan(empty[k]) for k in ("median", "p_median", "n_significant", "p_share"))
    assert math.isnan(reality_check([np.nan], np.zeros((5, 1))))
    assert math.isnan(spa([np.nan], np.zeros((5, 1))))
    assert np.isnan(romano_wolf([np.nan], np.zeros((5, 1)))).all()
    # one specification, one draw: still defined
    assert romano_wolf([2.0], [[1.0]]).tolist() == [0.5]
    with pytest.raises(ValueError, match="need at least one specification and one null draw"):
        reality_check(np.zeros(0), np.zeros((3, 0)))
    with pytest.raises(ValueError, match="need at least one specification and one null draw"):
        reality_check(np.zeros(2), np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r"obs must be \(J,\) and null \(D, J\)"):
        reality_check(np.zeros((2, 1)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"obs must be \(J,\) and null \(D, J\)"):
        reality_check(np.zeros(3), np.zeros(3))


def test_spa_recentres_only_specifications_far_below_chance() -> None:
    # Hansen (2005) consistent recentring written out: a specification with a studentized
    # statistic below -sqrt(2 log log D) has its null shifted down by |obs|
    rng = np.random.default_rng(8)
    d = 499
    null = rng.normal(size=(d, 3))
    obs = np.array([1.2, -3.0, -1.0])
    thr = -math.sqrt(2 * math.log(math.log(d)))
    assert -3.0 < thr < -1.0
    shifted = null + np.array([0.0, -3.0, 0.0])
    expect = (np.sum(shifted.max(axis=1) >= 1.2) + 1) / (d + 1)
    assert spa(obs, null) == expect
    assert spa(obs, null) < reality_check(obs, null) or spa(obs, null) == reality_check(obs, null)
    # the threshold follows the sample length given: at 10**300 it is -3.6, below -3.0, so
    # nothing is recentred and SPA is the reality check
    assert spa(obs, null, n_draws_threshold=10**6) == expect
    assert spa(obs, null, n_draws_threshold=10**300) == reality_check(obs, null)
    # the negative direction mirrors the positive one
    assert spa(-obs, -null, "negative") == expect


def test_circular_shift_null_at_every_shift_of_an_odd_transform_length(_method: str) -> None:
    """313 dates: the doubled series pads to 625 = 5^4 points, an odd length, which the
    inverse transform must be told (by default it would return 624); every shift matches
    shifting by hand, and float positions are cast to integers."""
    from scipy import fft

    assert fft.next_fast_len(2 * 313 - 1, real=True) == 625
    rng = np.random.default_rng(2)
    y = rng.normal(size=313)
    e = np.array([0.0, 5.0, 77.0, 300.0, 312.0])
    shifts = np.arange(313)
    obs, null = circular_shift_null(y, [e], shifts)
    idx = e.astype(int)
    want = np.array([y[(idx + s) % 313].mean() for s in shifts]) - y.mean()
    np.testing.assert_allclose(null[:, 0], want, rtol=1e-10, atol=1e-13)
    assert obs[0] == pytest.approx(want[0], rel=1e-12, abs=1e-14)


def test_circular_shift_null_chunks_casts_and_weights(_method: str) -> None:
    # more specifications than one chunk (4e6 / T rows), positions and shifts given as lists
    # of Python numbers (shifts from np.linspace are floats)
    rng = np.random.default_rng(9)
    t = 200_003
    y = rng.normal(size=t)
    sets = [sorted(rng.choice(t, size=5, replace=False).tolist()) for _ in range(45)]
    shifts = np.linspace(10.0, 5000.0, 4)
    obs, null = circular_shift_null(y, sets, shifts)
    assert null.shape == (4, 45)
    for j in (0, 19, 20, 44):  # across the chunk boundary (chunk = 19 rows)
        e = np.asarray(sets[j])
        assert obs[j] == pytest.approx(y[e].mean() - y.mean(), rel=1e-9, abs=1e-12)
        for k, s in enumerate(shifts.astype(int)):
            assert null[k, j] == pytest.approx(
                y[(e + s) % t].mean() - y.mean(), rel=1e-9, abs=1e-12
            )
    with pytest.raises(ValueError, match="values must be a one-dimensional array without NaN"):
        circular_shift_null(np.zeros((2, 2)), [[0]], [1])
    obs1, _ = circular_shift_null(np.arange(4.0), [[]], [1])
    assert np.isnan(obs1).all()


def test_romano_wolf_rejects_the_models_arch_stepm_finds() -> None:
    # arch's StepM (Romano & Wolf 2005 via Hansen's SPA) on loss differentials: with its own
    # simulated null (consistent centring) our stepdown rejects the same models at 5%
    from arch.bootstrap import StepM

    rng = np.random.default_rng(11)
    t, k = 600, 8
    benchmark = rng.normal(1.0, 1.0, t)
    edge = np.array([0.0, 0.0, 0.45, 0.0, 0.35, 0.0, -0.2, 0.0])  # models 2 and 4 are better
    models = benchmark[:, None] + rng.normal(0.0, 1.0, (t, k)) - edge
    stepm = StepM(benchmark, models, size=0.05, reps=999, seed=5, studentize=False)
    stepm.compute()
    sim = stepm.spa._simulated_vals[:, :, 1].T  # (reps, k), consistent centring
    obs = (benchmark[:, None] - models).mean(axis=0)
    ours = np.flatnonzero(romano_wolf(obs, sim) < 0.05).tolist()
    assert ours == sorted(int(i) for i in stepm.superior_models) == [2, 4]


def test_circular_shift_null_sums_few_event_shifts_directly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Up to 150,000 events x (shifts + 1) a set's shifted sums are gathered (its observed
    excess is then exactly its excess at shift 0); beyond, the sets share one FFT pass."""
    from scipy import fft

    rng = np.random.default_rng(4)
    y = rng.normal(size=5000)
    shifts = np.r_[0, rng.integers(1, 5000, 1498)]  # 1,499 shifts
    small = np.sort(rng.choice(5000, 100, replace=False))  # 100 x 1,500 = 150,000
    large = np.sort(rng.choice(5000, 101, replace=False))  # 101 x 1,500 = 151,500
    transforms: list[int] = []
    rfft = fft.rfft

    def counted(*args: object, **kwargs: object) -> np.ndarray:
        transforms.append(1)
        return rfft(*args, **kwargs)

    monkeypatch.setattr(fft, "rfft", counted)
    obs, null = circular_shift_null(y, [small], shifts)
    assert transforms == [] and obs[0] == null[0, 0]
    obs, null = circular_shift_null(y, [small, large], shifts)
    assert len(transforms) == 2  # the values' transform and the large set's
    assert obs[0] == null[0, 0]
    for j, e in enumerate((small, large)):
        want = np.array([y[(e + s) % 5000].mean() for s in shifts]) - y.mean()
        np.testing.assert_allclose(null[:, j], want, rtol=1e-10, atol=1e-13)
    one, one_null = circular_shift_null(y, [np.array([7])], shifts)  # one event: summed
    assert len(transforms) == 2 and one[0] == one_null[0, 0] == y[7] - y.mean()
    # 7 events x (21,428 + 1) shifts = 150,003: transformed
    circular_shift_null(y, [small[:7]], np.arange(21_428))
    assert len(transforms) == 4


def test_circular_shift_null_counts_a_repeated_position_once(_method: str) -> None:
    """An event listed twice is one event, in both methods (helper review, 2026-12-07)."""
    y = np.arange(10.0)
    obs, null = circular_shift_null(y, [np.array([1, 1, 2])], [1, 7])
    once, once_null = circular_shift_null(y, [np.array([1, 2])], [1, 7])
    assert obs[0] == pytest.approx(once[0], abs=1e-12) and obs[0] == pytest.approx(-3.0)
    np.testing.assert_allclose(null, once_null, atol=1e-12)


def test_spa_is_one_when_every_statistic_points_against_the_claim() -> None:
    """Hansen's T = max(0, max_j t_j): 0 when every t is negative, and no draw is below it."""
    rng = np.random.default_rng(1)
    null = rng.normal(size=(499, 4))
    assert spa(np.array([-0.2, -1.0, -3.0, -0.5]), null) == 1.0
    for obs in (  # a positive maximum: max(0, .) changes nothing
        np.array([2.5, -1.0, 0.3, -0.5]),
        np.array([0.3, -2.2, 0.1, -0.5]),  # below sqrt(2 log log 499) = 1.91, above 2.34
    ):
        kept = np.where(obs < -np.sqrt(2 * np.log(np.log(499))), obs, 0.0)
        expected = (np.sum((null + kept).max(axis=1) >= obs.max()) + 1) / 500
        assert spa(obs, null) == pytest.approx(expected, rel=1e-12)
    # three draws: the threshold's log log is of max(D, 3) = 3, -0.43 (Hansen's n >= 3)
    tiny = np.array([[0.1, 0.5], [0.2, -0.1], [0.4, 0.0]])
    obs = np.array([0.35, -0.6])
    shifted = tiny + np.array([0.0, -0.6])
    assert spa(obs, tiny) == (np.sum(shifted.max(axis=1) >= 0.35) + 1) / 4
