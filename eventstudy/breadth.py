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

__all__ = ["advance_decline_line", "share_above_moving_average", "share_at_high", "share_at_low"]


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
