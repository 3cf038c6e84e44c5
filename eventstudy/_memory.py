"""Keep freed memory in the process for reuse (glibc's allocator), for numpy-heavy work; and
large arrays on ordinary pages while a cross-section runs (:func:`small_pages`).

A sweep allocates and frees the same large temporaries (placebo draws, bootstrap blocks) many
thousands of times.  glibc serves blocks above its mmap threshold (128 KiB at first, raised
adaptively as such blocks are freed) with fresh ``mmap`` calls and gives the top of its heap
back to the system above its trim threshold, so the same memory is faulted in again and
again: on the 1,000-specification benchmark grid one process spent 4.2 s of 19.5 s in the
kernel, against 1.2 s of 15.0 s with the thresholds below (measured 2026-11-22).

Setting the thresholds fixes them (glibc then stops adapting them).  The process keeps up to
256 MiB of freed memory for reuse; peak memory is unchanged.
"""

from __future__ import annotations

import ctypes
import importlib
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import cast

__all__ = ["ALLOCATOR_ENV", "hugepage_setter", "keep_freed_memory", "small_pages"]

MMAP_THRESHOLD = 32 * 2**20  # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD = 256 * 2**20
# the same settings for a child process, read by glibc when it starts
ALLOCATOR_ENV = {
    "MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD),
    "MALLOC_TRIM_THRESHOLD_": str(TRIM_THRESHOLD),
}
_M_TRIM_THRESHOLD = -1  # mallopt parameters, <malloc.h>
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> bool:
    """Set this process's glibc thresholds (see the module docstring).

    Returns False, changing nothing, where the C library is not glibc.  Called by the
    command line and in sweep workers, processes of our own; a library call leaves the
    caller's process alone.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


def hugepage_setter() -> Callable[[bool], bool] | None:
    """numpy's switch for its huge-page requests (it returns the setting before), or None
    where this numpy has none."""
    for where in ("numpy._core.multiarray", "numpy.core.multiarray"):  # numpy 2, numpy 1.26
        try:
            module = importlib.import_module(where)
        except ImportError:
            continue
        setter = getattr(module, "_set_madvise_hugepage", None)
        if setter is not None:
            return cast("Callable[[bool], bool]", setter)
    return None


_PAGES_LOCK = threading.Lock()
_PAGES = {"depth": 0, "before": True}  # small_pages blocks open; numpy's setting before them


@contextmanager
def small_pages() -> Iterator[None]:
    """Within the block, numpy does not ask Linux for transparent huge pages for its arrays.

    numpy asks (``madvise``) for every array of 4 MiB or more.  Where the kernel's huge pages
    are "madvise" with "madvise" defragmentation, a common default and this machine's, the
    kernel may then compact memory inside the page fault to find 2 MiB pages: on 100,000
    events (a 200 MB panel) the call's system time went from 0.05 s to 0.45-0.85 s in about
    half the calls, and its wall time from 1.04 s to 1.3-1.5 s; with ordinary pages every
    call took 1.04-1.11 s, of which 0.1-0.18 s system (medians of 6, 2026-12-07).

    The setting is numpy's, for the whole process (``NUMPY_MADVISE_HUGEPAGE``): unlike
    :func:`keep_freed_memory`, a library call (a cross-section) changes it, for its duration
    only.  Blocks may overlap (threads running cross-sections side by side): the first to open
    turns the requests off and the last to close puts numpy's setting back.  Where numpy has
    no such switch, nothing changes.

    References
    ----------
    .. [1] numpy, "Runtime environment variables: NUMPY_MADVISE_HUGEPAGE",
       https://numpy.org/doc/stable/reference/global_state.html
    .. [2] Linux, "Transparent Hugepage Support",
       https://docs.kernel.org/admin-guide/mm/transhuge.html
    """
    setter = hugepage_setter()
    if setter is None:  # pragma: no cover - another numpy layout
        yield
        return
    with _PAGES_LOCK:
        if _PAGES["depth"] == 0:
            _PAGES["before"] = bool(setter(False))
        _PAGES["depth"] += 1
    try:
        yield
    finally:
        with _PAGES_LOCK:
            _PAGES["depth"] -= 1
            if _PAGES["depth"] == 0:
                setter(bool(_PAGES["before"]))
