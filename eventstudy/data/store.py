"""The data directory: name resolution, listing and validated loading.

Layout (that of the shared snapshot)::

    <root>/MANIFEST.csv                  optional: path, units, notes of each file
    <root>/series/<provider>/<SYMBOL>.csv|.parquet
    <root>/fama_french/<table>.csv
    <root>/panel/<table>.csv

Series are addressed as ``provider:SYMBOL`` (``yahoo:RUT``, ``fred:DGS10``), tables as
``folder:name`` (``fama_french:ff3_factors_daily``), optionally with a column in brackets
(``fama_french:ff3_factors_daily[mkt_rf]``), or by a file path.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._warnings import find_stack_level
from eventstudy.data.reader import SeriesKind, file_sha256, read_table
from eventstudy.data.records import LoadedFrame, LoadedSeries, SeriesInfo
from eventstudy.data.splice import SpliceReport, splice_series
from eventstudy.exceptions import DataError, DataFileNotFoundError, DataRevisionWarning

__all__ = ["DATA_ENV_VAR", "DataStore", "resolve_data_dir"]

DATA_ENV_VAR = "EVENTSTUDY_DATA"
_SUFFIXES = (".csv", ".parquet")
_NAME = re.compile(
    r"^(?P<provider>[A-Za-z0-9_\-]+):(?P<symbol>[^\[\]]+?)(\[(?P<column>[^\]]+)\])?$"
)
_PATH_COL = re.compile(r"^(?P<path>.+?)\[(?P<column>[^\]]+)\]$")
_RATE_UNITS = ("percent", "basis points")
_UNKNOWN_UNITS = "unknown"
"""The units a provider records when it cannot tell them (a FRED series none of its lists
know): such a series loads as a level, never as a price whose returns would be percent
changes of a rate."""


def _text(row: Any, *keys: str) -> str:
    """The first of ``keys`` that ``row`` holds as non-empty text, else ``""``."""
    for key in keys:
        value = row.get(key, "")
        if isinstance(value, str) and value:
            return value
    return ""


def _read_manifest(path: Path) -> pd.DataFrame | None:
    """``MANIFEST.csv`` indexed by path, or ``None`` when the file is absent."""
    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:  # a parser error names no file
        raise DataError(f"{path}: cannot be read as a manifest: {exc}") from exc
    if "path" not in frame.columns:
        raise DataError(f"{path}: no 'path' column")
    return frame.set_index("path")


def _check_sha256(entry: Mapping[str, str], sha256: str, display: str) -> None:
    """Warn when a file's bytes are not those its manifest row fingerprints.

    A file edited, re-saved or replaced after the manifest was written no longer matches
    the row's units, dates and notes: the data may still be right, but no longer what the
    manifest describes.  Rows without a ``sha256`` are not checked.
    """
    expected = str(entry.get("sha256", "")).strip().lower()
    if expected and expected != sha256:
        warnings.warn(
            f"{display}: sha256 {sha256[:12]}... differs from the manifest's {expected[:12]}...: "
            "the file changed after its manifest row was written (edited, re-saved or "
            "replaced); check it, then fetch it again or update the manifest's row",
            DataRevisionWarning,
            stacklevel=find_stack_level(),
        )


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: ``data_dir``, else ``$EVENTSTUDY_DATA``, else the project's ``data/``.

    The environment is read when this is called, never at import.
    """
    if data_dir is not None:
        root = Path(data_dir)
        origin = "--data-dir"
    elif os.environ.get(DATA_ENV_VAR):
        root = Path(os.environ[DATA_ENV_VAR])
        origin = f"${DATA_ENV_VAR}"
    else:
        root = Path(__file__).resolve().parents[2] / "data"
        origin = "the project's data/ folder"
    if not root.is_dir():
        raise DataFileNotFoundError(f"data directory {root} (from {origin}) does not exist")
    return root.resolve()


@dataclass(frozen=True, slots=True)
class DataStore:
    """A data directory.

    Parameters
    ----------
    root
        Directory with the snapshot layout (see module docstring).
    unavailable
        Names that could not be fetched (name -> reason; ``eventstudy run --fetch``): a splice
        whose earlier source is among them runs on its later source alone, and says so.

    Examples
    --------
    ``DataStore.from_settings()`` finds the directory from ``--data-dir`` /
    ``$EVENTSTUDY_DATA``; here a small synthetic one (``eventstudy/conftest.py``):

    >>> store = DataStore(example_data_dir)
    >>> a = store.load("test:A")
    >>> a.info.first, a.info.last, a.data.size, a.data.dtype
    ('2010-01-04', '2012-04-20', 600, dtype('float64'))
    """

    root: Path
    unavailable: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    _manifest: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.root, (str, os.PathLike)):
            raise TypeError(f"root must be a path, got {type(self.root).__name__}")
        # one canonical root: files are matched to MANIFEST rows by their path relative to it,
        # so a directory reached through a symlink (or given as a str) must resolve first
        object.__setattr__(self, "root", Path(self.root).expanduser().resolve())
        # MANIFEST.csv is parsed once per store: every load and report caveat consults it;
        # fetched series have their rows in cache/MANIFEST.csv (paths relative to the root)
        manifest = _read_manifest(Path(self.root) / "MANIFEST.csv")
        cached = _read_manifest(Path(self.root) / "cache" / "MANIFEST.csv")
        if cached is not None:
            manifest = cached if manifest is None else pd.concat([manifest, cached])
        object.__setattr__(self, "_manifest", manifest)

    @classmethod
    def from_settings(cls, data_dir: str | os.PathLike[str] | None = None) -> DataStore:
        """Store at :func:`resolve_data_dir` (``--data-dir`` > ``$EVENTSTUDY_DATA`` > ``data/``)."""
        return cls(resolve_data_dir(data_dir))

    # ------------------------------------------------------------------ discovery
    def files(self) -> list[Path]:
        """Every data file below the root (CSV/Parquet, MANIFEST excluded), sorted."""
        out = [
            p
            for p in self.root.rglob("*")
            if p.suffix.lower() in _SUFFIXES
            and p.is_file()
            and p.name != "MANIFEST.csv"
            and not p.name.startswith(".")
        ]
        return sorted(out)

    def name_of(self, path: Path) -> str:
        """The ``provider:SYMBOL`` name of a file in the store."""
        rel = path.relative_to(self.root)
        parts = rel.parts
        if len(parts) == 3 and parts[0] in ("series", "cache"):
            return f"{parts[1]}:{Path(parts[2]).stem}"
        if len(parts) == 2:
            return f"{parts[0]}:{Path(parts[1]).stem}"
        return rel.as_posix()

    def available(self) -> list[str]:
        """Names of everything the store holds."""
        return [self.name_of(p) for p in self.files()]

    def manifest(self) -> pd.DataFrame | None:
        """``MANIFEST.csv`` indexed by path, or ``None`` when absent (read at construction)."""
        return None if self._manifest is None else self._manifest.copy()

    def listing(self) -> pd.DataFrame:
        """One row per file: name, path, source, first, last, rows, frequency, units.

        ``source`` is ``"cache"`` for a fetched file (``cache/``), else ``"snapshot"``.  From
        ``MANIFEST.csv`` where it lists the file, else read from the file.
        """
        manifest = self._manifest
        rows = []
        for path in self.files():
            rel = path.relative_to(self.root).as_posix()
            if manifest is not None and rel in manifest.index:
                m = manifest.loc[rel]
                row = {  # the snapshot's MANIFEST says first_date, the cache's first
                    "first": _text(m, "first_date", "first"),
                    "last": _text(m, "last_date", "last"),
                    "rows": int(m.get("rows", "0") or 0),
                    "frequency": m.get("frequency", ""),
                    "units": m.get("units", ""),
                }
            else:
                table = read_table(
                    path, all_columns=True, display=rel, drop_missing=self._cached(path)
                )
                row = {
                    "first": f"{table.frame.index[0]:%Y-%m-%d}",
                    "last": f"{table.frame.index[-1]:%Y-%m-%d}",
                    "rows": len(table.frame),
                    "frequency": "",
                    "units": "",
                }
            source = "cache" if self._cached(path) else "snapshot"
            rows.append({"name": self.name_of(path), "path": rel, "source": source, **row})
        return pd.DataFrame(
            rows,
            columns=["name", "path", "source", "first", "last", "rows", "frequency", "units"],
        )

    def manifest_entry(self, path: Path) -> dict[str, str]:
        """The manifest row of ``path`` (empty when not listed)."""
        manifest = self._manifest
        try:
            rel = path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return {}
        if manifest is None or rel not in manifest.index:
            return {}
        return {str(k): str(v) for k, v in manifest.loc[rel].items()}

    # ------------------------------------------------------------------ resolution
    def resolve(
        self, name: str, *, cwd: bool = True, folder: str | os.PathLike[str] | None = None
    ) -> tuple[Path, str | None]:
        """Map a name or path to ``(file, column or None)``.

        A name ``provider:SYMBOL`` is looked up in the snapshot (``series/<provider>/``, then
        ``<provider>/``) and in the cache of fetched series (``cache/<provider>/``).  When both
        hold it, the name is ambiguous and an error names the two files: preferring either
        silently is unsafe (the snapshot would hide every fetch and update of the series; the
        cache, or the file with the later last date, could replace a long vetted history by a
        short fetched one).  Give the file's path to choose.

        A relative file path is looked up in ``folder`` (the study file's folder) when given,
        then in the current directory unless ``cwd=False``, then in the data directory.
        Paths from a study or note file use ``cwd=False``, so the same config reads the same
        files from any working directory.

        Raises
        ------
        DataFileNotFoundError
            With the list of available names.
        DataError
            The name is both in the snapshot and in the cache.
        """
        if not isinstance(name, str) or not name.strip():
            raise TypeError(f"series name must be a non-empty string, got {name!r}")
        name = name.strip()
        m = _NAME.match(name)
        if m and not (cwd and Path(name).exists()):
            provider, symbol, column = m["provider"], m["symbol"], m["column"]
            snapshot = self._find(symbol, self.root / "series" / provider, self.root / provider)
            cached = self._find(symbol, self.root / "cache" / provider)  # eventstudy data fetch
            if snapshot is not None and cached is not None:
                raise DataError(
                    f"{name!r} names two files in {self.root}: the snapshot's "
                    f"{self._display(snapshot)} and the fetched {self._display(cached)}; which "
                    "one is meant cannot be told (a fetch or update would otherwise be ignored "
                    "silently). Remove one, or give the file's path instead of the name"
                )
            found = snapshot or cached
            if found is not None:
                return found, column
            raise DataFileNotFoundError(self._not_found(name, provider))
        pm = _PATH_COL.match(name)
        path_text, column = (pm["path"], pm["column"]) if pm else (name, None)
        path = Path(path_text)
        if not path.is_absolute():
            beside = Path(folder) / path if folder is not None else None
            if beside is not None and beside.is_file():
                path = beside
            elif not (cwd and path.exists()):
                path = self.root / path
        if path.is_file():
            return path, column
        raise DataFileNotFoundError(self._not_found(name, None))

    @staticmethod
    def _find(symbol: str, *folders: Path) -> Path | None:
        """The first file of ``symbol`` in ``folders`` (as given, upper or lower case, with or
        without its carets, ``.csv`` before ``.parquet``), else ``None``."""
        bare = symbol.replace("^", "")  # carets are dropped from file names
        stems = dict.fromkeys(
            (symbol, symbol.upper(), symbol.lower(), bare, bare.upper(), bare.lower())
        )
        for folder in folders:
            for stem in stems:
                for suffix in _SUFFIXES:
                    candidate = folder / f"{stem}{suffix}"
                    if candidate.is_file():
                        return candidate
        return None

    def _not_found(self, name: str, provider: str | None) -> str:
        names = self.available()
        if provider is not None:
            same = [n for n in names if n.split(":", 1)[0] == provider]
            if same:
                names = same
        if not names:
            return (
                f"no data named {name!r}: the data directory {self.root} holds no data files. "
                f"Point --data-dir or ${DATA_ENV_VAR} at a data snapshot (see data/README.md)"
            )
        shown = ", ".join(names[:40]) + (" ..." if len(names) > 40 else "")
        return (
            f"no data named {name!r} in {self.root}; available: {shown or '(nothing)'}. "
            "Names look like 'yahoo:RUT' or 'fred:DGS10', or give a file path"
        )

    def kind_of(
        self, name: str, *, cwd: bool = True, folder: str | os.PathLike[str] | None = None
    ) -> SeriesKind:
        """``"level"`` when the manifest gives the file percent units (yields, rates) or
        ``"unknown"`` units (a fetched FRED series none of its lists know), else ``"price"``
        (the kind :meth:`load` uses by default)."""
        return self._kind(self.resolve(name, cwd=cwd, folder=folder)[0], None)

    def level_units(
        self, name: str, *, folder: str | os.PathLike[str] | None = None
    ) -> tuple[str, float]:
        """How a change of this level is shown: ``("bp", 100.0)`` for percent units (a
        yield of 4.25 moving to 4.30 is +5 bp), ``("bp", 1.0)`` for basis points, else
        ``("points", 1.0)`` (index points, a spread, unknown units)."""
        units = self.manifest_entry(self.resolve(name, cwd=False, folder=folder)[0]).get(
            "units", ""
        )
        units = units.lower()
        if "basis points" in units:
            return "bp", 1.0
        if "points" in units or "percent" not in units:
            return "points", 1.0
        return "bp", 100.0

    def _kind(self, path: Path, kind: SeriesKind | None) -> SeriesKind:
        if kind is not None:
            return kind
        units = self.manifest_entry(path).get("units", "").lower()
        if units.strip() == _UNKNOWN_UNITS or any(u in units for u in _RATE_UNITS):
            return "level"
        return "price"

    def _cached(self, path: Path) -> bool:
        """Whether ``path`` is a fetched file in ``<root>/cache`` (whose empty cells are a
        provider's missing values, dropped and counted when read)."""
        try:
            return path.resolve().relative_to(self.root).parts[0] == "cache"
        except (ValueError, IndexError):
            return False

    def _display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # ------------------------------------------------------------------ loading
    def load(
        self,
        name: str,
        *,
        column: str | None = None,
        kind: SeriesKind | None = None,
        cwd: bool = True,
        folder: str | os.PathLike[str] | None = None,
    ) -> LoadedSeries:
        """Load one validated series.

        Parameters
        ----------
        name
            ``provider:SYMBOL`` (optionally ``[column]``) or a file path.
        column
            Value column; overrides a bracketed column in ``name``.
        kind
            ``"price"`` (must be > 0, jumps flagged) or ``"level"`` (any value, e.g. yields).
            Default: ``"level"`` when the manifest gives percent units, else ``"price"``.
        cwd, folder
            Where a relative path is looked for besides the data directory (see
            :meth:`resolve`).

        Returns
        -------
        LoadedSeries
            float64 values on an ascending ``DatetimeIndex``, with provenance.

        Warns
        -----
        DataRevisionWarning
            The file's sha256 differs from the one its manifest row records (the file changed
            after the row was written).
        """
        path, bracket = self.resolve(name, cwd=cwd, folder=folder)
        col = column or bracket
        display = self._display(path)
        table = read_table(
            path,
            columns=[col] if col else None,
            kind=self._kind(path, kind),
            display=display,
            drop_missing=self._cached(path),
        )
        series = table.frame.iloc[:, 0].rename(name)
        entry = self.manifest_entry(path)
        _check_sha256(entry, table.sha256, display)
        fetched = (
            (
                f"fetched from {entry.get('provider', '?')} on {entry['fetched_at']} with "
                f"{entry.get('library', '?')} (cache/MANIFEST.csv)",
            )
            if entry.get("fetched_at")
            else ()
        )
        info = SeriesInfo.of(
            name,
            series.index,
            source=display,
            column=str(table.frame.columns[0]),
            sha256=table.sha256,
            dropped=table.dropped,
            notes=table.notes + fetched,
        )
        return LoadedSeries(data=series, info=info)

    def splice(self, earlier: str, later: str) -> tuple[LoadedSeries, SpliceReport]:
        """Load two series and chain ``earlier`` into ``later`` (see :func:`splice_series`)."""
        return splice_series(self.load(earlier), self.load(later))

    def load_frame(self, name: str, *, columns: list[str] | None = None) -> LoadedFrame:
        """Load several value columns of one file (e.g. a Fama–French factor table)."""
        path, bracket = self.resolve(name)
        display = self._display(path)
        cols = columns or ([bracket] if bracket else None)
        table = read_table(
            path,
            columns=cols,
            all_columns=cols is None,
            kind="level",
            display=display,
            drop_missing=self._cached(path),
        )
        frame = table.frame
        _check_sha256(self.manifest_entry(path), table.sha256, display)
        info = SeriesInfo.of(
            name,
            frame.index,
            source=display,
            column=",".join(map(str, frame.columns)),
            sha256=table.sha256,
            dropped=table.dropped,
        )
        return LoadedFrame(data=frame, info=info)

    def load_panel(self, name: str, *, field: str = "close") -> LoadedFrame:
        """Load a long ``date,ticker,<field>`` stock panel as a wide float64 frame.

        Returns
        -------
        LoadedFrame
            dates × tickers, NaN where a ticker has no row on a date (not a member, no data).

        Raises
        ------
        DataError
            Missing columns, unparsable dates, duplicate (date, ticker) rows, non-numeric or
            non-positive prices, each naming the ticker and date.
        """
        path, _ = self.resolve(name)
        display = self._display(path)
        try:
            if path.suffix.lower() == ".parquet":
                raw = pd.read_parquet(path)
            else:
                raw = pd.read_csv(path, dtype={"ticker": str}, engine="pyarrow")
        except (ValueError, OSError) as exc:
            raise DataError(f"{display}: cannot be read: {exc}") from exc
        missing = [c for c in ("date", "ticker", field) if c not in raw.columns]
        if missing:
            raise DataError(
                f"{display}: panel needs columns date, ticker, {field}; missing {missing} "
                f"(columns are {list(raw.columns)})"
            )
        dates = pd.to_datetime(raw["date"], format="ISO8601", errors="coerce")
        if dates.isna().any():
            i = int(np.flatnonzero(dates.isna().to_numpy())[0])
            raise DataError(f"{display}: unparsable date {raw['date'].iloc[i]!r} at line {i + 2}")
        values = pd.to_numeric(raw[field], errors="coerce")
        bad = values.isna() | (values <= 0)
        if bool(bad.any()):
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{display}: column {field!r}: invalid price {raw[field].iloc[i]!r} for ticker "
                f"{raw['ticker'].iloc[i]} on {dates.iloc[i]:%Y-%m-%d} (line {i + 2}); "
                "prices must be positive numbers"
            )
        long = pd.DataFrame({"date": dates, "ticker": raw["ticker"].astype(str), "v": values})
        dup = long.duplicated(["date", "ticker"])
        if bool(dup.any()):
            i = int(np.flatnonzero(dup.to_numpy())[0])
            raise DataError(
                f"{display}: duplicate row for ticker {long['ticker'].iloc[i]} on "
                f"{long['date'].iloc[i]:%Y-%m-%d} (line {i + 2})"
            )
        wide = long.pivot(index="date", columns="ticker", values="v").sort_index()
        wide = wide.astype("float64")
        wide.index = pd.DatetimeIndex(wide.index, name="date")
        wide.columns = pd.Index([str(c) for c in wide.columns], name="ticker")
        sha256 = file_sha256(path)
        _check_sha256(self.manifest_entry(path), sha256, display)
        info = SeriesInfo.of(
            name, wide.index, source=display, column=field, sha256=sha256, rows=len(long)
        )
        return LoadedFrame(data=wide, info=info)
