"""A progress bar for interactive terminals (silent otherwise): tqdm, or a plain line without it."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["TerminalProgress"]


class TerminalProgress:
    """Callable ``(label, done, total)`` drawing a progress bar on a TTY; :meth:`close` ends it.

    With tqdm installed (a dependency of eventstudy) each label gets a tqdm bar with rate and
    time left; without it one plain line is redrawn.

    Parameters
    ----------
    stream
        Where to draw (default ``sys.stderr``).
    enabled
        ``None``: only when ``stream`` is an interactive terminal.
    use_tqdm
        ``False`` forces the plain line (``None``: tqdm when installed).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        use_tqdm: bool | None = None,
    ) -> None:
        self.use_tqdm = use_tqdm
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._open = False
        self._bar: Any = None
        self._label = ""

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        tqdm = _tqdm() if self.use_tqdm is not False else None
        if tqdm is not None:
            if self._bar is None or label != self._label or self._bar.total != total:
                self.close()
                self._bar = tqdm(total=total, desc=label[:40], file=self.stream, leave=True)
                self._label = label
            self._bar.update(done - self._bar.n)
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
        """End the current bar or line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


def _tqdm() -> Any:
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    # no monitor thread: it only tunes the refresh of stalled bars, and a second thread keeps
    # the report from drawing its figures in a forked process (eventstudy.report.figures)
    tqdm.monitor_interval = 0
    return tqdm
