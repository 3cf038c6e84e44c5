"""Report figures saved as PNG: the time-series set and the cross-section CAAR plot.

The figures themselves are drawn by :mod:`eventstudy.timeseries.plots` and
:mod:`eventstudy.crosssection.plots`; this module only names, captions and saves them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eventstudy.crosssection.results import CrossSectionStudyResult
    from eventstudy.timeseries.results import StudyResult
    from eventstudy.timeseries.sweep_results import SweepResult

Plan = Sequence[tuple[str, Callable[[], Any]]]
_WAIT_SECONDS = 120.0
"""How long the run waits for the forked copy's last figure (one figure takes under a second)."""

__all__ = [
    "draw_figures",
    "save_cross_section_figures",
    "save_study_figures",
    "save_sweep_figures",
]

_CAPTIONS = {
    "series": "Target series (log scale); triangles mark events, shading marks trigger episodes.",
    "signal": "Signal value and threshold; dots mark the declustered events.",
    "path": "Average cumulative return around events with its band, the random-date placebo band and the unconditional drift.",
    "recent": "The last three events' realized paths so far against the average path after "
    "events (with its band) and the unconditional drift.",
    "backtest": "The signal traded: wealth of the strategy and of buy-and-hold (log scale), "
    "holdings shaded, events as triangles; the strategy's drawdown underneath.",
    "distribution": "Event forward returns (dots) against the distribution over all dates (box: "
    "quartiles and median; whiskers at the most extreme dates within 1.5 times the "
    "interquartile range of the box, Tukey's rule; dates beyond them are not drawn).",
}


def _draw(plan: Plan, directory: Path, dpi: int) -> None:
    for name, build in plan:  # loop over figures
        build().savefig(directory / f"{name}.png", dpi=dpi, metadata={"Software": None})


def _forks(workers: int | None, n_figures: int) -> int:
    """Processes to draw with, one or two: two when asked for (``workers >= 2``) or by default
    when the machine has two cores and there are four figures or more -- and only when
    forking is safe: on Linux (macOS frameworks do not survive a fork, which is why Python
    spawns there), in a process that runs one thread (a fork copies only the calling thread,
    so another thread's locks could hang the copy) and that may have children (a
    ``multiprocessing.Pool`` worker is a daemon and may not)."""
    from eventstudy._fork import fork_is_safe

    if not fork_is_safe():
        return 1
    if workers is not None:
        return 2 if int(workers) >= 2 else 1
    return 2 if n_figures >= 4 and (os.cpu_count() or 1) >= 2 else 1


def draw_figures(plan: Plan, directory: Path, *, dpi: int = 90, workers: int | None = None) -> None:
    """Draw and save every figure of ``plan`` as ``directory/<name>.png``.

    With two processes (see :func:`_forks`) a forked copy of this one draws figures too: both
    take the next undrawn figure from a shared counter until none is left.  Each figure is
    drawn whole by one process, so the files are the same bytes as when one process draws them
    all; a figure the copy did not finish (it failed) is drawn here afterwards.  Saving is
    most of a report's time (the flagship's 11 figures: 3.5 s of drawing, 2026-11-22).
    """
    directory.mkdir(parents=True, exist_ok=True)
    if _forks(workers, len(plan)) < 2:
        _draw(plan, directory, dpi)
        return
    import multiprocessing

    # imported once, before the fork, instead of in each process
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401

    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("i", 0)
    done = ctx.Array("b", len(plan))  # 1 where a process finished the figure

    def share() -> None:
        while True:  # loop over figures: take the next one not yet taken
            with counter.get_lock():
                i = int(counter.value)
                counter.value = i + 1
            if i >= len(plan):
                return
            _draw([plan[i]], directory, dpi)
            done[i] = 1

    child = ctx.Process(target=share, daemon=True)
    try:
        child.start()
    except (OSError, AssertionError):  # no child after all: draw them all here
        _draw(plan, directory, dpi)
        return
    try:
        share()
    except BaseException:
        with counter.get_lock():  # the copy stops after its current figure
            counter.value = len(plan)
        raise
    finally:
        # the copy has at most one figure left once the counter has run out; one that hangs
        # is stopped (killed if it ignores SIGTERM), and its figure drawn here
        child.join(_WAIT_SECONDS)
        if child.is_alive():
            child.terminate()
            child.join(5.0)
        if child.is_alive():
            child.kill()
            child.join()
    _draw([plan[i] for i in range(len(plan)) if not done[i]], directory, dpi)


def save_study_figures(
    result: StudyResult, directory: Path, *, dpi: int = 90, workers: int | None = None
) -> dict[str, tuple[Path, str]]:
    """Save every figure as PNG; returns name -> (path, caption).

    ``workers``: 1 or 2 processes drawing them (default: two when that is safe and useful,
    see :func:`draw_figures`)."""
    from eventstudy.timeseries.plots import study_figure_plan

    plan = study_figure_plan(result)
    draw_figures(plan, directory, dpi=dpi, workers=workers)
    out = {}
    for name, _ in plan:
        caption = _CAPTIONS[name.split("_")[0]]
        out[name] = (directory / f"{name}.png", f"{name.replace('_', ' ')}: {caption}")
    return out


def save_cross_section_figures(
    result: CrossSectionStudyResult, directory: Path, *, dpi: int = 90
) -> dict[str, tuple[Path, str]]:
    """Save the CAAR figure as PNG; returns name -> (path, caption)."""
    from eventstudy.crosssection.plots import plot_caar

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "caar.png"
    plot_caar(result.result).savefig(path, dpi=dpi, metadata={"Software": None})
    return {"caar": (path, f"CAAR over the event window with its {result.result.level:.0%} band.")}


def save_sweep_figures(
    result: SweepResult, directory: Path, *, dpi: int = 90, workers: int | None = None
) -> dict[str, tuple[Path, str]]:
    """Save one specification curve per target x horizon; returns name -> (path, caption)."""
    from eventstudy.report.sweep import _FIGURE_CAPTION
    from eventstudy.timeseries.sweep_plots import sweep_figure_plan

    plan = sweep_figure_plan(result)
    draw_figures(plan, directory, dpi=dpi, workers=workers)
    out = {}
    for name, _ in plan:
        path = directory / f"{name}.png"
        if name == "backtest_sharpes":
            caption = (
                "Annual Sharpe ratios of every specification traded; the best (and the "
                "selected) one marked, and the Sharpe ratio the best of that many unskilled "
                "tries would show by luck (dashed)."
            )
        elif name.startswith("backtest_"):
            caption = f"{name.removeprefix('backtest_')} specification: " + _CAPTIONS["backtest"]
        else:
            label = name.removeprefix("curve_").replace("_", " ")
            caption = f"{label}: {_FIGURE_CAPTION}"
        out[name] = (path, caption)
    return out
