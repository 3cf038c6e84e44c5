"""Automatic block length for the stationary and circular block bootstraps.

A numpy port of :func:`arch.bootstrap.optimal_block_length` (Politis & White 2004 with the
Patton, Politis & White 2009 correction, tuning as in arch 8.0). It exists because importing
``arch`` costs about 1.5 s (it imports its whole univariate-volatility stack), more than the
flagship study's whole time budget; the tests check it against arch to 1e-10.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["optimal_block_length"]


def optimal_block_length(x: npt.ArrayLike) -> tuple[float, float]:
    """Politis–White optimal expected block lengths of a 1-D series.

    Parameters
    ----------
    x
        Series, shape ``(T,)``, finite values.

    Returns
    -------
    (stationary, circular)
        Optimal expected block length for the stationary bootstrap and block length for the
        circular block bootstrap, each capped at ``ceil(min(3 sqrt(T), T / 3))``.

    References
    ----------
    Politis, D. N. & White, H. (2004), "Automatic Block-Length Selection for the Dependent
    Bootstrap", Econometric Reviews 23(1), 53-70. Patton, A., Politis, D. N. & White, H.
    (2009), "Correction to ...", Econometric Reviews 28(4), 372-375.
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"x must be one-dimensional, got shape {arr.shape}")
    nobs = arr.size
    if nobs < 30 or not np.all(np.isfinite(arr)):
        raise ValueError(f"x must hold at least 30 finite values, got {nobs}")
    eps = arr - arr.mean()
    b_max = np.ceil(min(3 * np.sqrt(nobs), nobs / 3))
    kn = max(5, int(np.log10(nobs)))
    m_max = int(np.ceil(np.sqrt(nobs))) + kn
    cv = 2 * np.sqrt(np.log10(nobs) / nobs)
    lags = np.arange(m_max + 1)
    # cross products eps[i:] . eps[:-i] for every lag (m_max ~ sqrt(T) of them), summed by
    # numpy itself: a BLAS dot per lag gave last digits that depended on the thread count
    cross = np.array([np.sum(eps[i:] * eps[: nobs - i]) for i in lags])
    sq = np.cumsum(eps[::-1] ** 2)[::-1]  # sq[j] = sum_{k>=j} eps_k^2
    head = np.cumsum(eps**2)  # head[j] = sum_{k<=j} eps_k^2
    v1 = sq[lags + 1]  # m_max + 1 < nobs for nobs >= 30
    v2 = head[nobs - lags - 2]
    acv = cross / nobs
    abs_acorr = np.abs(cross) / np.sqrt(v1 * v2)
    # first i >= kn at which the kn previous |autocorrelations| are all below cv
    below = abs_acorr < cv
    run = np.convolve(below.astype(np.int64), np.ones(kn, dtype=np.int64), mode="valid")
    # run[j] = number of True in below[j : j + kn]; the window ending before i starts at i - kn
    hits = np.flatnonzero(run[: m_max + 1 - kn] == kn)
    opt_m = int(hits[0]) if hits.size else None
    m = 2 * max(opt_m, 1) if opt_m is not None else m_max
    m = min(m, m_max)
    k = np.arange(1, m + 1)
    lam = np.where(k / m <= 0.5, 1.0, 2 * (1 - k / m))
    g = float(np.sum(2 * lam * k * acv[1 : m + 1]))
    lr_acv = float(acv[0] + np.sum(2 * lam * acv[1 : m + 1]))
    d_sb = 2 * lr_acv**2
    d_cb = 4 / 3 * lr_acv**2
    b_sb = ((2 * g**2) / d_sb) ** (1 / 3) * nobs ** (1 / 3)
    b_cb = ((2 * g**2) / d_cb) ** (1 / 3) * nobs ** (1 / 3)
    return float(min(b_sb, b_max)), float(min(b_cb, b_max))
