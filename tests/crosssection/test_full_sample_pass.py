"""The battery's full-sample sums, computed block by block, against per-row references.

The reference ranks are ``scipy.stats.rankdata`` (average ties) of each row's finite values,
the medians ``numpy.nanmedian``; the other sums are the textbook formulas written out on the
whole array (Corrado 1989 ranks, Corrado & Zivney 1992 signs and scaled ranks, Kolari &
Pynnönen 2010 standardised residuals).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from eventstudy.crosssection import battery
from eventstudy.crosssection.battery import _full_sample, _rank_sums
from eventstudy.crosssection.engine import EventPanel


def _reference_ranks(a: np.ndarray) -> dict[str, np.ndarray]:
    e, t = a.shape
    ranks = np.zeros((e, t))
    n = np.isfinite(a).sum(axis=1)
    g = np.zeros((e, t))
    for i in range(e):  # loop over rows: the reference
        ok = np.isfinite(a[i])
        if ok.any():
            ranks[i, ok] = stats.rankdata(a[i, ok])
            g[i, ok] = np.sign(a[i, ok] - np.median(a[i, ok]))
    fin = np.isfinite(a)
    return {
        "n_full": fin.sum(axis=0),
        "t_i": n,
        "rank_colsum": ranks.sum(axis=0),
        "u_colsum": (np.where(fin, ranks / (n + 1.0)[:, None] - 0.5, 0.0)).sum(axis=0),
        "kbar_colsum": (((n + 1.0) / 2.0)[:, None] * fin).sum(axis=0),
        "g_colsum": g.sum(axis=0),
    }


def _awkward(e: int = 37, t: int = 9, seed: int = 3) -> np.ndarray:
    """Ties (values on a coarse grid), missing values, an empty row and a one-value row."""
    rng = np.random.default_rng(seed)
    a = np.round(rng.normal(size=(e, t)), 1)
    a[rng.random((e, t)) < 0.15] = np.nan
    a[5] = np.nan
    a[6] = np.nan
    a[6, 2] = 0.4
    a[7] = 1.0  # one value throughout: every rank ties
    return a


@pytest.mark.parametrize(
    ("block", "shape"), [(1, (37, 9)), (4, (37, 9)), (1024, (37, 9)), (64, (300, 251))]
)
def test_rank_sums_match_scipy_ranks_per_row(monkeypatch, block, shape):
    """Also rows of a real window's length (251 days), where numpy sorts with SIMD and the
    missing values are sorted as +inf (its NaN path is four times slower)."""
    monkeypatch.setattr(battery, "_BLOCK", block)
    a = _awkward(*shape)
    got = _rank_sums(a)
    ref = _reference_ranks(a)
    np.testing.assert_array_equal(got.n_full, ref["n_full"])
    np.testing.assert_array_equal(got.t_i, ref["t_i"])
    # multiples of 1/2: summed exactly whatever the blocks
    np.testing.assert_array_equal(got.rank_colsum, ref["rank_colsum"])
    np.testing.assert_array_equal(got.kbar_colsum, ref["kbar_colsum"])
    np.testing.assert_array_equal(got.g_colsum, ref["g_colsum"])
    # sums of up to 300 terms of at most 1/2 that nearly cancel: a few ulps of 1/2 apart
    np.testing.assert_allclose(got.u_colsum, ref["u_colsum"], rtol=1e-14, atol=1e-13)


def test_rank_sums_of_selected_columns_rank_within_them(monkeypatch):
    monkeypatch.setattr(battery, "_BLOCK", 5)
    a = _awkward(seed=8)
    cols = np.array([0, 1, 2, 6, 8])
    got = _rank_sums(a, cols)
    ref = _reference_ranks(a[:, cols])
    np.testing.assert_array_equal(got.rank_colsum, ref["rank_colsum"])
    np.testing.assert_array_equal(got.n_full, ref["n_full"])
    np.testing.assert_array_equal(got.t_i, ref["t_i"])


def test_rank_sums_without_ties_and_with_a_tie_at_the_minimum():
    a = np.array([[0.3, -1.0, 2.0, np.nan], [1.0, 1.0, 2.0, np.nan], [4.0, 3.0, 2.0, 1.0]])
    got = _rank_sums(a)
    # rows: ranks (2, 1, 3, -), (1.5, 1.5, 3, -), (4, 3, 2, 1)
    np.testing.assert_array_equal(got.rank_colsum, [7.5, 5.5, 8.0, 1.0])
    np.testing.assert_array_equal(got.t_i, [3, 3, 4])
    # medians 0.3, 1.0 and 2.5: signs (0, -1, 1), (0, 0, 1), (1, 1, -1, -1)
    np.testing.assert_array_equal(got.g_colsum, [1.0, 0.0, 1.0, -1.0])


def test_the_sorted_values_keep_nan_for_the_missing_so_untied_rows_stay_on_the_fast_path(
    monkeypatch,
):
    """Missing values are sorted as +inf, then marked NaN again: +inf would tie with +inf and
    send every block with a missing value down the tie path of the average ranks."""
    seen: list[np.ndarray] = []
    real = battery._sorted_rank_values
    monkeypatch.setattr(battery, "_sorted_rank_values", lambda s: seen.append(s.copy()) or real(s))
    a = np.random.default_rng(2).normal(size=(6, 8))
    a[1, [2, 5]] = np.nan
    _rank_sums(a)
    (s,) = seen
    np.testing.assert_array_equal(s[1, :6], np.sort(a[1, np.isfinite(a[1])]))
    assert np.isnan(s[1, 6:]).all() and np.isfinite(np.delete(s, 1, axis=0)).all()


def _panel(a: np.ndarray, lw: int) -> EventPanel:
    e, t = a.shape
    est = a[:, :lw]
    n_est = np.isfinite(est).sum(axis=1)
    sd = np.array([np.std(r[np.isfinite(r)], ddof=1) if np.isfinite(r).sum() > 1 else np.nan
                   for r in est])  # fmt: skip
    d = t - lw
    return EventPanel(
        est_days=np.arange(-lw - 1, -1),
        event_days=np.arange(d),
        ar=a,
        returns=np.zeros((e, d)),
        market=np.zeros((e, d)),
        market_est_mean=np.zeros(e),
        market_est_ss=np.ones(e),
        n_est=n_est,
        params=np.zeros((e, 1)),
        xtx_inv=np.ones((e, 1, 1)),
        x_event=np.ones((e, d, 1)),
        sigma2=sd**2,
        sd_ddof1=sd,
        n_params=1,
    )


@pytest.mark.parametrize("block", [3, 1024])
def test_full_sample_pass_matches_the_whole_array_formulas(monkeypatch, block):
    monkeypatch.setattr(battery, "_BLOCK", block)
    rng = np.random.default_rng(11)
    a = rng.normal(0, 0.02, (23, 14))
    a[rng.random(a.shape) < 0.1] = np.nan
    a[4, :10] = 0.25  # zero residual variance (exactly): no standardised residual
    lw = 10
    p = _panel(a, lw)
    got = _full_sample(p)
    est = a[:, :lw]
    ok = np.isfinite(est)
    est0 = np.where(ok, est, 0.0)
    np.testing.assert_allclose(got.est_sum, est0.sum(axis=0), rtol=1e-13, atol=1e-16)
    np.testing.assert_array_equal(got.est_count, ok.sum(axis=0))
    mu = est0.sum(axis=1) / ok.sum(axis=1)
    keep = p.sd_ddof1 > 0
    assert not keep[4] and keep.sum() > 15
    z = np.zeros_like(est)
    z[keep] = np.where(ok[keep], (est[keep] - mu[keep, None]) / p.sd_ddof1[keep, None], 0.0)
    np.testing.assert_allclose(got.z_sum, z.sum(axis=0), rtol=1e-12, atol=1e-12)
    # the securities with a z on each day (r̄'s pairs of common days), over every block
    np.testing.assert_array_equal(got.z_count, (ok & keep[:, None]).sum(axis=0))
    # Kolari–Pynnönen: Σ_t z_it² = L_i - 1 on each standardised row
    assert (z[keep] ** 2).sum(axis=1) == pytest.approx(p.n_est[keep] - 1.0, rel=1e-12)
    np.testing.assert_array_equal(got.positives, (np.nan_to_num(est) > 0).sum(axis=1))
    ref = _reference_ranks(a)
    np.testing.assert_array_equal(got.ranks.rank_colsum, ref["rank_colsum"])
    np.testing.assert_array_equal(got.ranks.g_colsum, ref["g_colsum"])
    assert math.isfinite(float(got.ranks.u_colsum.sum()))


@pytest.mark.parametrize("seed", range(6))
def test_one_standardised_security_has_no_average_cross_correlation(seed):
    # r̄ averages over pairs of securities: with one there is none.  (Its z's squares sum to
    # L - 1 only up to rounding, so a formula divided by N (N - 1) = 0 would give ±inf.)
    import pandas as pd

    from eventstudy.crosssection import run_cross_section

    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2020-01-01", periods=200)
    m = pd.Series(rng.normal(0, 0.01, 200), index=dates)
    r = pd.DataFrame({"A": 0.9 * m + rng.normal(0, 0.02, 200)}, index=dates)
    events = pd.DataFrame({"ticker": ["A"], "date": [dates[150]]})
    res = run_cross_section(r, m, events, estimation=(-120, -6), event_window=(0, 1))
    assert math.isnan(res.daily_tests[0]["ar_adjusted_patell"].details["r_bar"])


@pytest.mark.parametrize("workers", [2, 3])
def test_threads_give_the_serial_sums_bit_for_bit(monkeypatch, workers):
    """Blocks computed by several threads and summed in block order: the same bits as one
    thread, for the rank sums of selected columns too."""
    monkeypatch.setattr(battery, "_BLOCK", 4)
    rng = np.random.default_rng(12)
    a = rng.normal(0, 0.02, (61, 14))
    a[rng.random(a.shape) < 0.1] = np.nan
    p = _panel(a, 10)
    one, many = _full_sample(p), _full_sample(p, workers)
    for name in ("est_sum", "est_count", "z_sum", "positives"):
        np.testing.assert_array_equal(getattr(many, name), getattr(one, name), name)
    cols = np.array([0, 3, 5, 10, 11])
    for got, ref in ((many.ranks, one.ranks), (_rank_sums(a, cols, workers), _rank_sums(a, cols))):
        for name in ("n_full", "t_i", "rank_colsum", "u_colsum", "kbar_colsum", "g_colsum"):
            np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), name)
