"""``divergence``: standardized spread between the N-day returns of two series."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from eventstudy._typing import Direction, ReturnKind, SigmaMethod
from eventstudy._validation import check_bool, check_choice, check_float, check_int
from eventstudy.exceptions import DataError
from eventstudy.signals._base import (
    Signal,
    SignalResult,
    check_date,
    check_name,
    compare,
    fmt_num,
    get_column,
    make_result,
    nday_return,
)
from eventstudy.signals._registry import register

__all__ = ["Divergence"]

_DEFAULT_WINDOW = 252
_DEFAULT_MIN_PERIODS = 252


@register
@dataclass(frozen=True, slots=True)
class Divergence(Signal):
    """N-day return of ``a`` minus that of ``b``, standardized by its σ.

    ``x_t = R_a(t, n) - R_b(t, n)`` and ``z_t = (x_t - μ) / σ`` (``demean=True``) or
    ``x_t / σ`` (``demean=False``).  The trigger is ``z > k`` (``direction="above"``),
    ``z < -k`` (``"below"``) or ``|z| > k`` (``"both"``), on every day it holds.

    Parameters
    ----------
    a, b
        Column names of the two level series.
    n
        Return horizon in trading days (>= 1).
    k
        Threshold in σ units (>= 0); for ``"below"`` the trigger is ``z < -k``.
    direction
        ``"above"``, ``"below"`` or ``"both"``.
    return_kind
        ``"log"`` (default) or ``"simple"``.
    sigma
        ``"full"``: μ and σ over the sample ``[sigma_start, sigma_end]`` (default: all data);
        this uses future data, so ``look_ahead=True``.  ``"expanding"``: μ and σ of all
        values strictly before ``t`` (at least ``min_periods``, default 252).  ``"rolling"``:
        over the ``window`` (default 252) values strictly before ``t``.  Trailing methods shift
        by one day, so the value at ``t`` never uses data after ``t`` nor ``x_t`` itself.
    sigma_start, sigma_end
        Inclusive date bounds of the full-sample estimation window (``sigma="full"`` only).
    min_periods
        Minimum number of past values for ``sigma="expanding"``.
    window
        Number of past values for ``sigma="rolling"``.
    demean
        Subtract the mean before scaling (default ``True``).

    Notes
    -----
    With ``n > 1`` consecutive N-day returns overlap, so σ is the standard deviation of the
    overlapping series (roughly ``sqrt(n)`` times the daily σ when returns are uncorrelated);
    it is *not* corrected for the autocorrelation the overlap induces.  σ uses ``ddof=1``.
    NaN policy: a missing level makes ``x`` NaN on the affected days; trailing windows need
    ``window``/``min_periods`` non-NaN values; σ = 0 gives NaN.

    References
    ----------
    Hansen, L. P. & Hodrick, R. J. (1980), "Forward exchange rates as optimal predictors of
    future spot rates", Journal of Political Economy 88(5) — on overlapping observations.
    """

    kind: ClassVar[str] = "divergence"

    a: str
    b: str
    n: int = 5
    k: float = 2.0
    direction: Direction = "above"
    return_kind: ReturnKind = "log"
    sigma: SigmaMethod = "full"
    sigma_start: str | pd.Timestamp | None = None
    sigma_end: str | pd.Timestamp | None = None
    min_periods: int | None = None
    window: int | None = None
    demean: bool = True

    def __post_init__(self) -> None:
        check_name("a", self.a)
        check_name("b", self.b)
        if self.a == self.b:
            raise ValueError(f"a and b must be different columns, got {self.a!r} twice")
        check_int("n", self.n, minimum=1)
        object.__setattr__(self, "k", check_float("k", self.k, minimum=0.0))
        check_choice("direction", self.direction, ("above", "below", "both"))
        check_choice("return_kind", self.return_kind, ("log", "simple"))
        check_choice("sigma", self.sigma, ("full", "expanding", "rolling"))
        check_bool("demean", self.demean)
        start = check_date("sigma_start", self.sigma_start)
        end = check_date("sigma_end", self.sigma_end)
        object.__setattr__(self, "sigma_start", start)
        object.__setattr__(self, "sigma_end", end)
        if self.sigma != "full" and (start is not None or end is not None):
            raise ValueError("sigma_start/sigma_end only apply to sigma='full'")
        if start is not None and end is not None and end < start:
            raise ValueError(f"sigma_end {end.date()} is before sigma_start {start.date()}")
        if self.min_periods is not None:
            if self.sigma != "expanding":
                raise ValueError("min_periods only applies to sigma='expanding'")
            check_int("min_periods", self.min_periods, minimum=2)
        if self.window is not None:
            if self.sigma != "rolling":
                raise ValueError("window only applies to sigma='rolling'")
            check_int("window", self.window, minimum=2)

    threshold_params: ClassVar[tuple[str, ...]] = ("k", "direction")

    def compute(self, data: pd.DataFrame) -> SignalResult:
        """Compute ``z`` per date; see the class docstring."""
        return self.from_values(self.values(data))

    def values(self, data: pd.DataFrame) -> pd.Series:
        """``z`` per date (it does not depend on ``k`` or ``direction``)."""
        pa = get_column(data, self.a)
        pb = get_column(data, self.b)
        x = nday_return(pa, self.n, self.return_kind) - nday_return(pb, self.n, self.return_kind)
        if self.sigma == "full":
            sample = x
            if self.sigma_start is not None:
                sample = sample[sample.index >= self.sigma_start]
            if self.sigma_end is not None:
                sample = sample[sample.index <= self.sigma_end]
            sample = sample.dropna()
            if len(sample) < 2:
                raise DataError(
                    f"fewer than 2 values of the {self.n}-day return spread {self.a}-{self.b} "
                    f"in the sigma sample ({self._sample_text()})"
                )
            mu = pd.Series(float(sample.mean()), index=x.index)
            sd = pd.Series(float(sample.std(ddof=1)), index=x.index)
        elif self.sigma == "expanding":
            mp = self.min_periods or _DEFAULT_MIN_PERIODS
            mu = x.expanding(min_periods=mp).mean().shift(1)
            sd = x.expanding(min_periods=mp).std(ddof=1).shift(1)
        else:
            w = self.window or _DEFAULT_WINDOW
            mu = x.rolling(w, min_periods=w).mean().shift(1)
            sd = x.rolling(w, min_periods=w).std(ddof=1).shift(1)
        num = (x - mu) if self.demean else x
        s = sd.to_numpy(dtype=float)
        # rolling sums leave ~1e-17 residue on constant windows: treat as zero σ
        valid = np.isfinite(s) & (s > 1e-12)
        z = np.full(len(x), np.nan)
        z[valid] = num.to_numpy(dtype=float)[valid] / s[valid]
        return pd.Series(z, index=x.index)

    def from_values(self, value: pd.Series) -> SignalResult:
        """The trigger ``z`` beyond ``k`` in ``direction``, for ``z`` from :meth:`values`."""
        level = -self.k if self.direction == "below" else self.k
        trig = compare(value, level, self.direction)
        return make_result(
            value,
            trig,
            threshold=level,
            look_ahead=self.sigma == "full",
            description=self._describe(),
        )

    def _sample_text(self) -> str:
        s = (
            self.sigma_start.date().isoformat()
            if isinstance(self.sigma_start, pd.Timestamp)
            else None
        )
        e = self.sigma_end.date().isoformat() if isinstance(self.sigma_end, pd.Timestamp) else None
        if s and e:
            return f"{s} to {e}"
        if s:
            return f"since {s}"
        if e:
            return f"up to {e}"
        return "all data"

    def _describe(self) -> str:
        how = "z-scored" if self.demean else "scaled"
        if self.sigma == "full":
            sig = f"full-sample σ ({self._sample_text()}, look-ahead)"
        elif self.sigma == "expanding":
            sig = f"expanding σ of past values (min {self.min_periods or _DEFAULT_MIN_PERIODS})"
        else:
            sig = f"rolling σ of the past {self.window or _DEFAULT_WINDOW} values"
        k = fmt_num(self.k)
        rule = {"above": f"above {k}σ", "below": f"below -{k}σ", "both": f"beyond ±{k}σ"}
        return (
            f"{self.n}-day {self.return_kind} return of {self.a} minus {self.b}, "
            f"{how} by {sig}, {rule[self.direction]}"
        )
