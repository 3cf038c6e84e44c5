"""Yahoo Finance through ``yfinance``; index symbols fall back to Stooq when Yahoo fails."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import pandas as pd

from eventstudy.data.providers._table import Fetched, daily_closes
from eventstudy.exceptions import DataError

__all__ = ["FIELDS", "fetch"]

FIELDS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
}
"""yfinance's price fields and the cache's column names (the snapshot's Yahoo layout)."""

_SUFFIX_ZONES = {
    "T": "Asia/Tokyo", "HK": "Asia/Hong_Kong", "SS": "Asia/Shanghai", "SZ": "Asia/Shanghai",
    "KS": "Asia/Seoul", "KQ": "Asia/Seoul", "TW": "Asia/Taipei", "TWO": "Asia/Taipei",
    "SI": "Asia/Singapore", "NS": "Asia/Kolkata", "BO": "Asia/Kolkata", "AX": "Australia/Sydney",
    "NZ": "Pacific/Auckland", "L": "Europe/London", "IL": "Europe/London", "DE": "Europe/Berlin",
    "F": "Europe/Berlin", "PA": "Europe/Paris", "AS": "Europe/Amsterdam", "BR": "Europe/Brussels",
    "MI": "Europe/Rome", "MC": "Europe/Madrid", "LS": "Europe/Lisbon", "SW": "Europe/Zurich",
    "VI": "Europe/Vienna", "ST": "Europe/Stockholm", "OL": "Europe/Oslo",
    "CO": "Europe/Copenhagen", "HE": "Europe/Helsinki", "IR": "Europe/Dublin",
    "TO": "America/Toronto", "V": "America/Toronto", "SA": "America/Sao_Paulo",
    "MX": "America/Mexico_City", "JO": "Africa/Johannesburg",
}  # fmt: skip
"""Yahoo's exchange suffixes (``7203.T``) and the exchange's time zone."""

_INDEX_ZONES = {
    "^N225": "Asia/Tokyo", "^HSI": "Asia/Hong_Kong", "^FTSE": "Europe/London",
    "^GDAXI": "Europe/Berlin", "^FCHI": "Europe/Paris", "^STOXX50E": "Europe/Berlin",
    "^AXJO": "Australia/Sydney", "^KS11": "Asia/Seoul", "^GSPTSE": "America/Toronto",
    "^BSESN": "Asia/Kolkata", "^NSEI": "Asia/Kolkata", "000001.SS": "Asia/Shanghai",
}  # fmt: skip


def exchange_zone(symbol: str) -> str:
    """The time zone of the exchange of a Yahoo symbol: from its suffix (``7203.T``:
    Asia/Tokyo) or a known non-US index (``^N225``), else America/New_York (US listings
    have no suffix)."""
    s = symbol.upper()
    if s in _INDEX_ZONES:
        return _INDEX_ZONES[s]
    head, dot, suffix = s.rpartition(".")
    if dot and head and suffix in _SUFFIX_ZONES:
        return _SUFFIX_ZONES[suffix]
    return "America/New_York"


class _Collect(logging.Handler):
    """Keeps the messages yfinance logs: ``download`` reports failures (a delisted symbol,
    a rate limit) only there and returns an empty frame."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


def _download(symbol: str, start: str, session: Any) -> tuple[pd.DataFrame | None, list[str]]:
    try:
        import yfinance
    except ImportError as exc:
        raise ImportError(
            "fetching from Yahoo Finance needs yfinance: pip install 'eventstudy[providers]'"
        ) from exc
    logger = logging.getLogger("yfinance")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # yfinance's own deprecation noise (pandas 3)
            frame = _call_download(yfinance, symbol, start, session)
    except Exception as exc:  # yfinance raises its own and its HTTP stack's exceptions
        collect.messages.append(f"{type(exc).__name__}: {exc}")
        frame = None
    finally:
        logger.removeHandler(collect)
    messages = [m for m in collect.messages if m and m != "1 Failed download:"]
    return frame, list(dict.fromkeys(messages))


def _call_download(yfinance: Any, symbol: str, start: str, session: Any) -> pd.DataFrame | None:
    return yfinance.download(
        symbol,
        start=start,
        auto_adjust=False,  # keep Close as traded and Adj Close beside it
        actions=False,
        progress=False,
        threads=False,
        multi_level_index=True,
        session=session,
    )


def _version() -> str:
    import yfinance

    return f"yfinance {yfinance.__version__}"


def fetch(symbol: str, start: str, session: Any) -> Fetched:
    """Daily open, high, low, close, adjusted close and volume of one Yahoo symbol.

    ``download``'s frame has column levels (Price, Ticker); rows without a close are
    dropped and counted.  Indexes (``^RUT``) are in index points; other symbols in their
    listing currency, ``close`` split-adjusted and ``adj_close`` also dividend-adjusted.

    References
    ----------
    yfinance, https://github.com/ranaroussi/yfinance (``yfinance.download``)
    """
    frame, messages = _download(symbol, start, session)
    if frame is None or frame.empty or frame.dropna(how="all").empty:
        why = "; ".join(messages) or "an empty answer"
        low = why.lower()
        if "rate" in low and "limit" in low:
            hint = "Yahoo is rate-limiting this machine; fetch later"
        elif any(w in low for w in ("resolve", "connect", "timed out", "timeout", "network")):
            hint = (
                "no connection to Yahoo; fetch when online, or add the file to the data directory"
            )
        else:
            hint = "check the symbol (indexes start with ^, e.g. yahoo:^RUT)"
        raise DataError(f"yahoo:{symbol}: Yahoo returned no prices ({why}); {hint}")
    columns = frame.columns
    if isinstance(columns, pd.MultiIndex):
        tickers = columns.get_level_values(-1)
        wanted = symbol.upper()
        if wanted not in set(tickers):
            raise DataError(
                f"yahoo:{symbol}: the answer holds tickers {sorted(set(tickers))}, not {wanted}"
            )
        frame = pd.DataFrame(frame.xs(wanted, axis=1, level=-1))
    missing = [f for f in ("Close",) if f not in frame.columns]
    unknown = [str(c) for c in frame.columns if c not in FIELDS]
    if missing or unknown:
        raise DataError(
            f"yahoo:{symbol}: yfinance's frame changed: columns {[str(c) for c in frame.columns]} "
            f"(expected {list(FIELDS)})"
        )
    frame = frame.rename(columns=FIELDS)[[v for k, v in FIELDS.items() if k in frame.columns]]
    frame, dropped, note = daily_closes(
        frame, f"yahoo:{symbol}", "Yahoo", zone=exchange_zone(symbol)
    )
    units = (
        "index points"
        if symbol.startswith("^")
        else "price in the listing currency (close split-adjusted; adj_close also for dividends)"
    )
    return Fetched(frame, dropped, _version(), units, note=note)
