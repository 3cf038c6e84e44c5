"""Shared helpers for the signals tests (unique module name: imported directly by tests)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from eventstudy.signals import SignalResult


def make_frame(start: str = "2000-01-03", **cols: Sequence[float]) -> pd.DataFrame:
    """Business-day-indexed frame with float columns."""
    n = len(next(iter(cols.values())))
    idx = pd.bdate_range(start, periods=n)
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in cols.items()}, index=idx)


def random_walk(n: int, seed: int, cols: Sequence[str] = ("a", "b")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {c: 100 * np.exp(np.cumsum(rng.normal(0, 0.02, n))) for c in cols}
    return make_frame(**data)


def assert_no_look_ahead(
    compute: Callable[[pd.DataFrame], SignalResult], data: pd.DataFrame, cuts: Sequence[int]
) -> None:
    """Replacing every value after position t must not change value/trigger at or before t."""
    base = compute(data)
    rng = np.random.default_rng(123)
    for t in cuts:
        other = data.copy()
        tail = other.iloc[t + 1 :]
        other.iloc[t + 1 :] = tail.to_numpy() * np.exp(rng.normal(0, 0.3, tail.shape))
        res = compute(other)
        pd.testing.assert_series_equal(res.value.iloc[: t + 1], base.value.iloc[: t + 1])
        pd.testing.assert_series_equal(res.trigger.iloc[: t + 1], base.trigger.iloc[: t + 1])
