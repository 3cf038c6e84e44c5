"""The outputs' CSV writer gives the bytes pandas' ``to_csv`` gives, and hands pandas what it
cannot write itself (checked against ``DataFrame.to_csv``, the reference)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.report import _csv
from eventstudy.report._csv import write_csv


def pandas_bytes(frame: pd.DataFrame, path: Path) -> bytes:
    frame.to_csv(path, index=False, float_format="%.10g", date_format="%Y-%m-%d")
    return path.read_bytes()


def mixed(n: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, n) * 10.0 ** rng.integers(-12, 12, n)
    x[:6] = [np.nan, np.inf, -np.inf, -0.0, 1e-300, 123456789012.5]
    return pd.DataFrame(
        {
            "date": pd.bdate_range("1999-12-30", periods=n),
            "name": pd.array([f"s{i % 3}" for i in range(n)], dtype="string"),
            "plain": [f"o{i}" for i in range(n)],
            "x": x,
            "f32": x.astype(np.float32),
            "k": np.arange(n, dtype=np.int64) - 7,
            "u": np.arange(n, dtype=np.uint8),
            "flag": np.arange(n) % 2 == 0,
        }
    )


def test_the_same_bytes_as_pandas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = mixed()
    expected = pandas_bytes(frame, tmp_path / "pandas.csv")
    monkeypatch.setattr(pd.DataFrame, "to_csv", _refuse)  # written here, not by pandas
    write_csv(frame, tmp_path / "ours.csv")
    assert (tmp_path / "ours.csv").read_bytes() == expected
    write_csv(frame.iloc[:0], tmp_path / "empty.csv")  # no rows: the header alone
    assert (tmp_path / "empty.csv").read_bytes() == b"date,name,plain,x,f32,k,u,flag\n"


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("pandas wrote it")


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.assign(plain=["a,b", *list(f["plain"][1:])]),  # a separator: quoted
        lambda f: f.assign(plain=['say "x"', *list(f["plain"][1:])]),  # a quote
        lambda f: f.assign(plain=["two\nlines", *list(f["plain"][1:])]),  # a line break
        lambda f: f.assign(plain=["", *list(f["plain"][1:])]),  # an empty string
        lambda f: f.assign(plain=[None, *list(f["plain"][1:])]),  # a missing string
        lambda f: f.assign(plain=[1, *list(f["plain"][1:])]),  # not a string
        lambda f: f.assign(date=[pd.NaT, *list(f["date"][1:])]),  # a missing date
        lambda f: f.assign(date=f["date"].dt.tz_localize("UTC")),  # a time zone
        lambda f: f.assign(k=pd.array([None, *list(f["k"][1:])], dtype="Int64")),  # nullable
        lambda f: f.assign(c=pd.Categorical(f["plain"])),  # a category
        lambda f: f.rename(columns={"x": "x,y"}),  # a column name to quote
        lambda f: f[["x"]],  # one column (pandas quotes an empty field there)
        lambda f: f.set_axis(["x"] * f.shape[1], axis=1),  # repeated names
        lambda f: f.rename(columns={"x": 1 / 3}),  # a float label: pandas formats it
        lambda f: f.rename(columns={"x": None}),  # a missing label: an empty field
        lambda f: f.rename(columns={"x": pd.Timestamp("2020-01-01")}),  # by the date format
    ],
)
def test_what_pandas_must_write_goes_to_pandas(tmp_path: Path, change: object) -> None:
    frame = change(mixed())  # type: ignore[operator]
    expected = pandas_bytes(frame, tmp_path / "pandas.csv")
    write_csv(frame, tmp_path / "ours.csv")
    assert (tmp_path / "ours.csv").read_bytes() == expected


def test_fields_of_the_odd_floats_and_the_dates() -> None:
    """pandas' empty field for NaN, ``inf``, ``-0``; dates by the date format; a column of
    missing dates left to pandas."""
    frame = mixed(6)
    assert _csv._column(frame["x"], "%.10g", "%Y-%m-%d") == [
        "",
        "inf",
        "-inf",
        "-0",
        "1e-300",
        "1.23456789e+11",  # ten significant digits
    ]
    assert _csv._column(frame["x"], "%.3e", "%Y-%m-%d")[5] == "1.235e+11"
    assert _csv._column(frame["date"], "%.10g", "%d/%m/%Y")[:2] == ["30/12/1999", "31/12/1999"]
    assert _csv._column(frame.assign(d=[pd.NaT] * 6)["d"], "%.10g", "%Y-%m-%d") is None


@pytest.mark.parametrize(
    "dates",
    [
        pd.date_range("1969-12-30 09:30", periods=6, freq="7h"),  # times of day, before 1970
        pd.date_range("1677-09-22", periods=6, freq="D"),  # the first years pandas holds
        pd.date_range("2262-04-01", periods=6, freq="D"),  # and the last
        pd.DatetimeIndex(["2020-01-01", "2020-01-01 00:00:00.000001", *["2020-01-02"] * 4]),
    ],
)
def test_dates_with_times_or_at_the_ends_of_the_range(
    tmp_path: Path, dates: pd.DatetimeIndex
) -> None:
    """Dates as pandas writes them by the date format: a time of day (before 1970 too, where
    a day is the floor of a stamp) and a microsecond are cut."""
    frame = mixed(6).assign(date=dates)
    expected = pandas_bytes(frame, tmp_path / "pandas.csv")
    write_csv(frame, tmp_path / "ours.csv")
    assert (tmp_path / "ours.csv").read_bytes() == expected


def test_strings_repeated_or_with_a_quote_late() -> None:
    """A column of repeated names is checked once per distinct name, every one of them: a
    separator in the last row's name still hands the column to pandas."""
    frame = mixed(6)
    assert _csv._column(frame["name"], "%.10g", "%Y-%m-%d") == ["s0", "s1", "s2"] * 2
    late = [*frame["plain"].tolist()[:-1], "a,b"]
    assert _csv._column(pd.Series(late), "%.10g", "%Y-%m-%d") is None
    assert _csv._column(pd.Series(["x", "y", ""]), "%.10g", "%Y-%m-%d") is None
    assert _csv._column(pd.Series(["x", ["y"], "z"], dtype=object), "%.10g", "%Y-%m-%d") is None


def test_the_line_ending_is_pandas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas ends lines with ``os.linesep`` (``\\r\\n`` on Windows), and so does the writer."""
    import os

    monkeypatch.setattr(os, "linesep", "\r\n")
    frame = mixed(8)
    expected = pandas_bytes(frame, tmp_path / "pandas.csv")
    write_csv(frame, tmp_path / "ours.csv")
    assert b"\r\n" in expected and (tmp_path / "ours.csv").read_bytes() == expected
