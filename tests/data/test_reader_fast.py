"""The reader's fast paths (Arrow's strict casts of ISO dates and finite numbers) read what the
general path reads, to the same bits, and hand everything else to it.

The reference is the general path itself (``pd.to_datetime`` with ``format="ISO8601"`` and
``pd.to_numeric``, run by disabling the fast paths) and, for numbers, Python's correctly rounded
``float``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import reader
from eventstudy.data.reader import read_table
from eventstudy.exceptions import DataError


def general(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_iso_dates", lambda raw: None)
    monkeypatch.setattr(reader, "_finite_numbers", lambda raw: None)


def text(values: list[str]) -> pd.Series:
    return pd.Series(values, dtype=str)


def test_iso_dates_are_the_general_parsers_dates() -> None:
    rng = np.random.default_rng(7)
    days = np.sort(rng.integers(-106_000, 106_000, 500)).astype("datetime64[D]")  # 1680-2260
    cells = [str(d) for d in days]
    fast = reader._iso_dates(text(cells))
    assert fast is not None
    expected = pd.to_datetime(pd.Series(cells), format="ISO8601")
    np.testing.assert_array_equal(fast.asi8, expected.to_numpy("datetime64[ns]").view("i8"))
    assert fast.dtype == "datetime64[ns]"


@pytest.mark.parametrize(
    "cell",
    [
        "2020-02-30",  # no such day
        "2019-02-29",
        "2020-13-01",
        "2020-1-01",  # not zero-padded
        " 2020-01-02",  # padding: the general path strips it
        "2020-01-02 ",
        "2020/01/02",
        "2020-01",  # a month stamp
        "2020-01-02T00:00",  # a time
        "1677-12-31",  # a year pandas cannot hold in nanoseconds (named by the general path)
        "2262-01-01",
        "",
    ],
)
def test_anything_else_goes_to_the_general_path(cell: str) -> None:
    assert reader._iso_dates(text(["2020-01-01", cell])) is None


def test_the_first_and_last_days_kept() -> None:
    fast = reader._iso_dates(text(["1678-01-01", "2261-12-31"]))
    assert fast is not None and list(fast.strftime("%Y-%m-%d")) == ["1678-01-01", "2261-12-31"]


def test_not_text_goes_to_the_general_path() -> None:
    assert reader._iso_dates(pd.Series([], dtype=str)) is None
    assert reader._iso_dates(pd.Series([1, 2])) is None
    assert reader._iso_dates(pd.Series(["2020-01-01", None], dtype=object)) is None
    assert reader._finite_numbers(pd.Series(["1.5", None], dtype=object)) is None
    assert reader._finite_numbers(pd.Series([object()], dtype=object)) is None


def test_numbers_are_pythons_floats() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(0, 1, 400) * 10.0 ** rng.integers(-300, 300, 400)
    cells = (
        [repr(float(v)) for v in x[:100]]
        + [f"{v:.6f}" for v in x[100:200]]
        + [f"{v:.17e}" for v in x[200:300]]
        + [f"{v:.3E}" for v in x[300:]]
        + ["+1", ".5", "5.", "1e-400", "-0.0", "0", "123456789012345678901234567890"]
    )
    fast = reader._finite_numbers(text(cells))
    assert fast is not None
    expected = np.array([float(c) for c in cells])
    np.testing.assert_array_equal(fast.view("i8"), expected.view("i8"))  # the same bits
    np.testing.assert_array_equal(
        fast.view("i8"), pd.to_numeric(text(cells)).to_numpy("float64").view("i8")
    )


@pytest.mark.parametrize(
    "cells", [["-0", "1"], ["-0", "+0", "7"], ["-0", "1.5"], ["-0.0", "1"], ["-0e0", "2"]]
)
def test_minus_zero_reads_as_the_general_path_reads_it(cells: list[str]) -> None:
    # pd.to_numeric reads a column of integers as int64, where -0 is 0: the float is +0.0;
    # a column with any decimal point or exponent keeps the sign of -0.0
    fast = reader._finite_numbers(text(cells))
    slow = pd.to_numeric(text(cells)).to_numpy("float64")
    assert fast is not None
    np.testing.assert_array_equal(fast.view("i8"), slow.view("i8"))


@pytest.mark.parametrize(
    "cell", [".", "", "nan", "NaN", "inf", "-inf", "1e400", " 1.5", "1.5 ", "1_000", "1,5", "0x10"]
)
def test_a_cell_not_a_finite_number_goes_to_the_general_path(cell: str) -> None:
    assert reader._finite_numbers(text(["1.5", cell])) is None


def test_the_fast_paths_are_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean ISO file never reaches the general parsers (they would be 20 times slower)."""

    def general_parser(*args: object, **kwargs: object) -> None:
        raise AssertionError("the general path ran")

    path = tmp_path / "x.csv"
    path.write_text("date,value\n2020-01-02,1.5\n2020-01-03,2.25\n")
    monkeypatch.setattr(pd, "to_datetime", general_parser)
    monkeypatch.setattr(pd, "to_numeric", general_parser)
    frame = read_table(path).frame
    assert frame["value"].tolist() == [1.5, 2.25]
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2020-01-02", "2020-01-03"]


CASES = [
    "date,value\n2020-01-02,1.5\n2020-01-03,2.25\n",
    "date,value\n2020-01-02,1.5\n2020-01-03,.\n2020-01-06,2\n",  # a holiday marker
    "date,value\n2020-01,1.5\n2020-02,2.25\n",  # month stamps
    "date,value\n 2020-01-02, 1.5\n2020-01-03,2.25\n",  # padding
    "date,value\n2020-01-02T16:00:00,1.5\n2020-01-03T16:00:00,2.25\n",  # times of day
    "date,value\n2020-01-02,1.5\n2020-02-30,2.25\n",  # no such day
    "date,value\n2020-01-02,1.5\n9999-12-31,2.25\n",  # a placeholder year
    "date,value\n2020-01-02,1.5\n2020-01-03,\n",  # an empty cell
    "date,value\n2020-01-02,1.5\n2020-01-03,inf\n",
    "date,value\n2020-01-02,1.5\n2020-01-03,abc\n",
    "date,value\n2020-01-03,1.5\n2020-01-02,2.25\n",  # descending
    "date,value\n2020-01-02,1.5\n2020-01-02,2.25\n",  # repeated
    "date,value\n2020-01-02,-1.5\n2020-01-03,2.25\n",  # a non-positive price
]


@pytest.mark.parametrize("content", CASES)
def test_read_table_is_the_general_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    """The same frame, notes and counts, or the same error, with and without the fast paths."""
    path = tmp_path / "x.csv"
    path.write_text(content)

    def outcome() -> object:
        try:
            table = read_table(path, kind="price")
        except DataError as exc:
            return str(exc)
        return (table.frame, table.dropped, table.notes)

    fast = outcome()
    with monkeypatch.context() as m:
        general(m)
        slow = outcome()
    if isinstance(slow, str):
        assert fast == slow
    else:
        assert not isinstance(fast, str)
        pd.testing.assert_frame_equal(fast[0], slow[0], check_exact=True)  # type: ignore[index]
        assert fast[1:] == slow[1:]  # type: ignore[index]


@pytest.mark.integration
def test_every_snapshot_file_reads_the_same_either_way(
    snapshot_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted(
        p
        for p in snapshot_dir.rglob("*.csv")
        if p.parts[-2] in ("series", "fred", "yahoo", "fama_french")
    )
    assert len(files) > 40  # the panel's long files are read by the panel reader
    for path in files:
        fast = read_table(path, all_columns=True, drop_missing=True)
        with monkeypatch.context() as m:
            general(m)
            slow = read_table(path, all_columns=True, drop_missing=True)
        pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True, obj=str(path))
        assert (fast.dropped, fast.notes) == (slow.dropped, slow.notes)
