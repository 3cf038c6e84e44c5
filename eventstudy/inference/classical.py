"""Classical one-sample tests of event forward returns against the unconditional baseline.

All three ignore the overlap of h-day return windows and the clustering of events in
time: their p-values are too small when events overlap (see ``benchmarks/calibration.py``).
They are reported for comparison, never as the verdict.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eventstudy.inference._common import MIN_EVENTS, prepare
from eventstudy.inference._numerics import (
    binom_two_sided_p,
    t_two_sided_p,
    wilcoxon_signed_rank,
)
from eventstudy.results import TestResult

__all__ = ["naive_t_test", "sign_test", "wilcoxon_test"]

_NAIVE_METHOD = (
    "one-sample t-test of event forward returns against the baseline mean "
    "(as scipy.stats.ttest_1samp); IGNORES overlap of return windows and event clustering"
)
_NAIVE_REF = "Student (1908), 'The probable error of a mean', Biometrika 6(1), 1-25"
_SIGN_METHOD = (
    "exact binomial test of the event hit rate (share > 0) against the baseline hit rate "
    "(as scipy.stats.binomtest, generalized sign test); IGNORES overlap and clustering"
)
_SIGN_REF = (
    "Cowan, A. R. (1992), 'Nonparametric event study tests', Review of Quantitative Finance "
    "and Accounting 2(4), 343-358"
)
_WILCOXON_METHOD = (
    "Wilcoxon signed-rank test of event forward returns minus the baseline mean "
    "(as scipy.stats.wilcoxon, two-sided); IGNORES overlap and clustering"
)
_WILCOXON_REF = (
    "Wilcoxon, F. (1945), 'Individual comparisons by ranking methods', Biometrics Bulletin "
    "1(6), 80-83"
)

NAIVE_NULL = "mean event forward return equals the unconditional baseline mean"
SIGN_NULL = "event hit rate (share > 0) equals the baseline hit rate"
WILCOXON_NULL = "event forward returns are symmetric around the unconditional baseline mean"


def naive_t_test(fwd_h: Any, event_positions: Any) -> TestResult:
    """One-sample t-test of the event mean forward return against the baseline mean.

    Parameters
    ----------
    fwd_h
        Forward returns of one horizon on every date, shape ``(T,)``; NaN = incomplete.
    event_positions
        Sorted unique integer positions of the events into ``fwd_h``.

    Returns
    -------
    TestResult
        ``statistic`` = t, ``details`` = {n, mean, baseline_mean}.  Not applicable with
        fewer than 3 complete events or zero variance.

    Notes
    -----
    Treats the event returns as i.i.d. and the baseline mean as known: overlapping windows
    and clustered events make it over-reject.  Reported only to show that over-rejection.

    References
    ----------
    Student (1908), Biometrika 6(1).
    """
    s = prepare(fwd_h, event_positions)
    common: dict[str, Any] = {
        "null_hypothesis": NAIVE_NULL,
        "method": _NAIVE_METHOD,
        "reference": _NAIVE_REF,
    }
    if s.n < MIN_EVENTS:
        return TestResult.not_applicable(
            "naive_t", f"only {s.n} complete events (need >= {MIN_EVENTS})", **common
        )
    x = s.values
    if np.ptp(x) == 0:
        return TestResult.not_applicable("naive_t", "event returns have zero variance", **common)
    mu0 = s.baseline_mean
    t = float((x.mean() - mu0) / (x.std(ddof=1) / np.sqrt(x.size)))
    return TestResult(
        name="naive_t",
        statistic=t,
        p_value=t_two_sided_p(t, x.size - 1),
        distribution=f"t({s.n - 1})",
        details={"n": s.n, "mean": float(x.mean()), "baseline_mean": mu0},
        **common,
    )


def sign_test(fwd_h: Any, event_positions: Any) -> TestResult:
    """Binomial test of the event hit rate against the baseline hit rate.

    Parameters
    ----------
    fwd_h, event_positions
        As in :func:`naive_t_test`.

    Returns
    -------
    TestResult
        ``statistic`` = number of events with a positive forward return, ``details`` =
        {n, hit_rate, baseline_hit_rate}.  Not applicable with fewer than 3 complete events
        or a baseline hit rate of 0 or 1.

    References
    ----------
    Cowan, A. R. (1992), Review of Quantitative Finance and Accounting 2(4).
    """
    s = prepare(fwd_h, event_positions)
    common: dict[str, Any] = {
        "null_hypothesis": SIGN_NULL,
        "method": _SIGN_METHOD,
        "reference": _SIGN_REF,
    }
    if s.n < MIN_EVENTS:
        return TestResult.not_applicable(
            "sign", f"only {s.n} complete events (need >= {MIN_EVENTS})", **common
        )
    p0 = float(np.mean(s.y > 0))
    if p0 in (0.0, 1.0):
        return TestResult.not_applicable(
            "sign", f"baseline hit rate is {p0:.0%}: no variation", **common
        )
    k = int(np.count_nonzero(s.values > 0))
    return TestResult(
        name="sign",
        statistic=float(k),
        p_value=binom_two_sided_p(k, s.n, p0),
        distribution=f"Binomial({s.n}, {p0:.4f})",
        details={"n": s.n, "hit_rate": k / s.n, "baseline_hit_rate": p0},
        **common,
    )


def wilcoxon_test(fwd_h: Any, event_positions: Any) -> TestResult:
    """Wilcoxon signed-rank test of event forward returns minus the baseline mean.

    Parameters
    ----------
    fwd_h, event_positions
        As in :func:`naive_t_test`.

    Returns
    -------
    TestResult
        ``statistic`` = the signed-rank statistic reported by scipy, ``details`` = {n,
        median_difference}.  Not applicable with fewer than 3 complete events or when every
        difference is zero.

    References
    ----------
    Wilcoxon, F. (1945), Biometrics Bulletin 1(6).
    """
    s = prepare(fwd_h, event_positions)
    common: dict[str, Any] = {
        "null_hypothesis": WILCOXON_NULL,
        "method": _WILCOXON_METHOD,
        "reference": _WILCOXON_REF,
    }
    if s.n < MIN_EVENTS:
        return TestResult.not_applicable(
            "wilcoxon", f"only {s.n} complete events (need >= {MIN_EVENTS})", **common
        )
    diff = s.values - s.baseline_mean
    if np.all(diff == 0):
        return TestResult.not_applicable(
            "wilcoxon", "every event return equals the baseline mean", **common
        )
    statistic, p_value = wilcoxon_signed_rank(diff)
    return TestResult(
        name="wilcoxon",
        statistic=statistic,
        p_value=p_value,
        distribution="Wilcoxon signed-rank",
        details={"n": s.n, "median_difference": float(np.median(diff))},
        **common,
    )
