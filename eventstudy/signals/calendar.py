"""``calendar``: a month's (or quarter's) return ranked against the same period of past years."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from eventstudy._validation import check_choice, check_int
from eventstudy.exceptions import DataError
from eventstudy.signals._base import Signal, SignalResult, check_name, get_column, make_result
from eventstudy.signals._registry import register

__all__ = ["Calendar"]

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def period_returns(x: pd.Series, freq: str) -> pd.DataFrame:
    """Return of each calendar period from the previous period's last close to its own last close.

    Returns a frame indexed by period with columns ``pos`` (index position of the period's last
    trading day in ``x``) and ``ret``.  The first period (no previous close) and a previous period
    absent from the data give NaN.  The final period is dropped when the data end before the
    period's last business day (Mon–Fri; holidays are not known), i.e. when it is incomplete.
    """
    n = len(x)
    if n == 0:
        return pd.DataFrame(
            {"pos": np.array([], dtype=np.int64), "ret": np.array([], dtype=float)},
            index=pd.PeriodIndex([], freq=freq),
        )
    per = pd.DatetimeIndex(x.index).to_period(freq)
    codes = pd.Series(np.arange(n), index=per)
    last_pos = codes.groupby(level=0, sort=True).max()
    close = pd.Series(x.to_numpy()[last_pos.to_numpy()], index=last_pos.index)
    full = pd.period_range(last_pos.index[0], last_pos.index[-1], freq=freq)
    close_full = close.reindex(full)
    prev = close_full.shift(1).reindex(close.index).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ret = close.to_numpy() / prev - 1.0
    ret[~np.isfinite(ret)] = np.nan
    out = pd.DataFrame({"pos": last_pos.to_numpy(), "ret": ret}, index=close.index)
    last_period = out.index[-1]
    period_end = pd.offsets.BDay().rollback(last_period.end_time.normalize())
    if x.index[-1] < period_end:
        out = out.iloc[:-1]
    return out


@register
@dataclass(frozen=True, slots=True)
class Calendar(Signal):
    """Best (or worst) calendar month / quarter since a given year.

    The period return runs from the last close of the previous period to the last close of the
    period and is attached to the period's last trading day (value NaN on all other days and
    on periods not selected).  It is ranked against the same period of the years after
    ``since`` up to the previous year (``since`` itself is left out, as in "the best August since
    2000": August 2000 was better, and every August from 2001 on is worse -- the reading of the
    ``calendar_rank`` fact); the trigger fires when at most ``top_n - 1`` of those
    past values are ``>=`` it (``rank="best"``; a tie is not a new best) or ``<=`` it
    (``"worst"``), and at least ``top_n`` past values exist.

    Parameters
    ----------
    series
        Column name of the level series.
    month
        Calendar month 1–12 (e.g. 8 for "best August since 2000").
    quarter
        Calendar quarter 1–4 (quarterly periods).  Give at most one of ``month``/``quarter``;
        with neither, every month is ranked against the same calendar month of past years.
    rank
        ``"best"`` (default) or ``"worst"``.
    since
        The year before the comparison set: years after it are compared (default: all data).
        :meth:`compute` raises ``ValueError`` when the series does not hold the first
        compared period (the rank would be judged on the years the data cover, not on those
        since ``since``), or when no period has ``top_n`` compared years before it.
    top_n
        Trigger when within the top (bottom) ``top_n`` (default 1: the record).

    Notes
    -----
    Uses only data up to the period's last trading day (``look_ahead=False``); whether a day is
    the last trading day of its month is known from the calendar.  Simple returns.
    """

    kind: ClassVar[str] = "calendar"

    series: str
    month: int | None = None
    quarter: int | None = None
    rank: Literal["best", "worst"] = "best"
    since: int | None = None
    top_n: int = 1

    def __post_init__(self) -> None:
        check_name("series", self.series)
        if self.month is not None and self.quarter is not None:
            raise ValueError("give at most one of month and quarter")
        if self.month is not None:
            check_int("month", self.month, minimum=1, maximum=12)
        if self.quarter is not None:
            check_int("quarter", self.quarter, minimum=1, maximum=4)
        check_choice("rank", self.rank, ("best", "worst"))
        if self.since is not None:
            check_int("since", self.since, minimum=1000, maximum=9999)
        check_int("top_n", self.top_n, minimum=1)

    def compute(self, data: pd.DataFrame) -> SignalResult:
        """Compute the period returns and their ranks; see the class docstring."""
        x = get_column(data, self.series)
        freq = "Q" if self.quarter is not None else "M"
        pr = period_returns(x, freq)
        pidx = pd.PeriodIndex(pr.index)
        years = np.asarray(pidx.year, dtype=np.int64)
        sub = np.asarray(pidx.quarter if freq == "Q" else pidx.month, dtype=np.int64)
        ret = pr["ret"].to_numpy(dtype=float)
        pos = pr["pos"].to_numpy(dtype=np.int64)
        wanted = self.quarter if freq == "Q" else self.month
        keep = np.ones(len(pr), dtype=bool) if wanted is None else sub == wanted
        if self.since is not None:
            self._check_since(x, pidx[keep & ~np.isnan(ret)], freq)
        trig_p = np.zeros(len(pr), dtype=bool)
        since = self.since if self.since is not None else np.iinfo(np.int64).min  # exclusive
        for s in np.unique(sub[keep]):  # at most 12 calendar periods, not dates
            i = np.flatnonzero(sub == s)
            y, r = years[i], ret[i]
            past = (y[None, :] < y[:, None]) & (y[None, :] > since) & ~np.isnan(r)[None, :]
            with np.errstate(invalid="ignore"):
                beats = (
                    (r[None, :] >= r[:, None])
                    if self.rank == "best"
                    else (r[None, :] <= r[:, None])
                )
            n_beat = (past & beats).sum(axis=1)
            n_past = past.sum(axis=1)
            trig_p[i] = ~np.isnan(r) & (n_past >= self.top_n) & (n_beat < self.top_n)
        value = np.full(len(x), np.nan)
        trig = np.zeros(len(x), dtype=bool)
        value[pos[keep]] = ret[keep]
        trig[pos[keep]] = trig_p[keep]
        return make_result(
            pd.Series(value, index=x.index),
            trig,
            threshold=None,
            look_ahead=False,
            description=self._describe(),
        )

    def _check_since(self, x: pd.Series, held: pd.PeriodIndex, freq: str) -> None:
        """Refuse a ``since`` whose first compared period the data do not hold ("the best
        August since 1950" compares every August from 1951 on; judged on the years the data
        cover it would be another claim), or one that leaves no period with ``top_n``
        compared years before it (the signal could never fire)."""
        assert self.since is not None
        if not len(held):
            return  # no period return at all: the caller says so
        first_year = self.since + 1
        if freq == "Q":
            need = pd.Period(f"{first_year}Q{self.quarter}", freq="Q")
        else:
            need = pd.Period(f"{first_year}-{self.month or 1:02d}", freq="M")
        what = self._period_word()
        start = x.index[x.notna().to_numpy()][0]
        if held[0] > need:
            raise DataError(
                f"since = {self.since} compares the {what}s of {first_year} on, but series "
                f"{self.series!r} starts {start:%Y-%m-%d} and its first {what} return is "
                f"{held[0]} (from the previous period's last close): the rank would be judged "
                f"against the years from {held[0].year} only; give since = {held[0].year - 1} "
                "or later, or a series that covers the years after since"
            )
        if held[-1].year < first_year + self.top_n:
            raise DataError(
                f"since = {self.since} leaves no {what} with {self.top_n} compared year(s) "
                f"after {self.since} before it: the last {what} return of {self.series!r} is "
                f"{held[-1]} (its data end {x.index[-1]:%Y-%m-%d}), so the signal could never "
                "fire; give an earlier since"
            )

    def _period_word(self) -> str:
        if self.month is not None:
            return _MONTHS[self.month - 1]
        if self.quarter is not None:
            return f"Q{self.quarter}"
        return "month"

    def _describe(self) -> str:
        if self.month is not None:
            what = _MONTHS[self.month - 1]
        elif self.quarter is not None:
            what = f"Q{self.quarter}"
        else:
            what = "monthly"
        place = self.rank if self.top_n == 1 else f"{self.rank} {self.top_n}"
        since = f"since {self.since}" if self.since is not None else "in the data"
        vs = "for its calendar month" if what == "monthly" else what
        return f"{self.series} {what} return (last close to last close) is the {place} {vs} {since}"
