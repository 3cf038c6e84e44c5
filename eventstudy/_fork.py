"""Whether this process may fork a copy of itself instead of starting a fresh interpreter, and
a loop whose items are shared with such a copy."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["die_with_parent", "fork_is_safe", "map_forked"]

T = TypeVar("T")


def fork_is_safe() -> bool:
    """True on Linux, in a process that runs one thread and may have children.

    macOS frameworks do not survive a fork (which is why Python spawns there); a fork copies
    only the calling thread, so another thread's locks could hang the copy; and a
    ``multiprocessing.Pool`` worker is a daemon, which may not have children.  A forked copy
    starts at once with everything already imported, where a spawned one spends about a
    second importing numpy and pandas again.
    """
    import multiprocessing

    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


def map_forked(fn: Callable[[int], T], n: int, *, processes: int = 1) -> list[T]:
    """``[fn(0), ..., fn(n - 1)]``, the odd ``i`` computed by a forked copy of this process
    when ``processes`` is 2 (and forking is safe, :func:`fork_is_safe`).

    ``fn(i)`` must not depend on which process runs it, and its value must pickle (it comes
    back through a pipe).  Errors are those of the plain loop: the copy never sends one, it
    stops at its first failing ``i`` and that ``i`` is computed here, where it raises with its
    own traceback before any later ``i`` does, and the copy is stopped as soon as nothing it
    computes can come first; what the copy could not send (a value that does not pickle, or the
    copy died) is computed here too.  A copy is worth its start (a fork,
    about 10 ms) when each ``fn(i)`` takes a tenth of a second or more.
    """
    if processes < 2 or n < 2 or not fork_is_safe():
        return [fn(i) for i in range(n)]
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe(duplex=False)

    parent = os.getpid()

    def copy() -> None:
        here.close()
        die_with_parent(parent)
        for i in range(1, n, 2):  # loop over the copy's share
            try:
                there.send((i, fn(i)))
            except BaseException:  # computed again here, where it raises
                return

    proc = ctx.Process(target=copy, daemon=True)  # multiprocessing flushes stdout first
    try:
        proc.start()
    except (OSError, AssertionError):  # no copy after all
        return [fn(i) for i in range(n)]
    there.close()
    done: dict[int, T] = {}
    failed: tuple[int, BaseException] | None = None
    try:
        for i in range(0, n, 2):  # loop over this process's share
            try:
                done[i] = fn(i)
            except Exception as exc:  # raised below, unless an earlier i fails first
                failed = (i, exc)
                break
        while True:  # the copy's values, in the order it sends them (ascending)
            try:
                i, value = here.recv()
            except (EOFError, OSError):  # the copy has finished (or died)
                break
            done[i] = value
            if failed is not None and i > failed[0]:
                break  # nothing after the failure is needed: the copy is stopped below
    finally:  # the copy has sent what is needed (or this process is interrupted)
        here.close()
        proc.join(1.0 if failed is None else 0.0)
        if proc.is_alive():
            proc.terminate()
            proc.join()
    out: list[T] = []
    for i in range(n):  # in the plain loop's order: the first error in it is raised
        if failed is not None and i == failed[0]:
            raise failed[1]
        out.append(done[i] if i in done else fn(i))
    return out


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (``prctl(PR_SET_PDEATHSIG)``): a
    run killed mid-study must not leave its copy computing (and holding the drawing copy's
    pipe open) until the copy's current item ends, nor its drawing copy writing figures into a
    staging folder that is gone.  Elsewhere, or without glibc, nothing."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(0)
