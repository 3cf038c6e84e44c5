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
from typing import TypeVar

__all__ = ["cores", "map_blocks", "resolve_threads"]

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


def resolve_threads(workers: int | None, blocks: int) -> int:
    """Threads for ``blocks`` blocks of work: ``workers`` when given (at most one per block),
    else one per core up to 8.

    Raises
    ------
    ValueError
        ``workers`` is not a positive integer.
    """
    if workers is None:
        workers = min(cores(), _MAX_DEFAULT)
    elif isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    return max(1, min(workers, blocks))


def map_blocks(fn: Callable[[T], R], items: Sequence[T], threads: int) -> list[R]:
    """``[fn(item) for item in items]``, computed by ``threads`` threads.

    The results come back in the order of ``items``; the first item (in that order) whose
    ``fn`` raises is the error raised, after every thread has stopped.  With one thread, or
    one item, no thread is started.
    """
    if threads < 2 or len(items) < 2:
        return [fn(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="eventstudy") as pool:
        futures = [pool.submit(fn, item) for item in items]
        try:
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:  # loop over blocks: the ones not started are not run
                f.cancel()
            raise
