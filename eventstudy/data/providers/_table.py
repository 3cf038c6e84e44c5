"""What a provider returns: one table of values by date, and how it was had."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from eventstudy.data.reader import UTC_NAMES
from eventstudy.exceptions import DataError

__all__ = ["Fetched", "daily_closes", "drop_weekends", "exchange_dates", "file_stem"]


@dataclass(frozen=True, slots=True)
class Fetched:
    """One provider answer.

    Attributes
    ----------
    frame
        Values by date (a sorted, unique, tz-naive ``DatetimeIndex``), float columns.
    dropped
        Rows the answer held without a value (counted, never silently lost).
    library
        The library and version that fetched it, e.g. ``"yfinance 1.7.0"``.
    units
        The units of the values, as the provider publishes them (``""`` when unknown).
    source
        Provider and symbol actually fetched when that differs from the name asked for
        (a fallback), else ``""``.
    note
        What a reader of the data should know about this answer (e.g. why a fallback
        stands in), else ``""``.
    """

    frame: pd.DataFrame
    dropped: int
    library: str
    units: str
    source: str = ""
    note: str = ""

    def with_note(self, note: str) -> Fetched:
        """The same answer with ``note``."""
        return replace(self, note=note)


def file_stem(symbol: str) -> str:
    """The cache file's stem for a symbol: carets dropped (``^RUT`` -> ``RUT``), as in the
    snapshot's file names, and path separators refused.

    Raises
    ------
    ValueError
        A symbol that would not name one file.
    """
    stem = symbol.replace("^", "").strip()
    if not stem or any(c in stem for c in '/\\:*?"<>|') or stem in (".", ".."):
        raise ValueError(f"symbol {symbol!r} does not name a file")
    return stem


def exchange_dates(
    index: pd.DatetimeIndex, name: str, zone: str | None = None
) -> tuple[pd.DatetimeIndex, str]:
    """The exchange's local dates of a provider's daily stamps, and a note ("" when none).

    A zone-aware index in the exchange's zone keeps its local dates.  An index in UTC is
    converted to ``zone`` (the exchange's) first: Tokyo's midnight is 15:00 UTC of the day
    before, so the UTC date would shift every row back a day.  After that conversion every
    stamp must be a midnight, else the exchange's date cannot be told: an error.

    Raises
    ------
    DataError
        UTC stamps with no ``zone`` to convert them to, or not at the exchange's midnight.
    """
    note = ""
    if index.tz is not None:
        if str(index.tz).upper() in UTC_NAMES:
            if zone is None:
                raise DataError(
                    f"{name}: the answer is stamped in UTC and the exchange's time zone is not "
                    "known: its local dates cannot be told"
                )
            local = index.tz_convert(zone)
            off = local != local.normalize()
            if bool(off.any()):
                i = int(np.flatnonzero(off)[0])
                raise DataError(
                    f"{name}: the answer is stamped in UTC ({index[i].isoformat()}), which is "
                    f"not a midnight in the exchange's zone {zone}: its local dates cannot be "
                    "told; not cached"
                )
            note = f"time stamps in UTC converted to the exchange's zone {zone} (local dates)"
            index = local
        index = index.tz_localize(None)
    return pd.DatetimeIndex(index).normalize(), note


def drop_weekends(
    frame: pd.DataFrame, name: str, *, seven_days: bool = False
) -> tuple[pd.DataFrame, str]:
    """``frame`` without Saturday and Sunday rows, and a note counting and naming them.

    No exchange of a daily stock, index or yield series trades on a weekend: such a row is a
    provider's carry-forward or a date shifted by a time zone.  A market open every day
    (``seven_days``, a crypto pair) and a series whose dates are months or weeks apart
    (FRED's monthly series are dated the 1st, a Saturday at times) keep theirs.
    """
    index = pd.DatetimeIndex(frame.index)
    if seven_days or len(index) < 2:
        return frame, ""
    if float(np.median(np.diff(index.as_unit("ns").asi8))) > 4 * 86_400e9:  # not daily
        return frame, ""
    weekend = index.day_of_week >= 5
    n = int(weekend.sum())
    if not n:
        return frame, ""
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in index[weekend][:3]) + (", ..." if n > 3 else "")
    return frame[~weekend], f"{n} weekend-dated row(s) dropped ({shown})"


def daily_closes(
    frame: pd.DataFrame, name: str, provider: str, *, zone: str | None = None
) -> tuple[pd.DataFrame, int, str]:
    """A provider's daily price table made strict: the exchange's local dates (a UTC index
    converted to ``zone`` first, :func:`exchange_dates`), ascending, one row per date (else
    an error naming the date), float columns, weekend rows dropped (:func:`drop_weekends`;
    not for a crypto pair, ``BTC-USD``), and the rows without a ``close`` dropped and
    counted.

    Returns
    -------
    frame, dropped, note
        The table, the rows without a close, and what was done to the dates ("" when
        nothing).

    Raises
    ------
    DataError
        Two rows on one date, no close at all, or stamps whose local date cannot be told.
    """
    index, note = exchange_dates(pd.DatetimeIndex(frame.index), name, zone)
    out = frame.set_axis(index, axis=0).astype("float64").sort_index()
    if out.index.has_duplicates:
        day = out.index[out.index.duplicated()][0]
        raise DataError(f"{name}: the answer has two rows on {day:%Y-%m-%d}")
    crypto = bool(re.search(r"-(USD|EUR|GBP|USDT|BTC|ETH)$", name.upper()))
    out, weekend = drop_weekends(out, name, seven_days=crypto)
    empty = out["close"].isna()
    out = out[~empty]
    if out.empty:
        raise DataError(f"{name}: {provider} returned no closes")
    return out, int(empty.sum()), "; ".join(n for n in (note, weekend) if n)
