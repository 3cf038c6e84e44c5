"""Chain an earlier source into a later one (e.g. FRED Russell 2000 since 1978 into Yahoo ^RUT)."""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy._warnings import find_stack_level
from eventstudy.data.records import LoadedSeries, SeriesInfo
from eventstudy.exceptions import DataError, SpliceAgreementWarning

__all__ = ["MAX_DRIFT", "MIN_AGREEMENT", "SpliceReport", "level_ratio_drift", "splice_series"]

MIN_AGREEMENT = 0.999
"""Correlation of daily returns on the overlap below which a splice is flagged."""

MAX_DRIFT = 0.005
"""Drift of the two sources' level ratio on the overlap, a log change per year, above which a
splice is flagged (when the overlap spans a year or more; over a shorter one noise is not
told from drift).  A total-return source
spliced into a price source drifts by the dividend yield: fred:RU2000TR against yahoo:^RUT
+1.39% a year over 1987-2019, while fred:RU2000PR against ^RUT drifts -0.005% a year."""


@dataclass(frozen=True, slots=True)
class SpliceReport:
    """How two sources were joined.

    Attributes
    ----------
    join_date
        First date of the later source; from it on the later source's levels are kept.
    scale
        Factor applied to the earlier source (later level / earlier level on ``join_date``).
    overlap_days
        Common dates of the two sources.
    return_correlation
        Correlation of daily simple returns on consecutive common dates.
    max_abs_return_diff
        Largest absolute difference of those daily returns.
    level_drift
        Drift of the ratio of the two sources' levels on the overlap, a log change per year
        (:func:`level_ratio_drift`; NaN when the overlap is too short).
    """

    join_date: str
    scale: float
    overlap_days: int
    return_correlation: float
    max_abs_return_diff: float
    level_drift: float = float("nan")

    def summary(self) -> str:
        """One-line text summary."""
        drift = (
            f", level-ratio drift {self.level_drift:+.3%} a year"
            if self.level_drift == self.level_drift
            else ""
        )
        return (
            f"joined on {self.join_date} (earlier source scaled by {self.scale:.6g}); "
            f"{self.overlap_days} common dates, daily-return correlation "
            f"{self.return_correlation:.5f}, max abs return difference "
            f"{self.max_abs_return_diff:.4g}{drift}"
        )


def level_ratio_drift(a: pd.Series, b: pd.Series) -> tuple[float, float]:
    """Drift of the level ratio ``a / b`` over their common dates: the least-squares slope
    of ``log(a / b)`` on calendar time, per year, and the years the common dates span.

    Two sources of one index (a price index from two vendors) keep a constant ratio; a
    total-return index against the price index drifts by the dividend yield (about +1.5% a
    year for the Russell 2000), which the correlation of daily returns (0.9997) cannot see.
    NaN with fewer than three common dates or a span of zero.
    """
    common = a.index.intersection(b.index)
    if len(common) < 3:
        return float("nan"), 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(a.loc[common].to_numpy(dtype=float) / b.loc[common].to_numpy(dtype=float))
    t = (pd.DatetimeIndex(common) - common[0]).days.to_numpy(dtype=float) / 365.25
    ok = np.isfinite(y)
    if ok.sum() < 3 or np.ptp(t[ok]) == 0:
        return float("nan"), float(np.ptp(t))
    tc = t[ok] - t[ok].mean()
    slope = float(np.sum(tc * (y[ok] - y[ok].mean())) / np.sum(tc * tc))
    return slope, float(np.ptp(t[ok]))


def splice_series(earlier: LoadedSeries, later: LoadedSeries) -> tuple[LoadedSeries, SpliceReport]:
    """Splice ``earlier`` into ``later`` at the later source's first date.

    The later source's levels are kept from its first date on; the earlier source is
    rescaled so the two agree on that date, and used before it.

    Raises
    ------
    DataError
        If the earlier source has no observation on the later source's first date.

    Warns
    -----
    SpliceAgreementWarning
        If the daily-return correlation on the overlap is below :data:`MIN_AGREEMENT`, or
        the level ratio of the two sources drifts by more than :data:`MAX_DRIFT` a year over
        an overlap of a year or more (:func:`level_ratio_drift`): a total-return source joined
        to a price source.
    """
    a, b = earlier.data, later.data
    join = b.index[0]
    if join not in a.index:
        raise DataError(
            f"cannot splice {earlier.info.name} into {later.info.name}: {earlier.info.name} has no "
            f"value on {join:%Y-%m-%d}, the first date of {later.info.name} "
            f"({earlier.info.name} covers {earlier.info.first}..{earlier.info.last})"
        )
    scale = float(b.loc[join] / a.loc[join])
    common = a.index.intersection(b.index)
    ra = a.loc[common].to_numpy()
    rb = b.loc[common].to_numpy()
    ret_a = ra[1:] / ra[:-1] - 1.0
    ret_b = rb[1:] / rb[:-1] - 1.0
    if ret_a.size >= 3:
        corr = float(np.corrcoef(ret_a, ret_b)[0, 1])
        max_diff = float(np.max(np.abs(ret_a - ret_b)))
    else:
        corr, max_diff = float("nan"), float("nan")
    drift, years = level_ratio_drift(a, b)
    report = SpliceReport(
        join_date=f"{join:%Y-%m-%d}",
        scale=scale,
        overlap_days=len(common),
        return_correlation=corr,
        max_abs_return_diff=max_diff,
        level_drift=drift,
    )
    if years >= 1.0 and abs(drift) > MAX_DRIFT:  # a shorter overlap: noise, not drift
        warnings.warn(
            f"splice {earlier.info.name} -> {later.info.name}: the ratio of their levels drifts "
            f"{drift:+.2%} a year over the {len(common)}-day overlap "
            f"({common[0]:%Y-%m-%d}..{common[-1]:%Y-%m-%d}; more than {MAX_DRIFT:.1%} a year), "
            "though daily returns correlate at "
            f"{corr:.5f}: one source probably includes dividends (a total-return index) and "
            "the other does not, and returns before the join date would include them; splice "
            "two price indexes (fred:RU2000PR, not fred:RU2000TR, into yahoo:^RUT). Silence with "
            "warnings.filterwarnings('ignore', category=SpliceAgreementWarning)",
            SpliceAgreementWarning,
            stacklevel=find_stack_level(),
        )
    if not corr >= MIN_AGREEMENT:
        warnings.warn(
            f"splice {earlier.info.name} -> {later.info.name}: daily returns on the {len(common)}-day "
            f"overlap correlate at {corr:.5f} (< {MIN_AGREEMENT}; nan: overlap too short to "
            "check); the sources may not measure the same thing. Silence with warnings.filterwarnings('ignore', "
            "category=SpliceAgreementWarning)",
            SpliceAgreementWarning,
            stacklevel=find_stack_level(),
        )
    head = a.loc[a.index < join] * scale
    data = pd.concat([head, b]).astype("float64")
    name = f"splice({earlier.info.name},{later.info.name})"
    data = data.rename(name)
    digest = hashlib.sha256(f"{earlier.info.sha256}:{later.info.sha256}".encode()).hexdigest()
    info = SeriesInfo.of(
        name,
        data.index,
        source=f"{earlier.info.source} + {later.info.source}",
        column=f"{earlier.info.column} + {later.info.column}",
        sha256=digest,
        dropped={
            **{f"{earlier.info.name}:{k}": v for k, v in earlier.info.dropped.items()},
            **{f"{later.info.name}:{k}": v for k, v in later.info.dropped.items()},
            f"{earlier.info.name}:after_join": int((a.index >= join).sum()),
        },
        notes=(report.summary(),),
    )
    return LoadedSeries(data=data, info=info), report
