"""Average cumulative-return path around events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from eventstudy._frozen import readonly_array
from eventstudy._typing import ChangeKind
from eventstudy._units import fmt_cell
from eventstudy._validation import check_choice, check_float, check_int
from eventstudy.evaluation.returns import KINDS, move, validate_prices
from eventstudy.exceptions import DataError
from eventstudy.inference._common import as_positions
from eventstudy.inference._numerics import t_quantile

__all__ = ["PathResult", "average_path", "event_positions_on", "sample_stamp"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PathResult:
    """Mean cumulative return relative to the event-day close, per day offset.

    Attributes
    ----------
    offsets
        Trading-day offsets ``-pre .. post``, shape ``(K,)``.
    mean, std, lower, upper
        Mean across events, standard deviation, and the band per offset, shape ``(K,)``.
    n
        Events with data at each offset, shape ``(K,)``.
    drift
        Unconditional mean k-day return over the dates t of the sample (``P[t+k] / P[t] -
        1``) per offset k, shape ``(K,)``: the path of a random date.
    band
        Band level, e.g. 0.95.
    band_method
        How the band is computed.
    kind
        ``"simple"`` or ``"log"``.
    n_events
        Events given.
    units
        How the text and notebook views show the path: ``"return"`` (percent), ``"bp"`` or
        ``"points"`` (changes of a level; a ``"change"`` path left at ``"return"`` shows in
        points).  A study sets it from the target.

    The arrays are read-only.
    """

    offsets: npt.NDArray[np.int64]
    mean: FloatArray
    std: FloatArray
    lower: FloatArray
    upper: FloatArray
    n: npt.NDArray[np.int64]
    drift: FloatArray
    band: float
    band_method: str
    kind: str
    n_events: int
    units: str = "return"

    def __post_init__(self) -> None:
        for name in ("offsets", "mean", "std", "lower", "upper", "n", "drift"):
            object.__setattr__(self, name, readonly_array(getattr(self, name)))

    def to_frame(self) -> pd.DataFrame:
        """Tidy statistics, one row per offset (the estimate: the mean path at that offset):
        ``offset``, ``mean``, ``std``, ``lower``, ``upper``, ``n``, ``drift``, ``applicable``
        (``False`` when fewer than two events have data there) and ``reason`` (why ``std`` and
        the band, or the mean too, are NaN; empty when applicable)."""
        n = self.n
        return pd.DataFrame(
            {
                "offset": self.offsets,
                "mean": self.mean,
                "std": self.std,
                "lower": self.lower,
                "upper": self.upper,
                "n": self.n,
                "drift": self.drift,
                "applicable": n >= 2,
                "reason": np.where(
                    n == 0,
                    "no event has data at this offset",
                    np.where(n == 1, "a single event at this offset: no band", ""),
                ),
            }
        )

    def summary(self) -> str:
        """Text summary with the mean path at the last offset."""
        k = int(self.offsets[-1])
        u = self._shown_in()
        return (
            f"Average {self.kind} path of {self.n_events} events, offsets "
            f"{int(self.offsets[0])}..{k}: at +{k} mean {fmt_cell(self.mean[-1], u)} "
            f"[{fmt_cell(self.lower[-1], u)}, {fmt_cell(self.upper[-1], u)}] "
            f"(n={int(self.n[-1])}), unconditional drift {fmt_cell(self.drift[-1], u)}; "
            f"band: {self.band_method}"
        )

    def _shown_in(self) -> str:
        """Units of the views: a change of a level is never a percentage."""
        return "points" if self.kind == "change" and self.units == "return" else self.units

    def _repr_html_(self) -> str:
        """Notebook view: the summary, then offset, n and the mean, band and drift in the
        path's units (percent for returns; at most 30 rows)."""
        u = self._shown_in()
        table = pd.DataFrame(
            {
                "offset": self.offsets,
                "n": self.n,
                "mean": [fmt_cell(x, u) for x in self.mean],
                "lower": [fmt_cell(x, u) for x in self.lower],
                "upper": [fmt_cell(x, u) for x in self.upper],
                "drift": [fmt_cell(x, u) for x in self.drift],
            }
        )
        return f"<p>{self.summary()}</p>" + table.to_html(index=False, max_rows=30)


def average_path(
    prices: pd.Series,
    event_positions: Any,
    *,
    pre: int = 21,
    post: int = 252,
    kind: ChangeKind = "simple",
    band: float = 0.95,
    relative_to: pd.Series | None = None,
    start: Any = None,
    end: Any = None,
) -> PathResult:
    """Mean cumulative return from ``-pre`` to ``+post`` trading days around each event.

    For event at t and offset k the path value is ``P[t+k] / P[t] - 1`` (``log`` for
    ``kind="log"``, ``P[t+k] - P[t]`` for the level of ``kind="change"``), so it is 0 at
    offset 0; with ``relative_to`` (B), ``P[t+k] / P[t] - B[t+k] / B[t]``: the difference of
    the two returns, the path of a relative target in ``"difference"`` mode (a path of the
    ratio P / B is the ``"ratio"`` mode's).  Events near the edges contribute where data
    exists (per-offset ``n``).  The band is ``mean +/- t_{(1+band)/2, n-1} * sd / sqrt(n)``
    per offset: it treats events as independent (overlapping events make it too narrow).

    Parameters
    ----------
    prices
        Price levels on an ascending DatetimeIndex, finite and > 0.
    event_positions
        The events: an :class:`~eventstudy.events.EventTable` (its positions, after checking
        that its dates are the dates of ``prices`` there) or its ``positions`` (checked the
        same way), event dates (each must be a date of ``prices``), or sorted unique integer
        positions: rows of ``prices`` itself, unchecked (bare integers carry no calendar;
        pass the EventTable or its dates when the events were found on other data).
    pre, post
        Days before and after the event (>= 0).
    kind
        ``"simple"``, ``"log"`` or ``"change"``.
    band
        Band level in (0, 1).
    relative_to
        Prices of a second series on the same dates: the path is then the difference of the
        two series' returns (``kind`` ``"simple"`` or ``"log"``).
    start, end
        The evaluation sample (dates, None for open ends): the drift is the mean path of the
        dates inside it, as the baseline of :func:`~eventstudy.evaluation.evaluate` is, so at
        offset h it equals the baseline mean of horizon h.

    Returns
    -------
    PathResult
        Offsets with fewer than 2 events have NaN std and band.

    Raises
    ------
    DataError
        An EventTable found on another calendar than ``prices`` or an event date missing
        from it (names the first such date); positions out of range, unsorted or repeated.
    TypeError
        Positions that are not integers; a time-zone mismatch between ``prices`` and the
        event dates or ``start``/``end``.
    """
    check_choice("kind", kind, KINDS)
    p = validate_prices("prices", prices, positive=kind != "change").to_numpy()
    q = relative_prices(prices, relative_to, kind)
    pre = check_int("pre", pre, minimum=0)
    post = check_int("post", post, minimum=0)
    band = check_float("band", band, minimum=0.0, maximum=1.0, strict_minimum=True)
    if band >= 1.0:
        raise ValueError(f"band must be < 1, got {band}")
    pos = as_positions(event_positions_on(prices.index, event_positions, "prices"), p.size)
    offsets = np.arange(-pre, post + 1, dtype=np.int64)
    idx = pos[:, None] + offsets[None, :]  # (n_events, K)
    valid = (idx >= 0) & (idx < p.size)
    safe = np.clip(idx, 0, p.size - 1)
    paths = np.where(valid, move(p[safe], p[pos][:, None], kind), np.nan)
    if q is not None:
        paths -= move(q[safe], q[pos][:, None], kind)
    n = valid.sum(axis=0).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.nansum(paths, axis=0)
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        dev2 = np.nansum((paths - mean[None, :]) ** 2, axis=0)
        std = np.where(n > 1, np.sqrt(dev2 / np.maximum(n - 1, 1)), np.nan)
        tq = t_quantile(0.5 + band / 2.0, np.maximum(n - 1, 1))
        half = np.where(n > 1, tq * std / np.sqrt(np.maximum(n, 1)), np.nan)
    dates = pd.DatetimeIndex(prices.index)
    lo = (
        0
        if start is None
        else int(dates.searchsorted(sample_stamp("start", start, dates, "prices")))
    )
    hi = (
        p.size
        if end is None
        else int(dates.searchsorted(sample_stamp("end", end, dates, "prices"), side="right"))
    )
    drift = _drift(p, offsets, kind, lo, hi)
    if q is not None:
        drift = drift - _drift(q, offsets, kind, lo, hi)
    return PathResult(
        offsets=offsets,
        mean=mean,
        std=std,
        lower=mean - half,
        upper=mean + half,
        n=n,
        drift=drift,
        band=band,
        band_method=f"mean +/- t(n-1) quantile x sd / sqrt(n) per offset ({band:.0%}, "
        "events treated as independent)",
        kind=kind,
        n_events=int(pos.size),
    )


def _tz_text(tz: Any) -> str:
    return "tz-naive" if tz is None else f"tz-aware ({tz})"


def sample_stamp(name: str, value: Any, index: pd.Index, owner: str) -> pd.Timestamp:
    """``value`` as a Timestamp comparable with ``index`` (the error names ``name`` and
    suggests ``tz_localize(None)`` when one is tz-aware and the other is not)."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a date, got {value!r}") from exc
    index_tz = getattr(index, "tz", None)
    if (stamp.tz is None) != (index_tz is None):
        raise TypeError(
            f"{name} {value!r} is {_tz_text(stamp.tz)} but the index of {owner} is "
            f"{_tz_text(index_tz)}: make {owner} naive with {owner}.tz_localize(None) (or give "
            f"a {'naive' if stamp.tz is not None else 'tz-aware'} {name})"
        )
    return stamp


def _is_dates(arr: np.ndarray) -> bool:
    if arr.dtype.kind == "M":
        return True
    if arr.dtype.kind in "OUS" and arr.size:
        return all(isinstance(x, str | dt.date | np.datetime64) for x in arr.tolist())
    return False


def event_positions_on(index: pd.Index, events: Any, owner: str) -> Any:
    """Integer positions into ``index`` of ``events``: an EventTable, its ``positions``
    (an :class:`~eventstudy.events.EventPositions` that carries the dates), event dates, or
    bare integer positions (rows of ``index`` itself, returned as given and checked later
    by ``as_positions`` for range and order only: nothing tells which calendar they came
    from).

    An EventTable's positions are used, and its dates must be the dates of ``index`` at
    those positions (when ``index`` holds dates); dates are looked up by exact match.

    Raises
    ------
    DataError
        An EventTable found on another calendar than ``index`` (names the first mismatching
        date); an event date that is not a date of ``index`` (names the first one).
    TypeError
        Dates against an index of no dates, or a time-zone mismatch.
    """
    carried = getattr(events, "event_dates", None)  # EventTable.positions know their dates
    if isinstance(events, np.ndarray) and carried is not None:
        return _on_calendar(index, np.asarray(events, dtype=np.int64), carried, owner)
    if hasattr(events, "dates") and hasattr(events, "positions"):  # an EventTable
        pos = np.asarray(events.positions, dtype=np.int64)
        return _on_calendar(index, pos, getattr(events, "dates", None), owner)
    return _positions_or_dates(index, events, owner)


def _on_calendar(index: pd.Index, pos: np.ndarray, ev_dates: Any, owner: str) -> np.ndarray:
    """``pos`` after checking that ``index`` holds the events' dates there."""
    if not isinstance(index, pd.DatetimeIndex) or ev_dates is None or not len(pos):
        return pos
    ev_dates = pd.DatetimeIndex(ev_dates)
    if (ev_dates.tz is None) != (index.tz is None):
        raise TypeError(
            f"the events' dates are {_tz_text(ev_dates.tz)} but the index of {owner} is "
            f"{_tz_text(index.tz)}: use {owner}.tz_localize(None) (and naive data for "
            "the signal)"
        )
    inside = (pos >= 0) & (pos < len(index))
    at = pd.DatetimeIndex(index[np.clip(pos, 0, max(len(index) - 1, 0))])
    bad = ~inside | (at != ev_dates)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        found = f"{at[i]:%Y-%m-%d}" if inside[i] else f"beyond its last date ({len(index)})"
        raise DataError(
            f"the events were found on another calendar than {owner}: event {i} is dated "
            f"{ev_dates[i]:%Y-%m-%d} (position {int(pos[i])}) but {owner} has {found} at "
            f"that position; compute {owner} on the data the events were found on (e.g. "
            "the aligned frame), or pass the events' dates (events.dates) to map them by "
            "date"
        )
    return pos


def _positions_or_dates(index: pd.Index, events: Any, owner: str) -> Any:
    """Event dates looked up in ``index``, or integer positions returned as given."""
    if isinstance(events, pd.Series):
        events = events.to_numpy()
    arr = events.to_numpy() if isinstance(events, pd.Index) else np.asarray(events)
    if arr.ndim != 1 or not _is_dates(arr):
        return events
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(
            f"events given as dates need {owner} indexed by dates, got a {type(index).__name__}"
        )
    try:
        ev = pd.DatetimeIndex(pd.to_datetime(arr))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"event dates could not be read as dates: {exc}") from exc
    if (ev.tz is None) != (index.tz is None):
        raise TypeError(
            f"the event dates are {_tz_text(ev.tz)} but the index of {owner} is "
            f"{_tz_text(index.tz)}: make both naive, e.g. {owner}.tz_localize(None)"
        )
    if bool((index == index.normalize()).all()):  # daily data: a time of day is that day
        ev = ev.normalize()
    ev = ev.sort_values().unique()  # the events, not the order they were given in
    pos = index.get_indexer(ev)
    if (pos < 0).any():
        missing = np.flatnonzero(pos < 0)
        raise DataError(
            f"event date {ev[int(missing[0])]:%Y-%m-%d} is not a date of {owner} "
            f"({len(missing)} of {len(ev)} event dates are not; dates must match exactly, "
            "trading days of the same calendar)"
        )
    return pos.astype(np.int64)


def relative_prices(
    prices: pd.Series, relative_to: pd.Series | None, kind: str
) -> npt.NDArray[np.float64] | None:
    """The prices of ``relative_to`` (checked: prices on the same dates), or None."""
    if relative_to is None:
        return None
    if kind == "change":
        raise ValueError("relative_to goes with returns (kind 'simple' or 'log'), not changes")
    q = validate_prices("relative_to", relative_to)
    if not q.index.equals(prices.index):
        raise ValueError("relative_to must be on the same dates as prices")
    return q.to_numpy(dtype=np.float64)


def _drift(
    p: FloatArray, offsets: npt.NDArray[np.int64], kind: str, lo: int, hi: int
) -> FloatArray:
    """Mean of ``P[t+k] / P[t] - 1`` (or its log, or ``P[t+k] - P[t]``) over every t in
    ``lo .. hi - 1`` where both exist, per offset k.

    A loop over offsets (not over dates), each one vectorized pass.
    """
    out = np.full(offsets.size, np.nan)
    t = p.size
    for j, k in enumerate(offsets.tolist()):  # one vectorized pass per offset
        first, stop = max(lo, -k), min(hi, t - k)
        if stop <= first:
            continue
        out[j] = float(np.mean(move(p[first + k : stop + k], p[first:stop], kind)))
    return out
