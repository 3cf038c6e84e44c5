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

__all__ = ["MIN_AGREEMENT", "SpliceReport", "splice_series"]

MIN_AGREEMENT = 0.999
"""Correlation of daily returns on the overlap below which a splice is flagged."""


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
    """

    join_date: str
    scale: float
    overlap_days: int
    return_correlation: float
    max_abs_return_diff: float

    def summary(self) -> str:
        """One-line text summary."""
        return (
            f"joined on {self.join_date} (earlier source scaled by {self.scale:.6g}); "
            f"{self.overlap_days} common dates, daily-return correlation "
            f"{self.return_correlation:.5f}, max abs return difference {self.max_abs_return_diff:.4g}"
        )


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
        If the daily-return correlation on the overlap is below :data:`MIN_AGREEMENT`.
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
    report = SpliceReport(
        join_date=f"{join:%Y-%m-%d}",
        scale=scale,
        overlap_days=len(common),
        return_correlation=corr,
        max_abs_return_diff=max_diff,
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
