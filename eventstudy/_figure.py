"""New matplotlib figures with fixed margins, for every figure eventstudy draws.

Margins are set in inches when the figure is made, instead of by matplotlib's tight layout.
Tight layout measures every tick label, title and legend before the figure is drawn, a second
layout pass over the text: on the flagship study's 11 report figures it was 45% of ``savefig``
(2.3 of 5.1 profiled seconds, 2026-12-07).  The defaults fit the labels eventstudy writes (one
axis label, a title of one line, tick labels of about six characters); when the figure is
drawn, the figure measures its y axes' tick and axis labels only (not the x axes, titles
or legends: a third of tight layout's cost) and widens the left margin or the gaps between
columns where wider labels need it (a log axis over less than a decade labels its minor ticks
as ``2.8×10³``).

matplotlib is imported inside :func:`new_figure`, so importing this module does not import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Margins", "new_figure"]

_PAD = 0.08
"""Inches kept between a tick or axis label and the figure's edge or the next panel."""

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
    fig = _figure_class()(figsize=figsize)
    fig._fixed_margins, fig._fixed_grid = dict(m), (nrows, ncols)
    fig.subplots_adjust(**_fractions(m, figsize, nrows, ncols))
    return fig


def _fractions(
    m: Margins, figsize: tuple[float, float], nrows: int, ncols: int
) -> dict[str, float]:
    """``subplots_adjust`` arguments for margins ``m`` in inches."""
    width, height = figsize
    cell_w = (width - m["left"] - m["right"] - (ncols - 1) * m["wspace"]) / ncols
    cell_h = (height - m["bottom"] - m["top"] - (nrows - 1) * m["hspace"]) / nrows
    return {
        "left": m["left"] / width,
        "right": 1.0 - m["right"] / width,
        "bottom": m["bottom"] / height,
        "top": 1.0 - m["top"] / height,
        "wspace": m["wspace"] / cell_w,
        "hspace": m["hspace"] / cell_h,
    }


def _y_labels_width(ax: Any, renderer: Any) -> float:
    """Pixels that the y axis' tick labels and axis label take left of ``ax``.

    The labels are formatted and the widest one measured, without making the axis' tick
    objects (most of what measuring the drawn axis costs): the tick length and padding, the
    widest visible tick label, the label padding and the axis label's line.
    """
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

    axis = ax.yaxis
    lo, hi = sorted(axis.get_view_interval())
    texts: list[str] = []
    for locator, formatter in (  # the major then the minor ticks
        (axis.get_major_locator(), axis.get_major_formatter()),
        (axis.get_minor_locator(), axis.get_minor_formatter()),
    ):
        locs = [x for x in locator() if lo <= x <= hi]
        texts += [t for t in formatter.format_ticks(locs) if t]
    # the tick labels' size as set by tick_params, else the rc default
    prop = FontProperties(
        size=axis._major_tick_kw.get("labelsize", mpl.rcParams["ytick.labelsize"])
    )
    probe: Any = Text()  # its _preprocess_math tells mathtext from plain text
    widest = 0.0
    for t in set(texts):  # loop over the distinct labels
        s, ismath = probe._preprocess_math(t)
        widest = max(widest, renderer.get_text_width_height_descent(s, prop, ismath=ismath)[0])
    px = renderer.points_to_pixels
    ticks = px(mpl.rcParams["ytick.major.size"] + mpl.rcParams["ytick.major.pad"])
    label = axis.label
    line = 0.0
    if label.get_visible() and label.get_text():
        lprop = label.get_fontproperties()
        s, ismath = label._preprocess_math(label.get_text())
        _, h, _ = renderer.get_text_width_height_descent(s, lprop, ismath=ismath)
        # a line is at least as tall as "lp" (matplotlib's Text aligns lines on it)
        _, lp, _ = renderer.get_text_width_height_descent("lp", lprop, ismath=False)
        line = max(h, lp) + px(axis.labelpad)
    return float(ticks + widest + line)


def _widen(fig: Any, renderer: Any) -> None:
    """Widen the left margin or the gaps between columns of ``fig`` where its y axes' labels
    need more room than its fixed margins give (see the module docstring)."""
    m = dict(fig._fixed_margins)
    nrows, ncols = fig._fixed_grid
    dpi = fig.dpi
    left = gap = 0.0  # inches the y labels need left of the axes
    for ax in fig.axes:  # loop over panels
        spec = ax.get_subplotspec()
        if spec is None or not ax.get_visible():
            continue
        over = _y_labels_width(ax, renderer) / dpi
        if spec.colspan.start == 0:
            left = max(left, over)
        else:
            gap = max(gap, over)
    wider = {"left": max(m["left"], left + _PAD), "wspace": max(m["wspace"], gap + _PAD)}
    if any(wider[k] > m[k] + 1e-9 for k in wider):
        m.update(wider)
        size = (fig.get_figwidth(), fig.get_figheight())
        fig.subplots_adjust(**_fractions(m, size, nrows, ncols))


_FIGURE: Any = None


def _figure_class() -> Any:
    """The Figure subclass (made on first use: matplotlib is imported lazily) whose ``draw``
    first widens the margins where the y labels need it.

    Not a matplotlib layout engine: with any engine set, ``savefig`` draws the figure once more
    before it renders it (to place the artists), which cost 0.22 s of the flagship's figures.
    """
    global _FIGURE
    if _FIGURE is None:
        from matplotlib.figure import Figure

        class _FixedMarginsFigure(Figure):
            _fixed_margins: Margins
            _fixed_grid: tuple[int, int]

            def draw(self, renderer: Any) -> None:
                _widen(self, renderer)
                super().draw(renderer)

        _FIGURE = _FixedMarginsFigure
    return _FIGURE
