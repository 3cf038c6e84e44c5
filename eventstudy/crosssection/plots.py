"""Plot of the CAAR path with its confidence band (matplotlib imported lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from eventstudy.crosssection.api import CrossSectionResult

__all__ = ["plot_caar"]


def plot_caar(result: CrossSectionResult, ax: Any = None) -> Figure:
    """Draw the CAAR over the event window with its ``result.level`` confidence band.

    Parameters
    ----------
    result
        Output of :func:`~eventstudy.crosssection.run_cross_section`.
    ax
        Matplotlib Axes to draw on; a new Figure (no pyplot state) is created when ``None``.

    Returns
    -------
    matplotlib.figure.Figure
        Never shown (safe with the Agg backend).
    """
    from eventstudy._figure import new_figure

    if ax is None:
        fig = new_figure((7, 4))
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    c = result.caar
    x = c.index.to_numpy()
    ax.fill_between(
        x, c["lower"], c["upper"], alpha=0.25, label=f"{result.level:.0%} band (events independent)"
    )
    ax.plot(x, c["caar"], marker="o", label="CAAR")
    ax.axhline(0.0, color="grey", lw=0.8)
    ax.axvline(0.0, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("trading day relative to event")
    ax.set_ylabel("CAAR")
    ax.set_title(f"CAAR ({result.model}, N = {result.n_events})")
    ax.legend(loc="best")
    return fig
