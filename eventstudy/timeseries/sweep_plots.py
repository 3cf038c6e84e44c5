"""The specification-curve figure of a sweep (Simonsohn, Simmons & Nelson 2020).

matplotlib is imported inside the function (Agg backend), as in :mod:`eventstudy.timeseries.plots`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from eventstudy.timeseries.sweep_results import SweepResult

__all__ = ["plot_specification_curve", "sweep_figure_plan", "sweep_figures"]


def plot_specification_curve(result: SweepResult, target: str, horizon: str) -> Figure:
    """Estimates sorted, with intervals, significance marked, baseline and claims; underneath,
    which choice each specification makes.

    The top panel shows each specification's mean forward return with the 95% interval of the
    default test when it reports a standard error (HAC: the event excess ± t quantile x SE,
    shifted by the baseline); filled markers are significant at the study's alpha with the
    default test, a ring marks the specifications that survive the Romano–Wolf family-wise
    control.  The dashed line is the median of the specifications' baselines (each is tested
    against its own: the mean over its sample's dates), dotted lines
    the claimed values.  The bottom panel has one row per dimension x choice.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    assert result.config.sweep is not None
    dims = result.config.sweep.dimensions
    test = result.default_test
    alpha = result.config.inference.alpha
    curve = result.curve(target, horizon)
    x = np.arange(len(curve))
    rows = [(d.name, c) for d in dims for c, _ in d.choices]
    fig = Figure(figsize=(10, 3.2 + 0.18 * len(rows)))
    gs = fig.add_gridspec(2, 1, height_ratios=[3.0, max(1.0, 0.18 * len(rows))], hspace=0.05)
    top = fig.add_subplot(gs[0])
    bottom = fig.add_subplot(gs[1], sharex=top)
    mean = curve["mean"].to_numpy(dtype=float)
    p = curve[f"{test}_p"].to_numpy(dtype=float)
    sig = p < alpha
    if "hac" in result.config.sweep.tests:
        lo, hi = _hac_band(result, curve, target, horizon)
        top.vlines(x, lo, hi, color="0.75", lw=0.8, zorder=1, label="95% interval (HAC)")
    top.scatter(x[~sig], mean[~sig], s=10, color="0.45", zorder=2, label=f"{test} p ≥ {alpha:g}")
    top.scatter(x[sig], mean[sig], s=14, color="C3", zorder=3, label=f"{test} p < {alpha:g}")
    surv = curve["romano_wolf_p"].to_numpy(dtype=float) < alpha
    if surv.any():
        top.scatter(
            x[surv],
            mean[surv],
            s=60,
            facecolors="none",
            edgecolors="k",
            zorder=4,
            label="survives Romano–Wolf",
        )
    top.axhline(
        float(np.nanmedian(curve["baseline_mean"])),
        color="k",
        ls="--",
        lw=1,
        label="median baseline",
    )
    for c in result.config.claims:
        if c.target == target and c.horizon == horizon:
            top.axhline(c.value, color="C0", ls=":", lw=1.2, label=f"claimed {c.value:+.1%}")
    from matplotlib.ticker import PercentFormatter

    top.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=1))
    top.set_ylabel(f"mean {horizon} return")
    top.set_title(f"{target}, {horizon}: {len(curve)} specifications, sorted by estimate")
    top.legend(fontsize=7, loc="upper left", ncol=3, frameon=False)
    top.tick_params(labelbottom=False)
    for i, (dname, choice) in enumerate(rows):
        on = (
            (curve[f"choice_{dname}"].astype(str) == choice).to_numpy()
            if f"choice_{dname}" in curve
            else np.zeros(len(curve), bool)
        )
        size = float(np.clip(3000.0 / max(len(curve), 1), 2.0, 25.0))
        bottom.scatter(x[on], np.full(on.sum(), i), s=size, marker="s", color="0.2", lw=0)
    bottom.set_yticks(range(len(rows)), [f"{d}={c}" for d, c in rows], fontsize=7)
    bottom.set_ylim(len(rows) - 0.5, -0.5)
    bottom.set_xlabel("specification (sorted by estimate)")
    bottom.set_xlim(-1, len(curve))
    fig.subplots_adjust(left=0.2, right=0.98, top=0.93, bottom=0.11)
    return fig


def _hac_band(
    result: SweepResult, curve: pd.DataFrame, target: str, horizon: str
) -> tuple[np.ndarray, np.ndarray]:
    """Event mean ± t(G - 1) quantile x HAC standard error of the event excess."""
    from eventstudy.inference._numerics import t_quantile

    lo = np.full(len(curve), np.nan)
    hi = np.full(len(curve), np.nan)
    for i, name in enumerate(curve["specification"]):  # loop over specifications
        tr = result.evaluations[name][target].horizons[horizon].tests.get("hac")
        if tr is None or not tr.applicable:
            continue
        q = float(t_quantile(0.975, max(int(tr.details["n_episodes"]) - 1, 1)))
        half = q * float(tr.details["se"])
        lo[i] = float(curve["mean"].iloc[i]) - half
        hi[i] = float(curve["mean"].iloc[i]) + half
    return lo, hi


def sweep_figures(result: SweepResult) -> Iterator[tuple[str, Figure]]:
    """The report's figures: one specification curve per target x horizon."""
    for name, build in sweep_figure_plan(result):
        yield name, build()


def sweep_figure_plan(result: SweepResult) -> list[tuple[str, Callable[[], Figure]]]:
    """The figures of :func:`sweep_figures` as (name, function that draws it), in order."""
    plan: list[tuple[str, Callable[[], Figure]]] = [
        (
            f"curve_{target.name}_{label}",
            partial(plot_specification_curve, result, target.name, label),
        )
        for target in result.config.evaluation.targets
        for label, _ in result.config.evaluation.horizons
    ]
    if result.backtest is not None:
        plan.append(("backtest_sharpes", result.backtest.plot))
        plan.append(("backtest_best", result.backtest.best.plot))
        if result.backtest.selected is not None:
            plan.append(("backtest_selected", result.backtest.selected.plot))
    return plan
