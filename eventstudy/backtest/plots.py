"""Figures of a backtest: equity curves with the events and the drawdown underneath; in a
sweep, the distribution of Sharpe ratios across specifications.

matplotlib is imported inside the functions (Agg backend), so importing eventstudy does not
import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from eventstudy._figure import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["equity_figure", "sharpe_distribution_figure"]


def equity_figure(result: Any) -> Figure:
    """Wealth of the strategy and of buy-and-hold (log scale) with the trades shaded and the
    events marked; the strategy's drawdown underneath.  ``result`` is a
    :class:`~eventstudy.backtest.results.BacktestResult` (which draws it with ``plot()``)."""
    import textwrap

    # a sweep's specification names run long: the title wraps, and the top margin grows
    title = textwrap.wrap(
        f"{result.name}: {result.holding}, {result.hold} days after each event", 95
    )
    fig = new_figure((10, 5.5), 2, 1, hspace=0.2, top=0.35 + 0.22 * (len(title) - 1))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    eq = result.equity()
    days = eq.index.to_numpy()  # datetime64: no Timestamp objects made for matplotlib
    top.plot(days, eq["strategy"].to_numpy(), color="C0", lw=1.2, label="strategy")
    top.plot(days, eq["buy_and_hold"].to_numpy(), color="0.45", lw=1.0, label="buy and hold")
    top.set_yscale("log")
    from matplotlib.ticker import FuncFormatter, NullFormatter

    top.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    top.yaxis.set_minor_formatter(NullFormatter())
    for entry, exit_ in zip(result.trades["entry"], result.trades["exit"], strict=True):
        top.axvspan(entry, exit_, color="C0", alpha=0.08, lw=0)
    ev = result.events[result.events.isin(eq.index)]
    if len(ev):
        top.plot(
            ev.to_numpy(),
            eq["strategy"].reindex(ev).to_numpy(),
            "v",
            color="C3",
            ms=5,
            label="events",
        )
    top.set_ylabel("wealth (log scale)")
    top.set_title("\n".join(title))
    top.legend(loc="upper left", frameon=False)
    wealth = np.concatenate([[1.0], eq["strategy"].to_numpy()])
    dd = (wealth / np.maximum.accumulate(wealth) - 1.0)[1:]
    bottom.fill_between(days, dd * 100, 0, color="C3", alpha=0.4, lw=0)
    bottom.set_ylabel("drawdown, %")
    return fig


def sharpe_distribution_figure(
    sharpes: Sequence[float], selected: Sequence[tuple[str, float]], sr0: float
) -> Figure:
    """Histogram of the specifications' annual Sharpe ratios with the selected ones marked and
    the Sharpe ratio the best of them would show by luck (``sr0``)."""
    fig = new_figure((8, 4.2), bottom=1.2)  # the legend sits under the axes
    ax = fig.add_subplot()
    x = np.asarray(sharpes, dtype=float)
    x = x[np.isfinite(x)]
    ax.hist(x, bins=min(40, max(10, x.size // 10)), color="0.7")
    for i, (label, value) in enumerate(selected):
        ax.axvline(value, color=f"C{i}", lw=1.5, label=f"{label}: {value:.2f}")
    if np.isfinite(sr0):
        ax.axvline(sr0, color="k", ls="--", lw=1, label=f"expected best by luck: {sr0:.2f}")
    ax.set_xlabel("annual Sharpe ratio")
    ax.set_ylabel("specifications")
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    return fig
