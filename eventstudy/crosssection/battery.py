"""The classical event-study test battery on an :class:`EventPanel`.

Two conventions:

``"textbook"``
    Sums over the securities available on the day; Patell/BMP standardise with the OLS
    residual σ (SSR/(L-K)) and the exact prediction-error factor 1 + x_t'(X'X)^-1 x_t;
    Patell variance factor (L-K)/(L-K-2); Cowan (1992) generalized-sign p̂ = average of the
    per-security estimation shares; Lamb factor = sqrt of the cross-sectional mean of
    1 + h_it; CAR-window tests use every day of the window.
``"estudy2"``
    Matches the R package estudy2 0.10.0 exactly: cross-security sums are
    mean-over-available x N; s_i = sd(ddof=1) of estimation ARs; Patell factor
    1 + 1/L_i + (Rm_t - R̄m)²/Σ(Rm - R̄m)² with R̄m over *all* index returns of the estimation
    window; Patell denominator sqrt(Σ_all (L_i-2)/(L_i-4)); generalized-sign p̂ pooled;
    Lamb factor from the first security's index returns; CAR Brown–Warner/Lamb use the days
    with more than 90 % of securities present.

With no missing data and the market model both conventions agree except for σ in
Patell/BMP (ddof 2 vs 1) and the p̂ of the generalized sign test when L_i differ.

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
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
from scipy import stats

from eventstudy.crosssection.engine import EventPanel
from eventstudy.results import TestResult

__all__ = ["DAILY_TESTS", "WINDOW_TESTS", "Convention", "daily_tests", "window_tests"]

Convention: TypeAlias = Literal["textbook", "estudy2"]

DAILY_TESTS: tuple[str, ...] = (
    "t_test",
    "brown_warner_1980",
    "brown_warner_1985",
    "patell",
    "boehmer",
    "adjusted_patell",
    "adjusted_boehmer",
    "lamb",
    "sign_test",
    "generalized_sign_test",
    "corrado_sign_test",
    "rank_test",
    "modified_rank_test",
    "wilcoxon_test",
)
WINDOW_TESTS: tuple[str, ...] = (
    "car_t_test",
    "car_patell",
    "car_boehmer",
    "car_adjusted_patell",
    "car_adjusted_boehmer",
    "car_brown_warner_1985",
    "car_lamb",
    "car_rank_test",
    "car_sign_test",
    "car_generalized_sign_test",
    "car_wilcoxon_test",
)

_REF = {
    "t_test": "Cross-sectional t test; Campbell, Lo & MacKinlay (1997), ch. 4",
    "brown_warner_1980": "Brown, S. J. & Warner, J. B. (1980), JFE 8(3):205-258",
    "brown_warner_1985": "Brown, S. J. & Warner, J. B. (1985), JFE 14(1):3-31",
    "patell": "Patell, J. M. (1976), J. Accounting Research 14(2):246-276",
    "boehmer": "Boehmer, E., Musumeci, J. & Poulsen, A. B. (1991), JFE 30(2):253-272",
    "adjusted_patell": "Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11):3996-4025",
    "adjusted_boehmer": "Kolari, J. W. & Pynnönen, S. (2010), RFS 23(11):3996-4025",
    "lamb": "Lamb, R. P. (1995), J. Risk and Insurance 62(1):111-127",
    "sign_test": "Binomial sign test; Boehmer, Musumeci & Poulsen (1991)",
    "generalized_sign_test": "Cowan, A. R. (1992), Rev. Quant. Finance & Accounting 2:343-358",
    "corrado_sign_test": "Corrado, C. J. & Zivney, T. L. (1992), JFQA 27(3):465-478",
    "rank_test": "Corrado, C. J. (1989), JFE 23(2):385-395",
    "modified_rank_test": "Corrado, C. J. & Zivney, T. L. (1992), JFQA 27(3):465-478",
    "wilcoxon_test": "Wilcoxon, F. (1945), Biometrics Bulletin 1(6):80-83",
}
_NULL_DAY = "mean abnormal return on the day is zero"
_NULL_CAR = "mean cumulative abnormal return over the window is zero"


# ------------------------------------------------------------------ helpers


def _row_ranks(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Average-tie ranks within each row (NaN entries get ranks above the valid ones).

    Returns ``(ranks, n, median)``: ranks (E, T) — only meaningful where ``a`` is finite —,
    the number of finite values per row and the row medians.
    """
    e, t = a.shape
    order = np.argsort(a, axis=1)  # NaN sort last; tie order is irrelevant (averaged below)
    s = np.sort(a, axis=1)
    n = np.isfinite(a).sum(axis=1)
    med = _median_sorted(s, n)
    same = s[:, 1:] == s[:, :-1]  # NaN == NaN is False
    ranks = np.empty((e, t))
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(1.0, t + 1.0), (e, t)), axis=1)
    if not same.any():
        return ranks, n, med
    j = np.broadcast_to(np.arange(t), (e, t))
    new = np.ones((e, t), dtype=bool)
    new[:, 1:] = ~same
    start = np.maximum.accumulate(np.where(new, j, 0), axis=1)
    last = np.ones((e, t), dtype=bool)
    last[:, :-1] = ~same
    end = np.minimum.accumulate(np.where(last, j, t - 1)[:, ::-1], axis=1)[:, ::-1]
    avg = (start + end) / 2.0 + 1.0  # average rank of each sorted position
    pos = ranks.astype(np.intp) - 1
    return np.take_along_axis(avg, pos, axis=1), n, med


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
    return float(2.0 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan


def _p_t(x: float, df: float) -> float:
    if not (math.isfinite(x) and df > 0):
        return math.nan
    return float(2.0 * stats.t.sf(abs(x), df))


def _result(
    name: str,
    stat: float,
    dist: str,
    *,
    df: float | None = None,
    null: str = _NULL_DAY,
    method: str = "",
    ref_key: str | None = None,
    details: dict[str, Any] | None = None,
    p: float | None = None,
) -> TestResult:
    ref = _REF[ref_key or name]
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
    """Two-sided p of the signed-rank statistic V: exact for n <= 50, else normal approx."""
    if n == 0:
        return math.nan
    if n <= 50:
        # exact null distribution of V by convolution (no ties assumed, as in R psignrank)
        maxv = n * (n + 1) // 2
        counts = np.zeros(maxv + 1)
        counts[0] = 1.0
        for k in range(1, n + 1):  # loop over ranks (n <= 50), not events
            counts[k:] = counts[k:] + counts[:-k].copy()
        pmf = counts / counts.sum()
        cdf = np.cumsum(pmf)
        vi = math.floor(v + 1e-9)
        lower = cdf[min(max(vi, 0), maxv)] if vi >= 0 else 0.0
        vj = math.ceil(v - 1e-9)
        upper = 1.0 - (cdf[vj - 1] if vj >= 1 else 0.0)
        return float(min(1.0, 2.0 * min(lower, upper)))
    mu = n * (n + 1) / 4.0
    sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24.0)
    return _p_norm((v - mu) / sd)


def _wilcoxon_v(x: np.ndarray) -> tuple[float, int]:
    x = x[np.isfinite(x)]
    x = x[x != 0]
    if x.size == 0:
        return math.nan, 0
    r = stats.rankdata(np.abs(x))
    return float(r[x > 0].sum()), int(x.size)


# ------------------------------------------------------------------ shared intermediates


@dataclass(frozen=True, slots=True)
class _Prep:
    n: int
    ar_evt: np.ndarray
    avail: np.ndarray
    n_t: np.ndarray
    aar: np.ndarray
    sar: np.ndarray  # (E, D)
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
    sigma: np.ndarray  # (E,) σ used for standardisation


def _prepare(panel: EventPanel, convention: Convention) -> _Prep:
    lw = panel.lw
    ar_est, ar_evt = panel.ar_est, panel.ar_event
    n = panel.n_events
    avail = np.isfinite(ar_evt)
    n_t = avail.sum(axis=0)
    aar = _col_mean(ar_evt)
    L = panel.n_est.astype(float)
    k = panel.n_params
    # Brown–Warner 1985 crude dependence adjustment: sd of the est-window mean AR
    fin = np.isfinite(panel.ar)
    ar0 = np.where(fin, panel.ar, 0.0)
    ok = fin[:, :lw]
    le = panel.n_est
    okf = ok.astype(float)
    mean_est = _div(ar0[:, :lw].sum(axis=0), ok.sum(axis=0))
    mean_est = mean_est[np.isfinite(mean_est)]
    sigma_bw85 = float(np.std(mean_est, ddof=1)) if mean_est.size > 1 else math.nan
    df_bw = float(L.mean() - 1.0)
    # standardised abnormal returns
    m_est = panel.market[:, :lw]
    m_evt = panel.market[:, lw:]
    if convention == "estudy2":
        ok = np.isfinite(m_est)
        cnt = ok.sum(axis=1)
        mbar = _div(np.where(ok, m_est, 0.0).sum(axis=1), cnt)
        ss = np.where(ok, (m_est - mbar[:, None]) ** 2, 0.0).sum(axis=1)
        factor = 1.0 + 1.0 / L[:, None] + _div((m_evt - mbar[:, None]) ** 2, ss[:, None])
        sigma = panel.sd_ddof1
        dfp = L - 2.0
        lamb_factor = np.sqrt(1.0 + 1.0 / L.mean() + _div((m_evt[0] - mbar[0]) ** 2, ss[0]))
    else:
        h = panel.prediction_factor if k else np.zeros_like(ar_evt)
        factor = 1.0 + h
        sigma = np.sqrt(panel.sigma2)
        dfp = L - k
        lamb_factor = np.sqrt(_col_mean(np.where(avail, factor, np.nan)))
    sar = _div(ar_evt, sigma[:, None] * np.sqrt(factor))
    patell_var = _div(dfp, dfp - 2.0)
    patell_var = np.where(dfp > 2.0, patell_var, np.nan)
    # Kolari–Pynnönen average cross-correlation of estimation residuals (relative-day aligned)
    # z_it = (AR_it - mean_i)/sd_i on available days; sum_t z_it^2 = L_i - 1 exactly
    mu = _div(ar0[:, :lw].sum(axis=1), le)
    sd = panel.sd_ddof1
    zcol = (1.0 / sd) @ ar0[:, :lw] - (mu / sd) @ okf
    if n > 1:
        cross = float((zcol**2).sum() - (le - 1.0).sum())
        r_bar = float(_div(cross, (float(np.mean(le)) - 1.0) * n * (n - 1)))
    else:
        r_bar = math.nan
    # ranks / signs over the full sample (estimation ∪ event window)
    n_full = fin.sum(axis=0)
    ranks, t_i, med = _row_ranks(panel.ar)
    ranks[~fin] = 0.0
    g = np.sign(panel.ar - med[:, None])
    g[~fin] = 0.0
    g_colsum = g.sum(axis=0)
    kbar_i = (t_i + 1.0) / 2.0
    rank_colsum = ranks.sum(axis=0)
    dev_colsum = rank_colsum - kbar_i @ fin
    u_colsum = (1.0 / (t_i + 1.0)) @ ranks - 0.5 * n_full
    # generalized sign p̂
    pos = np.count_nonzero(ar_est > 0, axis=1)  # NaN > 0 is False
    if convention == "estudy2":
        p_hat = float(pos.sum() / le.sum())
    else:
        p_hat = float(np.mean(_div(pos, le)))
    return _Prep(
        n=n,
        ar_evt=ar_evt,
        avail=avail,
        n_t=n_t,
        aar=aar,
        sar=sar,
        sigma_bw85=sigma_bw85,
        df_bw=df_bw,
        r_bar=r_bar,
        lamb_factor=lamb_factor,
        t_i=t_i.astype(float),
        n_full=n_full,
        g_colsum=g_colsum,
        dev_colsum=dev_colsum,
        u_colsum=u_colsum,
        rank_colsum=rank_colsum,
        p_hat=p_hat,
        patell_var=patell_var,
        sigma=sigma,
    )


def _xsum(a: np.ndarray, n: int, convention: Convention) -> np.ndarray:
    """Cross-security sum per column: estudy2 = mean over available x N, else the plain sum."""
    s, c = _sum_count(a)
    return _xsum_from(s, c, n, convention)


def _xsum_from(s: np.ndarray, c: np.ndarray, n: int, convention: Convention) -> np.ndarray:
    """:func:`_xsum` from column sums ``s`` over ``c`` available securities."""
    if convention == "estudy2":
        return np.where(c > 0, _div(s, c) * n, np.nan)
    return np.where(c > 0, s, np.nan)


def _kp_factor(r_bar: float, n: float) -> float:
    return (
        math.sqrt((1.0 - r_bar) / (1.0 + (n - 1.0) * r_bar)) if math.isfinite(r_bar) else math.nan
    )


# ------------------------------------------------------------------ daily battery


def daily_tests(
    panel: EventPanel, *, convention: Convention = "textbook", _prep: _Prep | None = None
) -> dict[int, dict[str, TestResult]]:
    """Run every daily test for each event-window day.

    Parameters
    ----------
    panel
        Fitted events (see :func:`~eventstudy.crosssection.engine.estimate_panel`).
    convention
        ``"textbook"`` or ``"estudy2"`` (see the module docstring).

    Returns
    -------
    dict
        relative day -> test name (:data:`DAILY_TESTS`) -> :class:`TestResult`.
        ``wilcoxon_test`` reports V (sum of positive ranks), exact p for n <= 50.
    """
    p = _prep or _prepare(panel, convention)
    n = p.n
    lw = panel.lw
    t_bar = float(p.t_i.mean())
    d = p.ar_evt.shape[1]
    # t test
    sd_t = _col_sd(p.ar_evt)
    t_stat = _div(p.aar, _div(sd_t, np.sqrt(p.n_t)))
    # BW 1980
    var_i = panel.sd_ddof1**2
    if convention == "estudy2":
        bw80_den = np.full(d, math.sqrt(var_i.sum()) / n)
    else:
        bw80_den = _div(np.sqrt(p.avail.T.astype(float) @ var_i), p.n_t)
    bw80 = _div(p.aar, bw80_den)
    bw85 = _div(p.aar, p.sigma_bw85)
    # Patell / BMP
    sar_sum = _xsum(p.sar, n, convention)
    if convention == "estudy2":
        pat_den = np.full(d, math.sqrt(np.nansum(p.patell_var)))
    else:
        pat_den = np.sqrt(p.avail.T.astype(float) @ np.nan_to_num(p.patell_var))
    patell = _div(sar_sum, pat_den)
    bmp = _div(_col_mean(p.sar), _div(_col_sd(p.sar), np.sqrt(p.n_t)))
    kp = _kp_factor(p.r_bar, n)
    lamb = _div(p.aar, p.sigma_bw85 * p.lamb_factor)
    # sign tests
    pos_sum = _xsum(np.where(p.avail, (p.ar_evt > 0).astype(float), np.nan), n, convention)
    sign = _div(pos_sum - 0.5 * p.n_t, np.sqrt(0.25 * p.n_t))
    gsign = _div(pos_sum - p.n_t * p.p_hat, np.sqrt(p.n_t * p.p_hat * (1 - p.p_hat)))
    # Corrado–Zivney sign
    n_full = p.n_full
    okf = n_full > 0
    g_sum = _xsum_from(p.g_colsum, n_full, n, convention)
    s_g = math.sqrt(float(np.sum((g_sum[okf] / np.sqrt(n_full[okf])) ** 2)) / t_bar)
    csign = _div(g_sum[lw:] / np.sqrt(p.n_t), s_g)
    # Corrado rank
    dev_mean = _div(_xsum_from(p.dev_colsum, n_full, n, convention), n_full)
    s_k = math.sqrt(float(np.sum(dev_mean[okf] ** 2)) / t_bar)
    rank = _div(dev_mean[lw:], s_k)
    # Corrado–Zivney modified rank
    u_sum = _xsum_from(p.u_colsum, n_full, n, convention)
    s_u = math.sqrt(float(np.sum((u_sum[okf] / np.sqrt(n_full[okf])) ** 2)) / t_bar)
    mrank = _div(u_sum[lw:] / np.sqrt(p.n_t), s_u)

    out: dict[int, dict[str, TestResult]] = {}
    for j, day in enumerate(panel.event_days.tolist()):  # loop over event-window days
        nt = int(p.n_t[j])
        base: dict[str, Any] = {"n": nt, "mean_ar": float(p.aar[j]), "day": int(day)}
        dft = nt - 1.0
        v, nv = _wilcoxon_v(p.ar_evt[:, j])
        res = {
            "t_test": _result(
                "t_test",
                t_stat[j],
                f"t({dft:g})",
                df=dft,
                details=base,
                method="AAR / (cross-sectional sd / sqrt(N_t))",
            ),
            "brown_warner_1980": _result(
                "brown_warner_1980",
                bw80[j],
                f"t({p.df_bw:g})",
                df=p.df_bw,
                details=base,
                method="AAR / (sqrt(sum_i var(AR_i,est)) / N); independence",
            ),
            "brown_warner_1985": _result(
                "brown_warner_1985",
                bw85[j],
                f"t({p.df_bw:g})",
                df=p.df_bw,
                details={**base, "sigma": p.sigma_bw85},
                method="AAR / sd of the estimation-window mean AR (crude dependence adjustment)",
            ),
            "patell": _result(
                "patell",
                patell[j],
                "N(0,1)",
                details=base,
                method="sum of prediction-error standardized ARs / sqrt(sum (L-K)/(L-K-2))",
            ),
            "boehmer": _result(
                "boehmer",
                bmp[j],
                f"t({dft:g})",
                df=dft,
                details=base,
                method="mean SAR / (cross-sectional sd of SAR / sqrt(N_t))",
            ),
            "adjusted_patell": _result(
                "adjusted_patell",
                patell[j] * kp,
                "N(0,1)",
                details={**base, "r_bar": p.r_bar},
                method="Patell x sqrt((1 - r̄)/(1 + (N-1) r̄)), r̄ = mean cross-correlation of "
                "estimation residuals (relative-day aligned)",
            ),
            "adjusted_boehmer": _result(
                "adjusted_boehmer",
                bmp[j] * kp,
                f"t({dft:g})",
                df=dft,
                details={**base, "r_bar": p.r_bar},
                method="BMP x sqrt((1 - r̄)/(1 + (N-1) r̄))",
            ),
            "lamb": _result(
                "lamb",
                lamb[j],
                "N(0,1)",
                details=base,
                method="AAR / (BW1985 sigma x prediction-error factor)",
            ),
            "sign_test": _result(
                "sign_test",
                sign[j],
                "N(0,1)",
                details=base,
                method="(#positive - N_t/2) / sqrt(N_t/4)",
            ),
            "generalized_sign_test": _result(
                "generalized_sign_test",
                gsign[j],
                "N(0,1)",
                details={**base, "p_hat": p.p_hat},
                method="(#positive - N_t p̂) / sqrt(N_t p̂ (1-p̂)), p̂ from the estimation window",
            ),
            "corrado_sign_test": _result(
                "corrado_sign_test",
                csign[j],
                "N(0,1)",
                details=base,
                method="signs of AR minus each security's median over estimation+event window",
            ),
            "rank_test": _result(
                "rank_test",
                rank[j],
                "N(0,1)",
                details=base,
                method="mean centred rank / sd of daily mean centred rank",
            ),
            "modified_rank_test": _result(
                "modified_rank_test",
                mrank[j],
                "N(0,1)",
                details=base,
                method="standardised ranks K/(T_i+1) - 1/2 with 1/sqrt(n_t) scaling",
            ),
            "wilcoxon_test": _result(
                "wilcoxon_test",
                v,
                f"signed-rank(n={nv})",
                p=_signrank_p(v, nv),
                details={**base, "n_nonzero": nv},
                method="V = sum of ranks of |AR| over positive ARs; exact p (n <= 50)",
            ),
        }
        out[int(day)] = res
    return out


# ------------------------------------------------------------------ window (CAR) battery


def car_variance(panel: EventPanel, cols: np.ndarray) -> np.ndarray:
    """Var(CAR_i) = σ_i² (D_i + s_i'(X'X)^-1 s_i) over event-window columns ``cols`` (E,).

    ``s_i`` is the sum of the design rows over the available days: the Campbell, Lo &
    MacKinlay (1997, eq. 4.4.10) variance γ'Vγ with V = σ²(I + X*(X'X)^-1 X*').
    """
    a = panel.ar_event[:, cols]
    ok = np.isfinite(a)
    d_i = ok.sum(axis=1).astype(float)
    if panel.n_params:
        x = np.where(ok[..., None], panel.x_event[:, cols], 0.0).sum(axis=1)
        quad = np.einsum("ek,ekl,el->e", x, panel.xtx_inv, x)
    else:
        quad = np.zeros(panel.n_events)
    return panel.sigma2 * (d_i + quad)


def car_variance_path(panel: EventPanel) -> np.ndarray:
    """Var(CAR_i) from the first event-window day to each day (E, D); see :func:`car_variance`."""
    a = panel.ar_event
    ok = np.isfinite(a)
    d_i = np.cumsum(ok, axis=1).astype(float)
    if panel.n_params:
        x = np.cumsum(np.where(ok[..., None], panel.x_event, 0.0), axis=1)
        quad = np.einsum("edk,ekl,edl->ed", x, panel.xtx_inv, x)
    else:
        quad = np.zeros(a.shape)
    return panel.sigma2[:, None] * (d_i + quad)


def window_tests(
    panel: EventPanel,
    window: tuple[int, int],
    *,
    convention: Convention = "textbook",
    daily: dict[int, dict[str, TestResult]] | None = None,
    _prep: _Prep | None = None,
) -> dict[str, TestResult]:
    """Tests on cumulative abnormal returns over ``window`` = (first, last) relative day.

    ``car_brown_warner_1985`` = CAAR / (sqrt(D) σ_BW85) and ``car_lamb`` = Σ Lamb_t / sqrt(D)
    (estudy2: sums of daily statistics over days with > 90 % of securities, /sqrt(D)).
    ``car_rank_test`` (Cowan 1992; estudy2 form).  t / Patell / BMP / Kolari–Pynnönen on CARs
    standardised by the CLM prediction-error variance (:func:`car_variance`).
    ``details`` hold ``caar`` (Σ AAR_t), ``car_mean`` (estudy2's CAAR / D) and ``n``.
    """
    p = _prep or _prepare(panel, convention)
    days = panel.event_days
    lo, hi = window
    cols = np.flatnonzero((days >= lo) & (days <= hi))
    if cols.size == 0:
        raise ValueError(f"window {window} does not overlap the event window {days[0]}..{days[-1]}")
    if daily is None:
        daily = daily_tests(panel, convention=convention, _prep=p)
    n = p.n
    d = cols.size
    a = p.ar_evt[:, cols]
    okc = np.isfinite(a).any(axis=1)
    car = np.where(okc, np.where(np.isfinite(a), a, 0.0).sum(axis=1), np.nan)
    carv = car[okc]
    nc = int(carv.size)
    caar = float(np.nansum(p.aar[cols]))
    base: dict[str, Any] = {
        "n": nc,
        "caar": caar,
        "car_mean": caar / d,
        "mean_car": float(carv.mean()) if nc else math.nan,
        "days": d,
        "window": f"{lo}..{hi}",
    }
    # t on CARs
    sd_car = float(np.std(carv, ddof=1)) if nc > 1 else math.nan
    t_car = float(carv.mean()) / (sd_car / math.sqrt(nc)) if nc > 1 and sd_car > 0 else math.nan
    # standardized CARs
    vcar = car_variance(panel, cols)
    scar = _div(car, np.sqrt(vcar))[okc]
    okp = np.isfinite(scar) & np.isfinite(p.patell_var[okc])
    pat_car = (
        float(scar[okp].sum() / math.sqrt(p.patell_var[okc][okp].sum())) if okp.any() else math.nan
    )
    if okp.sum() > 1:
        s_sd = float(np.std(scar[okp], ddof=1))
        bmp_car = float(scar[okp].mean() / (s_sd / math.sqrt(okp.sum())))
    else:
        bmp_car = math.nan
    kp = _kp_factor(p.r_bar, nc)
    # BW1985 / Lamb CAR versions
    if convention == "estudy2":
        keep = [j for j in cols if p.n_t[j] / n * 100.0 > 90.0]
        dd = len(keep)
        bw = sum(daily[int(days[j])]["brown_warner_1985"].statistic for j in keep)
        lb = sum(daily[int(days[j])]["lamb"].statistic for j in keep)
        bw_car = bw / math.sqrt(dd) if dd else math.nan
        lamb_car = lb / math.sqrt(dd) if dd else math.nan
    else:
        bw_car = caar / (math.sqrt(d) * p.sigma_bw85) if nc else math.nan
        lamb_car = float(np.sum(_div(p.aar[cols], p.sigma_bw85 * p.lamb_factor[cols]))) / math.sqrt(
            d
        )
    # rank CAR test
    lw = panel.lw
    kbar_i = (p.t_i + 1.0) / 2.0
    kbar = float(kbar_i.mean())
    t_bar = float(p.t_i.mean())
    n_full = p.n_full
    okf = n_full > 0
    if convention == "estudy2":
        k_day = _div(p.rank_colsum, n_full)
        sk = math.sqrt(float(np.sum((k_day[okf] - kbar) ** 2)) / t_bar)
        nw = float(n_full[lw + cols].sum())
        kwin = float(p.rank_colsum[lw + cols].sum()) / nw if nw else math.nan
        rank_car = math.sqrt(d) * (kwin - kbar) / sk
    else:
        dmean = _div(p.dev_colsum, n_full)
        sk = math.sqrt(float(np.sum(dmean[okf] ** 2)) / t_bar)
        dw = dmean[lw + cols]
        dw = dw[np.isfinite(dw)]
        rank_car = math.sqrt(d) * float(dw.mean()) / sk if dw.size else math.nan
    # sign tests on CARs
    npos = float((carv > 0).sum())
    sign_car = (npos - 0.5 * nc) / math.sqrt(0.25 * nc) if nc else math.nan
    ph = p.p_hat
    gsign_car = (npos - nc * ph) / math.sqrt(nc * ph * (1 - ph)) if nc else math.nan
    v, nv = _wilcoxon_v(carv)
    dft = nc - 1.0
    dfb = float(okp.sum()) - 1.0
    nul = _NULL_CAR
    return {
        "car_t_test": _result(
            "car_t_test",
            t_car,
            f"t({dft:g})",
            df=dft,
            null=nul,
            ref_key="t_test",
            details=base,
            method="mean CAR / (sd(CAR) / sqrt(N))",
        ),
        "car_patell": _result(
            "car_patell",
            pat_car,
            "N(0,1)",
            null=nul,
            ref_key="patell",
            details=base,
            method="sum of CARs standardised by sqrt(σ²(D + s'(X'X)^-1 s)) / "
            "sqrt(sum (L-K)/(L-K-2))",
        ),
        "car_boehmer": _result(
            "car_boehmer",
            bmp_car,
            f"t({dfb:g})",
            df=dfb,
            null=nul,
            ref_key="boehmer",
            details=base,
            method="mean SCAR / (sd(SCAR) / sqrt(N))",
        ),
        "car_adjusted_patell": _result(
            "car_adjusted_patell",
            pat_car * kp,
            "N(0,1)",
            null=nul,
            ref_key="adjusted_patell",
            details={**base, "r_bar": p.r_bar},
            method="car_patell x sqrt((1 - r̄)/(1 + (N-1) r̄))",
        ),
        "car_adjusted_boehmer": _result(
            "car_adjusted_boehmer",
            bmp_car * kp,
            f"t({dfb:g})",
            df=dfb,
            null=nul,
            ref_key="adjusted_boehmer",
            details={**base, "r_bar": p.r_bar},
            method="car_boehmer x sqrt((1 - r̄)/(1 + (N-1) r̄))",
        ),
        "car_brown_warner_1985": _result(
            "car_brown_warner_1985",
            bw_car,
            "N(0,1)",
            null=nul,
            ref_key="brown_warner_1985",
            details=base,
            method="CAAR / (sqrt(D) σ_BW85)",
        ),
        "car_lamb": _result(
            "car_lamb",
            lamb_car,
            "N(0,1)",
            null=nul,
            ref_key="lamb",
            details=base,
            method="sum of daily Lamb statistics / sqrt(D)",
        ),
        "car_rank_test": _result(
            "car_rank_test",
            rank_car,
            "N(0,1)",
            null=nul,
            ref_key="rank_test",
            details=base,
            method="sqrt(D) x mean centred rank in the window / S_K",
        ),
        "car_sign_test": _result(
            "car_sign_test",
            sign_car,
            "N(0,1)",
            null=nul,
            ref_key="sign_test",
            details=base,
            method="(#CAR > 0 - N/2) / sqrt(N/4)",
        ),
        "car_generalized_sign_test": _result(
            "car_generalized_sign_test",
            gsign_car,
            "N(0,1)",
            null=nul,
            ref_key="generalized_sign_test",
            details={**base, "p_hat": ph},
            method="(#CAR > 0 - N p̂) / sqrt(N p̂ (1-p̂))",
        ),
        "car_wilcoxon_test": _result(
            "car_wilcoxon_test",
            v,
            f"signed-rank(n={nv})",
            null=nul,
            ref_key="wilcoxon_test",
            p=_signrank_p(v, nv),
            details={**base, "n_nonzero": nv},
            method="V = sum of ranks of |CAR| over positive CARs",
        ),
    }
