"""The computations behind facts, on one series of closes (or levels) with a DatetimeIndex.

Conventions, stated once:

- A *close on a date* is the close of that trading day, or of the last trading day before it
  when the date is not one (the date actually used is always reported).
- A *period return* runs from the base close to the end close: the base of "year to date" is
  the last close of the previous year, of "this month" the last close of the previous month,
  and so on; ``"2025-08"`` (a calendar month) runs from the last close of July to the last close
  of August known on the fact's as-of date (a date inside August, or data that end there, give
  the month to date, flagged as a partial month).
- An *N-day move* ending on day t is ``close[t] / close[t - N] - 1`` in trading days.
- A *level change* is ``(level_end - level_base) * scale``; with yields in percent, ``scale =
  100`` gives basis points.  Levels have no percent returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataError

__all__ = [
    "Anchor",
    "CalendarRank",
    "MoveRecord",
    "base_of_period",
    "calendar_rank",
    "close_on",
    "extreme",
    "last_session",
    "month_bounds",
    "move_record",
    "period_start",
]

Period = Literal["year", "quarter", "month", "week"]


@dataclass(frozen=True, slots=True)
class Anchor:
    """A close and the trading day it is from."""

    date: pd.Timestamp
    value: float

    def __str__(self) -> str:
        return f"{self.value:,.2f} on {self.date:%Y-%m-%d}"


def close_on(s: pd.Series, date: Any, *, name: str = "series") -> Anchor:
    """The close on ``date``, or on the last trading day before it.

    Raises
    ------
    DataError
        ``date`` is before the series' first date.
    """
    when = pd.Timestamp(date)
    i = int(s.index.searchsorted(when, side="right")) - 1
    if i < 0:
        raise DataError(f"{name} starts on {s.index[0]:%Y-%m-%d}, after {when:%Y-%m-%d}")
    return Anchor(pd.Timestamp(s.index[i]), float(s.iloc[i]))


def _period_start(date: pd.Timestamp, period: Period) -> pd.Timestamp:
    if period == "year":
        return pd.Timestamp(date.year, 1, 1)
    if period == "quarter":
        return pd.Timestamp(date.year, 3 * ((date.month - 1) // 3) + 1, 1)
    if period == "month":
        return pd.Timestamp(date.year, date.month, 1)
    if period == "week":
        return date.normalize() - pd.Timedelta(days=date.weekday())
    raise ValueError(f"period must be year, quarter, month or week, got {period!r}")


def period_start(date: Any, period: Period) -> pd.Timestamp:
    """The first calendar day of the ``period`` (year, quarter, month or week from Monday)
    that contains ``date``."""
    return _period_start(pd.Timestamp(date), period)


def base_of_period(s: pd.Series, at: Any, period: Period, *, name: str = "series") -> Anchor:
    """The last close before the start of the ``period`` that contains the date ``at`` (the
    base of a year-, quarter-, month- or week-to-date change as of ``at``).

    ``at`` is the date the fact speaks of, not its last close: as of Monday 2024-09-02 (Labor
    Day) "this month" is September, whose base is the August close, even though no September
    close exists yet (the caller decides what a period without a close means).
    """
    start = _period_start(pd.Timestamp(at), period)
    return close_on(s, start - pd.Timedelta(days=1), name=name)


def last_session(period: pd.Period) -> pd.Timestamp:
    """The last trading day of a calendar month on the New York exchanges: its last weekday,
    or the weekday before when that is Memorial Day (May) or Good Friday (March).

    These are the only exchange holidays that can fall on a month's last weekday: New Year's
    Eve, Juneteenth, Independence Day, Labor Day, Thanksgiving and Christmas never do, and a
    Saturday New Year's Day is not observed on the Friday before.
    """
    from pandas.tseries.holiday import GoodFriday, USMemorialDay

    day = period.end_time.normalize()
    day -= pd.Timedelta(days=max(0, day.weekday() - 4))
    holidays = {
        pd.Timestamp(d)
        for rule in (GoodFriday, USMemorialDay)
        for d in rule.dates(period.start_time.normalize(), day)
    }
    while day in holidays:
        day -= pd.offsets.BDay(1)
    return pd.Timestamp(day)


def month_bounds(
    s: pd.Series, month: str, *, as_of: Any = None, name: str = "series"
) -> tuple[Anchor, Anchor, bool]:
    """Base and end close of a calendar month ``"YYYY-MM"`` as known on ``as_of``, and whether
    the month is partial.

    The end is the month's last close on or before ``as_of`` (default: the data's end): a fact
    dated inside the month speaks of the month to date, never of closes after its date.  The
    month is partial when ``as_of`` or the data's last date is before the month's last trading
    day (:func:`last_session`).

    Raises
    ------
    DataError
        ``as_of`` is before the month begins, or the series has no close in the month by then.
    """
    try:
        period = pd.Period(month, freq="M")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"month must look like 'YYYY-MM', got {month!r}") from exc
    first = period.start_time.normalize()
    known = pd.Timestamp(s.index[-1])
    if as_of is not None:
        cut = pd.Timestamp(as_of)
        if cut < first:
            raise DataError(f"the as-of date {cut:%Y-%m-%d} is before {period} begins")
        known = min(known, cut)
    inside = s.loc[first : min(period.end_time.normalize(), known)]
    if inside.empty:
        raise DataError(
            f"{name} has no close in {period} up to {known:%Y-%m-%d} "
            f"(last date {s.index[-1]:%Y-%m-%d})"
        )
    base = close_on(s, first - pd.Timedelta(days=1), name=name)
    end = Anchor(pd.Timestamp(inside.index[-1]), float(inside.iloc[-1]))
    partial = bool(known < last_session(period))
    return base, end, partial


def extreme(
    s: pd.Series,
    end: Anchor,
    which: Literal["low", "high"],
    *,
    window: int | None = None,
    since: Any = None,
    name: str = "series",
) -> Anchor:
    """Lowest (highest) close in the ``window`` trading days ending at ``end`` (inclusive), or
    from ``since`` (inclusive) to ``end``; the earliest date when it is tied.

    Raises
    ------
    DataError
        The series has fewer than ``window`` closes up to ``end``, or none from ``since``.
    """
    stop = int(s.index.searchsorted(end.date, side="right"))
    if window is not None:
        if stop < int(window):
            raise DataError(
                f"{name} has {stop} closes up to {end.date:%Y-%m-%d}, fewer than the "
                f"{int(window)} trading days asked for"
            )
        start = stop - int(window)
    elif since is not None:
        start = int(s.index.searchsorted(pd.Timestamp(since), side="left"))
    else:
        raise ValueError("give window= (trading days) or since= (a date)")
    part = s.iloc[start:stop]
    if part.empty:
        raise DataError(
            f"{name} has no close between since = {pd.Timestamp(since):%Y-%m-%d} and "
            f"{end.date:%Y-%m-%d}"
        )
    values = part.to_numpy(dtype=float)
    i = int(np.argmin(values) if which == "low" else np.argmax(values))
    return Anchor(pd.Timestamp(part.index[i]), float(values[i]))


@dataclass(frozen=True, slots=True)
class MoveRecord:
    """An N-day move and how it compares with the moves before it.

    Attributes
    ----------
    end, start
        The move's last day and its base day (N trading days earlier).
    move
        ``close[end] / close[start] - 1``.
    last_larger
        The most recent earlier move of the same sign that was at least as large (its end
        date and size), or ``None``.
    larger_since
        Moves at least as large that ended after ``since`` and before ``end`` (dates and
        sizes); empty when the record claim holds.
    """

    end: Anchor
    start: Anchor
    move: float
    last_larger: tuple[pd.Timestamp, float] | None
    larger_since: tuple[tuple[pd.Timestamp, float], ...]


def move_record(
    s: pd.Series,
    on: Any,
    days: int,
    direction: Literal["gain", "loss"],
    *,
    since: Any = None,
    name: str = "series",
) -> MoveRecord:
    """The ``days``-day move ending on ``on`` and the record check against earlier moves.

    "The biggest five-day gain since DATE" holds when no five-day gain at least as large
    ended after DATE and before ``on``; a larger move *on* DATE itself is the reference, not a
    counterexample.  ``last_larger`` is reported either way.
    """
    end = close_on(s, on, name=name)
    dates = pd.DatetimeIndex(s.index)
    i = int(dates.searchsorted(end.date))
    if i < days:
        raise DataError(f"{name} has fewer than {days} closes before {end.date:%Y-%m-%d}")
    closes = s.to_numpy(dtype=float)
    moves = np.full(closes.size, np.nan)
    moves[days:] = closes[days:] / closes[:-days] - 1.0
    move = float(moves[i])
    sign = 1.0 if direction == "gain" else -1.0
    earlier = sign * moves[:i] >= sign * move
    hits = np.flatnonzero(earlier)
    last = None if hits.size == 0 else (pd.Timestamp(dates[int(hits[-1])]), float(moves[hits[-1]]))
    larger: tuple[tuple[pd.Timestamp, float], ...] = ()
    if since is not None:
        after = dates[:i] > pd.Timestamp(since)
        idx = np.flatnonzero(earlier & after)
        larger = tuple((pd.Timestamp(dates[int(j)]), float(moves[j])) for j in idx)
    start = Anchor(pd.Timestamp(dates[i - days]), float(closes[i - days]))
    return MoveRecord(end=end, start=start, move=move, last_larger=last, larger_since=larger)


@dataclass(frozen=True, slots=True)
class CalendarRank:
    """A calendar month's return ranked among the same month of other years.

    Attributes
    ----------
    month
        The month (``pd.Period``).
    value
        Its return (last close of the month over the last close of the month before, minus 1).
    end
        The month's last close that ``value`` uses.
    partial
        The data end inside the month: a month-to-date return.
    rank
        1 + the number of years after ``since`` (up to the month's own) whose same month was
        strictly better (worse, as asked).
    tied
        The years in that span whose same month had exactly the same return.  A tie is not a
        new best: "the best August since 2000" needs ``rank == 1`` and no tie.
    compared
        How many months it was ranked among (itself included).
    last_better
        The most recent earlier year whose same month was better (worse), with its return, or
        ``None``.
    history
        Year -> that month's return, for every year with data.
    """

    month: pd.Period
    value: float
    end: Anchor
    partial: bool
    rank: int
    tied: tuple[int, ...]
    compared: int
    last_better: tuple[int, float] | None
    history: dict[int, float]


def calendar_rank(
    s: pd.Series,
    month: str,
    *,
    since: int,
    order: Literal["best", "worst"] = "best",
    as_of: Any = None,
    name: str = "series",
) -> CalendarRank:
    """Rank ``month`` (``"YYYY-MM"``) among the same calendar month of the years after
    ``since`` ("the best August since 2000": better than every August from 2001 on).

    Month returns are month-end close over the previous month-end close; a month of the
    history missing either close is left out (it is not in ``history``).  The month itself is
    taken as known on ``as_of`` (:func:`month_bounds`): inside the month, its month to date.
    """
    period = pd.Period(month, freq="M")
    base, end, partial = month_bounds(s, month, as_of=as_of, name=name)
    value = end.value / base.value - 1.0
    months = pd.DatetimeIndex(s.index).to_period("M")
    month_end = s.groupby(months).last()
    rets = month_end / month_end.shift(1) - 1.0
    ordinal = np.asarray([p.ordinal for p in month_end.index])
    consecutive = np.r_[False, np.diff(ordinal) == 1]  # the previous month has a close
    rets = rets.where(consecutive)
    pidx = pd.PeriodIndex(rets.index)
    same = rets[(pidx.month == period.month) & (pidx.year < period.year)].dropna()
    history = {int(p.year): float(v) for p, v in zip(pd.PeriodIndex(same.index), same, strict=True)}
    history[period.year] = value
    sign = 1.0 if order == "best" else -1.0
    window = {y: v for y, v in history.items() if since < y <= period.year}
    others = {y: v for y, v in window.items() if y != period.year}
    rank = 1 + sum(sign * v > sign * value for v in others.values())
    tied = tuple(y for y, v in others.items() if v == value)
    better = [(y, v) for y, v in history.items() if y < period.year and sign * v > sign * value]
    last_better = max(better) if better else None
    return CalendarRank(
        month=period,
        value=value,
        end=end,
        partial=partial,
        rank=rank,
        tied=tied,
        compared=len(window),
        last_better=last_better,
        history=history,
    )
