"""New matplotlib figures with fixed margins, for every figure eventstudy draws.

Margins are set in inches once, when the figure is made, instead of by matplotlib's tight
layout.  Tight layout measures every tick label, title and legend before the figure is drawn,
which is a second layout pass over the text: on the flagship study's 11 report figures it was
45% of ``savefig`` (2.3 of 5.1 profiled seconds, 2026-12-07).  Fixed margins cost nothing and
keep the plotting area the same from one run to the next.  They are sized for the labels
eventstudy writes (10-point tick labels of up to about six characters, one axis label, a
title of one line).

matplotlib is imported inside :func:`new_figure`, so importing this module does not import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Margins", "new_figure"]

Margins = dict[str, float]
"""Inches: ``left``, ``right``, ``bottom``, ``top`` around the grid, ``wspace`` and ``hspace``
between its cells."""

_DEFAULT: Margins = {
    "left": 0.85,
    "right": 0.2,
    "bottom": 0.6,
    "top": 0.35,
    "wspace": 0.95,
    "hspace": 0.8,
}


def new_figure(
    figsize: tuple[float, float], nrows: int = 1, ncols: int = 1, **margins: float
) -> Figure:
    """A Figure (Agg, no pyplot state) whose subplots grid of ``nrows`` x ``ncols`` has fixed
    margins in inches.

    Parameters
    ----------
    figsize
        Width and height in inches.
    nrows, ncols
        The grid the figure's subplots will fill (``add_subplot()`` or ``subplots(nrows,
        ncols)``); the gaps between cells are converted to matplotlib's fractions of a cell.
    **margins
        Inches that replace the defaults: ``left`` 0.85, ``right`` 0.2, ``bottom`` 0.6,
        ``top`` 0.35, ``wspace`` 0.95 and ``hspace`` 0.8 (the gaps between cells).

    Returns
    -------
    matplotlib.figure.Figure
        Never shown (safe with the Agg backend).

    References
    ----------
    .. [1] matplotlib, "Tight layout guide" (the cost: each call measures every artist),
       https://matplotlib.org/stable/users/explain/axes/tight_layout_guide.html
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    unknown = set(margins) - set(_DEFAULT)
    if unknown:
        raise TypeError(f"unknown margins {sorted(unknown)}; known: {sorted(_DEFAULT)}")
    m = {**_DEFAULT, **margins}
    width, height = figsize
    cell_w = (width - m["left"] - m["right"] - (ncols - 1) * m["wspace"]) / ncols
    cell_h = (height - m["bottom"] - m["top"] - (nrows - 1) * m["hspace"]) / nrows
    if cell_w <= 0 or cell_h <= 0:
        raise ValueError(
            f"a {width} x {height} inch figure leaves no room for a {nrows} x {ncols} grid "
            f"inside margins {m}"
        )
    fig = Figure(figsize=figsize)
    adjust: dict[str, Any] = {
        "left": m["left"] / width,
        "right": 1.0 - m["right"] / width,
        "bottom": m["bottom"] / height,
        "top": 1.0 - m["top"] / height,
        "wspace": m["wspace"] / cell_w,
        "hspace": m["hspace"] / cell_h,
    }
    fig.subplots_adjust(**adjust)
    return fig
