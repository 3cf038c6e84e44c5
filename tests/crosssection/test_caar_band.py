"""The CAAR band's standard error is that of the CAAR the table prints: the sum of the daily
mean abnormal returns, each over the events present that day (Campbell, Lo & MacKinlay 1997,
eq. 4.4.10 with weights 1/n_t on each event's available days; the events independent).

The reference builds each event's covariance matrix V_i = s_i^2 (I + X*(X'X)^-1 X*') from its
own least-squares fit (numpy's lstsq), one event at a time."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.crosssection import run_cross_section

EST, EVW = (-250, -11), (-5, 5)


def panel(halt: slice | None) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(5)
    cal = pd.bdate_range("2015-01-02", periods=400)
    m = pd.Series(rng.normal(0.0004, 0.01, 400), index=cal, name="mkt")
    r = pd.DataFrame(
        {f"S{i}": 0.9 * m.to_numpy() + rng.normal(0, 0.02, 400) for i in range(20)}, index=cal
    )
    if halt is not None:
        r.iloc[halt, :10] = np.nan  # ten of twenty stocks halted
    events = pd.DataFrame({"ticker": r.columns, "date": cal[300]})
    return r, m, events


def reference_se(r: pd.DataFrame, m: pd.Series, present: np.ndarray) -> np.ndarray:
    """sqrt(sum_i g_i' V_i g_i), g_it = 1/n_t on event i's days present up to each day."""
    t0 = 300
    n_t = present.sum(axis=0)
    w = np.where(present, 1.0 / n_t, 0.0)
    days = np.arange(EVW[1] - EVW[0] + 1)
    var = np.zeros(days.size)
    for i in range(r.shape[1]):  # loop over events: the reference
        est = slice(t0 + EST[0], t0 + EST[1] + 1)
        x = np.column_stack([np.ones(240), m.iloc[est].to_numpy()])
        y = r.iloc[est, i].to_numpy()
        b = np.linalg.lstsq(x, y, rcond=None)[0]
        s2 = ((y - x @ b) ** 2).sum() / (240 - 2)
        xv = np.column_stack([np.ones(days.size), m.iloc[t0 + EVW[0] : t0 + EVW[1] + 1]])
        v = s2 * (np.eye(days.size) + xv @ np.linalg.inv(x.T @ x) @ xv.T)
        for t in days:
            g = np.where(days <= t, w[i], 0.0)
            var[t] += g @ v @ g
    return np.sqrt(var)


@pytest.mark.parametrize(
    "halt", [slice(300, 306), slice(297, 299), slice(303, 306), "one left on day 2"]
)
def test_the_band_with_missing_returns(halt: slice | str) -> None:
    if isinstance(halt, str):  # a day with a single event present: weight 1
        r, m, events = panel(None)
        r.iloc[302, 1:] = np.nan
    else:
        r, m, events = panel(halt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_cross_section(r, m, events, estimation=EST, event_window=EVW, workers=1)
        threaded = run_cross_section(r, m, events, estimation=EST, event_window=EVW, workers=3)
    present = res.ar.notna().to_numpy()
    assert not present.all()
    expected = reference_se(r, m, present)
    np.testing.assert_allclose(res.caar["se"].to_numpy(), expected, rtol=1e-10)
    # the CAAR is the sum of the daily means over the events present, as the band assumes
    aar = np.nanmean(res.ar.to_numpy(), axis=0)
    np.testing.assert_allclose(res.caar["caar"].to_numpy(), np.cumsum(aar), rtol=1e-12)
    pd.testing.assert_frame_equal(res.caar, threaded.caar, check_exact=True)


def test_the_old_formula_was_too_narrow_and_holds_on_complete_data() -> None:
    r, m, events = panel(slice(300, 306))
    res = run_cross_section(r, m, events, estimation=EST, event_window=EVW, workers=1)
    narrow = np.sqrt(res.car_variance.sum()) / len(res.car_variance)  # sum Var(CAR_i) / N
    assert res.caar["se"].iloc[-1] > 1.4 * narrow  # 0.0191 against 0.0131
    full, mkt, ev = panel(None)
    done = run_cross_section(full, mkt, ev, estimation=EST, event_window=EVW, workers=1)
    expected = reference_se(full, mkt, done.ar.notna().to_numpy())
    np.testing.assert_allclose(done.caar["se"].to_numpy(), expected, rtol=1e-10)
    assert done.caar["se"].iloc[-1] == pytest.approx(
        np.sqrt(done.car_variance.sum()) / len(done.car_variance), rel=1e-12
    )


def test_a_day_no_event_has_has_no_band() -> None:
    r, m, events = panel(None)
    r.iloc[300, :] = np.nan  # every stock halted on day 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_cross_section(r, m, events, estimation=EST, event_window=EVW, workers=1)
    assert res.caar["n"].iloc[5] == 0 and np.isnan(res.caar["se"].iloc[5])
    assert np.isfinite(res.caar["se"].drop(index=0)).all()
