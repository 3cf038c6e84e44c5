"""Write a study's outputs, either kind: ``result.json``, ``events.csv``, figures, ``report.md``
and a self-contained ``report.html``.

* ``result.json``: every number, the data fingerprints and the study header; byte-identical for
  the same config, data and seed, whatever the output directory;
* ``events.csv``: the events with their forward returns (time series) or CARs (cross-section);
* ``report.md`` (figures as PNG files in ``figures/``) and ``report.html`` (self-contained).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy.report._csv import write_csv
from eventstudy.report.document import Block, render_html, render_markdown
from eventstudy.report.record import to_json

if TYPE_CHECKING:
    from eventstudy.data import DataStore
    from eventstudy.report.figures import DrawingHelper

__all__ = ["write_data_files", "write_documents", "write_outputs", "write_report_files"]


def write_outputs(
    result: Any,
    out_dir: str | Path,
    *,
    store: DataStore | None = None,
    figures: bool = True,
    force: bool = False,
    run: dict[str, Any] | None = None,
    helper: DrawingHelper | None = None,
    workers: int | None = None,
) -> dict[str, Path]:
    """Write the outputs of a study of either kind into ``out_dir``.

    Parameters
    ----------
    result
        A :class:`~eventstudy.timeseries.StudyResult`, a sweep's
        :class:`~eventstudy.timeseries.sweep_results.SweepResult` (which writes ``sweep.csv``
        and ``sweep.parquet`` instead of ``events.csv``) or a
        :class:`~eventstudy.crosssection.study.CrossSectionStudyResult` (what
        :func:`eventstudy.run_study` returns).
    out_dir
        Created if missing.
    store
        The data store the study read, to quote its manifest notes in the report.
    figures
        Draw and embed the figures (matplotlib); ``False`` for the numbers only.
    force
        Write into a folder that holds files no run wrote (they are left alone); without it
        such a folder is refused (:class:`~eventstudy.exceptions.OutputFolderError`).
    run
        The content of ``run.json`` (:func:`~eventstudy.report.record.run_record`), written
        last as the completion marker with the sha256 of every other output file
        (``outputs``).  ``None``: the record of this call (the process's command line
        ``sys.argv``, ``out_dir``, when the writing started and how long it took), so a
        folder written from Python is one ``eventstudy run --out`` may later replace, as
        one the command wrote.
    helper
        A process started before the study ran to draw figures beside this one
        (:class:`~eventstudy.report.figures.DrawingHelper`; the command line starts one);
        without it a second process is forked when the figures are due, where that is safe.
        Either way this process writes the other files while the other one draws.
    workers
        Processes drawing the figures, 1 or 2 (default: 2 when that is safe and useful, see
        :func:`eventstudy.report.figures.draw_figures`).

    The outputs are written into a staging folder beside ``out_dir`` and then moved in
    (:func:`eventstudy.report.files.publish`): the previous run's outputs are removed, other
    files never mixed with new ones, and an interrupted run never leaves a set with a
    ``run.json`` that is incomplete.

    Returns
    -------
    dict
        ``result``, ``events``, ``markdown``, ``html``, ``run`` (and
        ``backtest_csv`` with ``[backtest]``: the daily series of each traded strategy, in a
        sweep of the best and the selected one) -> the paths written.
    """
    import datetime as dt
    import hashlib
    import json
    import sys
    import time

    from eventstudy.report.files import MARKER, staged_output
    from eventstudy.report.record import run_record

    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    out = Path(out_dir)
    with staged_output(out, force=force) as stage:
        paths = _write_all(
            result, stage, store=store, figures=figures, helper=helper, workers=workers
        )
        if run is None:
            seconds = time.perf_counter() - t0
            run = run_record(
                argv=list(sys.argv), out_dir=str(out_dir), started=started, seconds=seconds
            )
        outputs = {
            f.relative_to(stage).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(stage.rglob("*"))
            if f.is_file()
        }
        paths["run"] = stage / MARKER
        record = {**run, "outputs": outputs}
        paths["run"].write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return {key: out / path.relative_to(stage) for key, path in paths.items()}


def _write_all(
    result: Any,
    out: Path,
    *,
    store: DataStore | None,
    figures: bool,
    helper: DrawingHelper | None = None,
    workers: int | None = None,
) -> dict[str, Path]:
    from eventstudy.timeseries.results import StudyResult
    from eventstudy.timeseries.sweep_results import SweepResult

    figs: dict[str, tuple[Path, str]] = {}
    if isinstance(result, SweepResult):
        from eventstudy.report.sweep import build_sweep_report

        if figures:
            from eventstudy.report.figures import start_sweep_figures

            drawing, figs = start_sweep_figures(
                result, out / "figures", helper=helper, workers=workers
            )
        try:
            paths = _write_sweep_data(result, out)
        except BaseException:
            if figures:
                drawing.abort()  # the stage is about to go: the other process stops drawing
            raise
        if figures:
            drawing.finish()  # the figures a second process has not drawn meanwhile
        blocks = build_sweep_report(result, figures=figs)
        return {**paths, **write_documents(blocks, out, title=result.config.title)}
    if isinstance(result, StudyResult):
        from eventstudy.report.timeseries import build_report, result_record

        if figures:
            from eventstudy.report.figures import start_study_figures

            drawing, figs = start_study_figures(
                result, out / "figures", helper=helper, workers=workers
            )
        try:
            paths = write_data_files(result_record(result), result.events_frame(), out)
            if result.backtests:
                paths["backtest_csv"] = _write_backtest_csv(result.backtests, out)
        except BaseException:
            if figures:
                drawing.abort()
            raise
        if figures:
            drawing.finish()
        blocks = build_report(result, figures=figs, store=store)
        return {**paths, **write_documents(blocks, out, title=result.config.title)}
    # imported only here: the cross-section package brings scipy.stats (~0.5 s)
    from eventstudy.crosssection.results import CrossSectionStudyResult

    if isinstance(result, CrossSectionStudyResult):
        from eventstudy.report.cross_section import build_cross_section_report, cross_section_record

        if figures:
            from eventstudy.report.figures import save_cross_section_figures

            figs = save_cross_section_figures(result, out / "figures")
        blocks = build_cross_section_report(result, figures=figs, store=store)
        return write_report_files(
            cross_section_record(result),
            result.events_frame(),
            blocks,
            out,
            title=result.config.title,
        )
    raise TypeError(
        "write_outputs needs the result of eventstudy.run_study (StudyResult or "
        f"CrossSectionStudyResult), got {type(result).__name__}"
    )


def _write_sweep_data(result: Any, out: Path) -> dict[str, Path]:
    """A sweep's ``result.json``, ``sweep.csv``, ``sweep.parquet`` and ``backtest.csv``."""
    from eventstudy.report.sweep import sweep_record

    frame = result.to_frame()
    paths = write_data_files(sweep_record(result, frame), None, out)
    paths["sweep_csv"] = out / "sweep.csv"
    write_csv(frame, paths["sweep_csv"])
    paths["sweep_parquet"] = out / "sweep.parquet"
    frame.to_parquet(paths["sweep_parquet"], index=False)
    if result.backtest is not None:
        bt = result.backtest
        picks = [bt.best]
        if bt.selected is not None and bt.selected.name != bt.best.name:
            picks.append(bt.selected)
        paths["backtest_csv"] = _write_backtest_csv(picks, out)
    return paths


def _write_backtest_csv(results: Any, out: Path) -> Path:
    """``backtest.csv``: per traded strategy and day, the strategy's and buy-and-hold's
    returns, cash, the weight held and the cost paid (the series behind the equity curves)."""
    frames = []
    for b in results:
        f = b.daily.copy()
        f.insert(0, "strategy_name", b.name)
        frames.append(f.rename_axis("date").reset_index())
    path = out / "backtest.csv"
    write_csv(pd.concat(frames), path)
    return path


def write_report_files(
    record: dict[str, Any],
    events: pd.DataFrame | None,
    blocks: list[Block],
    out_dir: Path,
    *,
    title: str,
) -> dict[str, Path]:
    """Write ``result.json``, ``events.csv`` (unless ``events`` is None), ``report.md`` and
    ``report.html`` into ``out_dir``."""
    paths = write_data_files(record, events, out_dir)
    return {**paths, **write_documents(blocks, out_dir, title=title)}


def write_data_files(
    record: dict[str, Any], events: pd.DataFrame | None, out_dir: Path
) -> dict[str, Path]:
    """Write ``result.json`` and ``events.csv`` (unless ``events`` is None) into ``out_dir``."""
    paths = {"result": out_dir / "result.json"}
    paths["result"].write_text(to_json(record), encoding="utf-8")
    if events is not None:
        paths["events"] = out_dir / "events.csv"
        write_csv(events, paths["events"])
    return paths


def write_documents(blocks: list[Block], out_dir: Path, *, title: str) -> dict[str, Path]:
    """Write ``report.md`` and the self-contained ``report.html`` (figures embedded) into
    ``out_dir``."""
    paths = {"markdown": out_dir / "report.md", "html": out_dir / "report.html"}
    paths["markdown"].write_text(render_markdown(blocks, relative_to=out_dir), encoding="utf-8")
    paths["html"].write_text(render_html(blocks, title=title), encoding="utf-8")
    return paths
