"""Circular-shift randomization test of the event excess return (every rotation of the dates)."""

from __future__ import annotations

from typing import Any

import numpy as np

from eventstudy.inference._common import MIN_EVENTS, prepare
from eventstudy.inference._numerics import quantiles
from eventstudy.results import TestResult

__all__ = ["NULL_HYPOTHESIS", "REFERENCE", "shift_test"]

NULL_HYPOTHESIS = (
    "the event dates carry no information: moved together by any number of days around the "
    "sample, with their clustering kept, they are as good as the actual dates"
)
REFERENCE = (
    "Randomization inference: Fisher, R. A. (1935), The Design of Experiments; over a group of "
    "transformations (here the rotations of the dates): Romano, J. P. (1990), 'On the behavior "
    "of randomization tests without a group invariance assumption', JASA 85(411), 686-692"
)


def shift_test(fwd_h: Any, event_positions: Any, horizon_days: int) -> TestResult:
    """Randomization test of the event excess return against every circular shift of the dates.

    Over the ``T`` dates with a complete horizon, the event set is moved by ``s = 0 .. T - 1``
    dates together (position ``p`` to ``(p + s) mod T``), which keeps its clustering -- the
    count, the gaps and the overlap of the windows -- and the serial dependence of returns.
    Under the null that the event timing is independent of a stationary return series, the
    actual dates are one of ``T`` equally likely rotations (cyclic exchangeability), so the
    share of rotations whose excess is at least as large in absolute value,
    ``p = #{s : |x_s| >= |x_0|} / T`` (the actual set included), is an exact two-sided
    p-value up to the one seam where the series wraps.  All ``T`` excesses come from one
    circular cross-correlation by FFT (:func:`eventstudy.inference.search.circular_shift_null`),
    so the test costs O(T log T) and draws no random numbers.

    Parameters
    ----------
    fwd_h
        Forward returns of one horizon on every date, shape ``(T,)``; NaN = incomplete.
    event_positions
        Sorted unique integer positions of the events into ``fwd_h``.
    horizon_days
        Horizon h in trading days (reported only).

    Returns
    -------
    TestResult
        ``statistic`` = observed excess (event mean minus the mean over all complete dates);
        ``details`` = {shifts, null_std (the excess's spread over the rotations),
        null_q025, null_q975, percentile}.  Not applicable with fewer than 3 complete events
        or constant forward returns.

    References
    ----------
    Fisher (1935); Romano (1990), JASA 85(411).

    Examples
    --------
    Ten dates and the events on the three largest returns: no other rotation reaches that
    excess, so p = 1 / 10.

    >>> import numpy as np
    >>> y = np.array([0.0, 0.0, 9.0, 9.0, 9.0, 0.0, 1.0, 0.0, 2.0, 1.0])
    >>> shift_test(y, [2, 3, 4], 1).p_value
    0.1
    """
    from eventstudy.inference.search import circular_shift_null

    s = prepare(fwd_h, event_positions)
    common: dict[str, Any] = {
        "null_hypothesis": NULL_HYPOTHESIS,
        "method": (
            f"circular shifts of the event dates over the {s.y.size} complete dates (every "
            "rotation, clustering kept); two-sided randomization p-value of the excess"
        ),
        "reference": REFERENCE,
    }
    if s.n < MIN_EVENTS:
        return TestResult.not_applicable(
            "shift", f"only {s.n} complete events (need >= {MIN_EVENTS})", **common
        )
    if np.ptp(s.y) == 0:
        return TestResult.not_applicable("shift", "forward returns have zero variance", **common)
    t = s.y.size
    obs_arr, null = circular_shift_null(s.y, [s.events], np.arange(t))
    excess = null[:, 0]
    obs = float(obs_arr[0])
    # the rotation by 0 is the actual set: its FFT value equals obs up to rounding, so the
    # comparisons allow a tolerance relative to the largest excess
    tol = 1e-9 * float(np.abs(excess).max())
    p = float(np.count_nonzero(np.abs(excess) >= abs(obs) - tol) / t)
    q025, q975 = quantiles(excess, (0.025, 0.975))
    return TestResult(
        name="shift",
        statistic=obs,
        p_value=p,
        distribution=f"excess over {t} circular shifts of the event dates",
        details={
            "shifts": t,
            "null_std": float(excess.std(ddof=1)),
            "null_q025": float(q025),
            "null_q975": float(q975),
            "percentile": float(np.mean(excess <= obs + tol)),
        },
        **common,
    )
