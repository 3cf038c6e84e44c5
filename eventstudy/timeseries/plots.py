"""Figures of a time-series study. Each function takes a result and ``ax=None`` and returns the
Figure; :func:`study_figures` yields the report's set (saved by :mod:`eventstudy.report.figures`).

matplotlib is imported inside the functions (Agg backend, never ``plt.show``), so importing
eventstudy does not import matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy._figure import new_figure
from eventstudy.events import trigger_runs

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eventstudy.timeseries import StudyResult, VariantResult

__all__ = [
    "plot_average_path",
    "plot_distribution",
    "plot_series_events",
    "plot_signal",
    "study_figure_plan",
    "study_figures",
]


def _axes(ax: Axes | None, figsize: tuple[float, float] = (10, 4)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(), ax  # type: ignore[return-value]
    fig = new_figure(figsize)
    return fig, fig.add_subplot()


def _variant(result: StudyResult, name: str | None) -> VariantResult:
    if name is None:
        return result.variants[0]
    for v in result.variants:
        if v.name == name:
            return v
    raise ValueError(f"no variant {name!r}; variants are {[v.name for v in result.variants]}")


def _trigger_spans(
    dates: pd.DatetimeIndex, trigger: pd.Series, min_gap: int
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Spans of trigger days, runs bridged as by ``find_events(mode="episode")``."""
    starts, ends = trigger_runs(np.flatnonzero(trigger.to_numpy(dtype=bool)), min_gap)
    return [(dates[s], dates[e]) for s, e in zip(starts, ends, strict=True)]


def plot_series_events(
    result: StudyResult,
    *,
    variant: str | None = None,
    series: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The target series over the full sample (log scale) with events marked.

    Event markers are one scatter collection with one point per event; trigger episodes
    (trigger days closer than ``min_gap``) are shaded.
    """
    v = _variant(result, variant)
    frame = result.data.aligned.frame
    alias = series or (
        result.config.evaluation.targets[0].series if result.config.evaluation else frame.columns[0]
    )
    s = frame[alias]
    fig, ax = _axes(ax)
    # datetime64 values, not a DatetimeIndex: matplotlib converts those without making
    # 12,000 Timestamp objects (0.1 s of the flagship's figures)
    ax.plot(s.index.to_numpy(), s.to_numpy(), lw=0.8, color="#1f4e79", label=alias)
    log = _is_price(result, alias)
    if log:  # a level (a yield, a share) may be zero or negative, and moves additively
        ax.set_yscale("log")
    for lo, hi in _trigger_spans(pd.DatetimeIndex(frame.index), v.signal.trigger, v.events.min_gap):
        ax.axvspan(lo, hi + pd.Timedelta(days=3), color="#f4a261", alpha=0.35, lw=0)  # type: ignore[arg-type]
    ev_dates = v.events.dates
    ax.scatter(
        ev_dates.to_numpy(),
        s.loc[ev_dates].to_numpy(),
        marker="v",
        color="#c0392b",
        s=28,
        zorder=3,
        label=f"events (n={len(ev_dates)})",
    )
    ax.set_title(f"{alias} with {v.name} events")
    ax.set_xlabel("date")
    ax.set_ylabel(f"{alias} level{' (log scale)' if log else ''}")
    ax.legend(loc="upper left")
    return fig


def _is_price(result: StudyResult, alias: str) -> bool:
    """False for a series some target studies as a level (its moves are changes, not
    returns)."""
    evaluation = result.config.evaluation
    targets = evaluation.targets if evaluation else ()
    return not any(t.series == alias and result.units(t.name) != "return" for t in targets)


def _series_figure(result: StudyResult, variant: str) -> Figure:
    """One panel per series the targets follow (a relative target's two series each), the
    events marked on every panel."""
    evaluation = result.config.evaluation
    aliases: list[str] = []
    for t in evaluation.targets if evaluation else ():  # loop over targets
        for alias in (t.series, t.relative_to):
            if alias and alias not in aliases:
                aliases.append(alias)
    if not aliases:
        aliases = [str(result.data.aligned.frame.columns[0])]
    fig, axes = _grid(len(aliases), 1, (10, 3.2))
    for ax, alias in zip(axes[:, 0], aliases, strict=True):
        plot_series_events(result, variant=variant, series=alias, ax=ax)
    return fig


def plot_signal(
    result: StudyResult, *, variant: str | None = None, ax: Axes | None = None
) -> Figure:
    """The signal value over time with its threshold(s)."""
    v = _variant(result, variant)
    fig, ax = _axes(ax)
    value = v.signal.value
    ax.plot(value.index.to_numpy(), value.to_numpy(), lw=0.6, color="#555555", label="signal value")
    thr = v.signal.threshold
    if thr is not None and np.isfinite(thr):
        ax.axhline(thr, color="#c0392b", ls="--", lw=1, label=f"threshold {v.signal.in_units(thr)}")
        if str(v.signal.description).endswith("both") or "both" in v.signal.description:
            ax.axhline(-thr, color="#c0392b", ls="--", lw=1)
    levels = [x for x in v.signal.levels if np.isfinite(x)]
    for i, level in enumerate(levels):
        label = f"thresholds {', '.join(map(v.signal.in_units, levels))}" if i == 0 else None
        ax.axhline(level, color="#c0392b", ls="--", lw=1, label=label)
    ev = v.events.dates
    ax.scatter(
        ev.to_numpy(), value.loc[ev].to_numpy(), color="#c0392b", s=14, zorder=3, label="events"
    )
    ax.set_title(v.signal.description, fontsize=9)
    ax.set_xlabel("date")
    ax.set_ylabel(f"signal value ({v.signal.units})" if v.signal.units else "signal value")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def plot_average_path(
    result: StudyResult,
    *,
    variant: str | None = None,
    target: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Average cumulative return around events with its band, the placebo band and the drift."""
    v = _variant(result, variant)
    tname = target or next(iter(v.paths))
    p = v.paths[tname]
    fig, ax = _axes(ax)
    x = np.asarray(p.offsets)
    ax.fill_between(
        x,
        p.lower,
        p.upper,
        color="#1f77b4",
        alpha=0.2,
        lw=0,
        label=f"{p.band:.0%} band (events independent)",
    )
    ax.plot(x, p.mean, color="#1f77b4", lw=1.8, label=f"after events ({_path_count(p)})")
    band = v.placebo_paths.get(tname)
    if band is not None and band.draws:
        ax.fill_between(
            band.offsets,
            band.lower,
            band.upper,
            color="#999999",
            alpha=0.3,
            lw=0,
            label=f"random dates {band.level:.0%}",
        )
    ax.plot(x, p.drift, color="#2ca02c", ls="--", lw=1.2, label="drift (all sample dates)")
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(0, color="black", lw=0.6, ls=":")
    units = result.units(tname)
    ax.yaxis.set_major_formatter(_pct_formatter(units))
    ax.set_xlabel("trading days from event")
    ax.set_ylabel(f"{_moves(units)} of {tname}")
    ax.set_title(f"{tname} around {v.name} events", fontsize=9)
    ax.legend(loc="upper left", fontsize=7, framealpha=0.6)
    return fig


def plot_recent_events(
    result: StudyResult,
    *,
    variant: str | None = None,
    target: str | None = None,
    count: int = 3,
    ax: Axes | None = None,
) -> Figure:
    """The last ``count`` events' realized paths so far against the average path after
    events (with its band) and the drift."""
    v = _variant(result, variant)
    tname = target or next(iter(v.paths))
    p = v.paths[tname]
    fig, ax = _axes(ax)
    x = np.asarray(p.offsets)
    after = x >= 0
    ax.fill_between(x[after], p.lower[after], p.upper[after], color="#1f77b4", alpha=0.15, lw=0)
    ax.plot(x[after], p.mean[after], color="#1f77b4", lw=1.8, label="average after events")
    ax.plot(x[after], p.drift[after], color="#2ca02c", ls="--", lw=1.2, label="drift")
    dates = result.data.aligned.frame.index
    units = result.units(tname)
    for i, pos in enumerate(np.asarray(v.events.positions, dtype=np.int64)[-count:]):
        path = result.event_path(tname, int(pos), int(x[-1]))
        ax.plot(
            np.arange(path.size),
            path,
            lw=1.3,
            color=("#d62728", "#ff7f0e", "#9467bd", "#8c564b")[i % 4],
            label=f"{dates[pos]:%Y-%m-%d} ({dates.size - 1 - pos} days so far)",
        )
    ax.axhline(0, color="black", lw=0.6)
    ax.yaxis.set_major_formatter(_pct_formatter(units))
    ax.set_xlabel("trading days after the event")
    ax.set_ylabel(f"{_moves(units)} of {tname}")
    ax.set_title(f"{result.label(tname)}: the last {v.name} events so far", fontsize=9)
    ax.legend(loc="upper left", fontsize=7, framealpha=0.6)
    return fig


def plot_distribution(
    result: StudyResult,
    *,
    variant: str | None = None,
    target: str | None = None,
    horizon: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Event forward returns (strip) against the baseline distribution (box) for one horizon.

    The title gives n and the default test's p-value.
    """
    v = _variant(result, variant)
    tname = target or next(iter(v.evaluations))
    ev = v.evaluations[tname]
    h = horizon or next(iter(ev.horizons))
    fwd = v.forward[tname]
    fig, ax = _axes(ax, figsize=(4.5, 4))
    start, end = result.config.events.start, result.config.events.end
    in_sample = np.ones(len(fwd), dtype=bool)
    if start is not None:
        in_sample &= fwd.index >= start
    if end is not None:
        in_sample &= fwd.index <= end
    col = fwd[h].to_numpy()
    base = col[in_sample & np.isfinite(col)]
    events = col[np.asarray(v.events.positions)]
    events = events[np.isfinite(events)]
    ax.boxplot([base], positions=[0], widths=0.5, showfliers=False)
    jitter = np.random.default_rng(0).uniform(-0.12, 0.12, events.size)  # display only
    ax.scatter(1 + jitter, events, s=16, color="#c0392b", zorder=3)
    ax.set_xticks([0, 1], ["all dates", "events"])
    hs = ev.horizons[h]
    default = result.config.inference.default_test
    tr = hs.tests.get(default)
    ptxt = f"{default} p={tr.p_value:.3g}" if tr is not None and tr.applicable else f"{default} n/a"
    ax.set_title(f"{tname} {h}: n={hs.n}, {ptxt}", fontsize=9)
    ax.axhline(0, color="black", lw=0.5)
    units = result.units(tname)
    ax.yaxis.set_major_formatter(_pct_formatter(units))
    ax.set_ylabel(f"{h} forward {'return' if units == 'return' else 'change'}")
    return fig


def _path_count(p: Any) -> str:
    """``n=74`` events, or ``n=74, 71 at +252`` when fewer events reach the path's end (the
    latest events have no data that far yet)."""
    last = int(p.n[-1])
    if last == p.n_events:
        return f"n={p.n_events}"
    return f"n={p.n_events}, {last} at +{int(p.offsets[-1])}"


def _grid(nrows: int, ncols: int, cell: tuple[float, float]) -> tuple[Figure, Any]:
    fig = new_figure((cell[0] * ncols, cell[1] * nrows), nrows, ncols)
    return fig, fig.subplots(nrows, ncols, squeeze=False)


def _pct_formatter(units: str = "return") -> Any:
    """Percent ticks for returns; ``+12 bp`` / ``+1.5 pt`` ticks for changes of a level."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    if units == "return":
        return PercentFormatter(1.0, decimals=0)
    suffix = " bp" if units == "bp" else " pt"
    return FuncFormatter(lambda y, _pos: f"{y:g}{suffix}")


def _moves(units: str) -> str:
    return (
        "cumulative return"
        if units == "return"
        else f"change ({'bp' if units == 'bp' else 'points'})"
    )


def study_figures(
    result: StudyResult, *, variant: str | None = None
) -> Iterator[tuple[str, Figure]]:
    """(name, Figure) for every report figure, for one variant or all of them.

    Per variant: the signal, the average paths (one panel per target) and the return
    distributions (targets x horizons); once: each target's series with events.
    """
    for name, build in study_figure_plan(result, variant=variant):
        yield name, build()


def study_figure_plan(
    result: StudyResult, *, variant: str | None = None
) -> list[tuple[str, Callable[[], Figure]]]:
    """The figures of :func:`study_figures` as (name, function that draws it), in order,
    so that they can be drawn apart (for example in two processes)."""
    variants = [_variant(result, variant)] if variant else list(result.variants)
    plan: list[tuple[str, Callable[[], Figure]]] = []
    for i, v in enumerate(variants):
        if i == 0:
            plan.append(("series", partial(_series_figure, result, v.name)))
        plan.append((f"signal_{v.name}", partial(plot_signal, result, variant=v.name)))
        plan.append((f"path_{v.name}", partial(_target_panels, result, v, plot_average_path)))
        plan.append((f"recent_{v.name}", partial(_target_panels, result, v, plot_recent_events)))
        plan.append((f"distribution_{v.name}", partial(_distributions_figure, result, v)))
    for b in result.backtests:
        if variant is None or b.name == variant:
            plan.append((f"backtest_{b.name}", b.plot))
    return plan


def _target_panels(result: StudyResult, v: VariantResult, plot: Callable[..., Any]) -> Figure:
    """One panel per target, side by side, each drawn by ``plot``."""
    targets = list(v.paths)
    fig, axes = _grid(1, len(targets), (5.5, 4))
    for ax, t in zip(axes[0], targets, strict=True):
        plot(result, variant=v.name, target=t, ax=ax)
    return fig


def _distributions_figure(result: StudyResult, v: VariantResult) -> Figure:
    targets = list(v.paths)
    horizons = list(next(iter(v.evaluations.values())).horizons)
    fig, axes = _grid(len(targets), len(horizons), (3.6, 3.2))
    for r, t in enumerate(targets):
        for c, h in enumerate(horizons):
            plot_distribution(result, variant=v.name, target=t, horizon=h, ax=axes[r][c])
    return fig
