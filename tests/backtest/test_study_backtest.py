"""``[backtest]`` in a study: parsing, the run, the outputs, and no look-ahead."""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.backtest import backtest, cash_from_yield
from eventstudy.data import DataStore
from eventstudy.exceptions import ConfigError

STUDY = """
[study]
name = "bt"
seed = 7
[data.series]
px = "test:PX"
py = "test:PY"
[signal]
type = "threshold"
series = "px"
mode = "change"
n = 5
level = 0.02
direction = "above"
[events]
min_gap = 5
[evaluation]
horizons = {{ "1m" = 21 }}
targets = [{{ series = "px" }}]
[inference]
tests = ["hac"]
size_draws = 0
[backtest]
{backtest}
"""
BASE = 'long = "px"\nshort = "py"\nhold = "1m"\ncash = "test:RF"\nplacebo_draws = 200'


def _write(folder: Path, px: np.ndarray, py: np.ndarray, n: int) -> None:
    dates = pd.bdate_range("2010-01-01", periods=n).strftime("%Y-%m-%d")
    pd.DataFrame({"date": dates, "close": px}).to_csv(folder / "PX.csv", index=False)
    pd.DataFrame({"date": dates, "close": py}).to_csv(folder / "PY.csv", index=False)
    rf = 2.0 + 0.5 * np.sin(np.arange(n) / 200)
    keep = np.arange(n) % 50 != 7  # a quote missing now and then, like a bond holiday
    pd.DataFrame({"date": dates[keep], "value": rf[keep]}).to_csv(folder / "RF.csv", index=False)
    pd.DataFrame({"date": dates, "value": rf / 250}).to_csv(folder / "RFD.csv", index=False)


@pytest.fixture()
def store(tmp_path: Path) -> DataStore:
    folder = tmp_path / "series" / "test"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    n = 1500
    px = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n)))
    py = 100 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, n)))
    _write(folder, px, py, n)
    pd.DataFrame(
        {
            "path": ["series/test/RF.csv", "series/test/RFD.csv", "series/test/PX.csv"],
            "units": ["percent per annum", "percent per day", "index points"],
        }
    ).to_csv(tmp_path / "MANIFEST.csv", index=False)
    return DataStore(tmp_path)


def _study(backtest_keys: str = BASE) -> es.TimeSeriesStudyConfig:
    return es.parse_study(STUDY.format(backtest=backtest_keys), source="bt.toml")


@pytest.mark.parametrize(
    "keys,message",
    [
        ("hold = 5", "key 'long': missing"),
        ('long = "qq"\nhold = 5', "key 'long': unknown series 'qq'"),
        ('long = "px"', "key 'hold': missing"),
        ('long = "px"\nhold = "2m"', "'2m' is not a horizon"),
        ('long = "px"\nhold = 0', "key 'hold': must be >= 1"),
        ('long = "px"\nshort = "px"\nhold = 5', "must differ from long"),
        ('long = "px"\nhold = 5\nmax_slices = 3', "only applies with overlap = 'stack'"),
        ('long = "px"\nhold = 5\noverlap = "merge"', "key 'overlap': must be one of"),
        ('long = "px"\nhold = 5\nentry = "open"', "key 'entry': must be one of"),
        ('long = "px"\nhold = 5\ncost_bps = -1', "key 'cost_bps': must be from 0 to below 5000"),
        ('long = "px"\nhold = 5\ncost_bps = inf', "key 'cost_bps': must be from 0 to below 5000"),
        ('long = "px"\nhold = 5\ncost_bps = 5000', "all the capital\\), got 5000"),
        ('long = "px"\nhold = 5\ntrials = 10', "go together"),
        ('long = "px"\nhold = 5\nplacebo_draws = 50', "at least 100"),
        ('long = "px"\nhold = 5\nvariants = ["nope"]', "unknown variant 'nope'"),
        ('long = "px"\nhold = 5\nlevered = true', "unknown key 'levered'"),
    ],
)
def test_bad_backtest_keys_are_named(keys: str, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"bt.toml: \[backtest\].*{message}"):
        _study(keys)


def test_defaults() -> None:
    spec = _study('long = "px"\nhold = "1m"').backtest
    assert spec is not None
    assert (spec.hold, spec.overlap, spec.max_slices, spec.entry) == (21, "extend", 1, "next_close")
    assert (spec.cost_bps, spec.cash, spec.placebo_draws) == (5.0, "zero", 1000)
    stack = _study('long = "px"\nhold = 5\noverlap = "stack"').backtest
    assert stack is not None and stack.max_slices == 4


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_study_backtest_equals_the_engine_and_is_written(store: DataStore, tmp_path: Path) -> None:
    result = es.run_study(_study(), store=store)
    (b,) = result.backtests
    frame = result.data.aligned.frame
    rf_raw = store.load("test:RF", kind="level").data
    rf = cash_from_yield(rf_raw.reindex(rf_raw.index.union(frame.index)).ffill()).reindex(
        frame.index
    )
    direct = backtest(
        frame["px"],
        result.variants[0].events,
        hold=21,
        short=frame["py"],
        cost_bps=5,
        cash=rf,
        placebo_draws=0,
    )
    pd.testing.assert_series_equal(b.daily["strategy"], direct.daily["strategy"])
    assert b.n_trials == 1 and b.dsr == pytest.approx(b.psr)
    assert any("no quote on" in n for n in b.notes)  # the missing cash quotes are said
    assert f"Backtest base: {b.verdict()}" in result.summary()
    assert html.escape(f"base: {b.verdict()}") in result._repr_html_()
    # the cash file is fingerprinted like the study's series (its sha256, from the bytes)
    import hashlib

    rf_path = store.root / store.resolve("test:RF")[0]
    digest = hashlib.sha256(rf_path.read_bytes()).hexdigest()
    assert any(
        n.startswith("Cash: test:RF from ") and n.endswith(f"sha256 {digest}.") for n in b.notes
    )
    out = tmp_path / "out"
    es.write_outputs(result, out, figures=True)
    record = json.loads((out / "result.json").read_text())
    assert record["backtest"]["spec"]["hold"] == 21
    assert record["backtest"]["results"][0]["trades"]
    report = (out / "report.md").read_text()
    assert "## Backtest" in report and "**Traded (base).**" in report
    assert (
        "| Metric | Strategy | Buy and hold |" in report and "| Sharpe ratio (annual) |" in report
    )
    assert (out / "figures" / "backtest_base.png").is_file()
    daily = pd.read_csv(out / "backtest.csv", parse_dates=["date"])
    assert list(daily.columns) == [
        "date",
        "strategy_name",
        "strategy",
        "buy_and_hold",
        "cash",
        "exposure",
        "cost",
    ]
    np.testing.assert_allclose(daily["strategy"], b.daily["strategy"], rtol=1e-9)


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_cash_units_are_checked(store: DataStore) -> None:
    daily = es.run_study(_study(BASE.replace("test:RF", "test:RFD")), store=store)
    expected = 2.0 + 0.5 * np.sin(np.arange(1500) / 200)
    np.testing.assert_allclose(
        daily.backtests[0].daily["cash"].to_numpy(), expected[1:] / 250 / 100, rtol=1e-12
    )
    with pytest.raises(ConfigError, match="'test:PX' has units 'index points'"):
        es.run_study(_study(BASE.replace("test:RF", "test:PX")), store=store)


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_declared_trials_deflate(store: DataStore) -> None:
    result = es.run_study(_study(BASE + "\ntrials = 200\ntrials_sharpe_std = 0.5"), store=store)
    (b,) = result.backtests
    assert b.n_trials == 200
    assert b.trials_variance == pytest.approx(0.25 / 252)
    assert b.dsr < b.psr


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_no_look_ahead(tmp_path: Path) -> None:
    """Changing the prices after a date never changes a position held before it."""
    rng = np.random.default_rng(1)
    n = 1500
    px = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n)))
    py = 100 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, n)))
    exposures = []
    for k, seed in enumerate((2, 3)):
        root = tmp_path / f"d{k}"
        folder = root / "series" / "test"
        folder.mkdir(parents=True)
        changed = px.copy()
        changed[900:] *= np.exp(np.cumsum(np.random.default_rng(seed).normal(0, 0.02, n - 900)))
        _write(folder, changed, py, n)
        result = es.run_study(_study(BASE.replace("test:RF", "zero")), store=DataStore(root))
        exposures.append(result.backtests[0].daily["exposure"])
    a, b = exposures
    assert (a.iloc[900:] != b.iloc[900:]).any()  # the later data do change later positions
    pd.testing.assert_series_equal(a.iloc[:900], b.iloc[:900])


def test_a_level_cannot_be_held(store: DataStore) -> None:
    text = STUDY.format(backtest='long = "rf"\nhold = 5').replace(
        'py = "test:PY"', 'py = "test:PY"\nrf = { name = "test:RF", kind = "level" }'
    )
    with pytest.raises(ConfigError, match="key 'long': series 'rf'.*is a level"):
        es.run_study(es.parse_study(text, source="bt.toml"), store=store)


def test_es_backtest_stays_callable_after_the_package_is_imported() -> None:
    """Importing the package eventstudy.backtest (as a study with a [backtest] does) binds it
    to es.backtest, the name of the exported function: a fresh interpreter checks that
    es.backtest(...) still trades (docs/backtest.md's flow: a study, then es.backtest)."""
    import subprocess
    import sys

    code = (
        "import numpy as np, pandas as pd, eventstudy as es, eventstudy.backtest.many\n"
        "idx = pd.bdate_range('2020-01-01', periods=300)\n"
        "px = pd.Series(100 * np.exp(np.cumsum(np.full(300, 0.001))), index=idx)\n"
        "t = es.backtest(px, idx[[10, 100]], hold=20, seed=0)\n"
        "direct = eventstudy.backtest.backtest(px, idx[[10, 100]], hold=20, seed=0)\n"
        "assert type(t).__name__ == 'BacktestResult' and t.daily.equals(direct.daily)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_cash_that_starts_after_the_backtest_is_named(store: DataStore, tmp_path: Path) -> None:
    """A cash yield quoting only from a later date (FRED's DGS3MO from 1981-09-01 under a
    study from 1980): the study file, [backtest] cash, the dates and the remedy; with
    [events] start at its first quote the study runs."""
    folder = tmp_path / "series" / "test"
    rf = pd.read_csv(folder / "RF.csv")
    rf.iloc[300:].to_csv(folder / "RF.csv", index=False)  # from the 300th date on
    first = pd.Timestamp(rf["date"].iloc[300])
    with pytest.raises(
        ConfigError,
        match=rf"bt.toml: \[backtest\] key 'cash': 'test:RF' gives a cash return from "
        rf"{first + pd.offsets.BDay(1):%Y-%m-%d}, but the backtest starts 2010-01-01 .*set "
        r"\[events\] start to .* or later, .* or cash = \"zero\"",
    ):
        es.run_study(_study(), store=store)
    later = STUDY.format(backtest=BASE).replace("[events]", f"[events]\nstart = {first:%Y-%m-%d}")
    res = es.run_study(es.parse_study(later, source="bt.toml"), store=store)
    assert res.backtests[0].daily["cash"].notna().all()


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_the_methods_paragraph_says_when_no_placebo_was_drawn(
    store: DataStore, tmp_path: Path
) -> None:
    drawn = es.run_study(_study(), store=store)
    none = es.run_study(
        _study(BASE.replace("placebo_draws = 200", "placebo_draws = 0")), store=store
    )
    for result, said, not_said in (
        (drawn, "The placebo moves the same holdings", "No random-entry placebo"),
        (none, "No random-entry placebo was drawn (placebo_draws = 0)", "The placebo moves"),
    ):
        out = tmp_path / f"out{len(said)}"
        report = es.write_outputs(result, out, figures=False)["markdown"].read_text()
        assert said in report and not_said not in report


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_a_variant_that_never_traded_is_no_trial(store: DataStore) -> None:
    """Deflation counts the variants that traded: a second variant without events made the
    report say "deflated for 2 trials" with a variance from one Sharpe ratio."""
    from eventstudy.timeseries.trade import deflate

    result = es.run_study(_study(BASE), store=store)
    (b,) = result.backtests
    idle = dataclasses.replace(b, sharpe=None, name="idle")
    both = deflate([b, idle])
    assert [r.n_trials for r in both] == [1, 1]
    assert both[0].dsr == pytest.approx(both[0].psr, rel=1e-12)  # one trial: the PSR at zero


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_look_ahead_and_optimistic_entry_are_said_beside_every_number(
    store: DataStore, tmp_path: Path
) -> None:
    """A variant whose signal uses full-sample statistics, and an entry at the event day's own
    close: the Backtest section's heading and verdict, the first screen and result.json say
    so, not only the first screen (an independent review found them bare)."""
    text = STUDY.format(backtest=BASE + '\nentry = "same_close"').replace(
        'type = "threshold"\nseries = "px"\nmode = "change"\nn = 5\nlevel = 0.02\n'
        'direction = "above"',
        'variant = "full"\ntype = "divergence"\na = "px"\nb = "py"\nn = 5\nk = 1.5\n'
        'direction = "above"\nsigma = "full"\n[[variants]]\nname = "trailing"\n'
        'signal = { type = "divergence", a = "px", b = "py", n = 5, k = 1.5, '
        'direction = "above", sigma = "expanding" }',
    )
    result = es.run_study(es.parse_study(text, source="bt.toml"), store=store)
    paths = es.write_outputs(result, tmp_path / "out", figures=False)
    report = paths["markdown"].read_text()
    backtest_section = report[report.index("## Backtest") :]
    assert "**full (look-ahead).**" in backtest_section
    assert "**trailing.**" in backtest_section
    assert backtest_section.count("use full-sample statistics (look-ahead)") == 1
    assert report.count("Optimistic entry: bought at the close of the event day itself") == 4
    record = json.loads(paths["result"].read_text())
    got = {
        r["name"]: (r["look_ahead"], r["optimistic_entry"]) for r in record["backtest"]["results"]
    }
    assert got == {"full": (True, True), "trailing": (False, True)}
