"""Inference across a search of specifications, from one joint null distribution.

A sweep runs many specifications on the same data; their estimates are strongly dependent.
Every test here works on the observed statistics ``obs`` (one per specification) and a matrix
``null`` of the same statistics under a *joint* null: row ``d`` applies the same resampling to
every specification at once, which keeps their dependence.  The joint null used by sweeps is the
**circular time shift** (:func:`circular_shift_null`): every specification's event dates are moved
by the same number of trading days, wrapping around the sample, which keeps each specification's
own clustering of events and the serial dependence of returns.

* :func:`reality_check` -- White (2000): is the best specification better than chance?
* :func:`spa` -- Hansen (2005): the same, with specifications far below zero left out of the
  null maximum (consistent p-value).
* :func:`romano_wolf` -- Romano & Wolf (2005) stepdown: family-wise adjusted p-value of each
  specification.
* :func:`specification_curve_test` -- Simonsohn, Simmons & Nelson (2020): p-values of the median
  effect and of the number of specifications significant in the claimed direction.

Why not ``arch.bootstrap.RealityCheck`` / ``SPA`` / ``StepM``: they take a time series of loss
differentials and resample it themselves; a sweep's statistic is the mean forward return over a
specification's *event dates* and its null comes from shifting those dates, which is not a
resampling of rows of a loss matrix.  The maximum and stepdown logic is the same, and
``tests/inference/test_search.py`` checks :func:`reality_check` against arch's SPA and
:func:`romano_wolf` against arch's StepM, each on arch's own simulated values.

References
----------
White, H. (2000), 'A reality check for data snooping', Econometrica 68(5), 1097-1126.
Hansen, P. R. (2005), 'A test for superior predictive ability', JBES 23(4), 365-380.
Romano, J. P. & Wolf, M. (2005), 'Stepwise multiple testing as formalized data snooping',
Econometrica 73(4), 1237-1282.
Simonsohn, U., Simmons, J. P. & Nelson, L. D. (2020), 'Specification curve analysis', Nature
Human Behaviour 4, 1208-1214.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "Direction",
    "circular_shift_null",
    "reality_check",
    "romano_wolf",
    "spa",
    "specification_curve_test",
]

Direction = Literal["positive", "negative", "two-sided"]
FloatArray = npt.NDArray[np.float64]


def _signed(x: FloatArray, direction: Direction) -> FloatArray:
    if direction == "positive":
        return x
    if direction == "negative":
        return -x
    if direction == "two-sided":
        return np.abs(x)
    raise ValueError(f"direction must be 'positive', 'negative' or 'two-sided', got {direction!r}")


def _check(obs: npt.ArrayLike, null: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    o = np.asarray(obs, dtype=np.float64)
    n = np.asarray(null, dtype=np.float64)
    if o.ndim != 1 or n.ndim != 2 or n.shape[1] != o.size:
        raise ValueError(f"obs must be (J,) and null (D, J); got {o.shape} and {n.shape}")
    if n.shape[0] < 1 or o.size < 1:
        raise ValueError("need at least one specification and one null draw")
    return o, n


def _p(count: npt.ArrayLike, draws: int) -> FloatArray:
    """Add-one p-value (Phipson & Smyth 2010): never zero."""
    return (np.asarray(count, dtype=np.float64) + 1.0) / (draws + 1.0)


_DIRECT = 150_000  # events x shifts up to which the shifted sums are gathered, not transformed


def circular_shift_null(
    values: npt.ArrayLike,
    events: Sequence[npt.ArrayLike],
    shifts: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Event-mean excess returns of several event sets under common circular shifts.

    Parameters
    ----------
    values
        The forward returns of one target x horizon over the evaluation sample, shape ``(T,)``,
        complete (no NaN).
    events
        One array per specification: positions of its events into ``values``.
    shifts
        Shifts in trading days, shape ``(D,)``; each is applied to every specification
        (position ``p`` moves to ``(p + s) mod T``).

    Returns
    -------
    obs, null
        ``obs[j]`` = mean of ``values`` at the events of ``j`` minus the mean of ``values``;
        ``null[d, j]`` the same after shift ``d``.  A specification without events gives NaN.

    Notes
    -----
    All T shifts of one event set are the circular cross-correlation of its indicator with
    ``values``, computed by FFT in O(T log T) per specification (of the series repeated twice,
    zero-padded to a fast length); the requested shifts are then
    read off.  The shifted mean is exact to rounding (about 1e-15 relative).  An event set
    whose events times shifts number at most 150,000 is summed directly at the requested
    shifts instead, which is cheaper (O(events x shifts)).

    Examples
    --------
    >>> import numpy as np
    >>> obs, null = circular_shift_null(np.arange(10.0), [np.array([1, 2])], np.array([1, 8]))
    >>> obs.tolist(), np.round(null[:, 0], 12).tolist()
    ([-3.0], [-2.0, 0.0])
    """
    y = np.asarray(values, dtype=np.float64)
    if y.ndim != 1 or not np.all(np.isfinite(y)):
        raise ValueError("values must be a one-dimensional array without NaN")
    t = y.size
    s = np.asarray(shifts, dtype=np.int64) % t
    base = float(y.mean())
    from scipy import fft

    # circular correlation of length t as a linear one of the doubled series, padded to a
    # length with small prime factors: the dates' count is often prime-rich, and a
    # length-11,629 transform took 1.8x as long as this one (2026-11-22)
    size = fft.next_fast_len(2 * t - 1, real=True)
    doubled = np.concatenate([y, y])
    obs = np.full(len(events), np.nan)
    null = np.full((s.size, len(events)), np.nan)
    # each date once (an event listed twice is one event, as in the FFT's indicator)
    sets = [np.unique(np.asarray(e, dtype=np.int64)) for e in events]
    for e in sets:  # one check per specification
        if e.size and (e[0] < 0 or e[-1] >= t):
            raise ValueError(f"event positions must lie in 0..{t - 1}")
    # few events x shifts: the shifted sums gathered directly (40 events x 1,000 shifts:
    # 0.08 ms against 0.5 ms for the transform of 11,000 dates; they cost the same near
    # 250,000 event-shifts, and gathering slows down beyond, 2026-12-07)
    direct = [j for j, e in enumerate(sets) if e.size > 0 and e.size * (s.size + 1) <= _DIRECT]
    at = np.concatenate([[0], s])
    for j in direct:  # loop over specifications
        e = sets[j]
        # numpy's row-by-row sum over the events, not a BLAS product: the same digits for
        # any thread count; shift 0 first, so that the observed excess is a shift's
        sums = doubled[e[:, None] + at].sum(axis=0) / e.size - base
        obs[j] = sums[0]
        null[:, j] = sums[1:]
    gathered = set(direct)
    rest = [j for j, e in enumerate(sets) if e.size and j not in gathered]
    if not rest:
        return obs, null
    fy = fft.rfft(doubled, size)
    chunk = max(1, 2_000_000 // size)  # rows of the padded transform: about 32 MB a temporary
    for lo in range(0, len(rest), chunk):  # chunks of specifications, FFT over all shifts
        cols = rest[lo : lo + chunk]
        ind = np.zeros((len(cols), t))
        for i, j in enumerate(cols):
            ind[i, sets[j]] = 1.0
        counts = ind.sum(axis=1)
        corr = fft.irfft(np.conj(fft.rfft(ind, size, axis=1)) * fy, size, axis=1)[:, :t]
        means = corr / counts[:, None]
        # numpy's own sums, not a BLAS product: the same digits for any thread count
        obs[cols] = np.sum(ind * y, axis=1) / counts - base
        null[:, cols] = means[:, s].T - base
    return obs, null


def reality_check(
    obs: npt.ArrayLike, null: npt.ArrayLike, direction: Direction = "positive"
) -> float:
    """White's (2000) reality check p-value: the best specification against the null maximum.

    ``p = (1 + #{d : max_j null[d, j] >= max_j obs[j]}) / (D + 1)`` after orienting the
    statistics by ``direction``.  Pass studentized statistics (each divided by its null standard
    deviation) so that no specification dominates the maximum by its scale alone.
    Specifications with NaN statistics are left out.
    """
    o, n = _check(obs, null)
    ok = np.isfinite(o) & np.all(np.isfinite(n), axis=0)
    if not ok.any():
        return math.nan
    so, sn = _signed(o[ok], direction), _signed(n[:, ok], direction)
    return float(_p(np.sum(sn.max(axis=1) >= so.max()), sn.shape[0]))


def spa(
    obs: npt.ArrayLike,
    null: npt.ArrayLike,
    direction: Direction = "positive",
    *,
    n_draws_threshold: int | None = None,
) -> float:
    """Hansen's (2005) consistent SPA p-value on studentized statistics.

    The statistic is ``max(0, max_j t_j)`` (Hansen 2005, eq. 5), so a search whose every
    statistic points against the claimed direction has p = 1.  Like :func:`reality_check`, but a specification whose studentized statistic lies below
    ``-sqrt(2 log log D)`` (it is far worse than chance) is recentred by its own value in the
    null (its null statistics are shifted down by ``|obs|``), so that poor specifications do not
    inflate the null maximum.  ``D`` is the number of null draws unless
    ``n_draws_threshold`` gives the sample length to use in the threshold.
    """
    o, n = _check(obs, null)
    ok = np.isfinite(o) & np.all(np.isfinite(n), axis=0)
    if not ok.any():
        return math.nan
    so, sn = _signed(o[ok], direction), _signed(n[:, ok], direction)
    size = n_draws_threshold or sn.shape[0]
    threshold = -math.sqrt(2.0 * math.log(math.log(max(size, 3))))
    shift = np.where(so < threshold, so, 0.0)
    # Hansen's T = max(0, max_j t_j), in the data and in every draw: with every statistic
    # against the claimed direction T is 0 and p is 1
    observed = max(0.0, float(so.max()))
    drawn = np.maximum((sn + shift).max(axis=1), 0.0)
    return float(_p(np.sum(drawn >= observed), sn.shape[0]))


def romano_wolf(
    obs: npt.ArrayLike, null: npt.ArrayLike, direction: Direction = "positive"
) -> FloatArray:
    """Romano & Wolf (2005) stepdown p-values, one per specification (family-wise error).

    Specifications are ordered by their statistic, largest first; the ``k``-th is compared with
    the null maximum over itself and every specification below it, and the p-values are made
    monotone (``p_k = max(p_{k-1}, share of draws whose maximum reaches obs_k)``), add-one rule.
    Pass studentized statistics.  NaN statistics get NaN.
    """
    o, n = _check(obs, null)
    out = np.full(o.size, np.nan)
    ok = np.flatnonzero(np.isfinite(o) & np.all(np.isfinite(n), axis=0))
    if ok.size == 0:
        return out
    so, sn = _signed(o[ok], direction), _signed(n[:, ok], direction)
    order = np.argsort(-so, kind="stable")
    # running maximum over the specifications from k to the last (in order): (D, J)
    tail_max = np.maximum.accumulate(sn[:, order][:, ::-1], axis=1)[:, ::-1]
    raw = _p(np.sum(tail_max >= so[order][None, :], axis=0), sn.shape[0])
    out[ok[order]] = np.maximum.accumulate(raw)
    return out


def specification_curve_test(
    obs: npt.ArrayLike,
    null: npt.ArrayLike,
    direction: Direction = "positive",
    *,
    alpha: float = 0.05,
) -> dict[str, float]:
    """Specification-curve inference (Simonsohn, Simmons & Nelson 2020) from a joint null.

    Returns
    -------
    dict
        ``median`` and ``p_median``: the median statistic and the share of null draws whose
        median is at least as extreme (in ``direction``); ``n_significant`` and
        ``p_share``: the number of specifications significant at ``alpha`` in the claimed
        direction (each against its own null distribution, one-sided) and the share of null
        draws with at least as many; ``n`` the specifications counted.  Add-one p-values.
    """
    o, n = _check(obs, null)
    ok = np.isfinite(o) & np.all(np.isfinite(n), axis=0)
    if not ok.any():
        nan = math.nan
        return {"median": nan, "p_median": nan, "n_significant": nan, "p_share": nan, "n": 0}
    so, sn = _signed(o[ok], direction), _signed(n[:, ok], direction)
    d = sn.shape[0]
    med = float(np.median(so))
    p_median = float(_p(np.sum(np.median(sn, axis=1) >= med), d))
    # each specification's own critical value: the (1 - alpha) quantile of its null
    crit = np.quantile(sn, 1.0 - alpha, axis=0, method="higher")
    n_sig = int(np.sum(so > crit))
    null_sig = np.sum(sn > crit[None, :], axis=1)
    p_share = float(_p(np.sum(null_sig >= n_sig), d))
    return {
        "median": float(np.median(o[ok])),
        "p_median": p_median,
        "n_significant": n_sig,
        "p_share": p_share,
        "n": int(ok.sum()),
    }
