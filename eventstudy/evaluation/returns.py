"""Forward returns over fixed trading-day horizons."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from eventstudy._typing import ChangeKind, ReturnKind
from eventstudy._validation import check_choice, check_int
from eventstudy._warnings import find_stack_level
from eventstudy.exceptions import DataCoverageWarning, DataError

__all__ = [
    "DEFAULT_HORIZONS",
    "forward_returns",
    "relative_forward_returns",
    "validate_horizons",
    "validate_prices",
]

DEFAULT_HORIZONS: Mapping[str, int] = {"1m": 21, "3m": 63, "6m": 126, "12m": 252}
"""Label -> trading days."""

HORIZON_ATTR = "horizon_days"
"""Key in ``DataFrame.attrs`` holding the label -> days mapping of a forward-return frame."""


def validate_prices(name: str, prices: object, *, positive: bool = True) -> pd.Series:
    """Check a price series: float Series, ascending unique DatetimeIndex, finite and > 0
    (any finite value for a level, ``positive=False``)."""
    if not isinstance(prices, pd.Series):
        raise TypeError(f"{name} must be a pandas Series of prices, got {type(prices).__name__}")
    if not isinstance(prices.index, pd.DatetimeIndex):
        raise TypeError(f"{name} must have a DatetimeIndex, got {type(prices.index).__name__}")
    if not prices.index.is_monotonic_increasing or not prices.index.is_unique:
        i = int(np.flatnonzero(np.diff(prices.index.asi8) <= 0)[0]) + 1
        what = "repeats" if prices.index[i] == prices.index[i - 1] else "comes before"
        raise DataError(
            f"{name}: the index must be ascending trading dates without duplicates; "
            f"{prices.index[i]:%Y-%m-%d} (row {i}) {what} the date above it, "
            f"{prices.index[i - 1]:%Y-%m-%d} (sort_index() and drop the duplicates first)"
        )
    values = prices.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | ((values <= 0) if positive else False)
    if bad.any():
        first = prices.index[np.flatnonzero(bad)[0]]
        what = "prices must be finite and > 0" if positive else "levels must be finite"
        raise DataError(f"{name}: {what}; first bad value on {first.date()}")
    return pd.Series(values, index=prices.index, name=prices.name)


def validate_horizons(horizons: Mapping[str, int]) -> dict[str, int]:
    """Check ``label -> trading days`` (days >= 1, labels strings, at least one)."""
    if not isinstance(horizons, Mapping):
        raise TypeError(
            f"horizons must be a mapping label -> trading days, got {type(horizons).__name__}"
        )
    if not horizons:
        raise ValueError("horizons must not be empty")
    out: dict[str, int] = {}
    for label, days in horizons.items():
        if not isinstance(label, str):
            raise TypeError(f"horizon labels must be strings, got {label!r}")
        out[label] = check_int(f"horizons[{label!r}]", days, minimum=1)
    return out


KINDS = ("simple", "log", "change")
"""Simple return, log return, or change of a level (``P[t+h] - P[t]``)."""


def move(later: np.ndarray, earlier: np.ndarray, kind: str) -> np.ndarray:
    """``later / earlier - 1`` (simple), ``log(later / earlier)`` (log) or ``later - earlier``
    (change), elementwise: how a target moved between two closes."""
    if kind == "change":
        return later - earlier
    ratio = later / earlier
    return np.log(ratio) if kind == "log" else ratio - 1.0


def _forward(values: np.ndarray, h: int, kind: str) -> np.ndarray:
    out = np.full(values.size, np.nan)
    if h < values.size:
        out[: values.size - h] = move(values[h:], values[:-h], kind)
    return out


def forward_returns(
    prices: pd.Series,
    horizons: Mapping[str, int] = DEFAULT_HORIZONS,
    *,
    kind: ChangeKind = "simple",
) -> pd.DataFrame:
    """Return from the close at t to the close h trading days later, for each horizon.

    Parameters
    ----------
    prices
        Price levels, float, on an ascending trading-day DatetimeIndex, finite and > 0.
    horizons
        Label -> trading days; default ``{"1m": 21, "3m": 63, "6m": 126, "12m": 252}``.
    kind
        ``"simple"`` (``P[t+h] / P[t] - 1``), ``"log"`` (``log(P[t+h] / P[t])``) or
        ``"change"`` (``P[t+h] - P[t]``, for a level such as a yield; any finite values).

    Returns
    -------
    pandas.DataFrame
        Shape ``(T, len(horizons))``, index = ``prices.index``, one column per label.
        NaN where ``t + h`` is past the last date (incomplete horizon).  ``attrs
        ["horizon_days"]`` holds the horizons mapping.

    Examples
    --------
    Prices growing 10 % a day: every complete one-day return is 10 %, every two-day return
    21 %, and the last ``h`` dates have no complete horizon:

    >>> import pandas as pd
    >>> prices = pd.Series(
    ...     [100.0, 110.0, 121.0, 133.1], index=pd.bdate_range("2024-01-01", periods=4)
    ... )
    >>> forward_returns(prices, {"1d": 1, "2d": 2}).round(12)
                 1d    2d
    2024-01-01  0.1  0.21
    2024-01-02  0.1  0.21
    2024-01-03  0.1   NaN
    2024-01-04  NaN   NaN
    """
    check_choice("kind", kind, KINDS)
    p = validate_prices("prices", prices, positive=kind != "change")
    hz = validate_horizons(horizons)
    _warn_not_daily(p)
    values = p.to_numpy()
    out = pd.DataFrame({label: _forward(values, h, kind) for label, h in hz.items()}, index=p.index)
    out.attrs[HORIZON_ATTR] = hz
    return out


def _warn_not_daily(prices: pd.Series) -> None:
    """A :class:`~eventstudy.exceptions.DataCoverageWarning` when ``prices`` has stretches
    that are not daily (month-end history): horizons count rows, so "21 days" would be 21
    months there.  A study's loader cuts such a leading stretch itself
    (:func:`~eventstudy.data.study_data.daily_part`); from Python it is said here."""
    from eventstudy.data.align import sparse_stretches

    stretches = sparse_stretches(pd.DatetimeIndex(prices.index))
    if len(stretches):
        first, last = stretches["first"].iloc[0], stretches["last"].iloc[0]
        warnings.warn(
            f"forward_returns: {prices.name or 'prices'} is not daily from {first:%Y-%m-%d} to "
            f"{last:%Y-%m-%d} (median gap {stretches['median_gap'].iloc[0]:.0f} calendar days"
            + (f"; {len(stretches)} such stretches" if len(stretches) > 1 else "")
            + "): horizons count rows, so a 21-day horizon there spans 21 of those gaps; "
            f"start the prices at {last:%Y-%m-%d} (a study's loader does)",
            DataCoverageWarning,
            stacklevel=find_stack_level(),
        )


def relative_forward_returns(
    a: pd.Series,
    b: pd.Series,
    horizons: Mapping[str, int] = DEFAULT_HORIZONS,
    *,
    mode: Literal["difference", "ratio"] = "difference",
    kind: ReturnKind = "simple",
) -> pd.DataFrame:
    """Forward return of ``a`` relative to ``b``.

    Simple returns (``kind="simple"``): ``mode="difference"`` gives ``fwd_a - fwd_b``;
    ``mode="ratio"`` gives ``(1 + fwd_a) / (1 + fwd_b) - 1`` (the return of holding a financed
    by b).  Log returns (``kind="log"``): both modes give ``log_fwd_a - log_fwd_b``, the log of
    the ratio.  The two series are aligned on their common dates (a
    :class:`~eventstudy.exceptions.DataCoverageWarning` names how many were dropped); horizons
    count trading days of the common calendar.

    Returns
    -------
    pandas.DataFrame
        Dates x horizon labels, NaN where incomplete; ``attrs["horizon_days"]`` set.
    """
    pa = validate_prices("a", a)
    pb = validate_prices("b", b)
    check_choice("mode", mode, ("difference", "ratio"))
    check_choice("kind", kind, ("simple", "log"))
    common = pa.index.intersection(pb.index)
    dropped = len(pa.index) + len(pb.index) - 2 * len(common)
    if dropped:
        warnings.warn(
            f"relative_forward_returns: {dropped} dates not common to a and b were dropped",
            DataCoverageWarning,
            stacklevel=find_stack_level(),
        )
    if len(common) == 0:
        raise DataError("a and b have no dates in common")
    fa = forward_returns(pa.loc[common], horizons, kind=kind)
    fb = forward_returns(pb.loc[common], horizons, kind=kind)
    out = fa - fb if mode == "difference" or kind == "log" else (1.0 + fa) / (1.0 + fb) - 1.0
    out.attrs[HORIZON_ATTR] = validate_horizons(horizons)
    return out
