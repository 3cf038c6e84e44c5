"""What a provider returns: one table of values by date, and how it was had."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from eventstudy.exceptions import DataError

__all__ = ["Fetched", "daily_closes", "file_stem"]


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


def daily_closes(frame: pd.DataFrame, name: str, provider: str) -> tuple[pd.DataFrame, int]:
    """A provider's daily price table made strict: dates tz-naive and normalized, ascending,
    one row per date (else an error naming the date), float columns, and the rows without a
    ``close`` dropped and counted.

    Raises
    ------
    DataError
        Two rows on one date, or no close at all.
    """
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    out = frame.set_axis(index.normalize(), axis=0).astype("float64").sort_index()
    if out.index.has_duplicates:
        day = out.index[out.index.duplicated()][0]
        raise DataError(f"{name}: the answer has two rows on {day:%Y-%m-%d}")
    empty = out["close"].isna()
    out = out[~empty]
    if out.empty:
        raise DataError(f"{name}: {provider} returned no closes")
    return out, int(empty.sum())
