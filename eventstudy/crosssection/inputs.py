"""Input preparation: returns from prices, long -> wide panels, factor units, event alignment.

Every function is pure.  The trading calendar is the index of the returns panel (trading days
present in the data, never calendar days).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

from eventstudy._typing import ReturnKind
from eventstudy._validation import check_choice
from eventstudy.exceptions import DataError

_P = TypeVar("_P", pd.DataFrame, pd.Series)

__all__ = [
    "FACTOR_COLUMNS",
    "MAX_MEDIAN_ABS_RETURN",
    "AlignedEvents",
    "align_events",
    "check_column_units",
    "check_no_full_day_move",
    "check_return_units",
    "compound_factors",
    "factors_from_percent",
    "returns_from_prices",
    "to_wide",
]

FACTOR_COLUMNS: tuple[str, ...] = ("mkt_rf", "smb", "hml", "rf", "rmw", "cma", "mom")
"""Factor columns understood by the factor models (decimal units after conversion)."""

MAX_MEDIAN_ABS_RETURN = 0.5
"""Largest median absolute value of a series of decimal returns: a daily return of 50 % is a
rare extreme, so a typical (median) one that large means prices or percent (an index's median
absolute daily return is about 0.005, a volatile stock's about 0.02; prices are > 1)."""


_CHECKED = 100_000
"""At most about this many entries (evenly spaced) decide :func:`check_return_units`."""


def check_return_units(values: pd.DataFrame | pd.Series | np.ndarray, name: str) -> None:
    """Refuse ``values`` that look like prices (or percent) rather than decimal returns.

    The rule: the median absolute value of the finite entries is above
    :data:`MAX_MEDIAN_ABS_RETURN` (0.5).  Real daily decimal returns have a median absolute
    value around 0.01, far below; prices (every value above 1) and most percent stock returns
    are above.

    Parameters
    ----------
    values
        Returns (a wide DataFrame, a Series or an array).
    name
        The argument's name, for the message (``"returns"``, ``"market"``).

    Raises
    ------
    DataError
        When the median absolute value is above 0.5 (the message gives it and the fix).
    """
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size > _CHECKED:  # evenly spaced entries: the median of a million is not needed
        arr = arr[:: arr.size // _CHECKED]
    arr = arr[np.isfinite(arr)]
    if not arr.size:
        return
    med = float(np.median(np.abs(arr)))
    if med > MAX_MEDIAN_ABS_RETURN:
        every = " (every value is above 1)" if bool((arr > 1.0).all()) else ""
        raise DataError(
            f"{name} {'look' if name.endswith('s') else 'looks'} like prices (or percent), not "
            "decimal returns: the median absolute "
            f"value is {med:.4g}{every}, above {MAX_MEDIAN_ABS_RETURN} (daily returns are "
            "around 0.01). Pass returns_from_prices(prices) for prices, or divide returns in "
            "percent by 100"
        )


_FEW = 30
"""Sampled values below which :func:`check_column_units` reads every day of a column."""


def check_column_units(returns: pd.DataFrame, name: str = "returns") -> None:
    """Refuse a column of ``returns`` that looks like prices (or percent): the rule of
    :func:`check_return_units` applied to each column alone.

    One price column among 500 columns of returns leaves the median of the whole panel near
    0.01, and its buy-and-hold return was 2.5e22.  Each column's median is taken over at most
    about 200 evenly spaced days (a column with fewer than 30 values there, one listed late:
    over all its days), 3 ms for 500 columns of 3,000 days.

    Raises
    ------
    DataError
        Naming the first such column, its median absolute value and how many there are.
    """
    import warnings

    values = returns.to_numpy(dtype=float)
    if values.size == 0:
        return
    step = max(1, values.shape[0] // 200)
    sample = values[::step]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: looked at below
        med = np.nanmedian(np.abs(sample), axis=0)
        # a column with few values among the sampled days (listed late): all its days decide
        few = np.flatnonzero(np.isfinite(sample).sum(axis=0) < _FEW)
        if few.size:
            med[few] = np.nanmedian(np.abs(values[:, few]), axis=0)
    bad = np.flatnonzero(med > MAX_MEDIAN_ABS_RETURN)
    if bad.size:
        col = returns.columns[bad[0]]
        others = f" ({bad.size} such columns)" if bad.size > 1 else ""
        raise DataError(
            f"{name} column {col!r} looks like prices (or percent), not decimal returns: its "
            f"median absolute value is {med[bad[0]]:.4g}, above {MAX_MEDIAN_ABS_RETURN}{others}. "
            "Pass returns_from_prices(prices) for prices, or divide returns in percent by 100"
        )


def check_no_full_day_move(
    values: pd.DataFrame | pd.Series, name: str, *, fix: str = "divide percent by 100"
) -> None:
    """Refuse a market index or factor return of 100% or more in one day (``|x| >= 1``).

    No index or factor portfolio moves that much in a day, so such a value means percent or
    prices: S&P 500 returns in percent have a median absolute value of 0.38 (2013-2018), below
    the 0.5 of :func:`check_return_units`, and a CAAR of -303% came out of them; every one of
    their years has days of 1% and more.

    Raises
    ------
    DataError
        Naming the first such value's column, date and size.
    """
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    arr = frame.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        big = np.isfinite(arr) & (np.abs(arr) >= 1.0)  # an infinity is named as one, later
    if not big.any():
        return
    row, col = (int(i[0]) for i in np.nonzero(big))
    where = "" if isinstance(values, pd.Series) else f" column {frame.columns[col]!r}"
    day = frame.index[row]
    shown = f"{day:%Y-%m-%d}" if isinstance(day, pd.Timestamp) else str(day)
    raise DataError(
        f"{name}{where} has {arr[row, col]:.4g} on {shown} ({int(big.sum())} value(s) of "
        f"magnitude 1 or more): a daily return of 100% or more, so these look like percent "
        f"or prices, not decimal returns; {fix}"
    )


def _as_datetime_index(index: pd.Index, name: str) -> pd.DatetimeIndex:
    try:
        out = pd.DatetimeIndex(pd.to_datetime(index))
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be indexed by dates: {exc}") from exc
    return out


def returns_from_prices(prices: _P, *, kind: ReturnKind = "simple") -> _P:
    """Close-to-close returns from prices, dated at the later close.

    Parameters
    ----------
    prices
        Wide prices (dates x tickers) or one price Series.  NaN = no price (not listed yet,
        delisted); a return is NaN when either close is missing (no bridging of gaps).
    kind
        ``"simple"`` (P_t / P_{t-1} - 1) or ``"log"`` (ln P_t - ln P_{t-1}).

    Returns
    -------
    Same type and shape as ``prices``; the first row is NaN.

    Raises
    ------
    DataError
        If a price is zero or negative (names the column and date).
    """
    check_choice("kind", kind, ("simple", "log"))
    if not isinstance(prices, pd.DataFrame | pd.Series):
        raise TypeError(f"prices must be a DataFrame or Series, got {type(prices).__name__}")
    values = prices.to_numpy(dtype=float)
    bad = np.argwhere(values <= 0)
    if bad.size:
        r = bad[0]
        col = prices.columns[r[1]] if isinstance(prices, pd.DataFrame) else prices.name
        raise DataError(
            f"prices must be > 0: column {col!r} on {prices.index[r[0]]} is {values[tuple(r)]}"
        )
    prev = prices.shift(1)
    if kind == "simple":
        return prices / prev - 1.0
    ratio = prices / prev
    return ratio.apply(np.log)


def to_wide(
    long: pd.DataFrame,
    *,
    value: str = "close",
    date_col: str = "date",
    ticker_col: str = "ticker",
) -> pd.DataFrame:
    """Pivot a long panel (``date,ticker,<value>``) to a wide dates x tickers frame.

    Raises
    ------
    DataError
        If a column is missing or a (date, ticker) pair is duplicated.
    """
    if not isinstance(long, pd.DataFrame):
        raise TypeError(f"long must be a DataFrame, got {type(long).__name__}")
    for c in (date_col, ticker_col, value):
        if c not in long.columns:
            raise DataError(f"long panel has no column {c!r}; columns are {list(long.columns)}")
    dup = long.duplicated([date_col, ticker_col])
    if dup.any():
        row = long.loc[dup].iloc[0]
        raise DataError(f"duplicate row for ticker {row[ticker_col]!r} on {row[date_col]}")
    wide = long.pivot(index=date_col, columns=ticker_col, values=value).astype(float)
    wide.index = _as_datetime_index(wide.index, "long panel")
    wide.columns = [str(c) for c in wide.columns]
    return wide.sort_index()


def factors_from_percent(factors: pd.DataFrame) -> pd.DataFrame:
    """Convert a Fama–French style factor table from percent to decimal fractions.

    Parameters
    ----------
    factors
        Columns ``mkt_rf, smb, hml, rf`` and optionally ``rmw, cma, mom`` in PERCENT (as
        published by Kenneth French: 0.09 means 0.09 %).  Either a DatetimeIndex or a ``date``
        column.  Other columns are dropped.

    Returns
    -------
    DataFrame indexed by date with the known factor columns divided by 100.

    References
    ----------
    Fama, E. F. & French, K. R. (1993), J. Financial Economics 33(1); (2015) JFE 116(1).
    """
    if not isinstance(factors, pd.DataFrame):
        raise TypeError(f"factors must be a DataFrame, got {type(factors).__name__}")
    df = factors.set_index("date") if "date" in factors.columns else factors
    missing = [c for c in ("mkt_rf", "smb", "hml", "rf") if c not in df.columns]
    if missing:
        raise DataError(f"factors lacks columns {missing}; columns are {list(df.columns)}")
    cols = [c for c in FACTOR_COLUMNS if c in df.columns]
    out = df[cols].astype(float) / 100.0
    out.index = _as_datetime_index(out.index, "factors")
    return out.sort_index()


def compound_factors(factors: pd.DataFrame, calendar: pd.Index) -> pd.DataFrame:
    """Factor returns (decimals) over the same spans as returns on ``calendar``.

    A return dated ``t`` on a calendar that lacks a trading day (a panel without 2017-11-08)
    runs from the previous calendar date's close: it spans two days, and so must the factors
    that explain it.  Each calendar date gets its factors compounded over the factor dates
    after the previous calendar date up to and including it: the total market return
    ``mkt_rf + rf`` and ``rf`` each as ``prod(1 + x) - 1`` (so ``mkt_rf`` stays the market's
    excess over the risk-free return of the same span), the long-short factors (``smb``,
    ``hml``, ``rmw``, ``cma``, ``mom``) as ``prod(1 + x) - 1`` too, the usual approximation of
    a multi-day spread return.  A date whose span lacks the date itself (the factors have no
    row for it), or holds a missing factor value, is NaN; the first calendar date takes its
    own date only (its return is undefined anyway).  Where every span is one day this is ``factors.reindex(calendar)``, exactly.

    Parameters
    ----------
    factors
        Factor returns in decimals (see :func:`factors_from_percent`), indexed by date.
    calendar
        The returns' dates, ascending.

    Returns
    -------
    DataFrame
        The factors on ``calendar``, with the attribute ``attrs["days"]``: a Series of the
        number of factor dates each calendar date spans.

    References
    ----------
    Fama, E. F. & French, K. R. (1993), J. Financial Economics 33(1): the factors are
    returns of portfolios, compounded over a holding period like any return.
    """
    if not isinstance(factors, pd.DataFrame):
        raise TypeError(f"factors must be a DataFrame, got {type(factors).__name__}")
    cal = _as_datetime_index(pd.Index(calendar), "calendar")
    own = _as_datetime_index(factors.index, "factors")
    if not cal.is_monotonic_increasing or not own.is_monotonic_increasing:
        raise DataError("factors and calendar must be in ascending date order")
    values = factors.to_numpy(dtype=float)
    if "mkt_rf" in factors.columns and "rf" in factors.columns:  # compound the total market
        values = values.copy()
        values[:, factors.columns.get_loc("mkt_rf")] += values[:, factors.columns.get_loc("rf")]
    # the calendar date each factor date belongs to: the first one on or after it
    span = np.searchsorted(cal.asi8, own.asi8, side="left")
    inside = (span < len(cal)) & (own >= cal[0])
    span, values = span[inside], values[inside]
    days = np.bincount(span, minlength=len(cal))
    growth = np.full((len(cal), values.shape[1]), 0.0)
    np.add.at(growth, span, np.log1p(values))  # NaN stays NaN
    out = np.expm1(growth)
    out[days == 0] = np.nan
    if "mkt_rf" in factors.columns and "rf" in factors.columns:
        out[:, factors.columns.get_loc("mkt_rf")] -= out[:, factors.columns.get_loc("rf")]
    one = days == 1  # one-day spans are the factors as given, bit for bit
    if one.any():
        first = np.flatnonzero(np.r_[np.diff(span) != 0, True])  # the last entry of each span
        exact = np.full((len(cal), values.shape[1]), np.nan)
        exact[span[first]] = factors.to_numpy(dtype=float)[inside][first]
        out[one] = exact[one]
    # a span without the calendar date itself lacks that day's factors: missing, as reindex
    # would have it (not the earlier day's alone)
    own_day = np.zeros(len(cal), dtype=bool)
    own_day[span[own.asi8[inside] == cal.asi8[span]]] = True
    out[~own_day] = np.nan
    frame = pd.DataFrame(out, index=cal, columns=factors.columns)
    frame.attrs["days"] = pd.Series(days, index=cal, name="days")
    return frame


@dataclass(frozen=True, slots=True)
class AlignedEvents:
    """Events mapped onto the trading calendar.

    Attributes
    ----------
    tickers, dates
        The events as given (length E).
    columns
        Column position of each event's ticker in the returns panel (E,).
    positions
        Row position of each event's day 0 in the calendar (E,).
    trading_dates
        The trading day used as day 0 (E,).
    moved
        True where the event date was not a trading day and moved to the next one (E,).
    """

    tickers: np.ndarray
    dates: pd.DatetimeIndex
    columns: np.ndarray
    positions: np.ndarray
    trading_dates: pd.DatetimeIndex
    moved: np.ndarray

    @property
    def n_moved(self) -> int:
        """Number of events moved to the next trading day."""
        return int(self.moved.sum())


def align_events(
    events: pd.DataFrame, calendar: pd.DatetimeIndex, tickers: pd.Index
) -> AlignedEvents:
    """Map ``events`` (columns ``ticker, date``) onto the trading calendar.

    An event dated on a non-trading day (weekend, holiday, absent date) moves to the next
    trading day of ``calendar``; such events are flagged in ``moved``.

    Raises
    ------
    DataError
        For an unknown ticker, a date before the first or after the last trading day, or the
        same ticker and trading day listed twice (the message names the ticker and date).
    TypeError
        ``events`` not a DataFrame, or its dates tz-aware while ``calendar`` is naive (or the
        reverse): the message suggests ``tz_localize(None)``.
    """
    if not isinstance(events, pd.DataFrame):
        raise TypeError(
            f"events must be a DataFrame with columns ticker,date, got {type(events).__name__}"
        )
    for c in ("ticker", "date"):
        if c not in events.columns:
            raise DataError(f"events has no column {c!r}; columns are {list(events.columns)}")
    if len(events) == 0:
        raise DataError("events is empty")
    ev_tickers = events["ticker"].astype(str).to_numpy()
    raw_dates = events["date"]
    if raw_dates.dtype == object or pd.api.types.is_string_dtype(raw_dates.dtype):
        parsed = pd.to_datetime(raw_dates, errors="coerce")
        bad = np.flatnonzero(parsed.isna().to_numpy() & raw_dates.notna().to_numpy())
        if bad.size:
            i = int(bad[0])
            raise DataError(
                f"events['date'] of ticker {ev_tickers[i]!r} (row {i}) is not a date: "
                f"{raw_dates.iloc[i]!r} ({bad.size} such row{'s' if bad.size != 1 else ''}); "
                "give ISO dates (YYYY-MM-DD)"
            )
    ev_dates = _as_datetime_index(pd.Index(events["date"]), "events['date']")
    if (ev_dates.tz is None) != (calendar.tz is None):

        def tz(x: pd.DatetimeIndex) -> str:
            return "tz-naive" if x.tz is None else f"tz-aware ({x.tz})"

        raise TypeError(
            f"events['date'] is {tz(ev_dates)} but the index of returns is {tz(calendar)}: "
            "make them agree, e.g. returns.tz_localize(None) and market.tz_localize(None) "
            "(or events['date'].dt.tz_localize(None))"
        )
    if ev_dates.hasnans:
        i = int(np.flatnonzero(ev_dates.isna())[0])
        raise DataError(f"events['date'] is missing for ticker {ev_tickers[i]!r} (row {i})")
    # object indexes: pandas 3's default string index looked 100,000 tickers up in 15 ms,
    # object in 5 ms (2026-12-07)
    col = pd.Index([str(t) for t in tickers], dtype=object).get_indexer(
        pd.Index(ev_tickers, dtype=object)
    )
    if (col < 0).any():
        i = int(np.flatnonzero(col < 0)[0])
        raise DataError(
            f"unknown ticker {ev_tickers[i]!r} (event dated {ev_dates[i].date()}): "
            f"not a column of returns ({len(tickers)} tickers)"
        )
    pos = calendar.searchsorted(ev_dates, side="left")
    out = (pos >= len(calendar)) | (ev_dates < calendar[0])
    if out.any():
        i = int(np.flatnonzero(out)[0])
        raise DataError(
            f"event for ticker {ev_tickers[i]!r} dated {ev_dates[i].date()} is outside the data "
            f"({calendar[0].date()}..{calendar[-1].date()})"
        )
    trading = calendar[pos]
    moved = np.asarray(trading != ev_dates)
    # one integer per (ticker column, trading day): a quarter of the time of a MultiIndex of
    # ticker strings and dates (100,000 events, 2026-12-07)
    same = pd.Index(col.astype(np.int64) * len(calendar) + pos).duplicated(keep=False)
    if same.any():
        rows = np.flatnonzero(same)
        i = int(rows[0])
        twins = rows[(ev_tickers[rows] == ev_tickers[i]) & (trading[rows] == trading[i])]
        raise DataError(
            f"event listed more than once: ticker {ev_tickers[i]!r} on {trading[i].date()} "
            f"(rows {twins.tolist()}; {int(same.sum())} rows in all are repeats; a date that is "
            "not a trading day counts as the next trading day)"
        )
    return AlignedEvents(
        tickers=ev_tickers,
        dates=ev_dates,
        columns=col.astype(np.intp),
        positions=np.asarray(pos, dtype=np.intp),
        trading_dates=trading,
        moved=moved,
    )
