"""Fetch series from data providers into a Parquet cache inside the data directory.

``fetch_series("fred:DGS10", root)`` downloads with the library made for the provider, writes
``<root>/cache/<provider>/<SYMBOL>.parquet`` (``date`` and the value columns; carets dropped
from the file name, ``yahoo:^RUT`` -> ``RUT.parquet``) atomically and a row of
``<root>/cache/MANIFEST.csv``, the two in one step under a lock (``cache/.MANIFEST.lock``,
so parallel fetches lose no row; a manifest that cannot be read stops the fetch before the
parquet is replaced) (name, provider, symbol, fetched at, first and last date, rows,
rows dropped, sha256, units, library and version, notes).  The store then loads the series
like any snapshot file (``DataStore.load("fred:DGS10")``), with the units from that manifest.
``update_series`` re-fetches the last weeks of a cached FRED or Stooq series, checks the
overlap against the cache (a :class:`~eventstudy.exceptions.DataRevisionWarning` says what
changed and by how much) and appends what is new; a Yahoo or French series, whose whole
history the provider revises (dividend and split adjustment, each release's new factors), is
re-fetched in full, checked on every shared date, and replaced.

Providers:

- ``yahoo``: Yahoo Finance through ``yfinance`` (open, high, low, close, adj_close, volume;
  indexes such as ``^RUT`` in index points).  When Yahoo fails for an index Stooq also
  carries (``^GSPC``, ``^DJI``, ``^NDX``, ``^IXIC``), Stooq's series stands in and the
  manifest says so.
- ``fred``: FRED through ``pandas-datareader``'s FRED reader (no API key); FRED's "." (no
  value that day) rows are dropped and counted; units from the symbol
  (:func:`~eventstudy.data.providers.fred.units_of`): yields and rates "percent per annum",
  spreads "percent", volatility indexes "index points", else "unknown" (loaded as a level,
  never as a price).
- ``french``: Kenneth French's data library through ``pandas-datareader``'s famafrench
  reader; the first table of the zip, every column, in percent as published, with the
  table's period in the units ("percent per day, as published", as the snapshot's
  MANIFEST spells them), so the series load as levels and a daily RF serves as a
  backtest's cash; a missing code (-99.99, -999) empties its own cell only (counted per
  column in the manifest's notes; the rows without a value are dropped and counted when
  that column is read).  Load a column as
  ``french:F-F_Research_Data_Factors_daily[Mkt-RF]``.
- ``stooq``: Stooq's keyless daily CSV (``stooq:^SPX``).

Install them with ``pip install 'eventstudy[providers]'``; without the library, or offline, the
error says what to install or fetch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._atomic import write_bytes_atomic, write_text_atomic
from eventstudy._warnings import find_stack_level
from eventstudy.data.providers import fred, french, stooq, yahoo
from eventstudy.data.providers._table import Fetched, file_stem
from eventstudy.exceptions import DataError, DataRevisionWarning

__all__ = [
    "CACHE",
    "PROVIDERS",
    "WHOLE_HISTORY",
    "FetchOutcome",
    "FetchRecord",
    "UpdateRecord",
    "cached_names",
    "fetch_missing",
    "fetch_series",
    "update_series",
]

CACHE = "cache"
"""Folder of fetched series inside the data directory."""

PROVIDERS: dict[str, Callable[[str, str, Any], Fetched]] = {
    "yahoo": yahoo.fetch,
    "fred": fred.fetch,
    "french": french.fetch,
    "stooq": stooq.fetch,
}
"""Provider name -> ``fetch(symbol, start, session)``."""

_MANIFEST_COLUMNS = (
    "path", "name", "provider", "symbol", "fetched_at", "first", "last", "rows", "dropped",
    "sha256", "units", "library", "notes",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """What one fetch wrote: the file and its manifest row."""

    path: Path
    row: dict[str, Any]

    def summary(self) -> str:
        r = self.row
        via = (
            f" via {r['provider']}:{r['symbol']}"
            if r["name"] != f"{r['provider']}:{r['symbol']}"
            else ""
        )
        return (
            f"{r['name']}{via}: {r['rows']} rows {r['first']}..{r['last']} "
            f"({r['dropped']} without a value dropped) -> {self.path}"
            + (f"; {r['notes']}" if r.get("notes") else "")
        )


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What ``fetch_missing`` did: the records written, and the earlier parts of splices that
    could not be had (name -> reason), which the study then runs without."""

    records: tuple[FetchRecord, ...] = ()
    unavailable: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UpdateRecord:
    """What ``update_series`` did to one cached series.

    Attributes
    ----------
    name
        ``provider:SYMBOL``.
    added
        Rows after the cache's last date.
    overlap
        Dates the new answer and the cache share (checked against each other).
    revised
        Values on those dates that changed (relative tolerance 1e-9).
    largest
        The largest change, in words (empty when nothing was revised).
    record
        The file and manifest row written.
    full
        Whether the whole history was re-fetched and checked (a provider that revises it
        whole, :data:`WHOLE_HISTORY`) rather than the last weeks.
    """

    name: str
    added: int
    overlap: int
    revised: int
    largest: str
    record: FetchRecord
    full: bool = False

    def summary(self) -> str:
        r = self.record.row
        checked = (
            f"full history re-fetched, {self.overlap} cached dates checked"
            if self.full
            else f"{self.overlap} overlapping dates checked"
        )
        text = f"{self.name}: {self.added} new rows, now {r['first']}..{r['last']}; {checked}"
        return text + (
            f", {self.revised} revised ({self.largest})" if self.revised else ", no revision"
        )


def _split(name: str) -> tuple[str, str]:
    provider, sep, symbol = name.partition(":")
    if not sep or not symbol.strip() or provider not in PROVIDERS:
        raise ValueError(
            f"cannot fetch {name!r}: names look like 'yahoo:^RUT' or 'fred:DGS10'; "
            f"providers: {sorted(PROVIDERS)}"
        )
    return provider, symbol.strip()


def _checked(name: str, got: Fetched) -> Fetched:
    """The answer's dates ascending and unique (a provider's repeated or reversed dates would
    reach the cache, or break the overlap check, otherwise)."""
    idx = pd.DatetimeIndex(got.frame.index)
    repeated = idx[idx.duplicated()]
    if len(repeated):
        raise DataError(
            f"{name}: the provider's answer lists {repeated[0]:%Y-%m-%d} more than once "
            f"({len(repeated)} repeated date(s)); not cached"
        )
    if not idx.is_monotonic_increasing:
        i = int(np.flatnonzero(np.diff(idx.asi8) < 0)[0])
        raise DataError(
            f"{name}: the provider's answer is not in date order ({idx[i]:%Y-%m-%d} before "
            f"{idx[i + 1]:%Y-%m-%d}); not cached"
        )
    return got


def _fetch(provider: str, symbol: str, start: str, session: Any) -> Fetched:
    """One provider's answer (dates checked); a Yahoo index that Yahoo fails on is fetched
    from Stooq."""
    return _checked(f"{provider}:{symbol}", _fetch_any(provider, symbol, start, session))


def _fetch_any(provider: str, symbol: str, start: str, session: Any) -> Fetched:
    try:
        return PROVIDERS[provider](symbol, start, session)
    except DataError as exc:
        alias = stooq.YAHOO_INDEXES.get(symbol.upper()) if provider == "yahoo" else None
        if alias is None:
            raise
        try:
            got = PROVIDERS["stooq"](alias, start, session)
        except DataError as second:
            raise DataError(f"{exc}; the Stooq fallback failed too: {second}") from second
        return Fetched(
            got.frame,
            got.dropped,
            got.library,
            got.units,
            source=f"stooq:{alias}",
        ).with_note(
            "; ".join(
                n
                for n in (
                    f"Yahoo failed ({exc}); Stooq's {alias}, the same index, stands in",
                    got.note,
                )
                if n
            )
        )


def _path(root: Path, provider: str, symbol: str) -> Path:
    return root / CACHE / provider / f"{file_stem(symbol)}.parquet"


LOCK = ".MANIFEST.lock"
"""The lock file beside ``cache/MANIFEST.csv`` that serializes writes to the cache."""


@contextlib.contextmanager
def _cache_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the cache of ``root`` (``cache/.MANIFEST.lock``, ``fcntl``).

    The manifest is rewritten whole on every fetch (read, replace one row, write): two
    fetches at once would each write the manifest they read, and one row would be lost.
    Under the lock one fetch at a time reads, writes its parquet and writes the manifest.
    Where ``fcntl`` is missing (Windows) writes are not serialized: fetch one at a time.
    """
    folder = root / CACHE
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not Linux or macOS
        yield
        return
    with (folder / LOCK).open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _write(
    root: Path,
    name: str,
    fetched: Fetched,
    frame: pd.DataFrame,
    *,
    dropped: int,
    now: dt.datetime | None,
) -> FetchRecord:
    provider, symbol = _split(name)
    path = _path(root, provider, symbol)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = frame.reset_index(drop=True)
    table.insert(0, "date", pd.DatetimeIndex(frame.index).astype("datetime64[ns]"))
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    data = buffer.getvalue()
    _validate(data, path.relative_to(root).as_posix(), fetched, frame)
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    real_provider, _, real_symbol = (fetched.source or name).partition(":")
    row = {
        "path": path.relative_to(root).as_posix(),
        "name": name,
        "provider": real_provider,
        "symbol": real_symbol,
        "fetched_at": when.isoformat(timespec="seconds"),
        "first": f"{frame.index[0]:%Y-%m-%d}",
        "last": f"{frame.index[-1]:%Y-%m-%d}",
        "rows": len(frame),
        "dropped": dropped,
        "sha256": hashlib.sha256(data).hexdigest(),
        "units": fetched.units,
        "library": fetched.library,
        "notes": fetched.note,
    }
    with _cache_lock(root):
        # the manifest is read (and a corrupt one refused) before the parquet is replaced,
        # so a failure leaves the old file and its row as they were
        manifest = _read_manifest(root)
        write_bytes_atomic(path, data)
        _write_manifest_row(root / CACHE / "MANIFEST.csv", row, manifest)
    return FetchRecord(path=path, row=row)


def _validate(data: bytes, rel: str, fetched: Fetched, frame: pd.DataFrame) -> None:
    """Read the bytes about to be cached as the store will read them (the same reader, the
    same checks), so that a fetch never reports success for a file that cannot be loaded (a
    Yahoo close of 0 or inf was cached, and every load then failed).

    Raises
    ------
    DataError
        What the reader refuses, with ``not cached``.
    """
    from eventstudy.data.reader import parse_table
    from eventstudy.data.store import units_kind

    prices = [c for c in ("close", "adj_close") if c in frame.columns]
    kind = units_kind(fetched.units)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jumps are the loader's to flag, on each load
            if prices and kind != "level":
                for column in prices:
                    parse_table(data, Path(rel), columns=[column], kind="price", drop_missing=True)
            else:
                parse_table(data, Path(rel), all_columns=True, kind="level", drop_missing=True)
    except DataError as exc:
        raise DataError(f"{exc}; not cached") from exc


def _check_not_in_snapshot(root: Path, name: str, provider: str, symbol: str) -> None:
    """Refuse to fetch a name the data directory's snapshot already holds: the copy in
    ``cache/`` would make the name ambiguous, and every study reading it would then fail
    (:meth:`~eventstudy.data.DataStore.resolve`)."""
    from eventstudy.data.store import DataStore

    held = DataStore._find(symbol, root / "series" / provider, root / provider)
    if held is not None:
        raise DataError(
            f"{name}: the data directory {root} already holds it in its snapshot "
            f"({held.relative_to(root).as_posix()}); a fetched copy beside it would make the "
            "name ambiguous. Fetch into another data directory (--data-dir, or "
            "EVENTSTUDY_DATA), or read the snapshot's file"
        )


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
        ``"yahoo:^RUT"``, ``"fred:DGS10"``, ``"french:F-F_Research_Data_Factors_daily"``,
        ``"stooq:^SPX"``.
    root
        The data directory (created if missing).
    start
        First date asked for.
    session
        A session to use (tests pass one that answers offline).
    now
        The fetch time recorded (default: the current UTC time).

    Raises
    ------
    ValueError
        An unknown provider or a malformed name.
    ImportError
        The provider's library is not installed (the message says what to install).
    DataError
        The provider failed (no answer, rate limit, unknown symbol, a changed format), or
        the data directory's snapshot already holds the name (a fetched copy would make it
        ambiguous), before any download.
    """
    provider, symbol = _split(name)
    file_stem(symbol)  # a symbol that names no file fails before the download
    _check_not_in_snapshot(Path(root), name, provider, symbol)
    fetched = _fetch(provider, symbol, start, session)
    return _write(
        Path(root), f"{provider}:{symbol}", fetched, fetched.frame, dropped=fetched.dropped, now=now
    )


def _read_manifest(root: Path) -> pd.DataFrame:
    path = root / CACHE / "MANIFEST.csv"
    if not path.exists():
        return pd.DataFrame(columns=list(_MANIFEST_COLUMNS), dtype=str)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:  # a parser error names no file
        raise DataError(f"{path}: cannot be read as the cache's manifest: {exc}") from exc
    for col in _MANIFEST_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    named = frame["name"] == ""
    frame.loc[named, "name"] = frame.loc[named, "provider"] + ":" + frame.loc[named, "symbol"]
    return frame


def _write_manifest_row(path: Path, row: dict[str, Any], old: pd.DataFrame) -> None:
    """Write the manifest ``old`` (as read under the cache lock) with ``row`` in place of the
    row of its path."""
    new = pd.DataFrame([{k: str(row.get(k, "")) for k in _MANIFEST_COLUMNS}])
    old = old[old["path"] != row["path"]]
    frame = pd.concat([old[list(_MANIFEST_COLUMNS)], new], ignore_index=True).sort_values("path")
    write_text_atomic(path, frame.to_csv(index=False))


def cached_names(root: str | Path) -> list[str]:
    """The names of the series in the cache of ``root`` (as fetched, e.g. ``yahoo:^RUT``)."""
    return _read_manifest(Path(root))["name"].tolist()


WHOLE_HISTORY = frozenset({"yahoo", "french"})
"""Providers that revise a series' whole history: Yahoo re-adjusts every earlier adjusted
close after a dividend (and close and volume after a split), Kenneth French recomputes every
factor at each release.  ``update_series`` re-fetches these in full and replaces the file:
old values before a re-fetched window would be on the old basis, and the join a fake return."""


def update_series(
    name: str,
    root: str | Path,
    *,
    overlap_days: int = 30,
    session: Any = None,
    now: dt.datetime | None = None,
) -> UpdateRecord:
    """Bring a cached series up to date.

    FRED (and Stooq) revise only recent values: the series is re-fetched from
    ``overlap_days`` calendar days before its last date, the overlap checked against the
    cache, and the cache before it kept with the new answer from it on.  Providers that revise
    the whole history (:data:`WHOLE_HISTORY`: Yahoo's adjusted prices, French's factors) are
    re-fetched from the cache's first date, checked on every date the two share, and the new
    answer replaces the file (``overlap_days`` does not apply).

    A value that changed by more than a relative 1e-9 is a revision: a
    :class:`~eventstudy.exceptions.DataRevisionWarning` gives their number and the largest
    (column, date, old and new value), and the new value is kept.  Cached dates the new
    answer lacks (a provider lagging behind its own last answer, or skipping a day) are kept,
    with a :class:`~eventstudy.exceptions.DataRevisionWarning` naming them.

    Raises
    ------
    DataError
        The series is not in the cache (fetch it first), its file cannot be read (fetch it
        again), the new answer shares no date with the cache (nothing to check it against:
        fetch it again in full), it lacks a cached column, or, for a whole-history provider,
        it revised the history and lacks cached dates (their old values would sit on the old
        basis among the new ones: fetch it again in full).
    """
    if overlap_days < 1:
        raise ValueError(f"overlap_days must be at least 1, got {overlap_days}")
    root = Path(root)
    provider, symbol = _split(name)
    name = f"{provider}:{symbol}"
    path = _path(root, provider, symbol)
    manifest = _read_manifest(root)
    rows = manifest[manifest["path"] == path.relative_to(root).as_posix()]
    if rows.empty or not path.is_file():
        raise DataError(
            f"{name} is not in the cache of {root}; fetch it first: eventstudy data fetch {name}"
        )
    old_row = rows.iloc[0]
    old = _read_cached(path, name)
    last = old.index[-1]
    whole = provider in WHOLE_HISTORY
    start = (old.index[0] if whole else last - pd.Timedelta(days=overlap_days)).strftime("%Y-%m-%d")
    fetched = _fetch(provider, symbol, start, session)
    new = fetched.frame
    common = pd.DatetimeIndex(old.index.intersection(pd.DatetimeIndex(new.index)))
    common = common[common >= pd.Timestamp(start)]
    if common.empty:
        where = (
            f"the cache ({old.index[0]:%Y-%m-%d}..{last:%Y-%m-%d})"
            if whole
            else f"the cache's last {overlap_days} days (to {last:%Y-%m-%d})"
        )
        raise DataError(
            f"{name}: the new answer ({new.index[0]:%Y-%m-%d}..{new.index[-1]:%Y-%m-%d}) shares no "
            f"date with {where}; fetch it again in full: eventstudy data fetch {name}"
        )
    columns = [c for c in old.columns if c in new.columns]
    lacking = [c for c in old.columns if c not in new.columns]
    if lacking:  # e.g. Stooq standing in for Yahoo has no adj_close
        raise DataError(
            f"{name}: the new answer ({fetched.source or name}) lacks the cached column(s) "
            f"{lacking}: appending it would leave them empty; fetch it again in full: "
            f"eventstudy data fetch {name}"
        )
    revised, largest = _revisions(old.loc[common, columns], new.loc[common, columns])
    # every cached date the new answer lacks is kept (a provider lagging behind its own last
    # answer, or skipping a day, must not delete data), and said
    kept = old.index[(old.index >= pd.Timestamp(start)) & ~old.index.isin(new.index)]
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in kept[:3]) + (", ..." if len(kept) > 3 else "")
    if whole and revised and len(kept):
        raise DataError(
            f"{name}: the new answer revises the history ({revised} value(s), {largest}) and "
            f"lacks {len(kept)} cached date(s) ({shown}): their cached values are on the old "
            "basis and would join the new ones with a false return; nothing was changed. "
            f"Fetch it again in full (without those dates): eventstudy data fetch {name}"
        )
    if revised:
        checked = "dates" if whole else "overlapping dates"
        warnings.warn(
            f"{name}: {revised} value(s) on the {len(common)} {checked} "
            f"{common[0]:%Y-%m-%d}..{common[-1]:%Y-%m-%d} differ from the cache ({largest}); "
            "the provider's new values are kept",
            DataRevisionWarning,
            stacklevel=find_stack_level(),
        )
    if len(kept):
        warnings.warn(
            f"{name}: the new answer lacks {len(kept)} cached date(s) from {start} on "
            f"({shown}); the cached values are kept",
            DataRevisionWarning,
            stacklevel=find_stack_level(),
        )
    merged = pd.concat([old[~old.index.isin(new.index)], new[columns]]).sort_index()
    record = _write(
        root,
        name,
        fetched,
        merged,
        # the provider's rows without a value: a full answer's own count; after a windowed
        # update the cache's count before the window is not known date by date, so the
        # larger of the two counts stands (the re-fetched overlap is not counted twice)
        dropped=fetched.dropped if whole else max(int(old_row["dropped"] or 0), fetched.dropped),
        now=now,
    )
    return UpdateRecord(
        name=name,
        added=int((new.index > last).sum()),
        overlap=len(common),
        revised=revised,
        largest=largest,
        record=record,
        full=whole,
    )


def _read_cached(path: Path, name: str) -> pd.DataFrame:
    """A cache parquet by date (an unreadable file is an error saying to fetch it again)."""
    try:
        old = pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise DataError(
            f"{path}: the cached file of {name} cannot be read ({type(exc).__name__}: {exc}); "
            f"fetch it again: eventstudy data fetch {name}"
        ) from exc
    if "date" not in old.columns or old.empty:
        raise DataError(
            f"{path}: the cached file of {name} has no dates (columns {list(old.columns)}); "
            f"fetch it again: eventstudy data fetch {name}"
        )
    old = old.set_index("date")
    old.index = pd.DatetimeIndex(old.index)
    return old


def _revisions(old: pd.DataFrame, new: pd.DataFrame) -> tuple[int, str]:
    """How many values of ``new`` differ from ``old`` on the same dates and columns (relative
    tolerance 1e-9), and the largest relative change in words (``""`` when none)."""
    a = old.to_numpy(dtype=np.float64)
    b = new.to_numpy(dtype=np.float64)
    changed = ~np.isclose(b, a, rtol=1e-9, atol=0.0, equal_nan=True)
    revised = int(changed.sum())
    if not revised:
        return 0, ""
    # the largest relative change (a volume's absolute change would always win over a
    # price's); a value that appeared or vanished counts as the largest
    with np.errstate(divide="ignore", invalid="ignore"):
        rel_all = np.abs(b - a) / np.abs(a)
    diff = np.where(changed, np.nan_to_num(rel_all, nan=np.inf, posinf=np.inf), -1.0)
    i, j = (int(k) for k in np.unravel_index(int(np.argmax(diff)), diff.shape))
    rel = (b[i, j] - a[i, j]) / abs(a[i, j]) if a[i, j] else float("nan")
    largest = (
        f"largest: {old.columns[j]} on {old.index[i]:%Y-%m-%d} {a[i, j]:.6g} -> {b[i, j]:.6g}"
        + (f" ({rel:+.3%})" if np.isfinite(rel) else "")
    )
    return revised, largest


def fetch_missing(
    data: Any,
    store: Any,
    *,
    session: Any = None,
    now: dt.datetime | None = None,
    optional: Sequence[str] = (),
) -> FetchOutcome:
    """Fetch every series of a ``[data]`` table that the store lacks (``eventstudy run
    --fetch``).

    The earlier source of a splice is optional: when it cannot be had (FRED's Russell series
    stop in 2019), the outcome names it with the reason, and the study runs on the later
    source alone and says so.  So are the ``optional`` names (a backtest's cash series,
    without which cash earns zero and the report says so).

    Raises
    ------
    DataError
        A missing series no provider can fetch (all of them named, before any download), or
        a required series whose fetch failed.
    """
    from eventstudy.exceptions import DataFileNotFoundError

    required: list[str] = []
    maybe: list[str] = []
    for spec in data.series:
        parts = list(spec.splice or ()) + ([spec.name] if spec.name else [])
        for i, name in enumerate(parts):
            try:
                store.resolve(name, cwd=False, folder=spec.folder)
            except DataFileNotFoundError:
                (maybe if spec.splice and i == 0 else required).append(name.split("[")[0])
    for name in optional:
        try:
            store.resolve(name, cwd=False)
        except DataFileNotFoundError:
            maybe.append(name.split("[")[0])
    unknown = [n for n in required if n.partition(":")[0] not in PROVIDERS]
    if unknown:
        raise DataError(
            f"the data directory {store.root} lacks {unknown} and no provider fetches them "
            f"(providers: {sorted(PROVIDERS)}); add the files to the data directory"
        )
    records = [
        fetch_series(n, store.root, session=session, now=now) for n in dict.fromkeys(required)
    ]
    unavailable: dict[str, str] = {}
    for name in dict.fromkeys(maybe):
        if name.partition(":")[0] not in PROVIDERS:
            unavailable[name] = f"no provider serves {name}"
            continue
        try:
            records.append(fetch_series(name, store.root, session=session, now=now))
        except DataError as exc:
            unavailable[name] = str(exc)
    return FetchOutcome(records=tuple(records), unavailable=unavailable)
