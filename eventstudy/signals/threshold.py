"""``threshold``: a series, its N-day change, or its trailing percentile rank crossing a level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from eventstudy._validation import check_bool, check_choice, check_float, check_int
from eventstudy.signals._base import (
    Signal,
    SignalResult,
    check_name,
    crossing,
    exact,
    fmt_num,
    get_column,
    make_result,
)
from eventstudy.signals._registry import register

__all__ = ["Threshold", "trailing_percentile"]

ThresholdMode = Literal["level", "change", "percentile"]
_DEFAULT_N = 20
_DEFAULT_WINDOW = 252
_CHUNK = 4096


def trailing_percentile(x: pd.Series, window: int) -> pd.Series:
    """Percentile rank of ``x_t`` among the ``window`` values before it (past only).

    ``rank_t = (#{x_s < x_t} + 0.5 #{x_s = x_t}) / window`` over ``s = t-window .. t-1``
    (mid-rank for ties), in ``[0, 1]``.  NaN when ``x_t`` or any value of the window is NaN,
    and for the first ``window`` positions.  Memory is bounded by chunking (no per-date loop).
    """
    v = x.to_numpy(dtype=float)
    out = np.full(len(v), np.nan)
    if len(v) > window:
        for start in range(window, len(v), _CHUNK):  # chunks, not dates
            stop = min(start + _CHUNK, len(v))
            seg = v[start - window : stop]
            win = np.lib.stride_tricks.sliding_window_view(seg, window + 1)
            past, cur = win[:, :window], win[:, window : window + 1]
            below = (past < cur).sum(axis=1)
            ties = (past == cur).sum(axis=1)
            rank = (below + 0.5 * ties) / window
            bad = np.isnan(win).any(axis=1)
            rank[bad] = np.nan
            out[start:stop] = rank
    return pd.Series(out, index=x.index, name=x.name)


@register
@dataclass(frozen=True, slots=True)
class Threshold(Signal):
    """A level rule on a series (``mode="level"``), its change (``"change"``) or its rank.

    Value per date:

    * ``"level"``: the series itself (e.g. VIX, a breadth share, a yield).
    * ``"change"``: ``x_t - x_{t-n}`` (``change_kind="difference"``, e.g. a 10-year yield up
      0.50 percentage points in 20 days is ``level=0.5, n=20`` with yields in percent) or
      ``x_t / x_{t-n} - 1`` (``"pct"``).
    * ``"percentile"``: rank in ``[0, 1]`` of today's value among the previous ``window``
      values (past only; see :func:`trailing_percentile`).

    Trigger: with ``cross=True`` (default) only on the crossing day — for ``"above"`` the value
    goes from ``<= level`` (previous day, defined) to ``> level``; for ``"below"`` from
    ``>= level`` to ``< level``.  With ``cross=False`` on every day the condition holds.

    Parameters
    ----------
    series
        Column name.
    level
        The level, in the units of the value (a fraction in ``[0, 1]`` for ``"percentile"``).
    mode
        ``"level"`` (default), ``"change"`` or ``"percentile"``.
    direction
        ``"above"`` (default) or ``"below"``.
    n
        Change horizon in trading days (``"change"`` only; default 20).
    change_kind
        ``"difference"`` (default) or ``"pct"`` (``"change"`` only).
    window
        Number of past values ranked against (``"percentile"`` only; default 252).
    cross
        Trigger on crossing days only (``True``) or on every day the condition holds.

    Notes
    -----
    Uses only data up to ``t`` (``look_ahead=False``).
    """

    kind: ClassVar[str] = "threshold"

    series: str
    level: float
    mode: ThresholdMode = "level"
    direction: Literal["above", "below"] = "above"
    n: int | None = None
    change_kind: Literal["difference", "pct"] | None = None
    window: int | None = None
    cross: bool = True

    def __post_init__(self) -> None:
        check_name("series", self.series)
        check_choice("mode", self.mode, ("level", "change", "percentile"))
        check_choice("direction", self.direction, ("above", "below"))
        check_bool("cross", self.cross)
        if self.mode == "percentile":
            object.__setattr__(
                self, "level", check_float("level", self.level, minimum=0.0, maximum=1.0)
            )
        else:
            object.__setattr__(self, "level", check_float("level", self.level))
        if self.n is not None:
            if self.mode != "change":
                raise ValueError("n only applies to mode='change'")
            check_int("n", self.n, minimum=1)
        if self.change_kind is not None:
            if self.mode != "change":
                raise ValueError("change_kind only applies to mode='change'")
            check_choice("change_kind", self.change_kind, ("difference", "pct"))
        if self.window is not None:
            if self.mode != "percentile":
                raise ValueError("window only applies to mode='percentile'")
            check_int("window", self.window, minimum=1)

    def compute(self, data: pd.DataFrame) -> SignalResult:
        """Compute the value and the trigger; see the class docstring."""
        x = get_column(data, self.series)
        if self.mode == "level":
            value = x
            what = f"{self.series}"
        elif self.mode == "change":
            n = self.n or _DEFAULT_N
            v = x.to_numpy()
            out = np.full(len(v), np.nan)
            if len(v) > n:
                # rounded to 14 significant digits of the data (exact): a change of exactly
                # 50 bp must compare with 0.5 the same way on every date
                if (self.change_kind or "difference") == "difference":
                    out[n:] = exact(v[n:] - v[:-n], float(np.nanmax(np.abs(v))))
                else:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        out[n:] = exact(v[n:] / v[:-n] - 1.0)
                    out[~np.isfinite(out)] = np.nan
            value = pd.Series(out, index=x.index)
            kind = self.change_kind or "difference"
            what = f"{n}-day {'change' if kind == 'difference' else 'pct change'} of {self.series}"
        else:
            w = self.window or _DEFAULT_WINDOW
            value = trailing_percentile(x, w)
            what = f"percentile rank of {self.series} among the previous {w} days"
        trig = crossing(value, self.level, self.direction, cross=self.cross)
        verb = ("crosses " if self.cross else "") + self.direction
        desc = f"{what} {verb} {fmt_num(self.level)}"
        return make_result(value, trig, threshold=self.level, look_ahead=False, description=desc)
