"""kind = "cross_section" studies and breadth series from study configs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.api import parse_study
from eventstudy.cli import main
from eventstudy.crosssection import run_cross_section
from eventstudy.crosssection.study import run_cross_section_study
from eventstudy.data import DataStore
from eventstudy.data.study_data import load_breadth
from eventstudy.exceptions import ConfigError, DataError

pytestmark = pytest.mark.filterwarnings("ignore::eventstudy.exceptions.DroppedEventsWarning")

STUDY = """
[study]
name = "cs"
kind = "cross_section"
[data.series]
mkt = "test:MKT"
[cross_section]
panel = "panel:p"
market = "mkt"
event_date = 2010-06-15
model = "market_model"
estimation = [-120, -11]
event_window = [-2, 2]
min_estimation = 60
car_windows = [[0, 0], [-2, 2]]
"""


@pytest.fixture
def store(tmp_path: Path) -> DataStore:
    rng = np.random.default_rng(9)
    dates = pd.bdate_range("2010-01-04", periods=200)
    root = tmp_path / "data"
    (root / "series" / "test").mkdir(parents=True)
    (root / "panel").mkdir()
    mret = rng.normal(0.0003, 0.01, dates.size)
    mkt = 100 * np.cumprod(1 + mret)
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "close": mkt}).to_csv(
        root / "series" / "test" / "MKT.csv", index=False
    )
    rows = []
    for k, ticker in enumerate(["AA", "BB", "CC", "DD", "EE"]):
        r = 0.0002 + (0.8 + 0.1 * k) * mret + rng.normal(0, 0.01, dates.size)
        px = 20 * np.cumprod(1 + r)
        start = 100 if ticker == "EE" else 0  # EE lists late: too short an estimation window
        rows += [
            (d, ticker, p)
            for d, p in zip(dates[start:].strftime("%Y-%m-%d"), px[start:], strict=True)
        ]
    pd.DataFrame(rows, columns=["date", "ticker", "close"]).sort_values(["date", "ticker"]).to_csv(
        root / "panel" / "p.csv", index=False
    )
    return DataStore(root)


def test_config_study_equals_direct_call(store: DataStore) -> None:
    res = run_cross_section_study(parse_study(STUDY, source="cs.toml"), store=store)
    panel = store.load_panel("panel:p").data
    mkt = store.load("test:MKT").data
    events = pd.DataFrame(
        {"ticker": ["AA", "BB", "CC", "DD", "EE"], "date": pd.Timestamp("2010-06-15")}
    )
    direct = run_cross_section(
        panel.pct_change(fill_method=None),
        mkt.pct_change(),
        events,
        estimation=(-120, -11),
        event_window=(-2, 2),
        min_estimation=60,
        car_windows=[(0, 0), (-2, 2)],
    )
    assert res.result.n_dropped == 1 == direct.n_dropped  # EE
    pd.testing.assert_frame_equal(res.result.caar, direct.caar)
    for w in ((0, 0), (-2, 2)):
        for name, tr in direct.window_tests[w].items():
            assert res.result.window_tests[w][name].statistic == pytest.approx(
                tr.statistic, nan_ok=True
            )


def test_cli_writes_cross_section_outputs(store: DataStore, tmp_path: Path) -> None:
    study = tmp_path / "cs.toml"
    study.write_text(STUDY)
    out = tmp_path / "out"
    assert (
        main(["run", str(study), "--out", str(out), "--data-dir", str(store.root), "--quiet"]) == 0
    )
    record = json.loads((out / "result.json").read_text())
    assert record["counts"]["events_dropped"] == 1
    assert set(record["window_tests"]) == {"0..0", "-2..2"}
    assert "car_adjusted_boehmer" in record["window_tests"]["-2..2"]
    assert len(record["events"]) == 4
    assert (out / "figures" / "caar.png").stat().st_size > 5000
    assert "Kolari–Pynnönen" in (out / "report.md").read_text()


@pytest.mark.parametrize(("argv", "expected"), [([], None), (["--workers", "3"], 3)])
def test_cli_workers_are_the_cross_sections_threads(
    store: DataStore, tmp_path: Path, monkeypatch, argv, expected
) -> None:
    from eventstudy.crosssection import study as cs_study

    asked: list[int | None] = []
    real = cs_study.run_cross_section

    def spy(*args, **kwargs):
        asked.append(kwargs["workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(cs_study, "run_cross_section", spy)
    study = tmp_path / "cs.toml"
    study.write_text(STUDY)
    out = tmp_path / "out"
    cmd = ["run", str(study), "--out", str(out), "--data-dir", str(store.root), "--quiet"]
    assert main([*cmd, "--no-figures", *argv]) == 0
    assert asked == [expected]


def test_a_bad_worker_count_is_the_callers_error_found_before_the_data(
    store: DataStore, monkeypatch
) -> None:
    """Not a ConfigError naming the study file, and raised before any data is read."""
    from eventstudy.crosssection import study as cs_study

    def no_data(*args, **kwargs):
        raise AssertionError("data read")

    monkeypatch.setattr(cs_study, "load_study_data", no_data)
    config = parse_study(STUDY, source="cs.toml")
    with pytest.raises(ValueError, match="workers must be >= 1, got 0") as caught:
        run_cross_section_study(config, store=store, workers=0)
    assert not isinstance(caught.value, ConfigError)


def test_events_file(store: DataStore, tmp_path: Path) -> None:
    (tmp_path / "ev.csv").write_text("ticker,date\nAA,2010-06-15\nBB,2010-06-13\n")  # a Sunday
    text = STUDY.replace("event_date = 2010-06-15", 'events_file = "ev.csv"')
    res = run_cross_section_study(parse_study(text, source=str(tmp_path / "s.toml")), store=store)
    assert res.result.n_moved == 1  # Sunday -> Monday 2010-06-14


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", r"ev.csv: the event list is empty \(no header, no rows\)"),
        ("ticker,date\n", r"ev.csv: the event list has a header but no events"),
        (
            "ticker,date\nAA,2010-06-15\n  ,2010-06-15\n",
            r"ev.csv: blank ticker at line 3 \(1 such row\)",
        ),
        ("ticker,date\nAA,2010-06-15\n,2010-06-15\n", r"ev.csv: blank ticker at line 3"),
        (
            "ticker,date\nAA,2010-06-15\nBB,2010-06-15\nAA, 2010-06-15\n",
            r"ev.csv: event listed more than once: ticker 'AA' on 2010-06-15 \(lines \[2, 4\]",
        ),
        (
            "ticker,date\nAA,2010-06-15\nFOO,2010-06-15\nBAR,2010-06-16\n",
            r"ev.csv: unknown ticker 'FOO' at line 3 \(not in the panel panel:p; 2 such lines\)",
        ),
        (  # a date padded with spaces is read, as a padded ticker is
            "ticker,date\nAA,2010-06-15 \nAA,2010-06-15\n",
            r"ev.csv: event listed more than once: ticker 'AA' on 2010-06-15",
        ),
    ],
)
def test_bad_events_file_names_the_file_and_row(
    store: DataStore, tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "ev.csv").write_text(content)
    text = STUDY.replace("event_date = 2010-06-15", 'events_file = "ev.csv"')
    with pytest.raises(DataError, match=message):
        run_cross_section_study(parse_study(text, source=str(tmp_path / "s.toml")), store=store)


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (
            ("event_date = 2010-06-15", ""),
            r"give exactly one of 'events_file', 'event_date' or 'event_signal'",
        ),
        (
            ('market = "mkt"', 'market = "nope"'),
            r"key 'market': 'nope' is not a \[data.series\] alias",
        ),
        (
            ('model = "market_model"', 'model = "ff3"'),
            r"key 'factors': model 'ff3' needs factor tables",
        ),
        (
            ("estimation = [-120, -11]", "estimation = [-120]"),
            r"key 'estimation': must be two integers",
        ),
        (("min_estimation = 60", "min_estimation = 60\nbogus = 1"), r"unknown key 'bogus'"),
        (
            ('mkt = "test:MKT"', 'mkt = { name = "test:MKT", kind = "level" }'),
            r"\[cross_section\] key 'market': 'mkt' is a level \(a yield or a rate\)",
        ),
    ],
)
def test_cross_section_config_errors(store: DataStore, edit: tuple[str, str], pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        run_cross_section_study(parse_study(STUDY.replace(*edit), source="cs.toml"), store=store)


def test_breadth_series_drops_and_counts_undefined_days(store: DataStore) -> None:
    loaded = load_breadth(store, panel="panel:p", measure="share_above_ma", window=50)
    panel = store.load_panel("panel:p").data
    # independent computation: share of stocks with 50 days of history whose close > 50-day mean
    ma = panel.rolling(50, min_periods=50).mean()
    valid = ma.notna()
    share = ((panel > ma) & valid).sum(axis=1) / valid.sum(axis=1)
    share = share[valid.sum(axis=1) > 0]
    pd.testing.assert_series_equal(loaded.data, share.rename(loaded.data.name), check_freq=False)
    assert loaded.info.dropped == {"undefined_before_history": 49}


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.OverlappingEventsWarning")
def test_events_from_a_signal_applied_per_stock(store: DataStore) -> None:
    from eventstudy.crosssection.study import signal_events

    panel = store.load_panel("panel:p").data
    signal = {"type": "move", "series": "stock", "n": 1, "mode": "below", "level": -0.02}
    events, triggers = signal_events(panel, signal, min_gap=30)
    # independent: per ticker, days with a one-day return below -2%, kept >= 30 days apart
    expected = []
    for ticker in panel.columns:
        col = panel[ticker].dropna()
        r = (col / col.shift(1) - 1).to_numpy()
        kept: list[int] = []
        for i in np.flatnonzero(r < -0.02):
            if not kept or i - kept[-1] >= 30:
                kept.append(int(i))
        expected += [(ticker, col.index[i]) for i in kept]
    assert list(events.itertuples(index=False, name=None)) == expected
    assert triggers >= len(expected) > 0
    text = (
        STUDY.replace(
            "event_date = 2010-06-15",
            'event_signal = { type = "move", series = "stock", n = 1, mode = "below", level = -0.02 }\n'
            "event_min_gap = 30",
        )
        .replace("estimation = [-120, -11]", "estimation = [-60, -11]")
        .replace("min_estimation = 60", "min_estimation = 40")
    )
    res = run_cross_section_study(parse_study(text, source="cs.toml"), store=store)
    assert res.result.n_events_input == len(expected)


def _compounded_by_hand(factors: pd.DataFrame, calendar: pd.DatetimeIndex) -> pd.DataFrame:
    """The factors over each calendar date's span, one date at a time (the reference)."""
    rows = {}
    for i, day in enumerate(calendar):
        start = calendar[i - 1] if i else day - pd.Timedelta(days=1)
        span = factors[(factors.index > start) & (factors.index <= day)]
        if span.empty or day not in factors.index:  # without the day's own factors: missing
            rows[day] = dict.fromkeys(factors.columns, np.nan)
            continue
        grow = 1 + span.to_numpy()  # a missing value makes the span's return missing
        total = float(np.prod(grow[:, 0] + span["rf"].to_numpy()) - 1)
        rf = float(np.prod(1 + span["rf"].to_numpy()) - 1)
        row = {c: float(np.prod(grow[:, j]) - 1) for j, c in enumerate(factors.columns)}
        rows[day] = {**row, "mkt_rf": total - rf, "rf": rf}
    return pd.DataFrame.from_dict(rows, orient="index")[list(factors.columns)]


def test_compound_factors_against_a_loop() -> None:
    from eventstudy.crosssection import compound_factors

    rng = np.random.default_rng(3)
    days = pd.bdate_range("2015-01-01", periods=60)
    factors = pd.DataFrame(
        rng.normal(0, 0.01, (60, 4)), index=days, columns=["mkt_rf", "smb", "hml", "rf"]
    ).assign(rf=0.0001)
    factors.iloc[30, 2] = np.nan  # a missing factor value
    factors = factors.drop(index=days[13])  # a span (days 10-13) without its own date
    calendar = days.delete([0, 10, 11, 12, 30, 45])[:-3]  # lacks days, ends before the factors
    calendar = calendar.append(pd.DatetimeIndex(["2015-01-31"])).sort_values()  # a Saturday
    got = compound_factors(factors, calendar)
    expected = _compounded_by_hand(factors, calendar)
    pd.testing.assert_frame_equal(got, expected, check_freq=False, rtol=1e-13, atol=1e-15)
    assert got.attrs["days"].tolist() == [
        int(
            (
                (factors.index > (calendar[i - 1] if i else d - pd.Timedelta(days=1)))
                & (factors.index <= d)
            ).sum()
        )
        for i, d in enumerate(calendar)
    ]
    assert got.loc["2015-01-31"].isna().all() and np.isnan(got.loc[days[31], "hml"])
    assert got.loc[days[13]].isna().all()  # not days 10-12's factors alone
    whole = factors.index  # one day each: the factors as given, bit for bit
    one = compound_factors(factors, whole)
    pd.testing.assert_frame_equal(one, factors, check_exact=True, check_freq=False)
    with pytest.raises(DataError, match="ascending"):
        compound_factors(factors, calendar[::-1])


FF3_STUDY = STUDY.replace('model = "market_model"', 'model = "ff3"\nfactors = ["fama_french:ff"]')


def test_a_date_missing_from_the_panel_compounds_the_factors(store: DataStore) -> None:
    """The panel lacks one trading day: the stock, market and factor returns of the next date
    all span two days. Day 0's abnormal return is checked against statsmodels' OLS on the
    factors compounded by hand (Fama & French 1993; the reviewer's ff3 case, car_t 3.48 with
    one-day factors where 2.66 is right)."""
    import statsmodels.api as sm

    from eventstudy.exceptions import DataCoverageWarning

    root = store.root
    dates = pd.bdate_range("2010-01-04", periods=200)
    rng = np.random.default_rng(5)
    ff = pd.DataFrame(
        rng.normal(0, 0.5, (200, 4)), index=dates, columns=["mkt_rf", "smb", "hml", "rf"]
    ).assign(rf=0.01)  # percent, as French publishes
    (root / "fama_french").mkdir()
    ff.rename_axis("date").reset_index().assign(date=dates.strftime("%Y-%m-%d")).to_csv(
        root / "fama_french" / "ff.csv", index=False
    )
    gone = pd.Timestamp("2010-06-14")  # the day before the event
    panel = pd.read_csv(root / "panel" / "p.csv")
    panel[panel["date"] != f"{gone:%Y-%m-%d}"].to_csv(root / "panel" / "p.csv", index=False)
    store = DataStore(root)
    with pytest.warns(
        DataCoverageWarning, match=r"lacks 1 trading day.*2010-06-14.*2010-06-15 \(2 days\)"
    ):
        res = run_cross_section_study(parse_study(FF3_STUDY, source="cs.toml"), store=store)
    prices = store.load_panel("panel:p").data
    calendar = prices.index.intersection(store.load("test:MKT").data.index)
    assert gone not in calendar
    returns = prices.loc[calendar].pct_change(fill_method=None)
    factors = _compounded_by_hand(ff / 100.0, calendar)
    event = calendar.get_loc(pd.Timestamp("2010-06-15"))
    for ticker in ("AA", "CC"):
        est = slice(max(event - 120, 0), event - 10)  # the data start inside the window
        x = sm.add_constant(factors[["mkt_rf", "smb", "hml"]].iloc[est].to_numpy())
        y = (returns[ticker] - factors["rf"]).iloc[est].to_numpy()
        ok = np.isfinite(y) & np.isfinite(x).all(axis=1)
        assert ok.sum() >= 60
        fit = sm.OLS(y[ok], x[ok]).fit()
        x0 = np.r_[1.0, factors[["mkt_rf", "smb", "hml"]].iloc[event].to_numpy()]
        ar0 = returns[ticker].iloc[event] - factors["rf"].iloc[event] - x0 @ fit.params
        row = res.result.events["ticker"].tolist().index(ticker)
        assert res.result.ar.iloc[row][0] == pytest.approx(ar0, rel=1e-10)
    assert any("compounded" in w for w in res.warnings)


def test_the_python_route_warns_of_factor_days_the_returns_lack(store: DataStore) -> None:
    from eventstudy.exceptions import DataCoverageWarning

    panel = store.load_panel("panel:p").data
    mkt = store.load("test:MKT").data
    calendar = panel.index.delete(100)
    returns = panel.loc[calendar].pct_change(fill_method=None)
    factors = pd.DataFrame(0.001, index=panel.index, columns=["mkt_rf", "smb", "hml", "rf"])
    events = pd.DataFrame({"ticker": ["AA", "BB"], "date": pd.Timestamp("2010-06-15")})
    kwargs = dict(model="ff3", estimation=(-120, -11), event_window=(-2, 2), min_estimation=60)
    with pytest.warns(
        DataCoverageWarning,
        match=rf"1 date\(s\) .*\({panel.index[100]:%Y-%m-%d}\).*compound_factors",
    ):
        run_cross_section(returns, mkt.pct_change(), events, factors=factors, **kwargs)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", DataCoverageWarning)
        from eventstudy.crosssection import compound_factors

        run_cross_section(
            returns, mkt.pct_change(), events, factors=compound_factors(factors, calendar), **kwargs
        )
