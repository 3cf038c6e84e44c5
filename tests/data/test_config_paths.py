"""A relative file path in a study resolves next to the study file, then in the data
directory, never in the current directory: the same config reads the same files from any
working directory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.api import load_study
from eventstudy.data import DataStore
from eventstudy.data.study_data import load_series


def _csv(path: Path, value: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    dates = pd.bdate_range("2020-01-01", periods=5).strftime("%Y-%m-%d")
    pd.DataFrame({"date": dates, "close": [value] * 5}).to_csv(path, index=False)


def test_paths_resolve_beside_the_study_then_the_data_dir_never_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    studies = tmp_path / "studies"
    elsewhere = tmp_path / "elsewhere"
    _csv(studies / "mine.csv", 1.0)  # beside the study
    _csv(data / "mine.csv", 2.0)  # in the data directory (same relative name)
    _csv(data / "only_data.csv", 3.0)
    _csv(elsewhere / "only_data.csv", 4.0)  # in the working directory: never read
    _csv(elsewhere / "mine.csv", 5.0)
    study = studies / "s.toml"
    study.write_text(
        '[study]\nname = "s"\n[data.series]\na = "mine.csv"\nb = { name = "only_data.csv" }\n'
        '[signal]\ntype = "threshold"\nseries = "a"\nlevel = 0.5\n'
        '[evaluation]\ntargets = [{ series = "a" }]\n'
    )
    store = DataStore(data)
    for cwd in (tmp_path, elsewhere, studies):
        monkeypatch.chdir(cwd)
        cfg = load_study(study)
        specs = {s.alias: s for s in cfg.data.series}
        assert specs["a"].name == "mine.csv"  # the name stays as written
        assert load_series(specs["a"], store)[0].data.iloc[0] == 1.0
        assert load_series(specs["b"], store)[0].data.iloc[0] == 3.0
    # the command line's own paths still mean the current directory
    monkeypatch.chdir(elsewhere)
    assert store.load("mine.csv").data.iloc[0] == 5.0
