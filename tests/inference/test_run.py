"""run_tests: selection, order, reproducibility, validation."""

from __future__ import annotations

import numpy as np
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
    with pytest.raises(TypeError, match="not a string"):
        run_tests(y, [1, 2, 3], 1, tests="hac")
