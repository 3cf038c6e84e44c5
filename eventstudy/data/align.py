"""Align several series on their common trading days."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.data.records import LoadedSeries, SeriesInfo
from eventstudy.exceptions import DataError

__all__ = ["AlignedData", "align", "find_gaps", "first_change_after", "sparse_stretches"]


@dataclass(frozen=True, slots=True)
class AlignedData:
    """Series on common dates (inner join).

    Attributes
    ----------
    frame
        float64 DataFrame, one column per alias, ascending ``DatetimeIndex``.
    infos
        Provenance of each aliased series.
    dropped
        Per alias, how many of its dates were dropped because another series lacked them.
    """

    frame: pd.DataFrame
    infos: Mapping[str, SeriesInfo]
    dropped: Mapping[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """Text summary: common range and dropped dates."""
        idx = self.frame.index
        lines = [f"{len(idx)} common dates {idx[0]:%Y-%m-%d} .. {idx[-1]:%Y-%m-%d}"]
        for alias, info in self.infos.items():
            lines.append(
                f"  {alias}: {info.name} [{info.source}] {info.first}..{info.last}, {info.rows} rows,"
                f" {self.dropped.get(alias, 0)} dropped in alignment"
            )
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The aligned data."""
        return self.frame


def align(
    series: Mapping[str, LoadedSeries],
    *,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> AlignedData:
    """Inner-join ``series`` on common dates, optionally restricted to ``[start, end]``.

    Parameters
    ----------
    series
        Alias -> loaded series.
    start, end
        Inclusive date bounds applied after the join. The joined data must cover them: a
        series starting more than a week after ``start`` (or ending more than a week before
        ``end``) raises; within a week (a bound on a weekend or holiday) the sample simply
        starts at the first common date.
        Without ``end``, a series that ends more than a week before the others raises
        (naming it and its last date): it would cut the whole sample short unseen; an
        explicit ``end`` accepts the shorter sample.

    Raises
    ------
    DataError
        Empty input, no common dates, or a requested range the data does not cover
        (naming the series that limits it).
    """
    if not series:
        raise DataError("align needs at least one series")
    frame = pd.concat({k: v.data for k, v in series.items()}, axis=1, join="inner")
    frame = frame.astype("float64")
    if frame.empty:
        raise DataError(f"series {list(series)} have no date in common")
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    for alias, s in series.items():
        first, last = s.data.index[0], s.data.index[-1]
        if lo is not None and first > lo + pd.Timedelta(days=7):
            raise DataError(
                f"series {alias!r} ({s.info.name}) starts {first:%Y-%m-%d}, after the requested "
                f"start {lo:%Y-%m-%d}; choose a later start or a longer source (e.g. a splice)"
            )
        if hi is not None and last < hi - pd.Timedelta(days=7):
            raise DataError(
                f"series {alias!r} ({s.info.name}) ends {last:%Y-%m-%d}, before the requested "
                f"end {hi:%Y-%m-%d}"
            )
    if hi is None and len(series) > 1:
        # without an explicit end, one series that stops early would cut every other short
        lasts = {alias: s.data.index[-1] for alias, s in series.items()}
        latest = max(lasts.values())
        short = {a: d for a, d in lasts.items() if d < latest - pd.Timedelta(days=7)}
        if short:
            alias = min(short, key=lambda a: short[a])
            info = series[alias].info
            raise DataError(
                f"series {alias!r} ({info.name}) ends on {short[alias]:%Y-%m-%d}, before the "
                f"others (latest {latest:%Y-%m-%d}): the aligned sample would stop there. Set "
                f"[data] end = {short[alias]:%Y-%m-%d} to accept the shorter sample, or use a "
                "longer source (e.g. a splice)"
            )
    joined = frame.index
    if lo is not None:
        frame = frame.loc[frame.index >= lo]
    if hi is not None:
        frame = frame.loc[frame.index <= hi]
    if frame.empty:
        asked = (
            f"{'' if lo is None else f'{lo:%Y-%m-%d}'}..{'' if hi is None else f'{hi:%Y-%m-%d}'}"
        )
        raise DataError(
            f"the requested start/end {asked} hold no common date of the series, which have "
            f"common dates {joined[0]:%Y-%m-%d}..{joined[-1]:%Y-%m-%d}"
        )
    dropped = {}
    for alias, s in series.items():
        idx = s.data.index
        inside = idx[(idx >= frame.index[0]) & (idx <= frame.index[-1])]
        dropped[alias] = int(len(inside) - len(frame))
    return AlignedData(frame=frame, infos={k: v.info for k, v in series.items()}, dropped=dropped)


def find_gaps(index: pd.DatetimeIndex, *, days: int = 5) -> pd.DataFrame:
    """Gaps of more than ``days`` calendar days between consecutive dates.

    Returns
    -------
    DataFrame
        Columns ``from``, ``to``, ``days`` (calendar days between the two dates).
    """
    idx = pd.DatetimeIndex(index)
    if len(idx) < 2:
        return pd.DataFrame(columns=["from", "to", "days"])
    delta = (idx[1:] - idx[:-1]).days
    mask = delta > days
    return pd.DataFrame(
        {"from": idx[:-1][mask], "to": idx[1:][mask], "days": delta[mask].astype(int)}
    ).reset_index(drop=True)


SPARSE_GAP_DAYS = 5
"""A gap of more than this many calendar days between consecutive dates is not a daily step
(a weekend and a holiday make 4; the longest market closure of the daily snapshot, 2001-09-10
to 09-17, 7 is a lone gap, not a run)."""

SPARSE_RUN = 3
"""Consecutive non-daily gaps that make a non-daily stretch (a weekly or monthly history)."""


def sparse_stretches(index: pd.DatetimeIndex) -> pd.DataFrame:
    """Stretches of ``index`` that are not daily: runs of at least :data:`SPARSE_RUN`
    consecutive gaps of more than :data:`SPARSE_GAP_DAYS` calendar days (month-end or weekly
    history).  Horizons and windows count rows, so on such a stretch "21 days" would be 21
    months; a lone long gap (a market closure, a hole) is not a stretch (:func:`find_gaps`
    lists those).

    Returns
    -------
    DataFrame
        One row per stretch: ``first`` and ``last`` (its first and last dates), ``rows``
        (dates in it) and ``median_gap`` (median calendar days between them).
    """
    idx = pd.DatetimeIndex(index)
    cols = ["first", "last", "rows", "median_gap"]
    if len(idx) < SPARSE_RUN + 1:
        return pd.DataFrame(columns=cols)
    gap = (idx[1:] - idx[:-1]).days.to_numpy()
    sparse = np.concatenate([[False], gap > SPARSE_GAP_DAYS, [False]]).astype(np.int8)
    edges = np.diff(sparse)
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # gap runs
    rows = []
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):  # gaps a..b-1: dates a..b
        if b - a >= SPARSE_RUN:
            rows.append((idx[a], idx[b], b - a + 1, float(np.median(gap[a:b]))))
    return pd.DataFrame(rows, columns=cols)


def first_change_after(changes: pd.Series, since: Any) -> pd.Timestamp | None:
    """The date of the first defined value of ``changes`` when it is after ``since``.

    ``changes`` are N-row changes of a series (an N-day return: NaN on its first N rows).  A
    record "since" a date (the signal ``move`` with ``since``, the fact ``move`` with
    ``since``) compares the changes from that date on; it is judged as asked only when the
    first change is dated on or before ``since``.  Otherwise it would silently be judged on
    the changes from this date on (a series that starts after ``since``, or within N rows
    before it), and the caller refuses it, naming the date returned.  ``None``: covered (or
    no change at all, which the caller reports its own way).
    """
    held = changes.index[changes.notna().to_numpy()]
    if not len(held):
        return None
    first = pd.Timestamp(held[0])
    return first if first > pd.Timestamp(since) else None
