"""Regression test of the event excess return with Newey-West HAC standard errors."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from scipy import special

from eventstudy._validation import check_choice, check_int
from eventstudy.inference._common import MIN_EVENTS, FloatArray, n_episodes, prepare
from eventstudy.inference._numerics import t_two_sided_p
from eventstudy.results import TestResult

__all__ = ["bartlett_share_of_overlap_variance", "default_hac_lags", "hac_test"]

HacKernel = Literal["bartlett", "uniform"]
HacDf = Literal["episodes", "normal"]
EpisodeRule = Literal["clusters", "greedy"]

_REF = (
    "Newey, W. K. & West, K. D. (1987), 'A simple, positive semi-definite, heteroskedasticity "
    "and autocorrelation consistent covariance matrix', Econometrica 55(3), 703-708; "
    "Hansen, L. P. & Hodrick, R. J. (1980), Journal of Political Economy 88(5), 829-853; "
    "Bester, C. A., Conley, T. G. & Hansen, C. B. (2011), 'Inference with dependent data "
    "using cluster covariance estimators', Journal of Econometrics 165(2), 137-151"
)

NULL_HYPOTHESIS = "mean forward return on event dates equals that on other dates (b = 0)"
REFERENCE = _REF

LAG_MULTIPLE = 1.5
"""Bartlett truncation lag as a multiple of the horizon (see :func:`default_hac_lags`)."""


def default_hac_lags(horizon_days: int, kernel: str = "uniform") -> int:
    """Default HAC truncation lag for an ``horizon_days``-day overlapping forward return.

    Overlap makes the regression errors MA(h-1).  The truncated (uniform) kernel of Hansen &
    Hodrick (1980) with exactly ``h - 1`` lags weights those autocovariances fully and
    ignores the rest.  With the Bartlett kernel a lag of h-1 would down-weight them and
    understate the long-run variance by about one third (sum of (1-j/h)(h-j) vs (h-j) for
    j < h), so the Bartlett default is ``ceil(1.5 h)``.  That narrows the gap without closing
    it: for errors that are sums of h equal shocks, ``ceil(1.5 h)`` Bartlett lags give 78% of
    the long-run variance (h = 126 or 252), a standard error about 12% too small
    (:func:`bartlett_share_of_overlap_variance`).  The uniform kernel is the default for this
    reason; the Bartlett fallback is for a long-run variance the uniform kernel makes negative.
    """
    h = check_int("horizon_days", horizon_days, minimum=1)
    check_choice("kernel", kernel, ("bartlett", "uniform"))
    if kernel == "uniform":
        return h - 1
    return max(h - 1, math.ceil(LAG_MULTIPLE * h))


def bartlett_share_of_overlap_variance(horizon_days: int, nlags: int | None = None) -> float:
    """The share of the long-run variance of an MA(h-1) sum of ``h`` equal shocks that the
    Bartlett kernel with ``nlags`` lags (default :func:`default_hac_lags`) keeps:
    ``sum_{|j|<h} (1 - |j|/(L+1)) (h - |j|) / h**2``.

    >>> round(bartlett_share_of_overlap_variance(126), 4)
    0.779
    """
    h = check_int("horizon_days", horizon_days, minimum=1)
    lags = default_hac_lags(h, "bartlett") if nlags is None else nlags
    j = np.arange(-(h - 1), h)
    weights = np.clip(1.0 - np.abs(j) / (lags + 1.0), 0.0, None)
    return float(np.sum(weights * (h - np.abs(j))) / h**2)


def _kernel_sum(u: FloatArray, nlags: int, kernel: str) -> float:
    """The kernel-weighted sum of the autocovariances of the scalar score ``u`` (lags 0 to
    ``nlags``, each pair of dates once for each order plus the squares)."""
    t = u.size
    lags = min(int(nlags), t - 1)
    if kernel == "uniform":
        c = np.concatenate([[0.0], np.cumsum(u)])
        lo = np.maximum(np.arange(t) - lags, 0)
        # sum_{l=0}^{L} u_t u_{t-l} for every t, summed: each pair once plus the squares
        return 2.0 * float(np.sum(u * (c[1:] - c[lo]))) - float(np.sum(u * u))
    nfft = 1 << int(2 * t - 1).bit_length()
    f = np.fft.rfft(u, nfft)
    gamma = np.fft.irfft(f.real**2 + f.imag**2, nfft)[: lags + 1]
    w = 1.0 - np.arange(lags + 1) / (nlags + 1.0)
    return 2.0 * float(np.sum(w * gamma)) - float(gamma[0])


def _fit(
    y: FloatArray, x: FloatArray, nlags: int, kernel: str
) -> tuple[float, float, float, float]:
    """Slope, its HAC variance, the intercept of the OLS of ``y`` on ``x = [1, dummy]``, and
    the HAC variance of the event mean.

    The same numbers as statsmodels' ``OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags":
    nlags, "kernel": kernel, "use_correction": True})`` (checked at rtol 1e-10 in
    ``tests/inference/test_hac.py``), computed in one pass.  With a dummy regressor the OLS
    is two group means: intercept ``a = mean(y | d = 0)``, slope ``b = mean(y | d = 1) - a``,
    and the slope's row of ``(X'X)^{-1}`` applied to ``x_t`` is ``d_t / n_1 - (1 - d_t) / n_0``.
    So the variance of ``b`` is ``T / (T - 2)`` times the kernel-weighted sum of the
    autocovariances of the scalar ``u_t = e_t (d_t / n_1 - (1 - d_t) / n_0)``:

    - truncated (uniform) kernel: ``sum_t u_t^2 + 2 sum_t u_t (U_{t-1} - U_{t-L-1})`` with
      ``U`` the running sum of ``u`` (one cumulative sum, O(T));
    - Bartlett kernel: the autocovariances from one FFT (O(T log T)).

    Why not statsmodels' ``cov_hac_simple``: it makes one BLAS product per lag (up to 251
    for a 12-month horizon), whose last digits depend on the number of BLAS threads, so
    ``result.json`` was not byte-identical across ``OPENBLAS_NUM_THREADS``; and a sweep fits
    thousands of these regressions.  ``benchmarks/bench_libraries.py`` (T = 11,000, 251
    lags, one BLAS thread): statsmodels 4.2 ms per fit, this 0.13 ms
    (2026-11-22).  Everything here is
    numpy's own summation and pocketfft, identical for any thread count.

    The event mean ``a + b`` is the coefficient on the dummy when the regressors are the two
    group indicators ``[d, 1 - d]`` (the same fit): its row of ``(X'X)^{-1}`` applied to ``x_t``
    is ``d_t / n_1``, so its HAC variance is the same kernel sum over ``e_t d_t / n_1`` (as
    statsmodels gives for that design).  It is the variance of the event mean itself, not of
    the excess ``b``: the two differ by the covariance of the event and comparison means,
    which the dates around each event share.
    """
    d = x[:, 1] != 0
    t = y.size
    n1 = int(np.count_nonzero(d))
    n0 = t - n1
    m1 = float(y[d].mean())
    m0 = float(y[~d].mean())
    e = y - np.where(d, m1, m0)
    u = e * np.where(d, 1.0 / n1, -1.0 / n0)
    s = _kernel_sum(u, nlags, kernel)
    s1 = _kernel_sum(np.where(d, e / n1, 0.0), nlags, kernel)
    return m1 - m0, s * t / (t - 2.0), m0, s1 * t / (t - 2.0)


def hac_test(
    fwd_h: Any,
    event_positions: Any,
    horizon_days: int,
    *,
    lags: int | None = None,
    kernel: HacKernel = "uniform",
    df: HacDf = "episodes",
    episodes: EpisodeRule = "clusters",
) -> TestResult:
    """OLS ``fwd_t = a + b * event_t + e_t`` over all complete dates with HAC standard errors.

    ``b`` is the event excess return over non-event dates; its t-statistic uses the HAC
    covariance of statsmodels' ``cov_type="HAC"`` with the small-sample correction
    ``use_correction=True`` (scaled by T / (T - 2)), computed in one pass by :func:`_fit`
    (the same numbers, checked against statsmodels).  The default is
    the Hansen-Hodrick truncated kernel with h-1 lags, which matches the MA(h-1) overlap
    exactly and had the best size in ``benchmarks/calibration.py``; when it yields a
    non-positive variance the Newey-West Bartlett kernel with ``ceil(1.5 h)`` lags is used
    instead (``details["kernel"]`` says which).

    The t-statistic is referred to a Student t with ``G - 1`` degrees of freedom, ``G`` the
    number of clusters of events whose h-day return windows overlap (a new cluster starts
    when an event comes at least h days after the previous event).  The event-dummy score
    is concentrated on the event windows, so the HAC variance of ``b`` is in effect a
    cluster-robust variance from ``G`` independent clusters, and t(G - 1) is the reference
    Bester, Conley & Hansen (2011) derive for such estimators (cf. Cameron & Miller 2015).
    Its size on each design of ``benchmarks/calibration.py`` is in ``docs/calibration.md``
    (the ``hac`` column; ``hac_greedy`` for the greedy episode count, ``episodes="greedy"``,
    whose more degrees of freedom over-reject for clustered events); it quoted an earlier
    run's sizes here, which ``tests/test_calibration_quotes.py`` now keeps out.

    Parameters
    ----------
    fwd_h
        Forward returns of one horizon on every date, shape ``(T,)``; NaN = incomplete
        (those dates leave the regression).
    event_positions
        Sorted unique integer positions of the events into ``fwd_h``.
    horizon_days
        The horizon h in trading days (sets the default lag).
    lags
        HAC truncation lag; default :func:`default_hac_lags` (``h - 1`` for the uniform
        kernel, ``ceil(1.5 h)`` for Bartlett).  Must be at least ``h - 1``.
    kernel
        ``"uniform"`` (Hansen-Hodrick truncated kernel; default) or ``"bartlett"``
        (Newey-West, positive semi-definite).
    df
        Reference distribution of the t-statistic: ``"episodes"`` (default) uses a Student t
        with ``n_episodes - 1`` degrees of freedom, where ``n_episodes`` is the number G of
        episodes (by default, clusters of events whose h-day windows overlap; see
        ``episodes``): the HAC variance of ``b`` is essentially estimated from that many
        independent clusters (cf. cluster-robust
        inference with G clusters, Bester, Conley & Hansen 2011); ``"normal"`` uses the
        asymptotic N(0, 1).
    episodes
        How ``n_episodes`` is counted (see :func:`~eventstudy.inference._common.n_episodes`):
        ``"clusters"`` (default) counts chains of overlapping windows (new episode when an
        event is >= h days after the previous event); ``"greedy"`` (the previous default)
        starts a new episode >= h days after the start of the current one, which splits
        long chains into several episodes and over-rejected by about one point at 12 months.

    Returns
    -------
    TestResult
        ``statistic`` = t of ``b``; ``details`` = {coef, se, intercept, lags, kernel,
        n_obs, n_events, n_episodes}.  Not applicable with fewer than 3 complete events,
        fewer than 2 episodes (with ``df="episodes"``), constant forward returns, or a
        non-positive variance.
        ``details["episode_rule"]`` records ``episodes``.

    References
    ----------
    Hansen & Hodrick (1980), JPE 88(5); Newey & West (1987), Econometrica 55(3); Bester,
    C. A., Conley, T. G. & Hansen, C. B. (2011), 'Inference with dependent data using cluster
    covariance estimators', Journal of Econometrics 165(2), 137-151; Cameron, A. C. &
    Miller, D. L. (2015), 'A practitioner's guide to cluster-robust inference', Journal of
    Human Resources 50(2), 317-372.

    Examples
    --------
    Five events on 21-day forward returns: the windows of the events at 100 and 110 overlap,
    so there are G = 4 clusters and the t-statistic is referred to t(3):

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> fwd = rng.normal(0.0, 0.05, 1000)
    >>> res = hac_test(fwd, [100, 110, 300, 500, 800], horizon_days=21)
    >>> res.distribution, res.details["n_episodes"], res.details["lags"], res.details["kernel"]
    ('t(3)', 4, 20, 'uniform')
    >>> bool(res.statistic == res.details["coef"] / res.details["se"])
    True
    """
    h = check_int("horizon_days", horizon_days, minimum=1)
    check_choice("kernel", kernel, ("bartlett", "uniform"))
    check_choice("df", df, ("episodes", "normal"))
    check_choice("episodes", episodes, ("clusters", "greedy"))
    nlags = (
        default_hac_lags(h, kernel)
        if lags is None
        else check_int("lags", lags, minimum=max(h - 1, 0))
    )
    s = prepare(fwd_h, event_positions)
    n_ep = n_episodes(s.event_positions, h, rule=episodes)

    def described(kernel_text: str, lags_used: int) -> str:
        return (
            f"OLS of forward return on an event dummy over all complete dates; {kernel_text} "
            f"kernel HAC covariance with {lags_used} lags (as statsmodels cov_type='HAC', "
            "use_correction=True); " + reference
        )

    reference = (
        (
            "t(G - 1) reference, G = clusters of events with overlapping h-day windows"
            if episodes == "clusters"
            else "t(n_episodes - 1) reference, greedy episode count"
        )
        if df == "episodes"
        else "normal reference"
    )
    method = described(kernel, nlags)
    common: dict[str, Any] = {
        "null_hypothesis": NULL_HYPOTHESIS,
        "method": method,
        "reference": _REF,
    }
    details: dict[str, Any] = {
        "lags": nlags,
        "kernel": kernel,
        "n_episodes": n_ep,
        "episode_rule": episodes,
    }
    if s.n < MIN_EVENTS:
        return TestResult.not_applicable(
            "hac", f"only {s.n} complete events (need >= {MIN_EVENTS})", details=details, **common
        )
    if df == "episodes" and n_ep < 2:
        return TestResult.not_applicable(
            "hac", f"only {n_ep} non-overlapping episode(s) (need >= 2)", details=details, **common
        )
    if s.n == s.y.size:
        return TestResult.not_applicable(
            "hac", "every complete date is an event: no comparison dates", details=details, **common
        )
    if np.ptp(s.y) == 0:
        return TestResult.not_applicable(
            "hac", "the forward returns have no variation", details=details, **common
        )
    x = np.column_stack([np.ones(s.y.size), s.dummy])
    coef, var, intercept, var_mean = _fit(s.y, x, nlags, kernel)
    if kernel == "uniform" and not var > 0:
        nlags = default_hac_lags(h, "bartlett")
        coef, var, intercept, var_mean = _fit(s.y, x, nlags, "bartlett")
        details.update({"lags": nlags, "kernel": "bartlett (fallback)"})
        common["method"] = described(
            "Bartlett (fallback: the uniform kernel's variance was not positive; Bartlett with "
            "ceil(1.5 h) lags keeps about 78% of an overlap's variance, so this p-value is "
            "optimistic)",
            nlags,
        )
    if not math.isfinite(var) or var <= 0:
        return TestResult.not_applicable(
            "hac", f"non-positive HAC variance ({var:.3g})", details=details, **common
        )
    se = math.sqrt(var)
    t = coef / se
    if df == "episodes":
        dist = f"t({n_ep - 1})"
        p = t_two_sided_p(t, n_ep - 1)
    else:
        dist = "N(0,1)"
        p = float(2 * special.ndtr(-abs(t)))
    details.update(
        {
            "coef": coef,
            "se": se,
            # the event mean's own HAC standard error (the report's interval of the mean)
            "se_mean": math.sqrt(var_mean) if var_mean > 0 else math.nan,
            "intercept": intercept,
            "n_obs": int(s.y.size),
            "n_events": s.n,
        }
    )
    return TestResult(
        name="hac", statistic=t, p_value=p, distribution=dist, details=details, **common
    )
