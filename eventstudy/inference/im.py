"""Ibragimov–Müller t-test over clusters of events."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from eventstudy._validation import check_int
from eventstudy.events import episode_labels
from eventstudy.inference._common import MIN_EVENTS, prepare
from eventstudy.inference._numerics import t_two_sided_p
from eventstudy.results import TestResult

__all__ = ["NULL_HYPOTHESIS", "REFERENCE", "im_test"]

NULL_HYPOTHESIS = "the mean excess forward return of the episodes of events is zero"
REFERENCE = (
    "Ibragimov, R. & Müller, U. K. (2010), 't-statistic based correlation and heterogeneity "
    "robust inference', Journal of Business & Economic Statistics 28(4), 453-468"
)


def im_test(fwd_h: Any, event_positions: Any, horizon_days: int) -> TestResult:
    """Student t-test across the episodes of events (Ibragimov & Müller 2010).

    Events whose h-day windows overlap form one episode (:func:`~eventstudy.events.
    episode_labels`); each of the G episodes gives one estimate, the mean forward return of
    its events minus the baseline mean (every complete date); the G estimates are treated as
    independent with possibly different variances, and their one-sample t-statistic is
    referred to t(G - 1).  Ibragimov & Müller show that this test is valid at the 5% level
    for any G >= 2 as long as the episode estimates are approximately independent and
    normal, however unequal their variances (conservative then), so it needs no long-run
    variance at all: the dependence inside an episode is in its estimate.

    Parameters
    ----------
    fwd_h
        Forward returns of one horizon on every date, shape ``(T,)``; NaN = incomplete.
    event_positions
        Sorted unique integer positions of the events into ``fwd_h``.
    horizon_days
        The horizon h in trading days (sets the episodes).

    Returns
    -------
    TestResult
        ``statistic`` = t across episodes; ``details`` = {n_episodes, episode_means (the G
        estimates), baseline_mean, n_events}.  Not applicable with fewer than 3 complete
        events, fewer than 2 episodes, or estimates without variance.

    References
    ----------
    Ibragimov, R. & Müller, U. K. (2010), JBES 28(4), 453-468; Bakirov, N. K. & Székely,
    G. J. (2006), 'Student's t-test for Gaussian scale mixtures', Journal of Mathematical
    Sciences 139(3), 6497-6505.

    Examples
    --------
    Events at 100 and 110 share an episode for 21-day returns: four episodes, t(3):

    >>> import numpy as np
    >>> fwd = np.random.default_rng(0).normal(0.0, 0.05, 1000)
    >>> res = im_test(fwd, [100, 110, 300, 500, 800], horizon_days=21)
    >>> res.distribution, res.details["n_episodes"]
    ('t(3)', 4)
    """
    h = check_int("horizon_days", horizon_days, minimum=1)
    s = prepare(fwd_h, event_positions)
    common: dict[str, Any] = {
        "null_hypothesis": NULL_HYPOTHESIS,
        "method": (
            "one-sample t-test of the per-episode mean excess forward returns (episodes: "
            "clusters of events with overlapping h-day windows), t(G - 1) reference"
        ),
        "reference": REFERENCE,
    }
    labels = episode_labels(s.event_positions, h)
    g = int(labels[-1]) + 1 if labels.size else 0
    details: dict[str, Any] = {"n_episodes": g, "n_events": s.n}
    if s.n < MIN_EVENTS:
        return TestResult.not_applicable(
            "im", f"only {s.n} complete events (need >= {MIN_EVENTS})", details=details, **common
        )
    if g < 2:
        return TestResult.not_applicable(
            "im", f"only {g} episode(s) (need >= 2)", details=details, **common
        )
    base = s.baseline_mean
    sums = np.bincount(labels, weights=s.values)  # labels run 0..G-1
    counts = np.bincount(labels)
    est = sums / counts - base
    sd = float(est.std(ddof=1))
    details.update({"episode_means": est.tolist(), "baseline_mean": base})
    if not sd > 0:
        return TestResult.not_applicable(
            "im", "the episode estimates have no variance", details=details, **common
        )
    t = float(est.mean()) / (sd / math.sqrt(g))
    return TestResult(
        name="im",
        statistic=t,
        p_value=t_two_sided_p(t, g - 1),
        distribution=f"t({g - 1})",
        details=details,
        **common,
    )
