"""A dependency-free progress bar for interactive terminals (silent otherwise)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["TerminalProgress"]


class TerminalProgress:
    """Callable ``(label, done, total)`` redrawing one line on a TTY; :meth:`close` ends it.

    Parameters
    ----------
    stream
        Where to draw (default ``sys.stderr``).
    enabled
        ``None``: only when ``stream`` is an interactive terminal.
    """

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._open = False

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = int(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{label[:40]:<40} [{bar}] {done}/{total}".ljust(90))
        self._open = True
        self.stream.flush()

    def close(self) -> None:
        """End the current line."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
