"""Report figures saved as PNG: the time-series set and the cross-section CAAR plot.

The figures themselves are drawn by :mod:`eventstudy.timeseries.plots` and
:mod:`eventstudy.crosssection.plots`; this module only names, captions and saves them.
"""

from __future__ import annotations

import contextlib
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
    "Drawing",
    "DrawingHelper",
    "draw_figures",
    "save_cross_section_figures",
    "save_study_figures",
    "save_sweep_figures",
    "start_study_figures",
    "start_sweep_figures",
]

_CAPTIONS = {
    "series": "The series the targets follow, one panel each (prices on a log scale); "
    "triangles mark events, shading marks trigger episodes.",
    "signal": "Signal value and threshold; dots mark the declustered events.",
    "path": "Average cumulative return around events with its band (which treats the events as independent: too narrow when their windows overlap; the statistics table's intervals account for it), the random-date placebo band and the unconditional drift.",
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


def _plan_of(kind: str, result: Any) -> Plan:
    """The figure plan of a result, the same list in every process that builds it."""
    if kind == "study":
        from eventstudy.timeseries.plots import study_figure_plan

        return study_figure_plan(result)
    from eventstudy.timeseries.sweep_plots import sweep_figure_plan

    return sweep_figure_plan(result)


def _take(counter: Any, n: int) -> int | None:
    """The next figure not yet taken from the shared counter, or None when none is left."""
    with counter.get_lock():
        i = int(counter.value)
        counter.value = i + 1
    return i if i < n else None


def _serve(
    conn: Any, parent_end: Any, counter: Any, job: tuple[Plan, Path, int] | None, parent: int
) -> None:
    """The drawing copy: draw figures from the shared counter and report each one finished.

    Started with its job (forked when the figures are due) or without (forked before the
    study ran: it imports matplotlib while the study computes, then waits for the job, and
    ends when the pipe closes because the run has ended without one).
    """
    parent_end.close()  # the run's end of the pipe: its closing is how a killed run is seen
    import signal

    from eventstudy._fork import die_with_parent

    die_with_parent(parent)  # a killed run's copy must not go on drawing into its folder

    # Ctrl-C is the run's to handle: it stops this copy through the counter and the pipe
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.backends.backend_agg
    import matplotlib.figure

    if job is None:
        import eventstudy.backtest.plots
        import eventstudy.timeseries.plots  # noqa: F401

        try:
            sent = conn.recv()
        except EOFError:  # the run has ended (or was killed) without figures
            return
        if sent is None:  # no figures after all
            return
        kind, result, where, dpi = sent
        plan, directory = _plan_of(kind, result), Path(where)
    else:
        plan, directory, dpi = job
    while (i := _take(counter, len(plan))) is not None:  # loop over figures
        try:
            _draw([plan[i]], directory, dpi)
        except OSError:
            if not directory.exists():  # a terminated run removed its staging folder while
                return  # this copy drew (it dies with the run a moment later): nothing to say
            raise
        try:
            conn.send(i)
        except OSError:  # the run has gone: nothing to report to
            return


class DrawingHelper:
    """A forked copy of this process that draws report figures beside it.

    Started before a study runs (:meth:`start`; the command line does this), the copy imports
    matplotlib while the study computes -- a third of a second the report no longer waits for
    -- and then waits for the figures to draw.  Both processes take the next undrawn figure
    from a shared counter; each figure is drawn whole by one process, so the files are the same
    bytes as when one process draws them all.  :meth:`close` ends the copy whether or not it
    drew anything.
    """

    def __init__(self, job: tuple[Plan, Path, int] | None = None) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self._counter = ctx.Value("i", 0)
        self._conn, child_end = ctx.Pipe()
        self._process = ctx.Process(
            target=_serve,
            args=(child_end, self._conn, self._counter, job, os.getpid()),
            daemon=True,
        )
        self._process.start()  # OSError or AssertionError when no child can be had
        child_end.close()
        self._used = False
        self._closed = False

    @classmethod
    def start(cls, workers: int | None = None) -> DrawingHelper | None:
        """A helper, or None where a second process would not help, is not wanted
        (``workers=1``) or is unsafe to fork (see :func:`draw_figures`)."""
        if _forks(workers, 4) < 2:
            return None
        try:
            return cls()
        except (OSError, AssertionError):
            return None

    def close(self, wait: float = _WAIT_SECONDS) -> None:
        """End the copy: it is told there is nothing to draw if it was never used, and one still
        running after ``wait`` seconds is stopped (killed if it ignores SIGTERM)."""
        if self._closed:
            return
        self._closed = True
        if not self._used:
            self._used = True
            with contextlib.suppress(OSError):
                self._conn.send(None)
        self._process.join(wait)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5.0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()


class Drawing:
    """Figures being drawn: by a second process from the start, and by this one when
    :meth:`finish` is called -- in between, this process is free to write the other outputs."""

    def __init__(
        self,
        plan: Plan,
        directory: Path,
        dpi: int,
        *,
        workers: int | None = None,
        helper: DrawingHelper | None = None,
        job: tuple[str, Any] | None = None,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.plan, self.directory, self.dpi = plan, directory, dpi
        self._helper: DrawingHelper | None = None
        if helper is not None and not helper._used and job is not None and plan:
            try:
                helper._conn.send((job[0], job[1], str(directory), dpi))
                helper._used = True
                self._helper = helper
            except OSError:  # the copy is gone: draw here
                helper._used = True
            except Exception:  # a result that does not pickle: draw here
                pass  # and the copy is told there is nothing to draw when closed
        elif _forks(workers, len(plan)) >= 2:
            try:
                self._helper = DrawingHelper((plan, directory, dpi))
                self._helper._used = True
            except (OSError, AssertionError):  # no child after all: draw them all here
                self._helper = None

    def abort(self) -> None:
        """Stop the second process (after its current figure): the outputs are not wanted."""
        helper, self._helper = self._helper, None
        if helper is not None:
            with helper._counter.get_lock():
                helper._counter.value = len(self.plan)
            helper.close(wait=5.0)

    def finish(self) -> None:
        """Draw the figures no process has taken, wait for the copy's last one, and draw here
        whatever the copy did not finish (it failed or hung)."""
        import time

        helper = self._helper
        if helper is None:
            _draw(self.plan, self.directory, self.dpi)
            return
        done: set[int] = set()
        try:
            while (i := _take(helper._counter, len(self.plan))) is not None:
                _draw([self.plan[i]], self.directory, self.dpi)
                done.add(i)
        except BaseException:
            with helper._counter.get_lock():  # the copy stops after its current figure
                helper._counter.value = len(self.plan)
            helper.close(wait=5.0)
            raise
        # the copy has at most one figure left once the counter has run out
        deadline = time.monotonic() + _WAIT_SECONDS
        while len(done) < len(self.plan):
            left = deadline - time.monotonic()
            try:
                if left <= 0 or not helper._conn.poll(left):
                    break  # it hangs: stopped below
                done.add(int(helper._conn.recv()))
            except (EOFError, OSError):  # it has ended (or failed)
                break
        # it has nothing left to take: it ends at once, or is stopped when it hangs
        helper.close(wait=0.0 if len(done) < len(self.plan) else 5.0)
        self._helper = None
        _draw([p for i, p in enumerate(self.plan) if i not in done], self.directory, self.dpi)


def draw_figures(
    plan: Plan,
    directory: Path,
    *,
    dpi: int = 90,
    workers: int | None = None,
    helper: DrawingHelper | None = None,
    job: tuple[str, Any] | None = None,
) -> None:
    """Draw and save every figure of ``plan`` as ``directory/<name>.png``.

    With two processes (see :func:`_forks`) a forked copy of this one draws figures too: both
    take the next undrawn figure from a shared counter until none is left.  Each figure is
    drawn whole by one process, so the files are the same bytes as when one process draws them
    all; a figure the copy did not finish (it failed) is drawn here afterwards.  ``helper``
    (with ``job``, the kind of plan and the result it is built from) is a copy started
    earlier (:class:`DrawingHelper`).  Saving is most of a report's time.
    """
    Drawing(plan, directory, dpi, workers=workers, helper=helper, job=job).finish()


Captioned = dict[str, tuple[Path, str]]


def _start(
    kind: str,
    result: Any,
    directory: Path,
    dpi: int,
    workers: int | None,
    helper: DrawingHelper | None,
) -> Drawing:
    """Start drawing the figures of a ``kind`` ("study" or "sweep") result."""
    plan = _plan_of(kind, result)
    return Drawing(plan, directory, dpi, workers=workers, helper=helper, job=(kind, result))


def start_study_figures(
    result: StudyResult,
    directory: Path,
    *,
    dpi: int = 90,
    workers: int | None = None,
    helper: DrawingHelper | None = None,
) -> tuple[Drawing, Captioned]:
    """Start drawing every figure of a study; returns the drawing (call ``finish()``) and
    name -> (path, caption).  Between the two this process may write the other outputs
    while a second one draws (see :class:`Drawing`)."""
    drawing = _start("study", result, directory, dpi, workers, helper)
    out = {}
    for name, _ in drawing.plan:
        caption = _CAPTIONS[name.split("_")[0]]
        out[name] = (directory / f"{name}.png", f"{name.replace('_', ' ')}: {caption}")
    return drawing, out


def save_study_figures(
    result: StudyResult, directory: Path, *, dpi: int = 90, workers: int | None = None
) -> Captioned:
    """Save every figure as PNG; returns name -> (path, caption).

    ``workers``: 1 or 2 processes drawing them (default: two when that is safe and useful,
    see :func:`draw_figures`)."""
    drawing, out = start_study_figures(result, directory, dpi=dpi, workers=workers)
    drawing.finish()
    return out


def save_cross_section_figures(
    result: CrossSectionStudyResult, directory: Path, *, dpi: int = 90
) -> Captioned:
    """Save the CAAR figure as PNG; returns name -> (path, caption)."""
    from eventstudy.crosssection.plots import plot_caar

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "caar.png"
    plot_caar(result.result).savefig(path, dpi=dpi, metadata={"Software": None})
    return {
        "caar": (
            path,
            f"CAAR over the event window with its {result.result.level:.0%} band, which treats the events as independent (too narrow when they share dates: see the adjusted tests).",
        )
    }


def start_sweep_figures(
    result: SweepResult,
    directory: Path,
    *,
    dpi: int = 90,
    workers: int | None = None,
    helper: DrawingHelper | None = None,
) -> tuple[Drawing, Captioned]:
    """Start drawing one specification curve per target x horizon (and the backtest figures);
    returns the drawing (call ``finish()``) and name -> (path, caption)."""
    from eventstudy.report.sweep import _FIGURE_CAPTION

    drawing = _start("sweep", result, directory, dpi, workers, helper)
    out = {}
    for name, _ in drawing.plan:
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
    return drawing, out


def save_sweep_figures(
    result: SweepResult, directory: Path, *, dpi: int = 90, workers: int | None = None
) -> Captioned:
    """Save one specification curve per target x horizon; returns name -> (path, caption)."""
    drawing, out = start_sweep_figures(result, directory, dpi=dpi, workers=workers)
    drawing.finish()
    return out
