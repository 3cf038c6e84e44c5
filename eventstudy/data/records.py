"""Provenance records kept for every loaded series (they feed the run record)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["LoadedFrame", "LoadedSeries", "SeriesInfo"]


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """Where a series came from and what was done to it.

    Attributes
    ----------
    name
        Name it was requested by (``"yahoo:RUT"``, a path, or a splice expression).
    source
        File path(s) relative to the data directory when possible.
    column
        The value column read.
    first, last
        First and last date (ISO strings).
    rows
        Number of observations kept.
    sha256
        Fingerprint of the file bytes (for a splice, of the sources' fingerprints).
    dropped
        Rows dropped while loading, by reason (e.g. ``{"holiday_marker": 12}``).
    notes
        Free-text notes (splice join, agreement, ...).
    """

    name: str
    source: str
    column: str
    first: str
    last: str
    rows: int
    sha256: str
    dropped: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        name: str,
        index: pd.Index,
        *,
        source: str,
        column: str,
        sha256: str,
        dropped: Mapping[str, int] | None = None,
        rows: int | None = None,
        notes: tuple[str, ...] = (),
    ) -> SeriesInfo:
        """Record for data on ``index`` (first/last date from it; rows default to its length)."""
        return cls(
            name=name,
            source=source,
            column=column,
            first=f"{index[0]:%Y-%m-%d}",
            last=f"{index[-1]:%Y-%m-%d}",
            rows=len(index) if rows is None else rows,
            sha256=sha256,
            dropped=dict(dropped or {}),
            notes=notes,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (stable key order)."""
        return {
            "name": self.name,
            "source": self.source,
            "column": self.column,
            "first": self.first,
            "last": self.last,
            "rows": self.rows,
            "sha256": self.sha256,
            "dropped": dict(sorted(self.dropped.items())),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class LoadedSeries:
    """A validated float64 series on an ascending ``DatetimeIndex`` plus its provenance."""

    data: pd.Series
    info: SeriesInfo

    def summary(self) -> str:
        """One-paragraph text summary."""
        i = self.info
        dropped = ", ".join(f"{k}: {v}" for k, v in sorted(i.dropped.items())) or "none"
        return (
            f"{i.name} ({i.source}, column {i.column!r}): {i.rows} rows {i.first} .. {i.last}; "
            f"dropped {dropped}; sha256 {i.sha256[:12]}"
        )

    def to_frame(self) -> pd.DataFrame:
        """The data as a one-column DataFrame named after the series."""
        return self.data.to_frame(self.info.name)


@dataclass(frozen=True, slots=True)
class LoadedFrame:
    """A validated float64 DataFrame (several columns, or a wide stock panel) plus provenance."""

    data: pd.DataFrame
    info: SeriesInfo

    def summary(self) -> str:
        """One-line text summary."""
        i = self.info
        return (
            f"{i.name} ({i.source}): {i.rows} rows x {self.data.shape[1]} columns "
            f"{i.first} .. {i.last}; sha256 {i.sha256[:12]}"
        )

    def to_frame(self) -> pd.DataFrame:
        """The data itself."""
        return self.data
