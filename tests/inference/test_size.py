"""Size and power on the user's own data (circular shifts of the study's events), checked
against a brute-force loop that shifts the events and runs the tests themselves
(:func:`hac_test`, :func:`naive_t_test`) on each shifted set."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.inference._common import prepare
from eventstudy.inference.classical import naive_t_test
from eventstudy.inference.hac import hac_test
from eventstudy.inference.shift import shift_test
from eventstudy.inference.size import (
    SIZE_TESTS,
    SizeResult,
    _draw_pvalues,
    shifted_events,
    size_on_data,
)


def _data(t: int = 900, h: int = 21, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping h-day sums of AR(1) daily returns (so the forward returns are strongly
    autocorrelated), NaN for the last h dates, and bursty events."""
    rng = np.random.default_rng(seed)
    e = rng.normal(0, 0.01, t + h)
    r = np.empty_like(e)
    r[0] = e[0]
    for i in range(1, r.size):
        r[i] = 0.2 * r[i - 1] + e[i]
    c = np.concatenate([[0.0], np.cumsum(r)])
    fwd = c[h : h + t] - c[:t]
    fwd[t - h :] = np.nan
    events = np.array([30, 33, 40, 200, 205, 420, 600, 603, 606, 610, 750])
    return fwd, events


def _brute(fwd: np.ndarray, events: np.ndarray, h: int, shifts: np.ndarray, effect: float):
    s = prepare(fwd, events)
    out = {"hac": ([], []), "naive_t": ([], []), "shift": ([], [])}
    for k in shifts:
        pos = shifted_events(fwd, events, int(k))
        moved = fwd.copy()
        moved[pos] += effect
        for name, run in (
            ("hac", lambda y, p: hac_test(y, p, h)),
            ("naive_t", lambda y, p: naive_t_test(y, p)),
            ("shift", lambda y, p: shift_test(y, p, h)),
        ):
            r0, r1 = run(fwd, pos), run(moved, pos)
            out[name][0].append(r0.p_value if r0.applicable else np.nan)
            out[name][1].append(r1.p_value if r1.applicable else np.nan)
    assert s.n == events.size
    return out


def _alternating(t: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """A series that flips sign every day: with h = 2 the truncated kernel's variance
    (lag 1) is negative and hac_test falls back to Bartlett."""
    rng = np.random.default_rng(2)
    y = 0.01 * (-1.0) ** np.arange(t) + rng.normal(0, 1e-4, t)
    y[-2:] = np.nan
    return y, np.arange(150, 170, 2)  # every other day: negative lag-1 terms, G = 10


def _flat_stretch() -> tuple[np.ndarray, np.ndarray]:
    """Constant forward returns over the first 500 dates: shifted tight events landing
    there have no variance (the naive test cannot run), elsewhere they do."""
    fwd, _ = _data(t=900, h=5)
    fwd[:500] = 0.01
    return fwd, np.array([100, 101, 103, 600])


def _one_episode() -> tuple[np.ndarray, np.ndarray]:
    """Three events inside one 21-day window (G = 1 unless the shift splits them), and a
    second set with two episodes."""
    fwd, _ = _data(t=900, h=21)
    return fwd, np.array([100, 104, 108])


def _many() -> tuple[np.ndarray, np.ndarray]:
    """25 events on 295 complete dates: n^2 > T, so the dense path runs."""
    fwd, _ = _data(t=300, h=5)
    return fwd, np.arange(10, 260, 10)


@pytest.mark.parametrize(
    ("case", "h"),
    [
        ("ar1", 5),
        ("ar1", 21),
        ("alternating", 2),
        ("flat", 5),
        ("one_episode", 21),
        ("many", 5),
    ],
)
def test_every_shifted_p_value_equals_the_test_run_on_the_shifted_events(case: str, h: int) -> None:
    fwd, events = {
        "ar1": lambda: _data(h=h),
        "alternating": _alternating,
        "flat": _flat_stretch,
        "one_episode": _one_episode,
        "many": _many,
    }[case]()
    s = prepare(fwd, events)
    shifts = np.random.default_rng(1).integers(h, s.y.size - h + 1, size=60)
    if case == "one_episode":  # include the shifts that split the three events at the wrap
        shifts = np.r_[shifts, s.y.size - 101, s.y.size - 105]
    got = _draw_pvalues(s.y, s.positions, s.events, shifts, h, ("hac", "naive_t", "shift"), 0.01)
    want = _brute(fwd, events, h, shifts, 0.01)
    for name in ("hac", "naive_t", "shift"):
        p0, p1, ok = got[name]
        np.testing.assert_allclose(p0, want[name][0], rtol=1e-9, equal_nan=True)
        np.testing.assert_allclose(p1[ok], np.asarray(want[name][1])[ok], rtol=1e-9)
        np.testing.assert_array_equal(ok, np.isfinite(want[name][0]))
    if case == "alternating":  # the Bartlett fallback ran
        assert hac_test(fwd, events, 2).details["kernel"] == "bartlett (fallback)"
    if case == "flat":
        assert 0 < got["naive_t"][2].sum() < shifts.size
    if case == "one_episode":
        assert 0 < got["hac"][2].sum() < shifts.size


def test_the_shifts_keep_the_gaps_but_at_the_wrap() -> None:
    from collections import Counter

    fwd, events = _data()
    s = prepare(fwd, events)
    np.testing.assert_array_equal(shifted_events(fwd, events, 100), events + 100)
    k = s.y.size - 35  # events from 40 on wrap past the end to the start
    wrapped = shifted_events(fwd, events, k)
    assert wrapped.tolist() == sorted((int(e) + k) % s.y.size for e in events)
    assert wrapped[0] == 5 and wrapped[-1] == 33 + k
    lost = Counter(np.diff(events).tolist()) - Counter(np.diff(wrapped).tolist())
    assert sum(lost.values()) == 1  # one gap replaced by the gap across the wrap


def _whole_episodes(positions, events, shifts, h: int) -> np.ndarray:
    """Brute force: a shift keeps every episode whole when no episode (events whose h-day
    windows overlap: gaps < h on the dates) has some events wrapped past the sample's end
    and others not."""
    t = positions.size
    starts = np.r_[0, np.flatnonzero(np.diff(positions[events]) >= h) + 1]
    groups = np.split(np.arange(events.size), starts[1:])
    out = []
    for k in shifts:  # a plain loop: the reference
        wrapped = (events + k) >= t
        out.append(all(len(set(wrapped[g])) == 1 for g in groups))
    return np.array(out)


def test_a_shift_that_splits_an_episode_is_left_out() -> None:
    """Events in one episode (G = 1): the HAC test cannot run on them, nor on any shift that
    keeps the episode whole; the shifts that split it were the only ones it ran on, which
    gave a rate (0.0% of 4 sets) for a test that does not apply (a reviewer's case)."""
    rng = np.random.default_rng(0)
    y = np.convolve(rng.normal(0, 0.01, 3200), np.ones(126), "valid")[:3000]
    res = size_on_data(y, np.array([500, 530, 560]), 126, draws=1000, seed=1)
    assert res["hac"].applicable == 0 and np.isnan(res["hac"].rate)
    assert not res["hac"].flagged
    # the same events spread out are measured on every shift that keeps them apart
    apart = size_on_data(y, np.array([500, 1500, 2500]), 126, draws=1000, seed=1)
    assert apart["hac"].applicable > 900


def test_size_on_data_aggregates_with_clopper_pearson_intervals() -> None:
    from scipy.stats import binomtest

    fwd, events = _data(h=21)
    assert set(size_on_data(fwd, events, 21, draws=10)) == {"hac", "naive_t"}
    fast = tuple(t for t in SIZE_TESTS if t != "hodrick")  # no one-day moves here
    res = size_on_data(fwd, events, 21, draws=400, effect=0.02, tests=fast, seed=5)
    assert set(res) == {"hac", "naive_t", "shift", "shift_t"}
    s = prepare(fwd, events)
    shifts = np.random.default_rng(5).integers(21, s.y.size - 21 + 1, size=400)
    got = _draw_pvalues(s.y, s.positions, s.events, shifts, 21, fast, 0.02)
    whole = _whole_episodes(s.positions, s.events, shifts, 21)
    assert 0 < (~whole).sum() < 40  # the bursty events: some shifts wrap inside an episode
    for name, r in res.items():
        p0, p1, ok = got[name]
        ok = ok & whole
        k = int(np.count_nonzero(p0[ok] < 0.05))
        assert (r.draws, r.applicable, r.rejections) == (400, int(ok.sum()), k)
        assert r.rate == k / ok.sum()
        ci = binomtest(k, int(ok.sum())).proportion_ci(0.95, method="exact")
        assert (r.ci_low, r.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)
        if name == "shift_t":  # an effect changes every rotation's standard error
            assert np.isnan(r.power) and np.isnan(r.effect)
            continue
        k1 = int(np.count_nonzero(p1[ok] < 0.05))
        assert r.power == k1 / ok.sum() and r.effect == 0.02
    # autocorrelated overlapping returns and bursty events: the naive t over-rejects
    assert res["naive_t"].rate > res["hac"].rate + 0.05
    assert res["naive_t"].flagged
    text = res["naive_t"].sentence()
    n_ok = res["naive_t"].applicable
    assert text.startswith(f"naive_t rejected {res['naive_t'].rate:.1%} of {n_ok} shifted null")
    assert "outside [3%, 7%]" in text and "power against" in text
    assert "power against an effect of +0.02" in res["hac"].sentence()
    # the shift test is a randomization test over the very shifts drawn: about 5%
    assert abs(res["shift"].rate - 0.05) < 4 * np.sqrt(0.05 * 0.95 / 400)


def test_clopper_pearson_against_scipy() -> None:
    from scipy.stats import binomtest

    from eventstudy.inference.size import _clopper_pearson

    for k, n in ((0, 20), (20, 20), (7, 20), (1, 1), (0, 1)):
        ci = binomtest(k, n).proportion_ci(0.95, method="exact")
        assert _clopper_pearson(k, n) == pytest.approx((ci.low, ci.high), rel=1e-9, abs=1e-15)
    lo, hi = _clopper_pearson(0, 0)
    assert np.isnan(lo) and np.isnan(hi)


def test_size_on_data_validates_and_handles_edges() -> None:
    fwd, events = _data()
    for kwargs, match in (
        ({"horizon_days": 0}, "^horizon_days must be >= 1"),
        ({"draws": 0}, "^draws must be >= 1"),
        ({"alpha": 0.0}, "^alpha must be > 0"),
        ({"alpha": 1.5}, "^alpha must be <= 1"),
    ):
        args = {"horizon_days": 21, **kwargs}
        with pytest.raises(ValueError, match=match):
            size_on_data(fwd, events, args.pop("horizon_days"), **args)
    assert size_on_data(fwd, events, 21, alpha=1.0, draws=5)["hac"].rate == 1.0
    assert size_on_data(fwd, events, 21, draws=1)["hac"].draws == 1
    assert size_on_data(fwd, events, 1, draws=3)["hac"].applicable == 3
    assert size_on_data(fwd, events[:3], 21, draws=5)["hac"].draws == 5  # 3 events suffice
    assert size_on_data(fwd, events, 21)["hac"].draws == 1000  # the default
    # 2h + 1 complete dates leave one shift; 2h leave none
    short = np.r_[np.random.default_rng(0).normal(0, 0.01, 9), np.nan]
    assert size_on_data(short, [0, 1, 2], 4, draws=3)["naive_t"].draws == 3
    assert size_on_data(short[1:], [0, 1, 2], 4, draws=3) == {}
    assert size_on_data(short[:9], list(range(9)), 1, draws=3) == {}  # every date an event
    # a test that can never run: rates and power are NaN, and the sentence says so
    flat = np.where(np.isfinite(fwd), 0.01, np.nan)
    res = size_on_data(flat, events, 21, draws=20, effect=0.01)
    for r in res.values():
        assert r.applicable == 0 and np.isnan(r.rate) and np.isnan(r.power)
        assert r.sentence() == f"{r.test}: could not run on the shifted event sets"


def test_size_result_flag_scales_with_alpha_and_edge_cases() -> None:
    r = SizeResult("hac", 0.10, 100, 100, 12, 0.12, 0.06, 0.2)
    assert not r.flagged  # [6%, 14%] at alpha 10%
    assert SizeResult("hac", 0.05, 100, 100, 8, 0.08, 0.04, 0.15).flagged
    assert not SizeResult("hac", 0.05, 100, 0, 0, float("nan"), 0, 0).flagged
    assert "could not run" in SizeResult("hac", 0.05, 100, 0, 0, float("nan"), 0, 0).sentence()
    fwd, events = _data()
    assert size_on_data(fwd, events[:2], 21, draws=10) == {}  # fewer than 3 events
    with pytest.raises(ValueError, match="no registered time-series test \\['nope'\\]"):
        size_on_data(fwd, events, 21, tests=("nope",))
    a = size_on_data(fwd, events, 21, draws=50, seed=3)
    b = size_on_data(fwd, events, 21, draws=50, seed=3)
    assert a == b and np.isnan(a["hac"].power)


def test_to_dict_is_every_field_and_the_flag() -> None:
    r = SizeResult("hac", 0.05, 100, 90, 9, 0.1, 0.05, 0.18, 0.02, 0.5, 0.4, 0.6)
    assert r.to_dict() == {
        "test": "hac",
        "alpha": 0.05,
        "draws": 100,
        "applicable": 90,
        "rejections": 9,
        "rate": 0.1,
        "ci_low": 0.05,
        "ci_high": 0.18,
        "effect": 0.02,
        "power": 0.5,
        "power_low": 0.4,
        "power_high": 0.6,
        "flagged": True,
    }


@pytest.mark.parametrize("case", ["ar1", "alternating", "many"])
def test_the_sparse_and_dense_variances_agree(case: str) -> None:
    """u'Ku from the O(n^2) split equals the O(T) cumulative sum of the dense score."""
    from eventstudy.inference.size import _hac_t

    fwd, events = {"ar1": _data, "alternating": _alternating, "many": _many}[case]()
    h = {"ar1": 21, "alternating": 2, "many": 5}[case]
    s = prepare(fwd, events)
    k = np.random.default_rng(3).integers(h, s.y.size - h + 1, size=40)
    ev = np.sort((s.events[None, :] + k[:, None]) % s.y.size)
    sparse = _hac_t(s.y, ev, h - 1, h, 0.01, sparse=True)
    dense = _hac_t(s.y, ev, h - 1, h, 0.01, sparse=False)
    for a, b in zip(sparse, dense, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, equal_nan=True)


def test_chunks_of_draws_give_the_same_p_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a chunk budget of a few rows the draws run in many chunks (the last one short);
    every test's p-values equal those of one chunk."""
    import eventstudy.inference.size as size

    fwd, events = _data(h=21)
    s = prepare(fwd, events)
    shifts = np.random.default_rng(9).integers(21, s.y.size - 21 + 1, size=50)
    one = _draw_pvalues(s.y, s.positions, s.events, shifts, 21, SIZE_TESTS, 0.01)
    for budget in (7 * s.y.size, 200):  # the shift test's rows are its overlapping rotations
        monkeypatch.setattr(size, "_CHUNK", budget)
        many = _draw_pvalues(s.y, s.positions, s.events, shifts, 21, SIZE_TESTS, 0.01)
        for name in SIZE_TESTS:
            for a, b in zip(one[name], many[name], strict=True):
                np.testing.assert_array_equal(a, b)


def test_shift_power_when_every_rotation_shares_an_event() -> None:
    """30 events on 38 complete dates: every rotation of the set meets it, so no rotation
    takes the common gain; the p-values with the effect added still equal the shift test
    run on each moved set (and those without it too)."""
    rng = np.random.default_rng(4)
    fwd = np.r_[rng.normal(0.0, 0.02, 38), np.nan, np.nan]
    events = np.sort(rng.choice(38, 30, replace=False))
    s = prepare(fwd, events)
    shifts = np.arange(2, s.y.size - 1)
    got = _draw_pvalues(s.y, s.positions, s.events, shifts, 2, ("shift",), 0.01)["shift"]
    want = _brute(fwd, events, 2, shifts, 0.01)["shift"]
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12)


def test_a_test_without_a_vectorized_size_runs_on_the_first_shifted_sets() -> None:
    """Any other registered test is run by its own code on the first LOOP_DRAWS shifted sets
    (the same shifts as the vectorized tests', drawn first), with its resampling capped at
    LOOP_RESAMPLES: the p-values equal a loop of run_tests on shifted_events, with and without
    the effect, and the vectorized tests' numbers do not move when one is added."""
    from eventstudy.inference.run import run_tests
    from eventstudy.inference.size import LOOP_DRAWS, LOOP_RESAMPLES, _looped_pvalues

    fwd, events = _data()
    h, draws = 21, LOOP_DRAWS + 40
    options = {"min_gap": 3, "draws": 5000, "bootstrap_reps": 100}
    both = size_on_data(
        fwd,
        events,
        h,
        draws=draws,
        effect=0.02,
        tests=("hac", "im", "bootstrap"),
        seed=4,
        options=options,
    )
    alone = size_on_data(fwd, events, h, draws=draws, effect=0.02, tests=("hac",), seed=4)
    assert both["hac"] == alone["hac"] and both["hac"].draws == draws
    assert both["im"].draws == both["bootstrap"].draws == LOOP_DRAWS
    rng = np.random.default_rng(4)
    shifts = rng.integers(h, prepare(fwd, events).y.size - h + 1, size=draws)[:LOOP_DRAWS]
    seeds = rng.integers(0, 2**63 - 1, size=LOOP_DRAWS)
    capped = {"min_gap": 3, "draws": LOOP_RESAMPLES, "bootstrap_reps": 100}
    for name in ("im", "bootstrap"):
        want0, want1 = [], []
        for k, sd in zip(shifts[:25], seeds[:25], strict=True):  # the first 25 by brute force
            pos = shifted_events(fwd, events, int(k))
            moved = fwd.copy()
            moved[pos] += 0.02
            r0 = run_tests(fwd, pos, h, tests=(name,), seed=int(sd), **capped)[name]
            r1 = run_tests(moved, pos, h, tests=(name,), seed=int(sd), **capped)[name]
            want0.append(r0.p_value if r0.applicable else np.nan)
            want1.append(r1.p_value if r1.applicable else np.nan)
        s = prepare(fwd, events)
        p0, p1, ok = _looped_pvalues(
            fwd, s.positions, s.events, shifts[:25], h, name, 0.02, capped, seeds[:25]
        )
        np.testing.assert_array_equal(p0, want0)
        np.testing.assert_array_equal(p1, want1)
        assert ok.tolist() == [w == w for w in want0]
    im = both["im"]
    assert im.rate == im.rejections / im.applicable and 0 < im.applicable <= LOOP_DRAWS


def test_a_looped_test_counts_a_refused_set_as_not_applicable() -> None:
    """The placebo refuses a shifted set whose spacing breaks where the shift wraps (a
    DataError): that set is not applicable, the others are counted."""
    from eventstudy.inference.size import _looped_pvalues

    fwd, _ = _data()
    events = np.array([5, 100, 300, 500, 860])
    s = prepare(fwd, events)
    t = s.y.size  # 879 complete dates
    # a shift k >= 19 wraps 860 to k - 19, 24 days before 5 + k: closer than min_gap = 40
    shifts = np.array([10, 30, 5], dtype=np.int64)
    p0, _, ok = _looped_pvalues(
        fwd,
        s.positions,
        s.events,
        shifts,
        21,
        "placebo",
        None,
        {"min_gap": 40, "draws": 99},
        np.arange(3, dtype=np.int64),
    )
    gaps = [np.diff(np.sort((s.events + k) % t)).min() for k in shifts]
    assert ok.tolist() == [g >= 40 for g in gaps] == [True, False, True]
    assert np.isnan(p0[~ok]).all() and (p0[ok] > 0).all()


def test_looped_tests_use_their_own_seeds_settings_and_effect() -> None:
    """size_on_data's looped numbers are _looped_pvalues on the first LOOP_DRAWS shifts with
    the seeds drawn right after them (0 .. 2^63 - 2), the caller's options (resampling capped
    at LOOP_RESAMPLES, which is also the default) and the effect: its rejection counts and
    power are those of the brute-force p-values."""
    from eventstudy.inference.size import LOOP_DRAWS, LOOP_RESAMPLES, _looped_pvalues

    fwd, events = _data()
    h = 21
    s = prepare(fwd, events)
    rng = np.random.default_rng(9)
    shifts = rng.integers(h, s.y.size - h + 1, size=LOOP_DRAWS)
    seeds = rng.integers(0, 2**63 - 1, size=LOOP_DRAWS)
    opts = {"min_gap": 2, "draws": LOOP_RESAMPLES, "bootstrap_reps": 60}
    p0, p1, ok = _looped_pvalues(
        fwd, s.positions, s.events, shifts, h, "bootstrap", 0.03, opts, seeds
    )
    ok = ok & _whole_episodes(s.positions, s.events, shifts, h)
    got = size_on_data(
        fwd,
        events,
        h,
        draws=LOOP_DRAWS,
        effect=0.03,
        tests=("bootstrap",),
        seed=9,
        options={"min_gap": 2, "draws": 10_000, "bootstrap_reps": 60},
    )["bootstrap"]
    assert got.applicable == int(ok.sum()) > 0
    assert got.rejections == int(np.count_nonzero(p0[ok] < 0.05))
    assert got.power == np.count_nonzero(p1[ok] < 0.05) / ok.sum()
    assert got.power > got.rate  # the effect reaches the looped test
    # without options the resampling defaults to LOOP_RESAMPLES too
    plain = size_on_data(fwd, events, h, draws=30, tests=("placebo",), seed=2)["placebo"]
    capped = size_on_data(
        fwd, events, h, draws=30, tests=("placebo",), seed=2, options={"draws": 10**6}
    )["placebo"]
    first = np.random.default_rng(2).integers(h, s.y.size - h + 1, size=30)
    assert plain == capped
    assert plain.applicable == int(_whole_episodes(s.positions, s.events, first, h).sum()) > 20


def test_a_looped_test_goes_on_after_a_set_it_cannot_run_on() -> None:
    """A shifted set on which the test does not apply (HAC: one cluster of windows, G = 1) is
    skipped and the next sets still run; without an effect no power p-value is computed
    (NaN, float); the forward returns are taken as float64 (a float32 series gives the float64
    numbers of its values, power included)."""
    from eventstudy.inference.size import _looped_pvalues

    fwd, _ = _data()
    events = np.array([0, 10, 20])  # one cluster at h = 21: hac_test does not apply
    s = prepare(fwd, events)
    # shift 100 keeps the cluster; shift 870 wraps 20 to 11 and splits it in two
    shifts = np.array([100, 870], dtype=np.int64)
    seeds = np.arange(2, dtype=np.int64)
    p0, p1, ok = _looped_pvalues(fwd, s.positions, s.events, shifts, 21, "hac", None, {}, seeds)
    assert ok.tolist() == [False, True] and np.isnan(p0[0]) and 0 < p0[1] <= 1
    assert p1.dtype == np.float64 and np.isnan(p1).all()
    f32 = fwd.astype(np.float32)
    a = _looped_pvalues(f32, s.positions, s.events, shifts, 21, "hac", 0.01, {}, seeds)
    b = _looped_pvalues(
        f32.astype(np.float64), s.positions, s.events, shifts, 21, "hac", 0.01, {}, seeds
    )
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def _with_moves(
    t: int = 700, h: int = 21, seed: int = 5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-day log moves (T + h of them, the first NaN), simple h-day forward returns on the
    T dates (NaN for the last h), and bursty events."""
    rng = np.random.default_rng(seed)
    r = np.empty(t + h)
    r[0] = np.nan
    r[1:] = rng.standard_t(4, t + h - 1) * 0.012
    c = np.concatenate([[0.0], np.nancumsum(r)])
    fwd = np.expm1(c[h + 1 : h + 1 + t] - c[1 : 1 + t])
    fwd[t - h :] = np.nan
    events = np.array([25, 28, 40, 200, 206, 400, 560, 563, 570, 620])
    return r, fwd, events


@pytest.mark.parametrize(
    ("h", "many"), [(1, False), (5, False), (21, False), (63, False), (5, True), (63, True)]
)
def test_hodrick_on_every_shifted_set_equals_the_test_itself(h: int, many: bool) -> None:
    """The vectorized Hodrick p-values (pairs of event windows; with many events, the
    rolled-back event counts per day) against hodrick_test run on each shifted set; with an
    effect, the slope plus the effect over the test's own standard error (the effect planted
    in the h-day sums of the one-day moves)."""
    import math

    from eventstudy.inference.hodrick import hodrick_test

    r, fwd, events = _with_moves(h=h)
    if many:  # n^2 > T + h: the dense path
        events = np.unique(np.r_[events, np.arange(3, 600, 19), np.arange(100, 130, 2)])
        assert events.size**2 > fwd.size + h
    s = prepare(fwd, events)
    shifts = np.random.default_rng(3).integers(h, s.y.size - h + 1, size=80)
    p0, p1, ok = _draw_pvalues(s.y, s.positions, s.events, shifts, h, ("hodrick",), 0.02, r)[
        "hodrick"
    ]
    assert ok.all()
    for i, k in enumerate(shifts):
        res = hodrick_test(fwd, shifted_events(fwd, events, int(k)), h, r)
        assert res.applicable
        assert p0[i] == pytest.approx(res.p_value, rel=1e-9, abs=1e-14)
        planted = (res.details["coef"] + 0.02) / res.details["se"]
        assert p1[i] == pytest.approx(math.erfc(abs(planted) / math.sqrt(2)), rel=1e-9, abs=1e-14)
    # a missing one-day move inside the windows: the test cannot run on any set
    holed = r.copy()
    holed[300] = np.nan
    _, _, none = _draw_pvalues(s.y, s.positions, s.events, shifts, h, ("hodrick",), 0.0, holed)[
        "hodrick"
    ]
    assert not none.any()
    # nor without the one-day moves
    assert not _draw_pvalues(s.y, s.positions, s.events, shifts, h, ("hodrick",), 0.0)["hodrick"][
        2
    ].any()


def test_size_on_data_computes_hodrick_on_every_shift_with_its_power() -> None:
    """hodrick is vectorized: all the draws, not the first LOOP_DRAWS, and a power above its
    size against a planted effect (the loop added the effect to forward returns it does not
    read: its power equalled its size)."""
    from eventstudy.inference.size import LOOP_DRAWS

    r, fwd, events = _with_moves(h=21)
    out = size_on_data(
        fwd,
        events,
        21,
        draws=LOOP_DRAWS + 100,
        effect=0.08,
        tests=("hodrick",),
        seed=1,
        options={"daily_returns": r},
    )["hodrick"]
    assert out.draws == LOOP_DRAWS + 100 and out.applicable > LOOP_DRAWS
    assert out.power > out.rate + 0.2
    with pytest.raises(ValueError, match=r"daily_returns must have T \+ h = 721 entries"):
        size_on_data(fwd, events, 21, tests=("hodrick",), options={"daily_returns": r[:-1]})
    assert "hodrick" in SIZE_TESTS


@pytest.mark.parametrize("many", [False, True])
def test_hodrick_chunks_give_the_same_p_values(monkeypatch: pytest.MonkeyPatch, many: bool) -> None:
    """In many chunks of draws (the last one short), on either path, Hodrick's p-values equal
    those of one chunk."""
    import eventstudy.inference.size as size

    r, fwd, events = _with_moves(h=21)
    if many:
        events = np.unique(np.r_[events, np.arange(3, 600, 19), np.arange(100, 130, 2)])
    s = prepare(fwd, events)
    shifts = np.random.default_rng(9).integers(21, s.y.size - 21 + 1, size=50)
    one = _draw_pvalues(s.y, s.positions, s.events, shifts, 21, ("hodrick",), 0.01, r)["hodrick"]
    monkeypatch.setattr(size, "_CHUNK", 3 * max(events.size**2, r.size))  # 3 draws a chunk
    parts = _draw_pvalues(s.y, s.positions, s.events, shifts, 21, ("hodrick",), 0.01, r)
    for a, b in zip(one, parts["hodrick"], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert one[0].dtype == np.float64 and one[2].all()


def test_hodrick_size_where_it_cannot_run_or_barely_can() -> None:
    """Without the one-day moves, or with moves that never change, no shifted set counts (as
    hodrick_test says: not applicable); with a single event-free complete date it runs, as
    the test itself does."""
    from eventstudy.inference.hodrick import hodrick_test

    r, fwd, events = _with_moves(h=5)
    s = prepare(fwd, events)
    shifts = np.arange(5, 40)
    p0, p1, ok = _draw_pvalues(s.y, s.positions, s.events, shifts, 5, ("hodrick",), 0.0)["hodrick"]
    assert np.isnan(p0).all() and np.isnan(p1).all() and not ok.any() and ok.dtype == bool
    out = size_on_data(fwd, events, 5, draws=30, tests=("hodrick",), seed=0)["hodrick"]
    assert out.applicable == 0 and np.isnan(out.rate)
    flat = np.where(np.isfinite(r), 0.001, np.nan)
    assert not hodrick_test(fwd, events, 5, flat).applicable
    assert not _draw_pvalues(s.y, s.positions, s.events, shifts, 5, ("hodrick",), 0.0, flat)[
        "hodrick"
    ][2].any()
    # every complete date an event but one (n0 = 1)
    short = fwd.copy()
    short[12:] = np.nan  # 12 complete dates
    ev = np.arange(11)
    s1 = prepare(short, ev)
    p, _, ok1 = _draw_pvalues(
        s1.y, s1.positions, s1.events, np.array([0, 1]), 5, ("hodrick",), 0.0, r
    )["hodrick"]
    for i, k in enumerate((0, 1)):
        want = hodrick_test(short, shifted_events(short, ev, k), 5, r[: short.size + 5])
        assert ok1[i] == want.applicable and p[i] == pytest.approx(want.p_value, rel=1e-9)


def test_shift_t_size_on_constant_returns_counts_no_set() -> None:
    """Constant forward returns: the shift tests cannot run on any shifted set."""
    y = np.r_[np.full(300, 0.01), np.full(5, np.nan)]
    out = size_on_data(y, np.array([20, 60, 100, 140]), 5, draws=40, tests=("shift_t", "hac"))
    assert out["shift_t"].applicable == 0 and np.isnan(out["shift_t"].rate)
    assert out["hac"].applicable == 0
