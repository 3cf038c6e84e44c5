"""The tests across a sweep's specifications, from one joint circular-shift null.

The work is cut in two so that the costly half runs where the specifications are evaluated:

1. :func:`shift_plans` (once, in the calling process): per target x horizon, each evaluation
   sample's complete dates and its shifts.  Every sample gets its own whole circle through
   the same *relative* shifts (:func:`relative_shifts`): shift ``d`` of a sample of ``T_s``
   complete dates is ``1 + floor(u_d (T_s - 1))``, ``u_d = d / D``, so specifications of one
   sample share exactly the same shifts in trading days, and no sample's length limits
   another's.
2. :func:`shift_null` (in each worker, for its own specifications): each specification's
   HAC t-statistic and raw excess, observed and under every shift of its sample
   (:func:`~eventstudy.inference.shift_t.rotation_t_at`,
   :func:`~eventstudy.inference.search.circular_shift_null`).  A specification's columns do
   not depend on the others, so the cut into chunks never changes a number.
3. :func:`family_tests` (once, on the assembled columns): ``family_shift_p``, reality check,
   SPA and Romano-Wolf on the studentized statistics, the specification-curve test on the
   raw excess (:mod:`eventstudy.inference.search`).

References
----------
Chung, E. & Romano, J. P. (2013), 'Exact and asymptotically robust permutation tests', Annals
of Statistics 41(2), 484-507 (why each shifted set is studentized by its own standard error).
White, H. (2000), Econometrica 68(5); Hansen, P. R. (2005), JBES 23(4); Romano, J. P. & Wolf,
M. (2005), Econometrica 73(4).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._warnings import find_stack_level
from eventstudy.events import EventTable
from eventstudy.exceptions import FewShiftsWarning
from eventstudy.timeseries.sweep_spec import Specification

__all__ = [
    "ShiftPlan",
    "family_tests",
    "relative_shifts",
    "search_family",
    "shift_null",
    "shift_plans",
]

Sample = tuple[str, Any, Any]  # (return kind, start, end)
NullColumns = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""``(t_obs (J,), t_null (D, J), excess_obs (J,), excess_null (D, J))`` of
:func:`shift_null`."""

_NEVER = -np.finfo(np.float64).max
"""An oriented null statistic that never reaches an observed one: a shifted set without a
positive HAC variance (as in :func:`~eventstudy.inference.shift_t.shift_t_test`)."""


@dataclass(frozen=True)
class ShiftPlan:
    """The joint null of one target x horizon: each sample's complete dates and its shifts.

    Attributes
    ----------
    count
        Shifts per specification, ``D``: the rows of the joint null.  ``[sweep] shifts``, or
        fewer when even the longest sample has fewer non-zero shifts (then that sample's
        whole circle, each shift once).
    horizon_days
        The horizon h in trading days (the HAC t-statistic's ``h - 1`` lags).
    masks
        ``(return kind, start, end)`` -> boolean mask of the dates of that evaluation sample
        with a complete forward return.
    shifts
        The same keys -> the sample's shifts in trading days, ``(D,)``
        (:func:`relative_shifts`; empty for a sample of fewer than 2 complete dates).
    """

    count: int
    horizon_days: int
    masks: Mapping[Sample, np.ndarray]
    shifts: Mapping[Sample, np.ndarray]

    def lengths(self, specs: Sequence[Specification]) -> np.ndarray:
        """Complete dates of each specification's sample, ``(J,)``."""
        size = {key: int(m.sum()) for key, m in self.masks.items()}
        return np.array([size[_sample(sp)] for sp in specs], dtype=np.int64)

    def short(self) -> dict[Sample, int]:
        """The samples with fewer than ``count`` distinct shifts -> how many they have."""
        out = {}
        for key, m in self.masks.items():
            distinct = max(int(m.sum()) - 1, 0)
            if distinct < self.count:
                out[key] = distinct
        return out


def _sample(spec: Specification) -> Sample:
    return (spec.return_kind, spec.start, spec.end)


def relative_shifts(t: int, count: int) -> np.ndarray:
    """``count`` shifts of a sample of ``t`` complete dates at the common relative positions
    ``u_d = d / count`` (d = 0 .. count - 1): ``1 + floor(u_d (t - 1))``, without randomness.

    Parameters
    ----------
    t
        Complete dates of the evaluation sample.
    count
        Shifts wanted, ``D``.

    Returns
    -------
    numpy.ndarray
        ``(D,)`` int64 shifts in ``1 .. t - 1``, ascending; distinct when ``t - 1 >= D``
        (then evenly spread over every non-zero shift of the circle), otherwise each of the
        ``t - 1`` shifts repeated ``floor`` or ``ceil`` of ``D / (t - 1)`` times.  Empty when
        ``t < 2``.

    Notes
    -----
    Under stationarity the observed event dates are one of the ``T`` equally likely
    rotations of their sample (cyclic exchangeability), so each specification's reference
    set must be its own whole circle: leaving out the shifts near zero (a shifted window
    overlapping its original) made the family-wise tests over-reject, 6.6% (5.2-8.3%) at 5%
    in 1,000 replications of ``benchmarks/sweep_calibration.py``.  The same ``u_d`` for every
    sample keeps the specifications' joint null one draw per row: specifications of one
    sample move by exactly the same number of days, those of samples of different lengths by
    the same share of their circle.

    References
    ----------
    Romano, J. P. (1990), 'On the behavior of randomization tests without a group invariance
    assumption', JASA 85(411), 686-692.

    Examples
    --------
    >>> relative_shifts(11, 5).tolist()
    [1, 3, 5, 7, 9]
    >>> relative_shifts(4, 5).tolist()
    [1, 1, 2, 2, 3]
    """
    if t < 2 or count < 1:
        return np.zeros(0, dtype=np.int64)
    return 1 + (np.arange(count, dtype=np.int64) * (t - 1)) // count


def shift_plan(
    specs: Sequence[Specification],
    forward: Mapping[str, pd.Series],
    shifts: int,
    horizon_days: int,
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
    # as many rows as asked, or as the longest sample has non-zero shifts: a shorter sample
    # never cuts the others' (it repeats some of its shifts instead)
    count = min(int(shifts), max(int(m.sum()) for m in masks.values()) - 1)
    count = max(count, 0)
    return ShiftPlan(
        count=count,
        horizon_days=int(horizon_days),
        masks=masks,
        shifts={key: relative_shifts(int(m.sum()), count) for key, m in masks.items()},
    )


def _describe(key: Sample) -> str:
    kind, start, end = key
    when = (f" from {pd.Timestamp(start).date()}" if start is not None else "") + (
        f" to {pd.Timestamp(end).date()}" if end is not None else ""
    ) or " over the whole data"
    return f"{kind} returns{when}"


def shift_plans(
    specs: Sequence[Specification],
    forward: Mapping[tuple[str, str], pd.DataFrame],
    targets: Sequence[str],
    horizons: Sequence[tuple[str, int]],
    shifts: int,
) -> dict[tuple[str, str], ShiftPlan]:
    """One :class:`ShiftPlan` per target x horizon label.

    ``forward`` maps (target, return kind) to the target's forward returns (a column per
    horizon label), for every return kind the specifications use; ``horizons`` are
    (label, days) pairs.  A sample with fewer distinct shifts than the plan's rows (``shifts``,
    or the longest sample's ``T - 1`` if fewer) is named in one
    :class:`~eventstudy.exceptions.FewShiftsWarning` with its count per target x horizon;
    its specifications' shifts repeat, and no other sample is affected.
    """
    kinds = sorted({sp.return_kind for sp in specs})
    plans = {
        (t, label): shift_plan(specs, {k: forward[(t, k)][label] for k in kinds}, shifts, days)
        for t in targets
        for label, days in horizons
    }
    short: dict[Sample, list[str]] = {}
    for (t, label), plan in plans.items():
        for key, distinct in plan.short().items():
            short.setdefault(key, []).append(f"{t} {label}: {distinct} of {plan.count}")
    for key, counts in short.items():
        n_specs = sum(_sample(sp) == key for sp in specs)
        warnings.warn(
            f"[sweep] the evaluation sample of {_describe(key)} ({n_specs} specifications) has "
            f"too few complete dates for as many distinct circular shifts as the others (distinct "
            f"shifts per target x horizon: {', '.join(counts)}): its specifications' joint "
            "null repeats them, the other samples keep theirs; set a smaller [sweep] shifts "
            "or a longer sample to silence this",
            FewShiftsWarning,
            stacklevel=find_stack_level(),
        )
    return plans


def shift_null(
    plan: ShiftPlan,
    specs: Sequence[Specification],
    events: Mapping[str, EventTable],
    forward: Mapping[str, pd.Series],
) -> NullColumns:
    """Each specification's HAC t-statistic and raw excess, observed and under the plan's
    shifts.

    ``specs`` may be any subset of the sweep (a worker's chunk); ``forward`` maps each return
    kind they use to the target's forward returns of the horizon.  Each specification's
    events are moved inside its own sample, by its sample's shifts, over the sample's
    complete dates.

    Returns
    -------
    t_obs, t_null, excess_obs, excess_null
        ``(J,)``, ``(D, J)``, ``(J,)``, ``(D, J)``.  The t-statistic is
        :func:`~eventstudy.inference.hac.hac_test`'s (uniform kernel, ``h - 1`` lags,
        Bartlett where that variance is not positive) of the events and of each shifted set
        (:func:`~eventstudy.inference.shift_t.rotation_t_at`); NaN for a specification with
        fewer than 3 complete events, as many events as dates, or constant forward returns,
        and for a shifted set with no positive variance.  The raw excess is the event mean
        minus the sample mean (:func:`~eventstudy.inference.search.circular_shift_null`);
        NaN without events.
    """
    from eventstudy.inference._common import MIN_EVENTS
    from eventstudy.inference.search import circular_shift_null
    from eventstudy.inference.shift_t import _at_shifts

    d, j_all = plan.count, len(specs)
    t_obs, x_obs = np.full(j_all, np.nan), np.full(j_all, np.nan)
    t_null, x_null = np.full((d, j_all), np.nan), np.full((d, j_all), np.nan)
    groups: dict[Sample, list[int]] = {}
    for j, spec in enumerate(specs):
        groups.setdefault(_sample(spec), []).append(j)
    for key, members in groups.items():  # a handful of distinct samples
        s = plan.shifts[key]
        if not s.size:
            continue
        at = np.concatenate([[0], s])  # shift 0 first: the observed statistic is a shift's
        m = plan.masks[key]
        y = forward[key[0]].to_numpy(dtype=np.float64)[m]
        where = np.cumsum(m) - 1  # full position -> position in the sample
        sets = []
        for j in members:
            pos = np.asarray(events[specs[j].name].positions, dtype=np.int64)
            pos = pos[m[pos]] if pos.size else pos
            sets.append(np.unique(where[pos]))
        fit = [i for i, e in enumerate(sets) if MIN_EVENTS <= e.size < y.size]
        if np.ptp(y) == 0:
            fit = []
        if fit:  # the t-statistics, and the raw excess of the same shifted sets
            tt, xx = _at_shifts(y, [sets[i] for i in fit], plan.horizon_days, at)
            cols = [members[i] for i in fit]
            t_obs[cols], t_null[:, cols] = tt[0], tt[1:]
            x_obs[cols], x_null[:, cols] = xx[0], xx[1:]
        fitted = set(fit)
        rest = [i for i in range(len(sets)) if i not in fitted]
        if rest:  # too few events for a t-statistic: the raw excess only
            _, raw = circular_shift_null(y, [sets[i] for i in rest], at)
            cols = [members[i] for i in rest]
            x_obs[cols], x_null[:, cols] = raw[0], raw[1:]
    return t_obs, t_null, x_obs, x_null


def family_tests(
    names: Sequence[str],
    t_obs: np.ndarray,
    t_null: np.ndarray,
    direction: str,
    *,
    excess: np.ndarray | None = None,
    excess_null: np.ndarray | None = None,
    n_obs: int | np.ndarray | None = None,
) -> dict[str, Any]:
    """The tests across one target x horizon's specifications (``names`` in column order).

    Parameters
    ----------
    names
        The specifications, ``J``.
    t_obs, t_null
        Each specification's studentized statistic, observed ``(J,)`` and under the joint
        null ``(D, J)`` (:func:`shift_null`: every shifted set's own HAC t).  A NaN observed
        statistic leaves the specification out; a NaN in the null (a shifted set without a
        positive variance) never counts as extreme.
    direction
        ``"positive"``, ``"negative"`` or ``"two-sided"``: every test takes it.
    excess, excess_null
        The raw excess, observed ``(J,)`` and under the same shifts ``(D, J)``: the
        specification-curve test's statistic and the ``excess`` reported (default: the
        studentized statistics).
    n_obs
        Complete dates behind Hansen's SPA threshold ``-sqrt(2 log log n)`` (his n is the
        sample length, not the number of draws): one number, or each specification's
        sample length ``(J,)``, of which the shortest among the specifications tested is
        used (default: the number of shifts).

    Returns
    -------
    dict
        ``shifts`` (D), ``direction``, ``reality_check_p``, ``spa_p``, ``curve_*``, and per
        specification (name -> value) ``excess``, ``t`` (the observed studentized
        statistic), ``family_shift_p`` (the add-one share of shifts whose t is at least the
        observed one -- at most, for ``"negative"``; at least as large in absolute value,
        two-sided) and ``romano_wolf_p``.

    References
    ----------
    Chung & Romano (2013), Annals of Statistics 41(2); White (2000), Econometrica 68(5);
    Hansen (2005), JBES 23(4); Romano & Wolf (2005), Econometrica 73(4); Simonsohn, Simmons &
    Nelson (2020), Nature Human Behaviour 4.
    """
    from eventstudy.inference.search import (
        _signed,
        reality_check,
        romano_wolf,
        spa,
        specification_curve_test,
    )

    dirn: Any = direction
    t_obs = np.asarray(t_obs, dtype=np.float64)
    t_null = np.asarray(t_null, dtype=np.float64)
    x_obs = t_obs if excess is None else np.asarray(excess, dtype=np.float64)
    x_null = t_null if excess_null is None else np.asarray(excess_null, dtype=np.float64)
    d = t_null.shape[0]
    # oriented by the claimed direction, then every test counts "at least as large"; a
    # shifted set without a positive variance never does
    so = _signed(t_obs, dirn)
    sn = np.where(np.isnan(t_null), _NEVER, _signed(t_null, dirn))
    ok = np.isfinite(so)
    extreme = sn >= so[None, :]
    shift_p = np.where(ok, (extreme.sum(axis=0) + 1.0) / (d + 1.0), np.nan)
    if n_obs is None or np.ndim(n_obs) == 0:
        n_min = None if n_obs is None else int(n_obs)
    else:
        n_min = int(np.min(np.asarray(n_obs)[ok])) if ok.any() else None
    if d and ok.any():
        so_ok, sn_ok = so[ok], sn[:, ok]
        rc = reality_check(so_ok, sn_ok, "positive")
        spa_p = spa(so_ok, sn_ok, "positive", n_draws_threshold=n_min)
        rw = np.full(len(names), np.nan)
        rw[ok] = romano_wolf(so_ok, sn_ok, "positive")
    else:
        rc = spa_p = float("nan")
        rw = np.full(len(names), np.nan)
    if d and np.isfinite(x_obs).any():
        curve = specification_curve_test(x_obs, x_null, dirn)
    else:
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
        "excess": {n: float(x_obs[j]) for j, n in enumerate(names)},
        "t": {n: float(t_obs[j]) for j, n in enumerate(names)},
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
    horizon_days: int,
) -> dict[str, Any]:
    """The joint circular-shift null of one target x horizon and the tests across the search,
    in one process (:func:`shift_plan`, :func:`shift_null`, :func:`family_tests`).

    ``forward`` maps each return kind to the target's forward returns of the horizon of
    ``horizon_days`` days.  Specifications are grouped by return kind and evaluation sample
    (``events.start``/``end``); each sample's events move by its own :func:`relative_shifts`.
    """
    plan = shift_plan(specs, forward, shifts, horizon_days)
    t_obs, t_null, x_obs, x_null = shift_null(plan, specs, result_events, forward)
    return family_tests(
        [sp.name for sp in specs],
        t_obs,
        t_null,
        direction,
        excess=x_obs,
        excess_null=x_null,
        n_obs=plan.lengths(specs),
    )
