"""Read one CSV or Parquet file into validated float64 columns on a DatetimeIndex.

Validation rules (each failure names the file, the column and the offending date or row):

* a date column must exist (``date``, ``datetime``, ``timestamp`` or ``time``, any case);
* dates must parse (ISO ``YYYY-MM-DD``; ``YYYY-MM`` month stamps map to the month's last day),
  be unique and ascending;
* values must be numeric; the only accepted non-numeric cell is the documented FRED holiday
  marker ``"."``, whose rows are dropped and counted;
* empty cells and ``NaN`` are errors (a missing observation must be removed, not left blank),
  except in a fetched cache file read with ``drop_missing=True``: there a provider's missing
  value (a French industry with no firms yet, a Yahoo day without a volume) is an empty cell
  in its own column, and the rows it leaves empty in the selected columns are dropped and
  counted (``dropped["missing_value"]``);
* price series must be strictly positive;
* the result may not be empty.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from eventstudy._warnings import find_stack_level
from eventstudy.exceptions import DataError, DataFileNotFoundError, SuspiciousJumpWarning

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "HOLIDAY_MARKERS",
    "JUMP_LIMIT",
    "SPLIT_LIMIT",
    "ParsedTable",
    "file_sha256",
    "read_table",
]

SeriesKind = Literal["price", "level"]

HOLIDAY_MARKERS: frozenset[str] = frozenset({"."})
"""Cells that mean "no observation (holiday)": FRED writes ``.`` on US holidays."""

JUMP_LIMIT = 0.5
"""|daily return| above which a price index move is flagged as suspicious."""

SPLIT_LIMIT = 0.4
"""|daily return| above which a fall whose price ratio is within 1 % of a split ratio
(1/2, 5/9, 4/7: p/q below 1 with p, q up to 10) is flagged as a likely unadjusted split,
though within :data:`JUMP_LIMIT` (a 2-for-1 split on a day the stock gains 0.8 % is
-49.6 %).  Rises are not: a reverse split that is not beyond +50 % would be 2-for-3."""

_SPLIT_RATIOS = np.array(
    sorted({p / q for p in range(1, 11) for q in range(1, 11) if p < q}), dtype=np.float64
)

_DATE_NAMES = ("date", "datetime", "timestamp", "time")
_VALUE_PREFERENCE = ("value", "close", "adj_close", "price")
_MAX_LISTED = 5
_FIRST_DAY = np.datetime64("1678-01-01")
_LAST_DAY = np.datetime64("2261-12-31")


@dataclass(frozen=True, slots=True)
class ParsedTable:
    """Validated numeric columns of one file."""

    frame: pd.DataFrame
    path: Path
    sha256: str
    dropped: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def file_sha256(path: Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_bytes(path: Path, shown: Path | None = None) -> bytes:
    """The file's bytes, read once: the sha256 and the parse both come from them (a file
    replaced between two opens would otherwise be fingerprinted as one version and parsed
    as another)."""
    if not path.exists():
        raise DataFileNotFoundError(f"data file not found: {path}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"{shown or path}: cannot be read: {exc}") from exc


def _suffix(path: Path, shown: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in {".parquet", ".csv", ".txt"}:
        raise DataError(f"{shown}: unsupported file type {suffix!r}; use .csv or .parquet")
    return suffix


def _read_raw(
    data: bytes, suffix: str, shown: Path, usecols: Sequence[str] | None = None
) -> pd.DataFrame:
    """The file's bytes as a DataFrame (CSV cells as text); ``usecols`` limits the columns."""
    try:
        if suffix == ".parquet":
            return pd.read_parquet(io.BytesIO(data), columns=list(usecols) if usecols else None)
        return pd.read_csv(
            io.BytesIO(data),
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            usecols=list(usecols) if usecols else None,
        )
    except (ValueError, OSError) as exc:  # parser errors are ValueError subclasses
        raise DataError(f"{shown}: cannot be read as {suffix[1:]}: {exc}") from exc


def _read_header(data: bytes, suffix: str, shown: Path) -> pd.DataFrame:
    """An empty frame with the file's columns (parses only the header of a CSV).

    Raises :class:`DataError` on a repeated column name, in any case (``close`` and
    ``Close``): pandas would rename the second ``close`` to ``close.1``, and the value
    column is chosen without regard to case, so either would be read silently.
    """
    if suffix == ".parquet":
        header = _read_raw(data, suffix, shown).iloc[:0]
        names = [str(c).strip() for c in header.columns]
    else:
        if b"\r" in data and b"\n" not in data:
            raise DataError(
                f"{shown}: its lines end in a carriage return alone (an old Mac file); "
                "save it with LF or CRLF line endings"
            )
        import csv

        first = data.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
        try:
            names = next(csv.reader([first.rstrip("\r")]), [])
            header = pd.read_csv(io.BytesIO(data), nrows=0, skipinitialspace=True)
        except (ValueError, OSError, csv.Error) as exc:
            raise DataError(f"{shown}: cannot be read as csv: {exc}") from exc
        names = [n.strip() for n in names]
    lowered = [n.lower() for n in names]
    repeated = sorted({n for n in names if lowered.count(n.lower()) > 1})
    if repeated:
        raise DataError(
            f"{shown}: duplicate column name(s) {repeated} in the header (names that differ "
            "only in case are the same column); each column needs its own name"
        )
    return header


def _at(shown: Path, i: int) -> str:
    """Where the ``i``-th data row is: ``line i + 2`` of a CSV (the header is line 1), ``row
    i + 1`` of a Parquet file (which has no lines)."""
    return f"row {i + 1}" if shown.suffix.lower() == ".parquet" else f"line {i + 2}"


def _check_fields(data: bytes, shown: Path, n_fields: int) -> None:
    """Every non-blank line of a CSV has the header's number of fields.

    pandas reads only the asked-for columns (``usecols``) without counting a row's fields: a
    row with one field too many or too few was read with its values shifted into other
    columns, silently.  Counted on the bytes (one pass, separators per line); a file with
    quotes is counted by the :mod:`csv` module instead.

    Raises
    ------
    DataError
        Naming the first line (1-based, the header is line 1) whose count differs.
    """
    if b'"' in data:
        import csv
        import io

        rows = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
        for line, row in enumerate(rows, start=1):
            if row and len(row) != n_fields and any(cell.strip() for cell in row):
                _wrong_fields(shown, line, len(row), n_fields)
        return
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == ord("\n"))
    if not data.endswith(b"\n"):
        ends = np.append(ends, raw.size)
    commas = np.bincount(
        np.searchsorted(ends, np.flatnonzero(raw == ord(","))), minlength=ends.size
    )[: ends.size]
    starts = np.r_[0, ends[:-1] + 1]
    length = ends - starts - (raw[np.maximum(ends - 1, 0)] == ord("\r"))
    bad = np.flatnonzero((commas != n_fields - 1) & (length > 0))
    # a line of spaces or tabs is blank, as pandas reads it (a trailing one was refused):
    # looked at on the lines the count flags only, the first with any text is wrong
    for line in bad.tolist():
        if data[starts[line] : ends[line]].strip():
            _wrong_fields(shown, line + 1, int(commas[line]) + 1, n_fields)


def _wrong_fields(shown: Path, line: int, got: int, n_fields: int) -> None:
    raise DataError(
        f"{shown}: line {line} has {got} fields, the header {n_fields}: a separator too many "
        "or missing would shift its values into other columns"
    )


def _date_column(raw: pd.DataFrame, path: Path) -> str:
    matches = [c for c in raw.columns if str(c).strip().lower() in _DATE_NAMES]
    if not matches:
        in_index = isinstance(raw.index, pd.DatetimeIndex) or (
            str(raw.index.name).strip().lower() in _DATE_NAMES
        )
        hint = (
            " The dates are the file's index (as DataFrame.to_parquet() writes a frame indexed "
            "by date): write df.rename_axis('date').reset_index().to_parquet(...)."
            if in_index
            else ""
        )
        raise DataError(
            f"{path}: no date column; columns are {list(map(str, raw.columns))}. "
            f"Name the date column one of {list(_DATE_NAMES)}.{hint}"
        )
    if len(matches) > 1:
        raise DataError(f"{path}: several date columns {matches}; keep one")
    return str(matches[0])


UTC_NAMES = frozenset({"UTC", "GMT", "Z", "ETC/UTC", "ETC/GMT", "UTC+00:00"})
"""Time-zone names (upper case) that mean UTC: a stamp in one is not a local date."""


def _to_dates(
    index: pd.DatetimeIndex, path: Path, column: str, notes: list[str]
) -> pd.DatetimeIndex:
    """Exchange dates from time-stamped or time-zone-aware stamps.

    A time zone is dropped (the local date is kept) and a time of day is dropped when every
    date then has one time stamp; either is recorded in ``notes``.  Two stamps on one date are
    ambiguous (which is the close?) and raise, naming the file, column, date and lines (in a
    long panel, where a date has a row per ticker, every row of a date must carry the same
    stamp).  Stamps in UTC with a time of day raise: UTC is no exchange's zone, and the
    exchange's local date cannot be told from them (Tokyo's midnight is 15:00 UTC of the
    day before).
    """
    if index.tz is not None:
        if str(index.tz).upper() in UTC_NAMES and bool((index != index.normalize()).any()):
            i = int(np.flatnonzero(index != index.normalize())[0])
            raise DataError(
                f"{path}: column {column!r}: time stamps in UTC with a time of day "
                f"({index[i].isoformat()} at {_at(path, i)}): the exchange's local date cannot "
                "be told from a UTC time (Tokyo's midnight is 15:00 UTC the day before); write "
                "the exchange's local dates (YYYY-MM-DD) or stamps with the local offset"
            )
        notes.append(f"column {column!r}: time zone {index.tz} dropped (local dates kept)")
        index = index.tz_localize(None)
    if len(index) and bool((index != index.normalize()).any()):
        stamps = index.unique()
        dup = stamps.normalize().duplicated()
        if dup.any():
            first = stamps.normalize()[np.flatnonzero(dup)[0]]
            rows = np.flatnonzero(index.normalize() == first)
            other = rows[np.flatnonzero(index[rows] != index[rows[0]])[0]]
            n = int(dup.sum())
            raise DataError(
                f"{path}: column {column!r}: more than one time stamp on {first:%Y-%m-%d} "
                f"({index[rows[0]]:%H:%M} at {_at(path, int(rows[0]))}, {index[other]:%H:%M} at "
                f"{_at(path, int(other))}; {n} such date{'s' if n != 1 else ''}); give one row "
                "(the close) per date"
            )
        notes.append(f"column {column!r}: times of day dropped ({len(index)} rows, one per date)")
        index = index.normalize()
    return pd.DatetimeIndex(index)


def _parse_dates(
    raw: pd.Series, path: Path, column: str, notes: list[str] | None = None
) -> pd.DatetimeIndex:
    notes = [] if notes is None else notes
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        index = pd.DatetimeIndex(raw)
        bad = np.flatnonzero(index.isna())
        if bad.size:
            raise DataError(
                f"{path}: column {column!r} has a missing date at {_at(path, int(bad[0]))}"
            )
        index = _to_dates(index, path, column, notes)
        return pd.DatetimeIndex(index.astype("datetime64[ns]"))
    fast = _iso_dates(raw)
    if fast is not None:
        return fast
    text = raw.astype(str).str.strip()
    monthly = text.str.fullmatch(r"\d{4}-\d{2}").to_numpy(dtype=bool)
    if monthly.any() and not monthly.all():
        # all month stamps map to month ends, but pandas reads one among day stamps as the
        # 1st: the same text would get a different date depending on the other rows
        i, j = int(np.argmax(monthly)), int(np.argmin(monthly))
        raise DataError(
            f"{path}: column {column!r}: month stamps and day stamps mixed ({text.iloc[i]!r} "
            f"at {_at(path, i)}, {text.iloc[j]!r} at {_at(path, j)}); give every date in one "
            "form (YYYY-MM for a monthly file, read as month ends)"
        )
    parsed: pd.Series
    if bool(monthly.all()) and len(text):
        parsed = pd.to_datetime(text, format="%Y-%m", errors="coerce") + pd.offsets.MonthEnd(0)
    else:
        _check_years(text, path, column)
        try:
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        except ValueError:  # offsets that differ: one zone across a summer-time change?
            parsed = _one_zone(text, path, column, notes)
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if bad.size:
        row = int(bad[0])
        raise DataError(
            f"{path}: column {column!r}: unparsable date {text.iloc[row]!r} at {_at(path, row)} "
            f"({bad.size} bad dates in all); expected ISO YYYY-MM-DD"
        )
    index = _to_dates(pd.DatetimeIndex(parsed), path, column, notes)
    return pd.DatetimeIndex(index.astype("datetime64[ns]"))


def _arrow_text(raw: pd.Series) -> pa.Array | None:
    """The column as one Arrow string array without nulls, or None (another type)."""
    import pyarrow as pa

    try:
        arr = pa.array(raw.array)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    return arr if arr.null_count == 0 else None


def _iso_dates(raw: pd.Series) -> pd.DatetimeIndex | None:
    """Dates when every cell is exactly ``YYYY-MM-DD`` of a real day in the years 1678-2261,
    else None (the general parser then decides, and names what is wrong).

    Arrow's cast to ``date32`` accepts nothing else (no padding, time, offset, sign or short
    field; ``tests/test_reader_fast.py``).  It reads the flagship's files (four series, 60,000
    dates) in 3 ms where the general path takes 80 ms, with the same dates on every file of
    the snapshot.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = _arrow_text(raw)
    if arr is None or len(arr) == 0:
        return None
    try:
        days = pc.cast(arr, pa.date32()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return None
    if days.min() < _FIRST_DAY or days.max() > _LAST_DAY:
        return None  # _check_years names the date
    return pd.DatetimeIndex(days.astype("datetime64[ns]"))


def _finite_numbers(raw: pd.Series) -> np.ndarray | None:
    """The column as float64 when every cell is a finite number as written (no blank,
    marker, padding or NaN), else None (the general path then counts and names the cells).

    Arrow's cast reads what ``pd.to_numeric`` reads, to the same bits on every column of the
    snapshot, 12 times faster (``tests/test_reader_fast.py``).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = _arrow_text(raw)
    if arr is None:
        return None
    try:
        values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return None
    if not bool(np.isfinite(values).all()):
        return None
    minus_zero = np.signbit(values) & (values == 0)
    # rare: pd.to_numeric reads a column of integers as int64, where -0 is 0; only a column
    # with a decimal point or an exponent somewhere keeps -0.0
    if bool(minus_zero.any()) and pc.all(pc.match_substring_regex(arr, r"^[+-]?[0-9]+$")).as_py():
        values = np.where(minus_zero, 0.0, values)
    return values


def _one_zone(text: pd.Series, path: Path, column: str, notes: list[str]) -> pd.Series:
    """Local stamps whose offsets differ by at most an hour (one zone across a change of
    summer time, as ``to_csv`` writes a tz-aware index): the offsets are dropped, the local
    dates kept.  Offsets further apart are different places: an error."""
    pattern = r"([+-])(\d{2}):?(\d{2})$|Z$"
    parts = text.str.extract(pattern)
    bare = parts.isna().all(axis=1) & ~text.str.endswith("Z")  # no offset at all
    if bool(bare.any()):
        raise DataError(
            f"{path}: column {column!r}: some dates have a time-zone offset and some do not; "
            "give every date in one form"
        )
    sign = np.where(parts[0] == "-", -1, 1)
    minutes = sign * (
        pd.to_numeric(parts[1]).fillna(0).to_numpy() * 60
        + pd.to_numeric(parts[2]).fillna(0).to_numpy()
    )
    if minutes.max() - minutes.min() > 60:
        i, j = int(np.argmin(minutes)), int(np.argmax(minutes))
        raise DataError(
            f"{path}: column {column!r}: dates in mixed time zones ({text.iloc[i]!r} at "
            f"{_at(path, i)}, {text.iloc[j]!r} at {_at(path, j)}); give the exchange's local dates"
        )
    notes.append(
        f"column {column!r}: time-zone offsets dropped, one zone across summer time "
        "(local dates kept)"
    )
    return pd.to_datetime(
        text.str.replace(pattern, "", regex=True), format="ISO8601", errors="coerce"
    )


def _check_years(text: pd.Series, path: Path, column: str) -> None:
    """A year pandas cannot hold (before 1678 or after 2261: a typo such as 0202, or a
    sentinel such as 9999-12-31) is named, with its line, instead of pandas' bounds error."""
    years = pd.to_numeric(text.str.extract(r"^(\d{4})-", expand=False), errors="coerce")
    out = np.flatnonzero(((years < 1678) | (years > 2261)).to_numpy())
    if out.size:
        row = int(out[0])
        raise DataError(
            f"{path}: column {column!r}: date {text.iloc[row]!r} at {_at(path, row)} is outside "
            f"the years 1678-2261 ({out.size} such dates); a typo or a placeholder?"
        )


def _check_order(index: pd.DatetimeIndex, path: Path, column: str) -> None:
    dup = index.duplicated()
    if dup.any():
        first = index[np.flatnonzero(dup)[0]]
        raise DataError(
            f"{path}: column {column!r}: duplicate date {first:%Y-%m-%d} "
            f"({int(dup.sum())} duplicated rows); each date may appear once"
        )
    values = index.asi8
    down = np.flatnonzero(np.diff(values) < 0)
    if down.size:
        i = int(down[0]) + 1
        raise DataError(
            f"{path}: column {column!r}: dates not in ascending order: {index[i]:%Y-%m-%d} "
            f"({_at(path, i)}) comes after {index[i - 1]:%Y-%m-%d}; sort the file by date"
        )


def _numeric_column(
    raw: pd.Series, dates: pd.DatetimeIndex, path: Path, column: str, *, missing_ok: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Return (values, holiday mask); raise on non-numeric, empty or NaN cells (NaN kept
    when ``missing_ok``)."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
        marker = np.zeros(len(values), dtype=bool)
    elif (fast := _finite_numbers(raw)) is not None:
        values = fast
        marker = np.zeros(len(values), dtype=bool)
    else:
        text = raw.astype(str).str.strip()
        marker = text.isin(HOLIDAY_MARKERS).to_numpy()
        values = pd.to_numeric(text.where(~marker, "nan"), errors="coerce").to_numpy("float64")
        bad_text = np.flatnonzero(np.isnan(values) & ~marker & ~text.isin(["", "nan", "NaN", "NA"]))
        if bad_text.size:
            i = int(bad_text[0])
            raise DataError(
                f"{path}: column {column!r}: non-numeric value {text.iloc[i]!r} on "
                f"{dates[i]:%Y-%m-%d} ({_at(path, i)}; {bad_text.size} such cell{'s' if bad_text.size != 1 else ''})"
            )
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        i = int(infinite[0])
        cell = raw.iloc[i]
        raise DataError(
            f"{path}: column {column!r}: non-finite value {str(cell).strip()!r} on "
            f"{dates[i]:%Y-%m-%d} ({_at(path, i)}; {infinite.size} such cell{'s' if infinite.size != 1 else ''}): infinite or beyond "
            "the range of a float"
        )
    at_zero = np.flatnonzero(values == 0)
    if at_zero.size and not pd.api.types.is_numeric_dtype(raw.dtype):  # rare: cells read as 0
        written = pd.Series(raw.to_numpy()[at_zero]).astype(str).str.strip()
        lost = at_zero[~written.str.fullmatch(r"[+-]?(0+\.?0*|\.0+)([eE][+-]?\d+)?").to_numpy()]
        if lost.size:  # a non-zero number below the smallest float (1e-400): not a zero
            i = int(lost[0])
            raise DataError(
                f"{path}: column {column!r}: value {str(raw.iloc[i]).strip()!r} on "
                f"{dates[i]:%Y-%m-%d} ({_at(path, i)}; {lost.size} such "
                f"cell{'s' if lost.size != 1 else ''}) is too small for a float and would "
                "read as 0"
            )
    missing = np.flatnonzero(np.isnan(values) & ~marker)
    if missing.size and not missing_ok:
        i = int(missing[0])
        raise DataError(
            f"{path}: column {column!r}: missing value (empty or NaN) on {dates[i]:%Y-%m-%d} "
            f"({_at(path, i)}; {missing.size} such cell{'s' if missing.size != 1 else ''}). Remove the row, or use {sorted(HOLIDAY_MARKERS)} "
            "for a documented holiday"
        )
    return values, marker


def _choose_value_columns(
    raw: pd.DataFrame,
    date_col: str,
    columns: Sequence[str] | None,
    path: Path,
    preference: Sequence[str] = _VALUE_PREFERENCE,
) -> list[str]:
    others = [str(c) for c in raw.columns if str(c) != date_col]
    if columns is not None:
        unknown = [c for c in columns if c not in others]
        if unknown:
            raise DataError(f"{path}: no column {unknown[0]!r}; value columns are {others}")
        return list(columns)
    if len(others) == 1:
        return others
    lowered = {c.lower(): c for c in others}
    for name in preference:
        if name in lowered:
            return [lowered[name]]
    raise DataError(
        f"{path}: ambiguous value column: {others}; choose one: NAME[column] on the command "
        f'line, column=... in Python, `column = "..."` in a study'
    )


def read_table(
    path: Path,
    *,
    columns: Sequence[str] | None = None,
    all_columns: bool = False,
    kind: SeriesKind = "level",
    display: str | None = None,
    drop_missing: bool = False,
    preference: Sequence[str] = _VALUE_PREFERENCE,
) -> ParsedTable:
    """Read and validate ``path``.

    Parameters
    ----------
    path
        CSV or Parquet file with a date column.
    columns
        Value columns to read. ``None``: the only non-date column, else the first of
        ``value``, ``close``, ``adj_close``, ``price``; ambiguous files raise.
    all_columns
        Read every non-date column (for factor tables).
    kind
        ``"price"`` requires strictly positive values and flags |daily return| > 50 %
        with :class:`~eventstudy.exceptions.SuspiciousJumpWarning`; ``"level"`` (yields,
        spreads, factors) allows any real value.
    display
        Name used in messages instead of the full path.
    drop_missing
        A fetched cache file (``<root>/cache``), whose columns a provider fills unevenly:
        rows with an empty cell in a selected column are dropped and counted
        (``dropped["missing_value"]``, with a note naming the count per column) instead of
        raising.  Snapshot files keep the strict rule (an empty cell is an error).
    preference
        The value columns tried in order when ``columns`` is None and the file has several
        (default ``value``, ``close``, ``adj_close``, ``price``; a Yahoo stock's loader puts
        ``adj_close`` first).

    Returns
    -------
    ParsedTable
        float64 columns on an ascending, unique ``DatetimeIndex`` named ``date``; rows
        holding a holiday marker in every selected column are dropped and counted.

    Raises
    ------
    DataFileNotFoundError, DataError
        As listed in the module docstring.
    """
    path = Path(path)
    shown = Path(display) if display else path
    return parse_table(
        _read_bytes(path, shown),
        path,
        columns=columns,
        all_columns=all_columns,
        kind=kind,
        display=display,
        drop_missing=drop_missing,
        preference=preference,
    )


def parse_table(
    data: bytes,
    path: Path,
    *,
    columns: Sequence[str] | None = None,
    all_columns: bool = False,
    kind: SeriesKind = "level",
    display: str | None = None,
    drop_missing: bool = False,
    preference: Sequence[str] = _VALUE_PREFERENCE,
) -> ParsedTable:
    """:func:`read_table` on a file's bytes (``path`` gives the format by its suffix, and the
    name in messages): what a fetch is about to write is checked as it will be read."""
    path = Path(path)
    shown = Path(display) if display else path
    suffix = _suffix(path, shown)
    header = _read_header(data, suffix, shown)
    date_col = _date_column(header, shown)
    if all_columns:
        value_cols = [str(c) for c in header.columns if str(c) != date_col]
    else:
        value_cols = _choose_value_columns(header, date_col, columns, shown, preference)
    if suffix != ".parquet":
        _check_fields(data, shown, len(header.columns))
    raw = _read_raw(data, suffix, shown, usecols=[date_col, *value_cols])
    notes: list[str] = []
    dates = _parse_dates(raw[date_col], shown, date_col, notes)
    _check_order(dates, shown, date_col)
    parsed: dict[str, np.ndarray] = {}
    markers = np.zeros(len(dates), dtype=bool)
    for col in value_cols:
        values, marker = _numeric_column(raw[col], dates, shown, col, missing_ok=drop_missing)
        parsed[col] = values
        markers |= marker
    frame = pd.DataFrame(parsed, index=pd.DatetimeIndex(dates, name="date"))
    dropped: dict[str, int] = {}
    if markers.any():
        partial = frame[markers].notna().any(axis=1)
        if bool(partial.any()):
            when = frame.index[markers][np.flatnonzero(partial.to_numpy())[0]]
            raise DataError(
                f"{shown}: holiday marker in some but not all columns on {when:%Y-%m-%d}"
            )
        frame = frame[~markers]
        dropped["holiday_marker"] = int(markers.sum())
    if drop_missing:
        empty = frame.isna()
        gone = empty.any(axis=1)
        if bool(gone.any()):
            per = {str(c): int(n) for c, n in empty.sum().items() if n}
            notes.append(
                f"{int(gone.sum())} row(s) without a value dropped (empty cells: "
                + ", ".join(f"column {c!r} {n}" for c, n in per.items())
                + ")"
            )
            frame = frame[~gone]
            dropped["missing_value"] = int(gone.sum())
    if frame.empty:
        raise DataError(f"{shown}: no observations in column(s) {value_cols}")
    if kind == "price":
        _check_prices(frame, shown)
    return ParsedTable(
        frame=frame,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        dropped=dropped,
        notes=tuple(notes),
    )


def _check_prices(frame: pd.DataFrame, shown: Path) -> None:
    for col in frame.columns:
        values = frame[col].to_numpy()
        bad = np.flatnonzero(values <= 0)
        if bad.size:
            i = int(bad[0])
            raise DataError(
                f"{shown}: column {col!r}: non-positive price {values[i]:g} on "
                f"{frame.index[i]:%Y-%m-%d} ({bad.size} such row{'s' if bad.size != 1 else ''}); prices must be > 0"
            )
        ret = values[1:] / values[:-1] - 1.0
        jumps = np.flatnonzero(np.abs(ret) > JUMP_LIMIT)
        near = np.flatnonzero((ret < -SPLIT_LIMIT) & (ret >= -JUMP_LIMIT))
        if near.size:
            ratio = ret[near, None] + 1.0
            off = np.abs(ratio / _SPLIT_RATIOS - 1.0)
            split = off.min(axis=1) < 0.01
            if split.any():
                hits = near[split]
                fractions = _SPLIT_RATIOS[off[split].argmin(axis=1)]
                listed = ", ".join(
                    f"{frame.index[j + 1]:%Y-%m-%d} ({ret[j]:+.1%}, a ratio near {_fraction(f)})"
                    for j, f in zip(hits[:_MAX_LISTED], fractions, strict=False)
                )
                warnings.warn(
                    f"{shown}: column {col!r}: {hits.size} daily fall(s) beyond "
                    f"-{SPLIT_LIMIT:.0%} at a split ratio: {listed}; likely an unadjusted "
                    "stock split. Check the data (use split-adjusted prices); silence with "
                    "warnings.filterwarnings('ignore', category=SuspiciousJumpWarning)",
                    SuspiciousJumpWarning,
                    stacklevel=find_stack_level(),
                )
        if jumps.size:
            listed = ", ".join(
                f"{frame.index[j + 1]:%Y-%m-%d} ({ret[j]:+.1%})" for j in jumps[:_MAX_LISTED]
            )
            warnings.warn(
                f"{shown}: column {col!r}: {jumps.size} daily move(s) beyond "
                f"±{JUMP_LIMIT:.0%}: {listed}. Check the data; silence with "
                "warnings.filterwarnings('ignore', category=SuspiciousJumpWarning)",
                SuspiciousJumpWarning,
                stacklevel=find_stack_level(),
            )


def _fraction(value: float) -> str:
    """``0.5`` as ``"1/2"`` (a split ratio p/q with p, q up to 10)."""
    from fractions import Fraction

    f = Fraction(value).limit_denominator(10)
    return f"{f.numerator}/{f.denominator}"
