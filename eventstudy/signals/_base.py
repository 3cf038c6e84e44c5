"""Core types of the signals subpackage: :class:`SignalResult`, :class:`Signal` and helpers.

Signals compute from *aligned data*: a :class:`pandas.DataFrame` with an ascending
:class:`pandas.DatetimeIndex` of trading days and float columns named by series alias
(``"rut"``, ``"spx"``, ``"dgs10"``...) holding price *levels* (or levels of a yield, ratio or
breadth share).  Index positions are trading days: the ``n``-day return at position ``t`` is
``close[t] / close[t - n] - 1`` (simple) or ``log(close[t] / close[t - n])`` (log).
"""

from __future__ import annotations

import abc
import dataclasses
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from eventstudy.exceptions import DataError

__all__ = ["Signal", "SignalResult", "compute_checked"]


@dataclass(frozen=True, slots=True)
class SignalResult:
    """Output of :meth:`Signal.compute`: a value and a trigger per date.

    Parameters
    ----------
    value
        Float series, one entry per date of the input data (shape ``(n_dates,)``); NaN where the
        signal is undefined (warm-up, missing data, zero σ...).
    trigger
        Boolean series on the same index; always ``False`` where ``value`` is NaN.
    threshold
        The level the value is compared with (``None`` when the trigger is not a fixed level,
        e.g. a record or a calendar rank).
    look_ahead
        ``True`` when a full-sample statistic (e.g. full-sample σ) is used, so the value at a
        date depends on data after that date.
    description
        One human sentence describing the rule.
    levels
        Every level the value is compared with when there are several (``any_of`` over
        thresholds on one value, e.g. a yield change above +0.5 or below -0.5), for plots and
        summaries; empty when ``threshold`` says it all.
    units
        What the value is measured in, when known (``""`` otherwise): a study sets it from its
        data (``"percentage points"`` for a 20-day change of a yield in percent, whose 0.5 is
        50 bp; ``"percent"`` for the yield itself; ``"bp"``); see :meth:`in_units`.

    Raises
    ------
    DataError
        If the two series do not share an index, ``trigger`` is not boolean, or a trigger is set
        where the value is NaN.

    Notes
    -----
    The two series are the result's own: pandas cannot lock them, so read them and copy before
    editing (:mod:`eventstudy._frozen` states the policy); :meth:`to_frame` returns a new frame.
    """

    value: pd.Series
    trigger: pd.Series
    threshold: float | None
    look_ahead: bool
    description: str
    levels: tuple[float, ...] = ()
    units: str = ""

    def __repr__(self) -> str:
        """One line: what the signal is and how often it triggered."""
        return (
            f"<SignalResult {self.description!r}: {int(self.trigger.sum())} trigger days "
            f"of {len(self.trigger)}>"
        )

    def __post_init__(self) -> None:
        if not isinstance(self.value, pd.Series) or not isinstance(self.trigger, pd.Series):
            raise TypeError("value and trigger must be pandas Series")
        if self.threshold is not None and (
            isinstance(self.threshold, bool) or not isinstance(self.threshold, int | float)
        ):
            raise TypeError(
                f"threshold must be a number or None, got {type(self.threshold).__name__}"
            )
        if not isinstance(self.levels, tuple) or not all(
            isinstance(x, int | float) and not isinstance(x, bool) for x in self.levels
        ):
            raise TypeError(f"levels must be a tuple of numbers, got {self.levels!r}")
        if not isinstance(self.units, str):
            raise TypeError(f"units must be a string, got {type(self.units).__name__}")
        if not self.value.index.equals(self.trigger.index):
            raise DataError("value and trigger must share the same index")
        if not pd.api.types.is_bool_dtype(self.trigger.dtype):
            raise DataError(f"trigger must be boolean, got dtype {self.trigger.dtype}")
        bad = self.trigger.to_numpy(dtype=bool) & np.isnan(self.value.to_numpy(dtype=float))
        if bad.any():
            first = self.value.index[np.flatnonzero(bad)[0]]
            raise DataError(f"trigger is True where value is NaN (first on {first})")

    def in_units(self, x: float) -> str:
        """A level of the value with its units: ``"0.5 percentage points (50 bp)"``,
        ``"4.5%"``, ``"12 bp"``, or the bare number when the units are not known."""
        if self.units == "percentage points":
            return f"{x:g} percentage points ({x * 100:g} bp)"
        if self.units == "percent":
            return f"{x:g}%"
        if self.units == "bp":
            return f"{x:g} bp"
        return f"{x:g}"

    @property
    def n_triggers(self) -> int:
        """Number of trigger days (before any declustering)."""
        return int(self.trigger.sum())

    def to_frame(self) -> pd.DataFrame:
        """New DataFrame, one row per date (the index): ``value`` (float; NaN where the signal is
        undefined, e.g. during its warm-up) and ``trigger`` (bool)."""
        return pd.DataFrame({"value": self.value, "trigger": self.trigger})

    def summary(self) -> str:
        """Human-readable text summary."""
        idx = self.trigger.index[self.trigger.to_numpy(dtype=bool)]
        span = f", first {idx[0].date()}, last {idx[-1].date()}" if len(idx) else ""
        thr = "none" if self.threshold is None else self.in_units(self.threshold)
        if self.levels:
            thr = ", ".join(self.in_units(x) for x in self.levels)
        n_valid = int(self.value.notna().sum())
        lines = [
            self.description,
            f"  trigger days: {len(idx)}{span}",
            f"  valid values: {n_valid} of {len(self.value)}; threshold: {thr}",
        ]
        if self.look_ahead:
            lines.append("  look-ahead: uses a full-sample statistic (not tradable in real time)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = self.summary().replace("\n", "<br>")
        return f"<div><pre>{body}</pre></div>"


class Signal(abc.ABC):
    """Base class of every signal: a frozen, slotted dataclass with a registry name ``kind``.

    Subclasses validate their parameters in ``__post_init__`` and implement :meth:`compute`.
    """

    __slots__ = ()
    kind: ClassVar[str]
    threshold_params: ClassVar[tuple[str, ...]] = ()
    """Parameters that set only the threshold, not the value.  A signal that names them
    implements :meth:`values` and :meth:`from_values` (``compute`` is the two in turn), so
    that a sweep computes the value once for every threshold it tries."""

    @abc.abstractmethod
    def compute(self, data: pd.DataFrame) -> SignalResult:
        """Compute the signal on aligned data (see module docstring for the contract)."""

    def values(self, data: pd.DataFrame) -> pd.Series:
        """The value per date, which does not depend on :attr:`threshold_params`."""
        raise NotImplementedError(f"{type(self).__name__} has no threshold-free value")

    def from_values(self, value: pd.Series) -> SignalResult:
        """The result for a value computed by :meth:`values` (of this signal or of one that
        differs from it only in :attr:`threshold_params`)."""
        raise NotImplementedError(f"{type(self).__name__} has no threshold-free value")

    def to_config(self) -> dict[str, Any]:
        """Config mapping that :func:`eventstudy.signals.make_signal` turns back into ``self``."""
        out: dict[str, Any] = {"type": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if isinstance(v, Signal):
                v = v.to_config()
            elif isinstance(v, tuple) and v and isinstance(v[0], Signal):
                v = [s.to_config() for s in v]
            elif isinstance(v, pd.Timestamp):
                v = v.date().isoformat()
            out[f.name] = v
        return out


# ----------------------------------------------------------------------------- helpers


def check_data(data: Any) -> pd.DataFrame:
    """Check the aligned-data contract (DataFrame, ascending unique DatetimeIndex)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if not isinstance(data.index, pd.DatetimeIndex):
        raise DataError(f"data must have a DatetimeIndex, got {type(data.index).__name__}")
    if not data.index.is_monotonic_increasing or not data.index.is_unique:
        raise DataError(
            "data index must be strictly ascending trading days (sorted, no duplicates)"
        )
    return data


def get_column(data: pd.DataFrame, column: str) -> pd.Series:
    """Return ``data[column]`` as float64; the error names the column and the available ones."""
    check_data(data)
    if column not in data.columns:
        raise DataError(
            f"column {column!r} not in data; available columns: {[str(c) for c in data.columns]}"
        )
    col = data[column]
    if not pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        raise DataError(f"column {column!r} must be numeric, got dtype {col.dtype}")
    return col.astype("float64")


def nday_return(prices: pd.Series, n: int, kind: str) -> pd.Series:
    """``n``-day return of a level series: simple ``p_t/p_{t-n} - 1`` or log ``log(p_t/p_{t-n})``.

    NaN where either level is missing or the ratio is not positive and finite.
    """
    p = prices.to_numpy(dtype=float)
    ratio = np.full(p.shape, np.nan)
    if len(p) > n:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio[n:] = p[n:] / p[:-n]
    ok = np.isfinite(ratio) & (ratio > 0)
    out = np.full(p.shape, np.nan)
    out[ok] = np.log(ratio[ok]) if kind == "log" else ratio[ok] - 1.0
    return pd.Series(out, index=prices.index, name=prices.name)


SIGNIFICANT_DIGITS = 14
"""Digits kept of a change or a return computed from closes (:func:`exact`)."""


def exact(x: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``x`` rounded to :data:`SIGNIFICANT_DIGITS` digits of ``scale`` (the size of the closes
    it was computed from; 1 for a return).

    A change or a return of closes quoted to a few decimals carries floating-point residue: a
    20-day change of a yield from 1.66 to 2.16 is 0.5000000000000002, and from 4.28 to 3.78
    -0.5000000000000004, while other changes of exactly 50 bp are 0.5.  Compared with a
    threshold of 0.5, or with an earlier record, the residue alone would decide.  Rounded to
    14 significant digits of the data's scale (the residue is below 1e-15 of it), equal moves
    are equal.
    """
    digits = SIGNIFICANT_DIGITS - (int(np.ceil(np.log10(scale))) if scale > 0 else 0)
    return np.round(x, max(0, digits))


def compare(value: pd.Series, level: float, direction: str) -> np.ndarray:
    """Boolean condition per date: ``value > level`` (above), ``< level`` (below), NaN -> False.

    For ``direction="both"`` the condition is ``|value| > level``.
    """
    v = value.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        if direction == "above":
            return np.asarray(v > level)
        if direction == "below":
            return np.asarray(v < level)
        return np.asarray(np.abs(v) > level)


def crossing(value: pd.Series, level: float, direction: str, *, cross: bool) -> pd.Series:
    """Trigger from a level rule.

    ``direction="above"``: condition ``value > level``; with ``cross=True`` only the day it
    becomes true (previous day's value defined and ``<= level``).  ``"below"`` mirrors with
    ``value < level`` and previous ``>= level``.  NaN values never trigger.
    """
    cond = compare(value, level, direction)
    if cross:
        prev = np.roll(value.to_numpy(dtype=float), 1)
        if len(prev):
            prev[0] = np.nan
        with np.errstate(invalid="ignore"):
            was = (prev <= level) if direction == "above" else (prev >= level)
        cond = cond & was
    return pd.Series(cond, index=value.index, dtype=bool)


def compute_checked(signal: Signal, data: pd.DataFrame, result: Any = None) -> SignalResult:
    """``signal.compute(data)`` (or ``result``, computed already), checked to be a
    :class:`SignalResult` on exactly the dates of ``data``: events are placed by position on
    the data's forward returns, so a signal on other dates (``pct_change().dropna()``, a
    shifted index) would silently pair each event with another date's returns.

    Errors raised inside a signal's own code (a plugin's) other than ``ValueError``,
    ``TypeError`` and ``KeyError`` come back as a ``TypeError`` naming the signal; callers
    add the study and variant.

    Raises
    ------
    TypeError
        The signal failed, or returned something other than a :class:`SignalResult`.
    ValueError
        Its dates are not the data's (naming the first difference).
    """
    kind = getattr(type(signal), "kind", type(signal).__name__)
    where = f"signal {kind!r} ({type(signal).__module__}.{type(signal).__qualname__})"
    if result is None:
        try:
            result = signal.compute(data)
        except (ValueError, TypeError, KeyError, DataError):
            raise
        except Exception as exc:
            raise TypeError(f"{where} failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(result, SignalResult):
        raise TypeError(f"{where} returned {type(result).__name__}, not a SignalResult")
    index = result.value.index
    if not index.equals(data.index):
        extra = index.difference(data.index)
        missing = data.index.difference(index)
        first = (
            f"e.g. {extra[0]:%Y-%m-%d} is not a date of the data"
            if len(extra)
            else f"e.g. {missing[0]:%Y-%m-%d} is missing"
            if len(missing)
            else "in another order"
        )
        raise ValueError(
            f"{where} returned values on {len(index):,} dates, not on the data's "
            f"{len(data.index):,} ({first}): return one value per date of the data "
            "(NaN where undefined), e.g. with .reindex(data.index)"
        )
    return result


def make_result(
    value: pd.Series,
    trigger: np.ndarray | pd.Series,
    *,
    threshold: float | None,
    look_ahead: bool,
    description: str,
    levels: tuple[float, ...] = (),
) -> SignalResult:
    """Build a :class:`SignalResult`, forcing ``trigger`` to ``False`` where ``value`` is NaN."""
    v = pd.Series(value.to_numpy(dtype=float), index=value.index, name="value")
    t = np.asarray(trigger, dtype=bool) & ~np.isnan(v.to_numpy())
    return SignalResult(
        value=v,
        trigger=pd.Series(t, index=value.index, name="trigger", dtype=bool),
        threshold=threshold,
        look_ahead=look_ahead,
        description=description,
        levels=levels,
    )


def check_name(name: str, value: Any) -> str:
    """A non-empty series alias."""
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a column name (string), got {type(value).__name__} {value!r}"
        )
    if not value:
        raise ValueError(f"{name} must be a non-empty column name")
    return value


def check_date(name: str, value: Any) -> pd.Timestamp | None:
    """``None`` or something :class:`pandas.Timestamp` parses (e.g. ``"1980-01-01"``)."""
    if value is None:
        return None
    if not isinstance(value, str | pd.Timestamp) and not hasattr(value, "isoformat"):
        raise TypeError(f"{name} must be a date string like '1980-01-01', got {value!r}")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} must be a date like '1980-01-01', got {value!r}") from exc
    if ts is pd.NaT or (isinstance(ts, float) and math.isnan(ts)):
        raise ValueError(f"{name} must be a date like '1980-01-01', got {value!r}")
    return ts


def fmt_num(x: float) -> str:
    """Compact number for descriptions."""
    return f"{x:g}"
