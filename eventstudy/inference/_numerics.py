"""Small numerical routines on the time-series hot path, written against scipy.special only.

Why not scipy.stats here: the time-series path (classical tests, HAC p-value, path bands,
multiple testing) otherwise never imports it, and importing ``scipy.stats`` costs 552 ms in a
fresh process on top of numpy, pandas and scipy.special (median of 9 processes,
``benchmarks/bench_libraries.py``, 2026-11-22), 37 % of the flagship study's 1.5 s target for
a CLI run without figures (``benchmarks/bench_flagship.py``). The routines below take 3-113 µs
per call and save that import; the library calls would also be slower per call (49-634 µs).
``statsmodels.stats.multitest`` imports scipy.stats itself (634 ms), so ``fdr_bh`` stays too.
(The HAC covariance of :mod:`eventstudy.inference.hac` is computed there in one pass, the same
numbers as statsmodels' ``cov_type="HAC"``, checked against it: see its ``_fit``.)

Each routine mirrors one library routine exactly and ``tests/inference/test_numerics.py``
checks it against that routine; time per call, median, same benchmark (library in brackets):

========================  ==========================================================  ============
routine                   mirrors                                                     µs (library)
========================  ==========================================================  ============
``t_two_sided_p``         ``scipy.stats.t.sf`` (two-sided), ``ttest_1samp`` p-value   3 (49)
``t_quantile``            ``scipy.stats.t.ppf`` (253 degrees of freedom at once)      113 (187)
``binom_two_sided_p``     ``scipy.stats.binomtest(...).pvalue`` (two-sided, minlike)  21 (299)
``wilcoxon_signed_rank``  ``scipy.stats.wilcoxon(d)`` defaults (28 differences)       81 (634)
``fdr_bh``                statsmodels ``multipletests(method="fdr_bh")`` (12 tests)   6 (22)
``rank_average``          ``scipy.stats.rankdata`` (28 values)                        31 (85)
``quantiles``             ``numpy.quantile`` (linear, 1,000 values, two quantiles)    10 (35)
========================  ==========================================================  ============

``quantiles`` is numpy's own routine without its generality: a sweep asks for about 8,000
pairs of quantiles of 1,000 placebo or bootstrap values, and numpy's dispatch was 8% of the
CPU of the 1,000-specification benchmark (2026-12-07).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "binom_two_sided_p",
    "fdr_bh",
    "quantiles",
    "rank_average",
    "signed_rank_p",
    "t_quantile",
    "t_two_sided_p",
    "wilcoxon_signed_rank",
]


def t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of a Student-t statistic: ``2 P(T_df > |t|)``.

    Kept instead of ``2 * scipy.stats.t.sf``: 2.6 µs per call vs 49 µs, and no 552 ms import
    of scipy.stats (``benchmarks/bench_libraries.py``, 2026-11-22).
    """
    return float(min(1.0, 2.0 * special.stdtr(df, -abs(t))))


def t_quantile(q: npt.ArrayLike, df: npt.ArrayLike) -> FloatArray:
    """Quantile function of Student's t (elementwise).

    Kept instead of ``scipy.stats.t.ppf``: 113 µs for 253 degrees of freedom vs 187 µs, and no
    552 ms import of scipy.stats (``benchmarks/bench_libraries.py``, 2026-11-22).
    """
    return np.asarray(special.stdtrit(df, q), dtype=np.float64)


def binom_two_sided_p(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial p-value: total probability of outcomes no more likely than k.

    The "minlike" definition scipy's ``binomtest`` uses, with its relative tolerance 1e-7
    on the comparison of probabilities. Kept instead of ``scipy.stats.binomtest``: 21 µs per
    call vs 299 µs (n = 28), and no 552 ms import of scipy.stats
    (``benchmarks/bench_libraries.py``, 2026-11-22).
    """
    if not 0 < p < 1:
        raise ValueError(f"p must lie strictly between 0 and 1, got {p}")
    x = np.arange(n + 1)
    logpmf = (
        special.gammaln(n + 1)
        - special.gammaln(x + 1)
        - special.gammaln(n - x + 1)
        + x * np.log(p)
        + (n - x) * np.log1p(-p)
    )
    pmf = np.exp(logpmf)
    if k == n * p:
        return 1.0
    d = pmf[k]
    return float(min(1.0, pmf[pmf <= d * (1 + 1e-7)].sum()))


def rank_average(a: FloatArray) -> tuple[FloatArray, bool]:
    """Ranks 1..n with ties averaged; also whether any tie occurred.

    As ``scipy.stats.rankdata``; kept for :func:`wilcoxon_signed_rank`: 31 µs for 28 values vs
    85 µs, and no 552 ms import of scipy.stats (``benchmarks/bench_libraries.py``, 2026-11-22).
    """
    # tied values get one average rank whatever their order: the fastest sort will do (numpy's
    # default; a stable mergesort took 0.15 s more on the 100,000-event battery, 2026-12-07)
    order = np.argsort(a)
    sorted_a = a[order]
    new = np.r_[True, sorted_a[1:] != sorted_a[:-1]]
    group = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    counts = np.diff(np.r_[starts, a.size])
    avg = starts + (counts + 1) / 2.0  # average of ranks starts+1 .. starts+counts
    ranks = np.empty(a.size)
    ranks[order] = avg[group]
    return ranks, bool(np.any(counts > 1))


def _signed_rank_pmf(n: int) -> FloatArray:
    """Exact null distribution of the signed-rank sum of ``1..n`` (all 2^n sign patterns)."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for k in range(1, n + 1):  # add rank k to every subset: O(n^3 / 2), n = number of events
        counts[k:] = counts[k:] + counts[:-k].copy()
    return counts / 2.0**n


def signed_rank_p(v: float, n: int) -> float:
    """Two-sided p-value of a signed-rank sum ``v`` of ``n`` non-zero differences under the
    no-ties null: ``min(1, 2 min(P(V <= v), P(V >= v)))``.

    Exact (:func:`_signed_rank_pmf`, every sign pattern) for ``n <= 50``, as R's ``psignrank``
    and ``scipy.stats.wilcoxon(method="exact")``; a ``v`` between two integers (tied ranks)
    takes ``P(V <= floor v)`` and ``P(V >= ceil v)``.  Above 50 the normal approximation without
    continuity or tie correction.  The one signed-rank distribution of the package: the
    time-series :func:`wilcoxon_signed_rank` and the cross-section battery's ``ar_wilcoxon`` /
    ``car_wilcoxon`` (estudy2's convention) both use it.  NaN for ``n = 0``.
    """
    if n == 0:
        return float("nan")
    if n <= 50:
        pmf = _signed_rank_pmf(n)
        lower = pmf[: max(math.floor(v + 1e-9) + 1, 0)].sum()
        upper = pmf[max(math.ceil(v - 1e-9), 0) :].sum()
        return float(min(1.0, 2.0 * min(float(upper), float(lower))))
    z = (v - n * (n + 1) / 4.0) / math.sqrt(n * (n + 1) * (2 * n + 1) / 24.0)
    return float(2.0 * special.ndtr(-abs(z)))


def wilcoxon_signed_rank(d: FloatArray) -> tuple[float, float]:
    """Two-sided Wilcoxon signed-rank test of ``d`` (zeros dropped), as scipy's defaults.

    Returns ``(min(R+, R-), p)``. For more than 50 differences (zeros included) the p-value is
    the normal approximation (tie-corrected, no continuity correction). Otherwise it is exact
    without ties or zeros, and with ties or zeros an exhaustive sign-flip permutation p-value
    for at most 13 differences, else the normal approximation. Kept instead of
    ``scipy.stats.wilcoxon``: 81 µs for 28 differences vs 634 µs, and no 552 ms import of
    scipy.stats (``benchmarks/bench_libraries.py``, 2026-11-22).
    """
    d = np.asarray(d, dtype=np.float64)
    n_zero = int(np.count_nonzero(d == 0))
    x = d[d != 0]
    n = x.size
    if n == 0:
        raise ValueError("every difference is zero")
    ranks, ties = rank_average(np.abs(x))
    r_plus = float(ranks[x > 0].sum())
    total = n * (n + 1) / 2.0
    statistic = min(r_plus, total - r_plus)
    if d.size <= 50 and not ties and n_zero == 0:
        return statistic, signed_rank_p(r_plus, n)
    if d.size <= 13:  # exhaustive sign flips of all differences (zeros contribute nothing)
        signs = np.array(list(itertools.product((0.0, 1.0), repeat=n)))
        null = signs @ ranks  # R+ under every sign pattern of the non-zero differences
        gamma = abs(np.finfo(np.float64).eps * 100 * r_plus)
        less = np.mean(null <= r_plus + gamma)
        greater = np.mean(null >= r_plus - gamma)
        return statistic, min(1.0, 2.0 * min(float(less), float(greater)))
    _, counts = np.unique(np.abs(x), return_counts=True)
    var = n * (n + 1) * (2 * n + 1) / 24.0 - np.sum(counts**3 - counts) / 48.0
    z = (r_plus - total / 2.0) / np.sqrt(var)
    return statistic, float(min(1.0, 2.0 * special.ndtr(-abs(z))))


def fdr_bh(p: FloatArray) -> FloatArray:
    """Benjamini–Hochberg adjusted p-values (step-up), capped at 1.

    Kept instead of statsmodels ``multipletests(method="fdr_bh")``: importing
    ``statsmodels.stats.multitest`` imports scipy.stats, 634 ms in a fresh process; the
    routine takes 5.5 µs for 12 p-values vs 22 µs (``benchmarks/bench_libraries.py``,
    2026-11-22).
    """
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    stepped = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def quantiles(a: npt.ArrayLike, q: Sequence[float]) -> FloatArray:
    """``numpy.quantile(a, q)`` (method ``"linear"``) of a 1-D float64 array, bit for bit.

    The same steps as numpy's ``_quantile``: the virtual index ``(n - 1) q``, the order
    statistics on either side of it (one partition), and numpy's ``_lerp``, which
    interpolates from the nearer side -- in Python floats, which are the same IEEE doubles.
    Anything else goes to ``numpy.quantile`` itself: input that is not a 1-D float64 array, or
    is empty or holds NaN; ``q`` that is not a sequence of Python floats (or a float64 array);
    and a result that is zero, whose sign depends on where numpy's partition leaves -0.0.

    Examples
    --------
    >>> quantiles([3.0, 1.0, 2.0, 4.0], [0.25, 0.5]).tolist()
    [1.75, 2.5]
    """
    arr = np.asarray(a)
    qs = np.asarray(q)
    n = arr.size
    if (
        arr.dtype != np.float64
        or qs.dtype != np.float64
        or arr.ndim != 1
        or qs.ndim != 1
        or n == 0
        or np.isnan(arr).any()
    ):
        out: FloatArray = np.quantile(arr, q)
        return out
    top = n - 1
    spots = []
    for p in qs.tolist():  # a few quantiles
        if not 0.0 <= p <= 1.0:
            raise ValueError("Quantiles must be in the range [0, 1]")
        virtual = top * p
        below = math.floor(virtual)
        lo = top if virtual >= top else below
        spots.append((lo, min(lo + 1, top), virtual - below))
    part = np.partition(arr, sorted({k for lo, hi, _ in spots for k in (lo, hi)}))
    res = np.empty(len(spots))
    for j, (lo, hi, gamma) in enumerate(spots):
        left, right = float(part[lo]), float(part[hi])
        diff = right - left
        res[j] = right - diff * (1.0 - gamma) if gamma >= 0.5 else left + diff * gamma
    if not res.all():  # a zero: numpy's own, with its sign
        zero: FloatArray = np.quantile(arr, q)
        return zero
    return res
