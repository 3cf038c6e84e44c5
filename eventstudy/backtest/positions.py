"""From event dates to daily positions: entry timing and the rules for overlapping events.

Conventions (every function here uses them):

* dates are positions ``0 .. T-1`` of the data's trading days; the return of day ``t`` is
  earned from the close of ``t - 1`` to the close of ``t``;
* an event at ``e`` is known at the close of ``e``.  With ``entry = "next_close"`` (the
  default) the position is bought at the close of ``e + 1``; with ``"same_close"`` at the close
  of ``e`` itself, which assumes one could trade at the very price that made the signal (an
  optimistic assumption);
* a slice bought at the close of ``c`` and held ``hold`` days earns the returns of days
  ``c + 1 .. c + hold`` and is sold at the close of ``c + hold``;
* ``exposure[t]`` is the weight held over day ``t`` (0 to 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from eventstudy._validation import check_choice, check_int
from eventstudy.inference._common import IntArray

__all__ = ["ENTRIES", "OVERLAP_RULES", "Positions", "positions_from_events"]

Overlap = Literal["extend", "stack", "ignore"]
Entry = Literal["next_close", "same_close"]
OVERLAP_RULES: tuple[str, ...] = ("extend", "stack", "ignore")
ENTRIES: tuple[str, ...] = ("next_close", "same_close")

RULE_TEXT = {
    "extend": "an event while invested extends the holding to {hold} days after its own entry",
    "stack": (
        "each event opens a slice of 1/{slices} of the capital held {hold} days; at most "
        "{slices} slices at once, events beyond that are skipped"
    ),
    "ignore": "events while invested are ignored; each position is held {hold} days",
}


@dataclass(frozen=True, slots=True)
class Positions:
    """Daily exposure and the slices that make it up.

    Attributes
    ----------
    exposure
        Shape ``(T,)``: weight held over day ``t`` (``exposure[0] = 0``).
    entries, exits
        Closes at which each slice (a trade) is bought and sold (``exit`` may be ``T - 1``
        for a slice still open at the end of the data: ``open_at_end``).
    weights
        Weight of each slice (1, or ``1 / max_slices`` when stacking).
    used
        Positions of the events that opened a slice (extended holdings count once: their
        first event).
    skipped
        Events that opened nothing: while invested (``ignore``, a full ``stack``), or inside
        a holding they extended (``extend``).
    too_late
        Events whose entry falls on or after the last date (nothing left to hold).
    open_at_end
        Whether the last slice is still open on the last date.
    is_open
        Per slice: still held after the last close (its hold runs past the data), so it is
        valued at that close and never sold; a slice whose hold ends exactly on the last date
        is sold at its close.
    exposure_after
        The weight held after the last close: the last day's, less the slices sold at it (the
        sale the daily series charges on the last day).
    """

    exposure: np.ndarray
    entries: IntArray
    exits: IntArray
    weights: np.ndarray
    used: IntArray
    skipped: int
    too_late: int
    open_at_end: bool
    is_open: np.ndarray
    exposure_after: float


def _first_kept(c: IntArray, hold: int) -> IntArray:
    """Indices of entries kept by "a new entry only once the last kept slice is sold":
    greedy, one step per kept entry (``searchsorted`` jumps over the entries in between)."""
    keep: list[int] = []
    i = 0
    while i < c.size:  # once per kept entry, never per date
        keep.append(i)
        i = int(np.searchsorted(c, c[i] + hold, side="left"))
    return np.asarray(keep, dtype=np.int64)


def _stacked(c: IntArray, hold: int, slices: int) -> IntArray:
    """Indices of entries accepted when at most ``slices`` slices may be open at once."""
    keep: list[int] = []
    open_exits: list[int] = []
    for i, ci in enumerate(c.tolist()):  # once per event (tens to hundreds), not per date
        open_exits = [x for x in open_exits if x > ci]
        if len(open_exits) < slices:
            keep.append(i)
            open_exits.append(ci + hold)
    return np.asarray(keep, dtype=np.int64)


def positions_from_events(
    n_dates: int,
    event_positions: IntArray | list[int],
    hold: int,
    *,
    overlap: Overlap = "extend",
    max_slices: int = 1,
    entry: Entry = "next_close",
) -> Positions:
    """Daily exposure of "buy after each event, hold ``hold`` trading days".

    Parameters
    ----------
    n_dates
        Number of dates ``T``.
    event_positions
        Ascending, distinct positions of the events (known at their close).
    hold
        Holding period in trading days (>= 1).
    overlap
        What an event does while a position is open: ``"extend"`` the holding to ``hold``
        days after the new entry; ``"stack"`` a new slice of ``1 / max_slices`` (at most
        ``max_slices`` open); ``"ignore"`` it.
    max_slices
        Concurrent slices for ``"stack"`` (>= 1; ``stack`` with 1 equals ``ignore``).
    entry
        ``"next_close"`` (default, no look-ahead) or ``"same_close"`` (optimistic).

    Returns
    -------
    Positions

    Examples
    --------
    >>> p = positions_from_events(10, [1, 3], 3)
    >>> p.exposure.tolist()  # bought at the close of 2, extended at 4, sold at the close of 7
    [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    """
    t = check_int("n_dates", n_dates, minimum=2)
    hold = check_int("hold", hold, minimum=1)
    check_choice("overlap", overlap, OVERLAP_RULES)
    check_choice("entry", entry, ENTRIES)
    slices = check_int("max_slices", max_slices, minimum=1)
    ev = np.asarray(event_positions, dtype=np.int64).ravel()
    if ev.size and (np.any(np.diff(ev) <= 0) or ev[0] < 0 or ev[-1] >= t):
        raise ValueError("event_positions must be ascending, distinct and inside range(n_dates)")
    lag = 1 if entry == "next_close" else 0
    c = ev + lag
    late = c >= t - 1
    too_late = int(late.sum())
    c, ev = c[~late], ev[~late]
    if overlap == "ignore" or (overlap == "stack" and slices == 1):
        idx = _first_kept(c, hold)
        weight = 1.0
    elif overlap == "stack":
        idx = _stacked(c, hold, slices)
        weight = 1.0 / slices
    else:
        idx = np.arange(c.size, dtype=np.int64)
        weight = 1.0
    entries = c[idx]
    exits = np.minimum(entries + hold, t - 1)
    # +w from day c+1 through day exit: a difference array, one cumulative sum
    delta = np.zeros(t + 1)
    np.add.at(delta, entries + 1, weight)
    np.add.at(delta, exits + 1, -weight)
    exposure = np.cumsum(delta[:t])
    # the weight after the last close: the slices whose hold ends exactly there are sold at it
    after = float(exposure[-1]) - weight * int(np.sum(entries + hold == t - 1))
    slice_open = entries + hold > t - 1
    if overlap == "extend":
        exposure = np.minimum(exposure, 1.0)
        after = min(after, 1.0)
        # a slice per maximal run: its first entry, its last exit
        held = exposure > 0
        starts = np.flatnonzero(held & ~np.r_[False, held[:-1]])  # first day held
        ends = np.flatnonzero(held & ~np.r_[held[1:], False])  # last day held
        entries, exits = starts - 1, ends
        used = ev[np.searchsorted(c, entries)]
        # a run is open when it is still held after the last close (its last slice's hold
        # runs past the data), not by its first entry's hold
        slice_open = (exits == t - 1) & (after > 0)  # weights of 1: an exact count
    else:
        used = ev[idx]
    exposure = np.round(exposure, 12)  # the difference array's float noise
    return Positions(
        exposure=exposure,
        entries=entries.astype(np.int64),
        exits=exits.astype(np.int64),
        weights=np.full(entries.size, weight),
        used=used.astype(np.int64),
        skipped=int(ev.size - used.size),
        too_late=too_late,
        open_at_end=bool(slice_open.any()),
        is_open=slice_open,
        exposure_after=round(max(after, 0.0), 12),
    )
