"""Regression test of the event excess return with Hodrick's (1992) 1B standard error for
overlapping long-horizon returns."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from eventstudy._validation import check_int
from eventstudy.inference._common import MIN_EVENTS, prepare
from eventstudy.results import TestResult

__all__ = ["NULL_HYPOTHESIS", "REFERENCE", "hodrick_test"]

NULL_HYPOTHESIS = (
    "one-day returns are unpredictable, so the mean sum of the h one-day moves after event "
    "dates (the h-day log return of a price) equals that after other dates (b = 0)"
)
REFERENCE = (
    "Hodrick, R. J. (1992), 'Dividend yields and expected stock returns: alternative "
    "procedures for inference and measurement', Review of Financial Studies 5(3), 357-386 "
    "(standard errors 1B); Ang, A. & Bekaert, G. (2007), 'Stock return predictability: is it "
    "there?', Review of Financial Studies 20(3), 651-707"
)


def hodrick_test(
    fwd_h: Any, event_positions: Any, horizon_days: int, daily_returns: Any
) -> TestResult:
    """OLS ``y_t = a + b * event_t + e_t`` over all complete dates with Hodrick's 1B variance,
    ``y_t`` the sum of the one-day moves in date ``t``'s window.

    The window of date ``t`` holds the one-day moves ``r_s`` of days ``t + 1 .. t + h``, and
    ``y_t = sum_{s=t+1}^{t+h} r_s``.  The slope is ``b = sum_t c_t y_t`` with
    ``c_t = d_t / n_1 - (1 - d_t) / n_0`` (the slope's row of ``(X'X)^{-1} X'``), which
    regrouped by day is ``b = sum_s r_s cbar_s``, ``cbar_s = sum_{t=s-h}^{s-1} c_t`` the
    regressors "rolled back" over the h dates whose windows contain day ``s``.  Under the null
    that the one-day moves are unpredictable, ``eps_s = r_s - mean(r)`` is a martingale
    difference and ``sum_s cbar_s = 0``, so ``Var(b) = sum_s eps_s^2 cbar_s^2`` (no
    autocovariances to estimate: the overlap is in ``cbar``), and ``b / se`` is referred to
    N(0, 1) (Hodrick 1992, eq. 8, estimator 1B).

    For log returns and changes of a level, ``y_t`` is the forward move ``fwd_h`` itself.  For
    simple returns (one-day log returns given as ``daily_returns``) the test is run on the
    h-day log returns rather than on ``fwd_h``: the 1B variance is the variance of a sum of
    one-day moves, and dividing the simple-return slope by it mixed two scales (at 12 months
    a simple spread ``fwd_A - fwd_B`` moves about ``1 + fwd_B`` times as much as the log
    ratio whose one-day moves are given).  ``fwd_h`` still decides which dates are complete.

    Parameters
    ----------
    fwd_h
        Forward moves of one horizon on every date, shape ``(T,)``; NaN = incomplete.
    event_positions
        Sorted unique integer positions of the events into ``fwd_h``.
    horizon_days
        Horizon h in trading days.
    daily_returns
        One-day moves, shape ``(T + h,)``: entry ``s`` is the move from the close of date
        ``s - 1`` to the close of date ``s`` (dates past ``T - 1`` are the h days after the
        sample; NaN where the data end).

    Returns
    -------
    TestResult
        ``statistic`` = t-statistic of ``b``; ``details`` = {coef, se, n_obs, horizon,
        days}.  Not applicable with fewer than 3 complete events, no event-free date, or a
        missing one-day return inside a complete window.

    References
    ----------
    Hodrick (1992), RFS 5(3); Ang & Bekaert (2007), RFS 20(3), section 2.
    """
    h = check_int("horizon_days", horizon_days, minimum=1)
    s = prepare(fwd_h, event_positions)
    common: dict[str, Any] = {
        "null_hypothesis": NULL_HYPOTHESIS,
        "method": (
            "OLS of the h-day sums of the one-day moves (log returns for a price) on an event "
            "dummy over all complete dates; Hodrick (1992) 1B variance from the one-day moves "
            "and the regressors summed over the h dates whose windows hold each day; N(0, 1) "
            "reference"
        ),
        "reference": REFERENCE,
        "distribution": "N(0, 1)",
    }
    if s.n < MIN_EVENTS:
        return TestResult.not_applicable(
            "hodrick", f"only {s.n} complete events (need >= {MIN_EVENTS})", **common
        )
    d = s.dummy.astype(bool)
    n1 = int(d.sum())
    n0 = s.y.size - n1
    if n0 == 0:
        return TestResult.not_applicable("hodrick", "no event-free complete date", **common)
    t_len = s.length
    r = np.asarray(daily_returns, dtype=float).ravel()
    if r.size != t_len + h:
        raise ValueError(
            f"daily_returns must have T + h = {t_len + h} entries (the forward returns' dates "
            f"and the h days after), got {r.size}"
        )
    c = np.zeros(t_len + h)
    c[s.positions] = np.where(d, 1.0 / n1, -1.0 / n0)
    complete = np.zeros(t_len + h)
    complete[s.positions] = 1.0
    # cbar_s = sum of c over dates s - h .. s - 1 (the windows holding day s): differences of
    # cumulative sums; a day is covered when at least one complete window holds it
    days = np.arange(t_len + h)
    lo = np.maximum(days - h, 0)
    cum = np.concatenate([[0.0], np.cumsum(c)])
    cbar = cum[days] - cum[lo]
    count = np.concatenate([[0.0], np.cumsum(complete)])
    covered = (count[days] - count[lo]) > 0
    rc = r[covered]
    if not np.isfinite(rc).all():
        return TestResult.not_applicable(
            "hodrick",
            f"{int((~np.isfinite(rc)).sum())} one-day returns missing inside complete windows",
            **common,
        )
    cc = cbar[covered]
    coef = float(np.sum(rc * cc))  # the slope on the window sums of the one-day moves
    eps = rc - rc.mean()
    var = float(np.sum(eps * eps * cc**2))
    se = math.sqrt(var)
    if not se > 0 or not np.ptp(rc) > 0:  # constant moves: eps is rounding noise, not zero
        return TestResult.not_applicable("hodrick", "one-day returns have no variance", **common)
    stat = coef / se
    p = float(math.erfc(abs(stat) / math.sqrt(2.0)))
    return TestResult(
        name="hodrick",
        statistic=stat,
        p_value=p,
        details={
            "coef": coef,
            "se": se,
            "n_obs": int(s.y.size),
            "horizon": h,
            "days": int(covered.sum()),
        },
        **common,
    )
