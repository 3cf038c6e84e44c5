"""FRED through ``pandas-datareader``'s FRED reader (no API key)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.data.providers._table import Fetched, drop_weekends
from eventstudy.exceptions import DataError

__all__ = ["UNKNOWN", "fetch", "units_of"]

_ANNUAL = (
    "DGS", "DTB", "TB3MS", "TB6MS", "TB1YR", "DFF", "FEDFUNDS", "EFFR", "SOFR", "IORB",
    "DPRIME", "MPRIME", "MORTGAGE", "DFII", "FII", "T5YIE", "T10YIE", "T5YIFR", "DAAA", "DBAA",
    "AAA", "BAA", "DCPF", "DCPN", "OBMMI",
)  # fmt: skip
"""FRED series prefixes quoted in percent a year: yields (nominal and TIPS, which go
negative), policy and money-market rates, mortgage and prime rates, breakeven inflation."""

_SPREADS = ("T10Y2Y", "T10Y3M", "T10YFF", "T5YFF", "BAA10Y", "AAA10Y", "BAML", "UNRATE", "TEDRATE")
"""FRED series prefixes quoted in percent that are not a yield a year: spreads in percentage
points (ICE BofA option-adjusted spreads, term spreads), the unemployment rate."""

_VOLATILITY = ("VIX", "VXN", "VXD", "VXO", "OVX", "GVZ", "EVZ", "RVX")
"""CBOE volatility indexes (``VIXCLS``): index points, read as a level, not a price."""

_INDEXES = ("SP500", "DJIA", "NASDAQCOM", "NASDAQ100", "WILL5000", "RU1000", "RU2000", "RU3000")
"""FRED stock-market indexes (index points, prices)."""

UNKNOWN = "unknown"
"""The units of a FRED series none of the lists know: loaded as a level (never as a price,
whose returns would be percent changes of a rate), shown in points."""


def units_of(symbol: str) -> str:
    """The units of a FRED series, from its symbol.

    ``"percent per annum"`` for yields and rates (as the snapshot's MANIFEST spells them),
    ``"percent"`` for spreads, ``"index points (annualized implied vol, percent)"`` for the
    CBOE volatility indexes, ``"index points"`` for ICE BofA total-return indexes
    (``BAML...TRIV``, prices), else :data:`UNKNOWN`.
    """
    s = symbol.upper()
    if s.startswith("BAML"):
        if s.endswith(("TRIV", "TRI")):
            return "index points"
        return "percent per annum" if s.endswith("EY") else "percent"
    if any(v in s for v in _VOLATILITY) and s.endswith("CLS"):
        return "index points (annualized implied vol, percent)"
    if s.startswith(_INDEXES):
        return "index points"
    if s.startswith(_SPREADS):
        return "percent"
    if s.startswith(_ANNUAL) or re.fullmatch(r"GS\d+M?", s):
        return "percent per annum"
    return UNKNOWN


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
    # the reader reads FRED's "." as missing (NaN); any other text is not a value FRED
    # documents: a quoted "3,257.85" was dropped as if it were a holiday
    values = pd.to_numeric(frame[symbol], errors="coerce")
    bad = values.isna() & frame[symbol].notna()
    if bool(bad.any()):
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"fred:{symbol}: non-numeric value {frame[symbol].iloc[i]!r} on "
            f"{frame.index[i]:%Y-%m-%d} ({int(bad.sum())} such cell(s)); only FRED's '.' means "
            "no value that day; not cached"
        )
    missing = int(values.isna().sum())
    series = values.dropna()
    if series.empty:
        raise DataError(f"fred:{symbol}: FRED returned no observations")
    table, note = drop_weekends(series.to_frame("value"), f"fred:{symbol}")
    units = units_of(symbol)
    return Fetched(
        table,
        missing,
        f"pandas-datareader {pandas_datareader.__version__}",
        units,
        note=note,
    )
