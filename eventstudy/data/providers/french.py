"""Kenneth French's data library through ``pandas-datareader``'s famafrench reader."""

from __future__ import annotations

import zipfile
from typing import Any

import pandas as pd

from eventstudy.data.providers._table import Fetched
from eventstudy.exceptions import DataError

__all__ = ["fetch"]

_MISSING = (-99.99, -999.0)
"""Kenneth French's codes for a missing value."""

_PER = {"D": "day", "B": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year", "A": "year"}
"""A table's period (pandas frequency code, first letter) -> the period of its returns."""


def units_of(index: pd.Index, symbol: str) -> str:
    """The units of a data-library table from the frequency of its dates, spelled as the
    snapshot's MANIFEST spells them (``"percent per day, as published"``): a daily table's
    returns are percent a day, a monthly table's percent a month.

    Raises
    ------
    DataError
        A table whose frequency cannot be told (its units would be a guess).
    """
    code = ""
    freq = getattr(index, "freqstr", None)
    if isinstance(index, pd.PeriodIndex) and freq:
        code = freq
    elif isinstance(index, pd.DatetimeIndex):
        code = "D"
    if code[:1].upper() in ("D", "B"):  # the reader dates weekly tables by day too
        stamps = pd.DatetimeIndex(
            index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index
        )
        gaps = pd.Series(stamps[:200]).diff().dt.days.dropna()
        if not gaps.empty and gaps.median() >= 6:
            code = "W" if gaps.median() <= 8 else ""
    per = _PER.get(code[:1].upper()) if code else None
    if per is None:
        raise DataError(
            f"french:{symbol}: cannot tell the table's frequency (dates "
            f"{index[0]}..{index[-1]}, frequency {freq or code or 'unknown'!r}), so not its "
            "units (percent per day, month or year)"
        )
    return f"percent per {per}, as published"


def fetch(symbol: str, start: str, session: Any) -> Fetched:
    """The first table of a data-library zip, every column, in percent as published (units
    from the table's frequency: ``"percent per day, as published"``, ``"percent per month,
    as published"``, ...).

    A missing code (-99.99, -999) becomes NaN in its own column only (an industry with no
    firms yet leaves the others intact), counted per column in the answer's note; rows
    missing in every column are dropped and counted.

    References
    ----------
    Kenneth R. French, Data Library,
    https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/data_library.html
    """
    try:
        import pandas_datareader
        from pandas_datareader.base import RemoteDataError
        from pandas_datareader.famafrench import FamaFrenchReader
    except ImportError as exc:
        raise ImportError(
            "fetching from the French data library needs pandas-datareader: "
            "pip install 'eventstudy[providers]'"
        ) from exc
    reader = FamaFrenchReader(symbol, start=start, session=session, retry_count=2, pause=0.0)
    try:
        tables = reader.read()
    except RemoteDataError as exc:
        first = str(exc).splitlines()[0]
        raise DataError(
            f"french:{symbol}: the data library did not answer ({first}); check the name"
        ) from exc
    except zipfile.BadZipFile as exc:
        raise DataError(
            f"french:{symbol}: the answer is not a French data-library zip: {exc}"
        ) from exc
    except (OSError, ValueError, TypeError, KeyError) as exc:  # pandas-datareader's parser
        raise DataError(
            f"french:{symbol}: the zip's table could not be read ({type(exc).__name__}: {exc}); "
            "the library's tables have ascending dates and a blank line before the footer, "
            "which pandas-datareader needs"
        ) from exc
    table = tables.get(0) if isinstance(tables, dict) else None
    if table is None or table.empty:
        raise DataError(f"french:{symbol}: the zip holds no table")
    index = table.index
    units = units_of(index, symbol)
    dates = index.to_timestamp(how="end").normalize() if hasattr(index, "to_timestamp") else index
    frame = table.set_axis(pd.DatetimeIndex(dates), axis=0).astype("float64")
    frame.columns = [str(c).strip() for c in frame.columns]
    coded = frame.isin(_MISSING)
    frame = frame.mask(coded)
    empty = frame.isna().all(axis=1)
    frame = frame[~empty]
    if frame.empty:
        raise DataError(f"french:{symbol}: the table has no value (every cell a missing code)")
    per_column = {str(c): int(n) for c, n in frame.isna().sum().items() if n}
    note = (
        "missing codes (-99.99, -999) kept as empty cells, per column: "
        + ", ".join(f"{c} {n}" for c, n in per_column.items())
        + " (dropped when the column is read)"
        if per_column
        else ""
    )
    return Fetched(
        frame,
        int(empty.sum()),
        f"pandas-datareader {pandas_datareader.__version__}",
        units,
        note=note,
    )
