"""Whether this process may fork a copy of itself instead of starting a fresh interpreter."""

from __future__ import annotations

import sys
import threading

__all__ = ["fork_is_safe"]


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
