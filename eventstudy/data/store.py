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

import hashlib
import io
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._warnings import find_stack_level
from eventstudy.data.reader import _VALUE_PREFERENCE as _PREFERENCE
from eventstudy.data.reader import SeriesKind, file_sha256, read_table
from eventstudy.data.records import LoadedFrame, LoadedSeries, SeriesInfo
from eventstudy.data.splice import SpliceReport, splice_series
from eventstudy.exceptions import DataError, DataFileNotFoundError, DataRevisionWarning

__all__ = ["DATA_ENV_VAR", "DataStore", "normalize_units", "resolve_data_dir", "units_kind"]

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


def _manifest_path(text: str) -> str:
    """A manifest row's path as the store matches it: ``./`` and surrounding spaces dropped,
    backslashes read as ``/`` (a row written on Windows, or by hand, still finds its file)."""
    path = text.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _read_manifest(path: Path) -> pd.DataFrame | None:
    """``MANIFEST.csv`` indexed by (normalised) path, or ``None`` when the file is absent.

    Raises
    ------
    DataError
        The file cannot be parsed, has no ``path`` column, or lists one path twice (which row
        describes the file could not be told).
    """
    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:  # a parser error names no file
        raise DataError(f"{path}: cannot be read as a manifest: {exc}") from exc
    if "path" not in frame.columns:
        raise DataError(f"{path}: no 'path' column")
    frame["path"] = frame["path"].map(_manifest_path)
    frame["_manifest"] = str(path)
    return frame.set_index("path")


def _unique_rows(manifest: pd.DataFrame) -> pd.DataFrame:
    """``manifest`` when each path has one row, else an error naming the path and files."""
    dup = manifest.index.duplicated(keep=False)
    if bool(dup.any()):
        path = str(manifest.index[dup][0])
        files = sorted(set(manifest.loc[manifest.index == path, "_manifest"]))
        rows = int((manifest.index == path).sum())
        raise DataError(
            f"{' and '.join(files)}: {rows} rows for {path} (name "
            f"{_name_of_rel(path)!r}); which one describes the file cannot be told: keep one"
        )
    return manifest


def _name_of_rel(rel: str) -> str:
    """The name a path relative to the data directory loads as (see ``DataStore.name_of``)."""
    parts = Path(rel).parts
    if len(parts) == 3 and parts[0] in ("series", "cache"):
        return f"{parts[1]}:{Path(parts[2]).stem}"
    if len(parts) == 2:
        return f"{parts[0]}:{Path(parts[1]).stem}"
    return rel


def _whole_number(entry: Mapping[str, str], key: str, rel: str) -> int:
    """A manifest row's count (``rows``), or an error naming the manifest and the row."""
    text = str(entry.get(key, "") or "").strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise DataError(
            f"{entry.get('_manifest', 'MANIFEST.csv')}: the row of {rel} gives {key} {text!r}, "
            "not a whole number; write it without a thousands separator (e.g. 16144)"
        ) from None


_UNIT_SPELLINGS = (
    (re.compile(r"%"), " percent "),
    (re.compile(r"\b(?:pct|per ?cent)\b"), "percent"),
    (re.compile(r"\b(?:bps?|basis[- ]points?)\b"), "basis points"),
)
_PRICE_UNITS = re.compile(
    r"\bpoints?\b|\bindex level\b|\bprice\b|\bper share\b|\bcurrency\b"
    r"|\b(?:usd|eur|gbp|jpy|chf|cad|aud|hkd|cny|dollars?)\b"
)


def normalize_units(units: str) -> str:
    """Units as the store reads them: lower case, ``%``, ``pct`` and ``per cent`` as
    ``percent``, ``bp``, ``bps`` and ``basis point`` as ``basis points``."""
    text = units.strip().lower()
    for pattern, word in _UNIT_SPELLINGS:
        text = pattern.sub(word, text)
    return " ".join(text.split())


def units_kind(units: str) -> SeriesKind | None:
    """``"level"`` for percent, basis points or ``unknown`` units, ``"price"`` for index
    points, an index level, a price or a currency, ``None`` for units it cannot tell (and
    for none at all)."""
    text = normalize_units(units)
    if text == _UNKNOWN_UNITS or any(u in text for u in _RATE_UNITS):
        return "level"
    if _PRICE_UNITS.search(text):
        return "price"
    return None


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
        if manifest is not None:
            manifest = _unique_rows(manifest)
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
        return _name_of_rel(path.relative_to(self.root).as_posix())

    def available(self) -> list[str]:
        """Names of everything the store holds."""
        return [self.name_of(p) for p in self.files()]

    def manifest(self) -> pd.DataFrame | None:
        """``MANIFEST.csv`` indexed by path, or ``None`` when absent (read at construction)."""
        if self._manifest is None:
            return None
        return self._manifest.drop(columns="_manifest")

    def listing(self) -> pd.DataFrame:
        """One row per file: name, path, source, first, last, rows, frequency, units, check.

        ``source`` is ``"cache"`` for a fetched file (``cache/``), else ``"snapshot"``.  First,
        last and rows are the manifest's when its row's ``sha256`` is the file's (the file is
        what the row describes), else read from the file; ``check`` then says why (no row, no
        fingerprint, or a file changed since its row was written: its own range and rows are
        shown).  ``check`` also flags a name that several files answer (loading it by name is
        an error).
        """
        manifest = self._manifest
        rows = []
        for path in self.files():
            rel = path.relative_to(self.root).as_posix()
            entry = self.manifest_entry(path) if manifest is not None else {}
            row: dict[str, Any] = {
                "frequency": entry.get("frequency", ""),
                "units": entry.get("units", ""),
                "check": "",
            }
            expected = entry.get("sha256", "").strip().lower()
            if entry and expected and expected == file_sha256(path):
                row |= {  # the snapshot's MANIFEST says first_date, the cache's first
                    "first": _text(entry, "first_date", "first"),
                    "last": _text(entry, "last_date", "last"),
                    "rows": _whole_number(
                        {**entry, "_manifest": str(manifest.loc[rel, "_manifest"])},  # type: ignore[union-attr]
                        "rows",
                        rel,
                    ),
                }
            else:
                row |= self._file_range(path, rel)
                if not entry:
                    row["check"] = "no manifest row"
                elif not expected:
                    row["check"] = "manifest row without sha256"
                else:
                    row["check"] = (
                        "changed since its manifest row (sha256 differs; the row says "
                        f"{_text(entry, 'first_date', 'first')}..{_text(entry, 'last_date', 'last')}"
                        f", {entry.get('rows', '?')} rows)"
                    )
                if "error" in row:
                    row["check"] = f"{row['check']}; cannot be read: {row.pop('error')}"
            source = "cache" if self._cached(path) else "snapshot"
            rows.append({"name": self.name_of(path), "path": rel, "source": source, **row})
        table = pd.DataFrame(
            rows,
            columns=[
                "name", "path", "source", "first", "last", "rows", "frequency", "units", "check",
            ],
        )  # fmt: skip
        self._flag_shared_names(table)
        return table

    def _file_range(self, path: Path, rel: str) -> dict[str, Any]:
        """First, last and rows read from the file (a panel: its long rows)."""
        try:
            if rel.startswith("panel/"):
                panel = self.load_panel(rel)
                return {"first": panel.info.first, "last": panel.info.last, "rows": panel.info.rows}
            table = read_table(path, all_columns=True, display=rel, drop_missing=self._cached(path))
        except DataError as exc:
            return {"first": "", "last": "", "rows": 0, "error": str(exc)}
        frame = table.frame
        return {
            "first": f"{frame.index[0]:%Y-%m-%d}",
            "last": f"{frame.index[-1]:%Y-%m-%d}",
            "rows": len(frame),
        }

    @staticmethod
    def _flag_shared_names(table: pd.DataFrame) -> None:
        """Mark, in ``check``, every file of a name that several files answer (in any case;
        in the snapshot and the cache, or as ``.csv`` and ``.parquet``)."""
        if table.empty:
            return
        key = table["name"].str.lower()
        for _, group in table.groupby(key, sort=False):
            if len(group) > 1:
                note = (
                    f"one of {len(group)} files named {group['name'].iloc[0]!r} "
                    f"({', '.join(group['path'])}): loading it by name is an error"
                )
                for i in group.index:
                    old = str(table.at[i, "check"])
                    table.at[i, "check"] = f"{old}; {note}" if old else note

    def manifest_entry(self, path: Path) -> dict[str, str]:
        """The manifest row of ``path`` (empty when not listed)."""
        manifest = self._manifest
        try:
            rel = path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return {}
        if manifest is None or rel not in manifest.index:
            return {}
        # a column only the other manifest has (snapshot and cache) is NaN in this row
        return {
            str(k): "" if pd.isna(v) else str(v)
            for k, v in manifest.loc[rel].items()
            if k != "_manifest"
        }

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
            snapshot = self._find(
                symbol,
                self.root / "series" / provider,
                self.root / provider,
                root=self.root,
                name=name,
            )
            # eventstudy data fetch
            cached = self._find(symbol, self.root / "cache" / provider, root=self.root, name=name)
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
    def _find(
        symbol: str, *folders: Path, root: Path | None = None, name: str | None = None
    ) -> Path | None:
        """The file of ``symbol`` in ``folders`` (its stem in any case, with or without its
        carets; ``.csv`` or ``.parquet``), else ``None``.

        Raises
        ------
        DataError
            Several files answer the name (``RUT.csv`` and ``RUT.parquet``, ``rut.csv``, or
            one in ``series/<provider>/`` and one in ``<provider>/``): naming every one,
            since picking one silently would read a stale copy the user does not see.
        """
        stems = {symbol.lower(), symbol.replace("^", "").lower()}
        found = []
        for folder in folders:  # names as strings: a folder may hold thousands of files
            if not folder.is_dir():
                continue
            for entry in sorted(os.listdir(folder)):
                stem, dot, ext = entry.rpartition(".")
                named = dot and stem.lower() in stems and f".{ext.lower()}" in _SUFFIXES
                if named and (path := folder / entry).is_file():
                    found.append(path)
        if len(found) > 1:
            base = root or Path(os.path.commonpath([str(f) for f in found])).parent
            shown = ", ".join(f.relative_to(base).as_posix() for f in found)
            raise DataError(
                f"{name or symbol!r} names {len(found)} files in {base}: {shown}; which one is meant "
                "cannot be told (one may be a stale copy). Keep one, or give the file's path "
                "instead of the name"
            )
        return found[0] if found else None

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
        """``"level"`` when the manifest gives the file percent or basis-point units (yields,
        rates; spelt ``%``, ``pct``, ``bp``, ``bps`` too) or ``"unknown"`` units (a fetched FRED
        series none of its lists know), ``"price"`` for index points, an index level or a
        currency, and for a file without a manifest row (the kind :meth:`load` uses by
        default).

        Raises
        ------
        DataError
            No manifest row, and a name a provider knows as a level (``fred:DGS10``); or units
            that tell neither.  Declare the kind (or add the row), as the message says.
        """
        return self._kind(self.resolve(name, cwd=cwd, folder=folder)[0], None)

    def level_units(
        self, name: str, *, folder: str | os.PathLike[str] | None = None
    ) -> tuple[str, float]:
        """How a change of this level is shown: ``("bp", 100.0)`` for percent units (a
        yield of 4.25 moving to 4.30 is +5 bp; ``%`` and ``pct`` are read as percent), ``("bp",
        1.0)`` for basis points (``bp``, ``bps``), else ``("points", 1.0)`` (index points, a
        spread, unknown units)."""
        path = self.resolve(name, cwd=False, folder=folder)[0]
        units = normalize_units(self.manifest_entry(path).get("units", ""))
        if not units:
            units = normalize_units(self._provider_units(path))
        if "basis points" in units:
            return "bp", 1.0
        if "points" in units or "percent" not in units:
            return "points", 1.0
        return "bp", 100.0

    def _provider_units(self, path: Path) -> str:
        """The units a provider gives a file's symbol when no manifest row does: FRED's
        (``DGS10``: percent per annum), else ``""``."""
        try:
            name = self.name_of(path.resolve())
        except ValueError:
            return ""
        provider, _, symbol = name.partition(":")
        if provider != "fred" or not symbol:
            return ""
        from eventstudy.data.providers.fred import UNKNOWN, units_of

        units = units_of(symbol)
        return "" if units == UNKNOWN else units

    def _kind(self, path: Path, kind: SeriesKind | None) -> SeriesKind:
        """The declared ``kind``, else the manifest row's units (:func:`units_kind`).

        Without a row, a file is a price, unless its name is one a provider knows as a level
        (``fred:DGS10``, percent per annum): then the kind must be declared, since reading a
        yield as a price would take its changes as percent returns.  Units a row gives that
        tell neither must be declared too.
        """
        if kind is not None:
            return kind
        entry = self.manifest_entry(path)
        units = entry.get("units", "")
        display = self._display(path)
        if not units.strip():
            known = self._provider_units(path)
            if units_kind(known) == "level":
                name = self.name_of(path.resolve())
                raise DataError(
                    f"{name} ({display}) has no units in a manifest row, and the provider "
                    f"knows it as a level ({known}), not a price: add its row to "
                    f"{self.root / 'MANIFEST.csv'} (path,units: {display},{known}), or declare "
                    'kind = "level" in the study ([data.series]) or load(..., kind="level")'
                )
            return "price"
        found = units_kind(units)
        if found is None:
            raise DataError(
                f"{display}: its manifest row gives units {units!r}, which tell neither a price "
                "(index points, an index level, a currency) nor a level (percent, basis points): "
                'declare kind = "price" or "level" in the study ([data.series]) or '
                "load(..., kind=...), or write the units in those words"
            )
        return found

    def _yahoo_stock(self, path: Path, entry: Mapping[str, str]) -> bool:
        """Whether ``path`` is a Yahoo stock's file (not an index: a symbol with ``^``, or
        index units), whose default value is then its ``adj_close``."""
        try:
            name = self.name_of(path.resolve())
        except ValueError:
            return False
        provider, _, symbol = name.partition(":")
        if provider != "yahoo":
            return False
        symbol = entry.get("symbol", "") or symbol
        return not symbol.startswith("^") and "index" not in entry.get("units", "").lower()

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
        entry = self.manifest_entry(path)
        stock = self._yahoo_stock(path, entry)
        table = read_table(
            path,
            columns=[col] if col else None,
            kind=self._kind(path, kind),
            display=display,
            drop_missing=self._cached(path),
            preference=("adj_close", "close", "value", "price") if stock else _PREFERENCE,
        )
        series = table.frame.iloc[:, 0].rename(name)
        if stock and col is None and table.frame.columns[0] == "adj_close":
            table = replace(
                table,
                notes=(
                    *table.notes,
                    "adj_close loaded (split- and dividend-adjusted: returns include dividends); "
                    "name the column [close] for the price as traded",
                ),
            )
        _check_sha256(entry, table.sha256, display)
        fetched = (
            (
                f"fetched from {entry.get('provider', '?')} on {entry['fetched_at']} with "
                f"{entry.get('library', '?')} (cache/MANIFEST.csv; {entry.get('dropped') or 0} "
                "row(s) without a value dropped by the fetch"
                + (f"; {entry['notes']}" if entry.get("notes") else "")
                + ")",
            )
            if entry.get("fetched_at")
            else ()
        )
        dropped = dict(table.dropped)
        provider_dropped = entry.get("dropped", "").strip() if entry.get("fetched_at") else ""
        if provider_dropped not in ("", "0"):
            # the provider's rows without a value (FRED's "."), dropped before the cache
            dropped["provider_without_value"] = _whole_number(entry, "dropped", display)
        info = SeriesInfo.of(
            name,
            series.index,
            source=display,
            column=str(table.frame.columns[0]),
            sha256=table.sha256,
            dropped=dropped,
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

        The file is read as :func:`~eventstudy.data.reader.read_table` reads a series, with
        its checks: every CSV line has the header's fields; dates parse (ISO days, month stamps
        as month ends, a local offset keeps its local date; month and day stamps mixed, UTC
        stamps with a time of day, offsets hours apart and two time stamps on one date are
        errors); values are numbers, never empty or NaN; a ticker is neither blank, a missing
        value marker (``NA``, ``N/A``, ``NULL``, ``nan``, ``None``) nor padded with spaces.
        The bytes are read once, and the sha256 is theirs.

        Returns
        -------
        LoadedFrame
            dates × tickers, NaN where a ticker has no row on a date (not a member, no data).

        Raises
        ------
        DataError
            Missing columns, unparsable dates, duplicate (date, ticker) rows, bad tickers,
            non-numeric or missing values, non-positive prices or negative volumes, each naming
            the file, column, ticker, date and line (a Parquet file's row).
        """
        from eventstudy.data import reader

        path, _ = self.resolve(name)
        display = self._display(path)
        shown = Path(display)
        data = reader._read_bytes(path, shown)
        suffix = reader._suffix(path, shown)
        sha256 = hashlib.sha256(data).hexdigest()
        header = reader._read_header(data, suffix, shown)
        missing = [c for c in ("date", "ticker", field) if c not in header.columns]
        if missing:
            raise DataError(
                f"{display}: panel needs columns date, ticker, {field}; missing {missing} "
                f"(columns are {list(header.columns)})"
            )
        if suffix == ".parquet":
            raw = reader._read_raw(data, suffix, shown, usecols=["date", "ticker", field])
        else:
            try:  # Arrow's parser refuses a line with a field too many or too few
                raw = pd.read_csv(
                    io.BytesIO(data),
                    usecols=["date", "ticker", field],
                    dtype="string[pyarrow]",
                    keep_default_na=False,
                    engine="pyarrow",
                )
            except (ValueError, OSError) as exc:
                reader._check_fields(data, shown, len(header.columns))  # names the line
                raise DataError(f"{display}: cannot be read: {exc}") from exc
        if raw.empty:
            raise DataError(f"{display}: no rows")
        notes: list[str] = []
        dates = reader._parse_dates(raw["date"], shown, "date", notes)
        tickers = _panel_tickers(raw["ticker"], shown)
        values, marker = reader._numeric_column(raw[field], dates, shown, field)
        if bool(marker.any()):
            i = int(np.flatnonzero(marker)[0])
            raise DataError(
                f"{display}: column {field!r}: holiday marker {raw[field].iloc[i]!r} for ticker "
                f"{tickers[i]} on {dates[i]:%Y-%m-%d} ({reader._at(shown, i)}); a panel lists "
                "only the rows with a value: remove it"
            )
        volume = field.lower() == "volume"
        bad = values < 0 if volume else values <= 0
        if bool(bad.any()):
            i = int(np.flatnonzero(bad)[0])
            what = "negative volume" if volume else "non-positive price"
            raise DataError(
                f"{display}: column {field!r}: {what} {values[i]:g} for ticker {tickers[i]} on "
                f"{dates[i]:%Y-%m-%d} ({reader._at(shown, i)}; {int(bad.sum())} such row"
                f"{'s' if int(bad.sum()) != 1 else ''}); "
                + ("volumes must be >= 0" if volume else "prices must be > 0")
            )
        long = pd.DataFrame({"date": dates, "ticker": tickers, "v": values})
        dup = long.duplicated(["date", "ticker"])
        if bool(dup.any()):
            i = int(np.flatnonzero(dup.to_numpy())[0])
            raise DataError(
                f"{display}: duplicate row for ticker {long['ticker'].iloc[i]} on "
                f"{long['date'].iloc[i]:%Y-%m-%d} ({reader._at(shown, i)})"
            )
        wide = long.pivot(index="date", columns="ticker", values="v").sort_index()
        wide = wide.astype("float64")
        wide.index = pd.DatetimeIndex(wide.index, name="date")
        wide.columns = pd.Index([str(c) for c in wide.columns], name="ticker")
        _check_sha256(self.manifest_entry(path), sha256, display)
        info = SeriesInfo.of(
            name,
            wide.index,
            source=display,
            column=field,
            sha256=sha256,
            rows=len(long),
            notes=tuple(notes),
        )
        return LoadedFrame(data=wide, info=info)


_MISSING_TICKERS = frozenset({"NA", "N/A", "NAN", "NULL", "NONE", "#N/A", "-"})
"""Ticker cells that mean "no ticker": pandas reads the first five as missing, and the
blank and these merged into one ticker ``'nan'`` in the old loader."""


def _panel_tickers(raw: pd.Series, shown: Path) -> np.ndarray:
    """A panel's tickers as text, checked on their distinct values (a few hundred among
    hundreds of thousands of rows): blank, a missing-value marker, or padded is an error
    naming the line of its first row."""
    from eventstudy.data import reader

    codes, uniques = pd.factorize(raw.astype(str), sort=False)
    text = pd.Index(uniques).astype(str)
    blank = text.str.strip() == ""
    marker = text.str.strip().str.upper().isin(_MISSING_TICKERS)
    padded = text.str.strip() != text
    for mask, why in (
        (blank, "a blank ticker"),
        (marker, "a missing-value marker as ticker"),
        (padded, "a ticker padded with spaces"),
    ):
        found = np.flatnonzero(np.asarray(mask))
        if found.size:
            k = int(found[0])
            i = int(np.argmax(codes == k))
            raise DataError(
                f"{shown}: column 'ticker': {why} ({text[k]!r}) at {reader._at(shown, i)}; "
                "every row needs its ticker as written, without spaces around it"
            )
    return np.asarray(text)[codes]
