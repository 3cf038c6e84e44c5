"""Figures asserted on (axes, titles, marker counts) and report content (verdicts, caveats, HTML)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.api import parse_study, run_study, write_outputs
from eventstudy.data import DataStore
from eventstudy.report.document import render_html, render_markdown
from eventstudy.report.figures import save_study_figures
from eventstudy.report.timeseries import build_report
from eventstudy.timeseries import StudyResult
from eventstudy.timeseries.plots import (
    plot_average_path,
    plot_distribution,
    plot_series_events,
    plot_signal,
)

pytestmark = pytest.mark.filterwarnings("ignore::eventstudy.exceptions.IncompleteHorizonWarning")

STUDY = """
[study]
name = "fig"
title = "Synthetic figure study"
question = "Does a 4% five-day jump in A predict A?"
seed = 3

[data.series]
a = "test:A"

[signal]
type = "move"
series = "a"
n = 5
mode = "above"
level = 0.04

[events]
min_gap = 10

[evaluation]
horizons = { "1m" = 21, "3m" = 63 }
targets = [{ series = "a" }]
path = { pre = 5, post = 63 }

[inference]
draws = 300
bootstrap_reps = 200
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> tuple[StudyResult, DataStore]:
    root = tmp_path_factory.mktemp("data")
    folder = root / "series" / "test"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(5)
    dates = pd.bdate_range("2001-01-02", periods=1200)
    prices = 50 * np.exp(np.cumsum(rng.normal(0.0002, 0.015, dates.size)))
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "close": prices}).to_csv(
        folder / "A.csv", index=False
    )
    other = 20 * np.exp(np.cumsum(rng.normal(0.0001, 0.01, dates.size)))
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "close": other}).to_csv(
        folder / "B.csv", index=False
    )
    store = DataStore(root)
    return run_study(parse_study(STUDY), store=store), store


def test_series_figure_marks_every_event(result: tuple[StudyResult, DataStore]) -> None:
    res, _ = result
    v = res.variants[0]
    fig = plot_series_events(res)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "date" and "log scale" in ax.get_ylabel()
    (markers,) = ax.collections[-1:]
    assert len(markers.get_offsets()) == v.events.n_events > 0
    assert any(
        f"events (n={v.events.n_events})" == t.get_text() for t in ax.get_legend().get_texts()
    )


def test_signal_figure_has_threshold_and_events(result: tuple[StudyResult, DataStore]) -> None:
    res, _ = result
    v = res.variants[0]
    ax = plot_signal(res).axes[0]
    ys = [line.get_ydata()[0] for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert ys == [pytest.approx(v.signal.threshold)]
    assert len(ax.collections[-1].get_offsets()) == v.events.n_events


def test_signal_figure_draws_every_level_of_an_either_way_signal(
    result: tuple[StudyResult, DataStore],
) -> None:
    """``any_of`` over thresholds on one value (above +0.5 or below -0.5) keeps both levels:
    the figure draws a dashed line at each, with one legend entry naming both."""
    import dataclasses

    res, _ = result
    v = res.variants[0]
    sig = dataclasses.replace(v.signal, threshold=None, levels=(0.5, -0.5))
    either = dataclasses.replace(res, variants=(dataclasses.replace(v, signal=sig),))
    ax = plot_signal(either).axes[0]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [line.get_ydata()[0] for line in dashed] == [0.5, -0.5]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "thresholds 0.5, -0.5" in labels and not any(x.startswith("threshold ") for x in labels)


def test_path_figure_shows_mean_band_placebo_and_drift(
    result: tuple[StudyResult, DataStore],
) -> None:
    res, _ = result
    ax = plot_average_path(res).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "95% band (events independent)"
    p = res.variants[0].paths["a"]
    n_end = int(p.n[-1])
    assert n_end < p.n_events  # the fixture's last events have no data at the path's end
    assert f"after events (n={p.n_events}, {n_end} at +{int(p.offsets[-1])})" in labels
    assert "random dates 90%" in labels and "drift (all sample dates)" in labels
    assert ax.get_xlabel() == "trading days from event"
    mean_line = next(line for line in ax.get_lines() if line.get_label().startswith("after events"))
    np.testing.assert_allclose(mean_line.get_ydata(), res.variants[0].paths["a"].mean)


def test_distribution_figure_title_has_n_and_p(result: tuple[StudyResult, DataStore]) -> None:
    res, _ = result
    hs = res.variants[0].evaluations["a"].horizons["3m"]
    ax = plot_distribution(res, horizon="3m").axes[0]
    # the default test's p-value (shift_t unless the study says otherwise)
    assert res.config.inference.default_test == "shift_t"
    assert ax.get_title() == f"a 3m: n={hs.n}, shift_t p={hs.tests['shift_t'].p_value:.3g}"
    assert len(ax.collections[-1].get_offsets()) == hs.n


def test_saved_pngs_have_size(result: tuple[StudyResult, DataStore], tmp_path: Path) -> None:
    res, _ = result
    figs = save_study_figures(res, tmp_path)
    assert set(figs) == {"series", "signal_base", "path_base", "recent_base", "distribution_base"}
    for path, caption in figs.values():
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
        assert caption


def test_figures_keep_their_text_inside(result: tuple[StudyResult, DataStore]) -> None:
    """Fixed margins (no tight layout) leave room for every label, title and legend."""
    from eventstudy.timeseries.plots import study_figure_plan
    from tests.test_figure import text_fits

    res, _ = result
    for name, build in study_figure_plan(res):
        fig = build()
        assert fig.get_layout_engine() is None, name  # savefig would draw twice with one
        assert text_fits(fig) == [], name


def test_two_drawing_processes_write_the_same_files(
    result: tuple[StudyResult, DataStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Figures drawn by this process and a forked copy (a shared counter hands them out) are
    the same bytes as drawn by one process; a figure the copy fails to draw, or hangs on, is
    drawn here (the hung copy is stopped after the wait)."""
    import os
    import sys
    import threading
    import time

    from eventstudy.report import figures
    from eventstudy.report.figures import _forks, draw_figures
    from eventstudy.timeseries.plots import study_figure_plan

    res, _ = result
    plan = study_figure_plan(res)
    draw_figures(plan, tmp_path / "one", workers=1)
    draw_figures(plan, tmp_path / "two", workers=2)
    parent = os.getpid()

    def only_here(build):
        def run():
            if os.getpid() != parent:
                raise RuntimeError("drawn in the copy")
            return build()

        return run

    draw_figures([(n, only_here(b)) for n, b in plan], tmp_path / "fallback", workers=2)

    def hangs_there(build):
        def run():
            if os.getpid() != parent:
                time.sleep(600)  # the copy hangs: it is stopped and the figure drawn here
            return build()

        return run

    monkeypatch.setattr(figures, "_WAIT_SECONDS", 1.0)
    t0 = time.perf_counter()
    draw_figures([(n, hangs_there(b)) for n, b in plan], tmp_path / "hung", workers=2)
    assert time.perf_counter() - t0 < 60
    for name, _ in plan:
        one = (tmp_path / "one" / f"{name}.png").read_bytes()
        assert (tmp_path / "two" / f"{name}.png").read_bytes() == one
        assert (tmp_path / "fallback" / f"{name}.png").read_bytes() == one
        assert (tmp_path / "hung" / f"{name}.png").read_bytes() == one
    one_thread = threading.active_count() == 1
    assert _forks(3, 11) == (2 if one_thread else 1) and _forks(1, 11) == 1  # never above two
    assert _forks(None, 3) == 1  # too few figures to split
    assert _forks(None, 11) == (2 if one_thread and (os.cpu_count() or 1) > 1 else 1)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert _forks(None, 11) == _forks(2, 11) == 1  # no fork outside Linux, even when asked
    monkeypatch.undo()
    import multiprocessing

    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    assert _forks(2, 11) == 1  # a Pool worker (a daemon) may not have children
    monkeypatch.undo()
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert _forks(None, 11) == 1  # another thread: no fork
    finally:
        stop.set()
        waiting.join()


def test_a_helper_started_before_the_study_draws_the_same_files(
    result: tuple[StudyResult, DataStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line forks a drawing copy before the study runs and hands it the result
    when the figures are due: the files are the same bytes as one process draws them, a helper
    never used ends when closed, and what a failing or vanished helper did not draw is drawn
    here."""
    import os

    from eventstudy.report import figures
    from eventstudy.report.figures import DrawingHelper, draw_figures
    from eventstudy.timeseries.plots import study_figure_plan

    res, store = result
    plan = study_figure_plan(res)
    draw_figures(plan, tmp_path / "one", workers=1)

    helper = DrawingHelper()
    draw_figures(plan, tmp_path / "helped", helper=helper, job=("study", res))
    helper.close()
    assert helper._process.exitcode == 0

    idle = DrawingHelper()  # never used: told so, and it ends
    idle.close()
    assert idle._process.exitcode == 0

    parent = os.getpid()

    def failing_there(kind: str, r: object) -> list:
        def fail() -> None:
            raise RuntimeError("drawn in the copy")

        built = study_figure_plan(r)  # type: ignore[arg-type]
        return [(n, b if os.getpid() == parent else fail) for n, b in built]

    monkeypatch.setattr(figures, "_plan_of", failing_there)  # the copy inherits it at the fork
    failing = DrawingHelper()
    draw_figures(plan, tmp_path / "failed", helper=failing, job=("study", res))
    failing.close()
    monkeypatch.undo()

    unpicklable = DrawingHelper()  # a result the pipe cannot carry: drawn here, copy told so
    draw_figures(plan, tmp_path / "unpicklable", helper=unpicklable, job=("study", lambda: 0))
    unpicklable.close(wait=10.0)
    assert unpicklable._process.exitcode == 0

    gone = DrawingHelper()
    gone._process.kill()
    gone._process.join()
    draw_figures(plan, tmp_path / "gone", helper=gone, job=("study", res))
    gone.close()

    for name, _ in plan:
        one = (tmp_path / "one" / f"{name}.png").read_bytes()
        for other in ("helped", "failed", "unpicklable", "gone"):
            assert (tmp_path / other / f"{name}.png").read_bytes() == one, (other, name)

    helper = DrawingHelper()
    with_helper = write_outputs(res, tmp_path / "out_helper", store=store, helper=helper)
    helper.close()
    alone = write_outputs(res, tmp_path / "out_alone", store=store)
    assert set(with_helper) == set(alone)
    for key, path in alone.items():
        if key == "run":  # run.json: the call's own folder and times, and the same outputs
            assert (
                json.loads(with_helper[key].read_text())["outputs"]
                == json.loads(path.read_text())["outputs"]
            )
            continue
        assert with_helper[key].read_bytes() == path.read_bytes(), key
    pngs = sorted(p.name for p in (tmp_path / "out_alone" / "figures").iterdir())
    for name in pngs:
        assert (tmp_path / "out_helper" / "figures" / name).read_bytes() == (
            tmp_path / "out_alone" / "figures" / name
        ).read_bytes()


def test_a_failed_output_stops_the_drawing_copy(
    result: tuple[StudyResult, DataStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error while this process writes the other files stops the drawing copy before the
    staging folder goes (it would draw into a deleted folder and print a traceback); and
    ``workers=1`` forks no copy at all."""
    import multiprocessing

    from eventstudy.report import output
    from eventstudy.report.figures import DrawingHelper

    res, store = result

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(output, "write_data_files", fails)
    with pytest.raises(RuntimeError, match="disk full"):
        write_outputs(res, tmp_path / "out", store=store, workers=2)
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "out").exists()
    monkeypatch.undo()
    assert DrawingHelper.start(1) is None


def test_a_helper_ends_when_its_run_is_killed(tmp_path: Path) -> None:
    """A run killed while its drawing copy waits (SIGKILL: no cleanup runs) leaves no process
    behind: the copy sees the pipe close and ends."""
    import signal
    import subprocess
    import sys

    script = (
        "import os, signal, time\n"
        "from eventstudy.report.figures import DrawingHelper\n"
        "h = DrawingHelper()\n"
        "print(h._process.pid, flush=True)\n"
        "time.sleep(0.5)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == -signal.SIGKILL
    pid = int(run.stdout.split()[0])

    from tests._support import ends_within

    assert ends_within(pid, 30), "the drawing copy outlived its killed run"


def test_report_content(result: tuple[StudyResult, DataStore], tmp_path: Path) -> None:
    res, store = result
    paths = write_outputs(res, tmp_path, store=store)
    md = paths["markdown"].read_text()
    assert md.startswith("# Synthetic figure study")
    assert "**Question.** Does a 4% five-day jump in A predict A?" in md
    for line in res.verdicts():
        assert f"- {line}" in md
    assert "## Caveats" in md and "effective n" in md
    assert "## Events" in md and "complete_3m" in md
    tests_section = md.split("## Tests")[1].split("## Events")[0]
    for name in ("naive_t", "hac", "bootstrap", "placebo", "sign", "wilcoxon"):
        assert f"| {name} |" in tests_section
    assert "| p Holm | p BH |" in tests_section
    assert "![" in md and "(figures/series.png)" in md
    html = paths["html"].read_text()
    assert html.count("<img ") == 5  # series, signal, path (first screen), recent, distribution
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # self-contained: no external URL
    assert "data:image/png;base64," in html
    assert all(f"<li>{line.replace('&', '&amp;')}</li>" in html for line in res.verdicts())


def test_look_ahead_caveat(result: tuple[StudyResult, DataStore]) -> None:
    _, store = result
    text = STUDY.replace('a = "test:A"', 'a = "test:A"\nb = "test:B"')
    signal = 'type = "move"\nseries = "a"\nn = 5\nmode = "above"\nlevel = 0.04'
    assert signal in text
    text = text.replace(signal, 'type = "divergence"\na = "a"\nb = "b"\nk = 2.0\nsigma = "full"')
    res = run_study(parse_study(text), store=store)
    assert res.variants[0].signal.look_ahead
    md = render_markdown(build_report(res))
    caveats = md.split("## Caveats")[1]
    assert "full-sample statistic" in caveats and "look-ahead" in caveats


def test_notebook_rendering(result: tuple[StudyResult, DataStore]) -> None:
    res, _ = result
    html = res._repr_html_()
    assert "<table" in html and "Synthetic figure study" in html
    figs = res.plot()
    assert len(figs) == 5
    assert render_html(build_report(res), title="x").startswith("<!DOCTYPE html>")


def test_path_legend_count_names_the_events_at_the_end_only_when_fewer() -> None:
    from types import SimpleNamespace

    from eventstudy.timeseries.plots import _path_count

    full = SimpleNamespace(n=np.array([5, 5, 5]), n_events=5, offsets=np.array([-1, 0, 1]))
    short = SimpleNamespace(n=np.array([5, 5, 4]), n_events=5, offsets=np.array([-1, 0, 21]))
    assert _path_count(full) == "n=5"
    assert _path_count(short) == "n=5, 4 at +21"


def test_series_figure_has_a_panel_per_series_the_targets_follow(
    result: tuple[StudyResult, DataStore],
) -> None:
    """A relative target follows two series: both get a panel, each marking every event."""
    from eventstudy.timeseries.plots import _series_figure

    _, store = result
    text = STUDY.replace('a = "test:A"', 'a = "test:A"\nb = "test:B"').replace(
        'targets = [{ series = "a" }]',
        'targets = [{ series = "a" }, { series = "a", relative_to = "b" }]',
    )
    res = run_study(parse_study(text), store=store)
    fig = _series_figure(res, "base")
    assert [ax.get_title() for ax in fig.axes] == ["a with base events", "b with base events"]
    for ax in fig.axes:
        assert ax.get_yscale() == "log"
        assert len(ax.collections[-1].get_offsets()) == res.variants[0].events.n_events


def test_a_drawing_copy_whose_folder_is_gone_ends_quietly(tmp_path: Path) -> None:
    """A terminated run removes its staging folder, then dies; its drawing copy, which dies
    with it a moment later, may try to save a figure in between: it ends without a traceback
    (which the terminal showed as "Process ForkProcess-1: Traceback ..."; multiprocessing
    exits 1 after printing one), and an error in a folder that is still there is raised."""
    import multiprocessing
    import os

    import matplotlib.figure

    from eventstudy.report.figures import _serve

    def build() -> matplotlib.figure.Figure:
        fig = matplotlib.figure.Figure()
        fig.add_subplot().plot([0, 1])
        return fig

    ctx = multiprocessing.get_context("fork")
    for folder, code in ((tmp_path / "gone", 0), (tmp_path / "here", 1)):
        if code:
            folder.mkdir()
            (folder / "x.png").mkdir()  # a folder where the figure goes: an OSError, not "gone"
        _here, there = ctx.Pipe(duplex=False)
        parent_end, _child_end = ctx.Pipe(duplex=False)
        counter = ctx.Value("i", 0)
        job = ([("x", build)], folder, 50)
        proc = ctx.Process(target=_serve, args=(there, parent_end, counter, job, os.getpid()))
        proc.start()
        proc.join(30)
        assert proc.exitcode == code, folder  # an exception in the copy: exit code 1
