"""The tests across a sweep's specifications, from one joint circular-shift null.

The work is cut in two so that the costly half runs where the specifications are evaluated:

1. :func:`shift_plans` (once, in the calling process): per target x horizon, the shifts in
   trading days and each evaluation sample's complete dates.  The shifts depend on the shortest
   sample only, so every worker shifts by the same amounts.
2. :func:`shift_null` (in each worker, for its own specifications): each specification's
   observed excess and its excess under every shift (one FFT per specification,
   :func:`~eventstudy.inference.search.circular_shift_null`).  A specification's column does
   not depend on the others, so the cut into chunks never changes a number.
3. :func:`family_tests` (once, on the assembled columns): reality check, SPA, Romano-Wolf and
   the specification-curve test (:mod:`eventstudy.inference.search`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.events import EventTable
from eventstudy.timeseries.sweep_spec import Specification

__all__ = ["ShiftPlan", "family_tests", "search_family", "shift_null", "shift_plans"]

Sample = tuple[str, Any, Any]  # (return kind, start, end)


@dataclass(frozen=True)
class ShiftPlan:
    """The joint null of one target x horizon: shifts, and each sample's complete dates.

    Attributes
    ----------
    shifts
        Shifts in trading days, ``(D,)``, the same for every specification.
    masks
        ``(return kind, start, end)`` -> boolean mask of the dates of that evaluation sample
        with a complete forward return.
    """

    shifts: np.ndarray
    masks: Mapping[Sample, np.ndarray]

    @property
    def n_obs(self) -> int:
        """Dates of the shortest sample (the series length behind the shifts)."""
        return min((int(m.sum()) for m in self.masks.values()), default=0)


def _sample(spec: Specification) -> Sample:
    return (spec.return_kind, spec.start, spec.end)


def _shifts(t_min: int, count: int) -> np.ndarray:
    """``count`` evenly spaced shifts in ``[1, t_min - 1]``, without randomness.

    Every non-zero shift of the circle is a candidate: under stationarity the observed event
    dates are one of the ``T`` equally likely rotations (cyclic exchangeability), so the
    reference set must be the whole orbit.  Leaving out the shifts near zero (a shifted window
    overlapping its original) made the family-wise tests over-reject: 6.6% (5.2-8.3%) at 5% in
    1,000 replications of ``benchmarks/sweep_calibration.py``, against 5.0% with every shift.
    """
    if t_min < 2:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.round(np.linspace(1, t_min - 1, min(count, t_min - 1))).astype(np.int64))


def shift_plan(
    specs: Sequence[Specification], forward: Mapping[str, pd.Series], shifts: int
) -> ShiftPlan:
    """The :class:`ShiftPlan` of one target x horizon (``forward``: return kind -> series)."""
    masks: dict[Sample, np.ndarray] = {}
    for spec in specs:
        key = _sample(spec)
        if key in masks:
            continue
        series = forward[spec.return_kind]
        m = series.notna().to_numpy().copy()
        if spec.start is not None:
            m &= series.index >= spec.start
        if spec.end is not None:
            m &= series.index <= spec.end
        masks[key] = m
    t_min = min(int(m.sum()) for m in masks.values())
    return ShiftPlan(shifts=_shifts(t_min, shifts), masks=masks)


def shift_plans(
    specs: Sequence[Specification],
    forward: Mapping[tuple[str, str], pd.DataFrame],
    targets: Sequence[str],
    horizons: Sequence[str],
    shifts: int,
) -> dict[tuple[str, str], ShiftPlan]:
    """One :class:`ShiftPlan` per target x horizon label.

    ``forward`` maps (target, return kind) to the target's forward returns (a column per
    horizon label), for every return kind the specifications use.
    """
    kinds = sorted({sp.return_kind for sp in specs})
    return {
        (t, label): shift_plan(specs, {k: forward[(t, k)][label] for k in kinds}, shifts)
        for t in targets
        for label in horizons
    }


def shift_null(
    plan: ShiftPlan,
    specs: Sequence[Specification],
    events: Mapping[str, EventTable],
    forward: Mapping[str, pd.Series],
) -> tuple[np.ndarray, np.ndarray]:
    """Observed excess ``(J,)`` and its values under the plan's shifts ``(D, J)``.

    ``specs`` may be any subset of the sweep (a worker's chunk); ``forward`` maps each return
    kind they use to the target's forward returns of the horizon.  Each specification's
    events are moved inside its own sample (:func:`circular_shift_null` over the sample's
    complete dates).
    """
    from eventstudy.inference.search import circular_shift_null

    s = plan.shifts
    obs = np.full(len(specs), np.nan)
    null = np.full((s.size, len(specs)), np.nan)
    if not s.size:
        return obs, null
    groups: dict[Sample, list[int]] = {}
    for j, spec in enumerate(specs):
        groups.setdefault(_sample(spec), []).append(j)
    for key, members in groups.items():  # a handful of distinct samples
        values = forward[key[0]].to_numpy(dtype=np.float64)
        m = plan.masks[key]
        where = np.cumsum(m) - 1  # full position -> position in the sample
        sets = []
        for j in members:
            pos = np.asarray(events[specs[j].name].positions, dtype=np.int64)
            pos = pos[m[pos]] if pos.size else pos
            sets.append(where[pos])
        o, n = circular_shift_null(values[m], sets, s)
        obs[members] = o
        null[:, members] = n
    return obs, null


def family_tests(
    names: Sequence[str],
    obs: np.ndarray,
    null: np.ndarray,
    direction: str,
    *,
    n_obs: int | None = None,
) -> dict[str, Any]:
    """The tests across one target x horizon's specifications (``names`` in column order).

    Every test takes the claimed ``direction``: ``family_shift_p`` counts the shifts whose
    studentized excess is at least the observed one (at most, for ``"negative"``; at least
    as large in absolute value, two-sided), as the reality check, SPA, Romano-Wolf and the
    specification-curve test do.  ``n_obs``, the length of the shortest sample, sets
    Hansen's SPA threshold ``-sqrt(2 log log n)`` (his n is the sample length, not the number
    of draws; default: the number of shifts).
    """
    from eventstudy.inference.search import (
        reality_check,
        romano_wolf,
        spa,
        specification_curve_test,
    )

    d = null.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = null.std(axis=0, ddof=1) if d > 1 else np.full(len(names), np.nan)
        t_obs, t_null = obs / sd, null / sd
    dirn: Any = direction
    ok = np.isfinite(t_obs)
    sign = {"positive": 1.0, "negative": -1.0}.get(direction)
    if sign is None:  # two-sided
        extreme = np.abs(t_null) >= np.abs(t_obs)[None, :]
    else:
        extreme = sign * t_null >= sign * t_obs[None, :]
    shift_p = np.where(ok, (extreme.sum(axis=0) + 1.0) / (d + 1.0), np.nan)
    if d and ok.any():
        rc = reality_check(t_obs, t_null, dirn)
        spa_p = spa(t_obs, t_null, dirn, n_draws_threshold=n_obs)
        rw = romano_wolf(t_obs, t_null, dirn)
        curve = specification_curve_test(obs, null, dirn)
    else:
        rc = spa_p = float("nan")
        rw = np.full(len(names), np.nan)
        curve = {
            "median": float("nan"),
            "p_median": float("nan"),
            "n_significant": 0,
            "p_share": float("nan"),
            "n": 0,
        }
    return {
        "shifts": int(d),
        "direction": direction,
        "reality_check_p": rc,
        "spa_p": spa_p,
        **{f"curve_{k}": v for k, v in curve.items()},
        "excess": {n: float(obs[j]) for j, n in enumerate(names)},
        "family_shift_p": {n: float(shift_p[j]) for j, n in enumerate(names)},
        "romano_wolf_p": {n: float(rw[j]) for j, n in enumerate(names)},
    }


def search_family(
    result_events: Mapping[str, EventTable],
    specs: tuple[Specification, ...],
    forward: Mapping[str, pd.Series],
    *,
    shifts: int,
    direction: str,
) -> dict[str, Any]:
    """The joint circular-shift null of one target x horizon and the tests across the search,
    in one process (:func:`shift_plan`, :func:`shift_null`, :func:`family_tests`).

    ``forward`` maps each return kind to the target's forward returns of the horizon.
    Specifications are grouped by return kind and evaluation sample (``events.start``/``end``);
    the same shifts (in trading days) move every specification's events inside its own sample.
    """
    plan = shift_plan(specs, forward, shifts)
    obs, null = shift_null(plan, specs, result_events, forward)
    return family_tests([sp.name for sp in specs], obs, null, direction, n_obs=plan.n_obs)
