"""Fixed figure margins (eventstudy._figure): what is asked in inches is what the axes get,
and every figure of a report keeps its text inside the figure and off its neighbours."""

from __future__ import annotations

from typing import Any

import pytest

from eventstudy._figure import new_figure


def text_fits(fig: Any) -> list[str]:
    """What of ``fig`` does not fit: an axes whose labels, ticks, title or legend reach past
    the figure's edge, or two axes whose labelled boxes overlap.  Checked on the drawn figure
    (Agg), in pixels, to one pixel."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    width, height = canvas.get_width_height()
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes]
    problems = []
    for i, box in enumerate(boxes):
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            problems.append(f"axes {i} ({fig.axes[i].get_title()!r}) reaches past the figure")
        for j in range(i):
            inner = box.padded(-1)  # touching is fine, overlapping is not
            if inner.overlaps(boxes[j].padded(-1)) and not _shared(fig.axes[i], fig.axes[j]):
                problems.append(f"axes {i} overlaps axes {j}")
    return problems


def _shared(a: Any, b: Any) -> bool:
    """Axes stacked on one shared x axis (a panel and the strip under it) touch by design."""
    return a.get_shared_x_axes().joined(a, b)


def test_margins_are_inches_of_the_figure() -> None:
    fig = new_figure((10, 4), left=1.0, right=0.5, bottom=0.8, top=0.4)
    pos = fig.add_subplot().get_position()
    assert pos.x0 * 10 == pytest.approx(1.0) and (1 - pos.x1) * 10 == pytest.approx(0.5)
    assert pos.y0 * 4 == pytest.approx(0.8) and (1 - pos.y1) * 4 == pytest.approx(0.4)


def test_gaps_between_cells_are_inches() -> None:
    fig = new_figure((12, 7), 2, 3, wspace=0.7, hspace=0.9)
    axes = fig.subplots(2, 3)
    left, right = axes[0][0].get_position(), axes[0][1].get_position()
    top, below = axes[0][0].get_position(), axes[1][0].get_position()
    assert (right.x0 - left.x1) * 12 == pytest.approx(0.7)
    assert (top.y0 - below.y1) * 7 == pytest.approx(0.9)
    widths = {round(ax.get_position().width * 12, 9) for ax in axes.flat}
    assert widths == {round((12 - 0.85 - 0.2 - 2 * 0.7) / 3, 9)}  # the default side margins


def test_bad_margins_are_refused() -> None:
    with pytest.raises(TypeError, match=r"unknown margins \['lft'\]"):
        new_figure((6, 4), lft=1.0)
    with pytest.raises(ValueError, match="leaves no room for a 1 x 3 grid"):
        new_figure((2.5, 4), 1, 3)


def test_fit_check_sees_a_label_outside_and_the_figure_makes_room(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check the report tests rely on catches a y label pushed out of a figure, or over
    its neighbour, when nothing makes room; the figure's own draw widens the left margin and
    the gap so that the same figures fit, without a layout engine (with one, ``savefig``
    draws twice)."""
    import eventstudy._figure as figure_module

    def squeezed() -> list[Any]:
        fig = new_figure((4, 3), left=0.05)
        ax = fig.add_subplot()
        ax.plot([0, 1], [10_000, 20_000])
        ax.set_ylabel("a long label")
        two = new_figure((6, 3), 1, 2, wspace=0.05)
        for ax in two.subplots(1, 2):
            ax.plot([0, 1], [10_000, 20_000])
            ax.set_ylabel("level")
        return [fig, two]

    with monkeypatch.context() as m:
        m.setattr(figure_module, "_widen", lambda fig, renderer: None)
        fig, two = squeezed()
        assert any("reaches past the figure" in p for p in text_fits(fig))
        assert "axes 1 overlaps axes 0" in text_fits(two)
    fig, two = squeezed()
    assert text_fits(fig) == [] and text_fits(two) == []
    assert fig.axes[0].get_position().x0 * 4 > 0.5  # widened from 0.05 inch
    assert fig.get_layout_engine() is None


@pytest.mark.parametrize(
    ("values", "scale", "setup"),
    [
        ([1800.0, 2900.0], "log", None),  # under a decade: minor labels as 2.8x10^3
        ([0.5, 40_000.0], "log", None),
        ([-12345.0, 0.000125], "linear", None),
        ([-0.3, 0.45], "linear", "percent"),
        ([-150.0, 90.0], "linear", "bp"),
        ([1.0, 2.0], "linear", "big_ticks"),
    ],
)
def test_y_label_width_is_what_matplotlib_draws(values, scale, setup) -> None:
    """The engine's estimate of the room left of the axes (formatted tick labels, measured
    once each) against matplotlib's own measure of the drawn y axis, to two pixels; and the
    widened margin keeps it inside the figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    from eventstudy._figure import _y_labels_width

    fig = new_figure((6, 4))
    ax = fig.add_subplot()
    ax.plot([0, 1], values)
    ax.set_yscale(scale)
    ax.set_ylabel("level of the series")
    if setup == "percent":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    elif setup == "bp":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g} bp"))
    elif setup == "big_ticks":
        ax.tick_params(axis="y", labelsize=16)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    drawn = ax.get_position().x0 * fig.bbox.width - ax.yaxis.get_tightbbox(renderer).x0
    assert _y_labels_width(ax, renderer) == pytest.approx(drawn, abs=2.0)
    assert text_fits(fig) == []


def test_backtest_and_cross_section_figures_fit() -> None:
    """The Sharpe histogram's legend sits under its axes; the CAAR plot has one panel."""
    import numpy as np
    import pandas as pd

    from eventstudy.backtest.plots import sharpe_distribution_figure
    from eventstudy.crosssection.plots import plot_caar

    sharpes = np.random.default_rng(0).normal(0.0, 0.3, 400)
    fig = sharpe_distribution_figure(sharpes, [("best", 0.9), ("selected", 0.5)], 0.8)
    assert text_fits(fig) == []

    class Caar:  # what plot_caar reads of a CrossSectionResult
        caar = pd.DataFrame(
            {"caar": [0.0, 0.01, 0.02], "lower": [-0.01, 0.0, 0.0], "upper": [0.01, 0.02, 0.04]},
            index=[-1, 0, 1],
        )
        level, model, n_events = 0.95, "market", 120

    assert text_fits(plot_caar(Caar())) == []  # type: ignore[arg-type]
