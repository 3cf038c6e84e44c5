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
from typing import Literal

import numpy as np
import pandas as pd

from eventstudy._validation import check_choice, check_int
from eventstudy.exceptions import DataError
from eventstudy.signals._base import SignalResult

__all__ = ["DEFAULT_MIN_GAP", "EventTable", "episodes", "find_events"]

DEFAULT_MIN_GAP = 21
"""Default spacing of events in trading days (≈ one month); see the module docstring."""

EventMode = Literal["first", "episode"]


@dataclass(frozen=True, slots=True)
class EventTable:
    """Event dates selected from trigger days by :func:`find_events`.

    Parameters
    ----------
    dates
        Event dates, ascending (shape ``(n_events,)``).
    positions
        Integer positions of the events in the signal's (= the data's) index.
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
    """

    dates: pd.DatetimeIndex
    positions: np.ndarray
    values: np.ndarray
    n_triggers: int
    min_gap: int
    mode: EventMode
    description: str = ""

    def __post_init__(self) -> None:
        if not (len(self.dates) == len(self.positions) == len(self.values)):
            raise DataError("dates, positions and values must have the same length")

    @property
    def n_events(self) -> int:
        """Number of events kept."""
        return len(self.positions)

    def to_frame(self) -> pd.DataFrame:
        """Tidy DataFrame with columns ``date``, ``position``, ``value`` (one row per event)."""
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
    keep: list[int] = []
    i, n = 0, len(pos)
    while i < n:
        keep.append(i)
        i = int(np.searchsorted(pos, pos[i] + min_gap, side="left"))
    return pos[np.asarray(keep, dtype=np.intp)]


def _episode_starts(pos: np.ndarray, min_gap: int) -> np.ndarray:
    """First trigger of each episode; a new episode starts after ``>= min_gap`` quiet days.

    Consecutive triggers ``p_{i-1}, p_i`` belong to the same episode when
    ``p_i - p_{i-1} <= min_gap`` (fewer than ``min_gap`` non-trigger days between them).
    """
    if len(pos) == 0:
        return pos
    new = np.empty(len(pos), dtype=bool)
    new[0] = True
    new[1:] = np.diff(pos) > min_gap
    return pos[new]


def find_events(
    signal: SignalResult | pd.Series,
    *,
    min_gap: int = DEFAULT_MIN_GAP,
    mode: EventMode = "first",
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
    pos = np.flatnonzero(trig.to_numpy(dtype=bool))
    kept = _decluster_first(pos, min_gap) if mode == "first" else _episode_starts(pos, min_gap)
    vals = value[kept] if value is not None else np.full(len(kept), np.nan)
    return EventTable(
        dates=pd.DatetimeIndex(idx[kept]),
        positions=kept.astype(np.int64),
        values=np.asarray(vals, dtype=float),
        n_triggers=len(pos),
        min_gap=min_gap,
        mode=mode,
        description=desc,
    )


def episodes(positions: np.ndarray | list[int] | pd.Index, gap: int) -> int:
    """Number of non-overlapping episodes among event positions.

    Sorted positions farther apart than ``gap`` (``p_i - p_{i-1} > gap``) start a new episode;
    e.g. with ``gap`` = the forward horizon ``h``, events whose ``h``-day windows overlap are
    one episode.  Used as the "effective n" of overlapping events.  Empty input gives 0.

    Parameters
    ----------
    positions
        Integer positions (trading-day indices) of events, any order.
    gap
        Non-negative integer number of trading days.
    """
    gap = check_int("gap", gap, minimum=0)
    p = np.sort(np.asarray(positions, dtype=np.int64).ravel())
    if p.size == 0:
        return 0
    return 1 + int(np.count_nonzero(np.diff(p) > gap))
