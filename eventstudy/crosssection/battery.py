"""The classical event-study test battery on an :class:`EventPanel`, as registry entries.

Every test is an entry of :data:`eventstudy.inference.TESTS` (``design = "cross_section"``):
``ar_*`` tests run on each event-window day's abnormal returns (scope ``"day"``), ``car_*``
tests on cumulative abnormal returns over a window (scope ``"window"``).  :func:`daily_tests`
and :func:`window_tests` run the registered entries; shared intermediates are computed once per
panel (:class:`BatteryInputs`).

Two conventions, each one object (:data:`CONVENTIONS`) holding every difference:

``"textbook"``
    Sums over the securities available on the day; Patell/BMP standardise with the OLS
    residual σ (SSR/(L-K)) and the exact prediction-error factor 1 + x_t'(X'X)^-1 x_t;
    Patell variance factor (L-K)/(L-K-2) (events with L-K <= 2 leave numerator and
    denominator alike); Cowan (1992) generalized-sign p̂ = average of the per-security
    estimation shares; Lamb factor = sqrt of the cross-sectional mean of 1 + h_it; CAR-window
    tests use every day of the window; CAR ranks over the estimation and the whole event window.
``"estudy2"``
    Matches the R package estudy2 0.10.0 exactly: cross-security sums are
    mean-over-available x N; s_i = sd(ddof=1) of estimation ARs; Patell factor
    1 + 1/L_i + (Rm_t - R̄m)²/Σ(Rm - R̄m)² with R̄m over *all* index returns of the estimation
    window; Patell denominator sqrt(Σ_all (L_i-2)/(L_i-4)); generalized-sign p̂ pooled;
    Lamb factor from the first security's index returns; CAR Brown–Warner/Lamb use the days
    with more than 90 % of securities present; the CAR rank test ranks each security over
    the estimation window plus *that CAR window* (estudy2's ``car_nonparametric_tests``
    passes the event window cut to the CAR window), so a sub-window is ranked without the
    event-window days outside it.

With no missing data and the market model both conventions agree except for σ in
Patell/BMP (ddof 2 vs 1), the p̂ of the generalized sign test when L_i differ and the CAR
rank test over a sub-window of the event window.

References
----------
Brown, S. J. & Warner, J. B. (1980), JFE 8(3); (1985), JFE 14(1).
Patell, J. M. (1976), J. Accounting Research 14(2).
Boehmer, E., Musumeci, J. & Poulsen, A. B. (1991), JFE 30(2).
Kolari, J. W. & Pynnönen, S. (2010), Review of Financial Studies 23(11).
Lamb, R. P. (1995), J. Risk and Insurance 62(1).
Cowan, A. R. (1992), Review of Quantitative Finance and Accounting 2.
Corrado, C. J. (1989), JFE 23(2).  Corrado, C. J. & Zivney, T. L. (1992), JFQA 27(3).
Wilcoxon, F. (1945), Biometrics Bulletin 1(6).
Campbell, J. Y., Lo, A. W. & MacKinlay, A. C. (1997), The Econometrics of Financial Markets, ch. 4.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, TypeAlias

import numpy as np

from eventstudy._threads import map_blocks
from eventstudy.crosssection.engine import EventPanel
from eventstudy.inference._numerics import rank_average, signed_rank_p, t_two_sided_p
from eventstudy.registry import TESTS, register_test, tests_for
from eventstudy.results import TestResult

__all__ = [
    "CONVENTIONS",
    "DAILY_TESTS",
    "ESTUDY2_NAMES",
    "WINDOW_TESTS",
    "BatteryInputs",
    "Convention",
    "WindowInputs",
    "caar_variance_path",
    "car_variance",
    "car_variance_path",
    "daily_tests",
    "window_tests",
]

Convention: TypeAlias = Literal["textbook", "estudy2"]

_REF = {
    "t": "Cross-sectional t test; Campbell, Lo & MacKinlay (1997), ch. 4",
    "brown_warner_1980": "Brown, S. J. & Warner, J. B. (1980), JFE 8(3):205-258",
    "brown_warner_1985": "Brown, S. J. & Warner, J. B. (1985), JFE 14(1):3-31",
    "patell": "Patell, J. M. (1976), J. Accounting Research 14(2):246-276",
    "boehmer": "Boehmer, E., Musumeci, J. & Poulsen, A. B. (1991), JFE 30(2):253-272",
    "adjusted_patell": "Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11):3996-4025",
    "adjusted_boehmer": "Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11):3996-4025",
    "lamb": "Lamb, R. P. (1995), J. Risk and Insurance 62(1):111-127",
    "sign": "Binomial sign test; Boehmer, Musumeci & Poulsen (1991)",
    "generalized_sign": "Cowan, A. R. (1992), Rev. Quant. Finance & Accounting 2:343-358",
    "corrado_sign": "Corrado, C. J. & Zivney, T. L. (1992), JFQA 27(3):465-478",
    "rank": "Corrado, C. J. (1989), JFE 23(2):385-395",
    "modified_rank": "Corrado, C. J. & Zivney, T. L. (1992), JFQA 27(3):465-478",
    "wilcoxon": "Wilcoxon, F. (1945), Biometrics Bulletin 1(6):80-83",
}
_NULL_DAY = "mean abnormal return on the day is zero"
_NULL_CAR = "mean cumulative abnormal return over the window is zero"


# ------------------------------------------------------------------ helpers


def _median_sorted(s: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Row medians of row-sorted ``s`` whose first ``n`` entries are finite."""
    nn = np.maximum(n, 1)
    lo = np.take_along_axis(s, ((nn - 1) // 2)[:, None], axis=1)[:, 0]
    hi = np.take_along_axis(s, (nn // 2)[:, None], axis=1)[:, 0]
    return np.where(n > 0, (lo + hi) / 2.0, np.nan)


def _sum_count(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(a)
    return np.where(ok, a, 0.0).sum(axis=0), ok.sum(axis=0)


def _div(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.divide(a, b), dtype=float)


def _col_mean(a: np.ndarray) -> np.ndarray:
    s, n = _sum_count(a)
    return _div(s, n)


def _col_sd(a: np.ndarray) -> np.ndarray:
    s, n = _sum_count(a)
    mu = _div(s, n)
    d = np.where(np.isfinite(a), a - mu, 0.0)
    return np.sqrt(_div((d**2).sum(axis=0), n - 1))


def _p_norm(z: float) -> float:
    """``2 * scipy.stats.norm.sf(|z|)``, which is ``2 * ndtr(-|z|)``: the same digits without
    importing scipy.stats (0.55 s, most of a cross-section's first call; 2026-11-22)."""
    from scipy import special

    return float(2.0 * special.ndtr(-abs(z))) if math.isfinite(z) else math.nan


def _p_t(x: float, df: float) -> float:
    """``2 * scipy.stats.t.sf(|x|, df)``, i.e. ``2 * stdtr(df, -|x|)``
    (:func:`eventstudy.inference._numerics.t_two_sided_p`)."""
    if not (math.isfinite(x) and df > 0):
        return math.nan
    return t_two_sided_p(x, df)


def _result(
    name: str,
    stat: float,
    dist: str,
    *,
    df: float | None = None,
    null: str = _NULL_DAY,
    method: str = "",
    ref: str,
    details: dict[str, Any] | None = None,
    p: float | None = None,
) -> TestResult:
    stat = float(stat)
    if not math.isfinite(stat):
        return TestResult.not_applicable(
            name,
            "statistic undefined (too few securities, zero variance or no data)",
            null_hypothesis=null,
            method=method,
            reference=ref,
            distribution=dist,
            details=details,
        )
    if p is None:
        p = _p_t(stat, df) if df is not None else _p_norm(stat)
    return TestResult(
        name=name,
        statistic=stat,
        p_value=float(p),
        null_hypothesis=null,
        method=method,
        reference=ref,
        distribution=dist,
        details=dict(details or {}),
    )


def _signrank_p(v: float, n: int) -> float:
    """Two-sided p of R's signed-rank statistic V (exact for n <= 50): the package's one
    signed-rank distribution, :func:`eventstudy.inference._numerics.signed_rank_p`."""
    return signed_rank_p(v, n)


def _wilcoxon_v(x: np.ndarray) -> tuple[float, int]:
    x = x[np.isfinite(x)]
    x = x[x != 0]
    if x.size == 0:
        return math.nan, 0
    r, _ = rank_average(np.abs(x))  # scipy.stats.rankdata's average ranks
    return float(r[x > 0].sum()), int(x.size)


def _kp_factor(r_bar: float, n: Any) -> Any:
    """``sqrt((1 - r̄) / (1 + (n - 1) r̄))`` for a count ``n`` (a number or an array)."""
    if not math.isfinite(r_bar):
        return np.full(np.shape(n), np.nan) if np.ndim(n) else math.nan
    with np.errstate(invalid="ignore"):  # 1 + (n - 1) r̄ <= 0: no factor (NaN)
        return np.sqrt(_div(1.0 - r_bar, 1.0 + (np.asarray(n, dtype=float) - 1.0) * r_bar))[()]


# ------------------------------------------------------------------ conventions


class _Rules:
    """Every difference between the two conventions, one method each (no scattered branches)."""

    name: str = ""

    def standardisation(
        self, panel: EventPanel, avail: np.ndarray, workers: int = 1
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(factor (E, D), sigma (E,), df of the Patell variance (E,), Lamb factor (D,))``."""
        raise NotImplementedError

    def p_hat(self, pos: np.ndarray, le: np.ndarray) -> float:
        """Generalized-sign p̂ from the per-security positive counts over L_i days."""
        raise NotImplementedError

    def xsum_from(self, s: np.ndarray, c: np.ndarray, n: int) -> np.ndarray:
        """Cross-security sum per column from column sums ``s`` over ``c`` securities."""
        raise NotImplementedError

    def bw80_den(self, x: BatteryInputs) -> np.ndarray:
        """Brown–Warner (1980) denominator per day."""
        raise NotImplementedError

    def patell_den(self, x: BatteryInputs) -> np.ndarray:
        """Patell denominator per day."""
        raise NotImplementedError

    def patell_sar(self, x: BatteryInputs) -> np.ndarray:
        """The standardised ARs the Patell numerator sums."""
        raise NotImplementedError

    def car_bw_lamb(self, w: WindowInputs) -> tuple[float, float]:
        """``(car_brown_warner_1985, car_lamb)`` statistics."""
        raise NotImplementedError

    def car_rank(self, w: WindowInputs) -> float:
        """``car_rank`` statistic."""
        raise NotImplementedError

    def xsum(self, a: np.ndarray, n: int) -> np.ndarray:
        """Cross-security sum per column of ``a`` (NaN = unavailable)."""
        s, c = _sum_count(a)
        return self.xsum_from(s, c, n)


class _Textbook(_Rules):
    name = "textbook"

    def standardisation(
        self, panel: EventPanel, avail: np.ndarray, workers: int = 1
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        k = panel.n_params
        h = _prediction_factor(panel, workers) if k else np.zeros_like(panel.ar_event)
        factor = 1.0 + h
        lamb_factor = np.sqrt(_col_mean(np.where(avail, factor, np.nan)))
        return factor, np.sqrt(panel.sigma2), panel.n_est.astype(float) - k, lamb_factor

    def p_hat(self, pos: np.ndarray, le: np.ndarray) -> float:
        return float(np.mean(_div(pos, le)))

    def xsum_from(self, s: np.ndarray, c: np.ndarray, n: int) -> np.ndarray:
        return np.where(c > 0, s, np.nan)

    def bw80_den(self, x: BatteryInputs) -> np.ndarray:
        var_i = x.panel.sd_ddof1**2
        return _div(np.sqrt(x.prep.avail.T.astype(float) @ var_i), x.prep.n_t)

    def patell_den(self, x: BatteryInputs) -> np.ndarray:
        # the SARs the numerator sums: a security without dispersion (or Patell variance)
        # has none, so it is out of the denominator too
        p = x.prep
        used = np.isfinite(self.patell_sar(x))
        return np.sqrt(used.T.astype(float) @ np.nan_to_num(p.patell_var))

    def patell_sar(self, x: BatteryInputs) -> np.ndarray:
        # an event whose Patell variance is undefined (L - K <= 2) is out of the denominator,
        # so it leaves the numerator too
        p = x.prep
        return np.where(np.isfinite(p.patell_var)[:, None], p.sar, np.nan)

    def car_bw_lamb(self, w: WindowInputs) -> tuple[float, float]:
        p = w.inputs.prep
        d = w.cols.size
        bw_car = w.caar / (math.sqrt(d) * p.sigma_bw85) if w.n else math.nan
        lamb_car = float(
            np.sum(_div(p.aar[w.cols], p.sigma_bw85 * p.lamb_factor[w.cols]))
        ) / math.sqrt(d)
        return bw_car, lamb_car

    def car_rank(self, w: WindowInputs) -> float:
        p = w.inputs.prep
        lw = w.inputs.panel.lw
        n_full = p.n_full
        okf = n_full > 0
        dmean = _div(p.dev_colsum, n_full)
        sk = math.sqrt(float(np.sum(dmean[okf] ** 2)) / float(p.t_i.mean()))
        dw = dmean[lw + w.cols]
        dw = dw[np.isfinite(dw)]
        return math.sqrt(w.cols.size) * float(dw.mean()) / sk if dw.size else math.nan


class _Estudy2(_Rules):
    name = "estudy2"

    def standardisation(
        self, panel: EventPanel, avail: np.ndarray, workers: int = 1
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        L = panel.n_est.astype(float)
        m_evt = panel.market
        mbar, ss = panel.market_est_mean, panel.market_est_ss
        factor = 1.0 + 1.0 / L[:, None] + _div((m_evt - mbar[:, None]) ** 2, ss[:, None])
        lamb_factor = np.sqrt(1.0 + 1.0 / L.mean() + _div((m_evt[0] - mbar[0]) ** 2, ss[0]))
        return factor, panel.sd_ddof1, L - 2.0, lamb_factor

    def p_hat(self, pos: np.ndarray, le: np.ndarray) -> float:
        return float(pos.sum() / le.sum())

    def xsum_from(self, s: np.ndarray, c: np.ndarray, n: int) -> np.ndarray:
        return np.where(c > 0, _div(s, c) * n, np.nan)

    def bw80_den(self, x: BatteryInputs) -> np.ndarray:
        var_i = x.panel.sd_ddof1**2
        return np.full(x.n_days, math.sqrt(var_i.sum()) / x.prep.n)

    def patell_den(self, x: BatteryInputs) -> np.ndarray:
        return np.full(x.n_days, math.sqrt(np.nansum(x.prep.patell_var)))

    def patell_sar(self, x: BatteryInputs) -> np.ndarray:
        return x.prep.sar

    def car_bw_lamb(self, w: WindowInputs) -> tuple[float, float]:
        # estudy2: sums of the daily statistics over the days with > 90 % of securities
        x = w.inputs
        p = x.prep
        keep = [j for j in w.cols if p.n_t[j] / p.n * 100.0 > 90.0]
        dd = len(keep)
        bw85 = _finite_or_nan(x.arrays["ar_brown_warner_1985"])
        lamb = _finite_or_nan(x.arrays["ar_lamb"])
        bw = sum(float(bw85[j]) for j in keep)
        lb = sum(float(lamb[j]) for j in keep)
        return (bw / math.sqrt(dd) if dd else math.nan, lb / math.sqrt(dd) if dd else math.nan)

    def car_rank(self, w: WindowInputs) -> float:
        # ranks over the estimation window plus this CAR window only
        x = w.inputs
        lw = x.panel.lw
        if w.cols.size == x.n_days:  # the whole event window: the full-sample ranks
            p = x.prep
            rank_colsum, n_full, t_i = p.rank_colsum, p.n_full, p.t_i
        else:
            rk = _rank_sums(x.panel.ar, np.r_[np.arange(lw), lw + w.cols], x.workers)
            rank_colsum, n_full, t_i = rk.rank_colsum, rk.n_full, rk.t_i.astype(float)
        okf = n_full > 0
        kbar = float(((t_i + 1.0) / 2.0).mean())
        k_day = _div(rank_colsum, n_full)
        sk = math.sqrt(float(np.sum((k_day[okf] - kbar) ** 2)) / float(t_i.mean()))
        nw = float(n_full[lw:].sum())
        kwin = float(rank_colsum[lw:].sum()) / nw if nw else math.nan
        return math.sqrt(w.cols.size) * (kwin - kbar) / sk


CONVENTIONS: Mapping[str, _Rules] = {"textbook": _Textbook(), "estudy2": _Estudy2()}
"""Convention name -> the object holding its rules."""


def _rules(convention: str) -> _Rules:
    try:
        return CONVENTIONS[convention]
    except KeyError:
        raise ValueError(
            f"convention must be one of {list(CONVENTIONS)}, got {convention!r}"
        ) from None


def _finite_or_nan(a: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(a), a, np.nan)


# ------------------------------------------------------------------ shared intermediates


@dataclass(frozen=True, slots=True)
class _Prep:
    n: int
    ar_evt: np.ndarray
    avail: np.ndarray
    n_t: np.ndarray
    aar: np.ndarray
    sar: np.ndarray  # (E, D)
    n_sar: np.ndarray  # (D,) finite SARs per day (a security with no dispersion has none)
    sigma_bw85: float
    df_bw: float
    r_bar: float
    lamb_factor: np.ndarray  # (D,)
    t_i: np.ndarray
    n_full: np.ndarray  # (T,) securities with an AR per full-sample day
    g_colsum: np.ndarray  # (T,) Σ_available sign(AR - median_i)
    dev_colsum: np.ndarray  # (T,) Σ_available (K_it - (T_i+1)/2)
    u_colsum: np.ndarray  # (T,) Σ_available (K_it/(T_i+1) - 1/2)
    rank_colsum: np.ndarray  # (T,) Σ_available K_it
    p_hat: float
    patell_var: np.ndarray  # (E,) variance of each SAR under H0


_BLOCK = 1024  # events per block of the full-sample pass (2 MB per (block, T) array at T = 251)


@dataclass(frozen=True, slots=True)
class _FullSample:
    """Sums over the events of the full-sample abnormal returns (estimation + event window),
    from one pass over blocks of events (:func:`_full_sample`)."""

    est_sum: np.ndarray  # (Lw,) Σ_i AR_it over available estimation days
    est_count: np.ndarray  # (Lw,) events available per estimation day
    z_sum: np.ndarray  # (Lw,) Σ_i (AR_it - mean_i) / sd_i  (events with sd_i > 0)
    z_count: np.ndarray  # (Lw,) events with sd_i > 0 available per estimation day
    positives: np.ndarray  # (E,) estimation days with AR > 0
    ranks: _RankSums


@dataclass(frozen=True, slots=True)
class _RankSums:
    """Column sums of within-row ranks (average ties; missing values left out)."""

    n_full: np.ndarray  # (T,) events with an AR per day
    t_i: np.ndarray  # (E,) ARs per event
    rank_colsum: np.ndarray  # (T,) Σ_i K_it
    u_colsum: np.ndarray  # (T,) Σ_i (K_it / (T_i + 1) - 1/2)
    kbar_colsum: np.ndarray  # (T,) Σ_i (T_i + 1) / 2 over the events with an AR on the day
    g_colsum: np.ndarray  # (T,) Σ_i sign(AR_it - median_i)


@dataclass(frozen=True, slots=True)
class _BlockRanks:
    """One block's share of :class:`_RankSums` (:func:`_block_ranks`)."""

    t_i: np.ndarray  # (rows,) ARs per event of the block
    count: np.ndarray  # (T,) the block's events with an AR per day
    rank: np.ndarray  # (T,) Σ K_it over the block
    u: np.ndarray  # (T,) Σ (K_it - (T_i + 1) / 2) / (T_i + 1) over the block
    kbar: np.ndarray  # (T,) Σ (T_i + 1) / 2 over the block's events with an AR on the day
    g: np.ndarray  # (T,) Σ sign(AR_it - median_i) over the block


def _block_ranks(blk: np.ndarray, fin: np.ndarray) -> _BlockRanks:
    """Column sums of the within-row ranks and signs of ``blk`` (``fin``: its finite entries)."""
    t = blk.shape[1]
    # missing values last; the order of ties is averaged away.  numpy's SIMD sort does
    # not take NaN: with 1% missing, argsort took 1.2 s over 100,000 rows of 251 against
    # 0.3 s once they are +inf (2026-12-07); s keeps the NaN
    complete = bool(fin.all())
    keys = blk if complete else np.where(fin, blk, np.inf)
    order = np.argsort(keys, axis=1)
    # the sorted values by a second (SIMD) sort, not gathered by ``order``: 0.5 ms against
    # 0.9 ms per block of 1,024 x 251 (2026-12-07); ties hold equal values in either order
    s = np.sort(keys, axis=1)
    n = fin.sum(axis=1)
    if not complete:
        tail = np.arange(t)[None, :] >= n[:, None]  # the missing values, sorted last
        s[tail] = np.nan
    med = _median_sorted(s, n)
    avg = _sorted_rank_values(s)
    if not complete:
        avg[tail] = 0.0
    cols = order.ravel()
    rank = np.bincount(cols, weights=avg.ravel(), minlength=t)
    count = fin.sum(axis=0)
    if n.min() == n.max():  # as many values in every row (no missing days): one scale
        kbar = (n[0] + 1.0) / 2.0 * count
        u = (rank - kbar) / (n[0] + 1.0)  # both multiples of 1/2: an exact difference
    else:
        half = np.where(avg > 0.0, (n + 1.0)[:, None] / 2.0, 0.0)  # 0 for the missing
        dev = (avg - half) / (n + 1.0)[:, None]
        u = np.bincount(cols, weights=dev.ravel(), minlength=t)
        kbar = (n + 1.0) / 2.0 @ fin
    # sign(AR - median): NaN compares False both ways, so a missing value counts 0
    g = (blk > med[:, None]).sum(axis=0) - (blk < med[:, None]).sum(axis=0)
    return _BlockRanks(t_i=n, count=count, rank=rank, u=u, kbar=kbar, g=g)


class _RankAccumulator:
    """:class:`_RankSums` summed block by block, in block order (ranks and signs are
    multiples of 1/2, so their sums are exact whatever the blocks)."""

    def __init__(self, e: int, t: int) -> None:
        self.t_i = np.empty(e, dtype=np.int64)
        self.n_full = np.zeros(t, dtype=np.int64)
        self.rank = np.zeros(t)
        self.u = np.zeros(t)
        self.kbar = np.zeros(t)
        self.g = np.zeros(t)

    def add(self, lo: int, part: _BlockRanks) -> None:
        """The block of rows ``lo:lo + len(part.t_i)``."""
        self.t_i[lo : lo + part.t_i.size] = part.t_i
        self.n_full += part.count
        self.rank += part.rank
        self.u += part.u
        self.kbar += part.kbar
        self.g += part.g

    def result(self) -> _RankSums:
        return _RankSums(
            n_full=self.n_full,
            t_i=self.t_i,
            rank_colsum=self.rank,
            u_colsum=self.u,
            kbar_colsum=self.kbar,
            g_colsum=self.g,
        )


def _sorted_rank_values(s: np.ndarray) -> np.ndarray:
    """Average-tie rank of each position of row-sorted ``s`` (NaN never ties)."""
    e, t = s.shape
    same = s[:, 1:] == s[:, :-1]  # NaN == NaN is False
    if not same.any():
        return np.broadcast_to(np.arange(1.0, t + 1.0), (e, t)).copy()
    j = np.broadcast_to(np.arange(t), (e, t))
    new = np.ones((e, t), dtype=bool)
    new[:, 1:] = ~same
    start = np.maximum.accumulate(np.where(new, j, 0), axis=1)
    last = np.ones((e, t), dtype=bool)
    last[:, :-1] = ~same
    end = np.minimum.accumulate(np.where(last, j, t - 1)[:, ::-1], axis=1)[:, ::-1]
    return (start + end) / 2.0 + 1.0


def _rank_sums(ar: np.ndarray, cols: np.ndarray | None = None, workers: int = 1) -> _RankSums:
    """:class:`_RankSums` of ``ar[:, cols]`` (all columns for None), block by block, the
    blocks shared by ``workers`` threads and summed in their order."""
    e = ar.shape[0]
    t = ar.shape[1] if cols is None else cols.size

    def ranks(lo: int) -> _BlockRanks:
        blk = ar[lo : lo + _BLOCK] if cols is None else ar[lo : lo + _BLOCK][:, cols]
        return _block_ranks(blk, np.isfinite(blk))

    starts = range(0, e, _BLOCK)
    acc = _RankAccumulator(e, t)
    for lo, part in zip(starts, map_blocks(ranks, starts, workers), strict=True):
        acc.add(lo, part)  # loop over blocks of events, not events
    return acc.result()


@dataclass(frozen=True, slots=True)
class _BlockSums:
    """One block's share of :class:`_FullSample` (:func:`_full_sample`)."""

    est_sum: np.ndarray
    est_count: np.ndarray
    z_sum: np.ndarray
    z_count: np.ndarray
    ranks: _BlockRanks


def _full_sample(panel: EventPanel, workers: int = 1) -> _FullSample:
    """One pass over blocks of events for every full-sample sum the battery needs.

    A block's arrays stay in the processor's cache; on the whole (E, T) panel each
    intermediate was a fresh array of E x T values: on 100,000 events x 251 days, 13 of
    them of 200 MB, 2.3 s of a 3.5 s call, most of it the kernel faulting in fresh memory
    (2026-12-07).  ``workers`` threads share the blocks; their sums are added in block
    order, so the result is the same bits for any count (0.58 s on one thread, 0.32 s on
    two, same data, 2026-12-07).
    """
    ar, lw = panel.ar, panel.lw
    e, t = ar.shape
    sd = panel.sd_ddof1
    has_sd = sd > 0
    inv_sd = np.where(has_sd, 1.0 / np.where(has_sd, sd, 1.0), 0.0)
    positives = np.empty(e, dtype=np.int64)
    le = panel.n_est

    def sums(lo: int) -> _BlockSums:
        hi = min(e, lo + _BLOCK)
        blk = ar[lo:hi]
        fin = np.isfinite(blk)
        est = np.where(fin[:, :lw], blk[:, :lw], 0.0)
        ok = fin[:, :lw]
        mu = _div(est.sum(axis=1), le[lo:hi])
        # z_it = (AR_it - mean_i) / sd_i on available days
        w = np.where(has_sd[lo:hi], _div(mu, np.where(has_sd[lo:hi], sd[lo:hi], 1.0)), 0.0)
        positives[lo:hi] = np.count_nonzero(blk[:, :lw] > 0, axis=1)  # NaN > 0 is False
        return _BlockSums(
            est_sum=est.sum(axis=0),
            est_count=ok.sum(axis=0),
            z_sum=inv_sd[lo:hi] @ est - w @ ok,
            z_count=np.count_nonzero(ok[has_sd[lo:hi]], axis=0),
            ranks=_block_ranks(blk, fin),
        )

    starts = range(0, e, _BLOCK)
    est_sum = np.zeros(lw)
    est_count = np.zeros(lw, dtype=np.int64)
    z_sum = np.zeros(lw)
    z_count = np.zeros(lw, dtype=np.int64)
    acc = _RankAccumulator(e, t)
    for lo, part in zip(starts, map_blocks(sums, starts, workers), strict=True):
        est_sum += part.est_sum  # loop over blocks of events, not events
        est_count += part.est_count
        z_sum += part.z_sum
        z_count += part.z_count
        acc.add(lo, part.ranks)
    return _FullSample(
        est_sum=est_sum,
        est_count=est_count,
        z_sum=z_sum,
        z_count=z_count,
        positives=positives,
        ranks=acc.result(),
    )


def _prepare(panel: EventPanel, rules: _Rules, workers: int = 1) -> _Prep:
    ar_evt = panel.ar_event
    n = panel.n_events
    avail = np.isfinite(ar_evt)
    n_t = avail.sum(axis=0)
    aar = _col_mean(ar_evt)
    L = panel.n_est.astype(float)
    full = _full_sample(panel, workers)
    # Brown–Warner 1985 crude dependence adjustment: sd of the est-window mean AR
    mean_est = _div(full.est_sum, full.est_count)
    mean_est = mean_est[np.isfinite(mean_est)]
    sigma_bw85 = float(np.std(mean_est, ddof=1)) if mean_est.size > 1 else math.nan
    df_bw = float(L.mean() - 1.0)
    # standardised abnormal returns
    factor, sigma, dfp, lamb_factor = rules.standardisation(panel, avail, workers)
    sar = _div(ar_evt, sigma[:, None] * np.sqrt(factor))
    patell_var = _div(dfp, dfp - 2.0)
    patell_var = np.where(dfp > 2.0, patell_var, np.nan)
    # Kolari–Pynnönen average cross-correlation of estimation residuals (relative-day aligned)
    # z_it = (AR_it - mean_i)/sd_i on available days; sum_t z_it^2 = L_i - 1 exactly.  A
    # security with zero residual variance (its return equals the model's) has no z: it is
    # left out of r̄ rather than dividing by zero.  The cross-products of a pair run over the
    # days both have, so the pairs are weighted by their common days less one: the
    # denominator sum_{i != j} (L_ij - 1) = sum_t c_t (c_t - 1) - n (n - 1), c_t the securities
    # with a z on day t.  With every window complete it is (L - 1) n (n - 1); dividing by the
    # mean L there instead biased r̄ towards 0 when windows differ (a pair sharing half its
    # days counted half its correlation).
    le = panel.n_est
    has_sd = panel.sd_ddof1 > 0
    zcol = full.z_sum
    n_z = int(has_sd.sum())
    if n_z > 1:
        cross = float((zcol**2).sum() - (le[has_sd] - 1.0).sum())
        c = full.z_count.astype(np.int64)
        pairs = int((c * (c - 1)).sum()) - n_z * (n_z - 1)
        r_bar = float(_div(cross, float(pairs)))
    else:
        r_bar = math.nan
    # ranks / signs over the full sample (estimation ∪ event window)
    rk = full.ranks
    n_full = rk.n_full
    # generalized sign p̂
    p_hat = rules.p_hat(full.positives, le)
    return _Prep(
        n=n,
        ar_evt=ar_evt,
        avail=avail,
        n_t=n_t,
        aar=aar,
        n_sar=np.isfinite(sar).sum(axis=0),
        sar=sar,
        sigma_bw85=sigma_bw85,
        df_bw=df_bw,
        r_bar=r_bar,
        lamb_factor=lamb_factor,
        t_i=rk.t_i.astype(float),
        n_full=n_full,
        g_colsum=rk.g_colsum,
        dev_colsum=rk.rank_colsum - rk.kbar_colsum,
        u_colsum=rk.u_colsum,
        rank_colsum=rk.rank_colsum,
        p_hat=p_hat,
        patell_var=patell_var,
    )


class BatteryInputs:
    """What a cross-section test reads: the panel, the convention, shared intermediates.

    Built once per panel and convention and passed to every registered test (a plugin reads
    :attr:`panel` and :attr:`convention`; the built-ins share :attr:`prep` and
    :attr:`arrays`, so each intermediate is computed once).

    Parameters
    ----------
    panel
        Fitted events (see :func:`~eventstudy.crosssection.engine.estimate_panel`).
    convention
        ``"textbook"`` or ``"estudy2"`` (see the module docstring).
    workers
        Threads that share the passes over blocks of events (the numbers are the same bits
        for any count).
    """

    def __init__(self, panel: EventPanel, convention: str = "textbook", workers: int = 1) -> None:
        self.panel = panel
        self.rules = _rules(convention)
        self.convention = self.rules.name
        self.workers = workers

    @cached_property
    def prep(self) -> _Prep:
        """Intermediates shared by the built-in tests."""
        return _prepare(self.panel, self.rules, self.workers)

    @property
    def n_days(self) -> int:
        """Event-window days D."""
        return int(self.panel.event_days.size)

    @cached_property
    def arrays(self) -> _DailyArrays:
        """Daily statistics by test name, computed on first use."""
        return _DailyArrays(self)


class _DailyArrays:
    """Per-day statistic arrays (D,), each computed on first request and kept."""

    def __init__(self, x: BatteryInputs) -> None:
        self._x = x
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = _DAILY_STAT[name](self._x)
        return self._cache[name]


def _t_stat(x: BatteryInputs) -> np.ndarray:
    p = x.prep
    sd_t = _col_sd(p.ar_evt)
    return _div(p.aar, _div(sd_t, np.sqrt(p.n_t)))


def _patell(x: BatteryInputs) -> np.ndarray:
    sar_sum = x.rules.xsum(x.rules.patell_sar(x), x.prep.n)
    return _div(sar_sum, x.rules.patell_den(x))


def _boehmer(x: BatteryInputs) -> np.ndarray:
    # over the finite SARs: a security with no residual dispersion has none to standardise
    p = x.prep
    return _div(_col_mean(p.sar), _div(_col_sd(p.sar), np.sqrt(p.n_sar)))


def _positives(x: BatteryInputs) -> np.ndarray:
    p = x.prep
    return x.rules.xsum(np.where(p.avail, (p.ar_evt > 0).astype(float), np.nan), p.n)


def _full_sample_stat(x: BatteryInputs, colsum: np.ndarray, scale_sqrt_n: bool) -> np.ndarray:
    """Corrado-type statistic from per-day column sums over the full sample (T,)."""
    p = x.prep
    n_full = p.n_full
    okf = n_full > 0
    t_bar = float(p.t_i.mean())
    lw = x.panel.lw
    total = x.rules.xsum_from(colsum, n_full, p.n)
    if scale_sqrt_n:
        s = math.sqrt(float(np.sum((total[okf] / np.sqrt(n_full[okf])) ** 2)) / t_bar)
        return _div(total[lw:] / np.sqrt(p.n_t), s)
    mean = _div(total, n_full)
    s = math.sqrt(float(np.sum(mean[okf] ** 2)) / t_bar)
    return _div(mean[lw:], s)


def _patell_n(x: BatteryInputs) -> np.ndarray:
    """(D,) securities in the day's Patell sum: a standardised AR and, in the textbook
    convention, a defined Patell variance (L - K > 2)."""
    return np.isfinite(x.rules.patell_sar(x)).sum(axis=0)


def _kp(x: BatteryInputs, n: np.ndarray) -> np.ndarray:
    """Kolari–Pynnönen's factor per day, ``n`` the day's securities in the statistic."""
    return _kp_factor(x.prep.r_bar, n)


_DAILY_STAT: dict[str, Callable[[BatteryInputs], np.ndarray]] = {
    "ar_t": _t_stat,
    "ar_brown_warner_1980": lambda x: _div(x.prep.aar, x.rules.bw80_den(x)),
    "ar_brown_warner_1985": lambda x: _div(x.prep.aar, x.prep.sigma_bw85),
    "ar_patell": _patell,
    "ar_boehmer": _boehmer,
    "ar_adjusted_patell": lambda x: x.arrays["ar_patell"] * _kp(x, _patell_n(x)),
    "ar_adjusted_boehmer": lambda x: x.arrays["ar_boehmer"] * _kp(x, x.prep.n_sar),
    "ar_lamb": lambda x: _div(x.prep.aar, x.prep.sigma_bw85 * x.prep.lamb_factor),
    "ar_sign": lambda x: _div(_positives(x) - 0.5 * x.prep.n_t, np.sqrt(0.25 * x.prep.n_t)),
    "ar_generalized_sign": lambda x: _div(
        _positives(x) - x.prep.n_t * x.prep.p_hat,
        np.sqrt(x.prep.n_t * x.prep.p_hat * (1 - x.prep.p_hat)),
    ),
    "ar_corrado_sign": lambda x: _full_sample_stat(x, x.prep.g_colsum, True),
    "ar_rank": lambda x: _full_sample_stat(x, x.prep.dev_colsum, False),
    "ar_modified_rank": lambda x: _full_sample_stat(x, x.prep.u_colsum, True),
}


# ------------------------------------------------------------------ the daily battery


def _t_df(x: BatteryInputs) -> np.ndarray:
    return x.prep.n_t - 1.0


def _sar_df(x: BatteryInputs) -> np.ndarray:
    return x.prep.n_sar - 1.0


def _bw_df(x: BatteryInputs) -> np.ndarray:
    return np.full(x.n_days, x.prep.df_bw)


class _Described:
    """Reference (from the shared table) and one-line summary of a table entry."""

    __slots__ = ()
    ref_key: str
    method: str

    @property
    def reference(self) -> str:
        return _REF[self.ref_key]

    @property
    def summary(self) -> str:
        return f"{self.method}."


@dataclass(frozen=True, slots=True)
class _DayTest(_Described):
    """A registered daily test: one statistic per event-window day, from :data:`_DAILY_STAT`.

    ``df`` gives Student-t degrees of freedom per day (``None``: standard normal); ``extra``
    adds details shared by every day.
    """

    name: str
    ref_key: str
    method: str
    df: Callable[[BatteryInputs], np.ndarray] | None = None
    extra: Callable[[BatteryInputs], dict[str, Any]] | None = None
    design: str = "cross_section"
    scope: str = "day"
    needs: frozenset[str] = frozenset({"panel"})
    null_hypothesis: str = _NULL_DAY
    per_day: Callable[[BatteryInputs], dict[str, np.ndarray]] | None = None
    """Details that differ by day (``(D,)`` counts), e.g. the securities a standardised test
    uses."""

    def run(self, x: BatteryInputs, /) -> tuple[TestResult, ...]:
        stat = x.arrays[self.name]
        df = None if self.df is None else self.df(x)
        extra = self.extra(x) if self.extra is not None else {}
        daily = self.per_day(x) if self.per_day is not None else {}
        out = []
        for j, base in enumerate(_day_details(x)):  # loop over event-window days
            details = {**base, **extra, **{k: int(v[j]) for k, v in daily.items()}}
            if df is None:
                out.append(_result(self.name, stat[j], "N(0,1)", details=details, **self._meta()))
            else:
                d = float(df[j])
                out.append(
                    _result(self.name, stat[j], f"t({d:g})", df=d, details=details, **self._meta())
                )
        return tuple(out)

    def _meta(self) -> dict[str, Any]:
        return {"method": self.method, "ref": self.reference, "null": self.null_hypothesis}


@dataclass(frozen=True, slots=True)
class _DayWilcoxon:
    """Daily signed-rank test: V per day with its exact (n <= 50) p-value."""

    name: str = "ar_wilcoxon"
    method: str = "V = sum of ranks of |AR| over positive ARs; exact p (n <= 50)"
    design: str = "cross_section"
    scope: str = "day"
    needs: frozenset[str] = frozenset({"panel"})
    null_hypothesis: str = _NULL_DAY
    reference: str = _REF["wilcoxon"]
    summary: str = (
        "Wilcoxon signed-rank test of the day's abnormal returns (R's V statistic); exact "
        "p-value up to 50 non-zero values, above that the normal approximation without "
        "continuity correction (scipy's default; R's wilcox.test corrects, about 1e-4 apart)."
    )

    def run(self, x: BatteryInputs, /) -> tuple[TestResult, ...]:
        out = []
        a = x.prep.ar_evt
        # the days' rankings side by side on the battery's threads (each day its own numbers)
        day_v = map_blocks(lambda j: _wilcoxon_v(a[:, j]), range(a.shape[1]), x.workers)
        for j, base in enumerate(_day_details(x)):  # loop over event-window days
            v, nv = day_v[j]
            out.append(
                _result(
                    self.name,
                    v,
                    f"signed-rank(n={nv})",
                    p=_signrank_p(v, nv),
                    details={**base, "n_nonzero": nv},
                    method=self.method,
                    ref=self.reference,
                )
            )
        return tuple(out)


def _standardised_n(x: BatteryInputs) -> dict[str, np.ndarray]:
    """``n``: the securities with a standardised AR that day (a security without residual
    dispersion in its estimation window has none and is left out of Patell and BMP), and
    ``n_without_dispersion`` when any was left out."""
    p = x.prep
    out = {"n": p.n_sar}
    if bool((p.n_t != p.n_sar).any()):
        out["n_without_dispersion"] = p.n_t - p.n_sar
    return out


def _patell_day_n(x: BatteryInputs) -> dict[str, np.ndarray]:
    """As :func:`_standardised_n` for the Patell sums, which also leave out (textbook
    convention) a security whose Patell variance (L - K)/(L - K - 2) is undefined, counted
    as ``n_without_patell_variance``."""
    out = _standardised_n(x)
    used = _patell_n(x)
    if bool((used != x.prep.n_sar).any()):
        out["n_without_patell_variance"] = x.prep.n_sar - used
    out["n"] = used
    return out


def _day_details(x: BatteryInputs) -> list[dict[str, Any]]:
    p = x.prep
    return [
        {"n": int(p.n_t[j]), "mean_ar": float(p.aar[j]), "day": int(day)}
        for j, day in enumerate(x.panel.event_days.tolist())
    ]


_DAY_TABLE: tuple[_DayTest | _DayWilcoxon, ...] = (
    _DayTest("ar_t", "t", "AAR / (cross-sectional sd / sqrt(N_t))", df=_t_df),
    _DayTest(
        "ar_brown_warner_1980",
        "brown_warner_1980",
        "AAR / (sqrt(sum_i var(AR_i,est)) / N); independence",
        df=_bw_df,
    ),
    _DayTest(
        "ar_brown_warner_1985",
        "brown_warner_1985",
        "AAR / sd of the estimation-window mean AR (crude dependence adjustment)",
        df=_bw_df,
        extra=lambda x: {"sigma": x.prep.sigma_bw85},
    ),
    _DayTest(
        "ar_patell",
        "patell",
        "sum of prediction-error standardized ARs / sqrt(sum (L-K)/(L-K-2))",
        per_day=_patell_day_n,
    ),
    _DayTest(
        "ar_boehmer",
        "boehmer",
        "mean SAR / (cross-sectional sd of SAR / sqrt(N_t))",
        df=_sar_df,
        per_day=_standardised_n,
    ),
    _DayTest(
        "ar_adjusted_patell",
        "adjusted_patell",
        "Patell x sqrt((1 - r̄)/(1 + (N_t-1) r̄)), r̄ = mean cross-correlation of "
        "estimation residuals (relative-day aligned, pairs weighted by their common days)",
        extra=lambda x: {"r_bar": x.prep.r_bar},
        per_day=_patell_day_n,
    ),
    _DayTest(
        "ar_adjusted_boehmer",
        "adjusted_boehmer",
        "BMP x sqrt((1 - r̄)/(1 + (N_t-1) r̄))",
        df=_sar_df,
        extra=lambda x: {"r_bar": x.prep.r_bar},
        per_day=_standardised_n,
    ),
    _DayTest("ar_lamb", "lamb", "AAR / (BW1985 sigma x prediction-error factor)"),
    _DayTest("ar_sign", "sign", "(#positive - N_t/2) / sqrt(N_t/4)"),
    _DayTest(
        "ar_generalized_sign",
        "generalized_sign",
        "(#positive - N_t p̂) / sqrt(N_t p̂ (1-p̂)), p̂ from the estimation window",
        extra=lambda x: {"p_hat": x.prep.p_hat},
    ),
    _DayTest(
        "ar_corrado_sign",
        "corrado_sign",
        "signs of AR minus each security's median over estimation+event window",
    ),
    _DayTest("ar_rank", "rank", "mean centred rank / sd of daily mean centred rank"),
    _DayTest(
        "ar_modified_rank",
        "modified_rank",
        "standardised ranks K/(T_i+1) - 1/2 with 1/sqrt(n_t) scaling",
    ),
    _DayWilcoxon(),
)

DAILY_TESTS: tuple[str, ...] = tuple(t.name for t in _DAY_TABLE)
"""The built-in daily (``ar_*``) tests, in report order."""


# ------------------------------------------------------------------ the window (CAR) battery


def _einsum_blocks(e: int) -> list[tuple[int, int]]:
    """``(lo, hi)`` of blocks of ``_BLOCK`` events, a last block of one event joined to the one
    before: numpy's ``einsum`` sums a lone event's quadratic form in another order than the
    same row among others (one ulp apart in about a fifth of the rows, 2026-12-07), and each
    event must get the bits of the whole-array formula."""
    bounds = [(lo, min(e, lo + _BLOCK)) for lo in range(0, e, _BLOCK)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], e)]
    return bounds


def _prediction_factor(panel: EventPanel, workers: int = 1) -> np.ndarray:
    """:attr:`EventPanel.prediction_factor` (E, D), on blocks of events shared by ``workers``
    threads: the same bits (:func:`_einsum_blocks`); 37 ms of a 100,000-event call that ran
    on one thread (2026-12-07)."""
    out = np.empty(panel.ar_event.shape)
    x, inv = panel.x_event, panel.xtx_inv

    def block(bounds: tuple[int, int]) -> None:
        lo, hi = bounds
        out[lo:hi] = np.einsum("edk,ekl,edl->ed", x[lo:hi], inv[lo:hi], x[lo:hi])

    map_blocks(block, _einsum_blocks(panel.n_events), workers)  # loop over blocks of events
    return out


def car_variance(panel: EventPanel, cols: np.ndarray) -> np.ndarray:
    """Var(CAR_i) = σ_i² (D_i + s_i'(X'X)^-1 s_i) over event-window columns ``cols`` (E,).

    ``s_i`` is the sum of the design rows over the available days: the Campbell, Lo &
    MacKinlay (1997, eq. 4.4.10) variance γ'Vγ with V = σ²(I + X*(X'X)^-1 X*').  Computed
    on blocks of events: each event's numbers are its own row's, and the (E, D, K) design
    rows are never copied whole (35 MB at 100,000 events x 11 days x 2 regressors).
    """
    e = panel.n_events
    d_i = np.empty(e)
    quad = np.zeros(e)
    for lo, hi in _einsum_blocks(e):  # loop over blocks of events, not events
        ok = np.isfinite(panel.ar_event[lo:hi, cols])
        d_i[lo:hi] = ok.sum(axis=1)
        if panel.n_params:
            x = np.where(ok[..., None], panel.x_event[lo:hi, cols], 0.0).sum(axis=1)
            quad[lo:hi] = np.einsum("ek,ekl,el->e", x, panel.xtx_inv[lo:hi], x)
    return panel.sigma2 * (d_i + quad)


def car_variance_path(panel: EventPanel, workers: int = 1) -> np.ndarray:
    """Var(CAR_i) from the first event-window day to each day (E, D); see :func:`car_variance`.

    On blocks of events, as :func:`car_variance`, shared by ``workers`` threads (each block
    writes its own rows): the (E, D) and (E, D, K) temporaries were the peak memory of a
    100,000-event call (2026-12-07).
    """
    out = np.empty(panel.ar_event.shape)

    def block(bounds: tuple[int, int]) -> None:
        lo, hi = bounds
        ok = np.isfinite(panel.ar_event[lo:hi])
        o = out[lo:hi]
        np.cumsum(ok, axis=1, dtype=float, out=o)
        if panel.n_params:
            x = np.where(ok[..., None], panel.x_event[lo:hi], 0.0)
            np.cumsum(x, axis=1, out=x)
            o += np.einsum("edk,ekl,edl->ed", x, panel.xtx_inv[lo:hi], x)
        o *= panel.sigma2[lo:hi, None]

    map_blocks(block, _einsum_blocks(panel.n_events), workers)  # loop over blocks of events
    return out


def caar_variance_path(panel: EventPanel, workers: int = 1) -> np.ndarray:
    """Var(CAAR_τ) for each day τ of the event window (D,), the events independent.

    ``CAAR_τ = Σ_{t<=τ} AAR_t`` with ``AAR_t`` the mean of the ``n_t`` abnormal returns
    present on day ``t``: each event enters with weight ``γ_it = 1/n_t`` on its days present
    up to ``τ`` (0 elsewhere), and its ARs have the Campbell, Lo & MacKinlay (1997, eq. 4.4.10)
    covariance ``V_i = σ_i² (I + X*_i (X_i'X_i)^-1 X*_i')``, so ``Var(CAAR_τ) = Σ_i γ_i'V_iγ_i``.
    With every event present every day this is ``Σ_i Var(CAR_i) / N²`` (the band's formula
    there); with missing returns that formula runs too narrow (31% on ten of twenty events
    halted over days 0-5: ``tests/crosssection/test_caar_band.py``).  On blocks of events
    (:func:`_einsum_blocks`) shared by ``workers`` threads, summed in block order: the same
    bits for any number of threads.
    """
    present = np.isfinite(panel.ar_event)
    weight = 1.0 / np.maximum(present.sum(axis=0), 1)  # 1 / n_t (a day without events: unused)
    blocks = _einsum_blocks(panel.n_events)
    partial = np.zeros((len(blocks), panel.ar_event.shape[1]))

    def block(b: int) -> None:
        lo, hi = blocks[b]
        g = np.where(present[lo:hi], weight, 0.0)  # γ_it
        v = np.cumsum(g * g, axis=1)
        if panel.n_params:
            x = g[..., None] * panel.x_event[lo:hi]
            np.cumsum(x, axis=1, out=x)
            v += np.einsum("edk,ekl,edl->ed", x, panel.xtx_inv[lo:hi], x)
        v *= panel.sigma2[lo:hi, None]
        partial[b] = np.where(np.isfinite(v), v, 0.0).sum(axis=0)

    map_blocks(block, range(len(blocks)), workers)  # loop over blocks of events
    return partial.sum(axis=0)


class WindowInputs:
    """What a CAR test reads: the battery inputs and one window (first, last relative day).

    Raises
    ------
    ValueError
        The window does not overlap the event window.
    """

    def __init__(self, inputs: BatteryInputs, window: tuple[int, int]) -> None:
        days = inputs.panel.event_days
        lo, hi = window
        cols = np.flatnonzero((days >= lo) & (days <= hi))
        if cols.size == 0:
            raise ValueError(
                f"window {window} does not overlap the event window {days[0]}..{days[-1]}"
            )
        self.inputs = inputs
        self.window = (int(lo), int(hi))
        self.cols = cols
        a = inputs.prep.ar_evt[:, cols]
        self.has_car = np.isfinite(a).any(axis=1)
        self.car = np.where(self.has_car, np.where(np.isfinite(a), a, 0.0).sum(axis=1), np.nan)
        self.carv = self.car[self.has_car]
        self.n = int(self.carv.size)
        self.caar = float(np.nansum(inputs.prep.aar[cols]))

    @property
    def panel(self) -> EventPanel:
        """The fitted events."""
        return self.inputs.panel

    @cached_property
    def details(self) -> dict[str, Any]:
        """Details every CAR test reports."""
        d = self.cols.size
        lo, hi = self.window
        return {
            "n": self.n,
            "caar": self.caar,
            "car_mean": self.caar / d,
            "mean_car": float(self.carv.mean()) if self.n else math.nan,
            "days": d,
            "window": f"{lo}..{hi}",
        }

    @cached_property
    def scar(self) -> tuple[np.ndarray, np.ndarray]:
        """CARs standardised by the CLM prediction-error variance, and the events in the
        Patell sum (a standardised CAR and a defined Patell variance).  BMP, a t-test across
        the standardised CARs, uses every finite one, as the daily BMP does."""
        p = self.inputs.prep
        vcar = car_variance(self.panel, self.cols)
        scar = _div(self.car, np.sqrt(vcar))[self.has_car]
        okp = np.isfinite(scar) & np.isfinite(p.patell_var[self.has_car])
        return scar, okp

    @cached_property
    def n_bmp(self) -> int:
        """Events with a standardised CAR (BMP's count; Patell's is ``scar[1].sum()``)."""
        return int(np.isfinite(self.scar[0]).sum())

    @cached_property
    def bw_lamb(self) -> tuple[float, float]:
        return self.inputs.rules.car_bw_lamb(self)

    @cached_property
    def positives(self) -> float:
        return float((self.carv > 0).sum())


def _bmp_n(w: WindowInputs) -> dict[str, Any]:
    """``n``: the events with a standardised CAR, and ``n_without_dispersion`` when any
    event with a CAR has none (no residual dispersion in its estimation window)."""
    with_sd = w.n_bmp
    return {"n": with_sd, **({"n_without_dispersion": w.n - with_sd} if with_sd != w.n else {})}


def _patell_car_n(w: WindowInputs) -> dict[str, Any]:
    """As :func:`_bmp_n` for the Patell sum, which also leaves out an event whose Patell
    variance (L - K)/(L - K - 2) is undefined (``n_without_patell_variance``)."""
    out = _bmp_n(w)
    used = int(w.scar[1].sum())
    if used != out["n"]:
        out["n_without_patell_variance"] = out["n"] - used
    return {**out, "n": used}


def _patell_car_n_r_bar(w: WindowInputs) -> dict[str, Any]:
    return {**_patell_car_n(w), **_r_bar(w)}


def _bmp_n_r_bar(w: WindowInputs) -> dict[str, Any]:
    return {**_bmp_n(w), **_r_bar(w)}


def _car_t(w: WindowInputs) -> float:
    nc = w.n
    sd_car = float(np.std(w.carv, ddof=1)) if nc > 1 else math.nan
    return float(w.carv.mean()) / (sd_car / math.sqrt(nc)) if nc > 1 and sd_car > 0 else math.nan


def _car_patell(w: WindowInputs) -> float:
    scar, okp = w.scar
    pv = w.inputs.prep.patell_var[w.has_car]
    return float(scar[okp].sum() / math.sqrt(pv[okp].sum())) if okp.any() else math.nan


def _car_boehmer(w: WindowInputs) -> float:
    scar = w.scar[0]
    ok = np.isfinite(scar)
    if w.n_bmp > 1:
        s_sd = float(np.std(scar[ok], ddof=1))
        return float(scar[ok].mean() / (s_sd / math.sqrt(w.n_bmp)))
    return math.nan


def _car_kp(w: WindowInputs, n: int) -> float:
    """Kolari–Pynnönen's factor, ``n`` the events in the statistic."""
    return _kp_factor(w.inputs.prep.r_bar, n)


def _car_sign(w: WindowInputs) -> float:
    nc = w.n
    return (w.positives - 0.5 * nc) / math.sqrt(0.25 * nc) if nc else math.nan


def _car_gsign(w: WindowInputs) -> float:
    nc, ph = w.n, w.inputs.prep.p_hat
    return (w.positives - nc * ph) / math.sqrt(nc * ph * (1 - ph)) if nc else math.nan


def _car_t_df(w: WindowInputs) -> float:
    return w.n - 1.0


def _car_bmp_df(w: WindowInputs) -> float:
    return float(w.n_bmp) - 1.0


@dataclass(frozen=True, slots=True)
class _WindowTest(_Described):
    """A registered CAR test: one statistic for one window (``df``: Student t, else normal)."""

    name: str
    ref_key: str
    method: str
    statistic: Callable[[WindowInputs], float]
    df: Callable[[WindowInputs], float] | None = None
    extra: Callable[[WindowInputs], dict[str, Any]] | None = None
    design: str = "cross_section"
    scope: str = "window"
    needs: frozenset[str] = frozenset({"panel"})
    null_hypothesis: str = _NULL_CAR

    def run(self, w: WindowInputs, /) -> TestResult:
        details = {**w.details, **(self.extra(w) if self.extra is not None else {})}
        meta: dict[str, Any] = {
            "null": self.null_hypothesis,
            "ref": self.reference,
            "method": self.method,
            "details": details,
        }
        stat = self.statistic(w)
        if self.df is None:
            return _result(self.name, stat, "N(0,1)", **meta)
        d = self.df(w)
        return _result(self.name, stat, f"t({d:g})", df=d, **meta)


@dataclass(frozen=True, slots=True)
class _CarWilcoxon:
    """Signed-rank test of the CARs (R's V statistic, exact p for n <= 50)."""

    name: str = "car_wilcoxon"
    method: str = "V = sum of ranks of |CAR| over positive CARs"
    design: str = "cross_section"
    scope: str = "window"
    needs: frozenset[str] = frozenset({"panel"})
    null_hypothesis: str = _NULL_CAR
    reference: str = _REF["wilcoxon"]
    summary: str = (
        "Wilcoxon signed-rank test of the cumulative abnormal returns; p-value as ar_wilcoxon's "
        "(exact up to 50, else normal without continuity correction)."
    )

    def run(self, w: WindowInputs, /) -> TestResult:
        v, nv = _wilcoxon_v(w.carv)
        return _result(
            self.name,
            v,
            f"signed-rank(n={nv})",
            null=self.null_hypothesis,
            ref=self.reference,
            p=_signrank_p(v, nv),
            details={**w.details, "n_nonzero": nv},
            method=self.method,
        )


def _r_bar(w: WindowInputs) -> dict[str, Any]:
    return {"r_bar": w.inputs.prep.r_bar}


_WINDOW_TABLE: tuple[_WindowTest | _CarWilcoxon, ...] = (
    _WindowTest("car_t", "t", "mean CAR / (sd(CAR) / sqrt(N))", _car_t, df=_car_t_df),
    _WindowTest(
        "car_patell",
        "patell",
        "sum of CARs standardised by sqrt(σ²(D + s'(X'X)^-1 s)) / sqrt(sum (L-K)/(L-K-2))",
        _car_patell,
        extra=_patell_car_n,
    ),
    _WindowTest(
        "car_boehmer",
        "boehmer",
        "mean SCAR / (sd(SCAR) / sqrt(N))",
        _car_boehmer,
        df=_car_bmp_df,
        extra=_bmp_n,
    ),
    _WindowTest(
        "car_adjusted_patell",
        "adjusted_patell",
        "car_patell x sqrt((1 - r̄)/(1 + (N-1) r̄))",
        lambda w: _car_patell(w) * _car_kp(w, int(w.scar[1].sum())),
        extra=_patell_car_n_r_bar,
    ),
    _WindowTest(
        "car_adjusted_boehmer",
        "adjusted_boehmer",
        "car_boehmer x sqrt((1 - r̄)/(1 + (N-1) r̄))",
        lambda w: _car_boehmer(w) * _car_kp(w, w.n_bmp),
        df=_car_bmp_df,
        extra=_bmp_n_r_bar,
    ),
    _WindowTest(
        "car_brown_warner_1985",
        "brown_warner_1985",
        "CAAR / (sqrt(D) σ_BW85)",
        lambda w: w.bw_lamb[0],
    ),
    _WindowTest(
        "car_lamb", "lamb", "sum of daily Lamb statistics / sqrt(D)", lambda w: w.bw_lamb[1]
    ),
    _WindowTest(
        "car_rank",
        "rank",
        "sqrt(D) x mean centred rank in the window / S_K",
        lambda w: w.inputs.rules.car_rank(w),
    ),
    _WindowTest("car_sign", "sign", "(#CAR > 0 - N/2) / sqrt(N/4)", _car_sign),
    _WindowTest(
        "car_generalized_sign",
        "generalized_sign",
        "(#CAR > 0 - N p̂) / sqrt(N p̂ (1-p̂))",
        _car_gsign,
        extra=lambda w: {"p_hat": w.inputs.prep.p_hat},
    ),
    _CarWilcoxon(),
)

WINDOW_TESTS: tuple[str, ...] = tuple(t.name for t in _WINDOW_TABLE)
"""The built-in CAR-window (``car_*``) tests, in report order."""

ESTUDY2_NAMES: Mapping[str, str] = {
    "t_test": "ar_t",
    "brown_warner_1980": "ar_brown_warner_1980",
    "brown_warner_1985": "ar_brown_warner_1985",
    "patell": "ar_patell",
    "boehmer": "ar_boehmer",
    "lamb": "ar_lamb",
    "sign_test": "ar_sign",
    "generalized_sign_test": "ar_generalized_sign",
    "corrado_sign_test": "ar_corrado_sign",
    "rank_test": "ar_rank",
    "modified_rank_test": "ar_modified_rank",
    "wilcoxon_test": "ar_wilcoxon",
    "car_brown_warner_1985": "car_brown_warner_1985",
    "car_lamb": "car_lamb",
    "car_rank_test": "car_rank",
}
"""The 15 tests of R's estudy2 0.10.0 (as the reference files under ``../shared/reference``
name them) -> their names here."""

for _test in (*_DAY_TABLE, *_WINDOW_TABLE):
    register_test(_test)


# ------------------------------------------------------------------ runners


def _select(tests: Sequence[str] | None, scope: str) -> list[str]:
    names = list(tests_for("cross_section", scope))
    if tests is None:
        return names
    if isinstance(tests, str):
        raise TypeError("tests must be a sequence of test names, not a string")
    unknown = [t for t in tests if t not in TESTS or TESTS[t].design != "cross_section"]
    if unknown:
        raise ValueError(
            f"unknown cross-section tests {unknown}; valid: {list(tests_for('cross_section'))}"
        )
    return [t for t in tests if t in names]


def daily_tests(
    panel: EventPanel,
    *,
    convention: str = "textbook",
    tests: Sequence[str] | None = None,
    inputs: BatteryInputs | None = None,
) -> dict[int, dict[str, TestResult]]:
    """Run the registered daily (``ar_*``) tests for each event-window day.

    Parameters
    ----------
    panel
        Fitted events (see :func:`~eventstudy.crosssection.engine.estimate_panel`).
    convention
        ``"textbook"`` or ``"estudy2"`` (see the module docstring).
    tests
        Names of cross-section tests to run (default: every registered one); names of
        window tests are ignored here.
    inputs
        Shared intermediates of the same panel and convention (built when omitted).

    Returns
    -------
    dict
        relative day -> test name -> :class:`TestResult`.  ``ar_wilcoxon`` reports V (sum of
        positive ranks), exact p for n <= 50.
    """
    x = inputs if inputs is not None else BatteryInputs(panel, convention)
    out: dict[int, dict[str, TestResult]] = {int(d): {} for d in panel.event_days.tolist()}
    for name in _select(tests, "day"):  # loop over tests, each vectorized over days
        results = TESTS[name].run(x)
        if len(results) != len(out) or not all(isinstance(r, TestResult) for r in results):
            raise TypeError(
                f"daily test {name!r} must return one TestResult per event-window day ({len(out)})"
            )
        for day, r in zip(out, results, strict=True):
            out[day][name] = r
    return out


def window_tests(
    panel: EventPanel,
    window: tuple[int, int],
    *,
    convention: str = "textbook",
    tests: Sequence[str] | None = None,
    inputs: BatteryInputs | None = None,
) -> dict[str, TestResult]:
    """Run the registered CAR (``car_*``) tests over ``window`` = (first, last) relative day.

    ``car_brown_warner_1985`` = CAAR / (sqrt(D) σ_BW85) and ``car_lamb`` = Σ Lamb_t / sqrt(D)
    (estudy2: sums of daily statistics over days with > 90 % of securities, /sqrt(D)).
    ``car_rank`` (Cowan 1992; estudy2 form, ranks over the estimation window and this window).
    t / Patell / BMP / Kolari–Pynnönen on CARs standardised by the CLM prediction-error
    variance (:func:`car_variance`).  ``details`` hold ``caar`` (Σ AAR_t), ``car_mean``
    (estudy2's CAAR / D) and ``n``.

    Raises
    ------
    ValueError
        The window does not overlap the event window; an unknown test name.
    """
    x = inputs if inputs is not None else BatteryInputs(panel, convention)
    w = WindowInputs(x, window)
    out: dict[str, TestResult] = {}
    for name in _select(tests, "window"):
        r = TESTS[name].run(w)
        if not isinstance(r, TestResult):
            raise TypeError(f"window test {name!r} returned {type(r).__name__}, not TestResult")
        out[name] = r
    return out
