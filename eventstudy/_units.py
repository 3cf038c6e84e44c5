"""Units of a target's moves: a return (shown in percent), or the change of a level in basis
points (a yield in percent) or in points (an index level, a spread)."""

from __future__ import annotations

import math
from typing import Literal, TypeAlias

__all__ = ["UNITS", "Units", "fmt_cell", "fmt_value"]

Units: TypeAlias = Literal["return", "bp", "points"]
UNITS: tuple[Units, ...] = ("return", "bp", "points")


def fmt_value(x: float | None, units: str = "return", digits: int = 2) -> str:
    """``+1.23%`` for a return, ``+12.3 bp`` or ``+1.23 pt`` for a change; ``""`` for a
    missing value.

    >>> fmt_value(0.0123), fmt_value(12.34, "bp"), fmt_value(-1.5, "points", 1)
    ('+1.23%', '+12.3 bp', '-1.5 pt')
    """
    if x is None or not math.isfinite(x):
        return ""
    if units == "bp":
        return f"{x:+.{max(digits - 1, 0)}f} bp"
    if units == "points":
        return f"{x:+.{digits}f} pt"
    return f"{x:+.{digits}%}"


def fmt_cell(x: float | None, units: str = "return", digits: int = 2) -> str:
    """:func:`fmt_value` for a table cell: ``"n/a"`` for a missing value.

    >>> fmt_cell(-3.0, "bp"), fmt_cell(float("nan"))
    ('-3.0 bp', 'n/a')
    """
    return fmt_value(x, units, digits) or "n/a"
