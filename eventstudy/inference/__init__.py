"""Hypothesis tests for event studies: every test returns a :class:`~eventstudy.TestResult`."""

from __future__ import annotations

from eventstudy.inference.bootstrap import block_bootstrap_test
from eventstudy.inference.classical import naive_t_test, sign_test, wilcoxon_test
from eventstudy.inference.hac import default_hac_lags, hac_test
from eventstudy.inference.multiple import adjust_pvalues
from eventstudy.inference.placebo import draw_spaced_positions, placebo_test
from eventstudy.inference.run import ALL_TESTS, DEFAULT_TEST, run_tests, timeseries_tests
from eventstudy.registry import (
    TESTS,
    EventTest,
    HorizonInputs,
    register_test,
    tests_for,
)

__all__ = [
    "ALL_TESTS",
    "DEFAULT_TEST",
    "TESTS",
    "EventTest",
    "HorizonInputs",
    "adjust_pvalues",
    "block_bootstrap_test",
    "default_hac_lags",
    "draw_spaced_positions",
    "hac_test",
    "naive_t_test",
    "placebo_test",
    "register_test",
    "run_tests",
    "sign_test",
    "tests_for",
    "timeseries_tests",
    "wilcoxon_test",
]
