"""The flagship study on the real snapshot (skipped without $EVENTSTUDY_DATA)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventstudy.cli import main

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def flagship(snapshot_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("flagship")
    rc = main(
        [
            "run",
            str(ROOT / "studies" / "russell_sp_divergence.toml"),
            "--out",
            str(out),
            "--data-dir",
            str(snapshot_dir),
            "--quiet",
        ]
    )
    assert rc == 0
    return out


def test_flagship_events_include_2024_11_06(flagship: Path) -> None:
    record = json.loads((flagship / "result.json").read_text())
    for variant in ("full_sigma", "trailing_sigma"):
        dates = [e["date"] for e in record["events"] if e["variant"] == variant]
        assert "2024-11-06" in dates
        assert all(d >= "1980-01-01" for d in dates)
    assert record["data"]["rut"]["first"] == "1978-12-29"
    assert record["variants"][0]["look_ahead"] is True
    assert record["variants"][1]["look_ahead"] is False


def test_flagship_report_states_claims_and_caveats(flagship: Path) -> None:
    md = (flagship / "report.md").read_text()
    assert "## Verdicts" in md and "## Published claims" in md
    assert "Claim +7.0% for rut over 6m" in md and "Claim +14.0% for rut over 12m" in md
    assert "look-ahead" in md
    assert "effective n" in md
    assert md.count("[full_sigma] ") == 6 and md.count("[trailing_sigma] ") == 6


def test_a_subperiods_bartlett_fallback_is_said(flagship: Path) -> None:
    """The 2020s hold two 12-month episodes of the full-σ events: the uniform kernel's variance
    of the RUT 12-month HAC test there is negative (-0.000613 in an independent statsmodels
    fit), so its p-value is the Bartlett fallback's, which the table did not say."""
    record = json.loads((flagship / "result.json").read_text())
    rows = [
        r
        for r in record["subperiods"]
        if (r["variant"], r["target"], r["period"], r["horizon"])
        == ("full_sigma", "rut", "2020s", "12m")
    ]
    assert len(rows) == 1 and rows[0]["hac_kernel"] == "bartlett (fallback)"
    fallbacks = [r for r in record["subperiods"] if "fallback" in r["hac_kernel"]]
    md = (flagship / "report.md").read_text()
    assert md.count("(Bartlett fallback)") == len(fallbacks) >= 1


def test_flagship_figures(flagship: Path, snapshot_dir: Path) -> None:
    from eventstudy.api import run_study
    from eventstudy.data import DataStore
    from eventstudy.timeseries.plots import plot_series_events

    pngs = sorted(p.name for p in (flagship / "figures").glob("*.png"))
    assert pngs == [
        "backtest_full_sigma.png",
        "backtest_trailing_sigma.png",
        "distribution_full_sigma.png",
        "distribution_trailing_sigma.png",
        "path_full_sigma.png",
        "path_trailing_sigma.png",
        "recent_full_sigma.png",
        "recent_trailing_sigma.png",
        "series.png",
        "signal_full_sigma.png",
        "signal_trailing_sigma.png",
    ]
    for name in pngs:
        data = (flagship / "figures" / name).read_bytes()
        assert data[:4] == b"\x89PNG" and len(data) > 20_000
    result = run_study(
        ROOT / "studies" / "russell_sp_divergence.toml", store=DataStore(snapshot_dir)
    )
    from eventstudy.timeseries.plots import plot_recent_events

    for v in result.variants:
        recent = plot_recent_events(result, variant=v.name, target="rut").axes[0]
        # average, drift and one line per recent event (the last three)
        assert len(recent.lines) == 2 + 3 + 1  # + the zero line
        assert recent.get_title().startswith("Russell 2000: the last")
        ax = plot_series_events(result, variant=v.name).axes[0]
        assert ax.get_yscale() == "log" and ax.get_xlabel() == "date"
        assert len(ax.collections[-1].get_offsets()) == v.events.n_events
    from eventstudy.timeseries.plots import study_figure_plan
    from tests.test_figure import text_fits

    for name, build in study_figure_plan(result):  # fixed margins leave room for every label
        assert text_fits(build()) == [], name
    for b in result.backtests:
        top, bottom = b.plot().axes
        assert top.get_yscale() == "log" and bottom.get_ylabel() == "drawdown, %"
        labels = [line.get_label() for line in top.lines]
        assert labels == ["strategy", "buy and hold", "events"]
        assert len(top.lines[2].get_xdata()) == len(b.events)
        assert len(top.patches) == len(b.trades)  # one shaded span per holding


def test_flagship_backtest_against_the_data(flagship: Path, snapshot_dir: Path) -> None:
    """Each trade of the shipped backtest (long Russell 2000, short S&P 500, 126 days,
    bought at the close after the event) recomputed from the aligned prices with pandas, and
    the cash from the Fama-French file read directly."""
    import numpy as np
    import pandas as pd

    from eventstudy.api import run_study
    from eventstudy.data import DataStore

    result = run_study(
        ROOT / "studies" / "russell_sp_divergence.toml", store=DataStore(snapshot_dir)
    )
    frame = result.data.aligned.frame
    ff = (
        pd.read_csv(
            snapshot_dir / "fama_french" / "ff3_factors_daily.csv",
            index_col="date",
            parse_dates=True,
        )["rf"]
        / 100
    )
    assert [b.name for b in result.backtests] == ["full_sigma", "trailing_sigma"]
    for b, v in zip(result.backtests, result.variants, strict=True):
        dates = frame.index
        for _, trade in b.trades.iterrows():
            e = dates.get_loc(trade["event"])
            assert trade["entry"] == dates[e + 1]  # the close after the event day
            assert trade["event"] in set(v.events.dates)
            rut, spx = frame["rut"], frame["spx"]
            # the spread the daily series holds (rebalanced each day), over the trade's days
            days = (dates > trade["entry"]) & (dates <= trade["exit"])
            spread = (rut.pct_change() - spx.pct_change())[days]
            expected = float((1 + spread).prod() - 1)
            assert trade["return"] == pytest.approx(expected, rel=1e-12)
            if not trade["open"]:
                assert dates.get_loc(trade["exit"]) - dates.get_loc(trade["entry"]) >= 126
        cash = b.daily["cash"]
        common = cash.index.intersection(ff.index)
        np.testing.assert_allclose(cash[common], ff[common], rtol=1e-12)
        wealth = (1 + b.daily["strategy"]).prod() - 1
        assert b.performance["strategy"]["total_return"] == pytest.approx(wealth, rel=1e-12)
    # docs/backtest.md quotes these numbers
    doc = " ".join((ROOT / "docs" / "backtest.md").read_text().split())
    full, trailing = result.backtests
    assert (
        f"cash of {full.sharpe_annual:.2f} (full-sample σ) and {trailing.sharpe_annual:.2f} "
        f"(trailing σ), each with a standard error of {full.sharpe_se_annual:.2f}" in doc
    )
    assert f"{trailing.sharpe_se_annual:.2f}" == f"{full.sharpe_se_annual:.2f}"
    assert (
        f"matched the excess over buy-and-hold in {full.placebo['beaten_by']:.0%} and "
        f"{trailing.placebo['beaten_by']:.0%} of draws" in doc
    )
    md = (flagship / "report.md").read_text()
    first = md[: md.index("## Verdicts")]
    assert "**Traded (full_sigma).**" in first and "**Traded (trailing_sigma).**" in first
    record = json.loads((flagship / "result.json").read_text())
    assert record["backtest"]["spec"]["cash"] == "fama_french:ff3_factors_daily[rf]"
    assert record["backtest"]["results"][0]["entry"] == "next_close"


def test_every_shipped_study_validates() -> None:
    from eventstudy.api import load_study

    for path in sorted((ROOT / "studies").glob("*.toml")):
        assert load_study(path).name == path.stem


def test_election_cross_section_on_the_panel(
    snapshot_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "election"
    study = ROOT / "studies" / "election_2016_cross_section.toml"
    rc = main(["run", str(study), "--out", str(out), "--data-dir", str(snapshot_dir), "--quiet"])
    assert rc == 0
    # a few members lack a year of history: printed once as a one-line warning
    assert capsys.readouterr().err.count("warning (DroppedEventsWarning)") == 1
    record = json.loads((out / "result.json").read_text())
    assert record["counts"]["events_given"] > 450  # names per date in the panel: 451..503
    assert record["settings"]["event_window"] == [-5, 5]
    assert set(record["window_tests"]) == {"0..0", "0..1", "-1..1", "0..5", "-5..5"}


def test_breadth_study_on_the_panel(snapshot_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "breadth"
    study = ROOT / "studies" / "sp500_breadth_below_55.toml"
    rc = main(
        [
            "run",
            str(study),
            "--out",
            str(out),
            "--data-dir",
            str(snapshot_dir),
            "--quiet",
            "--no-figures",
        ]
    )
    assert rc == 0
    record = json.loads((out / "result.json").read_text())
    assert record["data"]["breadth"]["first"] > "2013-11-01"  # 200 days of history first
    assert record["variants"][0]["events"] >= 3


def test_carhart_cross_section_with_real_factor_files(snapshot_dir: Path) -> None:
    from eventstudy.api import parse_study
    from eventstudy.crosssection.study import run_cross_section_study
    from eventstudy.data import DataStore

    text = (ROOT / "studies" / "election_2016_cross_section.toml").read_text()
    text = text.replace(
        'model = "market_model"',
        'model = "carhart4"\nfactors = ["fama_french:ff3_factors_daily", "fama_french:mom_factor_daily"]',
    )
    with pytest.warns(Warning):  # members without a year of history are dropped
        res = run_cross_section_study(
            parse_study(text, source="carhart.toml"), store=DataStore(snapshot_dir)
        )
    events = res.events_frame()
    # four slopes per event (Mkt-RF, SMB, HML, MOM) besides the constant; factors were % -> decimals
    slopes = [c for c in events.columns if c.startswith("param_") and c != "param_const"]
    assert len(slopes) == 4
    # every event's Carhart coefficients recomputed independently: raw CSVs read with pandas,
    # the same calendar (panel dates that the market also has), simple returns minus rf, the
    # estimation rows -250..-11 of day 0 = 2016-11-09, OLS by numpy's SVD-based lstsq
    import numpy as np
    import pandas as pd

    raw = pd.read_csv(
        snapshot_dir / "panel" / "sp500_pit_daily_2013_2018.csv",
        usecols=["date", "ticker", "close"],
        parse_dates=["date"],
    )
    prices = raw.pivot(index="date", columns="ticker", values="close")
    spx = pd.read_csv(
        snapshot_dir / "series" / "yahoo" / "GSPC.csv", usecols=["date", "close"], index_col=0
    )["close"].dropna()
    calendar = prices.index.intersection(pd.DatetimeIndex(spx.index))
    ret = (prices / prices.shift(1) - 1.0).loc[calendar]
    ff = pd.read_csv(snapshot_dir / "fama_french" / "ff3_factors_daily.csv", index_col=0)
    mom = pd.read_csv(snapshot_dir / "fama_french" / "mom_factor_daily.csv", index_col=0)
    fac = ff.join(mom, how="inner")
    fac.index = pd.DatetimeIndex(fac.index)
    fac = fac.reindex(calendar) / 100.0  # percent -> decimals
    day0 = calendar.get_loc(pd.Timestamp("2016-11-09"))
    rows = np.arange(day0 - 250, day0 - 10)
    x = np.column_stack([np.ones(rows.size), fac[["mkt_rf", "smb", "hml", "mom"]].iloc[rows]])
    rf = fac["rf"].to_numpy()[rows]
    assert len(events) > 400
    for _, e in events.iterrows():
        y = ret[e["ticker"]].to_numpy()[rows] - rf
        ok = np.isfinite(y) & np.isfinite(x).all(axis=1)
        assert e["n_estimation"] == ok.sum()
        b = np.linalg.lstsq(x[ok], y[ok], rcond=None)[0]
        got = e[["param_mkt_rf", "param_smb", "param_hml", "param_mom"]].to_numpy(float)
        np.testing.assert_allclose(got, b[1:], rtol=1e-10, err_msg=e["ticker"])
        # the intercept is ~1e-4: relative 1e-10 plus an absolute 1e-12 (a daily return unit)
        assert e["param_const"] == pytest.approx(b[0], rel=1e-10, abs=1e-12), e["ticker"]
    assert "factors:fama_french:mom_factor_daily" in res.data


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_shipped_sweep_contains_the_flagship(snapshot_dir: Path) -> None:
    # the sweep's specification with the flagship's published conventions reproduces the
    # flagship's full_sigma numbers exactly (the two engines agree), and the search's answer
    # is in the result
    from eventstudy.api import run_study
    from eventstudy.data import DataStore

    store = DataStore(snapshot_dir)
    sweep = run_study(ROOT / "studies" / "russell_sp_divergence_sweep.toml", store=store, workers=2)
    flagship = run_study(ROOT / "studies" / "russell_sp_divergence.toml", store=store)
    name = "k=3,n=5,min_gap=21,start=1980-01-01,returns=simple,sigma=full_since_1980"
    assert len(sweep.specifications) == 768
    full = next(v for v in flagship.variants if v.name == "full_sigma")
    assert sweep.events[name].positions.tolist() == full.events.positions.tolist()
    for target in ("rut", "spx", "rut_minus_spx"):
        for h in ("6m", "12m"):
            got = sweep.evaluations[name][target].horizons[h]
            ref = full.evaluations[target].horizons[h]
            assert (got.n, got.mean, got.n_episodes) == (ref.n, ref.mean, ref.n_episodes)
            assert got.tests["hac"] == ref.tests["hac"]
    claims = sweep.claims_frame()
    assert list(claims["specifications"]) == [768, 768]
    assert sweep.headline().startswith(("Nothing survives the search", "Some specifications"))
    # the backtest of every specification: the selected one is the flagship's full_sigma
    bt = sweep.backtest
    assert bt is not None and bt.selected is not None and bt.selected.name == name
    flag = flagship.backtests[0]
    pd_equal = bt.selected.daily["strategy"].equals(flag.daily["strategy"])
    assert pd_equal and bt.selected.sharpe_annual == flag.sharpe_annual
    assert bt.best.sharpe_annual == bt.table["sharpe"].max()
    doc = " ".join((ROOT / "docs" / "backtest.md").read_text().split())
    sr = bt.table["sharpe"]
    assert f"annual Sharpe ratios from {sr.min():.2f} to {sr.max():.2f}" in doc
    assert f"the best needs {bt.best.sr0_annual:.2f} just to match" in doc
    assert f"its deflated Sharpe ratio is {bt.best.dsr:.2f}" in doc
    # the search table counts the default test's rejections in the claimed (positive)
    # direction: the spread's 6-month specifications all have a negative excess
    from eventstudy.report.sweep import search_table

    test = sweep.default_test
    table = search_table(sweep).set_index(["target", "horizon"])
    f = sweep.to_frame()
    g = f[(f["target"] == "rut_minus_spx") & (f["horizon"] == "6m")]
    two_sided = int((g[f"{test}_p"] < 0.05).sum())
    signed = int(((g[f"{test}_p"] < 0.05) & (g["excess_mean"] > 0)).sum())
    assert table.loc[("rut_minus_spx", "6m"), f"{test} p<0.05 (positive)"] == signed
    assert signed < two_sided  # the two-sided count would report wrong-sign 'discoveries'
    # best and selected are full-sample-sigma specifications: the report says look-ahead
    assert sweep.look_ahead(bt.best.name) and sweep.look_ahead(name)
    assert not sweep.look_ahead(name.replace("sigma=full_since_1980", "sigma=expanding"))


@pytest.mark.slow
def test_flagship_result_is_identical_for_any_blas_thread_count(
    snapshot_dir: Path, tmp_path: Path
) -> None:
    """result.json has the same bytes under OPENBLAS_NUM_THREADS=1 and =2: the HAC fit, the
    block length and the search sum with numpy itself, never a threaded BLAS product."""
    import os
    import subprocess
    import sys

    outs = {}
    for n in ("1", "2"):
        out = tmp_path / n
        env = {
            **os.environ,
            "EVENTSTUDY_DATA": str(snapshot_dir),
            "OPENBLAS_NUM_THREADS": n,
            "OMP_NUM_THREADS": n,
            "PYTHONWARNINGS": "ignore",
        }
        subprocess.run(
            [
                sys.executable,
                "-m",
                "eventstudy.cli",
                "run",
                str(ROOT / "studies" / "russell_sp_divergence.toml"),
                "--out",
                str(out),
                "--no-figures",
                "--quiet",
            ],
            check=True,
            env=env,
        )
        outs[n] = (out / "result.json").read_bytes()
    assert outs["1"] == outs["2"]


STUDIES = sorted(p.name for p in (ROOT / "studies").glob("*.toml"))


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
@pytest.mark.parametrize("name", STUDIES)
def test_every_shipped_studys_figures_fit(name: str, snapshot_dir: Path) -> None:
    """Each shipped study's report figures keep every label inside the figure and off its
    neighbours (the fixed margins widen for wide tick labels, such as the minor labels of a
    log axis over less than a decade in the breadth study's series figure)."""
    import dataclasses

    from eventstudy.api import load_study, run_study
    from eventstudy.data import DataStore
    from eventstudy.report.figures import _plan_of
    from tests.test_figure import text_fits

    config = load_study(ROOT / "studies" / name)
    if config.kind != "time_series":  # the cross-section's one CAAR plot: tests/test_figure.py
        return
    inference = dataclasses.replace(config.inference, draws=200, bootstrap_reps=100, size_draws=0)
    config = dataclasses.replace(config, inference=inference)
    result = run_study(config, store=DataStore(snapshot_dir))
    kind = "sweep" if getattr(config, "sweep", None) is not None else "study"
    for figure, build in _plan_of(kind, result):
        assert text_fits(build()) == [], figure
