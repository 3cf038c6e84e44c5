"""Input coercion of :func:`~eventstudy.backtest.engine.backtest`: the price series, the
events (an EventTable or dates, never positions or a trigger) and the cash series."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataError
from eventstudy.signals import SignalResult

__all__ = ["MAX_CASH_DAILY", "check_cash_units", "check_tz", "event_dates", "price_series"]

MAX_CASH_DAILY = 0.001
"""Largest plausible median absolute daily cash return (0.1 % a day, about 29 % a year)."""

MAX_CASH_DAY = 0.005
"""Largest plausible cash return of one day (0.5 %: a weekend's accrual at 25 % a year is 0.3 %)."""

MAX_COST_BPS = 5000.0
"""Costs refused from here on: 50% per leg, a long-short round trip costing all the capital
(the wealth went below zero and back above it)."""

_HOW = "pass an EventTable (es.find_events(...)) or event dates"


def _tz_text(tz: Any) -> str:
    return "tz-naive" if tz is None else f"tz-aware ({tz})"


def price_series(name: str, value: Any) -> pd.Series:
    """``value`` checked as a price Series on ascending unique dates (the error names
    ``name``, the type given, and the first unsorted or repeated date)."""
    if isinstance(value, pd.DataFrame):
        raise TypeError(
            f"{name} must be a price Series, got a DataFrame with columns "
            f"{[str(c) for c in value.columns][:8]}: pass one column, e.g. data[{name!r}]"
            if name in value.columns
            else f"{name} must be a price Series, got a DataFrame with columns "
            f"{[str(c) for c in value.columns][:8]}: pass one column, e.g. data['<column>']"
        )
    if not isinstance(value, pd.Series):
        raise TypeError(
            f"{name} must be a pandas Series of prices with a DatetimeIndex, got "
            f"{type(value).__name__}"
        )
    if not isinstance(value.index, pd.DatetimeIndex):
        raise TypeError(
            f"{name} must be a Series with a DatetimeIndex, got a {type(value.index).__name__}"
        )
    index = value.index
    if not index.is_monotonic_increasing or index.has_duplicates:
        i8 = index.asi8
        bad = np.flatnonzero(np.diff(i8) <= 0)
        first = index[int(bad[0]) + 1]
        what = "repeated" if i8[int(bad[0]) + 1] == i8[int(bad[0])] else "out of order"
        raise DataError(
            f"{name}: the index must be ascending trading dates without duplicates; "
            f"{first:%Y-%m-%d} is {what} (after {index[int(bad[0])]:%Y-%m-%d}); use "
            f"{name}.sort_index() and drop the duplicates"
        )
    return value


def check_tz(name: str, index: pd.Index, prices: pd.Index) -> None:
    """Refuse ``index`` when one of it and ``prices`` is tz-aware and the other is not."""
    tz, prices_tz = getattr(index, "tz", None), getattr(prices, "tz", None)
    if (tz is None) != (prices_tz is None):
        raise TypeError(
            f"{name} is {_tz_text(tz)} but the prices (long) are {_tz_text(prices_tz)}: "
            "make both naive (e.g. .tz_localize(None)) or both aware"
        )


def event_dates(events: Any, prices: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The event dates of ``events`` (an EventTable or dates), ascending and distinct.

    Raises
    ------
    TypeError
        For integer positions, a boolean trigger, a SignalResult, anything not dates, or
        dates whose time zone disagrees with the prices'.
    """
    if isinstance(events, SignalResult):
        raise TypeError(
            "events is a SignalResult (a trigger per day), not events: pass "
            "es.find_events(result, min_gap=...) (an EventTable), or event dates"
        )
    if hasattr(events, "dates") and hasattr(events, "positions"):  # an EventTable
        raw: Any = events.dates
    elif isinstance(events, pd.Series):
        if pd.api.types.is_bool_dtype(events.dtype):
            raise TypeError(
                "events is a boolean trigger Series: pass es.find_events(trigger, min_gap=...) "
                "(an EventTable), or the dates trigger.index[trigger]"
            )
        raw = events.to_numpy()
    elif isinstance(events, str | dt.date | np.datetime64):
        raw = [events]
    else:
        raw = events
    if isinstance(raw, pd.DataFrame):
        raise TypeError(f"events must be an EventTable or dates, got a DataFrame; {_HOW}")
    if isinstance(raw, list | tuple) and not raw:  # no events: no trades
        raw = pd.DatetimeIndex([])
    if not isinstance(raw, pd.DatetimeIndex):
        arr = np.asarray(raw) if not isinstance(raw, pd.Index) else raw.to_numpy()
        if arr.ndim != 1:
            raise TypeError(f"events must be one-dimensional dates, got shape {arr.shape}; {_HOW}")
        if arr.dtype == bool:
            raise TypeError(
                "events is a boolean array (a trigger per day): pass es.find_events(trigger, "
                "min_gap=...) (an EventTable), or event dates"
            )
        if np.issubdtype(arr.dtype, np.number):
            raise TypeError(
                f"events are numbers (dtype {arr.dtype}), not dates: integer positions would "
                f"be read as nanosecond timestamps; {_HOW}, e.g. prices.index[positions]"
            )
        if arr.dtype == object and any(
            isinstance(x, bool | int | float | np.number) for x in arr.tolist()
        ):
            raise TypeError(f"events hold numbers, not dates; {_HOW}")
        try:
            raw = pd.DatetimeIndex(pd.to_datetime(arr))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"events could not be read as dates ({exc}); {_HOW}") from exc
    ev = pd.DatetimeIndex(raw)
    check_tz("events", ev, prices)
    if ev.tz is not None and prices.tz is not None:
        ev = ev.tz_convert(prices.tz)
    if ev.hasnans:
        raise DataError("events hold a missing date (NaT)")
    if _at_midnight(prices):  # daily closes: an event stamped 16:00 is that day's event
        ev = ev.normalize()
    return ev.sort_values().unique()


def _at_midnight(index: pd.DatetimeIndex) -> bool:
    """Every date of ``index`` at midnight (daily data), as prices here are."""
    return bool(len(index)) and bool((index == index.normalize()).all())


def check_cash_units(rf: np.ndarray, label: str, dates: pd.Index | None = None) -> None:
    """Refuse a cash series that looks like a rate in percent: a median absolute daily return
    above 0.1 % (29 % a year), or any day above 0.5 %.

    The median alone does not do: a Fama-French ``rf`` in percent reads 0.00 on most days of
    2009-2015 or 2020-2021 (it is published to two decimals), so its median passed, and every
    day at 0.01 earned 1 % (a backtest of 2020-2022 returned +488% where -8% is right).  The
    day's bound leaves room for a weekend's accrual at a high rate (three days at 25 % a year
    are 0.3 %); the largest daily T-bill return since 1926 is about 0.07 %.

    Raises
    ------
    ValueError
        Naming the median, or the first day above the bound and its value.
    """
    finite = rf[np.isfinite(rf)]
    if not finite.size:
        return
    med = float(np.median(np.abs(finite)))
    big = np.flatnonzero(np.isfinite(rf) & (np.abs(rf) > MAX_CASH_DAY))
    if med <= MAX_CASH_DAILY and not big.size:
        return
    if med > MAX_CASH_DAILY:
        what = f"the median absolute daily return is {med:.4g} ({med:.2%} a day)"
    else:
        i = int(big[0])
        when = f" on {pd.Timestamp(dates[i]):%Y-%m-%d}" if dates is not None else ""
        what = (
            f"a daily return of {rf[i]:.4g}{when} ({rf[i]:.2%} a day; {big.size} "
            f"day{'s' if big.size != 1 else ''} above {MAX_CASH_DAY:.1%})"
        )
    raise ValueError(
        f"cash ({label}): {what}: it looks like percent, not a decimal daily return. Divide a "
        "daily rate in percent by 100 (e.g. Fama-French rf / 100), or convert an annualized "
        "yield in percent (e.g. FRED DGS3MO) with cash_from_yield(yield)"
    )
