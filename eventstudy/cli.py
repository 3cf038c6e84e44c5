"""Command-line interface: ``eventstudy data list|show``, ``eventstudy run STUDY.toml``,
``eventstudy check NOTE.toml``.

Errors print one line (``error: ...``) and exit with status 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy._version import __version__
from eventstudy.exceptions import EventStudyError, EventStudyWarning

__all__ = ["main"]


def _count(minimum: int) -> Any:
    """An argparse type: an integer >= ``minimum`` (the error names the value and the bound;
    argparse adds the argument's name)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help="data directory (default: $EVENTSTUDY_DATA, else the project's data/)",
    )
    p.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="eventstudy", description="Event-study backtesting of market signals."
    )
    parser.add_argument("--version", action="version", version=f"eventstudy {__version__}")
    parser.add_argument("--data-dir", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--debug", action="store_true", default=False, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="inspect the data directory")
    dsub = data.add_subparsers(dest="data_command", required=True)
    p_list = dsub.add_parser("list", help="what the data directory holds, with date ranges")
    _add_common(p_list)
    p_fetch = dsub.add_parser(
        "fetch", help="fetch series from a provider into the data directory's cache"
    )
    p_fetch.add_argument(
        "names",
        nargs="+",
        help="provider:SYMBOL, e.g. yahoo:^RUT fred:DGS10 french:F-F_Research_Data_Factors_daily",
    )
    p_fetch.add_argument("--start", default="1900-01-01", help="first date asked for")
    _add_common(p_fetch)
    p_update = dsub.add_parser(
        "update",
        help=(
            "bring cached series up to date (FRED, Stooq: re-fetch an overlap, check it, append "
            "the rest; Yahoo, French: re-fetch the whole revised history, check it, replace)"
        ),
    )
    p_update.add_argument(
        "names", nargs="*", help="provider:SYMBOL (default: every series in the cache)"
    )
    p_update.add_argument(
        "--overlap",
        type=_count(1),
        default=30,
        help=(
            "calendar days before the cache's last date to re-fetch and check (default 30; "
            "Yahoo and French series are re-fetched in full)"
        ),
    )
    _add_common(p_update)
    p_show = dsub.add_parser("show", help="summary, head/tail and gaps of one series")
    p_show.add_argument("name", help="series name (yahoo:RUT, fred:DGS10, ...) or file path")
    p_show.add_argument("--column", default=None, help="value column (for multi-column files)")
    p_show.add_argument(
        "--rows", type=_count(0), default=5, help="rows of head and tail (default 5)"
    )
    _add_common(p_show)

    run = sub.add_parser("run", help="run a study config")
    run.add_argument("study", type=Path, help="study TOML file (see docs/study-config.md)")
    run.add_argument(
        "--out", type=Path, default=None, help="output directory (default: out/<study name>)"
    )
    run.add_argument("--seed", type=_count(0), default=None, help="override the study's seed")
    run.add_argument(
        "--no-figures", action="store_true", help="skip figures (report without pictures; faster)"
    )
    run.add_argument(
        "--fetch",
        action="store_true",
        help="first fetch the series the data directory lacks (eventstudy[providers])",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="write into an output folder that holds other files (they are left alone)",
    )
    run.add_argument(
        "--workers",
        type=_count(1),
        default=None,
        help="processes for a [sweep] (default: 1 below 100 specifications, else all CPUs); "
        "without one, 1 or 2 processes for the study's variants (default: 2 on two cores); "
        "threads for a cross-section study (default: one per core, up to 8)",
    )
    run.add_argument(
        "--executor",
        choices=("process", "dask"),
        default="process",
        help="where a [sweep] runs: a local process pool, or dask.distributed (eventstudy[dask])",
    )
    run.add_argument(
        "--scheduler", default=None, help="address of a Dask scheduler (with --executor dask)"
    )
    verbosity = run.add_mutually_exclusive_group()
    verbosity.add_argument("--quiet", action="store_true", help="print nothing but errors")
    verbosity.add_argument("--verbose", action="store_true", help="print more detail")
    _add_common(run)

    check = sub.add_parser("check", help="check a note's facts against the data: one verdict table")
    check.add_argument("note", type=Path, help="note TOML file ([note], [data.series], [[facts]])")
    check.add_argument(
        "--out",
        type=Path,
        default=None,
        help="also write facts.md, facts.html and facts.json into this directory",
    )
    check.add_argument("--quiet", action="store_true", help="print nothing but errors")
    check.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when a fact is not reproduced, or not checkable other than an "
        "'unverifiable' one (default: exit 0 whatever the verdicts)",
    )
    _add_common(check)
    return parser


def _cmd_data_list(args: argparse.Namespace) -> int:
    from eventstudy.data import DataStore

    store = DataStore.from_settings(args.data_dir)
    table = store.listing()
    print(f"data directory: {store.root}")
    if table.empty:
        print("(no data files)")
        return 0
    with pd.option_context("display.max_rows", None, "display.width", 200):
        columns = ["name", "source", "first", "last", "rows", "frequency"]
        print(table[columns].to_string(index=False))
    flagged = table[table["check"] != ""]
    for _, row in flagged.iterrows():
        print(f"{row['name']} ({row['path']}): {row['check']}")
    unreadable = flagged[flagged["check"].str.contains("cannot be read: ", regex=False)]
    for _, row in unreadable.iterrows():
        print(f"error: {row['check'].split('cannot be read: ', 1)[1]}", file=sys.stderr)
    return 2 if len(unreadable) else 0


def _cmd_data_fetch(args: argparse.Namespace) -> int:
    """Fetch each name into ``<data dir>/cache`` and print what was written."""
    from eventstudy.data.providers import fetch_series

    root = Path(args.data_dir) if args.data_dir else _fetch_root()
    return _each(
        args.names, lambda name: fetch_series(name, root, start=args.start).summary(), args
    )


def _cmd_data_update(args: argparse.Namespace) -> int:
    """Update each named (default: every cached) series and print what changed."""
    from eventstudy.data.providers import cached_names, update_series

    root = Path(args.data_dir) if args.data_dir else _fetch_root()
    names = args.names or cached_names(root)
    if not names:
        print(f"the cache of {root} is empty: fetch first (eventstudy data fetch yahoo:^RUT)")
        return 0
    return _each(
        names, lambda name: update_series(name, root, overlap_days=args.overlap).summary(), args
    )


def _each(names: Sequence[str], do: Callable[[str], str], args: argparse.Namespace) -> int:
    """Run ``do`` on every name, printing its summary; a failure is said on stderr and the
    next name is done all the same (one delisted symbol must not stop the others).

    Returns
    -------
    int
        0 when every name succeeded, else 2, after a closing summary naming each failure.
    """
    failed: list[tuple[str, str]] = []
    for name in names:
        try:
            print(do(name), flush=True)
        except (EventStudyError, OSError, ValueError, TypeError, KeyError, ImportError) as exc:
            if args.debug:
                raise
            print(f"error: {exc}", file=sys.stderr, flush=True)
            failed.append((name, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
    if not failed:
        return 0
    if len(names) > 1:
        print(f"{len(failed)} of {len(names)} series failed:", file=sys.stderr)
        for name, why in failed:
            print(f"  {name}: {why}", file=sys.stderr)
    return 2


def _fetch_root() -> Path:
    """Where fetched data goes without --data-dir: $EVENTSTUDY_DATA, else the project's data/."""
    import os

    from eventstudy.data.store import DATA_ENV_VAR

    value = os.environ.get(DATA_ENV_VAR)
    return Path(value) if value else Path(__file__).resolve().parents[1] / "data"


def _cmd_data_show(args: argparse.Namespace) -> int:
    """``data show NAME``; a reader that stops early (``| head``) ends it quietly."""
    import os

    try:
        code = _show_series(args)
        sys.stdout.flush()  # a closed pipe raises here rather than at exit
    except BrokenPipeError:
        # as the Python docs advise: point stdout at devnull so the interpreter's final flush
        # does not fail again, and exit 1 as a program killed by SIGPIPE would be unsuccessful
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


def _show_series(args: argparse.Namespace) -> int:
    from eventstudy.data import DataStore, find_gaps

    store = DataStore.from_settings(args.data_dir)
    if str(args.name).startswith("panel:"):
        return _show_panel(store, args)
    loaded = store.load(args.name, column=args.column)
    s = loaded.data
    print(loaded.summary())
    entry = store.manifest_entry(store.resolve(args.name)[0])
    if entry.get("description"):
        print(f"description: {entry['description']}")
    if entry.get("units"):
        print(f"units: {entry['units']}")
    for note in loaded.info.notes:
        print(f"note: {note}")
    print()
    print(s.describe().to_string())
    print("\nhead:")
    print(s.head(args.rows).to_string())
    print("tail:")
    print(s.tail(args.rows).to_string())
    gaps = find_gaps(pd.DatetimeIndex(s.index), days=5)
    print(f"\ngaps over 5 calendar days: {len(gaps)}")
    if len(gaps):
        shown = gaps if len(gaps) <= 20 else pd.concat([gaps.head(10), gaps.tail(10)])
        print(
            shown.to_string(
                index=False, formatters={"from": "{:%Y-%m-%d}".format, "to": "{:%Y-%m-%d}".format}
            )
        )
        if len(gaps) > 20:
            print(f"... ({len(gaps) - 20} more)")
    return 0


def _show_panel(store: Any, args: argparse.Namespace) -> int:
    """``data show panel:NAME``: a long ``date,ticker,<column>`` stock panel, as a study loads
    it: its dates, tickers and how many have a value on each date."""
    panel = store.load_panel(args.name, field=args.column or "close")
    frame = panel.data
    print(panel.summary())
    entry = store.manifest_entry(store.resolve(args.name)[0])
    if entry.get("description"):
        print(f"description: {entry['description']}")
    members = frame.notna().sum(axis=1)
    print(
        f"\n{frame.shape[1]} tickers on {frame.shape[0]} dates; tickers with a value per date: "
        f"median {int(members.median())}, min {int(members.min())} "
        f"({members.idxmin():%Y-%m-%d}), max {int(members.max())}"
    )
    print("\nhead:")
    print(frame.iloc[: args.rows, :8].to_string())
    print("tail:")
    print(frame.iloc[-args.rows :, :8].to_string())
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    """Run the study named on the command line and write its outputs into ``--out``
    (default ``out/<study name>``), plus ``run.json`` (command, output folder, time)."""
    import datetime as dt
    import time

    from eventstudy.api import load_study, run_study, write_outputs
    from eventstudy.data import DataStore
    from eventstudy.report.files import check_output_folder
    from eventstudy.report.progress import TerminalProgress
    from eventstudy.report.record import run_record
    from eventstudy.timeseries.results import StudyResult

    started = dt.datetime.now(dt.UTC)
    from eventstudy._memory import keep_freed_memory

    keep_freed_memory()  # our own process: numpy temporaries reuse freed memory
    t0 = time.perf_counter()
    config = load_study(args.study)
    store = DataStore.from_settings(args.data_dir)
    out_dir = args.out or Path("out") / config.name
    check_output_folder(out_dir, force=args.force)  # before the work, not after
    if args.fetch:
        from eventstudy.data.providers import fetch_missing

        bt = getattr(config, "backtest", None)
        cash = [bt.cash] if bt is not None and bt.cash != "zero" else []
        outcome = fetch_missing(config.data, store, optional=cash)
        if not args.quiet:
            for record in outcome.records:
                print(record.summary())
            for name, why in outcome.unavailable.items():
                use = (
                    "the backtest's cash earns zero"
                    if cash and name == cash[0].split("[")[0]
                    else "its splice runs without it"
                )
                print(f"{name}: could not be had ({why}); {use}")
        # re-read the cache manifest; what could not be had is run without, and said so
        store = DataStore(store.root, unavailable=outcome.unavailable)
    progress = TerminalProgress(enabled=False if args.quiet else None)
    helper = None
    if not args.no_figures and config.kind == "time_series":
        from eventstudy.report.figures import DrawingHelper

        # a forked copy that imports matplotlib while the study computes, then draws half of
        # the figures; None where forking is unsafe or a second core would not help
        helper = DrawingHelper.start(args.workers)
    try:
        with warnings.catch_warnings():
            # a study re-issues each data/evaluation warning once; the CLI prints them once
            result = run_study(
                config,
                store=store,
                seed=args.seed,
                progress=progress,
                workers=args.workers,
                executor=args.executor,
                scheduler=args.scheduler,
                path_bands=not args.no_figures,
            )
        progress.close()
        seconds = time.perf_counter() - t0
        run = run_record(argv=sys.argv, out_dir=str(out_dir), started=started, seconds=seconds)
        paths = write_outputs(
            result,
            out_dir,
            store=store,
            figures=not args.no_figures,
            force=args.force,
            run=run,
            helper=helper,
            workers=args.workers,
        )
    finally:
        if helper is not None:
            helper.close()
    seconds = time.perf_counter() - t0
    if not args.quiet:
        if isinstance(result, StudyResult):
            print(f"Data ({store.root}):\n{result.data.summary()}\n")
        print(result.summary())
        print(f"\nwrote {', '.join(str(p) for p in paths.values())} in {seconds:.2f} s")
        if args.verbose:
            print(f"data directory: {store.root}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    """Check a note and print its verdict table; with ``--out`` write it as Markdown, HTML
    and JSON.  Exit status 0 whatever the verdicts (a not-reproduced fact is an answer, not
    an error); with ``--strict``, 1 when a fact is not reproduced or not checkable (a fact of
    kind ``unverifiable`` excepted: the note itself says the data cannot check it)."""
    import json

    from eventstudy.data import DataStore
    from eventstudy.facts import check_note, load_note

    note = load_note(args.note)
    store = DataStore.from_settings(args.data_dir)
    table = check_note(note, store=store)
    if args.out is not None:
        from eventstudy.report.files import write_text_atomic

        args.out.mkdir(parents=True, exist_ok=True)
        record = {"note": note.path, "note_sha256": note.sha256, **table.to_dict()}
        write_text_atomic(args.out / "facts.md", table.to_markdown())
        write_text_atomic(args.out / "facts.html", table.to_html())
        write_text_atomic(args.out / "facts.json", json.dumps(record, indent=2) + "\n")
    if not args.quiet:
        print(table.summary())
        if args.out is not None:
            print(f"\nwrote {args.out / 'facts.md'}, facts.html, facts.json")
    if args.strict:
        failing = [
            f.id
            for f in table.facts
            if f.verdict == "not reproduced"
            or (f.verdict == "not checkable" and f.kind != "unverifiable")
        ]
        if failing:
            print(
                f"--strict: not reproduced or not checkable: {', '.join(failing)}", file=sys.stderr
            )
            return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``eventstudy`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    with _sigterm_cleans_up():
        return _main(args)


@contextlib.contextmanager
def _sigterm_cleans_up() -> Iterator[None]:
    """While a command runs, SIGTERM first removes its staging folder
    (:func:`~eventstudy.report.files.remove_stages_on_sigterm`); the caller's handler is back
    afterwards.  Outside the main thread, where no handler can be set, nothing changes."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    from eventstudy.report.files import remove_stages_on_sigterm

    previous = signal.getsignal(signal.SIGTERM)
    remove_stages_on_sigterm()
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _main(args: argparse.Namespace) -> int:
    """Run the parsed command; a user's mistake is one line on stderr and status 2."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default", EventStudyWarning)
            warnings.showwarning = _show_warning  # restored when catch_warnings exits
            if args.command == "data":
                commands = {
                    "list": _cmd_data_list,
                    "show": _cmd_data_show,
                    "fetch": _cmd_data_fetch,
                    "update": _cmd_data_update,
                }
                return commands[args.data_command](args)
            if args.command == "check":
                return _cmd_check(args)
            return _cmd_run(args)
    except (EventStudyError, OSError, ValueError, TypeError, KeyError, ImportError) as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"warning ({category.__name__}): {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
