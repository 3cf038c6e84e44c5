"""Standard performance metrics of a daily return series.

The definitions are those of empyrical-reloaded (the maintained fork of Quantopian's
empyrical, https://github.com/stefan-jansen/empyrical-reloaded): annual return
``(prod(1 + r))^(252 / T) - 1``, volatility ``std(r, ddof=1) sqrt(252)``, Sharpe ratio
``mean(r - rf) / std(r - rf, ddof=1) sqrt(252)``, Sortino ratio ``252 mean(r - rf) /
(sqrt(mean(min(r - rf, 0)^2)) sqrt(252))`` and maximum drawdown of the wealth path.  Each is
one line of numpy here: the tests check every one against empyrical-reloaded, which is not a
dependency of eventstudy because it would add peewee and bottleneck for these few lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PERIODS", "Drawdown", "annual_return", "max_drawdown", "performance"]

PERIODS = 252
"""Trading days per year used to annualize."""


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The largest fall of the wealth path from a previous peak.

    ``depth`` is negative (``-0.25`` = a 25% fall); ``recovery`` is the first date the wealth
    is back at the peak (``None`` if it never was).  The wealth path starts at 1 before the
    first return, so a loss on the first day is a drawdown.
    """

    depth: float
    peak: pd.Timestamp | None
    trough: pd.Timestamp | None
    recovery: pd.Timestamp | None


def annual_return(r: np.ndarray, periods: int = PERIODS) -> float:
    """Compound annual growth rate of per-period returns."""
    growth = float(np.prod(1.0 + r))
    return growth ** (periods / r.size) - 1.0 if growth > 0 else -1.0


def max_drawdown(r: np.ndarray, dates: pd.DatetimeIndex | None = None) -> Drawdown:
    """Maximum drawdown of the wealth path ``W_t = prod_{s <= t}(1 + r_s)`` (``W_{-1} = 1``)."""
    wealth = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    peak = np.maximum.accumulate(wealth)
    dd = wealth / peak - 1.0
    i = int(np.argmin(dd))
    depth = float(dd[i])
    if dates is None or depth == 0.0:
        return Drawdown(depth, None, None, None)
    j = int(np.flatnonzero(wealth[: i + 1] == peak[i])[0])
    back = np.flatnonzero(wealth[i:] >= peak[i])
    k = int(back[0]) + i if back.size else None
    # wealth[0] is the start (before the first date): date it at the first return's date
    at = lambda n: dates[max(n - 1, 0)]  # noqa: E731
    return Drawdown(depth, at(j), at(i), at(k) if k is not None else None)


def performance(
    r: np.ndarray, rf: np.ndarray, dates: pd.DatetimeIndex | None = None, periods: int = PERIODS
) -> dict[str, Any]:
    """Annual return, volatility, Sharpe and Sortino ratios, maximum drawdown of ``r``.

    Parameters
    ----------
    r
        Per-period returns.
    rf
        Per-period risk-free returns over the same periods (zeros for none).
    dates
        Dates of ``r`` (for the drawdown's dates).
    """
    ex = r - rf
    sd = float(np.std(ex, ddof=1)) if r.size > 1 else math.nan
    down = math.sqrt(float(np.mean(np.minimum(ex, 0.0) ** 2)))
    dd = max_drawdown(r, dates)
    return {
        "total_return": float(np.prod(1.0 + r) - 1.0),
        "annual_return": annual_return(r, periods),
        "volatility": float(np.std(r, ddof=1)) * math.sqrt(periods) if r.size > 1 else math.nan,
        "sharpe": float(ex.mean()) / sd * math.sqrt(periods) if sd > 0 else math.nan,
        "sortino": float(ex.mean()) * math.sqrt(periods) / down if down > 0 else math.nan,
        "max_drawdown": dd.depth,
        "drawdown_peak": dd.peak,
        "drawdown_trough": dd.trough,
        "drawdown_recovery": dd.recovery,
    }
