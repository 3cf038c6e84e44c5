"""The batched OLS engine and the normal-return models against per-event numpy OLS.

Every per-event array of :func:`estimate_panel` is recomputed event by event with
:func:`numpy.linalg.lstsq` / :func:`numpy.linalg.inv` on the rows where the return and every
regressor exist (rtol 1e-10), including events whose windows run past either end of the
data, an event with exactly K estimation observations, the K = 0 model, a non-zero offset with
missing values, chunked processing and a singular design (pseudo-inverse, the minimum-norm
least-squares solution).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.crosssection import engine
from eventstudy.crosssection.engine import estimate_panel
from eventstudy.crosssection.models import (
    MODELS,
    FactorModel,
    MarketAdjusted,
    MarketModel,
    MeanAdjusted,
    NormalReturnModel,
    get_model,
)
from eventstudy.exceptions import DataError

RTOL = 1e-10
EST = np.arange(-30, -4)
EVT = np.arange(-2, 3)


def _inputs(k_model: str = "market_model", seed: int = 3, gaps: bool = True):
    rng = np.random.default_rng(seed)
    t_cal, n = 90, 6
    m = rng.normal(0.0005, 0.01, t_cal)
    r = 0.0003 + np.outer(m, rng.uniform(0.5, 1.5, n)) + rng.normal(0, 0.02, (t_cal, n))
    if gaps:
        r[40:45, 1] = np.nan  # missing estimation returns
        r[61, 2] = np.nan  # missing event-window return
        m[50] = np.nan  # missing market return: excluded for every event
    mk = pd.Series(m)
    offset, design = get_model(k_model).design(mk, None)
    # events: normal, near the start (estimation runs before row 0), at the end (event window
    # runs past the last row), a repeated ticker
    columns = np.array([0, 1, 2, 3, 4, 5, 0])
    positions = np.array([60, 62, 61, 20, 88, 70, 75])
    return r, m, offset, design, columns, positions


def _ols_reference(r, m, offset, design, col, pos):
    """One event by plain numpy: rows outside the data or with a NaN are unavailable."""
    rel = np.concatenate([EST, EVT])
    rows = pos + rel
    inside = (rows >= 0) & (rows < r.shape[0])
    rc = np.clip(rows, 0, r.shape[0] - 1)
    y = np.where(inside, r[rc, col] - offset[rc], np.nan)
    x = np.where(inside[:, None], design[rc], np.nan)
    ok = np.isfinite(y) & np.isfinite(x).all(axis=1)
    lw = EST.size
    est_ok = ok[:lw]
    k = design.shape[1]
    out = {"n_est": int(est_ok.sum())}
    ye, xe = y[:lw][est_ok], x[:lw][est_ok]
    if k:
        b = np.linalg.lstsq(xe, ye, rcond=None)[0]
        out["params"] = b
        out["xtx_inv"] = np.linalg.pinv(xe.T @ xe)  # the inverse when X'X is regular
        ar = np.where(ok, y - x @ b, np.nan)
        out["sigma2"] = np.sum(ar[:lw][est_ok] ** 2) / (est_ok.sum() - k)
    else:
        ar = np.where(ok, y, np.nan)
        out["sigma2"] = np.var(ar[:lw][est_ok], ddof=1)
    out["ar"] = ar
    out["sd1"] = np.std(ar[:lw][est_ok], ddof=1)
    out["x_event"] = x[lw:]
    out["returns"] = np.where(inside, r[rc, col], np.nan)[lw:]
    out["market"] = np.where(inside, m[rc], np.nan)
    return out


@pytest.mark.parametrize("model", ["market_model", "mean_adjusted", "market_adjusted"])
@pytest.mark.parametrize("chunk", [None, 1])
@pytest.mark.parametrize("gaps", [True, False])
def test_estimate_panel_matches_per_event_ols(model, chunk, gaps, monkeypatch):
    """With gaps in the data, and without: then one event per chunk takes the engine's
    shortcuts for complete windows inside the data (no masks, the market gathered once)."""
    if chunk is not None:  # one event per chunk: the chunk loop must not mix events
        monkeypatch.setattr(engine, "_CHUNK_ELEMENTS", chunk)
    r, m, offset, design, columns, positions = _inputs(model, gaps=gaps)
    p = estimate_panel(r, m, offset, design, columns, positions, EST, EVT)
    k = design.shape[1]
    assert p.n_params == k and p.n_events == 7 and p.lw == EST.size
    np.testing.assert_array_equal(p.est_days, EST)
    np.testing.assert_array_equal(p.event_days, EVT)
    for e in range(7):
        ref = _ols_reference(r, m, offset, design, columns[e], positions[e])
        assert p.n_est[e] == ref["n_est"]
        np.testing.assert_allclose(p.ar[e], ref["ar"], rtol=RTOL, atol=1e-15)
        np.testing.assert_array_equal(np.isnan(p.ar[e]), np.isnan(ref["ar"]))
        np.testing.assert_array_equal(p.returns[e], ref["returns"])
        np.testing.assert_array_equal(p.market[e], ref["market"][EST.size :])
        m_est = ref["market"][: EST.size]
        m_est = m_est[np.isfinite(m_est)]  # every market return of the window
        assert p.market_est_mean[e] == pytest.approx(m_est.mean(), rel=RTOL)
        assert p.market_est_ss[e] == pytest.approx(((m_est - m_est.mean()) ** 2).sum(), rel=RTOL)
        assert p.sigma2[e] == pytest.approx(ref["sigma2"], rel=RTOL)
        assert p.sd_ddof1[e] == pytest.approx(ref["sd1"], rel=RTOL)
        if k:
            np.testing.assert_allclose(p.params[e], ref["params"], rtol=RTOL)
            np.testing.assert_allclose(p.xtx_inv[e], ref["xtx_inv"], rtol=RTOL)
            fin = np.isfinite(ref["x_event"]).all(axis=1)
            np.testing.assert_allclose(p.x_event[e][fin], ref["x_event"][fin], rtol=RTOL)
            h = np.einsum("dk,kl,dl->d", ref["x_event"], ref["xtx_inv"], ref["x_event"])
            np.testing.assert_allclose(p.prediction_factor[e][fin], h[fin], rtol=RTOL)
        else:
            assert p.params.shape == (7, 0) and p.xtx_inv.shape == (7, 0, 0)
    # the event at row 20 has 16 estimation rows inside the data (rows 0..15 of -10..15); the
    # one at row 88 has event days 1..2 on rows 89..90, row 90 past the end of the data
    assert p.n_est[3] == 16
    assert np.isnan(p.ar[4, -1]) and np.isnan(p.market[4, -1]) and np.isnan(p.returns[4, -1])
    assert np.isfinite(p.ar[4, -2]) and np.isfinite(p.market[3, -1])


@pytest.mark.parametrize("model", ["market_model", "mean_adjusted", "market_adjusted"])
@pytest.mark.parametrize(
    "spoiler",
    ["missing_return", "outside_the_data", "missing_market", "missing_regressor", "none"],
)
@pytest.mark.parametrize("chunk_elements", [None, 400])
def test_an_events_numbers_do_not_depend_on_its_chunk(model, spoiler, chunk_elements, monkeypatch):
    """The shortcuts for a chunk of complete windows inside the data (no masks, the market
    gathered once) give bit for bit the numbers of the general path that a chunk takes when
    one of its events has a missing return, runs off the data, or meets a missing market
    return or regressor: the same events alone, and beside such an event.  In one chunk, and
    in chunks of 3 to 6 events (400 elements), the last one shorter."""
    if chunk_elements is not None:
        monkeypatch.setattr(engine, "_CHUNK_ELEMENTS", chunk_elements)
    rng = np.random.default_rng(8)
    t_cal, n = 200, 5
    m = rng.normal(0.0005, 0.01, t_cal)
    r = 0.0003 + np.outer(m, rng.uniform(0.5, 1.5, n)) + rng.normal(0, 0.02, (t_cal, n))
    columns = np.array([0, 1, 2, 3, 4, 0])
    positions = np.array([60, 80, 100, 120, 140, 170])
    offset, design = get_model(model).design(pd.Series(m), None)
    alone = estimate_panel(r, m, offset, design, columns, positions, EST, EVT)
    r2, m2, design2 = r.copy(), m.copy(), np.array(design, dtype=float)
    extra_col, extra_pos = 4, 190
    if spoiler == "missing_return":
        r2[185, 4] = np.nan
    elif spoiler == "outside_the_data":
        extra_pos = 198  # its event window runs past the last date
    elif spoiler == "missing_market":
        m2[5] = np.nan  # before every window: no number of these events may change
        offset, design2 = get_model(model).design(pd.Series(m2), None)
    elif spoiler == "missing_regressor" and design2.shape[1]:
        design2[5, -1] = np.nan
    both = estimate_panel(
        r2,
        m2,
        offset,
        design2,
        np.r_[columns, extra_col],
        np.r_[positions, extra_pos],
        EST,
        EVT,
    )
    for field in ("ar", "returns", "market", "market_est_mean", "market_est_ss", "n_est"):
        np.testing.assert_array_equal(getattr(both, field)[:6], getattr(alone, field), field)
    for field in ("params", "xtx_inv", "x_event", "sigma2", "sd_ddof1"):
        np.testing.assert_array_equal(getattr(both, field)[:6], getattr(alone, field), field)


def test_subset_keeps_rows_of_every_array():
    r, m, offset, design, columns, positions = _inputs()
    p = estimate_panel(r, m, offset, design, columns, positions, EST, EVT)
    keep = np.array([False, True, False, True, True, False, True])
    s = p.subset(keep)
    for name in ("ar", "returns", "market", "market_est_mean", "market_est_ss", "n_est", "params"):
        np.testing.assert_array_equal(getattr(s, name), getattr(p, name)[keep])
    np.testing.assert_array_equal(s.xtx_inv, p.xtx_inv[keep])
    np.testing.assert_array_equal(s.x_event, p.x_event[keep])
    np.testing.assert_array_equal(s.sigma2, p.sigma2[keep])
    np.testing.assert_array_equal(s.sd_ddof1, p.sd_ddof1[keep])
    np.testing.assert_array_equal(s.est_days, p.est_days)
    np.testing.assert_array_equal(s.event_days, p.event_days)
    assert s.n_params == 2 and s.n_events == 4


@pytest.mark.parametrize(("model", "k"), [("market_model", 2), ("market_adjusted", 0)])
def test_exactly_k_estimation_observations_gives_nan_fit(model, k):
    # OLS needs more than K observations (K = 0: the ddof-1 variance needs 2)
    r, m, offset, design, columns, positions = _inputs(model)
    r[:, 3] = np.nan
    need = max(k, 1)
    r[positions[3] - 5 - np.arange(need), 3] = 0.01 * np.arange(1, need + 1)
    r[positions[3], 3] = 0.02
    r[:, 4] = np.nan
    r[positions[4] - 5 - np.arange(need + 1), 4] = 0.01 * np.arange(1, need + 2) ** 2
    p = estimate_panel(r, m, offset, design, columns[:5], positions[:5], EST, EVT)
    assert p.n_est[3] == need and p.n_est[4] == need + 1
    assert np.isnan(p.sigma2[3]) and np.isnan(p.sd_ddof1[3])
    assert np.isnan(p.params[3]).all() and np.isnan(p.xtx_inv[3]).all()
    assert np.isfinite(p.sd_ddof1[4]) and np.isfinite(p.params[4]).all()


def test_offset_with_missing_values_excludes_the_date():
    # a factor model: y = R - rf, rf missing on one date -> that date is unavailable
    r, m, _, _, columns, positions = _inputs()
    idx = pd.RangeIndex(r.shape[0])
    rng = np.random.default_rng(9)
    fac = pd.DataFrame(
        {"rf": 0.0001 + rng.uniform(0, 1e-4, r.shape[0]), "f1": m, "f2": rng.normal(0, 0.005, 90)},
        index=idx,
    )
    fac.loc[55, "rf"] = np.nan
    fac.loc[57, "f2"] = np.nan
    mdl = FactorModel("two", ("f1", "f2"))
    offset, design = mdl.design(pd.Series(m, index=idx), fac)
    p = estimate_panel(r, m, offset, design, columns, positions, EST, EVT)
    for e in range(7):
        ref = _ols_reference(r, m, offset, design, columns[e], positions[e])
        assert p.n_est[e] == ref["n_est"]
        np.testing.assert_allclose(p.params[e], ref["params"], rtol=RTOL)
        np.testing.assert_allclose(p.ar[e], ref["ar"], rtol=RTOL)
    # event 0 (day 0 = row 60): rows 55 and 57 are estimation days -5 and -3... -3 is outside
    # the estimation window (-30..-5); row 55 (day -5) must be excluded
    assert np.isnan(p.ar[0, EST.size - 1])


def test_zero_offset_with_missing_regressor_excludes_the_date():
    r, m, offset, design, columns, positions = _inputs()
    p = estimate_panel(r, m, offset, design, columns, positions, EST, EVT)
    # market missing at row 50 = day -10 of event 0 (row 60)
    assert np.isnan(p.ar[0, list(EST).index(-10)])
    assert p.n_est[0] == EST.size - 1


def test_singular_design_uses_the_pseudo_inverse():
    # a factor identically 1 duplicates the constant: X'X is singular; the pseudo-inverse gives
    # the minimum-norm least-squares coefficients (numpy lstsq)
    r, m, _, _, columns, positions = _inputs()
    idx = pd.RangeIndex(r.shape[0])
    fac = pd.DataFrame({"rf": 0.0, "one": 1.0, "mkt": np.nan_to_num(m)}, index=idx)
    offset, design = FactorModel("sing", ("one", "mkt")).design(pd.Series(m, index=idx), fac)
    p = estimate_panel(r, m, offset, design, columns, positions, EST, EVT)
    for e in range(7):
        ref = _ols_reference(r, m, offset, design, columns[e], positions[e])
        np.testing.assert_allclose(p.params[e], ref["params"], rtol=RTOL)
        # a pseudo-inverse is exact only up to rounding at the scale of the whole matrix
        scale = np.abs(ref["xtx_inv"]).max()
        np.testing.assert_allclose(p.xtx_inv[e], ref["xtx_inv"], rtol=RTOL, atol=RTOL * scale)
        np.testing.assert_allclose(p.ar[e], ref["ar"], rtol=RTOL, atol=1e-15)


def test_market_adjusted_and_mean_adjusted_designs():
    mk = pd.Series([0.01, np.nan, -0.02])
    o, x = MarketAdjusted().design(mk, None)
    np.testing.assert_array_equal(o, mk.to_numpy())
    assert x.shape == (3, 0)
    o, x = MeanAdjusted().design(mk, None)
    np.testing.assert_array_equal(o, np.zeros(3))
    np.testing.assert_array_equal(x, np.ones((3, 1)))
    o, x = MarketModel().design(mk, None)
    np.testing.assert_array_equal(o, np.zeros(3))
    np.testing.assert_array_equal(x, np.column_stack([np.ones(3), mk.to_numpy()]))


def test_model_names_and_regressors():
    assert {name: m.name for name, m in MODELS.items()} == {n: n for n in MODELS}
    assert MODELS["mean_adjusted"].regressors == ("const",)
    assert MODELS["market_adjusted"].regressors == ()
    assert MODELS["market_model"].regressors == ("const", "market")
    assert MODELS["ff3"].regressors == ("const", "mkt_rf", "smb", "hml")
    assert MODELS["carhart4"].regressors == ("const", "mkt_rf", "smb", "hml", "mom")
    assert MODELS["ff5"].regressors == ("const", "mkt_rf", "smb", "hml", "rmw", "cma")
    for m in MODELS.values():
        assert isinstance(m, NormalReturnModel)


def test_factor_model_design_reindexes_and_validates():
    idx = pd.date_range("2020-01-01", periods=4)
    mk = pd.Series([0.01, 0.02, 0.03, 0.04], index=idx)
    fac = pd.DataFrame(
        {"rf": [1e-4, 2e-4, 3e-4], "mkt_rf": [0.1, 0.2, 0.3], "smb": [1.0, 2.0, 3.0]},
        index=idx[[2, 0, 1]],
    )
    fac["hml"] = [-1.0, -2.0, -3.0]
    o, x = MODELS["ff3"].design(mk, fac)
    np.testing.assert_array_equal(o[:3], [2e-4, 3e-4, 1e-4])
    assert np.isnan(o[3])
    np.testing.assert_array_equal(x[:3, 0], 1.0)
    np.testing.assert_array_equal(x[:3, 1:], [[0.2, 2.0, -2.0], [0.3, 3.0, -3.0], [0.1, 1.0, -1.0]])
    assert np.isnan(x[3, 1:]).all() and x[3, 0] == 1.0
    with pytest.raises(
        DataError, match=r"model 'carhart4' needs factors with columns \['rf', 'mkt_rf'"
    ):
        MODELS["carhart4"].design(mk, None)
    with pytest.raises(
        DataError, match=r"model 'carhart4': factors lacks columns \['mom'\]; has \["
    ):
        MODELS["carhart4"].design(mk, fac)
    with pytest.raises(DataError, match=r"lacks columns \['rf'\]"):
        MODELS["ff3"].design(mk, fac.drop(columns="rf"))


def test_get_model_by_name_object_and_errors():
    assert get_model("ff5") is MODELS["ff5"]
    custom = FactorModel("mine", ("a",))
    assert get_model(custom) is custom
    with pytest.raises(ValueError, match=r"model must be one of \['carhart4', .*got 'capm2'"):
        get_model("capm2")
    with pytest.raises(
        TypeError, match=r"model must be a name \['carhart4'.* or a NormalReturnModel, got 3"
    ):
        get_model(3)  # type: ignore[arg-type]


def test_designs_are_float_even_for_integer_inputs():
    mk = pd.Series([1, 2, 3])
    o, x = MarketAdjusted().design(mk, None)
    assert o.dtype == np.float64
    o, x = MarketModel().design(mk, None)
    assert x.dtype == np.float64
    fac = pd.DataFrame({"rf": [0, 1, 0], "a": [1, 2, 3]})
    o, x = FactorModel("one", ("a",)).design(mk, fac)
    assert o.dtype == np.float64 and x.dtype == np.float64
    with pytest.raises(DataError, match=r"\(decimals: see factors_from_percent\)$"):
        FactorModel("one", ("a",)).design(mk, None)


@pytest.mark.parametrize("chunk", [None, 1])
@pytest.mark.parametrize(
    ("model", "make"),
    [
        # market-adjusted (K = 0): the abnormal return is a constant 0.001
        ("market_adjusted", lambda m: m + 0.001),
        # market model: the return is exactly 0.0005 + 1.2 m, a perfect fit
        ("market_model", lambda m: 0.0005 + 1.2 * m),
        # mean-adjusted: a constant return
        ("mean_adjusted", lambda m: np.full_like(m, 0.0031)),
    ],
)
def test_a_dispersion_within_rounding_is_zero_whatever_the_order_of_the_sums(
    model, make, chunk, monkeypatch
):
    # the residue the sums leave (1e-19 or so) depends on their order (chunks, einsum): it is
    # zero, so that the tests that divide by it all see the same thing
    if chunk is not None:
        monkeypatch.setattr(engine, "_CHUNK_ELEMENTS", chunk)
    r, m, offset, design, columns, positions = _inputs(model)
    m = np.nan_to_num(m, nan=0.0004)
    r[:, 3] = make(m)
    offset, design = get_model(model).design(pd.Series(m), None)
    p = estimate_panel(r, m, offset, design, columns, positions, EST, EVT)
    flat = columns == 3
    assert p.sd_ddof1[flat].tolist() == [0.0] and p.sigma2[flat].tolist() == [0.0]
    # the other events keep their dispersion
    assert (p.sd_ddof1[~flat] > 1e-3).all() and (p.sigma2[~flat] > 1e-6).all()


def test_counts_are_integers_and_unavailable_design_rows_are_zero():
    r, m, offset, design, columns, positions = _inputs()
    p = estimate_panel(r, m, offset, design, columns, positions, EST, EVT)
    assert p.n_est.dtype.kind == "i"
    # row 50 has no market return: the event at row 51 sees it on its day -1
    assert p.x_event[0].shape == (EVT.size, 2)
    e = int(np.nonzero(positions == 62)[0][0])  # rows 60..64; none missing
    assert np.isfinite(p.x_event[e]).all()
    r2 = r.copy()
    p2 = estimate_panel(r2, m, offset, design, columns[:1], np.array([51]), EST, EVT)
    # day -1 is row 50, without a market return: the constant stays 1, the market is 0
    assert p2.x_event[0, 1].tolist() == [1.0, 0.0]
    assert p2.x_event[0, 0].tolist() == [1.0, m[49]]


def test_a_constant_regressor_in_any_column():
    # the engine finds the constant column wherever it is: the design reversed gives the
    # reversed coefficients and the same abnormal returns
    r, m, offset, design, columns, positions = _inputs()
    p = estimate_panel(r, m, offset, design, columns, positions, EST, EVT)
    q = estimate_panel(r, m, offset, design[:, ::-1].copy(), columns, positions, EST, EVT)
    np.testing.assert_allclose(q.params, p.params[:, ::-1], rtol=1e-12)
    np.testing.assert_allclose(q.ar, p.ar, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(q.sigma2, p.sigma2, rtol=1e-12)


def test_exactly_k_observations_raise_no_warning():
    # with exactly K estimation observations the fit is exact and SSR / (L - K) is x / 0:
    # NaN for the event, and no RuntimeWarning (pytest turns warnings into errors)
    rng = np.random.default_rng(12)
    t_cal, n = 60, 40
    m = rng.normal(0, 0.01, t_cal)
    r = rng.normal(0, 0.02, (t_cal, n))
    pos = np.full(n, 45)
    keep = pos[0] + np.array([-20, -9])  # two estimation days of -30..-5 per event
    mask = np.ones(t_cal, dtype=bool)
    mask[keep] = False
    mask[pos[0] + EVT] = False
    r[mask, :] = np.nan
    offset, design = get_model("market_model").design(pd.Series(m), None)
    p = estimate_panel(r, m, offset, design, np.arange(n), pos, EST, EVT)
    assert (p.n_est == 2).all() and np.isnan(p.sigma2).all()


def _small_noise_panel(scale: float, sd: float, seed: int = 21):
    """Market model returns r = 0.0005 * scale + 1.2 m + sd * e: an exact fit plus noise."""
    rng = np.random.default_rng(seed)
    t_cal = 90
    m = rng.normal(0, 0.01 * scale, t_cal)
    e = rng.normal(0, 1.0, t_cal)
    r = (0.0005 * scale + 1.2 * m + sd * e)[:, None]
    offset, design = get_model("market_model").design(pd.Series(m), None)
    p = estimate_panel(r, m, offset, design, np.array([0]), np.array([60]), EST, EVT)
    est = r[60 + EST, 0]
    return p, float(np.abs(est).max())


def test_a_small_real_dispersion_is_kept_relative_to_the_events_own_scale():
    # returns of about 1e-3 with residuals of 1e-13: 1e-10 of the scale, far above rounding
    p, top = _small_noise_panel(0.1, 1e-13)
    assert 10 * engine._ZERO_SCALE * top < 1e-13
    assert p.sigma2[0] == pytest.approx(1e-26, rel=0.6) and p.sd_ddof1[0] > 0.0
    # the threshold is each event's own: an event of returns 1,000 times larger in the same
    # chunk does not zero it
    rng = np.random.default_rng(3)
    m = rng.normal(0, 0.001, 90)
    small = 0.00005 + 1.2 * m + 1e-13 * rng.normal(0, 1.0, 90)
    large = 50.0 + 1000.0 * rng.normal(0, 0.01, 90)
    r = np.column_stack([small, large])
    offset, design = get_model("market_model").design(pd.Series(m), None)
    q = estimate_panel(r, m, offset, design, np.array([0, 1]), np.array([60, 60]), EST, EVT)
    assert q.sigma2[0] > 0.0 and q.sd_ddof1[0] > 0.0


@pytest.mark.parametrize(("ratio", "zero"), [(0.5, True), (1.08, False)])
def test_the_zero_threshold_is_on_the_residual_variance(ratio, zero):
    # SSR / (L - K) at `ratio` times (1e-12 x the largest |return|)^2, set exactly: the
    # residuals are linear in the noise, so scaling the noise scales SSR by its square
    p, top = _small_noise_panel(1.0, 1e-11)
    noise = (engine._ZERO_SCALE * top) ** 2
    sd = 1e-11 * np.sqrt(ratio * noise / p.sigma2[0])
    q, _ = _small_noise_panel(1.0, float(sd))
    assert q.sigma2[0] == 0.0 if zero else q.sigma2[0] > noise
