"""Property-based tests of the reader (hypothesis): any well-formed table round-trips, and any
single corruption is either rejected with the file, the column and the date (or line) in the
message, or accepted with values identical to the clean file."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.data.reader import read_table
from eventstudy.exceptions import DataError

SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DatetimeIndex, np.ndarray]:
    n = draw(st.integers(min_value=2, max_value=40))
    start = draw(
        st.dates(
            min_value=pd.Timestamp("1950-01-01").date(), max_value=pd.Timestamp("2030-01-01").date()
        )
    )
    gaps = draw(st.lists(st.integers(min_value=1, max_value=5), min_size=n - 1, max_size=n - 1))
    offsets = np.concatenate([[0], np.cumsum(gaps)])
    dates = pd.DatetimeIndex(pd.Timestamp(start) + pd.to_timedelta(offsets, unit="D"))
    values = draw(
        st.lists(
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
            min_size=n,
            max_size=n,
        )
    )
    return dates, np.asarray(values, dtype=float)


def _write(folder: Path, dates: pd.DatetimeIndex, values: np.ndarray, name: str = "t.csv") -> Path:
    lines = ["date,close"] + [
        f"{d:%Y-%m-%d},{float(v)!r}" for d, v in zip(dates, values, strict=True)
    ]
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


@SETTINGS
@given(tables())
def test_well_formed_tables_round_trip(table: tuple[pd.DatetimeIndex, np.ndarray]) -> None:
    dates, values = table
    with tempfile.TemporaryDirectory() as tmp:
        t = read_table(_write(Path(tmp), dates, values), kind="level")
    assert list(t.frame.index) == list(dates)
    np.testing.assert_array_equal(t.frame["close"].to_numpy(), values)  # repr round-trips
    assert t.notes == () and t.dropped == {}


CORRUPTIONS = [
    "inf",
    "overflow",
    "text",
    "empty",
    "duplicate_date",
    "unsorted",
    "duplicate_column",
    "two_stamps",
    "bad_date",
    "close_stamp",
    "padding",
]


@SETTINGS
@given(tables(), st.sampled_from(CORRUPTIONS), st.data())
def test_a_single_corruption_is_named_or_harmless(
    table: tuple[pd.DatetimeIndex, np.ndarray], kind: str, data: st.DataObject
) -> None:
    dates, values = table
    n = len(dates)
    i = data.draw(st.integers(min_value=1, max_value=n - 1), label="row")
    rows = [[f"{d:%Y-%m-%d}", repr(float(v))] for d, v in zip(dates, values, strict=True)]
    header = "date,close"
    when = f"{dates[i]:%Y-%m-%d}"
    expect: str | None  # a fragment the error must name; None: accepted unchanged
    if kind == "inf":
        rows[i][1], expect = "inf", when
    elif kind == "overflow":
        rows[i][1], expect = "1e400", when
    elif kind == "text":
        rows[i][1], expect = "n/a?", when
    elif kind == "empty":
        rows[i][1], expect = "", when
    elif kind == "duplicate_date":
        rows[i][0], expect = rows[i - 1][0], f"{dates[i - 1]:%Y-%m-%d}"
    elif kind == "unsorted":
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
        expect = "not in ascending order"
    elif kind == "duplicate_column":
        header = "date,close,close"
        rows = [[d, v, v] for d, v in rows]
        expect = "duplicate column"
    elif kind == "two_stamps":
        rows = [[f"{d} 16:00", v] for d, v in rows]
        rows[i][0] = f"{rows[i - 1][0][:10]} 10:00"
        expect = f"{dates[i - 1]:%Y-%m-%d}"
    elif kind == "bad_date":
        rows[i][0], expect = "2020-13-45", f"line {i + 2}"
    elif kind == "close_stamp":
        rows = [[f"{d}T16:00:00", v] for d, v in rows]
        expect = None
    else:  # padding around cells
        rows = [[f" {d}", f"{v} "] for d, v in rows]
        expect = None
    text = header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_text(text)
        if expect is None:
            t = read_table(path, kind="level")
            assert list(t.frame.index) == list(dates)
            np.testing.assert_array_equal(t.frame["close"].to_numpy(), values)
            return
        with pytest.raises(DataError) as err:
            read_table(path, kind="level")
    message = str(err.value)
    assert "t.csv" in message
    assert expect in message, (kind, message)
    if kind in ("inf", "overflow", "text", "empty"):
        assert "column 'close'" in message and f"line {i + 2}" in message
    if kind in ("duplicate_date", "unsorted", "two_stamps", "bad_date"):
        assert "column 'date'" in message
