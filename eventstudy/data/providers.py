"""Fetch series from data providers into a Parquet cache inside the data directory.

``fetch_series("fred:DGS10", root)`` downloads with the library made for the provider, writes
``<root>/cache/<provider>/<SYMBOL>.parquet`` (``date`` and the value columns) atomically and a row
of ``<root>/cache/MANIFEST.csv`` (provider, symbol, fetched at, first and last date, rows,
rows dropped, sha256, units, library and version).  The store then loads the series like any
snapshot file (``DataStore.load("fred:DGS10")``), with the units from that manifest.

Providers so far:

- ``fred``: FRED through ``pandas-datareader``'s FRED reader (no API key); FRED's "." (no
  value that day) rows are dropped and counted; units from the series' known list, else
  unknown.
- ``french``: Kenneth French's data library through ``pandas-datareader``'s famafrench
  reader; the first table of the zip, every column, in percent as published (declared in
  the manifest, so the series load as levels); rows with the library's missing codes
  (-99.99, -999) are dropped and counted.  Load a column as
  ``french:F-F_Research_Data_Factors_daily[Mkt-RF]``.

Install them with ``pip install 'eventstudy[providers]'``; without the library, or offline, the
error says what to install or fetch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy._atomic import write_bytes_atomic, write_text_atomic
from eventstudy.exceptions import DataError

__all__ = ["CACHE", "FetchRecord", "fetch_missing", "fetch_series"]

CACHE = "cache"
"""Folder of fetched series inside the data directory."""

_FRED_PERCENT = ("DGS", "DTB", "DFF", "FEDFUNDS", "T10Y", "BAA", "AAA", "UNRATE", "VIX")
"""FRED series prefixes quoted in percent (yields, rates, spreads, VIX points as levels)."""


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """What one fetch wrote: the file and its manifest row."""

    path: Path
    row: dict[str, Any]

    def summary(self) -> str:
        r = self.row
        return (
            f"{r['provider']}:{r['symbol']}: {r['rows']} rows {r['first']}..{r['last']} "
            f"({r['dropped']} without a value dropped) -> {self.path}"
        )


def _fred(symbol: str, start: str, session: Any) -> tuple[pd.DataFrame, int, str]:
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
    return series.to_frame("value"), missing, f"pandas-datareader {pandas_datareader.__version__}"


_FRENCH_MISSING = (-99.99, -999.0)
"""Kenneth French's codes for a missing value."""


def _french(symbol: str, start: str, session: Any) -> tuple[pd.DataFrame, int, str]:
    """The first table of a Fama/French data-library zip, in percent as published."""
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
    missing = frame.isin(_FRENCH_MISSING).any(axis=1)
    frame = frame[~missing]
    if frame.empty:
        raise DataError(f"french:{symbol}: the table has no complete row")
    return frame, int(missing.sum()), f"pandas-datareader {pandas_datareader.__version__}"


_PROVIDERS: dict[str, Callable[[str, str, Any], tuple[pd.DataFrame, int, str]]] = {
    "fred": _fred,
    "french": _french,
}


def _units(provider: str, symbol: str) -> str:
    if provider == "fred" and symbol.upper().startswith(_FRED_PERCENT):
        return "percent"
    if provider == "french":
        return "percent (as published)"
    return ""


def fetch_series(
    name: str,
    root: str | Path,
    *,
    start: str = "1900-01-01",
    session: Any = None,
    now: dt.datetime | None = None,
) -> FetchRecord:
    """Fetch ``provider:SYMBOL`` into the cache of the data directory ``root``.

    Parameters
    ----------
    name
        ``"fred:DGS10"``.
    root
        The data directory (created if missing).
    start
        First date asked for.
    session
        A ``requests.Session`` to use (tests pass one that answers offline).
    now
        The fetch time recorded (default: the current UTC time).

    Raises
    ------
    ValueError
        An unknown provider or a malformed name.
    ImportError
        The provider's library is not installed (the message says what to install).
    DataError
        The provider failed (no answer, rate limit, unknown symbol, a changed format).
    """
    provider, sep, symbol = name.partition(":")
    if not sep or not symbol or provider not in _PROVIDERS:
        raise ValueError(
            f"cannot fetch {name!r}: names look like 'fred:DGS10'; providers: {sorted(_PROVIDERS)}"
        )
    table, dropped, library = _PROVIDERS[provider](symbol, start, session)
    folder = Path(root) / CACHE / provider
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{symbol}.parquet"
    frame = table.reset_index(drop=True)
    frame.insert(0, "date", pd.DatetimeIndex(table.index).astype("datetime64[ns]"))
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    data = buffer.getvalue()
    write_bytes_atomic(path, data)
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    row = {
        "path": path.relative_to(Path(root)).as_posix(),
        "provider": provider,
        "symbol": symbol,
        "fetched_at": when.isoformat(timespec="seconds"),
        "first": f"{table.index[0]:%Y-%m-%d}",
        "last": f"{table.index[-1]:%Y-%m-%d}",
        "rows": len(table),
        "dropped": dropped,
        "sha256": hashlib.sha256(data).hexdigest(),
        "units": _units(provider, symbol),
        "library": library,
    }
    _write_manifest_row(Path(root) / CACHE / "MANIFEST.csv", row)
    return FetchRecord(path=path, row=row)


def _write_manifest_row(path: Path, row: dict[str, Any]) -> None:
    old = pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None
    new = pd.DataFrame([{k: str(v) for k, v in row.items()}])
    if old is not None:
        old = old[old["path"] != row["path"]]
        new = pd.concat([old, new], ignore_index=True).sort_values("path")
    write_text_atomic(path, new.to_csv(index=False))


def fetch_missing(data: Any, store: Any, *, session: Any = None) -> list[FetchRecord]:
    """Fetch every series of a ``[data]`` table that the store lacks (``eventstudy run
    --fetch``); the records say what was written.

    Raises
    ------
    DataError
        A missing series no provider can fetch (all of them named, before any download).
    """
    from eventstudy.exceptions import DataFileNotFoundError

    names: list[str] = []
    for spec in data.series:
        for name in (spec.splice or ()) + ((spec.name,) if spec.name else ()):
            try:
                store.resolve(name, cwd=False, folder=spec.folder)
            except DataFileNotFoundError:
                names.append(name.split("[")[0])
    unknown = [n for n in names if n.partition(":")[0] not in _PROVIDERS]
    if unknown:
        raise DataError(
            f"the data directory {store.root} lacks {unknown} and no provider fetches them "
            f"(providers: {sorted(_PROVIDERS)}); add the files to the data directory"
        )
    return [fetch_series(n, store.root, session=session) for n in dict.fromkeys(names)]
