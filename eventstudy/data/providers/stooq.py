"""Stooq's keyless daily CSV (``pandas-datareader`` no longer ships a Stooq reader, so the
CSV is read with ``requests`` and ``pandas.read_csv``)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.data.providers._table import Fetched, daily_closes
from eventstudy.exceptions import DataError

__all__ = ["URL", "YAHOO_INDEXES", "fetch"]

URL = "https://stooq.com/q/d/l/"

YAHOO_INDEXES = {"^GSPC": "^SPX", "^DJI": "^DJI", "^NDX": "^NDX", "^IXIC": "^NDQ"}
"""Yahoo index symbols and Stooq's for the same index (the fallback when Yahoo fails)."""

_COLUMNS = ("Date", "Open", "High", "Low", "Close")


def fetch(symbol: str, start: str, session: Any) -> Fetched:
    """Daily open, high, low, close (and volume when given) of one Stooq symbol.

    References
    ----------
    Stooq, https://stooq.com/q/d/l/?s=^spx&i=d (CSV: Date,Open,High,Low,Close,Volume)
    """
    import requests

    session = session or requests.Session()
    params = {"s": symbol.lower(), "i": "d", "d1": pd.Timestamp(start).strftime("%Y%m%d")}
    params["d2"] = dt.date.today().strftime("%Y%m%d")
    try:
        response = session.get(URL, params=params, timeout=30)
    except requests.RequestException as exc:
        raise DataError(f"stooq:{symbol}: Stooq did not answer ({exc}); fetch later") from exc
    status = getattr(response, "status_code", 200)
    text = response.text if status == 200 else ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    if status != 200:
        raise DataError(f"stooq:{symbol}: Stooq did not answer (HTTP {status}); fetch later")
    if not first:
        raise DataError(f"stooq:{symbol}: Stooq returned no data")
    if "limit" in first.lower():
        raise DataError(f"stooq:{symbol}: Stooq refused ({first}); fetch tomorrow")
    if first.lower().startswith("no data"):
        raise DataError(f"stooq:{symbol}: Stooq has no data for this symbol; check it")
    header = [c.strip() for c in first.split(",")]
    if header[: len(_COLUMNS)] != list(_COLUMNS):
        raise DataError(
            f"stooq:{symbol}: the answer is not Stooq's CSV (first line {first[:80]!r}; "
            f"expected {','.join(_COLUMNS)},Volume)"
        )
    frame = pd.read_csv(io.StringIO(text), index_col="Date", parse_dates=["Date"])
    frame.columns = [c.strip().lower() for c in frame.columns]
    numbers = frame.apply(pd.to_numeric, errors="coerce")
    text = frame.astype(str).apply(lambda c: c.str.strip())
    bad = numbers.isna() & frame.notna() & (text != "")
    if bool(bad.to_numpy().any()):
        i, j = (int(k[0]) for k in np.nonzero(bad.to_numpy()))
        raise DataError(
            f"stooq:{symbol}: non-numeric value {frame.iat[i, j]!r} in column "
            f"{frame.columns[j]!r} on {frame.index[i]:%Y-%m-%d} ({int(bad.to_numpy().sum())} "
            "such cell(s)); not cached"
        )
    frame, dropped, note = daily_closes(numbers, f"stooq:{symbol}", "Stooq")
    units = "index points" if symbol.startswith("^") else "price in the listing currency"
    return Fetched(frame, dropped, f"requests {requests.__version__}", units, note=note)
