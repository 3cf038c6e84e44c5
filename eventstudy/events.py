"""Turn trigger days into events: declustering by a minimum gap, or one event per episode.

Default ``min_gap`` = 21 trading days (about one calendar month): a burst of triggers during
one selloff or rally counts once instead of twenty times, and event dates are spaced like
monthly observations.  Declustering is about *counting distinct events*; it does not make
forward-return horizons longer than ``min_gap`` independent.  Overlap of forward horizons is
handled downstream by HAC standard errors, block/placebo inference and the effective number of
episodes (:func:`episodes`), not by choosing a larger ``min_gap``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from eventstudy._frozen import readonly_array
from eventstudy._validation import check_choice, check_int
from eventstudy.exceptions import DataError
from eventstudy.signals._base import SignalResult

__all__ = [
    "DEFAULT_MIN_GAP",
    "EventPositions",
    "EventTable",
    "episode_labels",
    "episodes",
    "events_from_triggers",
    "find_events",
    "trigger_positions",
    "trigger_runs",
]

IntArray = npt.NDArray[np.int64]

DEFAULT_MIN_GAP = 21
"""Default spacing of events in trading days (≈ one month); see the module docstring."""

EventMode = Literal["first", "episode"]


class EventPositions(np.ndarray):
    """Read-only int64 positions of events that remember the events' dates.

    :attr:`EventTable.positions` is one: passed on its own to
    :func:`~eventstudy.evaluation.evaluate` or :func:`~eventstudy.evaluation.average_path`,
    its dates are checked against the dates of ``fwd`` (``prices``) at those positions, as an
    :class:`EventTable`'s are, so positions found on one calendar are never paired with
    another calendar's rows.  Any array made from it (a slice, ``positions + 1``,
    ``np.asarray``) is plain positions again, which are not checked.
    """

    event_dates: pd.DatetimeIndex | None

    def __new__(cls, positions: Any, dates: pd.DatetimeIndex) -> EventPositions:
        obj = readonly_array(np.asarray(positions, dtype=np.int64)).view(cls)
        obj.event_dates = pd.DatetimeIndex(dates)
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.event_dates = None  # a view, slice or computation: bare positions

    def __array_wrap__(self, arr: Any, context: Any = None, return_scalar: bool = False) -> Any:
        out = np.asarray(arr)  # a computation on positions gives a plain array
        return out[()] if return_scalar else out

    def __reduce__(self) -> Any:
        reduced: Any = super().__reduce__()  # (rebuild, args, state) for an ndarray
        return reduced[0], reduced[1], (reduced[2], self.event_dates)

    def __setstate__(self, state: Any) -> None:
        base, dates = state
        super().__setstate__(base)
        self.event_dates = dates


@dataclass(frozen=True, slots=True)
class EventTable:
    """Event dates selected from trigger days by :func:`find_events`.

    Parameters
    ----------
    dates
        Event dates, ascending (shape ``(n_events,)``).
    positions
        Integer positions of the events in the signal's (= the data's) index, an
        :class:`EventPositions` array that carries the dates: ``evaluate(fwd,
        events.positions)`` checks them against ``fwd`` as ``evaluate(fwd, events)`` does.
    values
        Signal value on each event date (NaN when only a trigger series was given).
    n_triggers
        Number of raw trigger days before declustering.
    min_gap
        The ``min_gap`` used, in trading days.
    mode
        ``"first"`` or ``"episode"``.
    description
        The signal's description (empty for a bare trigger series).

    ``positions`` and ``values`` are stored as read-only arrays; ``dates`` is a pandas index
    (immutable).
    """

    dates: pd.DatetimeIndex
    positions: np.ndarray
    values: np.ndarray
    n_triggers: int
    min_gap: int
    mode: EventMode
    description: str = ""

    def __repr__(self) -> str:
        """One line: how many events, and their first and last dates."""
        span = f", {self.dates[0]:%Y-%m-%d}..{self.dates[-1]:%Y-%m-%d}" if self.n_events else ""
        return f"<EventTable {self.n_events} events{span} (min_gap {self.min_gap})>"

    def __post_init__(self) -> None:
        if not (len(self.dates) == len(self.positions) == len(self.values)):
            raise DataError("dates, positions and values must have the same length")
        object.__setattr__(self, "positions", EventPositions(self.positions, self.dates))
        object.__setattr__(self, "values", readonly_array(self.values))

    @property
    def n_events(self) -> int:
        """Number of events kept."""
        return len(self.positions)

    def to_frame(self) -> pd.DataFrame:
        """Tidy DataFrame, one row per event: ``date``, ``position``, ``value`` (the signal's
        value on the event date; NaN only for a bare trigger series, which has no value)."""
        return pd.DataFrame(
            {
                "date": self.dates,
                "position": self.positions.astype(np.int64),
                "value": self.values.astype(float),
            }
        )

    def summary(self) -> str:
        """Human-readable text summary."""
        head = self.description or "trigger series"
        rule = (
            f"first trigger, then none within {self.min_gap} trading days"
            if self.mode == "first"
            else f"one event per episode (runs bridged over gaps of < {self.min_gap} quiet days)"
        )
        span = f", {self.dates[0].date()} .. {self.dates[-1].date()}" if self.n_events else ""
        return (
            f"{head}\n  {self.n_events} events from {self.n_triggers} trigger days{span}\n"
            f"  declustering: {rule}"
        )

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False)


def _decluster_first(pos: np.ndarray, min_gap: int) -> np.ndarray:
    """Greedy forward rule: keep a trigger iff it is >= ``min_gap`` after the last kept one.

    Jumps from kept event to the next candidate with :func:`numpy.searchsorted`, so the loop
    runs once per *kept event* (O(events · log triggers)), never once per trigger or date.
    """
    if min_gap <= 1:  # ascending distinct positions are all at least a day apart
        return pos
    keep: list[int] = []
    i, n = 0, len(pos)
    while i < n:
        keep.append(i)
        i = int(np.searchsorted(pos, pos[i] + min_gap, side="left"))
    return pos[np.asarray(keep, dtype=np.intp)]


def find_events(
    signal: SignalResult | pd.Series,
    *,
    min_gap: int = DEFAULT_MIN_GAP,
    mode: EventMode = "first",
    start: Any = None,
    end: Any = None,
) -> EventTable:
    """Select event dates from trigger days.

    Parameters
    ----------
    signal
        A :class:`~eventstudy.signals.SignalResult` or a boolean trigger series with an
        ascending :class:`pandas.DatetimeIndex` (the data's trading days).
    min_gap
        Trading days (index positions), >= 1.  Default 21 (≈ one month).
    mode
        ``"first"`` (default): walking forward, a trigger is kept iff it lies ``>= min_gap``
        positions after the last *kept* event; the first trigger of each run is kept, and a
        continuous run of triggers yields an event every ``min_gap`` days.
        ``"episode"``: one event (the first trigger day) per episode, where an episode is a run
        of trigger days that may be bridged by fewer than ``min_gap`` non-trigger days, i.e. a
        new episode starts when a trigger comes more than ``min_gap`` positions after the
        previous *trigger*.  With ``min_gap=1`` episodes are exactly the contiguous runs.
    start, end
        Keep the events dated within ``[start, end]`` (dates; ``None``: open).  Declustering
        sees every trigger, those before ``start`` included: an episode that began before
        ``start`` yields no event in the middle of its run, and the events since a later
        start are those since an earlier one that fall after it.  ``n_triggers`` counts the
        trigger days within ``[start, end]``.

    Returns
    -------
    EventTable
        Event dates, positions into the index, values (NaN for a bare trigger series).

    Notes
    -----
    Both rules space events at least ``min_gap`` positions apart.  ``"episode"`` is the runs
    declustering of extreme-value statistics with run length ``min_gap``.  The look-ahead flag
    of the signal is not acted on here (the evaluation layer should warn).

    References
    ----------
    Coles, S. (2001), An Introduction to Statistical Modeling of Extreme Values, Springer,
    section 5.3.2 (runs declustering).

    Raises
    ------
    TypeError
        If ``signal`` is neither a ``SignalResult`` nor a ``pandas.Series``.
    DataError
        If the trigger series is not boolean (or has missing values) or its index is not an
        ascending ``DatetimeIndex``.

    Examples
    --------
    Triggers on days 1, 2, 3, 6 and 9.  ``"first"`` keeps a trigger at least three days after
    the last kept event; ``"episode"`` bridges gaps of fewer than three quiet days (4-5 and
    7-8), so the whole stretch is one episode:

    >>> import pandas as pd
    >>> days = pd.bdate_range("2024-01-01", periods=10)
    >>> trigger = pd.Series([d in (1, 2, 3, 6, 9) for d in range(10)], index=days)
    >>> find_events(trigger, min_gap=3).positions.tolist()
    [1, 6, 9]
    >>> find_events(trigger, min_gap=3, mode="episode").positions.tolist()
    [1]
    """
    min_gap = check_int("min_gap", min_gap, minimum=1)
    check_choice("mode", mode, ("first", "episode"))
    pos, idx, value, desc = trigger_positions(signal)
    return events_from_triggers(
        pos, idx, value, min_gap=min_gap, mode=mode, description=desc, start=start, end=end
    )


def trigger_positions(
    signal: SignalResult | pd.Series,
) -> tuple[np.ndarray, pd.DatetimeIndex, np.ndarray | None, str]:
    """The checks of :func:`find_events` on a signal or trigger series, and what it needs of
    it: trigger positions, dates, values per date (``None`` for a bare trigger series) and
    the description."""
    if isinstance(signal, SignalResult):
        trig, value, desc = signal.trigger, signal.value.to_numpy(dtype=float), signal.description
    elif isinstance(signal, pd.Series):
        trig, value, desc = signal, None, ""
    else:
        raise TypeError(
            f"signal must be a SignalResult or a boolean pandas Series, got {type(signal).__name__}"
        )
    if not pd.api.types.is_bool_dtype(trig.dtype) or trig.isna().any():
        raise DataError(
            f"trigger must be a boolean series without missing values, got {trig.dtype}"
        )
    idx = trig.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise DataError(f"trigger must have a DatetimeIndex, got {type(idx).__name__}")
    if not idx.is_monotonic_increasing or not idx.is_unique:
        raise DataError("trigger index must be strictly ascending dates")
    return np.flatnonzero(trig.to_numpy(dtype=bool)), idx, value, desc


def events_from_triggers(
    pos: np.ndarray,
    index: pd.DatetimeIndex,
    value: np.ndarray | None,
    *,
    min_gap: int,
    mode: EventMode,
    description: str,
    start: Any = None,
    end: Any = None,
) -> EventTable:
    """:func:`find_events` on trigger positions already checked: ``pos`` ascending
    positions into ``index`` (ascending unique dates), ``value`` the signal per date or
    ``None``.  A sweep checks a signal once and declusters it many times."""
    kept = _decluster_first(pos, min_gap) if mode == "first" else trigger_runs(pos, min_gap)[0]
    inside = np.ones(index.size, dtype=bool)
    if start is not None:
        inside &= index >= pd.Timestamp(start)
    if end is not None:
        inside &= index <= pd.Timestamp(end)
    kept = kept[inside[kept]]
    vals = value[kept] if value is not None else np.full(len(kept), np.nan)
    return EventTable(
        dates=pd.DatetimeIndex(index[kept]),
        positions=kept.astype(np.int64),
        values=np.asarray(vals, dtype=float),
        n_triggers=int(inside[pos].sum()),
        min_gap=min_gap,
        mode=mode,
        description=description,
    )


def episode_labels(positions: np.ndarray | list[int] | pd.Index, horizon_days: int) -> IntArray:
    """Episode of each event: the clusters of events whose h-day forward windows overlap.

    The one definition of "episodes" used by the verdicts (``episodes=G``), the HAC test's
    t(G - 1) reference, the bootstrap, the report and the figures.

    Boundary rule: the forward windows ``(t, t+h]`` and ``(s, s+h]`` of events at positions
    ``t < s`` overlap iff ``s - t < h``; sorted events are chained while consecutive ones are
    fewer than ``h`` trading days apart, and an event ``h`` or more days after the previous
    one starts a new episode.  Overlapping forward returns are correlated within an episode
    and not across episodes (Hansen & Hodrick 1980; Bester, Conley & Hansen 2011).

    Parameters
    ----------
    positions
        Integer positions (trading-day indices) of events, any order.
    horizon_days
        The forward horizon h in trading days, >= 1.

    Returns
    -------
    numpy.ndarray
        Labels ``0..G-1`` aligned with the *sorted* positions, shape ``(n,)``.

    Examples
    --------
    At h = 5 the events at 0 and 4 overlap, 9 is 5 days after 4 (windows touch, no overlap):

    >>> episode_labels([0, 4, 9, 30, 33], 5).tolist()
    [0, 0, 1, 2, 2]
    >>> episodes([0, 4, 9, 30, 33], 5)
    3
    """
    h = check_int("horizon_days", horizon_days, minimum=1)
    p = np.sort(np.asarray(positions, dtype=np.int64).ravel())
    if p.size == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.empty(p.size, dtype=np.int64)
    new[0] = 0
    new[1:] = np.diff(p) >= h
    return np.cumsum(new)


def episodes(positions: np.ndarray | list[int] | pd.Index, horizon_days: int) -> int:
    """Number of episodes G among events at ``positions`` for an h-day horizon (see
    :func:`episode_labels` for the boundary rule); 0 for no events."""
    labels = episode_labels(positions, horizon_days)
    return int(labels[-1]) + 1 if labels.size else 0


def trigger_runs(positions: np.ndarray | list[int], min_gap: int) -> tuple[IntArray, IntArray]:
    """First and last position of each run of trigger days, runs bridged by quiet spells.

    Consecutive triggers ``p_{i-1} < p_i`` belong to one run when ``p_i - p_{i-1} <=
    min_gap`` (fewer than ``min_gap`` non-trigger days between them).  This is the
    ``mode="episode"`` declustering of :func:`find_events` (one event per run) and the
    shading of trigger spans in the report's figures.

    Returns
    -------
    (starts, ends)
        Sorted positions, shape ``(runs,)`` each.
    """
    gap = check_int("min_gap", min_gap, minimum=1)
    p = np.sort(np.asarray(positions, dtype=np.int64).ravel())
    if p.size == 0:
        return p, p
    breaks = np.flatnonzero(np.diff(p) > gap)
    return np.r_[p[0], p[breaks + 1]], np.r_[p[breaks], p[-1]]
