"""Every warning of the library points at the caller's line (``eventstudy._warnings``).

Each test calls a public function from this file and checks that the recorded warning's
``filename`` is this file and its ``lineno`` the line of the call: whatever the depth of the
library below it, whether the warning was collected and issued again by a study, and whether
a forked copy of the process raised it.
"""

from __future__ import annotations

import importlib
import inspect
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy._warnings import find_stack_level
from eventstudy.conftest import EXAMPLE_STUDY, write_example_data
from eventstudy.crosssection import run_cross_section
from eventstudy.data import DataStore, splice_series
from eventstudy.data.providers import fetch_series, update_series
from eventstudy.data.reader import read_table
from eventstudy.exceptions import (
    ConstantSeriesWarning,
    DataCoverageWarning,
    DataRevisionWarning,
    DroppedEventsWarning,
    EventStudyWarning,
    IncompleteHorizonWarning,
    SpliceAgreementWarning,
    SuspiciousJumpWarning,
)
from tests.data.test_providers import NOW, FakeSession

PACKAGE = Path(es.__file__).parent

# --------------------------------------------------------------------------- the helper

# Functions compiled as if their file were in the package: frames of the library, as the
# helper sees them, without a module of test code inside eventstudy/.
LIBRARY_SOURCE = """
def inner(probe):
    return probe()

def outer(probe):
    return inner(probe)

def warn_deep():
    warnings.warn("deep", EventStudyWarning, stacklevel=find_stack_level())

def warn_nested():
    return outer(warn_deep)
"""


@pytest.fixture(scope="module")
def library() -> dict[str, Any]:
    namespace: dict[str, Any] = {
        "warnings": warnings,
        "EventStudyWarning": EventStudyWarning,
        "find_stack_level": find_stack_level,
    }
    exec(compile(LIBRARY_SOURCE, str(PACKAGE / "_nested_frames.py"), "exec"), namespace)
    return namespace


def _line() -> int:
    """The line two below the caller's: the call in the ``with pytest.warns(...)`` block that
    follows ``line = _line()``, where the warnings raised by that call must point."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno + 2


def _at_this_file(record: Any, line: int | None = None) -> None:
    """Every recorded warning points at this file (and at ``line`` when given)."""
    assert len(record) >= 1
    for w in record:
        assert w.filename == __file__, f"{w.category.__name__} at {w.filename}: {w.message}"
        if line is not None:
            assert w.lineno == line, str(w.message)


def test_called_from_outside_the_package_the_level_is_the_callers() -> None:
    assert find_stack_level() == 1


def test_nested_library_frames_resolve_to_the_first_frame_outside(
    library: dict[str, Any],
) -> None:
    # find_stack_level is called from `inner` (level 1), below `outer` (2), below this test (3)
    assert library["outer"](find_stack_level) == 3
    line = _line()
    with pytest.warns(EventStudyWarning, match="deep") as record:
        library["warn_nested"]()
    _at_this_file(record, line)


def test_a_user_callback_between_library_frames_is_the_users_line(
    library: dict[str, Any],
) -> None:
    """A signal or callback of the user's that calls into the library again: the warning
    points at the user's code that made the call, the first frame outside."""

    def callback() -> None:
        library["warn_deep"]()  # the line the warning must point at

    line = inspect.getsourcelines(callback)[1] + 1
    with pytest.warns(EventStudyWarning, match="deep") as record:
        library["outer"](callback)
    _at_this_file(record, line)


# --------------------------------------------------------------------------- building blocks


def _prices(n: int = 300, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    values = 100 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, n)))
    return pd.Series(values, index=pd.bdate_range("2020-01-01", periods=n), name="p")


def test_backtest_events_outside_the_data() -> None:
    px = _prices()
    line = _line()
    with pytest.warns(DroppedEventsWarning, match="fall outside") as record:
        es.backtest(px, ["1990-01-02", px.index[10]], hold=5, placebo_draws=0)
    _at_this_file(record, line)
    # once imported, the name eventstudy.backtest may hold the package, called as the function
    package = importlib.import_module("eventstudy.backtest")
    line = _line()
    with pytest.warns(DroppedEventsWarning, match="fall outside") as record:
        package(px, ["1990-01-02", px.index[10]], hold=5, placebo_draws=0)  # type: ignore[operator]
    _at_this_file(record, line)


def test_relative_forward_returns_dates_not_common() -> None:
    a, b = _prices(seed=1), _prices(seed=2).iloc[5:]
    line = _line()
    with pytest.warns(DataCoverageWarning, match="not common to a and b") as record:
        es.relative_forward_returns(a, b, {"1w": 5})
    _at_this_file(record, line)


def test_evaluate_events_outside_the_sample_and_incomplete_horizons() -> None:
    fwd = es.forward_returns(_prices(), {"1m": 21})
    events = [5, 100, 200, 290]  # 5 before the sample, 290 too recent for a month
    line = _line()
    with pytest.warns(EventStudyWarning) as record:
        es.evaluate(fwd, events, target_name="p", sample=("2020-02-01", None), tests=["hac"])
    assert {w.category for w in record} == {DroppedEventsWarning, IncompleteHorizonWarning}
    _at_this_file(record, line)


def test_cross_section_dropped_events_and_a_hole_in_the_market() -> None:
    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2015-01-01", periods=300)
    market = pd.Series(rng.normal(0.0003, 0.01, dates.size), index=dates)
    returns = pd.DataFrame(
        {t: 0.9 * market + rng.normal(0, 0.01, dates.size) for t in ("AA", "BB", "CC")}
    )
    returns.iloc[:200, 0] = np.nan  # AA lists late: too short an estimation window
    market.iloc[281] = np.nan  # inside the event windows of the others
    events = pd.DataFrame({"ticker": ["AA", "BB", "CC"], "date": [dates[280]] * 3})
    line = _line()
    with pytest.warns(EventStudyWarning) as record:
        run_cross_section(returns, market, events, min_estimation=100)
    assert {w.category for w in record} == {DroppedEventsWarning, DataCoverageWarning}
    _at_this_file(record, line)


# --------------------------------------------------------------------------- data loading


def _write_series(root: Path, name: str, values: list[float], start: str = "2020-01-02") -> None:
    folder = root / "series" / "test"
    folder.mkdir(parents=True, exist_ok=True)
    dates = pd.bdate_range(start, periods=len(values)).strftime("%Y-%m-%d")
    pd.DataFrame({"date": dates, "close": values}).to_csv(folder / f"{name}.csv", index=False)


def test_loading_a_daily_move_beyond_50_percent(tmp_path: Path) -> None:
    _write_series(tmp_path, "J", [100.0, 160.0, 161.0])
    line = _line()
    with pytest.warns(SuspiciousJumpWarning, match=r"\+60\.0%") as record:
        DataStore(tmp_path).load("test:J")
    _at_this_file(record, line)
    line = _line()
    with pytest.warns(SuspiciousJumpWarning, match=r"\+60\.0%") as record:
        read_table(tmp_path / "series" / "test" / "J.csv", kind="price")
    _at_this_file(record, line)


def test_splicing_sources_that_disagree(tmp_path: Path) -> None:
    _write_series(tmp_path, "EARLY", [1.0, 1.1, 1.0, 1.1, 1.0, 1.1, 1.0])
    _write_series(tmp_path, "LATE", [1.0, 1.01, 1.03, 1.02, 1.05, 1.04, 1.0], start="2020-01-03")
    store = DataStore(tmp_path)
    line = _line()
    with pytest.warns(SpliceAgreementWarning, match="correlate at") as record:
        store.splice("test:EARLY", "test:LATE")
    _at_this_file(record, line)
    early, late = store.load("test:EARLY"), store.load("test:LATE")
    line = _line()
    with pytest.warns(SpliceAgreementWarning, match="correlate at") as record:
        splice_series(early, late)
    _at_this_file(record, line)


FRED = "observation_date,DGS10\n2020-01-02,1.88\n2020-01-03,1.80\n2020-01-06,1.81\n"


def test_a_file_changed_after_its_manifest_row(tmp_path: Path) -> None:
    fetch_series("fred:DGS10", tmp_path, session=FakeSession(FRED), now=NOW)
    parquet = tmp_path / "cache" / "fred" / "DGS10.parquet"
    frame = pd.read_parquet(parquet)
    frame["value"] = frame["value"] + 1.0
    frame.to_parquet(parquet, index=False)
    line = _line()
    with pytest.warns(DataRevisionWarning, match="differs from the manifest's") as record:
        DataStore(tmp_path).load("fred:DGS10")
    _at_this_file(record, line)
    # one level deeper: loaded by DataStore.splice (two sources that agree)
    _write_series(tmp_path, "OLD", [1.0, 1.1, 1.21, 1.1, 1.2])
    _write_series(tmp_path, "NEW", [2.2, 2.42, 2.2, 2.4], start="2020-01-03")
    (tmp_path / "MANIFEST.csv").write_text(f"path,sha256\nseries/test/OLD.csv,{'0' * 64}\n")
    line = _line()
    with pytest.warns(DataRevisionWarning, match="OLD.csv: sha256") as record:
        DataStore(tmp_path).splice("test:OLD", "test:NEW")
    _at_this_file(record, line)


def test_an_update_that_revises_or_lacks_cached_values(tmp_path: Path) -> None:
    fetch_series("fred:DGS10", tmp_path, session=FakeSession(FRED), now=NOW)
    revised = FRED.replace("1.80", "1.70") + "2020-01-07,1.82\n"
    said = r"1 value\(s\) on the 3 overlapping dates"
    line = _line()
    with pytest.warns(DataRevisionWarning, match=said) as record:
        update_series("fred:DGS10", tmp_path, session=FakeSession(revised))
    _at_this_file(record, line)
    lacking = revised.replace("2020-01-03,1.70\n", "") + "2020-01-08,1.83\n"
    line = _line()
    with pytest.warns(DataRevisionWarning, match=r"lacks 1 cached date\(s\)") as record:
        update_series("fred:DGS10", tmp_path, session=FakeSession(lacking))
    _at_this_file(record, line)


# --------------------------------------------------------------------------- studies


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example data, with a constant series whose manifest row has another sha256, a
    series with a 60% jump, and B without two months of 2011 (a hole in the aligned dates)."""
    root = write_example_data(tmp_path_factory.mktemp("warnings") / "data")
    b = pd.read_csv(root / "series" / "test" / "B.csv")
    b[~b["date"].str.startswith(("2011-03", "2011-04"))].to_csv(
        root / "series" / "test" / "BHOLE.csv", index=False
    )
    dates = pd.to_datetime(b["date"])
    _write_series(root, "C", [5.0] * len(dates), start=f"{dates.iloc[0]:%Y-%m-%d}")
    jumps = np.full(len(dates), 100.0)
    jumps[300:] = 160.0
    _write_series(root, "J", list(jumps), start=f"{dates.iloc[0]:%Y-%m-%d}")
    (root / "MANIFEST.csv").write_text(f"path,sha256\nseries/test/C.csv,{'0' * 64}\n")
    return root


STUDY = (
    EXAMPLE_STUDY.replace('b = "test:B"', 'b = "test:BHOLE"\nc = "test:C"\nj = "test:J"')
    .replace("[events]\n", "[events]\nstart = 2009-01-01\n")  # before the data
    .replace('horizons = { "1m" = 21 }', 'horizons = { "1m" = 21, "1y" = 252 }')  # 400 + 252
    + '\n[[variants]]\nname = "low"\nsignal = { level = 0.01 }\n'  # 2 incomplete events, not 1
)


def _categories(record: Any) -> set[type[Warning]]:
    return {w.category for w in record}


@pytest.mark.parametrize("workers", [1, 2])
def test_run_study_checks_data_and_variants(
    data_dir: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data checks, the sample checks and each variant's evaluation (the second variant
    in a forked copy with two workers) warn at the line of ``es.run_study``."""
    import eventstudy._fork

    monkeypatch.setattr(eventstudy._fork, "fork_is_safe", lambda: True)
    config = es.parse_study(STUDY, source="warned.toml")
    line = _line()
    with pytest.warns(EventStudyWarning) as record:
        result = es.run_study(config, data_dir=data_dir, workers=workers)
    assert _categories(record) == {
        SuspiciousJumpWarning,  # loading test:J
        DataRevisionWarning,  # loading test:C
        ConstantSeriesWarning,  # test:C in the sample
        DataCoverageWarning,  # the hole in test:BHOLE; [events] start before the data
        IncompleteHorizonWarning,  # each variant's 1y horizon
    }
    assert len([w for w in record if w.category is DataCoverageWarning]) == 2
    incomplete = sorted(str(w.message) for w in record if w.category is IncompleteHorizonWarning)
    assert incomplete == [  # the second from the forked copy when there are two workers
        "a 1y: 1 event(s) with an incomplete 252-day horizon were excluded",
        "a 1y: 2 event(s) with an incomplete 252-day horizon were excluded",
    ]
    assert {str(w.message) for w in record} == set(result.warnings)
    _at_this_file(record, line)


def test_run_study_of_a_sweep(data_dir: Path) -> None:
    sweep = (
        EXAMPLE_STUDY.replace('horizons = { "1m" = 21 }', 'horizons = { "1m" = 21, "1y" = 252 }')
        + '[sweep]\ntests = ["hac"]\nshifts = 100\n[sweep.grid]\n"signal.level" = [0.03, 0.04]\n'
    )
    line = _line()
    with pytest.warns(IncompleteHorizonWarning, match="specifications have events") as record:
        es.run_study(es.parse_study(sweep), data_dir=data_dir, workers=1)
    _at_this_file(record, line)


@pytest.fixture(scope="module")
def panel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A market index and a panel of three stocks, one listed too late for its estimation."""
    rng = np.random.default_rng(9)
    root = tmp_path_factory.mktemp("panel") / "data"
    dates = pd.bdate_range("2010-01-04", periods=200)
    mret = rng.normal(0.0003, 0.01, dates.size)
    _write_series(root, "MKT", list(100 * np.cumprod(1 + mret)), start="2010-01-04")
    rows = []
    for ticker in ("AA", "BB", "EE"):
        px = 20 * np.cumprod(1 + 0.9 * mret + rng.normal(0, 0.01, dates.size))
        start = 100 if ticker == "EE" else 0
        days = dates[start:].strftime("%Y-%m-%d")
        rows += [(d, ticker, p) for d, p in zip(days, px[start:], strict=True)]
    (root / "panel").mkdir()
    panel = pd.DataFrame(rows, columns=["date", "ticker", "close"])
    panel.sort_values(["date", "ticker"]).to_csv(root / "panel" / "p.csv", index=False)
    return root


CROSS_SECTION = """
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
"""


def test_run_study_of_a_cross_section(panel_dir: Path) -> None:
    line = _line()
    with pytest.warns(DroppedEventsWarning, match="dropped 1 of 3 events") as record:
        es.run_study(es.parse_study(CROSS_SECTION), data_dir=panel_dir)
    _at_this_file(record, line)


# --------------------------------------------------------------------------- the command line


def test_the_command_line_prints_each_warning_once_without_a_location(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventstudy.cli import main

    study = tmp_path / "warned.toml"
    study.write_text(STUDY)
    argv = ["run", str(study), "--data-dir", str(data_dir), "--out", str(tmp_path / "out")]
    assert main([*argv, "--no-figures", "--quiet", "--workers", "1"]) == 0
    err = capsys.readouterr().err.splitlines()
    said = [line for line in err if line.startswith("warning (")]
    # the changed file, the jump, the constant series, the hole, the early start, two horizons
    assert len(said) == len(set(said)) == 7
    assert all(__file__ not in line and "eventstudy/" not in line for line in err)
