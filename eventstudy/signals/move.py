"""``move``: an N-day return beyond a level, or the largest / smallest in a lookback."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from eventstudy._typing import ReturnKind
from eventstudy._validation import check_choice, check_float, check_int
from eventstudy.data.align import first_change_after
from eventstudy.exceptions import DataError
from eventstudy.signals._base import (
    Signal,
    SignalResult,
    check_name,
    compare,
    exact,
    fmt_num,
    get_column,
    make_result,
    nday_return,
)
from eventstudy.signals._registry import register

__all__ = ["Move"]

MoveMode = Literal["above", "below", "record_high", "record_low"]
_DEFAULT_LOOKBACK = 756


@register
@dataclass(frozen=True, slots=True)
class Move(Signal):
    """N-day return of one series beyond a level or at a lookback record.

    Value: ``r_t``, the ``n``-day return (``return_kind``) at each date.  Trigger (every day the
    condition holds):

    * ``mode="above"``: ``r_t > level``; ``"below"``: ``r_t < level`` (``level`` required,
      a decimal fraction, e.g. ``0.05`` or ``-0.10``).
    * ``mode="record_high"``: ``r_t > max(r_{t-lookback}, ..., r_{t-1})`` ("the biggest
      five-day gain in 3 years" is ``n=5, lookback=756``); ``"record_low"``: ``r_t`` below the
      minimum.  The comparison window must hold ``lookback`` non-NaN returns, so the first
      possible record is at position ``n + lookback``.  A tie is not a record.
    * with ``since`` (a date) instead of ``lookback``, the record is over every return from
      ``since`` to ``t-1`` ("the biggest five-day gain since April 2020" is ``n=5,
      since="2020-04-01"``); no trigger before ``since`` or on ``since`` itself.

    Parameters
    ----------
    series
        Column name of the level series.
    n
        Return horizon in trading days (>= 1).
    mode
        ``"above"``, ``"below"``, ``"record_high"`` or ``"record_low"``.
    level
        Return threshold (``above``/``below`` only), a decimal fraction with ``|level| <= 1``
        (``0.05`` for 5 %).
    lookback
        Trading days of past returns compared against (record modes only; default 756).
    since
        Compare against every return since this date instead (record modes only; excludes
        ``lookback``).
    return_kind
        ``"simple"`` (default) or ``"log"``.

    Raises
    ------
    ValueError
        A ``level`` above 1 in absolute value (``level=5`` read as 500 %: write ``0.05``), a
        missing ``level`` in ``above``/``below``, ``lookback`` or ``since`` outside the record
        modes, an unknown ``mode`` or ``return_kind``.  From :meth:`compute`: a ``since``
        before the series' first date (the record would be judged on the data from that date
        only), a ``since`` that leaves fewer than two returns, or a ``lookback`` of at least
        the number of returns the data hold (the signal could never fire).

    Notes
    -----
    Uses only data up to ``t`` (``look_ahead=False``).  Every mode compares an ``n``-day
    return (never a change in points), so the level is always a fraction.
    """

    kind: ClassVar[str] = "move"

    series: str
    n: int = 5
    mode: MoveMode = "above"
    level: float | None = None
    lookback: int | None = None
    since: str | dt.date | None = None
    return_kind: ReturnKind = "simple"

    def __post_init__(self) -> None:
        check_name("series", self.series)
        check_int("n", self.n, minimum=1)
        check_choice("mode", self.mode, ("above", "below", "record_high", "record_low"))
        check_choice("return_kind", self.return_kind, ("log", "simple"))
        if self.mode in ("above", "below"):
            if self.level is None:
                raise ValueError(f"level is required for mode={self.mode!r}")
            level = check_float("level", self.level)
            if abs(level) > 1.0:
                raise ValueError(
                    f"level must be a decimal fraction of at most 1 (100 %) in absolute value, "
                    f"got {level:g} ({level:.0%}): write 0.05 for 5 %"
                )
            object.__setattr__(self, "level", level)
            if self.lookback is not None or self.since is not None:
                raise ValueError(
                    "lookback and since only apply to mode 'record_high' / 'record_low'"
                )
        else:
            if self.level is not None:
                raise ValueError(f"level does not apply to mode={self.mode!r}; use lookback")
            if self.lookback is not None:
                check_int("lookback", self.lookback, minimum=1)
            if self.since is not None:
                if self.lookback is not None:
                    raise ValueError("give lookback or since, not both")
                try:
                    stamp = pd.Timestamp(dt.date.fromisoformat(str(self.since)))
                except ValueError as exc:
                    raise ValueError(
                        f"since must be a date YYYY-MM-DD, got {self.since!r}"
                    ) from exc
                object.__setattr__(self, "since", f"{stamp:%Y-%m-%d}")

    def compute(self, data: pd.DataFrame) -> SignalResult:
        """Compute the N-day return and the trigger; see the class docstring."""
        # rounded to 14 significant digits (exact): equal returns must be equal, against a
        # level and against an earlier record
        raw = nday_return(get_column(data, self.series), self.n, self.return_kind)
        r = pd.Series(exact(raw.to_numpy()), index=raw.index, name=raw.name)
        what = f"{self.n}-day {self.return_kind} return of {self.series}"
        if self.mode in ("above", "below"):
            level = float(self.level if self.level is not None else np.nan)  # set by validation
            trig = compare(r, level, self.mode)
            desc = f"{what} {self.mode} {fmt_num(level)}"
            return make_result(r, trig, threshold=level, look_ahead=False, description=desc)
        if self.since is not None:
            self._check_since(get_column(data, self.series), r)
            after = r.index >= pd.Timestamp(self.since)
            past = r.where(after)
            high = self.mode == "record_high"
            # ffill: a NaN return must not hide the running record on the next day
            ref = (past.cummax() if high else past.cummin()).ffill().shift(1)
            ref = ref.where(after & (r.index > pd.Timestamp(self.since)))
            trig = ((r > ref) if high else (r < ref)).to_numpy(dtype=bool)
            word = "largest" if high else "smallest"
            desc = f"{what} the {word} since {self.since}"
            return make_result(r, trig, threshold=None, look_ahead=False, description=desc)
        lb = self.lookback or _DEFAULT_LOOKBACK
        n_valid = int(r.notna().sum())
        if n_valid <= lb:
            raise ValueError(
                f"lookback = {lb} needs {lb} earlier {self.n}-day returns of {self.series!r} "
                f"before a record can be judged, but the data hold {n_valid:,}{_span(r)}: the "
                "signal could never fire; give a shorter lookback or a longer series"
            )
        roll = r.rolling(lb, min_periods=lb)
        if self.mode == "record_high":
            ref = roll.max().shift(1)
            trig = (r > ref).to_numpy(dtype=bool)
            desc = f"{what} the largest in the past {lb} trading days"
        else:
            ref = roll.min().shift(1)
            trig = (r < ref).to_numpy(dtype=bool)
            desc = f"{what} the smallest in the past {lb} trading days"
        return make_result(r, trig, threshold=None, look_ahead=False, description=desc)

    def _check_since(self, prices: pd.Series, r: pd.Series) -> None:
        """The record "since X" needs the ``n``-day returns from X on: refuse a ``since``
        before the first of them (:func:`~eventstudy.data.align.first_change_after`: the
        series starts after X, or fewer than ``n`` rows before it; the comparison would
        silently shrink to the returns the data hold) or one that leaves fewer than two
        returns to compare (it could never fire)."""
        since = pd.Timestamp(str(self.since))
        held = prices.index[prices.notna().to_numpy()]
        if not len(held):
            return  # no value at all: the caller says so
        first = first_change_after(r, since)  # the rule the move fact applies too
        if first is not None and held[0] > since:
            raise DataError(
                f"since = {self.since} is before the first date of series {self.series!r} "
                f"({held[0]:%Y-%m-%d}): the record 'since {self.since}' would be judged against "
                f"the returns from {first:%Y-%m-%d} only; give since = {first:%Y-%m-%d} or "
                f"later, or a series that covers {self.since}"
            )
        if first is not None:
            raise DataError(
                f"since = {self.since} is before the first {self.n}-day return of series "
                f"{self.series!r} ({first:%Y-%m-%d}; its data start {held[0]:%Y-%m-%d}): the "
                f"record 'since {self.since}' would be judged against the returns from "
                f"{first:%Y-%m-%d} only; give since = {first:%Y-%m-%d} or later"
            )
        n_after = int((r.notna() & (r.index >= since)).sum())
        if n_after < 2:
            raise DataError(
                f"since = {self.since} leaves {n_after} {self.n}-day return(s) of "
                f"{self.series!r} to compare (its data end {held[-1]:%Y-%m-%d}): the signal "
                "could never fire; give an earlier since"
            )


def _span(r: pd.Series) -> str:
    """`` (YYYY-MM-DD..YYYY-MM-DD)``: the dates of the defined values of ``r`` ("" if none)."""
    held = r.index[r.notna().to_numpy()]
    return f" ({held[0]:%Y-%m-%d}..{held[-1]:%Y-%m-%d})" if len(held) else ""
