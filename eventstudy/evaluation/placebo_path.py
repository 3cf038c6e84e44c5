"""Band of average paths around random pseudo-event dates (for the path figure)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy._frozen import readonly_array
from eventstudy._typing import ChangeKind, Seed
from eventstudy._validation import as_generator, check_choice, check_float, check_int
from eventstudy.evaluation.path import relative_prices
from eventstudy.evaluation.returns import KINDS, move, validate_prices
from eventstudy.inference.placebo import draw_spaced_positions

__all__ = ["PlaceboPathBand", "placebo_path_band"]


@dataclass(frozen=True, slots=True)
class PlaceboPathBand:
    """Quantiles, per offset, of the mean path over random event sets.

    Attributes
    ----------
    offsets
        Trading days relative to the pseudo-event, ``-pre .. post``.
    lower, upper
        The ``(1 - level)/2`` and ``(1 + level)/2`` quantiles of the mean path across draws.
    draws
        Number of random event sets.
    level
        Band level.

    The arrays are read-only.
    """

    offsets: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    draws: int
    level: float

    def __post_init__(self) -> None:
        for name in ("offsets", "lower", "upper"):
            object.__setattr__(self, name, readonly_array(getattr(self, name)))


def placebo_path_band(
    prices: pd.Series,
    n_events: int,
    *,
    min_gap: int,
    pre: int,
    post: int,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    draws: int = 500,
    level: float = 0.9,
    kind: ChangeKind = "simple",
    seed: Seed = None,
    relative_to: pd.Series | None = None,
) -> PlaceboPathBand:
    """Band of mean cumulative paths around ``n_events`` random dates spaced ``>= min_gap``.

    Pseudo-event dates are drawn uniformly (as in the placebo test) among the dates of
    ``[start, end]`` whose whole window ``-pre .. post`` lies inside the data; each draw's
    path is the mean over its events of ``P[t+k] / P[t] - 1`` (log for ``kind="log"``,
    ``P[t+k] - P[t]`` for ``kind="change"``; minus ``B[t+k] / B[t] - 1`` with
    ``relative_to`` B, as :func:`~eventstudy.evaluation.average_path`).
    Vectorized over draws x events x offsets.

    Returns
    -------
    PlaceboPathBand
        Empty arrays (no band) when fewer than two events or no room for them.
    """
    check_choice("kind", kind, KINDS)
    values = validate_prices("prices", prices, positive=kind != "change").to_numpy(dtype=np.float64)
    second = relative_prices(prices, relative_to, kind)
    n = check_int("n_events", n_events, minimum=0)
    pre = check_int("pre", pre, minimum=0)
    post = check_int("post", post, minimum=0)
    min_gap = check_int("min_gap", min_gap, minimum=1)
    draws = check_int("draws", draws, minimum=1)
    level = check_float("level", level, minimum=0.0, maximum=1.0, strict_minimum=True)
    offsets = np.arange(-pre, post + 1)
    empty = PlaceboPathBand(offsets, np.array([]), np.array([]), 0, level)
    idx = pd.DatetimeIndex(prices.index)
    lo = pre
    hi = values.size - post - 1
    if start is not None:
        lo = max(lo, int(idx.searchsorted(start)))
    if end is not None:
        hi = min(hi, int(idx.searchsorted(end, side="right")) - 1)
    slots = hi - lo + 1
    if n < 2 or slots < n + (n - 1) * (max(min_gap, 1) - 1):
        return empty
    rng = as_generator(seed)
    mean_paths = np.empty((draws, offsets.size))
    chunk = max(1, 20_000_000 // (n * offsets.size))  # bounded memory, vectorized inside
    for start_draw in range(0, draws, chunk):
        k = min(chunk, draws - start_draw)
        pos = lo + draw_spaced_positions(slots, n, min_gap, k, rng)  # (k, n)
        window = pos[:, :, None] + offsets[None, None, :]
        paths = move(values[window], values[pos][:, :, None], kind)
        if second is not None:
            paths -= move(second[window], second[pos][:, :, None], kind)
        mean_paths[start_draw : start_draw + k] = paths.mean(axis=1)
    q = (1 - level) / 2
    lower, upper = np.quantile(mean_paths, [q, 1 - q], axis=0)
    return PlaceboPathBand(offsets, lower, upper, draws, level)
