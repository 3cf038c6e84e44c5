"""A level series (a yield, a breadth share) is refused as a forward-return target: its percent
"returns" mean nothing (a yield from 4% to 4.4% is not a +10% return)."""

from __future__ import annotations

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
