"""Report figures saved as PNG: the time-series set and the cross-section CAAR plot.

The figures themselves are drawn by :mod:`eventstudy.timeseries.plots` and
:mod:`eventstudy.crosssection.plots`; this module only names, captions and saves them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventstudy.crosssection.results import CrossSectionStudyResult
    from eventstudy.timeseries.results import StudyResult
    from eventstudy.timeseries.sweep_results import SweepResult

__all__ = ["save_cross_section_figures", "save_study_figures", "save_sweep_figures"]

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


def save_study_figures(
    result: StudyResult, directory: Path, *, dpi: int = 90
) -> dict[str, tuple[Path, str]]:
    """Save every figure as PNG; returns name -> (path, caption)."""
    from eventstudy.timeseries.plots import study_figures

    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, fig in study_figures(result):
        path = directory / f"{name}.png"
        fig.savefig(path, dpi=dpi, metadata={"Software": None})
        caption = _CAPTIONS[name.split("_")[0]]
        out[name] = (path, f"{name.replace('_', ' ')}: {caption}")
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
    result: SweepResult, directory: Path, *, dpi: int = 90
) -> dict[str, tuple[Path, str]]:
    """Save one specification curve per target x horizon; returns name -> (path, caption)."""
    from eventstudy.report.sweep import _FIGURE_CAPTION
    from eventstudy.timeseries.sweep_plots import sweep_figures

    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, fig in sweep_figures(result):
        path = directory / f"{name}.png"
        fig.savefig(path, dpi=dpi, metadata={"Software": None})
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
