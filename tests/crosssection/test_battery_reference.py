"""Every statistic of the cross-section battery against an independent brute-force implementation.

The reference below is written from the formulas of the cited papers (and, for
``convention="estudy2"``, from the estudy2 0.10.0 definitions documented in
:mod:`eventstudy.crosssection.battery`), with explicit loops over securities and days, OLS by
:func:`numpy.linalg.lstsq`, ranks by :func:`scipy.stats.rankdata`, p-values from
:mod:`scipy.stats` and the exact signed-rank distribution by enumerating all 2^n sign vectors.
None of it calls the package's battery or engine.  Deterministic: rtol 1e-10.

The synthetic panel has an IPO inside the estimation window (unequal L_i), scattered missing
estimation returns, a missing event-day return on day 0 (9 of 10 securities = exactly 90 %, the
estudy2 CAR cut-off, which keeps only days with *more than* 90 %) and two missing returns on
day 2.  The ``market_adjusted`` variant adds exact zero abnormal returns (R = Rm) that exercise
ties in the ranks, the strict ``AR > 0`` sign counts and the zero-dropping of the Wilcoxon test.

References: Patell (1976); Boehmer, Musumeci & Poulsen (1991); Kolari & Pynnönen (2010);
Brown & Warner (1980, 1985); Lamb (1995); Cowan (1992); Corrado (1989); Corrado & Zivney
(1992); Wilcoxon (1945); Campbell, Lo & MacKinlay (1997, ch. 4).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.crosssection import run_cross_section
from eventstudy.crosssection.battery import DAILY_TESTS, WINDOW_TESTS

RTOL = 1e-10
EST = (-60, -6)
EVW = (-2, 2)
N_EV = 10


def _data(model: str) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(2024)
    n_days = 140
    dates = pd.bdate_range("2019-01-01", periods=n_days)
    m = rng.normal(0.0004, 0.01, n_days)
    beta = rng.uniform(0.5, 1.5, N_EV)
    r = 0.0002 + np.outer(m, beta) + rng.normal(0, 0.015, (n_days, N_EV))
    pos = 100 + np.arange(N_EV) % 5  # event days 100..104 (day 0 rows)
    r[: pos[0] - 35, 0] = np.nan  # IPO: 30 estimation observations for event 0
    r[pos[1] - 50, 1] = np.nan  # scattered missing estimation returns
    r[pos[1] - 20, 1] = np.nan
    r[pos[5] - 7, 5] = np.nan
    r[pos[2], 2] = np.nan  # day 0: 9 of 10 securities (exactly 90 %)
    m[66] = np.nan  # a market holiday inside every estimation window
    r[pos[3] + 2, 3] = np.nan  # day 2: 8 of 10
    r[pos[4] + 2, 4] = np.nan
    if model == "market_adjusted":  # exact zero abnormal returns R = Rm
        for i, rel in [(6, 0), (7, 0), (8, 1), (6, -30), (6, -31), (9, -12)]:
            r[pos[i] + rel, i] = m[pos[i] + rel]
    cols = [f"S{i}" for i in range(N_EV)]
    returns = pd.DataFrame(r, index=dates, columns=cols)
    market = pd.Series(m, index=dates)
    events = pd.DataFrame({"ticker": cols, "date": dates[pos]})
    return returns, market, events


@dataclass
class _Ref:
    daily: dict[int, dict[str, float]]
    window: dict[str, float]
    d_df: dict[int, dict[str, float]]
    w_df: dict[str, float]
    sigma_bw85: float
    r_bar: float
    p_hat: float
    car: np.ndarray


def _exact_signrank_p(x: np.ndarray) -> tuple[float, int, float]:
    """V and the exact two-sided p by enumerating all 2^n sign patterns (zeros dropped)."""
    x = x[np.isfinite(x) & (x != 0)]
    n = x.size
    r = stats.rankdata(np.abs(x))
    v = float(r[x > 0].sum())
    dist = np.array(
        [sum(r[k] for k in range(n) if s[k]) for s in itertools.product([0, 1], repeat=n)]
    )
    lo = np.mean(dist <= v + 1e-9)
    hi = np.mean(dist >= v - 1e-9)
    return v, n, min(1.0, 2 * min(lo, hi))


def _reference(model: str, conv: str, window: tuple[int, int]) -> _Ref:
    returns, market, events = _data(model)
    R = returns.to_numpy()
    M = market.to_numpy()
    pos = np.array([returns.index.get_loc(d) for d in events["date"]])
    est_days = np.arange(EST[0], EST[1] + 1)
    ev_days = np.arange(EVW[0], EVW[1] + 1)
    E, D = N_EV, ev_days.size
    K = 2 if model == "market_model" else 0
    A_est = np.full((E, est_days.size), np.nan)
    A_evt = np.full((E, D), np.nan)
    L = np.zeros(E)
    s1 = np.zeros(E)  # sd (ddof 1) of the estimation ARs
    sig2 = np.zeros(E)  # OLS σ² = SSR/(L-K) (K = 0: ddof-1 variance)
    h = np.zeros((E, D))  # x_t'(X'X)^-1 x_t
    xtxi = []
    mkt_est, mkt_evt = [], []
    for i in range(E):
        y, x = R[pos[i] + est_days, i], M[pos[i] + est_days]
        yw, xw = R[pos[i] + ev_days, i], M[pos[i] + ev_days]
        ok = np.isfinite(y) & np.isfinite(x)
        L[i] = ok.sum()
        if K:
            X = np.column_stack([np.ones(ok.sum()), x[ok]])
            b = np.linalg.lstsq(X, y[ok], rcond=None)[0]
            A_est[i] = y - b[0] - b[1] * x
            A_evt[i] = yw - b[0] - b[1] * xw
            inv = np.linalg.inv(X.T @ X)
            xtxi.append(inv)
            h[i] = [np.array([1.0, v]) @ inv @ np.array([1.0, v]) for v in xw]
            sig2[i] = np.sum(A_est[i][ok] ** 2) / (L[i] - K)
        else:
            A_est[i] = y - x
            A_evt[i] = yw - xw
            sig2[i] = np.var(A_est[i][ok], ddof=1)
        s1[i] = np.std(A_est[i][ok], ddof=1)
        mkt_est.append(x)
        mkt_evt.append(xw)
    est2 = conv == "estudy2"

    def xsum(vals: list[float]) -> float:  # estudy2: mean over the available x N
        return float(np.mean(vals) * E) if est2 else float(np.sum(vals))

    # Brown & Warner (1985): sd over estimation days of the cross-sectional mean AR
    day_means = [np.mean(c[np.isfinite(c)]) for c in A_est.T if np.isfinite(c).any()]
    sigma85 = float(np.std(day_means, ddof=1))
    df_bw = float(L.mean() - 1)
    # Patell factors and σ per convention
    if est2:
        sig = s1
        fac = np.zeros((E, D))
        for i in range(E):
            mb = np.nanmean(mkt_est[i])  # every index return of the window that exists
            ss = np.nansum((mkt_est[i] - mb) ** 2)
            fac[i] = 1 + 1 / L[i] + (mkt_evt[i] - mb) ** 2 / ss
        pvar = (L - 2) / (L - 4)
        mb0 = np.nanmean(mkt_est[0])
        ss0 = np.nansum((mkt_est[0] - mb0) ** 2)
        lamb_f = np.sqrt(1 + 1 / L.mean() + (mkt_evt[0] - mb0) ** 2 / ss0)
    else:
        sig = np.sqrt(sig2)
        fac = 1 + h
        pvar = (L - K) / (L - K - 2)
        lamb_f = np.array([np.sqrt(np.mean(fac[np.isfinite(A_evt[:, j]), j])) for j in range(D)])
    SAR = A_evt / (sig[:, None] * np.sqrt(fac))
    # Kolari & Pynnönen (2010): mean pairwise correlation of the estimation residuals, each
    # pair's sum of z_i z_j over the days both have, over those days less one (the pairs
    # weighted by their common days: event 0's IPO leaves it 30 days in common with the others)
    z = (A_est - np.nanmean(A_est, axis=1)[:, None]) / s1[:, None]
    tot = den = 0.0
    for i in range(E):
        for j in range(E):
            if i != j:
                tot += np.nansum(z[i] * z[j])
                den += np.sum(np.isfinite(z[i]) & np.isfinite(z[j])) - 1
    r_bar = tot / den

    def kp(n: float) -> float:
        return math.sqrt((1 - r_bar) / (1 + (n - 1) * r_bar))

    # generalized sign p̂ (Cowan 1992)
    npos_est = (np.nan_to_num(A_est, nan=-1.0) > 0).sum(axis=1)
    p_hat = float(npos_est.sum() / L.sum()) if est2 else float(np.mean(npos_est / L))
    # full-sample ranks / signs (Corrado 1989; Corrado & Zivney 1992)
    full = np.hstack([A_est, A_evt])
    T = np.isfinite(full).sum(axis=1).astype(float)
    t_bar = T.mean()
    rank = np.full(full.shape, np.nan)
    sgn = np.full(full.shape, np.nan)
    for i in range(E):
        ok = np.isfinite(full[i])
        rank[i, ok] = stats.rankdata(full[i, ok])
        sgn[i, ok] = np.sign(full[i, ok] - np.median(full[i, ok]))
    gs, dm, us, kday = [], [], [], []
    for t in range(full.shape[1]):
        ok = np.isfinite(full[:, t])
        n_t = ok.sum()
        if not n_t:
            gs.append(np.nan), dm.append(np.nan), us.append(np.nan), kday.append(np.nan)
            continue
        g = float(np.sum(sgn[ok, t]))
        dev = float(np.sum(rank[ok, t] - (T[ok] + 1) / 2))
        u = float(np.sum(rank[ok, t] / (T[ok] + 1) - 0.5))
        if est2:
            g, dev, u = g / n_t * E, dev / n_t * E, u / n_t * E
        gs.append(g / math.sqrt(n_t))
        dm.append(dev / n_t)
        us.append(u / math.sqrt(n_t))
        kday.append(np.sum(rank[ok, t]) / n_t)
    gs, dm, us, kday = map(np.array, (gs, dm, us, kday))
    S_G = math.sqrt(np.nansum(gs**2) / t_bar)
    S_K = math.sqrt(np.nansum(dm**2) / t_bar)
    S_U = math.sqrt(np.nansum(us**2) / t_bar)
    lw = est_days.size

    daily: dict[int, dict[str, float]] = {}
    d_df: dict[int, dict[str, float]] = {}
    for j, day in enumerate(ev_days):
        ok = np.isfinite(A_evt[:, j])
        n_t = int(ok.sum())
        a = A_evt[ok, j]
        aar = a.mean()
        sar = SAR[ok, j]
        bw80_den = math.sqrt(np.sum(s1**2)) / E if est2 else math.sqrt(np.sum(s1[ok] ** 2)) / n_t
        pat_den = math.sqrt(np.sum(pvar)) if est2 else math.sqrt(np.sum(pvar[ok]))
        patell = xsum(list(sar)) / pat_den
        bmp = sar.mean() / (sar.std(ddof=1) / math.sqrt(n_t))
        npos = xsum(list((a > 0).astype(float)))
        v, nv, pw = _exact_signrank_p(a)
        daily[int(day)] = {
            "ar_t": stats.ttest_1samp(a, 0.0).statistic,
            "ar_brown_warner_1980": aar / bw80_den,
            "ar_brown_warner_1985": aar / sigma85,
            "ar_patell": patell,
            "ar_boehmer": bmp,
            "ar_adjusted_patell": patell * kp(n_t),  # n: the day's securities
            "ar_adjusted_boehmer": bmp * kp(n_t),
            "ar_lamb": aar / (sigma85 * lamb_f[j]),
            "ar_sign": (npos - 0.5 * n_t) / math.sqrt(0.25 * n_t),
            "ar_generalized_sign": (npos - n_t * p_hat) / math.sqrt(n_t * p_hat * (1 - p_hat)),
            "ar_corrado_sign": gs[lw + j] / S_G,
            "ar_rank": dm[lw + j] / S_K,
            "ar_modified_rank": us[lw + j] / S_U,
            "ar_wilcoxon": v,
            "_wilcoxon_p": pw,
            "_wilcoxon_n": nv,
            "_n": n_t,
            "_aar": aar,
        }
        d_df[int(day)] = {
            "ar_t": n_t - 1,
            "ar_boehmer": n_t - 1,
            "ar_adjusted_boehmer": n_t - 1,
            "ar_brown_warner_1980": df_bw,
            "ar_brown_warner_1985": df_bw,
        }
    # window tests
    cols = [j for j, d in enumerate(ev_days) if window[0] <= d <= window[1]]
    dd = len(cols)
    car = np.array([np.nansum(A_evt[i, cols]) for i in range(E)])
    scar = np.zeros(E)
    for i in range(E):
        okw = [j for j in cols if np.isfinite(A_evt[i, j])]
        if K:
            s = np.array([len(okw), sum(mkt_evt[i][j] for j in okw)])
            var = sig2[i] * (len(okw) + s @ xtxi[i] @ s)
        else:
            var = sig2[i] * len(okw)
        scar[i] = car[i] / math.sqrt(var)
    caar = sum(daily[int(ev_days[j])]["_aar"] for j in cols)
    pat_car = scar.sum() / math.sqrt(pvar.sum())
    bmp_car = scar.mean() / (scar.std(ddof=1) / math.sqrt(E))
    if est2:
        keep = [j for j in cols if np.isfinite(A_evt[:, j]).sum() > 0.9 * E]
        bw_car = sum(daily[int(ev_days[j])]["ar_brown_warner_1985"] for j in keep) / math.sqrt(
            len(keep)
        )
        lamb_car = sum(daily[int(ev_days[j])]["ar_lamb"] for j in keep) / math.sqrt(len(keep))
        # estudy2's car_nonparametric_tests ranks each security over the estimation window
        # plus the CAR window only (the event-window days outside it are left out)
        sub = np.hstack([A_est, A_evt[:, cols]])
        Tw = np.isfinite(sub).sum(axis=1).astype(float)
        rk = np.full(sub.shape, np.nan)
        for i in range(E):
            ok = np.isfinite(sub[i])
            rk[i, ok] = stats.rankdata(sub[i, ok])
        kday_w = np.array(
            [
                np.nanmean(rk[:, t]) if np.isfinite(rk[:, t]).any() else np.nan
                for t in range(sub.shape[1])
            ]
        )
        kbar = np.mean((Tw + 1) / 2)
        sk = math.sqrt(np.nansum((kday_w - kbar) ** 2) / Tw.mean())
        kw = np.nanmean(rk[:, lw:])
        rank_car = math.sqrt(dd) * (kw - kbar) / sk
    else:
        bw_car = caar / (math.sqrt(dd) * sigma85)
        lamb_car = sum(daily[int(ev_days[j])]["ar_lamb"] for j in cols) / math.sqrt(dd)
        rank_car = math.sqrt(dd) * np.mean([dm[lw + j] for j in cols]) / S_K
    npos = float((car > 0).sum())
    v, nv, pw = _exact_signrank_p(car)
    wnd = {
        "car_t": stats.ttest_1samp(car, 0.0).statistic,
        "car_patell": pat_car,
        "car_boehmer": bmp_car,
        "car_adjusted_patell": pat_car * kp(E),
        "car_adjusted_boehmer": bmp_car * kp(E),
        "car_brown_warner_1985": bw_car,
        "car_lamb": lamb_car,
        "car_rank": rank_car,
        "car_sign": (npos - 0.5 * E) / math.sqrt(0.25 * E),
        "car_generalized_sign": (npos - E * p_hat) / math.sqrt(E * p_hat * (1 - p_hat)),
        "car_wilcoxon": v,
        "_wilcoxon_p": pw,
        "_wilcoxon_n": nv,
        "_caar": caar,
        "_days": dd,
    }
    w_df = {"car_t": E - 1, "car_boehmer": E - 1, "car_adjusted_boehmer": E - 1}
    return _Ref(daily, wnd, d_df, w_df, sigma85, r_bar, p_hat, car)


def _p(stat: float, df: float | None) -> float:
    return 2 * stats.t.sf(abs(stat), df) if df is not None else 2 * stats.norm.sf(abs(stat))


CASES = [
    (model, conv, window)
    for model in ("market_model", "market_adjusted")
    for conv in ("textbook", "estudy2")
    for window in ((-2, 2), (-1, 0))
]


# function scope: each test runs the battery itself (mutmut runs only the tests that reach it)
@pytest.fixture(params=CASES, ids=lambda c: "-".join(map(str, c)))
def case(request):
    model, conv, window = request.param
    returns, market, events = _data(model)
    res = run_cross_section(
        returns,
        market,
        events,
        model=model,
        estimation=EST,
        event_window=EVW,
        min_estimation=20,
        convention=conv,
        car_windows=[window],
    )
    return res, _reference(model, conv, window), window


def test_daily_statistics_and_p_values_match_reference(case):
    res, ref, _ = case
    assert set(res.daily_tests) == set(ref.daily)
    for day, exp in ref.daily.items():
        got = res.daily_tests[day]
        assert tuple(got) == DAILY_TESTS
        for name in DAILY_TESTS:
            t = got[name]
            assert t.applicable, (day, name)
            assert t.statistic == pytest.approx(exp[name], rel=RTOL), (day, name)
            if name == "ar_wilcoxon":
                assert t.p_value == pytest.approx(exp["_wilcoxon_p"], rel=RTOL), day
                assert t.distribution == f"signed-rank(n={exp['_wilcoxon_n']})"
                assert t.details["n_nonzero"] == exp["_wilcoxon_n"]
                continue
            df = ref.d_df[day].get(name)
            assert t.p_value == pytest.approx(_p(exp[name], df), rel=RTOL), (day, name)
            assert t.distribution == (f"t({df:g})" if df is not None else "N(0,1)"), name
            assert t.details["n"] == exp["_n"]
            assert t.details["day"] == day
            assert t.details["mean_ar"] == pytest.approx(exp["_aar"], rel=RTOL)
            assert t.null_hypothesis == "mean abnormal return on the day is zero"
        assert got["ar_brown_warner_1985"].details["sigma"] == pytest.approx(
            ref.sigma_bw85, rel=RTOL
        )
        for name in ("ar_adjusted_patell", "ar_adjusted_boehmer"):
            assert got[name].details["r_bar"] == pytest.approx(ref.r_bar, rel=RTOL)
        assert got["ar_generalized_sign"].details["p_hat"] == pytest.approx(ref.p_hat, rel=RTOL)


def test_window_statistics_and_p_values_match_reference(case):
    res, ref, window = case
    wt = res.window_tests[window]
    assert tuple(wt) == WINDOW_TESTS
    exp = ref.window
    for name in WINDOW_TESTS:
        t = wt[name]
        assert t.applicable, name
        assert t.statistic == pytest.approx(exp[name], rel=RTOL), name
        assert t.null_hypothesis == "mean cumulative abnormal return over the window is zero"
        d = t.details
        assert d["n"] == N_EV and d["days"] == exp["_days"]
        assert d["window"] == f"{window[0]}..{window[1]}"
        assert d["caar"] == pytest.approx(exp["_caar"], rel=RTOL)
        assert d["car_mean"] == pytest.approx(exp["_caar"] / exp["_days"], rel=RTOL)
        assert d["mean_car"] == pytest.approx(ref.car.mean(), rel=RTOL)
        if name == "car_wilcoxon":
            assert t.p_value == pytest.approx(exp["_wilcoxon_p"], rel=RTOL)
            assert t.distribution == f"signed-rank(n={exp['_wilcoxon_n']})"
            assert d["n_nonzero"] == exp["_wilcoxon_n"]
            continue
        df = ref.w_df.get(name)
        assert t.p_value == pytest.approx(_p(exp[name], df), rel=RTOL), name
        assert t.distribution == (f"t({df:g})" if df is not None else "N(0,1)"), name
    for name in ("car_adjusted_patell", "car_adjusted_boehmer"):
        assert wt[name].details["r_bar"] == pytest.approx(ref.r_bar, rel=RTOL)
    assert wt["car_generalized_sign"].details["p_hat"] == pytest.approx(ref.p_hat, rel=RTOL)
