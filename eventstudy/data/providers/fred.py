"""FRED through ``pandas-datareader``'s FRED reader (no API key)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from eventstudy.data.providers._table import Fetched
from eventstudy.exceptions import DataError

__all__ = ["fetch"]

_PERCENT = ("DGS", "DTB", "DFF", "FEDFUNDS", "T10Y", "BAA", "AAA", "UNRATE", "VIX")
"""FRED series prefixes quoted in percent (yields, rates, spreads, VIX points as levels)."""


def fetch(symbol: str, start: str, session: Any) -> Fetched:
    """One FRED series; FRED's "." rows (no value that day) dropped and counted.

    References
    ----------
    FRED graph CSV, https://fred.stlouisfed.org/graph/fredgraph.csv?id=SYMBOL
    """
    try:
        import pandas_datareader
        from pandas_datareader.base import RemoteDataError
        from pandas_datareader.fred import FredReader
    except ImportError as exc:
        raise ImportError(
            "fetching from FRED needs pandas-datareader: pip install 'eventstudy[providers]'"
        ) from exc
    reader = FredReader(symbol, start=start, session=session, retry_count=2, pause=0.0)
    try:
        frame = reader.read()
    except RemoteDataError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        first = str(exc).splitlines()[0]
        raise DataError(
            f"fred:{symbol}: FRED did not answer ({first}); check the symbol, or fetch later"
            + (f" (HTTP {status})" if status else "")
        ) from exc
    except OSError as exc:  # an empty answer
        raise DataError(f"fred:{symbol}: FRED returned no data ({exc})") from exc
    except (ValueError, TypeError) as exc:  # not FRED's CSV (an HTML error page, a new format)
        raise DataError(
            f"fred:{symbol}: the answer is not FRED's CSV (DATE,{symbol}): {exc}"
        ) from exc
    if list(frame.columns) != [symbol] or not isinstance(frame.index, pd.DatetimeIndex):
        raise DataError(
            f"fred:{symbol}: the answer is not FRED's CSV: columns {list(frame.columns)}, "
            f"index {type(frame.index).__name__}"
        )
    values = pd.to_numeric(frame[symbol], errors="coerce")
    missing = int(values.isna().sum())
    series = values.dropna()
    if series.empty:
        raise DataError(f"fred:{symbol}: FRED returned no observations")
    units = "percent" if symbol.upper().startswith(_PERCENT) else ""
    return Fetched(
        series.to_frame("value"),
        missing,
        f"pandas-datareader {pandas_datareader.__version__}",
        units,
    )
