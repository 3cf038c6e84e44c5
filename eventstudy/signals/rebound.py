"""``rebound``: a rise of X% from the trailing low (or a fall of X% from the trailing high)."""

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
    fmt_num,
    get_column,
    make_result,
)
from eventstudy.signals._registry import register

__all__ = ["Rebound"]


@register
@dataclass(frozen=True, slots=True)
class Rebound(Signal):
    """Distance of the close from its trailing-window low (``"up"``) or high (``"down"``).

    Value: ``close_t / min(close_{t-window+1..t}) - 1`` (>= 0) for ``direction="up"``, or
    ``close_t / max(close_{t-window+1..t}) - 1`` (<= 0) for ``"down"``.  The window includes
    today and needs ``window`` non-NaN closes.  Trigger: value ``>= pct`` (up) or ``<= -pct``
    (down); with ``cross=True`` (default) only on the day it first gets there (previous day's
    value defined and not yet there).

    Parameters
    ----------
    series
        Column name of a positive level series.
    pct
        Size of the move as a decimal fraction in (0, 1], e.g. ``0.20`` for 20 %.
    window
        Trailing window in trading days, today included (default 252 ≈ one year).
    direction
        ``"up"`` (rise from the low, default) or ``"down"`` (fall from the high).
    cross
        Trigger on crossing days only (default) or on every day the condition holds.

    Raises
    ------
    ValueError
        ``pct`` not in (0, 1] (``pct=25`` read as 2500 %: write ``0.25``), ``window`` below 2,
        an unknown ``direction``.

    Notes
    -----
    Uses only data up to ``t`` (``look_ahead=False``).  Non-positive levels give NaN.
    """

    kind: ClassVar[str] = "rebound"

    series: str
    pct: float
    window: int = 252
    direction: Literal["up", "down"] = "up"
    cross: bool = True

    def __post_init__(self) -> None:
        check_name("series", self.series)
        pct = check_float("pct", self.pct, minimum=0.0, strict_minimum=True)
        if pct > 1.0:
            raise ValueError(
                f"pct must be a decimal fraction of at most 1 (100 %), got {pct:g} ({pct:.0%}): "
                "write 0.25 for 25 %"
            )
        object.__setattr__(self, "pct", pct)
        check_int("window", self.window, minimum=2)
        check_choice("direction", self.direction, ("up", "down"))
        check_bool("cross", self.cross)

    def compute(self, data: pd.DataFrame) -> SignalResult:
        """Compute the value and the trigger; see the class docstring."""
        x = get_column(data, self.series)
        x = x.where(x > 0)
        roll = x.rolling(self.window, min_periods=self.window)
        ref = roll.min() if self.direction == "up" else roll.max()
        value = pd.Series(x.to_numpy() / ref.to_numpy() - 1.0, index=x.index)
        if self.direction == "up":
            v = value.to_numpy()
            with np.errstate(invalid="ignore"):
                cond = v >= self.pct
                prev_ok = np.roll(v, 1) < self.pct
        else:
            v = value.to_numpy()
            with np.errstate(invalid="ignore"):
                cond = v <= -self.pct
                prev_ok = np.roll(v, 1) > -self.pct
        if self.cross:
            prev_ok[:1] = False
            cond = cond & prev_ok
        what = "low" if self.direction == "up" else "high"
        sign = "up" if self.direction == "up" else "down"
        desc = (
            f"{self.series} {sign} {fmt_num(100 * self.pct)}% or more from its {self.window}-day "
            f"{what}" + (" (crossing day)" if self.cross else "")
        )
        thr = self.pct if self.direction == "up" else -self.pct
        return make_result(value, cond, threshold=thr, look_ahead=False, description=desc)
