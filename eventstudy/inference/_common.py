"""Input preparation shared by every test: one horizon's forward returns plus event positions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from eventstudy.events import episodes
from eventstudy.exceptions import DataError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MIN_EVENTS = 3
"""Fewest complete events for which any test is run."""


@dataclass(frozen=True, slots=True)
class EventSample:
    """One horizon's forward returns restricted to complete dates, with the events on them.

    Attributes
    ----------
    y
        Forward returns on every date with a complete horizon, shape ``(T_c,)``.
    positions
        Positions (into the full input array) of the complete dates, shape ``(T_c,)``.
    events
        Indices into ``y`` of the complete events, shape ``(n,)``, ascending.
    event_positions
        Positions (into the full input array) of the complete events, shape ``(n,)``.
    n_incomplete
        Events whose horizon runs past the data (NaN forward return).
    length
        Length T of the full input array.
    """

    y: FloatArray
    positions: IntArray
    events: IntArray
    event_positions: IntArray
    n_incomplete: int
    length: int

    @property
    def n(self) -> int:
        return int(self.events.size)

    @property
    def values(self) -> FloatArray:
        """Event forward returns, shape ``(n,)``."""
        return self.y[self.events]

    @property
    def baseline_mean(self) -> float:
        return float(np.mean(self.y)) if self.y.size else float("nan")

    @property
    def dummy(self) -> FloatArray:
        d = np.zeros(self.y.size)
        d[self.events] = 1.0
        return d


def as_float_array(name: str, values: Any) -> FloatArray:
    """1-D float64 array from a Series / array-like; the error names ``name``."""
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{name} must be one-dimensional (one horizon), got a DataFrame")
    arr = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def as_positions(event_positions: Any, length: int) -> IntArray:
    """Validate event positions: integers, sorted, unique, within ``[0, length)``."""
    arr = np.asarray(event_positions)
    if arr.ndim != 1:
        raise ValueError(f"event_positions must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"event_positions must be integer positions, got dtype {arr.dtype}")
    pos = arr.astype(np.int64)
    if pos[0] < 0 or pos[-1] >= length or pos.min() < 0 or pos.max() >= length:
        raise DataError(
            f"event_positions must lie in [0, {length}), got range [{pos.min()}, {pos.max()}]"
        )
    if np.any(np.diff(pos) <= 0):
        raise DataError("event_positions must be sorted ascending and unique")
    return pos


def prepare(fwd_h: Any, event_positions: Any) -> EventSample:
    """Split one horizon's forward returns into complete dates and complete events.

    NaN policy: a NaN forward return marks an incomplete horizon; such dates leave the
    baseline and such events count in ``n_incomplete``.  Infinite values raise
    :class:`~eventstudy.exceptions.DataError`.

    An :class:`EventSample` passed as ``fwd_h`` is returned as it is (``event_positions``
    is then ignored): the test runner splits a horizon once for all the built-in tests.
    """
    if isinstance(fwd_h, EventSample):
        return fwd_h
    arr = as_float_array("fwd_h", fwd_h)
    if np.isinf(arr).any():
        raise DataError("fwd_h contains infinite forward returns")
    pos = as_positions(event_positions, arr.size)
    complete = np.isfinite(arr)
    positions = np.flatnonzero(complete).astype(np.int64)
    ev_complete = complete[pos]
    ev_pos = pos[ev_complete]
    # index of each complete event inside the complete-date array
    events = np.searchsorted(positions, ev_pos).astype(np.int64)
    return EventSample(
        y=arr[complete],
        positions=positions,
        events=events,
        event_positions=ev_pos,
        n_incomplete=int((~ev_complete).sum()),
        length=int(arr.size),
    )


def n_episodes(
    event_positions: IntArray,
    horizon_days: int,
    *,
    rule: Literal["clusters", "greedy"] = "clusters",
) -> int:
    """Number of episodes G among sorted event positions for an h-day horizon.

    ``rule="clusters"`` (default, and the package's one definition): the clusters of events
    whose h-day windows overlap, :func:`eventstudy.events.episodes` (an event ``h`` or more
    trading days after the previous event starts a new episode).  Used by the verdicts, the
    HAC test's t(G - 1) reference and the bootstrap's applicability check.

    ``rule="greedy"`` (the HAC test's earlier reference, kept for its calibration column):
    from the first event, an event at least ``h`` trading days after the *start* of the
    current episode starts a new one; a long chain of events ``g < h`` apart counts about
    ``span / h`` episodes, never fewer than the clusters.  The successor of every event is
    found with one vectorized ``searchsorted``; the chain is then followed once per episode.
    """
    if rule == "clusters":
        return episodes(event_positions, horizon_days)
    if rule != "greedy":
        raise ValueError(f"rule must be 'greedy' or 'clusters', got {rule!r}")
    pos = np.asarray(event_positions, dtype=np.int64)
    if pos.size == 0:
        return 0
    nxt = np.searchsorted(pos, pos + int(horizon_days), side="left")
    count, i = 1, int(nxt[0])
    while i < pos.size:
        count += 1
        i = int(nxt[i])
    return count
