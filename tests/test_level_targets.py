"""A level series (a yield, a breadth share) is refused as a forward-return target: its percent
"returns" mean nothing (a yield from 4% to 4.4% is not a +10% return)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.data import DataStore
from eventstudy.exceptions import ConfigError, DataError

STUDY = """
[study]
name = "levels"
[data.series]
px = "test:PX"
yld = {yld}
[signal]
type = "threshold"
series = "yld"
mode = "level"
level = 4.5
direction = "above"
[evaluation]
horizons = {{ "1m" = 21 }}
targets = [{{ series = "{target}" }}]
[inference]
tests = ["hac"]
"""


@pytest.fixture()
def store(tmp_path: Path) -> DataStore:
    folder = tmp_path / "series" / "test"
    folder.mkdir(parents=True)
    dates = pd.bdate_range("2015-01-01", periods=600).strftime("%Y-%m-%d")
    rng = np.random.default_rng(0)
    px = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 600)))
    yld = 4.0 + np.cumsum(rng.normal(0, 0.05, 600))
    pd.DataFrame({"date": dates, "close": px}).to_csv(folder / "PX.csv", index=False)
    pd.DataFrame({"date": dates, "value": yld}).to_csv(folder / "YLD.csv", index=False)
    return DataStore(tmp_path)


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_level_target_is_refused_and_a_price_target_runs(store: DataStore) -> None:
    level = '{ name = "test:YLD", kind = "level" }'
    bad = es.parse_study(STUDY.format(yld=level, target="yld"), source="levels.toml")
    with pytest.raises(
        ConfigError,
        match=r"levels.toml: \[evaluation\] target 'yld': series 'yld' \(test:YLD\) is a level",
    ):
        es.run_study(bad, store=store)
    relative = STUDY.format(yld=level, target="px").replace(
        '{ series = "px" }', '{ series = "px", relative_to = "yld" }'
    )
    with pytest.raises(ConfigError, match="series 'yld'"):
        es.run_study(es.parse_study(relative), store=store)
    ok = es.run_study(es.parse_study(STUDY.format(yld=level, target="px")), store=store)
    assert "px" in ok.variants[0].evaluations
    # declared a price: the user says so, and it runs
    declared = '{ name = "test:YLD", kind = "price" }'
    es.run_study(es.parse_study(STUDY.format(yld=declared, target="yld")), store=store)


@pytest.mark.integration
def test_a_treasury_yield_from_the_manifest_is_a_level(snapshot_dir: Path) -> None:
    """DGS10's manifest units are percent: without a declared kind it is a level, and as a
    target it is refused before any work."""
    text = (
        '[study]\nname = "y"\n[data.series]\ndgs10 = "fred:DGS10"\n[signal]\ntype = "threshold"\n'
        'series = "dgs10"\nmode = "change"\nn = 20\nchange_kind = "difference"\nlevel = 0.5\n'
        'direction = "above"\n[evaluation]\ntargets = [{ series = "dgs10" }]\n'
    )
    with pytest.raises(ConfigError, match="series 'dgs10' \\(fred:DGS10\\) is a level"):
        es.run_study(es.parse_study(text), data_dir=snapshot_dir)


def test_a_sample_shorter_than_the_longest_horizon_is_an_error(store: DataStore) -> None:
    text = STUDY.format(yld='{ name = "test:YLD", kind = "level" }', target="px").replace(
        '{ "1m" = 21 }', '{ "1m" = 21, "3y" = 756 }'
    )
    with pytest.raises(
        DataError,
        match=r"the aligned sample has 600 dates .*shortest series 'px', test:PX, 600 rows\), "
        r"not more than the longest horizon '3y' = 756 trading days",
    ):
        es.run_study(es.parse_study(text), store=store)


def test_a_constant_series_warns(store: DataStore, tmp_path: Path) -> None:
    from eventstudy.exceptions import ConstantSeriesWarning

    folder = tmp_path / "series" / "test"
    dates = pd.bdate_range("2015-01-01", periods=600).strftime("%Y-%m-%d")
    pd.DataFrame({"date": dates, "value": 4.0}).to_csv(folder / "FLAT.csv", index=False)
    text = STUDY.format(yld='{ name = "test:FLAT", kind = "level" }', target="px")
    with pytest.warns(
        ConstantSeriesWarning, match=r"series 'yld' is constant \(4 on all 600 dates"
    ):
        es.run_study(es.parse_study(text), store=store)


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_a_study_without_events_still_writes_its_report(store: DataStore, tmp_path: Path) -> None:
    """No trigger: the recent-events table is empty (with a date column), the report and
    result.json are written."""
    text = STUDY.format(yld='{ name = "test:YLD", kind = "level" }', target="px").replace(
        "level = 4.5", "level = 1000.0"
    )
    res = es.run_study(es.parse_study(text), store=store)
    assert res.variants[0].events.n_events == 0
    recent = res.recent_events()
    assert recent.empty and str(recent["date"].dtype).startswith("datetime64")
    paths = es.write_outputs(res, tmp_path / "out", figures=False)
    assert paths["result"].exists() and "## Recent events" in paths["markdown"].read_text()


def _percent_manifest(root: Path) -> None:
    pd.DataFrame(
        {"path": ["series/test/YLD.csv"], "units": ["percent per annum"], "notes": [""]}
    ).to_csv(root / "MANIFEST.csv", index=False)


LEVEL_TARGET = STUDY.replace(
    'targets = [{{ series = "{target}" }}]',
    'targets = [{{ series = "yld", kind = "level" }}, {{ series = "px" }}]\n'
    '[[claims]]\ntarget = "yld"\nhorizon = "1m"\nvalue = 10.0\ntolerance = 5.0',
).replace("level = 4.5", "level = 3.5")


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_a_declared_level_target_moves_in_basis_points(store: DataStore, tmp_path: Path) -> None:
    """A yield in percent declared ``kind = "level"`` as a target: its forward moves are
    changes in basis points, 100 x (y[t+21] - y[t]) computed here with pandas' shift, and the
    report, claims and result.json say bp."""
    _percent_manifest(store.root)
    store = DataStore(store.root)
    config = es.parse_study(LEVEL_TARGET.format(yld='"test:YLD"', target=""), source="l.toml")
    res = es.run_study(config, store=store)
    y = store.load("test:YLD").data
    expected = (100 * (y.shift(-21) - y)).to_numpy()
    fwd = res.variants[0].forward["yld"]["1m"].to_numpy()
    np.testing.assert_allclose(fwd, expected, rtol=1e-12, atol=1e-9, equal_nan=True)
    ev = res.variants[0].evaluations["yld"]
    assert (ev.units, ev.scale, res.units("px")) == ("bp", 100.0, "return")
    pos = np.asarray(res.variants[0].events.positions)
    complete = expected[pos][np.isfinite(expected[pos])]
    assert ev.horizons["1m"].mean == pytest.approx(complete.mean(), rel=1e-12)
    assert " bp vs baseline " in ev.verdict("1m") and "%" not in ev.verdict("1m").split(";")[0]
    claim = res.claims[0]
    assert claim.units == "bp" and "Claim +10 bp for yld" in claim.sentence()
    assert "(tolerance ±5 bp)" in claim.sentence()
    assert res.verdict_table()["claimed"].tolist() == ["+10 bp"]
    # the path is the change from the event day, in bp (0 at offset 0)
    path = res.variants[0].paths["yld"]
    k = int(np.flatnonzero(np.asarray(path.offsets) == 5)[0])
    moves = 100 * (y.to_numpy()[pos + 5] - y.to_numpy()[pos])
    ok = pos + 5 < y.size
    assert path.mean[k] == pytest.approx(moves[ok].mean(), rel=1e-12)
    recent = res.recent_events(1)
    row = recent[recent["target"] == "yld"].iloc[0]
    p = int(pos[-1])
    assert row["realized"] == pytest.approx(100 * (y.iloc[-1] - y.iloc[p]), rel=1e-12)
    paths = es.write_outputs(res, tmp_path / "out", store=store)
    report = paths["markdown"].read_text()
    assert " bp " in report and "+10 bp" in report
    from eventstudy.timeseries.plots import study_figure_plan
    from tests.test_figure import text_fits

    for name, build in study_figure_plan(res):  # "+150 bp" ticks fit the fixed margins
        fig = build()
        assert text_fits(fig) == [], name
        if name == "series":  # a yield on a linear scale (it may reach zero), the price on log
            scales = {ax.get_title().split()[0]: ax.get_yscale() for ax in fig.axes}
            assert scales == {"yld": "linear", "px": "log"}
    record = json.loads(paths["result"].read_text())
    assert record["targets"]["yld"] == {
        "series": "yld",
        "relative_to": None,
        "kind": "level",
        "units": "bp",
        "return_kind": None,
        "scale": 100.0,
    }


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_the_notebook_and_text_views_show_a_level_target_in_bp(store: DataStore) -> None:
    """Review 2026-12, finding 2.2: display_frame(), the notebook views and
    PathResult.summary() printed a change of -3.0 bp as "-300.00%". Every view now shows the
    numbers of the target's units, checked against 100 x (y[t+h] - y[t]) from pandas."""
    import re

    _percent_manifest(store.root)
    store = DataStore(store.root)
    res = es.run_study(
        es.parse_study(LEVEL_TARGET.format(yld='"test:YLD"', target="")), store=store
    )
    y = store.load("test:YLD").data
    pos = np.asarray(res.variants[0].events.positions)
    move = (100 * (y.shift(-21) - y)).to_numpy()[pos]
    mean_bp = move[np.isfinite(move)].mean()  # independent: pandas on the loaded yield
    ev = res.variants[0].evaluations["yld"]
    row = ev.display_frame().iloc[0]
    assert row["mean"] == f"{mean_bp:+.1f} bp"
    assert row["baseline"].endswith(" bp") and row["excess"].endswith(" bp")
    assert "%" not in ev._repr_html_().split("<table")[1].split("p</th>")[0]
    path = res.variants[0].paths["yld"]
    last = int(path.offsets[-1])
    at = pos + last < y.size
    path_bp = (100 * (y.to_numpy()[pos[at] + last] - y.to_numpy()[pos[at]])).mean()
    assert f"at +{last} mean {path_bp:+.1f} bp [" in path.summary()
    shown = (path.summary() + path._repr_html_()).replace("(95%, events", "")  # band level
    assert not re.search(r"\d%", shown)
    html = res._repr_html_()
    assert f"<td>{mean_bp:+.1f} bp</td>" in html
    # a return target keeps its percent
    px = res.variants[0].evaluations["px"].display_frame()
    assert px["mean"].iloc[0].endswith("%")


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_a_level_without_percent_units_moves_in_points(store: DataStore) -> None:
    res = es.run_study(
        es.parse_study(LEVEL_TARGET.format(yld='"test:YLD"', target="")), store=store
    )
    y = store.load("test:YLD").data
    ev = res.variants[0].evaluations["yld"]
    assert (ev.units, ev.scale) == ("points", 1.0)
    np.testing.assert_allclose(
        res.variants[0].forward["yld"]["1m"].to_numpy(),
        (y.shift(-21) - y).to_numpy(),
        equal_nan=True,
    )
    assert " pt vs baseline " in ev.verdict("1m")


def test_a_level_target_is_not_relative_and_sweeps_refuse_it(store: DataStore) -> None:
    bad = LEVEL_TARGET.format(yld='"test:YLD"', target="").replace(
        '{ series = "yld", kind = "level" }',
        '{ series = "yld", kind = "level", relative_to = "px" }',
    )
    with pytest.raises(ConfigError, match="a level target's moves are changes; it takes no"):
        es.parse_study(bad)
    with pytest.raises(ConfigError, match="kind.*must be one of \\['return', 'level'\\]"):
        es.parse_study(
            LEVEL_TARGET.format(yld='"test:YLD"', target="").replace(
                'kind = "level" }', 'kind = "yield" }'
            )
        )
    sweep = LEVEL_TARGET.format(yld='"test:YLD"', target="") + (
        '\n[sweep]\ngrid = { "signal.level" = [4.4, 4.5] }\n'
    )
    with pytest.raises(ConfigError, match="target 'yld' is a level .*a sweep studies returns"):
        es.run_study(es.parse_study(sweep), store=store)


def test_store_level_units() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / "series" / "t").mkdir(parents=True)
        rows = {
            "A": "percent per annum",
            "B": "basis points",
            "C": "index points (percent)",
            "D": "",
        }
        for name in rows:
            (root / "series" / "t" / f"{name}.csv").write_text("date,value\n2020-01-02,1\n")
        pd.DataFrame(
            {"path": [f"series/t/{n}.csv" for n in rows], "units": list(rows.values())}
        ).to_csv(root / "MANIFEST.csv", index=False)
        store = DataStore(root)
        got = {n: store.level_units(f"t:{n}") for n in rows}
    assert got == {
        "A": ("bp", 100.0),
        "B": ("bp", 1.0),
        "C": ("points", 1.0),
        "D": ("points", 1.0),
    }


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_a_data_end_that_cuts_the_sample_short_is_said(store: DataStore, tmp_path: Path) -> None:
    """``[data] end`` before the series end: the sample ends there and the report says so
    on its first screen and in result.json."""
    text = STUDY.format(yld='{ name = "test:YLD", kind = "level" }', target="px").replace(
        "[signal]", "[data]\nend = 2016-06-30\n[signal]"
    )
    res = es.run_study(es.parse_study(text), store=store)
    last = store.load("test:PX").info.last
    assert res.data.notes == (
        "The study's [data] end = 2016-06-30 ends the sample before the data do "
        f"(px to {last}, yld to {last}): later dates are not used.",
    )
    assert res.data.aligned.frame.index[-1] == pd.Timestamp("2016-06-30")
    paths = es.write_outputs(res, tmp_path / "out", figures=False)
    report = paths["markdown"].read_text()
    assert report.index("**Data.** The study's [data] end") < report.index("**Bottom line.**")
    assert json.loads(paths["result"].read_text())["data_notes"] == list(res.data.notes)
    # without an end, no note
    plain = es.run_study(
        es.parse_study(STUDY.format(yld='{ name = "test:YLD", kind = "level" }', target="px")),
        store=store,
    )
    assert plain.data.notes == ()


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_a_claim_on_a_level_has_a_tolerance_in_its_units(store: DataStore) -> None:
    """A claim without a tolerance gets its target's: 5 bp for a yield in percent, 1 point
    for a level in points, 0.01 for a return (not the return's 0.01 read as "±0 bp")."""
    text = LEVEL_TARGET.replace("tolerance = 5.0", "").format(yld='"test:YLD"', target="")
    text += '[[claims]]\ntarget = "px"\nhorizon = "1m"\nvalue = 0.02\n'
    config = es.parse_study(text, source="l.toml")
    assert [c.tolerance for c in config.claims] == [None, None]
    points = es.run_study(config, store=store)
    assert [c.tolerance for c in points.claims] == [1.0, 0.01]
    assert "(tolerance ±1.0 pt)" in points.claims[0].sentence()
    _percent_manifest(store.root)
    bp = es.run_study(config, store=DataStore(store.root))
    assert [c.tolerance for c in bp.claims] == [5.0, 0.01]
    assert "(tolerance ±5 bp)" in bp.claims[0].sentence()


SIGNAL_UNITS = """
[study]
name = "signal_units"
[data.series]
px = "test:PX"
yld = "test:YLD"
[signal]
variant = "up"
type = "threshold"
series = "yld"
mode = "change"
n = 20
change_kind = "difference"
level = 0.25
direction = "above"
[[variants]]
name = "either_way"
signal = {{ type = "any_of", signals = [
  {{ type = "threshold", series = "yld", mode = "change", n = 20, change_kind = "difference", level = 0.25, direction = "above" }},
  {{ type = "threshold", series = "yld", mode = "change", n = 20, change_kind = "difference", level = -0.25, direction = "below" }},
] }}
[[variants]]
name = "level"
signal = {{ type = "threshold", series = "yld", mode = "level", level = 4.5 }}
[[variants]]
name = "pct"
signal = {{ type = "threshold", series = "yld", mode = "change", change_kind = "pct", level = 0.05 }}
[[variants]]
name = "rank"
signal = {{ type = "threshold", series = "yld", mode = "percentile", level = 0.9 }}
[[variants]]
name = "price"
signal = {{ type = "threshold", series = "px", mode = "change", change_kind = "difference", level = 5 }}
[[variants]]
name = "two_horizons"
signal = {{ type = "any_of", signals = [
  {{ type = "threshold", series = "yld", mode = "change", n = 20, level = 0.25 }},
  {{ type = "threshold", series = "yld", mode = "change", n = 5, level = 0.25 }},
] }}
[[variants]]
name = "two_series"
signal = {{ type = "any_of", signals = [
  {{ type = "threshold", series = "yld", mode = "level", level = 4.5 }},
  {{ type = "threshold", series = "px", mode = "level", level = 120 }},
] }}
[evaluation]
horizons = {{ "1m" = 21 }}
targets = [{{ series = "px" }}]
[inference]
tests = ["hac"]
"""


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
@pytest.mark.parametrize(
    ("units", "expected"),
    [
        (
            "percent per annum",
            {"up": "percentage points", "either_way": "percentage points", "level": "percent"},
        ),
        ("basis points", {"up": "bp", "either_way": "bp", "level": "bp"}),
        ("index points", {}),
        ("", {}),
    ],
)
def test_a_signal_on_a_yield_states_its_units(
    store: DataStore, tmp_path: Path, units: str, expected: dict[str, str]
) -> None:
    """A threshold on a yield in percent, or on its 20-day difference, is in percent or in
    percentage points (0.5 = 50 bp), as the manifest says; a percentage change, a rank, a price
    and an ``any_of`` over two series or two horizons (its value a count) state none. The report, result.json and the signal
    figure say so."""
    pd.DataFrame({"path": ["series/test/YLD.csv"], "units": [units], "notes": [""]}).to_csv(
        store.root / "MANIFEST.csv", index=False
    )
    store = DataStore(store.root)
    res = es.run_study(es.parse_study(SIGNAL_UNITS.format()), store=store)
    got = {v.name: v.signal.units for v in res.variants}
    assert got == {v: expected.get(v, "") for v in got}
    paths = es.write_outputs(res, tmp_path / "out", figures=False)
    record = json.loads(paths["result"].read_text())
    assert {v["name"]: v["units"] for v in record["variants"]} == {v: expected.get(v) for v in got}
    report = paths["markdown"].read_text()
    if units.startswith("percent"):
        assert "crosses above 0.25; the value is in percentage points (0.25 is 25 bp)." in report
        assert "(0.25 is 25 bp, -0.25 is -25 bp)." in report
        assert "crosses above 4.5; the value is in percent." in report
        assert res.variants[0].signal.in_units(0.25) == "0.25 percentage points (25 bp)"
        assert "threshold: 0.25 percentage points (25 bp)" in res.variants[0].signal.summary()
    if not expected:
        assert "the value is in" not in report


@pytest.mark.filterwarnings("ignore::eventstudy.exceptions.EventStudyWarning")
def test_the_signal_figure_labels_its_units(store: DataStore) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from eventstudy.timeseries.plots import plot_signal

    _percent_manifest(store.root)
    res = es.run_study(es.parse_study(SIGNAL_UNITS.format()), store=DataStore(store.root))
    for name, ylabel, legend in [
        ("up", "signal value (percentage points)", "threshold 0.25 percentage points (25 bp)"),
        (
            "either_way",
            "signal value (percentage points)",
            "thresholds 0.25 percentage points (25 bp), -0.25 percentage points (-25 bp)",
        ),
        ("level", "signal value (percent)", "threshold 4.5%"),
        ("pct", "signal value", "threshold 0.05"),
    ]:
        fig = plot_signal(res, variant=name)
        ax = fig.axes[0]
        assert ax.get_ylabel() == ylabel
        assert legend in [t.get_text() for t in ax.get_legend().get_texts()]
        plt.close(fig)


def test_units_must_be_text() -> None:
    from eventstudy.signals import SignalResult

    s = pd.Series([1.0, 2.0], index=pd.bdate_range("2020-01-01", periods=2))
    t = pd.Series([False, True], index=s.index)
    with pytest.raises(TypeError, match="units must be a string, got int"):
        SignalResult(s, t, 1.5, False, "x", units=5)  # type: ignore[arg-type]
    plain = SignalResult(s, t, 1.5, False, "x")
    assert plain.units == "" and plain.in_units(1.5) == "1.5"
    assert SignalResult(s, t, 1.5, False, "x", units="bp").in_units(12) == "12 bp"
