"""Run a time-series study: config -> data -> signal -> events -> evaluation -> tests."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._fork import map_forked
from eventstudy._frozen import refreeze
from eventstudy._typing import ReturnKind
from eventstudy._warnings import find_stack_level
from eventstudy.backtest.results import BacktestResult
from eventstudy.config import thaw
from eventstudy.data import DataStore
from eventstudy.data.study_data import StudyData, load_study_data
from eventstudy.evaluation import (
    EvaluationResult,
    PathResult,
    average_path,
    evaluate,
    forward_returns,
    relative_forward_returns,
)
from eventstudy.evaluation.placebo_path import PlaceboPathBand, placebo_path_band
from eventstudy.events import DEFAULT_MIN_GAP, find_events
from eventstudy.exceptions import ConfigError, EventStudyWarning
from eventstudy.inference import adjust_pvalues
from eventstudy.signals import compute_checked, make_signal
from eventstudy.timeseries.results import (
    ClaimCheck,
    StudyResult,
    VariantResult,
    mean_interval,
    path_levels,
)
from eventstudy.timeseries.spec import TargetSpec, TimeSeriesStudyConfig

__all__ = ["run_timeseries_study"]

PATH_BAND_DRAWS = 200
"""Random event sets behind the placebo band of the average-path figure (a display band)."""

Progress = Callable[[str, int, int], object]
"""Progress callback: (step label, done, total)."""


_Caught = tuple[str, type[Warning], str, int]
"""A warning recorded while a variant ran: message, category, file and line."""


def _target_frames(
    target: TargetSpec,
    prices: pd.DataFrame,
    horizons: Mapping[str, int],
    kind: ReturnKind,
    units: tuple[str, float] = ("return", 1.0),
) -> tuple[pd.DataFrame, pd.Series]:
    """Forward moves of a target and the level series its average path follows: returns of
    a price (or of one relative to another), or changes of a level in ``units`` (name and
    scale: a level in percent moves in basis points, scale 100)."""
    a = prices[target.series]
    if units[0] != "return":
        level = (a * units[1]).rename(target.name)
        return forward_returns(level, horizons, kind="change"), level
    if target.relative_to is None:
        return forward_returns(a, horizons, kind=kind), a
    b = prices[target.relative_to]
    fwd = relative_forward_returns(a, b, horizons, mode=target.relative, kind=kind)
    return fwd, (a / b).rename(target.name)


def check_sample(config: TimeSeriesStudyConfig, data: StudyData) -> None:
    """The aligned sample must be longer than the longest horizon (else no forward return is
    complete: an error naming the shortest series and the horizon); a constant series gets a
    :class:`~eventstudy.exceptions.ConstantSeriesWarning`."""
    from eventstudy.exceptions import ConstantSeriesWarning, DataError

    frame = data.aligned.frame
    label, days = max(config.evaluation.horizons, key=lambda kv: kv[1])
    if len(frame) <= days:
        alias = min(data.aligned.infos, key=lambda a: data.aligned.infos[a].rows)
        info = data.aligned.infos[alias]
        raise DataError(
            f"{config.path}: the aligned sample has {len(frame)} dates "
            f"({frame.index[0]:%Y-%m-%d}..{frame.index[-1]:%Y-%m-%d}; shortest series "
            f"{alias!r}, {info.name}, {info.rows} rows), not more than the longest horizon "
            f"{label!r} = {days} trading days: no forward return would be complete"
        )
    _check_dates(config, pd.DatetimeIndex(frame.index))
    _check_holes(config, data)
    for alias in frame.columns:
        values = frame[alias].to_numpy()
        if values.size and bool((values == values[0]).all()):
            warnings.warn(
                f"series {alias!r} is constant ({values[0]:g} on all {values.size} dates of the "
                "sample): its signal and returns carry no information",
                ConstantSeriesWarning,
                stacklevel=find_stack_level(),
            )


def _check_holes(config: TimeSeriesStudyConfig, data: StudyData) -> None:
    """Warn of a hole in the aligned dates: a span more than 14 calendar days (and five
    typical spacings) without a common date, where one series has no data.  Forward returns,
    signals and paths then run across it as if it were one day."""
    from eventstudy.exceptions import DataCoverageWarning

    dates = pd.DatetimeIndex(data.aligned.frame.index)
    if dates.size < 3:
        return
    step = np.diff(dates.asi8) / 86_400e9  # calendar days between common dates
    limit = max(14.0, 5.0 * float(np.median(step)))
    holes = np.flatnonzero(step > limit)
    if not holes.size:
        return
    widest = int(holes[np.argmax(step[holes])])
    dropped = {a: n for a, n in data.aligned.dropped.items() if n}
    more = f" and {holes.size - 1} more" if holes.size > 1 else ""
    warnings.warn(
        f"{config.path}: the aligned dates jump from {dates[widest]:%Y-%m-%d} to "
        f"{dates[widest + 1]:%Y-%m-%d} ({step[widest]:.0f} calendar days){more}: a series has "
        f"no data there (dates dropped in alignment: {dropped or 'none'}); returns, signals "
        "and paths run across the gap as if it were one day",
        DataCoverageWarning,
        stacklevel=find_stack_level(),
    )


def _check_dates(config: TimeSeriesStudyConfig, dates: pd.DatetimeIndex) -> None:
    """The ``[events]`` window must meet the aligned data (an error naming the key); a window,
    or a date of the signal (``sigma_start``, any date key of it or of a signal it combines),
    that begins before the data is warned: the sample, or the statistic, then starts at the
    data's first date, not at the date the config names.  A record's ``since`` before the data
    is an error: "the largest since 1970" judged on the data from 1987 is another claim."""
    from eventstudy.exceptions import DataCoverageWarning, DataError

    first, last = pd.Timestamp(dates[0]), pd.Timestamp(dates[-1])
    span = f"the aligned data cover {first:%Y-%m-%d}..{last:%Y-%m-%d}"
    ev = config.events
    if ev.start is not None and ev.start > last:
        raise DataError(
            f"{config.path}: [events] start = {ev.start:%Y-%m-%d} is after the data: {span}"
        )
    if ev.end is not None and ev.end < first:
        raise DataError(
            f"{config.path}: [events] end = {ev.end:%Y-%m-%d} is before the data: {span}"
        )
    early = []
    if ev.start is not None and ev.start < first:
        early.append(f"[events] start = {ev.start:%Y-%m-%d}")
    for variant in config.variants:
        for key, when in _signal_dates(variant.signal):
            if when >= first:
                continue
            where = f"the signal's {key} = {when:%Y-%m-%d} (variant {variant.name!r})"
            if key.rsplit(".", 1)[-1] == "since":  # a record "since" needs the whole window
                raise DataError(
                    f"{config.path}: [signal] {where} is before the data's first date "
                    f"{first:%Y-%m-%d} ({span}): the record since {when:%Y-%m-%d} would be "
                    f"judged against the data from {first:%Y-%m-%d} only; give since = "
                    f"{first:%Y-%m-%d} or later, or series that cover {when:%Y-%m-%d}"
                )
            early.append(where)
    for what in dict.fromkeys(early):
        warnings.warn(
            f"{config.path}: {what} is before the data's first date {first:%Y-%m-%d} ({span}): "
            f"it starts there, not at the date given",
            DataCoverageWarning,
            stacklevel=find_stack_level(),
        )


def _signal_dates(signal: Mapping[str, Any], prefix: str = "") -> list[tuple[str, pd.Timestamp]]:
    """Every date-valued key of a signal's config, with its dotted path (``signals.0.since``
    inside a combinator), nested signals included."""
    out: list[tuple[str, pd.Timestamp]] = []
    for key, value in signal.items():
        name = f"{prefix}{key}"
        if isinstance(value, datetime.date | pd.Timestamp):
            out.append((name, pd.Timestamp(value)))
        elif isinstance(value, Mapping):
            out += _signal_dates(value, f"{name}.")
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    out += _signal_dates(item, f"{name}.{i}.")
    return out


def series_units(config: TimeSeriesStudyConfig, store: DataStore) -> dict[str, str]:
    """The units of each series of the study in percent or basis points, as the data
    directory states them: alias -> ``"percent"`` (a yield in percent) or ``"bp"``; prices
    (index points, dollars), ratios, breadth shares and unknown units are left out."""
    out: dict[str, str] = {}
    for spec in config.data.series:
        name = spec.splice[1] if spec.splice is not None else spec.name
        if name is None:  # a ratio or a breadth measure
            continue
        units, scale = store.level_units(name, folder=spec.folder)
        if units == "bp":
            out[spec.alias] = "percent" if scale == 100.0 else "bp"
    return out


def signal_units(signal: Any, result: Any, levels_in: Mapping[str, str]) -> str:
    """The units of a signal's value (:attr:`SignalResult.units`) when they follow from the
    units of the series it reads (``levels_in``, see :func:`series_units`), else ``""``.

    A threshold on a level keeps the series' units; on its change as a difference, a yield in
    percent moves in percentage points (0.5 is 50 bp) and one in bp in bp; a percentage
    change, a percentile or any other signal states none.  ``any_of`` over thresholds on one
    value (which is then its value) has their common units."""
    from eventstudy.signals.combinators import AnyOf
    from eventstudy.signals.threshold import Threshold

    if isinstance(signal, Threshold):
        units = levels_in.get(signal.series, "")
        if signal.mode == "level":
            return units
        if signal.mode == "change" and (signal.change_kind or "difference") == "difference":
            return "percentage points" if units == "percent" else units
        return ""
    if isinstance(signal, AnyOf) and (result.levels or result.threshold is not None):
        found = {signal_units(child, result, levels_in) for child in signal.signals}
        return found.pop() if len(found) == 1 else ""
    return ""


def check_target_kinds(
    config: TimeSeriesStudyConfig, store: DataStore
) -> dict[str, tuple[str, float]]:
    """The units of each target's moves, refusing a level series (a yield, a rate, a breadth
    share) as a forward-return target: the percent change of a yield from 4% to 4.4% is not a
    return (the study would report a "mean +9.7%").  A target declared ``kind = "level"``
    moves in basis points when its series is in percent, else in points; declare the series'
    ``kind = "price"`` in ``[data.series]`` when it really is a price.

    Returns
    -------
    dict
        Target name -> (units, scale): ``("return", 1.0)``, ``("bp", 100.0)`` for a level
        in percent, ``("bp", 1.0)``, or ``("points", 1.0)``.

    Raises
    ------
    ConfigError
        Naming the target, its series and what the data directory says about its units.
    """
    from eventstudy.data.study_data import series_kind

    specs = {sp.alias: sp for sp in config.data.series}
    units: dict[str, tuple[str, float]] = {}
    for target in config.evaluation.targets:
        if target.kind == "level":
            spec = specs[target.series]
            name = spec.splice[1] if spec.splice is not None else spec.name
            units[target.name] = (
                store.level_units(name, folder=spec.folder) if name else ("points", 1.0)
            )
            continue
        units[target.name] = ("return", 1.0)
        for alias in filter(None, (target.series, target.relative_to)):
            spec = specs[alias]
            if spec.ratio is None and series_kind(spec, store) == "level":
                raise ConfigError(
                    f"{config.path}: [evaluation] target {target.name!r}: series {alias!r} "
                    f"({spec.label}) is a level (percent units or a breadth share), and percent "
                    'returns of a level mean nothing; declare the target\'s kind = "level" '
                    "to study its changes (basis points for a level in percent, else points), "
                    'choose a price series as the target, or declare kind = "price" in '
                    f"[data.series.{alias}] if it is one"
                )
    return units


def _one_day_moves(level: pd.Series, kind: str) -> np.ndarray:
    """One-day moves behind a target's forward moves: changes of a level, log changes of a
    price or ratio; the ``hodrick`` test runs on their h-day sums (for a price, the log return)."""
    x = level.to_numpy(dtype=float)
    out = np.full(x.size, np.nan)
    if kind == "change":
        out[1:] = np.diff(x)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            out[1:] = np.diff(np.log(x))
    return out


def check_cash_covers(
    returns: pd.Series | None,
    name: str,
    dates: pd.DatetimeIndex,
    starts: Sequence[pd.Timestamp | None],
    path: str,
) -> None:
    """Refuse a ``[backtest] cash`` series that starts after the backtest does.

    The backtest earns cash from its second date on (``dates`` from the earliest of
    ``starts``, ``None`` meaning the data's first date), so the cash series must quote by
    then: FRED's ``DGS3MO`` starts 1981-09-01, after a study's events from 1980.

    Raises
    ------
    ConfigError
        Naming the study file, ``[backtest] cash``, both dates and the remedies.
    """
    if returns is None:
        return
    first_start = None if None in starts else min(pd.Timestamp(s) for s in starts if s)
    inside = dates if first_start is None else dates[dates >= first_start]
    if len(inside) < 2:
        return  # too short to trade: the backtest itself says so
    needed = inside[1]
    quoted = returns.reindex(inside[1:]).dropna()
    if len(quoted) and quoted.index[0] == needed:
        return
    first = f"{quoted.index[0]:%Y-%m-%d}" if len(quoted) else "after the sample"
    raise ConfigError(
        f"{path}: [backtest] key 'cash': {name!r} gives a cash return from {first}, but the "
        f"backtest starts {inside[0]:%Y-%m-%d} ([events] start, else the data's first date) and "
        f"earns cash from {needed:%Y-%m-%d}: set [events] start to {first} or later, or use a "
        'cash series that covers the sample (such as "fama_french:ff3_factors_daily[rf]"), or '
        'cash = "zero"'
    )


def _seed_for(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *keys]))


def _check_claims(
    result_variants: tuple[VariantResult, ...], config: TimeSeriesStudyConfig
) -> tuple[ClaimCheck, ...]:
    out = []
    by_name = {v.name: v for v in result_variants}
    for c in config.claims:
        vname = c.variant or result_variants[0].name
        variant = by_name[vname]
        hs = variant.evaluations[c.target].horizons[c.horizon]
        lo, hi = mean_interval(hs)
        units = variant.evaluations[c.target].units
        tolerance = c.tolerance_in(units)
        out.append(
            ClaimCheck(
                target=c.target,
                horizon=c.horizon,
                variant=vname,
                claimed=c.value,
                tolerance=tolerance,
                estimate=hs.mean,
                n=hs.n,
                reproduced=bool(abs(hs.mean - c.value) <= tolerance),
                source=c.source,
                baseline=hs.baseline_mean,
                test=config.inference.default_test,
                p_value=_p_or_nan(hs.tests.get(config.inference.default_test)),
                alpha=config.inference.alpha,
                look_ahead=variant.signal.look_ahead,
                ci_low=lo,
                ci_high=hi,
                units=units,
                return_kind=config.evaluation.return_kind,
            )
        )
    return tuple(out)


def _periods(split: Any, dates: pd.DatetimeIndex) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """(label, first, last) of each sub-period: calendar decades, or the spans between the
    configured dates (each date starts a new period)."""
    first, last = pd.Timestamp(dates[0]), pd.Timestamp(dates[-1])
    if split == "decade":
        starts = [pd.Timestamp(y, 1, 1) for y in range(first.year // 10 * 10, last.year + 1, 10)]
        bounds = [max(first, b) for b in starts] + [last + pd.Timedelta(days=1)]
        return [
            (f"{b.year // 10 * 10}s", b, e - pd.Timedelta(days=1))
            for b, e in itertools.pairwise(bounds)
        ]
    cuts = [d for d in split if first < d <= last]
    bounds = [first, *cuts, last + pd.Timedelta(days=1)]
    out = []
    for b, e in itertools.pairwise(bounds):
        end = e - pd.Timedelta(days=1)
        out.append((f"{b:%Y-%m-%d} to {end:%Y-%m-%d}", b, end))
    return out


def _subperiods(config: TimeSeriesStudyConfig, variants: tuple[VariantResult, ...]) -> pd.DataFrame:
    """Event means against the baseline of each sub-period, with the HAC test run inside it
    (``[evaluation] split``): the periods cut the study's sample (``[events] start``/``end``),
    so a period's baseline never reaches outside it."""
    rows = []
    horizons = dict(config.evaluation.horizons)
    ev_cfg = config.events
    for v in variants:
        for target, fwd in v.forward.items():
            dates = pd.DatetimeIndex(fwd.index)
            pos = np.asarray(v.events.positions, dtype=np.int64)
            inside_sample = np.ones(dates.size, dtype=bool)  # the study's [events] window
            if ev_cfg.start is not None:
                inside_sample &= dates >= ev_cfg.start
            if ev_cfg.end is not None:
                inside_sample &= dates <= ev_cfg.end
            for label, start, end in _periods(config.evaluation.split, dates[inside_sample]):
                inside = pos[(dates[pos] >= start) & (dates[pos] <= end)]
                lo = int(dates.searchsorted(start))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", EventStudyWarning)
                    ev = evaluate(
                        fwd,
                        inside,
                        target_name=target,
                        horizons=horizons,
                        sample=(start, end),
                        min_gap=v.events.min_gap,
                        tests=["hac"],
                    )
                for h, hs in ev.horizons.items():
                    tr = hs.tests["hac"]
                    rows.append(
                        {
                            "variant": v.name,
                            "target": target,
                            "period": label,
                            "horizon": h,
                            "first": f"{dates[lo]:%Y-%m-%d}",
                            "n": hs.n,
                            "episodes": hs.n_episodes,
                            "mean": hs.mean,
                            "baseline_mean": hs.baseline_mean,
                            "excess_mean": hs.excess_mean,
                            "hac_p": tr.p_value if tr.applicable else float("nan"),
                            "hac_kernel": str(tr.details.get("kernel", "")),
                        }
                    )
    return pd.DataFrame(rows)


def _p_or_nan(test: Any) -> float:
    return float(test.p_value) if test is not None and test.applicable else float("nan")


def _adjust(
    variants: tuple[VariantResult, ...], methods: tuple[str, ...]
) -> dict[tuple[str, str, str, str], dict[str, float]]:
    """Holm / BH adjusted p-values per test across variants x targets x horizons."""
    keys: dict[str, list[tuple[str, str, str, str]]] = {}
    pvals: dict[str, list[float]] = {}
    for v in variants:
        for target, ev in v.evaluations.items():
            for h, hs in ev.horizons.items():
                for tname, tr in hs.tests.items():
                    keys.setdefault(tname, []).append((v.name, target, h, tname))
                    pvals.setdefault(tname, []).append(tr.p_value)
    out: dict[tuple[str, str, str, str], dict[str, float]] = {}
    for tname, ks in keys.items():
        arr = np.asarray(pvals[tname], dtype=np.float64)
        adjusted = {m: adjust_pvalues(arr, method=m) for m in methods}  # type: ignore[call-overload]
        for i, k in enumerate(ks):
            out[k] = {m: float(adjusted[m][i]) for m in methods}
    return out


def _caveats(
    config: TimeSeriesStudyConfig, variants: tuple[VariantResult, ...], data: StudyData
) -> tuple[str, ...]:
    out = []
    for v in variants:
        if v.signal.look_ahead:
            out.append(
                f"Variant {v.name} uses a full-sample statistic ({v.signal.description}): the "
                "threshold at each date depends on data from after that date (look-ahead). "
                "Trailing variants avoid this."
            )
    for v in variants:  # every target x horizon with events too recent for it
        cells = [
            f"{target} {h}: {hs.n_incomplete}"
            for target, ev in v.evaluations.items()
            for h, hs in ev.horizons.items()
            if hs.n_incomplete
        ]
        if cells:
            out.append(
                f"Variant {v.name}: events too recent for a complete horizon are listed but "
                f"excluded from the statistics ({'; '.join(cells)} of "
                f"{v.events.n_events} events)."
            )
    if config.evaluation.return_kind == "log" and any(
        ev.units == "return" for v in variants for ev in v.evaluations.values()
    ):
        out.append(
            'Forward returns are log returns (return_kind = "log"): the means are mean log '
            "returns, below the mean simple returns (a published figure is usually simple)."
        )
    measured = bool(config.inference.size_draws)
    out.append(
        "Forward returns over overlapping horizons and clustered events are not independent: "
        "the naive t-test ignores this; the shift_t, shift and HAC tests account for it"
        + (" (their size on this data is above)" if measured else "")
        + ", while the bootstrap and random-date placebo over-reject when events cluster "
        "(6.8-13.4% and 9.7-40.2% at 5% in the calibration benchmark, docs/calibration.md). "
        "When the returns themselves trigger the events (they fire in volatile stretches) the "
        "raw shift test over-rejects too (11.4-18.1%); shift_t, which ranks each shifted "
        "set's HAC t-statistic, rejected 6.7-7.3% there. "
        "'episodes' (G) counts clusters of events whose h-day windows overlap, the effective "
        "number of independent observations; the HAC test uses t(G - 1)."
    )
    for alias, rep in data.splices.items():
        out.append(f"Series {alias} is spliced: {rep.summary()}.")
    out.extend(data.notes)
    return tuple(out)


def run_timeseries_study(
    config: TimeSeriesStudyConfig,
    *,
    store: DataStore | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    path_bands: bool = True,
    workers: int | None = None,
) -> StudyResult:
    """Run a time-series study.

    Parameters
    ----------
    config
        A parsed time-series study (:func:`eventstudy.parse_study`; :func:`eventstudy.run_study`
        also takes a path).
    store, data_dir
        Where data comes from (default :meth:`DataStore.from_settings`).
    seed
        Overrides the study's seed (placebo draws and bootstrap).
    progress
        Called as ``progress(label, done, total)`` during long steps.
    path_bands
        Compute the random-date placebo band of each average path
        (``VariantResult.placebo_paths``), which only the path figure draws; ``False`` (the
        command line's ``--no-figures``) leaves it empty and changes no other number.
    workers
        Processes computing the variants, 1 or 2: with 2 a forked copy of this process
        computes every second variant (default: 2 on a machine with two cores when the study
        has two variants or more and forking is safe -- Linux, one thread, not a daemon).  The
        numbers do not depend on it.

    Returns
    -------
    StudyResult
        Frozen; identical inputs and seed give identical numbers.

    Raises
    ------
    ConfigError
        A signal or target that does not fit the data (unknown series alias, bad parameter).
    DataError
        Invalid or insufficient data.
    """
    if not isinstance(config, TimeSeriesStudyConfig):
        raise TypeError(f"config must be a TimeSeriesStudyConfig, got {type(config).__name__}")
    store = store or DataStore.from_settings(data_dir)
    seed = config.seed if seed is None else seed
    units = check_target_kinds(config, store)
    levels_in = series_units(config, store)
    if config.backtest is not None:  # a level to hold is refused before any work
        from eventstudy.timeseries.trade import check_backtest_series

        check_backtest_series(config.backtest, config.data, store, str(config.path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EventStudyWarning)
        data = load_study_data(config.data, store)
        check_sample(config, data)
        variants = _run_variants(
            config, data, seed, progress, units, path_bands, workers, levels_in
        )
    messages: list[str] = []
    for w in caught:
        if issubclass(w.category, EventStudyWarning) and str(w.message) not in messages:
            messages.append(str(w.message))
            warnings.warn(w.message, w.category, stacklevel=find_stack_level())
        elif not issubclass(w.category, EventStudyWarning):  # another package's: where raised
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    adjusted = _adjust(variants, config.inference.multiple_testing)
    subperiods = _subperiods(config, variants) if config.evaluation.split is not None else None
    from eventstudy.facts import check_study_facts

    facts = check_study_facts(config, store)
    backtests = _backtests(config, data, variants, store, seed)
    return StudyResult(
        config=config,
        data=data,
        variants=variants,
        adjusted=adjusted,
        claims=_check_claims(variants, config),
        warnings=tuple(messages),
        seed=seed,
        caveats=_caveats(config, variants, data),
        facts=facts,
        subperiods=subperiods,
        backtests=backtests,
    )


def _backtests(
    config: TimeSeriesStudyConfig,
    data: StudyData,
    variants: tuple[VariantResult, ...],
    store: DataStore,
    seed: int,
) -> tuple[BacktestResult, ...]:
    """Trade the chosen variants' events as ``[backtest]`` says (nothing without it)."""
    spec = config.backtest
    if spec is None:
        return ()
    from eventstudy.timeseries.trade import load_cash, run_backtest

    chosen = [
        (i, v) for i, v in enumerate(variants) if not spec.variants or v.name in spec.variants
    ]
    frame = data.aligned.frame
    cash = load_cash(spec, store, pd.DatetimeIndex(frame.index), str(config.path))
    check_cash_covers(
        cash.returns,
        spec.cash,
        pd.DatetimeIndex(frame.index),
        [config.events.start],
        str(config.path),
    )
    titles = {sp.alias: sp.title or sp.alias for sp in config.data.series}
    return run_backtest(
        spec,
        data,
        [(v.name, v.events) for _, v in chosen],
        cash,
        start=config.events.start,
        end=config.events.end,
        seeds=[_seed_for(seed, i, 1_000) for i, _ in chosen],
        labels=(titles[spec.long], titles.get(spec.short or "", spec.short or "")),
    )


def _run_variants(
    config: TimeSeriesStudyConfig,
    data: StudyData,
    seed: int,
    progress: Progress | None,
    units: Mapping[str, tuple[str, float]],
    path_bands: bool = True,
    workers: int | None = None,
    levels_in: Mapping[str, str] | None = None,
) -> tuple[VariantResult, ...]:
    """Every variant of the study, in order; with two processes (``workers``, see
    :func:`_variant_processes`) a forked copy computes every second variant.  The numbers are
    the same either way (each variant has its own seeds); the warnings are re-issued in the
    variants' order."""
    ev_cfg = config.evaluation
    prices = data.aligned.frame
    horizons = dict(ev_cfg.horizons)
    ev = config.events
    min_gap = ev.min_gap or DEFAULT_MIN_GAP
    sample = (ev.start, ev.end)
    targets = {
        t.name: _target_frames(t, prices, horizons, ev_cfg.return_kind, units[t.name])
        for t in ev_cfg.targets
    }
    kinds = {
        name: "change" if units[name][0] != "return" else ev_cfg.return_kind for name in targets
    }
    bases = {
        t.name: path_levels(t, prices, targets[t.name][1], kinds[t.name]) for t in ev_cfg.targets
    }
    inf = config.inference
    stratify = None if inf.placebo_stratify == "none" else inf.placebo_stratify
    total = len(config.variants) * len(targets)
    parent = os.getpid()

    def report(label: str, done: int, of: int) -> None:
        if progress is not None and os.getpid() == parent:  # a forked copy stays quiet
            progress(label, done, of)

    def one(vi: int) -> tuple[VariantResult, list[_Caught]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", EventStudyWarning)
            result = _variant(vi)
        return result, [(str(w.message), w.category, w.filename, w.lineno) for w in caught]

    def _variant(vi: int) -> VariantResult:
        variant = config.variants[vi]
        try:
            signal = make_signal(thaw(variant.signal))
            sig = compute_checked(signal, prices)
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(f"{config.path}: [signal] (variant {variant.name!r}): {exc}") from exc
        if not np.isfinite(sig.value.to_numpy(dtype=float)).any():
            raise ConfigError(
                f"{config.path}: [signal] (variant {variant.name!r}): the signal has no value "
                f"on any of the {len(prices):,} aligned dates ({sig.description}): is a window "
                "or min_periods longer than the data?"
            )
        if stated := signal_units(signal, sig, levels_in or {}):
            sig = dataclasses.replace(sig, units=stated)
        # declustered over every trigger, then the events within [start, end]
        events = find_events(sig, min_gap=min_gap, mode=ev.mode, start=ev.start, end=ev.end)
        evaluations: dict[str, EvaluationResult] = {}
        paths: dict[str, PathResult] = {}
        bands: dict[str, PlaceboPathBand] = {}
        for ti, (tname, (fwd, level)) in enumerate(targets.items()):
            label = f"{variant.name}/{tname}"
            along, minus = bases[tname]

            def cb(d: int, t: int, label: str = label) -> None:
                report(f"placebo {label}", d, t)

            evaluations[tname] = evaluate(
                fwd,
                events.positions,
                target_name=tname,
                horizons=horizons,
                sample=sample,
                min_gap=min_gap,
                tests=inf.tests,
                draws=inf.draws,
                bootstrap_reps=inf.bootstrap_reps,
                stratify=stratify,
                seed=_seed_for(seed, vi, ti),
                progress=cb,
                size_draws=inf.size_draws,
                alpha=inf.alpha,
                power_effect=dict(inf.power_effect) or None,
                daily=_one_day_moves(level, kinds[tname]),
                default_test=inf.default_test,
            )
            evaluations[tname] = replace(
                evaluations[tname],
                units=units[tname][0],
                scale=units[tname][1],
            )
            paths[tname] = replace(
                average_path(
                    along,
                    events.positions,
                    pre=ev_cfg.path_pre,
                    post=ev_cfg.path_post,
                    kind=kinds[tname],  # type: ignore[arg-type]
                    relative_to=minus,
                    start=ev.start,
                    end=ev.end,
                ),
                units=units[tname][0],
            )
            if path_bands:  # drawn by the path figure only; its own seed stream
                bands[tname] = placebo_path_band(
                    along,
                    events.n_events,
                    min_gap=min_gap,
                    pre=ev_cfg.path_pre,
                    post=ev_cfg.path_post,
                    start=ev.start,
                    end=ev.end,
                    kind=kinds[tname],  # type: ignore[arg-type]
                    draws=PATH_BAND_DRAWS,
                    seed=_seed_for(seed, vi, ti, 1),
                    relative_to=minus,
                )
            if report is not None:
                report("evaluation", vi * len(targets) + ti + 1, total)
        return VariantResult(
            name=variant.name,
            description=variant.description,
            signal=sig,
            events=events,
            evaluations=evaluations,
            paths=paths,
            forward={k: v[0] for k, v in targets.items()},
            placebo_paths=bands,
        )

    n = len(config.variants)
    done = map_forked(one, n, processes=_variant_processes(workers, n))
    out = []
    for result, caught in done:  # in the variants' order, as one process would warn
        for message, category, filename, lineno in caught:
            if issubclass(category, EventStudyWarning):  # at the caller's line, from either process
                warnings.warn(message, category, stacklevel=find_stack_level())
            else:  # another package's warning, where it was raised
                warnings.warn_explicit(message, category, filename, lineno)
        out.append(refreeze(result))
    if progress is not None:
        progress("evaluation", total, total)
    return tuple(out)


def _variant_processes(workers: int | None, n: int) -> int:
    """Processes computing a study's variants: 1 or 2 (``workers``; by default 2 when there
    are two variants or more and two cores, and forking is safe)."""
    if workers is not None:
        return 2 if int(workers) >= 2 else 1
    return 2 if n >= 2 and (os.cpu_count() or 1) >= 2 else 1
