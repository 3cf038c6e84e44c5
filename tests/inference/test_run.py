"""run_tests: selection, order, reproducibility, validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.inference import ALL_TESTS, DEFAULT_TEST, run_tests


def test_run_all_reproducible() -> None:
    rng = np.random.default_rng(0)
    y = np.concatenate([rng.normal(0.01, 0.05, 3000), np.full(21, np.nan)])
    ev = np.arange(30, 3000, 80)
    a = run_tests(y, ev, 21, min_gap=21, draws=500, bootstrap_reps=200, seed=11)
    b = run_tests(y, ev, 21, min_gap=21, draws=500, bootstrap_reps=200, seed=11)
    assert list(a) == list(ALL_TESTS)
    assert a == b
    assert DEFAULT_TEST in a
    assert all(r.applicable for r in a.values())
    only = run_tests(y, ev, 21, min_gap=21, tests=("placebo",), draws=500, seed=11)
    assert only["placebo"] == a["placebo"]  # independent child streams


def test_run_validation() -> None:
    y = np.zeros(10)
    with pytest.raises(ValueError, match="unknown tests"):
        run_tests(y, [1, 2, 3], 1, tests=("foo",))
    with pytest.raises(TypeError, match="^tests must be a sequence of test names, not a string$"):
        run_tests(y, [1, 2, 3], 1, tests="hac")


def test_each_test_dispatched_with_its_options() -> None:
    """Every name runs its own function with the options meant for it: hac_lags -> hac,
    min_gap / draws / stratify / dates / progress -> placebo, bootstrap_reps -> bootstrap;
    bootstrap and placebo get the two children of Generator.spawn(2) of the seed."""
    from eventstudy.inference import (
        block_bootstrap_test,
        hac_test,
        naive_t_test,
        placebo_test,
        sign_test,
        wilcoxon_test,
    )

    idx = pd.bdate_range("2010-01-01", periods=900)
    rng = np.random.default_rng(3)
    y = np.r_[rng.normal(0.002, 0.03, 890), np.full(10, np.nan)]
    ev = np.arange(25, 880, 50)
    calls: list[tuple[int, int]] = []
    out = run_tests(
        y,
        ev,
        10,
        min_gap=25,
        tests=("wilcoxon", "placebo", "hac", "bootstrap", "naive_t", "sign"),
        draws=300,
        bootstrap_reps=150,
        stratify="year",
        dates=idx,
        hac_lags=14,
        seed=4,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert list(out) == ["wilcoxon", "placebo", "hac", "bootstrap", "naive_t", "sign"]
    boot_rng, placebo_rng = np.random.default_rng(4).spawn(2)
    assert out["hac"] == hac_test(y, ev, 10, lags=14)
    assert out["hac"].details["lags"] == 14
    assert out["placebo"] == placebo_test(
        y, ev, 10, min_gap=25, draws=300, stratify="year", dates=idx, seed=placebo_rng
    )
    assert out["placebo"].details["stratify"] == "year"
    assert out["placebo"].details["min_gap"] == 25
    assert calls[-1] == (300, 300)
    assert out["bootstrap"] == block_bootstrap_test(y, ev, 10, reps=150, seed=boot_rng)
    assert out["naive_t"] == naive_t_test(y, ev)
    assert out["sign"] == sign_test(y, ev)
    assert out["wilcoxon"] == wilcoxon_test(y, ev)
    default = run_tests(y, ev, 10, tests=("hac",))
    assert default["hac"].details["lags"] == 9  # h - 1, uniform kernel


def test_run_validation_messages() -> None:
    y = np.zeros(10)
    with pytest.raises(ValueError, match=r"unknown tests \['foo'\]; allowed: \['naive_t', 'hac'"):
        run_tests(y, [1, 2, 3], 1, tests=("hac", "foo"))
    with pytest.raises(ValueError, match="horizon_days must be >= 1, got 0"):
        run_tests(y, [1, 2, 3], 0)
    with pytest.raises(ValueError, match="^horizon_days must be >= 1, got 0$"):
        run_tests(y, [1, 2, 3], 0, tests=("naive_t",))  # checked before any test runs
    assert run_tests(y, [1, 2, 3], 1, tests=()) == {}


def test_defaults_reach_placebo_and_bootstrap() -> None:
    """Defaults: 10,000 placebo draws at min_gap 1, 2,000 bootstrap resamples (all contain
    an event here: 40 events in 300 dates with block length >= h)."""
    rng = np.random.default_rng(5)
    y = rng.normal(size=300)
    ev = np.arange(3, 300, 7)[:40]
    out = run_tests(y, ev, 1, tests=("placebo", "bootstrap"), seed=0)
    assert out["placebo"].details["draws"] == 10_000
    assert out["placebo"].details["min_gap"] == 1
    assert out["bootstrap"].details["reps"] == 2000


def test_builtin_tests_read_one_split_of_the_horizon(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_tests splits the horizon once and the built-in tests read that split (prepare
    returns an EventSample as it is): the same results as each test called alone, one split
    per call; a Series' own dates still stratify the placebo when no dates are given."""
    from eventstudy.inference import _common, hac_test, placebo_test

    idx = pd.bdate_range("2010-01-01", periods=900)
    rng = np.random.default_rng(4)
    y = pd.Series(np.r_[rng.normal(0.001, 0.02, 890), np.full(10, np.nan)], index=idx)
    ev = np.arange(25, 880, 50)
    sample = _common.prepare(y, ev)
    assert _common.prepare(sample, None) is sample
    splits: list[int] = []
    prepare = _common.prepare

    def counted(fwd: object, positions: object) -> _common.EventSample:
        if not isinstance(fwd, _common.EventSample):
            splits.append(1)
        return prepare(fwd, positions)

    for module in ("_common", "classical", "hac", "shift", "bootstrap", "placebo", "ewc", "im"):
        import importlib

        monkeypatch.setattr(
            importlib.import_module(f"eventstudy.inference.{module}"), "prepare", counted
        )
    import eventstudy.inference.run as run

    monkeypatch.setattr(run, "prepare", counted)
    out = run_tests(y, ev, 10, min_gap=25, draws=300, bootstrap_reps=150, seed=2)
    assert splits == [1]
    given = run_tests(y, ev, 10, min_gap=25, draws=300, bootstrap_reps=150, seed=2, sample=sample)
    assert splits == [1] and given == out  # a caller's split is used as it is
    monkeypatch.undo()
    assert out["hac"] == hac_test(y, ev, 10)
    strat = run_tests(y, ev, 10, min_gap=25, tests=("placebo",), draws=300, stratify="year", seed=2)
    assert strat["placebo"].details["stratify"] == "year"
    placebo_rng = np.random.default_rng(2).spawn(2)[1]
    assert strat["placebo"] == placebo_test(
        y, ev, 10, min_gap=25, draws=300, stratify="year", seed=placebo_rng
    )


def test_default_for_passes_over_hodrick_without_the_one_day_moves() -> None:
    """The verdict's test: the first in the calibration's order among those run -- the tests
    of the printed excess, then hodrick (of the h-day log return) -- and hodrick only when the
    one-day moves are given (it cannot run without them)."""
    from eventstudy.inference.run import default_for

    assert default_for(("hodrick", "hac")) == "hac"  # a test of the printed excess first
    assert default_for(("hodrick", "naive_t")) == "hodrick"  # daily given by default
    assert default_for(("hodrick", "naive_t"), daily=False) == "naive_t"  # first usable
    assert default_for(("hodrick", "sign", "naive_t"), daily=False) == "sign"
    assert default_for(("hodrick",), daily=False) == "hodrick"  # nothing else listed
    assert default_for(("sign", "wilcoxon")) == "sign"
    assert default_for(()) == DEFAULT_TEST == "shift_t"


def test_a_test_of_ones_own_that_fails_or_answers_the_impossible_is_named() -> None:
    """A registered test that raises (other than a DataError) or returns an applicable
    result with a p-value outside [0, 1], a NaN p-value or a statistic that is not finite
    stops the run with a PluginError naming it and where it is defined (an applicable NaN
    had made a headline of "1 of 2 event means differ" from no event at all)."""
    from dataclasses import dataclass

    from eventstudy.exceptions import DataError, PluginError
    from eventstudy.registry import TESTS, register_test
    from eventstudy.results import TestResult

    @dataclass(frozen=True)
    class Odd:
        name: str = "odd_for_a_test"
        how: str = "raise"
        design: str = "timeseries"
        scope: str = "horizon"
        needs: frozenset = frozenset({"forward_returns", "events"})
        null_hypothesis: str = "x"
        reference: str = "x"
        summary: str = "x"

        def run(self, x):  # type: ignore[no-untyped-def]
            if self.how == "raise":
                return 1 / 0
            if self.how == "refuse":
                raise DataError("no data for this one")
            stat, p = {
                "nan_p": (1.0, np.nan),
                "big_p": (1.0, 1.5),
                "nan_stat": (np.nan, 0.5),
                "zero_p": (9.0, 0.0),
            }[self.how]
            return TestResult(self.name, stat, p, "x", "m", "x")

    y = np.r_[np.random.default_rng(0).normal(0, 0.01, 300), np.full(5, np.nan)]
    ev = np.arange(10, 290, 30)
    for how, pattern in (
        ("raise", r"^test 'odd_for_a_test' \(.*Odd\) failed: ZeroDivisionError: division by zero"),
        ("nan_p", r"^test 'odd_for_a_test' \(.*\) returned statistic 1\.0 and p-value nan marked"),
        ("big_p", r"p-value 1\.5 marked applicable"),
        ("nan_stat", r"returned statistic nan and p-value 0\.5 marked applicable"),
    ):
        register_test(Odd(how=how))
        try:
            with pytest.raises(PluginError, match=pattern):
                run_tests(y, ev, 5, tests=("hac", "odd_for_a_test"))
        finally:
            TESTS.unregister("odd_for_a_test")
    register_test(Odd(how="nan_p"))
    try:
        with pytest.raises(PluginError) as info:
            run_tests(y, ev, 5, tests=("odd_for_a_test",))
        assert str(info.value) == (
            f"test 'odd_for_a_test' ({__name__}.{Odd.__qualname__}) returned statistic 1.0 and "
            "p-value nan marked applicable: a p-value lies in [0, 1] and the statistic is "
            "finite; return TestResult.not_applicable(...) when the test cannot run (e.g. no "
            "complete event)"
        )
    finally:
        TESTS.unregister("odd_for_a_test")
    register_test(Odd(how="zero_p"))  # p = 0 is a p-value
    try:
        assert run_tests(y, ev, 5, tests=("odd_for_a_test",))["odd_for_a_test"].p_value == 0.0
    finally:
        TESTS.unregister("odd_for_a_test")
    register_test(Odd(how="refuse"))
    try:
        with pytest.raises(DataError, match="^no data for this one$"):  # its refusal, as is
            run_tests(y, ev, 5, tests=("odd_for_a_test",))
    finally:
        TESTS.unregister("odd_for_a_test")
