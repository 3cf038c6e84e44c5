"""Regression test of the event excess return with the equal-weighted cosine (EWC) long-run
variance and its fixed-b Student t reference."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import fft

from eventstudy._validation import check_int
from eventstudy.inference._common import MIN_EVENTS, FloatArray, prepare
from eventstudy.inference._numerics import t_two_sided_p
from eventstudy.results import TestResult

__all__ = ["NULL_HYPOTHESIS", "REFERENCE", "default_ewc_cosines", "ewc_test"]

NULL_HYPOTHESIS = "mean forward return on event dates equals that on other dates (b = 0)"
REFERENCE = (
    "Lazarus, E., Lewis, D. J., Stock, J. H. & Watson, M. W. (2018), 'HAR inference: "
    "recommendations for practice', Journal of Business & Economic Statistics 36(4), 541-559; "
    "Müller, U. K. (2007), 'A theory of robust long-run variance estimation', Journal of "
    "Econometrics 141(2), 1331-1352"
)


def default_ewc_cosines(n_obs: int, horizon_days: int) -> int:
    """Cosines ``nu`` of the EWC estimator: ``floor(T / (2h))``, at least 2.

    Lazarus et al. (2018) recommend ``nu = 0.41 T^(2/3)`` for regressors and errors of
    moderate persistence; an h-day overlapping forward return is an MA(h - 1), whose
    long-run variance lives at frequencies below ``1 / h``, and the k-th cosine has frequency
    ``k / (2T)``: ``nu = T / (2h)`` keeps the cosines inside that band.  In the HAC
    experiment of ``docs/calibration.md`` it rejected 5.6-6.2% at 5%, where ``T / h``
    rejected 6.0-7.0%.
    """
    t = check_int("n_obs", n_obs, minimum=1)
    h = check_int("horizon_days", horizon_days, minimum=1)
    return max(2, t // (2 * h))


def _ewc_terms(u: FloatArray, nu: int) -> FloatArray:
    """``Lambda_j = sqrt(2 / T) sum_t cos(pi j (t - 1/2) / T) u_t`` for ``j = 1..nu``, from
    one type-II DCT (``dct(u)[j] = 2 sum_t cos(pi j (t - 1/2) / T) u_t``)."""
    t = u.size
    return math.sqrt(2.0 / t) * fft.dct(u)[1 : nu + 1] / 2.0  # scipy's default: type II


def ewc_test(
    fwd_h: Any, event_positions: Any, horizon_days: int, *, cosines: int | None = None
) -> TestResult:
    """OLS ``fwd_t = a + b * event_t + e_t`` over all complete dates with the EWC variance.

    With a dummy regressor the slope's score is ``u_t = e_t (d_t / n_1 - (1 - d_t) / n_0)``
    (see :func:`~eventstudy.inference.hac._fit`); the EWC estimate of ``Var(b) = Var(sum_t
    u_t)`` is ``T / nu * sum_{j=1}^{nu} Lambda_j^2`` with ``Lambda_j`` the j-th cosine
    transform of ``u``, and ``t = b / se`` is referred to Student's t with ``nu`` degrees of
    freedom (the fixed-b reference of Lazarus et al. 2018).

    Parameters
    ----------
    fwd_h
        Forward returns of one horizon on every date, shape ``(T,)``; NaN = incomplete.
    event_positions
        Sorted unique integer positions of the events into ``fwd_h``.
    horizon_days
        The horizon h in trading days (sets the default number of cosines).
    cosines
        ``nu``; default :func:`default_ewc_cosines`.

    Returns
    -------
    TestResult
        ``statistic`` = t of ``b``; ``details`` = {coef, se, cosines, n_obs, n_events}.  Not
        applicable with fewer than 3 complete events or no comparison dates.

    References
    ----------
    Lazarus, Lewis, Stock & Watson (2018), JBES 36(4); Müller (2007), J. Econometrics 141(2).

    Examples
    --------
    >>> import numpy as np
    >>> fwd = np.random.default_rng(0).normal(0.0, 0.05, 1000)
    >>> res = ewc_test(fwd, [100, 110, 300, 500, 800], horizon_days=21)
    >>> res.distribution, res.details["cosines"]
    ('t(23)', 23)
    """
    h = check_int("horizon_days", horizon_days, minimum=1)
    s = prepare(fwd_h, event_positions)
    t = s.y.size
    nu = (
        default_ewc_cosines(max(t, 1), h)
        if cosines is None
        else check_int("cosines", cosines, minimum=1)
    )
    common: dict[str, Any] = {
        "null_hypothesis": NULL_HYPOTHESIS,
        "method": (
            f"OLS of forward return on an event dummy over all complete dates; equal-weighted "
            f"cosine long-run variance with {nu} cosines, t({nu}) reference"
        ),
        "reference": REFERENCE,
    }
    details: dict[str, Any] = {"cosines": nu, "n_events": s.n}
    if s.n < MIN_EVENTS:
        return TestResult.not_applicable(
            "ewc", f"only {s.n} complete events (need >= {MIN_EVENTS})", details=details, **common
        )
    if s.n == t:
        return TestResult.not_applicable(
            "ewc", "every complete date is an event: no comparison dates", details=details, **common
        )
    if nu >= t:
        return TestResult.not_applicable(
            "ewc", f"{nu} cosines need more than {t} dates", details=details, **common
        )
    d = s.dummy != 0
    n1 = s.n
    n0 = t - n1
    m1 = float(s.y[d].mean())
    m0 = float(s.y[~d].mean())
    u = (s.y - np.where(d, m1, m0)) * np.where(d, 1.0 / n1, -1.0 / n0)
    lam = _ewc_terms(u, nu)
    var = t * float(np.sum(lam * lam)) / nu
    coef = m1 - m0
    if np.ptp(s.y) == 0:
        return TestResult.not_applicable(
            "ewc", "the forward returns have no variation", details=details, **common
        )
    if not var > 0:
        return TestResult.not_applicable(
            "ewc",
            "zero long-run variance (constant within events and other dates)",
            details=details,
            **common,
        )
    se = math.sqrt(var)
    stat = coef / se
    details.update({"coef": coef, "se": se, "n_obs": t})
    return TestResult(
        name="ewc",
        statistic=stat,
        p_value=t_two_sided_p(stat, nu),
        distribution=f"t({nu})",
        details=details,
        **common,
    )
