"""The HAC t-statistic of an event-dummy slope for many event sets at once (rows of positions),
as :func:`~eventstudy.inference.hac.hac_test` computes it with its defaults.  Shared by the size
on the data (:mod:`eventstudy.inference.size`) and the studentized shift test
(:mod:`eventstudy.inference.shift_t`), below both of them."""

from __future__ import annotations

import numpy as np

from eventstudy.inference._common import FloatArray, IntArray
from eventstudy.inference.hac import default_hac_lags

__all__ = ["band_sums"]


def _scores(y: FloatArray, events: IntArray, m1: FloatArray, m0: FloatArray) -> FloatArray:
    """The slope's score ``u_t = e_t (d_t / n_1 - (1 - d_t) / n_0)`` of each row (draws x
    dates), as :func:`~eventstudy.inference.hac._fit` forms it."""
    n1 = events.shape[1]
    n0 = y.size - n1
    d = np.zeros((events.shape[0], y.size), dtype=bool)
    np.put_along_axis(d, events, True, axis=1)
    return (y[None, :] - np.where(d, m1[:, None], m0[:, None])) * np.where(d, 1.0 / n1, -1.0 / n0)


def band_sums(yc: FloatArray, lags: int) -> tuple[FloatArray, FloatArray, float, float, float]:
    """``K y``, ``K 1``, ``y' K y``, ``1' K y`` and ``1' K 1`` of a centred series ``yc``, K
    the band of ones ``|i - j| <= lags`` (the truncated kernel), from one cumulative sum."""
    t = yc.size
    c = np.concatenate([[0.0], np.cumsum(yc)])
    idx = np.arange(t)
    hi = np.minimum(idx + lags, t - 1) + 1
    lo = np.maximum(idx - lags, 0)
    ky = c[hi] - c[lo]  # K y
    k1 = (hi - lo).astype(np.float64)  # K 1
    return ky, k1, float(np.sum(yc * ky)), float(np.sum(ky)), float(np.sum(k1))


def _uniform_sparse(
    y: FloatArray, events: IntArray, m1: FloatArray, m0: FloatArray, lags: int
) -> FloatArray:
    """``u' K u`` (K: ones on the band ``|i - j| <= lags``) of each row in O(n^2) per row.

    Split the score as ``u = a + s``: ``a_t = -(y_t - m_0) / n_0`` on every date and ``s``
    nonzero on the n events only.  ``a' K a`` needs ``y' K y``, ``1' K y`` and ``1' K 1``
    (computed once) and the row's ``m_0``; ``s' K a`` the band sums ``K y`` and ``K 1`` at
    the events; ``s' K s`` the n x n pairs of events within ``lags`` days.  ``y`` is centred
    first so that nothing large cancels."""
    t = y.size
    n1 = events.shape[1]
    n0 = t - n1
    centre = float(y.mean())
    yc = y - centre
    ky, k1, yky, oky, ok1 = band_sums(yc, lags)
    m1c, m0c = m1 - centre, m0 - centre
    aka = (yky - 2.0 * m0c * oky + m0c * m0c * ok1) / (n0 * n0)
    ye = yc[events]
    se = (ye - m1c[:, None]) / n1 + (ye - m0c[:, None]) / n0
    ka = -(ky[events] - m0c[:, None] * k1[events]) / n0
    ska = np.sum(se * ka, axis=1)
    near = np.abs(events[:, :, None] - events[:, None, :]) <= lags
    sks = np.einsum("si,sij,sj->s", se, near, se)
    return aka + 2.0 * ska + sks


def _hac_t(
    y: FloatArray,
    events: IntArray,
    lags: int,
    h: int,
    effect: float,
    *,
    sparse: bool | None = None,
) -> tuple[FloatArray, FloatArray]:
    """t-statistics of the event-dummy slope (uniform kernel, Bartlett where its variance is
    not positive, as :func:`hac_test`) for each row of ``events``, without and with
    ``effect`` added to the event rows.  Adding a constant to the event group moves its mean
    and leaves the residuals, hence the variance, unchanged.

    The truncated-kernel variance ``u' K u`` comes from :func:`_uniform_sparse` (O(n^2) per
    row) when ``n^2 < T`` (``sparse=None``), else from one cumulative sum of the dense
    score (O(T) per row): on the flagship (T = 11,000, 40 events, 1,000 shifts) 8 ms
    against 0.37 s."""
    t = y.size
    n1 = events.shape[1]
    n0 = t - n1
    sum1 = y[events].sum(axis=1)
    m1 = sum1 / n1
    m0 = (y.sum() - sum1) / n0
    if sparse if sparse is not None else n1 * n1 < t:
        acc = _uniform_sparse(y, events, m1, m0, lags)
    else:
        u = _scores(y, events, m1, m0)
        c = np.concatenate([np.zeros((u.shape[0], 1)), np.cumsum(u, axis=1)], axis=1)
        lo = np.maximum(np.arange(t) - lags, 0)  # lags < t - 2: size_on_data needs T_c > 2h
        acc = 2.0 * np.sum(u * (c[:, 1:] - c[:, lo]), axis=1) - np.sum(u * u, axis=1)
    bad = ~(acc > 0)
    if bad.any():  # the Bartlett fallback of hac_test, for those rows only
        u = _scores(y, events[bad], m1[bad], m0[bad])
        nl = default_hac_lags(h, "bartlett")  # < T_c - 2: size_on_data needs T_c > 2h
        nfft = 1 << int(2 * t - 1).bit_length()
        f = np.fft.rfft(u, nfft)  # along the dates (the last axis)
        gamma = np.fft.irfft(f.real**2 + f.imag**2, nfft)[:, : nl + 1]
        w = 1.0 - np.arange(nl + 1) / (nl + 1.0)
        acc[bad] = 2.0 * np.sum(w * gamma, axis=1) - gamma[:, 0]
    var = acc * t / (t - 2.0)
    se = np.sqrt(np.where(var > 0, var, np.nan))  # NaN: the test cannot run
    return (m1 - m0) / se, (m1 - m0 + effect) / se
