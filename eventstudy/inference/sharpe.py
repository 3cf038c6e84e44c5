"""The Sharpe ratio with honest statistics: its standard error under non-normal, autocorrelated
returns, the probabilistic Sharpe ratio and the deflated Sharpe ratio of a search.

All ratios here are *per period* (daily for a daily backtest) unless a function says
otherwise; :func:`annualize` multiplies by ``sqrt(periods)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from eventstudy._validation import check_int
from eventstudy.inference._common import FloatArray

__all__ = [
    "EULER_GAMMA",
    "SharpeStats",
    "annualize",
    "deflated_sharpe",
    "expected_max_sharpe",
    "newey_west_lags",
    "probabilistic_sharpe",
    "sharpe_stats",
]

EULER_GAMMA = 0.5772156649015329
"""The Euler–Mascheroni constant of the expected maximum of Gaussian draws."""

REFERENCES = (
    "Lo, A. W. (2002), 'The statistics of Sharpe ratios', Financial Analysts Journal 58(4), "
    "36-52; Mertens, E. (2002), 'Comments on variance of the IID estimator in Lo (2002)', "
    "working paper, University of Basel; Bailey, D. H. & López de Prado, M. (2012), 'The Sharpe "
    "ratio efficient frontier', Journal of Risk 15(2), 3-44; Bailey, D. H. & López de Prado, M. "
    "(2014), 'The deflated Sharpe ratio: correcting for selection bias, backtest overfitting "
    "and non-normality', Journal of Portfolio Management 40(5), 94-107"
)


def newey_west_lags(n_obs: int) -> int:
    """``floor(4 (T / 100)^(2/9))``, the Newey & West (1994) rule of thumb for Bartlett lags."""
    t = check_int("n_obs", n_obs, minimum=1)
    return math.floor(4.0 * (t / 100.0) ** (2.0 / 9.0))


@dataclass(frozen=True, slots=True)
class SharpeStats:
    """Per-period Sharpe ratio of a return series with its sampling statistics.

    Attributes
    ----------
    sharpe
        Mean over standard deviation (population, ``ddof=0``) of the excess returns.
    se
        Standard error of ``sharpe`` from the delta method on the mean and variance with a
        Bartlett (Newey–West) long-run covariance of ``lags`` lags (Lo 2002).  With
        ``lags = 0`` it equals the non-normal i.i.d. formula of Mertens (2002).
    se_iid_normal
        ``sqrt((1 + sharpe^2 / 2) / T)``, the textbook standard error under i.i.d. normal
        returns, for contrast.
    skew, kurtosis
        Sample skewness and (non-excess) kurtosis of the returns.
    n_obs, lags
        Observations and Bartlett lags used.
    """

    sharpe: float
    se: float
    se_iid_normal: float
    skew: float
    kurtosis: float
    n_obs: int
    lags: int

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def _bartlett_long_run(v: FloatArray, lags: int) -> float:
    """``gamma_0 + 2 sum_{j=1}^{L} (1 - j / (L + 1)) gamma_j`` of a centred scalar series,
    ``gamma_j = sum_t v_t v_{t-j} / T``.

    statsmodels' ``S_hac_simple`` computes the matrix version (the tests compare ``a' S a / T``
    with this on ``v = g a``).  It is not used because its BLAS products make the last digits
    depend on the number of BLAS threads (``result.json`` must not), and importing
    ``statsmodels.stats.sandwich_covariance`` costs 0.82 s in a fresh process (measured
    2026-11-22); here every sum is numpy's own pairwise summation.
    """
    t = v.size
    total = float(np.sum(v * v))
    for j in range(1, lags + 1):  # a dozen lags or so
        total += 2.0 * (1.0 - j / (lags + 1.0)) * float(np.sum(v[j:] * v[:-j]))
    return total / t


def sharpe_stats(excess: Any, *, lags: int | None = None) -> SharpeStats:
    """The per-period Sharpe ratio of excess returns and its robust standard error.

    ``SR = mu / sigma`` with ``mu`` the mean and ``sigma^2`` the (``ddof=0``) variance.  The
    moment conditions ``g_t = (r_t - mu, (r_t - mu)^2 - sigma^2)`` have long-run covariance
    ``Omega`` (Bartlett kernel, ``lags`` lags); the delta method with gradient
    ``(1 / sigma, -mu / (2 sigma^3))`` gives ``Var(SR) = grad' Omega grad / T`` (Lo 2002,
    non-i.i.d. case).  Without autocorrelation (``lags = 0``) this is exactly
    ``(1 - skew SR + (kurtosis - 1) / 4 SR^2) / T`` (Mertens 2002).

    Parameters
    ----------
    excess
        Per-period returns in excess of the risk-free rate (or of a benchmark), no NaN.
    lags
        Bartlett lags; default :func:`newey_west_lags`.

    Returns
    -------
    SharpeStats

    References
    ----------
    Lo (2002), FAJ 58(4); Mertens (2002); Newey, W. K. & West, K. D. (1994), 'Automatic lag
    selection in covariance matrix estimation', Review of Economic Studies 61(4), 631-653.
    """
    r = np.asarray(excess, dtype=float).ravel()
    if r.size < 3:
        raise ValueError(f"need at least 3 returns for a Sharpe ratio, got {r.size}")
    if not np.isfinite(r).all():
        raise ValueError("returns contain NaN or infinite values")
    t = r.size
    q = newey_west_lags(t) if lags is None else check_int("lags", lags, minimum=0)
    if q >= t:
        raise ValueError(f"lags must be below the number of returns ({t}), got {q}")
    if np.ptp(r) == 0.0:
        raise ValueError("returns are constant: the Sharpe ratio is undefined")
    mu = float(r.mean())
    d = r - mu
    var = float(np.sum(d * d)) / t  # numpy summation, not BLAS: the same for any thread count
    sigma = math.sqrt(var)
    sr = mu / sigma
    # the delta method on the scalar grad' g_t: its long-run variance is grad' Omega grad
    score = d / sigma - mu / (2.0 * sigma**3) * (d * d - var)
    v = _bartlett_long_run(score, q) / t
    skew = float(np.mean(d**3)) / sigma**3
    kurt = float(np.mean(d**4)) / var**2
    return SharpeStats(
        sharpe=sr,
        se=math.sqrt(max(v, 0.0)),
        se_iid_normal=math.sqrt((1.0 + 0.5 * sr * sr) / t),
        skew=skew,
        kurtosis=kurt,
        n_obs=t,
        lags=q,
    )


def probabilistic_sharpe(
    sharpe: float, benchmark: float, n_obs: int, skew: float = 0.0, kurtosis: float = 3.0
) -> float:
    """Probability that the true per-period Sharpe ratio exceeds ``benchmark``.

    ``PSR = Phi((SR - SR*) sqrt(T - 1) / sqrt(1 - skew SR + (kurtosis - 1) / 4 SR^2))``
    (Bailey & López de Prado 2012, eq. 10; ``kurtosis`` is the non-excess kurtosis, 3 for a
    normal).

    References
    ----------
    Bailey & López de Prado (2012), Journal of Risk 15(2).
    """
    t = check_int("n_obs", n_obs, minimum=2)
    denom = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe
    if denom <= 0.0:
        raise ValueError(
            f"1 - skew SR + (kurtosis - 1) / 4 SR^2 = {denom:.4g} <= 0: inconsistent moments"
        )
    z = (sharpe - benchmark) * math.sqrt(t - 1.0) / math.sqrt(denom)
    return float(special.ndtr(z))


def expected_max_sharpe(n_trials: int, variance: float) -> float:
    """Expected maximum per-period Sharpe ratio of ``n_trials`` unskilled strategies.

    ``SR_0 = sqrt(V) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e)))`` with
    ``V`` the variance of the trials' Sharpe ratios and ``gamma`` the Euler–Mascheroni
    constant (Bailey & López de Prado 2014, eq. 2); 0 for a single trial.

    References
    ----------
    Bailey & López de Prado (2014), JPM 40(5).
    """
    n = check_int("n_trials", n_trials, minimum=1)
    if not variance >= 0.0:
        raise ValueError(f"variance must be >= 0, got {variance!r}")
    if n == 1:
        return 0.0
    z1 = special.ndtri(1.0 - 1.0 / n)
    z2 = special.ndtri(1.0 - 1.0 / (n * math.e))
    return float(math.sqrt(variance) * ((1.0 - EULER_GAMMA) * z1 + EULER_GAMMA * z2))


def deflated_sharpe(
    sharpe: float,
    n_obs: int,
    n_trials: int,
    variance: float,
    skew: float = 0.0,
    kurtosis: float = 3.0,
) -> tuple[float, float]:
    """The deflated Sharpe ratio: the probabilistic Sharpe ratio against the best Sharpe ratio
    that ``n_trials`` unskilled strategies would be expected to show.

    Returns
    -------
    (dsr, sr0)
        ``DSR = PSR(SR_0)`` with ``SR_0`` = :func:`expected_max_sharpe` (per period).  Read
        ``DSR`` as the probability that the selected strategy's true Sharpe ratio is positive
        once the search that found it is accounted for; 0.95 is the usual bar.

    References
    ----------
    Bailey & López de Prado (2014), JPM 40(5), eq. 2 and the numerical example of section 5.
    """
    sr0 = expected_max_sharpe(n_trials, variance)
    return probabilistic_sharpe(sharpe, sr0, n_obs, skew, kurtosis), sr0


def annualize(per_period: float, periods: int = 252) -> float:
    """``per_period * sqrt(periods)`` (the usual scaling of a Sharpe ratio or its error)."""
    return float(per_period * math.sqrt(periods))
