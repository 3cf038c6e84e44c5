"""Market-breadth indicators from a wide close-price panel.

Pure functions on ``prices``: a DataFrame indexed by trading date, one column per ticker,
NaN where the stock is not a member or has no data.  Every value on date t uses only prices
dated on or before t (no look-ahead).  Each returns a :class:`pandas.Series` per date, ready
for threshold signals; NaN where the indicator is undefined (no stock qualifies).

References
----------
Zweig, M. (1986), Winning on Wall Street (breadth and advance–decline measures).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy._validation import check_int

__all__ = [
    "advance_decline_line",
    "breadth_counts",
    "share_above_moving_average",
    "share_at_high",
    "share_at_low",
]


def _check_prices(prices: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(prices, pd.DataFrame):
        raise TypeError(
            f"prices must be a wide DataFrame (dates x tickers), got {type(prices).__name__}"
        )
    if not prices.index.is_monotonic_increasing:
        raise ValueError("prices index must be sorted ascending by date")
    return prices.astype(float)


def share_above_moving_average(prices: pd.DataFrame, *, window: int = 200) -> pd.Series:
    """Share of stocks whose close is above their ``window``-day simple moving average.

    A stock counts on date t only if it has ``window`` non-missing closes in the ``window``
    rows ending at t (rows are trading dates of the panel; a stock's gap makes its MA
    undefined until it has ``window`` consecutive valid rows again).  Denominator = stocks
    with a valid MA and a close that day; NaN when there are none.

    Parameters
    ----------
    prices
        Wide closes (T, N).
    window
        Moving-average length in trading days (>= 1).

    Returns
    -------
    pandas.Series (T,) in [0, 1], named ``share_above_ma{window}``.
    """
    px = _check_prices(prices)
    window = check_int("window", window, minimum=1)
    ma = px.rolling(window, min_periods=window).mean()
    valid = ma.notna() & px.notna()
    above = (px > ma) & valid
    n = valid.sum(axis=1)
    out = above.sum(axis=1).astype(float) / n.where(n > 0)
    return out.rename(f"share_above_ma{window}")


def _own_closes_average(px: pd.DataFrame, window: int) -> pd.DataFrame:
    """Each stock's average of its own last ``window`` closes, on the dates it has a close
    (its missing rows skipped, not counted as closes)."""
    out = pd.DataFrame(np.nan, index=px.index, columns=px.columns)
    for col in px.columns:  # one stock at a time: its closes, then back on the panel's dates
        own = px[col].dropna()
        out[col] = own.rolling(window, min_periods=window).mean().reindex(px.index)
    return out


def breadth_counts(
    prices: pd.DataFrame, *, measure: str, window: int, own_closes: bool = False
) -> pd.DataFrame:
    """How many stocks a breadth share counts on each date, and how many it leaves out.

    Parameters
    ----------
    prices
        Wide closes (T, N), NaN where the stock is not a member or has no data.
    measure
        ``"share_above_ma"``, ``"share_at_high"`` or ``"share_at_low"``.
    window
        The measure's window in trading days.
    own_closes
        ``share_above_ma`` only: average each stock's own last ``window`` closes, skipping
        its missing rows, instead of requiring ``window`` valid closes in the ``window`` rows
        ending at t (the panel's rows; one missing row leaves the stock out for ``window``
        days).

    Returns
    -------
    DataFrame (T, 5) of ints: ``hits`` (stocks above the average, or at the high/low),
    ``counted`` (the share's denominator), ``closes`` (stocks with a close on the date),
    ``short_history`` (a close but too few closes for the window: left out) and
    ``missing`` (a close on the previous row but none on the date: left out).  The share
    is ``hits / counted``; with ``own_closes=False`` it is the measure's own function.
    """
    px = _check_prices(prices)
    window = check_int("window", window, minimum=1 if measure == "share_above_ma" else 2)
    if measure == "share_above_ma":
        if own_closes:
            ref = _own_closes_average(px, window)
        else:
            ref = px.rolling(window, min_periods=window).mean()
        valid = ref.notna() & px.notna()
        hit = (px > ref) & valid
    elif measure in ("share_at_high", "share_at_low"):
        if own_closes:
            raise ValueError("own_closes applies to measure 'share_above_ma' only")
        roll = px.rolling(window, min_periods=window)
        ref = roll.max() if measure == "share_at_high" else roll.min()
        valid = ref.notna() & px.notna()
        hit = ((px >= ref) if measure == "share_at_high" else (px <= ref)) & valid
    else:
        raise ValueError(
            f"measure must be 'share_above_ma', 'share_at_high' or 'share_at_low', got {measure!r}"
        )
    has = px.notna()
    return pd.DataFrame(
        {
            "hits": hit.sum(axis=1),
            "counted": valid.sum(axis=1),
            "closes": has.sum(axis=1),
            "short_history": (has & ~valid).sum(axis=1),
            "missing": (~has & has.shift(1, fill_value=False)).sum(axis=1),
        },
        index=px.index,
    ).astype("int64")


def _share_at_extreme(prices: pd.DataFrame, window: int, high: bool) -> pd.Series:
    px = _check_prices(prices)
    window = check_int("window", window, minimum=2)
    roll = px.rolling(window, min_periods=window)
    ext = roll.max() if high else roll.min()
    valid = ext.notna() & px.notna()
    hit = (px >= ext) & valid if high else (px <= ext) & valid
    n = valid.sum(axis=1)
    return hit.sum(axis=1).astype(float) / n.where(n > 0)


def share_at_high(prices: pd.DataFrame, *, window: int = 252) -> pd.Series:
    """Share of stocks closing at their ``window``-day high (252 = 52 weeks).

    The high is the maximum close over the ``window`` rows ending at t (including t); a
    stock counts only with ``window`` non-missing closes there.  Denominator = stocks
    with a defined high that day.

    Returns
    -------
    pandas.Series (T,) in [0, 1], named ``share_at_high{window}``.
    """
    return _share_at_extreme(prices, window, True).rename(f"share_at_high{window}")


def share_at_low(prices: pd.DataFrame, *, window: int = 252) -> pd.Series:
    """Share of stocks closing at their ``window``-day low (see :func:`share_at_high`).

    Returns
    -------
    pandas.Series (T,) in [0, 1], named ``share_at_low{window}``.
    """
    return _share_at_extreme(prices, window, False).rename(f"share_at_low{window}")


def advance_decline_line(prices: pd.DataFrame) -> pd.Series:
    """Cumulative advances minus declines.

    On each date, advances (declines) = stocks whose close is above (below) their close on
    the previous row; a stock missing on either date does not count; unchanged closes count
    as neither.  The line is the cumulative sum from 0 on the first date.

    Returns
    -------
    pandas.Series (T,) of floats, named ``advance_decline``.
    """
    px = _check_prices(prices)
    diff = px.to_numpy() - px.shift(1).to_numpy()
    with np.errstate(invalid="ignore"):
        net = (diff > 0).sum(axis=1) - (diff < 0).sum(axis=1)
    return pd.Series(np.cumsum(net).astype(float), index=px.index, name="advance_decline")
