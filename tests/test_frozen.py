"""Results cannot change after they are returned: read-only arrays and mappings, hashable test
results, pickling; ``to_frame()`` says why a statistic is missing (eventstudy._frozen)."""

from __future__ import annotations

import copy
import math
import pickle
import types

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy._frozen import hashable, pct, pvalue, readonly_array, readonly_mapping
from eventstudy.crosssection.engine import EventPanel
from eventstudy.evaluation import placebo_path_band
from eventstudy.results import TestResult

pytestmark = pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")

RNG = np.random.default_rng(11)
DATES = pd.bdate_range("2015-01-02", periods=400)
PRICE = pd.Series(100 * np.exp(np.cumsum(RNG.normal(0, 0.01, 400))), index=DATES)
POSITIONS = np.array([30, 80, 150, 220, 300])


def _result(**kw: object) -> TestResult:
    base: dict[str, object] = {
        "name": "t",
        "statistic": 1.5,
        "p_value": 0.2,
        "null_hypothesis": "H0",
        "method": "m",
        "reference": "r",
        "details": {"n": 5, "lags": [1, 2], "inner": {"a": 1.0}},
    }
    base.update(kw)
    return TestResult(**base)  # type: ignore[arg-type]


def test_readonly_helpers() -> None:
    a = np.arange(4.0)
    v = readonly_array(a)
    with pytest.raises(ValueError, match="read-only"):
        v[0] = 1.0
    a[0] = 7.0  # the caller's array keeps its flags: a view, no copy
    assert a.flags.writeable and v[0] == 7.0
    src = {"a": {"b": [1, 2]}, "arr": np.zeros(2)}
    m = readonly_mapping(src)
    assert isinstance(m, types.MappingProxyType) and isinstance(m["a"], types.MappingProxyType)
    assert m["a"]["b"] == (1, 2) and not m["arr"].flags.writeable
    src["a"] = {}  # a copy: later edits of the source do not show
    assert m["a"]["b"] == (1, 2)
    with pytest.raises(TypeError):
        m["x"] = 1  # type: ignore[index]
    assert readonly_mapping(None) == {}
    assert hashable(math.nan) is None and hashable(np.float64("nan")) is None
    assert hashable({"b": 1, "a": [2]}) == hashable({"a": (2,), "b": 1})
    assert hashable(np.arange(2)) == ("int64", (2,), np.arange(2).tobytes())
    assert hashable([{1, 2}]) == (repr({1, 2}),)
    assert pct(0.0497) == "+4.97%" and pct(-0.1, 1) == "-10.0%" and pct(math.nan) == "n/a"
    assert pvalue(0.12345) == "0.123" and pvalue(math.nan) == "n/a"


def test_test_result_is_hashable_and_read_only() -> None:
    r = _result()
    assert isinstance(r.details, types.MappingProxyType)
    with pytest.raises(TypeError):
        r.details["x"] = 1  # type: ignore[index]
    assert r.details["lags"] == (1, 2)
    with pytest.raises(TypeError):
        r.details["inner"]["a"] = 2.0
    same = _result(details={"inner": {"a": 1.0}, "lags": (1, 2), "n": 5})  # other order
    assert r == same and hash(r) == hash(same) and len({r, same}) == 1
    other = _result(p_value=0.3)
    assert r != other and len({r, other}) == 2
    assert hash(_result(details={"n": 6})) != hash(_result(details={"n": 5}))
    na = TestResult.not_applicable("t", "too few", null_hypothesis="H0", method="m", reference="r")
    na2 = TestResult.not_applicable("t", "too few", null_hypothesis="H0", method="m", reference="r")
    assert math.isnan(na.statistic) and hash(na) == hash(na2)  # NaN hashes alike
    assert na in {na, r}
    nan_detail = _result(details={"x": float("nan")})
    assert hash(nan_detail) == hash(_result(details={"x": float("nan")}))
    # pickling and deep copies still work (the proxies are registered with copyreg)
    back = pickle.loads(pickle.dumps(r))
    assert back == r and isinstance(back.details, types.MappingProxyType)
    assert copy.deepcopy(r) == r
    assert r.to_dict()["lags"] == (1, 2) and r.to_frame()["n"].iloc[0] == 5


def test_evaluation_results_are_read_only() -> None:
    fwd = es.forward_returns(PRICE, {"1m": 21, "3m": 63})
    res = es.evaluate(fwd, POSITIONS, tests=("hac", "sign"), seed=0)
    with pytest.raises(TypeError):
        res.horizons["x"] = res.horizons["1m"]  # type: ignore[index]
    with pytest.raises(TypeError):
        res.horizons["1m"].tests["hac"] = res.horizons["1m"].tests["sign"]  # type: ignore[index]
    assert hash(res.horizons["1m"].tests["hac"]) == hash(res.horizons["1m"].tests["hac"])
    # replace() (used by the study) re-freezes
    from dataclasses import replace

    again = replace(res, default_test="sign")
    assert isinstance(again.horizons, types.MappingProxyType) and again.horizons == res.horizons
    assert pickle.loads(pickle.dumps(res)).to_frame().equals(res.to_frame())

    ev = es.find_events(PRICE.pct_change() > 0.015, min_gap=5)
    for arr in (ev.positions, ev.values):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 1
    path = es.average_path(PRICE, POSITIONS, pre=5, post=10)
    for name in ("offsets", "mean", "std", "lower", "upper", "n", "drift"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(path, name)[0] = 1
    band = placebo_path_band(PRICE, 5, min_gap=10, pre=5, post=10, draws=20, seed=1)
    for arr in (band.offsets, band.lower, band.upper):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 1


def test_event_table_leaves_the_callers_arrays_writable() -> None:
    pos, vals = np.array([1, 2]), np.array([0.5, 0.6])
    table = es.EventTable(DATES[[1, 2]], pos, vals, n_triggers=2, min_gap=1, mode="first")
    assert pos.flags.writeable and vals.flags.writeable
    assert not table.positions.flags.writeable and not table.values.flags.writeable


def test_event_panel_arrays_are_read_only() -> None:
    e, lw, d, k = 2, 3, 2, 1
    panel = EventPanel(
        est_days=np.arange(-5, -2),
        event_days=np.arange(0, 2),
        ar=np.zeros((e, lw + d)),
        returns=np.zeros((e, d)),
        market=np.zeros((e, d)),
        market_est_mean=np.zeros(e),
        market_est_ss=np.ones(e),
        n_est=np.full(e, lw),
        params=np.zeros((e, k)),
        xtx_inv=np.ones((e, k, k)),
        x_event=np.ones((e, d, k)),
        sigma2=np.ones(e),
        sd_ddof1=np.ones(e),
        n_params=k,
    )
    for name in ("ar", "params", "x_event", "sigma2", "est_days"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(panel, name).flat[0] = 1
    assert not panel.subset(np.array([True, False])).ar.flags.writeable
    assert panel.ar_event.shape == (2, 2) and not panel.ar_event.flags.writeable


def _cross_section(tickers: list[str]) -> es.CrossSectionResult:
    rng = np.random.default_rng(3)
    m = pd.Series(rng.normal(0, 0.01, 400), index=DATES)
    r = pd.DataFrame(
        {t: m * 1.1 + rng.normal(0, 0.01, 400) for t in ("A", "B", "C", "D")}, index=DATES
    )
    events = pd.DataFrame(
        {"ticker": tickers, "date": [DATES[300 + 5 * i] for i in range(len(tickers))]}
    )
    return es.run_cross_section(r, m, events, estimation=(-200, -11), event_window=(-2, 2))


def test_cross_section_result_is_read_only_and_frames_say_why() -> None:
    res = _cross_section(["A", "B", "C", "D"])
    with pytest.raises(TypeError):
        res.dropped_reasons["x"] = 1  # type: ignore[index]
    day = next(iter(res.daily_tests))
    with pytest.raises(TypeError):
        res.daily_tests[day]["x"] = None  # type: ignore[index]
    window = next(iter(res.window_tests))
    with pytest.raises(TypeError):
        res.window_tests[window]["x"] = None  # type: ignore[index]
    assert len({t for tests in res.window_tests.values() for t in tests.values()}) >= 1
    frame = res.to_frame()
    cols = ["scope", "period", "start", "end", "test", "statistic", "p_value", "distribution"]
    assert list(frame.columns) == [*cols, "applicable", "reason"]
    window = frame[frame["scope"] == "window"].iloc[0]
    assert window["period"] == f"{window['start']}..{window['end']}"
    assert frame["start"].dtype == np.int64
    days = frame[frame["scope"] == "day"]
    assert (days["start"] == days["end"]).all()
    assert (days["period"] == days["start"].astype(str)).all()
    n_tests = sum(len(t) for t in res.daily_tests.values()) + sum(
        len(t) for t in res.window_tests.values()
    )
    assert len(frame) == n_tests  # one row per test of a day or a window
    assert frame.loc[frame["applicable"], "reason"].eq("").all()
    # a single event: the cross-sectional tests cannot run, and each says why
    one = _cross_section(["A"]).to_frame()
    na = one[~one["applicable"]]
    assert len(na) > 0 and na["reason"].str.len().gt(0).all()
    assert na["statistic"].isna().all()


def test_reprs_are_one_line_and_say_what_the_result_is() -> None:
    """A result's repr is a line, not its fields (a StudyResult's were 300,000 characters)."""
    data = pd.DataFrame({"a": PRICE})
    signal = es.make_signal({"type": "move", "series": "a", "n": 5, "mode": "above", "level": 0.01})
    sig = signal.compute(data)
    events = es.find_events(sig, min_gap=10)
    traded = es.backtest(PRICE, events, hold=20, placebo_draws=0)
    cross = _cross_section(["A", "B", "C", "D"])
    lines = {
        repr(sig): f"{int(sig.trigger.sum())} trigger days of 400",
        repr(events): f"<EventTable {events.n_events} events, {events.dates[0]:%Y-%m-%d}..",
        repr(traded): f"{len(traded.trades)} trades, Sharpe {traded.sharpe_annual:.2f}>",
        repr(cross): f"of {cross.n_events_input} events",
    }
    for text, part in lines.items():
        assert part in text and "\n" not in text and len(text) < 200, text
