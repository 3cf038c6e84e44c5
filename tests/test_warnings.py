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
from eventstudy.crosssection import run_cross_section
from eventstudy.data import DataStore, splice_series
from eventstudy.data.providers import fetch_series, update_series
from eventstudy.data.reader import read_table
from eventstudy.exceptions import (
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
