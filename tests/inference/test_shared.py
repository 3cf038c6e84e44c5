"""SharedWork: a memo hit returns what a miss computes and leaves the generator where a miss
would; the bootstrap, placebo and evaluation give the same numbers with and without it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.evaluation import evaluate
from eventstudy.inference import block_bootstrap_test, placebo_test
from eventstudy.inference.shared import SharedWork, digest


def test_hit_restores_the_generator_state() -> None:
    shared = SharedWork()
    calls: list[int] = []

    def compute(r: np.random.Generator) -> np.ndarray:
        calls.append(1)
        return r.normal(size=5)

    a_rng, b_rng = np.random.default_rng(4), np.random.default_rng(4)
    a = shared.draw("k", a_rng, compute)
    b = shared.draw("k", b_rng, compute)
    assert len(calls) == 1 and (shared.hits, shared.misses) == (1, 1)
    np.testing.assert_array_equal(a, b)
    assert a_rng.random() == b_rng.random()  # both advanced past the five normals
    # another generator state is another key
    c = shared.draw("k", np.random.default_rng(5), compute)
    assert len(calls) == 2 and not np.array_equal(a, c)


def test_eviction_keeps_memory_bounded() -> None:
    shared = SharedWork(max_bytes=3 * 800)
    for i in range(10):
        shared.get(i, lambda: np.zeros(100))  # 800 bytes each
    assert shared._bytes <= 3 * 800
    assert len(shared._store) == 3
    shared.get(9, lambda: pytest.fail("9 is still there"))
    shared.get(0, lambda: np.ones(100))  # evicted: recomputed
    assert shared.misses == 11


def test_digest_sees_shape_dtype_and_values() -> None:
    x = np.arange(6.0)
    assert digest(x) == digest(x.copy())
    assert digest(x) != digest(x.reshape(2, 3))
    assert digest(x) != digest(x.astype(np.float32))
    y = x.copy()
    y[3] = np.nextafter(y[3], 10)
    assert digest(x) != digest(y)


def _series(seed: int, t: int = 3000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.convolve(rng.normal(0, 0.01, t + 20), np.ones(21), "valid")


def test_bootstrap_same_numbers_with_shared_blocks() -> None:
    """Two event sets on the same returns and stream: with a memo, the second reuses the
    block length, the blocks and the baseline sums (one miss each) and gives exactly the
    numbers it gives alone."""
    y = _series(0)
    sets = [np.arange(30, 2900, 97), np.arange(55, 2900, 131)]
    shared = SharedWork()
    with_memo = [block_bootstrap_test(y, ev, 21, reps=300, seed=9, shared=shared) for ev in sets]
    alone = [block_bootstrap_test(y, ev, 21, reps=300, seed=9) for ev in sets]
    assert with_memo == alone
    assert (shared.misses, shared.hits) == (2, 2)  # block length + blocks, then two hits
    assert with_memo[0].p_value != with_memo[1].p_value


def test_placebo_same_numbers_and_shared_draws_for_equal_counts() -> None:
    """Event sets with the same count and gap share their placebo means; a different count
    draws anew. Numbers equal those without a memo."""
    y = _series(1)
    a, b, c = np.arange(40, 2900, 100), np.arange(41, 2900, 100), np.arange(40, 2900, 120)
    shared = SharedWork()
    got = [
        placebo_test(y, ev, 21, min_gap=21, draws=400, seed=3, shared=shared) for ev in (a, b, c)
    ]
    want = [placebo_test(y, ev, 21, min_gap=21, draws=400, seed=3) for ev in (a, b, c)]
    assert got == want
    assert (shared.misses, shared.hits) == (2, 1)
    assert got[0].details["placebo_mean"] == got[1].details["placebo_mean"]
    assert got[0].statistic != got[1].statistic


def test_nested_placebo_shares_draws_across_counts_of_a_class() -> None:
    """min_gap = 1: counts 20 and 30 (both in the class of 32) share one set of nested
    draws, 40 (class 64) draws anew; the numbers equal those without a memo."""
    y = _series(2)
    sets = [np.arange(40, 2900, 143), np.arange(7, 2900, 97), np.arange(3, 2900, 73)]
    assert [len(ev) for ev in sets] == [20, 30, 40]
    shared = SharedWork()
    got = [placebo_test(y, ev, 21, draws=400, seed=3, shared=shared) for ev in sets]
    want = [placebo_test(y, ev, 21, draws=400, seed=3) for ev in sets]
    assert got == want
    assert (shared.misses, shared.hits) == (2, 1)
    assert got[0].details["placebo_mean"] != got[1].details["placebo_mean"]


def test_stratified_placebo_keys_on_counts_per_stratum() -> None:
    """With stratification the draws depend on the events' count per year: two sets with
    the same total but different years do not share."""
    dates = pd.bdate_range("2000-01-03", periods=3000)
    y = pd.Series(_series(2), index=dates)
    a = np.array([10, 300, 600, 900, 1200])
    b = np.array([10, 40, 600, 900, 1200])  # two events in the first year
    shared = SharedWork()
    got = [
        placebo_test(y, ev, 5, min_gap=5, draws=200, stratify="year", seed=1, shared=shared)
        for ev in (a, b)
    ]
    assert shared.misses == 2
    assert got == [
        placebo_test(y, ev, 5, min_gap=5, draws=200, stratify="year", seed=1) for ev in (a, b)
    ]


def test_evaluate_same_with_and_without_memo() -> None:
    y = _series(3)
    fwd = pd.DataFrame({"1m": y}, index=pd.bdate_range("2001-01-01", periods=y.size))
    ev = np.arange(25, 2900, 150)
    kw = {"horizons": {"1m": 21}, "draws": 300, "bootstrap_reps": 300, "seed": 4}
    shared = SharedWork()
    a = evaluate(fwd, ev, shared=shared, **kw)
    b = evaluate(fwd, ev, shared=shared, **kw)  # all hits
    c = evaluate(fwd, ev, **kw)
    assert a == b == c
    assert shared.hits >= 4


def test_fingerprint_once_per_frame_and_by_content() -> None:
    idx = pd.bdate_range("2020-01-01", periods=5)
    a = pd.DataFrame({"1m": [0.1, np.nan, 0.3, 0.4, 0.5]}, index=idx)
    shared = SharedWork()
    fp = shared.fingerprint(a)
    assert shared.fingerprint(a) is fp  # memo by object
    assert shared.fingerprint(a.copy()) == fp  # same content, same key
    assert shared.fingerprint(a.rename(columns={"1m": "3m"})) != fp
    assert shared.fingerprint(a.shift(1, freq="B")) != fp  # other dates
    b = a.copy()
    b.iloc[0, 0] = 0.2
    assert shared.fingerprint(b) != fp
    scope = shared.scoped((fp, "(None, None)", "1m"))
    assert scope.data_key(np.zeros(3)) == scope.data_key(np.ones(3))  # the scope's own key
    assert scope.fingerprint(a) is fp and scope.get("x", lambda: 1) == shared.get("x", lambda: 2)


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.DroppedEventsWarning")
def test_one_memo_across_many_different_calls_changes_no_number() -> None:
    """One SharedWork across calls that differ in data, horizon, replications, draws, event
    count, gap, stratification and sample gives exactly the numbers of calls without it: no
    key collides (a key that ignored any of these would hand one call another's draws)."""
    dates = pd.bdate_range("2001-01-01", periods=2500)
    ys = [_series(10, 2500), _series(11, 2500)]
    shared = SharedWork()
    calls = []
    for y in ys:
        for h in (5, 21):
            for ev in (np.arange(30, 2400, 90), np.arange(31, 2400, 120)):
                calls.append(("boot", y, ev, h, {"reps": 200}))
                calls.append(("boot", y, ev, h, {"reps": 150}))
                calls.append(("plac", y, ev, h, {"draws": 200, "min_gap": 21}))
                calls.append(("plac", y, ev, h, {"draws": 150, "min_gap": 30}))
                calls.append(("strat", y, ev, h, {"draws": 100, "min_gap": 21}))
    for kind, y, ev, h, kw in calls:
        if kind == "boot":
            got = block_bootstrap_test(y, ev, h, seed=5, shared=shared, **kw)
            want = block_bootstrap_test(y, ev, h, seed=5, **kw)
        else:
            s = pd.Series(y, index=dates)
            strat = {"stratify": "year"} if kind == "strat" else {}
            got = placebo_test(s, ev, h, seed=5, shared=shared, **strat, **kw)
            want = placebo_test(s, ev, h, seed=5, **strat, **kw)
        assert got == want, (kind, h, kw)
    assert shared.hits > 0
    frames = [pd.DataFrame({"1m": y, "3m": y[::-1].copy()}, index=dates) for y in ys]
    kw2 = {"horizons": {"1m": 21, "3m": 63}, "draws": 150, "bootstrap_reps": 150, "seed": 2}
    for fwd in frames:
        for sample in (None, ("2002-01-01", None), (None, "2008-12-31")):
            ev = np.arange(300, 2200, 97)
            got_e = evaluate(fwd, ev, sample=sample, shared=shared, **kw2)
            assert got_e == evaluate(fwd, ev, sample=sample, **kw2)


def test_eviction_goes_by_bytes_oldest_first_and_keeps_the_newest() -> None:
    shared = SharedWork(max_bytes=1000)
    shared.get("a", lambda: np.zeros(50))  # 400 bytes
    shared.get("b", lambda: (np.zeros(50), {"x": np.zeros(25)}))  # 600 bytes
    assert list(shared._store) == ["a", "b"] and shared._bytes == 1000
    shared.get("a", lambda: pytest.fail("a is cached"))  # a becomes the newest
    shared.get("c", lambda: [np.zeros(10), 3])  # 80 + 64 bytes: b (the oldest) goes
    assert list(shared._store) == ["a", "c"] and shared._bytes == 400 + 144
    big = SharedWork(max_bytes=10)
    big.get("only", lambda: np.zeros(100))  # larger than the bound: kept, alone
    assert list(big._store) == ["only"]
    big.get("next", lambda: np.zeros(100))
    assert list(big._store) == ["next"]


def test_fingerprint_of_other_indexes_and_object_columns() -> None:
    """A frame on a plain integer index and one with ints are keyed by their values too."""
    shared = SharedWork()
    a = pd.DataFrame({"x": [1.0, np.nan, 3.0]})
    assert shared.fingerprint(a) == shared.fingerprint(pd.DataFrame({"x": [1.0, np.nan, 3.0]}))
    assert shared.fingerprint(a) != shared.fingerprint(a.set_axis([5, 6, 7]))
    ints = pd.DataFrame({"x": [1, 2, 3]})
    assert shared.fingerprint(ints) == shared.fingerprint(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))
    assert shared.scoped("k").data_key(np.zeros(1)) != shared.scoped("j").data_key(np.zeros(1))
    assert shared.scoped("k").data_key(np.zeros(1)) == shared.scoped("k").data_key(np.ones(2))
    assert shared.data_key(np.zeros(2)) != shared.data_key(np.ones(2))


def test_nested_placebo_memo_keys_on_the_returns() -> None:
    """Two different series with counts in the same class do not share nested draws."""
    shared = SharedWork()
    ev = np.arange(40, 2900, 143)
    got = [placebo_test(_series(s), ev, 21, draws=300, seed=3, shared=shared) for s in (4, 5)]
    want = [placebo_test(_series(s), ev, 21, draws=300, seed=3) for s in (4, 5)]
    assert got == want
    assert shared.misses == 2


def test_stratified_placebo_keys_on_strata_and_counts() -> None:
    """Stratified draws are shared only with the same strata and the same count per stratum:
    the same values on dates that start two months later (other year boundaries, the same
    event years) draw anew, and so do events with the same years but other counts."""
    y = _series(6)
    early = pd.Series(y, index=pd.bdate_range("2000-01-03", periods=y.size))
    late = pd.Series(y, index=pd.bdate_range("2000-03-01", periods=y.size))
    a = np.array([10, 40, 300, 600, 900])  # 2000, 2000, 2001, 2002, 2003 in both
    b = np.array([10, 300, 330, 600, 900])  # 2000, 2001, 2001, 2002, 2003
    assert [d.year for d in early.index[a]] == [d.year for d in late.index[a]]
    shared = SharedWork()
    kw = {"min_gap": 5, "draws": 200, "stratify": "year", "seed": 1}
    cases = [(early, a), (late, a), (early, b)]
    got = [placebo_test(s, ev, 5, shared=shared, **kw) for s, ev in cases]  # type: ignore[arg-type]
    want = [placebo_test(s, ev, 5, **kw) for s, ev in cases]  # type: ignore[arg-type]
    assert got == want
    assert shared.misses == 3
