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


def fetch(symbol: str, start: str, session: Any) -> Fetched:
    """The first table of a data-library zip, every column, in percent as published; rows
    with a missing code (-99.99, -999) dropped and counted.

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
    except (OSError, ValueError, TypeError, KeyError, zipfile.BadZipFile) as exc:  # no usual zip
        raise DataError(
            f"french:{symbol}: the answer is not a French data-library zip: {exc}"
        ) from exc
    table = tables.get(0) if isinstance(tables, dict) else None
    if table is None or table.empty:
        raise DataError(f"french:{symbol}: the zip holds no table")
    index = table.index
    dates = index.to_timestamp(how="end").normalize() if hasattr(index, "to_timestamp") else index
    frame = table.set_axis(pd.DatetimeIndex(dates), axis=0).astype("float64")
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = frame.isin(_MISSING).any(axis=1)
    frame = frame[~missing]
    if frame.empty:
        raise DataError(f"french:{symbol}: the table has no complete row")
    return Fetched(
        frame,
        int(missing.sum()),
        f"pandas-datareader {pandas_datareader.__version__}",
        "percent (as published)",
    )
