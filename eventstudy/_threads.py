"""Blocks of a vectorized computation shared among threads, with the serial loop's results.

numpy releases the GIL inside its loops over arrays (ufuncs, reductions, ``einsum``, sorts,
the stacked ``linalg`` solvers), so blocks of a few thousand events run side by side on the
cores of one process, without copying the data into another process.  Every block computes
only its own rows, and whatever is summed over blocks is summed by the caller in block
order, so the results are the same bits for any number of threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["beside", "cores", "map_blocks", "resolve_threads"]

T = TypeVar("T")
R = TypeVar("R")

_MAX_DEFAULT = 8
"""Threads used by default at most: past a few, the blocks' memory traffic is the limit."""


def cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform reports it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def resolve_threads(workers: int | None) -> int:
    """Threads to use: ``workers`` when given, else one per core up to 8 (:func:`map_blocks`
    starts at most one per item).

    Raises
    ------
    TypeError
        ``workers`` is not an integer (numpy integers are).
    ValueError
        ``workers`` is below 1.
    """
    import numbers

    if workers is None:
        return min(cores(), _MAX_DEFAULT)
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral):
        # the messages of eventstudy._validation.check_int (a sibling module: not imported)
        raise TypeError(f"workers must be an integer, got {type(workers).__name__} {workers!r}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    return int(workers)


def map_blocks(fn: Callable[[T], R], items: Sequence[T], threads: int) -> list[R]:
    """``[fn(item) for item in items]``, computed by ``threads`` threads: this one and
    ``threads - 1`` helpers.

    Items are handed out in their order and the results come back in it.  When an item's
    ``fn`` raises, no later item is started, and the error raised (once every thread has
    stopped) is that of the first failing item in order; a ``KeyboardInterrupt`` (or another
    exception that is not an ``Exception``) in this thread is raised as it is, once the helpers
    have finished their current item.  Helpers run in a copy of this thread's context, so an
    ``np.errstate`` around the call holds in them too.  With one thread, or one item, no
    thread is started.

    The calling thread takes its share: what its blocks allocated and freed is then kept by
    the allocator of the thread that goes on with the results.  Each helper's allocator arena
    keeps its blocks' freed temporaries; on 100,000 events with two helper threads the peak
    grew by 25 MB, with one by 13 MB (glibc, 2026-12-07).
    """
    n = len(items)
    if threads < 2 or n < 2:
        return [fn(item) for item in items]
    import contextvars
    import threading

    results: list[Any] = [None] * n
    errors: dict[int, BaseException] = {}
    lock = threading.Lock()
    state = {"next": 0, "end": n}  # the next item to hand out; none from "end" on

    def work(catch: type[BaseException]) -> None:
        while True:  # loop over the items this thread takes
            with lock:
                i = state["next"]
                if i >= state["end"]:
                    return
                state["next"] = i + 1
            try:
                results[i] = fn(items[i])
            except catch as exc:  # re-raised below, the first in order
                with lock:
                    errors[i] = exc
                    state["end"] = min(state["end"], i)
                return

    def stop() -> None:
        with lock:
            state["end"] = -1

    m = min(threads, n) - 1
    contexts = [contextvars.copy_context() for _ in range(m)]  # one each: a Context runs once
    done = [threading.Event() for _ in range(m)]

    def helper(k: int) -> None:
        try:
            contexts[k].run(work, BaseException)  # a helper records whatever its item raises
        finally:
            done[k].set()

    helpers = [
        threading.Thread(target=helper, args=(k,), name=f"eventstudy-{k}", daemon=True)
        for k in range(m)
    ]
    try:
        for h in helpers:  # loop over helpers
            h.start()
        work(Exception)
    except BaseException:  # e.g. KeyboardInterrupt: the helpers stop after their current item
        stop()
        raise
    finally:
        _join(helpers, done, stop)
    if errors:
        raise errors[min(errors)]
    return results


def beside(main: Callable[[], T], side: Callable[[], R], threads: int) -> tuple[T, R]:
    """``(main(), side())``, ``side`` computed by a helper thread while this one computes ``main``.

    ``main`` always runs in the calling thread (its warnings point at the caller's code, and a
    callback it runs sees the caller's thread).  An error of ``main`` is raised before one of
    ``side``, as in the serial order; either is raised once the helper has finished, and a
    ``KeyboardInterrupt`` in this thread waits for ``side`` to finish too.  The helper runs in
    a copy of this thread's context (``np.errstate`` holds in it).  With one thread, ``main``
    then ``side`` run here, in that order.
    """
    if threads < 2:
        first = main()
        return first, side()
    import contextvars
    import threading

    context = contextvars.copy_context()
    done = threading.Event()
    box: dict[str, Any] = {}

    def helper() -> None:
        try:
            box["value"] = context.run(side)
        except BaseException as exc:  # re-raised in the calling thread
            box["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=helper, name="eventstudy-beside", daemon=True)
    try:
        thread.start()
        first = main()
    finally:
        _join([thread], [done], lambda: None)
    if "error" in box:
        raise box["error"]
    return first, box["value"]


def _join(helpers: list[Any], done: list[Any], stop: Callable[[], None]) -> None:
    """Wait until the started ``helpers`` have finished; a ``KeyboardInterrupt`` while waiting
    stops them handing out items and is raised once they have finished their current item.

    Each helper's ``done`` event is waited on, not only ``Thread.join``: on Python 3.11 and
    3.12 an interrupted ``join`` marks the thread as stopped while it still runs.  A helper
    whose ``start`` was interrupted before it ran is not waited for; it finds the hand-out
    stopped and takes no item.
    """
    interrupt: BaseException | None = None
    for h, finished in zip(helpers, done, strict=True):  # loop over helpers
        while h.ident is not None:  # started
            try:
                finished.wait()
                h.join()
                break
            except BaseException as exc:  # a Ctrl-C while waiting
                stop()
                interrupt = interrupt or exc
    if interrupt is not None:
        raise interrupt
