"""Validation of single files: one test per bad-input case, on synthetic files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import DataStore
from eventstudy.data.reader import read_table
from eventstudy.exceptions import DataError, DataFileNotFoundError, SuspiciousJumpWarning


def write(tmp_path: Path, text: str, name: str = "x.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_float64_on_ascending_datetime_index(tmp_path: Path) -> None:
    p = write(tmp_path, "date,close\n2020-01-02,100\n2020-01-03,101.5\n2020-01-06,99\n")
    t = read_table(p, kind="price")
    assert t.frame["close"].dtype == np.float64
    assert isinstance(t.frame.index, pd.DatetimeIndex)
    assert t.frame.index.is_monotonic_increasing
    assert t.frame["close"].tolist() == [100.0, 101.5, 99.0]
    assert len(t.sha256) == 64


def test_missing_file_lists_available(tmp_path: Path) -> None:
    (tmp_path / "series" / "yahoo").mkdir(parents=True)
    write(tmp_path / "series" / "yahoo", "date,close\n2020-01-02,1\n", "RUT.csv")
    store = DataStore(tmp_path)
    with pytest.raises(
        DataFileNotFoundError, match=r"no data named 'yahoo:SPX'.*available: yahoo:RUT"
    ):
        store.load("yahoo:SPX")


def test_no_date_column(tmp_path: Path) -> None:
    p = write(tmp_path, "day_of,close\n2020-01-02,1\n")
    with pytest.raises(
        DataError, match=r"x.csv: no date column; columns are \['day_of', 'close'\]"
    ):
        read_table(p)


def test_dates_in_a_parquet_index_are_named_with_the_fix(tmp_path: Path) -> None:
    frame = pd.DataFrame({"close": [1.0, 2.0]}, index=pd.date_range("2020-01-02", periods=2))
    p = tmp_path / "x.parquet"
    frame.to_parquet(p)  # the index is kept, as pandas metadata: no date column
    with pytest.raises(DataError, match=r"The dates are the file's index") as err:
        read_table(p)
    frame.rename_axis("date").reset_index().to_parquet(p)  # the fix the message gives
    assert read_table(p).frame["close"].tolist() == [1.0, 2.0]
    with pytest.raises(DataError, match=r"no date column") as err:  # no hint without dates
        read_table(write(tmp_path, "day_of,close\n2020-01-02,1\n"))
    assert "the file's index" not in str(err.value)


def test_ambiguous_value_column(tmp_path: Path) -> None:
    p = write(tmp_path, "date,a,b\n2020-01-02,1,2\n")
    with pytest.raises(DataError, match=r"ambiguous value column: \['a', 'b'\]"):
        read_table(p)


def test_unknown_value_column(tmp_path: Path) -> None:
    p = write(tmp_path, "date,a,b\n2020-01-02,1,2\n")
    with pytest.raises(DataError, match=r"no column 'c'; value columns are \['a', 'b'\]"):
        read_table(p, columns=["c"])


def test_unparsable_date_names_value_and_line(tmp_path: Path) -> None:
    p = write(tmp_path, "date,close\n2020-01-02,1\n2020-13-45,2\n")
    with pytest.raises(DataError, match=r"column 'date': unparsable date '2020-13-45' at line 3"):
        read_table(p)


def test_duplicate_dates(tmp_path: Path) -> None:
    p = write(tmp_path, "date,close\n2020-01-02,1\n2020-01-03,2\n2020-01-03,2\n")
    with pytest.raises(DataError, match=r"duplicate date 2020-01-03"):
        read_table(p)


def test_unsorted_dates(tmp_path: Path) -> None:
    p = write(tmp_path, "date,close\n2020-01-03,1\n2020-01-02,2\n")
    with pytest.raises(
        DataError, match=r"not in ascending order: 2020-01-02 \(line 3\) comes after 2020-01-03"
    ):
        read_table(p)


def test_non_numeric_value(tmp_path: Path) -> None:
    p = write(tmp_path, "date,close\n2020-01-02,1\n2020-01-03,abc\n")
    with pytest.raises(
        DataError, match=r"column 'close': non-numeric value 'abc' on 2020-01-03 \(line 3"
    ):
        read_table(p)


@pytest.mark.parametrize("price", ["0", "-5.5"])
def test_non_positive_price(tmp_path: Path, price: str) -> None:
    p = write(tmp_path, f"date,close\n2020-01-02,1\n2020-01-03,{price}\n")
    with pytest.raises(DataError, match=r"column 'close': non-positive price .* on 2020-01-03"):
        read_table(p, kind="price")


def test_negative_level_allowed_for_rates(tmp_path: Path) -> None:
    p = write(tmp_path, "date,value\n2020-01-02,-0.1\n2020-01-03,0\n")
    assert read_table(p, kind="level").frame["value"].tolist() == [-0.1, 0.0]


@pytest.mark.parametrize("cell", ["", "NaN"])
def test_nan_value_is_an_error(tmp_path: Path, cell: str) -> None:
    p = write(tmp_path, f"date,close\n2020-01-02,1\n2020-01-03,{cell}\n2020-01-06,2\n")
    with pytest.raises(
        DataError, match=r"column 'close': missing value \(empty or NaN\) on 2020-01-03"
    ):
        read_table(p)


def test_holiday_marker_dropped_and_counted(tmp_path: Path) -> None:
    p = write(tmp_path, "date,value\n2020-01-02,1\n2020-01-03,.\n2020-01-06,2\n")
    t = read_table(p)
    assert t.frame["value"].tolist() == [1.0, 2.0]
    assert t.dropped == {"holiday_marker": 1}


def test_empty_series(tmp_path: Path) -> None:
    p = write(tmp_path, "date,value\n2020-01-03,.\n")
    with pytest.raises(DataError, match=r"no observations in column\(s\) \['value'\]"):
        read_table(p)


def test_header_only_file_is_empty(tmp_path: Path) -> None:
    p = write(tmp_path, "date,value\n")
    with pytest.raises(DataError, match="no observations"):
        read_table(p)


def test_suspicious_jump_warns_with_date(tmp_path: Path) -> None:
    p = write(tmp_path, "date,close\n2020-01-02,100\n2020-01-03,160\n2020-01-06,161\n")
    with pytest.warns(SuspiciousJumpWarning, match=r"2020-01-03 \(\+60\.0%\)"):
        t = read_table(p, kind="price")
    assert len(t.frame) == 3  # warned, not dropped


def test_monthly_stamps_map_to_month_end(tmp_path: Path) -> None:
    p = write(tmp_path, "date,mkt_rf\n2020-01,1.5\n2020-02,-2\n")
    t = read_table(p)
    assert list(t.frame.index) == [pd.Timestamp("2020-01-31"), pd.Timestamp("2020-02-29")]


def test_parquet_file_loads(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"Date": pd.to_datetime(["2020-01-02", "2020-01-03"]), "close": [1.0, 2.0]}
    )
    path = tmp_path / "p.parquet"
    frame.to_parquet(path)
    t = read_table(path)
    assert t.frame["close"].tolist() == [1.0, 2.0]


def test_parquet_nan_is_an_error(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"date": pd.to_datetime(["2020-01-02", "2020-01-03"]), "close": [1.0, np.nan]}
    )
    path = tmp_path / "p.parquet"
    frame.to_parquet(path)
    with pytest.raises(DataError, match=r"missing value .* on 2020-01-03"):
        read_table(path)


def test_unsupported_suffix(tmp_path: Path) -> None:
    p = write(tmp_path, "x", name="x.xlsx")
    with pytest.raises(DataError, match="unsupported file type '.xlsx'"):
        read_table(p)


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "1e400", "-1e999"])
def test_non_finite_values_are_rejected_with_date_and_line(tmp_path: Path, cell: str) -> None:
    """An infinite price (or one beyond float range) is an error naming the column, the
    date, the line and the cell, for prices and levels alike."""
    p = write(tmp_path, f"date,close\n2020-01-02,100\n2020-01-03,{cell}\n2020-01-06,99\n")
    for kind in ("price", "level"):
        with pytest.raises(
            DataError,
            match=rf"x.csv: column 'close': non-finite value '{cell}' on 2020-01-03 \(line 3; 1 such cell\)",
        ):
            read_table(p, kind=kind)  # type: ignore[arg-type]
    q = tmp_path / "x.parquet"
    frame = pd.DataFrame(
        {"date": pd.to_datetime(["2020-01-02", "2020-01-03"]), "close": [1.0, np.inf]}
    )
    frame.to_parquet(q)
    with pytest.raises(DataError, match="non-finite value 'inf' on 2020-01-03"):
        read_table(q, kind="level")


def test_duplicate_column_names_are_rejected(tmp_path: Path) -> None:
    """pandas would read the first 'close' and rename the second 'close.1': refuse instead."""
    p = write(tmp_path, "date,close,close\n2020-01-02,100,200\n2020-01-03,101,202\n")
    with pytest.raises(DataError, match=r"x.csv: duplicate column name\(s\) \['close'\]"):
        read_table(p, kind="price")
    q = write(tmp_path, "date, close,volume,close \n2020-01-02,1,5,2\n", "y.csv")
    with pytest.raises(DataError, match=r"duplicate column name\(s\) \['close'\]"):
        read_table(q, columns=["volume"])


def test_time_stamps_within_a_day_are_rejected(tmp_path: Path) -> None:
    """Two rows on one date (an intraday file) would become two observations: rejected,
    naming the date."""
    p = write(
        tmp_path,
        "date,close\n2020-01-02 10:00,100\n2020-01-02 16:00,101\n2020-01-03 16:00,102\n",
    )
    with pytest.raises(
        DataError,
        match=r"column .date.: more than one time stamp on 2020-01-02 \(10:00 at line 2, 16:00 at line 3; 1 such date\)",
    ):
        read_table(p, kind="price")


def test_one_time_stamp_per_date_and_time_zones_are_normalized_and_recorded(
    tmp_path: Path,
) -> None:
    """A close stamped 16:00 (or carrying a time zone) on every date keeps its date; the
    normalization is recorded in the series' notes (which go to result.json)."""
    p = write(
        tmp_path,
        "date,close\n2020-01-02T16:00:00-05:00,100\n2020-01-03T16:00:00-05:00,101\n",
    )
    t = read_table(p, kind="price")
    assert list(t.frame.index) == [pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-03")]
    assert any("time zone" in n for n in t.notes)
    assert any("times of day dropped (2 rows, one per date)" in n for n in t.notes)
    (tmp_path / "series" / "test").mkdir(parents=True)
    write(tmp_path / "series" / "test", p.read_text(), "A.csv")
    info = DataStore(tmp_path).load("test:A").info
    assert any("times of day dropped" in n for n in info.notes)
    plain = read_table(write(tmp_path, "date,close\n2020-01-02,1\n", "z.csv"), kind="price")
    assert plain.notes == ()
    mixed = write(
        tmp_path, "date,close\n2020-01-02T16:00:00-05:00,1\n2020-01-03T16:00:00+01:00,2\n", "m.csv"
    )
    with pytest.raises(DataError, match="m.csv: column 'date'"):
        read_table(mixed, kind="price")


@pytest.mark.parametrize(
    ("row", "got"),
    [
        ("2020-01-03,9.99,101,5", 4),  # a field inserted: close would read 9.99
        ("2020-01-03,101", 2),  # a field missing: volume would be empty, or a shifted value
    ],
)
@pytest.mark.parametrize("quoted", [False, True])
def test_a_row_with_a_field_too_many_or_too_few_names_its_line(
    tmp_path: Path, row: str, got: int, quoted: bool
) -> None:
    """pandas reads only the columns asked for and would shift such a row's values into the
    wrong column without a word (the close of 2020-01-03 read as 9.99). Line 3 of the file."""
    head = '"date",close,volume' if quoted else "date,close,volume"
    p = write(tmp_path, f"{head}\n2020-01-02,100,5\n{row}\n2020-01-06,102,5\n")
    with pytest.raises(DataError, match=rf"x.csv: line 3 has {got} fields, the header 3"):
        read_table(p, kind="price", columns=["close"])


def test_blank_lines_crlf_and_no_final_newline_are_fine(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(b"date,close\r\n2020-01-02,100\r\n\r\n2020-01-03,101")
    assert read_table(p, kind="price").frame["close"].tolist() == [100.0, 101.0]


def test_one_zone_across_summer_time_keeps_its_local_dates(tmp_path: Path) -> None:
    """to_csv of a New York index writes -05:00 in winter and -04:00 in summer: the offsets
    are dropped and the local dates kept (and said); offsets six hours apart are two places."""
    p = write(
        tmp_path,
        "date,close\n2021-03-12 00:00:00-05:00,100\n2021-03-15 00:00:00-04:00,101\n"
        "2021-03-16 00:00:00-04:00,102\n",
    )
    t = read_table(p, kind="price")
    assert [f"{d:%Y-%m-%d}" for d in t.frame.index] == ["2021-03-12", "2021-03-15", "2021-03-16"]
    assert any("time-zone offsets dropped, one zone across summer time" in n for n in t.notes)
    half = write(tmp_path, "date,close\n2021-03-12 00:00:00-05:00,1\n2021-03-15,2\n", "h.csv")
    with pytest.raises(DataError, match="h.csv: column 'date': some dates have a time-zone offset"):
        read_table(half, kind="price")


@pytest.mark.parametrize("cell", ["9999-12-31", "0202-03-06"])
def test_a_date_pandas_cannot_hold_names_its_line(tmp_path: Path, cell: str) -> None:
    p = write(tmp_path, f"date,close\n2020-01-02,100\n{cell},101\n")
    with pytest.raises(
        DataError, match=rf"x.csv: column 'date': date '{cell}' at line 3 is outside"
    ):
        read_table(p, kind="price")


# ---- review of the data layer (2026-12-08): each case loaded wrong data, or said the wrong thing


def test_sha256_is_that_of_the_bytes_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is read once: its sha256 and its values come from the same bytes even when
    the file is replaced while it is read (a ``data update`` during a run).  The old reader
    opened it four times and fingerprinted the new bytes beside the old values."""
    import hashlib

    p = write(tmp_path, "date,close\n2020-01-02,100\n2020-01-03,101\n")
    first = p.read_bytes()
    real = pd.read_csv

    def read_then_replace(*args: object, **kwargs: object) -> pd.DataFrame:
        out = real(*args, **kwargs)  # type: ignore[call-overload]
        p.write_text("date,close\n2020-01-02,200\n2020-01-03,202\n")
        return out  # type: ignore[no-any-return]

    monkeypatch.setattr(pd, "read_csv", read_then_replace)
    t = read_table(p, kind="price")
    assert t.frame["close"].tolist() == [100.0, 101.0]
    assert t.sha256 == hashlib.sha256(first).hexdigest()  # plain hashlib on the bytes parsed


def test_header_names_differing_only_in_case_are_duplicates(tmp_path: Path) -> None:
    """``close`` and ``Close``: the old reader took the later column without a word."""
    p = write(tmp_path, "date,close,Close\n2020-01-02,1,2\n2020-01-03,1,2\n")
    with pytest.raises(DataError, match=r"duplicate column name\(s\) \['Close', 'close'\]"):
        read_table(p, kind="price")


def test_month_and_day_stamps_mixed_are_refused(tmp_path: Path) -> None:
    """pandas reads ``2020-01`` among day stamps as 2020-01-01, while a file of month stamps
    only maps to month ends: the same text got two dates.  Now an error naming both lines."""
    p = write(tmp_path, "date,value\n2020-01,1\n2020-02-15,2\n2020-03,3\n")
    assert pd.to_datetime(["2020-01", "2020-02-15"], format="ISO8601")[0] == pd.Timestamp(
        "2020-01-01"
    )  # what the old reader returned
    with pytest.raises(
        DataError,
        match=r"month stamps and day stamps mixed \('2020-01' at line 2, '2020-02-15' at line 3\)",
    ):
        read_table(p)


def test_utc_stamps_with_a_time_of_day_are_refused(tmp_path: Path) -> None:
    """Tokyo's 2020-01-02 midnight is 2020-01-01T15:00Z; the old reader kept 2020-01-01."""
    stamp = pd.Timestamp("2020-01-02", tz="Asia/Tokyo").tz_convert("UTC")
    assert stamp.isoformat() == "2020-01-01T15:00:00+00:00"  # plain pandas: the day before
    p = write(tmp_path, "date,close\n2020-01-01T15:00:00Z,1\n2020-01-02T15:00:00Z,2\n")
    with pytest.raises(DataError, match=r"time stamps in UTC with a time of day .* at line 2"):
        read_table(p, kind="price")
    # a zone's own offset keeps its local date, UTC midnight stays that date
    local = write(tmp_path, "date,close\n2020-01-02T00:00+09:00,1\n", "local.csv")
    assert read_table(local, kind="price").frame.index[0] == pd.Timestamp("2020-01-02")
    midnight = write(tmp_path, "date,close\n2020-01-02T00:00:00Z,1\n", "mid.csv")
    assert read_table(midnight, kind="price").frame.index[0] == pd.Timestamp("2020-01-02")


def test_parquet_errors_cite_a_row_not_a_line(tmp_path: Path) -> None:
    """A Parquet file has no lines: the old message said ``line 3`` for its second row."""
    p = tmp_path / "x.parquet"
    pd.DataFrame(
        {"date": pd.to_datetime(["2020-01-02", "2020-01-03"]), "close": [1.0, np.nan]}
    ).to_parquet(p, index=False)
    with pytest.raises(DataError, match=r"missing value .* on 2020-01-03 \(row 2; 1 such cell\)"):
        read_table(p, kind="price")


def test_a_fall_at_a_split_ratio_is_flagged(tmp_path: Path) -> None:
    """An unadjusted 2-for-1 split on an up day (100 -> 50.4, -49.6 %) is within the 50 %
    limit and was not flagged; a fall beyond 40 % within 1 % of a split ratio now is."""
    assert round(50.4 / 100 - 1, 3) == -0.496  # plain arithmetic
    p = write(tmp_path, "date,close\n2020-01-02,100\n2020-01-03,50.4\n2020-01-06,51\n")
    with pytest.warns(
        SuspiciousJumpWarning,
        match=r"2020-01-03 \(-49\.6%, a ratio near 1/2\); likely an unadjusted",
    ):
        read_table(p, kind="price")
    # a 47 % fall is not near a split ratio (0.53 is 6 % from 1/2, 5 % from 5/9): no warning
    calm = write(tmp_path, "date,close\n2020-01-02,100\n2020-01-03,53\n", "calm.csv")
    read_table(calm, kind="price")


def test_carriage_return_only_file_is_named(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(b"date,close\r2020-01-02,1\r2020-01-03,2\r")
    with pytest.raises(DataError, match=r"carriage return alone \(an old Mac file\)"):
        read_table(p, kind="price")


@pytest.mark.parametrize("cell", ["1e-400", "-2.5E-330", "0.0000001e-320"])
def test_a_number_below_the_smallest_float_is_refused(tmp_path: Path, cell: str) -> None:
    # it read as 0.0 silently in a level file (a price file refuses 0 as non-positive)
    p = write(tmp_path, f"date,value\n2020-01-02,1.5\n2020-01-03,{cell}\n")
    with pytest.raises(
        DataError,
        match=rf"x.csv: column 'value': value '{cell}' on 2020-01-03 \(line 3; 1 such "
        r"cell\) is too small for a float and would read as 0$",
    ):
        read_table(p, kind="level")


@pytest.mark.parametrize("cell", ["0", "-0", "0.0", "+0.000", ".0", "0e5", "0.00E-12", "00"])
def test_written_zeros_are_zeros(tmp_path: Path, cell: str) -> None:
    p = write(tmp_path, f"date,value\n2020-01-02,1.5\n2020-01-03,{cell}\n")
    assert read_table(p, kind="level").frame["value"].tolist() == [1.5, 0.0]


@pytest.mark.parametrize("blank", ["   \n", " \t \r\n", "\n"])
def test_a_line_of_spaces_is_a_blank_line(tmp_path: Path, blank: str) -> None:
    # pandas skips it; the field count refused it ("line 4 has 1 fields")
    p = write(tmp_path, f"date,close\n2020-01-02,1\n2020-01-03,1.1\n{blank}")
    assert read_table(p, kind="price").frame["close"].tolist() == [1.0, 1.1]
    inside = write(tmp_path, f"date,close\n2020-01-02,1\n{blank}2020-01-03,1.1\n")
    assert read_table(inside, kind="price").frame["close"].tolist() == [1.0, 1.1]
    with pytest.raises(DataError, match="line 3 has 1 fields"):  # a real short line still is
        read_table(write(tmp_path, "date,close\n2020-01-02,1\n 7 \n"), kind="price")
