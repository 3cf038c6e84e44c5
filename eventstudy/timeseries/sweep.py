"""Run a sweep: every specification of ``[sweep]`` over data loaded once.

Work is shared across specifications: the data is loaded and aligned once, forward returns are
computed once per target and return kind, a signal once per distinct signal configuration and
the events once per distinct (signal, declustering, window); inside a worker, the baseline
statistics, the bootstrap's block length and resampling blocks, and the placebo draws of
specifications with the same event count and gap are computed once per target x horizon x
sample (:class:`~eventstudy.inference.shared.SharedWork`).  Each specification's tests draw
from the same random streams as the plain study (``_seed_for(seed, 0, target)``), so a sweep of
one specification equals the plain study bit for bit, and the results never depend on the order
or the process in which specifications run.
"""

from __future__ import annotations

import os
import threading
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from eventstudy._fork import die_with_parent, fork_is_safe
from eventstudy._memory import ALLOCATOR_ENV, keep_freed_memory
from eventstudy._warnings import find_stack_level
from eventstudy.backtest.results import SweepBacktest
from eventstudy.config import thaw
from eventstudy.data import DataStore
from eventstudy.data.study_data import StudyData, load_study_data
from eventstudy.evaluation import EvaluationResult, evaluate
from eventstudy.events import (
    DEFAULT_MIN_GAP,
    EventTable,
    events_from_triggers,
    trigger_positions,
)
from eventstudy.exceptions import ConfigError, EventStudyWarning, IncompleteHorizonWarning
from eventstudy.inference.shared import SharedWork
from eventstudy.signals import compute_checked, make_signal
from eventstudy.timeseries.spec import TimeSeriesStudyConfig
from eventstudy.timeseries.study import (
    _one_day_moves,
    _seed_for,
    _target_frames,
    check_cash_covers,
    check_sample,
    check_target_kinds,
)
from eventstudy.timeseries.sweep_results import SweepResult
from eventstudy.timeseries.sweep_search import (
    NullColumns,
    ShiftPlan,
    family_tests,
    shift_null,
    shift_plans,
)
from eventstudy.timeseries.sweep_spec import Specification

__all__ = ["run_sweep"]

Progress = Callable[[str, int, int], object]


def _key(mapping: Mapping[str, Any]) -> str:
    return repr(sorted((k, repr(v)) for k, v in thaw(mapping).items()))


def run_sweep(
    config: TimeSeriesStudyConfig,
    *,
    store: DataStore | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    executor: str = "process",
    scheduler: str | None = None,
) -> SweepResult:
    """Run every specification of a study's ``[sweep]``.

    Parameters
    ----------
    config
        A parsed time-series study with a ``[sweep]`` table.
    store, data_dir
        Where data comes from (default :meth:`DataStore.from_settings`).
    seed
        Overrides the study's seed.
    progress
        Called as ``progress(label, done, total)`` as specifications finish.
    workers
        Processes (default: 1 below 100 specifications, else the number of CPUs).  Each
        runs with one BLAS thread.
    executor
        ``"process"`` (a local process pool) or ``"dask"`` (``dask.distributed``; install
        ``eventstudy[dask]``), which connects to ``scheduler`` or starts a ``LocalCluster``
        of ``workers`` single-threaded processes.
    scheduler
        Address of a running Dask scheduler (``"tcp://host:8786"``).

    The specifications are cut into chunks (:func:`_chunks`); each specification's numbers
    depend on the study seed and its own settings only, so the result is byte-identical for
    any worker count and executor.

    Returns
    -------
    SweepResult
        Frozen; one evaluation per specification x target.

    Raises
    ------
    ConfigError
        The study has no ``[sweep]``, or a specification does not fit the data.
    """
    if not isinstance(config, TimeSeriesStudyConfig) or config.sweep is None:
        raise ConfigError(f"{getattr(config, 'path', config)}: the study has no [sweep] table")
    store = store or DataStore.from_settings(data_dir)
    seed = config.seed if seed is None else seed
    for name, (units, _) in check_target_kinds(config, store).items():
        if units != "return":
            raise ConfigError(
                f'{config.path}: [evaluation] target {name!r} is a level (kind = "level"); a '
                "sweep studies returns only so far: run the level target as a plain study"
            )
    if executor not in ("process", "dask"):
        raise ValueError(f"executor must be 'process' or 'dask', got {executor!r}")
    if scheduler is not None and executor != "dask":
        raise ValueError(f"scheduler={scheduler!r} needs executor='dask' (got {executor!r})")
    if config.backtest is not None:  # a level to hold is refused before any work
        from eventstudy.timeseries.trade import check_backtest_series

        check_backtest_series(config.backtest, config.data, store, str(config.path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EventStudyWarning)
        data = load_study_data(config.data, store)
        check_sample(config, data)
        cash = _cash(config, data, store)  # a cash file that cannot serve fails before the work
        names = [sp.name for sp in config.sweep.specifications]
        n_workers = _workers(workers, len(names))
        chunks = _chunks(_by_shared_work(config.sweep.specifications), n_workers)
        forward = _forward(config, data)
        plans = shift_plans(
            config.sweep.specifications,
            forward,
            [t.name for t in config.evaluation.targets],
            list(config.evaluation.horizons),
            config.sweep.shifts,
        )
        _warn_null_size(plans, len(config.sweep.specifications))
        work: Work = (config, data, seed, plans, uuid.uuid4().hex)
        try:
            if executor == "dask":
                parts = _run_dask(work, chunks, n_workers, scheduler, progress)
            elif n_workers == 1:
                parts = [_run_chunk(*work, chunk, progress) for chunk in chunks]
            else:
                parts = _run_pool(work, chunks, n_workers, progress)
        finally:
            _drop_state()
        events, evaluations, incomplete, nulls = _merge(parts, names, chunks)
        if incomplete:
            warnings.warn(
                f"{incomplete} of {len(names)} specifications have events too recent for a "
                "complete horizon; those events are excluded from the statistics of that horizon "
                "(column n_incomplete of sweep.csv)",
                IncompleteHorizonWarning,
                stacklevel=find_stack_level(),
            )
        search = _search(config, evaluations, nulls, plans)
        traded = _backtest(config, data, events, cash, seed)
    messages: list[str] = []
    for w in caught:
        if issubclass(w.category, EventStudyWarning) and str(w.message) not in messages:
            messages.append(str(w.message))
            warnings.warn(w.message, w.category, stacklevel=find_stack_level())
        elif not issubclass(w.category, EventStudyWarning):  # another package's: where raised
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    from eventstudy.facts import check_study_facts

    facts = check_study_facts(config, store)
    return SweepResult(
        config=config,
        data=data,
        events=events,
        evaluations=evaluations,
        seed=seed,
        warnings=tuple(messages) + data.notes,
        search=search,
        facts=facts,
        backtest=traded,
    )


def _cash(config: TimeSeriesStudyConfig, data: StudyData, store: DataStore) -> Any:
    """The backtest's cash, read and checked against every specification's start (None
    without a ``[backtest]``): before the specifications are computed, not after."""
    spec = config.backtest
    if spec is None:
        return None
    from eventstudy.timeseries.trade import load_cash

    assert config.sweep is not None
    dates = pd.DatetimeIndex(data.aligned.frame.index)
    cash = load_cash(spec, store, dates, str(config.path))
    starts = [sp.start for sp in config.sweep.specifications]
    check_cash_covers(cash.returns, spec.cash, dates, starts, str(config.path))
    return cash


def _backtest(
    config: TimeSeriesStudyConfig,
    data: StudyData,
    events: Mapping[str, EventTable],
    cash: Any,
    seed: int,
) -> SweepBacktest | None:
    """Every specification traded as ``[backtest]`` says (None without it), with the cash of
    :func:`_cash`."""
    spec = config.backtest
    if spec is None:
        return None
    from eventstudy.timeseries.trade import sweep_backtests

    assert config.sweep is not None
    titles = {sp.alias: sp.title or sp.alias for sp in config.data.series}
    return sweep_backtests(
        spec,
        data,
        config.sweep.specifications,
        events,
        cash,
        seed=seed,
        labels=(titles[spec.long], titles.get(spec.short or "", spec.short or "")),
    )


Nulls = dict[tuple[str, str], NullColumns]
Warned = tuple[str, type[Warning]]
"""A warning raised in a chunk: its message and category (a class, sent back by reference)."""
Chunk = tuple[
    dict[str, EventTable], dict[str, dict[str, EvaluationResult]], int, tuple[Warned, ...], Nulls
]
Work = tuple[TimeSeriesStudyConfig, StudyData, int, dict[tuple[str, str], ShiftPlan], str | None]


_NULL_BYTES = 1 << 30
"""Size of the joint null above which a sweep says so before it starts (1 GiB)."""


def _warn_null_size(plans: Mapping[Any, Any], n_specs: int) -> None:
    """Warn when the joint null's matrices (a t-statistic and an excess per shift and
    specification, for every target x horizon) will take more than 1 GiB: a grid of 5,760
    specifications with 2,000 shifts and six targets x horizons peaked at 1.8 GB, unannounced."""
    size = sum(16 * plan.count * n_specs for plan in plans.values())
    if size > _NULL_BYTES:
        warnings.warn(
            f"the sweep's joint null will hold about {size / 2**30:.1f} GiB ({n_specs:,} "
            f"specifications x {len(plans)} targets x horizons x up to "
            f"{max(p.count for p in plans.values()):,} shifts, two numbers each): lower "
            "[sweep] shifts, or split the grid",
            EventStudyWarning,
            stacklevel=find_stack_level(),
        )


def _workers(workers: int | None, n: int) -> int:
    """Processes for ``n`` specifications: one below 100, else one per core this process may
    run on (its CPU affinity, :func:`~eventstudy._threads.cores`); an integer of any kind."""
    import numbers

    from eventstudy._threads import cores

    if workers is None:
        return 1 if n < 100 else max(1, cores())
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    return int(workers)


def _by_shared_work(specs: Sequence[Specification]) -> list[str]:
    """The specifications' names, those that share work next to each other (grid order within).

    A process's memo (:class:`_RunState`) serves the specifications with the same return kind,
    sample and declustering: the same forward returns, and placebo draws for the same event
    counts and gap.  Cut in this order, the chunks of two processes share little, and each
    process builds less of what the other builds too: on the 1,000-specification benchmark
    grid, 0.28 s of work done twice instead of 0.45 s (2026-12-07).
    """
    key = {
        sp.name: (
            sp.return_kind,
            str(sp.start),
            str(sp.end),
            sp.min_gap or DEFAULT_MIN_GAP,
            sp.mode,
        )
        for sp in specs
    }
    return sorted(key, key=key.__getitem__)  # stable: grid order within a group


def _chunks(names: list[str], workers: int) -> list[tuple[str, ...]]:
    """Chunks of ``names`` in their order, shrinking along it (the cut never changes any
    number).

    Each chunk holds a quarter of a worker's share of what is left, and at least four
    specifications: the processes start on the large chunks at the front and take the next
    one as they finish (:func:`_share`), so the last ones to finish are small.
    """
    if workers == 1:
        return [tuple(names)]
    out: list[tuple[str, ...]] = []
    i = 0
    while i < len(names):
        size = max(4, -(-(len(names) - i) // (4 * workers)))
        out.append(tuple(names[i : i + size]))
        i += size
    return out


def _forward(config: TimeSeriesStudyConfig, data: StudyData) -> dict[tuple[str, str], pd.DataFrame]:
    """Forward returns of every target under every return kind the sweep uses."""
    assert config.sweep is not None
    prices = data.aligned.frame
    horizons = dict(config.evaluation.horizons)
    kinds = sorted({sp.return_kind for sp in config.sweep.specifications})
    out = {}
    for target in config.evaluation.targets:
        for kind in kinds:
            k: Any = kind
            out[(target.name, kind)] = _target_frames(target, prices, horizons, k)[0]
    return out


@dataclass
class _RunState:
    """What a process keeps between the chunks of one sweep run: forward returns, one-day
    moves, signals and events computed so far, and the tests' :class:`SharedWork` memo.
    Every entry is a deterministic function of its key, so a chunk computes the same numbers
    whatever ran before it in the process."""

    forward: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    moves: dict[tuple[str, str], np.ndarray | None] = field(default_factory=dict)
    signals: dict[str, tuple[np.ndarray, pd.DatetimeIndex, np.ndarray | None, str]] = field(
        default_factory=dict
    )
    values: dict[str, pd.Series] = field(default_factory=dict)
    events: dict[tuple[Any, ...], EventTable] = field(default_factory=dict)
    shared: SharedWork = field(default_factory=SharedWork)


_STATES: dict[int, tuple[str, _RunState]] = {}
_STATES_LOCK = threading.Lock()


def _state(token: str | None) -> _RunState:
    """This thread's state for the run ``token`` (a fresh one for ``None`` or a new run).

    One state per thread: a Dask worker may run several chunks at once in threads, and they
    must not share a memo while it changes."""
    if token is None:
        return _RunState()
    with _STATES_LOCK:
        entry = _STATES.get(threading.get_ident())
        if entry is None or entry[0] != token:
            entry = (token, _RunState())
            _STATES[threading.get_ident()] = entry
        return entry[1]


def _drop_state() -> None:
    """Forget every thread's state in this process (at the end of a run)."""
    with _STATES_LOCK:
        _STATES.clear()


def _run_chunk(
    config: TimeSeriesStudyConfig,
    data: StudyData,
    seed: int,
    plans: Mapping[tuple[str, str], ShiftPlan],
    token: str | None,
    names: tuple[str, ...],
    progress: Progress | None = None,
) -> Chunk:
    """Events, evaluations and joint-null columns of the named specifications (run in a
    worker or in-process).

    Returns the events, the evaluations, how many of the specifications had events with an
    incomplete horizon, the other warnings raised (message and category), and per target x
    horizon the specifications' observed excess and shifted excesses (:func:`shift_null`,
    columns in grid order).  Chunks of the same run (``token``) in the same process share their
    work (:func:`_state`).
    """
    assert config.sweep is not None
    sweep = config.sweep
    wanted = set(names)
    prices = data.aligned.frame
    ev_cfg = config.evaluation
    horizons = dict(ev_cfg.horizons)
    inf = config.inference
    stratify = None if inf.placebo_stratify == "none" else inf.placebo_stratify
    state = _state(token)
    forward, moves, shared = state.forward, state.moves, state.shared
    signals, event_cache = state.signals, state.events
    out_events: dict[str, EventTable] = {}
    out_eval: dict[str, dict[str, EvaluationResult]] = {}
    incomplete = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EventStudyWarning)
        # counted per specification in n_incomplete and summed up once by the caller
        warnings.simplefilter("ignore", IncompleteHorizonWarning)
        for spec in sweep.specifications:  # loop over specifications
            if spec.name not in wanted:
                continue
            events = _events(spec, prices, signals, event_cache, config.path, state.values)
            out_events[spec.name] = events
            min_gap = spec.min_gap or DEFAULT_MIN_GAP
            per_target = {}
            for ti, target in enumerate(ev_cfg.targets):
                key = (target.name, spec.return_kind)
                if key not in forward:
                    kind: Any = spec.return_kind
                    forward[key], level = _target_frames(target, prices, horizons, kind)
                    # the one-day moves only when the Hodrick test asks for them
                    moves[key] = _one_day_moves(level, kind) if "hodrick" in sweep.tests else None
                ev = evaluate(
                    forward[key],
                    events.positions,
                    target_name=target.name,
                    horizons=horizons,
                    sample=(spec.start, spec.end),
                    min_gap=min_gap,
                    tests=sweep.tests,
                    draws=inf.draws,
                    bootstrap_reps=inf.bootstrap_reps,
                    stratify=stratify,
                    seed=_seed_for(seed, 0, ti),
                    shared=shared,
                    size_draws=inf.size_draws,
                    alpha=inf.alpha,
                    power_effect=dict(inf.power_effect) or None,
                    daily=moves[key],
                    default_test=sweep.tests[0],
                )
                per_target[target.name] = ev
            if any(hs.n_incomplete for e in per_target.values() for hs in e.horizons.values()):
                incomplete += 1
            out_eval[spec.name] = per_target
            if progress is not None:
                progress("specifications", len(out_eval), len(names))
    messages = tuple(dict.fromkeys((str(w.message), w.category) for w in caught))
    mine = [spec for spec in sweep.specifications if spec.name in wanted]
    nulls: Nulls = {}
    for (tname, label), plan in plans.items():
        series = {
            kind: forward[(tname, kind)][label] for kind in {spec.return_kind for spec in mine}
        }
        nulls[(tname, label)] = shift_null(plan, mine, out_events, series)
    return out_events, out_eval, incomplete, messages, nulls


def _merge(
    parts: list[Chunk], names: list[str], chunks: list[tuple[str, ...]]
) -> tuple[dict[str, EventTable], dict[str, dict[str, EvaluationResult]], int, Nulls]:
    """Put the chunks' specifications back in grid order and re-issue their warnings once
    each, sorted (which process warned first depends on what it ran before).

    ``parts[i]`` is the result of ``chunks[i]``; its joint-null columns are in grid order
    within the chunk (:func:`_run_chunk`)."""
    events: dict[str, EventTable] = {}
    evals: dict[str, dict[str, EvaluationResult]] = {}
    incomplete = 0
    seen: list[Warned] = []
    columns: dict[tuple[str, str], list[tuple[np.ndarray, ...]]] = {}
    for ev, out, inc, messages, nulls in parts:  # loop over chunks, in the order of chunks
        events.update(ev)
        evals.update(out)
        incomplete += inc
        seen += [m for m in messages if m not in seen]
        for key, arrays in nulls.items():
            columns.setdefault(key, []).append(arrays)
    for message, category in sorted(seen, key=lambda m: m[0]):
        warnings.warn(message, category, stacklevel=find_stack_level())
    where = {n: i for i, n in enumerate(names)}
    placed = [where[n] for c in chunks for n in sorted(c, key=where.__getitem__)]
    back = np.argsort(placed)  # column j of the concatenation holds specification placed[j]
    # each array's last axis is the specifications: (J,) observed, (D, J) shifted
    merged: Nulls = {
        key: tuple(  # type: ignore[misc]
            np.concatenate([p[i] for p in parts_of], axis=-1)[..., back]
            for i in range(len(parts_of[0]))
        )
        for key, parts_of in columns.items()
    }
    return {n: events[n] for n in names}, {n: evals[n] for n in names}, incomplete, merged


class _OneThread:
    """Environment of worker processes (set while they start): one BLAS/OpenMP thread each,
    and glibc keeping freed memory for reuse (:mod:`eventstudy._memory`)."""

    SETTINGS: ClassVar[dict[str, str]] = {
        **dict.fromkeys(("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"), "1"),
        **ALLOCATOR_ENV,
    }

    def __enter__(self) -> None:
        self.saved = {k: os.environ.get(k) for k in self.SETTINGS}
        os.environ.update(self.SETTINGS)

    def __exit__(self, *exc: object) -> None:
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_WORK: Work | None = None


def _receive(path: str, parent: int) -> None:
    """Worker start-up: keep the run's inputs (read once per worker, not sent per chunk).

    They come through a file, not as the initializer's arguments: those are written to the
    new process's pipe, and half a megabyte of them held the parent there until the child had
    imported pandas to read them -- 0.7 s in which the calling process did no work (measured
    2026-11-22 on the 1,000-specification benchmark).
    """
    import pickle

    global _WORK
    die_with_parent(parent)  # a run that is killed leaves no worker behind
    with open(path, "rb") as f:
        _WORK = pickle.load(f)


def _forked(parent: int) -> None:
    """Worker start-up in a forked copy: the run's inputs came with the copy; it ends when the
    run does (a SIGTERM to the run left it waiting forever)."""
    die_with_parent(parent)
    keep_freed_memory()


def _run_received(names: tuple[str, ...]) -> Chunk:
    assert _WORK is not None, "the worker was started without the run's inputs"
    return _run_chunk(*_WORK, names)


def _run_pool(
    work: Work,
    chunks: list[tuple[str, ...]],
    workers: int,
    progress: Progress | None,
) -> list[Chunk]:
    """The chunks on ``workers - 1`` other processes and on this one.

    The workers are forked copies of this process where that is safe
    (:func:`~eventstudy._fork.fork_is_safe`): they start at once, with the run's inputs and
    everything imported (and with this process's BLAS thread settings).
    Otherwise they are spawned, with one BLAS thread, and import for about a second while
    this process works.  Every process takes the next chunk when it finishes one
    (:func:`_share`).  (Forked workers made the 1,000-specification benchmark 0.5 s faster
    on 2 workers: 7.3 s instead of 7.85 s, 2026-12-07.)
    """
    import pickle
    import tempfile

    global _WORK
    if fork_is_safe():
        _WORK = work  # the copies see it; they are forked at the first submit
        try:
            return _pooled(work, chunks, workers, progress, "fork", _forked, (os.getpid(),))
        finally:
            _WORK = None
    with tempfile.TemporaryDirectory(prefix="eventstudy-sweep-") as tmp:
        inputs = os.path.join(tmp, "work.pickle")
        with open(inputs, "wb") as f:
            pickle.dump(work, f, protocol=pickle.HIGHEST_PROTOCOL)
        return _pooled(work, chunks, workers, progress, "spawn", _receive, (inputs, os.getpid()))


def _pooled(
    work: Work,
    chunks: list[tuple[str, ...]],
    workers: int,
    progress: Progress | None,
    context: str,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
) -> list[Chunk]:
    """The chunks on a pool of ``workers - 1`` processes started by ``context`` and on this
    one (:func:`_share`)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    results: list[Chunk | None] = [None] * len(chunks)
    with (
        _OneThread(),
        ProcessPoolExecutor(
            max_workers=workers - 1,
            mp_context=multiprocessing.get_context(context),
            initializer=initializer,
            initargs=initargs,
        ) as pool,
    ):
        _share(pool, work, chunks, results, progress, workers - 1)
    return [r for r in results if r is not None]


def _share(
    pool: Any,
    work: Work,
    chunks: list[tuple[str, ...]],
    results: list[Chunk | None],
    progress: Progress | None,
    workers: int = 1,
) -> None:
    """Fill ``results``: the pool's ``workers`` workers and this process take the next chunk
    whenever they finish one.

    The chunks shrink along their order, so the last ones to finish are small.  A worker is
    handed its next chunk only when it has finished one.  (Handing them all out at once, with
    this process taking chunks from the back, let the pool queue a chunk or two ahead in each
    worker, out of this process's reach: on the 1,000-specification benchmark this process
    then waited 1.1 s of a 5 s run, 2026-12-07.)  An error stops the handing out; the chunks
    already started end, and the error of the first failing chunk is raised: every chunk
    before it was started and ran through, so the error does not depend on which process ran
    which chunk, nor on the executor (the chunks depend on the worker count only).
    """
    from concurrent.futures import FIRST_COMPLETED, Future, wait

    total = sum(len(c) for c in chunks)
    lock = threading.Lock()
    following = [0]  # the next chunk to hand out
    futures: dict[Future[Chunk], int] = {}
    failed = threading.Event()
    failures: list[tuple[int, BaseException]] = []

    def hand_out(finished: Future[Chunk] | None = None) -> None:
        """Submit the next chunk from the front (called back as a worker's chunk ends)."""
        with lock:
            if finished is not None and (finished.cancelled() or finished.exception()):
                failed.set()
            if failed.is_set() or following[0] >= len(chunks):
                return
            try:
                fut = pool.submit(_run_received, chunks[following[0]])
            except RuntimeError:  # the pool is shutting down: this process failed
                failed.set()
                return
            futures[fut] = following[0]
            following[0] += 1
        fut.add_done_callback(hand_out)

    mine = 0

    def report() -> None:
        if progress is not None:
            with lock:
                theirs = sum(len(chunks[i]) for f, i in futures.items() if f.done())
            progress("specifications", mine + theirs, total)

    for _ in range(workers):  # one chunk per worker to start with
        hand_out()
    while True:  # loop over chunks, not specifications
        with lock:
            if failed.is_set() or following[0] >= len(chunks):
                break
            i = following[0]
            following[0] += 1
        try:
            results[i] = _run_chunk(*work, chunks[i])
        except Exception as exc:  # raised below, unless an earlier chunk fails too
            failed.set()  # no more chunks for the workers
            failures.append((i, exc))
            break
        except BaseException:  # an interrupt: at once
            failed.set()
            raise
        mine += len(chunks[i])
        report()
    while True:  # the workers' last chunks
        with lock:
            pending = [f for f in futures if not f.done()]
        if not pending:
            break
        wait(pending, return_when=FIRST_COMPLETED)
        report()
    for fut, i in futures.items():
        error = None if fut.cancelled() else fut.exception()
        if error is not None:
            failures.append((i, error))
        elif not fut.cancelled():
            results[i] = fut.result()
    if failures:  # the first failing chunk's error, as a run on one process raises it
        raise min(failures, key=lambda f: f[0])[1]


def _local_cluster(workers: int) -> Any:
    """A ``LocalCluster`` of ``workers`` single-threaded worker processes.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which turns off glibc's
    adaptive mmap threshold: every large numpy temporary is then a fresh mmap with its page
    faults, and a sweep ran 1.4-2.3x slower in a worker than in a plain process (measured
    2026-11-22).  These workers start with the allocator settings of the process pool's
    instead (:mod:`eventstudy._memory`; a remote cluster's workers keep their own settings).
    """
    import logging

    import dask
    from dask.distributed import LocalCluster

    environ: dict[str, Any] = {
        f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in ALLOCATOR_ENV.items()
    }
    environ["distributed.worker.profile.enabled"] = False
    with dask.config.set(environ):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # a failing chunk is raised here, once, not logged
        )


def _run_dask(
    work: Work,
    chunks: list[tuple[str, ...]],
    workers: int,
    scheduler: str | None,
    progress: Progress | None,
) -> list[Chunk]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:
        raise ImportError(
            "executor='dask' needs dask.distributed: pip install 'eventstudy[dask]'"
        ) from exc
    total = sum(len(c) for c in chunks)
    with _OneThread():
        cluster = None if scheduler else _local_cluster(workers)
        client = Client(scheduler or cluster)
    futures: list[Any] = []
    try:
        config, data, seed, plans, token = work
        # a worker shares work between the chunks of the run (its signals, events and memo);
        # a running cluster's workers outlive the run, so they are told to drop it at the end
        # random keys: hashing the inputs to name them took 0.1 s of the calling process
        cfg, dat, pln = client.scatter([config, data, plans], broadcast=False, hash=False)
        futures = [
            client.submit(_run_chunk, cfg, dat, seed, pln, token, c, pure=False) for c in chunks
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Chunk | None] = [None] * len(chunks)
        done = 0
        failed: tuple[int, BaseException] | None = None
        for fut in as_completed(futures):  # loop over chunks
            i = index[fut.key]
            if fut.status == "error" or fut.cancelled():
                if fut.cancelled():
                    continue
                error = fut.exception()
                if failed is None or i < failed[0]:
                    failed = (i, error)
                    # the chunks after it cannot fail first: stop them; those before may
                    client.cancel([f for f in futures if index[f.key] > i and not f.done()])
                continue
            if failed is not None and i > failed[0]:
                continue
            results[i] = fut.result()
            done += len(chunks[i])
            if progress is not None:
                progress("specifications", done, total)
        if failed is not None:  # the first failing chunk's error, as the process pool's
            raise failed[1]
    finally:
        try:
            if cluster is None:
                client.cancel(futures)  # none left to start after the states are dropped
                client.run(_drop_state)  # on every worker
        except Exception:
            pass
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
            _retire_offload_thread()
    return [r for r in results if r is not None]


def _retire_offload_thread() -> None:
    """End the thread dask.distributed keeps for offloading (de)serialization, leaving an
    executor that starts a new one when next used.

    The thread outlives the client, and while it runs this process is not single-threaded,
    so :func:`~eventstudy._fork.fork_is_safe` refuses forks for the rest of the session: a
    later sweep spawned its workers (a second of imports each) and a study stopped forking
    its variants and its drawing copy (a reviewer measured a sweep at 17.1 s after a Dask
    run against 10.0 s before, 2026-12-07).
    """
    from concurrent.futures import ThreadPoolExecutor

    try:
        from distributed import utils
    except ImportError:  # pragma: no cover - dask is imported by the caller
        return
    old = getattr(utils, "_offload_executor", None)
    if not isinstance(old, ThreadPoolExecutor):
        return
    utils._offload_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="Dask-Offload")
    old.shutdown(wait=True)


def _search(
    config: TimeSeriesStudyConfig,
    evaluations: Mapping[str, Mapping[str, EvaluationResult]],
    nulls: Nulls,
    plans: Mapping[tuple[str, str], ShiftPlan],
) -> dict[tuple[str, str], dict[str, Any]]:
    """Tests across the specifications, per target x horizon.

    The joint null shifts the events of every specification together (each in its own forward
    returns and sample, by the same share of its sample; the columns were computed with the
    specifications, see :mod:`eventstudy.timeseries.sweep_search`): each shifted set is
    measured by its own HAC t-statistic.  Holm and Benjamini-Hochberg adjust the
    default test's p-values across the specifications of the family.  The per-specification
    tests are two-sided; in a one-sided search a specification whose excess has the other sign
    enters the adjustments with p = 1, and the others with their two-sided p-value, a valid
    (conservative) one-sided p-value: P(p <= a and the sign claimed) <= P(p <= a) <= a.
    """
    from eventstudy.inference import adjust_pvalues

    assert config.sweep is not None
    sweep = config.sweep
    specs = sweep.specifications
    names = [sp.name for sp in specs]
    test = sweep.tests[0]
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for target in config.evaluation.targets:
        for label, _days in config.evaluation.horizons:
            t_obs, t_null, x_obs, x_null = nulls[(target.name, label)]
            family = family_tests(
                names,
                t_obs,
                t_null,
                sweep.direction,
                excess=x_obs,
                excess_null=x_null,
                n_obs=plans[(target.name, label)].lengths(specs),
            )
            stats = [evaluations[sp.name][target.name].horizons[label] for sp in specs]
            p = np.array([_p(hs.tests.get(test)) for hs in stats])
            sign = {"positive": 1.0, "negative": -1.0}.get(sweep.direction)
            if sign is not None:  # the other sign is no discovery of a one-sided search
                excess = np.array([hs.excess_mean for hs in stats], dtype=float)
                p = np.where(np.isnan(p) | np.isnan(excess) | (sign * excess > 0), p, 1.0)
            for method in ("holm", "fdr_bh"):
                adj = adjust_pvalues(p, method=method)
                family[f"{method}_p"] = {sp.name: float(adj[j]) for j, sp in enumerate(specs)}
            family["test"] = test
            out[(target.name, label)] = family
    return out


def _p(tr: Any) -> float:
    return float(tr.p_value) if tr is not None and tr.applicable else float("nan")


def _events(
    spec: Specification,
    prices: pd.DataFrame,
    signals: dict[str, tuple[np.ndarray, pd.DatetimeIndex, np.ndarray | None, str]],
    cache: dict[tuple[Any, ...], EventTable],
    path: Any,
    values: dict[str, pd.Series],
) -> EventTable:
    """The events of a specification: its signal computed (and checked) once per distinct
    signal configuration -- its value once for all the thresholds tried, for a signal that
    names its :attr:`~eventstudy.signals.Signal.threshold_params` -- then declustered over
    every trigger and windowed (the numbers of :func:`~eventstudy.events.find_events` with
    ``start`` and ``end``)."""
    skey = _key(spec.signal)
    ekey = (skey, spec.min_gap, spec.mode, spec.start, spec.end)
    if ekey in cache:
        return cache[ekey]
    if skey not in signals:
        try:
            signal = make_signal(thaw(spec.signal))
            shared = type(signal).threshold_params
            if shared:
                vkey = _key({k: v for k, v in spec.signal.items() if k not in shared})
                if vkey not in values:
                    values[vkey] = signal.values(prices)
                result = compute_checked(signal, prices, signal.from_values(values[vkey]))
            else:
                result = compute_checked(signal, prices)
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(f"{path}: [sweep] specification {spec.name!r}: {exc}") from exc
        except Exception as exc:  # any other error still says where it came from
            exc.add_note(f"{path}: [sweep] specification {spec.name!r}")
            raise
        signals[skey] = trigger_positions(result)
    pos, index, value, description = signals[skey]
    cache[ekey] = events_from_triggers(
        pos,
        index,
        value,
        min_gap=spec.min_gap or DEFAULT_MIN_GAP,
        mode=spec.mode,  # type: ignore[arg-type]
        description=description,
        start=spec.start,
        end=spec.end,
    )
    return cache[ekey]
