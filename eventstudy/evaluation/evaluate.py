"""Conditional forward-return statistics of events against the unconditional baseline."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._frozen import pvalue, readonly_mapping
from eventstudy._typing import Seed
from eventstudy._units import fmt_cell, fmt_value
from eventstudy._validation import as_generator, check_float, check_int
from eventstudy._warnings import find_stack_level
from eventstudy.evaluation.path import event_positions_on, sample_stamp
from eventstudy.evaluation.returns import HORIZON_ATTR, validate_horizons
from eventstudy.events import episodes
from eventstudy.exceptions import DroppedEventsWarning, IncompleteHorizonWarning
from eventstudy.inference._common import as_positions, prepare
from eventstudy.inference._numerics import quantiles
from eventstudy.inference.placebo import ProgressCallback, Stratify
from eventstudy.inference.run import ALL_TESTS, DEFAULT_TEST, default_for, run_tests
from eventstudy.inference.shared import SharedWork
from eventstudy.inference.size import SizeResult, size_on_data
from eventstudy.results import TestResult

__all__ = ["EvaluationResult", "HorizonStats", "evaluate"]

_QUANTILES = (0.05, 0.25, 0.75, 0.95)


@dataclass(frozen=True, slots=True)
class HorizonStats:
    """Event statistics for one horizon (returns are decimal fractions).

    ``n`` counts complete events, ``n_incomplete`` events whose horizon runs past the data;
    ``baseline_*`` describe every date of the sample with a complete horizon;
    ``excess_mean = mean - baseline_mean``; ``n_episodes`` is the number G of episodes,
    clusters of events whose h-day windows overlap (:func:`eventstudy.events.episodes`: an
    event h or more days after the previous one starts a new episode), the G of the HAC
    test's t(G - 1) reference.  ``tests`` (test name -> :class:`TestResult`) is a read-only
    mapping; ``size`` (test name -> :class:`~eventstudy.inference.size.SizeResult`) holds the
    tests' rejection rates over circular shifts of these events when they were asked for.
    """

    horizon: str
    horizon_days: int
    n: int
    n_incomplete: int
    mean: float
    median: float
    std: float
    min: float
    max: float
    hit_rate: float
    q05: float
    q25: float
    q75: float
    q95: float
    baseline_n: int
    baseline_mean: float
    baseline_median: float
    baseline_hit_rate: float
    baseline_std: float
    excess_mean: float
    n_episodes: int
    tests: Mapping[str, TestResult] = field(default_factory=dict)
    size: Mapping[str, SizeResult] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tests", readonly_mapping(self.tests))
        object.__setattr__(self, "size", readonly_mapping(self.size))

    def stats_dict(self) -> dict[str, Any]:
        """The scalar statistics (no tests, no size) as a dict."""
        return {
            k: getattr(self, k) for k in self.__dataclass_fields__ if k not in ("tests", "size")
        }


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """Per-horizon event statistics and tests for one target.

    Attributes
    ----------
    target
        Name of the target series.
    horizons
        Label -> :class:`HorizonStats`, in horizon order (a read-only mapping).
    n_events
        Events given (inside the sample).
    sample_start, sample_end
        First and last date of the evaluation sample.
    default_test
        Name of the test behind :meth:`verdict`.
    units
        ``"return"`` (moves are returns, shown in percent), ``"bp"`` or ``"points"`` (moves
        are changes of a level), for display.
    scale
        Factor from the target series' units to its moves' (100 for a yield in percent whose
        changes are in basis points, else 1).
    alpha
        The level the tables judge the default test's p-value at.
    """

    target: str
    horizons: Mapping[str, HorizonStats]
    n_events: int
    sample_start: pd.Timestamp
    sample_end: pd.Timestamp
    default_test: str = DEFAULT_TEST
    units: str = "return"
    scale: float = 1.0
    alpha: float = 0.05

    def __post_init__(self) -> None:
        object.__setattr__(self, "horizons", readonly_mapping(self.horizons))

    def to_frame(self) -> pd.DataFrame:
        """Tidy statistics, one row per horizon (the estimate: the mean forward return of the
        target's events over that horizon, against the baseline).

        Columns: ``target``, the :class:`HorizonStats` scalars (``horizon`` .. ``n_episodes``),
        ``applicable`` (``False`` when the horizon has no complete event) and ``reason`` (why a
        statistic of the row is NaN: no complete events, or a single one, which has no
        standard deviation; empty otherwise), then per test ``<test>_stat``, ``<test>_p``,
        ``<test>_distribution`` (the p-value's reference, e.g. ``t(16)``),
        ``<test>_applicable`` and ``<test>_reason`` (see :meth:`tests_frame` for every field),
        and where the size on this data was measured ``<test>_size`` with its 95% interval
        ``<test>_size_low`` / ``_size_high``, the shifted sets the test ran on
        ``<test>_size_applicable``
        and ``<test>_size_flagged`` (and against a stated effect ``<test>_power``,
        ``_power_low``, ``_power_high`` and the effect, ``<test>_power_effect``).
        """
        return pd.DataFrame(self.rows())

    def rows(self) -> list[dict[str, Any]]:
        """The rows of :meth:`to_frame` as dictionaries (to build larger frames at once)."""
        rows = []
        for hs in self.horizons.values():
            row: dict[str, Any] = {"target": self.target}
            row.update(hs.stats_dict())
            row["applicable"], row["reason"] = hs.n > 0, _horizon_reason(hs)
            for name, tr in hs.tests.items():
                row[f"{name}_stat"] = tr.statistic
                row[f"{name}_p"] = tr.p_value
                row[f"{name}_distribution"] = tr.distribution
                row[f"{name}_applicable"] = tr.applicable
                row[f"{name}_reason"] = tr.reason
            for name, sr in hs.size.items():
                row[f"{name}_size"] = sr.rate
                row[f"{name}_size_low"] = sr.ci_low
                row[f"{name}_size_high"] = sr.ci_high
                row[f"{name}_size_applicable"] = sr.applicable
                row[f"{name}_size_flagged"] = sr.flagged
                if sr.effect == sr.effect:
                    row[f"{name}_power"] = sr.power
                    row[f"{name}_power_low"] = sr.power_low
                    row[f"{name}_power_high"] = sr.power_high
                    row[f"{name}_power_effect"] = sr.effect
            rows.append(row)
        return rows

    def tests_frame(self) -> pd.DataFrame:
        """Long frame: one row per (horizon, test) with the full :class:`TestResult` fields."""
        frames = []
        for hs in self.horizons.values():
            for tr in hs.tests.values():
                f = tr.to_frame()
                f.insert(0, "horizon_days", hs.horizon_days)
                f.insert(0, "horizon", hs.horizon)
                f.insert(0, "target", self.target)
                frames.append(f)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def verdict(self, horizon: str) -> str:
        """One-line verdict for ``horizon`` from the default test."""
        hs = self.horizons[horizon]
        tr = hs.tests.get(self.default_test)
        u = self.units
        if hs.n == 0:
            return (
                f"{self.target} {horizon}: no complete events "
                f"({hs.n_incomplete} incomplete); baseline {fmt_value(hs.baseline_mean, u)}"
            )
        head = (
            f"{self.target} {horizon}: mean {fmt_value(hs.mean, u)} vs baseline "
            f"{fmt_value(hs.baseline_mean, u)} (excess {fmt_value(hs.excess_mean, u)}, "
            f"n={hs.n}, episodes={hs.n_episodes})"
        )
        if tr is None:
            return head
        if not tr.applicable:
            return f"{head}; {tr.name}: not applicable ({tr.reason})"
        return f"{head}; {tr.name} p={tr.p_value:.3g}"

    def summary(self) -> str:
        """Text summary: sample, then one verdict line per horizon."""
        lines = [
            f"Event study of {self.target}: {self.n_events} events, sample "
            f"{self.sample_start.date()}..{self.sample_end.date()} "
            f"(verdict test: {self.default_test})"
        ]
        lines += ["  " + self.verdict(h) for h in self.horizons]
        return "\n".join(lines)

    def display_frame(self) -> pd.DataFrame:
        """Compact, formatted table (strings), one row per horizon: target, horizon, n, mean,
        baseline and excess in the target's units (percent for returns, bp or points for the
        changes of a level), the default test's p-value and its verdict (whether the
        event mean differs from the baseline at the ``alpha`` level, or why the test did not
        run)."""
        whole = abs(self.alpha * 100 - round(self.alpha * 100)) < 1e-9  # 0.07 * 100 = 7.000...1
        level = f"{self.alpha:.0%}" if whole else f"{self.alpha:g}"
        rows = []
        for h, hs in self.horizons.items():
            tr = hs.tests.get(self.default_test)
            if hs.n == 0:
                verdict = f"no complete events ({hs.n_incomplete} incomplete)"
            elif tr is None:
                verdict = f"{self.default_test} not run"
            elif not tr.applicable:
                verdict = f"not applicable: {tr.reason}"
            else:
                verdict = (
                    f"differs at {level}"
                    if tr.p_value < self.alpha
                    else f"does not differ at {level}"
                )
            rows.append(
                {
                    "target": self.target,
                    "horizon": h,
                    "n": hs.n,
                    "mean": fmt_cell(hs.mean, self.units),
                    "baseline": fmt_cell(hs.baseline_mean, self.units),
                    "excess": fmt_cell(hs.excess_mean, self.units),
                    f"{self.default_test} p": pvalue(tr.p_value) if tr is not None else "n/a",
                    f"verdict ({level})": verdict,
                }
            )
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        """Notebook view: the sample line, then :meth:`display_frame`."""
        import html

        head = html.escape(self.summary().splitlines()[0])
        return f"<p>{head}</p>" + self.display_frame().to_html(index=False)


def _horizon_reason(hs: HorizonStats) -> str:
    """Why a statistic of ``hs`` is NaN ("" when none is)."""
    if hs.n == 0:
        return f"no complete events ({hs.n_incomplete} incomplete)"
    if hs.n == 1:
        return "a single complete event: no standard deviation"
    return ""


def _baseline(y: np.ndarray) -> dict[str, Any]:
    """The baseline statistics of every complete date of the sample."""
    nan = float("nan")
    return {
        "baseline_n": int(y.size),
        "baseline_mean": float(y.mean()) if y.size else nan,
        "baseline_median": float(np.median(y)) if y.size else nan,
        "baseline_hit_rate": float(np.mean(y > 0)) if y.size else nan,
        "baseline_std": float(y.std(ddof=1)) if y.size > 1 else nan,
    }


def _slice_sample(
    fwd: pd.DataFrame, positions: np.ndarray, sample: tuple[Any, Any] | None
) -> tuple[pd.DataFrame, np.ndarray]:
    if sample is None:
        return fwd, positions
    if not isinstance(sample, tuple | list) or len(sample) != 2:
        raise TypeError("sample must be a (start, end) pair of dates (None for open ends)")
    start, end = sample
    lo = (
        0
        if start is None
        else int(fwd.index.searchsorted(sample_stamp("sample start", start, fwd.index, "fwd")))
    )
    hi = (
        len(fwd.index)
        if end is None
        else int(
            fwd.index.searchsorted(sample_stamp("sample end", end, fwd.index, "fwd"), side="right")
        )
    )
    if hi <= lo:
        raise ValueError(f"sample {sample!r} contains no dates of fwd")
    inside = (positions >= lo) & (positions < hi)
    if not inside.all():
        warnings.warn(
            f"{int((~inside).sum())} events outside the sample {sample!r} were dropped",
            DroppedEventsWarning,
            stacklevel=find_stack_level(),
        )
    return fwd.iloc[lo:hi], positions[inside] - lo


def _one_day(daily: Any, fwd: pd.DataFrame, fwd_s: pd.DataFrame) -> np.ndarray | None:
    """The one-day moves from the sample's first date on (None without them)."""
    if daily is None:
        return None
    arr = np.asarray(daily, dtype=float).ravel()
    if arr.size != len(fwd.index):
        raise ValueError(
            f"daily must have one entry per date of fwd ({len(fwd.index)}), got {arr.size}"
        )
    lo = int(fwd.index.searchsorted(fwd_s.index[0])) if len(fwd_s.index) else 0
    return arr[lo:]


def _window(one_day: np.ndarray, t: int, h: int) -> np.ndarray:
    """The sample's T dates and the h days after, NaN past the data."""
    out = np.full(t + h, np.nan)
    n = min(one_day.size, t + h)
    out[:n] = one_day[:n]
    return out


def evaluate(
    fwd: pd.DataFrame,
    event_positions: Any,
    *,
    target_name: str = "target",
    horizons: Mapping[str, int] | None = None,
    sample: tuple[Any, Any] | None = None,
    min_gap: int = 1,
    tests: Sequence[str] | None = None,
    draws: int = 10_000,
    bootstrap_reps: int = 2000,
    stratify: Stratify | None = None,
    seed: Seed = None,
    progress: ProgressCallback | None = None,
    shared: SharedWork | None = None,
    size_draws: int = 0,
    alpha: float = 0.05,
    power_effect: float | Mapping[str, float] | None = None,
    daily: Any = None,
    default_test: str | None = None,
) -> EvaluationResult:
    """Per-horizon statistics of event forward returns, the baseline and the tests.

    Parameters
    ----------
    fwd
        Forward returns, dates x horizon labels (from :func:`forward_returns`), NaN where
        the horizon is incomplete.
    event_positions
        The events: an :class:`~eventstudy.events.EventTable` (its positions, after checking
        that its dates are the dates of ``fwd`` at those positions: events found on another
        calendar raise), its ``positions`` (checked the same way: they carry the dates),
        event dates (each must be a date of ``fwd``, exactly), or sorted unique integer
        positions: rows of ``fwd`` itself (``fwd.index[p]`` is event ``p``'s date).  Bare
        integers carry no calendar and cannot be checked: positions found on other data (an
        aligned frame that starts later, a series with other holidays) pair each event with
        another date's returns; pass the EventTable or its dates instead.
    target_name
        Name of the target, reported in every row.
    horizons
        Label -> trading days for the columns of ``fwd``; default ``fwd.attrs
        ["horizon_days"]`` (set by :func:`forward_returns`).  When both are there they must
        agree on every label they share.
    sample
        ``(start, end)`` dates (inclusive, ``None`` = open) of the evaluation sample: the
        baseline uses every date of it with a complete horizon; events outside are dropped
        with a :class:`~eventstudy.exceptions.DroppedEventsWarning`.
    min_gap
        Declustering gap of the events (for the placebo draws).
    tests, draws, bootstrap_reps, stratify, seed, progress
        Passed to :func:`eventstudy.inference.run_tests` (one seed stream per horizon).
        ``tests`` defaults to :data:`~eventstudy.inference.run.ALL_TESTS` (never ``hodrick``
        without ``daily``).  The verdicts use :func:`~eventstudy.inference.run.default_for`
        of ``tests``: the first of them in the calibration's order (``shift_t``, ``im``,
        ``hac``, ..., the tests of the printed excess, then ``hodrick`` when ``daily`` is
        given).
    shared
        A :class:`~eventstudy.inference.shared.SharedWork` memo for work that repeats
        across the specifications of a sweep (the baseline statistics and the tests' shared
        draws); the numbers are the same with or without it.
    daily
        The target's one-day moves on the dates of ``fwd`` (entry ``s`` from the close of
        date ``s - 1`` to that of ``s``; a study passes the log changes of the target's level,
        or the level's changes for a level target), for the ``hodrick`` test.
    default_test
        The verdict test (one of ``tests``; default :func:`~eventstudy.inference.run.
        default_for` of them).  With ``size_draws`` its size on the data is measured with the
        HAC's and the naive t's (and the shift tests' when they run): the tests without a
        vectorized size (:data:`~eventstudy.inference.size.SIZE_TESTS`) on fewer shifted sets
        (see :func:`~eventstudy.inference.size.size_on_data`).

    alpha
        Level of the size and power measurement, a number in (0, 1); checked even without
        ``size_draws``.

    Returns
    -------
    EvaluationResult

    Raises
    ------
    ValueError
        ``horizons`` disagreeing with ``fwd.attrs["horizon_days"]`` (names the horizon and
        both lengths), a horizon missing from ``fwd``, ``alpha`` outside (0, 1), a sample
        with no date of ``fwd``.
    TypeError
        ``fwd`` not a DataFrame, ``alpha`` not a number, integer positions of another
        dtype, ``sample`` dates whose time zone disagrees with ``fwd``'s index.
    DataError
        An EventTable found on another calendar than ``fwd`` or an event date missing from
        ``fwd`` (names the first such date); positions out of range, unsorted or repeated.

    Warns
    -----
    IncompleteHorizonWarning
        When events have an incomplete horizon (they are excluded from that horizon's n).

    Examples
    --------
    Three events on the eves of three 5% jumps of a price: each event's next-month return is
    exp(0.05 + 20 x 0.0005) - 1 = 6.18%, against 1.91% over every date:

    >>> import numpy as np, pandas as pd
    >>> from eventstudy.evaluation import evaluate, forward_returns
    >>> dates = pd.bdate_range("2020-01-01", periods=400)
    >>> steps = np.full(400, 0.0005)
    >>> steps[[100, 200, 300]] = 0.05
    >>> prices = pd.Series(100 * np.exp(np.cumsum(steps)), index=dates)
    >>> fwd = forward_returns(prices, {"1m": 21})
    >>> res = evaluate(fwd, [99, 199, 299], tests=["hac", "shift_t"], seed=0)
    >>> hs = res.horizons["1m"]
    >>> hs.n, round(hs.mean, 4), round(hs.baseline_mean, 4)
    (3, 0.0618, 0.0191)
    >>> res.default_test
    'shift_t'
    """
    if not isinstance(fwd, pd.DataFrame):
        raise TypeError(f"fwd must be a DataFrame of forward returns, got {type(fwd).__name__}")
    if not isinstance(target_name, str):
        raise TypeError(f"target_name must be a string, got {target_name!r}")
    check_int("min_gap", min_gap, minimum=1)
    hz_src = horizons if horizons is not None else fwd.attrs.get(HORIZON_ATTR)
    if hz_src is None:
        raise ValueError(
            "horizons unknown: pass horizons= (label -> trading days) or fwd from forward_returns"
        )
    hz = validate_horizons(hz_src)
    tagged = fwd.attrs.get(HORIZON_ATTR)
    if horizons is not None and isinstance(tagged, Mapping):
        for label, h in hz.items():
            if label in tagged and int(tagged[label]) != h:
                raise ValueError(
                    f"horizon {label!r}: horizons says {h} trading days but fwd[{label!r}] "
                    f"was computed over {int(tagged[label])} (fwd.attrs[{HORIZON_ATTR!r}]); "
                    "pass matching horizons or leave horizons out"
                )
    missing = [label for label in hz if label not in fwd.columns]
    if missing:
        raise ValueError(f"fwd has no column(s) {missing}; columns: {list(fwd.columns)}")
    alpha = check_float("alpha", alpha, minimum=0.0, maximum=1.0, strict_minimum=True)
    if alpha >= 1.0:
        raise ValueError(f"alpha must be < 1, got {alpha}")
    pos = as_positions(event_positions_on(fwd.index, event_positions, "fwd"), len(fwd.index))
    if default_test == "hodrick" and daily is None:
        raise ValueError(
            "default_test 'hodrick' needs the target's one-day moves: pass daily= (entry s the "
            "move from the close of date s - 1 to that of s, e.g. the log changes of the price)"
        )
    if tests is None:
        tests = tuple(t for t in ALL_TESTS if daily is not None or t != "hodrick")
    if default_test is not None and default_test not in tests:
        raise ValueError(f"default_test {default_test!r} must be one of the tests {list(tests)}")
    verdict = (
        default_for(tuple(tests), daily=daily is not None) if default_test is None else default_test
    )
    # HAC's and the naive t's, the shift tests' when they run, and the verdict test's
    measured = tuple(
        dict.fromkeys(("hac", "naive_t", *(t for t in ("shift", "shift_t", verdict) if t in tests)))
    )
    fwd_s, pos_s = _slice_sample(fwd, pos, sample)
    dates = pd.DatetimeIndex(fwd_s.index)
    one_day = _one_day(daily, fwd, fwd_s)
    size_draws = check_int("size_draws", size_draws, minimum=0)
    # the first len(hz) children are the tests' streams (as without size draws)
    streams = as_generator(seed).spawn((2 if size_draws else 1) * len(hz))
    seeds = streams[: len(hz)]
    size_seeds: list[np.random.Generator | None] = list(streams[len(hz) :]) or [None] * len(hz)
    out: dict[str, HorizonStats] = {}
    for (label, h), rng, size_rng in zip(hz.items(), seeds, size_seeds, strict=True):
        y = fwd_s[label].to_numpy(dtype=float, na_value=np.nan)
        daily_h = None if one_day is None else _window(one_day, len(fwd_s), h)
        s = prepare(y, pos_s)
        if s.n_incomplete:
            warnings.warn(
                f"{target_name} {label}: {s.n_incomplete} event(s) with an incomplete "
                f"{h}-day horizon were excluded",
                IncompleteHorizonWarning,
                stacklevel=find_stack_level(),
            )
        x = s.values
        nan = float("nan")
        qs = quantiles(x, _QUANTILES) if x.size else np.full(len(_QUANTILES), np.nan)
        mean = float(x.mean()) if x.size else nan
        scope = (
            None
            if shared is None
            else shared.scoped((shared.fingerprint(fwd), repr(sample), label))
        )
        base = (
            _baseline(s.y)
            if scope is None
            else scope.get(("baseline", scope.data_key(s.y)), partial(_baseline, s.y))
        )
        results = run_tests(
            y,
            pos_s,
            h,
            min_gap=min_gap,
            tests=tests,
            draws=draws,
            bootstrap_reps=bootstrap_reps,
            stratify=stratify,
            dates=dates,
            seed=rng,
            progress=progress,
            shared=scope,
            daily_returns=daily_h,
            sample=s,
        )
        out[label] = HorizonStats(
            horizon=label,
            horizon_days=h,
            n=s.n,
            n_incomplete=s.n_incomplete,
            mean=mean,
            median=float(np.median(x)) if x.size else nan,
            std=float(x.std(ddof=1)) if x.size > 1 else nan,
            min=float(x.min()) if x.size else nan,
            max=float(x.max()) if x.size else nan,
            hit_rate=float(np.mean(x > 0)) if x.size else nan,
            q05=float(qs[0]),
            q25=float(qs[1]),
            q75=float(qs[2]),
            q95=float(qs[3]),
            **base,
            excess_mean=mean - base["baseline_mean"],
            n_episodes=episodes(s.event_positions, h),
            tests=results,
            size=(
                size_on_data(
                    y,
                    pos_s,
                    h,
                    alpha=alpha,
                    draws=size_draws,
                    effect=(
                        power_effect.get(label)
                        if isinstance(power_effect, Mapping)
                        else power_effect
                    ),
                    tests=measured,
                    seed=size_rng,
                    options={
                        "min_gap": min_gap,
                        "draws": draws,
                        "bootstrap_reps": bootstrap_reps,
                        "stratify": stratify,
                        "dates": dates,
                        "daily_returns": daily_h,
                    },
                )
                if size_draws
                else {}
            ),
        )
    return EvaluationResult(
        target=target_name,
        horizons=out,
        n_events=int(pos_s.size),
        sample_start=pd.Timestamp(dates[0]),
        sample_end=pd.Timestamp(dates[-1]),
        default_test=verdict,
        alpha=alpha,
    )
