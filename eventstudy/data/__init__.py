"""Data store: validated loading, splicing and alignment of market data."""

from eventstudy.data.align import (
    AlignedData,
    align,
    find_gaps,
    first_change_after,
    sparse_stretches,
)
from eventstudy.data.records import LoadedFrame, LoadedSeries, SeriesInfo
from eventstudy.data.splice import SpliceReport, splice_series
from eventstudy.data.store import DATA_ENV_VAR, DataStore, resolve_data_dir

__all__ = [
    "DATA_ENV_VAR",
    "AlignedData",
    "DataStore",
    "LoadedFrame",
    "LoadedSeries",
    "SeriesInfo",
    "SpliceReport",
    "align",
    "find_gaps",
    "first_change_after",
    "resolve_data_dir",
    "sparse_stretches",
    "splice_series",
]
