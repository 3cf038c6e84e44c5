"""``eventstudy run``: run a study and write its outputs.

Outputs in ``--out DIR`` (default ``out/<study name>``):

* ``result.json``: every number, the data fingerprints and the run record; byte-identical for
  the same config, data and seed, whatever the output directory;
* ``events.csv``: the events with their forward returns and completeness;
* ``report.md`` (figures as PNG files in ``figures/``) and ``report.html`` (self-contained);
* ``run.json``: what differs between runs (command line, output path, time, duration).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from eventstudy.config import load_study
from eventstudy.data import DataStore

if TYPE_CHECKING:
    from eventstudy.study import StudyResult

__all__ = ["run_study_cli", "write_outputs"]


def write_outputs(
    result: StudyResult, out_dir: Path, *, store: DataStore | None = None, figures: bool = True
) -> dict[str, Path]:
    """Write result.json, events.csv, figures, report.md and report.html into ``out_dir``."""
    from eventstudy.report.document import build_report
    from eventstudy.report.record import result_record, write_report_files

    out_dir.mkdir(parents=True, exist_ok=True)
    figs = {}
    if figures:
        from eventstudy.report.figures import save_study_figures

        figs = save_study_figures(result, out_dir / "figures")
    blocks = build_report(result, figures=figs, store=store)
    paths = write_report_files(
        result_record(result), result.events_frame(), blocks, out_dir, title=result.config.title
    )
    return paths


def run_study_cli(args: argparse.Namespace) -> int:
    """Run the study named on the command line; print a summary unless ``--quiet``."""
    from eventstudy.report.progress import TerminalProgress

    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    config = load_study(args.study)
    store = DataStore.from_settings(args.data_dir)
    quiet = bool(getattr(args, "quiet", False))
    verbose = bool(getattr(args, "verbose", False))
    out_dir = args.out or Path("out") / config.name
    if config.kind == "cross_section":
        from eventstudy.crosssection.study import (
            run_cross_section_study,
            write_cross_section_outputs,
        )

        cs = run_cross_section_study(config, store=store)
        paths = write_cross_section_outputs(cs, out_dir, store=store)
        summary = cs.summary()
    else:
        from eventstudy.study import run_study

        progress = TerminalProgress(enabled=None if not quiet else False)
        with warnings.catch_warnings():
            # run_study re-issues each data/evaluation warning once; the CLI prints them once
            result = run_study(config, store=store, seed=args.seed, progress=progress)
        progress.close()
        paths = write_outputs(
            result, out_dir, store=store, figures=not getattr(args, "no_figures", False)
        )
        summary = f"Data ({store.root}):\n{result.data.summary()}\n\n{result.summary()}"
    seconds = time.perf_counter() - t0
    from eventstudy.report.record import run_record

    run = run_record(argv=sys.argv, out_dir=str(out_dir), started=started, seconds=seconds)
    (out_dir / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    if not quiet:
        print(summary)
        print(f"\nwrote {', '.join(str(p) for p in paths.values())} in {seconds:.2f} s")
        if verbose:
            print(f"data directory: {store.root}")
    return 0
